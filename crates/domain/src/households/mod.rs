//! Registered low-income households (issue 18): the people the centre's work is for. Here:
//! the resident identity number every member is registered under, checked (the national
//! 18-character standard, GB 11643: six digits of the place, the birth date, a sequence, and a
//! check character over the first seventeen) and masked for everyone who need not see it; how
//! a member stands to the household; what earns for a household (its links); the years of its
//! registration.

pub mod income;

use chrono::NaiveDate;

use crate::ValidationError;

/// The weights of the first seventeen characters in the check (GB 11643-1999).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for each remainder modulo 11.
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A resident identity number whose form, birth date and check character are right. It does
/// not prove the person exists: staff see the card.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    /// Never the whole number in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// The check character the first seventeen digits call for.
pub fn check_character(first17: &str) -> Option<char> {
    let digits: Vec<u32> = first17
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 17 {
        return None;
    }
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

impl IdNumber {
    /// Reads a number as typed: spaces dropped, a lower-case x taken as X.
    pub fn parse(typed: &str) -> Result<IdNumber, ValidationError> {
        let text: String = typed
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let invalid = ValidationError::new("id_number", "household-id-invalid");
        if text.len() != 18 || !text.is_ascii() {
            return Err(invalid);
        }
        let (first17, last) = text.split_at(17);
        let Some(expected) = check_character(first17) else {
            return Err(invalid);
        };
        if !matches!(first17.as_bytes()[0], b'1'..=b'9') {
            return Err(invalid);
        }
        if NaiveDate::parse_from_str(&first17[6..14], "%Y%m%d")
            .ok()
            .filter(|d| d.format("%Y").to_string().as_str() >= "1900")
            .is_none()
        {
            return Err(invalid);
        }
        if !last.starts_with(expected) {
            return Err(ValidationError::new("id_number", "household-id-checksum"));
        }
        Ok(IdNumber(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first four and the last four characters, the rest starred: `6531**********1234`.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }

    /// The place of registration's six-digit code.
    pub fn place_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }
}

/// How a member stands to the household's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Head,
    Spouse,
    Child,
    Parent,
    Sibling,
    Other,
}

impl Relation {
    pub const ALL: [Relation; 6] = [
        Relation::Head,
        Relation::Spouse,
        Relation::Child,
        Relation::Parent,
        Relation::Sibling,
        Relation::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Head => "head",
            Relation::Spouse => "spouse",
            Relation::Child => "child",
            Relation::Parent => "parent",
            Relation::Sibling => "sibling",
            Relation::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What earns for a household: a shop it owns or supplies (its share when shared), a station
/// it runs, a stall it books, a tricycle it drives, a job at the centre, and the accounts of its
/// members (each after a one-time code or staff confirmation, never from a typed number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Shop,
    Station,
    Stall,
    Vehicle,
    CentreJob,
    Account,
}

impl LinkKind {
    pub const ALL: [LinkKind; 6] = [
        LinkKind::Shop,
        LinkKind::Station,
        LinkKind::Stall,
        LinkKind::Vehicle,
        LinkKind::CentreJob,
        LinkKind::Account,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Shop => "shop",
            LinkKind::Station => "station",
            LinkKind::Stall => "stall",
            LinkKind::Vehicle => "vehicle",
            LinkKind::CentreJob => "centre_job",
            LinkKind::Account => "account",
        }
    }

    pub fn parse(text: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A share of a shared shop's sales, in whole percent (1 to 100).
pub fn share_percent(percent: i32) -> Result<i32, ValidationError> {
    if (1..=100).contains(&percent) {
        Ok(percent)
    } else {
        Err(ValidationError::new("share", "household-share-invalid"))
    }
}

/// The years a household was registered and lifted out: registered from 2013 (the national
/// register's start) to `this_year`; lifted, if so, not before it was registered nor after
/// `this_year`.
pub fn registration_years(
    registered: i32,
    lifted: Option<i32>,
    this_year: i32,
) -> Result<(i32, Option<i32>), ValidationError> {
    if !(2013..=this_year).contains(&registered) {
        return Err(ValidationError::new(
            "registered_year",
            "household-year-invalid",
        ));
    }
    if lifted.is_some_and(|y| y < registered || y > this_year) {
        return Err(ValidationError::new(
            "lifted_year",
            "household-year-invalid",
        ));
    }
    Ok((registered, lifted))
}

/// A name as the register spells it: 1 to 32 characters, trimmed.
pub fn person_name(typed: &str, field: &'static str) -> Result<String, ValidationError> {
    let name = typed.trim();
    if name.is_empty() || name.chars().count() > 32 {
        return Err(ValidationError::new(field, "household-name-invalid"));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_standards_example_and_a_korla_number_are_read() {
        let beijing = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(beijing.as_str(), "11010519491231002X");
        assert_eq!(beijing.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31));
        let korla = IdNumber::parse("652801 19800101 1238").unwrap();
        assert_eq!(korla.masked(), "6528**********1238");
        assert_eq!(korla.place_code(), "652801");
        assert!(
            !format!("{korla:?}").contains("19800101"),
            "never whole in a log"
        );
    }

    #[test]
    fn mistakes_are_refused_with_what_is_wrong() {
        let code = |typed: &str| IdNumber::parse(typed).unwrap_err().code;
        assert_eq!(code("652801198001011239"), "household-id-checksum");
        assert_eq!(code("65280119800101123"), "household-id-invalid");
        assert_eq!(
            code("652801198013011238"),
            "household-id-invalid",
            "13th month"
        );
        assert_eq!(code("052801198001011238"), "household-id-invalid");
        assert_eq!(
            code("65280118000101123X"),
            "household-id-invalid",
            "before 1900"
        );
        assert_eq!(code("6528011980010112３8"), "household-id-invalid");
    }

    #[test]
    fn years_shares_and_names_keep_to_their_bounds() {
        assert_eq!(
            registration_years(2014, Some(2019), 2026),
            Ok((2014, Some(2019)))
        );
        assert!(registration_years(2012, None, 2026).is_err());
        assert!(registration_years(2027, None, 2026).is_err());
        assert!(registration_years(2016, Some(2015), 2026).is_err());
        assert!(share_percent(0).is_err() && share_percent(101).is_err());
        assert_eq!(share_percent(50), Ok(50));
        assert_eq!(
            person_name(" 吐尔逊·买买提 ", "name"),
            Ok("吐尔逊·买买提".into())
        );
        assert!(person_name("  ", "name").is_err());
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(r));
        }
        for k in LinkKind::ALL {
            assert_eq!(LinkKind::parse(k.as_str()), Some(k));
        }
    }

    proptest! {
        #[test]
        fn a_right_check_character_passes_and_one_changed_digit_fails(
            place in 110_000u32..=659_999,
            days in 0i64..40_000,
            sequence in 0u32..1000,
            at in 0usize..17,
            bump in 1u32..10,
        ) {
            let born = NaiveDate::from_ymd_opt(1910, 1, 1).unwrap() + chrono::Duration::days(days);
            let first17 = format!("{place}{}{sequence:03}", born.format("%Y%m%d"));
            let whole = format!("{first17}{}", check_character(&first17).unwrap());
            prop_assert!(IdNumber::parse(&whole).is_ok());
            let mut changed: Vec<char> = whole.chars().collect();
            let digit = changed[at].to_digit(10).unwrap();
            changed[at] = char::from_digit((digit + bump) % 10, 10).unwrap();
            let changed: String = changed.into_iter().collect();
            // A changed digit either breaks the form (place, date) or the check.
            prop_assert!(IdNumber::parse(&changed).is_err());
        }
    }
}
