//! Refund requests (domain rules in `farmgate_domain::orders::refund`): asked by the buyer for
//! a delivered or collected order, answered by the shop or the county's centre, paid back
//! through the payment's provider or in cash at the station, and the goods' return to the
//! shelf. Every step is a conditional update on the request's status, so two people (or a
//! gateway repeating its notification) acting at once change it once.

use chrono::{DateTime, Utc};
use farmgate_domain::catalog::StockReason;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::refund::{
    CENTRE_AFTER_DAYS, RefundReason, RefundStatus, check_granted, line_share,
};
use farmgate_domain::orders::{Fulfilment, OrderEvent, OrderStatus, PaymentMethod};
use farmgate_domain::regions::RegionPath;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::advance::advance_in;
use super::entity::{line, order, payment, refund_line, refund_photo, refund_request};
use crate::catalog::entity::variant;
use crate::catalog::{Mover, movement_row};
use crate::{Error, Result, Store};

/// What a buyer asks.
#[derive(Debug, Clone)]
pub struct RefundAsk {
    pub order_id: i64,
    pub buyer_id: i64,
    pub reason: RefundReason,
    pub note: String,
    /// (variant, quantity) of the lines asked for; empty for the whole order.
    pub lines: Vec<(i64, u32)>,
}

/// The most photos a refund request carries.
pub const MAX_REFUND_PHOTOS: u64 = 3;

/// A shop's (or the centre's) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAnswer {
    /// Pay back this much (all that was asked, or a part).
    Accept {
        amount: Fen,
    },
    Decline {
        reason: String,
    },
}

/// Who answers: the shop's member, or the county's centre (on a dispute, or for a shop that
/// let three days pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answerer {
    Shop(i64),
    Centre(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundLine {
    pub variant_id: i64,
    pub product_id: i64,
    pub name: String,
    pub unit: String,
    pub quantity: u32,
    pub amount: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundRequest {
    pub id: i64,
    pub order_id: i64,
    pub buyer_id: i64,
    pub shop_id: i64,
    pub reason: RefundReason,
    pub note: String,
    pub status: RefundStatus,
    pub asked: Fen,
    pub granted: Fen,
    pub decline_reason: String,
    pub decided_by: Option<i64>,
    pub decided_by_centre: bool,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub disputed_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_ref: Option<String>,
    pub paid_by: Option<i64>,
    pub returned_at: Option<DateTime<Utc>>,
    /// The order is paid online (the money goes back through the provider) or in cash.
    pub payment: PaymentMethod,
    pub lines: Vec<RefundLine>,
    pub photos: Vec<String>,
}

/// A shop's takings over a period: what its orders brought in, what went back, and the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShopTakings {
    pub orders: u64,
    pub sales: Fen,
    pub refunded: Fen,
    pub net: Fen,
    /// Of those, what the centre's showroom till sold (orders, sales).
    pub showroom: (u64, Fen),
}

fn corrupt(id: i64) -> Error {
    crate::error::corrupt("refund request", id)
}

fn too_large() -> Error {
    Error::Invalid(farmgate_domain::ValidationError::new(
        "amount",
        "amount-too-large",
    ))
}

/// A line asked for: the order's line, how many of it, and what they bring back.
type Picked = (line::Model, u32, Fen);

/// The lines asked for, with the most each may bring back; the whole order when none are named.
fn asked_lines(
    order: &order::Model,
    lines: &[line::Model],
    wanted: &[(i64, u32)],
) -> Result<(Vec<Picked>, Fen)> {
    let invalid = || {
        Error::Invalid(farmgate_domain::ValidationError::new(
            "lines",
            "refund-lines-invalid",
        ))
    };
    let whole = wanted.is_empty()
        || lines.iter().all(|l| {
            wanted
                .iter()
                .any(|(v, q)| *v == l.variant_id && i64::from(*q) == i64::from(l.quantity))
        });
    if whole {
        let all = lines
            .iter()
            .map(|l| {
                let quantity = u32::try_from(l.quantity).unwrap_or(0);
                (l.clone(), quantity, Fen(l.line_fen))
            })
            .collect();
        return Ok((all, Fen(order.total_fen)));
    }
    let mut picked = Vec::new();
    let mut asked = Fen(0);
    for (variant, quantity) in wanted {
        let l = lines
            .iter()
            .find(|l| l.variant_id == *variant)
            .ok_or_else(invalid)?;
        if picked.iter().any(|(p, _, _): &Picked| p.id == l.id) {
            return Err(invalid());
        }
        let ordered = u32::try_from(l.quantity).unwrap_or(0);
        let share = line_share(Fen(l.line_fen), ordered, *quantity).ok_or_else(invalid)?;
        asked = asked.checked_add(share).ok_or_else(too_large)?;
        picked.push((l.clone(), *quantity, share));
    }
    if asked.0 <= 0 {
        return Err(invalid());
    }
    Ok((picked, asked))
}

impl Store {
    /// Opens the buyer's refund request for a delivered or collected order (the order moves to
    /// "refund requested"). One request per order (`Conflict { field: "order" }`); another
    /// buyer's order is not found.
    pub async fn ask_refund(&self, ask: RefundAsk) -> Result<RefundRequest> {
        let txn = self.begin_write().await?;
        let order = order::Entity::find_by_id(ask.order_id)
            .one(&txn)
            .await?
            .filter(|o| o.buyer_id == ask.buyer_id)
            .ok_or(Error::NotFound)?;
        let taken = refund_request::Entity::find()
            .filter(refund_request::Column::OrderId.eq(order.id))
            .one(&txn)
            .await?;
        if taken.is_some() {
            return Err(Error::Conflict { field: "order" });
        }
        let lines = line::Entity::find()
            .filter(line::Column::OrderId.eq(order.id))
            .order_by_asc(line::Column::Id)
            .all(&txn)
            .await?;
        let (picked, asked) = asked_lines(&order, &lines, &ask.lines)?;
        advance_in(
            &txn,
            order.id,
            OrderEvent::RequestRefund,
            Some(ask.buyer_id),
            Some(ask.reason.as_str().to_owned()),
        )
        .await?;
        let row = refund_request::ActiveModel {
            order_id: Set(order.id),
            buyer_id: Set(ask.buyer_id),
            shop_id: Set(order.shop_id),
            reason: Set(ask.reason.as_str().to_owned()),
            note: Set(ask.note),
            status: Set(RefundStatus::Requested.as_str().to_owned()),
            asked_fen: Set(asked.0),
            granted_fen: Set(0),
            decline_reason: Set(String::new()),
            decided_by_centre: Set(false),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for (l, quantity, amount) in picked {
            refund_line::ActiveModel {
                refund_id: Set(row.id),
                order_line_id: Set(l.id),
                quantity: Set(i32::try_from(quantity).unwrap_or(i32::MAX)),
                amount_fen: Set(amount.0),
            }
            .insert(&txn)
            .await?;
        }
        let request = load(&txn, row).await?;
        txn.commit().await?;
        Ok(request)
    }

    /// Answers request `id`. The shop answers a request waiting for it; the centre answers a
    /// dispute, or a request the shop left for `CENTRE_AFTER_DAYS`. Accepting moves the order
    /// to refunded (all of it) or back to completed (a part); the request then waits for the
    /// money to go back (`refund_paid`). A shop's refusal can be disputed once; the centre's
    /// is final. Someone answered first: `AlreadyDecided`.
    pub async fn answer_refund(
        &self,
        id: i64,
        answer: RefundAnswer,
        by: Answerer,
        now: DateTime<Utc>,
    ) -> Result<RefundRequest> {
        let txn = self.begin_write().await?;
        let row = refund_request::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let status = RefundStatus::parse(&row.status).ok_or_else(|| corrupt(id))?;
        let (actor, centre) = match by {
            Answerer::Shop(actor) => (actor, false),
            Answerer::Centre(actor) => (actor, true),
        };
        let answerable = match by {
            Answerer::Shop(_) => status == RefundStatus::Requested,
            Answerer::Centre(_) => {
                status == RefundStatus::Disputed
                    || (status == RefundStatus::Requested
                        && row.created_at <= now - chrono::Duration::days(CENTRE_AFTER_DAYS))
            }
        };
        if !answerable {
            return Err(Error::AlreadyDecided);
        }
        let order = order::Entity::find_by_id(row.order_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let (to, granted, decline_reason, event, note) = match answer {
            RefundAnswer::Accept { amount } => {
                let granted = check_granted(Fen(row.asked_fen), amount)?;
                let event = if granted.0 >= order.total_fen {
                    OrderEvent::Refund
                } else {
                    OrderEvent::RefundPart
                };
                let note = granted.display_yuan();
                (RefundStatus::Accepted, granted, String::new(), event, note)
            }
            RefundAnswer::Decline { reason } => {
                let to = if centre {
                    RefundStatus::Closed
                } else {
                    RefundStatus::Declined
                };
                (to, Fen(0), reason.clone(), OrderEvent::RejectRefund, reason)
            }
        };
        let moved = refund_request::Entity::update_many()
            .col_expr(refund_request::Column::Status, Expr::value(to.as_str()))
            .col_expr(refund_request::Column::GrantedFen, Expr::value(granted.0))
            .col_expr(
                refund_request::Column::DeclineReason,
                Expr::value(decline_reason),
            )
            .col_expr(refund_request::Column::DecidedBy, Expr::value(actor))
            .col_expr(refund_request::Column::DecidedByCentre, Expr::value(centre))
            .col_expr(refund_request::Column::DecidedAt, Expr::value(now))
            .filter(refund_request::Column::Id.eq(id))
            .filter(refund_request::Column::Status.eq(status.as_str()))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            return Err(Error::AlreadyDecided);
        }
        advance_in(&txn, order.id, event, Some(actor), Some(note)).await?;
        let request = reload(&txn, id).await?;
        txn.commit().await?;
        Ok(request)
    }

    /// Adds the photo `hash` (stored already) to the buyer's open request: what arrived broken,
    /// the wrong item. At most `MAX_REFUND_PHOTOS` (`Conflict { field: "photo" }`); the same
    /// picture twice is kept once; a decided request takes no more (`AlreadyDecided`).
    pub async fn add_refund_photo(&self, id: i64, buyer_id: i64, hash: &str) -> Result<()> {
        let txn = self.begin_write().await?;
        let row = refund_request::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .filter(|r| r.buyer_id == buyer_id)
            .ok_or(Error::NotFound)?;
        let status = RefundStatus::parse(&row.status).ok_or_else(|| corrupt(id))?;
        if !(status.is_open() || status == RefundStatus::Declined) {
            return Err(Error::AlreadyDecided);
        }
        let photos = refund_photo::Entity::find()
            .filter(refund_photo::Column::RefundId.eq(id))
            .all(&txn)
            .await?;
        if photos.iter().any(|p| p.hash == hash) {
            return Ok(());
        }
        if photos.len() as u64 >= MAX_REFUND_PHOTOS {
            return Err(Error::Conflict { field: "photo" });
        }
        let position = photos.iter().map(|p| p.position + 1).max().unwrap_or(0);
        refund_photo::ActiveModel {
            refund_id: Set(id),
            hash: Set(hash.to_owned()),
            position: Set(position),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The buyer takes the shop's refusal to the county's centre (once): the order waits for
    /// the centre's answer.
    pub async fn dispute_refund(&self, id: i64, buyer_id: i64) -> Result<RefundRequest> {
        let txn = self.begin_write().await?;
        let row = refund_request::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .filter(|r| r.buyer_id == buyer_id)
            .ok_or(Error::NotFound)?;
        let moved = refund_request::Entity::update_many()
            .col_expr(
                refund_request::Column::Status,
                Expr::value(RefundStatus::Disputed.as_str()),
            )
            .col_expr(refund_request::Column::DisputedAt, Expr::value(Utc::now()))
            .filter(refund_request::Column::Id.eq(id))
            .filter(refund_request::Column::Status.eq(RefundStatus::Declined.as_str()))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            return Err(Error::AlreadyDecided);
        }
        advance_in(
            &txn,
            row.order_id,
            OrderEvent::RequestRefund,
            Some(buyer_id),
            Some("disputed".to_owned()),
        )
        .await?;
        let request = reload(&txn, id).await?;
        txn.commit().await?;
        Ok(request)
    }

    /// Records that the accepted refund `id` of `amount` is back with the buyer: through the
    /// provider (`paid_ref` is its reference; the payment's owed amount moves to refunded) or
    /// in cash by `paid_by`. `None` when it had been recorded already: a provider repeating
    /// its notification pays once. Another amount than was granted is refused.
    pub async fn refund_paid(
        &self,
        id: i64,
        amount: Fen,
        paid_ref: &str,
        paid_by: Option<i64>,
    ) -> Result<Option<RefundRequest>> {
        let txn = self.begin_write().await?;
        let row = refund_request::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if row.granted_fen != amount.0 {
            return Err(Error::Conflict { field: "amount" });
        }
        let moved = refund_request::Entity::update_many()
            .col_expr(
                refund_request::Column::Status,
                Expr::value(RefundStatus::Paid.as_str()),
            )
            .col_expr(refund_request::Column::PaidAt, Expr::value(Utc::now()))
            .col_expr(refund_request::Column::PaidRef, Expr::value(paid_ref))
            .col_expr(refund_request::Column::PaidBy, Expr::value(paid_by))
            .filter(refund_request::Column::Id.eq(id))
            .filter(refund_request::Column::Status.eq(RefundStatus::Accepted.as_str()))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            return Ok(None);
        }
        let order = order::Entity::find_by_id(row.order_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if order.payment_method == PaymentMethod::Online.as_str() {
            pay_back_on_payment(&txn, &order.checkout_id, amount, paid_ref).await?;
        } else if let (Some(station_id), Some(_)) = (order.station_id, paid_by) {
            // Paid back in cash at the station it was collected from: out of its till.
            crate::stations::till::record(
                &txn,
                crate::stations::till::Movement {
                    station_id,
                    kind: farmgate_domain::stations::till::CashKind::RefundPaid,
                    amount: Fen(-amount.0),
                    order_id: Some(order.id),
                    parcel_id: None,
                    actor_id: paid_by,
                    note: None,
                },
                Utc::now(),
            )
            .await?;
        }
        let request = reload(&txn, id).await?;
        txn.commit().await?;
        Ok(Some(request))
    }

    /// The refunded goods came back to the shop: their units go back on the shelf once (a
    /// `returned` stock movement per line). Only for an accepted or paid refund.
    pub async fn refund_goods_returned(&self, id: i64, actor_id: i64) -> Result<RefundRequest> {
        let txn = self.begin_write().await?;
        let now = Utc::now();
        let moved = refund_request::Entity::update_many()
            .col_expr(refund_request::Column::ReturnedAt, Expr::value(now))
            .filter(refund_request::Column::Id.eq(id))
            .filter(refund_request::Column::ReturnedAt.is_null())
            .filter(
                refund_request::Column::Status
                    .is_in([RefundStatus::Accepted.as_str(), RefundStatus::Paid.as_str()]),
            )
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            return Err(Error::AlreadyDecided);
        }
        let request = reload(&txn, id).await?;
        let mover = Mover {
            reason: StockReason::Returned,
            actor_id: Some(actor_id),
            note: "",
        };
        for l in &request.lines {
            variant::Entity::update_many()
                .col_expr(
                    variant::Column::Stock,
                    Expr::col(variant::Column::Stock).add(i64::from(l.quantity)),
                )
                .filter(variant::Column::Id.eq(l.variant_id))
                .exec(&txn)
                .await?;
            let key = (request.shop_id, l.product_id, l.variant_id);
            movement_row(
                key,
                i64::from(l.quantity),
                mover,
                Some(request.order_id),
                now,
            )
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(request)
    }

    pub async fn refund_request(&self, id: i64) -> Result<RefundRequest> {
        let row = refund_request::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        load(&self.db, row).await
    }

    /// The refund request of order `order_id`, if there is one.
    pub async fn refund_of_order(&self, order_id: i64) -> Result<Option<RefundRequest>> {
        let row = refund_request::Entity::find()
            .filter(refund_request::Column::OrderId.eq(order_id))
            .one(&self.db)
            .await?;
        match row {
            Some(row) => Ok(Some(load(&self.db, row).await?)),
            None => Ok(None),
        }
    }

    /// A shop's refund requests, newest first, `limit` before `before_id` (0: from the newest),
    /// of the given statuses (all when empty).
    pub async fn refunds_of_shop(
        &self,
        shop_id: i64,
        statuses: &[RefundStatus],
        before_id: i64,
        limit: u64,
    ) -> Result<Vec<RefundRequest>> {
        let mut query = refund_request::Entity::find()
            .filter(refund_request::Column::ShopId.eq(shop_id))
            .order_by_desc(refund_request::Column::Id)
            .limit(limit);
        if before_id > 0 {
            query = query.filter(refund_request::Column::Id.lt(before_id));
        }
        if !statuses.is_empty() {
            query = query
                .filter(refund_request::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
        }
        load_all(&self.db, query.all(&self.db).await?).await
    }

    /// What the county's centre must decide within `region`: disputes, and requests their shop
    /// left unanswered for `CENTRE_AFTER_DAYS`; oldest first, `limit` after `after_id`.
    pub async fn refunds_for_centre(
        &self,
        region: &RegionPath,
        now: DateTime<Utc>,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<RefundRequest>> {
        let due = Condition::any()
            .add(refund_request::Column::Status.eq(RefundStatus::Disputed.as_str()))
            .add(
                Condition::all()
                    .add(refund_request::Column::Status.eq(RefundStatus::Requested.as_str()))
                    .add(
                        refund_request::Column::CreatedAt
                            .lte(now - chrono::Duration::days(CENTRE_AFTER_DAYS)),
                    ),
            );
        let rows = refund_request::Entity::find()
            .filter(due)
            .filter(refund_request::Column::ShopId.in_subquery(shops_in(region)))
            .filter(refund_request::Column::Id.gt(after_id))
            .order_by_asc(refund_request::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        load_all(&self.db, rows).await
    }

    /// Accepted cash refunds waiting to be paid at stations within `region` (whose operators
    /// pay them), oldest first, `limit` after `after_id`.
    pub async fn cash_refunds_at_stations(
        &self,
        region: &RegionPath,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<RefundRequest>> {
        use crate::regions::entity as regions;
        use crate::stations::entity::station;
        let stations = Query::select()
            .column((station::Entity, station::Column::Id))
            .from(station::Entity)
            .inner_join(
                regions::Entity,
                Expr::col((regions::Entity, regions::Column::Id))
                    .equals((station::Entity, station::Column::RegionId)),
            )
            .and_where(
                Expr::col((regions::Entity, regions::Column::Path))
                    .like(format!("{}%", region.as_str())),
            )
            .to_owned();
        let orders = Query::select()
            .column(order::Column::Id)
            .from(order::Entity)
            .and_where(order::Column::PaymentMethod.eq(PaymentMethod::Cash.as_str()))
            .and_where(order::Column::StationId.in_subquery(stations))
            .to_owned();
        let rows = refund_request::Entity::find()
            .filter(refund_request::Column::Status.eq(RefundStatus::Accepted.as_str()))
            .filter(refund_request::Column::OrderId.in_subquery(orders))
            .filter(refund_request::Column::Id.gt(after_id))
            .order_by_asc(refund_request::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        load_all(&self.db, rows).await
    }

    /// Shop `shop_id`'s takings for orders placed in `[from, to)`: orders not cancelled, their
    /// totals, and the refunds granted on them.
    pub async fn shop_takings(
        &self,
        shop_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ShopTakings> {
        let in_period = Condition::all()
            .add(order::Column::ShopId.eq(shop_id))
            .add(order::Column::PlacedAt.gte(from))
            .add(order::Column::PlacedAt.lt(to))
            .add(order::Column::Status.ne(OrderStatus::Cancelled.as_str()));
        let sold: Option<(i64, Option<i64>)> = order::Entity::find()
            .select_only()
            .column_as(order::Column::Id.count(), "orders")
            .column_as(order::Column::TotalFen.sum().cast_as("BIGINT"), "sales")
            .filter(in_period.clone())
            .into_tuple()
            .one(&self.db)
            .await?;
        let (orders, sales) = sold.unwrap_or((0, None));
        let at_counter: Option<(i64, Option<i64>)> = order::Entity::find()
            .select_only()
            .column_as(order::Column::Id.count(), "orders")
            .column_as(order::Column::TotalFen.sum().cast_as("BIGINT"), "sales")
            .filter(in_period.clone())
            .filter(order::Column::Fulfilment.eq(Fulfilment::Counter.as_str()))
            .into_tuple()
            .one(&self.db)
            .await?;
        let (counter_orders, counter_sales) = at_counter.unwrap_or((0, None));
        let ids = Query::select()
            .column(order::Column::Id)
            .from(order::Entity)
            .cond_where(in_period)
            .to_owned();
        let refunded: Option<Option<i64>> = refund_request::Entity::find()
            .select_only()
            .column_as(
                refund_request::Column::GrantedFen.sum().cast_as("BIGINT"),
                "refunded",
            )
            .filter(refund_request::Column::OrderId.in_subquery(ids))
            .filter(
                refund_request::Column::Status
                    .is_in([RefundStatus::Accepted.as_str(), RefundStatus::Paid.as_str()]),
            )
            .into_tuple()
            .one(&self.db)
            .await?;
        let sales = Fen(sales.unwrap_or(0));
        let refunded = Fen(refunded.flatten().unwrap_or(0));
        Ok(ShopTakings {
            orders: u64::try_from(orders).unwrap_or(0),
            sales,
            refunded,
            net: sales.checked_sub(refunded).ok_or_else(too_large)?,
            showroom: (
                u64::try_from(counter_orders).unwrap_or(0),
                Fen(counter_sales.unwrap_or(0)),
            ),
        })
    }
}

/// The shops whose village is within `region`.
fn shops_in(region: &RegionPath) -> sea_orm::sea_query::SelectStatement {
    use crate::regions::entity as regions;
    use crate::shops::entity::shop;
    Query::select()
        .column((shop::Entity, shop::Column::Id))
        .from(shop::Entity)
        .inner_join(
            regions::Entity,
            Expr::col((regions::Entity, regions::Column::Id))
                .equals((shop::Entity, shop::Column::VillageId)),
        )
        .and_where(
            Expr::col((regions::Entity, regions::Column::Path))
                .like(format!("{}%", region.as_str())),
        )
        .to_owned()
}

/// The checkout's payment paid `amount` back for a refund request: more refunded, the
/// provider's reference kept; a payment with everything paid back is refunded. (What a payment
/// owes for cancelled orders, `refund_due`, is the centre's and moves with `record_refund`.)
async fn pay_back_on_payment(
    txn: &DatabaseTransaction,
    checkout_id: &str,
    amount: Fen,
    paid_ref: &str,
) -> Result<()> {
    payment::Entity::update_many()
        .col_expr(
            payment::Column::RefundedFen,
            Expr::col(payment::Column::RefundedFen).add(amount.0),
        )
        .col_expr(payment::Column::RefundRef, Expr::value(paid_ref))
        .filter(payment::Column::CheckoutId.eq(checkout_id))
        .exec(txn)
        .await?;
    payment::Entity::update_many()
        .col_expr(
            payment::Column::Status,
            Expr::value(super::PaymentStatus::Refunded.as_str()),
        )
        .filter(payment::Column::CheckoutId.eq(checkout_id))
        .filter(Expr::col(payment::Column::RefundedFen).gte(Expr::col(payment::Column::AmountFen)))
        .exec(txn)
        .await?;
    Ok(())
}

/// Request `id` as it stands inside `txn` (after a step changed it).
async fn reload(txn: &DatabaseTransaction, id: i64) -> Result<RefundRequest> {
    let row = refund_request::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    load(txn, row).await
}

async fn load<C: ConnectionTrait>(conn: &C, row: refund_request::Model) -> Result<RefundRequest> {
    load_all(conn, vec![row])
        .await?
        .pop()
        .ok_or(Error::NotFound)
}

/// Requests with their lines (named as ordered) and photos: three queries for all of them.
async fn load_all<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<refund_request::Model>,
) -> Result<Vec<RefundRequest>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let order_ids: Vec<i64> = rows.iter().map(|r| r.order_id).collect();
    let refund_lines = refund_line::Entity::find()
        .filter(refund_line::Column::RefundId.is_in(ids.clone()))
        .all(conn)
        .await?;
    let order_lines = line::Entity::find()
        .filter(line::Column::OrderId.is_in(order_ids.clone()))
        .all(conn)
        .await?;
    let payments: Vec<(i64, String)> = order::Entity::find()
        .select_only()
        .column(order::Column::Id)
        .column(order::Column::PaymentMethod)
        .filter(order::Column::Id.is_in(order_ids))
        .into_tuple()
        .all(conn)
        .await?;
    let photos = refund_photo::Entity::find()
        .filter(refund_photo::Column::RefundId.is_in(ids))
        .order_by_asc(refund_photo::Column::Position)
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            let lines = refund_lines
                .iter()
                .filter(|rl| rl.refund_id == r.id)
                .filter_map(|rl| {
                    let l = order_lines.iter().find(|l| l.id == rl.order_line_id)?;
                    Some(RefundLine {
                        variant_id: l.variant_id,
                        product_id: l.product_id,
                        name: l.name.clone(),
                        unit: l.unit.clone(),
                        quantity: u32::try_from(rl.quantity).unwrap_or(0),
                        amount: Fen(rl.amount_fen),
                    })
                })
                .collect();
            let payment = payments
                .iter()
                .find(|(id, _)| *id == r.order_id)
                .and_then(|(_, p)| PaymentMethod::parse(p))
                .ok_or_else(|| corrupt(r.id))?;
            Ok(RefundRequest {
                reason: RefundReason::parse(&r.reason).map_err(|_| corrupt(r.id))?,
                status: RefundStatus::parse(&r.status).ok_or_else(|| corrupt(r.id))?,
                photos: photos
                    .iter()
                    .filter(|p| p.refund_id == r.id)
                    .map(|p| p.hash.clone())
                    .collect(),
                id: r.id,
                order_id: r.order_id,
                buyer_id: r.buyer_id,
                shop_id: r.shop_id,
                note: r.note,
                asked: Fen(r.asked_fen),
                granted: Fen(r.granted_fen),
                decline_reason: r.decline_reason,
                decided_by: r.decided_by,
                decided_by_centre: r.decided_by_centre,
                created_at: r.created_at,
                decided_at: r.decided_at,
                disputed_at: r.disputed_at,
                paid_at: r.paid_at,
                paid_ref: r.paid_ref,
                paid_by: r.paid_by,
                returned_at: r.returned_at,
                payment,
                lines,
            })
        })
        .collect()
}
