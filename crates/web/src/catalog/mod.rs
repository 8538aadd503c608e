//! The catalogue on the web: the seller console's product form, product pages, and the API.
//! Pages and API parse through [`parse_product`]; a shop's products are written only by its
//! members.

pub mod api;
pub mod pages;
pub mod photos;
pub mod places;
pub mod sheets;
pub mod upkeep;
pub mod upkeep_api;

use farmgate_domain::ValidationError;
use farmgate_domain::catalog::{
    PricePolicy, ProductStatus, Tag, Unit, VariantSpec, check_stock, parse_product_code,
};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::text::parse_text;
use farmgate_store::catalog::{NewProduct, ProductDetails, ProductText};
use farmgate_store::shops::Shop;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::Problem;
use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The seller console's product pages, product pages, photo uploads and the product sheets.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/seller", get(pages::console))
        .route("/seller/shops/{id}/products/new", get(pages::new_product))
        .route("/seller/shops/{id}/products", post(pages::create_product))
        .route("/products/{id}", get(pages::show))
        .route("/seller/products/{id}/photos", post(photos::upload_form))
        .route("/seller/products/{id}", get(upkeep::manage))
        .route(
            "/seller/products/{id}/edit",
            get(upkeep::edit_form).post(upkeep::edit),
        )
        .route("/seller/products/{id}/status", post(upkeep::set_status))
        .route("/seller/products/{id}/variants", post(upkeep::add_variant))
        .route(
            "/seller/products/{id}/photos/arrange",
            post(upkeep::arrange_photos),
        )
        .route("/seller/variants/{id}/price", post(upkeep::set_price))
        .route("/seller/variants/{id}/stock", post(upkeep::change_stock))
        .route("/seller/variants/{id}/retire", post(upkeep::retire_variant))
        .route("/seller/shops/{id}/stock", get(upkeep::ledger))
        .route(
            "/seller/shops/{id}/places",
            get(places::page).post(places::join),
        )
        .route("/seller/shops/{id}/places/{place}", post(places::change))
        .route("/seller/shops/{id}/transfers", post(places::send))
        .route("/seller/transfers/{id}/receive", post(places::receive))
        .route("/seller/shops/{id}/counts", post(places::count))
        .route(
            "/seller/shops/{id}/products/template.xlsx",
            get(sheets::template),
        )
        .route(
            "/seller/shops/{id}/products/import",
            get(sheets::import_form).post(sheets::import),
        )
        .route(
            "/seller/shops/{id}/products.xlsx",
            get(sheets::export_products),
        )
}

/// Products and their photos.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::create))
        .routes(routes!(api::show, upkeep_api::update))
        .routes(routes!(api::list))
        .routes(routes!(photos::upload_api))
        .routes(routes!(upkeep_api::add_variant))
        .routes(routes!(
            upkeep_api::update_variant,
            upkeep_api::retire_variant
        ))
        .routes(routes!(upkeep_api::change_stock))
        .routes(routes!(upkeep_api::movements))
}

/// How many variant rows the form offers.
pub const VARIANT_ROWS: usize = 3;

/// Field names per variant row, so errors can name the exact input.
const VARIANT_FIELDS: [[&str; 4]; VARIANT_ROWS] = [
    ["v0_unit", "v0_net_grams", "v0_price", "v0_stock"],
    ["v1_unit", "v1_net_grams", "v1_price", "v1_stock"],
    ["v2_unit", "v2_net_grams", "v2_price", "v2_stock"],
];
const NAME_FIELDS: [&str; 3] = ["name_zh-CN", "name_ug", "name_en"];
const STORY_FIELDS: [&str; 3] = ["story_zh-CN", "story_ug", "story_en"];

/// One variant as typed; the price is parsed by the caller (yuan on forms, fen in the API).
pub struct VariantInput {
    pub unit: String,
    pub net_grams: String,
    pub price: Option<Result<Fen, ValidationError>>,
    pub stock: String,
    pub follows_weight: bool,
    pub tolerance_percent: String,
}

impl VariantInput {
    fn is_blank(&self) -> bool {
        self.unit.trim().is_empty() && self.price.is_none() && self.stock.trim().is_empty()
    }
}

/// What a seller writes about a product, as typed: the same on creation and on edits.
pub struct DetailsInput {
    /// (language, name, story) for each of zh-CN, ug, en, in that order.
    pub texts: [(Language, String, String); 3],
    pub category: String,
    pub origin: String,
    pub tags: Vec<String>,
    pub certificate: String,
    /// The shop's own product code; empty keeps the current one (or lets FarmGate give one).
    pub code: String,
}

/// A product as typed, before parsing.
pub struct ProductInput {
    pub details: DetailsInput,
    pub status: String,
    pub variants: Vec<VariantInput>,
}

/// Parses one variant row, reporting every field at fault.
pub fn parse_variant(
    row: usize,
    input: &VariantInput,
) -> Result<VariantSpec, Vec<ValidationError>> {
    let [unit_field, grams_field, price_field, stock_field] =
        VARIANT_FIELDS[row.min(VARIANT_ROWS - 1)];
    let unit = Unit::parse(&input.unit).ok_or(ValidationError::new(unit_field, "unit-invalid"));
    let net_grams = match input.net_grams.trim() {
        "" => Ok(None),
        text => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ValidationError::new(grams_field, "net-weight-invalid")),
    };
    let price = match &input.price {
        None => Err(ValidationError::new(price_field, "price-invalid")),
        Some(price) => price.map_err(|e| ValidationError::new(price_field, e.code)),
    };
    let stock = input
        .stock
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|s| check_stock(s).ok())
        .ok_or(ValidationError::new(stock_field, "stock-invalid"));
    let policy = if input.follows_weight {
        match input.tolerance_percent.trim() {
            "" => Ok(500),
            text => text
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=50.0).contains(p))
                .map(|p| (p * 100.0).round() as u32)
                .ok_or(ValidationError::new(grams_field, "price-policy-invalid")),
        }
        .map(|tolerance_bp| PricePolicy::FollowsPackedWeight { tolerance_bp })
    } else {
        Ok(PricePolicy::Fixed)
    };
    match (unit, net_grams, price, stock, policy) {
        (Ok(unit), Ok(net_grams), Ok(price), Ok(stock), Ok(policy)) => {
            VariantSpec::new(unit, net_grams, price, stock, policy).map_err(|e| {
                let field = match e.field {
                    "price" => price_field,
                    "stock" => stock_field,
                    _ => grams_field,
                };
                vec![ValidationError::new(field, e.code)]
            })
        }
        (unit, net_grams, price, stock, policy) => Err([
            unit.err(),
            net_grams.err(),
            price.err(),
            stock.err(),
            policy.err(),
        ]
        .into_iter()
        .flatten()
        .collect()),
    }
}

/// The product's tags and organic certificate (required with the organic tag); mistakes are
/// added to `errors`.
fn parse_tags(
    input: &DetailsInput,
    errors: &mut Vec<ValidationError>,
) -> (Vec<Tag>, Option<String>) {
    let mut tags = Vec::new();
    for text in &input.tags {
        match Tag::parse(text) {
            Some(tag) if !tags.contains(&tag) => tags.push(tag),
            Some(_) => {}
            None => errors.push(ValidationError::new("tags", "bad-request")),
        }
    }
    let certificate = match parse_text("certificate", &input.certificate, false, 64) {
        Ok(c) if c.is_empty() && tags.contains(&Tag::Organic) => {
            errors.push(ValidationError::new("certificate", "certificate-required"));
            None
        }
        Ok(c) if c.is_empty() => None,
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    (tags, certificate)
}

/// Parses what a seller writes about a product; every field's error is reported at once.
pub async fn parse_details(
    state: &AppState,
    input: &DetailsInput,
) -> Result<Result<ProductDetails, Vec<ValidationError>>, Problem> {
    let mut errors = Vec::new();
    let mut texts = Vec::new();
    for (index, (language, name, story)) in input.texts.iter().enumerate() {
        match (
            parse_text(NAME_FIELDS[index], name, false, 60),
            parse_text(STORY_FIELDS[index], story, false, 4000),
        ) {
            (Ok(name), Ok(story)) if !name.is_empty() => texts.push(ProductText {
                language: *language,
                name,
                story,
            }),
            (Ok(_), Ok(story)) if !story.is_empty() => {
                // A story needs the name it tells about, in the same language.
                errors.push(ValidationError::new(NAME_FIELDS[index], "required"));
            }
            (Ok(_), Ok(_)) => {}
            (name, story) => errors.extend([name.err(), story.err()].into_iter().flatten()),
        }
    }
    if texts.is_empty() && errors.is_empty() {
        // Any one language is enough: the others fall back to it, visibly.
        errors.push(ValidationError::new("name", "product-name-required"));
    }
    let category = state
        .store
        .categories()
        .await?
        .into_iter()
        .find(|c| c.code == input.category.trim());
    if category.is_none() {
        errors.push(ValidationError::new("category", "category-invalid"));
    }
    let origin = match input.origin.trim() {
        "" => None,
        code => match state.store.region_by_code(code).await {
            Ok(region) if region.level == RegionLevel::Village => Some(region),
            Ok(_) | Err(farmgate_store::Error::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
    };
    if origin.is_none() {
        errors.push(ValidationError::new("origin", "origin-invalid"));
    }
    let (tags, certificate) = parse_tags(input, &mut errors);
    let code = match input.code.trim() {
        "" => None,
        typed => parse_product_code(typed).map_err(|e| errors.push(e)).ok(),
    };
    match (category, origin) {
        (Some(category), Some(origin)) if errors.is_empty() => Ok(Ok(ProductDetails {
            category_id: category.id,
            origin_id: origin.id,
            organic_certificate: certificate,
            tags,
            texts,
            code,
        })),
        _ => Ok(Err(errors)),
    }
}

/// A status as typed; empty means listed.
pub fn parse_status(text: &str) -> Result<ProductStatus, ValidationError> {
    match text.trim() {
        "" => Ok(ProductStatus::Listed),
        other => ProductStatus::parse(other).ok_or(ValidationError::new("status", "bad-request")),
    }
}

/// Parses a product for `shop`; every field's error is reported at once.
pub async fn parse_product(
    state: &AppState,
    shop: &Shop,
    input: ProductInput,
) -> Result<Result<NewProduct, Vec<ValidationError>>, Problem> {
    let details = parse_details(state, &input.details).await?;
    let mut errors = details.as_ref().err().cloned().unwrap_or_default();
    let status = parse_status(&input.status).map_err(|e| errors.push(e)).ok();
    let mut variants = Vec::new();
    for (row, variant) in input
        .variants
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_blank())
    {
        match parse_variant(row, variant) {
            Ok(spec) => variants.push(spec),
            Err(row_errors) => errors.extend(row_errors),
        }
    }
    if variants.is_empty() && !errors.iter().any(|e| e.field.starts_with('v')) {
        errors.push(ValidationError::new("v0_unit", "variant-required"));
    }
    match (details, status) {
        (Ok(details), Some(status)) if errors.is_empty() => Ok(Ok(NewProduct {
            shop_id: shop.id,
            status,
            variants,
            details,
        })),
        _ => Ok(Err(errors)),
    }
}

/// The product, if `user` may see it: listed and paused products are public, drafts and
/// delisted ones belong to the shop's members; anyone else is told it does not exist. Also says whether the
/// viewer is a member.
pub async fn visible_product(
    state: &AppState,
    user: Option<&CurrentUser>,
    id: i64,
) -> Result<(farmgate_store::catalog::Product, bool), Problem> {
    let product = state.store.product(id).await?;
    let member = match user {
        Some(user) => {
            state
                .store
                .is_shop_member(product.shop_id, user.account.id)
                .await?
        }
        None => false,
    };
    if !product.status.is_public() && !member {
        return Err(Problem::not_found());
    }
    Ok((product, member))
}
