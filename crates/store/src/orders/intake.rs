//! The order-intake task: group commit of concurrent placements.

use sea_orm::TransactionTrait;
use tokio::sync::{mpsc, oneshot};

use super::batch::{Outcomes, Stocked, place_set};
use super::{Checkout, PlaceOrder};
use crate::{Error, Store};

pub use super::placement::IntakeError;

/// The most placements one transaction takes.
const MAX_BATCH: usize = 512;
/// Placements that may wait for the intake before callers are slowed down.
const QUEUE: usize = 8192;

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
        Ok(mut outcomes) => {
            find_texts(store, &mut outcomes).await;
            outcomes
        }
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

/// Names, on each new checkout, the shops' members who chose a text message for new orders
/// (their notices were written with the orders). Read after the commit, so it never holds the
/// stock's lock; a failure to read leaves the texts unsent, not the orders.
async fn find_texts(store: &Store, outcomes: &mut Outcomes) {
    let fresh: Vec<&super::Order> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .filter(|c| !c.replayed)
        .flat_map(|c| c.orders.iter())
        .collect();
    let texts = match crate::notifications::texts(&store.db, &fresh).await {
        Ok(texts) if !texts.is_empty() => texts,
        Ok(_) => return,
        Err(err) => {
            tracing::warn!(error = %err, "the shops' texts about new orders are unknown");
            return;
        }
    };
    for checkout in outcomes.iter_mut().filter_map(|o| o.as_mut().ok()) {
        if checkout.replayed {
            continue;
        }
        checkout.shop_texts = texts
            .iter()
            .filter(|t| checkout.orders.iter().any(|o| o.id == t.order_id))
            .copied()
            .collect();
    }
}

/// One transaction for the batch: the set-based path (a constant number of statements for
/// the whole batch, `batch.rs`) or, when another writer changed the stock meanwhile, a
/// savepoint per placement. Returns each placement's outcome once the transaction has
/// committed; any database failure fails the whole batch.
async fn place_all(store: &Store, batch: &[Job]) -> Result<Outcomes, Error> {
    let requests: Vec<&PlaceOrder> = batch.iter().map(|job| &job.order).collect();
    let txn = store.db.begin().await?;
    match place_set(&txn, store.backend(), &requests).await {
        Ok(Stocked::Placed(outcomes)) => {
            txn.commit().await?;
            return Ok(outcomes);
        }
        Ok(Stocked::Changed { .. }) => {}
        // Another writer in between (SQLite: the write lock was taken after our read;
        // PostgreSQL: a deadlock with another instance): the careful path retries the batch.
        Err(Error::Db(err)) => {
            tracing::debug!(error = %err, "the set-based batch met another writer");
        }
        Err(err) => return Err(err),
    }
    txn.rollback().await?;
    place_each(store, &requests).await
}

/// The careful path: each placement is a batch of one in a savepoint of its own, so its
/// stock is taken right after it is read. The transaction takes the write lock before it
/// reads (SQLite's `BEGIN IMMEDIATE`): other writers (notices, stock counts, another process)
/// wait for it instead of making its first write fail as "database is locked".
async fn place_each(store: &Store, batch: &[&PlaceOrder]) -> Result<Outcomes, Error> {
    let txn = store.begin_write().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for request in batch {
        let savepoint = txn.begin().await?;
        let outcome = match place_set(&savepoint, store.backend(), &[request]).await? {
            Stocked::Placed(mut one) => one.pop().unwrap_or(Err(IntakeError::Closed)),
            Stocked::Changed { variant_id } => Err(IntakeError::OutOfStock { variant_id }),
        };
        match outcome {
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
