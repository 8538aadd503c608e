//! The order state machine: the only legal ways an order moves from placed to completed,
//! cancelled or refunded.
//!
//! ```text
//! placed ──pay──▶ paid ──pack──▶ packed ──ship──▶ shipped ──deliver──▶ delivered ──┐
//!   │  (cash: pack before paying)                    └─ready──▶ ready_for_pickup ─pick_up─▶ picked_up ─┤
//!   └─cancel─▶ cancelled                                                                         complete
//!   paid ──cancel──▶ cancel_requested ──refund──▶ refunded   (reject_refund ─▶ paid: the shop packs)
//!                             delivered | picked_up | completed ──request_refund──▶ refund_requested ──refund──▶ refunded
//!                                                                          (reject_refund ─▶ completed)
//!   ready_for_pickup ──return_uncollected──▶ cancelled (cash) | cancel_requested (paid online)
//!
//! A buyer cannot simply cancel an order that is paid for: the money was taken, so the cancel
//! becomes a request the shop answers, and a granted one pays the money back (decision 0013).
//! ```

pub mod refund;
pub mod review;
pub mod shipping;

use serde::{Deserialize, Serialize};

/// Where an order's parcel ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    /// Picked up by the buyer at a township or village station.
    Pickup,
    /// Delivered to the buyer's address.
    Home,
    /// Sold over a counter (the centre's showroom till, issue 19): handed over and paid on the
    /// spot, complete when placed.
    Counter,
}

impl Fulfilment {
    pub const ALL: [Fulfilment; 3] = [Fulfilment::Pickup, Fulfilment::Home, Fulfilment::Counter];

    /// How it is stored and sent: `pickup`, `home`, `counter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fulfilment::Pickup => "pickup",
            Fulfilment::Home => "home",
            Fulfilment::Counter => "counter",
        }
    }

    pub fn parse(text: &str) -> Option<Fulfilment> {
        Fulfilment::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// How an order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Paid online before the shop packs.
    Online,
    /// Paid in cash at the station or on delivery, after the shop packs.
    Cash,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 2] = [PaymentMethod::Online, PaymentMethod::Cash];

    /// How it is stored and sent: `online`, `cash`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Online => "online",
            PaymentMethod::Cash => "cash",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Paid,
    Packed,
    Shipped,
    ReadyForPickup,
    Delivered,
    PickedUp,
    Completed,
    Cancelled,
    /// The buyer cancelled a paid order: the shop refunds it, or goes on with it.
    CancelRequested,
    RefundRequested,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 12] = [
        OrderStatus::Placed,
        OrderStatus::Paid,
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::ReadyForPickup,
        OrderStatus::Delivered,
        OrderStatus::PickedUp,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::CancelRequested,
        OrderStatus::RefundRequested,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Paid => "paid",
            OrderStatus::Packed => "packed",
            OrderStatus::Shipped => "shipped",
            OrderStatus::ReadyForPickup => "ready_for_pickup",
            OrderStatus::Delivered => "delivered",
            OrderStatus::PickedUp => "picked_up",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::CancelRequested => "cancel_requested",
            OrderStatus::RefundRequested => "refund_requested",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(text: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// No event moves an order out of these.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Refunded)
    }

    /// The order counts as sold (for a shop's takings, a household's income and the county's
    /// statistics): paid or handed over and neither cancelled nor refunded. An unpaid order
    /// counts once it is picked up or completed (cash at the station).
    pub fn is_sale(self) -> bool {
        !matches!(
            self,
            OrderStatus::Placed | OrderStatus::Cancelled | OrderStatus::Refunded
        )
    }
}

/// Something that happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    Pay,
    /// The shop packed the parcel and weighed it.
    Pack {
        packed_grams: i64,
    },
    Ship,
    MarkReadyForPickup,
    Deliver,
    PickUp,
    Complete,
    Cancel,
    RequestRefund,
    Refund,
    /// The shop (or the centre) granted part of what was asked: the rest of the order stands.
    RefundPart,
    RejectRefund,
    /// The station sends back a parcel nobody collected in its days: a cash order is simply
    /// cancelled; one paid online becomes a cancel the shop answers with the money back.
    ReturnUncollected,
}

/// An event that the order's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {from:?} cannot take {event:?}")]
pub struct IllegalTransition {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

/// The facts about an order that decide which events it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKind {
    pub fulfilment: Fulfilment,
    pub payment: PaymentMethod,
}

impl OrderKind {
    /// The state after `event`, or why the event is refused.
    pub fn next(
        self,
        from: OrderStatus,
        event: OrderEvent,
    ) -> Result<OrderStatus, IllegalTransition> {
        use OrderEvent as E;
        use OrderStatus as S;
        let illegal = IllegalTransition { from, event };
        let to = match (from, event) {
            (S::Placed, E::Pay) if self.payment == PaymentMethod::Online => S::Paid,
            (S::Placed, E::Pack { packed_grams })
                if self.payment == PaymentMethod::Cash && packed_grams > 0 =>
            {
                S::Packed
            }
            (S::Paid, E::Pack { packed_grams }) if packed_grams > 0 => S::Packed,
            (S::Placed, E::Cancel) => S::Cancelled,
            (S::Paid, E::Cancel) => S::CancelRequested,
            (S::CancelRequested, E::Refund) => S::Refunded,
            (S::CancelRequested, E::RejectRefund) => S::Paid,
            (S::Packed, E::Ship) => S::Shipped,
            (S::Shipped, E::Deliver) if self.fulfilment == Fulfilment::Home => S::Delivered,
            (S::Shipped, E::MarkReadyForPickup) if self.fulfilment == Fulfilment::Pickup => {
                S::ReadyForPickup
            }
            (S::ReadyForPickup, E::PickUp) => S::PickedUp,
            (S::ReadyForPickup, E::ReturnUncollected) => match self.payment {
                PaymentMethod::Cash => S::Cancelled,
                PaymentMethod::Online => S::CancelRequested,
            },
            (S::Delivered | S::PickedUp, E::Complete) => S::Completed,
            (S::Delivered | S::PickedUp | S::Completed, E::RequestRefund) => S::RefundRequested,
            (S::RefundRequested, E::Refund) => S::Refunded,
            (S::RefundRequested, E::RefundPart) => S::Completed,
            (S::RefundRequested, E::RejectRefund) => S::Completed,
            _ => return Err(illegal),
        };
        Ok(to)
    }
}

/// A client's key that makes placing an order safe to retry: the same key returns the same
/// order. 8 to 64 of `A-Z a-z 0-9 - _` (a UUID fits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(text: &str) -> Result<IdempotencyKey, crate::ValidationError> {
        let text = text.trim();
        let valid = (8..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(IdempotencyKey(text.to_owned()))
        } else {
            Err(crate::ValidationError::new(
                "idempotency_key",
                "idempotency-key-invalid",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a buyer asks for: variants and how many of each. Lines for the same variant are
/// merged; there is at least one line and at most 50, each of 1 to 999 units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basket(Vec<(i64, u32)>);

impl Basket {
    pub const MAX_LINES: usize = 50;
    pub const MAX_QUANTITY: u32 = 999;

    pub fn parse(lines: &[(i64, i64)]) -> Result<Basket, crate::ValidationError> {
        let mut merged: Vec<(i64, u32)> = Vec::new();
        for &(variant, quantity) in lines {
            let quantity = u32::try_from(quantity)
                .ok()
                .filter(|q| (1..=Self::MAX_QUANTITY).contains(q))
                .ok_or(crate::ValidationError::new("quantity", "quantity-invalid"))?;
            match merged.iter_mut().find(|(v, _)| *v == variant) {
                Some((_, q)) => {
                    *q = (*q + quantity).min(Self::MAX_QUANTITY + 1);
                    if *q > Self::MAX_QUANTITY {
                        return Err(crate::ValidationError::new("quantity", "quantity-invalid"));
                    }
                }
                None => merged.push((variant, quantity)),
            }
        }
        if merged.is_empty() {
            return Err(crate::ValidationError::new("items", "basket-empty"));
        }
        if merged.len() > Self::MAX_LINES {
            return Err(crate::ValidationError::new("items", "basket-too-large"));
        }
        Ok(Basket(merged))
    }

    /// (variant id, quantity) pairs, one per variant.
    pub fn lines(&self) -> &[(i64, u32)] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOME_ONLINE: OrderKind = OrderKind {
        fulfilment: Fulfilment::Home,
        payment: PaymentMethod::Online,
    };
    const PICKUP_CASH: OrderKind = OrderKind {
        fulfilment: Fulfilment::Pickup,
        payment: PaymentMethod::Cash,
    };

    fn run(kind: OrderKind, events: &[OrderEvent]) -> Result<OrderStatus, IllegalTransition> {
        events
            .iter()
            .try_fold(OrderStatus::Placed, |status, event| {
                kind.next(status, *event)
            })
    }

    #[test]
    fn an_uncollected_parcel_goes_back_cancelled_or_to_be_refunded() {
        let at_station = |payment| OrderKind {
            fulfilment: Fulfilment::Pickup,
            payment,
        };
        let ready = OrderStatus::ReadyForPickup;
        let back = OrderEvent::ReturnUncollected;
        assert_eq!(
            at_station(PaymentMethod::Cash).next(ready, back),
            Ok(OrderStatus::Cancelled)
        );
        assert_eq!(
            at_station(PaymentMethod::Online).next(ready, back),
            Ok(OrderStatus::CancelRequested)
        );
        assert!(
            at_station(PaymentMethod::Cash)
                .next(OrderStatus::PickedUp, back)
                .is_err()
        );
    }

    #[test]
    fn a_paid_home_order_goes_all_the_way() {
        let events = [
            OrderEvent::Pay,
            OrderEvent::Pack { packed_grams: 1040 },
            OrderEvent::Ship,
            OrderEvent::Deliver,
            OrderEvent::Complete,
        ];
        assert_eq!(run(HOME_ONLINE, &events), Ok(OrderStatus::Completed));
    }

    #[test]
    fn a_cash_pickup_order_is_packed_before_payment_and_picked_up() {
        let events = [
            OrderEvent::Pack { packed_grams: 500 },
            OrderEvent::Ship,
            OrderEvent::MarkReadyForPickup,
            OrderEvent::PickUp,
            OrderEvent::Complete,
        ];
        assert_eq!(run(PICKUP_CASH, &events), Ok(OrderStatus::Completed));
    }

    #[test]
    fn the_wrong_ways_are_refused() {
        assert!(
            run(HOME_ONLINE, &[OrderEvent::Pack { packed_grams: 500 }]).is_err(),
            "online orders are paid before packing"
        );
        assert!(
            run(
                HOME_ONLINE,
                &[OrderEvent::Pay, OrderEvent::Pack { packed_grams: 0 }]
            )
            .is_err(),
            "a packed weight is required"
        );
        assert!(
            run(PICKUP_CASH, &[OrderEvent::Pay]).is_err(),
            "cash orders are not paid online"
        );
        assert_eq!(
            run(HOME_ONLINE, &[OrderEvent::Pay, OrderEvent::Cancel]),
            Ok(OrderStatus::CancelRequested),
            "a paid order's cancel is a request"
        );
        assert_eq!(
            run(
                HOME_ONLINE,
                &[OrderEvent::Pay, OrderEvent::Cancel, OrderEvent::Refund]
            ),
            Ok(OrderStatus::Refunded)
        );
        assert_eq!(
            run(
                HOME_ONLINE,
                &[
                    OrderEvent::Pay,
                    OrderEvent::Cancel,
                    OrderEvent::RejectRefund
                ]
            ),
            Ok(OrderStatus::Paid),
            "refused, the shop goes on"
        );
        let packed = [OrderEvent::Pay, OrderEvent::Pack { packed_grams: 5 }];
        assert!(
            run(HOME_ONLINE, &[&packed[..], &[OrderEvent::Cancel]].concat()).is_err(),
            "no cancelling after packing"
        );
        let shipped = [
            OrderEvent::Pay,
            OrderEvent::Pack { packed_grams: 5 },
            OrderEvent::Ship,
        ];
        assert!(
            run(
                HOME_ONLINE,
                &[&shipped[..], &[OrderEvent::MarkReadyForPickup]].concat()
            )
            .is_err()
        );
        let pickup_online = OrderKind {
            fulfilment: Fulfilment::Pickup,
            payment: PaymentMethod::Online,
        };
        assert!(
            run(
                pickup_online,
                &[&shipped[..], &[OrderEvent::Deliver]].concat()
            )
            .is_err()
        );
    }

    #[test]
    fn baskets_merge_and_bound_their_lines() {
        assert_eq!(
            Basket::parse(&[(7, 2), (9, 1), (7, 3)]).map(|b| b.lines().to_vec()),
            Ok(vec![(7, 5), (9, 1)])
        );
        assert_eq!(
            Basket::parse(&[]).err().map(|e| e.code),
            Some("basket-empty")
        );
        assert_eq!(
            Basket::parse(&[(7, 0)]).err().map(|e| e.code),
            Some("quantity-invalid")
        );
        assert_eq!(
            Basket::parse(&[(7, 600), (7, 600)]).err().map(|e| e.code),
            Some("quantity-invalid")
        );
        let many: Vec<(i64, i64)> = (0..51).map(|v| (v, 1)).collect();
        assert_eq!(
            Basket::parse(&many).err().map(|e| e.code),
            Some("basket-too-large")
        );
        assert!(IdempotencyKey::parse("3f2b9c1e-8d4a-4b7e-9c2d-1a2b3c4d5e6f").is_ok());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse("has spaces in it").is_err());
    }

    #[test]
    fn refunds_follow_receipt() {
        let received = [
            OrderEvent::Pay,
            OrderEvent::Pack { packed_grams: 5 },
            OrderEvent::Ship,
            OrderEvent::Deliver,
        ];
        assert_eq!(
            run(
                HOME_ONLINE,
                &[
                    &received[..],
                    &[OrderEvent::RequestRefund, OrderEvent::Refund]
                ]
                .concat()
            ),
            Ok(OrderStatus::Refunded)
        );
        assert_eq!(
            run(
                HOME_ONLINE,
                &[
                    &received[..],
                    &[OrderEvent::RequestRefund, OrderEvent::RejectRefund]
                ]
                .concat()
            ),
            Ok(OrderStatus::Completed)
        );
        assert!(run(HOME_ONLINE, &[OrderEvent::RequestRefund]).is_err());
    }

    fn any_event() -> impl Strategy<Value = OrderEvent> {
        prop_oneof![
            Just(OrderEvent::Pay),
            (-5i64..5000).prop_map(|packed_grams| OrderEvent::Pack { packed_grams }),
            Just(OrderEvent::Ship),
            Just(OrderEvent::MarkReadyForPickup),
            Just(OrderEvent::Deliver),
            Just(OrderEvent::PickUp),
            Just(OrderEvent::Complete),
            Just(OrderEvent::Cancel),
            Just(OrderEvent::RequestRefund),
            Just(OrderEvent::Refund),
            Just(OrderEvent::RefundPart),
            Just(OrderEvent::RejectRefund),
        ]
    }

    fn any_kind() -> impl Strategy<Value = OrderKind> {
        (
            prop_oneof![Just(Fulfilment::Pickup), Just(Fulfilment::Home)],
            prop_oneof![Just(PaymentMethod::Online), Just(PaymentMethod::Cash)],
        )
            .prop_map(|(fulfilment, payment)| OrderKind {
                fulfilment,
                payment,
            })
    }

    proptest! {
        /// Whatever events arrive, in whatever order, applying only the legal ones keeps every
        /// invariant: final states stay final, nothing ships unpacked, online orders are paid
        /// before packing, pickup orders are never delivered and home orders never picked up.
        #[test]
        fn only_legal_histories_are_possible(kind in any_kind(), events in proptest::collection::vec(any_event(), 0..40)) {
            let mut status = OrderStatus::Placed;
            let mut history = vec![status];
            for event in events {
                match kind.next(status, event) {
                    Ok(next) => {
                        prop_assert!(!status.is_final(), "{status:?} is final yet took {event:?}");
                        status = next;
                        history.push(status);
                    }
                    Err(err) => prop_assert_eq!(err, IllegalTransition { from: status, event }),
                }
            }
            let seen = |s: OrderStatus| history.contains(&s);
            if seen(OrderStatus::Shipped) { prop_assert!(seen(OrderStatus::Packed)); }
            if seen(OrderStatus::Packed) && kind.payment == PaymentMethod::Online { prop_assert!(seen(OrderStatus::Paid)); }
            if kind.payment == PaymentMethod::Cash { prop_assert!(!seen(OrderStatus::Paid)); }
            if kind.fulfilment == Fulfilment::Pickup { prop_assert!(!seen(OrderStatus::Delivered)); }
            if kind.fulfilment == Fulfilment::Home { prop_assert!(!seen(OrderStatus::PickedUp) && !seen(OrderStatus::ReadyForPickup)); }
            if seen(OrderStatus::Cancelled) { prop_assert!(!seen(OrderStatus::Packed)); }
            // Money taken is never simply dropped: a refund follows the goods reaching the
            // buyer, or the buyer cancelling what they had paid for.
            if seen(OrderStatus::Refunded) {
                prop_assert!(seen(OrderStatus::Delivered) || seen(OrderStatus::PickedUp) || seen(OrderStatus::CancelRequested));
            }
            // A paid order is never cancelled outright: only a placed one is.
            if status == OrderStatus::Cancelled { prop_assert_eq!(history[history.len() - 2], OrderStatus::Placed); }
        }

        #[test]
        fn statuses_round_trip_through_text(index in 0usize..12) {
            let status = OrderStatus::ALL[index];
            prop_assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
            for f in Fulfilment::ALL {
                prop_assert_eq!(Fulfilment::parse(f.as_str()), Some(f));
            }
            for p in PaymentMethod::ALL {
                prop_assert_eq!(PaymentMethod::parse(p.as_str()), Some(p));
            }
        }
    }
}

/// Why a payment refused a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRefusal {
    /// A gateway confirmed a payment the buyer makes in cash at the counter.
    #[error("the payment is cash, not online")]
    NotOnline,
    /// Paying back more than the payment still owes (a second click, say).
    #[error("the payment owes less than that")]
    NothingOwed,
}

impl PaymentRefusal {
    pub fn code(self) -> &'static str {
        match self {
            PaymentRefusal::NotOnline => "payment-not-online",
            PaymentRefusal::NothingOwed => "refund-not-owed",
        }
    }
}
