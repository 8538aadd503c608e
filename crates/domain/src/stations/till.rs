//! A station's till: every cash movement is one signed amount on a ledger day (China's
//! calendar day), and a day is closed by counting the cash against what the movements say
//! should be there.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;

/// China's offset from UTC: ledger days begin at midnight in Beijing (and Xinjiang's offices
/// keep Beijing's calendar).
const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// Why cash came into the till or went out of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CashKind {
    /// Paid by a villager for goods the operator ordered for them.
    VillagerOrder,
    /// Taken when handing a parcel over: the fee, and the order's total for one paid in cash.
    HandOver,
    /// Paid back at the station (a refund in cash).
    RefundPaid,
    /// Handed to the centre.
    HandedIn,
    /// Counted at closing minus expected: the till follows the count, with the reason given.
    Difference,
    /// A villager's share of their produce sold, paid in cash.
    ProducePaid,
}

impl CashKind {
    pub const ALL: [CashKind; 6] = [
        CashKind::VillagerOrder,
        CashKind::HandOver,
        CashKind::RefundPaid,
        CashKind::HandedIn,
        CashKind::Difference,
        CashKind::ProducePaid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CashKind::VillagerOrder => "villager_order",
            CashKind::HandOver => "hand_over",
            CashKind::RefundPaid => "refund_paid",
            CashKind::HandedIn => "handed_in",
            CashKind::Difference => "difference",
            CashKind::ProducePaid => "produce_paid",
        }
    }

    pub fn parse(text: &str) -> Option<CashKind> {
        CashKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A day of the ledger: a calendar day in China's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LedgerDay(NaiveDate);

fn china() -> FixedOffset {
    FixedOffset::east_opt(CHINA_OFFSET_SECONDS).unwrap_or(Utc.fix())
}

impl LedgerDay {
    /// The day `at` falls on in China.
    pub fn of(at: DateTime<Utc>) -> LedgerDay {
        LedgerDay(at.with_timezone(&china()).date_naive())
    }

    /// `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<LedgerDay, ValidationError> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(LedgerDay)
            .map_err(|_| ValidationError::new("day", "day-invalid"))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    pub fn from_date(date: NaiveDate) -> LedgerDay {
        LedgerDay(date)
    }

    /// When the day begins, and when the next one does.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = china()
            .from_local_datetime(&self.0.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_default();
        (start, start + Duration::days(1))
    }

    pub fn previous(self) -> LedgerDay {
        LedgerDay(self.0.pred_opt().unwrap_or(self.0))
    }

    pub fn next(self) -> LedgerDay {
        LedgerDay(self.0.succ_opt().unwrap_or(self.0))
    }

    /// The first day of its month.
    pub fn month_start(self) -> LedgerDay {
        LedgerDay(self.0.with_day0(0).unwrap_or(self.0))
    }
}

impl std::fmt::Display for LedgerDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// A month of the ledger, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LedgerMonth {
    pub first: LedgerDay,
}

impl LedgerMonth {
    pub fn of(day: LedgerDay) -> LedgerMonth {
        LedgerMonth {
            first: day.month_start(),
        }
    }

    pub fn parse(text: &str) -> Result<LedgerMonth, ValidationError> {
        LedgerDay::parse(&format!("{}-01", text.trim()))
            .map(LedgerMonth::of)
            .map_err(|_| ValidationError::new("month", "month-invalid"))
    }

    /// The first day of the next month.
    pub fn end(self) -> LedgerDay {
        let date = self.first.date();
        let next = if date.month() == 12 {
            NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
        };
        LedgerDay(next.unwrap_or(date))
    }

    pub fn previous(self) -> LedgerMonth {
        LedgerMonth::of(self.first.previous())
    }

    pub fn next(self) -> LedgerMonth {
        LedgerMonth { first: self.end() }
    }
}

impl std::fmt::Display for LedgerMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.date().format("%Y-%m"))
    }
}

/// What the operator says at closing: the cash counted in the drawer, what of it goes to the
/// centre now, and why the count differs from what was expected (when it does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub counted: Fen,
    pub handed_in: Fen,
    pub explanation: Option<String>,
}

/// The most cash a station's count may say (¥1,000,000): a typo, not a till.
pub const COUNT_CEILING: Fen = Fen(100_000_000);

/// The longest explanation of a difference kept.
pub const EXPLANATION_MAX_CHARS: usize = 200;

impl Closing {
    /// Checks a closing against the cash `expected`: nothing negative, no more handed in than
    /// counted, and a difference explained.
    pub fn check(&self, expected: Fen) -> Result<(), ValidationError> {
        if self.counted.0 < 0 || self.counted > COUNT_CEILING {
            return Err(ValidationError::new("counted", "amount-invalid"));
        }
        if self.handed_in.0 < 0 || self.handed_in > self.counted {
            return Err(ValidationError::new("handed_in", "handed-in-too-much"));
        }
        let explained = self
            .explanation
            .as_deref()
            .is_some_and(|e| !e.trim().is_empty());
        if self.counted != expected && !explained {
            return Err(ValidationError::new(
                "explanation",
                "difference-unexplained",
            ));
        }
        if self
            .explanation
            .as_deref()
            .is_some_and(|e| e.chars().count() > EXPLANATION_MAX_CHARS)
        {
            return Err(ValidationError::new("explanation", "explanation-too-long"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_day_is_chinas_calendar_day() {
        let late_utc = DateTime::parse_from_rfc3339("2026-11-30T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let day = LedgerDay::of(late_utc);
        assert_eq!(day.to_string(), "2026-12-01");
        let (start, end) = day.bounds();
        assert_eq!(start.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(end - start, Duration::days(1));
        assert_eq!(LedgerMonth::of(day).to_string(), "2026-12");
        assert_eq!(LedgerMonth::of(day).end().to_string(), "2027-01-01");
        assert_eq!(
            LedgerMonth::parse("2026-02").unwrap().end().to_string(),
            "2026-03-01"
        );
        assert!(LedgerDay::parse("2026-13-01").is_err());
    }

    #[test]
    fn a_difference_needs_a_reason_and_no_more_is_handed_in_than_counted() {
        let closing = |counted, handed_in, why: Option<&str>| Closing {
            counted: Fen(counted),
            handed_in: Fen(handed_in),
            explanation: why.map(str::to_owned),
        };
        assert!(closing(500, 0, None).check(Fen(500)).is_ok());
        assert_eq!(
            closing(400, 0, None).check(Fen(500)).unwrap_err().code,
            "difference-unexplained"
        );
        assert!(closing(400, 0, Some("找零给错")).check(Fen(500)).is_ok());
        assert_eq!(
            closing(400, 500, Some("x"))
                .check(Fen(500))
                .unwrap_err()
                .field,
            "handed_in"
        );
        assert!(closing(-1, 0, None).check(Fen(-1)).is_err());
    }
}
