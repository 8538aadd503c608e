//! The order-intake task: group commit of concurrent placements.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sea_orm::TransactionTrait;
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::batch::{Outcomes, Stocked, place_on, place_set, prepare};
use super::placement::Reading;
use super::profile::{Clock, IntakeProfile, Laps, Part, Path};
use super::writer::Writer;
use super::{Checkout, PlaceOrder};
use crate::{Backend, Error, Store};

pub use super::placement::IntakeError;

/// The most placements one transaction takes.
const MAX_BATCH: usize = 512;
/// Placements that may wait for the intake before callers are slowed down.
const QUEUE: usize = 8192;

struct Job {
    order: PlaceOrder,
    queued: Instant,
    reply: oneshot::Sender<Result<Checkout, IntakeError>>,
}

/// A handle to the intake task; cheap to clone, one task per server process.
#[derive(Clone, Debug)]
pub struct OrderIntake {
    jobs: mpsc::Sender<Job>,
    clock: Arc<Clock>,
}

impl OrderIntake {
    /// Starts the intake task on the current runtime.
    pub fn start(store: Store) -> OrderIntake {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let clock = Arc::new(Clock::default());
        let task = run(store.for_intake(), queue, Arc::clone(&clock));
        match store.backend() {
            Backend::Sqlite => on_its_own_thread(task),
            // PostgreSQL connections belong to the runtime that opened them and the pool is
            // shared with the requests: the intake stays on theirs.
            Backend::Postgres => {
                tokio::spawn(task);
            }
        }
        OrderIntake { jobs, clock }
    }

    /// Where the intake's time went since it started (`profile.rs`).
    pub fn profile(&self) -> IntakeProfile {
        self.clock.read()
    }

    /// Places an order; answers only after the order is committed (or refused).
    pub async fn place(&self, order: PlaceOrder) -> Result<Checkout, IntakeError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                order,
                queued: Instant::now(),
                reply,
            })
            .await
            .map_err(|_| IntakeError::Closed)?;
        answer.await.map_err(|_| IntakeError::Closed)?
    }
}

/// Batches being placed at once. On SQLite one: one writer at a time is the rule, and the
/// next batch gathers what arrives meanwhile. On PostgreSQL two: a batch spends most of its
/// time on round trips (replays, reads, writes, commit) that need no lock, and its hot rows
/// are taken last (decision 0034), so a second batch reads and writes while the first
/// commits, and waits only for the rows both take.
fn in_flight(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 2,
    }
}

/// Runs the SQLite intake on a thread and runtime of its own. Its statements go to SQLite's
/// own thread and each answer wakes the intake: on the requests' runtime that wake-up waited
/// behind every ready request (a thousand clients tapping), about 30 ms a batch just to begin
/// its transaction; here it is taken at once.
fn on_its_own_thread(task: impl std::future::Future<Output = ()> + Send + 'static) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            tracing::warn!(error = %err, "the order intake shares the requests' runtime");
            tokio::spawn(task);
            return;
        }
    };
    let started = std::thread::Builder::new()
        .name("order-intake".to_owned())
        .spawn(move || runtime.block_on(task));
    if let Err(err) = started {
        // The queue's receiver went with the closure: placements answer "closed" (503).
        tracing::error!(error = %err, "the order intake could not start");
    }
}

/// The SQLite intake's writer, shared by its batches (one at a time: `in_flight`).
type Shared = Arc<Mutex<Writer>>;

/// Opens the writer on SQLite. Should it fail, the batches go through the intake's sqlx
/// connection as they did before the writer (decision 0039): slower, never wrong.
fn open_writer(store: &Store) -> Option<Shared> {
    let file = store.sqlite_file()?;
    match Writer::open(file) {
        Ok(writer) => Some(Arc::new(Mutex::new(writer))),
        Err(err) => {
            tracing::warn!(error = %err, "the order intake writes through sqlx");
            None
        }
    }
}

async fn run(store: Store, mut queue: mpsc::Receiver<Job>, clock: Arc<Clock>) {
    let writer = open_writer(&store);
    let slots = Arc::new(Semaphore::new(in_flight(store.backend())));
    loop {
        // A free slot first: what queues while every slot is busy makes the next batch.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            break;
        };
        let Some(first) = queue.recv().await else {
            break;
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (store, clock, writer) = (store.clone(), Arc::clone(&clock), writer.clone());
        tokio::spawn(async move {
            commit_batch(&store, writer.as_deref(), batch, &clock).await;
            drop(slot);
        });
    }
    // The queue has closed: the batches still in flight finish before the runtime goes.
    let _ = slots.acquire_many(in_flight(store.backend()) as u32).await;
}

async fn commit_batch(
    store: &Store,
    writer: Option<&Mutex<Writer>>,
    batch: Vec<Job>,
    clock: &Clock,
) {
    let mut laps = Laps::start();
    let waited: Duration = batch.iter().map(|job| job.queued.elapsed()).sum();
    let outcomes = match place_all(store, writer, &batch, &mut laps).await {
        Ok((path, mut outcomes)) => {
            clock.placed_by(path);
            find_texts(store, &mut outcomes).await;
            laps.lap(Part::Texts);
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
    clock.add(batch.len(), waited, &laps);
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
/// the whole batch, `batch.rs`). On PostgreSQL first reading the stock without a lock (the
/// hot rows are locked only at the end) and, when another instance sold what was read
/// meanwhile (the last units of a burst), again with the stock locked as it is read; on
/// SQLite with the write lock taken first. Should that meet another writer too, a savepoint
/// per placement. Returns each placement's outcome once the transaction has committed; any
/// database failure fails the whole batch.
async fn place_all(
    store: &Store,
    writer: Option<&Mutex<Writer>>,
    batch: &[Job],
    laps: &mut Laps,
) -> Result<(Path, Outcomes), Error> {
    let requests: Vec<&PlaceOrder> = batch.iter().map(|job| &job.order).collect();
    if let Some(writer) = writer {
        return place_on_writer(store, writer, &requests, laps).await;
    }
    // On SQLite one writer at a time is the rule anyway: take its lock first, read exactly.
    let readings: &[Reading] = match store.backend() {
        Backend::Sqlite => &[Reading::Locked(Backend::Sqlite)],
        Backend::Postgres => &[Reading::Unlocked, Reading::Locked(Backend::Postgres)],
    };
    for &reading in readings {
        let txn = match reading {
            Reading::Unlocked => store.db.begin().await?,
            Reading::Locked(_) => store.begin_write().await?,
        };
        laps.lap(Part::Lock);
        match place_set(&txn, &requests, reading, laps).await {
            Ok(Stocked::Placed(outcomes)) => {
                txn.commit().await?;
                laps.lap(Part::Commit);
                return Ok((Path::Set, outcomes));
            }
            Ok(Stocked::Changed { .. }) => {}
            // Another writer in between (SQLite: the write lock was taken after our read;
            // PostgreSQL: a deadlock with another instance): try again more carefully.
            Err(Error::Db(err)) => {
                tracing::debug!(error = %err, "the set-based batch met another writer");
            }
            Err(err) => return Err(err),
        }
        txn.rollback().await?;
        laps.lap(Part::Write);
    }
    Ok((Path::Careful, place_each(store, &requests, laps).await?))
}

/// The SQLite batch on the intake's writer. What it reads (earlier answers under its keys,
/// variants, rules) is read first, as last committed: this intake is SQLite's one placer and
/// runs one batch at a time, so nothing it wrote is missing there. Then the writes, the stock
/// and the commit run on the writer without an await (`batch::place_on`). Should the stock
/// read have changed meanwhile (a stocktake, a seller's edit), or another writer keep the
/// lock, the careful path places each one.
async fn place_on_writer(
    store: &Store,
    writer: &Mutex<Writer>,
    requests: &[&PlaceOrder],
    laps: &mut Laps,
) -> Result<(Path, Outcomes), Error> {
    let prepared = prepare(&store.db, requests, Reading::Unlocked, laps).await?;
    let placed = {
        let mut writer = writer.lock().unwrap_or_else(PoisonError::into_inner);
        place_on(&mut writer, requests, prepared, laps)
    };
    match placed {
        Ok(Stocked::Placed(outcomes)) => return Ok((Path::Writer, outcomes)),
        Ok(Stocked::Changed { .. }) => {}
        Err(Error::Db(err)) => {
            tracing::debug!(error = %err, "the writer's batch met another writer");
        }
        Err(err) => return Err(err),
    }
    laps.lap(Part::Write);
    Ok((Path::Careful, place_each(store, requests, laps).await?))
}

/// The careful path: each placement is a batch of one in a savepoint of its own, so its
/// stock is taken right after it is read. The transaction takes the write lock before it
/// reads (SQLite's `BEGIN IMMEDIATE`): other writers (notices, stock counts, another process)
/// wait for it instead of making its first write fail as "database is locked".
async fn place_each(
    store: &Store,
    batch: &[&PlaceOrder],
    laps: &mut Laps,
) -> Result<Outcomes, Error> {
    let txn = store.begin_write().await?;
    laps.lap(Part::Lock);
    let mut outcomes = Vec::with_capacity(batch.len());
    for request in batch {
        let savepoint = txn.begin().await?;
        let outcome = match place_set(&savepoint, &[request], Reading::Unlocked, laps).await? {
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
    laps.lap(Part::Commit);
    Ok(outcomes)
}
