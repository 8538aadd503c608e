//! Shops on the web: a villager applies to open one, the county centre reviews, and the
//! shop's page opens. Pages and API share the parsing and the access rules here.

pub mod api;
pub mod pages;

use farmgate_domain::ValidationError;
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::shops::{ShopKind, ShopName};
use farmgate_domain::text::parse_text;
use farmgate_store::regions::Region;
use farmgate_store::shops::NewShopApplication;

use crate::AppState;
use crate::problem::Problem;

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

/// A village to choose, labelled with its county and township: "特克斯县 · 喀拉达拉镇 · 琼库什台村".
pub struct VillageOption {
    pub code: String,
    pub label: String,
}

/// A place named from its county down: "特克斯县 · 喀拉达拉镇 · 琼库什台村".
pub fn place_label(regions: &[Region], place: &Region, language: Language) -> String {
    regions
        .iter()
        .filter(|r| r.level >= RegionLevel::County && r.path.contains(&place.path))
        .map(|r| r.name(language))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn village_options(regions: &[Region], language: Language) -> Vec<VillageOption> {
    let mut options: Vec<VillageOption> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Village)
        .map(|village| VillageOption {
            code: village.code.as_str().to_owned(),
            label: place_label(regions, village, language),
        })
        .collect();
    options.sort_by(|a, b| a.label.cmp(&b.label));
    options
}
