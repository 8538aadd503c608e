//! What a buyer may say about a product they received.

use serde::Serialize;

use crate::ValidationError;

/// One to five stars and up to 500 characters of words (which may be none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewText {
    pub stars: u8,
    pub body: String,
}

impl ReviewText {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(stars: i64, body: &str) -> Result<ReviewText, ValidationError> {
        let stars = u8::try_from(stars)
            .ok()
            .filter(|s| (1..=5).contains(s))
            .ok_or(ValidationError::new("stars", "stars-invalid"))?;
        let body = body.trim();
        if body.chars().count() > Self::MAX_CHARS
            || body.chars().any(|c| c.is_control() && c != '\n')
        {
            return Err(ValidationError::new("body", "text-too-long"));
        }
        Ok(ReviewText {
            stars,
            body: body.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_are_one_to_five_and_words_are_bounded() {
        assert_eq!(ReviewText::parse(5, " 很香 ").unwrap().body, "很香");
        assert_eq!(ReviewText::parse(0, "").unwrap_err().field, "stars");
        assert_eq!(ReviewText::parse(6, "").unwrap_err().field, "stars");
        assert_eq!(
            ReviewText::parse(3, &"好".repeat(501)).unwrap_err().field,
            "body"
        );
        assert!(ReviewText::parse(1, &"好".repeat(500)).is_ok());
    }
}
