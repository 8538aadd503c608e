//! The centre's own fleet and its mornings (issue 17): electric tricycles and vans leaving a
//! depot to collect produce and sellers' parcels and to sell in communities. The kinds of
//! vehicles, jobs and runs, and the checks on what the centre's staff type for them.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// The most one vehicle may be said to carry: two tonnes, two hundred crates.
pub const MAX_GRAMS: i64 = 2_000_000;
pub const MAX_CRATES: i32 = 200;
/// The longest range a vehicle may be given: 500 km.
pub const MAX_RANGE_M: i32 = 500_000;
/// The morning shift the planner gives every vehicle, minutes after midnight: out from six,
/// back by two.
pub const SHIFT_FROM: i32 = 6 * 60;
pub const SHIFT_UNTIL: i32 = 14 * 60;
/// How much longer county roads are than the straight line (hills, fields, river crossings);
/// a county with measured roads imports them instead.
pub const DETOUR: f64 = 1.3;

/// The longest a job may take at its place: a day.
pub const MAX_SERVICE_MINUTES: i32 = 24 * 60;

macro_rules! named {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|k| k.as_str() == text)
            }
        }
    };
}

named!(
    /// What a vehicle is: it sets the speed the planner assumes.
    VehicleKind {
        Tricycle => "tricycle",
        Van => "van",
    }
);

impl VehicleKind {
    /// The speed the planner assumes on county roads, km/h.
    pub fn speed_kmh(self) -> f64 {
        match self {
            VehicleKind::Tricycle => 15.0,
            VehicleKind::Van => 35.0,
        }
    }
}

named!(
    /// What a stop is for.
    RouteJobKind {
        /// Collected at its place and brought back to the centre.
        Pickup => "pickup",
        /// Loaded at the centre and left at its place.
        Delivery => "delivery",
        /// Selling at its place between set hours.
        Sell => "sell",
    }
);

named!(
    /// Where a job came from.
    JobSource {
        /// A household or a village booked a collection.
        Booking => "booking",
        /// A seller's outbound parcel to fetch.
        Parcel => "parcel",
        /// A community the centre sells in.
        Community => "community",
    }
);

named!(
    /// Where a job stands.
    JobStatus {
        Open => "open",
        Done => "done",
        Cancelled => "cancelled",
    }
);

named!(
    /// Where a planned run stands.
    RunStatus {
        Planned => "planned",
        Out => "out",
        Back => "back",
    }
);

named!(
    /// Why the planner left a job out.
    UnfitCause {
        Capacity => "capacity",
        TimeWindow => "time_window",
        Range => "range",
        Pin => "pin",
        Fleet => "fleet",
        Unknown => "unknown",
    }
);

named!(
    /// What a run credits to someone's income.
    CreditKind {
        /// A shop's goods sold on the run.
        Goods => "goods",
        /// The driver's pay for the run.
        Labour => "labour",
    }
);

/// What a vehicle can carry, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    pub grams: i64,
    pub crates: i32,
}

impl Capacity {
    pub fn new(grams: i64, crates: i32) -> Result<Capacity, ValidationError> {
        if !(1..=MAX_GRAMS).contains(&grams) {
            return Err(ValidationError::new(
                "capacity_kg",
                "fleet-capacity-invalid",
            ));
        }
        if !(0..=MAX_CRATES).contains(&crates) {
            return Err(ValidationError::new("crates", "fleet-capacity-invalid"));
        }
        Ok(Capacity { grams, crates })
    }
}

/// A range in metres, checked (none: no limit).
pub fn range_m(metres: Option<i32>) -> Result<Option<i32>, ValidationError> {
    match metres {
        Some(m) if !(1_000..=MAX_RANGE_M).contains(&m) => {
            Err(ValidationError::new("range_km", "fleet-range-invalid"))
        }
        other => Ok(other),
    }
}

/// When a job's service may start, minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteWindow {
    pub from: i32,
    pub until: i32,
}

impl MinuteWindow {
    pub fn new(from: i32, until: i32) -> Result<MinuteWindow, ValidationError> {
        if (0..=24 * 60).contains(&from) && (from..=24 * 60).contains(&until) {
            Ok(MinuteWindow { from, until })
        } else {
            Err(ValidationError::new("window", "fleet-window-invalid"))
        }
    }

    /// From `HH:MM` as a time field sends it.
    pub fn parse_clock(text: &str) -> Option<i32> {
        let (h, m) = text.trim().split_once(':')?;
        let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
        ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
    }
}

/// The most a run may pay its driver (¥1,000): more is a typing slip.
pub const MAX_RUN_PAY: crate::money::Fen = crate::money::Fen(100_000);

/// A vehicle's pay per run, checked against the ceiling.
pub fn run_pay(pay: crate::money::Fen) -> Result<crate::money::Fen, ValidationError> {
    if (0..=MAX_RUN_PAY.0).contains(&pay.0) {
        Ok(pay)
    } else {
        Err(ValidationError::new("run_pay", "fleet-run-pay-invalid"))
    }
}

/// What a job loads, checked against the largest vehicle there may be.
pub fn job_load(grams: i64, crates: i32) -> Result<(i64, i32), ValidationError> {
    if !(0..=MAX_GRAMS).contains(&grams) {
        return Err(ValidationError::new("weight_kg", "fleet-load-invalid"));
    }
    if !(0..=MAX_CRATES).contains(&crates) {
        return Err(ValidationError::new("crates", "fleet-load-invalid"));
    }
    Ok((grams, crates))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_what_they_write() {
        for kind in VehicleKind::ALL {
            assert_eq!(VehicleKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(RouteJobKind::parse("sell"), Some(RouteJobKind::Sell));
        assert_eq!(
            UnfitCause::parse("time_window"),
            Some(UnfitCause::TimeWindow)
        );
        assert_eq!(JobStatus::parse("lost"), None);
    }

    #[test]
    fn what_staff_type_is_checked() {
        assert!(Capacity::new(300_000, 12).is_ok());
        assert!(Capacity::new(0, 12).is_err());
        assert!(Capacity::new(MAX_GRAMS + 1, 1).is_err());
        assert!(Capacity::new(1, -1).is_err());
        assert_eq!(range_m(None), Ok(None));
        assert!(range_m(Some(10)).is_err());
        assert!(MinuteWindow::new(480, 660).is_ok());
        assert!(MinuteWindow::new(660, 480).is_err());
        assert!(MinuteWindow::new(-1, 480).is_err());
        assert_eq!(MinuteWindow::parse_clock("08:30"), Some(510));
        assert_eq!(MinuteWindow::parse_clock("24:00"), None);
        assert!(job_load(-1, 0).is_err());
        assert_eq!(job_load(25_000, 2), Ok((25_000, 2)));
    }
}
