//! Payments: one per checkout, covering all of its orders. Cash is due at the station or the
//! door; an online payment is pending until the gateway confirms it, and expires (cancelling
//! its orders, which puts the stock back on sale) if it does not come in time.
//!
//! Money taken for orders that will not be delivered is owed back: `refund_due` grows when a
//! confirmation arrives for orders cancelled meanwhile (or after the expiry), and when a shop
//! grants a refund of an online order; it shrinks when the gateway pays it back
//! (`record_refund`). The centre reads every payment that owes (decision 0013).

use chrono::{DateTime, Utc};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderEvent, OrderStatus};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::advance::advance_in;
use super::entity::{order, payment};
use crate::{Error, Result, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Cash, collected when the parcel is handed over.
    Due,
    /// Online, waiting for the gateway.
    Pending,
    Paid,
    /// Not paid in time: the orders were cancelled.
    Expired,
    /// The gateway confirmed after the payment had expired (written before refund_due
    /// existed; now such a payment becomes `RefundDue`).
    PaidLate,
    /// Paid, but for orders that were all cancelled (or expired) meanwhile: all of it goes back.
    RefundDue,
    /// Everything it owed was paid back.
    Refunded,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Due => "due",
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Expired => "expired",
            PaymentStatus::PaidLate => "paid_late",
            PaymentStatus::RefundDue => "refund_due",
            PaymentStatus::Refunded => "refunded",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentStatus> {
        [
            PaymentStatus::Due,
            PaymentStatus::Pending,
            PaymentStatus::Paid,
            PaymentStatus::Expired,
            PaymentStatus::PaidLate,
            PaymentStatus::RefundDue,
            PaymentStatus::Refunded,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub id: i64,
    pub checkout_id: String,
    pub buyer_id: i64,
    pub provider: String,
    pub amount: Fen,
    pub status: PaymentStatus,
    pub gateway_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub settled_at: Option<DateTime<Utc>>,
    /// Money owed back to the buyer and not yet paid back.
    pub refund_due: Fen,
    /// Money paid back so far.
    pub refunded: Fen,
    /// The gateway's reference of the last refund.
    pub refund_ref: Option<String>,
}

impl TryFrom<payment::Model> for Payment {
    type Error = Error;

    fn try_from(row: payment::Model) -> Result<Payment> {
        Ok(Payment {
            status: PaymentStatus::parse(&row.status)
                .ok_or_else(|| crate::error::corrupt("payment", row.id))?,
            id: row.id,
            checkout_id: row.checkout_id,
            buyer_id: row.buyer_id,
            provider: row.provider,
            amount: Fen(row.amount_fen),
            gateway_ref: row.gateway_ref,
            created_at: row.created_at,
            expires_at: row.expires_at,
            settled_at: row.settled_at,
            refund_due: Fen(row.refund_due_fen),
            refunded: Fen(row.refunded_fen),
            refund_ref: row.refund_ref,
        })
    }
}

/// What a gateway's confirmation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// The payment is now paid and its orders moved to paid.
    Settled,
    /// It had been confirmed before: nothing changed (gateways repeat their callbacks).
    AlreadySettled,
    /// It came after the payment expired, or after all its orders were cancelled: all of it
    /// is owed back (`refund_due`).
    TooLate,
}

fn unknown_status(id: i64) -> Error {
    crate::error::corrupt("payment", id)
}

/// Moves one placed order to paid; false when it was cancelled meanwhile (the conditional
/// update finds it no longer placed).
async fn pay_order(
    txn: &sea_orm::DatabaseTransaction,
    order_id: i64,
    gateway_ref: &str,
) -> Result<bool> {
    match advance_in(
        txn,
        order_id,
        OrderEvent::Pay,
        None,
        Some(gateway_ref.to_owned()),
    )
    .await
    {
        Ok(_) => Ok(true),
        Err(Error::OrderState) => Ok(false),
        Err(other) => Err(other),
    }
}

impl Store {
    pub async fn payment(&self, id: i64) -> Result<Payment> {
        payment::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .try_into()
    }

    pub async fn payment_of_checkout(&self, checkout_id: &str) -> Result<Payment> {
        payment::Entity::find()
            .filter(payment::Column::CheckoutId.eq(checkout_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .try_into()
    }

    /// Records the gateway's confirmation of `amount` for payment `id`. Idempotent: the same
    /// confirmation twice changes nothing the second time. A confirmation for another amount
    /// is refused (`Conflict { field: "amount" }`) and changes nothing. Orders cancelled while
    /// the buyer was paying (or all of them, when the payment had expired) are owed back.
    pub async fn settle_payment(
        &self,
        id: i64,
        amount: Fen,
        gateway_ref: &str,
    ) -> Result<Settlement> {
        let txn = self.begin_write().await?;
        let row = payment::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if row.amount_fen != amount.0 {
            return Err(Error::Conflict { field: "amount" });
        }
        let status = PaymentStatus::parse(&row.status).ok_or_else(|| unknown_status(id))?;
        let now = Utc::now();
        match status {
            PaymentStatus::Pending | PaymentStatus::Expired => {}
            PaymentStatus::Due => {
                return Err(Error::Payment(
                    farmgate_domain::orders::PaymentRefusal::NotOnline,
                ));
            }
            _ => return Ok(Settlement::AlreadySettled),
        }
        // Claim the payment first: of two confirmations (or a confirmation and the expiry
        // job) exactly one moves it from where it was.
        let moved = payment::Entity::update_many()
            .col_expr(
                payment::Column::Status,
                Expr::value(PaymentStatus::Paid.as_str()),
            )
            .col_expr(payment::Column::GatewayRef, Expr::value(gateway_ref))
            .col_expr(payment::Column::SettledAt, Expr::value(now))
            .filter(payment::Column::Id.eq(id))
            .filter(payment::Column::Status.eq(status.as_str()))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            return Ok(Settlement::AlreadySettled);
        }
        let orders = order::Entity::find()
            .filter(order::Column::CheckoutId.eq(&row.checkout_id))
            .all(&txn)
            .await?;
        let mut owed = Fen(0);
        let mut delivered = 0;
        for o in orders {
            let paid = o.status == OrderStatus::Placed.as_str()
                && pay_order(&txn, o.id, gateway_ref).await?;
            if paid {
                delivered += 1;
            } else {
                // Cancelled before the money came (by the buyer or the expiry): owed back.
                owed = owed.checked_add(Fen(o.total_fen)).ok_or(Error::Invalid(
                    farmgate_domain::ValidationError::new("amount", "amount-too-large"),
                ))?;
            }
        }
        let settlement = if delivered == 0 {
            Settlement::TooLate
        } else {
            Settlement::Settled
        };
        if owed.0 > 0 || delivered == 0 {
            let owed = if delivered == 0 { amount } else { owed };
            let status = if delivered == 0 {
                PaymentStatus::RefundDue
            } else {
                PaymentStatus::Paid
            };
            payment::Entity::update_many()
                .col_expr(payment::Column::Status, Expr::value(status.as_str()))
                .col_expr(payment::Column::RefundDueFen, Expr::value(owed.0))
                .filter(payment::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(settlement)
    }

    /// Payments that owe their buyer money, within `region` (one of their orders is from a
    /// shop there), oldest first, `limit` after `after_id` (keyset paging).
    pub async fn payments_owing(
        &self,
        region: &farmgate_domain::regions::RegionPath,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<Payment>> {
        let region_path = region.as_str();
        use crate::regions::entity as region;
        use crate::shops::entity::shop;
        use sea_orm::sea_query::Query;
        let checkouts = Query::select()
            .column((order::Entity, order::Column::CheckoutId))
            .from(order::Entity)
            .inner_join(
                shop::Entity,
                Expr::col((shop::Entity, shop::Column::Id))
                    .equals((order::Entity, order::Column::ShopId)),
            )
            .inner_join(
                region::Entity,
                Expr::col((region::Entity, region::Column::Id))
                    .equals((shop::Entity, shop::Column::VillageId)),
            )
            .and_where(
                Expr::col((region::Entity, region::Column::Path)).like(format!("{}%", region_path)),
            )
            .to_owned();
        payment::Entity::find()
            .filter(payment::Column::RefundDueFen.gt(0))
            .filter(payment::Column::Id.gt(after_id))
            .filter(payment::Column::CheckoutId.in_subquery(checkouts))
            .order_by_asc(payment::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Payment::try_from)
            .collect()
    }

    /// Records that `amount` of what payment `id` owes was paid back (the gateway's
    /// `refund_ref`). Refused (`PaymentRefusal::NothingOwed`) when it owes less than that: two clicks pay
    /// back once.
    pub async fn record_refund(&self, id: i64, amount: Fen, refund_ref: &str) -> Result<Payment> {
        let txn = self.begin_write().await?;
        let moved = payment::Entity::update_many()
            .col_expr(
                payment::Column::RefundDueFen,
                Expr::col(payment::Column::RefundDueFen).sub(amount.0),
            )
            .col_expr(
                payment::Column::RefundedFen,
                Expr::col(payment::Column::RefundedFen).add(amount.0),
            )
            .col_expr(payment::Column::RefundRef, Expr::value(refund_ref))
            .filter(payment::Column::Id.eq(id))
            .filter(payment::Column::RefundDueFen.gte(amount.0))
            .filter(payment::Column::RefundDueFen.gt(0))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            return Err(Error::Payment(
                farmgate_domain::orders::PaymentRefusal::NothingOwed,
            ));
        }
        // A payment that owed everything and has paid it all back is refunded.
        payment::Entity::update_many()
            .col_expr(
                payment::Column::Status,
                Expr::value(PaymentStatus::Refunded.as_str()),
            )
            .filter(payment::Column::Id.eq(id))
            .filter(payment::Column::RefundDueFen.eq(0))
            .filter(payment::Column::Status.is_in([
                PaymentStatus::RefundDue.as_str(),
                PaymentStatus::PaidLate.as_str(),
            ]))
            .exec(&txn)
            .await?;
        let row = payment::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        txn.commit().await?;
        row.try_into()
    }

    /// Expires online payments still pending at `now` past their deadline, at most `limit` of
    /// them: their orders are cancelled and the stock returns. Returns the payments expired.
    pub async fn expire_unpaid(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<i64>> {
        let due = payment::Entity::find()
            .filter(payment::Column::Status.eq(PaymentStatus::Pending.as_str()))
            .filter(payment::Column::ExpiresAt.lt(now))
            .order_by_asc(payment::Column::ExpiresAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        let mut expired = Vec::new();
        for row in due {
            let txn = self.begin_write().await?;
            let moved = payment::Entity::update_many()
                .col_expr(
                    payment::Column::Status,
                    Expr::value(PaymentStatus::Expired.as_str()),
                )
                .col_expr(payment::Column::SettledAt, Expr::value(now))
                .filter(payment::Column::Id.eq(row.id))
                .filter(payment::Column::Status.eq(PaymentStatus::Pending.as_str()))
                .exec(&txn)
                .await?;
            if moved.rows_affected == 0 {
                continue;
            }
            let orders = order::Entity::find()
                .filter(order::Column::CheckoutId.eq(&row.checkout_id))
                .filter(order::Column::Status.eq(OrderStatus::Placed.as_str()))
                .all(&txn)
                .await?;
            for o in orders {
                let cancelled = advance_in(
                    &txn,
                    o.id,
                    OrderEvent::Cancel,
                    None,
                    Some("payment-expired".to_owned()),
                )
                .await;
                match cancelled {
                    // The buyer cancelled it a moment ago: nothing left to do.
                    Ok(_) | Err(Error::OrderState) => {}
                    Err(other) => return Err(other),
                }
            }
            txn.commit().await?;
            expired.push(row.id);
        }
        Ok(expired)
    }
}
