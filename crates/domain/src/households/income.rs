//! A household's income (issue 18): where each month's money came from, how a project's
//! dividend is split between the households it pays, and how a household stands against the
//! county's poverty line (income per person per year, the line being a yearly figure).

use crate::ValidationError;
use crate::money::Fen;

/// Where a household's money came from. The first four are read from the modules that earn it
/// (a linked shop's sales times the household's share, a linked station's pickup fees, a linked
/// tricycle's runs, a project's dividend when paid); the last three are entered by the centre,
/// each with a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeSource {
    Shop,
    Station,
    Tricycle,
    Dividend,
    Stall,
    Wages,
    Other,
}

impl IncomeSource {
    pub const ALL: [IncomeSource; 7] = [
        IncomeSource::Shop,
        IncomeSource::Station,
        IncomeSource::Tricycle,
        IncomeSource::Dividend,
        IncomeSource::Stall,
        IncomeSource::Wages,
        IncomeSource::Other,
    ];

    /// What the centre may enter by hand (the rest comes from the modules).
    pub const ENTERED: [IncomeSource; 3] = [
        IncomeSource::Stall,
        IncomeSource::Wages,
        IncomeSource::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncomeSource::Shop => "shop",
            IncomeSource::Station => "station",
            IncomeSource::Tricycle => "tricycle",
            IncomeSource::Dividend => "dividend",
            IncomeSource::Stall => "stall",
            IncomeSource::Wages => "wages",
            IncomeSource::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<IncomeSource> {
        IncomeSource::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Parses a source the centre may enter by hand.
    pub fn entered(text: &str) -> Result<IncomeSource, ValidationError> {
        IncomeSource::parse(text)
            .filter(|s| IncomeSource::ENTERED.contains(s))
            .ok_or_else(|| ValidationError::new("source", "household-income-source-invalid"))
    }
}

/// The most one entry or one dividend pool may be: ¥1,000,000.
pub const INCOME_CEILING: Fen = Fen(100_000_000);

/// The longest note an entry or a pool keeps.
pub const NOTE_MAX_CHARS: usize = 200;

/// An amount entered by hand: more than nothing, at most [`INCOME_CEILING`].
pub fn income_amount(amount: Fen, field: &'static str) -> Result<Fen, ValidationError> {
    if amount.0 <= 0 || amount > INCOME_CEILING {
        return Err(ValidationError::new(
            field,
            "household-income-amount-invalid",
        ));
    }
    Ok(amount)
}

/// A note: trimmed, required for entries by hand, bounded.
pub fn income_note(typed: &str) -> Result<String, ValidationError> {
    let note = typed.trim();
    if note.is_empty() {
        return Err(ValidationError::new(
            "note",
            "household-income-note-missing",
        ));
    }
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(ValidationError::new(
            "note",
            "household-income-note-too-long",
        ));
    }
    Ok(note.to_owned())
}

/// How a project's dividend pool is split between the households it pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DividendRule {
    /// The same to every household.
    Equal,
    /// In proportion to each household's members.
    ByMembers,
    /// In proportion to the days each household worked on the project.
    ByWorkDays,
}

impl DividendRule {
    pub const ALL: [DividendRule; 3] = [
        DividendRule::Equal,
        DividendRule::ByMembers,
        DividendRule::ByWorkDays,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DividendRule::Equal => "equal",
            DividendRule::ByMembers => "by_members",
            DividendRule::ByWorkDays => "by_work_days",
        }
    }

    pub fn parse(text: &str) -> Option<DividendRule> {
        DividendRule::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The weight of a household with `members` members that worked `work_days`.
    pub fn weight(self, members: u32, work_days: u32) -> u64 {
        match self {
            DividendRule::Equal => 1,
            DividendRule::ByMembers => u64::from(members),
            DividendRule::ByWorkDays => u64::from(work_days),
        }
    }
}

/// The most days a household may be said to have worked on a project in one pool.
pub const MAX_WORK_DAYS: u32 = 366;

/// Splits `total` in proportion to `weights`, to the fen: each gets the whole fen of its part,
/// and the fen left over go one each to the largest remainders (the earlier first on a tie), so
/// the parts add up to `total` exactly. Refused when nothing weighs (no household, or no work
/// days under [`DividendRule::ByWorkDays`]).
pub fn split(total: Fen, weights: &[u64]) -> Result<Vec<Fen>, ValidationError> {
    let nothing = || ValidationError::new("households", "dividend-nobody-to-pay");
    if total.0 < 0 {
        return Err(ValidationError::new(
            "amount",
            "household-income-amount-invalid",
        ));
    }
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if sum == 0 {
        return Err(nothing());
    }
    let whole = total.0 as u128;
    let mut parts: Vec<(u128, u128)> = weights
        .iter()
        .map(|w| {
            let exact = whole * u128::from(*w);
            (exact / sum, exact % sum)
        })
        .collect();
    let given: u128 = parts.iter().map(|(p, _)| p).sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take((whole - given) as usize) {
        parts[i].0 += 1;
    }
    Ok(parts
        .into_iter()
        .map(|(p, _)| Fen(i64::try_from(p).unwrap_or(i64::MAX)))
        .collect())
}

/// `amount` times `percent` / 100, rounded down to the fen (a shop shared by several
/// households credits each its part).
pub fn share_of(amount: Fen, percent: i32) -> Fen {
    let part = i128::from(amount.0) * i128::from(percent.clamp(0, 100)) / 100;
    Fen(i64::try_from(part).unwrap_or(i64::MAX))
}

/// How a household stands against a year's poverty line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Standing {
    /// The income per person over the twelve months counted.
    pub per_person: Fen,
    /// The line per person per year.
    pub line: Fen,
}

impl Standing {
    /// `income` over twelve months shared by `members` (at least one counted).
    pub fn of(income: Fen, members: u32, line: Fen) -> Standing {
        Standing {
            per_person: Fen(income.0 / i64::from(members.max(1))),
            line,
        }
    }

    pub fn above(self) -> bool {
        self.per_person >= self.line
    }

    /// The income per person as a percentage of the line (0 when no line is set).
    pub fn percent(self) -> i64 {
        if self.line.0 <= 0 {
            return 0;
        }
        i64::try_from(i128::from(self.per_person.0) * 100 / i128::from(self.line.0))
            .unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_pool_is_split_to_the_fen() {
        assert_eq!(
            split(Fen(1000), &[1, 1, 1]).unwrap(),
            vec![Fen(334), Fen(333), Fen(333)]
        );
        assert_eq!(
            split(Fen(900), &[1, 2, 0]).unwrap(),
            vec![Fen(300), Fen(600), Fen(0)]
        );
        assert!(split(Fen(900), &[0, 0]).is_err());
        assert!(split(Fen(900), &[]).is_err());
    }

    #[test]
    fn a_standing_is_per_person_against_the_line() {
        let s = Standing::of(Fen(1_200_000), 3, Fen(460_000));
        assert_eq!(s.per_person, Fen(400_000));
        assert!(!s.above());
        assert_eq!(s.percent(), 86);
        assert!(Standing::of(Fen(460_000), 1, Fen(460_000)).above());
        assert_eq!(share_of(Fen(1001), 50), Fen(500));
    }

    #[test]
    fn only_some_sources_are_entered_by_hand() {
        assert!(IncomeSource::entered("wages").is_ok());
        assert!(IncomeSource::entered("shop").is_err());
        assert!(income_amount(Fen(0), "amount").is_err());
        assert!(income_amount(Fen(INCOME_CEILING.0 + 1), "amount").is_err());
        assert!(income_note("  ").is_err());
        for s in IncomeSource::ALL {
            assert_eq!(IncomeSource::parse(s.as_str()), Some(s));
        }
        for r in DividendRule::ALL {
            assert_eq!(DividendRule::parse(r.as_str()), Some(r));
        }
    }

    proptest! {
        #[test]
        fn the_parts_add_up_and_follow_the_weights(
            total in 0i64..100_000_000,
            weights in proptest::collection::vec(0u64..400, 1..40),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let parts = split(Fen(total), &weights).unwrap();
            prop_assert_eq!(parts.iter().map(|p| p.0).sum::<i64>(), total);
            let sum: u64 = weights.iter().sum();
            for (p, w) in parts.iter().zip(&weights) {
                let exact = total as f64 * *w as f64 / sum as f64;
                prop_assert!((p.0 as f64 - exact).abs() < 1.0 + 1e-6);
            }
        }
    }
}
