//! What a room did: viewers (peak, average, unique), messages, orders, GMV, conversion, sales
//! per pinned product and a minute-by-minute line, for the host and the centre.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, Utc};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::OrderStatus;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use super::entity::{message, viewer, viewer_minute};
use crate::orders::entity::{line, order};
use crate::{Result, Store};

/// One minute of a room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MinuteRow {
    pub minute: Option<DateTime<Utc>>,
    pub viewers: u64,
    pub messages: u64,
    pub orders: u64,
    pub gmv: Fen,
}

/// What one variant sold in the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductSales {
    pub variant_id: i64,
    pub name: String,
    pub quantity: u64,
    pub amount: Fen,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoomResults {
    pub room_id: i64,
    pub peak_viewers: u64,
    pub average_viewers: f64,
    pub unique_viewers: u64,
    pub messages: u64,
    /// Orders placed from the room, cancelled ones left out.
    pub orders: u64,
    /// Goods sold (without shipping), cancelled orders left out.
    pub gmv: Fen,
    /// Orders per unique viewer.
    pub conversion: f64,
    pub products: Vec<ProductSales>,
    pub minutes: Vec<MinuteRow>,
}

fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(chrono::Duration::minutes(1))
        .unwrap_or(at)
}

fn row_of(minutes: &mut BTreeMap<DateTime<Utc>, MinuteRow>, at: DateTime<Utc>) -> &mut MinuteRow {
    let minute = minute_of(at);
    minutes.entry(minute).or_insert_with(|| MinuteRow {
        minute: Some(minute),
        ..MinuteRow::default()
    })
}

impl Store {
    /// The room's results so far (a live room's grow as it runs).
    pub async fn room_results(&self, room_id: i64) -> Result<RoomResults> {
        let mut minutes: BTreeMap<DateTime<Utc>, MinuteRow> = BTreeMap::new();
        for sample in viewer_minute::Entity::find()
            .filter(viewer_minute::Column::RoomId.eq(room_id))
            .all(&self.db)
            .await?
        {
            row_of(&mut minutes, sample.minute).viewers +=
                u64::try_from(sample.viewers).unwrap_or(0);
        }
        let said: Vec<DateTime<Utc>> = message::Entity::find()
            .select_only()
            .column(message::Column::CreatedAt)
            .filter(message::Column::RoomId.eq(room_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        for at in &said {
            row_of(&mut minutes, *at).messages += 1;
        }
        let placed: Vec<(i64, DateTime<Utc>, i64)> = order::Entity::find()
            .select_only()
            .column(order::Column::Id)
            .column(order::Column::PlacedAt)
            .column(order::Column::GoodsFen)
            .filter(order::Column::RoomId.eq(room_id))
            .filter(order::Column::Status.ne(OrderStatus::Cancelled.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut gmv = Fen(0);
        for (_, at, goods) in &placed {
            let row = row_of(&mut minutes, *at);
            row.orders += 1;
            row.gmv = Fen(row.gmv.0 + goods);
            gmv = Fen(gmv.0 + goods);
        }
        let products = self.room_products(room_id).await?;
        let unique_viewers = viewer::Entity::find()
            .filter(viewer::Column::RoomId.eq(room_id))
            .count(&self.db)
            .await?;
        let minutes: Vec<MinuteRow> = minutes.into_values().collect();
        let watched: Vec<u64> = minutes
            .iter()
            .map(|m| m.viewers)
            .filter(|v| *v > 0)
            .collect();
        let orders = placed.len() as u64;
        Ok(RoomResults {
            room_id,
            peak_viewers: watched.iter().copied().max().unwrap_or(0),
            average_viewers: if watched.is_empty() {
                0.0
            } else {
                watched.iter().sum::<u64>() as f64 / watched.len() as f64
            },
            unique_viewers,
            messages: said.len() as u64,
            orders,
            gmv,
            conversion: if unique_viewers == 0 {
                0.0
            } else {
                orders as f64 / unique_viewers as f64
            },
            products,
            minutes,
        })
    }

    /// What a room sold, per variant, most first (cancelled orders left out).
    async fn room_products(&self, room_id: i64) -> Result<Vec<ProductSales>> {
        let lines: Vec<(i64, String, i32, i64)> = line::Entity::find()
            .select_only()
            .column(line::Column::VariantId)
            .column(line::Column::Name)
            .column(line::Column::Quantity)
            .column(line::Column::LineFen)
            .filter(
                line::Column::OrderId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(order::Column::Id)
                        .from(order::Entity)
                        .and_where(order::Column::RoomId.eq(room_id))
                        .and_where(order::Column::Status.ne(OrderStatus::Cancelled.as_str()))
                        .to_owned(),
                ),
            )
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut products: Vec<ProductSales> = Vec::new();
        for (variant_id, name, quantity, amount) in lines {
            let quantity = u64::try_from(quantity).unwrap_or(0);
            match products.iter_mut().find(|p| p.variant_id == variant_id) {
                Some(p) => {
                    p.quantity += quantity;
                    p.amount = Fen(p.amount.0 + amount);
                }
                None => products.push(ProductSales {
                    variant_id,
                    name,
                    quantity,
                    amount: Fen(amount),
                }),
            }
        }
        products.sort_by_key(|p| std::cmp::Reverse(p.amount));
        Ok(products)
    }
}
