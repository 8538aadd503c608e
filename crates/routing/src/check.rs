//! What a plan must keep, checked from the problem alone: every job once (in a run or left
//! out with a reason), each run's load within its vehicle's capacity at every stop, each job
//! started within one of its windows, every vehicle back before its shift ends and within
//! its range, pins kept. The runs' times are worked out here from the matrix, the same way
//! [`crate::solve`] states them, so a plan that says one thing and does another is caught too.

use serde::Serialize;

use crate::model::{Job, JobKind, Load, Plan, Problem, Run, Stop, Vehicle};

/// How far apart two sums of the same floats may be.
const TOLERANCE: f64 = 1e-6;

/// One way a plan breaks its problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    /// The job is in the plan twice (two runs, a run twice, or a run and the unfit list).
    JobTwice { job: String },
    /// The job is neither in a run nor left out.
    JobMissing { job: String },
    /// The plan names a job or a vehicle the problem does not have.
    Unknown { id: String },
    /// The vehicle has two runs.
    VehicleTwice { vehicle: String },
    /// The load is more than the vehicle holds: when it leaves the depot (`job` none) or
    /// after a stop.
    Capacity {
        vehicle: String,
        job: Option<String>,
    },
    /// The job starts after its windows close.
    Window { vehicle: String, job: String },
    /// The vehicle is back after its shift ends.
    ShiftEnd { vehicle: String },
    /// The vehicle rides more than its range.
    Range { vehicle: String },
    /// A pinned job rides with another vehicle.
    Pin { job: String },
    /// The run's stated times, distance or loads are not what its order gives.
    Stated { vehicle: String },
}

/// Every way `plan` breaks `problem`; empty when it keeps everything.
pub fn check(problem: &Problem, plan: &Plan) -> Vec<Violation> {
    let mut found = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut vehicles: Vec<&str> = Vec::new();
    for run in &plan.runs {
        if vehicles.contains(&run.vehicle.as_str()) {
            found.push(Violation::VehicleTwice {
                vehicle: run.vehicle.clone(),
            });
        }
        vehicles.push(&run.vehicle);
        let Some(vehicle) = problem.vehicle(&run.vehicle) else {
            found.push(Violation::Unknown {
                id: run.vehicle.clone(),
            });
            continue;
        };
        let mut jobs = Vec::with_capacity(run.stops.len());
        for stop in &run.stops {
            match problem.job(&stop.job) {
                Some(job) => {
                    if job.pinned_to.as_ref().is_some_and(|pin| *pin != vehicle.id) {
                        found.push(Violation::Pin {
                            job: job.id.clone(),
                        });
                    }
                    jobs.push(job);
                }
                None => found.push(Violation::Unknown {
                    id: stop.job.clone(),
                }),
            }
            seen.push(&stop.job);
        }
        let (worked_out, broken) = schedule(problem, vehicle, &jobs);
        found.extend(broken);
        if !same_run(&worked_out, run) {
            found.push(Violation::Stated {
                vehicle: run.vehicle.clone(),
            });
        }
    }
    seen.extend(plan.unfit.iter().map(|u| u.job.as_str()));
    for job in &problem.jobs {
        match seen.iter().filter(|id| **id == job.id).count() {
            0 => found.push(Violation::JobMissing {
                job: job.id.clone(),
            }),
            1 => {}
            _ => found.push(Violation::JobTwice {
                job: job.id.clone(),
            }),
        }
    }
    found.extend(
        plan.unfit
            .iter()
            .filter(|u| problem.job(&u.job).is_none())
            .map(|u| Violation::Unknown { id: u.job.clone() }),
    );
    found
}

/// `vehicle`'s run through `jobs` in order, timed from the matrix: it leaves the depot as late
/// as it can without waiting at its first stop (never before its shift), waits where it is
/// early, and comes back. With whatever the run breaks.
pub(crate) fn schedule(
    problem: &Problem,
    vehicle: &Vehicle,
    jobs: &[&Job],
) -> (Run, Vec<Violation>) {
    let m = &problem.matrix;
    let mut broken = Vec::new();
    let mut fail = |v: Violation| {
        if !broken.contains(&v) {
            broken.push(v);
        }
    };
    let carried = jobs
        .iter()
        .filter(|j| j.kind != JobKind::Pickup)
        .try_fold(Load::default(), |sum, j| sum.checked_add(j.load));
    let load_out = carried.unwrap_or(Load::new(Load::MAX_GRAMS, u32::MAX));
    if !load_out.fits_in(vehicle.capacity) {
        fail(Violation::Capacity {
            vehicle: vehicle.id.clone(),
            job: None,
        });
    }
    let leaves = match jobs.first() {
        Some(first) => {
            let travel = m.duration(vehicle.profile, vehicle.depot, first.place);
            let opens = window_start(first, vehicle.shift.start + travel).unwrap_or(0.0);
            vehicle.shift.start.max(opens - travel)
        }
        None => vehicle.shift.start,
    };
    let (mut clock, mut at, mut distance, mut load) = (leaves, vehicle.depot, 0.0, load_out);
    let mut stops = Vec::with_capacity(jobs.len());
    for job in jobs {
        let arrives = clock + m.duration(vehicle.profile, at, job.place);
        distance += m.distance(at, job.place);
        let starts = window_start(job, arrives).unwrap_or_else(|| {
            fail(Violation::Window {
                vehicle: vehicle.id.clone(),
                job: job.id.clone(),
            });
            arrives
        });
        load = match job.kind {
            JobKind::Pickup => load
                .checked_add(job.load)
                .unwrap_or(Load::new(Load::MAX_GRAMS, u32::MAX)),
            JobKind::Delivery | JobKind::Sell => load.saturating_sub(job.load),
        };
        if !load.fits_in(vehicle.capacity) {
            fail(Violation::Capacity {
                vehicle: vehicle.id.clone(),
                job: Some(job.id.clone()),
            });
        }
        clock = starts + job.service;
        at = job.place;
        stops.push(Stop {
            job: job.id.clone(),
            place: job.place,
            arrives,
            starts,
            leaves: clock,
            load_after: load,
        });
    }
    let returns = clock + m.duration(vehicle.profile, at, vehicle.depot);
    distance += m.distance(at, vehicle.depot);
    if returns > vehicle.shift.end + TOLERANCE {
        fail(Violation::ShiftEnd {
            vehicle: vehicle.id.clone(),
        });
    }
    if vehicle.range.is_some_and(|r| distance > r + TOLERANCE) {
        fail(Violation::Range {
            vehicle: vehicle.id.clone(),
        });
    }
    let run = Run {
        vehicle: vehicle.id.clone(),
        leaves,
        returns,
        distance,
        load_out,
        stops,
    };
    (run, broken)
}

/// When `job` can start for a vehicle there at `arrives`: at once, or when its next window
/// opens; none when every window has closed.
fn window_start(job: &Job, arrives: f64) -> Option<f64> {
    if job.windows.is_empty() {
        return Some(arrives);
    }
    job.windows
        .iter()
        .filter(|w| w.end + TOLERANCE >= arrives)
        .map(|w| w.start.max(arrives))
        .min_by(f64::total_cmp)
}

fn same_run(a: &Run, b: &Run) -> bool {
    let near = |x: f64, y: f64| (x - y).abs() <= TOLERANCE * x.abs().max(1.0);
    a.vehicle == b.vehicle
        && near(a.leaves, b.leaves)
        && near(a.returns, b.returns)
        && near(a.distance, b.distance)
        && a.load_out == b.load_out
        && a.stops.len() == b.stops.len()
        && a.stops.iter().zip(&b.stops).all(|(x, y)| {
            x.job == y.job
                && x.place == y.place
                && near(x.arrives, y.arrives)
                && near(x.starts, y.starts)
                && near(x.leaves, y.leaves)
                && x.load_after == y.load_after
        })
}
