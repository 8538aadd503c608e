//! The papers of a packing round, printed from the shop's order list: the pick list (what to
//! take from the shelves for the chosen orders, summed by variant) and a packing slip per
//! order, each on A4 or on 80 mm receipt paper (named `@page`s in `app.css`).

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_store::orders::Order;
use farmgate_store::shops::Shop;

use super::pages::{Lookups, OrderSummary, Viewer, summary};
use super::worklist::{PickLine, pick_lines};
use crate::AppState;
use crate::html::{Chrome, render};
use crate::problem::Problem;

#[derive(Template)]
#[template(path = "orders/picklist.html")]
struct PickListPage {
    c: Chrome,
    shop_name: String,
    /// `a4` or `receipt`.
    paper: &'static str,
    lines: Vec<PickLine>,
    order_ids: Vec<i64>,
    printed_at: String,
}

#[derive(Template)]
#[template(path = "orders/slips.html")]
struct SlipsPage {
    c: Chrome,
    shop_name: String,
    paper: &'static str,
    slips: Vec<OrderSummary>,
}

/// The paper a form asked for: 80 mm receipt paper, or A4.
pub fn paper(asked: &str) -> &'static str {
    if asked == "receipt" { "receipt" } else { "a4" }
}

/// The pick list of `orders`.
pub async fn pick_list(c: Chrome, shop: &Shop, orders: &[Order], paper: &'static str) -> Response {
    let page = PickListPage {
        shop_name: shop.name_in(c.t.lang()).to_owned(),
        paper,
        lines: pick_lines(&c.t, orders),
        order_ids: orders.iter().map(|o| o.id).collect(),
        printed_at: crate::format::china_time(chrono::Utc::now()),
        c,
    };
    render(StatusCode::OK, &page)
}

/// A packing slip per order: what goes in the parcel and where it goes.
pub async fn slips(
    state: &AppState,
    c: Chrome,
    shop: &Shop,
    orders: &[Order],
    paper: &'static str,
) -> Result<Response, Problem> {
    let lookups = Lookups::load(state, orders).await?;
    let mut slips = Vec::new();
    for order in orders {
        slips.push(summary(state, &c.t, order, Viewer::Seller, &lookups).await?);
    }
    let page = SlipsPage {
        shop_name: shop.name_in(c.t.lang()).to_owned(),
        paper,
        slips,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /static/print.js`: the papers' print button.
pub async fn script() -> Response {
    crate::html::javascript(include_str!("../../static/print.js"))
}
