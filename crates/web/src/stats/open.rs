//! Open data (issue 18): a public page per county with its headline numbers (the last whole
//! month's online retail sales and consumption with their changes, orders, active shops, the
//! thirteen months as a chart, the townships, the Taobao villages) and a CSV of two years by
//! township and month, for the county's website and for reporters. Only figures summed over
//! places: nothing about a person, a household or a single shop.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_domain::regions::{RegionCode, RegionLevel};
use farmgate_domain::stations::till::LedgerMonth;
use farmgate_store::regions::Region;
use farmgate_store::stats::{Figures, Flow};
use serde::Deserialize;

use super::dashboard as figures_of;
use super::dashboard::{Headline, facts, headline, months_chart};
use super::taobao::{last_month, verdicts};
use crate::AppState;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Months in the CSV.
const CSV_MONTHS: usize = 24;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpenQuery {
    month: String,
}

#[derive(Template)]
#[template(path = "stats/open.html")]
struct OpenPage {
    c: Chrome,
    title: String,
    county: String,
    month: String,
    headlines: Vec<Headline>,
    facts: Vec<(String, String)>,
    months_chart: String,
    places: Vec<(String, String, i64)>,
    taobao: Vec<String>,
}

/// A county by its code, or a 404 (a township or a province has no open page).
async fn county(state: &AppState, code: &str) -> Result<Region, Problem> {
    let code = RegionCode::parse(code).map_err(|_| Problem::not_found())?;
    let region = state
        .store
        .region_by_code(code.as_str())
        .await
        .map_err(|_| Problem::not_found())?;
    if region.level == RegionLevel::County {
        Ok(region)
    } else {
        Err(Problem::not_found())
    }
}

/// `GET /open/{county}?month=`: the county's headline numbers, for anyone.
pub async fn page(
    State(state): State<AppState>,
    c: Chrome,
    Path(code): Path<String>,
    Query(query): Query<OpenQuery>,
) -> Result<Response, Problem> {
    let region = county(&state, &code).await?;
    let month = last_month(&query.month)?;
    let t = &c.t;
    let d = figures_of(&state, &region, month, t.lang()).await?;
    let taobao = verdicts(&state, &region, month)
        .await?
        .villages
        .iter()
        .filter(|(_, v)| v.qualifies)
        .map(|(y, _)| y.village.name(t.lang()).to_owned())
        .collect();
    let page = OpenPage {
        title: t.arg("open-title", "region", region.name(t.lang()).to_owned()),
        county: region.code.as_str().to_owned(),
        month: d.month.clone(),
        headlines: vec![
            headline(t, "stats-sales", &d.sales),
            headline(t, "stats-purchases", &d.purchases),
        ],
        facts: facts(t, &d),
        months_chart: months_chart(t, &d),
        places: d
            .places
            .iter()
            .map(|(_, name, f)| (name.clone(), f.goods.display_price(), f.orders))
            .collect(),
        taobao,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /open/{county}/figures.csv?month=`: the county and its townships, month by month
/// over the two years to `month`.
pub async fn csv(
    State(state): State<AppState>,
    c: Chrome,
    Path(code): Path<String>,
    Query(query): Query<OpenQuery>,
) -> Result<Response, Problem> {
    let region = county(&state, &code).await?;
    let until = last_month(&query.month)?;
    let mut first = until;
    for _ in 1..CSV_MONTHS {
        first = first.previous();
    }
    let body = table(&state, &c.t, &region, (first, until)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"farmgate-{}-{until}.csv\"",
                    region.code.as_str()
                ),
            ),
        ],
        body,
    )
        .into_response())
}

/// The CSV's text: a header, then for each month the county and each of its townships.
async fn table(
    state: &AppState,
    t: &Tr,
    county: &Region,
    (first, until): (LedgerMonth, LedgerMonth),
) -> Result<String, Problem> {
    let months = (first.to_string(), until.to_string());
    let range = (months.0.as_str(), months.1.as_str());
    let sales = state
        .store
        .stats_grid(Flow::Sales, &county.path, range)
        .await?;
    let bought = state
        .store
        .stats_grid(Flow::Purchases, &county.path, range)
        .await?;
    let mut places = vec![county.clone()];
    places.extend(state.store.region_children(county.id).await?);
    let sum = |grid: &[(String, String, Figures)], place: &Region, month: &str| {
        let mut all = Figures::default();
        for (path, m, f) in grid {
            if m == month && path.starts_with(place.path.as_str()) {
                all.add(*f);
            }
        }
        all
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |_| server_error();
    out.write_record([
        t.get("stats-month"),
        t.get("open-code"),
        t.get("stats-place"),
        t.get("open-sales-yuan"),
        t.get("stats-orders"),
        t.get("open-purchases-yuan"),
        t.get("stats-purchase-orders"),
    ])
    .map_err(failed)?;
    let mut month = first;
    loop {
        let m = month.to_string();
        for place in &places {
            let (s, b) = (sum(&sales, place, &m), sum(&bought, place, &m));
            out.write_record([
                m.clone(),
                place.code.as_str().to_owned(),
                place.name(t.lang()).to_owned(),
                yuan_text(s.goods.0),
                s.orders.to_string(),
                yuan_text(b.goods.0),
                b.orders.to_string(),
            ])
            .map_err(failed)?;
        }
        if month == until {
            break;
        }
        month = month.next();
    }
    let bytes = out.into_inner().map_err(|_| server_error())?;
    String::from_utf8(bytes).map_err(|_| server_error())
}

/// Fen as yuan with two decimals, no separators: what a spreadsheet reads as a number.
fn yuan_text(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

fn server_error() -> Problem {
    tracing::error!("an open-data table could not be written");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
}
