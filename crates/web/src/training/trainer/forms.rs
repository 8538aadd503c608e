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
    /// The venue in Chinese, Uyghur and English: one is enough.
    pub(in crate::training) venue_name: String,
    pub(in crate::training) venue_name_ug: String,
    pub(in crate::training) venue_name_en: String,
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
    pub(in crate::training) summary_ug: String,
    pub(in crate::training) summary_en: String,
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

/// A venue's name as the forms send it (Chinese, Uyghur, English): one is needed; none
/// written is told on the field of the trainer's `language`.
pub(in crate::training) fn parse_venue(
    [zh, ug, en]: [&str; 3],
    language: Language,
) -> Result<Texts, Problem> {
    let fields = [
        ("venue_name", zh),
        ("venue_name_ug", ug),
        ("venue_name_en", en),
    ];
    Ok(parse_texts(fields, 80, Some(language))?)
}

pub(in crate::training) async fn parse_session(
    state: &AppState,
    user: &CurrentUser,
    county: &Region,
    form: &ScheduleForm,
    language: Language,
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
    let venue = parse_venue(
        [&form.venue_name, &form.venue_name_ug, &form.venue_name_en],
        language,
    )?;
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
        venue,
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

/// The syllabus, a line per day in any of the three languages: each language written has a
/// line for every one of the `days`, and at least one is written (else the error sits on the
/// reader's `language`'s box).
fn parse_syllabus(
    form: &CourseForm,
    days: usize,
    language: Language,
) -> Result<Vec<Texts>, Problem> {
    let boxes = [
        ("syllabus_zh", lines(&form.syllabus_zh)),
        ("syllabus_ug", lines(&form.syllabus_ug)),
        ("syllabus_en", lines(&form.syllabus_en)),
    ];
    if let Some((field, _)) = boxes
        .iter()
        .find(|(_, lines)| !lines.is_empty() && lines.len() != days)
    {
        return Err(ValidationError::new(field, "syllabus-days-mismatch").into());
    }
    if boxes.iter().all(|(_, lines)| lines.is_empty()) {
        let reader = Language::ALL
            .iter()
            .position(|l| *l == language)
            .unwrap_or(0);
        return Err(ValidationError::new(boxes[reader].0, "syllabus-days-mismatch").into());
    }
    let day = |i: usize| boxes.each_ref().map(|(_, lines)| lines.get(i).cloned());
    Ok((0..days)
        .map(|i| {
            let [zh, ug, en] = day(i);
            Texts::new(zh, ug, en)
        })
        .collect())
}

pub(in crate::training) fn parse_course(
    county: &Region,
    user: &CurrentUser,
    form: &CourseForm,
    language: Language,
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
    let title = parse_texts(
        [
            ("title_zh", &form.title_zh),
            ("title_ug", &form.title_ug),
            ("title_en", &form.title_en),
        ],
        80,
        Some(language),
    )?;
    let summary = parse_texts(
        [
            ("summary_zh", &form.summary_zh),
            ("summary_ug", &form.summary_ug),
            ("summary_en", &form.summary_en),
        ],
        1000,
        None,
    )?;
    let syllabus = parse_syllabus(form, usize::try_from(days).unwrap_or(0), language)?;
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
        title,
        summary,
        syllabus,
        created_by: Some(user.account.id),
    })
}
