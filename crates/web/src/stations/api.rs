//! A station's parcels in the JSON API: the list on the way or on the shelf, receiving by label
//! and handing over against the buyer's code. The same rules as the operator's page
//! (`desk`): other stations' parcels are a 404.

use axum::Json;
use axum::extract::{Path, Query, State};
use farmgate_domain::stations::ParcelStatus;
use farmgate_store::stations::StationParcel;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::desk::{chosen, hand_over_at, receive_at};
use crate::AppState;
use crate::auth::CurrentUser;
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
