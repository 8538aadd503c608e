//! Stations: the township and village service points where parcels are picked up, villagers
//! buy online through an operator, and produce is collected.

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in StationKind::ALL {
            assert_eq!(StationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StationKind::parse("kiosk"), None);
    }
}
