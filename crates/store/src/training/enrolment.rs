//! The people trained and their places in sessions. A trainee need not have an account: a
//! station operator or trainer enrols a villager with a name and a phone number. A typed
//! phone number proves nothing, so an account joins such a record only once the phone is
//! proven: a one-time code sent to it (`accounts::phone`), or the county's trainer or station
//! operator confirming in person (`confirm_trainee_in_person`).
//!
//! A session holds `capacity` places; whoever enrols after that waits in line, and the first
//! in line takes a place the moment one frees. Both steps run under a write on the session's
//! row, so two enrolments at once on either database never give out the same last place.

use chrono::{DateTime, Utc};
use farmgate_domain::training::{AttendanceMethod, EnrolmentStatus, Gender};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use farmgate_domain::accounts::{DisplayName, PhoneNumber};

use super::entity::{attendance, certificate, enrolment, session, trainee};
use super::{Course, TrainingSession, corrupt};
use crate::{Error, Result, Store};

/// Someone trained (or to be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trainee {
    pub id: i64,
    pub name: String,
    /// Personal: shown in full only to the staff of the trainee's county.
    pub phone: Option<String>,
    pub account_id: Option<i64>,
    /// Where they live (a village or township; the county when not given).
    pub region_id: i64,
    /// The station that looks after them, when one enrolled them.
    pub station_id: Option<i64>,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct NewTrainee {
    pub name: DisplayName,
    pub phone: Option<PhoneNumber>,
    pub account_id: Option<i64>,
    pub region_id: i64,
    pub station_id: Option<i64>,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    pub created_by: Option<i64>,
}

/// A trainee's place in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub id: i64,
    pub session_id: i64,
    pub trainee_id: i64,
    pub status: EnrolmentStatus,
    /// Who enrolled them (themselves, a station operator, a trainer).
    pub enrolled_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A line of a session's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterRow {
    pub trainee: Trainee,
    pub status: EnrolmentStatus,
    /// The days attended, in order.
    pub days: Vec<i32>,
    /// The days ticked by hand on the roster, with who ticked them.
    pub ticked_by: Vec<(i32, Option<i64>)>,
    pub certificate: Option<String>,
}

/// A line of a trainee's own schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleRow {
    pub session: TrainingSession,
    pub course: Course,
    pub status: EnrolmentStatus,
    /// 1 for the first in line, when waiting.
    pub waitlist_position: Option<i64>,
    pub days: Vec<i32>,
    /// The certificate's code, once earned.
    pub certificate: Option<String>,
}

pub(super) fn trainee_from(row: trainee::Model) -> Trainee {
    Trainee {
        gender: Gender::from_stored(row.gender.as_deref()),
        id: row.id,
        name: row.name,
        phone: row.phone,
        account_id: row.account_id,
        region_id: row.region_id,
        station_id: row.station_id,
        birth_year: row.birth_year,
    }
}

fn enrolment_from(row: enrolment::Model) -> Result<Enrolment> {
    Ok(Enrolment {
        status: EnrolmentStatus::parse(&row.status).ok_or_else(|| corrupt("enrolment", row.id))?,
        id: row.id,
        session_id: row.session_id,
        trainee_id: row.trainee_id,
        enrolled_by: row.enrolled_by,
        created_at: row.created_at,
    })
}

/// Takes the session's row for writing until the transaction ends (a no-op update: SQLite
/// takes its write lock, PostgreSQL the row's lock), so counting places and giving one out
/// happen as one step.
async fn hold_session(txn: &impl ConnectionTrait, session_id: i64) -> Result<i32> {
    let updated = session::Entity::update_many()
        .col_expr(
            session::Column::Capacity,
            Expr::col(session::Column::Capacity),
        )
        .filter(session::Column::Id.eq(session_id))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    Ok(session::Entity::find_by_id(session_id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?
        .capacity)
}

async fn enrolled_count(txn: &impl ConnectionTrait, session_id: i64) -> Result<u64> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .count(txn)
        .await?)
}

impl Store {
    pub async fn trainee(&self, id: i64) -> Result<Trainee> {
        trainee::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(trainee_from)
            .ok_or(Error::NotFound)
    }

    /// The trainee record of an account, if it has one.
    pub async fn trainee_of_account(&self, account_id: i64) -> Result<Option<Trainee>> {
        Ok(trainee::Entity::find()
            .filter(trainee::Column::AccountId.eq(account_id))
            .one(&self.db)
            .await?
            .map(trainee_from))
    }

    /// The trainee `new` describes: the account's own record; else, for someone enrolled on
    /// their behalf, the record with that phone number; else a new one. An account whose typed
    /// phone matches a record that is not its own gets nothing of it: a record nobody has
    /// claimed is refused with `phone-unproven` (prove the phone first), and one that is
    /// another account's leaves the new record without a phone.
    pub async fn find_or_add_trainee(&self, mut new: NewTrainee) -> Result<Trainee> {
        if let Some(account_id) = new.account_id
            && let Some(existing) = self.trainee_of_account(account_id).await?
        {
            return Ok(existing);
        }
        if let Some(phone) = &new.phone
            && let Some(existing) = trainee::Entity::find()
                .filter(trainee::Column::Phone.eq(phone.as_str()))
                .one(&self.db)
                .await?
        {
            match (new.account_id, existing.account_id) {
                (None, _) => return Ok(trainee_from(existing)),
                (Some(_), None) => {
                    return Err(Error::Invalid(farmgate_domain::ValidationError::new(
                        "phone",
                        "phone-unproven",
                    )));
                }
                (Some(_), Some(_)) => new.phone = None,
            }
        }
        let row = trainee::ActiveModel {
            name: Set(new.name.as_str().to_owned()),
            phone: Set(new.phone.map(|p| p.as_str().to_owned())),
            account_id: Set(new.account_id),
            region_id: Set(new.region_id),
            station_id: Set(new.station_id),
            gender: Set(new.gender.map(|g| g.as_str().to_owned())),
            birth_year: Set(new.birth_year),
            created_by: Set(new.created_by),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "phone"))?;
        Ok(trainee_from(row))
    }

    /// Joins the unclaimed record `trainee_id` to `account_id`, as `confirmed_by` (a trainer or
    /// station operator of the county, who checked in person) says. Refused (`TrainingRefusal`)
    /// when the record is already an account's or the account already has a record.
    pub async fn confirm_trainee_in_person(
        &self,
        trainee_id: i64,
        account_id: i64,
        confirmed_by: i64,
    ) -> Result<Trainee> {
        let txn = self.begin_write().await?;
        if trainee::Entity::find()
            .filter(trainee::Column::AccountId.eq(account_id))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(Error::Training(
                farmgate_domain::training::TrainingRefusal::AccountHasRecord,
            ));
        }
        let joined = trainee::Entity::update_many()
            .col_expr(trainee::Column::AccountId, Expr::value(account_id))
            .col_expr(trainee::Column::ConfirmedBy, Expr::value(confirmed_by))
            .filter(trainee::Column::Id.eq(trainee_id))
            .filter(trainee::Column::AccountId.is_null())
            .exec(&txn)
            .await?;
        if joined.rows_affected == 0 {
            return Err(Error::Training(
                farmgate_domain::training::TrainingRefusal::RecordClaimed,
            ));
        }
        let row = trainee::Entity::find_by_id(trainee_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        txn.commit().await?;
        Ok(trainee_from(row))
    }

    /// Gives `trainee_id` a place in the session, or a place in line when it is full. Enrolling
    /// twice changes nothing; enrolling again after withdrawing joins at the back.
    pub async fn enrol(
        &self,
        session_id: i64,
        trainee_id: i64,
        enrolled_by: Option<i64>,
    ) -> Result<Enrolment> {
        let txn = self.begin_write().await?;
        let capacity = hold_session(&txn, session_id).await?;
        let existing = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(session_id))
            .filter(enrolment::Column::TraineeId.eq(trainee_id))
            .one(&txn)
            .await?;
        if let Some(row) = &existing
            && row.status != EnrolmentStatus::Withdrawn.as_str()
        {
            return enrolment_from(row.clone());
        }
        let status =
            if enrolled_count(&txn, session_id).await? < u64::try_from(capacity).unwrap_or(0) {
                EnrolmentStatus::Enrolled
            } else {
                EnrolmentStatus::Waitlisted
            };
        let row = match existing {
            Some(row) => {
                let mut row: enrolment::ActiveModel = row.into();
                row.status = Set(status.as_str().to_owned());
                row.enrolled_by = Set(enrolled_by);
                row.created_at = Set(Utc::now());
                row.withdrawn_at = Set(None);
                row.promoted_at = Set(None);
                row.update(&txn).await?
            }
            None => {
                enrolment::ActiveModel {
                    session_id: Set(session_id),
                    trainee_id: Set(trainee_id),
                    status: Set(status.as_str().to_owned()),
                    enrolled_by: Set(enrolled_by),
                    created_at: Set(Utc::now()),
                    promoted_at: Set(None),
                    withdrawn_at: Set(None),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        txn.commit().await?;
        enrolment_from(row)
    }

    /// Gives up a place (or a place in line). When a place frees, the first in line takes it;
    /// their trainee id is returned.
    pub async fn withdraw(&self, session_id: i64, trainee_id: i64) -> Result<Option<i64>> {
        let txn = self.begin_write().await?;
        let capacity = hold_session(&txn, session_id).await?;
        let row = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(session_id))
            .filter(enrolment::Column::TraineeId.eq(trainee_id))
            .filter(enrolment::Column::Status.ne(EnrolmentStatus::Withdrawn.as_str()))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let mut withdrawn: enrolment::ActiveModel = row.into();
        withdrawn.status = Set(EnrolmentStatus::Withdrawn.as_str().to_owned());
        withdrawn.withdrawn_at = Set(Some(Utc::now()));
        withdrawn.update(&txn).await?;
        let mut promoted = None;
        if enrolled_count(&txn, session_id).await? < u64::try_from(capacity).unwrap_or(0)
            && let Some(first) = enrolment::Entity::find()
                .filter(enrolment::Column::SessionId.eq(session_id))
                .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted.as_str()))
                .order_by_asc(enrolment::Column::CreatedAt)
                .order_by_asc(enrolment::Column::Id)
                .one(&txn)
                .await?
        {
            promoted = Some(first.trainee_id);
            let mut first: enrolment::ActiveModel = first.into();
            first.status = Set(EnrolmentStatus::Enrolled.as_str().to_owned());
            first.promoted_at = Set(Some(Utc::now()));
            first.update(&txn).await?;
        }
        txn.commit().await?;
        Ok(promoted)
    }

    /// Changes a session's places. More places go to those waiting, first come first; fewer
    /// than are already taken are refused (`TrainingRefusal::FewerThanTaken`): nobody loses a place they were
    /// given. Returns the trainees who moved up.
    pub async fn set_capacity(&self, session_id: i64, capacity: i32) -> Result<Vec<i64>> {
        let txn = self.begin_write().await?;
        hold_session(&txn, session_id).await?;
        let taken = enrolled_count(&txn, session_id).await?;
        let places = u64::try_from(capacity).unwrap_or(0);
        if places < taken {
            return Err(Error::Training(
                farmgate_domain::training::TrainingRefusal::FewerThanTaken,
            ));
        }
        session::Entity::update_many()
            .col_expr(session::Column::Capacity, Expr::value(capacity))
            .filter(session::Column::Id.eq(session_id))
            .exec(&txn)
            .await?;
        let waiting = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(session_id))
            .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted.as_str()))
            .order_by_asc(enrolment::Column::CreatedAt)
            .order_by_asc(enrolment::Column::Id)
            .limit(places - taken)
            .all(&txn)
            .await?;
        let mut promoted = Vec::with_capacity(waiting.len());
        for row in waiting {
            promoted.push(row.trainee_id);
            let mut row: enrolment::ActiveModel = row.into();
            row.status = Set(EnrolmentStatus::Enrolled.as_str().to_owned());
            row.promoted_at = Set(Some(Utc::now()));
            row.update(&txn).await?;
        }
        txn.commit().await?;
        Ok(promoted)
    }

    /// The trainee's place in a session, if they hold or wait for one.
    pub async fn enrolment(&self, session_id: i64, trainee_id: i64) -> Result<Option<Enrolment>> {
        enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(session_id))
            .filter(enrolment::Column::TraineeId.eq(trainee_id))
            .filter(enrolment::Column::Status.ne(EnrolmentStatus::Withdrawn.as_str()))
            .one(&self.db)
            .await?
            .map(enrolment_from)
            .transpose()
    }

    /// Everyone enrolled or waiting, in the order they came, with the days they attended.
    pub async fn roster(&self, session_id: i64) -> Result<Vec<RosterRow>> {
        let rows = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(session_id))
            .filter(enrolment::Column::Status.ne(EnrolmentStatus::Withdrawn.as_str()))
            .order_by_asc(enrolment::Column::CreatedAt)
            .order_by_asc(enrolment::Column::Id)
            .all(&self.db)
            .await?;
        let trainees = trainee::Entity::find()
            .filter(trainee::Column::Id.is_in(rows.iter().map(|r| r.trainee_id)))
            .all(&self.db)
            .await?;
        let days = attendance::Entity::find()
            .filter(attendance::Column::SessionId.eq(session_id))
            .order_by_asc(attendance::Column::Day)
            .all(&self.db)
            .await?;
        let certificates = certificate::Entity::find()
            .filter(certificate::Column::SessionId.eq(session_id))
            .all(&self.db)
            .await?;
        let mut roster = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(trainee) = trainees.iter().find(|t| t.id == row.trainee_id) else {
                continue;
            };
            let enrolment = enrolment_from(row)?;
            roster.push(RosterRow {
                trainee: trainee_from(trainee.clone()),
                status: enrolment.status,
                days: days
                    .iter()
                    .filter(|d| d.trainee_id == enrolment.trainee_id)
                    .map(|d| d.day)
                    .collect(),
                ticked_by: days
                    .iter()
                    .filter(|d| {
                        d.trainee_id == enrolment.trainee_id
                            && d.method == AttendanceMethod::Roster.as_str()
                    })
                    .map(|d| (d.day, d.recorded_by))
                    .collect(),
                certificate: certificates
                    .iter()
                    .find(|c| c.trainee_id == enrolment.trainee_id)
                    .map(|c| c.code.clone()),
            });
        }
        Ok(roster)
    }

    /// A trainee's sessions, soonest first, with what they attended and earned.
    pub async fn schedule_of(&self, trainee_id: i64) -> Result<Vec<ScheduleRow>> {
        let rows = enrolment::Entity::find()
            .filter(enrolment::Column::TraineeId.eq(trainee_id))
            .filter(enrolment::Column::Status.ne(EnrolmentStatus::Withdrawn.as_str()))
            .all(&self.db)
            .await?;
        let mut schedule = Vec::with_capacity(rows.len());
        for row in rows {
            let enrolment = enrolment_from(row)?;
            let session = self.training_session(enrolment.session_id).await?;
            let course = self.course(session.course_id).await?;
            let waitlist_position = if enrolment.status == EnrolmentStatus::Waitlisted {
                let ahead = enrolment::Entity::find()
                    .filter(enrolment::Column::SessionId.eq(session.id))
                    .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted.as_str()))
                    .filter(enrolment::Column::CreatedAt.lt(enrolment.created_at))
                    .count(&self.db)
                    .await?;
                Some(i64::try_from(ahead).unwrap_or(0) + 1)
            } else {
                None
            };
            let days = attendance::Entity::find()
                .filter(attendance::Column::SessionId.eq(session.id))
                .filter(attendance::Column::TraineeId.eq(trainee_id))
                .order_by_asc(attendance::Column::Day)
                .all(&self.db)
                .await?
                .into_iter()
                .map(|a| a.day)
                .collect();
            let certificate = certificate::Entity::find()
                .filter(certificate::Column::SessionId.eq(session.id))
                .filter(certificate::Column::TraineeId.eq(trainee_id))
                .one(&self.db)
                .await?
                .map(|c| c.code);
            schedule.push(ScheduleRow {
                session,
                course,
                status: enrolment.status,
                waitlist_position,
                days,
                certificate,
            });
        }
        schedule.sort_by_key(|row| (row.session.starts_on, row.session.id));
        Ok(schedule)
    }
}
