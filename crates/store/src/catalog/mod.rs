//! The catalogue: categories, products with texts per language, variants and tags.
//!
//! Reading a page of products costs the same few queries however large the catalogue and
//! however many products the page holds: rows are loaded per table for the whole page.

pub(crate) mod entity;
mod import;
pub(crate) mod places;
pub(crate) mod stock;
mod sales_counts;
mod transfers;
mod upkeep;

pub use import::{ImportItem, ImportOutcome};
pub use places::{PlaceDetails, PlacedUnits, ShopPlace, StockPlace};
pub(crate) use stock::movement_row;
pub use stock::{LowStock, Mover, StockMovement};
pub use transfers::{
    CountOutcome, CountedLine, MAX_LINES, NewTransfer, Transfer, TransferLine, TransferStatus,
};
pub use upkeep::VariantChange;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::{PricePolicy, ProductStatus, Tag, Unit, VariantSpec};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionPath;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use crate::regions::entity as region;
use crate::{Error, Result, Store};
use entity::{category, photo, product, tag, text, variant};

/// The most photos one product shows.
pub const MAX_PHOTOS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name_zh: String,
    pub name_ug: String,
    pub name_en: String,
}

impl Category {
    pub fn name(&self, language: Language) -> &str {
        match language {
            Language::ZhCn => &self.name_zh,
            Language::Ug => &self.name_ug,
            Language::En => &self.name_en,
        }
    }
}

/// A product's name and story in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductText {
    pub language: Language,
    pub name: String,
    pub story: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variant {
    pub id: i64,
    pub product_id: i64,
    pub spec: VariantSpec,
    /// At or below this the shop is told it is running low (0: never).
    pub low_stock_threshold: i64,
    /// Of the stock online sales may take, the units at the shop's other online places (the
    /// rest is in its own store).
    pub away_online: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    pub id: i64,
    pub shop_id: i64,
    pub category_id: i64,
    pub origin_id: i64,
    pub status: ProductStatus,
    /// The shop's own code (what its spreadsheets match on).
    pub code: String,
    /// When paused: when it will be back, as the seller wrote it.
    pub back_in: Option<String>,
    pub organic_certificate: Option<String>,
    pub sales_count: i64,
    pub tags: Vec<Tag>,
    pub texts: Vec<ProductText>,
    /// The variants on sale, in the seller's order.
    pub variants: Vec<Variant>,
    /// Variants taken off sale: old orders still name them.
    pub retired_variants: Vec<Variant>,
    /// In the order the seller put them; the first is the cover.
    pub photos: Vec<Photo>,
    pub created_at: DateTime<Utc>,
}

/// A product photo: the SHA-256 of the uploaded picture names its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Photo {
    pub hash: String,
    pub width: u32,
    pub height: u32,
}

impl Product {
    /// The text in `language`, else the Chinese one, else whichever the seller wrote (a
    /// product may be written in any one language); the flag says whether the text is in the
    /// language asked for (pages mark fallbacks visibly).
    pub fn text(&self, language: Language) -> Option<(&ProductText, bool)> {
        let written_in = |wanted: Language| self.texts.iter().find(|t| t.language == wanted);
        written_in(language)
            .map(|t| (t, true))
            .or_else(|| written_in(Language::ZhCn).map(|t| (t, false)))
            .or_else(|| self.texts.first().map(|t| (t, false)))
    }
}

/// What a seller writes about a product, parsed at the edge: the same on creation and on
/// every later edit. A name in any one language is enough; the others fall back to it.
#[derive(Debug, Clone)]
pub struct ProductDetails {
    pub category_id: i64,
    pub origin_id: i64,
    pub organic_certificate: Option<String>,
    pub tags: Vec<Tag>,
    pub texts: Vec<ProductText>,
    /// The shop's own code; `None` lets FarmGate give one (on creation) or keeps it (on edit).
    pub code: Option<String>,
}

/// A product to create.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub shop_id: i64,
    pub status: ProductStatus,
    pub details: ProductDetails,
    pub variants: Vec<VariantSpec>,
}

use crate::error::corrupt;

pub(crate) fn policy_columns(policy: PricePolicy) -> (&'static str, i32) {
    let (name, tolerance_bp) = policy.to_stored();
    (name, i32::try_from(tolerance_bp).unwrap_or(i32::MAX))
}

/// The variant and whether it is retired.
fn variant_from(row: variant::Model) -> Result<(Variant, bool)> {
    let tolerance_bp = u32::try_from(row.tolerance_bp).unwrap_or(0);
    let price_policy = PricePolicy::from_stored(&row.price_policy, tolerance_bp)
        .ok_or_else(|| corrupt("variant", row.id))?;
    let variant = Variant {
        id: row.id,
        product_id: row.product_id,
        spec: VariantSpec {
            unit: Unit::parse(&row.unit).ok_or_else(|| corrupt("variant", row.id))?,
            net_grams: row.net_grams,
            price: Fen(row.price_fen),
            stock: row.stock,
            price_policy,
        },
        low_stock_threshold: row.low_stock_threshold,
        away_online: row.away_online,
    };
    Ok((variant, row.retired_at.is_some()))
}

impl Store {
    pub async fn categories(&self) -> Result<Vec<Category>> {
        Ok(category::Entity::find()
            .order_by_asc(category::Column::Position)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| Category {
                id: c.id,
                parent_id: c.parent_id,
                code: c.code,
                name_zh: c.name_zh,
                name_ug: c.name_ug,
                name_en: c.name_en,
            })
            .collect())
    }

    /// Creates a product with its texts, tags and variants in one transaction.
    pub async fn create_product(&self, new: NewProduct) -> Result<Product> {
        let txn = self.begin_write().await?;
        let id = insert_product(&txn, &new).await?;
        txn.commit().await?;
        self.product(id).await
    }

    /// Creates all of these products or, if any fails, none of them (an import is never left
    /// half done). Returns their ids in order.
    pub async fn create_products(&self, products: &[NewProduct]) -> Result<Vec<i64>> {
        let txn = self.begin_write().await?;
        let mut ids = Vec::with_capacity(products.len());
        for new in products {
            ids.push(insert_product(&txn, new).await?);
        }
        txn.commit().await?;
        Ok(ids)
    }

    pub async fn product(&self, id: i64) -> Result<Product> {
        let row = product::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        self.assemble(vec![row]).await?.pop().ok_or(Error::NotFound)
    }

    /// A shop's products, newest first.
    pub async fn products_of_shop(&self, shop_id: i64) -> Result<Vec<Product>> {
        let rows = product::Entity::find()
            .filter(product::Column::ShopId.eq(shop_id))
            .order_by_desc(product::Column::Id)
            .all(&self.db)
            .await?;
        self.assemble(rows).await
    }

    /// The products the given variants belong to (for a cart): four queries for any cart.
    pub async fn products_of_variants(&self, variant_ids: &[i64]) -> Result<Vec<Product>> {
        let product_ids: Vec<i64> = variant::Entity::find()
            .filter(variant::Column::Id.is_in(variant_ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|v| v.product_id)
            .collect();
        let rows = product::Entity::find()
            .filter(product::Column::Id.is_in(product_ids))
            .all(&self.db)
            .await?;
        self.assemble(rows).await
    }

    /// Adds a photo to a product (after its others); the same picture twice is one photo.
    pub async fn add_product_photo(&self, product_id: i64, photo: &Photo) -> Result<()> {
        let txn = self.begin_write().await?;
        let existing = photo::Entity::find()
            .filter(photo::Column::ProductId.eq(product_id))
            .all(&txn)
            .await?;
        if existing.iter().any(|p| p.hash == photo.hash) {
            return Ok(());
        }
        if existing.len() >= MAX_PHOTOS {
            return Err(Error::Conflict { field: "photo" });
        }
        photo::ActiveModel {
            product_id: Set(product_id),
            hash: Set(photo.hash.clone()),
            width: Set(i32::try_from(photo.width).unwrap_or(i32::MAX)),
            height: Set(i32::try_from(photo.height).unwrap_or(i32::MAX)),
            position: Set(i32::try_from(existing.len()).unwrap_or(i32::MAX)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Takes a photo off a product (its files stay: another product may show the same picture).
    pub async fn remove_product_photo(&self, product_id: i64, hash: &str) -> Result<()> {
        photo::Entity::delete_many()
            .filter(photo::Column::ProductId.eq(product_id))
            .filter(photo::Column::Hash.eq(hash))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Products by id, in no particular order; ids that do not exist are left out.
    pub async fn products_by_ids(&self, ids: &[i64]) -> Result<Vec<Product>> {
        let rows = product::Entity::find()
            .filter(product::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        self.assemble(rows).await
    }

    /// Every product, in id order, `limit` at a time after `after_id` (for rebuilding indexes).
    pub async fn products_after(&self, after_id: i64, limit: u64) -> Result<Vec<Product>> {
        let rows = product::Entity::find()
            .filter(product::Column::Id.gt(after_id))
            .order_by_asc(product::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.assemble(rows).await
    }

    pub async fn product_count(&self) -> Result<u64> {
        Ok(product::Entity::find().count(&self.db).await?)
    }

    /// Products on show (listed or paused) that come from inside `region`, newest first, a page
    /// at a time.
    pub async fn listed_products_within(
        &self,
        region: &RegionPath,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<Product>> {
        let rows = product::Entity::find()
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()))
            .filter(product::Column::Status.is_in([
                ProductStatus::Listed.as_str(),
                ProductStatus::Paused.as_str(),
            ]))
            .order_by_desc(product::Column::Id)
            .limit(limit)
            .offset(offset)
            .all(&self.db)
            .await?;
        self.assemble(rows).await
    }

    /// The best-selling listed or paused products within `region` (the most units sold first,
    /// then the newest), for the home page.
    pub async fn best_sellers_within(
        &self,
        region: &RegionPath,
        limit: u64,
    ) -> Result<Vec<Product>> {
        let rows = product::Entity::find()
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()))
            .filter(product::Column::Status.is_in([
                ProductStatus::Listed.as_str(),
                ProductStatus::Paused.as_str(),
            ]))
            .order_by_desc(product::Column::SalesCount)
            .order_by_desc(product::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.assemble(rows).await
    }

    /// Loads texts, tags and variants for a page of products: three queries in all.
    async fn assemble(&self, rows: Vec<product::Model>) -> Result<Vec<Product>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut texts: HashMap<i64, Vec<ProductText>> = HashMap::new();
        for t in text::Entity::find()
            .filter(text::Column::ProductId.is_in(ids.clone()))
            .all(&self.db)
            .await?
        {
            let language = Language::from_tag(&t.language)
                .ok_or_else(|| corrupt("product text of", t.product_id))?;
            texts.entry(t.product_id).or_default().push(ProductText {
                language,
                name: t.name,
                story: t.story,
            });
        }
        let mut tags: HashMap<i64, Vec<Tag>> = HashMap::new();
        for t in tag::Entity::find()
            .filter(tag::Column::ProductId.is_in(ids.clone()))
            .all(&self.db)
            .await?
        {
            if let Some(parsed) = Tag::parse(&t.tag) {
                tags.entry(t.product_id).or_default().push(parsed);
            }
        }
        let mut variants: HashMap<i64, Vec<Variant>> = HashMap::new();
        let mut retired: HashMap<i64, Vec<Variant>> = HashMap::new();
        for v in variant::Entity::find()
            .filter(variant::Column::ProductId.is_in(ids.clone()))
            .order_by_asc(variant::Column::Position)
            .order_by_asc(variant::Column::Id)
            .all(&self.db)
            .await?
        {
            let (parsed, is_retired) = variant_from(v)?;
            let into = if is_retired {
                &mut retired
            } else {
                &mut variants
            };
            into.entry(parsed.product_id).or_default().push(parsed);
        }
        let mut photos: HashMap<i64, Vec<Photo>> = HashMap::new();
        for p in photo::Entity::find()
            .filter(photo::Column::ProductId.is_in(ids.clone()))
            .order_by_asc(photo::Column::Position)
            .order_by_asc(photo::Column::Id)
            .all(&self.db)
            .await?
        {
            photos.entry(p.product_id).or_default().push(Photo {
                hash: p.hash,
                width: u32::try_from(p.width).unwrap_or(0),
                height: u32::try_from(p.height).unwrap_or(0),
            });
        }
        rows.into_iter()
            .map(|row| {
                let mut product_tags = tags.remove(&row.id).unwrap_or_default();
                product_tags.sort();
                Ok(Product {
                    status: ProductStatus::parse(&row.status)
                        .ok_or_else(|| corrupt("product", row.id))?,
                    tags: product_tags,
                    texts: texts.remove(&row.id).unwrap_or_default(),
                    variants: variants.remove(&row.id).unwrap_or_default(),
                    retired_variants: retired.remove(&row.id).unwrap_or_default(),
                    code: row.code.unwrap_or_else(|| {
                        farmgate_domain::catalog::generated_product_code(row.id)
                    }),
                    back_in: row.back_in,
                    photos: photos.remove(&row.id).unwrap_or_default(),
                    id: row.id,
                    shop_id: row.shop_id,
                    category_id: row.category_id,
                    origin_id: row.origin_id,
                    organic_certificate: row.organic_certificate,
                    sales_count: row.sales_count,
                    created_at: row.created_at,
                })
            })
            .collect()
    }
}

async fn insert_product(txn: &sea_orm::DatabaseTransaction, new: &NewProduct) -> Result<i64> {
    let details = &new.details;
    if details.texts.is_empty() {
        return Err(ValidationError::new("name", "product-name-required").into());
    }
    let now = Utc::now();
    let row = product::ActiveModel {
        shop_id: Set(new.shop_id),
        category_id: Set(details.category_id),
        origin_id: Set(details.origin_id),
        status: Set(new.status.as_str().to_owned()),
        organic_certificate: Set(details.organic_certificate.clone()),
        sales_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        code: Set(details.code.clone()),
        back_in: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(upkeep::code_taken)?;
    if details.code.is_none() {
        product::Entity::update_many()
            .col_expr(
                product::Column::Code,
                sea_orm::sea_query::Expr::value(farmgate_domain::catalog::generated_product_code(
                    row.id,
                )),
            )
            .filter(product::Column::Id.eq(row.id))
            .exec(txn)
            .await?;
    }
    upkeep::write_texts_and_tags(txn, row.id, details).await?;
    for (position, spec) in new.variants.iter().enumerate() {
        upkeep::insert_variant(txn, (new.shop_id, row.id), spec, position, now).await?;
    }
    Ok(row.id)
}
