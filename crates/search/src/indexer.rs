//! Following the catalogue: product ids that changed are queued, gathered for a moment, and
//! written to the index together, so a burst of changes makes one commit.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use farmgate_store::Store;
use tokio::sync::mpsc;

use crate::{Context, ProductIndex};

/// How long changes are gathered before one commit; well inside the promised second.
const GATHER: Duration = Duration::from_millis(150);

/// A handle to the task that keeps the index up to date; cheap to clone.
#[derive(Clone, Debug)]
pub struct Indexer {
    changes: mpsc::UnboundedSender<i64>,
}

impl Indexer {
    /// Starts following changes on the current runtime.
    pub fn start(index: Arc<ProductIndex>, store: Store) -> Indexer {
        let (changes, queue) = mpsc::unbounded_channel();
        tokio::spawn(run(index, store, queue));
        Indexer { changes }
    }

    /// Says these products changed (created, edited, stock or sales moved, delisted).
    pub fn changed(&self, product_ids: impl IntoIterator<Item = i64>) {
        for id in product_ids {
            // The task only stops with the runtime; nothing to do if it has.
            let _ = self.changes.send(id);
        }
    }
}

async fn run(index: Arc<ProductIndex>, store: Store, mut queue: mpsc::UnboundedReceiver<i64>) {
    while let Some(first) = queue.recv().await {
        tokio::time::sleep(GATHER).await;
        let mut ids = BTreeSet::from([first]);
        while let Ok(id) = queue.try_recv() {
            ids.insert(id);
        }
        let ids: Vec<i64> = ids.into_iter().collect();
        if let Err(err) = apply(&index, &store, &ids).await {
            tracing::error!(error = %err, count = ids.len(), "the search index could not follow product changes");
        }
    }
}

async fn apply(index: &Arc<ProductIndex>, store: &Store, ids: &[i64]) -> crate::Result<()> {
    let context = Context::load(store).await?;
    let products = store.products_by_ids(ids).await?;
    let gone: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !products.iter().any(|p| p.id == *id))
        .collect();
    let index = Arc::clone(index);
    tokio::task::spawn_blocking(move || index.update(&products, &gone, &context))
        .await
        .map_err(|e| crate::SearchError::Io(std::io::Error::other(e)))?
}
