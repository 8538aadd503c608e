//! Outbound parcels: a county seller's order shipped through the centre. The centre holds
//! blocks of waybill numbers from each carrier; a label takes the next number of the carrier
//! the seller chose (or the cheapest for the parcel's zone and weight). The parcel is left at
//! a station (a run carries it in) or brought to the centre, scanned in there, and handed to
//! its carrier's van; each step is an event on its tracking.

use chrono::{DateTime, Utc};
use farmgate_domain::logistics::outbound::{WaybillBlock, waybill_number, zone_between};
use farmgate_domain::logistics::{
    Direction, LogisticsRefusal, Stage, TrackingNumber, Zone, fee_for,
};
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionPath;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::carriers::{Carrier, Depot, depot_from};
use super::entity::{depot, parcel, waybill_block};
use super::inbound::{Step, record};
use super::tracking::{LogisticsParcel, Tracking, parcel_from};
use crate::orders::Order;
use crate::regions::entity as region;
use crate::{Error, Result, Store};

/// What a carrier asks for one parcel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    pub carrier: Carrier,
    pub fee: Fen,
}

/// The waybill numbers a depot has left of one carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaybillStock {
    pub carrier_id: i64,
    pub left: i64,
    /// The next number a label takes.
    pub next: Option<String>,
}

/// An order to ship through a depot: which carrier (none: the cheapest) and the parcel's
/// weight.
#[derive(Debug, Clone, Copy)]
pub struct Shipment<'a> {
    pub order: &'a Order,
    pub carrier_id: Option<i64>,
    pub grams: i32,
}

/// The code of the province holding region `region_id` (the second step of its path).
async fn province_code(conn: &impl ConnectionTrait, region_id: i64) -> Result<Option<String>> {
    let Some(row) = region::Entity::find_by_id(region_id).one(conn).await? else {
        return Ok(None);
    };
    let path = RegionPath::parse(&row.path).map_err(|_| crate::error::corrupt("region", row.id))?;
    let Some(province) = path.ids().nth(1) else {
        return Ok(None);
    };
    Ok(region::Entity::find_by_id(province)
        .one(conn)
        .await?
        .map(|r| r.code))
}

impl Store {
    /// The depot of the county that holds `place` (a shop's or a station's region), if the
    /// county has one.
    pub async fn depot_serving(&self, place: &RegionPath) -> Result<Option<Depot>> {
        let depots = depot::Entity::find()
            .order_by_asc(depot::Column::Id)
            .all(&self.db)
            .await?;
        for row in depots {
            let county = region::Entity::find_by_id(row.county_id)
                .one(&self.db)
                .await?;
            if county.is_some_and(|c| place.as_str().starts_with(c.path.as_str())) {
                return Ok(Some(depot_from(row)));
            }
        }
        Ok(None)
    }

    /// How far `order` goes from `depot`, for the carriers' rates.
    pub async fn zone_of(&self, depot: &Depot, order: &Order) -> Result<Zone> {
        let from = province_code(&self.db, depot.county_id).await?;
        let to = match order.delivery_region_id {
            Some(id) => province_code(&self.db, id).await?,
            None => None,
        };
        Ok(match (from, to) {
            (Some(from), Some(to)) => zone_between(&from, &to),
            _ => Zone::Far,
        })
    }

    /// What each carrier working through `depot` asks for a parcel of `grams` to `zone`, when
    /// it has a rate for it and numbers left: the cheapest first.
    pub async fn quotes(&self, depot: &Depot, zone: Zone, grams: i32) -> Result<Vec<Quote>> {
        let stock = self.waybill_stock(depot.id).await?;
        let mut quotes: Vec<Quote> = self
            .agreements(depot.id)
            .await?
            .into_iter()
            .filter_map(|a| {
                let terms = a.terms.filter(|t| t.active)?;
                let fee = fee_for(&terms.rates, zone, grams)?;
                let left = stock
                    .iter()
                    .any(|s| s.carrier_id == a.carrier.id && s.left > 0);
                left.then_some(Quote {
                    carrier: a.carrier,
                    fee,
                })
            })
            .collect();
        quotes.sort_by_key(|q| (q.fee, q.carrier.id));
        Ok(quotes)
    }

    /// Labels `shipment.order` at `depot`: the chosen carrier (or the cheapest) and its next
    /// waybill number; the parcel waits to be collected. An order labelled before (and not
    /// voided) answers with that parcel, taking no second number.
    pub async fn label_order(
        &self,
        depot: &Depot,
        shipment: Shipment<'_>,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<LogisticsParcel> {
        let order = shipment.order;
        if let Some(found) = self.order_parcel(order.id).await? {
            return Ok(found.parcel);
        }
        let zone = self.zone_of(depot, order).await?;
        let quotes = self.quotes(depot, zone, shipment.grams).await?;
        let quote = match shipment.carrier_id {
            Some(id) => quotes.into_iter().find(|q| q.carrier.id == id),
            None => quotes.into_iter().next(),
        }
        .ok_or(Error::Logistics(LogisticsRefusal::NoRate))?;
        let txn = self.begin_write().await?;
        let number = take_number(&txn, depot.id, quote.carrier.id).await?;
        let row = parcel::ActiveModel {
            depot_id: Set(depot.id),
            carrier_id: Set(quote.carrier.id),
            tracking_number: Set(number),
            direction: Set(Direction::Outbound.as_str().to_owned()),
            stage: Set(Stage::Labelled.as_str().to_owned()),
            region_id: Set(order.delivery_region_id),
            receiver_name: Set(order.recipient_name.clone()),
            receiver_phone: Set(order.recipient_phone.clone()),
            address: Set(order.address.clone()),
            weight_grams: Set(Some(shipment.grams)),
            fee_fen: Set(quote.fee.0),
            order_id: Set(Some(order.id)),
            shop_id: Set(Some(order.shop_id)),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let step = Step {
            actor_id: Some(actor_id),
            ..Step::new(Stage::Labelled, now)
        };
        record(&txn, row.id, row.carrier_id, step).await?;
        txn.commit().await?;
        parcel_from(row)
    }

    /// The parcel `order_id` was labelled with (the last one not voided), with its history.
    pub async fn order_parcel(&self, order_id: i64) -> Result<Option<Tracking>> {
        let row = parcel::Entity::find()
            .filter(parcel::Column::OrderId.eq(order_id))
            .filter(parcel::Column::Stage.ne(Stage::Voided.as_str()))
            .order_by_desc(parcel::Column::Id)
            .one(&self.db)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let number = TrackingNumber::parse(&row.tracking_number)
            .map_err(|_| crate::error::corrupt("logistics parcel", row.id))?;
        Ok(self
            .tracking(&number)
            .await?
            .into_iter()
            .find(|t| t.parcel.id == row.id))
    }

    /// Moves outbound parcel `parcel_id` to `next` (a step `Stage::outbound_may_become`
    /// allows), at `station_id` when the step is at a station.
    async fn outbound_step(
        &self,
        parcel_id: i64,
        next: Stage,
        station_id: Option<i64>,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<LogisticsParcel> {
        let txn = self.begin_write().await?;
        let row = parcel::Entity::find_by_id(parcel_id)
            .filter(parcel::Column::Direction.eq(Direction::Outbound.as_str()))
            .one(&txn)
            .await?
            .ok_or(Error::Logistics(LogisticsRefusal::NoParcel))?;
        let stage = Stage::parse(&row.stage).unwrap_or(Stage::Voided);
        if !stage.outbound_may_become(next) {
            return Err(Error::Logistics(LogisticsRefusal::WrongStage));
        }
        let carrier_id = row.carrier_id;
        let mut active: parcel::ActiveModel = row.into();
        active.stage = Set(next.as_str().to_owned());
        if station_id.is_some() {
            active.station_id = Set(station_id);
        }
        active.updated_at = Set(now);
        let row = active.update(&txn).await?;
        let step = Step {
            actor_id: Some(actor_id),
            station_id,
            ..Step::new(next, now)
        };
        record(&txn, parcel_id, carrier_id, step).await?;
        txn.commit().await?;
        parcel_from(row)
    }

    /// The seller cancels a label before the parcel leaves them; its number is not reused.
    pub async fn void_label(
        &self,
        parcel_id: i64,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<LogisticsParcel> {
        self.outbound_step(parcel_id, Stage::Voided, None, actor_id, now)
            .await
    }

    /// A station takes in a seller's labelled parcel, read by its number, for the next run
    /// to carry to the centre.
    pub async fn drop_at_station(
        &self,
        station_id: i64,
        number: &TrackingNumber,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<LogisticsParcel> {
        let found = parcel::Entity::find()
            .filter(parcel::Column::TrackingNumber.eq(number.as_str()))
            .filter(parcel::Column::Direction.eq(Direction::Outbound.as_str()))
            .order_by_desc(parcel::Column::Id)
            .one(&self.db)
            .await?
            .ok_or(Error::Logistics(LogisticsRefusal::NoParcel))?;
        // Only a station of the depot's county: its runs pass there.
        let depot = self.depot(found.depot_id).await?;
        let county = region::Entity::find_by_id(depot.county_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let station = self.station(station_id).await?;
        let place = region::Entity::find_by_id(station.region_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        if !place.path.starts_with(county.path.as_str()) {
            return Err(Error::Logistics(LogisticsRefusal::NoParcel));
        }
        self.outbound_step(found.id, Stage::Dropped, Some(station_id), actor_id, now)
            .await
    }

    /// Adds a block of `carrier_id`'s waybill numbers to `depot_id`.
    pub async fn add_waybill_block(
        &self,
        depot_id: i64,
        carrier_id: i64,
        block: &WaybillBlock<'_>,
        actor_id: i64,
    ) -> Result<()> {
        waybill_block::ActiveModel {
            depot_id: Set(depot_id),
            carrier_id: Set(carrier_id),
            prefix: Set(block.prefix.to_owned()),
            digits: Set(i32::try_from(block.digits).unwrap_or(18)),
            next_serial: Set(block.first),
            last_serial: Set(block.last),
            added_by: Set(actor_id),
            added_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Per carrier, the numbers `depot_id` has left and the next one.
    pub async fn waybill_stock(&self, depot_id: i64) -> Result<Vec<WaybillStock>> {
        let blocks = waybill_block::Entity::find()
            .filter(waybill_block::Column::DepotId.eq(depot_id))
            .order_by_asc(waybill_block::Column::Id)
            .all(&self.db)
            .await?;
        let mut stock: Vec<WaybillStock> = Vec::new();
        for b in blocks {
            let left = Ord::max(b.last_serial - b.next_serial + 1, 0);
            let digits = u32::try_from(b.digits).unwrap_or(0);
            let next = (left > 0).then(|| waybill_number(&b.prefix, digits, b.next_serial));
            match stock.iter_mut().find(|s| s.carrier_id == b.carrier_id) {
                Some(s) => {
                    s.left += left;
                    s.next = s.next.take().or(next);
                }
                None => stock.push(WaybillStock {
                    carrier_id: b.carrier_id,
                    left,
                    next,
                }),
            }
        }
        Ok(stock)
    }

    /// Sellers' parcels left at any of `stations` for a run to collect: (station, parcels).
    pub async fn dropped_at(&self, stations: &[i64]) -> Result<Vec<(i64, i64)>> {
        let rows: Vec<(Option<i64>, i64)> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::StationId)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .filter(parcel::Column::StationId.is_in(stations.iter().copied()))
            .filter(parcel::Column::Direction.eq(Direction::Outbound.as_str()))
            .filter(parcel::Column::Stage.eq(Stage::Dropped.as_str()))
            .group_by(parcel::Column::StationId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(station, n)| station.map(|s| (s, n)))
            .collect())
    }

    /// Outbound parcels scanned in at `depot_id` and not yet handed over: per carrier.
    pub async fn outbound_waiting(&self, depot_id: i64) -> Result<Vec<(i64, i64)>> {
        Ok(parcel::Entity::find()
            .select_only()
            .column(parcel::Column::CarrierId)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Direction.eq(Direction::Outbound.as_str()))
            .filter(parcel::Column::Stage.eq(Stage::ScannedIn.as_str()))
            .group_by(parcel::Column::CarrierId)
            .order_by_asc(parcel::Column::CarrierId)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Hands every outbound parcel of `carrier_id` waiting at `depot_id` to the carrier's van.
    /// Returns how many went.
    pub async fn dispatch_outbound(
        &self,
        depot_id: i64,
        carrier_id: i64,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let txn = self.begin_write().await?;
        let ids: Vec<i64> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::Id)
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::CarrierId.eq(carrier_id))
            .filter(parcel::Column::Direction.eq(Direction::Outbound.as_str()))
            .filter(parcel::Column::Stage.eq(Stage::ScannedIn.as_str()))
            .into_tuple()
            .all(&txn)
            .await?;
        for chunk in ids.chunks(500) {
            parcel::Entity::update_many()
                .col_expr(
                    parcel::Column::Stage,
                    Expr::value(Stage::Dispatched.as_str()),
                )
                .col_expr(parcel::Column::UpdatedAt, Expr::value(now))
                .filter(parcel::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
            let events = chunk.iter().map(|id| super::entity::event::ActiveModel {
                parcel_id: Set(*id),
                carrier_id: Set(carrier_id),
                kind: Set(Stage::Dispatched.as_str().to_owned()),
                at: Set(now),
                actor_id: Set(Some(actor_id)),
                ..Default::default()
            });
            super::entity::event::Entity::insert_many(events)
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(ids.len() as u64)
    }
}

/// Takes the next number of `carrier_id`'s blocks at `depot_id` (the oldest block first).
async fn take_number(txn: &DatabaseTransaction, depot_id: i64, carrier_id: i64) -> Result<String> {
    loop {
        let block = waybill_block::Entity::find()
            .filter(waybill_block::Column::DepotId.eq(depot_id))
            .filter(waybill_block::Column::CarrierId.eq(carrier_id))
            .filter(
                Expr::col(waybill_block::Column::NextSerial)
                    .lte(Expr::col(waybill_block::Column::LastSerial)),
            )
            .order_by_asc(waybill_block::Column::Id)
            .one(txn)
            .await?
            .ok_or(Error::Logistics(LogisticsRefusal::WaybillsUsedUp))?;
        // Taken only if nobody took it meanwhile.
        let taken = waybill_block::Entity::update_many()
            .col_expr(
                waybill_block::Column::NextSerial,
                Expr::value(block.next_serial + 1),
            )
            .filter(waybill_block::Column::Id.eq(block.id))
            .filter(waybill_block::Column::NextSerial.eq(block.next_serial))
            .exec(txn)
            .await?;
        if taken.rows_affected == 1 {
            let digits = u32::try_from(block.digits).unwrap_or(0);
            return Ok(waybill_number(&block.prefix, digits, block.next_serial));
        }
    }
}
