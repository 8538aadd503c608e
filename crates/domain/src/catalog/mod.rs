//! Products sold by weight or by the piece, and what a packed line really costs.
//!
//! Farm produce is sold by weight: a "1 kg bag of walnuts" may weigh 1.04 kg when packed.
//! Quantities keep their unit; ordered weight and packed weight are kept apart; and a shop
//! chooses whether the price follows the packed weight, within a tolerance it sets.

pub mod places;

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;

/// The unit a variant is sold in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 500 g, the market's everyday weight.
    Jin,
    Kg,
    Gram,
    Piece,
    Box,
    Bag,
    Bottle,
    Jar,
}

impl Unit {
    pub const ALL: [Unit; 8] = [
        Unit::Jin,
        Unit::Kg,
        Unit::Gram,
        Unit::Piece,
        Unit::Box,
        Unit::Bag,
        Unit::Bottle,
        Unit::Jar,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Jin => "jin",
            Unit::Kg => "kg",
            Unit::Gram => "g",
            Unit::Piece => "piece",
            Unit::Box => "box",
            Unit::Bag => "bag",
            Unit::Bottle => "bottle",
            Unit::Jar => "jar",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "斤" => Some(Unit::Jin),
            "公斤" | "千克" => Some(Unit::Kg),
            "克" | "gram" => Some(Unit::Gram),
            _ => Unit::ALL.into_iter().find(|u| u.as_str() == text),
        }
    }

    /// The weight of one unit when the unit itself is a weight.
    pub fn grams(self) -> Option<i64> {
        match self {
            Unit::Jin => Some(500),
            Unit::Kg => Some(1000),
            Unit::Gram => Some(1),
            _ => None,
        }
    }
}

/// How an order line's price is settled once the shop has weighed the parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PricePolicy {
    /// The buyer pays what was ordered, whatever the parcel weighs.
    Fixed,
    /// The price follows the packed weight, but never beyond the tolerance (in basis points:
    /// 500 = 5%) either way: the buyer never pays for more than the tolerance over.
    FollowsPackedWeight { tolerance_bp: u32 },
}

impl PricePolicy {
    /// How it is stored: its name and the tolerance in basis points (0 when fixed).
    pub fn to_stored(self) -> (&'static str, u32) {
        match self {
            PricePolicy::Fixed => ("fixed", 0),
            PricePolicy::FollowsPackedWeight { tolerance_bp } => ("follows_weight", tolerance_bp),
        }
    }

    /// The policy stored as `name` with `tolerance_bp`; `None` for a name it never stores.
    pub fn from_stored(name: &str, tolerance_bp: u32) -> Option<PricePolicy> {
        match name {
            "fixed" => Some(PricePolicy::Fixed),
            "follows_weight" => Some(PricePolicy::FollowsPackedWeight { tolerance_bp }),
            _ => None,
        }
    }
}

/// The price of a line of `quantity` units at `unit_price`, each of `net_grams`, packed at
/// `packed_grams` in all. Rounds to the nearest fen.
pub fn settle_line_price(
    unit_price: Fen,
    quantity: u32,
    net_grams: i64,
    packed_grams: i64,
    policy: PricePolicy,
) -> Fen {
    let ordered_price = i128::from(unit_price.0) * i128::from(quantity);
    let ordered_grams = i128::from(net_grams) * i128::from(quantity);
    let price = match policy {
        PricePolicy::Fixed => ordered_price,
        PricePolicy::FollowsPackedWeight { .. } if ordered_grams <= 0 => ordered_price,
        PricePolicy::FollowsPackedWeight { tolerance_bp } => {
            let slack = ordered_grams * i128::from(tolerance_bp) / 10_000;
            let counted =
                i128::from(packed_grams).clamp(ordered_grams - slack, ordered_grams + slack);
            // Round half up: (price * counted + ordered / 2) / ordered.
            (ordered_price * counted + ordered_grams / 2) / ordered_grams
        }
    };
    Fen(i64::try_from(price).unwrap_or(i64::MAX))
}

/// Stock is a count from 0 to ten million.
pub fn check_stock(stock: i64) -> Result<i64, ValidationError> {
    if (0..=10_000_000).contains(&stock) {
        Ok(stock)
    } else {
        Err(ValidationError::new("stock", "stock-invalid"))
    }
}

/// A product's or variant's price as a seller types it: "12.5", "12.50", "¥12", in yuan.
pub fn parse_yuan(text: &str) -> Result<Fen, ValidationError> {
    crate::money::check_unit_price(parse_amount(text)?, "price")
}

/// An amount of yuan as typed (`120`, `120.5`, `¥120.50`), zero included: cash counted in a
/// drawer may be none. The caller checks its own ceiling.
pub fn parse_amount(text: &str) -> Result<Fen, ValidationError> {
    let invalid = ValidationError::new("price", "price-invalid");
    let text = text.trim().trim_start_matches(['¥', '￥']).trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid);
    }
    let yuan: i64 = whole.parse().map_err(|_| invalid)?;
    let fen: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid)?;
    let total = yuan
        .checked_mul(100)
        .and_then(|y| y.checked_add(fen))
        .ok_or(invalid)?;
    Ok(Fen(total))
}

/// A mark a buyer can filter by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    /// Sold by or for a registered low-income household.
    PovertyAlleviation,
    /// Intangible cultural heritage.
    Heritage,
    /// Organic, with a certificate number on the product.
    Organic,
}

impl Tag {
    pub const ALL: [Tag; 3] = [Tag::PovertyAlleviation, Tag::Heritage, Tag::Organic];

    pub fn as_str(self) -> &'static str {
        match self {
            Tag::PovertyAlleviation => "poverty_alleviation",
            Tag::Heritage => "heritage",
            Tag::Organic => "organic",
        }
    }

    pub fn parse(text: &str) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.as_str() == text.trim())
    }
}

/// Where a product stands with buyers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// Being prepared: only the shop sees it.
    Draft,
    /// On sale.
    Listed,
    /// Sold out or off season: still found and shown with its "back in ..." text, not sold.
    Paused,
    /// Taken off the market: gone from search and lists; its old orders keep working.
    Delisted,
}

impl ProductStatus {
    pub const ALL: [ProductStatus; 4] = [
        ProductStatus::Listed,
        ProductStatus::Paused,
        ProductStatus::Draft,
        ProductStatus::Delisted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Listed => "listed",
            ProductStatus::Paused => "paused",
            ProductStatus::Delisted => "delisted",
        }
    }

    pub fn parse(text: &str) -> Option<ProductStatus> {
        ProductStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
    }

    /// Whether anyone may see it and find it (a paused product shows that it is paused).
    pub fn is_public(self) -> bool {
        matches!(self, ProductStatus::Listed | ProductStatus::Paused)
    }

    /// Whether it can be bought now.
    pub fn is_for_sale(self) -> bool {
        self == ProductStatus::Listed
    }
}

/// A shop's own code for a product (its "SKU"): what its spreadsheets match rows on. Letters,
/// digits and `-_.`, up to 64. Codes that FarmGate gives (FG and digits) are its own.
pub fn parse_product_code(text: &str) -> Result<String, ValidationError> {
    let code = text.trim();
    let valid = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let generated = code
        .get(..2)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("FG"))
        && code.len() > 2
        && code.bytes().skip(2).all(|b| b.is_ascii_digit());
    if valid && !generated {
        Ok(code.to_owned())
    } else if generated {
        Err(ValidationError::new("code", "product-code-reserved"))
    } else {
        Err(ValidationError::new("code", "product-code-invalid"))
    }
}

/// The code FarmGate gives a product whose shop gave none.
pub fn generated_product_code(product_id: i64) -> String {
    format!("FG{product_id}")
}

/// Why a variant's stock changed. Sellers choose the first four; the rest are written by the
/// platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockReason {
    Restock,
    Spoilage,
    /// The shelf was counted and the number corrected.
    Correction,
    /// Taken to (or back from) the centre's showroom.
    Showroom,
    /// The stock a variant started with.
    Opening,
    /// Set by a spreadsheet import.
    Import,
    /// Bought in an order.
    Sold,
    /// An order was cancelled before its goods left.
    Cancelled,
    /// Refunded goods came back to the shelf.
    Returned,
    /// A villager's produce taken in on consignment at a station.
    Consignment,
    /// Loaded on a tricycle to sell in a community, or counted back from one.
    Tricycle,
    /// Sent from a place to another (a transfer; the units are on the way).
    Sent,
    /// Received at a place from a transfer.
    Received,
    /// Sent but not received: the transfer's difference.
    LostInTransit,
    /// A place's stocktake found a different number.
    Counted,
}

impl StockReason {
    pub const ALL: [StockReason; 15] = [
        StockReason::Restock,
        StockReason::Spoilage,
        StockReason::Correction,
        StockReason::Showroom,
        StockReason::Opening,
        StockReason::Import,
        StockReason::Sold,
        StockReason::Cancelled,
        StockReason::Returned,
        StockReason::Consignment,
        StockReason::Tricycle,
        StockReason::Sent,
        StockReason::Received,
        StockReason::LostInTransit,
        StockReason::Counted,
    ];
    /// The reasons a seller gives by hand.
    pub const CHOSEN: [StockReason; 4] = [
        StockReason::Restock,
        StockReason::Spoilage,
        StockReason::Correction,
        StockReason::Showroom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StockReason::Restock => "restock",
            StockReason::Spoilage => "spoilage",
            StockReason::Correction => "correction",
            StockReason::Showroom => "showroom",
            StockReason::Opening => "opening",
            StockReason::Import => "import",
            StockReason::Sold => "sold",
            StockReason::Cancelled => "cancelled",
            StockReason::Returned => "returned",
            StockReason::Consignment => "consignment",
            StockReason::Tricycle => "tricycle",
            StockReason::Sent => "sent",
            StockReason::Received => "received",
            StockReason::LostInTransit => "lost_in_transit",
            StockReason::Counted => "counted",
        }
    }

    pub fn parse(text: &str) -> Option<StockReason> {
        StockReason::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim())
    }

    /// A reason a seller may give (not one the platform writes).
    pub fn parse_chosen(text: &str) -> Result<StockReason, ValidationError> {
        StockReason::parse(text)
            .filter(|r| StockReason::CHOSEN.contains(r))
            .ok_or(ValidationError::new("reason", "stock-reason-invalid"))
    }
}

/// A change a seller makes to a variant's stock: a new count, or units added or taken away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockChange {
    Set(i64),
    Adjust(i64),
}

impl StockChange {
    /// Checks the numbers: a count within the stock's range, an adjustment that is not zero
    /// and not beyond that range.
    pub fn check(self) -> Result<StockChange, ValidationError> {
        let invalid = ValidationError::new("quantity", "stock-invalid");
        match self {
            StockChange::Set(count) => check_stock(count)
                .map(StockChange::Set)
                .map_err(|_| invalid),
            StockChange::Adjust(0) => Err(invalid),
            StockChange::Adjust(delta) if delta.unsigned_abs() > 10_000_000 => Err(invalid),
            change => Ok(change),
        }
    }
}

/// One way a product is sold: "a 500 g bag at ¥38.00, 120 in stock".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSpec {
    pub unit: Unit,
    /// The weight of one unit in grams, when it is sold by weight or has a net weight.
    pub net_grams: Option<i64>,
    pub price: Fen,
    pub stock: i64,
    pub price_policy: PricePolicy,
}

impl VariantSpec {
    /// Checks a variant as a whole: weight units carry their own weight, bags and boxes may
    /// state one, a packed-weight price needs a weight to follow.
    pub fn new(
        unit: Unit,
        net_grams: Option<i64>,
        price: Fen,
        stock: i64,
        price_policy: PricePolicy,
    ) -> Result<VariantSpec, ValidationError> {
        let net_grams = match (unit.grams(), net_grams) {
            (Some(grams), None) => Some(grams),
            (Some(grams), Some(given)) if given == grams => Some(grams),
            (Some(_), Some(_)) => {
                return Err(ValidationError::new("net_grams", "net-weight-invalid"));
            }
            (None, Some(given)) if !(1..=1_000_000).contains(&given) => {
                return Err(ValidationError::new("net_grams", "net-weight-invalid"));
            }
            (None, given) => given,
        };
        let price = crate::money::check_unit_price(price, "price")?;
        let stock = check_stock(stock)?;
        if let PricePolicy::FollowsPackedWeight { tolerance_bp } = price_policy
            && (net_grams.is_none() || tolerance_bp > 5000)
        {
            return Err(ValidationError::new("price_policy", "price-policy-invalid"));
        }
        Ok(VariantSpec {
            unit,
            net_grams,
            price,
            stock,
            price_policy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_empty_drawer_counts_but_nothing_sells_for_nothing() {
        assert_eq!(parse_amount("0"), Ok(Fen(0)));
        assert_eq!(parse_amount("¥0.00"), Ok(Fen(0)));
        assert_eq!(parse_amount("12.5"), Ok(Fen(1_250)));
        assert!(parse_amount("-1").is_err());
        assert!(parse_yuan("0").is_err());
        assert_eq!(parse_yuan("38"), Ok(Fen(3_800)));
    }

    #[test]
    fn a_heavy_bag_of_walnuts_costs_a_little_more_within_tolerance() {
        let follows = PricePolicy::FollowsPackedWeight { tolerance_bp: 500 };
        // 2 bags of 1 kg at ¥38.00, packed at 2.08 kg: 4% over, inside the 5% tolerance.
        assert_eq!(
            settle_line_price(Fen(3800), 2, 1000, 2080, follows),
            Fen(7904)
        );
        // Packed at 2.30 kg: the buyer pays at most 5% over.
        assert_eq!(
            settle_line_price(Fen(3800), 2, 1000, 2300, follows),
            Fen(7980)
        );
        // Packed light at 1.90 kg: the buyer pays for what was packed, down to 5% under.
        assert_eq!(
            settle_line_price(Fen(3800), 2, 1000, 1900, follows),
            Fen(7220)
        );
        assert_eq!(
            settle_line_price(Fen(3800), 2, 1000, 2300, PricePolicy::Fixed),
            Fen(7600)
        );
    }

    #[test]
    fn variants_hold_together() {
        let bag = VariantSpec::new(
            Unit::Bag,
            Some(500),
            Fen(3800),
            120,
            PricePolicy::FollowsPackedWeight { tolerance_bp: 500 },
        );
        assert!(bag.is_ok());
        assert_eq!(
            VariantSpec::new(Unit::Jin, None, Fen(1500), 10, PricePolicy::Fixed)
                .map(|v| v.net_grams),
            Ok(Some(500))
        );
        assert!(
            VariantSpec::new(Unit::Jin, Some(400), Fen(1500), 10, PricePolicy::Fixed).is_err(),
            "a jin is 500 g"
        );
        assert!(
            VariantSpec::new(
                Unit::Piece,
                None,
                Fen(1500),
                10,
                PricePolicy::FollowsPackedWeight { tolerance_bp: 500 }
            )
            .is_err()
        );
        assert!(VariantSpec::new(Unit::Box, None, Fen(0), 10, PricePolicy::Fixed).is_err());
        assert!(VariantSpec::new(Unit::Box, None, Fen(100), -1, PricePolicy::Fixed).is_err());
        assert_eq!(Tag::parse("heritage"), Some(Tag::Heritage));
        assert_eq!(ProductStatus::parse("listed"), Some(ProductStatus::Listed));
        assert_eq!(ProductStatus::parse("paused"), Some(ProductStatus::Paused));
        assert!(ProductStatus::Paused.is_public() && !ProductStatus::Paused.is_for_sale());
        assert!(!ProductStatus::Delisted.is_public());
    }

    #[test]
    fn codes_and_stock_changes_are_checked() {
        assert_eq!(parse_product_code(" WAL-500g "), Ok("WAL-500g".to_owned()));
        assert!(parse_product_code("").is_err());
        assert!(parse_product_code("核桃").is_err());
        assert_eq!(
            parse_product_code("FG12").map_err(|e| e.code),
            Err("product-code-reserved")
        );
        assert_eq!(parse_product_code("FGX"), Ok("FGX".to_owned()));
        assert_eq!(generated_product_code(12), "FG12");
        assert!(StockChange::Adjust(0).check().is_err());
        assert!(StockChange::Set(-1).check().is_err());
        assert_eq!(StockChange::Adjust(-3).check(), Ok(StockChange::Adjust(-3)));
        assert!(StockReason::parse_chosen("sold").is_err());
        assert_eq!(
            StockReason::parse_chosen("restock"),
            Ok(StockReason::Restock)
        );
    }

    #[test]
    fn units_read_chinese_and_english() {
        assert_eq!(Unit::parse("斤"), Some(Unit::Jin));
        assert_eq!(Unit::parse("KG"), Some(Unit::Kg));
        assert_eq!(Unit::Jin.grams(), Some(500));
        assert_eq!(Unit::parse("barrel"), None);
    }

    #[test]
    fn prices_parse_from_what_sellers_type() {
        assert_eq!(parse_yuan("12.5"), Ok(Fen(1250)));
        assert_eq!(parse_yuan("¥12.50"), Ok(Fen(1250)));
        assert_eq!(parse_yuan(" 38 "), Ok(Fen(3800)));
        assert_eq!(parse_yuan("12."), Ok(Fen(1200)));
        for bad in [
            "",
            "0",
            "12.345",
            "-3",
            "1e3",
            "abc",
            ".5",
            "99999999999999999999",
            "100000.01",
        ] {
            assert!(parse_yuan(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn the_settled_price_stays_within_tolerance(price in 1i64..1_000_000, quantity in 1u32..50, net in 1i64..5000,
                                                    packed in 0i64..500_000, tolerance in 0u32..2000) {
            let ordered = price * i64::from(quantity);
            let settled = settle_line_price(Fen(price), quantity, net, packed, PricePolicy::FollowsPackedWeight { tolerance_bp: tolerance }).0;
            let bound = ordered as f64 * f64::from(tolerance) / 10_000.0 + 1.0;
            prop_assert!((settled - ordered).abs() as f64 <= bound, "ordered {ordered}, settled {settled}");
        }

        #[test]
        fn typed_prices_round_trip(fen in 1i64..=10_000_000) {
            let typed = Fen(fen).display_yuan();
            prop_assert_eq!(parse_yuan(&typed), Ok(Fen(fen)));
        }
    }
}
