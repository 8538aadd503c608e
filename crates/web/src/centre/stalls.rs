//! The centre's stalls as its staff keep them (issue 19): the map of a day (who holds which
//! stall, which are free), how full the halls were and will be, the waiting list, adding and
//! changing stalls; a stall's bookings and booking it for a household of the register (free)
//! or anyone else (the stall's rate); a booking's takings, recorded in a few taps, which the
//! household's income ledger reads.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::mask_phone;
use farmgate_domain::catalog::parse_amount;
use farmgate_domain::centre::stalls::{StallRates, StallServices, StallTerm};
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::stations::till::LedgerDay;
use farmgate_store::centre::{BookingFilter, Holder, Stall, StallBooking, StallDetails};
use farmgate_store::households::HouseholdFilter;
use farmgate_store::regions::Region;
use serde::Deserialize;

use super::KEEPERS;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render, sent};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Bookings of a stall on one page.
pub(super) const PER_PAGE: u64 = 20;

/// The households offered as holders (by name); a county with more finds them by name.
const HOUSEHOLDS_OFFERED: u64 = 300;

/// A stall as a form shows it, and what it was typed as.
#[derive(Debug, Default, Clone)]
pub struct StallForm {
    pub region_id: String,
    pub hall: String,
    pub code: String,
    pub row: String,
    pub column: String,
    pub size_m2: String,
    pub water: bool,
    pub power: bool,
    pub heating: bool,
    pub day_rate: String,
    pub month_rate: String,
    pub season_rate: String,
    pub paused: bool,
}

impl StallForm {
    pub(super) fn of(s: &Stall) -> StallForm {
        StallForm {
            region_id: s.region_id.to_string(),
            hall: s.hall.clone(),
            code: s.code.clone(),
            row: s.row.to_string(),
            column: s.column.to_string(),
            size_m2: s.size_m2.to_string(),
            water: s.services.water,
            power: s.services.power,
            heating: s.services.heating,
            day_rate: plain_yuan(s.rates.day),
            month_rate: plain_yuan(s.rates.month),
            season_rate: plain_yuan(s.rates.season),
            paused: !s.active,
        }
    }

    pub(super) fn sent(fields: &[(String, String)]) -> StallForm {
        let on = |name: &str| !sent(fields, name).is_empty();
        StallForm {
            region_id: sent(fields, "region_id"),
            hall: sent(fields, "hall"),
            code: sent(fields, "code"),
            row: sent(fields, "row"),
            column: sent(fields, "column"),
            size_m2: sent(fields, "size_m2"),
            water: on("water"),
            power: on("power"),
            heating: on("heating"),
            day_rate: sent(fields, "day_rate"),
            month_rate: sent(fields, "month_rate"),
            season_rate: sent(fields, "season_rate"),
            paused: sent(fields, "status") == "paused",
        }
    }

    pub(super) fn parse(&self) -> Result<StallDetails, ValidationError> {
        let number = |text: &str, field: &'static str, code: &'static str| {
            text.trim()
                .parse::<i32>()
                .map_err(|_| ValidationError::new(field, code))
        };
        let rate = |text: &str, field: &'static str| {
            if text.trim().is_empty() {
                return Ok(Fen(0));
            }
            parse_amount(text).map_err(|_| ValidationError::new(field, "stall-rate-invalid"))
        };
        Ok(StallDetails {
            region_id: self
                .region_id
                .trim()
                .parse()
                .map_err(|_| ValidationError::new("region_id", "stall-region-invalid"))?,
            hall: self.hall.clone(),
            code: self.code.clone(),
            row: number(&self.row, "row", "stall-spot-invalid")?,
            column: number(&self.column, "column", "stall-spot-invalid")?,
            size_m2: number(&self.size_m2, "size_m2", "stall-size-invalid")?,
            services: StallServices {
                water: self.water,
                power: self.power,
                heating: self.heating,
            },
            rates: StallRates {
                day: rate(&self.day_rate, "day_rate")?,
                month: rate(&self.month_rate, "month_rate")?,
                season: rate(&self.season_rate, "season_rate")?,
            },
            active: !self.paused,
        })
    }
}

/// An amount as a form field holds it: `20.00`.
pub(super) fn plain_yuan(amount: Fen) -> String {
    amount.display_yuan().replacen('¥', "", 1)
}

/// The holder a form names: `household_id` (a household of the register), or `holder_name`
/// and `holder_phone`.
pub(super) fn holder_of(fields: &[(String, String)]) -> Result<Holder, ValidationError> {
    let household = sent(fields, "household_id");
    let household_id = match household.trim() {
        "" => None,
        id => Some(
            id.parse()
                .map_err(|_| ValidationError::new("household_id", "stall-household-invalid"))?,
        ),
    };
    let phone = sent(fields, "holder_phone");
    Ok(Holder {
        household_id,
        name: sent(fields, "holder_name"),
        phone: Some(phone).filter(|p| !p.trim().is_empty()),
    })
}

pub(super) fn term_and_start(
    fields: &[(String, String)],
) -> Result<(StallTerm, LedgerDay), ValidationError> {
    let term = StallTerm::parse(&sent(fields, "term"))?;
    let first = LedgerDay::parse(&sent(fields, "starts_on"))
        .map_err(|_| ValidationError::new("starts_on", "stall-start-invalid"))?;
    Ok((term, first))
}

/// What a page offers to choose from: the county's townships and villages, its households,
/// the terms.
pub(super) struct Choices {
    pub regions: Vec<(i64, String)>,
    pub households: Vec<(i64, String)>,
    pub terms: Vec<(String, String)>,
}

impl Choices {
    pub(super) async fn of(state: &AppState, t: &Tr, county: &Region) -> Result<Choices, Problem> {
        let mut regions = Vec::new();
        for level in [RegionLevel::Township, RegionLevel::Village] {
            for r in state.store.regions_under(&county.path, level).await? {
                regions.push((r.id, r.name(t.lang()).to_owned()));
            }
        }
        let (households, _) = state
            .store
            .households(
                county.id,
                &HouseholdFilter::default(),
                (0, HOUSEHOLDS_OFFERED),
            )
            .await?;
        Ok(Choices {
            regions,
            households: households
                .into_iter()
                .map(|h| (h.id, h.head_name))
                .collect(),
            terms: StallTerm::ALL
                .iter()
                .map(|term| {
                    (
                        term.as_str().to_owned(),
                        t.get(&format!("stall-term-{}", term.as_str())),
                    )
                })
                .collect(),
        })
    }

    pub(super) fn region(&self, id: i64) -> String {
        self.regions
            .iter()
            .find(|(r, _)| *r == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
}

/// A stall on the day's map.
struct Cell {
    id: i64,
    code: String,
    size_m2: i32,
    services: String,
    /// The holder on the day, when booked.
    holder: Option<String>,
    active: bool,
}

struct Hall {
    name: String,
    place: String,
    /// Rows of the map, each cell a stall or nothing.
    rows: Vec<Vec<Option<Cell>>>,
}

struct WaitRow {
    id: i64,
    holder: String,
    household: bool,
    term: String,
    from: String,
    since: String,
}

#[derive(Template)]
#[template(path = "centre/stalls.html")]
struct StallsPage {
    c: Chrome,
    csrf: String,
    county: String,
    day: String,
    halls: Vec<Hall>,
    booked_of: String,
    chart: String,
    waits: Vec<WaitRow>,
    choices: Choices,
    form: StallForm,
    errors: FormErrors,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayQuery {
    day: Option<String>,
    saved: Option<String>,
}

/// What a saved change says when a page opens again.
const SAVED: [&str; 7] = [
    "stall",
    "booked",
    "cancelled",
    "moved-up",
    "takings",
    "waiting",
    "withdrawn",
];

pub(super) fn saved_notice(t: &Tr, saved: Option<&str>) -> Option<String> {
    saved
        .filter(|s| SAVED.contains(s))
        .map(|s| t.get(&format!("stalls-saved-{s}")))
}

pub(super) fn services_text(t: &Tr, services: StallServices) -> String {
    [
        (services.water, "stall-water"),
        (services.power, "stall-power"),
        (services.heating, "stall-heating"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, key)| t.get(key))
    .collect::<Vec<_>>()
    .join(" · ")
}

pub(super) fn holder_text(b: &StallBooking) -> String {
    match &b.holder_phone {
        Some(phone) => format!("{} ({})", b.holder_name, mask_phone(phone)),
        None => b.holder_name.clone(),
    }
}

fn halls_of(t: &Tr, stalls: &[Stall], held: &[StallBooking], choices: &Choices) -> Vec<Hall> {
    let mut halls: Vec<Hall> = Vec::new();
    for s in stalls {
        if halls.last().is_none_or(|h| h.name != s.hall) {
            halls.push(Hall {
                name: s.hall.clone(),
                place: choices.region(s.region_id),
                rows: Vec::new(),
            });
        }
        let Some(hall) = halls.last_mut() else {
            continue;
        };
        let (r, c) = ((s.row - 1) as usize, (s.column - 1) as usize);
        while hall.rows.len() <= r {
            hall.rows.push(Vec::new());
        }
        let row = &mut hall.rows[r];
        while row.len() <= c {
            row.push(None);
        }
        row[c] = Some(Cell {
            id: s.id,
            code: s.code.clone(),
            size_m2: s.size_m2,
            services: services_text(t, s.services),
            holder: held
                .iter()
                .find(|b| b.stall_id == s.id)
                .map(|b| b.holder_name.clone()),
            active: s.active,
        });
    }
    halls
}

/// Booked stalls a day over the 30 days from a fortnight before `day`.
async fn occupancy_chart(
    state: &AppState,
    t: &Tr,
    county_id: i64,
    day: LedgerDay,
) -> Result<String, Problem> {
    let mut first = day;
    for _ in 0..14 {
        first = first.previous();
    }
    let mut last = day;
    for _ in 0..15 {
        last = last.next();
    }
    let days = state
        .store
        .stall_occupancy(county_id, (first, last))
        .await?;
    let labels = days
        .iter()
        .map(|(d, _)| d.date().format("%d").to_string())
        .collect();
    let values = days.iter().map(|(_, n)| *n as f32).collect();
    Ok(crate::html::charts::bar_chart(
        vec![(t.get("stalls-booked-series"), values)],
        labels,
        &["#2e7d32"],
    ))
}

async fn stalls_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    (day, form, errors): (LedgerDay, StallForm, FormErrors),
    notice: Option<String>,
) -> Result<StallsPage, Problem> {
    let t = c.t;
    let county = user.home_region(state, &KEEPERS).await?;
    let stalls = state.store.stalls(county.id, true).await?;
    let filter = BookingFilter {
        on: Some(day),
        ..BookingFilter::default()
    };
    let (held, _) = state
        .store
        .stall_bookings(county.id, &filter, (0, stalls.len().max(1) as u64))
        .await?;
    let choices = Choices::of(state, &t, &county).await?;
    let waits = state
        .store
        .stall_waits(county.id, true)
        .await?
        .into_iter()
        .map(|w| WaitRow {
            id: w.id,
            holder: w.holder_name,
            household: w.household_id.is_some(),
            term: t.get(&format!("stall-term-{}", w.term.as_str())),
            from: w.starts_on.to_string(),
            since: crate::format::china_time(w.added_at),
        })
        .collect();
    Ok(StallsPage {
        csrf,
        county: county.name(t.lang()).to_owned(),
        day: day.to_string(),
        halls: halls_of(&t, &stalls, &held, &choices),
        booked_of: t.args2(
            "stalls-booked-of",
            ("booked", held.len().into()),
            ("stalls", stalls.iter().filter(|s| s.active).count().into()),
        ),
        chart: occupancy_chart(state, &t, county.id, day).await?,
        waits,
        choices,
        form,
        errors,
        notice,
        c,
    })
}

pub(super) fn day_or_today(text: Option<&str>) -> LedgerDay {
    text.and_then(|d| LedgerDay::parse(d).ok())
        .unwrap_or_else(|| LedgerDay::of(chrono::Utc::now()))
}

/// `GET /centre/stalls?day=`: the halls' map on the day, the month around it, the waiting list.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<DayQuery>,
) -> Result<Response, Problem> {
    let notice = saved_notice(&c.t, query.saved.as_deref());
    let day = day_or_today(query.day.as_deref());
    let form = StallForm {
        row: "1".into(),
        column: "1".into(),
        size_m2: "6".into(),
        water: true,
        power: true,
        heating: true,
        ..StallForm::default()
    };
    let page = stalls_page(
        &state,
        &user,
        (c, csrf.0),
        (day, form, FormErrors::none()),
        notice,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /centre/stalls`: adds a stall.
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let form = StallForm::sent(&fields);
    let added = match form.parse() {
        Ok(details) => state
            .store
            .add_stall(county.id, &details, chrono::Utc::now())
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match added {
        Ok(stall) => {
            Ok(Redirect::to(&format!("/centre/stalls/{}?saved=stall", stall.id)).into_response())
        }
        Err(problem) if is_mistake(&problem) => {
            let errors = FormErrors::of_problem(&c.t, &problem);
            let day = LedgerDay::of(chrono::Utc::now());
            let page = stalls_page(&state, &user, (c, csrf.0), (day, form, errors), None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

pub(super) fn is_mistake(problem: &Problem) -> bool {
    problem.status == StatusCode::UNPROCESSABLE_ENTITY || problem.status == StatusCode::CONFLICT
}

/// `POST /centre/stalls/waits`: puts someone on the waiting list.
pub async fn add_wait(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let added = match holder_of(&fields).and_then(|h| Ok((h, term_and_start(&fields)?))) {
        Ok((holder, (term, first))) => state
            .store
            .add_stall_wait(
                county.id,
                (&holder, term, first),
                (user.account.id, chrono::Utc::now()),
            )
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match added {
        Ok(_) => Ok(Redirect::to("/centre/stalls?saved=waiting#waiting").into_response()),
        Err(problem) if is_mistake(&problem) => {
            let errors = FormErrors::of_problem(&c.t, &problem).moved("form", "wait");
            let day = LedgerDay::of(chrono::Utc::now());
            let form = StallForm::default();
            let page = stalls_page(&state, &user, (c, csrf.0), (day, form, errors), None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

/// `POST /centre/stalls/waits/{id}/withdraw`.
pub async fn withdraw_wait(
    State(state): State<AppState>,
    user: CurrentUser,
    _csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    state.store.withdraw_stall_wait(county.id, id).await?;
    Ok(Redirect::to("/centre/stalls?saved=withdrawn#waiting").into_response())
}
