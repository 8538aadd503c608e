//! The distribution centre in the JSON API: scanning in (a batch at a time, each scan done once
//! under its client id), the day's consolidation, sorting a parcel to a station, a carrier's
//! manifest, and tracking by number (public, no personal data).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::logistics::TrackingNumber;
use farmgate_domain::text::parse_text;
use farmgate_domain::{ValidationError, regions::RegionCode};
use farmgate_store::logistics::{Advice, Tracking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::scan::{BATCH_MAX, ScanLine, scan_at};
use super::{DepotParam, depot};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::problem::{ApiError, ApiJson, Problem};

#[derive(Deserialize, ToSchema)]
pub struct ScanItem {
    /// Made by the scanning phone (a UUID, say): a scan sent again is done once.
    #[schema(example = "0192f0c4-6a1e-7c3e-9d7b-2f1a4c5e6d70")]
    pub client_id: String,
    #[schema(example = "SF1234567890123")]
    pub number: String,
    /// When it was read, RFC 3339; now when absent (never later than now).
    pub scanned_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ScanBody {
    /// Up to 200 scans, done in order.
    pub scans: Vec<ScanItem>,
}

#[derive(Serialize, ToSchema)]
pub struct ScanResults {
    pub results: Vec<ScanLine>,
}

/// Scans parcels in at a depot of the caller's county. Each scan answers for itself: taken in
/// (with its station, or to find one), already in, or refused (a number of no carrier working
/// here).
#[utoipa::path(post, operation_id = "scanParcels", path = "/api/v1/logistics/scans", tag = "logistics", security(("bearer" = [])),
    params(DepotParam),
    request_body = ScanBody,
    responses(
        (status = 200, body = ScanResults),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, description = "More than 200 scans, or a scan without its id", body = ApiError),
    ))]
pub async fn scan(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Query(param): Query<DepotParam>,
    ApiJson(body): ApiJson<ScanBody>,
) -> Result<Json<ScanResults>, Problem> {
    let t = crate::i18n::Tr(language);
    let (depot, _) = depot(&state, &user, param.depot).await?;
    if body.scans.len() > BATCH_MAX {
        return Err(ValidationError::new("scans", "logistics-batch-too-large").into());
    }
    let now = chrono::Utc::now();
    let mut typed = Vec::with_capacity(body.scans.len());
    for item in body.scans {
        let id = item.client_id.trim();
        if id.is_empty() || id.len() > 40 {
            return Err(ValidationError::new("client_id", "bad-request").into());
        }
        let at = match item.scanned_at.as_deref() {
            None | Some("") => now,
            Some(text) => chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|_| ValidationError::new("scanned_at", "bad-request"))?
                .with_timezone(&chrono::Utc),
        };
        typed.push((id.to_owned(), item.number, at));
    }
    let results = scan_at(&state, &t, &user, &depot, typed).await?;
    Ok(Json(ScanResults { results }))
}

#[derive(Serialize, ToSchema)]
pub struct StationLoadView {
    pub station_id: i64,
    pub station: String,
    pub parcels: i64,
    /// Parcels per carrier code.
    pub by_carrier: Vec<CarrierCount>,
    pub oldest: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CarrierCount {
    pub carrier: String,
    pub parcels: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ConsolidationView {
    pub depot_id: i64,
    /// The day in China's time.
    #[schema(example = "2026-12-01")]
    pub day: String,
    pub scanned_today: i64,
    /// Advised by the carriers and not scanned in yet.
    pub advised: i64,
    /// Scanned in with no station found.
    pub unsorted: i64,
    pub stations: Vec<StationLoadView>,
}

/// What waits at a depot for each station (sorted, not yet on a run), and the day's counts.
#[utoipa::path(get, operation_id = "getConsolidation", path = "/api/v1/logistics/consolidation", tag = "logistics", security(("bearer" = [])),
    params(DepotParam),
    responses((status = 200, body = ConsolidationView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn consolidation(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Query(param): Query<DepotParam>,
) -> Result<Json<ConsolidationView>, Problem> {
    let t = crate::i18n::Tr(language);
    let (depot, _) = depot(&state, &user, param.depot).await?;
    let found = state
        .store
        .consolidation(depot.id, chrono::Utc::now())
        .await?;
    let carriers = state.store.carriers().await?;
    let mut stations = Vec::with_capacity(found.stations.len());
    for load in found.stations {
        let station = state.store.station(load.station_id).await?;
        stations.push(StationLoadView {
            station_id: load.station_id,
            station: station.name(t.lang()).to_owned(),
            parcels: load.parcels,
            by_carrier: load
                .by_carrier
                .iter()
                .map(|(id, n)| CarrierCount {
                    carrier: carriers
                        .iter()
                        .find(|c| c.id == *id)
                        .map(|c| c.code.clone())
                        .unwrap_or_default(),
                    parcels: *n,
                })
                .collect(),
            oldest: load.oldest.map(|t| t.to_rfc3339()),
        });
    }
    Ok(Json(ConsolidationView {
        depot_id: depot.id,
        day: found.day.to_string(),
        scanned_today: found.scanned_today,
        advised: found.advised,
        unsorted: found.unsorted,
        stations,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SortBody {
    pub station_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SortedView {
    pub parcel_id: i64,
    pub tracking_number: String,
    pub station_id: i64,
    /// `sorted`
    pub stage: String,
}

/// Puts a scanned parcel with a station's parcels (from the "find the station" list, or moved
/// to another before its run leaves).
#[utoipa::path(post, operation_id = "sortParcel", path = "/api/v1/logistics/parcels/{id}/sort", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Parcel id")),
    request_body = SortBody,
    responses(
        (status = 200, body = SortedView),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, description = "No such parcel or station in the caller's county", body = ApiError),
        (status = 409, description = "Already on a run, or further", body = ApiError),
    ))]
pub async fn sort(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SortBody>,
) -> Result<Json<SortedView>, Problem> {
    let parcel = state.store.logistics_parcel(id).await?;
    let (depot, _) = depot(&state, &user, Some(parcel.depot_id)).await?;
    let sorted = state
        .store
        .sort_parcel(
            &depot,
            id,
            body.station_id,
            user.account.id,
            chrono::Utc::now(),
        )
        .await?;
    Ok(Json(SortedView {
        parcel_id: sorted.id,
        tracking_number: sorted.tracking_number,
        station_id: body.station_id,
        stage: sorted.stage.as_str().to_owned(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AdviceItem {
    #[schema(example = "YT1234567890123")]
    pub number: String,
    /// The receiver's village (or township) code in the region tree, when known.
    #[schema(example = "zezhou-baofu")]
    pub village: Option<String>,
    pub receiver_name: Option<String>,
    pub receiver_phone: Option<String>,
    pub address: Option<String>,
    pub weight_grams: Option<i32>,
}

#[derive(Deserialize, ToSchema)]
pub struct ManifestBody {
    /// The carrier's code (`sf`, `zto`, ...).
    #[schema(example = "yto")]
    pub carrier: String,
    /// Up to 5,000 parcels on their way.
    pub parcels: Vec<AdviceItem>,
}

#[derive(Serialize, ToSchema)]
pub struct ManifestResult {
    /// Parcels not known before; numbers already known change nothing.
    pub added: u64,
}

/// The most lines one manifest may carry.
const MANIFEST_MAX: usize = 5_000;

/// A carrier's manifest: the parcels on their way to a depot and the village each goes to, so
/// that scanning them in finds their station.
#[utoipa::path(post, operation_id = "adviseParcels", path = "/api/v1/logistics/manifests", tag = "logistics", security(("bearer" = [])),
    params(DepotParam),
    request_body = ManifestBody,
    responses(
        (status = 200, body = ManifestResult),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, description = "No such carrier working at the depot", body = ApiError),
        (status = 422, description = "A line's number, village, phone or weight is wrong (the whole manifest is refused)", body = ApiError),
    ))]
pub async fn advise(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(param): Query<DepotParam>,
    ApiJson(body): ApiJson<ManifestBody>,
) -> Result<Json<ManifestResult>, Problem> {
    if body.parcels.len() > MANIFEST_MAX {
        return Err(ValidationError::new("parcels", "logistics-batch-too-large").into());
    }
    // The carrier's own system, or the centre typing a carrier's list in.
    let acting = state.store.carriers_of(user.account.id).await?;
    let (depot, carrier) = match acting.into_iter().find(|c| c.code == body.carrier.trim()) {
        Some(carrier) => {
            let depot = state
                .store
                .depots_of_carrier(carrier.id)
                .await?
                .into_iter()
                .find(|d| param.depot.is_none_or(|id| id == d.id))
                .ok_or(Problem::not_found())?;
            (depot, carrier)
        }
        None => {
            let (depot, _) = depot(&state, &user, param.depot).await?;
            let carrier = state
                .store
                .agreements(depot.id)
                .await?
                .into_iter()
                .find(|a| a.carrier.code == body.carrier.trim() && a.terms.is_some())
                .map(|a| a.carrier)
                .ok_or(Problem::not_found())?;
            (depot, carrier)
        }
    };
    let county = state.store.region_by_id(depot.county_id).await?;
    let regions = state.store.all_regions().await?;
    let mut lines = Vec::with_capacity(body.parcels.len());
    for item in body.parcels {
        lines.push(advice(&item, &county, &regions)?);
    }
    let added = state
        .store
        .advise_parcels(&depot, &carrier, &lines, chrono::Utc::now())
        .await?;
    Ok(Json(ManifestResult { added }))
}

/// One manifest line, checked: the village must lie in the depot's county.
fn advice(
    item: &AdviceItem,
    county: &farmgate_store::regions::Region,
    regions: &[farmgate_store::regions::Region],
) -> Result<Advice, Problem> {
    let number = TrackingNumber::parse(&item.number)?;
    let region_id = match item.village.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => {
            let code = RegionCode::parse(code)?;
            let place = regions
                .iter()
                .find(|r| r.code == code && county.path.contains(&r.path))
                .ok_or(ValidationError::new("village", "region-invalid"))?;
            Some(place.id)
        }
    };
    let text = |field, typed: &Option<String>, max| -> Result<Option<String>, ValidationError> {
        match typed {
            Some(t) => parse_text(field, t, false, max).map(|t| Some(t).filter(|t| !t.is_empty())),
            None => Ok(None),
        }
    };
    let receiver_phone = match item.receiver_phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(phone) => Some(
            PhoneNumber::parse(phone)
                .map_err(|_| ValidationError::new("receiver_phone", "phone-invalid"))?,
        ),
    };
    if item
        .weight_grams
        .is_some_and(|g| !(1..=100_000).contains(&g))
    {
        return Err(ValidationError::new("weight_grams", "logistics-weight-invalid").into());
    }
    Ok(Advice {
        number,
        region_id,
        receiver_name: text("receiver_name", &item.receiver_name, 64)?,
        receiver_phone,
        address: text("address", &item.address, 300)?,
        weight_grams: item.weight_grams,
    })
}

#[derive(Serialize, ToSchema)]
pub struct TrackingEventView {
    /// `advised`, `scanned_in`, `sorted`, `on_run`, `at_station`, `handed_over`, `returned`
    pub kind: String,
    pub at: String,
    /// What happened, in the reader's language.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct TrackingView {
    pub tracking_number: String,
    pub carrier: String,
    pub carrier_name: String,
    pub stage: String,
    pub events: Vec<TrackingEventView>,
}

/// A parcel's history by its tracking number: public, with no personal data.
#[utoipa::path(get, operation_id = "getTracking", path = "/api/v1/tracking/{number}", tag = "logistics",
    params(("number" = String, Path, description = "Tracking number")),
    responses((status = 200, body = [TrackingView]), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn tracking(
    State(state): State<AppState>,
    Lang(language): Lang,
    Path(number): Path<String>,
) -> Result<Json<Vec<TrackingView>>, Problem> {
    let t = crate::i18n::Tr(language);
    let number = TrackingNumber::parse(&number)?;
    let found = state.store.tracking(&number).await?;
    if found.is_empty() {
        return Err(Problem::new(StatusCode::NOT_FOUND, "tracking-not-found"));
    }
    let mut views = Vec::with_capacity(found.len());
    for tracking in found {
        views.push(view(&state, &t, tracking).await?);
    }
    Ok(Json(views))
}

pub(super) async fn view(
    state: &AppState,
    t: &crate::i18n::Tr,
    tracking: Tracking,
) -> Result<TrackingView, Problem> {
    let lines = crate::orders::parcel::event_lines(state, t, &tracking).await?;
    Ok(TrackingView {
        tracking_number: tracking.parcel.tracking_number,
        carrier: tracking.carrier.code.clone(),
        carrier_name: tracking.carrier.name(t.lang()).to_owned(),
        stage: tracking.parcel.stage.as_str().to_owned(),
        events: lines
            .into_iter()
            .map(|l| TrackingEventView {
                kind: l.kind,
                at: l.at_rfc3339,
                text: l.text,
            })
            .collect(),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FeedParams {
    /// The last event id already read (0, or absent, for the first).
    pub after: Option<i64>,
    /// At most this many events (1 to 1,000; 500 when absent).
    pub limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedEventView {
    /// Increasing: the next call's `after`.
    pub id: i64,
    pub tracking_number: String,
    /// `advised`, `scanned_in`, `sorted`, `on_run`, `at_station`, `handed_over`, `returned`
    pub kind: String,
    pub at: String,
    pub depot: String,
    /// The station's code, where the step concerns one.
    pub station: Option<String>,
}

/// What the centre did with a carrier's parcels, event by event after a cursor, for the
/// carrier's own systems to poll. Only the carrier's accounts may read it; a replayed step
/// writes no event, so the feed never repeats.
#[utoipa::path(get, operation_id = "carrierEvents", path = "/api/v1/carriers/{code}/events", tag = "logistics", security(("bearer" = [])),
    params(("code" = String, Path, description = "The carrier's code"), FeedParams),
    responses((status = 200, body = [FeedEventView]), (status = 401, body = ApiError), (status = 404, description = "No such carrier, or the caller does not act for it", body = ApiError)))]
pub async fn feed(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(params): Query<FeedParams>,
) -> Result<Json<Vec<FeedEventView>>, Problem> {
    let carrier = state
        .store
        .carriers_of(user.account.id)
        .await?
        .into_iter()
        .find(|c| c.code == code)
        .ok_or(Problem::not_found())?;
    let limit = params.limit.unwrap_or(500).clamp(1, 1_000);
    let events = state
        .store
        .carrier_feed(carrier.id, params.after.unwrap_or(0), limit)
        .await?;
    let mut depots: Vec<(i64, String)> = Vec::new();
    let mut stations: Vec<(i64, String)> = Vec::new();
    let mut views = Vec::with_capacity(events.len());
    for e in events {
        if !depots.iter().any(|(id, _)| *id == e.depot_id) {
            depots.push((e.depot_id, state.store.depot(e.depot_id).await?.code));
        }
        let station = match e.station_id {
            Some(id) => {
                if !stations.iter().any(|(i, _)| *i == id) {
                    stations.push((id, state.store.station(id).await?.code));
                }
                stations
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, c)| c.clone())
            }
            None => None,
        };
        views.push(FeedEventView {
            id: e.id,
            tracking_number: e.tracking_number,
            kind: e.kind.as_str().to_owned(),
            at: e.at.to_rfc3339(),
            depot: depots
                .iter()
                .find(|(id, _)| *id == e.depot_id)
                .map(|(_, c)| c.clone())
                .unwrap_or_default(),
            station,
        });
    }
    Ok(Json(views))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SettlementParams {
    /// A depot of the caller's county; the first when absent.
    pub depot: Option<i64>,
    /// `YYYY-MM`, China's time; this month when absent.
    pub month: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SettlementView {
    pub carrier: String,
    pub delivered: i64,
    pub returned: i64,
    pub held: i64,
    /// What the carrier owes the centre for the parcels delivered.
    pub fees_fen: i64,
    pub outbound: i64,
    pub outbound_paid_fen: i64,
    pub disputes_open: i64,
}

/// Every carrier's month at a depot of the caller's county, read from its parcels' events.
#[utoipa::path(get, operation_id = "listSettlements", path = "/api/v1/logistics/settlements", tag = "logistics", security(("bearer" = [])),
    params(SettlementParams),
    responses((status = 200, body = [SettlementView]), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn settlements(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<SettlementParams>,
) -> Result<Json<Vec<SettlementView>>, Problem> {
    use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
    let (depot, _) = depot(&state, &user, params.depot).await?;
    let month = match params.month.as_deref() {
        None | Some("") => LedgerMonth::of(LedgerDay::of(chrono::Utc::now())),
        Some(text) => LedgerMonth::parse(text)?,
    };
    let carriers = state.store.carriers().await?;
    Ok(Json(
        state
            .store
            .settlements(depot.id, month)
            .await?
            .into_iter()
            .map(|s| SettlementView {
                carrier: carriers
                    .iter()
                    .find(|c| c.id == s.carrier_id)
                    .map(|c| c.code.clone())
                    .unwrap_or_default(),
                delivered: s.delivered,
                returned: s.returned,
                held: s.held,
                fees_fen: s.fees.0,
                outbound: s.outbound,
                outbound_paid_fen: s.outbound_paid.0,
                disputes_open: s.disputes_open,
            })
            .collect(),
    ))
}
