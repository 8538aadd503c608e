//! A stall-holder's own page (issue 19): the stalls they hold (their household's, or booked
//! under a phone they proved), today's takings in one tap, the week's days and the month's sum.
//! What they record is their household's stall income, as when the centre records it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use farmgate_domain::centre::stalls::HOLDER_DAYS_BACK;
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::centre::{Stall, StallBooking, StallTakings};

use super::stall_pages::{QUICK, SavedQuery, takings_of};
use super::stalls::is_mistake;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// A day's takings as the holder's page lists it.
struct DayRow {
    day: String,
    amount: String,
}

/// One stall the person holds.
struct HeldCard {
    booking_id: i64,
    hall: String,
    code: String,
    term: String,
    days: String,
    /// Booked for the person's household: the takings are its income.
    household: bool,
    /// Takings can be recorded (a day of the booking within the last week).
    open: bool,
    /// Starts on a day to come.
    coming: bool,
    /// What today's takings are, once recorded.
    today_amount: Option<String>,
    /// The day the form proposes, and the earliest it takes.
    day: String,
    first_day: String,
    last_day: String,
    week: Vec<DayRow>,
    month_total: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "centre/my_stalls.html")]
struct MyStallsPage {
    c: Chrome,
    csrf: String,
    cards: Vec<HeldCard>,
    quick: Vec<u32>,
    notice: Option<String>,
}

fn card(
    t: &Tr,
    (held, stall): &(StallBooking, Stall),
    takings: &[StallTakings],
    (today, errors): (LedgerDay, FormErrors),
) -> HeldCard {
    let mut week_start = today;
    for _ in 0..HOLDER_DAYS_BACK {
        week_start = week_start.previous();
    }
    let first_day = held.starts_on.max(week_start);
    let last_day = held.ends_on.min(today);
    let month = LedgerMonth::of(today);
    let month_total: i64 = takings
        .iter()
        .filter(|k| LedgerMonth::of(k.day) == month)
        .map(|k| k.amount.0)
        .sum();
    HeldCard {
        booking_id: held.id,
        hall: stall.hall.clone(),
        code: stall.code.clone(),
        term: t.get(&format!("stall-term-{}", held.term.as_str())),
        days: format!("{} – {}", held.starts_on, held.ends_on),
        household: held.household_id.is_some(),
        open: first_day <= last_day,
        coming: held.starts_on > today,
        today_amount: takings
            .iter()
            .find(|k| k.day == today)
            .map(|k| k.amount.display_yuan()),
        day: last_day.to_string(),
        first_day: first_day.to_string(),
        last_day: last_day.to_string(),
        week: takings
            .iter()
            .filter(|k| k.day >= week_start)
            .map(|k| DayRow {
                day: k.day.to_string(),
                amount: k.amount.display_yuan(),
            })
            .collect(),
        month_total: Fen(month_total).display_yuan(),
        errors,
    }
}

async fn my_stalls_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    (failed, errors): (Option<i64>, FormErrors),
    notice: Option<String>,
) -> Result<MyStallsPage, Problem> {
    let today = LedgerDay::of(Utc::now());
    let held = state.store.stalls_held_by(user.account.id, today).await?;
    let mut cards = Vec::with_capacity(held.len());
    for one in &held {
        let takings = state.store.stall_takings(one.0.id).await?;
        let errors = if failed == Some(one.0.id) {
            errors.clone()
        } else {
            FormErrors::none()
        };
        cards.push(card(&c.t, one, &takings, (today, errors)));
    }
    Ok(MyStallsPage {
        csrf,
        cards,
        quick: QUICK.to_vec(),
        notice,
        c,
    })
}

/// `GET /stalls/mine`: the stalls the signed-in person holds and their takings.
pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let notice = query
        .saved
        .as_deref()
        .filter(|s| *s == "takings")
        .map(|_| c.t.get("mystall-saved"));
    let page = my_stalls_page(
        &state,
        &user,
        (c, csrf.0),
        (None, FormErrors::none()),
        notice,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /stalls/mine/{booking}/takings` (`day`, `amount` or `quick`, yuan): the holder records
/// a day's takings; a booking they do not hold is not found.
pub async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let recorded = match takings_of(&fields) {
        Ok(takings) => state
            .store
            .record_own_stall_takings((user.account.id, id), takings, Utc::now())
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match recorded {
        Ok(_) => Ok(Redirect::to("/stalls/mine?saved=takings").into_response()),
        Err(problem) if is_mistake(&problem) => {
            let errors = FormErrors::of_problem(&c.t, &problem);
            let page = my_stalls_page(&state, &user, (c, csrf.0), (Some(id), errors), None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}
