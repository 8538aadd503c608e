//! The languages FarmGate speaks and which way each is written.

use serde::{Deserialize, Serialize};

/// A language of the interface and of translatable content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Language {
    /// Simplified Chinese, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// Uyghur in Arabic script, written right to left.
    #[serde(rename = "ug")]
    Ug,
    #[serde(rename = "en")]
    En,
}

/// The direction a language is written in, as HTML's `dir` attribute wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

impl Language {
    pub const ALL: [Language; 3] = [Language::ZhCn, Language::Ug, Language::En];

    /// The BCP 47 tag, as used in `<html lang>`, cookies and the catalogue's folders.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::Ug => "ug",
            Language::En => "en",
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            Language::Ug => Direction::Rtl,
            Language::ZhCn | Language::En => Direction::Ltr,
        }
    }

    /// The language's own name for itself, shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::ZhCn => "中文",
            Language::Ug => "ئۇيغۇرچە",
            Language::En => "English",
        }
    }

    /// Reads a tag loosely: `zh`, `zh-CN`, `zh-Hans`, `ug`, `ug-CN`, `en-US` all count.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Language::ZhCn),
            "ug" => Some(Language::Ug),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// Picks the best language from an `Accept-Language` header, honouring q-values.
    pub fn negotiate(accept_language: &str) -> Option<Language> {
        let mut best: Option<(f32, usize, Language)> = None;
        for (position, part) in accept_language.split(',').enumerate() {
            let mut pieces = part.split(';');
            let Some(tag) = pieces.next() else { continue };
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(language) = Language::from_tag(tag) else {
                continue;
            };
            if quality <= 0.0 {
                continue;
            }
            // Higher quality wins; on a tie, the earlier entry wins.
            let better = match best {
                None => true,
                Some((q, pos, _)) => quality > q || (quality == q && position < pos),
            };
            if better {
                best = Some((quality, position, language));
            }
        }
        best.map(|(_, _, language)| language)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uyghur_is_right_to_left() {
        assert_eq!(Language::Ug.direction(), Direction::Rtl);
        assert_eq!(Language::ZhCn.direction(), Direction::Ltr);
    }

    #[test]
    fn negotiation_honours_quality() {
        assert_eq!(
            Language::negotiate("fr-FR, en;q=0.5, ug;q=0.9"),
            Some(Language::Ug)
        );
        assert_eq!(
            Language::negotiate("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Language::ZhCn)
        );
        assert_eq!(Language::negotiate("de, fr"), None);
        assert_eq!(Language::negotiate("en;q=0"), None);
    }

    #[test]
    fn tags_round_trip() {
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.tag()), Some(language));
        }
    }
}
