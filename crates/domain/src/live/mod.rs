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

/// Why a room refused a step: each is a message id `error-<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomRefusal {
    #[error("the room is live already")]
    AlreadyLive,
    #[error("the room has ended")]
    Ended,
}

impl RoomRefusal {
    pub fn code(self) -> &'static str {
        match self {
            RoomRefusal::AlreadyLive => "live-already-live",
            RoomRefusal::Ended => "live-ended",
        }
    }
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
        self.step(event).ok()
    }

    /// `next`, saying why when the room may not take `event`.
    pub fn step(self, event: RoomEvent) -> Result<RoomStatus, RoomRefusal> {
        match (self, event) {
            (RoomStatus::Scheduled, RoomEvent::Start) => Ok(RoomStatus::Live),
            (RoomStatus::Scheduled | RoomStatus::Live, RoomEvent::End) => Ok(RoomStatus::Ended),
            (RoomStatus::Live, RoomEvent::Start) => Err(RoomRefusal::AlreadyLive),
            (RoomStatus::Ended, _) => Err(RoomRefusal::Ended),
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

/// The longest chat message, in characters: a line or two on a phone.
pub const CHAT_MAX_CHARS: usize = 200;

/// A chat message as a viewer typed it: trimmed, not empty, at most [`CHAT_MAX_CHARS`]
/// characters, no control characters (line breaks become spaces). Any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatText(String);

impl ChatText {
    pub fn parse(text: &str) -> Result<ChatText, ValidationError> {
        let text: String = text
            .trim()
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        if text.is_empty() {
            return Err(ValidationError::new("text", "chat-empty"));
        }
        if text.chars().count() > CHAT_MAX_CHARS || text.chars().any(char::is_control) {
            return Err(ValidationError::new("text", "chat-invalid"));
        }
        Ok(ChatText(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who is watching, for counting unique viewers: a signed-in account, or a guest id the room
/// page handed out signed (`<random>.<signature>`, kept by the browser). A made-up id counts
/// for nothing, so a script cannot inflate a room's unique viewers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewerId(String);

impl ViewerId {
    pub fn account(id: i64) -> ViewerId {
        ViewerId(format!("a{id}"))
    }

    /// A guest's token for `random` (8 to 40 of A-Z a-z 0-9 - _), signed with `key`.
    pub fn guest_token(key: &[u8], random: &str) -> String {
        format!("{random}.{}", crate::training::signing::sign(key, random))
    }

    /// The guest behind a token the room page handed out; `None` for anything else.
    pub fn guest(key: &[u8], token: &str) -> Option<ViewerId> {
        let (random, signature) = token.split_once('.')?;
        let ok = (8..=40).contains(&random.len())
            && random
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && crate::training::signing::verify(key, random, signature);
        ok.then(|| ViewerId(format!("v{random}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
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

    #[test]
    fn chat_text_is_one_short_line() {
        assert_eq!(
            ChatText::parse("  好吃吗？\n多少钱 ").unwrap().as_str(),
            "好吃吗？ 多少钱"
        );
        assert_eq!(
            ChatText::parse("ياڭاق قانچە پۇل؟").unwrap().as_str(),
            "ياڭاق قانچە پۇل؟"
        );
        assert_eq!(ChatText::parse("   ").unwrap_err().code, "chat-empty");
        assert_eq!(
            ChatText::parse(&"核".repeat(201)).unwrap_err().code,
            "chat-invalid"
        );
        assert!(ChatText::parse(&"核".repeat(200)).is_ok());
        assert!(ChatText::parse("a\u{7}b").is_err());
    }

    #[test]
    fn guest_viewer_ids_count_only_when_the_server_signed_them() {
        let key = b"live-viewer-key";
        let token = ViewerId::guest_token(key, "abcd-1234");
        assert_eq!(ViewerId::guest(key, &token).unwrap().as_str(), "vabcd-1234");
        assert!(ViewerId::guest(key, "abcd-1234").is_none(), "made up");
        assert!(ViewerId::guest(b"another-key", &token).is_none());
        assert!(ViewerId::guest(key, &token.replace("abcd", "abce")).is_none());
        assert!(ViewerId::guest(key, &ViewerId::guest_token(key, "short")).is_none());
        assert!(ViewerId::guest(key, &ViewerId::guest_token(key, "has space in it")).is_none());
        assert_eq!(ViewerId::account(7).as_str(), "a7");
    }

    proptest! {
        #[test]
        fn chat_text_never_grows_past_the_limit(text in ".{0,300}") {
            if let Ok(chat) = ChatText::parse(&text) {
                prop_assert!(chat.as_str().chars().count() <= CHAT_MAX_CHARS);
                prop_assert!(!chat.as_str().chars().any(char::is_control));
            }
        }

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
