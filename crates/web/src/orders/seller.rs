//! The seller's side of orders: the shop's orders with the steps to take on each (pack with the
//! weight the scale shows, ship with carrier and tracking number, mark ready at the station),
//! and how the shop charges for home delivery. A seller sees only their own shop's orders.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::parse_yuan;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::OrderStatus;
use farmgate_domain::orders::shipping::ShippingRule;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checkout::describe_rule;
use super::pages::{Lookups, OrderSummary, Viewer, summary};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::managed_shop;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render};
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, Default)]
pub struct ListParams {
    /// `open` (default: waiting for the shop), `all`
    #[serde(default)]
    show: String,
    #[serde(default)]
    saved: String,
    /// Keyset paging: orders before this id.
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "orders/seller_orders.html")]
struct SellerOrdersPage {
    c: Chrome,
    csrf: String,
    shop_id: i64,
    shop_name: String,
    orders: Vec<OrderSummary>,
    showing_all: bool,
    back: String,
    rule: String,
    kind: &'static str,
    fee_a: String,
    fee_b: String,
    saved: bool,
    /// The next page's address, when there may be more.
    next: Option<String>,
}

fn yuan(fen: Fen) -> String {
    format!("{}.{:02}", fen.0 / 100, fen.0 % 100)
}

/// `GET /seller/shops/{id}/orders`: what is waiting for the shop, newest first.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Query(params): Query<ListParams>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let showing_all = params.show == "all";
    let waiting = [
        OrderStatus::Placed,
        OrderStatus::Paid,
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::RefundRequested,
    ];
    let found = state
        .store
        .orders_of_shop(
            shop.id,
            farmgate_store::orders::OrderPage {
                before: params.before,
                statuses: if showing_all {
                    Vec::new()
                } else {
                    waiting.to_vec()
                },
                limit: super::pages::PAGE_SIZE,
            },
        )
        .await?;
    let next = super::pages::next_before(&found, super::pages::PAGE_SIZE).map(|before| {
        format!(
            "/seller/shops/{}/orders?show={}&before={before}",
            shop.id,
            if showing_all { "all" } else { "open" }
        )
    });
    let lookups = Lookups::load(&state, &found).await?;
    let mut orders = Vec::new();
    for order in &found {
        orders.push(summary(&state, &c.t, order, Viewer::Seller, &lookups).await?);
    }
    let rule = state.store.shop_shipping(shop.id).await?;
    let (a, b) = rule.parts();
    let page = SellerOrdersPage {
        csrf: csrf.0,
        shop_id: shop.id,
        shop_name: shop.name,
        orders,
        showing_all,
        back: format!("/seller/shops/{}/orders", shop.id),
        rule: describe_rule(&c.t, rule),
        kind: rule.kind(),
        fee_a: yuan(a),
        fee_b: yuan(b),
        saved: params.saved == "1",
        next,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize, ToSchema)]
pub struct ShippingBody {
    /// `flat`, `free_over` or `by_weight`
    #[schema(example = "free_over")]
    pub kind: String,
    /// The fee (flat, free_over) or the first kilogram's fee (by_weight), in yuan: `8`, `8.50`.
    #[schema(example = "8")]
    pub fee: String,
    /// The free-shipping threshold (free_over) or each further kilogram's fee (by_weight), in yuan.
    #[serde(default)]
    #[schema(example = "99")]
    pub second: String,
}

fn parse_rule(body: &ShippingBody) -> Result<ShippingRule, Problem> {
    let amount = |text: &str, field: &'static str| -> Result<Fen, Problem> {
        match text.trim() {
            "" => Ok(Fen(0)),
            text => parse_yuan(text)
                .map_err(|_| ValidationError::new(field, "shipping-fee-invalid").into()),
        }
    };
    let a = amount(&body.fee, "shipping_fee")?;
    let b = amount(&body.second, "shipping_threshold")?;
    Ok(ShippingRule::from_parts(body.kind.trim(), a, b)?)
}

/// `POST /seller/shops/{id}/shipping`: the shop's rule for home delivery, from the form.
pub async fn set_shipping(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(shop_id): Path<i64>,
    Form(body): Form<ShippingBody>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let rule = parse_rule(&body)?;
    state.store.set_shop_shipping(shop.id, rule).await?;
    Ok(Redirect::to(&format!("/seller/shops/{}/orders?saved=1", shop.id)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ShippingView {
    pub kind: String,
    /// The fee, or the first kilogram's fee, in fen.
    pub fee_fen: i64,
    /// The threshold, or each further kilogram's fee, in fen.
    pub second_fen: i64,
}

/// Sets how a shop charges for home delivery (its members only). Orders already placed keep
/// what they were charged.
#[utoipa::path(put, operation_id = "setShopShipping", path = "/api/v1/shops/{id}/shipping", tag = "shops", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id")), request_body = ShippingBody,
    responses((status = 200, body = ShippingView), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn put_shipping(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(shop_id): Path<i64>,
    ApiJson(body): ApiJson<ShippingBody>,
) -> Result<Json<ShippingView>, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let rule = parse_rule(&body)?;
    state.store.set_shop_shipping(shop.id, rule).await?;
    let (a, b) = rule.parts();
    Ok(Json(ShippingView {
        kind: rule.kind().to_owned(),
        fee_fen: a.0,
        second_fen: b.0,
    }))
}
