//! The codes FarmGate signs for training: the check-in code a trainer's screen shows (it
//! changes every minute and is only good for a short while, so a photo of it sent to a friend
//! at home is useless by the time they open it), and a certificate's verification code.
//!
//! Both are HMAC-SHA256 under a key the store keeps (one per purpose), cut to 128 bits and
//! written in hex so they fit a small QR code and a URL.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How often the trainer's screen shows a new code.
pub const CHECK_IN_ROTATE_SECS: i64 = 60;

/// How long a code is accepted after it was shown: a minute, and half a minute more for the
/// trainee whose phone opened it as it changed.
pub const CHECK_IN_LIFETIME_SECS: i64 = 90;

/// Clocks differ a little between instances: a code this far in the future is still taken.
const CLOCK_SKEW_SECS: i64 = 30;

const SIGNATURE_BYTES: usize = 16;

fn mac(key: &[u8], message: &str) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(message.as_bytes());
    Some(mac)
}

pub(crate) fn sign(key: &[u8], message: &str) -> String {
    match mac(key, message) {
        Some(mac) => hex::encode(&mac.finalize().into_bytes()[..SIGNATURE_BYTES]),
        None => String::new(),
    }
}

pub(crate) fn verify(key: &[u8], message: &str, signature: &str) -> bool {
    let Some(bytes) = hex::decode(signature)
        .ok()
        .filter(|b| b.len() == SIGNATURE_BYTES)
    else {
        return false;
    };
    mac(key, message).is_some_and(|mac| mac.verify_truncated_left(&bytes).is_ok())
}

/// What the check-in code says: this session, this day, shown at this moment (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInToken {
    pub session_id: i64,
    pub day: i32,
    pub issued_at: i64,
}

/// Why a scanned code was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckInRefusal {
    /// Not a check-in code at all (cut off, typed by hand).
    Malformed,
    /// The signature does not match: someone made it up or changed it.
    Forged,
    /// Older than [`CHECK_IN_LIFETIME_SECS`] (or from too far in the future).
    Expired,
}

impl CheckInRefusal {
    /// The message id (`error-<code>`) that explains it.
    pub fn code(self) -> &'static str {
        match self {
            CheckInRefusal::Malformed => "check-in-malformed",
            CheckInRefusal::Forged => "check-in-forged",
            CheckInRefusal::Expired => "check-in-expired",
        }
    }
}

impl CheckInToken {
    fn message(&self) -> String {
        format!(
            "check-in:{}:{}:{}",
            self.session_id, self.day, self.issued_at
        )
    }

    /// The code for the screen: `session.day.issued.signature`.
    pub fn sign(&self, key: &[u8]) -> String {
        format!(
            "{}.{}.{}.{}",
            self.session_id,
            self.day,
            self.issued_at,
            sign(key, &self.message())
        )
    }

    /// The token a code stands for, if it was signed with `key` and is still fresh at `now`.
    pub fn verify(code: &str, key: &[u8], now: i64) -> Result<CheckInToken, CheckInRefusal> {
        let mut parts = code.trim().split('.');
        let (Some(session), Some(day), Some(issued), Some(signature), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(CheckInRefusal::Malformed);
        };
        let token = match (session.parse(), day.parse(), issued.parse()) {
            (Ok(session_id), Ok(day), Ok(issued_at)) => CheckInToken {
                session_id,
                day,
                issued_at,
            },
            _ => return Err(CheckInRefusal::Malformed),
        };
        if !verify(key, &token.message(), signature) {
            return Err(CheckInRefusal::Forged);
        }
        let age = now - token.issued_at;
        if !(-CLOCK_SKEW_SECS..=CHECK_IN_LIFETIME_SECS).contains(&age) {
            return Err(CheckInRefusal::Expired);
        }
        Ok(token)
    }
}

/// A certificate's verification signature over its code.
pub fn certificate_signature(key: &[u8], code: &str) -> String {
    sign(key, &format!("certificate:{code}"))
}

/// Whether `signature` is the certificate signature of `code` under `key`.
pub fn verify_certificate(key: &[u8], code: &str, signature: &str) -> bool {
    verify(key, &format!("certificate:{code}"), signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a key of the training floor";

    fn token() -> CheckInToken {
        CheckInToken {
            session_id: 12,
            day: 3,
            issued_at: 1_790_000_000,
        }
    }

    #[test]
    fn a_fresh_code_is_taken() {
        let code = token().sign(KEY);
        assert_eq!(CheckInToken::verify(&code, KEY, 1_790_000_000), Ok(token()));
        assert_eq!(
            CheckInToken::verify(&code, KEY, 1_790_000_000 + CHECK_IN_LIFETIME_SECS),
            Ok(token())
        );
    }

    #[test]
    fn an_old_code_is_refused() {
        let code = token().sign(KEY);
        assert_eq!(
            CheckInToken::verify(&code, KEY, 1_790_000_000 + CHECK_IN_LIFETIME_SECS + 1),
            Err(CheckInRefusal::Expired)
        );
        assert_eq!(
            CheckInToken::verify(&code, KEY, 1_790_000_000 - 120),
            Err(CheckInRefusal::Expired)
        );
    }

    #[test]
    fn a_changed_or_foreign_code_is_refused() {
        let code = token().sign(KEY);
        let other_day = code.replacen(".3.", ".4.", 1);
        assert_eq!(
            CheckInToken::verify(&other_day, KEY, 1_790_000_000),
            Err(CheckInRefusal::Forged)
        );
        assert_eq!(
            CheckInToken::verify(&code, b"another key", 1_790_000_000),
            Err(CheckInRefusal::Forged)
        );
        assert_eq!(
            CheckInToken::verify("12.3.1790000000", KEY, 1_790_000_000),
            Err(CheckInRefusal::Malformed)
        );
        assert_eq!(
            CheckInToken::verify("12.3.x.ab", KEY, 1_790_000_000),
            Err(CheckInRefusal::Malformed)
        );
        assert_eq!(
            CheckInToken::verify("12.3.1790000000.zz", KEY, 1_790_000_000),
            Err(CheckInRefusal::Forged)
        );
    }

    #[test]
    fn certificates_verify_only_their_own_code() {
        let signature = certificate_signature(KEY, "abc123");
        assert!(verify_certificate(KEY, "abc123", &signature));
        assert!(!verify_certificate(KEY, "abc124", &signature));
        assert!(!verify_certificate(b"other", "abc123", &signature));
        assert!(!verify_certificate(KEY, "abc123", "00"));
    }
}
