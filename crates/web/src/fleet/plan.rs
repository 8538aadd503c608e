//! Planning a depot's day: its working vehicles and the day's open jobs become a
//! `farmgate_routing::Problem` (places from coordinates, the depot first), the solver runs on
//! a blocking thread within its budget, and the plan is kept with its times in the day's clock.
//! A problem planned before, unchanged, answers with the plan already kept.

use std::time::Instant;

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::fleet::{
    DETOUR, JobStatus, RouteJobKind, SHIFT_FROM, SHIFT_UNTIL, UnfitCause, VehicleKind,
};
use farmgate_domain::stations::till::LedgerDay;
use farmgate_routing::{
    Budget, GeoPoint, Job, JobKind, Load, Matrix, Problem, Roads, Vehicle, Window,
};
use farmgate_store::fleet::{FleetVehicle, NewPlan, NewRun, NewStop, RouteJob, SavedPlan};
use farmgate_store::logistics::Depot;

use farmgate_store::Store;

use crate::problem::Problem as ApiProblem;

fn kind_of(job: &RouteJob) -> JobKind {
    match job.details.kind {
        RouteJobKind::Pickup => JobKind::Pickup,
        RouteJobKind::Delivery => JobKind::Delivery,
        RouteJobKind::Sell => JobKind::Sell,
    }
}

fn grams(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// The day's problem: place 0 is the depot, job k's place is k + 1; a vehicle's profile is its
/// kind's. Legs between places of the county's road table take its measured metres.
pub(crate) fn problem_of(
    depot: &Depot,
    (vehicles, jobs): (&[FleetVehicle], &[RouteJob]),
    roads: &Roads,
) -> Result<Problem, ApiProblem> {
    let (Some(lat), Some(lon)) = (depot.latitude, depot.longitude) else {
        return Err(ValidationError::new("depot", "fleet-depot-no-place").into());
    };
    let mut points = vec![GeoPoint::new(lat, lon)];
    points.extend(
        jobs.iter()
            .map(|j| GeoPoint::new(j.details.latitude, j.details.longitude)),
    );
    let speeds: Vec<f64> = VehicleKind::ALL
        .iter()
        .map(|k| k.speed_kmh() / 3.6)
        .collect();
    let (matrix, _) = Matrix::from_points_and_roads(&points, DETOUR, &speeds, roads)
        .map_err(|_| ValidationError::new("depot", "fleet-depot-no-place"))?;
    let shift = Window::new(f64::from(SHIFT_FROM * 60), f64::from(SHIFT_UNTIL * 60));
    let vehicles = vehicles
        .iter()
        .map(|v| Vehicle {
            id: v.id.to_string(),
            profile: VehicleKind::ALL
                .iter()
                .position(|k| *k == v.kind)
                .unwrap_or(0),
            capacity: Load::new(
                grams(v.details.capacity.grams),
                u32::try_from(v.details.capacity.crates).unwrap_or(0),
            ),
            range: v.details.range_m.map(f64::from),
            shift,
            depot: 0,
        })
        .collect();
    let jobs = jobs
        .iter()
        .enumerate()
        .map(|(k, j)| Job {
            id: j.id.to_string(),
            kind: kind_of(j),
            place: k + 1,
            load: Load::new(
                grams(j.details.grams),
                u32::try_from(j.details.crates).unwrap_or(0),
            ),
            windows: j
                .details
                .window
                .map(|w| vec![Window::new(f64::from(w.from * 60), f64::from(w.until * 60))])
                .unwrap_or_default(),
            service: f64::from(j.details.service_minutes * 60),
            pinned_to: j.details.pinned_vehicle_id.map(|v| v.to_string()),
        })
        .collect();
    Ok(Problem {
        vehicles,
        jobs,
        matrix,
    })
}

/// Plans `depot`'s open jobs of `day` with its working vehicles within `budget`, or answers
/// with the plan kept for the same problem.
pub async fn plan_day(
    store: &Store,
    depot: &Depot,
    (day, budget): (LedgerDay, Budget),
    actor_id: i64,
) -> Result<SavedPlan, ApiProblem> {
    let day_text = day.to_string();
    let vehicles = store.vehicles(depot.id, false).await?;
    if vehicles.is_empty() {
        return Err(ValidationError::new("day", "fleet-no-vehicles").into());
    }
    let jobs = store
        .route_jobs(depot.id, &day_text, Some(JobStatus::Open))
        .await?;
    if jobs.is_empty() {
        return Err(ValidationError::new("day", "fleet-no-jobs").into());
    }
    let roads = store.roads(depot.id).await?;
    let problem = problem_of(depot, (&vehicles, &jobs), &roads)?;
    let digest = problem.digest();
    if let Some(kept) = store.latest_plan(depot.id, &day_text).await?
        && kept.digest == digest
    {
        return Ok(kept);
    }
    let started = Instant::now();
    let plan = tokio::task::spawn_blocking(move || farmgate_routing::solve(&problem, &budget))
        .await
        .map_err(|e| solver_failed(&e))?
        .map_err(|e| solver_failed(&e))?;
    let took_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let midnight = day.bounds().0;
    let at = |seconds: f64| -> DateTime<Utc> {
        midnight + chrono::Duration::milliseconds((seconds * 1000.0).round() as i64)
    };
    let id = |text: &str| text.parse::<i64>().unwrap_or_default();
    let new = NewPlan {
        day: day_text,
        digest,
        runs: plan
            .runs
            .iter()
            .map(|r| NewRun {
                vehicle_id: id(&r.vehicle),
                leaves_at: at(r.leaves),
                returns_at: at(r.returns),
                distance_m: r.distance,
                load_grams: i64::from(r.load_out.grams),
                load_crates: i32::try_from(r.load_out.crates).unwrap_or(i32::MAX),
                stops: r
                    .stops
                    .iter()
                    .map(|s| NewStop {
                        job_id: id(&s.job),
                        arrives_at: at(s.arrives),
                        starts_at: at(s.starts),
                        leaves_at: at(s.leaves),
                        load_grams: i64::from(s.load_after.grams),
                        load_crates: i32::try_from(s.load_after.crates).unwrap_or(i32::MAX),
                    })
                    .collect(),
            })
            .collect(),
        unfit: plan
            .unfit
            .iter()
            .map(|u| {
                (
                    id(&u.job),
                    UnfitCause::parse(u.reason.as_str()).unwrap_or(UnfitCause::Unknown),
                )
            })
            .collect(),
        took_ms,
    };
    Ok(store
        .save_plan(depot.id, &new, actor_id, Utc::now())
        .await?)
}

/// The solver failing (or its plan breaking the problem) is FarmGate's fault, not the user's.
fn solver_failed(err: &dyn std::fmt::Display) -> ApiProblem {
    tracing::error!(error = %err, "planning a day failed");
    ApiProblem::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "server")
}
