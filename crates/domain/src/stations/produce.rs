//! Produce a station takes in from villagers on consignment (agricultural products into the
//! city): weighed, graded, priced per the receiving shop's price list, and labelled as a batch
//! whose QR code tells a buyer where it came from.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;

/// The grade the operator gives a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    First,
    Second,
    Third,
}

impl Grade {
    pub const ALL: [Grade; 3] = [Grade::First, Grade::Second, Grade::Third];

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::First => "first",
            Grade::Second => "second",
            Grade::Third => "third",
        }
    }

    pub fn parse(text: &str) -> Result<Grade, ValidationError> {
        Grade::ALL
            .into_iter()
            .find(|g| g.as_str() == text.trim())
            .ok_or(ValidationError::new("grade", "grade-invalid"))
    }
}

/// The most a batch may weigh (5 tonnes): more is a typing slip.
pub const MAX_BATCH_GRAMS: i64 = 5_000_000;

/// A weight as typed on the scale's reading, in kilograms with up to three decimals
/// (`12.5`); grams.
pub fn parse_kg(text: &str) -> Result<i64, ValidationError> {
    let invalid = ValidationError::new("weight", "weight-invalid");
    let text = text.trim().trim_end_matches("kg").trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || fraction.len() > 3
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 7
    {
        return Err(invalid);
    }
    let kg: i64 = whole.parse().map_err(|_| invalid)?;
    let grams: i64 = format!("{fraction:0<3}").parse().map_err(|_| invalid)?;
    let total = kg * 1000 + grams;
    if (1..=MAX_BATCH_GRAMS).contains(&total) {
        Ok(total)
    } else {
        Err(invalid)
    }
}

/// What the villager is owed for `grams` at `per_kg`, to the fen (rounded down), or `None`
/// past the money's range.
pub fn owed_for(grams: i64, per_kg: Fen) -> Option<Fen> {
    let fen = i128::from(grams) * i128::from(per_kg.0) / 1000;
    i64::try_from(fen).ok().map(Fen)
}

/// A batch's code, printed under its QR: ten of `A-Z` and `2-9` without look-alikes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BatchCode(String);

/// The letters a batch code is made of (no 0/O, 1/I/L).
const BATCH_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

impl BatchCode {
    /// The code made from ten random bytes.
    pub fn from_bytes(bytes: [u8; 10]) -> BatchCode {
        BatchCode(
            bytes
                .iter()
                .map(|b| BATCH_ALPHABET[usize::from(*b) % BATCH_ALPHABET.len()] as char)
                .collect(),
        )
    }

    pub fn parse(text: &str) -> Option<BatchCode> {
        let code = text.trim().to_ascii_uppercase();
        (code.len() == 10 && code.bytes().all(|b| BATCH_ALPHABET.contains(&b)))
            .then_some(BatchCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a villager's share was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payout {
    /// Cash from the station's till.
    Cash,
    /// A bank or mobile transfer (its reference recorded).
    Transfer,
}

impl Payout {
    pub fn as_str(self) -> &'static str {
        match self {
            Payout::Cash => "cash",
            Payout::Transfer => "transfer",
        }
    }

    pub fn parse(text: &str) -> Result<Payout, ValidationError> {
        match text.trim() {
            "cash" => Ok(Payout::Cash),
            "transfer" => Ok(Payout::Transfer),
            _ => Err(ValidationError::new("method", "payout-invalid")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_read_as_kilograms_off_the_scale() {
        assert_eq!(parse_kg("12.5"), Ok(12_500));
        assert_eq!(parse_kg(" 3 kg"), Ok(3_000));
        assert_eq!(parse_kg("0.125"), Ok(125));
        assert!(parse_kg("0").is_err());
        assert!(parse_kg("1.2345").is_err());
        assert!(parse_kg("-2").is_err());
        assert!(parse_kg("6000").is_err(), "past five tonnes");
        assert_eq!(owed_for(12_500, Fen(1_600)), Some(Fen(20_000)));
    }

    #[test]
    fn batch_codes_avoid_look_alikes() {
        let code = BatchCode::from_bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 250]);
        assert_eq!(code.as_str().len(), 10);
        assert_eq!(BatchCode::parse(&code.as_str().to_lowercase()), Some(code));
        assert!(BatchCode::parse("ABCDEFGHI0").is_none());
    }
}
