//! Training on the web: the sessions villagers enrol in and their own schedule (`pages`), the
//! trainer's console with the roster and the rotating check-in code (`trainer`), scanning it
//! (`check_in`), certificates and their public verification (`certificates`), the centre's
//! funnel, follow-up list and programme numbers (`centre`), and the JSON API (`api`).
//!
//! Who may do what, by region: trainers and centre staff act on sessions of their county;
//! station operators enrol villagers into sessions of their county; officials read numbers.
//! A session of another county does not exist for them (404), like its trainees.

pub mod api;
pub mod centre;
pub mod certificates;
pub mod check_in;
pub mod pages;
pub mod trainer;

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use farmgate_domain::authz::Role;
use farmgate_domain::regions::{RegionLevel, RegionPath};
use farmgate_store::regions::Region;
use farmgate_store::training::{Course, TrainingSession};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Tr;
use crate::problem::Problem;

/// Who schedules sessions, takes attendance and reads rosters.
pub const TEACHERS: [Role; 2] = [Role::Trainer, Role::CentreStaff];
/// Who may enrol someone else.
pub const ENROLLERS: [Role; 3] = [Role::StationOperator, Role::Trainer, Role::CentreStaff];
/// Who reads the funnel and the programme numbers.
pub const READERS: [Role; 3] = [Role::CentreStaff, Role::Trainer, Role::Official];

/// The HTML routes of training.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/training", get(pages::list))
        .route("/training/me", get(pages::mine))
        .route("/training/sessions/{id}", get(pages::show))
        .route("/training/sessions/{id}/enrol", post(pages::enrol))
        .route("/training/sessions/{id}/withdraw", post(pages::withdraw))
        .route(
            "/training/sessions/{id}/enrol-other",
            post(trainer::enrol_other),
        )
        .route("/training/check-in", get(check_in::scan))
        .route("/training/certificates/{code}", get(certificates::show))
        .route("/verify/{token}", get(certificates::verify))
        .route("/trainer", get(trainer::console))
        .route("/trainer/sessions", post(trainer::schedule))
        .route("/trainer/courses", post(trainer::add_course))
        .route("/trainer/sessions/{id}", get(trainer::roster))
        .route("/trainer/sessions/{id}/attendance", post(trainer::tick))
        .route("/trainer/sessions/{id}/withdraw", post(trainer::remove))
        .route("/trainer/sessions/{id}/confirm", post(trainer::confirm))
        .route("/trainer/sessions/{id}/capacity", post(trainer::capacity))
        .route("/trainer/sessions/{id}/edit", post(trainer::edit))
        .route("/trainer/sessions/{id}/check-in", get(check_in::screen))
        .route("/static/check-in.js", get(check_in::script))
        .route("/centre/training", get(centre::funnel))
        .route("/centre/training/attendance", get(centre::attendance))
        .route(
            "/centre/training/attendance.xlsx",
            get(centre::attendance_xlsx),
        )
}

/// Courses, sessions, enrolment, the roster, check-in and certificates.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::courses, api::add_course))
        .routes(routes!(api::sessions, api::schedule))
        .routes(routes!(api::enrol))
        .routes(routes!(api::withdraw))
        .routes(routes!(api::roster))
        .routes(routes!(api::tick))
        .routes(routes!(api::check_in))
        .routes(routes!(api::verify))
}

/// The county a place lies in (itself when it is one), if any.
pub fn county_of<'a>(regions: &'a [Region], path: &RegionPath) -> Option<&'a Region> {
    regions
        .iter()
        .find(|r| r.level == RegionLevel::County && r.path.contains(path))
}

/// Whether `user` holds one of `roles` (or is an administrator) where `session_region` lies,
/// or below its county (a station operator in a village enrols into the county's sessions).
pub fn serves(
    user: &CurrentUser,
    roles: &[Role],
    regions: &[Region],
    session_region: &RegionPath,
) -> bool {
    let county = county_of(regions, session_region).map(|c| &c.path);
    user.grants.iter().any(|g| {
        (g.role == Role::Admin || roles.contains(&g.role))
            && (g.region.contains(session_region) || county.is_some_and(|c| c.contains(&g.region)))
    })
}

/// The region a staff member works for: where their first grant of `roles` is.
pub async fn home_region(
    state: &AppState,
    user: &CurrentUser,
    roles: &[Role],
) -> Result<Region, Problem> {
    let grant = user
        .grants
        .iter()
        .find(|g| roles.contains(&g.role))
        .or_else(|| user.grants.iter().find(|g| g.role == Role::Admin))
        .ok_or(Problem::forbidden())?;
    let id = grant.region.ids().last().ok_or(Problem::forbidden())?;
    Ok(state.store.region_by_id(id).await?)
}

/// A session as lists and pages show it.
pub struct SessionCard {
    pub id: i64,
    pub title: String,
    pub kind: String,
    /// The kind of venue ("the centre", "online") and its name.
    pub venue_kind: String,
    pub venue: crate::html::Written,
    pub place: String,
    pub dates: String,
    pub capacity: i32,
    pub free: i64,
    pub waitlisted: i64,
    pub online_url: Option<String>,
}

/// "2026-12-01" or "2026-12-01 – 12-05".
pub fn dates(session: &TrainingSession) -> String {
    if session.days <= 1 {
        session.starts_on.to_string()
    } else {
        format!(
            "{} – {}",
            session.starts_on,
            session.ends_on().format("%m-%d")
        )
    }
}

pub fn session_card(
    t: &Tr,
    regions: &[Region],
    session: &TrainingSession,
    course: Option<&Course>,
) -> SessionCard {
    let place = regions
        .iter()
        .find(|r| r.id == session.region_id)
        .map(|r| crate::format::place_label(regions, r, t.lang()))
        .unwrap_or_default();
    SessionCard {
        id: session.id,
        title: course
            .map(|c| c.title.get(t.lang()).0.to_owned())
            .unwrap_or_default(),
        kind: course
            .map(|c| t.get(&format!("course-kind-{}", c.kind.as_str())))
            .unwrap_or_default(),
        venue_kind: t.get(&format!("venue-{}", session.venue_kind.as_str())),
        venue: crate::html::Written::of(&session.venue, t.lang()),
        place,
        dates: dates(session),
        capacity: session.capacity,
        free: session.free(),
        waitlisted: session.waitlisted,
        online_url: session.online_url.clone(),
    }
}

/// Cards for `sessions`, their courses read once each.
pub async fn session_cards(
    state: &AppState,
    t: &Tr,
    regions: &[Region],
    sessions: &[TrainingSession],
) -> Result<Vec<SessionCard>, Problem> {
    let mut courses: std::collections::HashMap<i64, Course> = std::collections::HashMap::new();
    let mut cards = Vec::with_capacity(sessions.len());
    for session in sessions {
        if !courses.contains_key(&session.course_id) {
            let course = state.store.course(session.course_id).await?;
            courses.insert(course.id, course);
        }
        cards.push(session_card(
            t,
            regions,
            session,
            courses.get(&session.course_id),
        ));
    }
    Ok(cards)
}

/// Today in China.
pub fn today() -> NaiveDate {
    chrono::FixedOffset::east_opt(8 * 3600)
        .map(|china| chrono::Utc::now().with_timezone(&china).date_naive())
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

/// The day of `session` that `date` is (1-based), if it is one.
pub fn day_of(session: &TrainingSession, date: NaiveDate) -> Option<i32> {
    let day = i32::try_from((date - session.starts_on).num_days()).ok()? + 1;
    (1..=session.days).contains(&day).then_some(day)
}

/// Tells each trainee with an account whose session starts tomorrow (China's date), once per
/// session. Run by the server's housekeeping; safe on several instances (notices are written
/// once per event).
pub async fn remind_tomorrow(state: &AppState) {
    let Some(tomorrow) = chrono::FixedOffset::east_opt(crate::format::CHINA_OFFSET_SECONDS)
        .map(|china| chrono::Utc::now().with_timezone(&china).date_naive())
        .and_then(|today| today.succ_opt())
    else {
        return;
    };
    let sessions = match state.store.region_root().await {
        Ok(Some(root)) => state.store.sessions_within(&root.path, tomorrow, 200).await,
        Ok(None) => return,
        Err(err) => Err(err),
    };
    let sessions = match sessions {
        Ok(sessions) => sessions,
        Err(err) => {
            tracing::warn!(error = %err, "could not find tomorrow's training sessions");
            return;
        }
    };
    for session in sessions.iter().filter(|s| s.starts_on == tomorrow) {
        let (Ok(course), Ok(roster)) = (
            state.store.course(session.course_id).await,
            state.store.roster(session.id).await,
        ) else {
            continue;
        };
        let mut args = vec![("when".to_owned(), session.starts_on.to_string())];
        for language in farmgate_domain::lang::Language::ALL {
            let (title, _) = course.title.get(language);
            args.push((format!("course@{}", language.tag()), title.to_owned()));
        }
        let tell = crate::notify::Tell {
            kind: farmgate_domain::notifications::NoticeKind::SessionTomorrow,
            subject: farmgate_store::notifications::Subject::TrainingSession(session.id),
            args,
            event: format!("training_session:{}:tomorrow", session.id),
        };
        for row in roster
            .iter()
            .filter(|r| r.status == farmgate_domain::training::EnrolmentStatus::Enrolled)
        {
            if let Some(account) = row.trainee.account_id {
                crate::notify::tell(state, account, &tell).await;
            }
        }
    }
}
