//! The till API (issue 19, item 5): for a till app or a card terminal, and for the showroom
//! page's offline queue. Sessions are opened and closed with the cash counted; a sale is sent
//! with a client-made id and answered the same however often it comes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use farmgate_domain::centre::till::{TillPayment, check_drawer};
use farmgate_domain::money::Fen;
use farmgate_store::centre::{TillLine, TillSale, TillSession};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::till::{RungSale, Settle, kept_place, kept_sale, kept_session, ring_up, settle};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::{ApiError, ApiJson, Problem};

#[derive(Serialize, ToSchema)]
pub struct TillSessionView {
    pub id: i64,
    pub place_id: i64,
    pub opened_at: String,
    pub opening_cash_fen: i64,
    /// Once closed.
    pub closed_at: Option<String>,
    pub counted_cash_fen: Option<i64>,
    /// What the drawer should have held when it was closed.
    pub expected_cash_fen: Option<i64>,
    pub note: String,
}

fn session_view(s: &TillSession) -> TillSessionView {
    TillSessionView {
        id: s.id,
        place_id: s.place_id,
        opened_at: s.opened_at.to_rfc3339(),
        opening_cash_fen: s.opening_cash.0,
        closed_at: s.closed_at.map(|at| at.to_rfc3339()),
        counted_cash_fen: s.counted_cash.map(|c| c.0),
        expected_cash_fen: s.expected_cash.map(|c| c.0),
        note: s.note.clone(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct OpenBody {
    pub place_id: i64,
    /// The cash in the drawer, 0 to 20,000,000 fen.
    pub opening_cash_fen: i64,
}

/// Opens a till session at a place of the caller's county.
#[utoipa::path(post, operation_id = "openTillSession", path = "/api/v1/till/sessions", tag = "till", security(("bearer" = [])),
    request_body = OpenBody,
    responses((status = 201, body = TillSessionView), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a place of the caller's county", body = ApiError),
        (status = 422, description = "A session is open there already, or the cash is out of bounds", body = ApiError)))]
pub async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<OpenBody>,
) -> Result<(StatusCode, Json<TillSessionView>), Problem> {
    let place = kept_place(&state, &user, body.place_id).await?;
    let cash = check_drawer("opening_cash_fen", Fen(body.opening_cash_fen))?;
    let session = state
        .store
        .open_till_session(place.id, cash, user.account.id)
        .await?;
    Ok((StatusCode::CREATED, Json(session_view(&session))))
}

#[derive(Serialize, ToSchema)]
pub struct TillLineView {
    pub variant_id: i64,
    pub quantity: i64,
    pub unit_price_fen: i64,
    /// Its money was given back when the sale was settled.
    pub given_back: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TillSaleView {
    pub id: i64,
    pub session_id: i64,
    pub client_id: String,
    /// `done`, `to_settle` (the place was short of `short_variant_id`) or `settled`
    pub status: String,
    pub paid_by: String,
    pub charged_fen: i64,
    pub given_back_fen: i64,
    pub checkout_id: Option<String>,
    pub short_variant_id: Option<i64>,
    pub rung_at: String,
    pub lines: Vec<TillLineView>,
}

pub(super) fn sale_view(s: &TillSale) -> TillSaleView {
    TillSaleView {
        id: s.id,
        session_id: s.session_id,
        client_id: s.client_id.clone(),
        status: s.status.as_str().to_owned(),
        paid_by: s.paid_by.as_str().to_owned(),
        charged_fen: s.charged.0,
        given_back_fen: s.given_back.0,
        checkout_id: s.checkout_id.clone(),
        short_variant_id: s.short_variant_id,
        rung_at: s.rung_at.to_rfc3339(),
        lines: s
            .lines
            .iter()
            .map(|l| TillLineView {
                variant_id: l.variant_id,
                quantity: l.quantity,
                unit_price_fen: l.unit_price.0,
                given_back: l.given_back,
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct TillSessionWithSales {
    pub session: TillSessionView,
    pub sales: Vec<TillSaleView>,
}

/// A session of the caller's county with its sales.
#[utoipa::path(get, operation_id = "getTillSession", path = "/api/v1/till/sessions/{id}", tag = "till", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = TillSessionWithSales), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a session of the caller's county", body = ApiError)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<TillSessionWithSales>, Problem> {
    let (_, session) = kept_session(&state, &user, id).await?;
    let sales = state.store.till_sales(session.id).await?;
    Ok(Json(TillSessionWithSales {
        session: session_view(&session),
        sales: sales.iter().map(sale_view).collect(),
    }))
}

#[derive(Deserialize, Serialize, ToSchema, Clone, Copy)]
pub struct SaleLineBody {
    pub variant_id: i64,
    pub quantity: i64,
    /// The price the till charged for one.
    pub unit_price_fen: i64,
}

/// A sale as the till rang it up.
#[derive(Deserialize, Serialize, ToSchema, Clone)]
pub struct SaleBody {
    /// Made by the till when the sale was rung up (8 to 64 letters, digits, `-` or `_`): the
    /// same sale sent again is answered with what it made the first time.
    pub client_id: String,
    /// When it was rung up (RFC 3339); now when left out.
    pub rung_at: Option<DateTime<Utc>>,
    /// `cash` or `code`
    pub paid_by: String,
    /// What the till charged in all.
    pub charged_fen: i64,
    pub lines: Vec<SaleLineBody>,
}

pub(super) fn rung_sale(body: &SaleBody) -> Result<RungSale, Problem> {
    let rung_at = body.rung_at.unwrap_or_else(Utc::now);
    // A till's clock may be off; a sale is never dated ahead of its arrival.
    let rung_at = rung_at.min(Utc::now());
    Ok(RungSale {
        client_id: body.client_id.trim().to_owned(),
        rung_at,
        paid_by: TillPayment::parse(&body.paid_by)?,
        charged: Fen(body.charged_fen),
        lines: body
            .lines
            .iter()
            .map(|l| TillLine::rung(l.variant_id, l.quantity, Fen(l.unit_price_fen)))
            .collect(),
    })
}

/// Records a sale of an open session: its orders are placed (one per shop) from the
/// session's place, or, when the place is short of an item, the sale is kept to settle.
#[utoipa::path(post, operation_id = "recordTillSale", path = "/api/v1/till/sessions/{id}/sales", tag = "till", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    request_body = SaleBody,
    responses((status = 200, body = TillSaleView), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a session of the caller's county", body = ApiError),
        (status = 422, description = "The session is closed, or the sale breaks a rule", body = ApiError),
        (status = 429, description = "Too many at once: send it again after Retry-After", body = ApiError)))]
pub async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SaleBody>,
) -> Result<Json<TillSaleView>, Problem> {
    let (_, session) = kept_session(&state, &user, id).await?;
    let sale = ring_up(&state, &user, &session, rung_sale(&body)?).await?;
    Ok(Json(sale_view(&sale)))
}

#[derive(Deserialize, ToSchema)]
pub struct SettleBody {
    /// `from_store` (move the short units from the shop's own store), `give_back` (give the
    /// short item's money back, place the rest) or `again`
    pub how: String,
}

/// Settles a sale the place was short of.
#[utoipa::path(post, operation_id = "settleTillSale", path = "/api/v1/till/sales/{id}/settle", tag = "till", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Till sale id")),
    request_body = SettleBody,
    responses((status = 200, body = TillSaleView), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a sale of the caller's county", body = ApiError),
        (status = 422, description = "Settled already, or the shop's store holds too few", body = ApiError)))]
pub async fn settle_sale(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SettleBody>,
) -> Result<Json<TillSaleView>, Problem> {
    let (place, session, sale) = kept_sale(&state, &user, id).await?;
    let how = Settle::parse(&body.how)?;
    let settled = settle(&state, &user, (&place, &session), &sale, how).await?;
    Ok(Json(sale_view(&settled)))
}

#[derive(Deserialize, ToSchema)]
pub struct CloseBody {
    pub counted_cash_fen: i64,
    #[serde(default)]
    pub note: String,
}

/// Closes a session with the cash counted (refused while a sale waits to be settled).
#[utoipa::path(post, operation_id = "closeTillSession", path = "/api/v1/till/sessions/{id}/close", tag = "till", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    request_body = CloseBody,
    responses((status = 200, body = TillSessionView), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a session of the caller's county", body = ApiError),
        (status = 422, description = "Closed already, sales to settle, or the cash is out of bounds", body = ApiError)))]
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<Json<TillSessionView>, Problem> {
    let (_, session) = kept_session(&state, &user, id).await?;
    let closed = state
        .store
        .close_till_session(
            session.id,
            Fen(body.counted_cash_fen),
            &body.note,
            user.account.id,
        )
        .await?;
    Ok(Json(session_view(&closed)))
}

/// Goods of a sale brought back.
#[derive(Deserialize, ToSchema)]
pub struct ReturnBody {
    pub sale_id: i64,
    pub variant_id: i64,
    pub quantity: i64,
}

/// Goods taken back at a session.
#[derive(Serialize, ToSchema)]
pub struct TillReturnView {
    pub id: i64,
    pub sale_id: i64,
    pub variant_id: i64,
    pub quantity: i64,
    /// Given back in cash from the session's drawer.
    pub amount_fen: i64,
    /// The shop's order that carries the refund.
    pub order_id: i64,
}

/// Takes goods of a sale back at an open session: the money leaves its drawer in cash, the goods
/// go back on the place's shelf, the shop's order carries the refund.
#[utoipa::path(post, operation_id = "returnTillGoods", path = "/api/v1/till/sessions/{id}/returns", tag = "till", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    request_body = ReturnBody,
    responses((status = 201, body = TillReturnView), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, description = "Not a session or sale of the caller's county", body = ApiError),
        (status = 422, description = "Closed, or more than the line sold less what came back", body = ApiError)))]
pub async fn return_goods(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReturnBody>,
) -> Result<(StatusCode, Json<TillReturnView>), Problem> {
    let (place, session) = kept_session(&state, &user, id).await?;
    let (sale_place, _, sale) = kept_sale(&state, &user, body.sale_id).await?;
    if sale_place.id != place.id {
        return Err(Problem::not_found());
    }
    let back = state
        .store
        .return_till_goods(
            session.id,
            (sale.id, body.variant_id, body.quantity),
            user.account.id,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TillReturnView {
            id: back.id,
            sale_id: back.sale_id,
            variant_id: back.variant_id,
            quantity: back.quantity,
            amount_fen: back.amount.0,
            order_id: back.order_id,
        }),
    ))
}
