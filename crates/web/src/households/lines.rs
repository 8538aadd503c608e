//! The county's poverty line per year: income per person a year that a household must reach
//! to be out of poverty. A setting, not a constant: each one is kept with who set it and when,
//! the latest of a year being the line.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use farmgate_domain::ValidationError;
use serde::Deserialize;

use super::{County, CountyQuery, county, keeper};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::china_time;
use crate::html::{Chrome, FormErrors, render};
use crate::problem::Problem;

struct LineRow {
    year: i32,
    amount: String,
    when: String,
    who: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "households/lines.html")]
struct LinesPage {
    c: Chrome,
    csrf: String,
    county: String,
    intro: String,
    keeper: bool,
    rows: Vec<LineRow>,
    form: LineForm,
    errors: FormErrors,
    notice: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LineForm {
    year: String,
    per_person: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinesQuery {
    county: String,
    saved: Option<u8>,
}

async fn show(
    state: &AppState,
    (c, csrf): (Chrome, String),
    county: &County,
    (form, problem, saved): (LineForm, Option<&Problem>, bool),
) -> Result<Response, Problem> {
    let t = &c.t;
    let lines = state.store.poverty_lines(county.region.id).await?;
    let mut rows = Vec::with_capacity(lines.len());
    let mut seen = std::collections::HashSet::new();
    for line in &lines {
        let who = state
            .store
            .account_by_id(line.set_by)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default();
        rows.push(LineRow {
            year: line.year,
            amount: line.per_person.display_price(),
            when: china_time(line.set_at),
            who,
            current: seen.insert(line.year),
        });
    }
    let page = LinesPage {
        csrf,
        county: county.region.code.as_str().to_owned(),
        intro: t.arg(
            "household-lines-intro",
            "county",
            county.region.name(t.lang()).to_owned(),
        ),
        keeper: county.keeper,
        rows,
        form,
        errors: problem.map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        notice: saved.then(|| t.get("household-saved")),
        c,
    };
    Ok(render(problem.map_or(StatusCode::OK, |p| p.status), &page))
}

/// `GET /centre/households/lines`.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<LinesQuery>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &query.county).await?;
    let form = LineForm {
        year: chrono::Utc::now().year().to_string(),
        per_person: String::new(),
    };
    show(
        &state,
        (c, csrf.0),
        &county,
        (form, None, query.saved.is_some()),
    )
    .await
}

/// `POST /centre/households/lines`: the line for a year, in yuan per person.
pub async fn set(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<CountyQuery>,
    Form(form): Form<LineForm>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &query.county).await?;
    keeper(&county)?;
    let parsed = (|| -> Result<(i32, farmgate_domain::money::Fen), ValidationError> {
        let year = form
            .year
            .trim()
            .parse()
            .map_err(|_| ValidationError::new("year", "household-year-invalid"))?;
        let amount = farmgate_domain::catalog::parse_amount(&form.per_person)
            .map_err(|_| ValidationError::new("per_person", "household-line-invalid"))?;
        Ok((year, amount))
    })();
    let done = match parsed {
        Ok((year, amount)) => state
            .store
            .set_poverty_line(
                (county.region.id, year),
                amount,
                (user.account.id, chrono::Utc::now()),
            )
            .await
            .map(|_| ())
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/centre/households/lines?county={}&saved=1",
            county.region.code.as_str()
        ))
        .into_response()),
        Err(problem) if problem.status.is_client_error() => {
            show(&state, (c, csrf.0), &county, (form, Some(&problem), false)).await
        }
        Err(other) => Err(other),
    }
}
