//! A project's dividend for the county's households: the centre sets a pool aside for a month
//! (the money and the rule: the same to each household, by members, or by the days each worked),
//! names the households it pays with their work-days, and pays it: each household's part, to
//! the fen, goes to its income for that month. Until paid a pool changes or goes; a payment can
//! be taken back. Officials and trainers of the county read the pools.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use farmgate_domain::ValidationError;
use farmgate_domain::households::income::DividendRule;
use farmgate_domain::stations::till::LedgerMonth;
use farmgate_store::households::{DividendPool, HouseholdFilter, PoolDetails};
use serde::Deserialize;

use super::{County, CountyQuery, county, keeper};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Pools listed per page.
const PAGE: u64 = 20;

/// The most households offered to name in one pool's form.
const OFFERED: u64 = 500;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PoolForm {
    county: String,
    name: String,
    month: String,
    amount: String,
    rule: String,
}

impl PoolForm {
    fn parse(&self) -> Result<PoolDetails, ValidationError> {
        Ok(PoolDetails {
            name: self.name.clone(),
            month: LedgerMonth::parse(&self.month)
                .map_err(|_| ValidationError::new("month", "month-invalid"))?,
            amount: farmgate_domain::catalog::parse_amount(&self.amount)
                .map_err(|_| ValidationError::new("amount", "household-income-amount-invalid"))?,
            rule: DividendRule::parse(&self.rule)
                .ok_or_else(|| ValidationError::new("rule", "dividend-rule-invalid"))?,
        })
    }

    fn of(county: &str, pool: &DividendPool) -> PoolForm {
        PoolForm {
            county: county.to_owned(),
            name: pool.name.clone(),
            month: pool.month.clone(),
            amount: format!("{}.{:02}", pool.amount.0 / 100, pool.amount.0 % 100),
            rule: pool.rule.as_str().to_owned(),
        }
    }
}

struct PoolRow {
    id: i64,
    name: String,
    line: String,
    paid: bool,
}

fn rules(t: &Tr) -> Vec<(&'static str, String)> {
    DividendRule::ALL
        .iter()
        .map(|r| (r.as_str(), t.get(&format!("dividend-rule-{}", r.as_str()))))
        .collect()
}

fn pool_line(t: &Tr, pool: &DividendPool) -> String {
    t.args(
        "dividend-line",
        [
            ("month", pool.month.clone().into()),
            ("amount", pool.amount.display_price().into()),
            (
                "rule",
                t.get(&format!("dividend-rule-{}", pool.rule.as_str()))
                    .into(),
            ),
            ("households", (pool.shares.len() as i64).into()),
        ],
    )
}

#[derive(Template)]
#[template(path = "households/dividends.html")]
struct ListPage {
    c: Chrome,
    csrf: String,
    county: String,
    keeper: bool,
    rows: Vec<PoolRow>,
    next: Option<String>,
    rules: Vec<(&'static str, String)>,
    form: PoolForm,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    county: String,
    page: u64,
}

async fn list_page(
    state: &AppState,
    (c, csrf): (Chrome, String),
    county: &County,
    (page, form, problem): (u64, PoolForm, Option<&Problem>),
) -> Result<Response, Problem> {
    let t = &c.t;
    let (pools, total) = state
        .store
        .dividend_pools(county.region.id, (page, PAGE))
        .await?;
    let code = county.region.code.as_str().to_owned();
    let next = ((page + 1) * PAGE < total).then(|| {
        format!(
            "/centre/households/dividends?county={code}&page={}",
            page + 1
        )
    });
    let view = ListPage {
        csrf,
        keeper: county.keeper,
        rows: pools
            .iter()
            .map(|p| PoolRow {
                id: p.id,
                name: p.name.clone(),
                line: pool_line(t, p),
                paid: p.paid_at.is_some(),
            })
            .collect(),
        next,
        rules: rules(t),
        form,
        errors: problem.map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        county: code,
        c,
    };
    Ok(render(problem.map_or(StatusCode::OK, |p| p.status), &view))
}

/// `GET /centre/households/dividends?county=&page=`.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &query.county).await?;
    let form = PoolForm {
        month: super::income::this_month().to_string(),
        rule: DividendRule::Equal.as_str().to_owned(),
        ..PoolForm::default()
    };
    list_page(&state, (c, csrf.0), &county, (query.page, form, None)).await
}

/// `POST /centre/households/dividends`: sets a pool aside.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<PoolForm>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &form.county).await?;
    keeper(&county)?;
    let made = match form.parse() {
        Ok(details) => state
            .store
            .create_pool(county.region.id, &details, (user.account.id, Utc::now()))
            .await
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match made {
        Ok(pool) => Ok(Redirect::to(&pool_path(&county, pool.id, "")).into_response()),
        Err(problem) if problem.status.is_client_error() => {
            list_page(&state, (c, csrf.0), &county, (0, form, Some(&problem))).await
        }
        Err(other) => Err(other),
    }
}

fn pool_path(county: &County, pool: i64, more: &str) -> String {
    format!(
        "/centre/households/dividends/{pool}?county={}{more}",
        county.region.code.as_str()
    )
}

struct ShareRow {
    household_id: i64,
    head: String,
    work_days: i32,
    amount: String,
}

#[derive(Template)]
#[template(path = "households/dividend.html")]
struct PoolPage {
    c: Chrome,
    csrf: String,
    county: String,
    keeper: bool,
    id: i64,
    name: String,
    line: String,
    paid: bool,
    shares: Vec<ShareRow>,
    households: Vec<(i64, String)>,
    rules: Vec<(&'static str, String)>,
    form: PoolForm,
    errors: FormErrors,
    notice: Option<String>,
}

async fn pool_page(
    state: &AppState,
    (c, csrf): (Chrome, String),
    county: &County,
    (pool, form, problem, notice): (&DividendPool, Option<PoolForm>, Option<&Problem>, bool),
) -> Result<Response, Problem> {
    let t = &c.t;
    let code = county.region.code.as_str().to_owned();
    let (households, _) = state
        .store
        .households(county.region.id, &HouseholdFilter::default(), (0, OFFERED))
        .await?;
    let view = PoolPage {
        csrf,
        keeper: county.keeper,
        id: pool.id,
        name: pool.name.clone(),
        line: pool_line(t, pool),
        paid: pool.paid_at.is_some(),
        shares: pool
            .shares
            .iter()
            .map(|s| ShareRow {
                household_id: s.household_id,
                head: s.head_name.clone(),
                work_days: s.work_days,
                amount: s.amount.display_price(),
            })
            .collect(),
        households: households
            .into_iter()
            .filter(|h| !pool.shares.iter().any(|s| s.household_id == h.id))
            .map(|h| (h.id, h.head_name))
            .collect(),
        rules: rules(t),
        form: form.unwrap_or_else(|| PoolForm::of(&code, pool)),
        errors: problem.map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        notice: notice.then(|| t.get("household-saved")),
        county: code,
        c,
    };
    Ok(render(problem.map_or(StatusCode::OK, |p| p.status), &view))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PoolQuery {
    county: String,
    saved: Option<u8>,
}

/// `GET /centre/households/dividends/{pool}?county=`.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<PoolQuery>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &query.county).await?;
    let pool = state.store.dividend_pool(county.region.id, id).await?;
    let shown = (&pool, None, None, query.saved.is_some());
    pool_page(&state, (c, csrf.0), &county, shown).await
}

/// A change refused: the pool's page with the mistake (a paid pool says so).
async fn refused(
    state: &AppState,
    (c, csrf): (Chrome, String),
    (county, id): (&County, i64),
    (form, problem): (Option<PoolForm>, Problem),
) -> Result<Response, Problem> {
    if !problem.status.is_client_error() || problem.status == StatusCode::NOT_FOUND {
        return Err(problem);
    }
    let problem = match problem.code {
        "conflict" => Problem::new(StatusCode::CONFLICT, "dividend-paid"),
        _ => problem,
    };
    let pool = state.store.dividend_pool(county.region.id, id).await?;
    pool_page(
        state,
        (c, csrf),
        county,
        (&pool, form, Some(&problem), false),
    )
    .await
}

/// `POST /centre/households/dividends/{pool}`: changes a pool not yet paid.
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<PoolForm>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &form.county).await?;
    keeper(&county)?;
    let changed = match form.parse() {
        Ok(details) => state
            .store
            .update_pool((county.region.id, id), &details)
            .await
            .map(|_| ())
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match changed {
        Ok(()) => Ok(Redirect::to(&pool_path(&county, id, "&saved=1")).into_response()),
        Err(problem) => refused(&state, (c, csrf.0), (&county, id), (Some(form), problem)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShareForm {
    county: String,
    household: String,
    work_days: String,
}

/// `POST /centre/households/dividends/{pool}/shares`: names a household (or changes its days).
pub async fn set_share(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<ShareForm>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &form.county).await?;
    keeper(&county)?;
    let household = form
        .household
        .trim()
        .parse::<i64>()
        .map_err(|_| ValidationError::new("household", "dividend-household-invalid"));
    let days = match form.work_days.trim() {
        "" => Ok(0),
        typed => typed
            .parse::<u32>()
            .map_err(|_| ValidationError::new("work_days", "dividend-work-days-invalid")),
    };
    let set = match (household, days) {
        (Ok(household), Ok(days)) => state
            .store
            .set_pool_share((county.region.id, id), household, days)
            .await
            .map_err(|e| match Problem::from(e) {
                p if p.status == StatusCode::NOT_FOUND => {
                    ValidationError::new("household", "dividend-household-invalid").into()
                }
                p => p,
            }),
        (Err(invalid), _) | (_, Err(invalid)) => Err(invalid.into()),
    };
    match set {
        Ok(()) => Ok(Redirect::to(&pool_path(&county, id, "&saved=1")).into_response()),
        Err(problem) => refused(&state, (c, csrf.0), (&county, id), (None, problem)).await,
    }
}

/// `POST /centre/households/dividends/{pool}/shares/{household}/remove`.
pub async fn remove_share(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path((id, household)): Path<(i64, i64)>,
    Form(query): Form<CountyQuery>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &query.county).await?;
    keeper(&county)?;
    match state
        .store
        .remove_pool_share((county.region.id, id), household)
        .await
    {
        Ok(()) => Ok(Redirect::to(&pool_path(&county, id, "&saved=1")).into_response()),
        Err(e) => refused(&state, (c, csrf.0), (&county, id), (None, e.into())).await,
    }
}

/// `POST /centre/households/dividends/{pool}/pay`: pays each household its part.
pub async fn pay(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(query): Form<CountyQuery>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &query.county).await?;
    keeper(&county)?;
    match state
        .store
        .pay_pool((county.region.id, id), (user.account.id, Utc::now()))
        .await
    {
        Ok(_) => Ok(Redirect::to(&pool_path(&county, id, "&saved=1")).into_response()),
        Err(e) => refused(&state, (c, csrf.0), (&county, id), (None, e.into())).await,
    }
}

/// `POST /centre/households/dividends/{pool}/unpay`: takes a payment back.
pub async fn unpay(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(query): Form<CountyQuery>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &query.county).await?;
    keeper(&county)?;
    state.store.unpay_pool(county.region.id, id).await?;
    Ok(Redirect::to(&pool_path(&county, id, "&saved=1")).into_response())
}

/// `POST /centre/households/dividends/{pool}/remove`: a pool not yet paid goes.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(query): Form<CountyQuery>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &query.county).await?;
    keeper(&county)?;
    match state.store.remove_pool(county.region.id, id).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/centre/households/dividends?county={}",
            county.region.code.as_str()
        ))
        .into_response()),
        Err(e) => refused(&state, (c, csrf.0), (&county, id), (None, e.into())).await,
    }
}
