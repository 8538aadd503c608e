//! Keeping products current through the JSON API, with the pages' checks: only members of the
//! product's shop (anyone else gets 404), every mistake a 422 naming its field.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::{StockChange, StockReason};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::text::parse_text;
use farmgate_store::catalog::{Mover, Product, VariantChange};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api::{ProductView, TextBody, VariantBody, VariantView, variant_view, view};
use super::upkeep::{code_taken, managed_product, managed_variant};
use super::{DetailsInput, VariantInput, parse_details, parse_status, parse_variant};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::problem::{ApiError, ApiJson, Problem};

/// What to change of a product; what is left out stays as it is.
#[derive(Deserialize, ToSchema, Default)]
pub struct ProductPatch {
    /// Texts by language tag (`zh-CN`, `ug`, `en`); a language sent replaces its text, one
    /// sent with an empty name is removed (not Chinese: it is required).
    pub texts: Option<BTreeMap<String, TextBody>>,
    #[schema(example = "nuts")]
    pub category: Option<String>,
    /// The village's region code.
    pub origin: Option<String>,
    pub tags: Option<Vec<String>>,
    /// Empty removes it (not with the organic tag).
    pub organic_certificate: Option<String>,
    #[schema(example = "WAL-1KG")]
    pub code: Option<String>,
    /// listed, paused, draft or delisted
    pub status: Option<String>,
    /// When paused: when it will be back (up to 120 characters).
    pub back_in: Option<String>,
}

/// The product's details as typed, with the patch laid over them.
async fn patched(
    state: &AppState,
    product: &Product,
    patch: &ProductPatch,
) -> Result<DetailsInput, Problem> {
    let text = |language: Language| {
        let sent = patch.texts.as_ref().and_then(|t| t.get(language.tag()));
        let had = product.texts.iter().find(|t| t.language == language);
        match (sent, had) {
            (Some(body), _) => (language, body.name.clone(), body.story.clone()),
            (None, Some(had)) => (language, had.name.clone(), had.story.clone()),
            (None, None) => (language, String::new(), String::new()),
        }
    };
    let category = match &patch.category {
        Some(code) => code.clone(),
        None => state
            .store
            .categories()
            .await?
            .into_iter()
            .find(|c| c.id == product.category_id)
            .map(|c| c.code)
            .unwrap_or_default(),
    };
    let origin = match &patch.origin {
        Some(code) => code.clone(),
        None => state
            .store
            .region_by_id(product.origin_id)
            .await?
            .code
            .as_str()
            .to_owned(),
    };
    Ok(DetailsInput {
        texts: [text(Language::ZhCn), text(Language::Ug), text(Language::En)],
        category,
        origin,
        tags: patch
            .tags
            .clone()
            .unwrap_or_else(|| product.tags.iter().map(|t| t.as_str().to_owned()).collect()),
        certificate: patch
            .organic_certificate
            .clone()
            .or_else(|| product.organic_certificate.clone())
            .unwrap_or_default(),
        code: patch
            .code
            .clone()
            .filter(|code| code.trim() != product.code)
            .unwrap_or_default(),
    })
}

/// The first mistake as the API's answer.
fn first(errors: &[ValidationError]) -> Problem {
    errors.first().copied().map_or(
        Problem::new(StatusCode::BAD_REQUEST, "bad-request"),
        Problem::from,
    )
}

/// Changes a product of one of the caller's shops.
#[utoipa::path(patch, operation_id = "updateProduct", path = "/api/v1/products/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product id")), request_body = ProductPatch,
    responses((status = 200, description = "The product as it is now", body = ProductView), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such product in the caller's shops", body = ApiError), (status = 409, description = "Another product of the shop has the code", body = ApiError),
        (status = 422, description = "A field is invalid", body = ApiError)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<ProductPatch>,
) -> Result<Json<ProductView>, Problem> {
    let (product, _) = managed_product(&state, &user, id).await?;
    let input = patched(&state, &product, &patch).await?;
    let details = parse_details(&state, &input)
        .await?
        .map_err(|errors| first(&errors))?;
    let status = match &patch.status {
        Some(status) => Some(parse_status(status)?),
        None => None,
    };
    let back_in = match &patch.back_in {
        Some(text) => Some(parse_text("back_in", text, false, 120)?),
        None => None,
    };
    let mut now = state
        .store
        .update_product(product.id, &details)
        .await
        .map_err(code_taken)?;
    if status.is_some() || back_in.is_some() {
        let status = status.unwrap_or(now.status);
        let back_in = back_in.or(now.back_in.clone()).filter(|b| !b.is_empty());
        now = state
            .store
            .set_product_status(product.id, status, back_in)
            .await?;
    }
    state.products_changed([product.id]);
    Ok(Json(view(now, language)))
}

/// Adds a variant to a product of one of the caller's shops.
#[utoipa::path(post, operation_id = "addVariant", path = "/api/v1/products/{id}/variants", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product id")), request_body = VariantBody,
    responses((status = 201, description = "The new variant", body = VariantView), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such product in the caller's shops", body = ApiError), (status = 422, description = "A field is invalid", body = ApiError)))]
pub async fn add_variant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VariantBody>,
) -> Result<(StatusCode, Json<VariantView>), Problem> {
    let (product, _) = managed_product(&state, &user, id).await?;
    let spec = parse_variant(0, &VariantInput::from(body)).map_err(|errors| {
        let err = errors
            .first()
            .copied()
            .unwrap_or(ValidationError::new("unit", "unit-invalid"));
        // The form's row prefix means nothing to the API.
        Problem::from(ValidationError::new(
            err.field.trim_start_matches("v0_"),
            err.code,
        ))
    })?;
    let variant = state.store.add_variant(product.id, &spec).await?;
    state.products_changed([product.id]);
    Ok((StatusCode::CREATED, Json(variant_view(&variant))))
}

/// A variant's new price (new orders pay it) or low-stock threshold.
#[derive(Deserialize, ToSchema)]
pub struct VariantPatch {
    #[schema(example = 4200)]
    pub price_fen: Option<i64>,
    /// At or below this the shop is told it is running low; 0 for never.
    pub low_stock_threshold: Option<i64>,
}

/// Changes a variant of a product of one of the caller's shops.
#[utoipa::path(patch, operation_id = "updateVariant", path = "/api/v1/variants/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Variant id")), request_body = VariantPatch,
    responses((status = 200, description = "The variant as it is now", body = VariantView), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such variant in the caller's shops", body = ApiError), (status = 422, description = "A field is invalid", body = ApiError)))]
pub async fn update_variant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<VariantPatch>,
) -> Result<Json<VariantView>, Problem> {
    let (product, _) = managed_variant(&state, &user, id).await?;
    let change = VariantChange {
        price: patch.price_fen.map(Fen),
        low_stock_threshold: patch.low_stock_threshold,
    };
    let variant = state.store.change_variant(id, change).await?;
    state.products_changed([product.id]);
    Ok(Json(variant_view(&variant)))
}

/// Takes a variant off sale; orders that bought it keep it.
#[utoipa::path(delete, operation_id = "retireVariant", path = "/api/v1/variants/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Variant id")),
    responses((status = 204, description = "Off sale"), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such variant in the caller's shops", body = ApiError),
        (status = 422, description = "It is the product's last variant on sale", body = ApiError)))]
pub async fn retire_variant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, Problem> {
    let (product, _) = managed_variant(&state, &user, id).await?;
    state.store.retire_variant(id).await?;
    state.products_changed([product.id]);
    Ok(StatusCode::NO_CONTENT)
}

/// A stock change: `set` a counted number, or `adjust` by units in (positive) or out.
#[derive(Deserialize, ToSchema)]
pub struct StockRequest {
    pub set: Option<i64>,
    pub adjust: Option<i64>,
    /// restock, spoilage, correction or showroom
    #[schema(example = "restock")]
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct StockView {
    pub variant_id: i64,
    pub stock: i64,
}

/// Sets or adjusts a variant's stock, with the reason kept in the shop's stock record.
#[utoipa::path(post, operation_id = "changeStock", path = "/api/v1/variants/{id}/stock", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Variant id")), request_body = StockRequest,
    responses((status = 200, description = "The stock after the change", body = StockView), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such variant in the caller's shops", body = ApiError),
        (status = 422, description = "A field is invalid, or the stock would go below zero", body = ApiError)))]
pub async fn change_stock(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<StockRequest>,
) -> Result<Json<StockView>, Problem> {
    let (product, _) = managed_variant(&state, &user, id).await?;
    let change = match (request.set, request.adjust) {
        (Some(count), None) => StockChange::Set(count),
        (None, Some(delta)) => StockChange::Adjust(delta),
        _ => return Err(ValidationError::new("set", "stock-invalid").into()),
    };
    let reason = StockReason::parse_chosen(&request.reason)?;
    let note = parse_text("note", &request.note, false, 200)?;
    let mover = Mover {
        reason,
        actor_id: Some(user.account.id),
        note: &note,
    };
    let stock = state.store.change_stock(id, change, mover).await?;
    state.products_changed([product.id]);
    Ok(Json(StockView {
        variant_id: id,
        stock,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MovementView {
    pub id: i64,
    pub variant_id: i64,
    /// Units in (positive) or out.
    pub delta: i64,
    /// restock, spoilage, correction, showroom, opening, import, sold, cancelled, returned,
    /// consignment, tricycle, sent, received, lost_in_transit or counted
    pub reason: String,
    pub note: String,
    pub order_id: Option<i64>,
    pub at: String,
    /// The place the units moved at (none: the shop's own store).
    pub place_id: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct MovementQuery {
    /// Only movements older than this movement id (the next page).
    pub before: Option<i64>,
}

/// Where a product's stock went, newest first, 50 at a time.
#[utoipa::path(get, operation_id = "listStockMovements", path = "/api/v1/products/{id}/stock-movements", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product id"), MovementQuery),
    responses((status = 200, description = "The product's stock movements", body = Vec<MovementView>), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such product in the caller's shops", body = ApiError)))]
pub async fn movements(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<MovementQuery>,
) -> Result<Json<Vec<MovementView>>, Problem> {
    let (product, shop) = managed_product(&state, &user, id).await?;
    let moves = state
        .store
        .stock_movements(shop.id, Some(product.id), query.before, 50)
        .await?;
    Ok(Json(
        moves
            .into_iter()
            .map(|m| MovementView {
                id: m.id,
                variant_id: m.variant_id,
                delta: m.delta,
                reason: m.reason.as_str().to_owned(),
                note: m.note,
                order_id: m.order_id,
                at: m.at.to_rfc3339(),
                place_id: m.place_id,
            })
            .collect(),
    ))
}
