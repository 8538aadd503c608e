//! The buyer's order pages: the list, and one order with its timeline.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::FixedOffset;
use farmgate_store::orders::Order;

use super::readable_order;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Tr;
use crate::pages::layout::{Chrome, render};
use crate::problem::Problem;

/// China's time: UTC+8 all year (no daylight saving).
const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// Times are stored in UTC and shown in China's time.
pub fn china_time(at: chrono::DateTime<chrono::Utc>) -> String {
    match FixedOffset::east_opt(CHINA_OFFSET_SECONDS) {
        Some(offset) => at
            .with_timezone(&offset)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
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
