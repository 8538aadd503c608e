//! Stations: the township and village service points where parcels are picked up, villagers
//! buy online through an operator, and produce is collected.

pub mod produce;
pub mod till;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StationKind {
    /// The county's e-commerce public service centre (its showroom doubles as a pickup point).
    Centre,
    Township,
    Village,
}

impl StationKind {
    pub const ALL: [StationKind; 3] = [
        StationKind::Centre,
        StationKind::Township,
        StationKind::Village,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StationKind::Centre => "centre",
            StationKind::Township => "township",
            StationKind::Village => "village",
        }
    }

    pub fn parse(text: &str) -> Option<StationKind> {
        StationKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Where a parcel is in a station's hands: expected (on its way), received (on the shelf,
/// its buyer told), handed over (against the buyer's code), or returned (not collected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    Expected,
    Received,
    HandedOver,
    Returned,
}

impl ParcelStatus {
    pub const ALL: [ParcelStatus; 4] = [
        ParcelStatus::Expected,
        ParcelStatus::Received,
        ParcelStatus::HandedOver,
        ParcelStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ParcelStatus::Expected => "expected",
            ParcelStatus::Received => "received",
            ParcelStatus::HandedOver => "handed_over",
            ParcelStatus::Returned => "returned",
        }
    }

    pub fn parse(text: &str) -> Option<ParcelStatus> {
        ParcelStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Why a station refused a step with a parcel: answers with their own message
/// (`error-<code>`), beside the field they concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StationRefusal {
    #[error("no parcel with this label is on its way to the station")]
    NotExpected,
    #[error("the parcel was already received")]
    AlreadyReceived,
    #[error("the pickup code is not the parcel's")]
    WrongCode,
    #[error("too many wrong codes: the parcel has a new one")]
    CodeRenewed,
    #[error("the parcel has not waited its days yet")]
    NotOverdue,
    #[error("the day was closed already")]
    DayClosed,
    #[error("the day is not over yet")]
    DayNotOver,
    #[error("the station does not collect produce")]
    NotCollecting,
    #[error("the receiving shop has no price for this produce and grade")]
    NotPriced,
    #[error("the product is not sold by weight")]
    NotByWeight,
}

impl StationRefusal {
    pub fn code(self) -> &'static str {
        match self {
            StationRefusal::NotExpected => "parcel-not-expected",
            StationRefusal::AlreadyReceived => "parcel-already-received",
            StationRefusal::WrongCode => "pickup-code-wrong",
            StationRefusal::CodeRenewed => "pickup-code-renewed",
            StationRefusal::NotOverdue => "parcel-not-overdue",
            StationRefusal::DayClosed => "day-closed",
            StationRefusal::DayNotOver => "day-not-over",
            StationRefusal::NotCollecting => "station-not-collecting",
            StationRefusal::NotPriced => "produce-not-priced",
            StationRefusal::NotByWeight => "produce-not-by-weight",
        }
    }

    /// The form field the refusal belongs beside.
    pub fn field(self) -> &'static str {
        match self {
            StationRefusal::NotExpected | StationRefusal::AlreadyReceived => "label",
            StationRefusal::WrongCode
            | StationRefusal::CodeRenewed
            | StationRefusal::NotOverdue => "code",
            StationRefusal::DayClosed | StationRefusal::DayNotOver => "day",
            StationRefusal::NotCollecting => "station",
            StationRefusal::NotPriced => "grade",
            StationRefusal::NotByWeight => "variant",
        }
    }
}

/// How many wrong pickup codes a parcel takes before its code is replaced (and the buyer is
/// shown the new one): a guesser gets this many tries in a million per code, the buyer is never
/// locked out.
pub const PICKUP_CODE_TRIES: i32 = 5;

/// Days a parcel waits on a station's shelf before it is flagged for return, unless the
/// station says otherwise.
pub const DEFAULT_HOLD_DAYS: i32 = 7;

/// The six digits a buyer shows (or reads out) to collect a parcel at a station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PickupCode(String);

impl PickupCode {
    /// The code of a number drawn at random (its last six digits).
    pub fn from_number(n: u32) -> PickupCode {
        PickupCode(format!("{:06}", n % 1_000_000))
    }

    /// A code as typed: spaces and dashes between the digits are allowed.
    pub fn parse(text: &str) -> Result<PickupCode, ValidationError> {
        let digits: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(PickupCode(digits))
        } else {
            Err(ValidationError::new("code", "pickup-code-invalid"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compared in constant time: how many digits match tells an onlooker nothing.
    pub fn matches(&self, other: &PickupCode) -> bool {
        self.0
            .bytes()
            .zip(other.0.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
            && self.0.len() == other.0.len()
    }
}

/// The code on a parcel's label: FarmGate's own parcels carry `FG` and the order's number in
/// eight digits; an express company's parcel carries its tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ParcelLabel(String);

impl ParcelLabel {
    /// The label of FarmGate's order `order_id`.
    pub fn of_order(order_id: i64) -> ParcelLabel {
        ParcelLabel(format!("FG{order_id:08}"))
    }

    /// A label as scanned or typed: case, spaces and dashes do not matter; 4 to 32 letters and
    /// digits, or an order's number (digits only, any length up to 32).
    pub fn parse(text: &str) -> Result<ParcelLabel, ValidationError> {
        let code: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        // An order's number may be short; anything else is 4 characters at least.
        let shortest = if code.bytes().all(|b| b.is_ascii_digit()) {
            1
        } else {
            4
        };
        if (shortest..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            Ok(ParcelLabel(code))
        } else {
            Err(ValidationError::new("label", "parcel-label-invalid"))
        }
    }

    /// What else the person may have meant: an order number typed without its `FG`.
    pub fn order_label(&self) -> Option<ParcelLabel> {
        let number: i64 = self.0.parse().ok()?;
        Some(ParcelLabel::of_order(number))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_typed_loosely_and_compared_whole() {
        assert_eq!(PickupCode::from_number(42).as_str(), "000042");
        assert_eq!(PickupCode::from_number(4_123_456).as_str(), "123456");
        let typed = PickupCode::parse(" 123 456 ").unwrap();
        assert!(typed.matches(&PickupCode::parse("123-456").unwrap()));
        assert!(!typed.matches(&PickupCode::parse("123457").unwrap()));
        assert!(PickupCode::parse("12345").is_err());
        assert!(PickupCode::parse("12345a").is_err());
    }

    #[test]
    fn labels_read_as_scanned_or_typed() {
        assert_eq!(ParcelLabel::of_order(1234).as_str(), "FG00001234");
        let typed = ParcelLabel::parse("fg 0000-1234").unwrap();
        assert_eq!(typed, ParcelLabel::of_order(1234));
        assert_eq!(
            ParcelLabel::parse("1234").unwrap().order_label(),
            Some(ParcelLabel::of_order(1234))
        );
        assert_eq!(
            ParcelLabel::parse("YT7788990011").unwrap().order_label(),
            None
        );
        assert!(ParcelLabel::parse("F#1").is_err());
        assert!(ParcelLabel::parse("AB1").is_err());
        assert_eq!(
            ParcelLabel::parse("7").unwrap().order_label(),
            Some(ParcelLabel::of_order(7))
        );
        for status in ParcelStatus::ALL {
            assert_eq!(ParcelStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in StationKind::ALL {
            assert_eq!(StationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StationKind::parse("kiosk"), None);
    }
}
