//! How the shop charges for home delivery, from its order list's form and the API. (The list
//! itself, with the steps on each order and on many at once, is `worklist`.)

use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::parse_yuan;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::shipping::ShippingRule;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::managed_shop;
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

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
