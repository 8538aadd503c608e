//! Outbound webhooks: the events a shop or a county may subscribe an address to, and how
//! each delivery is signed so the receiver can check it came from FarmGate, unchanged and
//! recently.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Something a subscriber may be told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    OrderPlaced,
    OrderPaid,
    OrderShipped,
    RefundRequested,
    OrderRefunded,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 5] = [
        WebhookEvent::OrderPlaced,
        WebhookEvent::OrderPaid,
        WebhookEvent::OrderShipped,
        WebhookEvent::RefundRequested,
        WebhookEvent::OrderRefunded,
    ];

    /// The name a delivery carries (`X-FarmGate-Event`) and a subscription lists.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::OrderPlaced => "order.placed",
            WebhookEvent::OrderPaid => "order.paid",
            WebhookEvent::OrderShipped => "order.shipped",
            WebhookEvent::RefundRequested => "refund.requested",
            WebhookEvent::OrderRefunded => "order.refunded",
        }
    }

    pub fn parse(text: &str) -> Option<WebhookEvent> {
        WebhookEvent::ALL
            .into_iter()
            .find(|e| e.as_str() == text.trim())
    }
}

/// The signature header's value for `body` sent at `timestamp` (Unix seconds):
/// `v1=` and the hex HMAC-SHA256, under the subscription's secret, of `"{timestamp}.{body}"`.
/// The timestamp is signed too, so an old delivery replayed later can be told apart.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a delivery as a receiver should: the signature in constant time, and a timestamp no
/// further than `tolerance_secs` from `now`.
pub fn verify(
    secret: &[u8],
    timestamp: i64,
    body: &[u8],
    header: &str,
    now: i64,
    tolerance_secs: i64,
) -> bool {
    let Some(hex_sig) = header.strip_prefix("v1=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    (now - timestamp).abs() <= tolerance_secs && mac.verify_slice(&given).is_ok()
}

/// How long to wait before attempt `attempt` (1 = the first retry): `base_secs` doubling each
/// time, at most a day.
pub fn backoff_secs(base_secs: u64, attempt: u32) -> u64 {
    base_secs
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(20))
        .min(86_400)
}

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_unchanged_and_recent() {
        let sig = signature(b"secret", 1_700_000_000, b"{\"a\":1}");
        assert!(verify(
            b"secret",
            1_700_000_000,
            b"{\"a\":1}",
            &sig,
            1_700_000_100,
            300
        ));
        assert!(!verify(
            b"secret",
            1_700_000_000,
            b"{\"a\":2}",
            &sig,
            1_700_000_100,
            300
        ));
        assert!(!verify(
            b"other",
            1_700_000_000,
            b"{\"a\":1}",
            &sig,
            1_700_000_100,
            300
        ));
        assert!(!verify(
            b"secret",
            1_700_000_001,
            b"{\"a\":1}",
            &sig,
            1_700_000_100,
            300
        ));
        assert!(!verify(
            b"secret",
            1_700_000_000,
            b"{\"a\":1}",
            &sig,
            1_700_001_000,
            300
        ));
        assert!(!verify(
            b"secret",
            1_700_000_000,
            b"{\"a\":1}",
            "zz",
            1_700_000_000,
            300
        ));
    }

    #[test]
    fn backoff_doubles_and_is_bounded() {
        assert_eq!(backoff_secs(30, 1), 30);
        assert_eq!(backoff_secs(30, 2), 60);
        assert_eq!(backoff_secs(30, 4), 240);
        assert_eq!(backoff_secs(30, 40), 86_400);
    }

    #[test]
    fn events_round_trip() {
        for e in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(e.as_str()), Some(e));
        }
        assert_eq!(WebhookEvent::parse("order.eaten"), None);
    }
}
