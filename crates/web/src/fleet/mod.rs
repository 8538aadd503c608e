//! The centre's fleet and its mornings (issue 17): the vehicles of a depot, the day's jobs
//! and the plans the solver makes of them. Centre staff of the depot's county only; another
//! county's depot does not exist for them.

mod api;
mod plan;

pub(crate) use plan::plan_day;

/// The fleet's JSON API.
pub fn api() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(api::latest, api::plan))
}
