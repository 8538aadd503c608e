//! A shop's spreadsheet applied in one transaction: new products are created, products the
//! shop already has (matched by its own code) are updated: details, status, and each variant
//! matched by unit and net weight (price and stock set to the sheet's, the stock change kept
//! in the ledger as an import). What is already as the sheet says is not written at all, so
//! an export imported back changes nothing.

use chrono::Utc;
use farmgate_domain::catalog::{ProductStatus, StockReason, VariantSpec};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::entity::{product, variant};
use super::stock::{Mover, movement_row};
use super::upkeep::{code_taken, insert_variant, write_texts_and_tags};
use super::{NewProduct, Product, ProductDetails, insert_product, policy_columns};
use crate::{Error, Result, Store};

/// One product of a sheet.
#[derive(Debug, Clone)]
pub enum ImportItem {
    Create(NewProduct),
    Update {
        product_id: i64,
        status: ProductStatus,
        details: ProductDetails,
        variants: Vec<VariantSpec>,
    },
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: Vec<i64>,
    pub updated: Vec<i64>,
    pub unchanged: usize,
}

impl Store {
    /// Applies a sheet of `shop_id` (all of it or, on any failure, none of it); `actor_id` is
    /// who imported it, for the stock ledger.
    pub async fn import_products(
        &self,
        shop_id: i64,
        actor_id: i64,
        items: &[ImportItem],
    ) -> Result<ImportOutcome> {
        let mut current = std::collections::HashMap::new();
        let ids: Vec<i64> = items
            .iter()
            .filter_map(|item| match item {
                ImportItem::Update { product_id, .. } => Some(*product_id),
                ImportItem::Create(_) => None,
            })
            .collect();
        for product in self.products_by_ids(&ids).await? {
            if product.shop_id != shop_id {
                return Err(Error::NotFound);
            }
            current.insert(product.id, product);
        }
        let txn = self.begin_write().await?;
        let mut outcome = ImportOutcome::default();
        for item in items {
            match item {
                ImportItem::Create(new) => {
                    outcome.created.push(insert_product(&txn, new).await?);
                }
                ImportItem::Update {
                    product_id,
                    status,
                    details,
                    variants,
                } => {
                    let product = current.get(product_id).ok_or(Error::NotFound)?;
                    let changed =
                        update_one(&txn, product, (*status, details), variants, actor_id).await?;
                    if changed {
                        outcome.updated.push(*product_id);
                    } else {
                        outcome.unchanged += 1;
                    }
                }
            }
        }
        txn.commit().await?;
        Ok(outcome)
    }

    /// The shop's products with these codes: (code, product id).
    pub async fn products_by_code(
        &self,
        shop_id: i64,
        codes: &[String],
    ) -> Result<Vec<(String, i64)>> {
        Ok(product::Entity::find()
            .filter(product::Column::ShopId.eq(shop_id))
            .filter(product::Column::Code.is_in(codes.iter().cloned()))
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|p| p.code.map(|code| (code, p.id)))
            .collect())
    }
}

/// Brings one product to what the sheet says; whether anything changed.
async fn update_one(
    txn: &DatabaseTransaction,
    product: &Product,
    (status, details): (ProductStatus, &ProductDetails),
    variants: &[VariantSpec],
    actor_id: i64,
) -> Result<bool> {
    let now = Utc::now();
    let mut texts = details.texts.clone();
    let mut had = product.texts.clone();
    texts.sort_by_key(|t| t.language.tag());
    had.sort_by_key(|t| t.language.tag());
    let mut tags = details.tags.clone();
    tags.sort();
    let same_details = texts == had
        && tags == product.tags
        && details.category_id == product.category_id
        && details.origin_id == product.origin_id
        && details.organic_certificate == product.organic_certificate;
    let mut changed = false;
    if !same_details || status != product.status {
        let mut row: product::ActiveModel = product::Entity::find_by_id(product.id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound)?
            .into();
        row.category_id = sea_orm::Set(details.category_id);
        row.origin_id = sea_orm::Set(details.origin_id);
        row.organic_certificate = sea_orm::Set(details.organic_certificate.clone());
        row.status = sea_orm::Set(status.as_str().to_owned());
        row.updated_at = sea_orm::Set(now);
        row.update(txn).await.map_err(code_taken)?;
        write_texts_and_tags(txn, product.id, details).await?;
        changed = true;
    }
    let imported = Mover {
        reason: StockReason::Import,
        actor_id: Some(actor_id),
        note: "",
    };
    let mut new_variants = Vec::new();
    for spec in variants {
        let existing = product
            .variants
            .iter()
            .find(|v| v.spec.unit == spec.unit && v.spec.net_grams == spec.net_grams);
        let Some(existing) = existing else {
            new_variants.push(spec);
            continue;
        };
        if existing.spec.price != spec.price || existing.spec.price_policy != spec.price_policy {
            let (policy, tolerance) = policy_columns(spec.price_policy);
            variant::Entity::update_many()
                .col_expr(variant::Column::PriceFen, Expr::value(spec.price.0))
                .col_expr(variant::Column::PricePolicy, Expr::value(policy))
                .col_expr(variant::Column::ToleranceBp, Expr::value(tolerance))
                .filter(variant::Column::Id.eq(existing.id))
                .exec(txn)
                .await?;
            changed = true;
        }
        if existing.spec.stock != spec.stock {
            // Set against the count read: an order in between fails the import, to be retried.
            let updated = variant::Entity::update_many()
                .col_expr(variant::Column::Stock, Expr::value(spec.stock))
                .filter(variant::Column::Id.eq(existing.id))
                .filter(variant::Column::Stock.eq(existing.spec.stock))
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(Error::Conflict { field: "stock" });
            }
            let key = (product.shop_id, product.id, existing.id);
            movement_row(key, spec.stock - existing.spec.stock, imported, None, now)
                .insert(txn)
                .await?;
            changed = true;
        }
    }
    let after = product.variants.len() + product.retired_variants.len();
    for (position, spec) in (after..).zip(&new_variants) {
        insert_variant(txn, (product.shop_id, product.id), spec, position, now).await?;
        changed = true;
    }
    Ok(changed)
}
