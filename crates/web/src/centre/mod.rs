//! The county centre's ground floor (issue 19, DESIGN.md's module "centre"): the places that
//! hold goods besides the shops' own stores (the showroom, stations, the distribution centre),
//! as the centre's staff keep them. The shops' side of the same stock is in
//! `catalog::places`; the store keeps both in `store::catalog::{places, transfers}`.

pub mod api;
pub mod park;
pub mod park_rents;
pub mod park_rents_api;
pub mod places;
pub mod stall_holders;
pub mod stall_pages;
pub mod stalls;
pub mod stalls_api;
pub mod till;
pub mod till_api;
pub mod till_pages;
pub mod till_papers;

use axum::Router;
use axum::routing::{get, post};
use farmgate_domain::authz::Role;

use crate::AppState;

/// Who keeps a county's ground floor: its centre's staff, and administrators.
pub(crate) const KEEPERS: [Role; 2] = [Role::CentreStaff, Role::Admin];

/// The centre's pages for its places and the showroom's till.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/centre/places", get(places::list).post(places::add))
        .route(
            "/centre/places/{id}",
            get(places::show).post(places::change),
        )
        .route("/centre/places/{id}/counts", post(places::count))
        .route(
            "/centre/places/{id}/transfers/{transfer}/receive",
            post(places::receive),
        )
        .route("/centre/stalls", get(stalls::list).post(stalls::add))
        .route("/centre/stalls/waits", post(stalls::add_wait))
        .route(
            "/centre/stalls/waits/{id}/withdraw",
            post(stalls::withdraw_wait),
        )
        .route(
            "/centre/stalls/{id}",
            get(stall_pages::show).post(stall_pages::change),
        )
        .route("/centre/stalls/{id}/bookings", post(stall_pages::book))
        .route("/centre/stalls/bookings/{id}", get(stall_pages::booking))
        .route(
            "/centre/stalls/bookings/{id}/takings",
            post(stall_pages::record_takings),
        )
        .route(
            "/centre/stalls/bookings/{id}/cancel",
            post(stall_pages::cancel),
        )
        .route("/stalls/mine", get(stall_holders::mine))
        .route("/stalls/mine/{id}/takings", post(stall_holders::record))
        .route("/centre/park", get(park::show))
        .route("/centre/park/units", post(park::add_unit))
        .route("/centre/park/units/{id}/leases", post(park::lease))
        .route("/centre/park/leases/{id}/end", post(park::end))
        .route("/centre/park/leases/{id}", get(park_rents::show))
        .route("/centre/park/leases/{id}/rents", post(park_rents::receive))
        .route(
            "/centre/park/leases/{id}/rents/{rent}/undo",
            post(park_rents::undo),
        )
        .route("/centre/till", get(till_pages::choose))
        .route("/centre/till/sw.js", get(till_papers::worker))
        .route("/static/till.js", get(till_papers::script))
        .route("/centre/till/{place}", get(till_pages::page))
        .route("/centre/till/{place}/open", post(till_pages::open))
        .route("/centre/till/{place}/labels", get(till_papers::labels))
        .route("/centre/till/sessions/{id}", get(till_papers::session))
        .route("/centre/till/sessions/{id}/sales", post(till_pages::sell))
        .route("/centre/till/sessions/{id}/close", post(till_pages::close))
        .route(
            "/centre/till/sales/{id}/settle",
            post(till_pages::settle_form),
        )
        .route("/centre/till/sales/{id}/receipt", get(till_papers::receipt))
        .route(
            "/centre/till/sales/{id}/returns",
            post(till_pages::return_goods),
        )
}

/// The places and till API.
pub fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(api::list, api::create))
        .routes(utoipa_axum::routes!(api::update))
        .routes(utoipa_axum::routes!(api::shelf))
        .routes(utoipa_axum::routes!(api::shop_places, api::keep_at))
        .routes(utoipa_axum::routes!(api::send, api::transfers))
        .routes(utoipa_axum::routes!(api::receive))
        .routes(utoipa_axum::routes!(api::call_back))
        .routes(utoipa_axum::routes!(api::count))
        .routes(utoipa_axum::routes!(stalls_api::list, stalls_api::create))
        .routes(utoipa_axum::routes!(stalls_api::update))
        .routes(utoipa_axum::routes!(stalls_api::bookings))
        .routes(utoipa_axum::routes!(stalls_api::book))
        .routes(utoipa_axum::routes!(stalls_api::cancel))
        .routes(utoipa_axum::routes!(stalls_api::record_takings))
        .routes(utoipa_axum::routes!(
            stalls_api::waits,
            stalls_api::add_wait
        ))
        .routes(utoipa_axum::routes!(
            stalls_api::units,
            stalls_api::create_unit
        ))
        .routes(utoipa_axum::routes!(stalls_api::leases))
        .routes(utoipa_axum::routes!(stalls_api::create_lease))
        .routes(utoipa_axum::routes!(stalls_api::end_lease))
        .routes(utoipa_axum::routes!(stalls_api::sales))
        .routes(utoipa_axum::routes!(
            park_rents_api::rents,
            park_rents_api::record
        ))
        .routes(utoipa_axum::routes!(till_api::open))
        .routes(utoipa_axum::routes!(till_api::show))
        .routes(utoipa_axum::routes!(till_api::record))
        .routes(utoipa_axum::routes!(till_api::settle_sale))
        .routes(utoipa_axum::routes!(till_api::close))
        .routes(utoipa_axum::routes!(till_api::return_goods))
}
