//! Shop applications and shops in the JSON API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use farmgate_domain::shops::ApplicationStatus;
use farmgate_store::shops::{Shop, ShopApplication};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pages::{decide_as, decision_of};
use super::{ApplicationInput, REVIEWERS, parse_application};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct ApplicationRequest {
    #[schema(example = "琼库什台杏干")]
    pub name: String,
    /// farmer, cooperative or company
    #[schema(example = "farmer")]
    pub kind: String,
    /// The village's region code.
    #[schema(example = "tekes-qiongkushitai")]
    pub village: String,
    #[schema(example = "13912345678")]
    pub phone: String,
    #[serde(default)]
    pub story: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub village_id: i64,
    pub phone: String,
    pub story: String,
    /// pending, approved or rejected
    pub status: String,
    pub rejection_reason: Option<String>,
    pub shop_id: Option<i64>,
    pub created_at: String,
}

impl From<ShopApplication> for ApplicationView {
    fn from(a: ShopApplication) -> Self {
        ApplicationView {
            id: a.id,
            kind: a.kind.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            name: a.name,
            village_id: a.village_id,
            phone: a.phone,
            story: a.story,
            rejection_reason: a.rejection_reason,
            shop_id: a.shop_id,
            created_at: a.created_at.to_rfc3339(),
        }
    }
}

/// Applies to open a shop.
#[utoipa::path(post, operation_id = "submitShopApplication", path = "/api/v1/shop-applications", tag = "shops", security(("bearer" = [])), request_body = ApplicationRequest,
    responses((status = 201, body = ApplicationView), (status = 401, body = ApiError), (status = 422, body = ApiError)))]
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<ApplicationRequest>,
) -> Result<(StatusCode, Json<ApplicationView>), Problem> {
    let input = ApplicationInput {
        name: &request.name,
        kind: &request.kind,
        village: &request.village,
        phone: &request.phone,
        story: &request.story,
    };
    let application = parse_application(&state, user.account.id, input)
        .await?
        .map_err(|errors| {
            errors.first().copied().map_or(
                Problem::new(StatusCode::BAD_REQUEST, "bad-request"),
                Problem::from,
            )
        })?;
    let saved = state.store.submit_shop_application(application).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// The signed-in account's own applications, newest first.
#[utoipa::path(get, operation_id = "listMyShopApplications", path = "/api/v1/shop-applications", tag = "shops", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApplicationView>), (status = 401, body = ApiError)))]
pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ApplicationView>>, Problem> {
    let applications = state.store.shop_applications_of(user.account.id).await?;
    Ok(Json(
        applications
            .into_iter()
            .map(ApplicationView::from)
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct QueueQuery {
    /// pending (default), approved, rejected or all
    pub status: Option<String>,
}

/// The review queue of a region, for its centre staff.
#[utoipa::path(get, operation_id = "listShopApplicationsToReview", path = "/api/v1/regions/{code}/shop-applications", tag = "shops", security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), QueueQuery),
    responses((status = 200, body = Vec<ApplicationView>), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Vec<ApplicationView>>, Problem> {
    let region = state.store.region_by_code(&code).await?;
    user.require(REVIEWERS, &region.path)?;
    let status = match query.status.as_deref() {
        None => Some(ApplicationStatus::Pending),
        Some("all") => None,
        Some(text) => Some(
            ApplicationStatus::parse(text)
                .ok_or(Problem::from(ValidationError::new("status", "bad-request")))?,
        ),
    };
    let applications = state
        .store
        .shop_applications_within(&region.path, status)
        .await?;
    Ok(Json(
        applications
            .into_iter()
            .map(ApplicationView::from)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// approve or reject
    #[schema(example = "approve")]
    pub decision: String,
    /// Required when rejecting; the applicant sees it.
    #[serde(default)]
    pub reason: String,
}

/// Approves (opening the shop) or rejects an application in the reviewer's region.
#[utoipa::path(post, operation_id = "decideShopApplication", path = "/api/v1/shop-applications/{id}/decision", tag = "shops", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Application id")), request_body = DecisionRequest,
    responses((status = 200, body = ApplicationView), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Json<ApplicationView>, Problem> {
    let decision = decision_of(&request.decision, &request.reason)?;
    Ok(Json(
        decide_as(&state, &user, ip, id, decision).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ShopView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub village_id: i64,
    pub story: String,
    pub opened_at: String,
}

impl From<Shop> for ShopView {
    fn from(s: Shop) -> Self {
        ShopView {
            id: s.id,
            kind: s.kind.as_str().to_owned(),
            name: s.name,
            village_id: s.village_id,
            story: s.story,
            opened_at: s.opened_at.to_rfc3339(),
        }
    }
}

/// A shop's public profile.
#[utoipa::path(get, operation_id = "getShop", path = "/api/v1/shops/{id}", tag = "shops", params(("id" = i64, Path, description = "Shop id")),
    responses((status = 200, body = ShopView), (status = 404, body = ApiError)))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<ShopView>, Problem> {
    Ok(Json(state.store.shop(id).await?.into()))
}
