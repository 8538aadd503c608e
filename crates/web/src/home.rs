//! The home page: the counties on the platform and what each is known for.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::regions::RegionLevel;

use crate::AppState;
use crate::html::{Chrome, render};
use crate::problem::Problem;

/// The home page.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/", axum::routing::get(show))
}

pub struct CountyCard {
    pub code: String,
    pub name: String,
    /// Province and prefecture, e.g. "新疆维吾尔自治区 · 伊犁哈萨克自治州".
    pub parents: String,
    pub townships: String,
    pub known_for: Option<String>,
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    c: Chrome,
    counties: Vec<CountyCard>,
    /// The best-selling listed products from anywhere.
    products: Vec<crate::catalog::pages::ProductCard>,
    /// (code, name) of the categories, to browse by.
    categories: Vec<(String, String)>,
    /// Rooms live now, then upcoming ones.
    rooms: Vec<crate::live::RoomCard>,
}

pub async fn show(State(state): State<AppState>, c: Chrome) -> Result<Response, Problem> {
    let language = c.t.lang();
    // The tree is small (thousands of nodes per province): one query, assembled here.
    let regions = state.store.all_regions().await?;
    let mut county_rows: Vec<_> = regions
        .iter()
        // The platform's counties (what they are known for is set); a buyer's city district
        // is a county-level place too, but nobody sells from it.
        .filter(|r| r.level == RegionLevel::County && r.known_for_zh.is_some())
        .collect();
    // In the order they joined the platform, which the ids keep.
    county_rows.sort_by_key(|r| r.id);
    let counties = county_rows
        .into_iter()
        .map(|county| {
            let parents = regions
                .iter()
                .filter(|r| {
                    matches!(r.level, RegionLevel::Province | RegionLevel::Prefecture)
                        && r.path.contains(&county.path)
                })
                .map(|r| r.name(language))
                .collect::<Vec<_>>()
                .join(" · ");
            let townships = regions
                .iter()
                .filter(|r| r.parent_id == Some(county.id))
                .count();
            CountyCard {
                code: county.code.as_str().to_owned(),
                name: county.name(language).to_owned(),
                parents,
                townships: c.t.arg("home-townships", "count", townships),
                known_for: county.known_for(language).map(str::to_owned),
            }
        })
        .collect();
    // What sells most first: the counties' own specialties, not the newest listing.
    let best = match regions.iter().find(|r| r.parent_id.is_none()) {
        Some(root) => state.store.best_sellers_within(&root.path, 8).await?,
        None => Vec::new(),
    };
    let products = crate::catalog::pages::cards(&c.t, &best);
    let rooms = match regions.iter().find(|r| r.parent_id.is_none()) {
        Some(root) => state
            .store
            .rooms_on_air(&root.path, 6)
            .await?
            .iter()
            .map(|room| crate::live::room_card(&c.t, room))
            .collect(),
        None => Vec::new(),
    };
    Ok(render(
        StatusCode::OK,
        &HomePage {
            categories: state
                .store
                .categories()
                .await?
                .into_iter()
                .map(|cat| (cat.name(language).to_owned(), cat.code))
                .map(|(name, code)| (code, name))
                .collect(),
            c,
            counties,
            products,
            rooms,
        },
    ))
}
