//! The region tree, and who holds which role where.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::LoginId;
use farmgate_domain::accounts::mask_phone;
use farmgate_domain::authz::Role;
use farmgate_domain::regions::RegionLevel;
use farmgate_store::regions::Region;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::accounts::PEOPLE_READERS;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

#[derive(Serialize, ToSchema)]
pub struct RegionView {
    #[schema(example = "tekes")]
    pub code: String,
    /// country, province, prefecture, county, township or village
    #[schema(example = "county")]
    pub level: String,
    /// The name in the request's language.
    pub name: String,
    pub name_zh: String,
    pub name_ug: Option<String>,
    pub name_en: String,
    pub parent_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub known_for: Option<String>,
}

fn view(
    region: &Region,
    parent_code: Option<String>,
    language: farmgate_domain::lang::Language,
) -> RegionView {
    RegionView {
        code: region.code.as_str().to_owned(),
        level: region.level.as_str().to_owned(),
        name: region.name(language).to_owned(),
        name_zh: region.name_zh.clone(),
        name_ug: region.name_ug.clone(),
        name_en: region.name_en.clone(),
        parent_code,
        latitude: region.latitude,
        longitude: region.longitude,
        known_for: region.known_for(language).map(str::to_owned),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only regions of this level.
    pub level: Option<String>,
}

/// Lists regions, in tree order.
#[utoipa::path(get, operation_id = "listRegions", path = "/api/v1/regions", tag = "regions", params(ListQuery),
    responses((status = 200, body = Vec<RegionView>), (status = 422, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    Lang(language): Lang,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<RegionView>>, Problem> {
    let level =
        match query.level.as_deref() {
            None => None,
            Some(text) => Some(RegionLevel::parse(text).ok_or(Problem::from(
                ValidationError::new("level", "region-invalid"),
            ))?),
        };
    let regions = state.store.all_regions().await?;
    let code_of = |id: Option<i64>| {
        id.and_then(|id| regions.iter().find(|r| r.id == id))
            .map(|r| r.code.as_str().to_owned())
    };
    Ok(Json(
        regions
            .iter()
            .filter(|r| level.is_none_or(|l| r.level == l))
            .map(|r| view(r, code_of(r.parent_id), language))
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: RegionView,
    pub children: Vec<RegionView>,
}

/// One region with the regions directly below it.
#[utoipa::path(get, operation_id = "getRegion", path = "/api/v1/regions/{code}", tag = "regions",
    params(("code" = String, Path, description = "Region code, e.g. tekes")),
    responses((status = 200, body = RegionDetail), (status = 404, body = ApiError)))]
pub async fn show(
    State(state): State<AppState>,
    Lang(language): Lang,
    Path(code): Path<String>,
) -> Result<Json<RegionDetail>, Problem> {
    let region = state.store.region_by_code(&code).await?;
    let parent_code = match region.parent_id {
        Some(id) => Some(state.store.region_by_id(id).await?.code.as_str().to_owned()),
        None => None,
    };
    let children = state.store.region_children(region.id).await?;
    Ok(Json(RegionDetail {
        children: children
            .iter()
            .map(|c| view(c, Some(code.clone()), language))
            .collect(),
        region: view(&region, parent_code, language),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PersonView {
    pub account_id: i64,
    pub display_name: String,
    pub role: String,
    pub region_code: String,
    /// Whole for centre staff and administrators of the region, masked (138****5678) for others.
    pub phone: Option<String>,
}

/// Who holds which role in a region's subtree. For the region's centre staff, officials and
/// administrators.
#[utoipa::path(get, operation_id = "listRegionPeople", path = "/api/v1/regions/{code}/people", tag = "regions", security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code")),
    responses((status = 200, body = Vec<PersonView>), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn people(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<Vec<PersonView>>, Problem> {
    let region = state.store.region_by_code(&code).await?;
    user.require(PEOPLE_READERS, &region.path)?;
    let full_phones = user.grants.sees_personal_data_at(&region.path);
    let rows = state.store.grants_within(&region.path, 500).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(grant, account)| PersonView {
                account_id: account.id,
                display_name: account.display_name,
                role: grant.role.as_str().to_owned(),
                region_code: grant.region_code,
                phone: account
                    .phone
                    .map(|p| if full_phones { p } else { mask_phone(&p) }),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct GrantRequest {
    /// The login name or mobile number of the account to grant to.
    #[schema(example = "jinghe-seller")]
    pub login: String,
    #[schema(example = "seller")]
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct GrantCreated {
    pub account_id: i64,
    pub role: String,
    pub region_code: String,
}

/// Grants a role at a region. Administrators may grant any role inside their subtree; centre
/// staff may grant seller, host, station operator, trainer and courier inside theirs.
#[utoipa::path(post, operation_id = "grantRole", path = "/api/v1/regions/{code}/grants", tag = "regions", security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code")), request_body = GrantRequest,
    responses((status = 201, body = GrantCreated), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn grant(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<GrantRequest>,
) -> Result<(StatusCode, Json<GrantCreated>), Problem> {
    let region = state.store.region_by_code(&code).await?;
    let role = Role::parse(&request.role)
        .ok_or(Problem::from(ValidationError::new("role", "role-invalid")))?;
    let login = LoginId::parse(&request.login)?;
    if !user.grants.may_grant(role, &region.path) {
        return Err(Problem::new(StatusCode::FORBIDDEN, "grant-not-allowed"));
    }
    let account = state.store.account_by_login(&login).await?.ok_or(
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "account-unknown").with_field("login"),
    )?;
    state
        .store
        .grant_role(account.id, role, region.id, Some(user.account.id))
        .await?;
    let changed = farmgate_store::live::Forget::Account { id: account.id };
    state.hot.forget(&state.live, changed).await;
    crate::audit::record(
        &state,
        &user,
        ip,
        crate::audit::Action {
            code: "role-granted",
            subject_kind: "account",
            subject_id: account.id,
            region_id: Some(region.id),
            detail: format!("{} @ {code}", role.as_str()),
        },
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(GrantCreated {
            account_id: account.id,
            role: role.as_str().to_owned(),
            region_code: code,
        }),
    ))
}
