//! Products in the JSON API.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_store::catalog::Product;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DetailsInput, ProductInput, VariantInput, parse_product, visible_product};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::managed_shop;
use crate::i18n::Lang;
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

#[derive(Serialize, Deserialize, ToSchema, Default, Clone)]
pub struct TextBody {
    pub name: String,
    #[serde(default)]
    pub story: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct VariantBody {
    /// jin, kg, g, piece, box, bag, bottle or jar
    #[schema(example = "bag")]
    pub unit: String,
    /// Net weight of one unit in grams (implied for jin, kg and g).
    pub net_grams: Option<i64>,
    #[schema(example = 3800)]
    pub price_fen: i64,
    pub stock: i64,
    /// When set, the price follows the packed weight within this tolerance (percent).
    pub follows_weight_tolerance_percent: Option<f64>,
}

#[derive(Deserialize, ToSchema)]
pub struct ProductRequest {
    /// Texts by language tag: `zh-CN`, `ug`, `en`; a name in any one of them is enough.
    pub texts: BTreeMap<String, TextBody>,
    #[schema(example = "nuts")]
    pub category: String,
    /// The village's region code.
    #[schema(example = "huixian-fujia-village")]
    pub origin: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub organic_certificate: Option<String>,
    /// The shop's own code for the product (letters, digits, `-_.`); FarmGate gives one when
    /// none is sent.
    #[schema(example = "WAL-1KG")]
    pub code: Option<String>,
    /// listed (default), draft or paused
    #[serde(default)]
    pub status: String,
    pub variants: Vec<VariantBody>,
}

#[derive(Serialize, ToSchema)]
pub struct VariantView {
    pub id: i64,
    pub unit: String,
    pub net_grams: Option<i64>,
    pub price_fen: i64,
    pub stock: i64,
    /// At or below this the shop is told it is running low (0: never).
    pub low_stock_threshold: i64,
}

pub(super) fn variant_view(v: &farmgate_store::catalog::Variant) -> VariantView {
    VariantView {
        id: v.id,
        unit: v.spec.unit.as_str().to_owned(),
        net_grams: v.spec.net_grams,
        price_fen: v.spec.price.0,
        stock: v.spec.stock,
        low_stock_threshold: v.low_stock_threshold,
    }
}

impl From<VariantBody> for VariantInput {
    fn from(v: VariantBody) -> VariantInput {
        VariantInput {
            unit: v.unit,
            net_grams: v.net_grams.map(|g| g.to_string()).unwrap_or_default(),
            price: Some(Ok(Fen(v.price_fen))),
            stock: v.stock.to_string(),
            follows_weight: v.follows_weight_tolerance_percent.is_some(),
            tolerance_percent: v
                .follows_weight_tolerance_percent
                .map(|p| p.to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductView {
    pub id: i64,
    pub shop_id: i64,
    /// The name in the request's language; else the Chinese one; else the one the seller wrote
    /// (a product needs a name in one language only).
    pub name: String,
    pub story: String,
    /// False when `name` and `story` fell back to another language.
    pub translated: bool,
    /// listed, paused, draft or delisted
    pub status: String,
    /// When paused: when it will be back.
    pub back_in: Option<String>,
    /// The shop's own code for it.
    pub code: String,
    pub tags: Vec<String>,
    pub texts: BTreeMap<String, TextBody>,
    /// The variants on sale.
    pub variants: Vec<VariantView>,
}

pub(super) fn view(product: Product, language: Language) -> ProductView {
    let (name, story, translated) = product
        .text(language)
        .map_or((String::new(), String::new(), false), |(t, translated)| {
            (t.name.clone(), t.story.clone(), translated)
        });
    ProductView {
        id: product.id,
        shop_id: product.shop_id,
        name,
        story,
        translated,
        status: product.status.as_str().to_owned(),
        back_in: product.back_in.clone(),
        code: product.code.clone(),
        tags: product.tags.iter().map(|t| t.as_str().to_owned()).collect(),
        texts: product
            .texts
            .iter()
            .map(|t| {
                (
                    t.language.tag().to_owned(),
                    TextBody {
                        name: t.name.clone(),
                        story: t.story.clone(),
                    },
                )
            })
            .collect(),
        variants: product.variants.iter().map(variant_view).collect(),
    }
}

/// Lists a product in one of the caller's shops.
#[utoipa::path(post, operation_id = "createProduct", path = "/api/v1/shops/{id}/products", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id")), request_body = ProductRequest,
    responses((status = 201, body = ProductView), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    Path(shop_id): Path<i64>,
    ApiJson(request): ApiJson<ProductRequest>,
) -> Result<(StatusCode, Json<ProductView>), Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let text = |language: Language| {
        let body = request
            .texts
            .get(language.tag())
            .cloned()
            .unwrap_or_default();
        (language, body.name, body.story)
    };
    let input = ProductInput {
        details: DetailsInput {
            texts: [text(Language::ZhCn), text(Language::Ug), text(Language::En)],
            category: request.category,
            origin: request.origin,
            tags: request.tags,
            certificate: request.organic_certificate.unwrap_or_default(),
            code: request.code.unwrap_or_default(),
        },
        status: request.status,
        variants: request
            .variants
            .into_iter()
            .map(VariantInput::from)
            .collect(),
    };
    let product = parse_product(&state, &shop, input)
        .await?
        .map_err(|errors| {
            errors.first().copied().map_or(
                Problem::new(StatusCode::BAD_REQUEST, "bad-request"),
                Problem::from,
            )
        })?;
    let created = state.store.create_product(product).await?;
    state.products_changed([created.id]);
    Ok((StatusCode::CREATED, Json(view(created, language))))
}

/// One product. Drafts are visible to the shop's members only.
#[utoipa::path(get, operation_id = "getProduct", path = "/api/v1/products/{id}", tag = "catalog", params(("id" = i64, Path, description = "Product id")),
    responses((status = 200, body = ProductView), (status = 404, body = ApiError)))]
pub async fn show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Lang(language): Lang,
    Path(id): Path<i64>,
) -> Result<Json<ProductView>, Problem> {
    let (product, _) = visible_product(&state, user.as_ref(), id).await?;
    Ok(Json(view(product, language)))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// A region code (county, township, village...): only products from inside it.
    pub region: Option<String>,
    /// 1-based page of 20.
    pub page: Option<u64>,
}

/// Products on show (listed, or paused saying when they are back), newest first, optionally
/// from one region.
#[utoipa::path(get, operation_id = "listProducts", path = "/api/v1/products", tag = "catalog", params(ListQuery),
    responses((status = 200, body = Vec<ProductView>), (status = 404, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    Lang(language): Lang,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<ProductView>>, Problem> {
    let region = match query.region.as_deref() {
        Some(code) => state.store.region_by_code(code).await?,
        None => state
            .store
            .region_root()
            .await?
            .ok_or(Problem::not_found())?,
    };
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let products = state
        .store
        .listed_products_within(&region.path, 20, (page - 1) * 20)
        .await?;
    Ok(Json(
        products.into_iter().map(|p| view(p, language)).collect(),
    ))
}
