//! The API of outbound parcels: a seller's system ships an order through the county's
//! centre and reads back its waybill number; buyer and seller read the parcel's steps.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::TrackingView;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::problem::{ApiError, ApiJson, Problem};

#[derive(Deserialize, ToSchema)]
pub struct LabelBody {
    /// The carrier's code (`sf`, `ems`...); the cheapest for the parcel when absent.
    pub carrier: Option<String>,
    /// What the packed parcel weighs, 1 to 50,000 grams.
    pub grams: i32,
}

#[derive(Serialize, ToSchema)]
pub struct LabelView {
    pub parcel_id: i64,
    pub tracking_number: String,
    pub carrier: String,
    /// What the seller pays the carrier, in fen.
    pub fee_fen: i64,
    pub stage: String,
    /// The printable label (100x150 mm; `?paper=a4` for a sheet).
    pub label: String,
}

/// Ships a packed home-delivery order through the centre of its shop's county: the carrier
/// asked for (or the cheapest with a rate for its zone and weight) and that carrier's next
/// waybill number. Asked again, it answers with the same parcel.
#[utoipa::path(post, operation_id = "labelOrder", path = "/api/v1/orders/{id}/parcel", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order id")),
    request_body = LabelBody,
    responses((status = 201, body = LabelView), (status = 401, body = ApiError), (status = 404, body = ApiError),
        (status = 409, description = "Not packed for home delivery, no carrier with a rate, numbers used up, or no centre in the county", body = ApiError),
        (status = 422, body = ApiError)))]
pub async fn label(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LabelBody>,
) -> Result<(StatusCode, Json<LabelView>), Problem> {
    let carriers = state.store.carriers().await?;
    let carrier_id = match body.carrier.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(
            carriers
                .iter()
                .find(|c| c.code == code)
                .map(|c| c.id)
                .ok_or(farmgate_domain::ValidationError::new(
                    "carrier",
                    "carrier-unknown",
                ))?,
        ),
    };
    let parcel = super::outbound::ship_order(&state, &user, ip, id, carrier_id, body.grams).await?;
    let carrier = carriers
        .iter()
        .find(|c| c.id == parcel.carrier_id)
        .map(|c| c.code.clone())
        .unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(LabelView {
            parcel_id: parcel.id,
            label: format!("/logistics/labels/{}", parcel.id),
            tracking_number: parcel.tracking_number,
            carrier,
            fee_fen: parcel.fee.0,
            stage: parcel.stage.as_str().to_owned(),
        }),
    ))
}

/// The parcel an order was shipped with through the centre, and its steps in the caller's
/// language: for its buyer and its shop.
#[utoipa::path(get, operation_id = "getOrderParcel", path = "/api/v1/orders/{id}/parcel", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order id")),
    responses((status = 200, body = TrackingView), (status = 401, body = ApiError), (status = 404, description = "No such order of yours, or no parcel through the centre", body = ApiError)))]
pub async fn parcel(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Path(id): Path<i64>,
) -> Result<Json<TrackingView>, Problem> {
    let order = crate::orders::readable_order(&state, &user, id).await?;
    let tracking = state
        .store
        .order_parcel(order.id)
        .await?
        .ok_or(Problem::not_found())?;
    let t = crate::i18n::Tr(language);
    Ok(Json(super::api::view(&state, &t, tracking).await?))
}
