//! Stations on the web: the list buyers choose a pickup point from, a station's page
//! (`public`), the operator's parcels (`desk`, `api`), buying for villagers (`buy`), the daily
//! ledger and closing the day (`ledger`), and the county's network as its centre keeps it
//! (`network`, with its `map`).

mod api;
mod buy;
mod desk;
mod ledger;
pub(crate) mod map;
mod network;
mod produce;
mod public;
mod sync;
mod till_api;

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::html::Chrome;
use crate::problem::{ApiError, Problem};

/// The operator's pages.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/station/parcels", get(desk::parcels))
        .route("/station/parcels/receive", post(desk::receive))
        .route("/station/parcels/{id}/hand-over", post(desk::hand_over))
        .route("/station/parcels/{id}/return", post(desk::send_back))
        .route("/station/sw.js", get(offline_worker))
        .route("/static/station-offline.js", get(offline_script))
        .route("/static/station-scan.js", get(scan_script))
        .route("/station/buy", get(buy::page).post(buy::submit))
        .route("/station/slips/{checkout}", get(buy::slip))
        .route("/station/day", get(ledger::day))
        .route("/station/day/close", post(ledger::close))
        .route("/centre/ledger", get(ledger::month))
        .route("/centre/ledger.xlsx", get(ledger::month_xlsx))
        .route("/centre/ledger/{id}", get(ledger::station_month))
        .route(
            "/station/produce",
            get(produce::page).post(produce::take_in),
        )
        .route("/station/produce/growers", get(produce::growers))
        .route("/station/produce/pay", post(produce::pay))
        .route("/station/produce/{id}", get(produce::receipt))
        .route("/batches/{code}", get(produce::public))
        .route(
            "/seller/shops/{id}/produce-prices",
            get(produce::prices).post(produce::save_prices),
        )
        .route("/stations/{id}", get(public::page))
        .route("/centre/stations", get(network::list).post(network::create))
        .route("/centre/stations/new", get(network::new_form))
        .route("/centre/stations/{id}", post(network::update))
        .route("/centre/stations/{id}/edit", get(network::edit_form))
        .route(
            "/centre/stations/{id}/operators",
            post(network::add_operator),
        )
        .route(
            "/centre/stations/{id}/operators/{account}/remove",
            post(network::remove_operator),
        )
}

/// `GET /station/sw.js` and `/courier/sw.js`: the service worker that keeps the pages of its
/// scope (`/station/`, `/courier/`) for when the connection is down.
pub(crate) async fn offline_worker() -> axum::response::Response {
    crate::html::javascript(include_str!("../../static/offline-sw.js"))
}

/// `GET /static/station-offline.js`: the operator's queue of what was done offline.
async fn offline_script() -> axum::response::Response {
    crate::html::javascript(include_str!("../../static/station-offline.js"))
}

/// `GET /static/station-scan.js`: reading a label with the camera, where the browser can.
async fn scan_script() -> axum::response::Response {
    crate::html::javascript(include_str!("../../static/station-scan.js"))
}

/// The stations where parcels can be picked up.
pub fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list))
        .routes(utoipa_axum::routes!(api::list))
        .routes(utoipa_axum::routes!(api::receive))
        .routes(utoipa_axum::routes!(api::hand_over))
        .routes(utoipa_axum::routes!(api::network, api::create))
        .routes(utoipa_axum::routes!(api::update))
        .routes(utoipa_axum::routes!(till_api::buy, till_api::purchases))
        .routes(utoipa_axum::routes!(till_api::day))
        .routes(utoipa_axum::routes!(till_api::close))
        .routes(utoipa_axum::routes!(till_api::county))
        .routes(utoipa_axum::routes!(sync::sync))
        .routes(utoipa_axum::routes!(
            till_api::take_in,
            till_api::consignments
        ))
}

#[derive(Deserialize, IntoParams)]
pub struct StationParams {
    /// A region code: stations inside it (all stations when absent).
    #[serde(default)]
    pub region: String,
}

#[derive(Serialize, ToSchema)]
pub struct StationView {
    pub id: i64,
    pub code: String,
    /// `centre`, `township` or `village`
    pub kind: String,
    /// In the language asked for.
    pub name: String,
    pub region: String,
    /// In the language asked for, else in the one it is written in.
    pub address: String,
    pub hours: Option<String>,
    /// What the station charges to hand out one parcel.
    pub pickup_fee_fen: i64,
}

/// Open stations where parcels can be picked up, in the tree's order.
#[utoipa::path(get, operation_id = "listStations", path = "/api/v1/stations", tag = "orders", params(StationParams),
    responses((status = 200, body = Vec<StationView>), (status = 404, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    c: Chrome,
    Query(params): Query<StationParams>,
) -> Result<Json<Vec<StationView>>, Problem> {
    let region = match params.region.trim() {
        "" => state
            .store
            .region_root()
            .await?
            .ok_or(Problem::not_found())?,
        code => state.store.region_by_code(code).await?,
    };
    let regions = state.store.all_regions().await?;
    let stations = state.store.stations_within(&region.path).await?;
    Ok(Json(
        stations
            .into_iter()
            .map(|s| StationView {
                region: regions
                    .iter()
                    .find(|r| r.id == s.region_id)
                    .map(|r| r.code.as_str().to_owned())
                    .unwrap_or_default(),
                name: s.name(c.t.lang()).to_owned(),
                id: s.id,
                kind: s.kind.as_str().to_owned(),
                address: s.address.shown(c.t.lang()).text.to_owned(),
                hours: s.hours,
                pickup_fee_fen: s.pickup_fee.0,
                code: s.code,
            })
            .collect(),
    ))
}
