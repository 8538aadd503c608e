//! Live rooms: scheduling, going live and ending, the products pinned in a room, the chat,
//! who watched, what a room sold (`results`), and the events that reach every viewer on
//! every instance (`bus`).

pub mod bus;
mod chat;
pub(crate) mod entity;
mod results;

pub use bus::{Forget, LiveBus, LiveEvent};
pub use chat::{BACKLOG, ChatMessage};
pub use results::{MinuteRow, ProductSales, RoomResults};

use chrono::{DateTime, Utc};
use farmgate_domain::lang::Language;
use farmgate_domain::live::{RoomEvent, RoomStatus};
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionPath;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::regions::entity as region;
use crate::{Error, Result, Store};
use entity::{pin, room, room_shop};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Room {
    pub id: i64,
    pub host_id: i64,
    pub region_id: i64,
    pub title_zh: String,
    pub title_ug: Option<String>,
    pub title_en: Option<String>,
    pub status: RoomStatus,
    pub starts_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// The shops whose products may be pinned.
    pub shop_ids: Vec<i64>,
    /// Secret: shown to the host only.
    #[serde(skip)]
    pub stream_key: String,
    /// The name the stream on air was pushed under (its files are named after it); None when
    /// nothing is being pushed. Secret like the key.
    #[serde(skip)]
    pub stream_name: Option<String>,
    /// The cover picture's hash, when the host gave one.
    pub cover_hash: Option<String>,
}

impl Room {
    /// The title in `language`, or the Chinese one; the flag says whether it is a fallback.
    pub fn title(&self, language: Language) -> (&str, bool) {
        let own = match language {
            Language::ZhCn => Some(self.title_zh.as_str()),
            Language::Ug => self.title_ug.as_deref(),
            Language::En => self.title_en.as_deref(),
        };
        match own {
            Some(title) => (title, true),
            None => (&self.title_zh, false),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewRoom {
    pub host_id: i64,
    pub region_id: i64,
    pub title_zh: String,
    pub title_ug: Option<String>,
    pub title_en: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub shop_ids: Vec<i64>,
}

/// A product pinned in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    pub variant_id: i64,
    pub room_price: Option<Fen>,
    pub pinned: bool,
    pub pinned_at: DateTime<Utc>,
}

fn stream_key() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn room_from(row: room::Model, shop_ids: Vec<i64>) -> Result<Room> {
    Ok(Room {
        status: RoomStatus::parse(&row.status)
            .ok_or_else(|| Error::Config(format!("room {} has an unknown status", row.id)))?,
        id: row.id,
        host_id: row.host_id,
        region_id: row.region_id,
        title_zh: row.title_zh,
        title_ug: row.title_ug,
        title_en: row.title_en,
        starts_at: row.starts_at,
        started_at: row.started_at,
        ended_at: row.ended_at,
        stream_key: row.stream_key,
        stream_name: row.stream_name,
        cover_hash: row.cover_hash,
        shop_ids,
    })
}

impl Store {
    /// Schedules a room with the shops whose products it may pin, and a fresh stream key.
    pub async fn schedule_room(&self, new: NewRoom) -> Result<Room> {
        let txn = self.begin_write().await?;
        let row = room::ActiveModel {
            host_id: Set(new.host_id),
            region_id: Set(new.region_id),
            title_zh: Set(new.title_zh),
            title_ug: Set(new.title_ug),
            title_en: Set(new.title_en),
            status: Set(RoomStatus::Scheduled.as_str().to_owned()),
            starts_at: Set(new.starts_at),
            started_at: Set(None),
            ended_at: Set(None),
            stream_key: Set(stream_key()),
            created_at: Set(Utc::now()),
            stream_name: Set(None),
            cover_hash: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for shop_id in &new.shop_ids {
            room_shop::ActiveModel {
                room_id: Set(row.id),
                shop_id: Set(*shop_id),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        room_from(row, new.shop_ids)
    }

    pub async fn room(&self, id: i64) -> Result<Room> {
        let row = room::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let shops = room_shop::Entity::find()
            .filter(room_shop::Column::RoomId.eq(id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| s.shop_id)
            .collect();
        room_from(row, shops)
    }

    /// Only the room's state (one small query, for the one-tap path).
    pub async fn room_status(&self, id: i64) -> Result<RoomStatus> {
        use sea_orm::QuerySelect;
        let status: Option<String> = room::Entity::find_by_id(id)
            .select_only()
            .column(room::Column::Status)
            .into_tuple()
            .one(&self.db)
            .await?;
        let status = status.ok_or(Error::NotFound)?;
        RoomStatus::parse(&status)
            .ok_or_else(|| Error::Config(format!("room {id} has an unknown status")))
    }

    /// Rooms live now, then upcoming ones by start time, inside `region`.
    pub async fn rooms_on_air(&self, region: &RegionPath, limit: u64) -> Result<Vec<Room>> {
        use sea_orm::QuerySelect;
        let rows = room::Entity::find()
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()))
            .filter(
                room::Column::Status
                    .is_in([RoomStatus::Live.as_str(), RoomStatus::Scheduled.as_str()]),
            )
            .order_by_asc(room::Column::Status)
            .order_by_asc(room::Column::StartsAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter().map(|r| room_from(r, Vec::new())).collect()
    }

    /// Every room inside `region` (live, upcoming and ended), the latest start first.
    pub async fn rooms_within(&self, region: &RegionPath, limit: u64) -> Result<Vec<Room>> {
        use sea_orm::QuerySelect;
        room::Entity::find()
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()))
            .order_by_desc(room::Column::StartsAt)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| room_from(r, Vec::new()))
            .collect()
    }

    /// The rooms an account hosts, newest first.
    pub async fn rooms_of_host(&self, host_id: i64) -> Result<Vec<Room>> {
        room::Entity::find()
            .filter(room::Column::HostId.eq(host_id))
            .order_by_desc(room::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| room_from(r, Vec::new()))
            .collect()
    }

    /// Starts or ends a room; a step its state does not allow is `Error::Room` saying why.
    pub async fn move_room(&self, id: i64, event: RoomEvent) -> Result<Room> {
        let current = self.room(id).await?;
        let next = current.status.step(event)?;
        let now = Utc::now();
        let mut update = room::Entity::update_many()
            .col_expr(room::Column::Status, Expr::value(next.as_str()))
            .filter(room::Column::Id.eq(id))
            .filter(room::Column::Status.eq(current.status.as_str()));
        update = match event {
            RoomEvent::Start => update.col_expr(room::Column::StartedAt, Expr::value(now)),
            RoomEvent::End => update.col_expr(room::Column::EndedAt, Expr::value(now)),
        };
        if update.exec(&self.db).await?.rows_affected == 0 {
            // Someone moved it meanwhile: refused for what it is now.
            let now = self.room(id).await?;
            return Err(now
                .status
                .step(event)
                .err()
                .map_or(Error::Conflict { field: "status" }, Error::Room));
        }
        self.room(id).await
    }

    /// Gives the room a cover picture (a photo already stored under `hash`).
    pub async fn set_room_cover(&self, id: i64, hash: &str) -> Result<()> {
        let moved = room::Entity::update_many()
            .col_expr(room::Column::CoverHash, Expr::value(hash))
            .filter(room::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if moved.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// A new stream key for the room; the old one stops working.
    pub async fn rotate_stream_key(&self, id: i64) -> Result<String> {
        let key = stream_key();
        let moved = room::Entity::update_many()
            .col_expr(room::Column::StreamKey, Expr::value(key.clone()))
            .filter(room::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if moved.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        Ok(key)
    }

    /// Lets a push with `key` in: the room with that stream key, unless it has ended, now
    /// streams under that name. None refuses the push (no such key, or the room ended).
    pub async fn start_stream(&self, key: &str) -> Result<Option<Room>> {
        let Some(row) = room::Entity::find()
            .filter(room::Column::StreamKey.eq(key))
            .filter(room::Column::Status.ne(RoomStatus::Ended.as_str()))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        room::Entity::update_many()
            .col_expr(room::Column::StreamName, Expr::value(key))
            .filter(room::Column::Id.eq(row.id))
            .exec(&self.db)
            .await?;
        self.room(row.id).await.map(Some)
    }

    /// The push under `name` stopped: the room has no stream until the next push. Returns
    /// the room it was, if any.
    pub async fn stop_stream(&self, name: &str) -> Result<Option<i64>> {
        let room = room::Entity::find()
            .filter(room::Column::StreamName.eq(name))
            .one(&self.db)
            .await?
            .map(|r| r.id);
        room::Entity::update_many()
            .col_expr(
                room::Column::StreamName,
                Expr::value(Option::<String>::None),
            )
            .filter(room::Column::StreamName.eq(name))
            .exec(&self.db)
            .await?;
        Ok(room)
    }

    /// Pins a variant in a room (again, if it was unpinned), with an optional room price.
    pub async fn pin(&self, room_id: i64, variant_id: i64, room_price: Option<Fen>) -> Result<()> {
        let existing = pin::Entity::find()
            .filter(pin::Column::RoomId.eq(room_id))
            .filter(pin::Column::VariantId.eq(variant_id))
            .one(&self.db)
            .await?;
        match existing {
            Some(row) => {
                let mut active: pin::ActiveModel = row.into();
                active.pinned = Set(true);
                active.room_price_fen = Set(room_price.map(|p| p.0));
                active.pinned_at = Set(Utc::now());
                active.update(&self.db).await?;
            }
            None => {
                pin::ActiveModel {
                    room_id: Set(room_id),
                    variant_id: Set(variant_id),
                    room_price_fen: Set(room_price.map(|p| p.0)),
                    pinned: Set(true),
                    pinned_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(&self.db)
                .await?;
            }
        }
        Ok(())
    }

    pub async fn unpin(&self, room_id: i64, variant_id: i64) -> Result<()> {
        pin::Entity::update_many()
            .col_expr(pin::Column::Pinned, Expr::value(false))
            .filter(pin::Column::RoomId.eq(room_id))
            .filter(pin::Column::VariantId.eq(variant_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The room prices a buyer pays now, by variant: none unless the room is live.
    pub async fn live_room_prices(
        &self,
        room_id: i64,
    ) -> Result<std::collections::HashMap<i64, Fen>> {
        Ok(room_prices(&self.db, &[room_id])
            .await?
            .into_iter()
            .map(|((_, variant), price)| (variant, Fen(price)))
            .collect())
    }

    /// What is pinned in a room now, the latest first.
    pub async fn pins(&self, room_id: i64) -> Result<Vec<Pin>> {
        Ok(pin::Entity::find()
            .filter(pin::Column::RoomId.eq(room_id))
            .filter(pin::Column::Pinned.eq(true))
            .order_by_desc(pin::Column::PinnedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| Pin {
                variant_id: p.variant_id,
                room_price: p.room_price_fen.map(Fen),
                pinned: p.pinned,
                pinned_at: p.pinned_at,
            })
            .collect())
    }
}

/// Room prices in force: (room, variant) → price in fen, for the rooms among `room_ids` that
/// are live now and the variants pinned there with a room price.
pub(crate) async fn room_prices<C: sea_orm::ConnectionTrait>(
    conn: &C,
    room_ids: &[i64],
) -> Result<std::collections::HashMap<(i64, i64), i64>> {
    if room_ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let live: Vec<i64> = room::Entity::find()
        .filter(room::Column::Id.is_in(room_ids.iter().copied()))
        .filter(room::Column::Status.eq(RoomStatus::Live.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    Ok(pin::Entity::find()
        .filter(pin::Column::RoomId.is_in(live))
        .filter(pin::Column::Pinned.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|p| {
            p.room_price_fen
                .map(|price| ((p.room_id, p.variant_id), price))
        })
        .collect())
}
