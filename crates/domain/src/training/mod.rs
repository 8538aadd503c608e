//! Training: the kinds of course the centre runs, where a session takes place, an enrolment's
//! place (or place in the queue), how attendance is taken, when a trainee has completed a
//! course, and the signed codes of check-in and certificates (`signing`).

pub(crate) mod signing;

pub use signing::{
    CHECK_IN_LIFETIME_SECS, CHECK_IN_ROTATE_SECS, CheckInRefusal, CheckInToken,
    certificate_signature, verify_certificate,
};

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Why the training records refused a step. Refusals are answers with their own message, not
/// failures; `code` names the message (`error-<code>` in the catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TrainingRefusal {
    #[error("the course has no such day")]
    NoSuchDay,
    #[error("the trainee is still waiting for a place")]
    Waitlisted,
    #[error("a day of the session has been attended: its days cannot move")]
    DaysAttended,
    #[error("fewer places than are taken")]
    FewerThanTaken,
    #[error("the syllabus needs one text per day")]
    SyllabusDays,
    #[error("the account already has a training record")]
    AccountHasRecord,
    #[error("the training record is already an account's")]
    RecordClaimed,
}

impl TrainingRefusal {
    pub fn code(self) -> &'static str {
        match self {
            TrainingRefusal::NoSuchDay => "training-no-such-day",
            TrainingRefusal::Waitlisted => "check-in-waitlisted",
            TrainingRefusal::DaysAttended => "session-days-attended",
            TrainingRefusal::FewerThanTaken => "capacity-below-enrolled",
            TrainingRefusal::SyllabusDays => "course-syllabus-days",
            TrainingRefusal::AccountHasRecord => "trainee-account-has-record",
            TrainingRefusal::RecordClaimed => "trainee-record-claimed",
        }
    }

    /// The form field the refusal belongs beside, if any.
    pub fn field(self) -> Option<&'static str> {
        match self {
            TrainingRefusal::NoSuchDay => Some("day"),
            TrainingRefusal::DaysAttended => Some("starts_on"),
            TrainingRefusal::FewerThanTaken => Some("capacity"),
            TrainingRefusal::SyllabusDays => Some("syllabus_zh"),
            _ => None,
        }
    }
}

/// The kinds of course of the seeds: the free basics, the five-day camp on opening a shop and
/// selling in livestreams, a skill (packaging, sorting, sales, photography), livestream hosting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseKind {
    Basics,
    Camp,
    Skills,
    Hosting,
}

impl CourseKind {
    pub const ALL: [CourseKind; 4] = [
        CourseKind::Basics,
        CourseKind::Camp,
        CourseKind::Skills,
        CourseKind::Hosting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CourseKind::Basics => "basics",
            CourseKind::Camp => "camp",
            CourseKind::Skills => "skills",
            CourseKind::Hosting => "hosting",
        }
    }

    pub fn parse(text: &str) -> Result<CourseKind, ValidationError> {
        CourseKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or(ValidationError::new("kind", "course-kind-invalid"))
    }
}

/// Where a session takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VenueKind {
    /// The county centre's training floor.
    Centre,
    /// A township's or station's training point.
    TrainingPoint,
    /// The industrial park (a livestream base, a packing hall).
    IndustrialPark,
    /// Online: a live room or a video address.
    Online,
}

impl VenueKind {
    pub const ALL: [VenueKind; 4] = [
        VenueKind::Centre,
        VenueKind::TrainingPoint,
        VenueKind::IndustrialPark,
        VenueKind::Online,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VenueKind::Centre => "centre",
            VenueKind::TrainingPoint => "training_point",
            VenueKind::IndustrialPark => "industrial_park",
            VenueKind::Online => "online",
        }
    }

    pub fn parse(text: &str) -> Result<VenueKind, ValidationError> {
        VenueKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or(ValidationError::new("venue_kind", "venue-kind-invalid"))
    }
}

/// An enrolment holds a place, waits for one, or was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    Enrolled,
    Waitlisted,
    Withdrawn,
}

impl EnrolmentStatus {
    pub const ALL: [EnrolmentStatus; 3] = [
        EnrolmentStatus::Enrolled,
        EnrolmentStatus::Waitlisted,
        EnrolmentStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Enrolled => "enrolled",
            EnrolmentStatus::Waitlisted => "waitlisted",
            EnrolmentStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<EnrolmentStatus> {
        EnrolmentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// How a day's attendance was taken: the trainee scanned the trainer's code, or the trainer
/// ticked the roster (for those without a phone; who ticked is kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceMethod {
    Qr,
    Roster,
}

impl AttendanceMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceMethod::Qr => "qr",
            AttendanceMethod::Roster => "roster",
        }
    }

    pub fn parse(text: &str) -> Option<AttendanceMethod> {
        [AttendanceMethod::Qr, AttendanceMethod::Roster]
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// A trainee's gender, when they give it (the programme counts women trained).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }

    /// A gender as stored (`None` when not given).
    pub fn from_stored(text: Option<&str>) -> Option<Gender> {
        Gender::parse_optional(text.unwrap_or_default())
            .ok()
            .flatten()
    }

    /// An empty answer is no answer; anything else must be one of the two.
    pub fn parse_optional(text: &str) -> Result<Option<Gender>, ValidationError> {
        match text.trim() {
            "" => Ok(None),
            "female" => Ok(Some(Gender::Female)),
            "male" => Ok(Some(Gender::Male)),
            _ => Err(ValidationError::new("gender", "gender-invalid")),
        }
    }
}

/// A birth year, when given: a trainee is between 14 and 100.
pub fn parse_birth_year(text: &str, this_year: i32) -> Result<Option<i32>, ValidationError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i32>()
        .ok()
        .filter(|year| (this_year - 100..=this_year - 14).contains(year))
        .map(Some)
        .ok_or(ValidationError::new("birth_year", "birth-year-invalid"))
}

/// The age bands of the programme's report.
pub const AGE_BANDS: [&str; 5] = ["under-25", "25-34", "35-44", "45-54", "55-plus"];

/// The band of someone born in `birth_year`, in `year`.
pub fn age_band(birth_year: i32, year: i32) -> &'static str {
    match year - birth_year {
        ..25 => AGE_BANDS[0],
        25..35 => AGE_BANDS[1],
        35..45 => AGE_BANDS[2],
        45..55 => AGE_BANDS[3],
        _ => AGE_BANDS[4],
    }
}

/// The most days a course runs (the camp: five).
pub const MAX_COURSE_DAYS: i32 = 5;

/// A course's length and completion rule: 1 to 5 days; completed with at least `min_days` of
/// them attended (the camp: 4 of 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionRule {
    pub days: i32,
    pub min_days: i32,
}

impl CompletionRule {
    pub fn new(days: i32, min_days: i32) -> Result<CompletionRule, ValidationError> {
        if !(1..=MAX_COURSE_DAYS).contains(&days) {
            return Err(ValidationError::new("days", "course-days-invalid"));
        }
        if !(1..=days).contains(&min_days) {
            return Err(ValidationError::new("min_days", "course-min-days-invalid"));
        }
        Ok(CompletionRule { days, min_days })
    }

    /// The rule the centre uses unless it says otherwise: every day of a short course, all
    /// but one of a course of five days.
    pub fn usual(days: i32) -> Result<CompletionRule, ValidationError> {
        CompletionRule::new(days, if days >= 5 { days - 1 } else { days })
    }

    /// Whether attending `attended` (distinct days of the session) completes the course.
    pub fn completed_by(self, attended: &[i32]) -> bool {
        let mut days: Vec<i32> = attended
            .iter()
            .copied()
            .filter(|d| (1..=self.days).contains(d))
            .collect();
        days.sort_unstable();
        days.dedup();
        days.len() as i32 >= self.min_days
    }

    /// Whether `day` is a day of the course.
    pub fn has_day(self, day: i32) -> bool {
        (1..=self.days).contains(&day)
    }
}

/// A session's capacity: 1 to 500 people.
pub fn parse_capacity(text: &str) -> Result<i32, ValidationError> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=500).contains(c))
        .ok_or(ValidationError::new("capacity", "capacity-invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_camp_needs_four_of_five_days() {
        let camp = CompletionRule::usual(5).unwrap();
        assert_eq!(camp.min_days, 4);
        assert!(!camp.completed_by(&[1, 2, 3]));
        assert!(!camp.completed_by(&[1, 1, 2, 2, 3]), "a day counts once");
        assert!(!camp.completed_by(&[1, 2, 3, 6]), "no sixth day");
        assert!(camp.completed_by(&[1, 2, 4, 5]));
        assert!(camp.completed_by(&[1, 2, 3, 4, 5]));
        let basics = CompletionRule::usual(1).unwrap();
        assert!(!basics.completed_by(&[]));
        assert!(basics.completed_by(&[1]));
    }

    #[test]
    fn rules_out_of_range_are_refused() {
        assert!(CompletionRule::new(0, 0).is_err());
        assert!(CompletionRule::new(6, 4).is_err());
        assert!(CompletionRule::new(5, 6).is_err());
        assert!(CompletionRule::new(5, 0).is_err());
        assert!(CompletionRule::new(3, 2).is_ok());
    }

    #[test]
    fn age_bands_and_birth_years() {
        assert_eq!(age_band(2003, 2026), "under-25");
        assert_eq!(age_band(2001, 2026), "25-34");
        assert_eq!(age_band(1970, 2026), "55-plus");
        assert_eq!(parse_birth_year("", 2026), Ok(None));
        assert_eq!(parse_birth_year("1988", 2026), Ok(Some(1988)));
        assert!(parse_birth_year("2020", 2026).is_err());
        assert!(parse_birth_year("nineteen", 2026).is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for kind in CourseKind::ALL {
            assert_eq!(CourseKind::parse(kind.as_str()), Ok(kind));
        }
        for kind in VenueKind::ALL {
            assert_eq!(VenueKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(CourseKind::parse("cooking").is_err());
        assert_eq!(Gender::parse_optional(" "), Ok(None));
        assert!(Gender::parse_optional("x").is_err());
    }
}
