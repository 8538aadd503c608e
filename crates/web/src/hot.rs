//! What a tap reads, kept in memory per instance (issue 20, decision 0033): a bearer token's
//! account, an account's grants, a live room's status and pins, a buyer's default delivery and
//! payment. A burst of taps then reads none of them from the database.
//!
//! Each cache is bounded (entries and a time to live, the backstop) and forgets what changed as
//! soon as it is told: on this instance at once, on the others over the live bus (`Forget`
//! over `LISTEN/NOTIFY` on PostgreSQL; rooms by their own `Status` and `Pins` events). A
//! revoked token, a new grant, an ended room or new pins take effect on every instance within
//! the time a notification takes; the time to live bounds what a missed one could leave.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use farmgate_domain::authz::Grants;
use farmgate_domain::live::RoomStatus;
use farmgate_domain::orders::PaymentMethod;
use farmgate_store::Store;
use farmgate_store::accounts::{Account, token_digest};
use farmgate_store::live::{Forget, LiveBus, Pin};
use farmgate_store::orders::Delivery;
use moka::sync::Cache;

/// Entries each cache keeps at most.
const ENTRIES: u64 = 100_000;
/// Rooms kept at most.
const ROOMS: u64 = 10_000;
/// The longest anything is kept without being read again.
const TIME_TO_LIVE: Duration = Duration::from_secs(60);

/// A room as a tap needs it.
#[derive(Debug, Clone)]
pub struct RoomFacts {
    pub status: RoomStatus,
    pub pins: Vec<Pin>,
}

/// A buyer's default delivery and payment (where their last order went); None before the first.
pub type Defaults = Option<(Delivery, PaymentMethod)>;

/// The caches; cheap to clone.
#[derive(Clone)]
pub struct Hot {
    /// Token digest -> (account id, expires).
    tokens: Cache<String, (i64, DateTime<Utc>)>,
    accounts: Cache<i64, Arc<(Account, Grants)>>,
    rooms: Cache<i64, Arc<RoomFacts>>,
    defaults: Cache<i64, Arc<Defaults>>,
    /// Counts every forget: a value read while something was forgotten is not kept (it may
    /// have been read before the change).
    epoch: Arc<AtomicU64>,
}

fn cache<K, V>(entries: u64) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(entries)
        .time_to_live(TIME_TO_LIVE)
        .build()
}

impl Default for Hot {
    fn default() -> Hot {
        Hot {
            tokens: cache(ENTRIES),
            accounts: cache(ENTRIES),
            rooms: cache(ROOMS),
            defaults: cache(ENTRIES),
            epoch: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Hot {
    /// Starts forgetting what the bus says changed (this instance's and the others').
    pub fn follow(&self, bus: &LiveBus) {
        let hot = self.clone();
        let mut heard = bus.forgotten();
        tokio::spawn(async move {
            loop {
                match heard.recv().await {
                    Ok(what) => hot.drop_local(&what),
                    // Fell behind: whatever was missed may be stale, so forget everything.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => hot.clear(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
    }

    fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Whether nothing was forgotten since `epoch` (what was read then may be kept).
    fn unchanged_since(&self, epoch: u64) -> bool {
        self.epoch() == epoch
    }

    fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.tokens.invalidate_all();
        self.accounts.invalidate_all();
        self.rooms.invalidate_all();
        self.defaults.invalidate_all();
    }

    /// Forgets `what` here.
    fn drop_local(&self, what: &Forget) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        match what {
            Forget::Token { digest } => self.tokens.invalidate(digest),
            Forget::Account { id } => self.accounts.invalidate(id),
            Forget::Room { id } => self.rooms.invalidate(id),
            Forget::Buyer { id } => self.defaults.invalidate(id),
        }
    }

    /// Forgets `what` here at once (so this instance's next request reads it again) and on
    /// every other instance.
    pub async fn forget(&self, bus: &LiveBus, what: Forget) {
        self.drop_local(&what);
        bus.forget(what).await;
    }

    /// The account of a live bearer token with its grants.
    pub async fn by_token(
        &self,
        store: &Store,
        token: &str,
    ) -> farmgate_store::Result<Option<Arc<(Account, Grants)>>> {
        let digest = token_digest(token);
        let now = Utc::now();
        if let Some((id, expires)) = self.tokens.get(&digest) {
            if expires > now {
                return self.account(store, id).await;
            }
            self.tokens.invalidate(&digest);
        }
        let epoch = self.epoch();
        let Some((account, expires)) = store.api_token_holder(token).await? else {
            return Ok(None);
        };
        let grants = store.grants_of(account.id).await?;
        let kept = Arc::new((account, grants));
        if self.unchanged_since(epoch) {
            self.tokens.insert(digest, (kept.0.id, expires));
            self.accounts.insert(kept.0.id, kept.clone());
        }
        Ok(Some(kept))
    }

    /// An account with its grants.
    pub async fn account(
        &self,
        store: &Store,
        id: i64,
    ) -> farmgate_store::Result<Option<Arc<(Account, Grants)>>> {
        if let Some(kept) = self.accounts.get(&id) {
            return Ok(Some(kept));
        }
        let epoch = self.epoch();
        let Some(account) = store.account_by_id(id).await? else {
            return Ok(None);
        };
        let grants = store.grants_of(id).await?;
        let kept = Arc::new((account, grants));
        if self.unchanged_since(epoch) {
            self.accounts.insert(id, kept.clone());
        }
        Ok(Some(kept))
    }

    /// A room's status and pins (kept while it is live).
    pub async fn room(&self, store: &Store, id: i64) -> farmgate_store::Result<Arc<RoomFacts>> {
        if let Some(kept) = self.rooms.get(&id) {
            return Ok(kept);
        }
        let epoch = self.epoch();
        let facts = Arc::new(RoomFacts {
            status: store.room_status(id).await?,
            pins: store.pins(id).await?,
        });
        // Only a live room is kept: the taps a room takes come while it is live, and a room
        // that is not live yet may start by any path.
        if facts.status == RoomStatus::Live && self.unchanged_since(epoch) {
            self.rooms.insert(id, facts.clone());
        }
        Ok(facts)
    }

    /// A buyer's default delivery and payment.
    pub async fn defaults(
        &self,
        store: &Store,
        buyer: i64,
    ) -> farmgate_store::Result<Arc<Defaults>> {
        if let Some(kept) = self.defaults.get(&buyer) {
            return Ok(kept);
        }
        let epoch = self.epoch();
        let defaults = Arc::new(store.buyer_defaults(buyer).await?);
        if self.unchanged_since(epoch) {
            self.defaults.insert(buyer, defaults.clone());
        }
        Ok(defaults)
    }

    /// A buyer ordered with `delivery` and `payment`, which are now their defaults: kept here,
    /// and when this instance did not already keep exactly these, the other instances forget
    /// theirs (a burst of taps with the same delivery tells them once).
    pub async fn ordered(
        &self,
        bus: &LiveBus,
        buyer: i64,
        (delivery, payment): (&Delivery, PaymentMethod),
    ) {
        if matches!(delivery, Delivery::Counter { .. }) {
            return;
        }
        let same = self.defaults.get(&buyer).is_some_and(|kept| {
            kept.as_ref()
                .as_ref()
                .is_some_and(|(d, p)| d == delivery && *p == payment)
        });
        if same {
            return;
        }
        self.defaults
            .insert(buyer, Arc::new(Some((delivery.clone(), payment))));
        bus.forget_elsewhere(Forget::Buyer { id: buyer }).await;
    }
}
