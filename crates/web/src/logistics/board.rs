//! The dispatcher's board: the day's counts, what waits at the depot for each station (the
//! consolidation a run will carry), and the "find the station" list of parcels whose village
//! named no station, each sorted by hand to one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{DepotParam, depot};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render};
use crate::problem::Problem;

/// Parcels listed per page of the "find the station" list.
const PAGE: u64 = 50;

struct LoadRow {
    station: String,
    parcels: i64,
    carriers: String,
    oldest: String,
}

#[derive(Template)]
#[template(path = "logistics/board.html")]
struct BoardPage {
    c: Chrome,
    depot_id: i64,
    /// (id, name, chosen) when the county has several depots.
    depots: Vec<(i64, String, bool)>,
    title: String,
    figures: String,
    unsorted: i64,
    chart: String,
    rows: Vec<LoadRow>,
}

/// `GET /centre/logistics?depot=`: the board. A county with no depot is told so.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(param): Query<DepotParam>,
) -> Result<Response, Problem> {
    if param.depot.is_none() && super::depots(&state, &user).await?.is_empty() {
        return Ok(no_depot(c));
    }
    let (depot, depots) = depot(&state, &user, param.depot).await?;
    let t = &c.t;
    let now = chrono::Utc::now();
    let found = state.store.consolidation(depot.id, now).await?;
    let carriers = state.store.carriers().await?;
    let mut rows = Vec::with_capacity(found.stations.len());
    for load in &found.stations {
        let station = state.store.station(load.station_id).await?;
        let carriers: Vec<String> = load
            .by_carrier
            .iter()
            .map(|(id, n)| {
                let name = carriers
                    .iter()
                    .find(|c| c.id == *id)
                    .map_or("", |c| c.name(t.lang()));
                format!("{name} {n}")
            })
            .collect();
        rows.push(LoadRow {
            station: station.name(t.lang()).to_owned(),
            parcels: load.parcels,
            carriers: carriers.join(" · "),
            oldest: load
                .oldest
                .map(crate::format::china_time)
                .unwrap_or_default(),
        });
    }
    let chart = if rows.is_empty() {
        String::new()
    } else {
        let counts: Vec<i64> = rows.iter().map(|r| r.parcels).collect();
        let labels = rows.iter().map(|r| r.station.clone()).collect();
        crate::html::charts::lying_bar_chart(
            t.get("logistics-board-waiting"),
            &counts,
            labels,
            "#2e6b30",
        )
    };
    let page = BoardPage {
        depot_id: depot.id,
        depots: if depots.len() > 1 {
            depots
                .iter()
                .map(|d| (d.id, d.name(t.lang()).to_owned(), d.id == depot.id))
                .collect()
        } else {
            Vec::new()
        },
        title: depot.name(t.lang()).to_owned(),
        figures: t.args2(
            "logistics-board-figures",
            ("scanned", found.scanned_today.into()),
            ("advised", found.advised.into()),
        ),
        unsorted: found.unsorted,
        chart,
        rows,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "logistics/no_depot.html")]
struct NoDepotPage {
    c: Chrome,
}

/// The page a county without a depot gets for any of the centre's logistics pages.
pub(crate) fn no_depot(c: Chrome) -> Response {
    render(StatusCode::OK, &NoDepotPage { c })
}

struct UnsortedRow {
    id: i64,
    number: String,
    carrier: String,
    scanned: String,
    /// Where the label says it goes, as the carrier's manifest wrote it (centre staff only).
    address: String,
}

#[derive(Template)]
#[template(path = "logistics/unsorted.html")]
struct UnsortedPage {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    notice: Option<String>,
    rows: Vec<UnsortedRow>,
    /// (id, name) of the county's open stations.
    stations: Vec<(i64, String)>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnsortedQuery {
    depot: Option<i64>,
    after: i64,
    sorted: String,
}

/// `GET /centre/logistics/unsorted?depot=&after=`: the "find the station" list.
pub async fn unsorted(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<UnsortedQuery>,
) -> Result<Response, Problem> {
    if query.depot.is_none() && super::depots(&state, &user).await?.is_empty() {
        return Ok(no_depot(c));
    }
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let t = &c.t;
    let county = state.store.region_by_id(depot.county_id).await?;
    let stations = state
        .store
        .stations_within(&county.path)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name(t.lang()).to_owned()))
        .collect();
    let carriers = state.store.carriers().await?;
    let parcels = state
        .store
        .unsorted_parcels(depot.id, query.after, PAGE + 1)
        .await?;
    let more = parcels.len() as u64 > PAGE;
    let rows: Vec<UnsortedRow> = parcels
        .into_iter()
        .take(PAGE as usize)
        .map(|p| UnsortedRow {
            id: p.id,
            carrier: carriers
                .iter()
                .find(|c| c.id == p.carrier_id)
                .map(|c| c.name(t.lang()).to_owned())
                .unwrap_or_default(),
            scanned: p
                .scanned_at
                .map(crate::format::china_time)
                .unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            number: p.tracking_number,
        })
        .collect();
    let next = more
        .then(|| {
            rows.last().map(|r| {
                format!(
                    "/centre/logistics/unsorted?depot={}&after={}",
                    depot.id, r.id
                )
            })
        })
        .flatten();
    let notice = (!query.sorted.is_empty()).then(|| {
        t.arg(
            "logistics-sorted-notice",
            "number",
            crate::format::isolate(&query.sorted),
        )
    });
    let page = UnsortedPage {
        csrf: csrf.0,
        depot_id: depot.id,
        notice,
        rows,
        stations,
        next,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SortForm {
    station: i64,
}

/// `POST /centre/logistics/parcels/{id}/sort`: the worker found the parcel's station.
pub async fn sort(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SortForm>,
) -> Result<Response, Problem> {
    let parcel = state.store.logistics_parcel(id).await?;
    let (depot, _) = depot(&state, &user, Some(parcel.depot_id)).await?;
    let sorted = state
        .store
        .sort_parcel(
            &depot,
            id,
            form.station,
            user.account.id,
            chrono::Utc::now(),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/centre/logistics/unsorted?depot={}&sorted={}",
        depot.id,
        crate::problem::url_encode(&sorted.tracking_number)
    ))
    .into_response())
}
