//! The centre's stalls (issue 19): a hall's stalls with their size and services, the rent rule
//! (free for a household of the register, the stall's rate otherwise), bookings by the day, the
//! month or the season that never overlap on one stall, and a stall-holder's takings of a day.

use chrono::{Duration, Months};
use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;
use crate::stations::till::LedgerDay;

/// The most rent one term of a stall may cost: ¥100,000.
pub const MAX_RENT: Fen = Fen(10_000_000);

/// The most a stall-holder may record for one day: ¥50,000.
pub const MAX_TAKINGS: Fen = Fen(5_000_000);

/// The largest stall map: rows and columns 1 to 30.
pub const MAX_GRID: i32 = 30;

/// The largest stall, in square metres.
pub const MAX_SIZE_M2: i32 = 500;

/// How far ahead a stall may be booked: a year.
pub const MAX_AHEAD_DAYS: i64 = 366;

/// How long a booking runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StallTerm {
    /// The one day.
    Day,
    /// From the first day to the day before the same date a month later.
    Month,
    /// Three months.
    Season,
}

impl StallTerm {
    pub const ALL: [StallTerm; 3] = [StallTerm::Day, StallTerm::Month, StallTerm::Season];

    pub fn as_str(self) -> &'static str {
        match self {
            StallTerm::Day => "day",
            StallTerm::Month => "month",
            StallTerm::Season => "season",
        }
    }

    pub fn parse(text: &str) -> Result<StallTerm, ValidationError> {
        StallTerm::ALL
            .into_iter()
            .find(|t| t.as_str() == text.trim())
            .ok_or(ValidationError::new("term", "stall-term-invalid"))
    }

    /// The last day of a booking of this term starting on `first` (both included).
    pub fn last_day(self, first: LedgerDay) -> LedgerDay {
        let months = match self {
            StallTerm::Day => return first,
            StallTerm::Month => 1,
            StallTerm::Season => 3,
        };
        let date = first.date();
        let after = date.checked_add_months(Months::new(months)).unwrap_or(date);
        LedgerDay::from_date(after - Duration::days(1))
    }
}

/// What a stall costs for each term when its holder pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StallRates {
    pub day: Fen,
    pub month: Fen,
    pub season: Fen,
}

impl StallRates {
    /// Each rate from 0 up to [`MAX_RENT`].
    pub fn check(self) -> Result<StallRates, ValidationError> {
        for (field, rate) in [
            ("day_rate", self.day),
            ("month_rate", self.month),
            ("season_rate", self.season),
        ] {
            if !(0..=MAX_RENT.0).contains(&rate.0) {
                return Err(ValidationError::new(field, "stall-rate-invalid"));
            }
        }
        Ok(self)
    }

    /// The rent of a booking: nothing for a household of the register (water, power and
    /// heating included, as in Qiaerbag), the term's rate otherwise.
    pub fn rent(self, term: StallTerm, household: bool) -> Fen {
        if household {
            return Fen(0);
        }
        match term {
            StallTerm::Day => self.day,
            StallTerm::Month => self.month,
            StallTerm::Season => self.season,
        }
    }
}

/// What a stall offers besides its floor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StallServices {
    pub water: bool,
    pub power: bool,
    pub heating: bool,
}

/// A stall's code on the map ("A-01"): 1 to 16 letters, digits or dashes.
pub fn stall_code(text: &str) -> Result<String, ValidationError> {
    let code = text.trim().to_uppercase();
    let fits = (1..=16).contains(&code.chars().count())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if fits {
        Ok(code)
    } else {
        Err(ValidationError::new("code", "stall-code-invalid"))
    }
}

/// A stall's place on the map and its size.
pub fn stall_spot(row: i32, column: i32, size_m2: i32) -> Result<(i32, i32, i32), ValidationError> {
    if !(1..=MAX_GRID).contains(&row) || !(1..=MAX_GRID).contains(&column) {
        return Err(ValidationError::new("row", "stall-spot-invalid"));
    }
    if !(1..=MAX_SIZE_M2).contains(&size_m2) {
        return Err(ValidationError::new("size_m2", "stall-size-invalid"));
    }
    Ok((row, column, size_m2))
}

/// A booking's first day: not before `today`, at most [`MAX_AHEAD_DAYS`] ahead.
pub fn booking_start(first: LedgerDay, today: LedgerDay) -> Result<LedgerDay, ValidationError> {
    let ahead = (first.date() - today.date()).num_days();
    if (0..=MAX_AHEAD_DAYS).contains(&ahead) {
        Ok(first)
    } else {
        Err(ValidationError::new("starts_on", "stall-start-invalid"))
    }
}

/// Whether two bookings' days (first and last, both included) share a day.
pub fn overlaps(a: (LedgerDay, LedgerDay), b: (LedgerDay, LedgerDay)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// A day's takings: more than nothing, at most [`MAX_TAKINGS`].
pub fn takings(amount: Fen) -> Result<Fen, ValidationError> {
    if amount.0 > 0 && amount <= MAX_TAKINGS {
        Ok(amount)
    } else {
        Err(ValidationError::new("amount", "stall-takings-invalid"))
    }
}

/// How many days back a stall-holder may record takings themselves (today and the six before);
/// older days are the centre's to correct.
pub const HOLDER_DAYS_BACK: i64 = 6;

/// Whether a stall-holder may record `day`'s takings on `today`: not ahead, at most
/// [`HOLDER_DAYS_BACK`] days back.
pub fn holder_may_record(day: LedgerDay, today: LedgerDay) -> Result<LedgerDay, ValidationError> {
    let back = (today.date() - day.date()).num_days();
    if (0..=HOLDER_DAYS_BACK).contains(&back) {
        Ok(day)
    } else {
        Err(ValidationError::new("day", "stall-takings-too-old"))
    }
}

/// A holder's name as the centre writes it down: 1 to 60 characters.
pub fn holder_name(text: &str) -> Result<String, ValidationError> {
    let name = text.trim();
    if (1..=60).contains(&name.chars().count()) {
        Ok(name.to_owned())
    } else {
        Err(ValidationError::new("holder_name", "stall-holder-invalid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> LedgerDay {
        LedgerDay::parse(text).unwrap()
    }

    #[test]
    fn a_holder_records_this_week_only() {
        let today = day("2026-12-02");
        assert!(holder_may_record(today, today).is_ok());
        assert!(holder_may_record(day("2026-11-26"), today).is_ok());
        assert!(holder_may_record(day("2026-11-25"), today).is_err());
        assert!(holder_may_record(day("2026-12-03"), today).is_err());
    }

    #[test]
    fn terms_end_the_day_before_the_same_date() {
        assert_eq!(
            StallTerm::Day.last_day(day("2026-12-02")),
            day("2026-12-02")
        );
        assert_eq!(
            StallTerm::Month.last_day(day("2026-12-02")),
            day("2027-01-01")
        );
        assert_eq!(
            StallTerm::Month.last_day(day("2027-01-31")),
            day("2027-02-27")
        );
        assert_eq!(
            StallTerm::Season.last_day(day("2026-12-01")),
            day("2027-02-28")
        );
    }

    #[test]
    fn households_of_the_register_pay_nothing() {
        let rates = StallRates {
            day: Fen(2_000),
            month: Fen(40_000),
            season: Fen(100_000),
        };
        assert_eq!(rates.rent(StallTerm::Season, true), Fen(0));
        assert_eq!(rates.rent(StallTerm::Season, false), Fen(100_000));
        assert_eq!(rates.rent(StallTerm::Day, false), Fen(2_000));
        let too_dear = StallRates {
            month: Fen(MAX_RENT.0 + 1),
            ..rates
        };
        assert_eq!(too_dear.check().unwrap_err().field, "month_rate");
    }

    #[test]
    fn bookings_sharing_a_day_overlap() {
        let a = (day("2026-12-01"), day("2026-12-31"));
        assert!(overlaps(a, (day("2026-12-31"), day("2026-12-31"))));
        assert!(!overlaps(a, (day("2027-01-01"), day("2027-01-31"))));
        assert!(overlaps(a, (day("2026-11-01"), day("2027-02-01"))));
    }

    #[test]
    fn takings_and_starts_have_bounds() {
        assert!(takings(Fen(0)).is_err());
        assert!(takings(Fen(20_000)).is_ok());
        assert!(takings(Fen(MAX_TAKINGS.0 + 1)).is_err());
        let today = day("2026-12-02");
        assert!(booking_start(day("2026-12-01"), today).is_err());
        assert!(booking_start(today, today).is_ok());
        assert!(booking_start(day("2027-12-04"), today).is_err());
        assert_eq!(stall_code(" a-01 ").unwrap(), "A-01");
        assert!(stall_code("A 01").is_err());
    }
}
