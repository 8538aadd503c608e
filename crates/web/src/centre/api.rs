//! The places API (issue 19, item 5): the county's places for its centre staff (list, add,
//! change or pause, a place's shelf), a shop's places and transfers for its members (keep goods
//! at a place, send, receive, call back, count). A transfer to a county's place is received by
//! the shop or by the centre that keeps the place.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::lang::Language;
use farmgate_domain::text::parse_texts;
use farmgate_store::catalog::{
    CountedLine, NewTransfer, PlaceDetails, PlacedUnits, StockPlace, Transfer, TransferStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::KEEPERS;
use super::till::kept_place;
use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::i18n::Lang;
use crate::problem::{ApiError, ApiJson, Problem};

/// Transfers listed per page.
const PAGE: u64 = 50;

/// A place that holds goods.
#[derive(Serialize, ToSchema)]
pub struct PlaceView {
    pub id: i64,
    /// `showroom`, `station`, `depot` or `store`
    #[schema(example = "showroom")]
    pub kind: String,
    /// In the language asked for (the one written when it is not).
    pub name: String,
    /// False: paused, no new shop keeps goods there.
    pub active: bool,
}

fn place_view(place: &StockPlace, language: Language) -> PlaceView {
    PlaceView {
        id: place.id,
        kind: place.kind.as_str().to_owned(),
        name: place.name(language).to_owned(),
        active: place.active,
    }
}

/// A place as the county's centre writes it: a name in at least one language.
#[derive(Deserialize, ToSchema)]
pub struct PlaceBody {
    #[schema(example = "showroom")]
    pub kind: String,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_ug: String,
    #[serde(default)]
    pub name_en: String,
    /// False pauses it.
    #[serde(default = "open")]
    pub active: bool,
}

fn open() -> bool {
    true
}

fn details_of(body: &PlaceBody, language: Language) -> Result<PlaceDetails, ValidationError> {
    Ok(PlaceDetails {
        kind: PlaceKind::parse(body.kind.trim())?,
        names: parse_texts(
            [
                ("name_zh", &body.name_zh),
                ("name_ug", &body.name_ug),
                ("name_en", &body.name_en),
            ],
            96,
            Some(language),
        )?,
        station_id: None,
        depot_id: None,
    })
}

/// The caller's county's places, paused ones too.
#[utoipa::path(get, operation_id = "listPlaces", path = "/api/v1/centre/places", tag = "places", security(("bearer" = [])),
    responses((status = 200, body = [PlaceView]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
) -> Result<Json<Vec<PlaceView>>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let places = state.store.stock_places(county.id).await?;
    Ok(Json(
        places.iter().map(|p| place_view(p, language)).collect(),
    ))
}

/// Adds a place to the caller's county.
#[utoipa::path(post, operation_id = "createPlace", path = "/api/v1/centre/places", tag = "places", security(("bearer" = [])),
    request_body = PlaceBody,
    responses((status = 201, body = PlaceView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    ApiJson(body): ApiJson<PlaceBody>,
) -> Result<(StatusCode, Json<PlaceView>), Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let details = details_of(&body, language)?;
    let place = state
        .store
        .add_stock_place(county.id, details, user.account.id)
        .await?;
    Ok((StatusCode::CREATED, Json(place_view(&place, language))))
}

/// Changes, pauses or opens a place of the caller's county.
#[utoipa::path(put, operation_id = "updatePlace", path = "/api/v1/centre/places/{id}", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Place id")),
    request_body = PlaceBody,
    responses((status = 200, body = PlaceView), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a place of the caller's county", body = ApiError), (status = 422, body = ApiError)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PlaceBody>,
) -> Result<Json<PlaceView>, Problem> {
    let place = kept_place(&state, &user, id).await?;
    let details = details_of(&body, language)?;
    let place = state
        .store
        .update_stock_place(place.id, details, body.active)
        .await?;
    Ok(Json(place_view(&place, language)))
}

/// Units of one shop's variant at a place.
#[derive(Serialize, ToSchema)]
pub struct PlacedView {
    pub place_id: i64,
    pub shop_id: i64,
    pub variant_id: i64,
    pub units: i64,
}

fn placed_view(u: &PlacedUnits) -> PlacedView {
    PlacedView {
        place_id: u.place_id,
        shop_id: u.shop_id,
        variant_id: u.variant_id,
        units: u.quantity,
    }
}

/// What every shop keeps at a place of the caller's county.
#[utoipa::path(get, operation_id = "getPlaceShelf", path = "/api/v1/centre/places/{id}/shelf", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Place id")),
    responses((status = 200, body = [PlacedView]), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a place of the caller's county", body = ApiError)))]
pub async fn shelf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<PlacedView>>, Problem> {
    let place = kept_place(&state, &user, id).await?;
    let units = state.store.placed_units(None, Some(place.id)).await?;
    Ok(Json(units.iter().map(placed_view).collect()))
}

/// A place a shop keeps goods at, with its units there.
#[derive(Serialize, ToSchema)]
pub struct ShopPlaceView {
    pub place: PlaceView,
    /// Online orders draw from it (after the shop's own store, in this list's order).
    pub online: bool,
    pub units: Vec<PlacedView>,
}

/// The places a shop keeps goods at, in the order online sales draw from them.
#[utoipa::path(get, operation_id = "listShopPlaces", path = "/api/v1/shops/{id}/places", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id")),
    responses((status = 200, body = [ShopPlaceView]), (status = 401, body = ApiError),
        (status = 404, description = "Not a shop of the caller", body = ApiError)))]
pub async fn shop_places(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Path(shop_id): Path<i64>,
) -> Result<Json<Vec<ShopPlaceView>>, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let places = state.store.shop_places(shop.id).await?;
    let units = state.store.placed_units(Some(shop.id), None).await?;
    Ok(Json(
        places
            .iter()
            .map(|sp| ShopPlaceView {
                place: place_view(&sp.place, language),
                online: sp.online,
                units: units
                    .iter()
                    .filter(|u| u.place_id == sp.place.id)
                    .map(placed_view)
                    .collect(),
            })
            .collect(),
    ))
}

/// Keep goods at a place of the shop's county (or change whether online orders draw from it).
#[derive(Deserialize, ToSchema)]
pub struct JoinBody {
    pub place_id: i64,
    #[serde(default)]
    pub online: bool,
}

/// The shop keeps goods at a place of its county, or changes whether online orders draw
/// from it.
#[utoipa::path(put, operation_id = "keepGoodsAt", path = "/api/v1/shops/{id}/places", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id")),
    request_body = JoinBody,
    responses((status = 204, description = "Kept there"), (status = 401, body = ApiError),
        (status = 404, description = "Not a shop of the caller, or not a place of its county", body = ApiError),
        (status = 422, body = ApiError)))]
pub async fn keep_at(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(shop_id): Path<i64>,
    ApiJson(body): ApiJson<JoinBody>,
) -> Result<StatusCode, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let place = state.store.stock_place(body.place_id).await?;
    let regions = state.store.all_regions().await?;
    let village = regions.iter().find(|r| r.id == shop.village_id);
    let county = village.and_then(|v| crate::format::county_of(&regions, v));
    if county.map(|c| c.id) != Some(place.county_id) {
        return Err(Problem::not_found());
    }
    let kept = state.store.shop_places(shop.id).await?;
    if kept.iter().any(|sp| sp.place.id == place.id) {
        state
            .store
            .set_place_online(shop.id, place.id, body.online)
            .await?;
    } else {
        state
            .store
            .join_stock_place(shop.id, place.id, body.online, user.account.id)
            .await?;
    }
    changed_products(&state, shop.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The search index and the other instances learn the shop's stock changed.
async fn changed_products(state: &AppState, shop_id: i64) -> Result<(), Problem> {
    let products = state.store.products_of_shop(shop_id).await?;
    state.products_changed(products.iter().map(|p| p.id));
    Ok(())
}

#[derive(Deserialize, Serialize, ToSchema, Clone, Copy)]
pub struct UnitsLine {
    pub variant_id: i64,
    pub units: i64,
}

/// Goods to send from one of the shop's places to another (none: its own store).
#[derive(Deserialize, ToSchema)]
pub struct TransferBody {
    pub from_place_id: Option<i64>,
    pub to_place_id: Option<i64>,
    pub lines: Vec<UnitsLine>,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct TransferLineView {
    pub variant_id: i64,
    pub sent: i64,
    /// Once received.
    pub received: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TransferView {
    pub id: i64,
    pub shop_id: i64,
    pub from_place_id: Option<i64>,
    pub to_place_id: Option<i64>,
    /// `sent`, `received` or `called_back`
    pub status: String,
    pub note: String,
    pub sent_at: String,
    pub received_at: Option<String>,
    pub lines: Vec<TransferLineView>,
}

fn transfer_view(tr: &Transfer) -> TransferView {
    TransferView {
        id: tr.id,
        shop_id: tr.shop_id,
        from_place_id: tr.from_place_id,
        to_place_id: tr.to_place_id,
        status: tr.status.as_str().to_owned(),
        note: tr.note.clone(),
        sent_at: tr.sent_at.to_rfc3339(),
        received_at: tr.received_at.map(|at| at.to_rfc3339()),
        lines: tr
            .lines
            .iter()
            .map(|l| TransferLineView {
                variant_id: l.variant_id,
                sent: l.sent,
                received: l.received,
            })
            .collect(),
    }
}

/// Sends goods between the shop's places: they leave at once and are on the way until received.
#[utoipa::path(post, operation_id = "sendTransfer", path = "/api/v1/shops/{id}/transfers", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id")),
    request_body = TransferBody,
    responses((status = 201, body = TransferView), (status = 401, body = ApiError),
        (status = 404, description = "Not a shop of the caller, or a place it does not keep goods at", body = ApiError),
        (status = 422, description = "Too few units where they leave, or lines that do not add up", body = ApiError)))]
pub async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(shop_id): Path<i64>,
    ApiJson(body): ApiJson<TransferBody>,
) -> Result<(StatusCode, Json<TransferView>), Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let lines: Vec<(i64, i64)> = body.lines.iter().map(|l| (l.variant_id, l.units)).collect();
    let new = NewTransfer {
        shop_id: shop.id,
        from: body.from_place_id,
        to: body.to_place_id,
        lines: &lines,
        note: &body.note,
    };
    let sent = state.store.send_transfer(new, user.account.id).await?;
    changed_products(&state, shop.id).await?;
    Ok((StatusCode::CREATED, Json(transfer_view(&sent))))
}

#[derive(Deserialize, IntoParams)]
pub struct TransferParams {
    /// `sent` (on the way), `received` or `called_back`; every transfer when absent.
    pub status: Option<String>,
    /// Transfers with a smaller id (the last id of the page before).
    pub before: Option<i64>,
}

/// A shop's transfers, newest first, fifty at a time.
#[utoipa::path(get, operation_id = "listTransfers", path = "/api/v1/shops/{id}/transfers", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id"), TransferParams),
    responses((status = 200, body = [TransferView]), (status = 401, body = ApiError),
        (status = 404, description = "Not a shop of the caller", body = ApiError), (status = 422, body = ApiError)))]
pub async fn transfers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(shop_id): Path<i64>,
    Query(params): Query<TransferParams>,
) -> Result<Json<Vec<TransferView>>, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let status = match params.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            TransferStatus::parse(text)
                .ok_or(ValidationError::new("status", "transfer-status-invalid"))?,
        ),
    };
    let list = state
        .store
        .transfers((Some(shop.id), None), status, params.before, PAGE)
        .await?;
    Ok(Json(list.iter().map(transfer_view).collect()))
}

/// Transfer `id` if the caller may act on it: a member of its shop, or (`centre`) staff of
/// the county whose place it goes to.
async fn reachable(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    centre: bool,
) -> Result<Transfer, Problem> {
    let transfer = state.store.transfer(id).await?;
    if state
        .store
        .is_shop_member(transfer.shop_id, user.account.id)
        .await?
    {
        return Ok(transfer);
    }
    match transfer.to_place_id {
        Some(place) if centre => {
            kept_place(state, user, place)
                .await
                .map_err(|_| Problem::not_found())?;
            Ok(transfer)
        }
        _ => Err(Problem::not_found()),
    }
}

/// What arrived of each line.
#[derive(Deserialize, ToSchema)]
pub struct ReceiveBody {
    pub lines: Vec<UnitsLine>,
}

/// Receives a transfer with what arrived counted (what is missing is recorded as lost on the
/// way), once; by the shop, or by the centre whose place it goes to.
#[utoipa::path(post, operation_id = "receiveTransfer", path = "/api/v1/transfers/{id}/receive", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Transfer id")),
    request_body = ReceiveBody,
    responses((status = 200, body = TransferView), (status = 401, body = ApiError),
        (status = 404, description = "Not a transfer the caller may receive", body = ApiError),
        (status = 422, description = "Received already, or more than was sent", body = ApiError)))]
pub async fn receive(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReceiveBody>,
) -> Result<Json<TransferView>, Problem> {
    let transfer = reachable(&state, &user, id, true).await?;
    let counted: Vec<(i64, i64)> = body.lines.iter().map(|l| (l.variant_id, l.units)).collect();
    let received = state
        .store
        .receive_transfer(transfer.id, &counted, user.account.id)
        .await?;
    changed_products(&state, transfer.shop_id).await?;
    Ok(Json(transfer_view(&received)))
}

/// Calls a transfer back: the goods are where they left, as if never sent.
#[utoipa::path(post, operation_id = "callBackTransfer", path = "/api/v1/transfers/{id}/call-back", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Transfer id")),
    responses((status = 200, body = TransferView), (status = 401, body = ApiError),
        (status = 404, description = "Not a transfer of the caller's shop", body = ApiError),
        (status = 422, description = "Received or called back already", body = ApiError)))]
pub async fn call_back(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<TransferView>, Problem> {
    let transfer = reachable(&state, &user, id, false).await?;
    let back = state
        .store
        .call_back_transfer(transfer.id, user.account.id)
        .await?;
    changed_products(&state, transfer.shop_id).await?;
    Ok(Json(transfer_view(&back)))
}

#[derive(Deserialize, ToSchema)]
pub struct CountedBody {
    pub variant_id: i64,
    pub counted: i64,
    /// Why it differs from what was expected; needed when it does.
    #[serde(default)]
    pub reason: String,
}

/// A shelf counted: the shop's units at a place (none: its own store).
#[derive(Deserialize, ToSchema)]
pub struct CountBody {
    pub place_id: Option<i64>,
    pub lines: Vec<CountedBody>,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct CountedView {
    pub variant_id: i64,
    pub expected: i64,
    pub counted: i64,
}

/// Counts the shop's units at a place: each count replaces what was there, the difference
/// recorded in the stock history with its reason.
#[utoipa::path(post, operation_id = "countStock", path = "/api/v1/shops/{id}/counts", tag = "places", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id")),
    request_body = CountBody,
    responses((status = 200, body = [CountedView]), (status = 401, body = ApiError),
        (status = 404, description = "Not a shop of the caller, or a place it does not keep goods at", body = ApiError),
        (status = 422, description = "A difference without its reason, or bad numbers", body = ApiError)))]
pub async fn count(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(shop_id): Path<i64>,
    ApiJson(body): ApiJson<CountBody>,
) -> Result<Json<Vec<CountedView>>, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let lines: Vec<CountedLine> = body
        .lines
        .iter()
        .map(|l| CountedLine {
            variant_id: l.variant_id,
            counted: l.counted,
            reason: l.reason.clone(),
        })
        .collect();
    let outcome = state
        .store
        .count_stock(
            (shop.id, body.place_id),
            &lines,
            &body.note,
            user.account.id,
        )
        .await?;
    changed_products(&state, shop.id).await?;
    Ok(Json(
        outcome
            .into_iter()
            .map(|(variant_id, expected, counted)| CountedView {
                variant_id,
                expected,
                counted,
            })
            .collect(),
    ))
}
