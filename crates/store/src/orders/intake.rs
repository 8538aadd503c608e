//! The order-intake task: group commit of concurrent placements.

use std::collections::BTreeMap;

use chrono::Utc;
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderStatus, PaymentMethod};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use super::batch::{TOO_LARGE, destination, line_row, order_row, parcel_amounts};
use super::entity::{event, order, payment};
use super::payments::{Payment, PaymentStatus};
use super::{Checkout, Delivery, PlaceOrder, assemble};
use crate::catalog::entity::{product, text, variant};
use crate::shops::entity::shipping;
use crate::stations::entity::station;
use crate::{Error, Store};

/// The most placements one transaction takes.
const MAX_BATCH: usize = 512;
/// Placements that may wait for the intake before callers are slowed down.
const QUEUE: usize = 8192;

/// Why a placement was refused. Refusals are answers, not failures: nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("variant {variant_id} has fewer units left than asked for")]
    OutOfStock { variant_id: i64 },
    #[error("variant {variant_id} is not for sale")]
    NotForSale { variant_id: i64 },
    #[error("station {station_id} does not take parcels")]
    NoSuchStation { station_id: i64 },
    #[error("the order intake has stopped")]
    Closed,
    /// The order breaks a rule (an amount too large to hold, say); refused with its field.
    #[error(transparent)]
    Invalid(#[from] farmgate_domain::ValidationError),
    #[error(transparent)]
    Store(#[from] Error),
}

impl From<sea_orm::DbErr> for IntakeError {
    fn from(err: sea_orm::DbErr) -> Self {
        IntakeError::Store(Error::Db(err))
    }
}

struct Job {
    order: PlaceOrder,
    reply: oneshot::Sender<Result<Checkout, IntakeError>>,
}

/// A handle to the intake task; cheap to clone, one task per server process.
#[derive(Clone, Debug)]
pub struct OrderIntake {
    jobs: mpsc::Sender<Job>,
}

impl OrderIntake {
    /// Starts the intake task on the current runtime.
    pub fn start(store: Store) -> OrderIntake {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, queue));
        OrderIntake { jobs }
    }

    /// Places an order; answers only after the order is committed (or refused).
    pub async fn place(&self, order: PlaceOrder) -> Result<Checkout, IntakeError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { order, reply })
            .await
            .map_err(|_| IntakeError::Closed)?;
        answer.await.map_err(|_| IntakeError::Closed)?
    }
}

async fn run(store: Store, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        // Everything that queued while the previous batch was committing goes in this one.
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&store, batch).await;
    }
}

async fn commit_batch(store: &Store, batch: Vec<Job>) {
    let outcomes = match place_all(store, &batch).await {
        Ok(outcomes) => outcomes,
        Err(err) => {
            tracing::error!(error = %err, size = batch.len(), "an order batch failed; none of it was written");
            batch
                .iter()
                .map(|_| {
                    Err(IntakeError::Store(Error::Config(
                        "the order batch could not be committed".to_owned(),
                    )))
                })
                .collect()
        }
    };
    for (job, outcome) in batch.into_iter().zip(outcomes) {
        let _ = job.reply.send(outcome);
    }
}

/// One transaction for the batch: the set-based path (a constant number of statements for
/// the whole batch, `batch.rs`) or, when another writer changed the stock meanwhile, a
/// savepoint per placement. Returns each placement's outcome once the transaction has
/// committed; any database failure fails the whole batch.
async fn place_all(
    store: &Store,
    batch: &[Job],
) -> Result<Vec<Result<Checkout, IntakeError>>, Error> {
    let requests: Vec<&PlaceOrder> = batch.iter().map(|job| &job.order).collect();
    let txn = store.db.begin().await?;
    let fast = match super::batch::place_set(&txn, store.backend(), &requests).await {
        Ok(outcome) => outcome,
        // Another writer in between (SQLite: the write lock was taken after our read;
        // PostgreSQL: a deadlock with another instance): the careful path retries the batch.
        Err(Error::Db(err)) => {
            tracing::debug!(error = %err, "the set-based batch met another writer");
            None
        }
        Err(err) => return Err(err),
    };
    if let Some(outcomes) = fast {
        txn.commit().await?;
        return Ok(outcomes);
    }
    txn.rollback().await?;
    place_each(store, batch).await
}

/// The careful path: a savepoint per placement, each taking its stock with its own
/// conditional update.
async fn place_each(
    store: &Store,
    batch: &[Job],
) -> Result<Vec<Result<Checkout, IntakeError>>, Error> {
    let txn = store.db.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        let savepoint = txn.begin().await?;
        match place_one(&savepoint, &job.order).await {
            Ok(checkout) => {
                savepoint.commit().await?;
                outcomes.push(Ok(checkout));
            }
            Err(IntakeError::Store(err)) => return Err(err),
            Err(refusal) => {
                savepoint.rollback().await?;
                outcomes.push(Err(refusal));
            }
        }
    }
    txn.commit().await?;
    Ok(outcomes)
}

async fn place_one(
    conn: &DatabaseTransaction,
    request: &PlaceOrder,
) -> Result<Checkout, IntakeError> {
    let existing = order::Entity::find()
        .filter(order::Column::BuyerId.eq(request.buyer_id))
        .filter(order::Column::IdempotencyKey.eq(request.key.as_str()))
        .all(conn)
        .await?;
    if let Some(first) = existing.first() {
        let checkout_id = first.checkout_id.clone();
        let payment = payment::Entity::find()
            .filter(payment::Column::CheckoutId.eq(&checkout_id))
            .one(conn)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok(Checkout {
            checkout_id,
            orders: assemble(conn, existing).await?,
            payment: Payment::try_from(payment)?,
            replayed: true,
        });
    }

    let variant_ids: Vec<i64> = request.basket.lines().iter().map(|(v, _)| *v).collect();
    let room_prices =
        crate::live::room_prices(conn, &request.room_id.into_iter().collect::<Vec<_>>()).await?;
    // Bought from a live room: its room prices replace the regular ones.
    let variants: Vec<variant::Model> = variant::Entity::find()
        .filter(variant::Column::Id.is_in(variant_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|mut v| {
            if let Some(price) = request
                .room_id
                .and_then(|room| room_prices.get(&(room, v.id)))
            {
                v.price_fen = *price;
            }
            v
        })
        .collect();
    let product_ids: Vec<i64> = variants.iter().map(|v| v.product_id).collect();
    let products = product::Entity::find()
        .filter(product::Column::Id.is_in(product_ids.clone()))
        .all(conn)
        .await?;
    let names = text::Entity::find()
        .filter(text::Column::ProductId.is_in(product_ids))
        .filter(text::Column::Language.eq(Language::ZhCn.tag()))
        .all(conn)
        .await?;

    // Lines grouped by shop: one order per shop.
    let mut by_shop: BTreeMap<i64, Vec<(&variant::Model, u32, String)>> = BTreeMap::new();
    for &(variant_id, quantity) in request.basket.lines() {
        let variant = variants
            .iter()
            .find(|v| v.id == variant_id)
            .ok_or(IntakeError::NotForSale { variant_id })?;
        let product = products
            .iter()
            .find(|p| p.id == variant.product_id && p.status == ProductStatus::Listed.as_str())
            .ok_or(IntakeError::NotForSale { variant_id })?;
        let name = names
            .iter()
            .find(|t| t.product_id == product.id)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        by_shop
            .entry(product.shop_id)
            .or_default()
            .push((variant, quantity, name));
    }

    // What each parcel costs to send: the station's fee, or the shop's rule for home delivery.
    let pickup = match &request.delivery {
        Delivery::Pickup { station_id } => Some(
            station::Entity::find_by_id(*station_id)
                .one(conn)
                .await?
                .filter(|s| s.active)
                .ok_or(IntakeError::NoSuchStation {
                    station_id: *station_id,
                })?,
        ),
        Delivery::Home { .. } => None,
    };
    let rules = shipping::Entity::find()
        .filter(shipping::Column::ShopId.is_in(by_shop.keys().copied()))
        .all(conn)
        .await?;

    // Take the stock first: a refusal leaves nothing behind (the savepoint rolls back).
    for &(variant_id, quantity) in request.basket.lines() {
        let taken = variant::Entity::update_many()
            .col_expr(
                variant::Column::Stock,
                Expr::col(variant::Column::Stock).sub(i64::from(quantity)),
            )
            .filter(variant::Column::Id.eq(variant_id))
            .filter(variant::Column::Stock.gte(i64::from(quantity)))
            .exec(conn)
            .await?;
        if taken.rows_affected == 0 {
            return Err(IntakeError::OutOfStock { variant_id });
        }
    }

    let checkout_id = uuid::Uuid::new_v4().to_string();
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut amount = Fen(0);
    for (shop_id, lines) in by_shop {
        let (goods, shipping, total) = parcel_amounts(
            lines.iter().map(|(v, q, _)| (*v, *q)),
            pickup.as_ref(),
            rules.iter().find(|r| r.shop_id == shop_id),
        )?;
        amount = amount.checked_add(total).ok_or(TOO_LARGE)?;
        let to = destination(request, pickup.as_ref())?;
        let order_row = order_row(
            request,
            &checkout_id,
            shop_id,
            (goods.0, shipping.0),
            to,
            now,
        )
        .insert(conn)
        .await?;
        for (variant, quantity, name) in lines {
            line_row(order_row.id, variant, quantity, name)
                .insert(conn)
                .await?;
        }
        event::ActiveModel {
            order_id: Set(order_row.id),
            status: Set(OrderStatus::Placed.as_str().to_owned()),
            actor_id: Set(Some(request.buyer_id)),
            note: Set(None),
            at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        rows.push(order_row);
    }
    let online = request.payment == PaymentMethod::Online;
    let payment = payment::ActiveModel {
        checkout_id: Set(checkout_id.clone()),
        buyer_id: Set(request.buyer_id),
        provider: Set(request.provider.clone()),
        amount_fen: Set(amount.0),
        status: Set(if online {
            PaymentStatus::Pending
        } else {
            PaymentStatus::Due
        }
        .as_str()
        .to_owned()),
        gateway_ref: Set(None),
        created_at: Set(now),
        expires_at: Set(online.then(|| now + request.pay_within)),
        settled_at: Set(None),
        refund_due_fen: Set(0),
        refunded_fen: Set(0),
        refund_ref: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(Checkout {
        checkout_id,
        orders: assemble(conn, rows).await?,
        payment: Payment::try_from(payment)?,
        replayed: false,
    })
}
