//! The county's statistics for officials and the centre (issue 18): a region's month (its online
//! retail sales and online consumption, orders, the average order, live rooms' sales, active
//! shops, each with the change on the month before and on the same month a year before), the
//! last thirteen months as a chart, the places under it (a tap goes down a level) and the
//! categories; an XLSX of every table and the same as JSON. All of it read from the rollups
//! (`store::stats`), which the housekeeping loop keeps up (the page says how far behind).

mod dashboard;
mod open;
mod report;
mod taobao;

use chrono::Utc;
use farmgate_domain::authz::Role;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::{RegionCode, RegionLevel, RegionPath};
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::regions::Region;
use farmgate_store::stats::{Figures, Flow};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::Problem;

/// Who reads a region's statistics.
const READERS: [Role; 4] = [
    Role::Official,
    Role::CentreStaff,
    Role::Admin,
    Role::Trainer,
];

/// A region and a month asked for; empty means the reader's home region and this month.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatsQuery {
    region: String,
    month: String,
}

/// The region `asked` (its code) when `user` reads its statistics: the home region when none is
/// asked; 404 for a region not found or out of reach.
async fn region_of(state: &AppState, user: &CurrentUser, asked: &str) -> Result<Region, Problem> {
    let home = user.home_region(state, &READERS).await?;
    if asked.is_empty() {
        return Ok(home);
    }
    let code = RegionCode::parse(asked).map_err(|_| Problem::not_found())?;
    let region = state
        .store
        .region_by_code(code.as_str())
        .await
        .map_err(|_| Problem::not_found())?;
    user.require(&READERS, &region.path)
        .map_err(|_| Problem::not_found())?;
    Ok(region)
}

fn month_of(asked: &str) -> Result<LedgerMonth, Problem> {
    if asked.is_empty() {
        return Ok(LedgerMonth::of(LedgerDay::of(Utc::now())));
    }
    LedgerMonth::parse(asked).map_err(Problem::from)
}

/// A month's figures with the month before and the same month a year before.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Compared {
    pub now: Figures,
    pub month_before: Figures,
    pub year_before: Figures,
}

/// The change from `before` to `now` in percent (none from nothing).
pub fn change(now: Fen, before: Fen) -> Option<f64> {
    (before.0 > 0).then(|| (now.0 - before.0) as f64 * 100.0 / before.0 as f64)
}

/// A month twelve months before `month`.
fn year_before(month: LedgerMonth) -> LedgerMonth {
    let mut m = month;
    for _ in 0..12 {
        m = m.previous();
    }
    m
}

/// Everything the dashboard shows, as the API answers it.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub region: String,
    pub month: String,
    pub sales: Compared,
    pub purchases: Compared,
    pub live: Figures,
    pub open_shops: i64,
    pub active_shops: i64,
    /// Shops opened in the month.
    pub opened_shops: i64,
    /// The last thirteen months of sales, the oldest first.
    pub sales_by_month: Vec<(String, Figures)>,
    pub purchases_by_month: Vec<(String, Figures)>,
    /// The month's sales by the places one level down (code, name, figures).
    pub places: Vec<(String, String, Figures)>,
    /// The month's sales by category (code, name, goods).
    pub categories: Vec<(String, String, Figures)>,
    /// The latest order change the figures have taken in.
    pub as_of: Option<chrono::DateTime<Utc>>,
}

/// The month, the month before and the same month a year before, out of the thirteen months
/// that end with it.
fn compared(thirteen: &[(String, Figures)]) -> Compared {
    let at = |k: usize| thirteen.get(k).map(|(_, f)| *f).unwrap_or_default();
    Compared {
        now: at(12),
        month_before: at(11),
        year_before: at(0),
    }
}

/// The thirteen months up to `month`, every one there (zero when nothing sold).
async fn thirteen(
    state: &AppState,
    (flow, path): (Flow, &RegionPath),
    month: LedgerMonth,
) -> Result<Vec<(String, Figures)>, Problem> {
    let first = year_before(month);
    let (from, until) = (first.to_string(), month.to_string());
    let rows = state
        .store
        .stats_months(flow, path, (&from, &until))
        .await?;
    let mut all = Vec::with_capacity(13);
    let mut m = first;
    for _ in 0..13 {
        let key = m.to_string();
        let found = rows.iter().find(|(k, _)| *k == key).map(|(_, f)| *f);
        all.push((key, found.unwrap_or_default()));
        m = m.next();
    }
    Ok(all)
}

/// The places one level under `region` with the month's sales of the shops in each.
async fn places(
    state: &AppState,
    region: &Region,
    month: LedgerMonth,
    language: farmgate_domain::lang::Language,
) -> Result<Vec<(String, String, Figures)>, Problem> {
    let m = month.to_string();
    let rows = state
        .store
        .stats_places(Flow::Sales, &region.path, (&m, &m))
        .await?;
    let children = state.store.region_children(region.id).await?;
    let mut children: Vec<(String, String, Figures)> = children
        .iter()
        .map(|r| {
            let mut sum = Figures::default();
            for (path, f) in &rows {
                if path.starts_with(r.path.as_str()) {
                    sum.add(*f);
                }
            }
            (r.code.as_str().to_owned(), r.name(language).to_owned(), sum)
        })
        .collect();
    children.sort_by(|a, b| b.2.goods.cmp(&a.2.goods).then(a.1.cmp(&b.1)));
    Ok(children)
}

async fn categories(
    state: &AppState,
    region: &Region,
    month: LedgerMonth,
    language: farmgate_domain::lang::Language,
) -> Result<Vec<(String, String, Figures)>, Problem> {
    let m = month.to_string();
    let rows = state
        .store
        .stats_categories(Flow::Sales, &region.path, (&m, &m))
        .await?;
    let all = state.store.categories().await?;
    let mut named: Vec<(String, String, Figures)> = rows
        .into_iter()
        .map(|(id, f)| {
            let c = all.iter().find(|c| c.id == id);
            (
                c.map(|c| c.code.clone()).unwrap_or_default(),
                c.map(|c| c.name(language).to_owned()).unwrap_or_default(),
                f,
            )
        })
        .collect();
    named.sort_by_key(|c| std::cmp::Reverse(c.2.goods));
    Ok(named)
}

/// Reads a region's month for the dashboard, the sheet and the API.
pub async fn dashboard(
    state: &AppState,
    region: &Region,
    month: LedgerMonth,
    language: farmgate_domain::lang::Language,
) -> Result<Dashboard, Problem> {
    let path = &region.path;
    let (open_shops, active_shops, opened_shops) =
        state.store.active_shops(path, &month.to_string()).await?;
    let m = month.to_string();
    let sales_by_month = thirteen(state, (Flow::Sales, path), month).await?;
    let purchases_by_month = thirteen(state, (Flow::Purchases, path), month).await?;
    Ok(Dashboard {
        region: region.code.as_str().to_owned(),
        month: m.clone(),
        sales: compared(&sales_by_month),
        purchases: compared(&purchases_by_month),
        live: state.store.stats_live(path, (&m, &m)).await?,
        open_shops,
        active_shops,
        opened_shops,
        sales_by_month,
        purchases_by_month,
        places: if region.level == RegionLevel::Village {
            Vec::new()
        } else {
            places(state, region, month, language).await?
        },
        categories: categories(state, region, month, language).await?,
        as_of: state.store.stats_cursor().await?.seen_at,
    })
}

/// Takes in the orders changed since the last time (the housekeeping loop, every few seconds).
pub async fn refresh(state: &AppState) {
    if let Err(err) = state.store.refresh_stats().await {
        tracing::warn!(error = %err, "could not refresh the statistics");
    }
}

/// The statistics' pages.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/centre/stats", get(dashboard::page))
        .route("/centre/stats.xlsx", get(dashboard::sheet))
        .route("/centre/stats/report", get(report::page))
        .route("/centre/stats/report.xlsx", get(report::sheet))
        .route("/centre/taobao", get(taobao::page))
        .route(
            "/centre/taobao/households",
            axum::routing::post(taobao::set_households),
        )
        .route("/centre/taobao.xlsx", get(taobao::sheet))
        .route("/open/{county}", get(open::page))
        .route("/open/{county}/figures.csv", get(open::csv))
}

/// The statistics' API.
pub fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(dashboard::json))
}
