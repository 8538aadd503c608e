//! Training: the centre's courses with a syllabus per day, sessions of a course at a venue or
//! online with their trainers (this file); the people trained, enrolment and the waitlist
//! (`enrolment`); attendance per day and certificates (`attendance`); the incubation funnel,
//! the follow-up list and the programme's numbers (`funnel`).

mod attendance;
mod enrolment;
pub(crate) mod entity;
mod funnel;

pub use attendance::{AttendanceOutcome, Certificate, CertificateView};
pub use enrolment::{Enrolment, NewTrainee, RosterRow, ScheduleRow, Trainee};
pub use funnel::{FollowUp, FollowUpReason, FunnelRow, FunnelStage, ProgrammeRow};

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionPath;
use farmgate_domain::training::{CompletionRule, CourseKind, EnrolmentStatus, VenueKind};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::regions::entity as region;
use crate::{Error, Result, Store};
use entity::{course, course_day, enrolment as enrolment_row, session, session_trainer};

pub use farmgate_domain::text::Texts;

/// A course: what is taught, day by day, and when it counts as completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Course {
    pub id: i64,
    /// The county (centre) that runs it.
    pub region_id: i64,
    pub kind: CourseKind,
    pub rule: CompletionRule,
    /// The languages it is taught in.
    pub languages: Vec<Language>,
    pub title: Texts,
    pub summary: Texts,
    /// The syllabus of each day, day 1 first.
    pub syllabus: Vec<Texts>,
}

#[derive(Debug, Clone)]
pub struct NewCourse {
    pub region_id: i64,
    pub kind: CourseKind,
    pub rule: CompletionRule,
    pub languages: Vec<Language>,
    pub title: Texts,
    pub summary: Texts,
    /// One per day of `rule.days`.
    pub syllabus: Vec<Texts>,
    pub created_by: Option<i64>,
}

/// A run of a course: where, when, for whom, by whom, and how full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingSession {
    pub id: i64,
    pub course_id: i64,
    /// The region it serves (a county, or a township for a training point).
    pub region_id: i64,
    pub venue_kind: VenueKind,
    /// The venue's name, in any one of the readers' languages (empty online).
    pub venue: Texts,
    pub online_url: Option<String>,
    pub live_room_id: Option<i64>,
    pub capacity: i32,
    pub starts_on: NaiveDate,
    pub days: i32,
    pub trainer_ids: Vec<i64>,
    pub enrolled: i64,
    pub waitlisted: i64,
}

impl TrainingSession {
    /// The date of `day` (1-based) of the session.
    pub fn date_of(&self, day: i32) -> NaiveDate {
        self.starts_on + chrono::Days::new(u64::try_from(day - 1).unwrap_or(0))
    }

    pub fn ends_on(&self) -> NaiveDate {
        self.date_of(self.days)
    }

    /// Places still free.
    pub fn free(&self) -> i64 {
        (i64::from(self.capacity) - self.enrolled).max(0)
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub course_id: i64,
    pub region_id: i64,
    pub venue_kind: VenueKind,
    /// The venue's name, in any one of the readers' languages (empty online).
    pub venue: Texts,
    pub online_url: Option<String>,
    pub live_room_id: Option<i64>,
    pub capacity: i32,
    pub starts_on: NaiveDate,
    pub trainer_ids: Vec<i64>,
    pub created_by: Option<i64>,
}

pub(crate) use crate::error::corrupt;

fn course_from(row: course::Model, days: Vec<course_day::Model>) -> Result<Course> {
    Ok(Course {
        kind: CourseKind::parse(&row.kind).map_err(|_| corrupt("course", row.id))?,
        rule: CompletionRule::new(row.days, row.min_days).map_err(|_| corrupt("course", row.id))?,
        languages: row
            .languages
            .split(',')
            .filter_map(Language::from_tag)
            .collect(),
        title: Texts::from_stored(row.title_zh, row.title_ug, row.title_en),
        summary: Texts::from_stored(row.summary_zh, row.summary_ug, row.summary_en),
        syllabus: days
            .into_iter()
            .map(|d| Texts::from_stored(d.syllabus_zh, d.syllabus_ug, d.syllabus_en))
            .collect(),
        id: row.id,
        region_id: row.region_id,
    })
}

impl Store {
    /// Adds a course with its syllabus (one text per day).
    pub async fn create_course(&self, new: NewCourse) -> Result<Course> {
        if new.syllabus.len() != usize::try_from(new.rule.days).unwrap_or(0) {
            return Err(Error::Training(
                farmgate_domain::training::TrainingRefusal::SyllabusDays,
            ));
        }
        if new.title.is_empty() {
            return Err(farmgate_domain::ValidationError::new("title", "written-in-none").into());
        }
        let txn = self.begin_write().await?;
        let row = course::ActiveModel {
            region_id: Set(new.region_id),
            kind: Set(new.kind.as_str().to_owned()),
            days: Set(new.rule.days),
            min_days: Set(new.rule.min_days),
            languages: Set(new
                .languages
                .iter()
                .map(|l| l.tag())
                .collect::<Vec<_>>()
                .join(",")),
            title_zh: Set(new.title.stored_zh()),
            title_ug: Set(new.title.ug),
            title_en: Set(new.title.en),
            summary_zh: Set(new.summary.stored_zh()),
            summary_ug: Set(new.summary.ug),
            summary_en: Set(new.summary.en),
            created_by: Set(new.created_by),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for (day, text) in (1..).zip(new.syllabus) {
            course_day::ActiveModel {
                course_id: Set(row.id),
                day: Set(day),
                syllabus_zh: Set(text.stored_zh()),
                syllabus_ug: Set(text.ug),
                syllabus_en: Set(text.en),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        self.course(row.id).await
    }

    pub async fn course(&self, id: i64) -> Result<Course> {
        let row = course::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let days = course_day::Entity::find()
            .filter(course_day::Column::CourseId.eq(id))
            .order_by_asc(course_day::Column::Day)
            .all(&self.db)
            .await?;
        course_from(row, days)
    }

    /// The courses run by the centres of `regions` (a county's, or several), oldest first.
    pub async fn courses_of(&self, region_ids: &[i64]) -> Result<Vec<Course>> {
        let rows = course::Entity::find()
            .filter(course::Column::RegionId.is_in(region_ids.iter().copied()))
            .order_by_asc(course::Column::Id)
            .all(&self.db)
            .await?;
        let mut days: HashMap<i64, Vec<course_day::Model>> = HashMap::new();
        for day in course_day::Entity::find()
            .filter(course_day::Column::CourseId.is_in(rows.iter().map(|r| r.id)))
            .order_by_asc(course_day::Column::Day)
            .all(&self.db)
            .await?
        {
            days.entry(day.course_id).or_default().push(day);
        }
        rows.into_iter()
            .map(|row| {
                let own = days.remove(&row.id).unwrap_or_default();
                course_from(row, own)
            })
            .collect()
    }

    /// Schedules a run of a course with its trainers.
    pub async fn schedule_session(&self, new: NewSession) -> Result<TrainingSession> {
        let course = self.course(new.course_id).await?;
        let txn = self.begin_write().await?;
        let row = session::ActiveModel {
            course_id: Set(new.course_id),
            region_id: Set(new.region_id),
            venue_kind: Set(new.venue_kind.as_str().to_owned()),
            venue_name: Set(new.venue.stored_zh()),
            venue_name_ug: Set(new.venue.ug),
            venue_name_en: Set(new.venue.en),
            online_url: Set(new.online_url),
            live_room_id: Set(new.live_room_id),
            capacity: Set(new.capacity),
            starts_on: Set(new.starts_on),
            days: Set(course.rule.days),
            created_by: Set(new.created_by),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut trainers = new.trainer_ids;
        trainers.sort_unstable();
        trainers.dedup();
        for account_id in trainers {
            session_trainer::ActiveModel {
                session_id: Set(row.id),
                account_id: Set(account_id),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        self.training_session(row.id).await
    }

    /// Moves a session to another first day or venue. Its dates cannot move once a day has
    /// been attended (`TrainingRefusal::DaysAttended`): attendance is kept per day of the session.
    pub async fn reschedule_session(
        &self,
        id: i64,
        starts_on: NaiveDate,
        venue_kind: VenueKind,
        venue: Texts,
    ) -> Result<TrainingSession> {
        let current = self.training_session(id).await?;
        if current.starts_on != starts_on {
            let attended = entity::attendance::Entity::find()
                .filter(entity::attendance::Column::SessionId.eq(id))
                .one(&self.db)
                .await?;
            if attended.is_some() {
                return Err(Error::Training(
                    farmgate_domain::training::TrainingRefusal::DaysAttended,
                ));
            }
        }
        session::Entity::update_many()
            .col_expr(session::Column::StartsOn, Expr::value(starts_on))
            .col_expr(session::Column::VenueKind, Expr::value(venue_kind.as_str()))
            .col_expr(session::Column::VenueName, Expr::value(venue.stored_zh()))
            .col_expr(session::Column::VenueNameUg, Expr::value(venue.ug))
            .col_expr(session::Column::VenueNameEn, Expr::value(venue.en))
            .filter(session::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.training_session(id).await
    }

    pub async fn training_session(&self, id: i64) -> Result<TrainingSession> {
        let row = session::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        self.sessions_from(vec![row])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// Sessions serving `region` or any place below it, starting on or after `from`, soonest
    /// first; at most `limit`.
    pub async fn sessions_within(
        &self,
        region: &RegionPath,
        from: NaiveDate,
        limit: u64,
    ) -> Result<Vec<TrainingSession>> {
        let rows = session::Entity::find()
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()))
            .filter(session::Column::StartsOn.gte(from))
            .order_by_asc(session::Column::StartsOn)
            .order_by_asc(session::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.sessions_from(rows).await
    }

    /// Sessions `account_id` teaches, latest first; at most `limit`.
    pub async fn sessions_of_trainer(
        &self,
        account_id: i64,
        limit: u64,
    ) -> Result<Vec<TrainingSession>> {
        let ids: Vec<i64> = session_trainer::Entity::find()
            .filter(session_trainer::Column::AccountId.eq(account_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| t.session_id)
            .collect();
        let rows = session::Entity::find()
            .filter(session::Column::Id.is_in(ids))
            .order_by_desc(session::Column::StartsOn)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.sessions_from(rows).await
    }

    /// Rows with their trainers and how many hold a place or wait for one.
    async fn sessions_from(&self, rows: Vec<session::Model>) -> Result<Vec<TrainingSession>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut trainers: HashMap<i64, Vec<i64>> = HashMap::new();
        for t in session_trainer::Entity::find()
            .filter(session_trainer::Column::SessionId.is_in(ids.clone()))
            .all(&self.db)
            .await?
        {
            trainers.entry(t.session_id).or_default().push(t.account_id);
        }
        let counts: Vec<(i64, String, i64)> = enrolment_row::Entity::find()
            .select_only()
            .column(enrolment_row::Column::SessionId)
            .column(enrolment_row::Column::Status)
            .column_as(enrolment_row::Column::Id.count(), "n")
            .filter(enrolment_row::Column::SessionId.is_in(ids))
            .group_by(enrolment_row::Column::SessionId)
            .group_by(enrolment_row::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let count = |status: EnrolmentStatus| {
                    counts
                        .iter()
                        .filter(|(s, st, _)| *s == row.id && st == status.as_str())
                        .map(|(_, _, n)| *n)
                        .sum()
                };
                Ok(TrainingSession {
                    venue_kind: VenueKind::parse(&row.venue_kind)
                        .map_err(|_| corrupt("training session", row.id))?,
                    trainer_ids: trainers.remove(&row.id).unwrap_or_default(),
                    enrolled: count(EnrolmentStatus::Enrolled),
                    waitlisted: count(EnrolmentStatus::Waitlisted),
                    id: row.id,
                    course_id: row.course_id,
                    region_id: row.region_id,
                    venue: Texts::from_stored(row.venue_name, row.venue_name_ug, row.venue_name_en),
                    online_url: row.online_url,
                    live_room_id: row.live_room_id,
                    capacity: row.capacity,
                    starts_on: row.starts_on,
                    days: row.days,
                })
            })
            .collect()
    }
}
