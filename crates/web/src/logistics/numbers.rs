//! The centre's month in numbers: parcels a day in and out (a chart), per carrier and per
//! station; runs' stops on time; how long a parcel waits from the centre's scan to its
//! receiver; what a parcel costs the carriers and the sellers. The same figures through the
//! API for the county's statistics.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::logistics::Direction;
use farmgate_domain::stations::till::LedgerMonth;
use farmgate_store::logistics::LogisticsNumbers;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::depot;
use super::settlement::month_of;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::{ApiError, Problem};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct NumbersQuery {
    /// A depot of the caller's county; the first when absent.
    pub depot: Option<i64>,
    /// `YYYY-MM` (China's months); this month when absent.
    pub month: String,
}

/// The month's numbers of the caller's depot.
async fn numbers_of(
    state: &AppState,
    user: &CurrentUser,
    query: &NumbersQuery,
) -> Result<
    (
        farmgate_store::logistics::Depot,
        LedgerMonth,
        LogisticsNumbers,
    ),
    Problem,
> {
    let (depot, _) = depot(state, user, query.depot).await?;
    let month = month_of(&query.month)?;
    let numbers = state
        .store
        .logistics_numbers(depot.id, month.first, month.end())
        .await?;
    Ok((depot, month, numbers))
}

struct Row {
    name: String,
    inbound: i64,
    outbound: i64,
}

#[derive(Template)]
#[template(path = "logistics/numbers.html")]
struct NumbersPage {
    c: Chrome,
    depot_id: i64,
    month: String,
    previous: String,
    next: String,
    chart: String,
    figures: Vec<(String, String)>,
    carriers: Vec<Row>,
    stations: Vec<Row>,
}

/// `GET /centre/logistics/numbers?depot=&month=`: the month in numbers.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<NumbersQuery>,
) -> Result<Response, Problem> {
    if query.depot.is_none() && super::depots(&state, &user).await?.is_empty() {
        return Ok(super::board::no_depot(c));
    }
    let (depot, month, numbers) = numbers_of(&state, &user, &query).await?;
    let t = &c.t;
    let carriers = state.store.carriers().await?;
    let carrier_rows = carriers
        .iter()
        .map(|k| {
            let of = |d: Direction| {
                numbers
                    .daily
                    .iter()
                    .filter(|r| r.carrier_id == k.id && r.direction == d)
                    .map(|r| r.parcels)
                    .sum()
            };
            Row {
                name: k.name(t.lang()).to_owned(),
                inbound: of(Direction::Inbound),
                outbound: of(Direction::Outbound),
            }
        })
        .filter(|r| r.inbound + r.outbound > 0)
        .collect();
    let mut stations = Vec::with_capacity(numbers.stations.len());
    for s in &numbers.stations {
        stations.push(Row {
            name: state
                .store
                .station(s.station_id)
                .await?
                .name(t.lang())
                .to_owned(),
            inbound: s.parcels,
            outbound: s.handed_over,
        });
    }
    let page = NumbersPage {
        chart: daily_chart(t, month, &numbers),
        figures: figures(t, &numbers),
        depot_id: depot.id,
        month: month.to_string(),
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        carriers: carrier_rows,
        stations,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Parcels in and out on each day of `month`, as standing bars.
fn daily_chart(t: &Tr, month: LedgerMonth, numbers: &LogisticsNumbers) -> String {
    let mut labels = Vec::new();
    let (mut inbound, mut outbound) = (Vec::new(), Vec::new());
    let mut day = month.first;
    while day < month.end() {
        let text = day.to_string();
        let of = |d: Direction| {
            numbers
                .daily
                .iter()
                .filter(|r| r.day == text && r.direction == d)
                .map(|r| r.parcels)
                .sum::<i64>() as f32
        };
        inbound.push(of(Direction::Inbound));
        outbound.push(of(Direction::Outbound));
        labels.push(
            text.get(8..)
                .unwrap_or_default()
                .trim_start_matches('0')
                .to_owned(),
        );
        day = day.next();
    }
    if inbound.iter().chain(&outbound).all(|v| *v == 0.0) {
        return String::new();
    }
    crate::html::charts::bar_chart(
        vec![
            (t.get("numbers-inbound"), inbound),
            (t.get("numbers-outbound"), outbound),
        ],
        labels,
        &["#2e6b30", "#b26a00"],
    )
}

/// The month's headline figures: (what, value).
fn figures(t: &Tr, numbers: &LogisticsNumbers) -> Vec<(String, String)> {
    let dash = || "—".to_owned();
    let (inbound, _) = numbers.total(Direction::Inbound);
    let (outbound, _) = numbers.total(Direction::Outbound);
    vec![
        (t.get("numbers-inbound"), inbound.to_string()),
        (t.get("numbers-outbound"), outbound.to_string()),
        (
            t.get("numbers-on-time"),
            numbers.on_time_percent().map_or_else(dash, |p| {
                t.args2(
                    "numbers-on-time-value",
                    ("percent", p.into()),
                    ("stops", numbers.stops_delivered.into()),
                )
            }),
        ),
        (
            t.get("numbers-wait"),
            numbers.mean_wait_minutes.map_or_else(dash, |m| {
                t.args2(
                    "numbers-wait-value",
                    ("hours", (m / 60).into()),
                    ("minutes", (m % 60).into()),
                )
            }),
        ),
        (
            t.get("numbers-fee-per-parcel"),
            numbers
                .per_parcel(Direction::Inbound)
                .map_or_else(dash, |f| f.display_price()),
        ),
        (
            t.get("numbers-postage-per-parcel"),
            numbers
                .per_parcel(Direction::Outbound)
                .map_or_else(dash, |f| f.display_price()),
        ),
    ]
}

#[derive(Serialize, ToSchema)]
pub struct DailyView {
    /// China's day, `YYYY-MM-DD`.
    pub day: String,
    /// `inbound` or `outbound`
    pub direction: String,
    /// The carrier's code.
    pub carrier: String,
    /// Parcels scanned in at the centre that day.
    pub parcels: i64,
    /// Fees the carrier owes the centre (inbound) or postage sellers paid (outbound), in fen.
    pub fees_fen: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StationNumbersView {
    pub station_id: i64,
    pub parcels: i64,
    pub handed_over: i64,
}

#[derive(Serialize, ToSchema)]
pub struct NumbersView {
    pub depot_id: i64,
    pub month: String,
    pub daily: Vec<DailyView>,
    pub stations: Vec<StationNumbersView>,
    pub stops_delivered: i64,
    pub stops_on_time: i64,
    pub handed_over: i64,
    /// Mean minutes from the centre's scan to the receiver's hands.
    pub mean_wait_minutes: Option<i64>,
    /// What an inbound parcel cost its carrier on average, in fen.
    pub fee_per_inbound_fen: Option<i64>,
    /// What an outbound parcel cost its seller on average, in fen.
    pub postage_per_outbound_fen: Option<i64>,
}

/// A depot's month in numbers: parcels a day per carrier and direction, per station; run
/// stops on time; the wait from scan to hand-over; what a parcel cost.
#[utoipa::path(get, operation_id = "getLogisticsNumbers", path = "/api/v1/logistics/numbers", tag = "logistics", security(("bearer" = [])),
    params(NumbersQuery),
    responses((status = 200, body = NumbersView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn api(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NumbersQuery>,
) -> Result<Json<NumbersView>, Problem> {
    let (depot, month, numbers) = numbers_of(&state, &user, &query).await?;
    let carriers = state.store.carriers().await?;
    let code = |id: i64| {
        carriers
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.code.clone())
            .unwrap_or_default()
    };
    Ok(Json(NumbersView {
        depot_id: depot.id,
        month: month.to_string(),
        daily: numbers
            .daily
            .iter()
            .map(|d| DailyView {
                day: d.day.clone(),
                direction: d.direction.as_str().to_owned(),
                carrier: code(d.carrier_id),
                parcels: d.parcels,
                fees_fen: d.fees.0,
            })
            .collect(),
        stations: numbers
            .stations
            .iter()
            .map(|s| StationNumbersView {
                station_id: s.station_id,
                parcels: s.parcels,
                handed_over: s.handed_over,
            })
            .collect(),
        stops_delivered: numbers.stops_delivered,
        stops_on_time: numbers.stops_on_time,
        handed_over: numbers.handed_over,
        mean_wait_minutes: numbers.mean_wait_minutes,
        fee_per_inbound_fen: numbers.per_parcel(Direction::Inbound).map(|f| f.0),
        postage_per_outbound_fen: numbers.per_parcel(Direction::Outbound).map(|f| f.0),
    }))
}
