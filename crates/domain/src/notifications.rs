//! What people are told about their things: the kinds of notice, who each is for, and whether
//! it is on until the person says otherwise.

use serde::{Deserialize, Serialize};

/// A kind of notice. Its text is the catalogue's `notice-<kind>`, written in the reader's
/// language when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A new order for the shop.
    OrderPlaced,
    /// An order of the shop was paid online.
    OrderPaid,
    /// The buyer's parcel waits at the station.
    OrderReady,
    /// The buyer's parcel waited too long at the station and went back to the shop.
    OrderReturned,
    /// To the shop: a parcel nobody collected at its station is coming back.
    ParcelReturned,
    /// The buyer's parcel left the shop (with the carrier and tracking number).
    OrderShipped,
    OrderDelivered,
    /// A buyer asked the shop for money back.
    RefundRequested,
    /// The shop (or the centre) answered a refund request: accepted, in part, or declined.
    RefundAnswered,
    /// The money of an accepted refund is back with the buyer.
    RefundPaid,
    /// The centre decided a shop application.
    ShopDecided,
    /// A training session the person is enrolled in starts tomorrow.
    SessionTomorrow,
}

/// Whom a kind of notice is for (the settings page groups them so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Seller,
    Buyer,
    Applicant,
    Trainee,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 12] = [
        NoticeKind::OrderPlaced,
        NoticeKind::OrderPaid,
        NoticeKind::RefundRequested,
        NoticeKind::OrderReady,
        NoticeKind::OrderReturned,
        NoticeKind::ParcelReturned,
        NoticeKind::OrderShipped,
        NoticeKind::OrderDelivered,
        NoticeKind::RefundAnswered,
        NoticeKind::RefundPaid,
        NoticeKind::ShopDecided,
        NoticeKind::SessionTomorrow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::OrderPlaced => "order_placed",
            NoticeKind::OrderPaid => "order_paid",
            NoticeKind::OrderReady => "order_ready",
            NoticeKind::OrderReturned => "order_returned",
            NoticeKind::ParcelReturned => "parcel_returned",
            NoticeKind::OrderShipped => "order_shipped",
            NoticeKind::OrderDelivered => "order_delivered",
            NoticeKind::RefundRequested => "refund_requested",
            NoticeKind::RefundAnswered => "refund_answered",
            NoticeKind::RefundPaid => "refund_paid",
            NoticeKind::ShopDecided => "shop_decided",
            NoticeKind::SessionTomorrow => "session_tomorrow",
        }
    }

    pub fn parse(text: &str) -> Option<NoticeKind> {
        NoticeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
    }

    pub fn audience(self) -> Audience {
        match self {
            NoticeKind::OrderPlaced
            | NoticeKind::OrderPaid
            | NoticeKind::RefundRequested
            | NoticeKind::ParcelReturned => Audience::Seller,
            NoticeKind::OrderReady
            | NoticeKind::OrderReturned
            | NoticeKind::OrderShipped
            | NoticeKind::OrderDelivered
            | NoticeKind::RefundAnswered
            | NoticeKind::RefundPaid => Audience::Buyer,
            NoticeKind::ShopDecided => Audience::Applicant,
            NoticeKind::SessionTomorrow => Audience::Trainee,
        }
    }

    /// Whether a text message is sent when the person has not chosen: only what a person
    /// must act on away from a screen (a parcel to collect, a class tomorrow).
    pub fn sms_by_default(self) -> bool {
        matches!(self, NoticeKind::OrderReady | NoticeKind::SessionTomorrow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_have_an_audience() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NoticeKind::parse("spam"), None);
        assert_eq!(NoticeKind::OrderPlaced.audience(), Audience::Seller);
        assert!(NoticeKind::OrderReady.sms_by_default());
        assert!(!NoticeKind::OrderPlaced.sms_by_default());
    }
}
