//! The morning plan as the centre sees it: a day's open jobs, the button that plans them, and
//! the latest plan: each vehicle's run on a map drawn from coordinates (no tiles), its stops in
//! order with times and loads, and the jobs left out with their reasons. Moving a job pins it
//! to the vehicle chosen and plans the day again around it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::fleet::JobStatus;
use farmgate_store::fleet::{FleetVehicle, RouteJob, SavedPlan};
use farmgate_store::logistics::Depot;
use serde::Deserialize;

use super::jobs::{day_of, job_line};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::{china_clock, kg};
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::logistics::depot;
use crate::problem::Problem;
use crate::stations::map::Frame;

/// A run drawn on the map: its line through the stops and its colour.
struct RouteLine {
    points: String,
    colour: String,
    title: String,
}

struct StopRow {
    job_id: i64,
    label: String,
    line: String,
    times: String,
    load: String,
}

struct RunRow {
    id: i64,
    title: String,
    colour: String,
    figures: String,
    status: String,
    /// After the run is back: its takings against its sales.
    takings: Option<String>,
    stops: Vec<StopRow>,
}

struct UnfitRow {
    job_id: i64,
    label: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "fleet/day.html")]
struct DayPage {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    day: String,
    intro: String,
    /// What distances the plans are measured with (the road table, or straight lines).
    measured: String,
    /// The plan's figures, when there is one.
    summary: Option<String>,
    /// The jobs or vehicles changed since the plan was made.
    stale: bool,
    /// A run of the day has left: the plan stands.
    started: bool,
    depot_xy: Option<(String, String)>,
    lines: Vec<RouteLine>,
    runs: Vec<RunRow>,
    unfit: Vec<UnfitRow>,
    /// (job id, label) of every open job, and (vehicle id, code) of every working vehicle.
    movable: Vec<(i64, String)>,
    vehicles: Vec<(i64, String)>,
    error: Option<String>,
}

/// What the page shows of the latest plan.
#[derive(Default)]
struct Drawn {
    summary: Option<String>,
    stale: bool,
    started: bool,
    depot_xy: Option<(String, String)>,
    lines: Vec<RouteLine>,
    runs: Vec<RunRow>,
    unfit: Vec<UnfitRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayQuery {
    depot: Option<i64>,
    day: String,
}

/// A run's colour: hues spread around the wheel so neighbours differ.
fn colour(k: usize) -> String {
    let hue = (k * 137) % 360;
    format!("hsl({hue} 70% 38%)")
}

/// The runs on the map: each from the depot through its stops and back.
fn lines(
    depot: &Depot,
    plan: &SavedPlan,
    jobs: &[RouteJob],
    vehicles: &[FleetVehicle],
) -> (Option<(String, String)>, Vec<RouteLine>) {
    let (Some(lat), Some(lon)) = (depot.latitude, depot.longitude) else {
        return (None, Vec::new());
    };
    let place = |id: i64| {
        jobs.iter()
            .find(|j| j.id == id)
            .map(|j| (j.details.latitude, j.details.longitude))
    };
    let points = std::iter::once((lat, lon)).chain(
        plan.runs
            .iter()
            .flat_map(|r| r.stops.iter().filter_map(|s| place(s.job_id))),
    );
    let Some(frame) = Frame::around(points) else {
        return (None, Vec::new());
    };
    let xy = |(la, lo): (f64, f64)| {
        let (x, y) = frame.point(la, lo);
        format!("{x:.1},{y:.1}")
    };
    let lines = plan
        .runs
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let mut points = vec![xy((lat, lon))];
            points.extend(r.stops.iter().filter_map(|s| place(s.job_id)).map(xy));
            points.push(xy((lat, lon)));
            RouteLine {
                points: points.join(" "),
                colour: colour(k),
                title: code_of(vehicles, r.vehicle_id),
            }
        })
        .collect();
    let (x, y) = frame.point(lat, lon);
    (Some((format!("{x:.1}"), format!("{y:.1}"))), lines)
}

fn code_of(vehicles: &[FleetVehicle], id: i64) -> String {
    vehicles
        .iter()
        .find(|v| v.id == id)
        .map(|v| v.code.clone())
        .unwrap_or_default()
}

fn run_rows(t: &Tr, plan: &SavedPlan, jobs: &[RouteJob], vehicles: &[FleetVehicle]) -> Vec<RunRow> {
    let job = |id: i64| jobs.iter().find(|j| j.id == id);
    plan.runs
        .iter()
        .enumerate()
        .map(|(k, r)| RunRow {
            id: r.id,
            title: t.args2(
                "fleet-run-title",
                ("vehicle", code_of(vehicles, r.vehicle_id).into()),
                ("stops", (r.stops.len() as i64).into()),
            ),
            colour: colour(k),
            figures: t.args(
                "fleet-run-figures",
                [
                    ("leaves", china_clock(r.leaves_at).into()),
                    ("returns", china_clock(r.returns_at).into()),
                    ("km", format!("{:.1}", r.distance_m / 1000.0).into()),
                    ("kg", kg(r.load_grams).into()),
                ],
            ),
            status: t.get(&format!("fleet-run-status-{}", r.status.as_str())),
            takings: None,
            stops: r
                .stops
                .iter()
                .map(|s| StopRow {
                    job_id: s.job_id,
                    label: job(s.job_id)
                        .map(|j| j.details.label.clone())
                        .unwrap_or_default(),
                    line: job(s.job_id).map(|j| job_line(t, j)).unwrap_or_default(),
                    times: format!("{}–{}", china_clock(s.starts_at), china_clock(s.leaves_at)),
                    load: t.args2(
                        "fleet-load",
                        ("kg", kg(s.load_grams).into()),
                        ("crates", s.load_crates.into()),
                    ),
                })
                .collect(),
        })
        .collect()
}

/// `GET /centre/fleet/day?depot=&day=`: the day's plan (tomorrow's when no day is named).
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<DayQuery>,
) -> Result<Response, Problem> {
    if query.depot.is_none() && crate::logistics::depots(&state, &user).await?.is_empty() {
        return Ok(crate::logistics::no_depot(c));
    }
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let day = day_of(&query.day)?;
    show(&state, (c, csrf.0), &depot, day, None).await
}

async fn show(
    state: &AppState,
    (c, csrf): (Chrome, String),
    depot: &Depot,
    day: farmgate_domain::stations::till::LedgerDay,
    problem: Option<&Problem>,
) -> Result<Response, Problem> {
    let t = &c.t;
    let day_text = day.to_string();
    let jobs = state.store.route_jobs(depot.id, &day_text, None).await?;
    let vehicles = state.store.vehicles(depot.id, true).await?;
    let working: Vec<&FleetVehicle> = vehicles.iter().filter(|v| v.active).collect();
    let open: Vec<RouteJob> = jobs
        .iter()
        .filter(|j| j.status == JobStatus::Open)
        .cloned()
        .collect();
    let plan = state.store.latest_plan(depot.id, &day_text).await?;
    let working_owned: Vec<FleetVehicle> = working.iter().map(|v| (*v).clone()).collect();
    // The kept plan is stale when today's problem would not be the one it answered.
    let roads = state.store.roads(depot.id).await?;
    let digest = super::plan::problem_of(depot, (&working_owned, &open), &roads)
        .ok()
        .map(|p| p.digest());
    let mut drawn = Drawn::default();
    if let Some(plan) = plan {
        drawn.summary = Some(t.args(
            "fleet-plan-summary",
            [
                ("runs", (plan.runs.len() as i64).into()),
                ("km", format!("{:.1}", plan.distance_m / 1000.0).into()),
                ("left", (plan.unfit.len() as i64).into()),
                ("at", china_clock(plan.planned_at).into()),
                (
                    "seconds",
                    format!("{:.1}", f64::from(plan.took_ms) / 1000.0).into(),
                ),
            ],
        ));
        drawn.stale = digest.as_deref() != Some(plan.digest.as_str());
        drawn.started = plan
            .runs
            .iter()
            .any(|r| r.status != farmgate_domain::fleet::RunStatus::Planned);
        (drawn.depot_xy, drawn.lines) = lines(depot, &plan, &jobs, &vehicles);
        drawn.runs = run_rows(t, &plan, &jobs, &vehicles);
        for (row, run) in drawn.runs.iter_mut().zip(&plan.runs) {
            if run.status == farmgate_domain::fleet::RunStatus::Back {
                let sheet = state.store.run_sheet(depot.id, run.id).await?;
                row.takings = super::driver::takings_line(t, &sheet);
            }
        }
        drawn.unfit = plan
            .unfit
            .iter()
            .map(|(id, reason)| UnfitRow {
                job_id: *id,
                label: jobs
                    .iter()
                    .find(|j| j.id == *id)
                    .map(|j| j.details.label.clone())
                    .unwrap_or_default(),
                reason: t.get(&format!(
                    "fleet-unfit-{}",
                    reason.as_str().replace('_', "-")
                )),
            })
            .collect();
    }
    let page = DayPage {
        measured: super::roads::using(t, &roads),
        csrf,
        depot_id: depot.id,
        day: day_text.clone(),
        intro: t.args(
            "fleet-day-intro",
            [
                ("day", day_text.clone().into()),
                ("jobs", (open.len() as i64).into()),
                ("vehicles", (working.len() as i64).into()),
            ],
        ),
        summary: drawn.summary,
        stale: drawn.stale,
        started: drawn.started,
        depot_xy: drawn.depot_xy,
        lines: drawn.lines,
        runs: drawn.runs,
        unfit: drawn.unfit,
        movable: open
            .iter()
            .map(|j| (j.id, j.details.label.clone()))
            .collect(),
        vehicles: working.iter().map(|v| (v.id, v.code.clone())).collect(),
        error: problem.map(|p| p.message(t)),
        c,
    };
    let status = problem.map_or(StatusCode::OK, |p| p.status);
    Ok(render(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    depot: Option<i64>,
    day: String,
}

fn to_day(depot: &Depot, day: &str) -> Response {
    Redirect::to(&format!("/centre/fleet/day?depot={}&day={day}", depot.id)).into_response()
}

/// `POST /centre/fleet/day/plan`: plans the day (the same jobs and vehicles answer with the
/// plan already made).
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<PlanForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, form.depot).await?;
    let day = day_of(&form.day)?;
    match super::plan_day(
        &state.store,
        &depot,
        (day, farmgate_routing::Budget::default()),
        user.account.id,
    )
    .await
    {
        Ok(_) => Ok(to_day(&depot, &day.to_string())),
        Err(problem) if problem.status.is_client_error() => {
            show(&state, (c, csrf.0), &depot, day, Some(&problem)).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    depot: Option<i64>,
    day: String,
    job: i64,
    /// The vehicle to pin it to; empty takes its pin off.
    vehicle: String,
}

/// `POST /centre/fleet/day/move`: pins a job to a vehicle (or frees it) and plans the day
/// again around it.
pub async fn move_job(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<MoveForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, form.depot).await?;
    let day = day_of(&form.day)?;
    let vehicle = match form.vehicle.trim() {
        "" => None,
        typed => Some(typed.parse::<i64>().map_err(|_| {
            Problem::from(farmgate_domain::ValidationError::new(
                "vehicle",
                "fleet-pin-invalid",
            ))
        })?),
    };
    let moved = async {
        state
            .store
            .pin_route_job(depot.id, form.job, vehicle, chrono::Utc::now())
            .await?;
        super::plan_day(
            &state.store,
            &depot,
            (day, farmgate_routing::Budget::default()),
            user.account.id,
        )
        .await
    }
    .await;
    match moved {
        Ok(_) => Ok(to_day(&depot, &day.to_string())),
        Err(problem) if problem.status.is_client_error() => {
            show(&state, (c, csrf.0), &depot, day, Some(&problem)).await
        }
        Err(other) => Err(other),
    }
}
