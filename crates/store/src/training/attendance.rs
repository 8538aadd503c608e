//! Attendance, one row per trainee per day, and the certificate a trainee earns the moment
//! their attendance meets the course's completion rule.

use chrono::{DateTime, Utc};
use farmgate_domain::training::{AttendanceMethod, EnrolmentStatus};
use rand::RngCore;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use super::entity::{attendance, certificate};
use super::{Course, Trainee, TrainingSession};
use crate::{Error, Result, Store};

/// A certificate: the code printed on it (and in its verification QR code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    pub code: String,
    pub session_id: i64,
    pub trainee_id: i64,
    pub issued_at: DateTime<Utc>,
}

/// A certificate with what its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateView {
    pub certificate: Certificate,
    pub trainee: Trainee,
    pub session: TrainingSession,
    pub course: Course,
}

/// What recording a day did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceOutcome {
    /// False when the day was already recorded (a second scan changes nothing).
    pub newly_recorded: bool,
    /// The days attended so far.
    pub days: Vec<i32>,
    /// The certificate's code, once the course is completed.
    pub certificate: Option<String>,
}

fn certificate_code() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn certificate_from(row: certificate::Model) -> Certificate {
    Certificate {
        code: row.code,
        session_id: row.session_id,
        trainee_id: row.trainee_id,
        issued_at: row.issued_at,
    }
}

impl Store {
    /// Records that the trainee attended `day` of the session, and issues the certificate
    /// when that completes the course. Only an enrolled trainee (not one still waiting) can
    /// attend, and only on a day the session has.
    pub async fn record_attendance(
        &self,
        session_id: i64,
        trainee_id: i64,
        day: i32,
        method: AttendanceMethod,
        recorded_by: Option<i64>,
    ) -> Result<AttendanceOutcome> {
        let session = self.training_session(session_id).await?;
        let course = self.course(session.course_id).await?;
        if !course.rule.has_day(day) {
            return Err(Error::Training(
                farmgate_domain::training::TrainingRefusal::NoSuchDay,
            ));
        }
        match self.enrolment(session_id, trainee_id).await? {
            Some(e) if e.status == EnrolmentStatus::Enrolled => {}
            Some(_) => {
                return Err(Error::Training(
                    farmgate_domain::training::TrainingRefusal::Waitlisted,
                ));
            }
            None => return Err(Error::NotFound),
        }
        let txn = self.begin_write().await?;
        let inserted = attendance::Entity::insert(attendance::ActiveModel {
            session_id: Set(session_id),
            trainee_id: Set(trainee_id),
            day: Set(day),
            method: Set(method.as_str().to_owned()),
            recorded_by: Set(recorded_by),
            recorded_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([
                attendance::Column::SessionId,
                attendance::Column::TraineeId,
                attendance::Column::Day,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        let days: Vec<i32> = attendance::Entity::find()
            .filter(attendance::Column::SessionId.eq(session_id))
            .filter(attendance::Column::TraineeId.eq(trainee_id))
            .order_by_asc(attendance::Column::Day)
            .all(&txn)
            .await?
            .into_iter()
            .map(|a| a.day)
            .collect();
        if course.rule.completed_by(&days) {
            certificate::Entity::insert(certificate::ActiveModel {
                code: Set(certificate_code()),
                session_id: Set(session_id),
                trainee_id: Set(trainee_id),
                issued_at: Set(Utc::now()),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::columns([
                    certificate::Column::SessionId,
                    certificate::Column::TraineeId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        let certificate = certificate::Entity::find()
            .filter(certificate::Column::SessionId.eq(session_id))
            .filter(certificate::Column::TraineeId.eq(trainee_id))
            .one(&txn)
            .await?
            .map(|c| c.code);
        txn.commit().await?;
        Ok(AttendanceOutcome {
            newly_recorded: inserted > 0,
            days,
            certificate,
        })
    }

    /// The certificate with `code`, and what its page shows.
    pub async fn certificate(&self, code: &str) -> Result<CertificateView> {
        let row = certificate::Entity::find()
            .filter(certificate::Column::Code.eq(code))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let session = self.training_session(row.session_id).await?;
        Ok(CertificateView {
            trainee: self.trainee(row.trainee_id).await?,
            course: self.course(session.course_id).await?,
            session,
            certificate: certificate_from(row),
        })
    }

    /// A trainee's certificates, oldest first.
    pub async fn certificates_of(&self, trainee_id: i64) -> Result<Vec<Certificate>> {
        Ok(certificate::Entity::find()
            .filter(certificate::Column::TraineeId.eq(trainee_id))
            .order_by_asc(certificate::Column::IssuedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(certificate_from)
            .collect())
    }
}
