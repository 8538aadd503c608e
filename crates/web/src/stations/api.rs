//! Stations in the JSON API: a station's parcels (the list on the way or on the shelf,
//! receiving by label, handing over against the buyer's code; other stations' parcels are a
//! 404, as on the operator's page `desk`), and the county's network as its centre keeps it.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::stations::{DEFAULT_HOLD_DAYS, ParcelStatus, StationKind};
use farmgate_domain::text::parse_text;
use farmgate_store::stations::{NewStation, Station, StationDetails, StationHealth, StationParcel};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::desk::{chosen, hand_over_at, receive_at};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::problem::{ApiError, ApiJson, Problem};

#[derive(Serialize, ToSchema)]
pub struct ParcelView {
    pub id: i64,
    pub station_id: i64,
    /// The FarmGate order it carries; absent for an express company's parcel.
    pub order_id: Option<i64>,
    #[schema(example = "FG00001234")]
    pub label: String,
    /// `expected`, `received`, `handed_over` or `returned`
    pub status: String,
    pub expected_at: String,
    pub received_at: Option<String>,
    pub handed_at: Option<String>,
    /// The station's fee and all cash taken when it was handed over.
    pub fee_fen: i64,
    pub cash_fen: i64,
}

impl From<StationParcel> for ParcelView {
    fn from(p: StationParcel) -> Self {
        ParcelView {
            id: p.id,
            station_id: p.station_id,
            order_id: p.order_id,
            label: p.label,
            status: p.status.as_str().to_owned(),
            expected_at: p.expected_at.to_rfc3339(),
            received_at: p.received_at.map(|t| t.to_rfc3339()),
            handed_at: p.handed_at.map(|t| t.to_rfc3339()),
            fee_fen: p.fee.0,
            cash_fen: p.cash.0,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ParcelParams {
    /// `expected` (on the way, the default) or `received` (on the shelf).
    #[serde(default)]
    pub status: Option<String>,
    /// The last parcel id of the previous page.
    pub after: Option<i64>,
}

/// The parcels of a station the caller operates, oldest first, 50 a page.
#[utoipa::path(get, operation_id = "listStationParcels", path = "/api/v1/stations/{id}/parcels", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id"), ParcelParams),
    responses((status = 200, body = [ParcelView]), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(params): Query<ParcelParams>,
) -> Result<Json<Vec<ParcelView>>, Problem> {
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    let status = match params.status.as_deref() {
        None | Some("") => ParcelStatus::Expected,
        Some(text) => ParcelStatus::parse(text).ok_or(farmgate_domain::ValidationError::new(
            "status",
            "bad-request",
        ))?,
    };
    let found = state
        .store
        .station_parcels(&[station.id], status, params.after, 50)
        .await?;
    Ok(Json(found.into_iter().map(ParcelView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiveBody {
    /// As scanned or typed; an order number without its `FG` is found too.
    #[schema(example = "FG00001234")]
    pub label: String,
}

/// Receives a parcel at a station the caller operates: it goes on the shelf and its buyer is
/// told.
#[utoipa::path(post, operation_id = "receiveParcel", path = "/api/v1/stations/{id}/parcels/receive", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id")),
    request_body = ReceiveBody,
    responses(
        (status = 200, body = ParcelView),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "Received already", body = ApiError),
        (status = 422, description = "No such parcel on its way here, or a malformed label", body = ApiError),
    ))]
pub async fn receive(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReceiveBody>,
) -> Result<Json<ParcelView>, Problem> {
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    let parcel = receive_at(&state, &user, ip, &station, &body.label).await?;
    Ok(Json(parcel.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct HandOverBody {
    /// The buyer's six-digit pickup code.
    #[schema(example = "042917")]
    pub code: String,
}

/// Hands a parcel over to the buyer who showed its code. A wrong code is counted; the fifth
/// gives the buyer a new code.
#[utoipa::path(post, operation_id = "handOverParcel", path = "/api/v1/station-parcels/{id}/hand-over", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Parcel id")),
    request_body = HandOverBody,
    responses(
        (status = 200, body = ParcelView),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "Not on the shelf (handed over already)", body = ApiError),
        (status = 422, description = "Wrong or malformed code", body = ApiError),
    ))]
pub async fn hand_over(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<HandOverBody>,
) -> Result<Json<ParcelView>, Problem> {
    let parcel = state.store.station_parcel(id).await?;
    let (station, _) = chosen(&state, &user, Some(parcel.station_id)).await?;
    let parcel = hand_over_at(&state, &user, ip, &station, id, &body.code).await?;
    Ok(Json(parcel.into()))
}

/// A text in up to three languages, as the API takes it (one is enough where one is needed).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TextsBody {
    #[serde(rename = "zh-CN")]
    pub zh: String,
    pub ug: String,
    pub en: String,
}

impl TextsBody {
    fn texts(&self) -> farmgate_domain::text::Texts {
        farmgate_domain::text::Texts::new(
            Some(self.zh.clone()),
            Some(self.ug.clone()),
            Some(self.en.clone()),
        )
    }
}

/// A station as its county's centre writes it.
#[derive(Deserialize, ToSchema)]
pub struct StationBody {
    /// Only when adding: 3 to 64 letters, digits or dashes, kept for good.
    #[serde(default)]
    pub code: String,
    /// `centre`, `township` or `village`
    #[schema(example = "village")]
    pub kind: String,
    /// The region code of its place, inside the caller's county.
    #[schema(example = "tekes-kuokesu")]
    pub place: String,
    pub names: TextsBody,
    #[serde(default)]
    pub address: TextsBody,
    pub phone: Option<String>,
    #[schema(example = "09:00-20:00")]
    pub hours: Option<String>,
    /// At most ¥20 (2000 fen).
    #[serde(default)]
    pub pickup_fee_fen: i64,
    /// 1 to 60; 7 when left out.
    pub hold_days: Option<i32>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub population: Option<i32>,
    #[serde(default)]
    pub collects_produce: bool,
    /// False pauses it: no new parcels, not offered at checkout.
    #[serde(default = "open")]
    pub active: bool,
}

fn open() -> bool {
    true
}

#[derive(Serialize, ToSchema)]
pub struct NetworkStationView {
    pub id: i64,
    pub code: String,
    pub kind: String,
    /// In the language asked for.
    pub name: String,
    pub active: bool,
    pub collects_produce: bool,
    pub population: Option<i32>,
    pub pickup_fee_fen: i64,
    pub hold_days: i32,
    pub on_the_way: i64,
    pub on_shelf: i64,
    pub overdue: i64,
    pub handed_week: i64,
    /// No parcel received or handed over in 14 days.
    pub idle: bool,
    pub last_activity: Option<String>,
    /// Parcels handed over in each of the last four weeks, the oldest first.
    pub weeks: Vec<i64>,
    /// The cash in its till; true when it has been kept more than seven days.
    pub cash_held_fen: i64,
    pub cash_not_handed_in: bool,
    /// Days of the last two weeks with something on them that nobody closed.
    pub days_unclosed: i64,
}

/// The details `body` describes, for a station of the caller's county.
async fn details_of(
    state: &AppState,
    user: &CurrentUser,
    body: &StationBody,
) -> Result<StationDetails, Problem> {
    let county = user.home_region(state, &super::network::KEEPERS).await?;
    let kind = StationKind::parse(body.kind.trim())
        .ok_or(ValidationError::new("kind", "station-kind-invalid"))?;
    let place = match state.store.region_by_code(body.place.trim()).await {
        Ok(place) if county.path.contains(&place.path) => place,
        Ok(_) | Err(farmgate_store::Error::NotFound) => {
            return Err(ValidationError::new("place", "region-invalid").into());
        }
        Err(other) => return Err(other.into()),
    };
    let text = |field, typed: &Option<String>, max| -> Result<Option<String>, ValidationError> {
        let typed = typed.as_deref().unwrap_or("");
        parse_text(field, typed, false, max).map(|t| Some(t).filter(|t| !t.is_empty()))
    };
    Ok(StationDetails {
        region_id: place.id,
        kind,
        names: body.names.texts(),
        address: body.address.texts(),
        phone: text("phone", &body.phone, 20)?,
        hours: text("hours", &body.hours, 64)?,
        pickup_fee: Fen(body.pickup_fee_fen),
        hold_days: body.hold_days.unwrap_or(DEFAULT_HOLD_DAYS),
        latitude: body.latitude,
        longitude: body.longitude,
        population: body.population,
        collects_produce: body.collects_produce,
        active: body.active,
    })
}

/// The caller's county's stations (paused ones too), with their health.
#[utoipa::path(get, operation_id = "listNetwork", path = "/api/v1/centre/stations", tag = "stations", security(("bearer" = [])),
    responses((status = 200, body = [NetworkStationView]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn network(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
) -> Result<Json<Vec<NetworkStationView>>, Problem> {
    let county = user.home_region(&state, &super::network::KEEPERS).await?;
    let stations = state.store.network_within(&county.path).await?;
    let now = chrono::Utc::now();
    let health = state.store.station_health(&stations, now).await?;
    Ok(Json(
        stations
            .iter()
            .zip(health)
            .map(|(s, h)| network_view(s, language, &h, now))
            .collect(),
    ))
}

/// Adds a station to the caller's county.
#[utoipa::path(post, operation_id = "createStation", path = "/api/v1/centre/stations", tag = "stations", security(("bearer" = [])),
    request_body = StationBody,
    responses((status = 201, body = NetworkStationView), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 409, description = "The code is taken", body = ApiError), (status = 422, body = ApiError)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    ApiJson(body): ApiJson<StationBody>,
) -> Result<(StatusCode, Json<NetworkStationView>), Problem> {
    let details = details_of(&state, &user, &body).await?;
    let code = super::network::parse_code(&body.code)?;
    let station = state
        .store
        .add_station(NewStation { code, details })
        .await?;
    Ok((StatusCode::CREATED, Json(fresh(&station, language))))
}

/// Changes, pauses or reopens a station of the caller's county (its code stays).
#[utoipa::path(put, operation_id = "updateStation", path = "/api/v1/centre/stations/{id}", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id")),
    request_body = StationBody,
    responses((status = 200, body = NetworkStationView), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a station of the caller's county", body = ApiError), (status = 422, body = ApiError)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StationBody>,
) -> Result<Json<NetworkStationView>, Problem> {
    let county = user.home_region(&state, &super::network::KEEPERS).await?;
    if !state
        .store
        .network_within(&county.path)
        .await?
        .iter()
        .any(|s| s.id == id)
    {
        return Err(Problem::not_found());
    }
    let details = details_of(&state, &user, &body).await?;
    let station = state.store.update_station(id, details).await?;
    Ok(Json(fresh(&station, language)))
}

/// A station just written: nothing has happened at it yet as far as this answer says.
fn fresh(s: &Station, language: Language) -> NetworkStationView {
    let nothing = StationHealth {
        station_id: s.id,
        ..StationHealth::default()
    };
    network_view(s, language, &nothing, chrono::Utc::now())
}

fn network_view(
    s: &Station,
    language: Language,
    h: &StationHealth,
    now: chrono::DateTime<chrono::Utc>,
) -> NetworkStationView {
    NetworkStationView {
        id: s.id,
        code: s.code.clone(),
        kind: s.kind.as_str().to_owned(),
        name: s.name(language).to_owned(),
        active: s.active,
        collects_produce: s.collects_produce,
        population: s.population,
        pickup_fee_fen: s.pickup_fee.0,
        hold_days: s.hold_days,
        idle: h.idle(now),
        last_activity: h.last_activity.map(|t| t.to_rfc3339()),
        on_the_way: h.on_the_way,
        on_shelf: h.on_shelf,
        overdue: h.overdue,
        handed_week: h.handed_week,
        weeks: h.weeks.to_vec(),
        cash_held_fen: h.cash_held.0,
        cash_not_handed_in: h.cash_not_handed_in(now),
        days_unclosed: h.days_unclosed,
    }
}
