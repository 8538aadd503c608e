//! The scanning intake: group commit of concurrent scans. Every phone at the depot sends its
//! scans as they are read, one request each; one task takes whatever queued while the last
//! transaction committed and scans it all in the next one (the same set-based path as a
//! batch), so a second's scans from every phone share one flush of the disk.

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::carriers::Depot;
use super::inbound::{Scan, ScanContext, ScanResult, scan_set};
use crate::{Error, Result, Store};

/// The most scans one transaction takes.
const MAX_SCANS: usize = 2_000;
/// Requests that may wait before callers are slowed down.
const QUEUE: usize = 4_096;

struct Job {
    depot: Depot,
    actor_id: i64,
    scans: Vec<Scan>,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<Scanned>>,
}

/// One request's scans as committed, with what they were read against.
#[derive(Debug, Clone)]
pub struct Scanned {
    pub results: Vec<ScanResult>,
    pub context: ScanContext,
}

/// A handle to the scanning task; cheap to clone, one task per server process.
#[derive(Clone, Debug)]
pub struct ScanIntake {
    jobs: mpsc::Sender<Job>,
}

fn closed() -> Error {
    Error::Config("the scanning intake stopped".to_owned())
}

impl ScanIntake {
    /// Starts the scanning task on the current runtime.
    pub fn start(store: Store) -> ScanIntake {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, queue));
        ScanIntake { jobs }
    }

    /// Scans `scans` in at `depot` for `actor_id`; answers after they are committed.
    pub async fn scan(
        &self,
        depot: &Depot,
        actor_id: i64,
        scans: Vec<Scan>,
        now: DateTime<Utc>,
    ) -> Result<Scanned> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            depot: depot.clone(),
            actor_id,
            scans,
            now,
            reply,
        };
        self.jobs.send(job).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

async fn run(store: Store, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut size = first.scans.len();
        let mut batch = vec![first];
        while size < MAX_SCANS {
            match queue.try_recv() {
                Ok(job) => {
                    size += job.scans.len();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        match commit(&store, &batch).await {
            Ok(mut answers) => {
                for job in batch.into_iter().rev() {
                    let mut mine = answers.split_off(answers.len() - job.scans.len());
                    let context = mine.first_mut().map(|(_, c)| std::mem::take(c));
                    let _ = job.reply.send(Ok(Scanned {
                        results: mine.into_iter().map(|(r, _)| r).collect(),
                        context: context.unwrap_or_default(),
                    }));
                }
            }
            Err(err) => {
                tracing::error!(error = %err, requests = batch.len(), "a scanning batch failed; none of it was written");
                for job in batch {
                    let _ = job.reply.send(Err(closed()));
                }
            }
        }
    }
}

/// Scans the whole batch in one transaction, depot by depot; the answers in the batch's order,
/// the first of each depot's carrying what its scans were read against.
async fn commit(store: &Store, batch: &[Job]) -> Result<Vec<(ScanResult, ScanContext)>> {
    let txn = store.begin_write().await?;
    let mut answers = Vec::with_capacity(batch.iter().map(|j| j.scans.len()).sum());
    let mut at = 0;
    while at < batch.len() {
        // Requests for one depot, in a row, go together.
        let depot = &batch[at].depot;
        let end = batch[at..]
            .iter()
            .position(|j| j.depot.id != depot.id)
            .map_or(batch.len(), |n| at + n);
        let items: Vec<(i64, &Scan)> = batch[at..end]
            .iter()
            .flat_map(|j| j.scans.iter().map(move |s| (j.actor_id, s)))
            .collect();
        let now = batch[at..end]
            .iter()
            .map(|j| j.now)
            .max()
            .unwrap_or_else(Utc::now);
        let (results, context) = scan_set(&txn, depot, &items, now).await?;
        answers.extend(results.into_iter().map(|r| (r, ScanContext::default())));
        // Every job of this depot gets the context through its first answer.
        let mut job_start = answers.len() - items.len();
        for job in &batch[at..end] {
            if let Some((_, slot)) = answers.get_mut(job_start) {
                *slot = context.clone();
            }
            job_start += job.scans.len();
        }
        at = end;
    }
    txn.commit().await?;
    Ok(answers)
}
