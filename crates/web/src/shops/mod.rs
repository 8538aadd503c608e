//! Shops on the web: a villager applies to open one, the county centre reviews, and the
//! shop's page opens. Pages and API share the parsing and the access rules here.

pub mod api;
pub mod pages;
pub mod profile;

use farmgate_domain::ValidationError;
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::authz::Role;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::shops::{ShopKind, ShopName};
use farmgate_domain::text::parse_text;
use farmgate_store::shops::NewShopApplication;

use crate::AppState;
use crate::problem::Problem;
use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Applying, the shop's page, and the centre's review.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shops/apply", get(pages::apply_form).post(pages::apply))
        .route("/shops/{id}", get(pages::show))
        .route(
            "/seller/shops/{id}/profile",
            get(profile::form).post(profile::save),
        )
        .route("/centre/shop-applications", get(pages::review))
        .route(
            "/centre/shop-applications/{id}/decision",
            post(pages::decide),
        )
        .route(
            "/centre/shop-applications/{id}/household",
            post(pages::name_household),
        )
}

/// Applications, the review queue, decisions and shop profiles.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::submit, api::mine))
        .routes(routes!(api::queue))
        .routes(routes!(api::decide))
        .routes(routes!(api::show))
}

/// Who reviews shop applications: the county's centre staff (and administrators).
pub const REVIEWERS: &[Role] = &[Role::CentreStaff];

/// The longest shop story, in characters.
pub const STORY_MAX_CHARS: usize = 2000;

/// An application as typed, before parsing.
pub struct ApplicationInput<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub village: &'a str,
    pub phone: &'a str,
    pub story: &'a str,
}

/// Parses an application; every field's error is reported at once.
pub async fn parse_application(
    state: &AppState,
    applicant_id: i64,
    input: ApplicationInput<'_>,
) -> Result<Result<NewShopApplication, Vec<ValidationError>>, Problem> {
    let village = match input.village.trim() {
        "" => Err(ValidationError::new("village", "village-invalid")),
        code => match state.store.region_by_code(code).await {
            Ok(region) if region.level == RegionLevel::Village => Ok(region),
            Ok(_) | Err(farmgate_store::Error::NotFound) => {
                Err(ValidationError::new("village", "village-invalid"))
            }
            Err(other) => return Err(other.into()),
        },
    };
    let phone = PhoneNumber::parse(input.phone).map_err(|e| ValidationError::new("phone", e.code));
    let parsed = (
        ShopName::parse(input.name),
        ShopKind::parse(input.kind),
        village,
        phone,
        parse_text("story", input.story, false, STORY_MAX_CHARS),
    );
    // An applicant who trained with the centre applies as its trainee (the incubation funnel).
    let trainee_id = state
        .store
        .trainee_of_account(applicant_id)
        .await?
        .map(|t| t.id);
    Ok(match parsed {
        (Ok(name), Ok(kind), Ok(village), Ok(phone), Ok(story)) => Ok(NewShopApplication {
            applicant_id,
            name,
            kind,
            village_id: village.id,
            phone,
            story,
            trainee_id,
        }),
        (name, kind, village, phone, story) => Err([
            name.err(),
            kind.err(),
            village.err(),
            phone.err(),
            story.err(),
        ]
        .into_iter()
        .flatten()
        .collect()),
    })
}
