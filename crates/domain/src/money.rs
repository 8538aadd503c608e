//! Money: integer fen, never floats.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

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

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// This price times a quantity, if it fits.
    pub fn checked_mul(self, quantity: u32) -> Option<Fen> {
        self.0.checked_mul(i64::from(quantity)).map(Fen)
    }

    /// The sum of `amounts`, if it fits.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Fen>) -> Option<Fen> {
        amounts
            .into_iter()
            .try_fold(Fen(0), |sum, amount| sum.checked_add(amount))
    }
}

/// The highest unit price a product or variant may have: ¥100,000.
pub const MAX_UNIT_PRICE: Fen = Fen(10_000_000);

/// Checks a unit price: more than nothing, at most `MAX_UNIT_PRICE`.
pub fn check_unit_price(price: Fen, field: &'static str) -> Result<Fen, ValidationError> {
    if (1..=MAX_UNIT_PRICE.0).contains(&price.0) {
        Ok(price)
    } else {
        Err(ValidationError::new(field, "price-invalid"))
    }
}

/// What one parcel costs: each line's unit price times its quantity, plus the fee. Checked
/// all the way: an amount that does not fit is a validation error on the quantity, never a
/// wrap (prices written before the ceiling existed could still be anything).
pub fn parcel_total(
    lines: impl IntoIterator<Item = (Fen, u32)>,
    fee: Fen,
) -> Result<(Fen, Fen), ValidationError> {
    let too_large = ValidationError::new("quantity", "amount-too-large");
    let mut goods = Fen(0);
    for (price, quantity) in lines {
        if price.0 < 0 {
            return Err(too_large);
        }
        goods = price
            .checked_mul(quantity)
            .and_then(|line| goods.checked_add(line))
            .ok_or(too_large)?;
    }
    if fee.0 < 0 {
        return Err(too_large);
    }
    let total = goods.checked_add(fee).ok_or(too_large)?;
    Ok((goods, total))
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

    #[test]
    fn unit_prices_have_a_ceiling() {
        assert_eq!(check_unit_price(Fen(1), "price"), Ok(Fen(1)));
        assert_eq!(
            check_unit_price(MAX_UNIT_PRICE, "price"),
            Ok(MAX_UNIT_PRICE)
        );
        assert!(check_unit_price(Fen(MAX_UNIT_PRICE.0 + 1), "price").is_err());
        assert!(check_unit_price(Fen(0), "price").is_err());
        assert!(check_unit_price(Fen(i64::MIN), "price").is_err());
    }

    #[test]
    fn a_parcel_that_would_wrap_is_refused() {
        // The review's case: a price so high that two of them wrap to almost nothing.
        let wraps = Fen(i64::MAX / 2 + 1);
        assert_eq!(
            parcel_total([(wraps, 2), (Fen(2), 1)], Fen(0)),
            Err(ValidationError::new("quantity", "amount-too-large"))
        );
        assert!(parcel_total([(Fen(i64::MAX), 1)], Fen(1)).is_err());
        assert!(parcel_total([(Fen(-5), 1)], Fen(0)).is_err());
        assert_eq!(
            parcel_total([(Fen(3800), 2), (Fen(150), 3)], Fen(800)),
            Ok((Fen(8050), Fen(8850)))
        );
    }

    proptest! {
        #[test]
        fn parcel_totals_match_big_integer_arithmetic(
            lines in proptest::collection::vec((any::<i64>(), any::<u32>()), 0..8),
            fee in any::<i64>(),
        ) {
            let model_goods: i128 = lines.iter().map(|(p, q)| i128::from(*p) * i128::from(*q)).sum();
            let model_total = model_goods + i128::from(fee);
            let fits = lines.iter().all(|(p, _)| *p >= 0)
                && fee >= 0
                && model_total <= i128::from(i64::MAX)
                // Partial sums never exceed the final one: every term is not negative.
                && lines.iter().all(|(p, q)| i128::from(*p) * i128::from(*q) <= i128::from(i64::MAX));
            let lines: Vec<(Fen, u32)> = lines.into_iter().map(|(p, q)| (Fen(p), q)).collect();
            match parcel_total(lines, Fen(fee)) {
                Ok((goods, total)) => {
                    prop_assert!(fits);
                    prop_assert_eq!(i128::from(goods.0), model_goods);
                    prop_assert_eq!(i128::from(total.0), model_total);
                }
                Err(err) => {
                    prop_assert!(!fits);
                    prop_assert_eq!(err.field, "quantity");
                }
            }
        }

        #[test]
        fn display_parses_back(fen in any::<i64>()) {
            let text = Fen(fen).display_yuan().replace(['¥', '.'], "");
            let parsed: i128 = text.parse().unwrap_or_default();
            prop_assert_eq!(parsed, i128::from(fen));
        }
    }
}
