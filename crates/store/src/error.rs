//! What can go wrong below the web edge, in terms the web edge can map to a status.

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A unique rule was broken; `field` names the input that collided.
    #[error("{field} is already taken")]
    Conflict { field: &'static str },
    /// The record has already moved on (an application decided twice, say).
    #[error("already decided")]
    AlreadyDecided,
    /// The applicant already has a shop application waiting for the centre.
    #[error("an application is already waiting")]
    ApplicationPending,
    /// The order is not in a state that allows this step (someone else acted first, or the
    /// step does not apply to it).
    #[error("not allowed in the order's current state")]
    OrderState,
    /// The training records refused a step.
    #[error(transparent)]
    Training(#[from] farmgate_domain::training::TrainingRefusal),
    /// A station refused a step with a parcel.
    #[error(transparent)]
    Station(#[from] farmgate_domain::stations::StationRefusal),
    /// The distribution centre refused a step with a parcel.
    #[error(transparent)]
    Logistics(#[from] farmgate_domain::logistics::LogisticsRefusal),
    /// A payment refused a step.
    #[error(transparent)]
    Payment(#[from] farmgate_domain::orders::PaymentRefusal),
    /// The input breaks a rule of the domain (an amount too large to hold, say).
    #[error(transparent)]
    Invalid(#[from] farmgate_domain::ValidationError),
    /// A live room refused a step (already live, ended).
    #[error(transparent)]
    Room(#[from] farmgate_domain::live::RoomRefusal),
    /// The account is muted in this live room: its messages are refused.
    #[error("muted in this room")]
    Muted,
    /// The database was written by a newer FarmGate than this binary.
    #[error(
        "the database has migrations this FarmGate does not know ({unknown}); it was written by a newer version. \
         Run the newer farmgate, or restore a backup made by this version"
    )]
    SchemaNewer { unknown: String },
    /// The connection settings are unusable.
    #[error("database settings: {0}")]
    Config(String),
    /// A row that cannot be read back: a value this version does not know, or one a write
    /// should have left and did not.
    #[error("stored data: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A row of `what` with id `id` holds a value this version does not know.
pub(crate) fn corrupt(what: &str, id: i64) -> Error {
    Error::Corrupt(format!(
        "{what} {id} has a value this version does not know"
    ))
}

impl Error {
    /// Turns a unique violation into a `Conflict` naming `field`; other errors pass through.
    pub(crate) fn unique_as(err: DbErr, field: &'static str) -> Error {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict { field },
            _ => Error::Db(err),
        }
    }
}
