//! Planning vehicle runs: which vehicle does which jobs, in what order and when, within each
//! vehicle's capacity (kilograms and crates), range and shift and each job's time windows.
//!
//! The search is `vrp-core`'s (decision 0022); this crate states the county's problem in its
//! terms and reads the answer back: [`Problem`] (vehicles, jobs, a [`Matrix`] of distances and
//! times) goes in, a [`Plan`] (runs of timed stops, and the jobs that could not be fitted, each
//! with its reason) comes out. Every plan is checked against the problem by [`check`], which
//! knows nothing of the solver. No database and no HTTP here: `web` and `cli` hand the
//! problem in and keep the plan.

mod check;
mod matrix;
mod model;
pub mod roads;
mod solve;
pub mod solomon;

pub use check::{Violation, check};
pub use matrix::{GeoPoint, Matrix};
pub use model::{
    Job, JobKind, Load, Plan, Problem, Run, Stop, Unfit, UnfitReason, Vehicle, Window,
};
pub use roads::{RoadLeg, RoadPlace, Roads, RoadsError, RoadsFault};
pub use solve::{Budget, solve};

/// Why a problem cannot be planned at all (a job that cannot fit is not an error: it is
/// reported in the plan).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RoutingError {
    #[error("the problem names place {0}, which the matrix does not have")]
    UnknownPlace(usize),
    #[error("two jobs, or two vehicles, share the id {0}")]
    DuplicateId(String),
    #[error("job {0} is pinned to a vehicle the problem does not have")]
    UnknownVehicle(String),
    #[error("{0} is out of range: {1}")]
    OutOfRange(String, String),
    #[error("the matrix: {0}")]
    Matrix(String),
    #[error("the solver: {0}")]
    Solver(String),
}

pub type Result<T> = std::result::Result<T, RoutingError>;
