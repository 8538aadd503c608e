//! Outbound parcels: from a county seller through the centre to a carrier. How far a parcel
//! goes (the zone of the carriers' rates, from the sending and receiving provinces), and the
//! blocks of waybill numbers a carrier hands the centre for its sellers' labels.

use serde::{Deserialize, Serialize};

use super::{TrackingNumber, TrackingPattern, Zone};
use crate::ValidationError;

/// The provinces (by the codes of the regions' tree) that border each one: a parcel to a
/// neighbour travels at the carriers' "near" rate.
const NEIGHBOURS: &[(&str, &[&str])] = &[
    ("beijing", &["tianjin", "hebei"]),
    ("tianjin", &["beijing", "hebei"]),
    (
        "hebei",
        &[
            "beijing",
            "tianjin",
            "shanxi",
            "neimenggu",
            "liaoning",
            "shandong",
            "henan",
        ],
    ),
    ("shanxi", &["hebei", "neimenggu", "shaanxi", "henan"]),
    (
        "neimenggu",
        &[
            "heilongjiang",
            "jilin",
            "liaoning",
            "hebei",
            "shanxi",
            "shaanxi",
            "ningxia",
            "gansu",
        ],
    ),
    ("liaoning", &["jilin", "hebei", "neimenggu"]),
    ("jilin", &["heilongjiang", "liaoning", "neimenggu"]),
    ("heilongjiang", &["jilin", "neimenggu"]),
    ("shanghai", &["jiangsu", "zhejiang"]),
    ("jiangsu", &["shanghai", "zhejiang", "anhui", "shandong"]),
    (
        "zhejiang",
        &["shanghai", "jiangsu", "anhui", "jiangxi", "fujian"],
    ),
    (
        "anhui",
        &[
            "jiangsu", "zhejiang", "jiangxi", "hubei", "henan", "shandong",
        ],
    ),
    ("fujian", &["zhejiang", "jiangxi", "guangdong"]),
    (
        "jiangxi",
        &["zhejiang", "anhui", "hubei", "hunan", "guangdong", "fujian"],
    ),
    ("shandong", &["hebei", "henan", "anhui", "jiangsu"]),
    (
        "henan",
        &["hebei", "shanxi", "shaanxi", "hubei", "anhui", "shandong"],
    ),
    (
        "hubei",
        &["henan", "anhui", "jiangxi", "hunan", "chongqing", "shaanxi"],
    ),
    (
        "hunan",
        &[
            "hubei",
            "jiangxi",
            "guangdong",
            "guangxi",
            "guizhou",
            "chongqing",
        ],
    ),
    (
        "guangdong",
        &["fujian", "jiangxi", "hunan", "guangxi", "hainan"],
    ),
    ("guangxi", &["guangdong", "hunan", "guizhou", "yunnan"]),
    ("hainan", &["guangdong"]),
    (
        "chongqing",
        &["sichuan", "guizhou", "hunan", "hubei", "shaanxi"],
    ),
    (
        "sichuan",
        &[
            "chongqing",
            "guizhou",
            "yunnan",
            "xizang",
            "qinghai",
            "gansu",
            "shaanxi",
        ],
    ),
    (
        "guizhou",
        &["sichuan", "chongqing", "hunan", "guangxi", "yunnan"],
    ),
    ("yunnan", &["sichuan", "guizhou", "guangxi", "xizang"]),
    ("xizang", &["xinjiang", "qinghai", "sichuan", "yunnan"]),
    (
        "shaanxi",
        &[
            "shanxi",
            "henan",
            "hubei",
            "chongqing",
            "sichuan",
            "gansu",
            "ningxia",
            "neimenggu",
        ],
    ),
    (
        "gansu",
        &[
            "shaanxi",
            "sichuan",
            "qinghai",
            "xinjiang",
            "neimenggu",
            "ningxia",
        ],
    ),
    ("qinghai", &["gansu", "sichuan", "xizang", "xinjiang"]),
    ("ningxia", &["shaanxi", "gansu", "neimenggu"]),
    ("xinjiang", &["gansu", "qinghai", "xizang"]),
];

/// The far west and north, dearer to reach from anywhere else.
const REMOTE: &[&str] = &["xinjiang", "xizang", "qinghai", "neimenggu"];

/// The zone of a parcel sent from province `from` to province `to` (codes of the regions'
/// tree): its own province, a neighbour, the remote west and north, or the rest.
pub fn zone_between(from: &str, to: &str) -> Zone {
    if from == to {
        return Zone::Province;
    }
    let borders = NEIGHBOURS
        .iter()
        .find(|(code, _)| *code == from)
        .is_some_and(|(_, near)| near.contains(&to));
    if borders {
        Zone::Near
    } else if REMOTE.contains(&to) {
        Zone::Remote
    } else {
        Zone::Far
    }
}

/// The most numbers one block may hold.
pub const WAYBILL_BLOCK_MAX: i64 = 1_000_000;

/// A run of waybill numbers a carrier gave the centre: `prefix`, then the serials
/// `first..=last` written in `digits` digits (`SF0000100000000` to `SF0000100009999`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaybillBlock<'a> {
    pub prefix: &'a str,
    pub digits: u32,
    pub first: i64,
    pub last: i64,
}

/// A number split into what comes before its trailing digits and those digits.
fn split(number: &TrackingNumber) -> Option<(&str, &str)> {
    let text = number.as_str();
    let tail = text.len() - text.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (prefix, digits) = text.split_at(tail);
    (!digits.is_empty() && digits.len() <= 18 && prefix.len() <= 8).then_some((prefix, digits))
}

impl<'a> WaybillBlock<'a> {
    /// The block from `first` to `last` as the carrier wrote them: the same prefix and width,
    /// in order, at most a million numbers, each of the carrier's shape.
    pub fn parse(
        first: &'a TrackingNumber,
        last: &TrackingNumber,
        pattern: &TrackingPattern,
    ) -> Result<WaybillBlock<'a>, ValidationError> {
        let invalid = ValidationError::new("last", "waybill-block-invalid");
        let (prefix, from) = split(first).ok_or(invalid)?;
        let (last_prefix, to) = split(last).ok_or(invalid)?;
        if prefix != last_prefix || from.len() != to.len() {
            return Err(invalid);
        }
        let (Ok(from_serial), Ok(to_serial)) = (from.parse::<i64>(), to.parse::<i64>()) else {
            return Err(invalid);
        };
        if to_serial < from_serial || to_serial - from_serial >= WAYBILL_BLOCK_MAX {
            return Err(invalid);
        }
        if !pattern.matches(first) || !pattern.matches(last) {
            return Err(ValidationError::new("first", "tracking-carrier-unknown"));
        }
        Ok(WaybillBlock {
            prefix,
            digits: from.len() as u32,
            first: from_serial,
            last: to_serial,
        })
    }
}

/// The number of serial `serial` in a block of `prefix` and `digits`.
pub fn waybill_number(prefix: &str, digits: u32, serial: i64) -> String {
    format!("{prefix}{serial:0width$}", width = digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_follow_the_provinces() {
        assert_eq!(zone_between("shanxi", "shanxi"), Zone::Province);
        assert_eq!(zone_between("shanxi", "henan"), Zone::Near);
        assert_eq!(zone_between("shanxi", "guangdong"), Zone::Far);
        assert_eq!(zone_between("shanxi", "xinjiang"), Zone::Remote);
        assert_eq!(zone_between("xinjiang", "gansu"), Zone::Near);
        assert_eq!(zone_between("xinjiang", "shanghai"), Zone::Far);
        // Every neighbour says so of the other.
        for (code, near) in NEIGHBOURS {
            for other in *near {
                assert_eq!(zone_between(other, code), Zone::Near, "{other} and {code}");
            }
        }
    }

    #[test]
    fn a_block_is_one_prefix_and_width_in_order() {
        let sf = TrackingPattern::parse(r"SF\d{13}").unwrap();
        let n = |t: &str| TrackingNumber::parse(t).unwrap();
        let (first, last) = (n("SF0000100000000"), n("SF0000100009999"));
        let block = WaybillBlock::parse(&first, &last, &sf).unwrap();
        assert_eq!((block.prefix, block.digits), ("SF", 13));
        assert_eq!(block.last - block.first, 9_999);
        assert_eq!(waybill_number("SF", 13, block.first + 1), "SF0000100000001");
        assert!(
            WaybillBlock::parse(&last, &first, &sf).is_err(),
            "backwards"
        );
        assert!(
            WaybillBlock::parse(&first, &n("SF000010000000"), &sf).is_err(),
            "width"
        );
        assert!(
            WaybillBlock::parse(&first, &n("SF0000200000000"), &sf).is_err(),
            "too many"
        );
        let (yt_first, yt_last) = (n("YT0000100000000"), n("YT0000100000009"));
        let wrong = WaybillBlock::parse(&yt_first, &yt_last, &sf);
        assert_eq!(wrong.unwrap_err().code, "tracking-carrier-unknown");
    }
}
