//! Refund requests in the API, and the sandbox gateway's refund notifications.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::refund::{RefundReason, RefundStatus};
use farmgate_domain::text::parse_text;
use farmgate_store::orders::{RefundAsk, RefundRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::refunds::{AnswerForm, answer, ask, parse_refund_number, record_paid};
use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::problem::{ApiError, ApiJson, Problem};

#[derive(Serialize, ToSchema)]
pub struct RefundLineView {
    pub variant_id: i64,
    pub name: String,
    pub quantity: u32,
    pub amount_fen: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RefundView {
    pub id: i64,
    pub order_id: i64,
    /// `not_received`, `damaged`, `wrong_item` or `quality`
    pub reason: String,
    pub note: String,
    /// `requested`, `declined`, `disputed`, `accepted`, `paid` or `closed`
    pub status: String,
    pub asked_fen: i64,
    pub granted_fen: i64,
    pub decline_reason: String,
    /// The county's centre decided it.
    pub decided_by_centre: bool,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub paid_at: Option<String>,
    /// The provider's refund reference, or the station's cash record.
    pub paid_ref: Option<String>,
    pub returned_at: Option<String>,
    pub lines: Vec<RefundLineView>,
    pub photo_urls: Vec<String>,
}

fn time(at: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    at.map(|at| at.to_rfc3339())
}

impl From<&RefundRequest> for RefundView {
    fn from(r: &RefundRequest) -> Self {
        RefundView {
            id: r.id,
            order_id: r.order_id,
            reason: r.reason.as_str().to_owned(),
            note: r.note.clone(),
            status: r.status.as_str().to_owned(),
            asked_fen: r.asked.0,
            granted_fen: r.granted.0,
            decline_reason: r.decline_reason.clone(),
            decided_by_centre: r.decided_by_centre,
            created_at: r.created_at.to_rfc3339(),
            decided_at: time(r.decided_at),
            paid_at: time(r.paid_at),
            paid_ref: r.paid_ref.clone(),
            returned_at: time(r.returned_at),
            lines: r
                .lines
                .iter()
                .map(|l| RefundLineView {
                    variant_id: l.variant_id,
                    name: l.name.clone(),
                    quantity: l.quantity,
                    amount_fen: l.amount.0,
                })
                .collect(),
            photo_urls: r
                .photos
                .iter()
                .map(|h| crate::photos::photo_url(h, "large"))
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RefundLineBody {
    pub variant_id: i64,
    pub quantity: u32,
}

#[derive(Deserialize, ToSchema)]
pub struct RefundBody {
    /// `not_received`, `damaged`, `wrong_item` or `quality`
    pub reason: String,
    #[serde(default)]
    pub note: String,
    /// The lines asked for; none for the whole order.
    #[serde(default)]
    pub lines: Vec<RefundLineBody>,
}

/// Asks the shop for money back for a delivered or collected order: the whole order, or some
/// of its lines (each at most what was ordered). One request per order.
#[utoipa::path(post, operation_id = "askRefund", path = "/api/v1/orders/{id}/refund-request", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order id")),
    request_body = RefundBody,
    responses(
        (status = 201, body = RefundView),
        (status = 401, body = ApiError),
        (status = 404, description = "Not the caller's order", body = ApiError),
        (status = 409, description = "Asked already, or the order is not delivered", body = ApiError),
        (status = 422, body = ApiError),
    ))]
pub async fn ask_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RefundBody>,
) -> Result<(StatusCode, Json<RefundView>), Problem> {
    let order = super::readable_order(&state, &user, id).await?;
    if order.buyer_id != user.account.id {
        return Err(Problem::not_found());
    }
    let request = ask(
        &state,
        RefundAsk {
            order_id: order.id,
            buyer_id: user.account.id,
            reason: RefundReason::parse(&body.reason)?,
            note: parse_text("note", &body.note, false, 300)?,
            lines: body
                .lines
                .iter()
                .map(|l| (l.variant_id, l.quantity))
                .collect(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(RefundView::from(&request))))
}

/// The order's refund request, for its buyer and its shop.
#[utoipa::path(get, operation_id = "showRefund", path = "/api/v1/orders/{id}/refund-request", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order id")),
    responses(
        (status = 200, body = RefundView),
        (status = 401, body = ApiError),
        (status = 404, description = "No such order for the caller, or nothing asked", body = ApiError),
    ))]
pub async fn show_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<RefundView>, Problem> {
    let order = super::readable_order(&state, &user, id).await?;
    let request = state
        .store
        .refund_of_order(order.id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(RefundView::from(&request)))
}

/// The shop's (or the county centre's) answer: `all`, `part` with `amount` in yuan, or
/// `decline` with a `reason`. An accepted online refund goes back through the provider.
#[utoipa::path(post, operation_id = "answerRefund", path = "/api/v1/refund-requests/{id}/answer", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Refund request id")),
    request_body = AnswerForm,
    responses(
        (status = 200, body = RefundView),
        (status = 401, body = ApiError),
        (status = 404, description = "Not the caller's shop or county", body = ApiError),
        (status = 409, description = "Answered already", body = ApiError),
        (status = 422, body = ApiError),
    ))]
pub async fn answer_api(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    ApiJson(form): ApiJson<AnswerForm>,
) -> Result<Json<RefundView>, Problem> {
    let request = answer(&state, &user, ip, id, &form).await?;
    // The provider may have answered already: read it back.
    let request = state.store.refund_request(request.id).await?;
    Ok(Json(RefundView::from(&request)))
}

/// The buyer takes the shop's refusal to the county's centre (once).
#[utoipa::path(post, operation_id = "disputeRefund", path = "/api/v1/refund-requests/{id}/dispute", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Refund request id")),
    responses(
        (status = 200, body = RefundView),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "Not declined by the shop", body = ApiError),
    ))]
pub async fn dispute_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<RefundView>, Problem> {
    let request = state
        .store
        .dispute_refund(id, user.account.id)
        .await
        .map_err(|err| match err {
            farmgate_store::Error::AlreadyDecided | farmgate_store::Error::OrderState => {
                Problem::new(StatusCode::CONFLICT, "refund-state")
            }
            other => other.into(),
        })?;
    Ok(Json(RefundView::from(&request)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RefundListQuery {
    /// Only requests in this status.
    #[serde(default)]
    pub status: Option<String>,
    /// Requests older than this id (the next page).
    #[serde(default)]
    pub before: Option<i64>,
}

/// A shop's refund requests, newest first, 30 a page.
#[utoipa::path(get, operation_id = "listShopRefunds", path = "/api/v1/shops/{id}/refund-requests", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id"), RefundListQuery),
    responses(
        (status = 200, body = [RefundView]),
        (status = 401, body = ApiError),
        (status = 404, description = "Not a member of the shop", body = ApiError),
        (status = 422, body = ApiError),
    ))]
pub async fn of_shop_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<RefundListQuery>,
) -> Result<Json<Vec<RefundView>>, Problem> {
    managed_shop(&state, &user, id).await?;
    let statuses = match query.status.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => vec![RefundStatus::parse(text).ok_or_else(|| {
            farmgate_domain::ValidationError::new("status", "refund-status-invalid")
        })?],
    };
    let found = state
        .store
        .refunds_of_shop(id, &statuses, query.before.unwrap_or(0), 30)
        .await?;
    Ok(Json(found.iter().map(RefundView::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct RefundAcknowledged {
    /// `recorded`, `already_recorded`, or `not_a_request` (a refund FarmGate recorded when it
    /// called, such as the centre paying back a cancelled order).
    pub result: String,
}

/// The sandbox gateway's refund notification (signed like its payment callbacks). A refund
/// request is recorded paid once, however often the gateway repeats itself.
#[utoipa::path(post, operation_id = "notifySandboxRefund", path = "/api/v1/payments/sandbox/refund-notify", tag = "payments", request_body = crate::payments::sandbox::RefundNotice,
    params(("X-Sandbox-Signature" = String, Header, description = "HMAC-SHA256 of the body, hex")),
    responses(
        (status = 200, body = RefundAcknowledged),
        (status = 401, description = "Signature missing or wrong", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The amount differs from what was granted", body = ApiError),
        (status = 422, body = ApiError),
    ))]
pub async fn refund_notify(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<RefundAcknowledged>, Problem> {
    let notice = crate::payments::sandbox::refund_notice(&state, &headers, &body)?;
    let result = match parse_refund_number(&notice.refund_no) {
        None => "not_a_request",
        Some(id) => {
            let recorded =
                record_paid(&state, id, Fen(notice.amount_fen), &notice.refund_ref, None).await?;
            if recorded {
                "recorded"
            } else {
                "already_recorded"
            }
        }
    };
    Ok(Json(RefundAcknowledged {
        result: result.to_owned(),
    }))
}
