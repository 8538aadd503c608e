//! Administrative regions: the tree every shop, station, household and grant hangs from.
//!
//! A region's place in the tree is kept as a materialised path of ids (`/1/4/17/`), so "is this
//! node inside that subtree" is a prefix test, in Rust and in SQL alike.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// The levels of China's administrative tree that FarmGate knows, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// The national root: buyers and national administrators are scoped here.
    Country,
    Province,
    /// A prefecture, a prefecture-level city or an autonomous prefecture.
    Prefecture,
    /// A county or a county-level city.
    County,
    /// A township or town.
    Township,
    Village,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 6] = [
        RegionLevel::Country,
        RegionLevel::Province,
        RegionLevel::Prefecture,
        RegionLevel::County,
        RegionLevel::Township,
        RegionLevel::Village,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Country => "country",
            RegionLevel::Province => "province",
            RegionLevel::Prefecture => "prefecture",
            RegionLevel::County => "county",
            RegionLevel::Township => "township",
            RegionLevel::Village => "village",
        }
    }

    pub fn parse(text: &str) -> Option<RegionLevel> {
        RegionLevel::ALL.into_iter().find(|l| l.as_str() == text)
    }

    /// The level a child of this level must have; villages have no children.
    pub fn child(self) -> Option<RegionLevel> {
        let index = RegionLevel::ALL.iter().position(|l| *l == self)?;
        RegionLevel::ALL.get(index + 1).copied()
    }
}

/// A region's position in the tree: the ids from the root down to the region itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegionPath(String);

impl RegionPath {
    /// The path of a root region.
    pub fn root(id: i64) -> RegionPath {
        RegionPath(format!("/{id}/"))
    }

    /// The path of a child with `id` under this region.
    pub fn child(&self, id: i64) -> RegionPath {
        RegionPath(format!("{}{id}/", self.0))
    }

    /// Reads a stored path, refusing anything that is not `/id/id/.../`.
    pub fn parse(text: &str) -> Result<RegionPath, ValidationError> {
        let invalid = ValidationError::new("region", "region-invalid");
        let inner = text
            .strip_prefix('/')
            .and_then(|t| t.strip_suffix('/'))
            .ok_or(invalid)?;
        if inner.is_empty()
            || !inner
                .split('/')
                .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid);
        }
        Ok(RegionPath(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `other` is this region or lies below it.
    pub fn contains(&self, other: &RegionPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The ids from the root down to this region.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.0.split('/').filter_map(|id| id.parse().ok())
    }

    pub fn depth(&self) -> usize {
        self.ids().count()
    }
}

/// A short, stable, URL-safe name for a region: `tekes`, `korla-qiaerbag-saibag`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(text: &str) -> Result<RegionCode, ValidationError> {
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if ok {
            Ok(RegionCode(text.to_owned()))
        } else {
            Err(ValidationError::new("region", "region-invalid"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Kilometres between two (latitude, longitude) points along the earth's surface (haversine).
pub fn km_between((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_subtree_contains_its_descendants_only() {
        let xinjiang = RegionPath::root(1).child(2);
        let tekes = xinjiang.child(3);
        let village = tekes.child(30).child(31);
        let jinghe = xinjiang.child(4);
        assert!(xinjiang.contains(&village));
        assert!(tekes.contains(&village));
        assert!(tekes.contains(&tekes));
        assert!(!jinghe.contains(&village));
        assert!(!village.contains(&tekes));
    }

    #[test]
    fn id_prefixes_are_not_confused() {
        // Region 3 must not contain region 30 just because "3" is a prefix of "30".
        let three = RegionPath::root(1).child(3);
        let thirty = RegionPath::root(1).child(30);
        assert!(!three.contains(&thirty));
    }

    #[test]
    fn paths_parse_strictly() {
        assert!(RegionPath::parse("/1/2/").is_ok());
        for bad in ["", "/", "1/2/", "/1/2", "/1//2/", "/a/"] {
            assert!(RegionPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn levels_descend_to_village() {
        assert_eq!(RegionLevel::County.child(), Some(RegionLevel::Township));
        assert_eq!(RegionLevel::Village.child(), None);
        for level in RegionLevel::ALL {
            assert_eq!(RegionLevel::parse(level.as_str()), Some(level));
        }
    }

    proptest! {
        #[test]
        fn containment_is_prefix_of_ids(a in proptest::collection::vec(1i64..50, 1..5),
                                        b in proptest::collection::vec(1i64..50, 1..5)) {
            let build = |ids: &[i64]| {
                let mut path = RegionPath::root(ids[0]);
                for id in &ids[1..] { path = path.child(*id); }
                path
            };
            let (pa, pb) = (build(&a), build(&b));
            prop_assert_eq!(pa.contains(&pb), b.starts_with(&a));
            prop_assert_eq!(pb.depth(), b.len());
        }
    }
}
