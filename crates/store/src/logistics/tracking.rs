//! A parcel's history by its tracking number: what the buyer's order page, the public tracking
//! page and the carrier read.

use chrono::{DateTime, Utc};
use farmgate_domain::logistics::{Direction, Stage, TrackingNumber};
use farmgate_domain::money::Fen;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::carriers::{Carrier, carrier_from};
use super::entity::{carrier, event, parcel};
use crate::{Result, Store};

/// A parcel passing through a depot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogisticsParcel {
    pub id: i64,
    pub depot_id: i64,
    pub carrier_id: i64,
    pub tracking_number: String,
    pub direction: Direction,
    pub stage: Stage,
    /// The day (China's time) it was scanned in.
    pub day: Option<String>,
    /// The receiver's village, when the carrier's manifest or a worker said it.
    pub region_id: Option<i64>,
    pub station_id: Option<i64>,
    /// Personal data: shown masked, whole only to the centre's staff.
    #[serde(skip)]
    pub receiver_name: Option<String>,
    #[serde(skip)]
    pub receiver_phone: Option<String>,
    #[serde(skip)]
    pub address: Option<String>,
    pub weight_grams: Option<i32>,
    pub fee: Fen,
    pub order_id: Option<i64>,
    /// The seller's shop, for an outbound parcel.
    pub shop_id: Option<i64>,
    pub scanned_at: Option<DateTime<Utc>>,
}

pub(super) fn parcel_from(row: parcel::Model) -> Result<LogisticsParcel> {
    let corrupt = || crate::error::corrupt("logistics parcel", row.id);
    Ok(LogisticsParcel {
        direction: Direction::parse(&row.direction).ok_or_else(corrupt)?,
        stage: Stage::parse(&row.stage).ok_or_else(corrupt)?,
        id: row.id,
        depot_id: row.depot_id,
        carrier_id: row.carrier_id,
        tracking_number: row.tracking_number,
        day: row.day,
        region_id: row.region_id,
        station_id: row.station_id,
        receiver_name: row.receiver_name,
        receiver_phone: row.receiver_phone,
        address: row.address,
        weight_grams: row.weight_grams,
        fee: Fen(row.fee_fen),
        order_id: row.order_id,
        shop_id: row.shop_id,
        scanned_at: row.scanned_at,
    })
}

/// One step in a parcel's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParcelEvent {
    pub id: i64,
    pub kind: Stage,
    pub at: DateTime<Utc>,
    /// The station it concerns (sorted to, delivered to, handed over at).
    pub station_id: Option<i64>,
}

/// A parcel, its carrier and its events, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tracking {
    pub parcel: LogisticsParcel,
    pub carrier: Carrier,
    pub events: Vec<ParcelEvent>,
}

impl Store {
    /// Every parcel printed with `number` (one, unless two carriers' numbers collide), with
    /// its events.
    pub async fn tracking(&self, number: &TrackingNumber) -> Result<Vec<Tracking>> {
        let rows = parcel::Entity::find()
            .filter(parcel::Column::TrackingNumber.eq(number.as_str()))
            .order_by_asc(parcel::Column::Id)
            .all(&self.db)
            .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let carrier = carrier::Entity::find_by_id(row.carrier_id)
                .one(&self.db)
                .await?
                .ok_or_else(|| crate::error::corrupt("logistics parcel", row.id))?;
            let events = self.parcel_events(row.id).await?;
            found.push(Tracking {
                parcel: parcel_from(row)?,
                carrier: carrier_from(carrier)?,
                events,
            });
        }
        Ok(found)
    }

    pub async fn parcel_events(&self, parcel_id: i64) -> Result<Vec<ParcelEvent>> {
        event::Entity::find()
            .filter(event::Column::ParcelId.eq(parcel_id))
            .order_by_asc(event::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                Ok(ParcelEvent {
                    kind: Stage::parse(&row.kind)
                        .ok_or_else(|| crate::error::corrupt("parcel event", row.id))?,
                    id: row.id,
                    at: row.at,
                    station_id: row.station_id,
                })
            })
            .collect()
    }
}

impl Store {
    pub async fn logistics_parcel(&self, id: i64) -> Result<LogisticsParcel> {
        parcel::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(crate::Error::NotFound)
            .and_then(parcel_from)
    }

    /// The parcels scanned in at `depot_id` on `now`'s day, the last first.
    pub async fn recent_scans(
        &self,
        depot_id: i64,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<LogisticsParcel>> {
        use sea_orm::QuerySelect;
        let day = farmgate_domain::stations::till::LedgerDay::of(now);
        parcel::Entity::find()
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Day.eq(day.to_string()))
            .order_by_desc(parcel::Column::ScannedAt)
            .order_by_desc(parcel::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(parcel_from)
            .collect()
    }
}

impl Store {
    /// The express parcel that a station holds as its parcel `station_parcel_id`, if it came
    /// through a depot.
    pub async fn parcel_at_station(
        &self,
        station_parcel_id: i64,
    ) -> Result<Option<LogisticsParcel>> {
        parcel::Entity::find()
            .filter(parcel::Column::StationParcelId.eq(station_parcel_id))
            .one(&self.db)
            .await?
            .map(parcel_from)
            .transpose()
    }
}
