//! The monthly report (issue 18): one page an official prints for the county's meeting, every
//! module's month in one place: online sales and consumption (the dashboard's), trainees and
//! what became of them, parcels by carrier and direction, the stations and the villages they
//! cover, and the registered households and how many are above the line. Laid out for A4; the
//! print button opens the browser's dialog.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::stations::till::LedgerMonth;
use farmgate_store::households::HouseholdFilter;
use farmgate_store::regions::Region;
use farmgate_store::stats::StationsMonth;
use farmgate_store::training::FunnelStage;

use super::dashboard::{Headline, facts, headline, months_chart};
use super::taobao::last_month;
use super::{StatsQuery, dashboard, region_of};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// The funnel's stages as the report names them.
const STAGES: [&str; 5] = [
    "funnel-completed",
    "funnel-applied",
    "funnel-opened",
    "funnel-first-sale",
    "funnel-ten-orders",
];

/// Households read for the report, at most.
const HOUSEHOLDS_MAX: u64 = 10_000;

/// Trainees who finished a course by the month's end, and how far they went.
#[derive(Debug, Default)]
struct Trained {
    this_month: i64,
    /// By stage (completed, applied, opened, first sale, ten orders), to the month's end.
    stages: [i64; 5],
}

/// A carrier's month at the region's distribution centres.
struct CarrierRow {
    name: String,
    delivered: i64,
    returned: i64,
    outbound: i64,
}

#[derive(Template)]
#[template(path = "stats/report.html")]
struct ReportPage {
    c: Chrome,
    title: String,
    region: String,
    month: String,
    headlines: Vec<Headline>,
    facts: Vec<(String, String)>,
    months_chart: String,
    trained_month: i64,
    stages: Vec<(String, i64)>,
    carriers: Vec<CarrierRow>,
    stations: StationsMonth,
    /// (registered, above the line, lifted out) in the county; none above a county.
    households: Option<(usize, usize, usize)>,
}

async fn trained(
    state: &AppState,
    region: &Region,
    month: LedgerMonth,
) -> Result<Trained, Problem> {
    let (start, end) = (month.first.bounds().0, month.end().bounds().0);
    let rows = state.store.funnel(&region.path).await?;
    let mut trained = Trained::default();
    for row in rows.iter().filter(|r| r.completed_at < end) {
        if row.completed_at >= start {
            trained.this_month += 1;
        }
        for (k, stage) in FunnelStage::ALL.iter().enumerate() {
            if row.reached(*stage) {
                trained.stages[k] += 1;
            }
        }
    }
    Ok(trained)
}

async fn carriers(
    state: &AppState,
    t: &Tr,
    region: &Region,
    month: LedgerMonth,
) -> Result<Vec<CarrierRow>, Problem> {
    let all = state.store.carriers().await?;
    let mut rows: Vec<CarrierRow> = Vec::new();
    for depot in state.store.depots_within(&region.path).await? {
        for s in state.store.settlements(depot.id, month).await? {
            let name = all
                .iter()
                .find(|c| c.id == s.carrier_id)
                .map(|c| c.names.get(t.lang()).0.to_owned())
                .unwrap_or_default();
            match rows.iter_mut().find(|r| r.name == name) {
                Some(row) => {
                    row.delivered += s.delivered;
                    row.returned += s.returned;
                    row.outbound += s.outbound;
                }
                None => rows.push(CarrierRow {
                    name,
                    delivered: s.delivered,
                    returned: s.returned,
                    outbound: s.outbound,
                }),
            }
        }
    }
    rows.retain(|r| r.delivered + r.returned + r.outbound > 0);
    rows.sort_by_key(|r| std::cmp::Reverse(r.delivered + r.outbound));
    Ok(rows)
}

/// The county's registered households: how many, how many above the line over the twelve
/// months, how many lifted out.
async fn households(
    state: &AppState,
    region: &Region,
) -> Result<Option<(usize, usize, usize)>, Problem> {
    if region.level != RegionLevel::County {
        return Ok(None);
    }
    let (all, _) = state
        .store
        .households(region.id, &HouseholdFilter::default(), (0, HOUSEHOLDS_MAX))
        .await?;
    let standings =
        crate::households::standings(state, region.id, &all.iter().collect::<Vec<_>>()).await?;
    let above = standings.values().filter(|s| s.above()).count();
    let lifted = all.iter().filter(|h| h.lifted_year.is_some()).count();
    Ok(Some((all.len(), above, lifted)))
}

/// The report's tables beyond the trade: what the page shows and the workbook holds.
struct Tables {
    trained: Trained,
    carriers: Vec<CarrierRow>,
    stations: StationsMonth,
    households: Option<(usize, usize, usize)>,
}

async fn tables(
    state: &AppState,
    t: &Tr,
    region: &Region,
    month: LedgerMonth,
) -> Result<Tables, Problem> {
    Ok(Tables {
        trained: trained(state, region, month).await?,
        carriers: carriers(state, t, region, month).await?,
        stations: state
            .store
            .stations_month(&region.path, &month.to_string())
            .await?,
        households: households(state, region).await?,
    })
}

/// `GET /centre/stats/report?region=&month=`: the month's report (the last whole month unless
/// another is asked), for reading and printing.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<StatsQuery>,
) -> Result<Response, Problem> {
    let region = region_of(&state, &user, &query.region).await?;
    let month = last_month(&query.month)?;
    let t = &c.t;
    let d = dashboard(&state, &region, month, t.lang()).await?;
    let Tables {
        trained,
        carriers,
        stations,
        households,
    } = tables(&state, t, &region, month).await?;
    let page = ReportPage {
        title: t.args2(
            "report-title",
            ("region", region.name(t.lang()).to_owned().into()),
            ("month", month.to_string().into()),
        ),
        region: region.code.as_str().to_owned(),
        month: month.to_string(),
        headlines: vec![
            headline(t, "stats-sales", &d.sales),
            headline(t, "stats-purchases", &d.purchases),
        ],
        facts: facts(t, &d),
        months_chart: months_chart(t, &d),
        trained_month: trained.this_month,
        stages: STAGES
            .iter()
            .zip(trained.stages)
            .map(|(k, n)| (t.get(k), n))
            .collect(),
        carriers,
        stations,
        households,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /centre/stats/report.xlsx?region=&month=`: the report's tables as a workbook (the
/// trade's tables are the dashboard's own workbook).
pub async fn sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<StatsQuery>,
) -> Result<Response, Problem> {
    let region = region_of(&state, &user, &query.region).await?;
    let month = last_month(&query.month)?;
    let t = &c.t;
    let Tables {
        trained,
        carriers,
        stations,
        households,
    } = tables(&state, t, &region, month).await?;
    let book = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = workbook.add_worksheet();
        sheet.set_name("trained")?;
        sheet.write_string_with_format(0, 0, t.get("report-stage"), &bold)?;
        sheet.write_string_with_format(0, 1, t.get("funnel-people"), &bold)?;
        for (k, (name, n)) in STAGES.iter().zip(trained.stages).enumerate() {
            sheet.write_string(k as u32 + 1, 0, t.get(name))?;
            sheet.write_number(k as u32 + 1, 1, n as f64)?;
        }
        let sheet = workbook.add_worksheet();
        sheet.set_name("parcels")?;
        for (col, head) in [
            "report-carrier",
            "report-delivered",
            "report-returned",
            "report-outbound",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string_with_format(0, col as u16, t.get(head), &bold)?;
        }
        for (k, r) in carriers.iter().enumerate() {
            let row = k as u32 + 1;
            sheet.write_string(row, 0, &r.name)?;
            sheet.write_number(row, 1, r.delivered as f64)?;
            sheet.write_number(row, 2, r.returned as f64)?;
            sheet.write_number(row, 3, r.outbound as f64)?;
        }
        let sheet = workbook.add_worksheet();
        sheet.set_name("stations")?;
        let mut rows = vec![
            ("report-stations-active", stations.active, stations.stations),
            (
                "report-coverage",
                stations.villages_with_station,
                stations.villages,
            ),
            (
                "report-station-parcels",
                stations.parcels_received,
                stations.parcels_handed,
            ),
        ];
        if let Some((registered, above, lifted)) = households {
            rows.push(("report-households-above", above as i64, registered as i64));
            rows.push(("report-households-lifted", lifted as i64, registered as i64));
        }
        for (k, (name, a, b)) in rows.iter().enumerate() {
            sheet.write_string(k as u32, 0, t.get(name))?;
            sheet.write_number(k as u32, 1, *a as f64)?;
            sheet.write_number(k as u32, 2, *b as f64)?;
        }
        workbook.save_to_buffer()
    })()
    .map_err(crate::sheets::server_error)?;
    Ok(crate::sheets::xlsx(
        book,
        &format!("farmgate-report-{}-{month}.xlsx", region.code.as_str()),
    ))
}
