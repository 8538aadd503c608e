//! Runs: each day the centre sends its vans from a depot to the stations. A run is planned with
//! its vehicle, driver and ordered stops (each expected at a time, each with a code the
//! station's desk shows); when it leaves, every parcel sorted to one of its stations goes on it,
//! and each station sees those parcels coming (its own parcel rows, received by the operator
//! and handed over against the receiver's code). The driver marks each stop delivered with the
//! station's code or a photo, and counts what came back. The station's steps with a parcel
//! follow into the parcel's history (`follow_station`).

use chrono::{DateTime, Utc};
use farmgate_domain::logistics::{LogisticsRefusal, Proof, RunStatus, Stage};
use farmgate_domain::stations::ParcelStatus;
use farmgate_domain::stations::till::LedgerDay;
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::carriers::Depot;
use super::entity::{event, parcel, run, stop};
use crate::regions::entity as region;
use crate::stations::entity::{parcel as station_parcel, station};
use crate::{Error, Result, Store};

/// A run as planned or driven.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub id: i64,
    pub depot_id: i64,
    pub day: String,
    pub vehicle: String,
    pub driver_id: i64,
    pub status: RunStatus,
    pub depart_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

/// One stop of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stop {
    pub id: i64,
    pub run_id: i64,
    pub seq: i32,
    pub station_id: i64,
    pub expected_at: DateTime<Utc>,
    /// Shown on the station's desk only.
    #[serde(skip)]
    pub handover_code: String,
    /// Parcels it carries (counted when the run leaves; waiting ones before).
    pub parcels: i32,
    pub delivered_at: Option<DateTime<Utc>>,
    pub proof: Option<Proof>,
    pub photo: Option<String>,
    pub returns: i32,
    pub produce: i32,
}

/// A run to plan: its stops in order, each with when it is expected.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub day: LedgerDay,
    pub vehicle: String,
    pub driver_id: i64,
    pub depart_at: DateTime<Utc>,
    pub stops: Vec<(i64, DateTime<Utc>)>,
}

/// What the driver says at a stop.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub proof: DeliveryProof,
    pub returns: i32,
    pub produce: i32,
}

#[derive(Debug, Clone)]
pub enum DeliveryProof {
    /// The code the station's desk showed.
    Code(String),
    /// A photo's key, stored already.
    Photo(String),
}

fn run_from(row: run::Model) -> Result<Run> {
    Ok(Run {
        status: RunStatus::parse(&row.status)
            .ok_or_else(|| crate::error::corrupt("run", row.id))?,
        id: row.id,
        depot_id: row.depot_id,
        day: row.day,
        vehicle: row.vehicle,
        driver_id: row.driver_id,
        depart_at: row.depart_at,
        left_at: row.left_at,
        done_at: row.done_at,
    })
}

fn stop_from(row: stop::Model) -> Stop {
    Stop {
        proof: row.proof.as_deref().and_then(Proof::parse),
        id: row.id,
        run_id: row.run_id,
        seq: row.seq,
        station_id: row.station_id,
        expected_at: row.expected_at,
        handover_code: row.handover_code,
        parcels: row.parcels,
        delivered_at: row.delivered_at,
        photo: row.photo,
        returns: row.returns,
        produce: row.produce,
    }
}

fn handover_code() -> String {
    format!("{:04}", rand::rng().random_range(0..10_000u32))
}

impl Store {
    /// Plans a run from `depot` to open stations of its county, in the order given.
    pub async fn plan_run(&self, depot: &Depot, new: &NewRun, actor_id: i64) -> Result<Run> {
        if new.stops.is_empty() {
            return Err(LogisticsRefusal::NoStops.into());
        }
        let txn = self.begin_write().await?;
        let county = region::Entity::find_by_id(depot.county_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let ids: Vec<i64> = new.stops.iter().map(|(id, _)| *id).collect();
        let open: Vec<i64> = station::Entity::find()
            .select_only()
            .column(station::Column::Id)
            .inner_join(region::Entity)
            .filter(station::Column::Id.is_in(ids.clone()))
            .filter(station::Column::Active.eq(true))
            .filter(region::Column::Path.starts_with(county.path.as_str()))
            .into_tuple()
            .all(&txn)
            .await?;
        if ids.iter().any(|id| !open.contains(id)) {
            return Err(Error::NotFound);
        }
        let now = Utc::now();
        let row = run::ActiveModel {
            depot_id: Set(depot.id),
            day: Set(new.day.to_string()),
            vehicle: Set(new.vehicle.clone()),
            driver_id: Set(new.driver_id),
            status: Set(RunStatus::Planned.as_str().to_owned()),
            depart_at: Set(new.depart_at),
            planned_by: Set(actor_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let stops = new
            .stops
            .iter()
            .enumerate()
            .map(|(k, (station_id, at))| stop::ActiveModel {
                run_id: Set(row.id),
                seq: Set(k as i32 + 1),
                station_id: Set(*station_id),
                expected_at: Set(*at),
                handover_code: Set(handover_code()),
                parcels: Set(0),
                returns: Set(0),
                produce: Set(0),
                ..Default::default()
            });
        stop::Entity::insert_many(stops)
            .exec(&txn)
            .await
            .map_err(|e| Error::unique_as(e, "stations"))?;
        txn.commit().await?;
        run_from(row)
    }

    pub async fn run(&self, id: i64) -> Result<(Run, Vec<Stop>)> {
        let row = run::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let stops = stop::Entity::find()
            .filter(stop::Column::RunId.eq(id))
            .order_by_asc(stop::Column::Seq)
            .all(&self.db)
            .await?
            .into_iter()
            .map(stop_from)
            .collect();
        Ok((run_from(row)?, stops))
    }

    /// The runs of `depot_id` on `day`, in the order they leave.
    pub async fn runs_of_day(&self, depot_id: i64, day: LedgerDay) -> Result<Vec<Run>> {
        run::Entity::find()
            .filter(run::Column::DepotId.eq(depot_id))
            .filter(run::Column::Day.eq(day.to_string()))
            .order_by_asc(run::Column::DepartAt)
            .order_by_asc(run::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(run_from)
            .collect()
    }

    /// The runs `driver_id` drives on `day`.
    pub async fn runs_of_driver(&self, driver_id: i64, day: LedgerDay) -> Result<Vec<Run>> {
        run::Entity::find()
            .filter(run::Column::DriverId.eq(driver_id))
            .filter(run::Column::Day.eq(day.to_string()))
            .order_by_asc(run::Column::DepartAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(run_from)
            .collect()
    }

    /// Parcels sorted at `depot_id` for each of `stations` and not yet on a run.
    pub async fn waiting_for(&self, depot_id: i64, stations: &[i64]) -> Result<Vec<(i64, i64)>> {
        Ok(parcel::Entity::find()
            .select_only()
            .column(parcel::Column::StationId)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Stage.eq(Stage::Sorted.as_str()))
            .filter(parcel::Column::StationId.is_in(stations.iter().copied()))
            .group_by(parcel::Column::StationId)
            .into_tuple::<(Option<i64>, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|(s, n)| s.map(|s| (s, n)))
            .collect())
    }

    /// Removes a run that has not left.
    pub async fn cancel_run(&self, run_id: i64) -> Result<()> {
        let deleted = run::Entity::delete_many()
            .filter(run::Column::Id.eq(run_id))
            .filter(run::Column::Status.eq(RunStatus::Planned.as_str()))
            .exec(&self.db)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(LogisticsRefusal::RunLeft.into());
        }
        Ok(())
    }

    /// The run leaves the depot: every parcel sorted to one of its stations goes on it (its
    /// stop's), and each station expects them. Returns the parcels loaded.
    pub async fn start_run(&self, run_id: i64, actor_id: i64, now: DateTime<Utc>) -> Result<u64> {
        let txn = self.begin_write().await?;
        let moved = run::Entity::update_many()
            .col_expr(run::Column::Status, Expr::value(RunStatus::Left.as_str()))
            .col_expr(run::Column::LeftAt, Expr::value(now))
            .filter(run::Column::Id.eq(run_id))
            .filter(run::Column::Status.eq(RunStatus::Planned.as_str()))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            run::Entity::find_by_id(run_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?;
            return Err(LogisticsRefusal::RunLeft.into());
        }
        let row = run::Entity::find_by_id(run_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let stops = stop::Entity::find()
            .filter(stop::Column::RunId.eq(run_id))
            .all(&txn)
            .await?;
        let mut loaded = 0;
        for stop in stops {
            let on_board = parcel::Entity::find()
                .filter(parcel::Column::DepotId.eq(row.depot_id))
                .filter(parcel::Column::Stage.eq(Stage::Sorted.as_str()))
                .filter(parcel::Column::StationId.eq(stop.station_id))
                .all(&txn)
                .await?;
            for chunk in on_board.chunks(400) {
                load(&txn, chunk, &stop, actor_id, now).await?;
            }
            let count = on_board.len() as i32;
            stop::Entity::update_many()
                .col_expr(stop::Column::Parcels, Expr::value(count))
                .filter(stop::Column::Id.eq(stop.id))
                .exec(&txn)
                .await?;
            loaded += on_board.len() as u64;
        }
        txn.commit().await?;
        Ok(loaded)
    }

    /// The driver of `run_id` delivered stop `stop_id`, with its proof and what came back.
    /// A wrong code is refused (the driver asks again or takes a photo).
    pub async fn deliver_stop(
        &self,
        run_id: i64,
        stop_id: i64,
        delivery: &Delivery,
        now: DateTime<Utc>,
    ) -> Result<Stop> {
        let txn = self.begin_write().await?;
        let row = run::Entity::find_by_id(run_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if row.status != RunStatus::Left.as_str() {
            return Err(match row.status.as_str() {
                "planned" => LogisticsRefusal::RunNotLeft,
                _ => LogisticsRefusal::StopDelivered,
            }
            .into());
        }
        let found = stop::Entity::find_by_id(stop_id)
            .filter(stop::Column::RunId.eq(run_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if found.delivered_at.is_some() {
            return Err(LogisticsRefusal::StopDelivered.into());
        }
        let (proof, photo) = match &delivery.proof {
            DeliveryProof::Code(code) if code.trim() == found.handover_code => (Proof::Code, None),
            DeliveryProof::Code(_) => return Err(LogisticsRefusal::WrongHandoverCode.into()),
            DeliveryProof::Photo(key) => (Proof::Photo, Some(key.clone())),
        };
        let mut active: stop::ActiveModel = found.into();
        active.delivered_at = Set(Some(now));
        active.proof = Set(Some(proof.as_str().to_owned()));
        active.photo = Set(photo);
        active.returns = Set(delivery.returns.clamp(0, 10_000));
        active.produce = Set(delivery.produce.clamp(0, 10_000));
        let delivered = active.update(&txn).await?;
        collect_dropped(&txn, &delivered, now).await?;
        let open = stop::Entity::find()
            .filter(stop::Column::RunId.eq(run_id))
            .filter(stop::Column::DeliveredAt.is_null())
            .count(&txn)
            .await?;
        if open == 0 {
            run::Entity::update_many()
                .col_expr(run::Column::Status, Expr::value(RunStatus::Done.as_str()))
                .col_expr(run::Column::DoneAt, Expr::value(now))
                .filter(run::Column::Id.eq(run_id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(stop_from(delivered))
    }

    /// Stops on their way to any of `stations` (their runs have left, they are not delivered):
    /// the desk shows each one's handover code.
    pub async fn stops_coming(&self, stations: &[i64]) -> Result<Vec<Stop>> {
        let rows = stop::Entity::find()
            .filter(stop::Column::StationId.is_in(stations.iter().copied()))
            .filter(stop::Column::DeliveredAt.is_null())
            .filter(
                stop::Column::RunId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(run::Column::Id)
                        .from(run::Entity)
                        .and_where(Expr::col(run::Column::Status).eq(RunStatus::Left.as_str()))
                        .to_owned(),
                ),
            )
            .order_by_asc(stop::Column::ExpectedAt)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(stop_from).collect())
    }
}

/// Takes the sellers' parcels left at `stop`'s station onto its run, back to the centre.
async fn collect_dropped(
    txn: &sea_orm::DatabaseTransaction,
    stop: &stop::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    use farmgate_domain::logistics::Direction;
    let dropped = parcel::Entity::find()
        .filter(parcel::Column::StationId.eq(stop.station_id))
        .filter(parcel::Column::Direction.eq(Direction::Outbound.as_str()))
        .filter(parcel::Column::Stage.eq(Stage::Dropped.as_str()))
        .all(txn)
        .await?;
    if dropped.is_empty() {
        return Ok(());
    }
    parcel::Entity::update_many()
        .col_expr(parcel::Column::Stage, Expr::value(Stage::OnRun.as_str()))
        .col_expr(parcel::Column::RunId, Expr::value(stop.run_id))
        .col_expr(parcel::Column::StopId, Expr::value(stop.id))
        .col_expr(parcel::Column::UpdatedAt, Expr::value(now))
        .filter(parcel::Column::Id.is_in(dropped.iter().map(|p| p.id)))
        .exec(txn)
        .await?;
    let events = dropped.iter().map(|p| event::ActiveModel {
        parcel_id: Set(p.id),
        carrier_id: Set(p.carrier_id),
        kind: Set(Stage::OnRun.as_str().to_owned()),
        at: Set(now),
        station_id: Set(Some(stop.station_id)),
        ..Default::default()
    });
    event::Entity::insert_many(events).exec(txn).await?;
    Ok(())
}

/// Puts `parcels` on `stop`'s run: each goes on its way, its station expects it.
async fn load(
    txn: &sea_orm::DatabaseTransaction,
    parcels: &[parcel::Model],
    stop: &stop::Model,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    if parcels.is_empty() {
        return Ok(());
    }
    let rows = parcels.iter().map(|p| station_parcel::ActiveModel {
        station_id: Set(stop.station_id),
        order_id: Set(p.order_id),
        label: Set(p.tracking_number.clone()),
        status: Set(ParcelStatus::Expected.as_str().to_owned()),
        pickup_code: Set(crate::stations::parcels::new_code()),
        wrong_codes: Set(0),
        expected_at: Set(now),
        fee_fen: Set(0),
        cash_fen: Set(0),
        ..Default::default()
    });
    station_parcel::Entity::insert_many(rows)
        .exec(txn)
        .await
        .map_err(|e| Error::unique_as(e, "label"))?;
    let labels: Vec<String> = parcels.iter().map(|p| p.tracking_number.clone()).collect();
    let made: Vec<(i64, String)> = station_parcel::Entity::find()
        .select_only()
        .column(station_parcel::Column::Id)
        .column(station_parcel::Column::Label)
        .filter(station_parcel::Column::Label.is_in(labels))
        .into_tuple()
        .all(txn)
        .await?;
    for p in parcels {
        let Some((made_id, _)) = made.iter().find(|(_, label)| *label == p.tracking_number) else {
            continue;
        };
        parcel::Entity::update_many()
            .col_expr(parcel::Column::Stage, Expr::value(Stage::OnRun.as_str()))
            .col_expr(parcel::Column::RunId, Expr::value(stop.run_id))
            .col_expr(parcel::Column::StopId, Expr::value(stop.id))
            .col_expr(parcel::Column::StationParcelId, Expr::value(*made_id))
            .col_expr(parcel::Column::UpdatedAt, Expr::value(now))
            .filter(parcel::Column::Id.eq(p.id))
            .exec(txn)
            .await?;
    }
    let events = parcels.iter().map(|p| event::ActiveModel {
        parcel_id: Set(p.id),
        carrier_id: Set(p.carrier_id),
        kind: Set(Stage::OnRun.as_str().to_owned()),
        at: Set(now),
        actor_id: Set(Some(actor_id)),
        station_id: Set(Some(stop.station_id)),
        ..Default::default()
    });
    event::Entity::insert_many(events).exec(txn).await?;
    Ok(())
}

/// Writes what a station's step with one of its parcels means for the parcel's history: the
/// operator received it (at the station), handed it over, or sent it back. Parcels that did
/// not come through the centre have no history here, and a step taken twice is written once.
pub(crate) async fn follow_station(
    conn: &impl ConnectionTrait,
    station_parcel_id: i64,
    step: Stage,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(found) = parcel::Entity::find()
        .filter(parcel::Column::StationParcelId.eq(station_parcel_id))
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    let stage = Stage::parse(&found.stage)
        .ok_or_else(|| crate::error::corrupt("logistics parcel", found.id))?;
    if !stage.may_become(step) {
        return Ok(());
    }
    parcel::Entity::update_many()
        .col_expr(parcel::Column::Stage, Expr::value(step.as_str()))
        .col_expr(parcel::Column::UpdatedAt, Expr::value(now))
        .filter(parcel::Column::Id.eq(found.id))
        .exec(conn)
        .await?;
    event::ActiveModel {
        parcel_id: Set(found.id),
        carrier_id: Set(found.carrier_id),
        kind: Set(step.as_str().to_owned()),
        at: Set(now),
        actor_id: Set(actor_id),
        station_id: Set(found.station_id),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}
