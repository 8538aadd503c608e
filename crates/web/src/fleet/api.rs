//! The fleet in the JSON API: a depot's plan of a day, and planning it.

use axum::Json;
use axum::extract::{Query, State};
use farmgate_domain::stations::till::LedgerDay;
use farmgate_store::fleet::SavedPlan;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::{Lang, Tr};
use crate::logistics::depot;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, IntoParams)]
pub struct DayParams {
    /// A depot of the caller's county; the first when absent.
    pub depot: Option<i64>,
    /// `YYYY-MM-DD` in China's time; tomorrow when absent (mornings are planned the day before).
    pub day: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlannedStopView {
    pub seq: i32,
    pub job_id: i64,
    pub label: String,
    /// `pickup`, `delivery` or `sell`
    pub kind: String,
    pub arrives_at: String,
    pub starts_at: String,
    pub leaves_at: String,
    /// What the vehicle carries when it leaves the stop.
    pub load_grams: i64,
    pub load_crates: i32,
}

#[derive(Serialize, ToSchema)]
pub struct PlannedRunView {
    pub id: i64,
    pub vehicle_id: i64,
    pub vehicle_code: String,
    /// `planned`, `out` or `back`
    pub status: String,
    pub leaves_at: String,
    pub returns_at: String,
    pub distance_m: f64,
    /// What it loads at the depot.
    pub load_grams: i64,
    pub load_crates: i32,
    pub stops: Vec<PlannedStopView>,
}

#[derive(Serialize, ToSchema)]
pub struct UnfitView {
    pub job_id: i64,
    pub label: String,
    /// `capacity`, `time_window`, `range`, `pin` or `fleet`
    pub reason: String,
    /// Why, in the reader's language.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlanView {
    pub id: i64,
    pub depot_id: i64,
    #[schema(example = "2026-12-02")]
    pub day: String,
    pub planned_at: String,
    /// How long the solver searched.
    pub took_ms: i32,
    pub distance_m: f64,
    pub runs: Vec<PlannedRunView>,
    /// Jobs the plan leaves out, each with its reason.
    pub unfit: Vec<UnfitView>,
}

fn day_of(text: Option<&str>) -> Result<LedgerDay, Problem> {
    match text {
        None | Some("") => Ok(LedgerDay::of(chrono::Utc::now()).next()),
        Some(text) => Ok(LedgerDay::parse(text)?),
    }
}

async fn view(state: &AppState, t: &Tr, plan: SavedPlan) -> Result<PlanView, Problem> {
    let vehicles = state.store.vehicles(plan.depot_id, true).await?;
    let jobs = state
        .store
        .route_jobs(plan.depot_id, &plan.day, None)
        .await?;
    let job = |id: i64| jobs.iter().find(|j| j.id == id);
    let label = |id: i64| job(id).map(|j| j.details.label.clone()).unwrap_or_default();
    Ok(PlanView {
        id: plan.id,
        depot_id: plan.depot_id,
        day: plan.day.clone(),
        planned_at: plan.planned_at.to_rfc3339(),
        took_ms: plan.took_ms,
        distance_m: plan.distance_m,
        runs: plan
            .runs
            .iter()
            .map(|r| PlannedRunView {
                id: r.id,
                vehicle_id: r.vehicle_id,
                vehicle_code: vehicles
                    .iter()
                    .find(|v| v.id == r.vehicle_id)
                    .map(|v| v.code.clone())
                    .unwrap_or_default(),
                status: r.status.as_str().to_owned(),
                leaves_at: r.leaves_at.to_rfc3339(),
                returns_at: r.returns_at.to_rfc3339(),
                distance_m: r.distance_m,
                load_grams: r.load_grams,
                load_crates: r.load_crates,
                stops: r
                    .stops
                    .iter()
                    .map(|s| PlannedStopView {
                        seq: s.seq,
                        job_id: s.job_id,
                        label: label(s.job_id),
                        kind: job(s.job_id)
                            .map(|j| j.details.kind.as_str().to_owned())
                            .unwrap_or_default(),
                        arrives_at: s.arrives_at.to_rfc3339(),
                        starts_at: s.starts_at.to_rfc3339(),
                        leaves_at: s.leaves_at.to_rfc3339(),
                        load_grams: s.load_grams,
                        load_crates: s.load_crates,
                    })
                    .collect(),
            })
            .collect(),
        unfit: plan
            .unfit
            .iter()
            .map(|(job_id, reason)| UnfitView {
                job_id: *job_id,
                label: label(*job_id),
                reason: reason.as_str().to_owned(),
                message: t.get(&format!(
                    "fleet-unfit-{}",
                    reason.as_str().replace('_', "-")
                )),
            })
            .collect(),
    })
}

/// A depot's plan of a day: the latest made.
#[utoipa::path(get, operation_id = "getDayPlan", path = "/api/v1/fleet/plans", tag = "fleet", security(("bearer" = [])),
    params(DayParams),
    responses((status = 200, body = PlanView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, description = "No plan of that day yet, or not a depot of the caller's county", body = ApiError), (status = 422, body = ApiError)))]
pub async fn latest(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Query(params): Query<DayParams>,
) -> Result<Json<PlanView>, Problem> {
    let (depot, _) = depot(&state, &user, params.depot).await?;
    let day = day_of(params.day.as_deref())?;
    let plan = state
        .store
        .latest_plan(depot.id, &day.to_string())
        .await?
        .ok_or(Problem::not_found())?;
    Ok(Json(view(&state, &Tr(language), plan).await?))
}

/// Plans a depot's day: every open job of the day on the working vehicles, fewest vehicles
/// first, then the shortest riding, within each vehicle's box, range and shift and each job's
/// window and pin. The same jobs and vehicles planned again answer with the same plan.
#[utoipa::path(post, operation_id = "planDay", path = "/api/v1/fleet/plans", tag = "fleet", security(("bearer" = [])),
    params(DayParams),
    responses((status = 200, body = PlanView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, description = "A run of the day has left", body = ApiError), (status = 422, description = "No vehicles at work, or no open jobs that day", body = ApiError)))]
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Query(params): Query<DayParams>,
) -> Result<Json<PlanView>, Problem> {
    let (depot, _) = depot(&state, &user, params.depot).await?;
    let day = day_of(params.day.as_deref())?;
    let plan = super::plan_day(
        &state.store,
        &depot,
        (day, farmgate_routing::Budget::default()),
        user.account.id,
    )
    .await?;
    Ok(Json(view(&state, &Tr(language), plan).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SaleInput {
    /// Made by the phone when the sale was rung up; sending it again keeps it once.
    #[schema(example = "5f0c2a9e7d6b4e1f8a3c2b1d0e9f8a7b")]
    pub client_id: String,
    pub variant_id: i64,
    pub quantity: i64,
    /// When it was sold (RFC 3339); now when absent.
    pub sold_at: Option<String>,
    pub stop_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct SalesInput {
    pub sales: Vec<SaleInput>,
}

#[derive(Serialize, ToSchema)]
pub struct SaleResult {
    pub client_id: String,
    /// `recorded`, `already_recorded` or `refused`
    pub outcome: String,
    /// Why it was refused, in the reader's language.
    pub message: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SalesResult {
    pub results: Vec<SaleResult>,
}

/// The most sales one call may carry (a morning's queue is far fewer).
const MAX_SALES: usize = 500;

/// Sales rung up on a selling run, as the rider's phone sends them (at once, or queued while
/// the community had no signal): each is kept once under its client id, never more of a line
/// than the run loaded, and only while the run is out.
#[utoipa::path(post, operation_id = "recordRunSales", path = "/api/v1/fleet/runs/{id}/sales", tag = "fleet", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The run")),
    request_body = SalesInput,
    responses((status = 200, body = SalesResult), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, description = "Not a run the caller rides", body = ApiError), (status = 422, body = ApiError)))]
pub async fn record_sales(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Json(input): Json<SalesInput>,
) -> Result<Json<SalesResult>, Problem> {
    let (depot, _, _) = super::driver::ride(&state, &user, id).await?;
    if input.sales.len() > MAX_SALES {
        return Err(farmgate_domain::ValidationError::new("sales", "fleet-sale-invalid").into());
    }
    let now = chrono::Utc::now();
    let sales: Vec<farmgate_store::fleet::NewSale> = input
        .sales
        .into_iter()
        .map(|s| farmgate_store::fleet::NewSale {
            sold_at: s
                .sold_at
                .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok())
                .map_or(now, |at| at.with_timezone(&chrono::Utc)),
            client_id: s.client_id,
            variant_id: s.variant_id,
            quantity: s.quantity,
            stop_id: s.stop_id,
        })
        .collect();
    let t = Tr(language);
    let outcomes = state
        .store
        .record_run_sales(depot, id, user.account.id, &sales, now)
        .await?;
    use farmgate_store::fleet::SaleOutcome;
    Ok(Json(SalesResult {
        results: outcomes
            .into_iter()
            .map(|(client_id, outcome)| {
                let (outcome, message) = match outcome {
                    SaleOutcome::Recorded => ("recorded", None),
                    SaleOutcome::AlreadyRecorded => ("already_recorded", None),
                    SaleOutcome::Refused(code) => {
                        ("refused", Some(t.get(&format!("error-{code}"))))
                    }
                };
                SaleResult {
                    client_id,
                    outcome: outcome.to_owned(),
                    message,
                }
            })
            .collect(),
    }))
}
