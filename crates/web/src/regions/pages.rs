//! A region's page: where it is, what it is known for, what lies below it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::html::{Chrome, render};
use crate::problem::Problem;

#[derive(Template)]
#[template(path = "regions/region.html")]
struct RegionPage {
    c: Chrome,
    name: String,
    level: String,
    coordinates: Option<String>,
    known_for: Option<String>,
    products_heading: String,
    /// (code, name) from the root down to the parent.
    crumbs: Vec<(String, String)>,
    children: Vec<(String, String)>,
    products: Vec<crate::catalog::pages::ProductCard>,
    /// All of the region's products, with filters, sorting and pages.
    all_products: String,
    /// Live and upcoming rooms in the region.
    rooms: Vec<crate::live::RoomCard>,
    /// The next training sessions near the region, and the list of all of them.
    training: Vec<crate::training::SessionCard>,
    training_link: String,
}

pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    c: Chrome,
) -> Result<Response, Problem> {
    let language = c.t.lang();
    let region = state.store.region_by_code(&code).await?;
    let ancestry = state.store.region_ancestry(&region).await?;
    let children = state.store.region_children(region.id).await?;
    let name = region.name(language).to_owned();
    let products = state
        .store
        .listed_products_within(&region.path, 20, 0)
        .await?;
    let rooms = state
        .store
        .rooms_on_air(&region.path, 6)
        .await?
        .iter()
        .map(|room| crate::live::room_card(&c.t, room))
        .collect();
    // Training near here: the county's sessions to come (or the region's, above a county).
    let regions = state.store.all_regions().await?;
    let county = crate::training::county_of(&regions, &region.path);
    let near = county.map_or(&region.path, |county| &county.path);
    let coming = state
        .store
        .sessions_within(near, crate::training::today(), 3)
        .await?;
    let training = crate::training::session_cards(&state, &c.t, &regions, &coming).await?;
    let page = RegionPage {
        training,
        training_link: county.map_or_else(
            || "/training".to_owned(),
            |county| format!("/training?county={}", county.code.as_str()),
        ),
        rooms,
        all_products: format!(
            "/search?region={}&sort=newest",
            crate::problem::url_encode(region.code.as_str())
        ),
        level: c.t.get(&format!("region-level-{}", region.level.as_str())),
        coordinates: region.latitude.zip(region.longitude).map(|(lat, lon)| {
            c.t.args2(
                "region-coordinates",
                ("lat", format!("{lat:.2}").into()),
                ("lon", format!("{lon:.2}").into()),
            )
        }),
        known_for: region.known_for(language).map(str::to_owned),
        products_heading: c.t.arg("region-products", "name", name.as_str()),
        crumbs: ancestry
            .iter()
            .filter(|r| r.id != region.id)
            .map(|r| (r.code.as_str().to_owned(), r.name(language).to_owned()))
            .collect(),
        children: children
            .iter()
            .map(|r| (r.code.as_str().to_owned(), r.name(language).to_owned()))
            .collect(),
        products: crate::catalog::pages::cards(&c.t, &products),
        name,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
