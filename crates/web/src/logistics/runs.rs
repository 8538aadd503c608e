//! Planning the day's runs at the depot: a vehicle, a driver (a courier of the county), when it
//! leaves, and the stations it goes to. The stops are put in order nearest first from the depot,
//! then nearest from each stop (the tricycles' collection routes get a real solver; a run's
//! handful of stations does not need one), each expected after its leg at a van's speed. A run
//! can be cancelled until it leaves; leaving loads every parcel sorted to its stations.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveTime, TimeZone};
use farmgate_domain::ValidationError;
use farmgate_domain::authz::Role;
use farmgate_domain::logistics::{RunStatus, expected_times};
use farmgate_domain::stations::till::LedgerDay;
use farmgate_domain::text::parse_text;
use farmgate_store::logistics::{Depot, NewRun, Run, Stop};
use farmgate_store::regions::Region;
use farmgate_store::stations::Station;
use serde::Deserialize;

use super::{DepotParam, depot};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::station_point;
use crate::html::{Chrome, FormErrors, RepeatedForm, render};
use crate::i18n::Tr;
use crate::problem::Problem;
use farmgate_domain::regions::km_between;

/// The couriers of `county`: (account id, name).
pub(crate) async fn couriers(
    state: &AppState,
    county: &Region,
) -> Result<Vec<(i64, String)>, Problem> {
    let mut found: Vec<(i64, String)> = Vec::new();
    for (grant, account) in state.store.grants_within(&county.path, 500).await? {
        if grant.role == Role::Courier && !found.iter().any(|(id, _)| *id == account.id) {
            found.push((account.id, account.display_name.clone()));
        }
    }
    Ok(found)
}

/// `stations` in the order a van from `depot` would reach them, nearest first, with each leg's
/// kilometres (a station not on the map goes last, its leg counted as none).
pub(super) fn in_order(
    depot: &Depot,
    regions: &[Region],
    stations: Vec<Station>,
) -> Vec<(Station, f64)> {
    let start = depot.latitude.zip(depot.longitude).or_else(|| {
        regions
            .iter()
            .find(|r| r.id == depot.region_id)
            .and_then(|r| r.latitude.zip(r.longitude))
    });
    let mut left = stations;
    let mut ordered = Vec::with_capacity(left.len());
    let mut at = start;
    while !left.is_empty() {
        let nearest = left
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let km = match (at, station_point(regions, s)) {
                    (Some(a), Some(b)) => km_between(a, b),
                    _ => f64::MAX,
                };
                (i, km)
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0, |(i, _)| i);
        let station = left.remove(nearest);
        let point = station_point(regions, &station);
        let km = match (at, point) {
            (Some(a), Some(b)) => km_between(a, b),
            _ => 0.0,
        };
        at = point.or(at);
        ordered.push((station, km));
    }
    ordered
}

struct RunRow {
    id: i64,
    title: String,
    status: String,
    stops: String,
}

struct StationChoice {
    id: i64,
    name: String,
    waiting: i64,
}

#[derive(Template)]
#[template(path = "logistics/runs.html")]
struct RunsPage {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    intro: String,
    runs: Vec<RunRow>,
    errors: FormErrors,
    vehicle: String,
    depart: String,
    drivers: Vec<(i64, String, bool)>,
    stations: Vec<StationChoice>,
}

pub(super) fn run_title(t: &Tr, run: &Run, driver: &str) -> String {
    t.args2(
        "run-title",
        ("run", run.id.into()),
        ("driver", crate::format::isolate(driver).into()),
    ) + &format!(
        " · {} · {}",
        run.vehicle,
        crate::format::china_time(run.depart_at)
    )
}

pub(super) fn status_label(t: &Tr, status: RunStatus) -> String {
    t.get(&format!("run-status-{}", status.as_str()))
}

async fn driver_name(state: &AppState, id: i64) -> Result<String, Problem> {
    Ok(state
        .store
        .account_by_id(id)
        .await?
        .map(|a| a.display_name)
        .unwrap_or_default())
}

async fn runs_page(
    state: &AppState,
    c: Chrome,
    csrf: String,
    depot: &Depot,
    sent: &PlanForm,
    errors: FormErrors,
) -> Result<Response, Problem> {
    let t = &c.t;
    let today = LedgerDay::of(chrono::Utc::now());
    let county = state.store.region_by_id(depot.county_id).await?;
    let mut runs = Vec::new();
    for run in state.store.runs_of_day(depot.id, today).await? {
        let (_, stops) = state.store.run(run.id).await?;
        let driver = driver_name(state, run.driver_id).await?;
        runs.push(RunRow {
            id: run.id,
            title: run_title(t, &run, &driver),
            status: status_label(t, run.status),
            stops: t.arg("run-stop-count", "count", stops.len() as i64),
        });
    }
    let stations = state.store.stations_within(&county.path).await?;
    let ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
    let waiting = state.store.waiting_for(depot.id, &ids).await?;
    let mut choices: Vec<StationChoice> = stations
        .iter()
        .map(|s| StationChoice {
            id: s.id,
            name: s.name(t.lang()).to_owned(),
            waiting: waiting
                .iter()
                .find(|(id, _)| *id == s.id)
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    choices.sort_by_key(|s| std::cmp::Reverse(s.waiting));
    let drivers = couriers(state, &county)
        .await?
        .into_iter()
        .map(|(id, name)| {
            let chosen = sent.driver == id.to_string();
            (id, name, chosen)
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RunsPage {
        csrf,
        depot_id: depot.id,
        intro: t.arg("runs-intro", "depot", depot.name(t.lang()).to_owned()),
        runs,
        errors,
        vehicle: sent.vehicle.clone(),
        depart: sent.depart.clone(),
        drivers,
        stations: choices,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /centre/logistics/runs?depot=`: today's runs and the form to plan one.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(param): Query<DepotParam>,
) -> Result<Response, Problem> {
    if param.depot.is_none() && super::depots(&state, &user).await?.is_empty() {
        return Ok(super::board::no_depot(c));
    }
    let (depot, _) = depot(&state, &user, param.depot).await?;
    let sent = PlanForm {
        depart: "09:00".into(),
        ..PlanForm::default()
    };
    runs_page(&state, c, csrf.0, &depot, &sent, FormErrors::none()).await
}

/// The plan as sent: the stations ticked repeat.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    depot: Option<i64>,
    vehicle: String,
    driver: String,
    /// `HH:MM` today, China's time.
    depart: String,
    station: Vec<i64>,
}

/// The plan's run, or every rule broken.
async fn parse_plan(
    state: &AppState,
    depot: &Depot,
    form: &PlanForm,
) -> Result<NewRun, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let vehicle = parse_text("vehicle", &form.vehicle, true, 64).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let county = state.store.region_by_id(depot.county_id).await.ok();
    let drivers = match &county {
        Some(county) => couriers(state, county).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let driver = drivers
        .iter()
        .find(|(id, _)| form.driver.trim() == id.to_string())
        .map(|(id, _)| *id);
    if driver.is_none() {
        errors.push(ValidationError::new("driver", "run-driver-invalid"));
    }
    let today = LedgerDay::of(chrono::Utc::now());
    let depart = NaiveTime::parse_from_str(form.depart.trim(), "%H:%M")
        .ok()
        .and_then(|time| {
            chrono::FixedOffset::east_opt(8 * 3600)?
                .from_local_datetime(&today.date().and_time(time))
                .single()
        })
        .map(|at| at.with_timezone(&chrono::Utc));
    if depart.is_none() {
        errors.push(ValidationError::new("depart", "run-depart-invalid"));
    }
    if form.station.is_empty() {
        errors.push(ValidationError::new("stations", "run-no-stops"));
    }
    let stations: Vec<Station> = match &county {
        Some(county) => state
            .store
            .stations_within(&county.path)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|s| form.station.contains(&s.id))
            .collect(),
        None => Vec::new(),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let regions = state.store.all_regions().await.unwrap_or_default();
    let ordered = in_order(depot, &regions, stations);
    let legs: Vec<f64> = ordered.iter().map(|(_, km)| *km).collect();
    let depart = depart.unwrap_or_default();
    let times = expected_times(depart, &legs);
    Ok(NewRun {
        day: today,
        vehicle,
        driver_id: driver.unwrap_or_default(),
        depart_at: depart,
        stops: ordered
            .iter()
            .zip(times)
            .map(|((s, _), at)| (s.id, at))
            .collect(),
    })
}

/// `POST /centre/logistics/runs`: plans a run.
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    RepeatedForm(form): RepeatedForm<PlanForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, form.depot).await?;
    let new = match parse_plan(&state, &depot, &form).await {
        Ok(new) => new,
        Err(errors) => {
            let errors = FormErrors::of(&c.t, &errors);
            return runs_page(&state, c, csrf.0, &depot, &form, errors).await;
        }
    };
    let run = state.store.plan_run(&depot, &new, user.account.id).await?;
    Ok(Redirect::to(&format!("/centre/logistics/runs/{}", run.id)).into_response())
}

pub(super) struct StopRow {
    pub id: i64,
    pub seq: i32,
    pub station: String,
    pub address: String,
    pub expected: String,
    pub parcels: String,
    /// Sellers' parcels waiting at the station for this run to collect.
    pub collect: Option<String>,
    pub delivered: Option<String>,
}

/// The stops of a run as people read them (the parcels waiting, before it leaves).
pub(super) async fn stop_rows(
    state: &AppState,
    t: &Tr,
    run: &Run,
    stops: &[Stop],
) -> Result<Vec<StopRow>, Problem> {
    let ids: Vec<i64> = stops.iter().map(|s| s.station_id).collect();
    let waiting = if run.status == RunStatus::Planned {
        state.store.waiting_for(run.depot_id, &ids).await?
    } else {
        Vec::new()
    };
    let dropped = state.store.dropped_at(&ids).await?;
    let mut rows = Vec::with_capacity(stops.len());
    for stop in stops {
        let station = state.store.station(stop.station_id).await?;
        let collect = dropped
            .iter()
            .find(|(id, n)| *id == stop.station_id && *n > 0 && stop.delivered_at.is_none())
            .map(|(_, n)| t.arg("run-collect", "count", *n));
        let parcels = match run.status {
            RunStatus::Planned => waiting
                .iter()
                .find(|(id, _)| *id == stop.station_id)
                .map_or(0, |(_, n)| *n),
            _ => i64::from(stop.parcels),
        };
        let delivered = stop.delivered_at.map(|at| {
            let proof = t.get(&format!(
                "run-proof-{}",
                stop.proof.map_or("code", |p| p.as_str())
            ));
            t.args2(
                "run-delivered",
                ("when", crate::format::china_time(at).into()),
                ("proof", proof.into()),
            ) + &t.args2(
                "run-came-back",
                ("returns", i64::from(stop.returns).into()),
                ("produce", i64::from(stop.produce).into()),
            )
        });
        rows.push(StopRow {
            id: stop.id,
            seq: stop.seq,
            station: station.name(t.lang()).to_owned(),
            address: station.address.shown(t.lang()).text.to_owned(),
            expected: crate::format::china_time(stop.expected_at),
            parcels: t.arg("run-parcels", "count", parcels),
            collect,
            delivered,
        });
    }
    Ok(rows)
}

#[derive(Template)]
#[template(path = "logistics/run.html")]
struct RunPage {
    c: Chrome,
    csrf: String,
    id: i64,
    title: String,
    status: String,
    planned: bool,
    depot_id: i64,
    stops: Vec<StopRow>,
}

/// `GET /centre/logistics/runs/{id}`: a run, stop by stop.
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (run, stops) = state.store.run(id).await?;
    depot(&state, &user, Some(run.depot_id)).await?;
    let t = &c.t;
    let driver = driver_name(&state, run.driver_id).await?;
    let page = RunPage {
        csrf: csrf.0,
        id: run.id,
        title: run_title(t, &run, &driver),
        status: status_label(t, run.status),
        planned: run.status == RunStatus::Planned,
        depot_id: run.depot_id,
        stops: stop_rows(&state, t, &run, &stops).await?,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /centre/logistics/runs/{id}/start`: the run leaves with its parcels.
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (run, _) = state.store.run(id).await?;
    depot(&state, &user, Some(run.depot_id)).await?;
    state
        .store
        .start_run(id, user.account.id, chrono::Utc::now())
        .await?;
    Ok(Redirect::to(&format!("/centre/logistics/runs/{id}")).into_response())
}

/// `POST /centre/logistics/runs/{id}/cancel`: a run that has not left is taken off the plan.
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (run, _) = state.store.run(id).await?;
    depot(&state, &user, Some(run.depot_id)).await?;
    state.store.cancel_run(id).await?;
    Ok(Redirect::to(&format!("/centre/logistics/runs?depot={}", run.depot_id)).into_response())
}
