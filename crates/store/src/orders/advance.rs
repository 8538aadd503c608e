//! Moving an order along its state machine, with what each step changes.

use chrono::Utc;
use farmgate_domain::catalog::{PricePolicy, StockReason, settle_line_price};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderEvent, OrderKind, OrderStatus, PaymentMethod};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

use super::entity::{event, line, order};
use super::{Order, assemble};
use crate::catalog::entity::variant;
use crate::catalog::{Mover, movement_row};
use crate::{Error, Result, Store};

const TOO_LARGE: Error = Error::Invalid(farmgate_domain::ValidationError::new(
    "packed_grams",
    "amount-too-large",
));

fn kind_of(row: &order::Model) -> Result<OrderKind> {
    use farmgate_domain::orders::Fulfilment;
    Ok(OrderKind {
        fulfilment: Fulfilment::parse(&row.fulfilment).ok_or_else(|| super::corrupt(row.id))?,
        payment: PaymentMethod::parse(&row.payment_method).ok_or_else(|| super::corrupt(row.id))?,
    })
}

/// Splits the parcel's weight over the lines in proportion to what each ordered, so each
/// line's price can follow its share.
fn shares(lines: &[line::Model], packed_grams: i64) -> Vec<i64> {
    let ordered: Vec<i64> = lines
        .iter()
        .map(|l| l.net_grams.unwrap_or(0) * i64::from(l.quantity))
        .collect();
    let total: i64 = ordered.iter().sum();
    if total <= 0 {
        return vec![0; lines.len()];
    }
    ordered
        .iter()
        .map(|o| (i128::from(packed_grams) * i128::from(*o) / i128::from(total)) as i64)
        .collect()
}

impl Store {
    /// Applies `event` to order `id` if its state allows it, recording who did it. Packing
    /// records the weight and settles each line's price by its policy; cancelling returns the
    /// stock. Two people acting at once: the second finds the state moved on (`OrderState`).
    /// Refund requests move only through their own steps (`ask_refund`, `answer_refund`).
    pub async fn advance_order(
        &self,
        id: i64,
        event: OrderEvent,
        actor_id: i64,
        note: Option<String>,
    ) -> Result<Order> {
        let txn = self.begin_write().await?;
        if matches!(
            event,
            OrderEvent::RequestRefund
                | OrderEvent::RefundPart
                | OrderEvent::Refund
                | OrderEvent::RejectRefund
        ) {
            let status = order::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?
                .status;
            if status != OrderStatus::CancelRequested.as_str() {
                return Err(Error::OrderState);
            }
        }
        let updated = advance_in(&txn, id, event, Some(actor_id), note).await?;
        let order = assemble(&txn, vec![updated])
            .await?
            .pop()
            .ok_or(Error::NotFound)?;
        txn.commit().await?;
        Ok(order)
    }
}

/// One step of one order inside the caller's transaction; `actor_id` is `None` when FarmGate
/// itself acts (a payment confirmed by the gateway, an unpaid order timing out).
pub(crate) async fn advance_in(
    txn: &DatabaseTransaction,
    id: i64,
    event: OrderEvent,
    actor_id: Option<i64>,
    note: Option<String>,
) -> Result<order::Model> {
    let row = order::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    let from = OrderStatus::parse(&row.status).ok_or_else(|| super::corrupt(id))?;
    let to = kind_of(&row)?
        .next(from, event)
        .map_err(|_| Error::OrderState)?;
    let now = Utc::now();
    let moved = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(to.as_str()))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.eq(from.as_str()))
        .exec(txn)
        .await?;
    if moved.rows_affected == 0 {
        return Err(Error::OrderState);
    }
    let lines = line::Entity::find()
        .filter(line::Column::OrderId.eq(id))
        .all(txn)
        .await?;
    crate::stations::parcels::follow_order(txn, &row, event, actor_id, now).await?;
    match event {
        OrderEvent::Pack { packed_grams } => settle_packed(txn, &row, &lines, packed_grams).await?,
        // Goods that never left the shop go back on sale: a cancelled order, or a paid one
        // whose cancel the shop granted.
        OrderEvent::Cancel | OrderEvent::Refund | OrderEvent::ReturnUncollected
            if to == OrderStatus::Cancelled || from == OrderStatus::CancelRequested =>
        {
            let returned = Mover {
                reason: StockReason::Cancelled,
                actor_id,
                note: "",
            };
            for l in &lines {
                variant::Entity::update_many()
                    .col_expr(
                        variant::Column::Stock,
                        Expr::col(variant::Column::Stock).add(i64::from(l.quantity)),
                    )
                    .filter(variant::Column::Id.eq(l.variant_id))
                    .exec(txn)
                    .await?;
                let key = (row.shop_id, l.product_id, l.variant_id);
                movement_row(key, i64::from(l.quantity), returned, Some(id), now)
                    .insert(txn)
                    .await?;
            }
        }
        _ => {}
    }
    if to == OrderStatus::Refunded
        && from == OrderStatus::CancelRequested
        && kind_of(&row)?.payment == PaymentMethod::Online
    {
        // The buyer cancelled a paid order and the shop agreed: the gateway took this order's
        // money, so it is owed back, and the centre sees it. (A refund request owes what was
        // granted: `answer_refund`.)
        super::entity::payment::Entity::update_many()
            .col_expr(
                super::entity::payment::Column::RefundDueFen,
                Expr::col(super::entity::payment::Column::RefundDueFen).add(row.total_fen),
            )
            .filter(super::entity::payment::Column::CheckoutId.eq(&row.checkout_id))
            .exec(txn)
            .await?;
    }
    event::ActiveModel {
        order_id: Set(id),
        status: Set(to.as_str().to_owned()),
        actor_id: Set(actor_id),
        note: Set(note),
        at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    order::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)
}

/// Packing weighs the parcel: each line's packed share, its price settled by its policy, and
/// the order's goods and total from them (checked).
async fn settle_packed(
    txn: &DatabaseTransaction,
    row: &order::Model,
    lines: &[line::Model],
    packed_grams: i64,
) -> Result<()> {
    let mut goods = Fen(0);
    for (l, share) in lines.iter().zip(shares(lines, packed_grams)) {
        let tolerance_bp = u32::try_from(l.tolerance_bp).unwrap_or(0);
        let policy = PricePolicy::from_stored(&l.price_policy, tolerance_bp)
            .ok_or_else(|| Error::Corrupt(format!("order line {} has no price policy", l.id)))?;
        let quantity = u32::try_from(l.quantity).unwrap_or(0);
        let price = settle_line_price(
            Fen(l.unit_price_fen),
            quantity,
            l.net_grams.unwrap_or(0),
            share,
            policy,
        );
        goods = goods.checked_add(price).ok_or(TOO_LARGE)?;
        let mut active: line::ActiveModel = l.clone().into();
        active.packed_grams = Set(Some(share));
        active.line_fen = Set(price.0);
        active.update(txn).await?;
    }
    order::Entity::update_many()
        .col_expr(order::Column::GoodsFen, Expr::value(goods.0))
        .col_expr(
            order::Column::TotalFen,
            Expr::value(goods.checked_add(Fen(row.shipping_fen)).ok_or(TOO_LARGE)?.0),
        )
        .filter(order::Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    Ok(())
}
