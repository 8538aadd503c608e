//! Orders on the web. Every placement goes through the store's order intake (group commit,
//! idempotent, never oversells); this module parses requests and decides who may read what:
//! a buyer reads their own orders, a shop's members read that shop's orders, and everyone
//! else is told the order does not exist.

pub mod api;
pub mod cart;
pub mod checkout;
pub mod export;
pub mod pages;
pub mod parcel;
pub mod place;
pub mod papers;
pub mod refunds;
pub mod refunds_api;
pub mod seller;
pub mod worklist;

use farmgate_domain::ValidationError;
use farmgate_domain::accounts::{DisplayName, PhoneNumber};
use farmgate_domain::orders::{Fulfilment, OrderEvent};
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::text::parse_text;
use farmgate_store::orders::{Delivery, IntakeError, Order};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::Problem;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The cart, checkout, the buyer's orders and their steps, and the seller's orders.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orders", get(pages::mine))
        .route("/orders/{id}", get(pages::show))
        .route("/orders/{id}/events", post(pages::step))
        .route("/orders/{id}/reviews", post(pages::review))
        .route(
            "/orders/{id}/refund",
            get(refunds::ask_form).post(refunds::ask_submit),
        )
        .route("/refunds/{id}/photos", post(refunds::add_photo))
        .route("/refunds/{id}/answer", post(refunds::answer_submit))
        .route("/refunds/{id}/dispute", post(refunds::dispute))
        .route("/refunds/{id}/retry", post(refunds::retry))
        .route("/refunds/{id}/cash-paid", post(refunds::cash_paid))
        .route("/refunds/{id}/returned", post(refunds::returned))
        .route("/seller/shops/{id}/refunds", get(refunds::of_shop))
        .route("/centre/disputes", get(refunds::for_centre))
        .route("/station/refunds", get(refunds::for_station))
        .route("/cart", get(cart::show).post(cart::add))
        .route("/cart/update", post(cart::update))
        .route("/checkout", get(checkout::show).post(checkout::submit))
        .route("/checkout/{id}", get(checkout::done))
        .route("/checkout/{id}/pay", post(checkout::pay))
        .route("/seller/shops/{id}/orders", get(worklist::list))
        .route("/seller/shops/{id}/orders/bulk", post(worklist::bulk))
        .route("/static/print.js", get(papers::script))
        .route("/seller/shops/{id}/orders.xlsx", get(export::export_orders))
        .route("/seller/shops/{id}/shipping", post(seller::set_shipping))
}

/// Placing and reading orders, their steps and reviews, a shop's shipping rule.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::place, api::mine))
        .routes(routes!(api::show))
        .routes(routes!(api::of_shop))
        .routes(routes!(api::advance))
        .routes(routes!(api::review))
        .routes(routes!(api::reviews))
        .routes(routes!(seller::put_shipping))
        .routes(routes!(refunds_api::ask_api, refunds_api::show_api))
        .routes(routes!(refunds_api::answer_api))
        .routes(routes!(refunds_api::dispute_api))
        .routes(routes!(refunds_api::of_shop_api))
        .routes(routes!(refunds_api::refund_notify))
}

impl From<IntakeError> for Problem {
    fn from(err: IntakeError) -> Problem {
        match err {
            IntakeError::OutOfStock { .. } => {
                Problem::new(StatusCode::CONFLICT, "out-of-stock").with_field("items")
            }
            IntakeError::NotForSale { .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "not-for-sale").with_field("items")
            }
            IntakeError::NoSuchStation { .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "station-invalid")
                    .with_field("station")
            }
            IntakeError::Invalid(err) => err.into(),
            IntakeError::Closed => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            IntakeError::Store(err) => err.into(),
        }
    }
}

/// Where the parcels go, as a form or a JSON body gives it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DeliveryInput {
    /// `pickup` or `home`
    #[serde(default)]
    pub kind: String,
    /// For pickup: the station's id.
    #[serde(default)]
    pub station: String,
    /// For home delivery: the township or village (region code).
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub phone: String,
}

/// Checks where the parcels go: an open station, or an address in a township or village with
/// the recipient's name and mainland mobile number. Each mistake names its field.
pub async fn parse_delivery(state: &AppState, input: &DeliveryInput) -> Result<Delivery, Problem> {
    match Fulfilment::parse(input.kind.as_str()) {
        Some(Fulfilment::Pickup) => {
            let invalid = || Problem::from(ValidationError::new("station", "station-invalid"));
            let id: i64 = input.station.trim().parse().map_err(|_| invalid())?;
            match state.store.station(id).await {
                Ok(station) if station.active => Ok(Delivery::Pickup { station_id: id }),
                Ok(_) | Err(farmgate_store::Error::NotFound) => Err(invalid()),
                Err(other) => Err(other.into()),
            }
        }
        Some(Fulfilment::Home) => {
            let region = match state.store.region_by_code(input.region.trim()).await {
                Ok(region)
                    if matches!(region.level, RegionLevel::Township | RegionLevel::Village) =>
                {
                    region
                }
                Ok(_) | Err(farmgate_store::Error::NotFound) => {
                    return Err(ValidationError::new("region", "region-invalid").into());
                }
                Err(other) => return Err(other.into()),
            };
            let address = parse_text("address", &input.address, true, 300)?;
            let recipient = DisplayName::parse(&input.recipient).map_err(|_| {
                Problem::from(ValidationError::new("recipient", "recipient-invalid"))
            })?;
            let phone = PhoneNumber::parse(&input.phone)
                .map_err(|_| Problem::from(ValidationError::new("phone", "phone-invalid")))?;
            Ok(Delivery::Home {
                region_id: region.id,
                address,
                recipient,
                phone,
            })
        }
        // Counter sales are rung up at a till (`centre::till`), never chosen at checkout.
        Some(Fulfilment::Counter) | None => {
            Err(ValidationError::new("delivery", "delivery-invalid").into())
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

/// The carrier and tracking number (or the reason) the last step noted, for its notice.
fn note_for_notice(order: &Order) -> String {
    order
        .events
        .last()
        .and_then(|e| e.note.clone())
        .unwrap_or_default()
}

/// Tells the other side of the order what this step did: the buyer of a parcel shipped, ready
/// at the station, delivered, or of the shop's answer to their cancelling a paid order; and
/// the webhooks subscribed to shipping and refunds.
pub(crate) async fn tell_about_step(
    state: &AppState,
    order: &Order,
    event: OrderEvent,
    note: String,
) {
    use farmgate_domain::notifications::NoticeKind;
    use farmgate_domain::webhooks::WebhookEvent;
    let hook = match event {
        OrderEvent::Ship => Some(WebhookEvent::OrderShipped),
        OrderEvent::Refund => Some(WebhookEvent::OrderRefunded),
        _ => None,
    };
    if let Some(hook) = hook {
        crate::webhooks::order_event(state, order.shop_id, hook, order.id);
    }
    let (kind, to_shop, args) = match event {
        OrderEvent::Ship => (
            NoticeKind::OrderShipped,
            false,
            vec![("tracking".to_owned(), note)],
        ),
        OrderEvent::MarkReadyForPickup => (NoticeKind::OrderReady, false, Vec::new()),
        OrderEvent::ReturnUncollected => (NoticeKind::OrderReturned, false, Vec::new()),
        OrderEvent::Deliver => (NoticeKind::OrderDelivered, false, Vec::new()),
        // The shop's answer to a buyer who cancelled a paid order (refund requests after
        // delivery tell their own steps: `refunds`).
        OrderEvent::Refund | OrderEvent::RejectRefund => {
            let outcome = if event == OrderEvent::Refund {
                "accepted"
            } else {
                "declined"
            };
            (
                NoticeKind::RefundAnswered,
                false,
                vec![
                    ("outcome".to_owned(), outcome.to_owned()),
                    ("amount".to_owned(), order.total.display_yuan()),
                ],
            )
        }
        _ => return,
    };
    let mut args = args;
    args.push(("order".to_owned(), order.id.to_string()));
    let tell = crate::notify::Tell {
        kind,
        subject: farmgate_store::notifications::Subject::Order(order.id),
        event: format!(
            "order:{}:{}:{}",
            order.id,
            kind.as_str(),
            order.events.len()
        ),
        args,
    };
    if to_shop {
        crate::notify::tell_shop(state, order.shop_id, &tell).await;
    } else {
        crate::notify::tell(state, order.buyer_id, &tell).await;
    }
    if let Some(kind) = shop_hears_too(event) {
        let back = crate::notify::Tell {
            kind,
            event: format!("order:{}:{}", order.id, kind.as_str()),
            ..tell
        };
        crate::notify::tell_shop(state, order.shop_id, &back).await;
    }
}

/// What the shop is told of a step its buyer is told of: a parcel nobody collected is coming
/// back (its goods return, and a paid order waits for the shop's answer).
fn shop_hears_too(event: OrderEvent) -> Option<farmgate_domain::notifications::NoticeKind> {
    use farmgate_domain::notifications::NoticeKind;
    (event == OrderEvent::ReturnUncollected).then_some(NoticeKind::ParcelReturned)
}

/// Moves an order one step for `user`: shop members take the shop's steps (pack with the
/// parcel's weight, ship, mark ready at the station, deliver, refund), the buyer theirs
/// (cancel, pick up, complete, ask for a refund); anyone else is refused. Stock that comes back
/// on a cancel is told to the search index.
pub async fn apply_event(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    id: i64,
    event: &str,
    packed_grams: Option<i64>,
    note: Option<&str>,
) -> Result<Order, Problem> {
    let order = readable_order(state, user, id).await?;
    let event = match event {
        "pack" => match packed_grams {
            Some(grams) if (1..=1_000_000_000).contains(&grams) => OrderEvent::Pack {
                packed_grams: grams,
            },
            _ => return Err(ValidationError::new("packed_grams", "net-weight-invalid").into()),
        },
        "ship" => OrderEvent::Ship,
        // The station's operator receives a parcel and hands it over against the buyer's code.
        "mark_ready_for_pickup" | "pick_up" => {
            return Err(ValidationError::new("event", "step-at-station").into());
        }
        "deliver" => OrderEvent::Deliver,
        "refund" => OrderEvent::Refund,
        "reject_refund" => OrderEvent::RejectRefund,
        "cancel" => OrderEvent::Cancel,
        "complete" => OrderEvent::Complete,
        "request_refund" => OrderEvent::RequestRefund,
        _ => return Err(ValidationError::new("event", "event-invalid").into()),
    };
    let by_seller = matches!(
        event,
        OrderEvent::Pack { .. }
            | OrderEvent::Ship
            | OrderEvent::Deliver
            | OrderEvent::Refund
            | OrderEvent::RejectRefund
    );
    let allowed = if by_seller {
        state
            .store
            .is_shop_member(order.shop_id, user.account.id)
            .await?
    } else {
        order.buyer_id == user.account.id
    };
    if !allowed {
        return Err(Problem::forbidden());
    }
    let note = match note {
        Some(note) => Some(parse_text("note", note, false, 300)?).filter(|n| !n.is_empty()),
        None => None,
    };
    let order = match state
        .store
        .advance_order(id, event, user.account.id, note.clone())
        .await
    {
        // The payment came in between the buyer's look and their tap: the cancel now asks
        // the shop for the money back instead (a paid order's cancel is a request).
        Err(farmgate_store::Error::OrderState) if event == OrderEvent::Cancel => {
            state
                .store
                .advance_order(id, event, user.account.id, note)
                .await?
        }
        other => other?,
    };
    if by_seller {
        // The shop changed the buyer's order: it goes in the log, with the shop's place.
        let region_id = state
            .store
            .shop(order.shop_id)
            .await
            .ok()
            .map(|s| s.village_id);
        crate::audit::record(
            state,
            user,
            ip,
            crate::audit::Action {
                code: "order-step",
                subject_kind: "order",
                subject_id: order.id,
                region_id,
                detail: order.status.as_str().to_owned(),
            },
        )
        .await;
    }
    tell_about_step(state, &order, event, note_for_notice(&order)).await;
    if event == OrderEvent::Cancel {
        // The stock came back: searches for what is in stock should see it.
        state.products_changed(order.lines.iter().map(|l| l.product_id));
    }
    Ok(order)
}

#[cfg(test)]
mod step_tests {
    use super::*;
    use farmgate_domain::notifications::{Audience, NoticeKind};

    #[test]
    fn a_parcel_sent_back_is_told_to_the_shop_as_well() {
        let kind = shop_hears_too(OrderEvent::ReturnUncollected);
        assert_eq!(kind, Some(NoticeKind::ParcelReturned));
        assert_eq!(NoticeKind::ParcelReturned.audience(), Audience::Seller);
        assert_eq!(shop_hears_too(OrderEvent::Ship), None);
    }
}
