//! How things are written for people, in one place: times in China's time, names masked for
//! strangers, places from their county down, variants in the reader's language.

use chrono::FixedOffset;
use farmgate_domain::catalog::VariantSpec;
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionLevel;
use farmgate_store::regions::Region;

use crate::i18n::Tr;

/// China's time: UTC+8 all year (no daylight saving).
const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// Times are stored in UTC and shown in China's time.
pub fn china_time(at: chrono::DateTime<chrono::Utc>) -> String {
    match FixedOffset::east_opt(CHINA_OFFSET_SECONDS) {
        Some(offset) => at
            .with_timezone(&offset)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// A reviewer as others see them: the first character of their name.
pub fn masked_name(name: &str) -> String {
    let first: String = name.chars().take(1).collect();
    format!("{first}**")
}

/// "袋（1000 克）", "斤", "bottle (500 g)": a variant named in the user's language.
pub fn variant_label(t: &Tr, spec: &VariantSpec) -> String {
    let unit = t.get(&format!("unit-{}", spec.unit.as_str()));
    match (spec.unit.grams(), spec.net_grams) {
        (None, Some(grams)) => t.args2(
            "variant-label-weight",
            ("unit", unit.into()),
            ("grams", grams.into()),
        ),
        _ => unit,
    }
}

/// A village to choose, labelled with its county and township: "特克斯县 · 喀拉达拉镇 · 琼库什台村".
pub struct VillageOption {
    pub code: String,
    pub label: String,
}

/// A place named from its county down: "特克斯县 · 喀拉达拉镇 · 琼库什台村".
pub fn place_label(regions: &[Region], place: &Region, language: Language) -> String {
    regions
        .iter()
        .filter(|r| r.level >= RegionLevel::County && r.path.contains(&place.path))
        .map(|r| r.name(language))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn village_options(regions: &[Region], language: Language) -> Vec<VillageOption> {
    let mut options: Vec<VillageOption> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Village)
        .map(|village| VillageOption {
            code: village.code.as_str().to_owned(),
            label: place_label(regions, village, language),
        })
        .collect();
    options.sort_by(|a, b| a.label.cmp(&b.label));
    options
}
