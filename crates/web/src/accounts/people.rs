//! Who holds which role in a region: for the region's centre staff, officials and
//! administrators. Phone numbers are shown whole only to those who must see them.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::accounts::mask_phone;
use farmgate_domain::authz::Role;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::html::{Chrome, render};
use crate::problem::Problem;

/// The roles that may list a region's people.
pub const PEOPLE_READERS: &[Role] = &[Role::CentreStaff, Role::Official];

pub struct PersonRow {
    pub name: String,
    pub role: String,
    pub region: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "accounts/people.html")]
struct PeoplePage {
    c: Chrome,
    heading: String,
    rows: Vec<PersonRow>,
}

#[derive(Deserialize)]
pub struct PeopleQuery {
    region: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<PeopleQuery>,
) -> Result<Response, Problem> {
    let code = query
        .region
        .ok_or(Problem::from(farmgate_domain::ValidationError::new(
            "region", "required",
        )))?;
    let region = state.store.region_by_code(&code).await?;
    user.require(PEOPLE_READERS, &region.path)?;
    let language = c.t.lang();
    let full_phones = user.grants.sees_personal_data_at(&region.path);
    let regions = state.store.all_regions().await?;
    let rows = state
        .store
        .grants_within(&region.path, 500)
        .await?
        .into_iter()
        .map(|(grant, account)| PersonRow {
            name: account.display_name,
            role: c.t.get(&format!("role-{}", grant.role.as_str())),
            region: regions
                .iter()
                .find(|r| r.id == grant.region_id)
                .map_or_else(
                    || grant.region_code.clone(),
                    |r| r.name(language).to_owned(),
                ),
            phone: match account.phone {
                Some(phone) if full_phones => phone,
                Some(phone) => mask_phone(&phone),
                None => "—".to_owned(),
            },
        })
        .collect();
    let heading = c.t.arg("people-title", "region", region.name(language));
    Ok(render(StatusCode::OK, &PeoplePage { c, heading, rows }))
}
