//! Live rooms: a host sells from a livestream. A room is scheduled, goes live, and ends; while
//! live its pinned products may carry a room price.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomStatus {
    Scheduled,
    Live,
    Ended,
}

/// What a host does to a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomEvent {
    Start,
    End,
}

impl RoomStatus {
    pub const ALL: [RoomStatus; 3] = [RoomStatus::Scheduled, RoomStatus::Live, RoomStatus::Ended];

    pub fn as_str(self) -> &'static str {
        match self {
            RoomStatus::Scheduled => "scheduled",
            RoomStatus::Live => "live",
            RoomStatus::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> Option<RoomStatus> {
        RoomStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The state after `event`, if the room may take it: a scheduled room starts or is called
    /// off (ends without going live); a live room ends; an ended room stays ended.
    pub fn next(self, event: RoomEvent) -> Option<RoomStatus> {
        match (self, event) {
            (RoomStatus::Scheduled, RoomEvent::Start) => Some(RoomStatus::Live),
            (RoomStatus::Scheduled | RoomStatus::Live, RoomEvent::End) => Some(RoomStatus::Ended),
            _ => None,
        }
    }
}

/// A room price: below the variant's own price (a room exists to offer a deal), above zero.
pub fn check_room_price(room: Fen, regular: Fen) -> Result<Fen, ValidationError> {
    if room.0 > 0 && room <= regular {
        Ok(room)
    } else {
        Err(ValidationError::new("room_price", "room-price-invalid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_room_goes_live_once_and_ends_once() {
        let live = RoomStatus::Scheduled.next(RoomEvent::Start).unwrap();
        assert_eq!(live, RoomStatus::Live);
        assert_eq!(live.next(RoomEvent::Start), None);
        let ended = live.next(RoomEvent::End).unwrap();
        assert_eq!(ended.next(RoomEvent::Start), None);
        assert_eq!(ended.next(RoomEvent::End), None);
        assert_eq!(
            RoomStatus::Scheduled.next(RoomEvent::End),
            Some(RoomStatus::Ended)
        );
    }

    #[test]
    fn room_prices_are_deals() {
        assert_eq!(check_room_price(Fen(2990), Fen(3800)), Ok(Fen(2990)));
        assert!(check_room_price(Fen(3801), Fen(3800)).is_err());
        assert!(check_room_price(Fen(0), Fen(3800)).is_err());
    }

    proptest! {
        #[test]
        fn no_history_leaves_ended(events in proptest::collection::vec(any::<bool>(), 0..20)) {
            let mut status = RoomStatus::Scheduled;
            let mut ended = false;
            for start in events {
                let event = if start { RoomEvent::Start } else { RoomEvent::End };
                if let Some(next) = status.next(event) {
                    prop_assert!(!ended, "nothing moves an ended room");
                    status = next;
                }
                ended = status == RoomStatus::Ended;
            }
            prop_assert_eq!(RoomStatus::parse(status.as_str()), Some(status));
        }
    }
}
