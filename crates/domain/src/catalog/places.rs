//! Places that hold a shop's goods besides its own store (issue 19, decision 0029): the
//! centre's showroom, a station, the distribution centre, another store. A place belongs to a
//! county; shops keep stock there and say whether online sales draw from it.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// What a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// The centre's showroom, where the till sells.
    Showroom,
    /// A village or township station.
    Station,
    /// The county's distribution centre.
    Depot,
    /// A store or warehouse of the centre's.
    Store,
}

impl PlaceKind {
    pub const ALL: [PlaceKind; 4] = [
        PlaceKind::Showroom,
        PlaceKind::Station,
        PlaceKind::Depot,
        PlaceKind::Store,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Showroom => "showroom",
            PlaceKind::Station => "station",
            PlaceKind::Depot => "depot",
            PlaceKind::Store => "store",
        }
    }

    pub fn parse(text: &str) -> Result<PlaceKind, ValidationError> {
        PlaceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or(ValidationError::new("kind", "place-kind-invalid"))
    }
}

/// The most units of one variant a transfer or a count may name (a shelf, not a silo).
pub const MAX_UNITS: i64 = 1_000_000;

/// Units sent, received or counted: 0 up to [`MAX_UNITS`].
pub fn check_units(field: &'static str, units: i64) -> Result<i64, ValidationError> {
    if (0..=MAX_UNITS).contains(&units) {
        Ok(units)
    } else {
        Err(ValidationError::new(field, "units-invalid"))
    }
}

/// How the units of a transfer's line arrived: the difference is what went missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    pub sent: i64,
    pub received: i64,
}

impl Arrival {
    /// Received more than was sent is a mistake in the count, never stock out of nowhere.
    pub fn new(sent: i64, received: i64) -> Result<Arrival, ValidationError> {
        let received = check_units("received", received)?;
        if received > sent {
            return Err(ValidationError::new("received", "received-more-than-sent"));
        }
        Ok(Arrival { sent, received })
    }

    pub fn missing(self) -> i64 {
        self.sent - self.received
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arrival_never_makes_stock() {
        assert_eq!(Arrival::new(10, 7).unwrap().missing(), 3);
        assert_eq!(Arrival::new(10, 10).unwrap().missing(), 0);
        assert_eq!(
            Arrival::new(10, 11).unwrap_err().code,
            "received-more-than-sent"
        );
        assert_eq!(Arrival::new(10, -1).unwrap_err().code, "units-invalid");
    }

    #[test]
    fn kinds_read_back() {
        for kind in PlaceKind::ALL {
            assert_eq!(PlaceKind::parse(kind.as_str()).unwrap(), kind);
        }
        assert!(PlaceKind::parse("moon").is_err());
    }
}
