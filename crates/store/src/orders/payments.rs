//! Payments: one per checkout, covering all of its orders. Cash is due at the station or the
//! door; an online payment is pending until the gateway confirms it, and expires (cancelling
//! its orders, which puts the stock back on sale) if it does not come in time.

use chrono::{DateTime, Utc};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderEvent, OrderStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
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
    /// The gateway confirmed after the payment had expired: the money must go back.
    PaidLate,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Due => "due",
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Expired => "expired",
            PaymentStatus::PaidLate => "paid_late",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentStatus> {
        [
            PaymentStatus::Due,
            PaymentStatus::Pending,
            PaymentStatus::Paid,
            PaymentStatus::Expired,
            PaymentStatus::PaidLate,
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
}

impl TryFrom<payment::Model> for Payment {
    type Error = Error;

    fn try_from(row: payment::Model) -> Result<Payment> {
        Ok(Payment {
            status: PaymentStatus::parse(&row.status).ok_or_else(|| {
                Error::Config(format!("payment {} has an unknown status", row.id))
            })?,
            id: row.id,
            checkout_id: row.checkout_id,
            buyer_id: row.buyer_id,
            provider: row.provider,
            amount: Fen(row.amount_fen),
            gateway_ref: row.gateway_ref,
            created_at: row.created_at,
            expires_at: row.expires_at,
            settled_at: row.settled_at,
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
    /// It came after the payment expired and its orders were cancelled: recorded for refund.
    TooLate,
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
    /// is refused (`Conflict { field: "amount" }`) and changes nothing.
    pub async fn settle_payment(
        &self,
        id: i64,
        amount: Fen,
        gateway_ref: &str,
    ) -> Result<Settlement> {
        let txn = self.db.begin().await?;
        let row = payment::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if row.amount_fen != amount.0 {
            return Err(Error::Conflict { field: "amount" });
        }
        let status = PaymentStatus::parse(&row.status)
            .ok_or_else(|| Error::Config(format!("payment {id} has an unknown status")))?;
        let now = Utc::now();
        let (next, settlement) = match status {
            PaymentStatus::Paid | PaymentStatus::PaidLate => {
                return Ok(Settlement::AlreadySettled);
            }
            PaymentStatus::Due => return Err(Error::InvalidState),
            PaymentStatus::Expired => (PaymentStatus::PaidLate, Settlement::TooLate),
            PaymentStatus::Pending => (PaymentStatus::Paid, Settlement::Settled),
        };
        let moved = payment::Entity::update_many()
            .col_expr(payment::Column::Status, Expr::value(next.as_str()))
            .col_expr(payment::Column::GatewayRef, Expr::value(gateway_ref))
            .col_expr(payment::Column::SettledAt, Expr::value(now))
            .filter(payment::Column::Id.eq(id))
            .filter(payment::Column::Status.eq(status.as_str()))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            // Another confirmation got there first.
            return Ok(Settlement::AlreadySettled);
        }
        if settlement == Settlement::Settled {
            let orders = order::Entity::find()
                .filter(order::Column::CheckoutId.eq(&row.checkout_id))
                .filter(order::Column::Status.eq(OrderStatus::Placed.as_str()))
                .all(&txn)
                .await?;
            for o in orders {
                advance_in(
                    &txn,
                    o.id,
                    OrderEvent::Pay,
                    None,
                    Some(gateway_ref.to_owned()),
                )
                .await?;
            }
        }
        txn.commit().await?;
        Ok(settlement)
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
            let txn = self.db.begin().await?;
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
                advance_in(
                    &txn,
                    o.id,
                    OrderEvent::Cancel,
                    None,
                    Some("payment-expired".to_owned()),
                )
                .await?;
            }
            txn.commit().await?;
            expired.push(row.id);
        }
        Ok(expired)
    }
}
