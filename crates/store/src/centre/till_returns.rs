//! Returns at the showroom's till (issue 19): a tourist brings back goods of a sale. The
//! session open at the place takes them back: the line's money (its price as rung up) leaves
//! the drawer in cash, the units go back on the place's shelf (or the shop's store, when the
//! shop no longer keeps goods there) with a `returned` movement, and the shop's order carries
//! the refund (one refund per order, growing with each return), so its takings show it.
//! Never more back than was sold on the line.

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::StockReason;
use farmgate_domain::centre::till::TillSaleStatus;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::refund::{RefundReason, RefundStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use super::entity::{sale, sale_line, till_return};
use crate::catalog::places::{put_units, record, spot_of};
use crate::catalog::stock::Mover;
use crate::orders::entity::{line as order_line, order, refund_line, refund_request};
use crate::{Error, Result, Store};

/// Goods taken back at the till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillReturn {
    pub id: i64,
    pub session_id: i64,
    pub sale_id: i64,
    pub variant_id: i64,
    pub quantity: i64,
    /// Given back in cash from the drawer.
    pub amount: Fen,
    pub order_id: i64,
    pub returned_at: DateTime<Utc>,
}

fn return_from(row: till_return::Model) -> TillReturn {
    TillReturn {
        id: row.id,
        session_id: row.session_id,
        sale_id: row.sale_id,
        variant_id: row.variant_id,
        quantity: row.quantity,
        amount: Fen(row.amount_fen),
        order_id: row.order_id,
        returned_at: row.returned_at,
    }
}

fn refused(code: &'static str) -> Error {
    ValidationError::new("quantity", code).into()
}

/// The sale's line of `variant_id` and how many of it may still come back.
async fn returnable(
    txn: &DatabaseTransaction,
    sale: &sale::Model,
    variant_id: i64,
) -> Result<(sale_line::Model, i64)> {
    let done = [TillSaleStatus::Done, TillSaleStatus::Settled].map(|s| s.as_str());
    if !done.contains(&sale.status.as_str()) {
        return Err(refused("till-return-invalid"));
    }
    let line = sale_line::Entity::find_by_id((sale.id, variant_id))
        .one(txn)
        .await?
        .filter(|l| !l.given_back)
        .ok_or_else(|| refused("till-return-invalid"))?;
    let back: i64 = till_return::Entity::find()
        .filter(till_return::Column::SaleId.eq(sale.id))
        .filter(till_return::Column::VariantId.eq(variant_id))
        .all(txn)
        .await?
        .iter()
        .map(|r| r.quantity)
        .sum();
    Ok((line.clone(), line.quantity - back))
}

/// The shop's order of the sale that holds the variant, and its line.
async fn order_line_of(
    txn: &DatabaseTransaction,
    sale: &sale::Model,
    variant_id: i64,
) -> Result<(order::Model, order_line::Model)> {
    let checkout = sale
        .checkout_id
        .clone()
        .ok_or_else(|| refused("till-return-invalid"))?;
    let orders = order::Entity::find()
        .filter(order::Column::CheckoutId.eq(checkout))
        .all(txn)
        .await?;
    let line = order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(orders.iter().map(|o| o.id)))
        .filter(order_line::Column::VariantId.eq(variant_id))
        .one(txn)
        .await?
        .ok_or_else(|| refused("till-return-invalid"))?;
    let order = orders
        .into_iter()
        .find(|o| o.id == line.order_id)
        .ok_or(Error::NotFound)?;
    Ok((order, line))
}

/// The order's refund grows by the returned units (one refund per order), paid at once.
async fn refund_on_order(
    txn: &DatabaseTransaction,
    (order, line): (&order::Model, &order_line::Model),
    (quantity, amount): (i64, Fen),
    (by, now): (i64, DateTime<Utc>),
) -> Result<()> {
    let existing = refund_request::Entity::find()
        .filter(refund_request::Column::OrderId.eq(order.id))
        .one(txn)
        .await?;
    let refund_id = match existing {
        Some(r) => {
            let granted = r
                .granted_fen
                .checked_add(amount.0)
                .ok_or_else(|| refused("amount-too-large"))?;
            refund_request::ActiveModel {
                id: Set(r.id),
                asked_fen: Set(granted),
                granted_fen: Set(granted),
                paid_at: Set(Some(now)),
                ..Default::default()
            }
            .update(txn)
            .await?;
            r.id
        }
        None => {
            refund_request::ActiveModel {
                order_id: Set(order.id),
                buyer_id: Set(order.buyer_id),
                shop_id: Set(order.shop_id),
                reason: Set(RefundReason::Quality.as_str().to_owned()),
                note: Set("till-return".to_owned()),
                status: Set(RefundStatus::Paid.as_str().to_owned()),
                asked_fen: Set(amount.0),
                granted_fen: Set(amount.0),
                decline_reason: Set(String::new()),
                decided_by: Set(Some(by)),
                decided_by_centre: Set(true),
                created_at: Set(now),
                decided_at: Set(Some(now)),
                disputed_at: Set(None),
                paid_at: Set(Some(now)),
                paid_ref: Set(Some("till-cash".to_owned())),
                paid_by: Set(Some(by)),
                returned_at: Set(Some(now)),
                ..Default::default()
            }
            .insert(txn)
            .await?
            .id
        }
    };
    let kept = refund_line::Entity::find_by_id((refund_id, line.id))
        .one(txn)
        .await?;
    let quantity = i32::try_from(quantity).map_err(|_| refused("till-return-quantity-invalid"))?;
    match kept {
        Some(l) => {
            refund_line::ActiveModel {
                refund_id: Set(refund_id),
                order_line_id: Set(line.id),
                quantity: Set(l.quantity + quantity),
                amount_fen: Set(l.amount_fen + amount.0),
            }
            .update(txn)
            .await?;
        }
        None => {
            refund_line::ActiveModel {
                refund_id: Set(refund_id),
                order_line_id: Set(line.id),
                quantity: Set(quantity),
                amount_fen: Set(amount.0),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Takes back `quantity` units of a sale's line at session `session_id` (open): the money
    /// leaves its drawer in cash, the units go back on its place's shelf, the shop's order
    /// carries the refund. Refused beyond what the line sold less what came back before.
    pub async fn return_till_goods(
        &self,
        session_id: i64,
        (sale_id, variant_id, quantity): (i64, i64, i64),
        by: i64,
    ) -> Result<TillReturn> {
        let now = Utc::now();
        let txn = self.begin_write().await?;
        let session = super::till::locked_session(&txn, self.backend(), session_id).await?;
        if !session.is_open() {
            return Err(ValidationError::new("session", "till-closed").into());
        }
        let sale = sale::Entity::find_by_id(sale_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let (line, left) = returnable(&txn, &sale, variant_id).await?;
        if quantity < 1 || quantity > left {
            return Err(refused("till-return-quantity-invalid"));
        }
        let amount = line
            .unit_price_fen
            .checked_mul(quantity)
            .map(Fen)
            .ok_or_else(|| refused("amount-too-large"))?;
        let (order, order_line) = order_line_of(&txn, &sale, variant_id).await?;
        let spot = match spot_of(&txn, order.shop_id, Some(session.place_id)).await {
            Ok(spot) => spot,
            Err(Error::NotFound) => spot_of(&txn, order.shop_id, None).await?,
            Err(other) => return Err(other),
        };
        put_units(&txn, spot, (order.shop_id, variant_id), quantity).await?;
        let mover = Mover {
            reason: StockReason::Returned,
            actor_id: Some(by),
            note: "till",
        };
        record(
            &txn,
            (order.shop_id, order_line.product_id, variant_id),
            (spot, quantity),
            mover,
        )
        .await?;
        refund_on_order(&txn, (&order, &order_line), (quantity, amount), (by, now)).await?;
        let row = till_return::ActiveModel {
            session_id: Set(session.id),
            sale_id: Set(sale.id),
            variant_id: Set(variant_id),
            quantity: Set(quantity),
            amount_fen: Set(amount.0),
            order_id: Set(order.id),
            returned_by: Set(by),
            returned_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        order::Entity::update_many()
            .col_expr(order::Column::UpdatedAt, Expr::value(now))
            .filter(order::Column::Id.eq(order.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(return_from(row))
    }

    /// The returns a session took back, oldest first.
    pub async fn till_returns(&self, session_id: i64) -> Result<Vec<TillReturn>> {
        Ok(till_return::Entity::find()
            .filter(till_return::Column::SessionId.eq(session_id))
            .order_by_asc(till_return::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(return_from)
            .collect())
    }

    /// The returns of a sale, oldest first.
    pub async fn till_returns_of_sale(&self, sale_id: i64) -> Result<Vec<TillReturn>> {
        Ok(till_return::Entity::find()
            .filter(till_return::Column::SaleId.eq(sale_id))
            .order_by_asc(till_return::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(return_from)
            .collect())
    }
}
