//! The stock ledger: every change of a variant's stock is a movement (how many, why, who, and
//! the order when there is one), written in the transaction that changes the stock. Stock
//! never goes below zero: a change is a conditional update, so a seller's adjustment and an
//! order racing for the same units cannot both take them.

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::{ProductStatus, StockChange, StockReason};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, Set,
};
use serde::Serialize;

use super::entity::{movement, product, variant};
use crate::error::corrupt;
use crate::{Error, Result, Store};

/// One change of a variant's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockMovement {
    pub id: i64,
    pub product_id: i64,
    pub variant_id: i64,
    pub delta: i64,
    pub reason: StockReason,
    pub note: String,
    /// Who changed it (the buyer, for an order); none for the platform's own changes.
    pub actor_id: Option<i64>,
    pub order_id: Option<i64>,
    pub at: DateTime<Utc>,
    /// Where the units moved (none: the shop's own store).
    pub place_id: Option<i64>,
}

/// A variant at or below its shop's threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LowStock {
    pub product_id: i64,
    pub variant_id: i64,
    pub stock: i64,
    pub threshold: i64,
}

/// Who moved stock, and what for.
#[derive(Debug, Clone, Copy)]
pub struct Mover<'a> {
    pub reason: StockReason,
    pub actor_id: Option<i64>,
    pub note: &'a str,
}

/// A movement's row, for whoever changes stock in its own transaction (orders, refunds).
pub(crate) fn movement_row(
    (shop_id, product_id, variant_id): (i64, i64, i64),
    delta: i64,
    mover: Mover<'_>,
    order_id: Option<i64>,
    at: DateTime<Utc>,
) -> movement::ActiveModel {
    movement::ActiveModel {
        shop_id: Set(shop_id),
        product_id: Set(product_id),
        variant_id: Set(variant_id),
        delta: Set(delta),
        reason: Set(mover.reason.as_str().to_owned()),
        note: Set(mover.note.chars().take(200).collect()),
        actor_id: Set(mover.actor_id),
        order_id: Set(order_id),
        created_at: Set(at),
        ..Default::default()
    }
}

fn movement_from(row: movement::Model) -> Result<StockMovement> {
    Ok(StockMovement {
        reason: StockReason::parse(&row.reason).ok_or_else(|| corrupt("stock movement", row.id))?,
        id: row.id,
        product_id: row.product_id,
        variant_id: row.variant_id,
        delta: row.delta,
        note: row.note,
        actor_id: row.actor_id,
        order_id: row.order_id,
        at: row.created_at,
        place_id: row.place_id,
    })
}

/// How often a count is tried again when orders keep changing the stock under it.
const SET_TRIES: usize = 5;

impl Store {
    /// Sets or adjusts a variant's stock and records why; returns the stock after. Refused
    /// (`stock-below-zero`) when it would go below zero, whatever orders took meanwhile.
    pub async fn change_stock(
        &self,
        variant_id: i64,
        change: StockChange,
        mover: Mover<'_>,
    ) -> Result<i64> {
        let change = change.check()?;
        for _ in 0..SET_TRIES {
            let txn = self.begin_write().await?;
            let row = variant::Entity::find_by_id(variant_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?;
            let shop_id = product::Entity::find_by_id(row.product_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?
                .shop_id;
            // The seller counts and changes the shop's own store: what is at other places
            // moves by transfers and their counts.
            let store = row.stock - row.away_online;
            let (delta, update) = match change {
                StockChange::Set(count) => (
                    count - store,
                    variant::Entity::update_many()
                        .col_expr(variant::Column::Stock, Expr::value(count + row.away_online))
                        // Counted against what was read: an order in between means count again.
                        .filter(variant::Column::Stock.eq(row.stock))
                        .filter(variant::Column::AwayOnline.eq(row.away_online)),
                ),
                StockChange::Adjust(delta) => (
                    delta,
                    variant::Entity::update_many()
                        .col_expr(
                            variant::Column::Stock,
                            Expr::col(variant::Column::Stock).add(delta),
                        )
                        .filter(
                            Expr::col(variant::Column::Stock)
                                .sub(Expr::col(variant::Column::AwayOnline))
                                .add(delta)
                                .gte(0),
                        ),
                ),
            };
            if delta == 0 {
                return Ok(row.stock);
            }
            let updated = update
                .filter(variant::Column::Id.eq(variant_id))
                .exec(&txn)
                .await?;
            if updated.rows_affected == 0 {
                if matches!(change, StockChange::Adjust(_)) {
                    return Err(ValidationError::new("quantity", "stock-below-zero").into());
                }
                continue;
            }
            movement_row(
                (shop_id, row.product_id, variant_id),
                delta,
                mover,
                None,
                Utc::now(),
            )
            .insert(&txn)
            .await?;
            let after = variant::Entity::find_by_id(variant_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?
                .stock;
            txn.commit().await?;
            return Ok(after);
        }
        Err(Error::Conflict { field: "stock" })
    }

    /// A shop's stock movements, newest first, `limit` at a time before the movement id
    /// `before`; only one product's when `product_id` is given.
    pub async fn stock_movements(
        &self,
        shop_id: i64,
        product_id: Option<i64>,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<StockMovement>> {
        let mut query = movement::Entity::find().filter(movement::Column::ShopId.eq(shop_id));
        if let Some(product_id) = product_id {
            query = query.filter(movement::Column::ProductId.eq(product_id));
        }
        if let Some(before) = before {
            query = query.filter(movement::Column::Id.lt(before));
        }
        query
            .order_by_desc(movement::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(movement_from)
            .collect()
    }

    /// The shop's variants on sale at or below their threshold, the emptiest first.
    pub async fn low_stock(&self, shop_id: i64) -> Result<Vec<LowStock>> {
        let rows = variant::Entity::find()
            .join(JoinType::InnerJoin, variant::Relation::Product.def())
            .filter(product::Column::ShopId.eq(shop_id))
            .filter(product::Column::Status.ne(ProductStatus::Delisted.as_str()))
            .filter(variant::Column::RetiredAt.is_null())
            .filter(variant::Column::LowStockThreshold.gt(0))
            .filter(
                Expr::col((variant::Entity, variant::Column::Stock)).lte(Expr::col((
                    variant::Entity,
                    variant::Column::LowStockThreshold,
                ))),
            )
            .order_by_asc(variant::Column::Stock)
            .limit(100)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|v| LowStock {
                product_id: v.product_id,
                variant_id: v.id,
                stock: v.stock,
                threshold: v.low_stock_threshold,
            })
            .collect())
    }
}
