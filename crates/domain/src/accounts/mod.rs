//! Accounts: who may sign in, and with what.
//!
//! A person signs in with a mainland mobile number or a login name, and a password.

mod hashing;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use hashing::{decoy_hash, hash_password, verify_password};

use crate::ValidationError;

/// A mainland China mobile number, kept as its 11 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts `13812345678`, `138 1234 5678`, `138-1234-5678`, `+86 138...`, `0086138...`.
    pub fn parse(text: &str) -> Result<PhoneNumber, ValidationError> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1])
            && bytes.iter().all(u8::is_ascii_digit);
        if valid {
            Ok(PhoneNumber(digits.to_owned()))
        } else {
            Err(ValidationError::new("login", "phone-invalid"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as shown to people who need not see it whole: `138****5678`.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks the middle four digits of an 11-digit number; anything else is masked whole.
pub fn mask_phone(digits: &str) -> String {
    match (digits.get(..3), digits.get(7..)) {
        (Some(head), Some(tail)) if digits.len() == 11 => format!("{head}****{tail}"),
        _ => "****".to_owned(),
    }
}

/// A login name: 3 to 32 of `a-z 0-9 . _ -`, starting with a letter, kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LoginName(String);

impl LoginName {
    pub fn parse(text: &str) -> Result<LoginName, ValidationError> {
        let name = text.trim().to_ascii_lowercase();
        let valid = (3..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if valid {
            Ok(LoginName(name))
        } else {
            Err(ValidationError::new("login", "login-invalid"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a person types to identify themselves: a phone number or a login name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LoginId {
    Phone(PhoneNumber),
    Name(LoginName),
}

impl LoginId {
    /// Anything that starts with a digit or `+` is read as a phone number.
    pub fn parse(text: &str) -> Result<LoginId, ValidationError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ValidationError::new("login", "required"));
        }
        if text.starts_with(|c: char| c.is_ascii_digit() || c == '+') {
            PhoneNumber::parse(text).map(LoginId::Phone)
        } else {
            LoginName::parse(text).map(LoginId::Name)
        }
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginId::Phone(p) => f.write_str(p.as_str()),
            LoginId::Name(n) => f.write_str(n.as_str()),
        }
    }
}

/// A password as typed, checked for length only; it never leaves the process unhashed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(text: &str) -> Result<Password, ValidationError> {
        let chars = text.chars().count();
        if chars < Self::MIN_CHARS {
            Err(ValidationError::new("password", "password-too-short"))
        } else if chars > Self::MAX_CHARS {
            Err(ValidationError::new("password", "password-too-long"))
        } else {
            Ok(Password(text.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The name shown for a person: 1 to 40 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(text: &str) -> Result<DisplayName, ValidationError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(ValidationError::new("display_name", "required"));
        }
        if name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(ValidationError::new("display_name", "display-name-invalid"));
        }
        Ok(DisplayName(name.to_owned()))
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
    fn mainland_numbers_are_accepted_in_common_spellings() {
        for text in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 13812345678",
            "008613812345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(text).map(|p| p.0),
                Ok("13812345678".to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn other_numbers_are_refused() {
        for text in [
            "12812345678",
            "1381234567",
            "138123456789",
            "23812345678",
            "1381234567a",
            "+1 4155550100",
        ] {
            assert!(PhoneNumber::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn phone_masking_hides_the_middle() {
        let phone = PhoneNumber::parse("13812345678").unwrap();
        assert_eq!(phone.masked(), "138****5678");
        assert_eq!(mask_phone("12"), "****");
    }

    #[test]
    fn login_ids_are_told_apart() {
        assert!(matches!(
            LoginId::parse("13912345678"),
            Ok(LoginId::Phone(_))
        ));
        assert!(
            matches!(LoginId::parse("Tekes.Centre"), Ok(LoginId::Name(n)) if n.as_str() == "tekes.centre")
        );
        assert_eq!(LoginId::parse("  ").err().map(|e| e.code), Some("required"));
        assert_eq!(
            LoginId::parse("ab").err().map(|e| e.code),
            Some("login-invalid")
        );
        assert_eq!(
            LoginId::parse("1ab").err().map(|e| e.code),
            Some("phone-invalid")
        );
        assert_eq!(
            LoginId::parse("名字").err().map(|e| e.code),
            Some("login-invalid")
        );
    }

    #[test]
    fn passwords_have_bounds_and_hide_in_debug() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("核桃枸杞红枣蜂蜜").is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("long enough").unwrap()),
            "Password(***)"
        );
    }

    proptest! {
        #[test]
        fn login_name_parse_never_panics(text in ".{0,64}") {
            let _ = LoginId::parse(&text);
            let _ = DisplayName::parse(&text);
        }

        #[test]
        fn valid_numbers_survive_formatting(second in 3u8..=9, rest in "[0-9]{9}") {
            let digits = format!("1{second}{rest}");
            let spaced = format!("+86 {} {} {}", &digits[..3], &digits[3..7], &digits[7..]);
            prop_assert_eq!(PhoneNumber::parse(&spaced).map(|p| p.0), Ok(digits));
        }
    }
}
