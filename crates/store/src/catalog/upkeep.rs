//! Keeping products current after they are listed: their texts and details, their status,
//! variants added, repriced and retired, and their photos' order.
//!
//! Every write is one transaction; a product's code stays unique within its shop (a clash is
//! `Conflict { field: "code" }`).

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::{ProductStatus, StockReason, VariantSpec};
use farmgate_domain::money::Fen;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr,
};

use super::entity::{photo, product, tag, text, variant};
use super::stock::{Mover, movement_row};
use super::{Product, ProductDetails, Variant, policy_columns, variant_from};
use crate::{Error, Result, Store};

/// A variant's price or low-stock threshold, as the seller changes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VariantChange {
    pub price: Option<Fen>,
    pub low_stock_threshold: Option<i64>,
}

/// A unique-index clash on the product code is the seller's to fix; anything else is not.
pub(super) fn code_taken(err: DbErr) -> Error {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict { field: "code" },
        _ => Error::Db(err),
    }
}

/// Writes the product's texts and tags afresh.
pub(super) async fn write_texts_and_tags(
    txn: &DatabaseTransaction,
    product_id: i64,
    details: &ProductDetails,
) -> Result<()> {
    text::Entity::delete_many()
        .filter(text::Column::ProductId.eq(product_id))
        .exec(txn)
        .await?;
    tag::Entity::delete_many()
        .filter(tag::Column::ProductId.eq(product_id))
        .exec(txn)
        .await?;
    for t in &details.texts {
        text::ActiveModel {
            product_id: Set(product_id),
            language: Set(t.language.tag().to_owned()),
            name: Set(t.name.clone()),
            story: Set(t.story.clone()),
        }
        .insert(txn)
        .await?;
    }
    for t in &details.tags {
        tag::ActiveModel {
            product_id: Set(product_id),
            tag: Set(t.as_str().to_owned()),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Adds a variant at `position`, and opens its stock in the ledger.
pub(super) async fn insert_variant(
    txn: &DatabaseTransaction,
    (shop_id, product_id): (i64, i64),
    spec: &VariantSpec,
    position: usize,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (policy, tolerance) = policy_columns(spec.price_policy);
    let row = variant::ActiveModel {
        product_id: Set(product_id),
        unit: Set(spec.unit.as_str().to_owned()),
        net_grams: Set(spec.net_grams),
        price_fen: Set(spec.price.0),
        stock: Set(spec.stock),
        price_policy: Set(policy.to_owned()),
        tolerance_bp: Set(tolerance),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        retired_at: Set(None),
        low_stock_threshold: Set(0),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if spec.stock > 0 {
        let opening = Mover {
            reason: StockReason::Opening,
            actor_id: None,
            note: "",
        };
        movement_row(
            (shop_id, product_id, row.id),
            spec.stock,
            opening,
            None,
            now,
        )
        .insert(txn)
        .await?;
    }
    Ok(row.id)
}

impl Store {
    /// Replaces a product's texts, tags, category, origin and certificate (and its code, when
    /// one is given).
    pub async fn update_product(&self, id: i64, details: &ProductDetails) -> Result<Product> {
        if details.texts.is_empty() {
            return Err(ValidationError::new("name", "product-name-required").into());
        }
        let txn = self.begin_write().await?;
        let mut row: product::ActiveModel = product::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?
            .into();
        row.category_id = Set(details.category_id);
        row.origin_id = Set(details.origin_id);
        row.organic_certificate = Set(details.organic_certificate.clone());
        if let Some(code) = &details.code {
            row.code = Set(Some(code.clone()));
        }
        row.updated_at = Set(Utc::now());
        row.update(&txn).await.map_err(code_taken)?;
        write_texts_and_tags(&txn, id, details).await?;
        txn.commit().await?;
        self.product(id).await
    }

    /// Lists, pauses (with when it will be back), drafts or delists a product. A product with
    /// nothing left to sell cannot be listed.
    pub async fn set_product_status(
        &self,
        id: i64,
        status: ProductStatus,
        back_in: Option<String>,
    ) -> Result<Product> {
        let txn = self.begin_write().await?;
        let mut row: product::ActiveModel = product::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?
            .into();
        row.status = Set(status.as_str().to_owned());
        row.back_in = Set(back_in.filter(|_| status == ProductStatus::Paused));
        row.updated_at = Set(Utc::now());
        row.update(&txn).await?;
        txn.commit().await?;
        self.product(id).await
    }

    /// Adds a variant after the product's others.
    pub async fn add_variant(&self, product_id: i64, spec: &VariantSpec) -> Result<Variant> {
        let txn = self.begin_write().await?;
        let product = product::Entity::find_by_id(product_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let last = variant::Entity::find()
            .filter(variant::Column::ProductId.eq(product_id))
            .order_by_desc(variant::Column::Position)
            .one(&txn)
            .await?
            .map_or(0, |v| usize::try_from(v.position).unwrap_or(0) + 1);
        let id =
            insert_variant(&txn, (product.shop_id, product_id), spec, last, Utc::now()).await?;
        touch(&txn, product_id).await?;
        txn.commit().await?;
        self.variant(id).await
    }

    /// One variant, retired or not.
    pub async fn variant(&self, id: i64) -> Result<Variant> {
        let row = variant::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(variant_from(row)?.0)
    }

    /// The product a variant (retired or not) belongs to.
    pub async fn product_of_variant(&self, variant_id: i64) -> Result<Product> {
        let row = variant::Entity::find_by_id(variant_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        self.product(row.product_id).await
    }

    /// Changes a variant's price (orders already placed keep theirs) or low-stock threshold.
    pub async fn change_variant(&self, id: i64, change: VariantChange) -> Result<Variant> {
        let txn = self.begin_write().await?;
        let row = variant::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let product_id = row.product_id;
        let mut row: variant::ActiveModel = row.into();
        if let Some(price) = change.price {
            let price = farmgate_domain::money::check_unit_price(price, "price")?;
            row.price_fen = Set(price.0);
        }
        if let Some(threshold) = change.low_stock_threshold {
            let threshold = farmgate_domain::catalog::check_stock(threshold)
                .map_err(|_| ValidationError::new("low_stock_threshold", "stock-invalid"))?;
            row.low_stock_threshold = Set(threshold);
        }
        row.update(&txn).await?;
        touch(&txn, product_id).await?;
        txn.commit().await?;
        self.variant(id).await
    }

    /// Takes a variant off sale; orders that bought it keep it. A product keeps at least one
    /// variant on sale.
    pub async fn retire_variant(&self, id: i64) -> Result<()> {
        let txn = self.begin_write().await?;
        let row = variant::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let on_sale = variant::Entity::find()
            .filter(variant::Column::ProductId.eq(row.product_id))
            .filter(variant::Column::RetiredAt.is_null())
            .all(&txn)
            .await?;
        if row.retired_at.is_some() {
            return Ok(());
        }
        if on_sale.len() <= 1 {
            return Err(ValidationError::new("variant", "variant-last").into());
        }
        variant::Entity::update_many()
            .col_expr(variant::Column::RetiredAt, Expr::value(Utc::now()))
            .filter(variant::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        touch(&txn, row.product_id).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Puts a product's photos in this order (the first is the cover); `order` names each of
    /// its photos once.
    pub async fn arrange_product_photos(&self, product_id: i64, order: &[String]) -> Result<()> {
        let txn = self.begin_write().await?;
        let photos = photo::Entity::find()
            .filter(photo::Column::ProductId.eq(product_id))
            .all(&txn)
            .await?;
        let mut have: Vec<&str> = photos.iter().map(|p| p.hash.as_str()).collect();
        let mut want: Vec<&str> = order.iter().map(String::as_str).collect();
        have.sort_unstable();
        want.sort_unstable();
        if have != want {
            return Err(ValidationError::new("photo", "bad-request").into());
        }
        for (position, hash) in order.iter().enumerate() {
            photo::Entity::update_many()
                .col_expr(
                    photo::Column::Position,
                    Expr::value(i32::try_from(position).unwrap_or(i32::MAX)),
                )
                .filter(photo::Column::ProductId.eq(product_id))
                .filter(photo::Column::Hash.eq(hash.as_str()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// Marks the product as changed now.
async fn touch(txn: &DatabaseTransaction, product_id: i64) -> Result<()> {
    product::Entity::update_many()
        .col_expr(product::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(product::Column::Id.eq(product_id))
        .exec(txn)
        .await?;
    Ok(())
}
