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

#[cfg(test)]
mod tests {
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
