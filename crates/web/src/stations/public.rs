//! A station's page for villagers: where it is, when it opens, what it does, its phone.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::format::place_label;
use crate::html::{Chrome, Written, render};
use crate::problem::Problem;

#[derive(Template)]
#[template(path = "stations/station.html")]
struct StationPage {
    c: Chrome,
    name: String,
    kind: String,
    place: String,
    address: Written,
    hours: Option<String>,
    phone: Option<String>,
    fee: String,
    /// What it does for villagers, a line each.
    does: Vec<String>,
    paused: bool,
}

/// `GET /stations/{id}`
pub async fn page(
    State(state): State<AppState>,
    c: Chrome,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let station = state.store.station(id).await?;
    let regions = state.store.all_regions().await?;
    let t = &c.t;
    let place = regions
        .iter()
        .find(|r| r.id == station.region_id)
        .map(|r| place_label(&regions, r, t.lang()))
        .unwrap_or_default();
    let mut does = vec![t.get("station-does-parcels")];
    if station.collects_produce {
        does.push(t.get("station-does-produce"));
    }
    let page = StationPage {
        name: station.name(t.lang()).to_owned(),
        kind: t.get(&format!("station-kind-{}", station.kind.as_str())),
        address: Written::of(&station.address, t.lang()),
        fee: if station.pickup_fee.0 == 0 {
            t.get("station-fee-none")
        } else {
            t.arg("station-fee", "fee", station.pickup_fee.display_price())
        },
        hours: station.hours,
        phone: station.phone,
        paused: !station.active,
        place,
        does,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
