//! Refund requests: a buyer asks for money back for a whole order or some of its lines, with a
//! reason; the shop accepts (all it was asked, or a part) or declines with a reason the buyer
//! sees; a declined buyer may take it to the county's centre once, and the centre also decides
//! requests a shop left unanswered for three days. An accepted refund is paid back through the
//! payment's provider (online) or in cash at the station, and the goods go back on the shelf
//! only when they come back.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;

/// Why the buyer wants money back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    NotReceived,
    Damaged,
    WrongItem,
    Quality,
}

impl RefundReason {
    pub const ALL: [RefundReason; 4] = [
        RefundReason::NotReceived,
        RefundReason::Damaged,
        RefundReason::WrongItem,
        RefundReason::Quality,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::NotReceived => "not_received",
            RefundReason::Damaged => "damaged",
            RefundReason::WrongItem => "wrong_item",
            RefundReason::Quality => "quality",
        }
    }

    pub fn parse(text: &str) -> Result<RefundReason, ValidationError> {
        RefundReason::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim())
            .ok_or(ValidationError::new("reason", "refund-reason-invalid"))
    }
}

/// Where a refund request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Waiting for the shop's answer.
    Requested,
    /// The shop declined; the buyer may still take it to the centre.
    Declined,
    /// The buyer took a declined request to the centre, which decides.
    Disputed,
    /// Accepted: the money is on its way back (online) or waits at the station (cash).
    Accepted,
    /// The money is back with the buyer.
    Paid,
    /// Declined by the centre: final.
    Closed,
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 6] = [
        RefundStatus::Requested,
        RefundStatus::Declined,
        RefundStatus::Disputed,
        RefundStatus::Accepted,
        RefundStatus::Paid,
        RefundStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Requested => "requested",
            RefundStatus::Declined => "declined",
            RefundStatus::Disputed => "disputed",
            RefundStatus::Accepted => "accepted",
            RefundStatus::Paid => "paid",
            RefundStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<RefundStatus> {
        RefundStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Waiting for someone's decision (the shop's, or the centre's).
    pub fn is_open(self) -> bool {
        matches!(self, RefundStatus::Requested | RefundStatus::Disputed)
    }
}

/// How long a shop has to answer before the centre may decide in its place, and how old a
/// dispute is before the centre's list shows it as due.
pub const CENTRE_AFTER_DAYS: i64 = 3;

/// The most a buyer may ask back for `quantity` of a line of `ordered` units that cost
/// `line_total`: its share, rounded down to the fen. `None` when the quantity is not between 1
/// and what was ordered.
pub fn line_share(line_total: Fen, ordered: u32, quantity: u32) -> Option<Fen> {
    if quantity == 0 || quantity > ordered {
        return None;
    }
    let share = i128::from(line_total.0) * i128::from(quantity) / i128::from(ordered);
    i64::try_from(share).ok().map(Fen)
}

/// What the shop may grant: at least one fen and no more than was asked.
pub fn check_granted(asked: Fen, granted: Fen) -> Result<Fen, ValidationError> {
    if granted.0 <= 0 || granted > asked {
        return Err(ValidationError::new("amount", "refund-amount-invalid"));
    }
    Ok(granted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_proportional_and_bounded() {
        assert_eq!(line_share(Fen(9_000), 3, 1), Some(Fen(3_000)));
        assert_eq!(line_share(Fen(1_000), 3, 2), Some(Fen(666)));
        assert_eq!(line_share(Fen(1_000), 3, 3), Some(Fen(1_000)));
        assert_eq!(line_share(Fen(1_000), 3, 4), None);
        assert_eq!(line_share(Fen(1_000), 3, 0), None);
        assert_eq!(line_share(Fen(i64::MAX), 999, 999), Some(Fen(i64::MAX)));
    }

    #[test]
    fn the_shop_grants_a_part_never_more() {
        assert!(check_granted(Fen(500), Fen(500)).is_ok());
        assert!(check_granted(Fen(500), Fen(1)).is_ok());
        assert!(check_granted(Fen(500), Fen(501)).is_err());
        assert!(check_granted(Fen(500), Fen(0)).is_err());
        assert!(check_granted(Fen(500), Fen(-5)).is_err());
    }

    #[test]
    fn reasons_and_statuses_round_trip() {
        for r in RefundReason::ALL {
            assert_eq!(RefundReason::parse(r.as_str()), Ok(r));
        }
        for s in RefundStatus::ALL {
            assert_eq!(RefundStatus::parse(s.as_str()), Some(s));
        }
        assert!(RefundReason::parse("bored").is_err());
    }
}
