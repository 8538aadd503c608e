//! The trainer's forms as sent, and how they are parsed into a course and a session.

use super::console::trainers_of;
use super::*;

/// The scheduling form; `trainer` repeats (one per box ticked), read by `html::RepeatedForm`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScheduleForm {
    pub(in crate::training) course: String,
    pub(in crate::training) region: String,
    pub(in crate::training) venue_kind: String,
    pub(in crate::training) venue_name: String,
    pub(in crate::training) online_url: String,
    pub(in crate::training) capacity: String,
    pub(in crate::training) starts_on: String,
    /// Further trainers of the county (the one who schedules always teaches).
    pub(in crate::training) trainer: Vec<String>,
}

/// The course form; `language` repeats (one per box ticked), read by `html::RepeatedForm`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CourseForm {
    pub(in crate::training) kind: String,
    pub(in crate::training) days: String,
    pub(in crate::training) min_days: String,
    pub(in crate::training) language: Vec<String>,
    pub(in crate::training) title_zh: String,
    pub(in crate::training) title_ug: String,
    pub(in crate::training) title_en: String,
    pub(in crate::training) summary_zh: String,
    /// One line per day.
    pub(in crate::training) syllabus_zh: String,
    pub(in crate::training) syllabus_ug: String,
    pub(in crate::training) syllabus_en: String,
}

pub(super) fn optional_text(
    field: &'static str,
    text: &str,
    max: usize,
) -> Result<Option<String>, Problem> {
    Ok(Some(parse_text(field, text, false, max)?).filter(|t| !t.is_empty()))
}

pub(in crate::training) async fn parse_session(
    state: &AppState,
    user: &CurrentUser,
    county: &Region,
    form: &ScheduleForm,
) -> Result<NewSession, Problem> {
    let course: Course = match form.course.trim().parse::<i64>() {
        Ok(id) => match state.store.course(id).await {
            Ok(course) if course.region_id == county.id => course,
            Ok(_) | Err(farmgate_store::Error::NotFound) => {
                return Err(ValidationError::new("course", "course-invalid").into());
            }
            Err(other) => return Err(other.into()),
        },
        Err(_) => return Err(ValidationError::new("course", "course-invalid").into()),
    };
    let region = match form.region.trim() {
        "" => county.clone(),
        code => match state.store.region_by_code(code).await {
            Ok(region) if county.path.contains(&region.path) => region,
            Ok(_) | Err(farmgate_store::Error::NotFound) => {
                return Err(ValidationError::new("region", "region-invalid").into());
            }
            Err(other) => return Err(other.into()),
        },
    };
    let venue_kind = VenueKind::parse(&form.venue_kind)?;
    let venue_name = parse_text("venue_name", &form.venue_name, true, 80)?;
    let online_url = optional_text("online_url", &form.online_url, 300)?;
    if let Some(url) = &online_url
        && !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with("/live/"))
    {
        return Err(ValidationError::new("online_url", "online-url-invalid").into());
    }
    if venue_kind == VenueKind::Online && online_url.is_none() {
        return Err(ValidationError::new("online_url", "online-url-invalid").into());
    }
    let live_room_id = online_url
        .as_deref()
        .and_then(|u| u.strip_prefix("/live/"))
        .and_then(|id| id.parse::<i64>().ok());
    if let Some(room) = live_room_id {
        state.store.room(room).await.map_err(|e| match e {
            farmgate_store::Error::NotFound => {
                Problem::from(ValidationError::new("online_url", "online-url-invalid"))
            }
            other => other.into(),
        })?;
    }
    let county_trainers = trainers_of(state, county).await?;
    let mut trainer_ids = vec![user.account.id];
    for text in &form.trainer {
        let id = text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| county_trainers.iter().any(|(t, _)| t == id))
            .ok_or(ValidationError::new("trainer", "trainer-invalid"))?;
        trainer_ids.push(id);
    }
    let capacity = parse_capacity(&form.capacity)?;
    let starts_on = NaiveDate::parse_from_str(form.starts_on.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| *d >= today() - chrono::Days::new(1))
        .ok_or(ValidationError::new("starts_on", "starts-on-invalid"))?;
    Ok(NewSession {
        course_id: course.id,
        region_id: region.id,
        venue_kind,
        venue_name,
        online_url,
        live_room_id,
        capacity,
        starts_on,
        trainer_ids,
        created_by: Some(user.account.id),
    })
}

/// Lines of a textarea, trimmed, empty ones dropped.
pub(super) fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(in crate::training) fn parse_course(
    county: &Region,
    user: &CurrentUser,
    form: &CourseForm,
) -> Result<NewCourse, Problem> {
    let kind = CourseKind::parse(&form.kind)?;
    let days = form
        .days
        .trim()
        .parse::<i32>()
        .map_err(|_| ValidationError::new("days", "course-days-invalid"))?;
    let rule = match form.min_days.trim() {
        "" => CompletionRule::usual(days)?,
        text => CompletionRule::new(
            days,
            text.parse()
                .map_err(|_| ValidationError::new("min_days", "course-min-days-invalid"))?,
        )?,
    };
    let title_zh = parse_text("title_zh", &form.title_zh, true, 80)?;
    let title_ug = optional_text("title_ug", &form.title_ug, 120)?;
    let title_en = optional_text("title_en", &form.title_en, 120)?;
    let summary_zh = parse_text("summary_zh", &form.summary_zh, false, 1000)?;
    let zh = lines(&form.syllabus_zh);
    let ug = lines(&form.syllabus_ug);
    let en = lines(&form.syllabus_en);
    let wanted = usize::try_from(days).unwrap_or(0);
    if zh.len() != wanted
        || (!ug.is_empty() && ug.len() != wanted)
        || (!en.is_empty() && en.len() != wanted)
    {
        return Err(ValidationError::new("syllabus_zh", "syllabus-days-mismatch").into());
    }
    let mut languages: Vec<Language> = form
        .language
        .iter()
        .filter_map(|tag| Language::from_tag(tag))
        .collect();
    if languages.is_empty() {
        languages.push(Language::ZhCn);
    }
    Ok(NewCourse {
        region_id: county.id,
        kind,
        rule,
        languages,
        title: Texts {
            zh: title_zh,
            ug: title_ug,
            en: title_en,
        },
        summary: Texts {
            zh: summary_zh,
            ug: None,
            en: None,
        },
        syllabus: (0..wanted)
            .map(|i| Texts {
                zh: zh[i].clone(),
                ug: ug.get(i).cloned(),
                en: en.get(i).cloned(),
            })
            .collect(),
        created_by: Some(user.account.id),
    })
}
