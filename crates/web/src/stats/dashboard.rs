//! The dashboard page (charts where people look, tables where they read), its XLSX and its JSON.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::money::Fen;
use farmgate_store::stats::Figures;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{Compared, Dashboard, StatsQuery, change, dashboard, month_of, region_of};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::format::china_time;
use crate::html::{Chrome, render};
use crate::i18n::{Lang, Tr};
use crate::problem::{ApiError, Problem};
use crate::sheets::{server_error, xlsx};

/// The chart's colours: sales, consumption.
const COLOURS: [&str; 2] = ["#2e6b30", "#a86b00"];

fn yuan(f: Fen) -> f32 {
    f.0 as f32 / 100.0
}

/// "+25.5%" / "-3.0%" / "—" in the reader's words.
fn change_text(t: &Tr, now: Fen, before: Fen) -> String {
    match change(now, before) {
        Some(p) => t.arg("stats-change", "percent", format!("{p:+.1}")),
        None => t.get("stats-change-none"),
    }
}

pub(super) struct Headline {
    pub label: String,
    pub value: String,
    pub month: String,
    pub year: String,
}

pub(super) fn headline(t: &Tr, label: &str, c: &Compared) -> Headline {
    Headline {
        label: t.get(label),
        value: c.now.goods.display_price(),
        month: change_text(t, c.now.goods, c.month_before.goods),
        year: change_text(t, c.now.goods, c.year_before.goods),
    }
}

struct PlaceRow {
    code: String,
    name: String,
    goods: String,
    orders: i64,
}

#[derive(Template)]
#[template(path = "stats/dashboard.html")]
struct DashboardPage {
    c: Chrome,
    title: String,
    month: String,
    previous: String,
    next: String,
    region: String,
    up: Option<(String, String)>,
    headlines: Vec<Headline>,
    facts: Vec<(String, String)>,
    months_chart: String,
    places_chart: String,
    places: Vec<PlaceRow>,
    categories: Vec<(String, String, i64)>,
    as_of: String,
    /// A county's figures are public too.
    open_data: bool,
    /// The month the report link opens: this one, or the last whole one when this is today's.
    report_month: String,
}

pub(super) fn months_chart(t: &Tr, d: &Dashboard) -> String {
    crate::html::charts::bar_chart(
        vec![
            (
                t.get("stats-sales"),
                d.sales_by_month
                    .iter()
                    .map(|(_, f)| yuan(f.goods))
                    .collect(),
            ),
            (
                t.get("stats-purchases"),
                d.purchases_by_month
                    .iter()
                    .map(|(_, f)| yuan(f.goods))
                    .collect(),
            ),
        ],
        d.sales_by_month
            .iter()
            .map(|(m, _)| m.get(2..).unwrap_or_default().to_owned())
            .collect(),
        &COLOURS,
    )
}

pub(super) fn facts(t: &Tr, d: &Dashboard) -> Vec<(String, String)> {
    let n = |f: &Figures| f.orders.to_string();
    vec![
        (t.get("stats-orders"), n(&d.sales.now)),
        (
            t.get("stats-average"),
            d.sales.now.average().display_price(),
        ),
        (t.get("stats-live"), d.live.goods.display_price()),
        (
            t.get("stats-active-shops"),
            t.args2(
                "stats-active-of",
                ("active", d.active_shops.into()),
                ("open", d.open_shops.into()),
            ),
        ),
        (t.get("stats-opened-shops"), d.opened_shops.to_string()),
        (t.get("stats-purchase-orders"), n(&d.purchases.now)),
    ]
}

/// `GET /centre/stats?region=&month=`: a region's month.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<StatsQuery>,
) -> Result<Response, Problem> {
    let region = region_of(&state, &user, &query.region).await?;
    let month = month_of(&query.month)?;
    let t = &c.t;
    let d = dashboard(&state, &region, month, t.lang()).await?;
    let up = match region.parent_id {
        Some(parent)
            if user
                .require(
                    &super::READERS,
                    &state.store.region_by_id(parent).await?.path,
                )
                .is_ok() =>
        {
            let p = state.store.region_by_id(parent).await?;
            Some((p.code.as_str().to_owned(), p.name(t.lang()).to_owned()))
        }
        _ => None,
    };
    let with_goods: Vec<&(String, String, Figures)> = d
        .places
        .iter()
        .filter(|p| p.2.goods.0 > 0)
        .take(12)
        .collect();
    let places_chart = if with_goods.is_empty() {
        String::new()
    } else {
        crate::html::charts::lying_bar_chart(
            t.get("stats-sales"),
            &with_goods
                .iter()
                .map(|p| p.2.goods.0 / 100)
                .collect::<Vec<_>>(),
            with_goods.iter().map(|p| p.1.clone()).collect(),
            COLOURS[0],
        )
    };
    let page = DashboardPage {
        title: t.arg("stats-title", "region", region.name(t.lang()).to_owned()),
        month: d.month.clone(),
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        region: region.code.as_str().to_owned(),
        up,
        headlines: vec![
            headline(t, "stats-sales", &d.sales),
            headline(t, "stats-purchases", &d.purchases),
        ],
        facts: facts(t, &d),
        months_chart: months_chart(t, &d),
        places_chart,
        places: d
            .places
            .iter()
            .map(|(code, name, f)| PlaceRow {
                code: code.clone(),
                name: name.clone(),
                goods: f.goods.display_price(),
                orders: f.orders,
            })
            .collect(),
        categories: d
            .categories
            .iter()
            .map(|(_, name, f)| (name.clone(), f.goods.display_price(), f.orders))
            .collect(),
        open_data: region.level == farmgate_domain::regions::RegionLevel::County,
        report_month: if month == super::month_of("")? {
            month.previous().to_string()
        } else {
            month.to_string()
        },
        as_of: d.as_of.map_or_else(
            || t.get("stats-as-of-never"),
            |at| t.arg("stats-as-of", "at", china_time(at)),
        ),
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /centre/stats.xlsx?region=&month=`: the dashboard's tables as a workbook.
pub async fn sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<StatsQuery>,
) -> Result<Response, Problem> {
    let region = region_of(&state, &user, &query.region).await?;
    let month = month_of(&query.month)?;
    let d = dashboard(&state, &region, month, c.t.lang()).await?;
    let bytes = workbook(&c.t, &d).map_err(server_error)?;
    Ok(xlsx(
        bytes,
        &format!("farmgate-stats-{}-{}.xlsx", d.region, d.month),
    ))
}

fn workbook(t: &Tr, d: &Dashboard) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let money = |f: Fen| f.0 as f64 / 100.0;
    let sheet = workbook.add_worksheet();
    sheet.set_name("months")?;
    let heads = [
        t.get("stats-month"),
        t.get("stats-sales"),
        t.get("stats-orders"),
        t.get("stats-purchases"),
        t.get("stats-purchase-orders"),
    ];
    for (col, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, h, &bold)?;
    }
    for (i, ((m, s), (_, p))) in d
        .sales_by_month
        .iter()
        .zip(&d.purchases_by_month)
        .enumerate()
    {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, m)?;
        sheet.write_number(row, 1, money(s.goods))?;
        sheet.write_number(row, 2, s.orders as f64)?;
        sheet.write_number(row, 3, money(p.goods))?;
        sheet.write_number(row, 4, p.orders as f64)?;
    }
    for (name, rows) in [("places", &d.places), ("categories", &d.categories)] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        let heads = [
            t.get(if name == "places" {
                "stats-place"
            } else {
                "stats-category"
            }),
            t.get("stats-sales"),
            t.get("stats-orders"),
        ];
        for (col, h) in heads.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, h, &bold)?;
        }
        for (i, (_, label, f)) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, label)?;
            sheet.write_number(row, 1, money(f.goods))?;
            sheet.write_number(row, 2, f.orders as f64)?;
        }
    }
    workbook.save_to_buffer()
}

/// Orders and their goods in fen.
#[derive(Serialize, ToSchema)]
pub struct FiguresView {
    pub orders: i64,
    pub goods_fen: i64,
}

impl From<Figures> for FiguresView {
    fn from(f: Figures) -> Self {
        FiguresView {
            orders: f.orders,
            goods_fen: f.goods.0,
        }
    }
}

/// A month beside the month before and the same month a year before.
#[derive(Serialize, ToSchema)]
pub struct ComparedView {
    pub now: FiguresView,
    pub month_before: FiguresView,
    pub year_before: FiguresView,
    /// Percent change of the goods on the month before (none from nothing).
    pub month_on_month: Option<f64>,
    pub year_on_year: Option<f64>,
}

impl From<Compared> for ComparedView {
    fn from(c: Compared) -> Self {
        ComparedView {
            month_on_month: change(c.now.goods, c.month_before.goods),
            year_on_year: change(c.now.goods, c.year_before.goods),
            now: c.now.into(),
            month_before: c.month_before.into(),
            year_before: c.year_before.into(),
        }
    }
}

/// A month of a series, or a place or category with its figures.
#[derive(Serialize, ToSchema)]
pub struct Keyed {
    /// `YYYY-MM`, a region's code or a category's code.
    pub key: String,
    /// The place's or category's name in the request's language (empty for a month).
    pub name: String,
    pub figures: FiguresView,
}

/// A region's month of statistics.
#[derive(Serialize, ToSchema)]
pub struct StatsView {
    pub region: String,
    pub month: String,
    /// Goods sold by the region's shops (online retail sales).
    pub sales: ComparedView,
    /// Goods bought into the region (online consumption).
    pub purchases: ComparedView,
    pub live: FiguresView,
    pub open_shops: i64,
    /// Open 30 days or more and at least one order in the month.
    pub active_shops: i64,
    /// Opened in the month.
    pub opened_shops: i64,
    pub sales_by_month: Vec<Keyed>,
    pub purchases_by_month: Vec<Keyed>,
    pub places: Vec<Keyed>,
    pub categories: Vec<Keyed>,
    /// The latest order change the figures include (RFC 3339).
    pub as_of: Option<String>,
}

fn keyed(rows: &[(String, String, Figures)]) -> Vec<Keyed> {
    rows.iter()
        .map(|(key, name, f)| Keyed {
            key: key.clone(),
            name: name.clone(),
            figures: (*f).into(),
        })
        .collect()
}

fn series(rows: &[(String, Figures)]) -> Vec<Keyed> {
    rows.iter()
        .map(|(key, f)| Keyed {
            key: key.clone(),
            name: String::new(),
            figures: (*f).into(),
        })
        .collect()
}

/// `region`: a region's code (the reader's own when absent); `month`: `YYYY-MM` (this month
/// when absent).
#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    pub region: Option<String>,
    pub month: Option<String>,
}

/// A region's month: online retail sales and consumption with their month-on-month and
/// year-on-year change, live rooms' sales, open and active shops, the last thirteen months,
/// the places one level down and the categories. Officials, centre staff and trainers of the
/// region (or above).
#[utoipa::path(get, operation_id = "getStats", path = "/api/v1/stats", tag = "stats", security(("bearer" = [])),
    params(StatsParams),
    responses((status = 200, body = StatsView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn json(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Query(params): Query<StatsParams>,
) -> Result<Json<StatsView>, Problem> {
    let region = region_of(&state, &user, params.region.as_deref().unwrap_or("")).await?;
    let month = month_of(params.month.as_deref().unwrap_or(""))?;
    let d = dashboard(&state, &region, month, language).await?;
    Ok(Json(StatsView {
        region: d.region,
        month: d.month,
        sales: d.sales.into(),
        purchases: d.purchases.into(),
        live: d.live.into(),
        open_shops: d.open_shops,
        active_shops: d.active_shops,
        opened_shops: d.opened_shops,
        sales_by_month: series(&d.sales_by_month),
        purchases_by_month: series(&d.purchases_by_month),
        places: keyed(&d.places),
        categories: keyed(&d.categories),
        as_of: d.as_of.map(|at| at.to_rfc3339()),
    }))
}
