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
