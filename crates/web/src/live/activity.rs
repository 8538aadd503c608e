//! Purchases from live rooms, as every viewer sees them: the stock left on the pinned cards
//! and the ticker ("a buyer from Kuqa just bought 2 × walnuts").
//!
//! A burst brings thousands of orders a second; reading the stock once per order and sending
//! every purchase to every viewer would cost more than the orders. So purchases are gathered
//! here and, four times a second, each room gets one stock reading per variant sold and at most
//! a few ticker lines. Sold out therefore shows on every card within a quarter of a second.
//! Viewers joining are counted the same way: one statement per room per round.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use farmgate_domain::regions::RegionLevel;
use farmgate_store::Store;
use farmgate_store::live::{LiveBus, LiveEvent};
use farmgate_store::regions::Region;

/// Ticker lines a room gets per round, the newest.
const TICKER_PER_ROUND: usize = 3;
const ROUND: Duration = Duration::from_millis(250);

/// One purchase from a room: what, how many, and the region the parcel goes to.
#[derive(Debug, Clone)]
struct Sale {
    variant_id: i64,
    quantity: u32,
    region_id: Option<i64>,
}

/// What happened in rooms since the last round.
#[derive(Default)]
struct Pending {
    sales: HashMap<i64, Vec<Sale>>,
    /// Viewers who joined, by room, to count unique viewers in one statement per round.
    joined: HashMap<i64, Vec<String>>,
}

#[derive(Clone)]
pub struct RoomActivity {
    pending: Arc<Mutex<Pending>>,
}

impl RoomActivity {
    /// Starts the task that turns purchases into events.
    pub fn start(store: Store, bus: LiveBus) -> RoomActivity {
        let activity = RoomActivity {
            pending: Arc::new(Mutex::new(Pending::default())),
        };
        tokio::spawn(rounds(Arc::downgrade(&activity.pending), store, bus));
        activity
    }

    /// Notes a viewer who joined a room (counted within a quarter of a second).
    pub fn joined(&self, room_id: i64, viewer_id: String) {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .joined
            .entry(room_id)
            .or_default()
            .push(viewer_id);
    }

    /// Notes a purchase from a room (after its order committed).
    pub fn sold(&self, room_id: i64, variant_id: i64, quantity: u32, region_id: Option<i64>) {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .sales
            .entry(room_id)
            .or_default()
            .push(Sale {
                variant_id,
                quantity,
                region_id,
            });
    }
}

async fn rounds(pending: std::sync::Weak<Mutex<Pending>>, store: Store, bus: LiveBus) {
    let mut tick = tokio::time::interval(ROUND);
    let mut regions: Vec<Region> = Vec::new();
    loop {
        tick.tick().await;
        let Some(pending) = pending.upgrade() else {
            return;
        };
        let Pending { sales, joined } = std::mem::take(
            &mut *pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        drop(pending);
        for (room_id, viewers) in joined {
            if let Err(err) = store.record_viewers(room_id, &viewers).await {
                tracing::warn!(error = %err, room = room_id, "could not count the room's viewers");
            }
        }
        if sales.is_empty() {
            continue;
        }
        if regions.is_empty() {
            regions = store.all_regions().await.unwrap_or_default();
        }
        for (room_id, sold) in sales {
            announce(&store, &bus, &regions, room_id, sold).await;
        }
    }
}

async fn announce(store: &Store, bus: &LiveBus, regions: &[Region], room_id: i64, sold: Vec<Sale>) {
    let mut variants: Vec<i64> = sold.iter().map(|s| s.variant_id).collect();
    variants.sort_unstable();
    variants.dedup();
    match store.variant_stocks(&variants).await {
        Ok(stocks) => {
            for (variant_id, stock) in stocks {
                bus.publish(room_id, LiveEvent::Stock { variant_id, stock })
                    .await;
            }
        }
        Err(err) => tracing::warn!(error = %err, room = room_id, "could not read the stock sold"),
    }
    for sale in sold.iter().rev().take(TICKER_PER_ROUND).rev() {
        bus.publish(
            room_id,
            LiveEvent::Sale {
                variant_id: sale.variant_id,
                quantity: sale.quantity,
                county: county_names(regions, sale.region_id),
            },
        )
        .await;
    }
}

/// The county a region lies in, in zh-CN, ug and en; empty names when unknown.
fn county_names(regions: &[Region], region_id: Option<i64>) -> [String; 3] {
    let county = region_id
        .and_then(|id| regions.iter().find(|r| r.id == id))
        .and_then(|place| {
            regions
                .iter()
                .find(|r| r.level == RegionLevel::County && r.path.contains(&place.path))
        });
    match county {
        Some(c) => [
            c.name_zh.clone(),
            c.name_ug.clone().unwrap_or_else(|| c.name_zh.clone()),
            c.name_en.clone(),
        ],
        None => Default::default(),
    }
}
