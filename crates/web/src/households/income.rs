//! A household's income: the last twelve months from what earns for it (linked shops' sales
//! times its share, linked stations' pickup fees, its tricycle's runs, dividends paid) and what
//! the centre entered by hand (stall takings, wages, other income with a note), against the
//! county's poverty line for the year (per person per year). The household's page shows the
//! chart and where it stands; `/centre/households/{id}/income` the months by source, a month's
//! entries, and the form to enter one.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::households::income::{IncomeSource, Standing};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::households::{Household, IncomeMonth, NewIncome, PovertyLine};
use serde::Deserialize;

use super::{County, keeper, reach};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// The chart's colours: the months' income, the household's line.
const COLOURS: [&str; 2] = ["#2e6b30", "#b3261e"];

pub(super) fn this_month() -> LedgerMonth {
    LedgerMonth::of(LedgerDay::of(Utc::now()))
}

/// The twelve months up to and with `until`.
pub(super) fn twelve_to(until: LedgerMonth) -> (LedgerMonth, LedgerMonth) {
    let mut from = until;
    for _ in 0..11 {
        from = from.previous();
    }
    (from, until)
}

/// The line of `year`: its latest setting, else the latest year set before it.
pub(super) fn line_for(lines: &[PovertyLine], year: i32) -> Option<Fen> {
    lines
        .iter()
        .filter(|l| l.year <= year)
        .max_by_key(|l| (l.year, l.set_at))
        .map(|l| l.per_person)
}

/// Where each of `households` stands over the last twelve months against this year's line (none
/// when the county set no line).
pub(crate) async fn standings(
    state: &AppState,
    county_id: i64,
    households: &[&Household],
) -> Result<HashMap<i64, Standing>, Problem> {
    let lines = state.store.poverty_lines(county_id).await?;
    let Some(line) = line_for(&lines, Utc::now().year()) else {
        return Ok(HashMap::new());
    };
    let ids: Vec<i64> = households.iter().map(|h| h.id).collect();
    let ledger = state
        .store
        .household_incomes(&ids, twelve_to(this_month()))
        .await?;
    Ok(households
        .iter()
        .map(|h| {
            let total = ledger.get(&h.id).map_or(Fen(0), |months| {
                Fen(months.iter().map(|m| m.total().0).sum())
            });
            (h.id, Standing::of(total, h.members.len() as u32, line))
        })
        .collect())
}

/// How a household stands, in words: per person over twelve months, the line, the percent.
pub(super) fn standing_text(t: &Tr, standing: &Standing) -> String {
    t.args(
        "household-standing",
        [
            ("income", standing.per_person.display_price().into()),
            ("line", standing.line.display_price().into()),
            ("percent", standing.percent().into()),
        ],
    )
}

/// The household page's part: the chart of twelve months against the household's share of the
/// line (the line x members / 12 a month), and where it stands.
pub(super) struct Summary {
    pub chart: String,
    pub standing: String,
    pub above: Option<bool>,
    pub total: String,
}

fn yuan(fen: Fen) -> f32 {
    fen.0 as f32 / 100.0
}

pub(super) async fn summary(
    state: &AppState,
    t: &Tr,
    county: &County,
    household: &Household,
) -> Result<(Summary, Vec<IncomeMonth>), Problem> {
    let span = twelve_to(this_month());
    let mut ledger = state.store.household_incomes(&[household.id], span).await?;
    let months = ledger.remove(&household.id).unwrap_or_default();
    let lines = state.store.poverty_lines(county.region.id).await?;
    let members = household.members.len().max(1) as i64;
    let monthly_line = |m: &IncomeMonth| {
        let year = m.month.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        line_for(&lines, year).map_or(0.0, |l| yuan(Fen(l.0 * members / 12)))
    };
    let chart = crate::html::charts::bars_and_line(
        (
            t.get("household-income-month"),
            months.iter().map(|m| yuan(m.total())).collect(),
        ),
        (
            t.get("household-income-line"),
            months.iter().map(monthly_line).collect(),
        ),
        months
            .iter()
            .map(|m| m.month.get(5..).unwrap_or_default().to_owned())
            .collect(),
        COLOURS,
    );
    let total = Fen(months.iter().map(|m| m.total().0).sum());
    let standing = line_for(&lines, Utc::now().year())
        .map(|line| Standing::of(total, household.members.len() as u32, line));
    Ok((
        Summary {
            chart,
            standing: standing.as_ref().map_or_else(
                || t.get("household-standing-no-line"),
                |s| standing_text(t, s),
            ),
            above: standing.map(|s| s.above()),
            total: t.arg("household-income-total", "amount", total.display_price()),
        },
        months,
    ))
}

struct MonthRow {
    month: String,
    total: String,
    parts: String,
    chosen: bool,
}

struct EntryRow {
    id: i64,
    source: String,
    amount: String,
    note: String,
    from_pool: bool,
}

#[derive(Template)]
#[template(path = "households/income.html")]
struct IncomePage {
    c: Chrome,
    csrf: String,
    id: i64,
    head: String,
    keeper: bool,
    summary: Summary,
    months: Vec<MonthRow>,
    month: String,
    entries: Vec<EntryRow>,
    sources: Vec<(&'static str, String)>,
    form: IncomeForm,
    errors: FormErrors,
    notice: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IncomeForm {
    month: String,
    source: String,
    amount: String,
    note: String,
}

impl IncomeForm {
    fn parse(&self) -> Result<NewIncome, ValidationError> {
        let month = LedgerMonth::parse(&self.month)
            .map_err(|_| ValidationError::new("month", "month-invalid"))?;
        let source = IncomeSource::entered(&self.source)?;
        let amount = farmgate_domain::catalog::parse_amount(&self.amount)
            .map_err(|_| ValidationError::new("amount", "household-income-amount-invalid"))?;
        Ok(NewIncome {
            month,
            source,
            amount,
            note: self.note.clone(),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IncomeQuery {
    month: String,
    saved: Option<u8>,
}

fn parts_of(t: &Tr, m: &IncomeMonth) -> String {
    IncomeSource::ALL
        .iter()
        .filter(|s| m.of(**s).0 != 0)
        .map(|s| {
            format!(
                "{} {}",
                t.get(&format!("household-income-{}", s.as_str())),
                m.of(*s).display_price()
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

async fn show(
    state: &AppState,
    (c, csrf): (Chrome, String),
    (county, household): (&County, &Household),
    (month, form, problem, saved): (LedgerMonth, IncomeForm, Option<&Problem>, bool),
) -> Result<Response, Problem> {
    let t = &c.t;
    let (summary, months) = summary(state, t, county, household).await?;
    let chosen = month.to_string();
    let entries = state
        .store
        .income_entries(household.id, (month, month))
        .await?
        .into_iter()
        .map(|e| EntryRow {
            id: e.id,
            source: t.get(&format!("household-income-{}", e.source.as_str())),
            amount: e.amount.display_price(),
            note: e.note,
            from_pool: e.pool_id.is_some(),
        })
        .collect();
    let page = IncomePage {
        csrf,
        id: household.id,
        head: household.head_name.clone(),
        keeper: county.keeper,
        summary,
        months: months
            .iter()
            .rev()
            .map(|m| MonthRow {
                chosen: m.month == chosen,
                month: m.month.clone(),
                total: m.total().display_price(),
                parts: parts_of(t, m),
            })
            .collect(),
        month: chosen,
        entries,
        sources: IncomeSource::ENTERED
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    t.get(&format!("household-income-{}", s.as_str())),
                )
            })
            .collect(),
        form,
        errors: problem.map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        notice: saved.then(|| t.get("household-saved")),
        c,
    };
    Ok(render(problem.map_or(StatusCode::OK, |p| p.status), &page))
}

/// `GET /centre/households/{id}/income?month=YYYY-MM`.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<IncomeQuery>,
) -> Result<Response, Problem> {
    let (county, household) = reach(&state, &user, id).await?;
    let month = if query.month.is_empty() {
        this_month()
    } else {
        LedgerMonth::parse(&query.month).map_err(Problem::from)?
    };
    let form = IncomeForm {
        month: month.to_string(),
        source: IncomeSource::Stall.as_str().to_owned(),
        ..IncomeForm::default()
    };
    show(
        &state,
        (c, csrf.0),
        (&county, &household),
        (month, form, None, query.saved.is_some()),
    )
    .await
}

/// `POST /centre/households/{id}/income`: enters income for a month.
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<IncomeForm>,
) -> Result<Response, Problem> {
    let (county, household) = reach(&state, &user, id).await?;
    keeper(&county)?;
    let added = match form.parse() {
        Ok(new) => state
            .store
            .add_income((county.region.id, id), &new, (user.account.id, Utc::now()))
            .await
            .map(|e| e.month)
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match added {
        Ok(month) => Ok(Redirect::to(&format!(
            "/centre/households/{id}/income?month={month}&saved=1"
        ))
        .into_response()),
        Err(problem) if problem.status.is_client_error() => {
            let month = LedgerMonth::parse(&form.month).unwrap_or_else(|_| this_month());
            show(
                &state,
                (c, csrf.0),
                (&county, &household),
                (month, form, Some(&problem), false),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    month: String,
}

/// `POST /centre/households/{id}/income/{entry}/remove`: an entry made by hand goes.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, entry)): Path<(i64, i64)>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, Problem> {
    let (county, _) = reach(&state, &user, id).await?;
    keeper(&county)?;
    state
        .store
        .remove_income((county.region.id, id), entry)
        .await
        .map_err(|e| match Problem::from(e) {
            p if p.code == "conflict" => {
                Problem::new(StatusCode::CONFLICT, "household-income-from-pool")
            }
            p => p,
        })?;
    let month = LedgerMonth::parse(&form.month).unwrap_or_else(|_| this_month());
    Ok(Redirect::to(&format!(
        "/centre/households/{id}/income?month={month}&saved=1"
    ))
    .into_response())
}
