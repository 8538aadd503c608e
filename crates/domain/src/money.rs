//! Money: integer fen, never floats.

use serde::{Deserialize, Serialize};

/// An amount of renminbi in fen (1 yuan = 100 fen).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    /// Formats as a price tag: `¥12.50`, `-¥0.05`.
    pub fn display_yuan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}¥{}.{:02}", abs / 100, abs % 100)
    }

    /// The price tag isolated left-to-right (U+2066 ... U+2069), so that in a right-to-left
    /// page (Uyghur) it reads `¥12.50`, not `12.50¥`. For HTML and messages; never for data.
    pub fn display_price(self) -> String {
        format!("\u{2066}{}\u{2069}", self.display_yuan())
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_like_a_price_tag() {
        assert_eq!(Fen(1250).display_yuan(), "¥12.50");
        assert_eq!(Fen(5).display_yuan(), "¥0.05");
        assert_eq!(Fen(-5).display_yuan(), "-¥0.05");
        assert_eq!(Fen(i64::MIN).display_yuan(), "-¥92233720368547758.08");
        assert_eq!(Fen(1250).display_price(), "\u{2066}¥12.50\u{2069}");
    }

    proptest! {
        #[test]
        fn display_parses_back(fen in any::<i64>()) {
            let text = Fen(fen).display_yuan().replace(['¥', '.'], "");
            let parsed: i128 = text.parse().unwrap_or_default();
            prop_assert_eq!(parsed, i128::from(fen));
        }
    }
}
