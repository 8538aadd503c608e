//! Free text people write (a shop's story, a reason, a note, a venue's name): one rule for
//! every module.

use crate::ValidationError;

/// Free text a person writes (a shop's story, a rejection reason): trimmed, bounded, and
/// without control characters other than line breaks.
pub fn parse_text(
    field: &'static str,
    text: &str,
    required: bool,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let text = text.trim();
    if text.is_empty() {
        return if required {
            Err(ValidationError::new(field, "required"))
        } else {
            Ok(String::new())
        };
    }
    if text.chars().count() > max_chars
        || text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(ValidationError::new(field, "text-too-long"));
    }
    Ok(text.replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_keeps_line_breaks_only() {
        assert_eq!(
            parse_text("story", "第一行\r\n第二行", false, 100),
            Ok("第一行\n第二行".to_owned())
        );
        assert!(parse_text("story", "bell\u{7}", false, 100).is_err());
        assert!(parse_text("reason", "  ", true, 100).is_err());
        assert_eq!(parse_text("story", "", false, 100), Ok(String::new()));
        assert!(parse_text("story", &"x".repeat(101), false, 100).is_err());
    }

    #[test]
    fn text_is_trimmed_bounded_and_without_control_characters() {
        assert_eq!(
            parse_text("story", "  核桃\r\n好吃 ", true, 10),
            Ok("核桃\n好吃".to_owned())
        );
        assert_eq!(parse_text("story", "", false, 10), Ok(String::new()));
        assert!(parse_text("story", " ", true, 10).is_err());
        assert!(parse_text("story", "a\u{7}b", false, 10).is_err());
        assert!(parse_text("story", &"核".repeat(11), false, 10).is_err());
    }
}
