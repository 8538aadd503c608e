//! Taobao village and Taobao town (issue 18): the published criteria, computed from a place's
//! figures, each criterion with its value and threshold beside it, whether the place qualifies,
//! is close (every criterion it misses is at 80% or more of its threshold), and what it lacks.
//!
//! Village: annual online sales of 10 million yuan or more, and 100 or more active online shops
//! or active shops making up 10% or more of the village's households. Town: 3 or more Taobao
//! villages, or annual online sales of 30 million yuan or more and more than 300 active shops.

use serde::Serialize;

use crate::money::Fen;

/// ¥10,000,000 a year.
pub const VILLAGE_SALES: Fen = Fen(1_000_000_000);
pub const VILLAGE_ACTIVE_SHOPS: i64 = 100;
/// Active shops as a share of the village's households, in percent.
pub const VILLAGE_ACTIVE_SHARE: i64 = 10;
/// ¥30,000,000 a year.
pub const TOWN_SALES: Fen = Fen(3_000_000_000);
/// More than this many active shops.
pub const TOWN_ACTIVE_SHOPS: i64 = 300;
pub const TOWN_VILLAGES: i64 = 3;
/// A criterion missed by less than this share (percent of its threshold) is "close".
pub const CLOSE_PERCENT: i64 = 80;

/// One criterion: its catalogue id, the place's value, the threshold, whether it is met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    pub code: &'static str,
    pub value: i64,
    pub threshold: i64,
    pub met: bool,
}

impl Criterion {
    /// `value` at least `threshold` (`strictly`: more than).
    fn new(code: &'static str, value: i64, threshold: i64, strictly: bool) -> Criterion {
        let met = if strictly {
            value > threshold
        } else {
            value >= threshold
        };
        Criterion {
            code,
            value,
            threshold,
            met,
        }
    }

    fn close(&self) -> bool {
        self.met
            || i128::from(self.value) * 100
                >= i128::from(self.threshold) * i128::from(CLOSE_PERCENT)
    }
}

/// Whether a place qualifies, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub qualifies: bool,
    /// Not yet, but each criterion of the nearest way is at 80% or more.
    pub close: bool,
    pub criteria: Vec<Criterion>,
}

/// A village's verdict from its year's online sales, its active shops and (when the register
/// knows it) its households.
pub fn village(annual_sales: Fen, active_shops: i64, households: Option<i64>) -> Verdict {
    let sales = Criterion::new(
        "taobao-village-sales",
        annual_sales.0,
        VILLAGE_SALES.0,
        false,
    );
    let shops = Criterion::new(
        "taobao-village-shops",
        active_shops,
        VILLAGE_ACTIVE_SHOPS,
        false,
    );
    let mut criteria = vec![sales.clone(), shops.clone()];
    // Active shops per 100 households against 10 per 100.
    let share = households.filter(|h| *h > 0).map(|h| {
        let per_hundred = active_shops.saturating_mul(100) / h;
        Criterion::new(
            "taobao-village-share",
            per_hundred,
            VILLAGE_ACTIVE_SHARE,
            false,
        )
    });
    if let Some(share) = &share {
        criteria.push(share.clone());
    }
    let enough_shops = shops.met || share.as_ref().is_some_and(|s| s.met);
    let shops_close = shops.close() || share.as_ref().is_some_and(Criterion::close);
    let qualifies = sales.met && enough_shops;
    Verdict {
        qualifies,
        close: !qualifies && sales.close() && shops_close,
        criteria,
    }
}

/// A township's verdict from its Taobao villages, its year's online sales and active shops.
pub fn town(taobao_villages: i64, annual_sales: Fen, active_shops: i64) -> Verdict {
    let villages = Criterion::new(
        "taobao-town-villages",
        taobao_villages,
        TOWN_VILLAGES,
        false,
    );
    let sales = Criterion::new("taobao-town-sales", annual_sales.0, TOWN_SALES.0, false);
    let shops = Criterion::new("taobao-town-shops", active_shops, TOWN_ACTIVE_SHOPS, true);
    let qualifies = villages.met || (sales.met && shops.met);
    let close = !qualifies && (villages.close() || (sales.close() && shops.close()));
    Verdict {
        qualifies,
        close,
        criteria: vec![villages, sales, shops],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_village_qualifies_at_the_thresholds_exactly() {
        assert!(village(VILLAGE_SALES, 100, None).qualifies);
        assert!(
            !village(Fen(VILLAGE_SALES.0 - 1), 100, None).qualifies,
            "a fen short"
        );
        assert!(!village(VILLAGE_SALES, 99, None).qualifies);
        // 10% of 500 households: 50 active shops are enough, 49 are not.
        assert!(village(VILLAGE_SALES, 50, Some(500)).qualifies);
        assert!(!village(VILLAGE_SALES, 49, Some(500)).qualifies);
        assert!(
            !village(VILLAGE_SALES, 50, Some(0)).qualifies,
            "no households known"
        );
    }

    #[test]
    fn a_village_close_to_it_is_told_what_it_lacks() {
        let near = village(Fen(800_000_000), 85, None);
        assert!(!near.qualifies && near.close);
        let missing: Vec<&str> = near
            .criteria
            .iter()
            .filter(|c| !c.met)
            .map(|c| c.code)
            .collect();
        assert_eq!(missing, ["taobao-village-sales", "taobao-village-shops"]);
        assert!(!village(Fen(799_999_999), 100, None).close);
    }

    #[test]
    fn a_town_by_villages_or_by_sales_and_more_than_300_shops() {
        assert!(town(3, Fen(0), 0).qualifies);
        assert!(!town(2, Fen(0), 0).qualifies);
        assert!(town(0, TOWN_SALES, 301).qualifies);
        assert!(!town(0, TOWN_SALES, 300).qualifies, "more than 300");
        assert!(!town(0, Fen(TOWN_SALES.0 - 1), 1000).qualifies);
        assert!(town(0, Fen(2_400_000_000), 250).close);
    }
}
