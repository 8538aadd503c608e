//! The industrial park (issue 19): its units, the tenants who lease them (a shop of the
//! platform or a company), the rent-free start every new tenant gets ("enterprises do not need
//! to pay rent in the early stage of settling in"), and the rent due in a month after it.

use chrono::Months;

use crate::ValidationError;
use crate::money::Fen;
use crate::stations::till::{LedgerDay, LedgerMonth};

/// The most a unit's monthly rent may be: ¥1,000,000.
pub const MAX_MONTHLY_RENT: Fen = Fen(100_000_000);

/// The longest rent-free start: three years.
pub const MAX_FREE_MONTHS: u32 = 36;

/// A monthly rent: 0 up to [`MAX_MONTHLY_RENT`].
pub fn monthly_rent(rent: Fen) -> Result<Fen, ValidationError> {
    if (0..=MAX_MONTHLY_RENT.0).contains(&rent.0) {
        Ok(rent)
    } else {
        Err(ValidationError::new("monthly_rent", "park-rent-invalid"))
    }
}

/// The first day rent is due for a lease starting on `first` with `free_months` rent-free.
pub fn rent_from(first: LedgerDay, free_months: u32) -> Result<LedgerDay, ValidationError> {
    if free_months > MAX_FREE_MONTHS {
        return Err(ValidationError::new(
            "free_months",
            "park-free-months-invalid",
        ));
    }
    let date = first.date();
    let due = date
        .checked_add_months(Months::new(free_months))
        .ok_or(ValidationError::new(
            "free_months",
            "park-free-months-invalid",
        ))?;
    Ok(LedgerDay::from_date(due))
}

/// A unit's or a tenant's name: 1 to 80 characters.
pub fn park_name(field: &'static str, text: &str) -> Result<String, ValidationError> {
    let name = text.trim();
    if (1..=80).contains(&name.chars().count()) {
        Ok(name.to_owned())
    } else {
        Err(ValidationError::new(field, "park-name-invalid"))
    }
}

/// The rent a lease owes for `month`: the monthly rent when the month has a day on which the
/// lease runs and rent is due (from `rent_from`, until `last`), nothing otherwise.
pub fn rent_in(
    month: LedgerMonth,
    (first, rent_from, last): (LedgerDay, LedgerDay, Option<LedgerDay>),
    rent: Fen,
) -> Fen {
    let month_last = month.end().previous();
    let starts = first.max(rent_from);
    let runs = starts <= month_last && last.is_none_or(|l| l >= month.first && l >= starts);
    if runs { rent } else { Fen(0) }
}

/// How a tenant paid a month's rent: in cash at the centre, or by bank transfer (with its
/// reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RentMethod {
    Cash,
    Transfer,
}

impl RentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            RentMethod::Cash => "cash",
            RentMethod::Transfer => "transfer",
        }
    }

    pub fn parse(text: &str) -> Result<RentMethod, ValidationError> {
        match text {
            "cash" => Ok(RentMethod::Cash),
            "transfer" => Ok(RentMethod::Transfer),
            _ => Err(ValidationError::new("method", "park-rent-method-invalid")),
        }
    }
}

/// A payment's reference (a transfer's number, a receipt's): at most 60 characters; a
/// transfer needs one.
pub fn rent_reference(method: RentMethod, text: &str) -> Result<String, ValidationError> {
    let reference = text.trim();
    let fits = reference.chars().count() <= 60;
    if fits && (method == RentMethod::Cash || !reference.is_empty()) {
        Ok(reference.to_owned())
    } else {
        Err(ValidationError::new(
            "reference",
            "park-rent-reference-invalid",
        ))
    }
}

/// The months a lease owes rent for, up to `today`'s month: from the month rent starts to the
/// month it ends (at most ten years' worth), those whose rent is more than nothing.
pub fn rent_months(
    (first, rent_from, last): (LedgerDay, LedgerDay, Option<LedgerDay>),
    rent: Fen,
    today: LedgerDay,
) -> Vec<(LedgerMonth, Fen)> {
    let until = LedgerMonth::of(last.map_or(today, |l| l.min(today)));
    let mut month = LedgerMonth::of(first.max(rent_from));
    let mut months = Vec::new();
    while month.first <= until.first && months.len() < 120 {
        let due = rent_in(month, (first, rent_from, last), rent);
        if due.0 > 0 {
            months.push((month, due));
        }
        month = month.next();
    }
    months
}

#[cfg(test)]
mod tests {
    #[test]
    fn rent_is_owed_from_the_month_after_the_free_start_until_the_end() {
        let first = day("2026-03-15");
        let from = rent_from(first, 6).unwrap();
        let rent = Fen(300_000);
        let months = rent_months((first, from, None), rent, day("2026-12-02"));
        let names: Vec<String> = months.iter().map(|(m, _)| m.to_string()).collect();
        assert_eq!(names, ["2026-09", "2026-10", "2026-11", "2026-12"]);
        let ended = rent_months(
            (first, from, Some(day("2026-10-03"))),
            rent,
            day("2026-12-02"),
        );
        assert_eq!(ended.len(), 2);
        assert!(rent_months((first, from, None), rent, day("2026-08-31")).is_empty());
        assert!(rent_months((first, from, None), Fen(0), day("2026-12-02")).is_empty());
        assert!(rent_reference(RentMethod::Transfer, " ").is_err());
        assert_eq!(rent_reference(RentMethod::Cash, "").unwrap(), "");
    }

    use super::*;

    fn day(text: &str) -> LedgerDay {
        LedgerDay::parse(text).unwrap()
    }

    #[test]
    fn no_rent_in_the_free_start() {
        let first = day("2026-03-15");
        let from = rent_from(first, 6).unwrap();
        assert_eq!(from, day("2026-09-15"));
        let rent = Fen(300_000);
        let month = |m: &str| LedgerMonth::parse(m).unwrap();
        assert_eq!(rent_in(month("2026-08"), (first, from, None), rent), Fen(0));
        assert_eq!(rent_in(month("2026-09"), (first, from, None), rent), rent);
        let ended = Some(day("2026-08-31"));
        assert_eq!(
            rent_in(month("2026-09"), (first, from, ended), rent),
            Fen(0)
        );
        assert!(rent_from(first, MAX_FREE_MONTHS + 1).is_err());
        assert!(monthly_rent(Fen(-1)).is_err());
    }
}
