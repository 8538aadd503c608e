//! The one way the web places orders. The API (`POST /api/v1/orders`), the checkout page and
//! one-tap buying in a live room each parse their own request into a [`Placement`]; placing
//! it is the same for all of them (and for the stations' assisted orders and the centre's
//! till to come): the buyer's rate limit, the provider of the payment method, the time an
//! online payment may take, the intake (group commit, idempotent, never oversells, and the
//! shops' notices in the same transaction), and then telling others: a live room's viewers
//! (stock, ticker), the search index, webhooks and the shops' members who chose texts.

use farmgate_domain::ValidationError;
use farmgate_domain::orders::{Basket, IdempotencyKey, PaymentMethod};
use farmgate_domain::webhooks::WebhookEvent;
use farmgate_store::orders::{Checkout, Delivery, IntakeError, PlaceOrder};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::Problem;

/// A placement as a buyer asked for it, parsed.
pub struct Placement {
    pub key: IdempotencyKey,
    pub basket: Basket,
    pub delivery: Delivery,
    pub payment: PaymentMethod,
    /// The live room it was placed from (its room prices apply while it is live).
    pub room_id: Option<i64>,
}

/// A payment method as forms and JSON bodies name it: `cash` or `online`.
pub fn payment_method(text: &str) -> Result<PaymentMethod, ValidationError> {
    PaymentMethod::parse(text.trim()).ok_or(ValidationError::new("payment", "payment-invalid"))
}

/// Places `placement` for `buyer`; answers once the orders are committed (or refused).
pub async fn place(
    state: &AppState,
    buyer: &CurrentUser,
    placement: Placement,
) -> Result<Checkout, Problem> {
    Ok(place_or_refusal(state, buyer, placement).await??)
}

/// As [`place`], with the intake's refusal kept whole (the till settles a sale the showroom
/// could not fill, and needs to know which item it was short of).
pub async fn place_or_refusal(
    state: &AppState,
    buyer: &CurrentUser,
    placement: Placement,
) -> Result<Result<Checkout, IntakeError>, Problem> {
    state
        .limits
        .check_order(buyer.account.id)
        .map_err(Problem::rate_limited)?;
    let provider = state
        .payments
        .for_method(placement.payment)?
        .id()
        .to_owned();
    let chosen = (placement.delivery.clone(), placement.payment);
    let checkout = state
        .intake
        .place(PlaceOrder {
            buyer_id: buyer.account.id,
            key: placement.key,
            basket: placement.basket,
            delivery: placement.delivery,
            payment: placement.payment,
            provider,
            pay_within: chrono::Duration::from_std(state.config.pay_within)
                .unwrap_or(chrono::Duration::minutes(30)),
            room_id: placement.room_id,
        })
        .await;
    let checkout = match checkout {
        Ok(checkout) => checkout,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let telling = std::time::Instant::now();
    if !checkout.replayed {
        state
            .hot
            .ordered(&state.live, buyer.account.id, (&chosen.0, chosen.1))
            .await;
        announce(state, placement.room_id, &checkout);
        for order in &checkout.orders {
            crate::webhooks::order_event(state, order.shop_id, WebhookEvent::OrderPlaced, order.id);
        }
        // The intake wrote the shops' notices with the orders; texts go after the answer.
        crate::notify::text_new_orders(state, &checkout);
    }
    // Telling others' share of an order's answer (`farmgate bench live-burst --profile`).
    metrics::histogram!("farmgate_order_step_seconds", "step" => "tell")
        .record(telling.elapsed().as_secs_f64());
    Ok(Ok(checkout))
}

/// Tells the search index what a checkout sold, and the live room it came from its viewers
/// (stock, ticker).
fn announce(state: &AppState, room_id: Option<i64>, checkout: &Checkout) {
    if let Some(room_id) = room_id {
        for order in &checkout.orders {
            let region = order.pickup_region_id.or(order.delivery_region_id);
            for line in &order.lines {
                state
                    .activity
                    .sold(room_id, line.variant_id, line.quantity, region);
            }
        }
    }
    state.products_changed(
        checkout
            .orders
            .iter()
            .flat_map(|o| o.lines.iter().map(|l| l.product_id)),
    );
}
