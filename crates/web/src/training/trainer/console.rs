//! The trainer's console: their sessions, the county's coming ones, and the forms.

use super::*;

use super::forms::{CourseForm, ScheduleForm, parse_course, parse_session};

#[derive(Template)]
#[template(path = "training/trainer.html")]
pub(super) struct ConsolePage {
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

pub(super) async fn console_page(
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

/// (value, label) of each kind of venue, for a select.
pub(super) fn venue_options(t: &crate::i18n::Tr) -> Vec<(&'static str, String)> {
    VenueKind::ALL
        .iter()
        .map(|v| (v.as_str(), t.get(&format!("venue-{}", v.as_str()))))
        .collect()
}

/// (account id, name) of everyone who trains in `county` (a trainer's grant there or below).
pub(in crate::training) async fn trainers_of(
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
    match parse_session(&state, &user, &county, &form, c.t.lang()).await {
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
    match parse_course(&county, &user, &form, c.t.lang()) {
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
