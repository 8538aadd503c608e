//! The centre's fleet and its mornings (issue 17): the vehicles of a depot (`vehicles`), the
//! day's jobs (`jobs`), the plans the solver makes of them (`plan`) and the page that shows a
//! day's plan and moves jobs between runs (`day`), the county's measured roads the plans use
//! (`roads`), and the rider's phone (`driver`). Centre staff of the depot's county only;
//! another county's depot does not exist for them.

mod api;
mod day;
pub mod demo;
mod driver;
mod jobs;
mod plan;
mod roads;
mod vehicles;

pub use plan::plan_day;

use farmgate_store::logistics::Depot;

use crate::AppState;
use crate::problem::Problem;

/// Who may drive the depot's vehicles: the couriers of its county, by name.
async fn drivers(state: &AppState, depot: &Depot) -> Result<Vec<(i64, String)>, Problem> {
    let county = state.store.region_by_id(depot.county_id).await?;
    crate::logistics::couriers(state, &county).await
}

/// The fleet's pages.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/centre/fleet", get(vehicles::list).post(vehicles::create))
        .route(
            "/centre/fleet/vehicles/{id}",
            get(vehicles::edit).post(vehicles::update),
        )
        .route("/centre/fleet/vehicles/{id}/pause", post(vehicles::pause))
        .route("/centre/fleet/vehicles/{id}/resume", post(vehicles::resume))
        .route("/centre/fleet/vehicles/{id}/remove", post(vehicles::remove))
        .route("/centre/fleet/jobs", get(jobs::list).post(jobs::create))
        .route(
            "/centre/fleet/jobs/{id}",
            get(jobs::edit).post(jobs::update),
        )
        .route("/centre/fleet/jobs/{id}/cancel", post(jobs::cancel))
        .route("/centre/fleet/jobs/{id}/goods", post(jobs::goods))
        .route("/centre/fleet/roads", get(roads::show).post(roads::import))
        .route("/centre/fleet/roads.csv", get(roads::download))
        .route("/centre/fleet/roads/remove", post(roads::remove))
        .route("/centre/fleet/day", get(day::page))
        .route("/centre/fleet/day/plan", post(day::plan))
        .route("/centre/fleet/day/move", post(day::move_job))
        .route("/courier/fleet", get(driver::page))
        .route("/courier/fleet/runs/{id}/load", post(driver::load))
        .route("/courier/fleet/runs/{id}/start", post(driver::start))
        .route(
            "/courier/fleet/runs/{id}/stops/{stop}/done",
            post(driver::stop_done),
        )
        .route("/courier/fleet/runs/{id}/sales", post(driver::sell))
        .route("/courier/fleet/runs/{id}/return", post(driver::back))
        .route("/static/fleet-sales.js", get(driver::script))
        .route("/courier/sw.js", get(crate::stations::offline_worker))
}

/// The fleet's JSON API.
pub fn api() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(api::latest, api::plan))
        .routes(routes!(api::record_sales))
}
