//! What villagers see: the sessions open for enrolment, a session's page with its syllabus
//! and the enrol button (a few taps: name and phone come from the account), their own
//! schedule with the days to come, and their certificates.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::{DisplayName, PhoneNumber};
use farmgate_domain::training::{EnrolmentStatus, Gender, parse_birth_year};
use farmgate_store::regions::Region;
use farmgate_store::training::{NewTrainee, Trainee};
use serde::Deserialize;

use super::{ENROLLERS, SessionCard, TEACHERS, serves, session_card, today};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::{VillageOption, isolate, village_options};
use crate::html::{Chrome, FormErrors, Written, render};
use crate::i18n::Tr;
use crate::problem::Problem;

#[derive(Template)]
#[template(path = "training/training_list.html")]
struct ListPage {
    c: Chrome,
    sessions: Vec<SessionCard>,
    /// (code, name, chosen) of the counties with sessions to come.
    counties: Vec<(String, String, bool)>,
    /// No county chosen: every county's sessions are listed.
    all_counties: bool,
    signed_in: bool,
    teaches: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// A county's code: only its sessions.
    #[serde(default)]
    county: Option<String>,
}

/// `GET /training[?county=code]`: sessions from today on, across the counties or in one.
pub async fn list(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    c: Chrome,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let regions = state.store.all_regions().await?;
    let root = regions
        .iter()
        .find(|r| r.parent_id.is_none())
        .ok_or(Problem::not_found())?;
    let found = state
        .store
        .sessions_within(&root.path, today(), 200)
        .await?;
    let chosen = query
        .county
        .as_deref()
        .and_then(|code| regions.iter().find(|r| r.code.as_str() == code));
    let mut counties: Vec<(String, String, bool)> = Vec::new();
    let mut shown = Vec::with_capacity(found.len());
    for session in found {
        let Some(place) = regions.iter().find(|r| r.id == session.region_id) else {
            continue;
        };
        if let Some(county) = super::county_of(&regions, &place.path)
            && !counties
                .iter()
                .any(|(code, _, _)| code == county.code.as_str())
        {
            counties.push((
                county.code.as_str().to_owned(),
                county.name(c.t.lang()).to_owned(),
                chosen.is_some_and(|r| r.id == county.id),
            ));
        }
        if chosen.is_none_or(|county| county.path.contains(&place.path)) {
            shown.push(session);
        }
    }
    let sessions = super::session_cards(&state, &c.t, &regions, &shown).await?;
    let teaches = user
        .as_ref()
        .is_some_and(|u| u.grants.iter().any(|g| TEACHERS.contains(&g.role)));
    Ok(render(
        StatusCode::OK,
        &ListPage {
            c,
            sessions,
            counties,
            all_counties: chosen.is_none(),
            signed_in: user.is_some(),
            teaches,
        },
    ))
}

/// The enrolment form's fields, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub village: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_year: String,
}

#[derive(Template)]
#[template(path = "training/training_session.html")]
struct SessionPage {
    c: Chrome,
    csrf: String,
    card: SessionCard,
    summary: Written,
    languages: String,
    /// (day, date, syllabus) per day.
    syllabus: Vec<(i32, String, Written)>,
    rule: String,
    /// The trainers' names.
    trainers: String,
    signed_in: bool,
    /// The viewer's own place: "enrolled" or "waitlisted", and their position in line.
    mine: Option<(EnrolmentStatus, Option<i64>)>,
    certificate: Option<String>,
    /// Whether the viewer may enrol someone else here.
    enrols_others: bool,
    teaches: bool,
    form: EnrolForm,
    other: EnrolForm,
    villages: Vec<VillageOption>,
    notice: Option<String>,
    errors: FormErrors,
    /// The id prefix of the form the error belongs to ("" own, "o-" someone else's).
    error_in: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    done: Option<String>,
}

/// What a session page needs besides the request: the forms as sent, a notice, an error.
pub(super) struct SessionView {
    pub form: EnrolForm,
    pub other: EnrolForm,
    pub notice: Option<String>,
    pub error: Option<Problem>,
    /// Which form `error` belongs to: "" (one's own) or "o-" (someone else's).
    pub error_in: &'static str,
}

pub(super) async fn session_page(
    state: &AppState,
    user: Option<&CurrentUser>,
    c: Chrome,
    csrf: String,
    id: i64,
    view: SessionView,
) -> Result<Response, Problem> {
    let t = c.t;
    let session = state.store.training_session(id).await?;
    let course = state.store.course(session.course_id).await?;
    let regions = state.store.all_regions().await?;
    let session_region = regions
        .iter()
        .find(|r| r.id == session.region_id)
        .ok_or(Problem::not_found())?;
    let trainee = match user {
        Some(u) => state.store.trainee_of_account(u.account.id).await?,
        None => None,
    };
    let mut mine = None;
    let mut certificate = None;
    if let Some(trainee) = &trainee
        && let Some(row) = state
            .store
            .schedule_of(trainee.id)
            .await?
            .into_iter()
            .find(|r| r.session.id == id)
    {
        mine = Some((row.status, row.waitlist_position));
        certificate = row.certificate;
    }
    let enrols_others = user.is_some_and(|u| serves(u, &ENROLLERS, &regions, &session_region.path));
    let teaches = user.is_some_and(|u| serves(u, &TEACHERS, &regions, &session_region.path));
    let form = if view.form.name.is_empty() && view.form.phone.is_empty() {
        EnrolForm {
            name: user
                .map(|u| u.account.display_name.clone())
                .unwrap_or_default(),
            phone: user
                .and_then(|u| u.account.phone.clone())
                .unwrap_or_default(),
            ..EnrolForm::default()
        }
    } else {
        view.form
    };
    let mut trainers = Vec::new();
    for id in &session.trainer_ids {
        if let Some(account) = state.store.account_by_id(*id).await? {
            trainers.push(account.display_name);
        }
    }
    let status = view.error.as_ref().map_or(StatusCode::OK, |p| p.status);
    let errors = view
        .error
        .as_ref()
        .map_or_else(FormErrors::none, |p| FormErrors::of_problem(&t, p));
    let page = SessionPage {
        card: session_card(&t, &regions, &session, Some(&course)),
        summary: Written::of(&course.summary, t.lang()),
        languages: course
            .languages
            .iter()
            .map(|l| l.native_name())
            .collect::<Vec<_>>()
            .join(" · "),
        syllabus: (1..)
            .zip(&course.syllabus)
            .map(|(day, text)| {
                (
                    day,
                    session.date_of(day).to_string(),
                    Written::of(text, t.lang()),
                )
            })
            .collect(),
        rule: t.args2(
            "training-rule",
            ("min", course.rule.min_days.into()),
            ("days", course.rule.days.into()),
        ),
        trainers: trainers.join(" · "),
        signed_in: user.is_some(),
        mine,
        certificate,
        enrols_others,
        teaches,
        form,
        other: view.other,
        villages: villages_for(&regions, session_region, t),
        notice: view.notice,
        errors,
        error_in: view.error_in,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

/// The villages of the session's county (where its trainees come from).
pub(super) fn villages_for(
    regions: &[Region],
    session_region: &Region,
    t: Tr,
) -> Vec<VillageOption> {
    let county = super::county_of(regions, &session_region.path).unwrap_or(session_region);
    let inside: std::collections::HashSet<&str> = regions
        .iter()
        .filter(|r| county.path.contains(&r.path))
        .map(|r| r.code.as_str())
        .collect();
    village_options(regions, t.lang())
        .into_iter()
        .filter(|v| inside.contains(v.code.as_str()))
        .collect()
}

/// `GET /training/sessions/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, Problem> {
    let notice = query
        .done
        .filter(|d| ["enrolled", "waitlisted", "withdrawn", "other"].contains(&d.as_str()))
        .map(|d| c.t.get(&format!("training-done-{d}")));
    session_page(
        &state,
        user.as_ref(),
        c,
        csrf.0,
        id,
        SessionView {
            form: EnrolForm::default(),
            other: EnrolForm::default(),
            notice,
            error: None,
            error_in: "",
        },
    )
    .await
}

/// A trainee as the form describes them; `own` when they enrol themselves (the phone may then
/// be left out: the account says who they are).
pub(super) async fn parse_trainee(
    state: &AppState,
    form: &EnrolForm,
    session_region_id: i64,
    own: Option<i64>,
    by: i64,
) -> Result<NewTrainee, Problem> {
    let name = DisplayName::parse(&form.name).map_err(|e| ValidationError::new("name", e.code))?;
    let phone = match (form.phone.trim(), own) {
        ("", Some(_)) => None,
        (text, _) => {
            Some(PhoneNumber::parse(text).map_err(|e| ValidationError::new("phone", e.code))?)
        }
    };
    let region_id = match form.village.trim() {
        "" => session_region_id,
        code => match state.store.region_by_code(code).await {
            Ok(region) => region.id,
            Err(farmgate_store::Error::NotFound) => {
                return Err(ValidationError::new("village", "village-invalid").into());
            }
            Err(other) => return Err(other.into()),
        },
    };
    let gender = Gender::parse_optional(&form.gender)?;
    let birth_year = parse_birth_year(&form.birth_year, chrono::Datelike::year(&super::today()))?;
    Ok(NewTrainee {
        name,
        phone,
        account_id: own,
        region_id,
        station_id: None,
        gender,
        birth_year,
        created_by: Some(by),
    })
}

/// `POST /training/sessions/{id}/enrol`: the signed-in villager takes a place (or joins the line).
pub async fn enrol(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<EnrolForm>,
) -> Result<Response, Problem> {
    let session = state.store.training_session(id).await?;
    let trainee: Result<Trainee, Problem> = async {
        let new = parse_trainee(
            &state,
            &form,
            session.region_id,
            Some(user.account.id),
            user.account.id,
        )
        .await?;
        Ok(state.store.find_or_add_trainee(new).await?)
    }
    .await;
    match trainee {
        Ok(trainee) => {
            let enrolment = state
                .store
                .enrol(id, trainee.id, Some(user.account.id))
                .await?;
            Ok(Redirect::to(&format!(
                "/training/sessions/{id}?done={}",
                enrolment.status.as_str()
            ))
            .into_response())
        }
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            session_page(
                &state,
                Some(&user),
                c,
                csrf.0,
                id,
                SessionView {
                    form,
                    other: EnrolForm::default(),
                    notice: None,
                    error: Some(problem),
                    error_in: "",
                },
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// `POST /training/sessions/{id}/withdraw`: gives the place up (the first in line takes it).
pub async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let trainee = state
        .store
        .trainee_of_account(user.account.id)
        .await?
        .ok_or(Problem::not_found())?;
    state.store.withdraw(id, trainee.id).await?;
    Ok(Redirect::to(&format!("/training/sessions/{id}?done=withdrawn")).into_response())
}

/// A line of the trainee's schedule.
struct MineRow {
    card: SessionCard,
    status: String,
    waiting: bool,
    /// (day, date, attended) for each day.
    days: Vec<(i32, String, bool)>,
    certificate: Option<String>,
    upcoming: bool,
}

#[derive(Template)]
#[template(path = "training/training_me.html")]
struct MinePage {
    c: Chrome,
    rows: Vec<MineRow>,
    /// The next days to come: (date, course title, venue).
    reminders: Vec<(String, String, String)>,
}

/// `GET /training/me`: the trainee's sessions, the days to come, and certificates.
pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let t = c.t;
    let regions = state.store.all_regions().await?;
    let schedule = match state.store.trainee_of_account(user.account.id).await? {
        Some(trainee) => state.store.schedule_of(trainee.id).await?,
        None => Vec::new(),
    };
    let today = today();
    let mut reminders = Vec::new();
    let rows = schedule
        .iter()
        .map(|row| {
            let card = session_card(&t, &regions, &row.session, Some(&row.course));
            let days = (1..=row.session.days)
                .map(|day| {
                    let date = row.session.date_of(day);
                    if date >= today && row.status == EnrolmentStatus::Enrolled {
                        reminders.push((
                            date.to_string(),
                            card.title.clone(),
                            format!("{} · {}", card.venue_kind, isolate(&card.venue.text)),
                        ));
                    }
                    (day, date.to_string(), row.days.contains(&day))
                })
                .collect();
            MineRow {
                status: match row.waitlist_position {
                    Some(position) => t.arg("training-waitlisted-at", "position", position),
                    None => t.get(&format!("enrolment-{}", row.status.as_str())),
                },
                waiting: row.status == EnrolmentStatus::Waitlisted,
                upcoming: row.session.ends_on() >= today,
                certificate: row.certificate.clone(),
                days,
                card,
            }
        })
        .collect();
    reminders.sort();
    reminders.truncate(10);
    Ok(render(StatusCode::OK, &MinePage { c, rows, reminders }))
}
