//! Orders on the web. Every placement goes through the store's order intake (group commit,
//! idempotent, never oversells); this module parses requests and decides who may read what:
//! a buyer reads their own orders, a shop's members read that shop's orders, and everyone
//! else is told the order does not exist.

pub mod api;
pub mod pages;

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
