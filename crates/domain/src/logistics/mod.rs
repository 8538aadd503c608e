//! Logistics: the county's distribution centre delivering for several express companies. Parcels
//! arrive from the carriers' vans for the villages (inbound) or leave from the county's sellers
//! (outbound); each carries its tracking number, whose shape says which carrier it belongs to,
//! and the events of what the centre did with it.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;

pub mod outbound;

/// The longest tracking number any carrier prints.
pub const TRACKING_MAX: usize = 32;

/// A tracking number as typed or scanned: spaces and dashes dropped, letters in upper case,
/// 6 to 32 letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    pub fn parse(typed: &str) -> Result<TrackingNumber, ValidationError> {
        let number: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = (6..=TRACKING_MAX).contains(&number.len())
            && number.bytes().all(|b| b.is_ascii_alphanumeric());
        if valid {
            Ok(TrackingNumber(number))
        } else {
            Err(ValidationError::new("number", "tracking-number-invalid"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The shape of one carrier's tracking numbers, a regular expression over the whole number
/// (written so that browsers' `RegExp` reads it the same way, for checking on the phone).
#[derive(Debug, Clone)]
pub struct TrackingPattern {
    written: String,
    regex: regex::Regex,
}

impl TrackingPattern {
    pub fn parse(written: &str) -> Result<TrackingPattern, ValidationError> {
        let written = written.trim();
        let invalid = ValidationError::new("pattern", "carrier-pattern-invalid");
        if written.is_empty() || written.len() > 128 {
            return Err(invalid);
        }
        Ok(TrackingPattern {
            written: written.to_owned(),
            regex: compiled(written).ok_or(invalid)?,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.written
    }

    pub fn matches(&self, number: &TrackingNumber) -> bool {
        self.regex.is_match(number.as_str())
    }
}

/// The compiled form of pattern `written`, compiled once per process (a handful of carriers'
/// patterns are read on every scan; compiling `\d` is the costly part).
fn compiled(written: &str) -> Option<regex::Regex> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static CACHE: LazyLock<Mutex<HashMap<String, regex::Regex>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = cache.get(written) {
        return Some(found.clone());
    }
    let regex = regex::Regex::new(&format!("^(?:{written})$")).ok()?;
    // Patterns come from the carriers' table: a few dozen at most; keep the cache bounded.
    if cache.len() < 1_000 {
        cache.insert(written.to_owned(), regex.clone());
    }
    Some(regex)
}

impl PartialEq for TrackingPattern {
    fn eq(&self, other: &Self) -> bool {
        self.written == other.written
    }
}

/// Which way a parcel goes through the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From a carrier's van to a village station.
    Inbound,
    /// From a county seller to a carrier.
    Outbound,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::Inbound, Direction::Outbound];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }

    pub fn parse(text: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// Where a parcel is, and the kind of each event in its history (the tracking page shows
/// them in order). A parcel only moves forward: `Stage::follows` says which stage may come
/// after which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The carrier told the centre it is coming (its manifest), with the receiver's village.
    Advised,
    /// Scanned off the carrier's van at the centre.
    ScannedIn,
    /// Its station is known: it waits with that station's other parcels of the day.
    Sorted,
    /// On a run to its station.
    OnRun,
    /// Delivered to the station, which hands it out.
    AtStation,
    HandedOver,
    /// Sent back to the carrier (not collected, or refused).
    Returned,
    /// Outbound: a seller's label is printed; the parcel waits to be collected.
    Labelled,
    /// Outbound: the seller left it at a station, for the next run to take to the centre.
    Dropped,
    /// Outbound: handed to the carrier's van at the centre.
    Dispatched,
    /// Outbound: the label was cancelled before the parcel left the seller.
    Voided,
}

impl Stage {
    pub const ALL: [Stage; 11] = [
        Stage::Advised,
        Stage::ScannedIn,
        Stage::Sorted,
        Stage::OnRun,
        Stage::AtStation,
        Stage::HandedOver,
        Stage::Returned,
        Stage::Labelled,
        Stage::Dropped,
        Stage::Dispatched,
        Stage::Voided,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Advised => "advised",
            Stage::ScannedIn => "scanned_in",
            Stage::Sorted => "sorted",
            Stage::OnRun => "on_run",
            Stage::AtStation => "at_station",
            Stage::HandedOver => "handed_over",
            Stage::Returned => "returned",
            Stage::Labelled => "labelled",
            Stage::Dropped => "dropped",
            Stage::Dispatched => "dispatched",
            Stage::Voided => "voided",
        }
    }

    pub fn parse(text: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the parcel has physically arrived at the centre (or gone further).
    pub fn arrived(self) -> bool {
        self != Stage::Advised
    }

    /// Whether an outbound parcel at `self` may move to `next`: labelled, perhaps left at a
    /// station and carried in by a run, scanned in at the centre, handed to its carrier.
    pub fn outbound_may_become(self, next: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, next),
            (Labelled, Dropped)
                | (Dropped, OnRun)
                | (Labelled | Dropped | OnRun, ScannedIn)
                | (ScannedIn, Dispatched)
                | (Labelled, Voided)
        )
    }

    /// Whether an inbound parcel at `self` may move to `next`.
    pub fn may_become(self, next: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, next),
            (Advised, ScannedIn)
                | (ScannedIn, Sorted)
                | (Sorted, Sorted)
                | (Sorted, OnRun)
                | (OnRun, AtStation)
                | (AtStation, HandedOver)
                | (ScannedIn | Sorted | OnRun | AtStation, Returned)
        )
    }
}

/// How far an outbound parcel goes, for the carriers' rates to the county's sellers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// Within the seller's own province.
    Province,
    /// The neighbouring provinces.
    Near,
    /// The rest of the mainland.
    Far,
    /// Xinjiang, Tibet, Qinghai, Inner Mongolia and the like, when sending from elsewhere.
    Remote,
}

impl Zone {
    pub const ALL: [Zone; 4] = [Zone::Province, Zone::Near, Zone::Far, Zone::Remote];

    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Province => "province",
            Zone::Near => "near",
            Zone::Far => "far",
            Zone::Remote => "remote",
        }
    }

    pub fn parse(text: &str) -> Option<Zone> {
        Zone::ALL.into_iter().find(|z| z.as_str() == text)
    }
}

/// One line of a carrier's rates: parcels to `zone` weighing up to `up_to_grams` cost `fee`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub zone: Zone,
    pub up_to_grams: i32,
    pub fee: Fen,
}

/// The heaviest parcel a rate may cover: 50 kg.
pub const RATE_MAX_GRAMS: i32 = 50_000;
/// The most a centre may charge a carrier for delivering one parcel to a village: ¥20.
pub const INBOUND_FEE_CEILING: Fen = Fen(2_000);
/// The most one rate line may ask of a seller: ¥500.
pub const RATE_CEILING: Fen = Fen(50_000);

/// What a parcel of `grams` to `zone` costs under `rates`: the lightest band that holds it.
/// None when no band does (too heavy, or no rate for the zone).
pub fn fee_for(rates: &[Rate], zone: Zone, grams: i32) -> Option<Fen> {
    rates
        .iter()
        .filter(|r| r.zone == zone && grams <= r.up_to_grams)
        .min_by_key(|r| r.up_to_grams)
        .map(|r| r.fee)
}

/// The fee a centre charges a carrier for one inbound parcel, checked against its ceiling.
pub fn parse_inbound_fee(fee: Fen) -> Result<Fen, ValidationError> {
    if (0..=INBOUND_FEE_CEILING.0).contains(&fee.0) {
        Ok(fee)
    } else {
        Err(ValidationError::new("inbound_fee", "carrier-fee-invalid"))
    }
}

/// A rate line, checked: a positive weight up to 50 kg and a fee up to its ceiling.
pub fn parse_rate(zone: Zone, up_to_grams: i32, fee: Fen) -> Result<Rate, ValidationError> {
    if !(1..=RATE_MAX_GRAMS).contains(&up_to_grams) {
        return Err(ValidationError::new("rates", "carrier-rate-weight-invalid"));
    }
    if !(0..=RATE_CEILING.0).contains(&fee.0) {
        return Err(ValidationError::new("rates", "carrier-rate-fee-invalid"));
    }
    Ok(Rate {
        zone,
        up_to_grams,
        fee,
    })
}

/// Where a run is: planned (its stops can still change), left the depot (its parcels are on
/// their way and each station sees them coming), or done (every stop delivered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Planned,
    Left,
    Done,
}

impl RunStatus {
    pub const ALL: [RunStatus; 3] = [RunStatus::Planned, RunStatus::Left, RunStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Planned => "planned",
            RunStatus::Left => "left",
            RunStatus::Done => "done",
        }
    }

    pub fn parse(text: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How a driver proved a stop was delivered: the code the station's desk shows, or a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    Code,
    Photo,
}

impl Proof {
    pub fn as_str(self) -> &'static str {
        match self {
            Proof::Code => "code",
            Proof::Photo => "photo",
        }
    }

    pub fn parse(text: &str) -> Option<Proof> {
        [Proof::Code, Proof::Photo]
            .into_iter()
            .find(|p| p.as_str() == text)
    }
}

/// A stop delivered this many minutes after its expected time still counts as on time.
pub const ON_TIME_GRACE_MINUTES: i64 = 15;

/// Minutes a run spends at each stop, handing over and taking back.
pub const MINUTES_PER_STOP: i64 = 8;
/// A loaded van's average speed on county roads, km/h.
pub const RUN_SPEED_KMH: f64 = 30.0;
/// Roads wind: the distance driven over the straight line between two places.
pub const ROAD_FACTOR: f64 = 1.3;

/// When a run leaving at `depart` reaches each stop, given the straight-line kilometres of
/// each leg (depot to the first stop, then stop to stop).
pub fn expected_times(
    depart: chrono::DateTime<chrono::Utc>,
    legs_km: &[f64],
) -> Vec<chrono::DateTime<chrono::Utc>> {
    let mut at = depart;
    legs_km
        .iter()
        .map(|km| {
            let minutes = (km.max(0.0) * ROAD_FACTOR / RUN_SPEED_KMH * 60.0).round() as i64;
            at += chrono::Duration::minutes(minutes);
            let arrival = at;
            at += chrono::Duration::minutes(MINUTES_PER_STOP);
            arrival
        })
        .collect()
}

/// Why the centre refused a step with a parcel: answers with their own message
/// (`error-<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LogisticsRefusal {
    #[error("no carrier working through this centre prints tracking numbers of this shape")]
    UnknownCarrier,
    #[error("the parcel was already scanned in")]
    AlreadyIn,
    #[error("the parcel cannot take this step now")]
    WrongStage,
    #[error("no such parcel at this centre")]
    NoParcel,
    #[error("the run has left, or is done")]
    RunLeft,
    #[error("the run has not left yet")]
    RunNotLeft,
    #[error("the stop was delivered already")]
    StopDelivered,
    #[error("the station's handover code is not this one")]
    WrongHandoverCode,
    #[error("a run needs at least one stop")]
    NoStops,
    #[error("no carrier working through the centre has a rate for this parcel")]
    NoRate,
    #[error("the carrier's waybill numbers at this centre are used up")]
    WaybillsUsedUp,
    #[error("the shop's county has no distribution centre")]
    NoDepot,
}

impl LogisticsRefusal {
    pub fn code(self) -> &'static str {
        match self {
            LogisticsRefusal::UnknownCarrier => "tracking-carrier-unknown",
            LogisticsRefusal::AlreadyIn => "parcel-already-in",
            LogisticsRefusal::WrongStage => "parcel-wrong-stage",
            LogisticsRefusal::NoParcel => "parcel-not-here",
            LogisticsRefusal::RunLeft => "run-left",
            LogisticsRefusal::RunNotLeft => "run-not-left",
            LogisticsRefusal::StopDelivered => "stop-delivered",
            LogisticsRefusal::WrongHandoverCode => "handover-code-wrong",
            LogisticsRefusal::NoStops => "run-no-stops",
            LogisticsRefusal::NoRate => "carrier-no-rate",
            LogisticsRefusal::WaybillsUsedUp => "waybills-used-up",
            LogisticsRefusal::NoDepot => "depot-none",
        }
    }

    /// The field a refusal concerns.
    pub fn field(self) -> &'static str {
        match self {
            LogisticsRefusal::WrongHandoverCode => "code",
            LogisticsRefusal::NoStops => "stations",
            LogisticsRefusal::NoRate | LogisticsRefusal::WaybillsUsedUp => "carrier",
            LogisticsRefusal::NoDepot => "depot",
            LogisticsRefusal::RunLeft
            | LogisticsRefusal::RunNotLeft
            | LogisticsRefusal::StopDelivered => "run",
            _ => "number",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_are_read_as_printed() {
        assert_eq!(
            TrackingNumber::parse(" sf 1234-5678-90123 ")
                .unwrap()
                .as_str(),
            "SF1234567890123"
        );
        assert!(TrackingNumber::parse("12345").is_err());
        assert!(TrackingNumber::parse("SF12345678901%").is_err());
        assert!(TrackingNumber::parse(&"1".repeat(33)).is_err());
    }

    #[test]
    fn a_pattern_covers_the_whole_number() {
        let sf = TrackingPattern::parse(r"SF\d{13}").unwrap();
        assert!(sf.matches(&TrackingNumber::parse("SF1234567890123").unwrap()));
        assert!(!sf.matches(&TrackingNumber::parse("SF12345678901234").unwrap()));
        assert!(!sf.matches(&TrackingNumber::parse("XSF1234567890123").unwrap()));
        assert!(TrackingPattern::parse("(").is_err());
        // An alternation stays inside the anchors.
        let ems = TrackingPattern::parse(r"E[A-Z]\d{9}CN|1\d{12}").unwrap();
        assert!(!ems.matches(&TrackingNumber::parse("EA123456789CNX").unwrap()));
        assert!(ems.matches(&TrackingNumber::parse("1234567890123").unwrap()));
    }

    #[test]
    fn a_parcel_only_moves_forward() {
        assert!(Stage::Advised.may_become(Stage::ScannedIn));
        assert!(Stage::ScannedIn.may_become(Stage::Sorted));
        assert!(!Stage::ScannedIn.may_become(Stage::ScannedIn));
        assert!(!Stage::HandedOver.may_become(Stage::Returned));
        assert!(!Stage::Advised.may_become(Stage::Sorted));
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        }
    }

    #[test]
    fn a_run_reaches_each_stop_after_its_leg_and_the_stops_before() {
        let depart = chrono::DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let times = expected_times(depart, &[15.0, 0.0, 7.5]);
        let minutes: Vec<i64> = times.iter().map(|t| (*t - depart).num_minutes()).collect();
        // 15 km x 1.3 at 30 km/h = 39 min; 8 min there; 0 km; 8 min; 7.5 km = 19.5 -> 20 min.
        assert_eq!(minutes, [39, 47, 75]);
    }

    #[test]
    fn the_lightest_band_that_holds_the_parcel_prices_it() {
        let rates = [
            parse_rate(Zone::Far, 3_000, Fen(1_200)).unwrap(),
            parse_rate(Zone::Far, 1_000, Fen(800)).unwrap(),
            parse_rate(Zone::Province, 1_000, Fen(500)).unwrap(),
        ];
        assert_eq!(fee_for(&rates, Zone::Far, 900), Some(Fen(800)));
        assert_eq!(fee_for(&rates, Zone::Far, 1_001), Some(Fen(1_200)));
        assert_eq!(fee_for(&rates, Zone::Far, 3_001), None);
        assert_eq!(fee_for(&rates, Zone::Remote, 100), None);
        assert!(parse_rate(Zone::Far, 0, Fen(1)).is_err());
        assert!(parse_rate(Zone::Far, 1_000, Fen(50_001)).is_err());
        assert!(parse_inbound_fee(Fen(2_001)).is_err());
    }
}
