//! Orders on the web. Every placement goes through the store's order intake (group commit,
//! idempotent, never oversells); this module parses requests and decides who may read what:
//! a buyer reads their own orders, a shop's members read that shop's orders, and everyone
//! else is told the order does not exist.

pub mod api;
pub mod pages;

use farmgate_domain::ValidationError;
use farmgate_domain::orders::Fulfilment;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::shops::parse_text;
use farmgate_store::orders::{IntakeError, Order};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::Problem;
use axum::http::StatusCode;

impl From<IntakeError> for Problem {
    fn from(err: IntakeError) -> Problem {
        match err {
            IntakeError::OutOfStock { .. } => {
                Problem::new(StatusCode::CONFLICT, "out-of-stock").with_field("items")
            }
            IntakeError::NotForSale { .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "not-for-sale").with_field("items")
            }
            IntakeError::Closed => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            IntakeError::Store(err) => err.into(),
        }
    }
}

/// Where an order goes: (fulfilment, pickup region, address). `kind` is `pickup` (with the
/// station's township or village code in `place`) or `home` (with `address`).
pub async fn parse_delivery(
    state: &AppState,
    kind: &str,
    place: &str,
    address: &str,
) -> Result<(Fulfilment, Option<i64>, Option<String>), Problem> {
    let invalid = || Problem::from(ValidationError::new("delivery", "delivery-invalid"));
    match kind {
        "pickup" => match state.store.region_by_code(place.trim()).await {
            Ok(region) if matches!(region.level, RegionLevel::Township | RegionLevel::Village) => {
                Ok((Fulfilment::Pickup, Some(region.id), None))
            }
            Ok(_) | Err(farmgate_store::Error::NotFound) => Err(invalid()),
            Err(other) => Err(other.into()),
        },
        "home" => Ok((
            Fulfilment::Home,
            None,
            Some(parse_text("delivery", address, true, 300).map_err(|_| invalid())?),
        )),
        _ => Err(invalid()),
    }
}

/// The order, if `user` may read it: its buyer, or a member of its shop.
pub async fn readable_order(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Order, Problem> {
    let order = state.store.order(id).await?;
    if order.buyer_id == user.account.id
        || state
            .store
            .is_shop_member(order.shop_id, user.account.id)
            .await?
    {
        Ok(order)
    } else {
        Err(Problem::not_found())
    }
}
