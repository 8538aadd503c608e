//! Free text people write (a shop's story, a reason, a note, a venue's name): one rule for
//! every module; and `Texts`, a text written in any one of the readers' languages.

use serde::Serialize;

use crate::ValidationError;
use crate::lang::Language;

/// A text written in any of the readers' languages (a course's title, a station's address, a
/// venue): one is enough, the others are optional translations. Readers see their own
/// language's, else the Chinese, else whichever was written, and are told which
/// (`Shown::language`), so pages can mark it (`lang`, `dir="auto"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Texts {
    pub zh: Option<String>,
    pub ug: Option<String>,
    pub en: Option<String>,
}

/// What a reader is shown of a `Texts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown<'a> {
    pub text: &'a str,
    /// The language the text is written in.
    pub language: Language,
    /// Whether that is the reader's own language.
    pub own: bool,
}

impl Texts {
    /// Texts from what was written; blank ones count as not written.
    pub fn new(zh: Option<String>, ug: Option<String>, en: Option<String>) -> Self {
        let written = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
        Self {
            zh: written(zh),
            ug: written(ug),
            en: written(en),
        }
    }

    /// Only a Chinese text.
    pub fn zh(text: impl Into<String>) -> Self {
        Self::new(Some(text.into()), None, None)
    }

    /// Texts as stored: the Chinese column is not null and holds "" when none was written.
    pub fn from_stored(zh: String, ug: Option<String>, en: Option<String>) -> Self {
        Self::new(Some(zh), ug, en)
    }

    /// The Chinese text for its not-null column ("" when none was written).
    pub fn stored_zh(&self) -> String {
        self.zh.clone().unwrap_or_default()
    }

    /// The text written in `language`, if any.
    pub fn written_in(&self, language: Language) -> Option<&str> {
        match language {
            Language::ZhCn => self.zh.as_deref(),
            Language::Ug => self.ug.as_deref(),
            Language::En => self.en.as_deref(),
        }
    }

    pub fn is_empty(&self) -> bool {
        Language::ALL.iter().all(|l| self.written_in(*l).is_none())
    }

    /// The text for a reader of `language`: their own, else the Chinese, else the first
    /// written; an empty text when none was.
    pub fn shown(&self, language: Language) -> Shown<'_> {
        let order = [language, Language::ZhCn, Language::Ug, Language::En];
        order
            .iter()
            .find_map(|l| {
                self.written_in(*l).map(|text| Shown {
                    text,
                    language: *l,
                    own: *l == language,
                })
            })
            .unwrap_or(Shown {
                text: "",
                language,
                own: true,
            })
    }

    /// The text for a reader of `language`, and whether it is in their own language.
    pub fn get(&self, language: Language) -> (&str, bool) {
        let shown = self.shown(language);
        (shown.text, shown.own)
    }
}

/// A text sent in up to three fields, Chinese, Uyghur and English (`fields` in that order, each
/// a field's name and what was sent): each bounded by `parse_text`. With `required`, one of
/// them must be written; when none is, the error sits on the field of the reader's `language`.
pub fn parse_texts(
    fields: [(&'static str, &str); 3],
    max_chars: usize,
    required: Option<Language>,
) -> Result<Texts, ValidationError> {
    let [zh, ug, en] = fields.map(|(field, text)| {
        parse_text(field, text, false, max_chars).map(|t| Some(t).filter(|t| !t.is_empty()))
    });
    let texts = Texts::new(zh?, ug?, en?);
    match required {
        Some(language) if texts.is_empty() => {
            let at = Language::ALL
                .iter()
                .position(|l| *l == language)
                .unwrap_or(0);
            Err(ValidationError::new(fields[at].0, "written-in-none"))
        }
        _ => Ok(texts),
    }
}

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
    fn any_one_language_is_enough_and_readers_are_told_which_they_see() {
        let uyghur = Texts::new(Some(" ".into()), Some("ئۆرۈك".into()), None);
        assert_eq!(uyghur.zh, None);
        let shown = uyghur.shown(Language::En);
        assert_eq!(
            (shown.text, shown.language, shown.own),
            ("ئۆرۈك", Language::Ug, false)
        );
        assert_eq!(uyghur.get(Language::Ug), ("ئۆرۈك", true));
        assert_eq!(uyghur.stored_zh(), "");
        let both = Texts::from_stored("杏干".into(), Some("ئۆرۈك".into()), None);
        assert_eq!(both.shown(Language::En).language, Language::ZhCn);
        assert!(Texts::from_stored(String::new(), None, None).is_empty());
        assert!(!both.is_empty());
    }

    #[test]
    fn texts_from_a_form_need_one_language_and_say_where_none_was_written() {
        let fields = |zh, ug, en| [("venue_zh", zh), ("venue_ug", ug), ("venue_en", en)];
        let written = parse_texts(fields("", " ئوقۇتۇش زالى ", ""), 20, Some(Language::ZhCn));
        assert_eq!(written.map(|t| t.ug), Ok(Some("ئوقۇتۇش زالى".to_owned())));
        assert_eq!(
            parse_texts(fields(" ", "", ""), 20, Some(Language::Ug)),
            Err(ValidationError::new("venue_ug", "written-in-none"))
        );
        assert_eq!(
            parse_texts(fields("", "", ""), 20, None),
            Ok(Texts::default())
        );
        assert_eq!(
            parse_texts(fields("二楼", "", &"x".repeat(21)), 20, None),
            Err(ValidationError::new("venue_en", "text-too-long"))
        );
    }

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
