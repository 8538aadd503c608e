//! What a shop charges to send a parcel home, and what a station charges to hand one out.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;

/// A shop's rule for home delivery. Shops that never set one send for free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShippingRule {
    /// The same fee for every parcel (zero: free shipping).
    Flat { fee: Fen },
    /// A fee, waived when the goods come to `free_from` or more.
    FreeOver { fee: Fen, free_from: Fen },
    /// Express pricing: a fee for the first kilogram and one for each kilogram (or part) after it.
    ByWeight { first_kg: Fen, per_extra_kg: Fen },
}

impl Default for ShippingRule {
    fn default() -> Self {
        ShippingRule::Flat { fee: Fen(0) }
    }
}

/// The most any rule may charge for one parcel: ¥1,000.
const MAX_FEE: i64 = 100_000;

impl ShippingRule {
    /// The fee for a parcel of `goods` worth weighing `grams`.
    pub fn fee(self, goods: Fen, grams: i64) -> Fen {
        match self {
            ShippingRule::Flat { fee } => fee,
            ShippingRule::FreeOver { fee, free_from } => {
                if goods >= free_from {
                    Fen(0)
                } else {
                    fee
                }
            }
            ShippingRule::ByWeight {
                first_kg,
                per_extra_kg,
            } => {
                let extra_kg = ((grams.max(0) - 1000).max(0) + 999) / 1000;
                Fen(first_kg
                    .0
                    .saturating_add(per_extra_kg.0.saturating_mul(extra_kg)))
            }
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            ShippingRule::Flat { .. } => "flat",
            ShippingRule::FreeOver { .. } => "free_over",
            ShippingRule::ByWeight { .. } => "by_weight",
        }
    }

    /// Builds a rule from its kind and the two amounts it needs (`a`: the fee or the first
    /// kilogram; `b`: the threshold or each further kilogram), refusing negative or absurd fees.
    pub fn from_parts(kind: &str, a: Fen, b: Fen) -> Result<ShippingRule, ValidationError> {
        let fee_ok = |fen: Fen, field: &'static str| {
            if (0..=MAX_FEE).contains(&fen.0) {
                Ok(fen)
            } else {
                Err(ValidationError::new(field, "shipping-fee-invalid"))
            }
        };
        match kind {
            "flat" => Ok(ShippingRule::Flat {
                fee: fee_ok(a, "shipping_fee")?,
            }),
            "free_over" if b.0 > 0 => Ok(ShippingRule::FreeOver {
                fee: fee_ok(a, "shipping_fee")?,
                free_from: b,
            }),
            "free_over" => Err(ValidationError::new(
                "shipping_threshold",
                "shipping-threshold-invalid",
            )),
            "by_weight" => Ok(ShippingRule::ByWeight {
                first_kg: fee_ok(a, "shipping_fee")?,
                per_extra_kg: fee_ok(b, "shipping_extra")?,
            }),
            _ => Err(ValidationError::new(
                "shipping_kind",
                "shipping-kind-invalid",
            )),
        }
    }

    /// The two amounts `from_parts` takes back.
    pub fn parts(self) -> (Fen, Fen) {
        match self {
            ShippingRule::Flat { fee } => (fee, Fen(0)),
            ShippingRule::FreeOver { fee, free_from } => (fee, free_from),
            ShippingRule::ByWeight {
                first_kg,
                per_extra_kg,
            } => (first_kg, per_extra_kg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_rule_charges_as_its_seller_expects() {
        let flat = ShippingRule::Flat { fee: Fen(800) };
        assert_eq!(flat.fee(Fen(1), 20_000), Fen(800));
        let free = ShippingRule::FreeOver {
            fee: Fen(1000),
            free_from: Fen(9900),
        };
        assert_eq!(free.fee(Fen(9899), 500), Fen(1000));
        assert_eq!(free.fee(Fen(9900), 500), Fen(0));
        let weight = ShippingRule::ByWeight {
            first_kg: Fen(1200),
            per_extra_kg: Fen(300),
        };
        assert_eq!(weight.fee(Fen(0), 0), Fen(1200));
        assert_eq!(weight.fee(Fen(0), 1000), Fen(1200));
        assert_eq!(weight.fee(Fen(0), 1001), Fen(1500));
        assert_eq!(weight.fee(Fen(0), 2500), Fen(1800));
        assert_eq!(ShippingRule::default().fee(Fen(5), 5), Fen(0));
    }

    #[test]
    fn bad_rules_are_refused_with_the_field_to_fix() {
        let err = ShippingRule::from_parts("flat", Fen(-1), Fen(0)).unwrap_err();
        assert_eq!(err.field, "shipping_fee");
        let err = ShippingRule::from_parts("free_over", Fen(500), Fen(0)).unwrap_err();
        assert_eq!(err.field, "shipping_threshold");
        let err = ShippingRule::from_parts("post", Fen(0), Fen(0)).unwrap_err();
        assert_eq!(err.field, "shipping_kind");
    }

    proptest! {
        #[test]
        fn rules_round_trip_through_their_parts(kind in 0usize..3, a in 0i64..100_000, b in 1i64..100_000) {
            let kind = ["flat", "free_over", "by_weight"][kind];
            let rule = ShippingRule::from_parts(kind, Fen(a), Fen(b)).unwrap();
            let (pa, pb) = rule.parts();
            let again = ShippingRule::from_parts(rule.kind(), pa, if kind == "flat" { Fen(b) } else { pb }).unwrap();
            prop_assert_eq!(rule, again);
        }

        #[test]
        fn heavier_parcels_never_cost_less(g in 0i64..1_000_000, extra in 0i64..100_000) {
            let rule = ShippingRule::ByWeight { first_kg: Fen(1000), per_extra_kg: Fen(200) };
            prop_assert!(rule.fee(Fen(0), g + extra) >= rule.fee(Fen(0), g));
        }
    }
}
