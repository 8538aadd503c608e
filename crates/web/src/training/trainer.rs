//! The trainer's side: courses and sessions of their county, the roster with a tick per day
//! (who ticked is kept), enrolling villagers on their behalf (also for station operators),
//! and the link to the rotating check-in code (`check_in`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::mask_phone;
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::text::parse_text;
use farmgate_domain::training::{
    AttendanceMethod, CompletionRule, CourseKind, EnrolmentStatus, VenueKind, parse_capacity,
};
use farmgate_store::regions::Region;
use farmgate_store::training::{Course, NewCourse, NewSession, Texts, TrainingSession};
use serde::Deserialize;

use super::pages::{EnrolForm, SessionView, parse_trainee, session_page};
use super::{ENROLLERS, SessionCard, TEACHERS, home_region, serves, session_card, today};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, RepeatedForm, render};
use crate::problem::Problem;

/// The session, if `user` may teach it (others are told it does not exist).
pub(super) async fn taught_session(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(TrainingSession, Vec<Region>), Problem> {
    let session = state.store.training_session(id).await?;
    let regions = state.store.all_regions().await?;
    let region = regions
        .iter()
        .find(|r| r.id == session.region_id)
        .ok_or(Problem::not_found())?;
    if serves(user, &TEACHERS, &regions, &region.path) {
        Ok((session, regions))
    } else {
        Err(Problem::not_found())
    }
}

/// The scheduling form; `trainer` repeats (one per box ticked), read by `html::RepeatedForm`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScheduleForm {
    pub(super) course: String,
    pub(super) region: String,
    pub(super) venue_kind: String,
    pub(super) venue_name: String,
    pub(super) online_url: String,
    pub(super) capacity: String,
    pub(super) starts_on: String,
    /// Further trainers of the county (the one who schedules always teaches).
    pub(super) trainer: Vec<String>,
}

/// The course form; `language` repeats (one per box ticked), read by `html::RepeatedForm`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CourseForm {
    pub(super) kind: String,
    pub(super) days: String,
    pub(super) min_days: String,
    pub(super) language: Vec<String>,
    pub(super) title_zh: String,
    pub(super) title_ug: String,
    pub(super) title_en: String,
    pub(super) summary_zh: String,
    /// One line per day.
    pub(super) syllabus_zh: String,
    pub(super) syllabus_ug: String,
    pub(super) syllabus_en: String,
}

#[derive(Template)]
#[template(path = "training/trainer.html")]
struct ConsolePage {
    c: Chrome,
    csrf: String,
    county: String,
    mine: Vec<SessionCard>,
    coming: Vec<SessionCard>,
    /// (id, title, kind) of the county's courses.
    courses: Vec<(i64, String, String)>,
    /// (code, name) of the county and its townships.
    places: Vec<(String, String)>,
    venues: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    /// (id, name) of the county's other trainers, to teach with.
    trainers: Vec<(i64, String)>,
    form: ScheduleForm,
    course_form: CourseForm,
    errors: FormErrors,
}

async fn console_page(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    forms: (ScheduleForm, CourseForm),
    error: Option<&Problem>,
) -> Result<Response, Problem> {
    let county = home_region(state, user, &TEACHERS).await?;
    user.require(&TEACHERS, &county.path)?;
    let t = c.t;
    let regions = state.store.all_regions().await?;
    let courses = state.store.courses_of(&[county.id]).await?;
    let title_of = |s: &TrainingSession| courses.iter().find(|c| c.id == s.course_id);
    let mine = state
        .store
        .sessions_of_trainer(user.account.id, 50)
        .await?
        .iter()
        .map(|s| session_card(&t, &regions, s, title_of(s)))
        .collect();
    let coming = state
        .store
        .sessions_within(&county.path, today(), 50)
        .await?
        .iter()
        .map(|s| session_card(&t, &regions, s, title_of(s)))
        .collect();
    let places = regions
        .iter()
        .filter(|r| {
            county.path.contains(&r.path) && (r.id == county.id || r.level == RegionLevel::Township)
        })
        .map(|r| (r.code.as_str().to_owned(), r.name(t.lang()).to_owned()))
        .collect();
    let trainers = trainers_of(state, &county)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != user.account.id)
        .collect();
    let status = error.map_or(StatusCode::OK, |p| p.status);
    let errors = error.map_or_else(FormErrors::none, |p| FormErrors::of_problem(&t, p));
    let page = ConsolePage {
        trainers,
        county: county.name(t.lang()).to_owned(),
        mine,
        coming,
        courses: courses
            .iter()
            .map(|c| {
                (
                    c.id,
                    c.title.get(t.lang()).0.to_owned(),
                    t.get(&format!("course-kind-{}", c.kind.as_str())),
                )
            })
            .collect(),
        places,
        venues: venue_options(&t),
        kinds: CourseKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("course-kind-{}", k.as_str()))))
            .collect(),
        form: forms.0,
        course_form: forms.1,
        errors,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /trainer`: the trainer's sessions, the county's coming ones, and the forms to add a
/// course or schedule a session.
pub async fn console(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
) -> Result<Response, Problem> {
    console_page(&state, &user, c, csrf.0, Default::default(), None).await
}

fn optional_text(field: &'static str, text: &str, max: usize) -> Result<Option<String>, Problem> {
    Ok(Some(parse_text(field, text, false, max)?).filter(|t| !t.is_empty()))
}

pub(super) async fn parse_session(
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

/// (value, label) of each kind of venue, for a select.
fn venue_options(t: &crate::i18n::Tr) -> Vec<(&'static str, String)> {
    VenueKind::ALL
        .iter()
        .map(|v| (v.as_str(), t.get(&format!("venue-{}", v.as_str()))))
        .collect()
}

/// (account id, name) of everyone who trains in `county` (a trainer's grant there or below).
pub(super) async fn trainers_of(
    state: &AppState,
    county: &Region,
) -> Result<Vec<(i64, String)>, Problem> {
    let mut trainers: Vec<(i64, String)> = state
        .store
        .grants_within(&county.path, 1000)
        .await?
        .into_iter()
        .filter(|(grant, _)| grant.role == Role::Trainer)
        .map(|(_, account)| (account.id, account.display_name))
        .collect();
    trainers.sort();
    trainers.dedup_by_key(|t| t.0);
    Ok(trainers)
}

/// `POST /trainer/sessions`: schedules a session of one of the county's courses.
pub async fn schedule(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    RepeatedForm(form): RepeatedForm<ScheduleForm>,
) -> Result<Response, Problem> {
    let county = home_region(&state, &user, &TEACHERS).await?;
    user.require(&TEACHERS, &county.path)?;
    match parse_session(&state, &user, &county, &form).await {
        Ok(new) => {
            let session = state.store.schedule_session(new).await?;
            Ok(Redirect::to(&format!("/trainer/sessions/{}", session.id)).into_response())
        }
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            console_page(
                &state,
                &user,
                c,
                csrf.0,
                (form, CourseForm::default()),
                Some(&problem),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// Lines of a textarea, trimmed, empty ones dropped.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) fn parse_course(
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

/// `POST /trainer/courses`: adds a course of the county, with its syllabus a line per day.
pub async fn add_course(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    RepeatedForm(form): RepeatedForm<CourseForm>,
) -> Result<Response, Problem> {
    let county = home_region(&state, &user, &TEACHERS).await?;
    user.require(&TEACHERS, &county.path)?;
    match parse_course(&county, &user, &form) {
        Ok(new) => {
            state.store.create_course(new).await?;
            Ok(Redirect::to("/trainer").into_response())
        }
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            console_page(
                &state,
                &user,
                c,
                csrf.0,
                (ScheduleForm::default(), form),
                Some(&problem),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// A roster line as the page shows it.
struct RosterLine {
    trainee_id: i64,
    name: String,
    phone: String,
    status: String,
    waiting: bool,
    /// (day, attended, the tick button's label, ticked by hand) for each day.
    days: Vec<(i32, bool, String, bool)>,
    /// The remove button's label ("take … off the roster").
    remove_label: String,
    certificate: Option<String>,
    /// No account has this record yet: the trainer may join it to one, in person.
    unclaimed: bool,
}

#[derive(Template)]
#[template(path = "training/trainer_session.html")]
struct RosterPage {
    c: Chrome,
    csrf: String,
    card: SessionCard,
    lines: Vec<RosterLine>,
    days: Vec<i32>,
    today_day: i32,
    /// The session's first day, venue kind and venue, as the edit form shows them.
    edit: (String, &'static str, String),
    venues: Vec<(&'static str, String)>,
    other: EnrolForm,
    villages: Vec<crate::format::VillageOption>,
    notice: Option<String>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    done: Option<String>,
}

/// What the roster page shows besides the session: the enrol-someone form as sent, a notice
/// after an action, an error of that form.
struct RosterView<'a> {
    other: EnrolForm,
    notice: Option<String>,
    error: Option<&'a Problem>,
}

async fn roster_page(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    id: i64,
    view: RosterView<'_>,
) -> Result<Response, Problem> {
    let RosterView {
        other,
        notice,
        error,
    } = view;
    let (session, regions) = taught_session(state, user, id).await?;
    let course = state.store.course(session.course_id).await?;
    let t = c.t;
    let region = regions
        .iter()
        .find(|r| r.id == session.region_id)
        .ok_or(Problem::not_found())?;
    // Phone numbers in full for the county's centre staff; trainers see them masked.
    let full_phones = user.require(&[Role::CentreStaff], &region.path).is_ok();
    let lines = state
        .store
        .roster(id)
        .await?
        .into_iter()
        .map(|row| RosterLine {
            trainee_id: row.trainee.id,
            phone: row
                .trainee
                .phone
                .map(|p| if full_phones { p } else { mask_phone(&p) })
                .unwrap_or_default(),
            status: t.get(&format!("enrolment-{}", row.status.as_str())),
            waiting: row.status == EnrolmentStatus::Waitlisted,
            days: (1..=session.days)
                .map(|d| {
                    let label = t.args2(
                        "trainer-tick-label",
                        ("name", row.trainee.name.as_str().into()),
                        ("day", d.into()),
                    );
                    let by_hand = row.ticked_by.iter().any(|(day, _)| *day == d);
                    (d, row.days.contains(&d), label, by_hand)
                })
                .collect(),
            remove_label: t.arg("trainer-remove-label", "name", row.trainee.name.as_str()),
            unclaimed: row.trainee.account_id.is_none(),
            name: row.trainee.name,
            certificate: row.certificate,
        })
        .collect();
    let status = error.map_or(StatusCode::OK, |p| p.status);
    let errors = error.map_or_else(FormErrors::none, |p| FormErrors::of_problem(&t, p));
    let page = RosterPage {
        card: session_card(&t, &regions, &session, Some(&course)),
        days: (1..=session.days).collect(),
        today_day: super::day_of(&session, today()).unwrap_or(1),
        edit: (
            session.starts_on.to_string(),
            session.venue_kind.as_str(),
            session.venue_name.clone(),
        ),
        venues: venue_options(&t),
        villages: super::pages::villages_for(&regions, region, t),
        lines,
        other,
        notice,
        errors,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /trainer/sessions/{id}`: the roster.
pub async fn roster(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<RosterQuery>,
) -> Result<Response, Problem> {
    let notice = query
        .done
        .filter(|d| {
            [
                "ticked",
                "other",
                "removed",
                "capacity",
                "edited",
                "confirmed",
            ]
            .contains(&d.as_str())
        })
        .map(|d| c.t.get(&format!("training-done-{d}")));
    roster_page(
        &state,
        &user,
        c,
        csrf.0,
        id,
        RosterView {
            other: EnrolForm::default(),
            notice,
            error: None,
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct TickForm {
    trainee: i64,
    day: i32,
}

/// `POST /trainer/sessions/{id}/attendance`: ticks a trainee present on a day (by hand, for
/// those without a phone); the trainer who ticked is recorded.
pub async fn tick(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<TickForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    if !(1..=session.days).contains(&form.day) {
        return Err(ValidationError::new("day", "day-invalid").into());
    }
    state
        .store
        .record_attendance(
            id,
            form.trainee,
            form.day,
            AttendanceMethod::Roster,
            Some(user.account.id),
        )
        .await
        .map_err(super::check_in::attendance_problem)?;
    audit(
        &state,
        &user,
        ip,
        ("attendance-ticked", &session),
        format!("trainee {} day {}", form.trainee, form.day),
    )
    .await;
    Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=ticked")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    venue_kind: String,
    #[serde(default)]
    venue_name: String,
}

/// `POST /trainer/sessions/{id}/edit`: another first day or venue (the days cannot move once
/// one has been attended).
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    let parsed = (|| -> Result<_, Problem> {
        let starts_on = NaiveDate::parse_from_str(form.starts_on.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| *d >= today() - chrono::Days::new(1))
            .ok_or(ValidationError::new("starts_on", "starts-on-invalid"))?;
        let venue_kind = VenueKind::parse(&form.venue_kind)?;
        let venue_name = parse_text("venue_name", &form.venue_name, true, 80)?;
        Ok((starts_on, venue_kind, venue_name))
    })();
    let changed = match parsed {
        Ok((starts_on, venue_kind, venue_name)) => match state
            .store
            .reschedule_session(id, starts_on, venue_kind, venue_name)
            .await
        {
            Ok(_) => Ok(()),
            Err(farmgate_store::Error::InvalidState) => Err(Problem::from(ValidationError::new(
                "starts_on",
                "session-days-attended",
            ))),
            Err(other) => return Err(other.into()),
        },
        Err(problem) => Err(problem),
    };
    match changed {
        Ok(()) => {
            audit(
                &state,
                &user,
                ip,
                ("session-moved", &session),
                format!(
                    "{} · {} {}",
                    form.starts_on.trim(),
                    form.venue_kind.trim(),
                    form.venue_name.trim()
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=edited")).into_response())
        }
        Err(problem) => {
            let view = RosterView {
                other: EnrolForm::default(),
                notice: None,
                error: Some(&problem),
            };
            roster_page(&state, &user, c, csrf.0, id, view).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CapacityForm {
    #[serde(default)]
    capacity: String,
}

/// `POST /trainer/sessions/{id}/capacity`: more places (the first in line take them) or fewer,
/// but never fewer than are already taken.
pub async fn capacity(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<CapacityForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    let changed = match parse_capacity(&form.capacity) {
        Ok(places) => match state.store.set_capacity(id, places).await {
            Ok(_) => Ok(()),
            Err(farmgate_store::Error::InvalidState) => Err(Problem::from(ValidationError::new(
                "capacity",
                "capacity-below-enrolled",
            ))),
            Err(other) => return Err(other.into()),
        },
        Err(invalid) => Err(Problem::from(invalid)),
    };
    match changed {
        Ok(()) => {
            audit(
                &state,
                &user,
                ip,
                ("roster-places", &session),
                form.capacity.trim().to_owned(),
            )
            .await;
            Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=capacity")).into_response())
        }
        Err(problem) => {
            let view = RosterView {
                other: EnrolForm::default(),
                notice: None,
                error: Some(&problem),
            };
            roster_page(&state, &user, c, csrf.0, id, view).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    trainee: i64,
}

/// `POST /trainer/sessions/{id}/withdraw`: takes someone off the roster (they told the trainer
/// they cannot come); the first in line takes the place.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    state.store.withdraw(id, form.trainee).await?;
    audit(
        &state,
        &user,
        ip,
        ("roster-removed", &session),
        format!("trainee {}", form.trainee),
    )
    .await;
    Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=removed")).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OtherForm {
    #[serde(flatten)]
    person: EnrolForm,
    /// Where to go back to: the roster (trainers) or the session page (station operators).
    #[serde(default)]
    back: String,
}

/// `POST /training/sessions/{id}/enrol-other`: a station operator or trainer enrols a villager
/// with a name and a phone number.
pub async fn enrol_other(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<OtherForm>,
) -> Result<Response, Problem> {
    let session = state.store.training_session(id).await?;
    let regions = state.store.all_regions().await?;
    let region = regions
        .iter()
        .find(|r| r.id == session.region_id)
        .ok_or(Problem::not_found())?;
    if !serves(&user, &ENROLLERS, &regions, &region.path) {
        return Err(Problem::not_found());
    }
    let to_roster = form.back == "roster" && serves(&user, &TEACHERS, &regions, &region.path);
    let parsed = parse_trainee(
        &state,
        &form.person,
        session.region_id,
        None,
        user.account.id,
    )
    .await;
    let parsed = parsed.and_then(|mut new| {
        if new.phone.is_none() {
            return Err(Problem::from(ValidationError::new(
                "phone",
                "phone-invalid",
            )));
        }
        new.station_id = None;
        Ok(new)
    });
    match parsed {
        Ok(mut new) => {
            new.station_id = station_of(&state, &user).await?;
            let trainee = state.store.find_or_add_trainee(new).await?;
            state
                .store
                .enrol(id, trainee.id, Some(user.account.id))
                .await?;
            let to = if to_roster {
                format!("/trainer/sessions/{id}?done=other")
            } else {
                format!("/training/sessions/{id}?done=other")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            if to_roster {
                roster_page(
                    &state,
                    &user,
                    c,
                    csrf.0,
                    id,
                    RosterView {
                        other: form.person,
                        notice: None,
                        error: Some(&problem),
                    },
                )
                .await
            } else {
                session_page(
                    &state,
                    Some(&user),
                    c,
                    csrf.0,
                    id,
                    SessionView {
                        form: EnrolForm::default(),
                        other: form.person,
                        notice: None,
                        error: Some(problem),
                        error_in: "o-",
                    },
                )
                .await
            }
        }
        Err(other) => Err(other),
    }
}

/// The station a station operator runs (the one at their grant's place), if any.
async fn station_of(state: &AppState, user: &CurrentUser) -> Result<Option<i64>, Problem> {
    let Some(grant) = user.grants.iter().find(|g| g.role == Role::StationOperator) else {
        return Ok(None);
    };
    let Some(region_id) = grant.region.ids().last() else {
        return Ok(None);
    };
    Ok(state
        .store
        .stations_within(&grant.region)
        .await?
        .into_iter()
        .find(|s| s.region_id == region_id)
        .map(|s| s.id))
}

/// Writes a trainer's change to session `session` to the audit log.
async fn audit(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    (code, session): (&'static str, &TrainingSession),
    detail: String,
) {
    crate::audit::record(
        state,
        user,
        ip,
        crate::audit::Action {
            code,
            subject_kind: "training_session",
            subject_id: session.id,
            region_id: Some(session.region_id),
            detail,
        },
    )
    .await;
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    trainee: i64,
    #[serde(default)]
    login: String,
}

/// `POST /trainer/sessions/{id}/confirm`: the trainer, face to face with the villager, joins
/// the record made for them to the account they name (a typed phone number proves nothing;
/// this does). Recorded with who confirmed, in the record and the audit log.
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    if state.store.enrolment(id, form.trainee).await?.is_none() {
        return Err(Problem::not_found());
    }
    let unknown = || {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "account-unknown-or-taken")
            .with_field("login")
    };
    let login = farmgate_domain::accounts::LoginId::parse(&form.login).map_err(|_| unknown())?;
    let account = state
        .store
        .account_by_login(&login)
        .await?
        .ok_or_else(unknown)?;
    match state
        .store
        .confirm_trainee_in_person(form.trainee, account.id, user.account.id)
        .await
    {
        Ok(_) => {}
        Err(farmgate_store::Error::InvalidState) => return Err(unknown()),
        Err(other) => return Err(other.into()),
    }
    audit(
        &state,
        &user,
        ip,
        ("trainee-confirmed", &session),
        format!("trainee {} → {}", form.trainee, login),
    )
    .await;
    Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=confirmed")).into_response())
}
