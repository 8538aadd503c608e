//! Check-in by scanning: the trainer's screen shows a QR code of a signed URL that changes
//! every minute; the trainee's phone camera opens it and they are checked in for that day.
//!
//! Opening the URL is the whole act (a GET): the code itself, signed and good for 90 seconds,
//! is the proof of being in the room, so a link sent home is useless by the time it arrives.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use farmgate_domain::training::{
    AttendanceMethod, CHECK_IN_ROTATE_SECS, CheckInRefusal, CheckInToken,
};
use farmgate_store::training::AttendanceOutcome;
use serde::Deserialize;

use super::trainer::taught_session;
use super::{SessionCard, session_card, today};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::html::charts::qr_svg;
use crate::html::{Chrome, render};
use crate::problem::Problem;

/// The purpose the check-in key is kept under.
pub const KEY: &str = "check-in";

#[derive(Template)]
#[template(path = "training/check_in_screen.html")]
struct ScreenPage {
    c: Chrome,
    card: SessionCard,
    day: i32,
    date: String,
    days: Vec<i32>,
    qr: String,
    url: String,
    /// "12 of 40 checked in".
    present: String,
    refresh: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct DayQuery {
    #[serde(default)]
    day: Option<i32>,
}

/// `GET /trainer/sessions/{id}/check-in?day=N`: the rotating code for day N (today's day of
/// the session when not given). The page reloads itself each minute for a fresh code.
pub async fn screen(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<DayQuery>,
) -> Result<Response, Problem> {
    let (session, regions) = taught_session(&state, &user, id).await?;
    let day = query
        .day
        .or_else(|| super::day_of(&session, today()))
        .unwrap_or(1);
    if !(1..=session.days).contains(&day) {
        return Err(Problem::not_found());
    }
    let course = state.store.course(session.course_id).await?;
    let key = state.store.signing_key(KEY).await?;
    let code = CheckInToken {
        session_id: id,
        day,
        issued_at: chrono::Utc::now().timestamp(),
    }
    .sign(&key);
    let url = format!(
        "{}/training/check-in?code={code}",
        crate::client::public_base(&state, &headers)
    );
    let present = state
        .store
        .roster(id)
        .await?
        .iter()
        .filter(|r| r.days.contains(&day))
        .count();
    let page = ScreenPage {
        card: session_card(&c.t, &regions, &session, Some(&course)),
        date: session.date_of(day).to_string(),
        days: (1..=session.days).collect(),
        qr: qr_svg(&url),
        present: c.t.args2(
            "check-in-present",
            ("present", (present as i64).into()),
            ("enrolled", session.enrolled.into()),
        ),
        refresh: CHECK_IN_ROTATE_SECS,
        url,
        day,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Checks `user` in with a scanned `code` (the page a camera opens and the API share it): a
/// genuine, fresh code, a trainee record, a place in the session.
pub(super) async fn check_in(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> Result<(CheckInToken, AttendanceOutcome), Problem> {
    let key = state.store.signing_key(KEY).await?;
    let token = CheckInToken::verify(code, &key, chrono::Utc::now().timestamp())
        .map_err(refusal_problem)?;
    let trainee = state
        .store
        .trainee_of_account(user.account.id)
        .await?
        .ok_or(Problem::new(StatusCode::FORBIDDEN, "check-in-not-enrolled"))?;
    let outcome = state
        .store
        .record_attendance(
            token.session_id,
            trainee.id,
            token.day,
            AttendanceMethod::Qr,
            Some(user.account.id),
        )
        .await
        .map_err(attendance_problem)?;
    Ok((token, outcome))
}

/// Why a day could not be recorded: not enrolled (403) or still waiting for a place (409).
pub(super) fn attendance_problem(e: farmgate_store::Error) -> Problem {
    match e {
        farmgate_store::Error::NotFound => {
            Problem::new(StatusCode::FORBIDDEN, "check-in-not-enrolled")
        }
        other => other.into(),
    }
}

/// An expired code is gone (410); a forged or cut-off one is a bad request (400).
pub fn refusal_problem(refusal: CheckInRefusal) -> Problem {
    let status = match refusal {
        CheckInRefusal::Expired => StatusCode::GONE,
        CheckInRefusal::Forged | CheckInRefusal::Malformed => StatusCode::BAD_REQUEST,
    };
    Problem::new(status, refusal.code())
}

#[derive(Template)]
#[template(path = "training/check_in_done.html")]
struct DonePage {
    c: Chrome,
    card: SessionCard,
    day: i32,
    again: bool,
    /// (day, attended)
    days: Vec<(i32, bool)>,
    certificate: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// `GET /training/check-in?code=...`: what the trainee's camera opens. Signed in (the login
/// page brings them back here), enrolled, with a fresh genuine code: checked in.
pub async fn scan(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<CodeQuery>,
) -> Result<Response, Problem> {
    let (token, outcome) = check_in(&state, &user, &query.code).await?;
    let session = state.store.training_session(token.session_id).await?;
    let course = state.store.course(session.course_id).await?;
    let regions = state.store.all_regions().await?;
    let page = DonePage {
        card: session_card(&c.t, &regions, &session, Some(&course)),
        day: token.day,
        again: !outcome.newly_recorded,
        days: (1..=session.days)
            .map(|d| (d, outcome.days.contains(&d)))
            .collect(),
        certificate: outcome.certificate,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /static/check-in.js`: renews the check-in screen's code every minute.
pub async fn script() -> Response {
    crate::html::javascript(include_str!("../../static/check-in.js"))
}
