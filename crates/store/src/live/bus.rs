//! The live rooms' event bus: what one viewer's screen must show because of something that
//! happened elsewhere (a chat message, a deleted message, a new pin, stock that dropped, a
//! purchase, the viewer count, the room going live or ending).
//!
//! Inside one process each room has a `tokio::sync::broadcast` channel; every WebSocket of the
//! room subscribes to it, and an event is serialized once for all of them. On PostgreSQL the
//! bus also sends each event with `NOTIFY` on a channel of the database's schema and `LISTEN`s
//! there, so viewers connected to another `farmgate serve` on the same database get it too.
//! Every instance counts its own viewers and tells the others its count once a second; a
//! room's viewer count is the sum of the counts heard in the last few seconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DurationRound, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::entity::{viewer, viewer_minute};
use crate::{Backend, Result, Store};

/// Events a room's viewers are sent, as JSON with a `type` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A chat message; `author` is already as viewers may see it (masked for buyers).
    Chat {
        id: i64,
        author: String,
        /// Said by the host or centre staff.
        staff: bool,
        lang: String,
        text: String,
        at: String,
    },
    /// A message the host or staff deleted: take it off the screen.
    Deleted { id: i64 },
    /// The pinned products changed (pinned, unpinned, room price): fetch the cards again.
    Pins,
    /// Units left of a variant.
    Stock { variant_id: i64, stock: i64 },
    /// Someone bought: for the ticker. Never a name or a phone: only the buyer's county.
    Sale {
        variant_id: i64,
        quantity: u32,
        /// The buyer's county in zh-CN, ug and en (empty when unknown).
        county: [String; 3],
    },
    /// Viewers in the room now, over all instances.
    Viewers { count: u64 },
    /// The room went live or ended.
    Status { status: String },
    /// The host's video started (or stopped) reaching the streaming server.
    Video { on_air: bool },
    /// Between instances only: how many viewers `instance` has in the room.
    Presence { instance: String, count: u64 },
    /// Between instances only (room 0): these products changed (edited, stock, status), so
    /// every instance's search index and lists follow.
    Products { ids: Vec<i64> },
    /// Between instances only (room 0): what each instance keeps of this changed, so each
    /// forgets it (a revoked token, an account's grants, a buyer's defaults).
    Forget { what: Forget },
}

/// Something an instance keeps in memory for the hot paths (issue 20) that changed in the
/// database: every instance drops it and reads it again when next needed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Forget {
    /// A bearer token, by its digest (`accounts::token_digest`), revoked.
    Token { digest: String },
    /// An account's details or grants changed.
    Account { id: i64 },
    /// A room's status or pins changed (said by the room's own `Status` and `Pins` events).
    Room { id: i64 },
    /// A buyer placed an order with another delivery or payment: their defaults moved.
    Buyer { id: i64 },
}

/// An event of a room, serialized once for every viewer.
#[derive(Debug)]
pub struct Envelope {
    pub room_id: i64,
    pub event: LiveEvent,
    pub json: String,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    /// The instance that sent it (it already delivered it to its own viewers).
    o: String,
    r: i64,
    e: LiveEvent,
}

/// How many events a slow viewer may fall behind before it is told to catch up.
const CHANNEL: usize = 1024;
/// How long another instance's viewer count is believed.
const PRESENCE_TTL: Duration = Duration::from_secs(4);
/// Product changes are gathered this long and told to the other instances at once.
const PRODUCTS_GATHER: Duration = Duration::from_millis(100);
/// Product ids per notification (PostgreSQL's payload stays under 8,000 bytes).
const PRODUCTS_PER_NOTICE: usize = 400;

#[derive(Default)]
struct RoomState {
    sender: Option<broadcast::Sender<Arc<Envelope>>>,
    /// Viewers connected to this instance.
    local: u64,
    /// Other instances' counts and when they were heard.
    remote: HashMap<String, (u64, Instant)>,
    /// The count last sent to viewers.
    shown: u64,
    /// The minute last recorded and the most viewers recorded in it.
    recorded: Option<(chrono::DateTime<Utc>, u64)>,
}

struct Inner {
    instance: String,
    rooms: Mutex<HashMap<i64, RoomState>>,
    notify: Option<(sqlx::PgPool, String)>,
    store: Store,
    /// Products other instances changed, for this instance's index.
    catalog: broadcast::Sender<Arc<Vec<i64>>>,
    /// Products this instance changed, on their way to the others (PostgreSQL only).
    outgoing: Option<tokio::sync::mpsc::UnboundedSender<i64>>,
    /// What this instance's caches must forget, as it is heard (here and from the others).
    forgets: broadcast::Sender<Forget>,
}

/// The bus of this process; cheap to clone.
#[derive(Clone)]
pub struct LiveBus(Arc<Inner>);

/// Held by a connected viewer; the room's count drops when it is dropped.
pub struct Watching {
    bus: LiveBus,
    room_id: i64,
    pub events: broadcast::Receiver<Arc<Envelope>>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let mut rooms = self.bus.rooms();
        if let Some(room) = rooms.get_mut(&self.room_id) {
            room.local = room.local.saturating_sub(1);
        }
    }
}

impl LiveBus {
    /// Starts the bus: on PostgreSQL it listens for the other instances' events. Call inside
    /// the async runtime.
    pub async fn start(store: &Store) -> Result<LiveBus> {
        let notify = match store.backend() {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let pool = store.db.get_postgres_connection_pool().clone();
                let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
                    .fetch_one(&pool)
                    .await?;
                Some((pool, format!("fg_live_{schema}")))
            }
        };
        let (outgoing, changed) = match notify {
            Some(_) => {
                let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
                (Some(sender), Some(receiver))
            }
            None => (None, None),
        };
        let bus = LiveBus(Arc::new(Inner {
            instance: uuid::Uuid::new_v4().simple().to_string(),
            rooms: Mutex::new(HashMap::new()),
            notify,
            store: store.clone(),
            catalog: broadcast::channel(CHANNEL).0,
            outgoing,
            forgets: broadcast::channel(CHANNEL).0,
        }));
        if let Some((pool, channel)) = &bus.0.notify {
            let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
            listener.listen(channel).await?;
            tokio::spawn(listen(bus.downgrade(), listener));
        }
        if let Some(changed) = changed {
            tokio::spawn(tell_products(bus.downgrade(), changed));
        }
        tokio::spawn(presence(bus.downgrade()));
        Ok(bus)
    }

    fn downgrade(&self) -> std::sync::Weak<Inner> {
        Arc::downgrade(&self.0)
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<i64, RoomState>> {
        self.0
            .rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// This process's name among the instances.
    pub fn instance(&self) -> &str {
        &self.0.instance
    }

    /// Joins a room as a viewer: its events from now on, counted until dropped.
    pub fn watch(&self, room_id: i64) -> Watching {
        let mut rooms = self.rooms();
        let room = rooms.entry(room_id).or_default();
        room.local += 1;
        let events = room
            .sender
            .get_or_insert_with(|| broadcast::channel(CHANNEL).0)
            .subscribe();
        drop(rooms);
        Watching {
            bus: self.clone(),
            room_id,
            events,
        }
    }

    /// Tells the other instances that these products changed (gathered for a moment, so a
    /// burst of orders costs one notification). Nothing to do on SQLite: one process.
    pub fn products_changed(&self, ids: impl IntoIterator<Item = i64>) {
        if let Some(outgoing) = &self.0.outgoing {
            for id in ids {
                // The receiver lives as long as the bus.
                let _ = outgoing.send(id);
            }
        }
    }

    /// Products that other instances changed, as they are heard.
    pub fn catalog_changes(&self) -> broadcast::Receiver<Arc<Vec<i64>>> {
        self.0.catalog.subscribe()
    }

    /// What the caches must forget, as it is heard: said on this instance or another, and the
    /// rooms whose status or pins changed.
    pub fn forgotten(&self) -> broadcast::Receiver<Forget> {
        self.0.forgets.subscribe()
    }

    /// Tells every instance (this one too) to forget `what`.
    pub async fn forget(&self, what: Forget) {
        self.publish(0, LiveEvent::Forget { what }).await;
    }

    /// Viewers in the room now, on every instance.
    pub fn viewers(&self, room_id: i64) -> u64 {
        self.rooms().get(&room_id).map_or(0, total)
    }

    /// Tells only the other instances (nothing on SQLite: one process) to forget `what`; this
    /// instance has already.
    pub async fn forget_elsewhere(&self, what: Forget) {
        self.tell_others(0, &LiveEvent::Forget { what }).await;
    }

    /// Sends an event to the room's viewers here and on every other instance.
    pub async fn publish(&self, room_id: i64, event: LiveEvent) {
        self.tell_others(room_id, &event).await;
        self.deliver(room_id, event);
    }

    async fn tell_others(&self, room_id: i64, event: &LiveEvent) {
        if let Some((pool, channel)) = &self.0.notify {
            let wire = Wire {
                o: self.0.instance.clone(),
                r: room_id,
                e: event.clone(),
            };
            match serde_json::to_string(&wire) {
                Ok(payload) => {
                    let sent = sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(channel)
                        .bind(payload)
                        .execute(pool)
                        .await;
                    if let Err(err) = sent {
                        tracing::warn!(error = %err, room = room_id, "could not tell the other instances");
                    }
                }
                Err(err) => tracing::warn!(error = %err, "could not serialize a live event"),
            }
        }
    }

    /// Hands an event to this instance's viewers of the room.
    fn deliver(&self, room_id: i64, event: LiveEvent) {
        // Nobody listening is fine: no cache is kept (tests, tools).
        match &event {
            LiveEvent::Forget { what } => {
                let _ = self.0.forgets.send(what.clone());
                return;
            }
            LiveEvent::Status { .. } | LiveEvent::Pins => {
                let _ = self.0.forgets.send(Forget::Room { id: room_id });
            }
            _ => {}
        }
        let sender = self.rooms().get(&room_id).and_then(|r| r.sender.clone());
        let Some(sender) = sender else {
            return;
        };
        match serde_json::to_string(&event) {
            Ok(json) => {
                // No receiver is fine: nobody is watching here.
                let _ = sender.send(Arc::new(Envelope {
                    room_id,
                    event,
                    json,
                }));
            }
            Err(err) => tracing::warn!(error = %err, "could not serialize a live event"),
        }
    }

    /// An event another instance sent.
    fn heard(&self, wire: Wire) {
        if wire.o == self.0.instance {
            return;
        }
        if let LiveEvent::Products { ids } = wire.e {
            // Nobody listening is fine: the index is not started (tests, tools).
            let _ = self.0.catalog.send(Arc::new(ids));
            return;
        }
        if let LiveEvent::Presence { instance, count } = wire.e {
            self.rooms()
                .entry(wire.r)
                .or_default()
                .remote
                .insert(instance, (count, Instant::now()));
            return;
        }
        self.deliver(wire.r, wire.e);
    }

    /// Once a second: tell the other instances our counts, show viewers the new totals,
    /// and record the minute's peak for the room's results.
    async fn tick(&self) {
        let now = Instant::now();
        let minute = Utc::now()
            .duration_trunc(chrono::Duration::minutes(1))
            .unwrap_or_else(|_| Utc::now());
        let mut announce = Vec::new();
        let mut show = Vec::new();
        let mut record = Vec::new();
        {
            let mut rooms = self.rooms();
            rooms.retain(|_, room| {
                room.remote
                    .retain(|_, (_, at)| now.duration_since(*at) < PRESENCE_TTL);
                room.local > 0 || !room.remote.is_empty() || room.shown > 0
            });
            for (id, room) in rooms.iter_mut() {
                announce.push((*id, room.local));
                let count = total(room);
                if count != room.shown {
                    room.shown = count;
                    show.push((*id, count));
                }
                let peak = match room.recorded {
                    Some((at, most)) if at == minute => Some(most),
                    _ => None,
                };
                if room.local > 0 && peak.is_none_or(|most| room.local > most) {
                    room.recorded = Some((minute, room.local));
                    record.push((*id, room.local));
                }
            }
        }
        for (room_id, count) in announce {
            if self.0.notify.is_some() {
                let instance = self.0.instance.clone();
                self.publish_remote(room_id, LiveEvent::Presence { instance, count })
                    .await;
            }
        }
        for (room_id, count) in show {
            self.deliver(room_id, LiveEvent::Viewers { count });
        }
        for (room_id, viewers) in record {
            if let Err(err) = self
                .0
                .store
                .record_viewer_minute(room_id, minute, &self.0.instance, viewers)
                .await
            {
                tracing::warn!(error = %err, room = room_id, "could not record the room's viewers");
            }
        }
    }

    /// Sends to the other instances only.
    async fn publish_remote(&self, room_id: i64, event: LiveEvent) {
        let Some((pool, channel)) = &self.0.notify else {
            return;
        };
        let wire = Wire {
            o: self.0.instance.clone(),
            r: room_id,
            e: event,
        };
        if let Ok(payload) = serde_json::to_string(&wire) {
            let _ = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(pool)
                .await;
        }
    }
}

/// Gathers the products this instance changed and tells the other instances, a notification
/// per few hundred ids, until the bus is dropped.
async fn tell_products(
    bus: std::sync::Weak<Inner>,
    mut changed: tokio::sync::mpsc::UnboundedReceiver<i64>,
) {
    while let Some(first) = changed.recv().await {
        tokio::time::sleep(PRODUCTS_GATHER).await;
        let mut ids = std::collections::BTreeSet::from([first]);
        while let Ok(id) = changed.try_recv() {
            ids.insert(id);
        }
        let Some(inner) = bus.upgrade() else {
            return;
        };
        let bus = LiveBus(inner);
        let ids: Vec<i64> = ids.into_iter().collect();
        for chunk in ids.chunks(PRODUCTS_PER_NOTICE) {
            let ids = chunk.to_vec();
            bus.publish_remote(0, LiveEvent::Products { ids }).await;
        }
    }
}

fn total(room: &RoomState) -> u64 {
    room.local + room.remote.values().map(|(count, _)| count).sum::<u64>()
}

async fn listen(bus: std::sync::Weak<Inner>, mut listener: sqlx::postgres::PgListener) {
    loop {
        let received = listener.recv().await;
        let Some(inner) = bus.upgrade() else {
            return;
        };
        let bus = LiveBus(inner);
        match received {
            Ok(notification) => match serde_json::from_str::<Wire>(notification.payload()) {
                Ok(wire) => bus.heard(wire),
                Err(err) => tracing::warn!(error = %err, "a live event this version cannot read"),
            },
            // The store is closing: let go of the connection so it can.
            Err(sqlx::Error::PoolClosed) => return,
            Err(err) => {
                tracing::warn!(error = %err, "lost the live events' channel; listening again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn presence(bus: std::sync::Weak<Inner>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let Some(inner) = bus.upgrade() else {
            return;
        };
        LiveBus(inner).tick().await;
    }
}

impl Store {
    /// Counts viewers of the room once each, however often they come back (one statement for
    /// a whole crowd joining at once).
    pub async fn record_viewers(&self, room_id: i64, viewer_ids: &[String]) -> Result<()> {
        if viewer_ids.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        // SQLite binds at most 32,766 values a statement: 3 per row.
        for chunk in viewer_ids.chunks(5000) {
            viewer::Entity::insert_many(chunk.iter().map(|id| viewer::ActiveModel {
                room_id: Set(room_id),
                viewer: Set(id.clone()),
                first_at: Set(now),
            }))
            .on_conflict(
                OnConflict::columns([viewer::Column::RoomId, viewer::Column::Viewer])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        }
        Ok(())
    }

    /// Counts one viewer of the room once.
    pub async fn record_viewer(&self, room_id: i64, viewer_id: &str) -> Result<()> {
        self.record_viewers(room_id, &[viewer_id.to_owned()]).await
    }

    /// Records the most viewers one instance had in the room during `minute`.
    pub async fn record_viewer_minute(
        &self,
        room_id: i64,
        minute: chrono::DateTime<Utc>,
        instance: &str,
        viewers: u64,
    ) -> Result<()> {
        viewer_minute::Entity::insert(viewer_minute::ActiveModel {
            room_id: Set(room_id),
            minute: Set(minute),
            instance: Set(instance.to_owned()),
            viewers: Set(i32::try_from(viewers).unwrap_or(i32::MAX)),
        })
        .on_conflict(
            OnConflict::columns([
                viewer_minute::Column::RoomId,
                viewer_minute::Column::Minute,
                viewer_minute::Column::Instance,
            ])
            .update_column(viewer_minute::Column::Viewers)
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }
}
