//! How things are written for people, in one place: times in China's time, names masked for
//! strangers, places from their county down, variants in the reader's language.

use chrono::FixedOffset;
use farmgate_domain::catalog::VariantSpec;
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionLevel;
use farmgate_store::regions::Region;

use crate::i18n::Tr;

/// China's time: UTC+8 all year (no daylight saving).
pub(crate) const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// `text` between Unicode's first-strong isolate marks, for a person's text inside a line the
/// page composes (as Fluent does with its arguments): it keeps its own direction and order.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

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

/// The clock time of `at` in China: `07:45`.
pub fn china_clock(at: chrono::DateTime<chrono::Utc>) -> String {
    match FixedOffset::east_opt(CHINA_OFFSET_SECONDS) {
        Some(offset) => at.with_timezone(&offset).format("%H:%M").to_string(),
        None => at.format("%H:%M UTC").to_string(),
    }
}

/// A reviewer as others see them: the first character of their name.
pub fn masked_name(name: &str) -> String {
    let first: String = name.chars().take(1).collect();
    format!("{first}**")
}

/// "袋（1000 克）", "斤", "bottle (500 g)": a variant named in the user's language.
pub fn variant_label(t: &Tr, spec: &VariantSpec) -> String {
    unit_label(t, spec.unit, spec.net_grams)
}

/// A unit with its weight when the unit is not a weight itself: "袋（1000 克）", "斤".
pub fn unit_label(t: &Tr, unit: farmgate_domain::catalog::Unit, net_grams: Option<i64>) -> String {
    let name = t.get(&format!("unit-{}", unit.as_str()));
    match (unit.grams(), net_grams) {
        (None, Some(grams)) => t.args2(
            "variant-label-weight",
            ("unit", name.into()),
            ("grams", grams.into()),
        ),
        _ => name,
    }
}

/// What an order line bought: its unit, as `unit_label` says it.
pub fn line_label(t: &Tr, line: &farmgate_store::orders::OrderLine) -> String {
    farmgate_domain::catalog::Unit::parse(&line.unit).map_or_else(
        || line.unit.clone(),
        |unit| unit_label(t, unit, line.net_grams),
    )
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

/// The county `region` lies in (itself, if it is one).
pub fn county_of<'a>(regions: &'a [Region], region: &Region) -> Option<&'a Region> {
    regions
        .iter()
        .find(|r| r.level == RegionLevel::County && r.path.contains(&region.path))
}

/// Where a region is on the map: its own coordinates, else its nearest ancestor's.
fn coordinates(regions: &[Region], region: &Region) -> Option<(f64, f64)> {
    if let (Some(lat), Some(lon)) = (region.latitude, region.longitude) {
        return Some((lat, lon));
    }
    let parent = regions.iter().find(|r| Some(r.id) == region.parent_id)?;
    coordinates(regions, parent)
}

/// How far apart two places are, in kilometres along the earth's surface (haversine), when
/// both are on the map.
pub fn distance_km(regions: &[Region], a: &Region, b: &Region) -> Option<f64> {
    Some(farmgate_domain::regions::km_between(
        coordinates(regions, a)?,
        coordinates(regions, b)?,
    ))
}

/// Where a station is: its own coordinates, else its place's (or the nearest ancestor's).
pub fn station_point(
    regions: &[Region],
    station: &farmgate_store::stations::Station,
) -> Option<(f64, f64)> {
    if let (Some(lat), Some(lon)) = (station.latitude, station.longitude) {
        return Some((lat, lon));
    }
    let place = regions.iter().find(|r| r.id == station.region_id)?;
    coordinates(regions, place)
}

/// Grams as kilograms the way a scale shows them: `12.5`, `3`, `0.125`.
pub fn kg(grams: i64) -> String {
    let whole = grams / 1000;
    let rest = (grams % 1000).abs();
    if rest == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{rest:03}")
            .trim_end_matches('0')
            .to_owned()
    }
}

/// "N months, ¥X in all" owed, or "nothing owed".
pub fn owed_text(t: &Tr, owed: farmgate_store::centre::RentOwed) -> String {
    if owed.months == 0 {
        t.get("park-rent-owed-none")
    } else {
        t.args2(
            "park-rent-owed",
            ("months", i64::from(owed.months).into()),
            ("amount", owed.amount.display_yuan().into()),
        )
    }
}

/// A lease's facts in a line: since when, rent-free until, the rent, ended.
pub fn lease_facts(
    t: &Tr,
    lease: &farmgate_store::centre::Lease,
    today: farmgate_domain::stations::till::LedgerDay,
) -> String {
    let mut facts = vec![t.arg("park-lease-since", "day", lease.starts_on.to_string())];
    if lease.rent_from > today {
        facts.push(t.arg(
            "park-lease-free-until",
            "day",
            lease.rent_from.previous().to_string(),
        ));
    }
    facts.push(t.arg(
        "park-lease-rent",
        "amount",
        lease.monthly_rent.display_yuan(),
    ));
    if let Some(end) = lease.ends_on {
        facts.push(t.arg("park-lease-ended", "day", end.to_string()));
    }
    facts.join(" · ")
}
