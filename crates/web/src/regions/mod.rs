//! The administrative tree on the web: a county's or village's page, and the API's regions
//! with who works where (granting roles within one's region).

pub mod api;
pub mod pages;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// A county's or village's page.
pub fn routes() -> Router<AppState> {
    Router::new().route("/regions/{code}", get(pages::show))
}

/// The tree, one region, its people, and granting roles.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(routes!(api::show))
        .routes(routes!(api::people))
        .routes(routes!(api::grant))
}
