//! Runs in the JSON API: the dispatcher plans and lists a day's runs and sends one off; the
//! driver delivers a stop with the station's code. Another county's run is a 404, as on the
//! pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use farmgate_domain::ValidationError;
use farmgate_domain::logistics::expected_times;
use farmgate_domain::stations::till::LedgerDay;
use farmgate_domain::text::parse_text;
use farmgate_store::logistics::{Delivery, DeliveryProof, NewRun, Run, Stop};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::depot;
use super::runs::{couriers, in_order};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::{ApiError, ApiJson, Problem};

#[derive(Serialize, ToSchema)]
pub struct StopView {
    pub id: i64,
    pub seq: i32,
    pub station_id: i64,
    pub expected_at: String,
    /// Parcels loaded (0 until the run leaves).
    pub parcels: i32,
    pub delivered_at: Option<String>,
    /// `code` or `photo`
    pub proof: Option<String>,
    pub returns: i32,
    pub produce: i32,
}

#[derive(Serialize, ToSchema)]
pub struct RunView {
    pub id: i64,
    pub depot_id: i64,
    #[schema(example = "2026-12-01")]
    pub day: String,
    pub vehicle: String,
    pub driver_id: i64,
    /// `planned`, `left` or `done`
    pub status: String,
    pub depart_at: String,
    pub stops: Vec<StopView>,
}

fn view(run: Run, stops: Vec<Stop>) -> RunView {
    RunView {
        id: run.id,
        depot_id: run.depot_id,
        day: run.day,
        vehicle: run.vehicle,
        driver_id: run.driver_id,
        status: run.status.as_str().to_owned(),
        depart_at: run.depart_at.to_rfc3339(),
        stops: stops
            .into_iter()
            .map(|s| StopView {
                id: s.id,
                seq: s.seq,
                station_id: s.station_id,
                expected_at: s.expected_at.to_rfc3339(),
                parcels: s.parcels,
                delivered_at: s.delivered_at.map(|t| t.to_rfc3339()),
                proof: s.proof.map(|p| p.as_str().to_owned()),
                returns: s.returns,
                produce: s.produce,
            })
            .collect(),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct RunsParams {
    /// A depot of the caller's county; the first when absent.
    pub depot: Option<i64>,
    /// `YYYY-MM-DD` in China's time; today when absent.
    pub day: Option<String>,
}

/// A depot's runs of a day.
#[utoipa::path(get, operation_id = "listRuns", path = "/api/v1/logistics/runs", tag = "logistics", security(("bearer" = [])),
    params(RunsParams),
    responses((status = 200, body = [RunView]), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<RunsParams>,
) -> Result<Json<Vec<RunView>>, Problem> {
    let (depot, _) = depot(&state, &user, params.depot).await?;
    let day = match params.day.as_deref() {
        None | Some("") => LedgerDay::of(chrono::Utc::now()),
        Some(text) => LedgerDay::parse(text)?,
    };
    let mut views = Vec::new();
    for run in state.store.runs_of_day(depot.id, day).await? {
        let (run, stops) = state.store.run(run.id).await?;
        views.push(view(run, stops));
    }
    Ok(Json(views))
}

#[derive(Deserialize, ToSchema)]
pub struct PlanBody {
    pub depot_id: Option<i64>,
    #[schema(example = "晋E·A1234 电动货车")]
    pub vehicle: String,
    /// A courier of the depot's county.
    pub driver_id: i64,
    /// When it leaves, RFC 3339.
    pub depart_at: String,
    /// The stations to go to; they are put in order nearest first.
    pub stations: Vec<i64>,
}

/// Plans a run: its stops in order from the depot, each with when it is expected.
#[utoipa::path(post, operation_id = "planRun", path = "/api/v1/logistics/runs", tag = "logistics", security(("bearer" = [])),
    request_body = PlanBody,
    responses((status = 201, body = RunView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, description = "A station outside the county", body = ApiError), (status = 422, body = ApiError)))]
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PlanBody>,
) -> Result<(axum::http::StatusCode, Json<RunView>), Problem> {
    let (depot, _) = depot(&state, &user, body.depot_id).await?;
    let vehicle = parse_text("vehicle", &body.vehicle, true, 64)?;
    let county = state.store.region_by_id(depot.county_id).await?;
    if !couriers(&state, &county)
        .await?
        .iter()
        .any(|(id, _)| *id == body.driver_id)
    {
        return Err(ValidationError::new("driver_id", "run-driver-invalid").into());
    }
    let depart = chrono::DateTime::parse_from_rfc3339(&body.depart_at)
        .map_err(|_| ValidationError::new("depart_at", "run-depart-invalid"))?
        .with_timezone(&chrono::Utc);
    let stations: Vec<_> = state
        .store
        .stations_within(&county.path)
        .await?
        .into_iter()
        .filter(|s| body.stations.contains(&s.id))
        .collect();
    if stations.len() != body.stations.len() {
        return Err(Problem::not_found());
    }
    let regions = state.store.all_regions().await?;
    let ordered = in_order(&depot, &regions, stations);
    let legs: Vec<f64> = ordered.iter().map(|(_, km)| *km).collect();
    let times = expected_times(depart, &legs);
    let new = NewRun {
        day: LedgerDay::of(depart),
        vehicle,
        driver_id: body.driver_id,
        depart_at: depart,
        stops: ordered
            .iter()
            .zip(times)
            .map(|((s, _), at)| (s.id, at))
            .collect(),
    };
    let run = state.store.plan_run(&depot, &new, user.account.id).await?;
    let (run, stops) = state.store.run(run.id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(view(run, stops))))
}

/// Sends a planned run off: every parcel sorted to its stations goes on it, and each station
/// expects them.
#[utoipa::path(post, operation_id = "startRun", path = "/api/v1/logistics/runs/{id}/start", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Run id")),
    responses((status = 200, body = RunView), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 409, description = "It has left already", body = ApiError)))]
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<RunView>, Problem> {
    let (run, _) = state.store.run(id).await?;
    if run.driver_id != user.account.id {
        depot(&state, &user, Some(run.depot_id)).await?;
    }
    state
        .store
        .start_run(id, user.account.id, chrono::Utc::now())
        .await?;
    let (run, stops) = state.store.run(id).await?;
    Ok(Json(view(run, stops)))
}

#[derive(Deserialize, ToSchema)]
pub struct DeliverBody {
    /// The code the station's desk shows.
    #[schema(example = "4821")]
    pub code: String,
    #[serde(default)]
    pub returns: i32,
    #[serde(default)]
    pub produce: i32,
}

/// The driver delivered a stop: the station's code is the proof (a photo goes through the
/// driver's page).
#[utoipa::path(post, operation_id = "deliverStop", path = "/api/v1/logistics/runs/{id}/stops/{stop}/deliver", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Run id"), ("stop" = i64, Path, description = "Stop id")),
    request_body = DeliverBody,
    responses((status = 200, body = StopView), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, description = "Wrong code", body = ApiError)))]
pub async fn deliver(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, stop)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<DeliverBody>,
) -> Result<Json<StopView>, Problem> {
    let (run, _) = state.store.run(id).await?;
    if run.driver_id != user.account.id {
        return Err(Problem::not_found());
    }
    for (field, n) in [("returns", body.returns), ("produce", body.produce)] {
        if !(0..=10_000).contains(&n) {
            return Err(ValidationError::new(field, "run-count-invalid").into());
        }
    }
    let delivery = Delivery {
        proof: DeliveryProof::Code(body.code),
        returns: body.returns,
        produce: body.produce,
    };
    state
        .store
        .deliver_stop(id, stop, &delivery, chrono::Utc::now())
        .await?;
    let (run, stops) = state.store.run(id).await?;
    let stop = stops
        .into_iter()
        .find(|s| s.id == stop)
        .ok_or(Problem::not_found())?;
    Ok(Json(view(run, vec![stop]).stops.remove(0)))
}
