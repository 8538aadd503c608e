//! Money owed back, for the county's centre: every payment that took money for orders that
//! will not be delivered (cancelled while the buyer paid, paid after the expiry, a refund the
//! shop granted), and the button that pays it back through the payment's provider.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::authz::Role;
use farmgate_domain::regions::RegionPath;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render};
use crate::problem::Problem;

/// Who pays money back: the county's centre staff (and administrators above them).
const CENTRE: [Role; 2] = [Role::CentreStaff, Role::Admin];
/// Payments a page shows.
const PAGE: u64 = 50;

/// The region whose payments `user` answers for: their centre grant's node.
async fn centre_region(state: &AppState, user: &CurrentUser) -> Result<RegionPath, Problem> {
    Ok(user.home_region(state, &CENTRE).await?.path)
}

pub struct OwingRow {
    pub id: i64,
    pub checkout_id: String,
    pub provider: String,
    pub status: String,
    pub amount: String,
    pub owed: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "payments/centre_refunds.html")]
struct RefundsPage {
    c: Chrome,
    csrf: String,
    rows: Vec<OwingRow>,
    /// The next page's `after`, when there may be one.
    next: Option<i64>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct RefundsQuery {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    done: Option<i64>,
}

/// `GET /centre/refunds?after=ID`: the payments of the county that owe their buyer money.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<RefundsQuery>,
) -> Result<Response, Problem> {
    let region = centre_region(&state, &user).await?;
    let payments = state
        .store
        .payments_owing(&region, query.after.max(0), PAGE)
        .await?;
    let t = c.t;
    let next = (payments.len() as u64 == PAGE)
        .then(|| payments.last().map(|p| p.id))
        .flatten();
    let rows = payments
        .into_iter()
        .map(|p| OwingRow {
            id: p.id,
            provider: p.provider.clone(),
            status: t.get(&format!("payment-status-{}", p.status.as_str())),
            amount: p.amount.display_price(),
            owed: p.refund_due.display_price(),
            created: crate::format::china_time(p.created_at),
            checkout_id: p.checkout_id,
        })
        .collect();
    let notice = query
        .done
        .map(|id| t.arg("refunds-done", "payment", id.to_string()));
    Ok(render(
        StatusCode::OK,
        &RefundsPage {
            c,
            csrf: csrf.0,
            rows,
            next,
            notice,
        },
    ))
}

/// `POST /centre/refunds/{id}`: pays back what payment `id` owes, through its provider, then
/// records it. A payment of another county is not found; one that owes nothing (a second
/// click) is a conflict.
pub async fn pay_back(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let region = centre_region(&state, &user).await?;
    let payment = state.store.payment(id).await?;
    let mine = state
        .store
        .payments_owing(&region, id - 1, 1)
        .await?
        .into_iter()
        .any(|p| p.id == id);
    if !mine {
        return Err(Problem::not_found());
    }
    let provider = state
        .payments
        .by_id(&payment.provider)
        .ok_or_else(|| Problem::new(StatusCode::CONFLICT, "refund-provider-missing"))?;
    let reference = provider
        .refund(
            &payment,
            payment.refund_due,
            &format!("P{id}-{}", payment.refunded.0),
        )
        .await
        .map_err(|err| {
            tracing::warn!(payment = id, error = %err, "a refund was refused");
            Problem::new(StatusCode::BAD_GATEWAY, "refund-failed")
        })?;
    state
        .store
        .record_refund(id, payment.refund_due, &reference)
        .await?;
    let orders = state.store.orders_of_checkout(&payment.checkout_id).await?;
    let region_id = match orders.first() {
        Some(order) => Some(state.store.shop(order.shop_id).await?.village_id),
        None => None,
    };
    crate::audit::record(
        &state,
        &user,
        ip,
        crate::audit::Action {
            code: "refund-paid",
            subject_kind: "payment",
            subject_id: id,
            region_id,
            detail: format!("{} {reference}", payment.refund_due.display_yuan()),
        },
    )
    .await;
    Ok(Redirect::to(&format!("/centre/refunds?done={id}")).into_response())
}
