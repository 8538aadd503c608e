//! Buying from a product page without JavaScript, and the buyer's order pages.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::FixedOffset;
use farmgate_domain::ValidationError;
use farmgate_domain::orders::{Basket, IdempotencyKey, PaymentMethod};
use farmgate_store::orders::{Order, PlaceOrder};
use serde::Deserialize;

use super::{parse_delivery, readable_order};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Tr;
use crate::pages::layout::{Chrome, render};
use crate::problem::Problem;

/// China's time: UTC+8 all year (no daylight saving).
const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// Times are stored in UTC and shown in China's time.
fn china_time(at: chrono::DateTime<chrono::Utc>) -> String {
    match FixedOffset::east_opt(CHINA_OFFSET_SECONDS) {
        Some(offset) => at
            .with_timezone(&offset)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

#[derive(Deserialize)]
pub struct BuyForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    delivery: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    address: String,
}

/// `POST /orders`: the product page's buy form, through the same intake as the API. The form
/// carries a key made when the page was drawn, so a double tap or a resend places one order.
pub async fn buy(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<BuyForm>,
) -> Result<Response, Problem> {
    let key = IdempotencyKey::parse(&form.key)?;
    let variant: i64 = form
        .variant
        .trim()
        .parse()
        .map_err(|_| Problem::from(ValidationError::new("variant", "not-for-sale")))?;
    let quantity: i64 = form
        .quantity
        .trim()
        .parse()
        .map_err(|_| Problem::from(ValidationError::new("quantity", "quantity-invalid")))?;
    let basket = Basket::parse(&[(variant, quantity)])?;
    let (fulfilment, pickup_region_id, address) =
        parse_delivery(&state, &form.delivery, &form.place, &form.address).await?;
    state
        .limits
        .check_order(user.account.id)
        .map_err(Problem::rate_limited)?;
    let checkout = state
        .intake
        .place(PlaceOrder {
            buyer_id: user.account.id,
            key,
            basket,
            fulfilment,
            payment: PaymentMethod::Cash,
            pickup_region_id,
            address,
        })
        .await?;
    let first = checkout
        .orders
        .first()
        .map(|o| o.id)
        .ok_or(Problem::not_found())?;
    Ok(Redirect::to(&format!("/orders/{first}")).into_response())
}

pub struct OrderSummary {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub total: String,
    pub placed_at: String,
    pub lines: Vec<String>,
    pub timeline: Vec<(String, String)>,
}

fn summary(t: &Tr, order: &Order) -> OrderSummary {
    OrderSummary {
        id: order.id,
        title: t.arg("order-title", "id", order.id),
        status: t.get(&format!("order-status-{}", order.status.as_str())),
        total: order.total.display_yuan(),
        placed_at: china_time(order.placed_at),
        lines: order
            .lines
            .iter()
            .map(|l| {
                format!(
                    "{} × {} · {}",
                    l.name,
                    l.quantity,
                    l.line_total.display_yuan()
                )
            })
            .collect(),
        timeline: order
            .events
            .iter()
            .map(|e| {
                (
                    t.get(&format!("order-status-{}", e.status.as_str())),
                    china_time(e.at),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    c: Chrome,
    orders: Vec<OrderSummary>,
}

pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let orders = state.store.orders_of_buyer(user.account.id).await?;
    let orders = orders.iter().map(|o| summary(&c.t, o)).collect();
    Ok(render(StatusCode::OK, &OrdersPage { c, orders }))
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    c: Chrome,
    order: OrderSummary,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let order = readable_order(&state, &user, id).await?;
    let order = summary(&c.t, &order);
    Ok(render(StatusCode::OK, &OrderPage { c, order }))
}
