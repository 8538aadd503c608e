//! One stall and one booking as the centre's staff work them (issue 19): a stall's details and
//! bookings, booking it (for a household of the register, free; for anyone else, the stall's
//! rate; taken days told, with the waiting list offered), a booking's days, rent and takings,
//! recording a day's takings in a few taps, cancelling (the waiting list moves up and the
//! one it reaches is told).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::parse_amount;
use farmgate_domain::stations::till::LedgerDay;
use farmgate_store::centre::{BookingFilter, NewBooking, Stall, StallBooking};
use serde::Deserialize;

use super::KEEPERS;
use super::stalls::{
    Choices, PER_PAGE, StallForm, holder_of, holder_text, is_mistake, saved_notice, services_text,
    term_and_start,
};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render, sent};
use crate::i18n::Tr;
use crate::problem::Problem;

/// A booking as a list shows it.
pub(super) struct BookingRow {
    pub id: i64,
    pub holder: String,
    pub household: bool,
    pub term: String,
    pub days: String,
    pub rent: String,
    pub cancelled: bool,
}

pub(super) fn booking_row(t: &Tr, b: &StallBooking) -> BookingRow {
    BookingRow {
        id: b.id,
        holder: holder_text(b),
        household: b.household_id.is_some(),
        term: t.get(&format!("stall-term-{}", b.term.as_str())),
        days: format!("{} – {}", b.starts_on, b.ends_on),
        rent: b.rent.display_yuan(),
        cancelled: b.cancelled,
    }
}

/// What the booking form holds, as typed.
#[derive(Debug, Default, Clone)]
struct BookForm {
    household_id: String,
    holder_name: String,
    holder_phone: String,
    term: String,
    starts_on: String,
}

impl BookForm {
    fn sent(fields: &[(String, String)]) -> BookForm {
        BookForm {
            household_id: sent(fields, "household_id"),
            holder_name: sent(fields, "holder_name"),
            holder_phone: sent(fields, "holder_phone"),
            term: sent(fields, "term"),
            starts_on: sent(fields, "starts_on"),
        }
    }
}

#[derive(Template)]
#[template(path = "centre/stall.html")]
struct StallPage {
    c: Chrome,
    csrf: String,
    stall: Stall,
    place: String,
    services: String,
    rates: String,
    choices: Choices,
    form: StallForm,
    errors: FormErrors,
    book: BookForm,
    book_errors: FormErrors,
    /// The days asked for are taken: offer the waiting list.
    taken: bool,
    bookings: Vec<BookingRow>,
    page: u64,
    pages: u64,
    all: bool,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StallQuery {
    saved: Option<String>,
    page: Option<u64>,
    /// Cancelled bookings too.
    all: Option<String>,
}

struct Shown {
    form: StallForm,
    errors: FormErrors,
    book: BookForm,
    book_errors: FormErrors,
    notice: Option<String>,
}

async fn stall_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    (id, query): (i64, &StallQuery),
    shown: Shown,
) -> Result<StallPage, Problem> {
    let t = c.t;
    let county = user.home_region(state, &KEEPERS).await?;
    let stall = state.store.stall(county.id, id).await?;
    let all = query.all.is_some();
    let filter = BookingFilter {
        stall_id: Some(stall.id),
        include_cancelled: all,
        ..BookingFilter::default()
    };
    let page = query.page.unwrap_or(0);
    let (bookings, total) = state
        .store
        .stall_bookings(county.id, &filter, (page, PER_PAGE))
        .await?;
    let choices = Choices::of(state, &t, &county).await?;
    let taken = shown.book_errors.has("starts_on");
    Ok(StallPage {
        csrf,
        place: choices.region(stall.region_id),
        services: services_text(&t, stall.services),
        rates: t.args(
            "stalls-rates",
            [
                ("day", stall.rates.day.display_yuan().into()),
                ("month", stall.rates.month.display_yuan().into()),
                ("season", stall.rates.season.display_yuan().into()),
            ],
        ),
        bookings: bookings.iter().map(|b| booking_row(&t, b)).collect(),
        page,
        pages: total.div_ceil(PER_PAGE).max(1),
        all,
        choices,
        stall,
        form: shown.form,
        errors: shown.errors,
        book: shown.book,
        book_errors: shown.book_errors,
        taken,
        notice: shown.notice,
        c,
    })
}

/// `GET /centre/stalls/{id}`: the stall, its bookings, booking it, changing it.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<StallQuery>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let stall = state.store.stall(county.id, id).await?;
    let shown = Shown {
        form: StallForm::of(&stall),
        errors: FormErrors::none(),
        book: BookForm {
            term: "day".into(),
            starts_on: LedgerDay::of(chrono::Utc::now()).to_string(),
            ..BookForm::default()
        },
        book_errors: FormErrors::none(),
        notice: saved_notice(&c.t, query.saved.as_deref()),
    };
    let page = stall_page(&state, &user, (c, csrf.0), (id, &query), shown).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /centre/stalls/{id}`: changes, pauses or opens the stall.
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let form = StallForm::sent(&fields);
    let changed = match form.parse() {
        Ok(details) => state
            .store
            .change_stall((county.id, id), &details, chrono::Utc::now())
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match changed {
        Ok(_) => Ok(Redirect::to(&format!("/centre/stalls/{id}?saved=stall")).into_response()),
        Err(problem) if is_mistake(&problem) => {
            let book = BookForm::default();
            let shown = Shown {
                form,
                errors: FormErrors::of_problem(&c.t, &problem),
                book,
                book_errors: FormErrors::none(),
                notice: None,
            };
            let query = StallQuery::default();
            let page = stall_page(&state, &user, (c, csrf.0), (id, &query), shown).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

fn new_booking(fields: &[(String, String)]) -> Result<NewBooking, ValidationError> {
    let holder = holder_of(fields)?;
    let (term, starts_on) = term_and_start(fields)?;
    Ok(NewBooking {
        holder,
        term,
        starts_on,
    })
}

/// `POST /centre/stalls/{id}/bookings`: books the stall.
pub async fn book(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let stall = state.store.stall(county.id, id).await?;
    let booked = match new_booking(&fields) {
        Ok(new) => state
            .store
            .book_stall((county.id, id), &new, (user.account.id, chrono::Utc::now()))
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match booked {
        Ok(b) => Ok(
            Redirect::to(&format!("/centre/stalls/bookings/{}?saved=booked", b.id)).into_response(),
        ),
        Err(problem) if is_mistake(&problem) => {
            let shown = Shown {
                form: StallForm::of(&stall),
                errors: FormErrors::none(),
                book: BookForm::sent(&fields),
                book_errors: FormErrors::of_problem(&c.t, &problem).moved("form", "book"),
                notice: None,
            };
            let query = StallQuery::default();
            let page = stall_page(&state, &user, (c, csrf.0), (id, &query), shown).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

struct TakingsRow {
    day: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "centre/stall_booking.html")]
struct BookingPage {
    c: Chrome,
    csrf: String,
    booking: BookingRow,
    stall: Stall,
    household_id: Option<i64>,
    takings: Vec<TakingsRow>,
    total: String,
    today: String,
    /// Whether takings can be recorded today (the booking holds today or an earlier day).
    open: bool,
    quick: Vec<u32>,
    errors: FormErrors,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    pub(super) saved: Option<String>,
}

/// Amounts (yuan) offered as one tap.
pub(super) const QUICK: [u32; 4] = [100, 150, 200, 300];

async fn booking_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    id: i64,
    (errors, notice): (FormErrors, Option<String>),
) -> Result<BookingPage, Problem> {
    let t = c.t;
    let county = user.home_region(state, &KEEPERS).await?;
    let (held, stall) = state.store.stall_booking(county.id, id).await?;
    let takings = state.store.stall_takings(held.id).await?;
    let total: i64 = takings.iter().map(|k| k.amount.0).sum();
    let today = LedgerDay::of(chrono::Utc::now());
    Ok(BookingPage {
        csrf,
        booking: booking_row(&t, &held),
        household_id: held.household_id,
        takings: takings
            .iter()
            .map(|k| TakingsRow {
                day: k.day.to_string(),
                amount: k.amount.display_yuan(),
            })
            .collect(),
        total: farmgate_domain::money::Fen(total).display_yuan(),
        today: today.min(held.ends_on).to_string(),
        open: !held.cancelled && held.starts_on <= today,
        quick: QUICK.to_vec(),
        stall,
        errors,
        notice,
        c,
    })
}

/// `GET /centre/stalls/bookings/{id}`: the booking, its takings, recording a day's.
pub async fn booking(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let notice = saved_notice(&c.t, query.saved.as_deref());
    let page = booking_page(&state, &user, (c, csrf.0), id, (FormErrors::none(), notice)).await?;
    Ok(render(StatusCode::OK, &page))
}

pub(super) fn takings_of(
    fields: &[(String, String)],
) -> Result<(LedgerDay, farmgate_domain::money::Fen), ValidationError> {
    let day = LedgerDay::parse(&sent(fields, "day"))
        .map_err(|_| ValidationError::new("day", "stall-takings-day-invalid"))?;
    // A quick amount's button sends `quick`; the field `amount` otherwise.
    let typed = match sent(fields, "quick") {
        q if !q.is_empty() => q,
        _ => sent(fields, "amount"),
    };
    let amount = parse_amount(&typed)
        .map_err(|_| ValidationError::new("amount", "stall-takings-invalid"))?;
    Ok((day, amount))
}

/// `POST /centre/stalls/bookings/{id}/takings` (`day`, `amount` or `quick`, yuan).
pub async fn record_takings(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let recorded = match takings_of(&fields) {
        Ok(takings) => state
            .store
            .record_stall_takings(
                (county.id, id),
                takings,
                (user.account.id, chrono::Utc::now()),
            )
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match recorded {
        Ok(_) => Ok(
            Redirect::to(&format!("/centre/stalls/bookings/{id}?saved=takings")).into_response(),
        ),
        Err(problem) if is_mistake(&problem) => {
            let errors = FormErrors::of_problem(&c.t, &problem);
            let page = booking_page(&state, &user, (c, csrf.0), id, (errors, None)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

/// `POST /centre/stalls/bookings/{id}/cancel`: cancels; the waiting list moves up and whoever
/// it reaches is told by text when a phone was written down.
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    _csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let (_, moved) = state
        .store
        .cancel_stall_booking((county.id, id), (user.account.id, chrono::Utc::now()))
        .await?;
    let Some(moved) = moved else {
        return Ok(
            Redirect::to(&format!("/centre/stalls/bookings/{id}?saved=cancelled")).into_response(),
        );
    };
    let (_, stall) = state.store.stall_booking(county.id, moved.id).await?;
    tell_moved_up(&state, &moved, &stall).await;
    Ok(Redirect::to(&format!(
        "/centre/stalls/bookings/{}?saved=moved-up",
        moved.id
    ))
    .into_response())
}

/// Texts the holder the waiting list reached (in Chinese unless their account says otherwise).
async fn tell_moved_up(state: &AppState, moved: &StallBooking, stall: &Stall) {
    let Some(messenger) = state.messenger.clone() else {
        return;
    };
    let Some(phone) = moved
        .holder_phone
        .as_deref()
        .and_then(|p| farmgate_domain::accounts::PhoneNumber::parse(p).ok())
    else {
        return;
    };
    let language = match state
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::Phone(phone.clone()))
        .await
    {
        Ok(Some(account)) => account.language,
        _ => farmgate_domain::lang::Language::ZhCn,
    };
    let t = Tr(language);
    let text = format!(
        "{}: {}",
        t.get("site-name"),
        t.args(
            "stalls-sms-moved-up",
            [
                ("stall", format!("{} {}", stall.hall, stall.code).into()),
                ("from", moved.starts_on.to_string().into()),
                ("until", moved.ends_on.to_string().into()),
            ]
        )
    );
    if let Err(err) = messenger.send(&phone, &text).await {
        tracing::warn!(error = %err, "a stall's new holder could not be texted");
    }
}
