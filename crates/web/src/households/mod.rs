//! Registered low-income households as a county keeps them (issue 18): the list (paged, by
//! village, name and progress) with the form to register one (`list`), a household's page with
//! its members, identity numbers masked until centre staff ask to see one (each view written to
//! the audit log), and what earns for it (`page`), and the county's poverty line per year
//! (`lines`). The county's centre staff keep them; its officials and trainers read them, masked.

mod accounts;
mod dividends;
mod income;
pub(crate) use income::standings;
mod lines;
mod list;
mod page;

use farmgate_domain::authz::Role;
use farmgate_domain::regions::RegionLevel;
use farmgate_store::households::Household;
use farmgate_store::regions::Region;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::Problem;

/// Who keeps a county's households and may see a whole identity number.
const KEEPERS: [Role; 2] = [Role::CentreStaff, Role::Admin];

/// Who reads them, masked.
const READERS: [Role; 4] = [
    Role::CentreStaff,
    Role::Admin,
    Role::Official,
    Role::Trainer,
];

/// The county whose households `user` reads, and whether they keep them.
struct County {
    region: Region,
    keeper: bool,
}

/// A county asked for by code: an administrator above counties names the one they mean.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CountyQuery {
    county: String,
}

async fn county(state: &AppState, user: &CurrentUser, asked: &str) -> Result<County, Problem> {
    let home = user.home_region(state, &READERS).await?;
    let region = if home.level == RegionLevel::County || asked.is_empty() {
        home
    } else {
        let code =
            farmgate_domain::regions::RegionCode::parse(asked).map_err(|_| Problem::not_found())?;
        state
            .store
            .region_by_code(code.as_str())
            .await
            .map_err(|_| Problem::not_found())?
    };
    if region.level != RegionLevel::County {
        return Err(Problem::forbidden());
    }
    user.require(&READERS, &region.path)?;
    let keeper = user.require(&KEEPERS, &region.path).is_ok();
    Ok(County { region, keeper })
}

/// Household `id` of the county, or a 404.
async fn household_of(state: &AppState, county: &County, id: i64) -> Result<Household, Problem> {
    state
        .store
        .household(id)
        .await?
        .filter(|h| h.county_id == county.region.id)
        .ok_or(Problem::not_found())
}

/// Household `id` and its county, when `user` reads that county's households: forbidden to
/// someone who reads no households, a 404 for another county's.
async fn reach(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(County, Household), Problem> {
    user.home_path(&READERS)?;
    let household = state
        .store
        .household(id)
        .await?
        .ok_or(Problem::not_found())?;
    let region = state.store.region_by_id(household.county_id).await?;
    if user.require(&READERS, &region.path).is_err() {
        return Err(Problem::not_found());
    }
    let keeper = user.require(&KEEPERS, &region.path).is_ok();
    Ok((County { region, keeper }, household))
}

/// Refuses a reader who does not keep the county's households.
fn keeper(county: &County) -> Result<(), Problem> {
    if county.keeper {
        Ok(())
    } else {
        Err(Problem::forbidden())
    }
}

/// The households' pages.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/centre/households", get(list::list).post(list::register))
        .route(
            "/centre/households/lines",
            get(lines::page).post(lines::set),
        )
        .route(
            "/centre/households/{id}",
            get(page::show).post(page::update),
        )
        .route("/centre/households/{id}/active", post(page::set_active))
        .route("/centre/households/{id}/members", post(page::add_member))
        .route(
            "/centre/households/{id}/members/{member}/remove",
            post(page::remove_member),
        )
        .route(
            "/centre/households/{id}/members/{member}/reveal",
            post(page::reveal),
        )
        .route(
            "/centre/households/dividends",
            get(dividends::list).post(dividends::create),
        )
        .route(
            "/centre/households/dividends/{pool}",
            get(dividends::show).post(dividends::update),
        )
        .route(
            "/centre/households/dividends/{pool}/shares",
            post(dividends::set_share),
        )
        .route(
            "/centre/households/dividends/{pool}/shares/{household}/remove",
            post(dividends::remove_share),
        )
        .route(
            "/centre/households/dividends/{pool}/pay",
            post(dividends::pay),
        )
        .route(
            "/centre/households/dividends/{pool}/unpay",
            post(dividends::unpay),
        )
        .route(
            "/centre/households/dividends/{pool}/remove",
            post(dividends::remove),
        )
        .route(
            "/centre/households/{id}/income",
            get(income::page).post(income::add),
        )
        .route(
            "/centre/households/{id}/income/{entry}/remove",
            post(income::remove),
        )
        .route(
            "/centre/households/{id}/members/{member}/account",
            post(accounts::link),
        )
        .route(
            "/centre/households/{id}/members/{member}/account/remove",
            post(accounts::unlink),
        )
        .route("/centre/households/{id}/links", post(page::link))
        .route(
            "/centre/households/{id}/links/{link}/remove",
            post(page::unlink),
        )
}
