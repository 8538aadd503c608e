//! Inbound parcels: the carriers' manifests say what is coming and for which village; a worker
//! scans each parcel off the van (the number's shape says whose it is), it is matched to the
//! station serving its village or put on the "find the station" list, and waits with that
//! station's other parcels until a run takes them (the day's consolidation).

use chrono::{DateTime, Utc};
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::logistics::{Direction, LogisticsRefusal, Stage, TrackingNumber};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerDay;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::carriers::{Carrier, Depot, working_carriers};
use super::entity::{event, parcel};
use super::tracking::{LogisticsParcel, parcel_from};
use crate::regions::entity as region;
use crate::stations::entity::station;
use crate::{Error, Result, Store};

/// (station, carrier, parcels, first scanned) of the consolidation's query.
type LoadRow = (Option<i64>, i64, i64, Option<DateTime<Utc>>);

/// A line of a carrier's manifest: a parcel on its way, and where it goes.
#[derive(Debug, Clone)]
pub struct Advice {
    pub number: TrackingNumber,
    /// The receiver's village (or township), when the address names one the county knows.
    pub region_id: Option<i64>,
    pub receiver_name: Option<String>,
    pub receiver_phone: Option<PhoneNumber>,
    pub address: Option<String>,
    pub weight_grams: Option<i32>,
}

/// One scan from the worker's phone: the id the phone gave it (a scan sent twice is done
/// once), the number read and when it was read.
#[derive(Debug, Clone)]
pub struct Scan {
    pub client_id: String,
    pub number: TrackingNumber,
    pub at: DateTime<Utc>,
}

/// What became of one scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ScanOutcome {
    /// Taken in: with its station, or on the "find the station" list (no station).
    In {
        parcel_id: i64,
        carrier_id: i64,
        station_id: Option<i64>,
    },
    /// It had been scanned in before (by another scan).
    AlreadyIn {
        parcel_id: i64,
        carrier_id: i64,
        station_id: Option<i64>,
        scanned_at: Option<DateTime<Utc>>,
    },
    Refused {
        code: &'static str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanResult {
    pub client_id: String,
    pub number: String,
    #[serde(flatten)]
    pub outcome: ScanOutcome,
}

/// What waits at a depot for one station: the parcels sorted to it and not yet on a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationLoad {
    pub station_id: i64,
    pub parcels: i64,
    /// (carrier id, parcels)
    pub by_carrier: Vec<(i64, i64)>,
    pub oldest: Option<DateTime<Utc>>,
}

/// A depot's day: what was scanned in, what waits per station, what needs a station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consolidation {
    pub day: LedgerDay,
    pub scanned_today: i64,
    /// Advised by a carrier and not scanned yet.
    pub advised: i64,
    /// Scanned in with no station found: the "find the station" list.
    pub unsorted: i64,
    pub stations: Vec<StationLoad>,
}

impl Store {
    /// Takes a carrier's manifest for `depot`: each parcel not known yet is added as advised
    /// (numbers already known, and lines repeated, change nothing). Returns how many were new.
    pub async fn advise_parcels(
        &self,
        depot: &Depot,
        carrier: &Carrier,
        lines: &[Advice],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        for line in lines {
            if !carrier.prints(&line.number) {
                return Err(Error::Logistics(LogisticsRefusal::UnknownCarrier));
            }
        }
        let txn = self.begin_write().await?;
        let mut added = 0;
        for chunk in lines.chunks(500) {
            let numbers: Vec<&str> = chunk.iter().map(|l| l.number.as_str()).collect();
            let known: Vec<String> = parcel::Entity::find()
                .select_only()
                .column(parcel::Column::TrackingNumber)
                .filter(parcel::Column::CarrierId.eq(carrier.id))
                .filter(parcel::Column::TrackingNumber.is_in(numbers))
                .into_tuple()
                .all(&txn)
                .await?;
            let mut seen: std::collections::HashSet<&str> =
                known.iter().map(String::as_str).collect();
            let fresh: Vec<&Advice> = chunk
                .iter()
                .filter(|l| seen.insert(l.number.as_str()))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let rows = fresh.iter().map(|l| parcel::ActiveModel {
                depot_id: Set(depot.id),
                carrier_id: Set(carrier.id),
                tracking_number: Set(l.number.as_str().to_owned()),
                direction: Set(Direction::Inbound.as_str().to_owned()),
                stage: Set(Stage::Advised.as_str().to_owned()),
                region_id: Set(l.region_id),
                receiver_name: Set(l.receiver_name.clone()),
                receiver_phone: Set(l.receiver_phone.as_ref().map(|p| p.as_str().to_owned())),
                address: Set(l.address.clone()),
                weight_grams: Set(l.weight_grams),
                fee_fen: Set(0),
                advised_at: Set(Some(now)),
                updated_at: Set(now),
                ..Default::default()
            });
            parcel::Entity::insert_many(rows).exec(&txn).await?;
            let ids: Vec<i64> = parcel::Entity::find()
                .select_only()
                .column(parcel::Column::Id)
                .filter(parcel::Column::CarrierId.eq(carrier.id))
                .filter(
                    parcel::Column::TrackingNumber
                        .is_in(fresh.iter().map(|l| l.number.as_str().to_owned())),
                )
                .into_tuple()
                .all(&txn)
                .await?;
            let events = ids.iter().map(|id| event::ActiveModel {
                parcel_id: Set(*id),
                carrier_id: Set(carrier.id),
                kind: Set(Stage::Advised.as_str().to_owned()),
                at: Set(now),
                ..Default::default()
            });
            event::Entity::insert_many(events).exec(&txn).await?;
            added += fresh.len() as u64;
        }
        txn.commit().await?;
        Ok(added)
    }

    /// Scans parcels in at `depot`, in the order given, in one transaction; each answers for
    /// itself. A scan whose id was seen before answers as it did then, changing nothing.
    pub async fn scan_in(
        &self,
        depot: &Depot,
        actor_id: i64,
        scans: &[Scan],
        now: DateTime<Utc>,
    ) -> Result<Vec<ScanResult>> {
        let txn = self.begin_write().await?;
        let carriers = working_carriers(&txn, depot.id).await?;
        let county = county_path(&txn, depot.county_id).await?;
        let mut results = Vec::with_capacity(scans.len());
        for scan in scans {
            let outcome = scan_one(&txn, depot, &county, &carriers, actor_id, scan, now).await?;
            results.push(ScanResult {
                client_id: scan.client_id.clone(),
                number: scan.number.as_str().to_owned(),
                outcome,
            });
        }
        txn.commit().await?;
        Ok(results)
    }

    /// Puts a scanned parcel of `depot` with `station_id`'s (a station of the depot's county),
    /// or moves it to another before its run leaves.
    pub async fn sort_parcel(
        &self,
        depot: &Depot,
        parcel_id: i64,
        station_id: i64,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<LogisticsParcel> {
        let txn = self.begin_write().await?;
        let row = parcel::Entity::find_by_id(parcel_id)
            .filter(parcel::Column::DepotId.eq(depot.id))
            .one(&txn)
            .await?
            .ok_or(Error::Logistics(LogisticsRefusal::NoParcel))?;
        let stage = Stage::parse(&row.stage).unwrap_or(Stage::Advised);
        if !stage.may_become(Stage::Sorted) {
            return Err(Error::Logistics(LogisticsRefusal::WrongStage));
        }
        let county = county_path(&txn, depot.county_id).await?;
        let open = station::Entity::find_by_id(station_id)
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(county.as_str()))
            .filter(station::Column::Active.eq(true))
            .one(&txn)
            .await?;
        if open.is_none() {
            return Err(Error::NotFound);
        }
        let carrier_id = row.carrier_id;
        let mut active: parcel::ActiveModel = row.into();
        active.stage = Set(Stage::Sorted.as_str().to_owned());
        active.station_id = Set(Some(station_id));
        active.updated_at = Set(now);
        let row = active.update(&txn).await?;
        let step = Step {
            actor_id: Some(actor_id),
            station_id: Some(station_id),
            ..Step::new(Stage::Sorted, now)
        };
        record(&txn, parcel_id, carrier_id, step).await?;
        txn.commit().await?;
        parcel_from(row)
    }

    /// What waits at `depot` now, and what it took in on `now`'s day.
    pub async fn consolidation(&self, depot_id: i64, now: DateTime<Utc>) -> Result<Consolidation> {
        let day = LedgerDay::of(now);
        let counts: Vec<(String, i64)> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::Stage)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(
                parcel::Column::Stage.is_in([Stage::Advised.as_str(), Stage::ScannedIn.as_str()]),
            )
            .group_by(parcel::Column::Stage)
            .into_tuple()
            .all(&self.db)
            .await?;
        let count_of = |stage: Stage| {
            counts
                .iter()
                .find(|(s, _)| s == stage.as_str())
                .map_or(0, |(_, n)| *n)
        };
        let scanned_today: i64 = parcel::Entity::find()
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Day.eq(day.to_string()))
            .count(&self.db)
            .await? as i64;
        let loads: Vec<LoadRow> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::StationId)
            .column(parcel::Column::CarrierId)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .column_as(Expr::col(parcel::Column::ScannedAt).min(), "oldest")
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Stage.eq(Stage::Sorted.as_str()))
            .group_by(parcel::Column::StationId)
            .group_by(parcel::Column::CarrierId)
            .order_by_asc(parcel::Column::StationId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut stations: Vec<StationLoad> = Vec::new();
        for (station_id, carrier_id, n, oldest) in loads {
            let Some(station_id) = station_id else {
                continue;
            };
            match stations.last_mut() {
                Some(load) if load.station_id == station_id => {
                    load.parcels += n;
                    load.by_carrier.push((carrier_id, n));
                    load.oldest = match (load.oldest, oldest) {
                        (Some(a), Some(b)) => Some(Ord::min(a, b)),
                        (a, b) => a.or(b),
                    };
                }
                _ => stations.push(StationLoad {
                    station_id,
                    parcels: n,
                    by_carrier: vec![(carrier_id, n)],
                    oldest,
                }),
            }
        }
        Ok(Consolidation {
            day,
            scanned_today,
            advised: count_of(Stage::Advised),
            unsorted: count_of(Stage::ScannedIn),
            stations,
        })
    }

    /// The "find the station" list: parcels scanned in at `depot` with no station, oldest
    /// first, `limit` after parcel `after`.
    pub async fn unsorted_parcels(
        &self,
        depot_id: i64,
        after: i64,
        limit: u64,
    ) -> Result<Vec<LogisticsParcel>> {
        parcel::Entity::find()
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Stage.eq(Stage::ScannedIn.as_str()))
            .filter(parcel::Column::Id.gt(after))
            .order_by_asc(parcel::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(parcel_from)
            .collect()
    }
}

/// The region path of the county `county_id`.
async fn county_path(
    conn: &impl ConnectionTrait,
    county_id: i64,
) -> Result<farmgate_domain::regions::RegionPath> {
    let row = region::Entity::find_by_id(county_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    farmgate_domain::regions::RegionPath::parse(&row.path)
        .map_err(|_| crate::error::corrupt("region", row.id))
}

async fn scan_one(
    txn: &DatabaseTransaction,
    depot: &Depot,
    county: &farmgate_domain::regions::RegionPath,
    carriers: &[(Carrier, Fen)],
    actor_id: i64,
    scan: &Scan,
    now: DateTime<Utc>,
) -> Result<ScanOutcome> {
    let replayed = event::Entity::find()
        .filter(event::Column::ClientId.eq(scan.client_id.as_str()))
        .one(txn)
        .await?;
    if let Some(first) = replayed {
        let row = parcel::Entity::find_by_id(first.parcel_id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok(ScanOutcome::In {
            parcel_id: row.id,
            carrier_id: row.carrier_id,
            station_id: row.station_id,
        });
    }
    let Some((carrier, fee)) = carriers.iter().find(|(c, _)| c.prints(&scan.number)) else {
        return Ok(ScanOutcome::Refused {
            code: LogisticsRefusal::UnknownCarrier.code(),
        });
    };
    let existing = parcel::Entity::find()
        .filter(parcel::Column::CarrierId.eq(carrier.id))
        .filter(parcel::Column::TrackingNumber.eq(scan.number.as_str()))
        .one(txn)
        .await?;
    if let Some(row) = &existing
        && row.stage != Stage::Advised.as_str()
    {
        return Ok(ScanOutcome::AlreadyIn {
            parcel_id: row.id,
            carrier_id: row.carrier_id,
            station_id: row.station_id,
            scanned_at: row.scanned_at,
        });
    }
    let region_id = existing.as_ref().and_then(|r| r.region_id);
    let station_id = match region_id {
        Some(region_id) => station_for(txn, county, region_id).await?,
        None => None,
    };
    // A phone that was offline sends what it read then; never a time to come.
    let at = Ord::min(scan.at, now);
    let stage = if station_id.is_some() {
        Stage::Sorted
    } else {
        Stage::ScannedIn
    };
    let mut active: parcel::ActiveModel = match existing {
        Some(row) => row.into(),
        None => parcel::ActiveModel {
            carrier_id: Set(carrier.id),
            tracking_number: Set(scan.number.as_str().to_owned()),
            direction: Set(Direction::Inbound.as_str().to_owned()),
            ..Default::default()
        },
    };
    active.depot_id = Set(depot.id);
    active.stage = Set(stage.as_str().to_owned());
    active.day = Set(Some(LedgerDay::of(at).to_string()));
    active.station_id = Set(station_id);
    active.fee_fen = Set(fee.0);
    active.scanned_at = Set(Some(at));
    active.scanned_by = Set(Some(actor_id));
    active.updated_at = Set(now);
    let parcel_id = match active.id {
        sea_orm::ActiveValue::Unchanged(id) => {
            active.update(txn).await?;
            id
        }
        _ => active.insert(txn).await?.id,
    };
    let scanned = Step {
        actor_id: Some(actor_id),
        client_id: Some(&scan.client_id),
        ..Step::new(Stage::ScannedIn, at)
    };
    record(txn, parcel_id, carrier.id, scanned).await?;
    if station_id.is_some() {
        let sorted = Step {
            station_id,
            ..Step::new(Stage::Sorted, at)
        };
        record(txn, parcel_id, carrier.id, sorted).await?;
    }
    Ok(ScanOutcome::In {
        parcel_id,
        carrier_id: carrier.id,
        station_id,
    })
}

/// The open station of the county serving `region_id`: one at the place itself, else one at
/// the township above it.
async fn station_for(
    txn: &DatabaseTransaction,
    county: &farmgate_domain::regions::RegionPath,
    region_id: i64,
) -> Result<Option<i64>> {
    let place = region::Entity::find_by_id(region_id).one(txn).await?;
    let Some(place) = place else { return Ok(None) };
    for candidate in [Some(place.id), place.parent_id].into_iter().flatten() {
        let found: Option<i64> = station::Entity::find()
            .select_only()
            .column(station::Column::Id)
            .inner_join(region::Entity)
            .filter(station::Column::RegionId.eq(candidate))
            .filter(station::Column::Active.eq(true))
            .filter(region::Column::Path.starts_with(county.as_str()))
            .order_by_asc(station::Column::Id)
            .into_tuple()
            .one(txn)
            .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// One step of a parcel's history, as written.
pub(super) struct Step<'a> {
    pub kind: Stage,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub station_id: Option<i64>,
    pub client_id: Option<&'a str>,
}

impl Step<'_> {
    pub(super) fn new(kind: Stage, at: DateTime<Utc>) -> Self {
        Step {
            kind,
            at,
            actor_id: None,
            station_id: None,
            client_id: None,
        }
    }
}

/// Writes one step of parcel `parcel_id`'s history.
pub(super) async fn record(
    txn: &DatabaseTransaction,
    parcel_id: i64,
    carrier_id: i64,
    step: Step<'_>,
) -> Result<()> {
    event::ActiveModel {
        parcel_id: Set(parcel_id),
        carrier_id: Set(carrier_id),
        kind: Set(step.kind.as_str().to_owned()),
        at: Set(step.at),
        actor_id: Set(step.actor_id),
        station_id: Set(step.station_id),
        client_id: Set(step.client_id.map(str::to_owned)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}
