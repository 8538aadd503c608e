//! Inbound parcels: the carriers' manifests say what is coming and for which village; a worker
//! scans each parcel off the van (the number's shape says whose it is), it is matched to the
//! station serving its village or put on the "find the station" list, and waits with that
//! station's other parcels until a run takes them (the day's consolidation).

use chrono::{DateTime, Utc};
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::logistics::{Direction, LogisticsRefusal, Stage, TrackingNumber};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerDay;
use farmgate_domain::text::Texts;
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
    /// A seller's labelled parcel arrived at the centre: it waits for its carrier's van.
    Outbound {
        parcel_id: i64,
        carrier_id: i64,
    },
    Refused {
        code: &'static str,
    },
}

impl ScanOutcome {
    /// The carrier whose parcel it was, when the number said.
    pub fn carrier_id(&self) -> Option<i64> {
        match self {
            ScanOutcome::In { carrier_id, .. }
            | ScanOutcome::AlreadyIn { carrier_id, .. }
            | ScanOutcome::Outbound { carrier_id, .. } => Some(*carrier_id),
            ScanOutcome::Refused { .. } => None,
        }
    }
}

/// What a set of scans was read against: the carriers working at the depot and the names of
/// the stations its parcels go to, so that whoever tells the worker need not read them again.
#[derive(Debug, Clone, Default)]
pub struct ScanContext {
    pub carriers: Vec<Carrier>,
    pub stations: Vec<(i64, Texts)>,
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
    /// (Concurrent scans go through `ScanIntake`, which commits them together.)
    pub async fn scan_in(
        &self,
        depot: &Depot,
        actor_id: i64,
        scans: &[Scan],
        now: DateTime<Utc>,
    ) -> Result<Vec<ScanResult>> {
        let txn = self.begin_write().await?;
        let items: Vec<(i64, &Scan)> = scans.iter().map(|s| (actor_id, s)).collect();
        let (results, _) = scan_set(&txn, depot, &items, now).await?;
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

/// An open station near the parcels: (station, its place, its names).
type NearStation = (i64, i64, Texts);

/// The open stations of the county at the places of `parcels` and the places above them,
/// lowest id first.
async fn stations_near(
    txn: &DatabaseTransaction,
    county: &farmgate_domain::regions::RegionPath,
    parcels: &[parcel::Model],
) -> Result<(Vec<region::Model>, Vec<NearStation>)> {
    let ids: Vec<i64> = parcels.iter().filter_map(|p| p.region_id).collect();
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let places = region::Entity::find()
        .filter(region::Column::Id.is_in(ids))
        .all(txn)
        .await?;
    let candidates: Vec<i64> = places
        .iter()
        .flat_map(|p| [Some(p.id), p.parent_id])
        .flatten()
        .collect();
    let rows: Vec<(i64, i64, String, Option<String>, String)> = station::Entity::find()
        .select_only()
        .column(station::Column::Id)
        .column(station::Column::RegionId)
        .column(station::Column::NameZh)
        .column(station::Column::NameUg)
        .column(station::Column::NameEn)
        .inner_join(region::Entity)
        .filter(station::Column::RegionId.is_in(candidates))
        .filter(station::Column::Active.eq(true))
        .filter(region::Column::Path.starts_with(county.as_str()))
        .order_by_asc(station::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    let stations = rows
        .into_iter()
        .map(|(id, region, zh, ug, en)| (id, region, Texts::new(Some(zh), ug, Some(en))))
        .collect();
    Ok((places, stations))
}

/// The open station serving `region_id`: one at the place itself, else one at the township
/// above it.
fn station_for(places: &[region::Model], stations: &[NearStation], region_id: i64) -> Option<i64> {
    let place = places.iter().find(|p| p.id == region_id)?;
    [Some(place.id), place.parent_id]
        .into_iter()
        .flatten()
        .find_map(|at| {
            stations
                .iter()
                .find(|(_, r, _)| *r == at)
                .map(|(id, ..)| *id)
        })
}

/// Scans `items` (each with who scanned it) in at `depot` inside `txn`, set-based: the
/// replays, the parcels, their places and stations are read once for the whole set; the
/// advised parcels taken in are written a hundred to a statement (a parcel nobody advised
/// with one each), and the events with one more.
pub(super) async fn scan_set(
    txn: &DatabaseTransaction,
    depot: &Depot,
    items: &[(i64, &Scan)],
    now: DateTime<Utc>,
) -> Result<(Vec<ScanResult>, ScanContext)> {
    let carriers = working_carriers(txn, depot.id).await?;
    let county = county_path(txn, depot.county_id).await?;
    let client_ids: Vec<String> = items.iter().map(|(_, s)| s.client_id.clone()).collect();
    let replayed: Vec<(Option<String>, i64)> = event::Entity::find()
        .select_only()
        .column(event::Column::ClientId)
        .column(event::Column::ParcelId)
        .filter(event::Column::ClientId.is_in(client_ids))
        .into_tuple()
        .all(txn)
        .await?;
    let numbers: Vec<String> = items
        .iter()
        .map(|(_, s)| s.number.as_str().to_owned())
        .collect();
    let replayed_ids: Vec<i64> = replayed.iter().map(|(_, id)| *id).collect();
    // Two lookups, each by its own index (an OR of the two would read the whole table).
    let mut known = parcel::Entity::find()
        .filter(parcel::Column::TrackingNumber.is_in(numbers))
        .all(txn)
        .await?;
    let missing: Vec<i64> = replayed_ids
        .into_iter()
        .filter(|id| !known.iter().any(|p| p.id == *id))
        .collect();
    if !missing.is_empty() {
        known.extend(
            parcel::Entity::find()
                .filter(parcel::Column::Id.is_in(missing))
                .all(txn)
                .await?,
        );
    }
    let (places, stations) = stations_near(txn, &county, &known).await?;
    let mut answered: Vec<(String, ScanOutcome)> = Vec::new();
    let mut written = Written::default();
    let mut results = Vec::with_capacity(items.len());
    for (actor_id, scan) in items {
        let earlier = answered
            .iter()
            .find(|(id, _)| *id == scan.client_id)
            .map(|(_, outcome)| outcome.clone());
        let first = replayed
            .iter()
            .find(|(id, _)| id.as_deref() == Some(scan.client_id.as_str()))
            .and_then(|(_, parcel_id)| known.iter().find(|p| p.id == *parcel_id));
        let outcome = match (earlier, first) {
            (Some(outcome), _) => outcome,
            (None, Some(row)) if row.direction == Direction::Outbound.as_str() => {
                ScanOutcome::Outbound {
                    parcel_id: row.id,
                    carrier_id: row.carrier_id,
                }
            }
            (None, Some(row)) => ScanOutcome::In {
                parcel_id: row.id,
                carrier_id: row.carrier_id,
                station_id: row.station_id,
            },
            (None, None) => {
                let outcome = take_in(
                    txn,
                    depot,
                    &carriers,
                    (&places, &stations),
                    &mut known,
                    (*actor_id, scan),
                    now,
                    &mut written,
                )
                .await?;
                answered.push((scan.client_id.clone(), outcome.clone()));
                outcome
            }
        };
        results.push(ScanResult {
            client_id: scan.client_id.clone(),
            number: scan.number.as_str().to_owned(),
            outcome,
        });
    }
    update_taken(txn, depot, &written.taken, now).await?;
    if !written.events.is_empty() {
        event::Entity::insert_many(written.events).exec(txn).await?;
    }
    let context = ScanContext {
        carriers: carriers.into_iter().map(|(c, _)| c).collect(),
        stations: stations
            .into_iter()
            .map(|(id, _, names)| (id, names))
            .collect(),
    };
    Ok((results, context))
}

/// What a set of scans writes at its end: the advised parcels taken in, and every event.
#[derive(Default)]
struct Written {
    taken: Vec<Taken>,
    events: Vec<event::ActiveModel>,
}

/// An advised parcel taken in.
struct Taken {
    id: i64,
    stage: Stage,
    station_id: Option<i64>,
    fee: Fen,
    at: DateTime<Utc>,
    actor_id: i64,
}

/// Writes the advised parcels taken in, a hundred to a statement: each column set by a `CASE`
/// on the parcel's id.
async fn update_taken(
    txn: &DatabaseTransaction,
    depot: &Depot,
    taken: &[Taken],
    now: DateTime<Utc>,
) -> Result<()> {
    use sea_orm::sea_query::CaseStatement;
    for chunk in taken.chunks(100) {
        let by_id = |value: &dyn Fn(&Taken) -> sea_orm::Value, column: parcel::Column| {
            chunk
                .iter()
                .fold(CaseStatement::new(), |case, t| {
                    case.case(parcel::Column::Id.eq(t.id), Expr::val(value(t)))
                })
                .finally(Expr::col(column))
        };
        parcel::Entity::update_many()
            .col_expr(parcel::Column::DepotId, Expr::value(depot.id))
            .col_expr(
                parcel::Column::Stage,
                by_id(&|t| t.stage.as_str().into(), parcel::Column::Stage).into(),
            )
            .col_expr(
                parcel::Column::Day,
                by_id(
                    &|t| LedgerDay::of(t.at).to_string().into(),
                    parcel::Column::Day,
                )
                .into(),
            )
            .col_expr(
                parcel::Column::StationId,
                by_id(&|t| t.station_id.into(), parcel::Column::StationId).into(),
            )
            .col_expr(
                parcel::Column::FeeFen,
                by_id(&|t| t.fee.0.into(), parcel::Column::FeeFen).into(),
            )
            .col_expr(
                parcel::Column::ScannedAt,
                by_id(&|t| t.at.into(), parcel::Column::ScannedAt).into(),
            )
            .col_expr(
                parcel::Column::ScannedBy,
                by_id(&|t| t.actor_id.into(), parcel::Column::ScannedBy).into(),
            )
            .col_expr(parcel::Column::UpdatedAt, Expr::value(now))
            .filter(parcel::Column::Id.is_in(chunk.iter().map(|t| t.id)))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Takes one parcel in (or says it was in already, or whose it cannot be), writing it and
/// queueing its events.
#[allow(clippy::too_many_arguments)]
async fn take_in(
    txn: &DatabaseTransaction,
    depot: &Depot,
    carriers: &[(Carrier, Fen)],
    (places, stations): (&[region::Model], &[NearStation]),
    known: &mut Vec<parcel::Model>,
    (actor_id, scan): (i64, &Scan),
    now: DateTime<Utc>,
    written: &mut Written,
) -> Result<ScanOutcome> {
    let Some((carrier, fee)) = carriers.iter().find(|(c, _)| c.prints(&scan.number)) else {
        return Ok(ScanOutcome::Refused {
            code: LogisticsRefusal::UnknownCarrier.code(),
        });
    };
    let found_at = known
        .iter()
        .position(|p| p.carrier_id == carrier.id && p.tracking_number == scan.number.as_str());
    let found = found_at.and_then(|i| known.get(i));
    if let Some(row) = found
        && row.direction == Direction::Outbound.as_str()
    {
        let outcome = outbound_in(txn, row, (actor_id, scan), now, &mut written.events).await?;
        if let (ScanOutcome::Outbound { .. }, Some(row)) =
            (&outcome, found_at.and_then(|i| known.get_mut(i)))
        {
            row.stage = Stage::ScannedIn.as_str().to_owned();
        }
        return Ok(outcome);
    }
    if let Some(row) = found
        && row.stage != Stage::Advised.as_str()
    {
        return Ok(ScanOutcome::AlreadyIn {
            parcel_id: row.id,
            carrier_id: row.carrier_id,
            station_id: row.station_id,
            scanned_at: row.scanned_at,
        });
    }
    let station_id = found
        .and_then(|r| r.region_id)
        .and_then(|region| station_for(places, stations, region));
    // A phone that was offline sends what it read then; never a time to come.
    let at = Ord::min(scan.at, now);
    let stage = if station_id.is_some() {
        Stage::Sorted
    } else {
        Stage::ScannedIn
    };
    let parcel_id = write_parcel(
        txn,
        depot,
        (carrier.id, *fee),
        found_at,
        known,
        (actor_id, scan),
        (stage, station_id, at),
        now,
        &mut written.taken,
    )
    .await?;
    let event = |kind: Stage| event::ActiveModel {
        parcel_id: Set(parcel_id),
        carrier_id: Set(carrier.id),
        kind: Set(kind.as_str().to_owned()),
        at: Set(at),
        ..Default::default()
    };
    written.events.push(event::ActiveModel {
        actor_id: Set(Some(actor_id)),
        client_id: Set(Some(scan.client_id.clone())),
        ..event(Stage::ScannedIn)
    });
    if station_id.is_some() {
        written.events.push(event::ActiveModel {
            station_id: Set(station_id),
            ..event(Stage::Sorted)
        });
    }
    Ok(ScanOutcome::In {
        parcel_id,
        carrier_id: carrier.id,
        station_id,
    })
}

/// A seller's parcel scanned at the centre: in, to wait for its carrier's van (or said to be
/// in already, or voided).
async fn outbound_in(
    txn: &DatabaseTransaction,
    row: &parcel::Model,
    (actor_id, scan): (i64, &Scan),
    now: DateTime<Utc>,
    events: &mut Vec<event::ActiveModel>,
) -> Result<ScanOutcome> {
    let stage = Stage::parse(&row.stage).unwrap_or(Stage::Voided);
    if !stage.outbound_may_become(Stage::ScannedIn) {
        return Ok(match stage {
            Stage::ScannedIn | Stage::Dispatched => ScanOutcome::AlreadyIn {
                parcel_id: row.id,
                carrier_id: row.carrier_id,
                station_id: None,
                scanned_at: row.scanned_at,
            },
            _ => ScanOutcome::Refused {
                code: LogisticsRefusal::WrongStage.code(),
            },
        });
    }
    let at = Ord::min(scan.at, now);
    parcel::Entity::update_many()
        .col_expr(
            parcel::Column::Stage,
            Expr::value(Stage::ScannedIn.as_str()),
        )
        .col_expr(
            parcel::Column::Day,
            Expr::value(LedgerDay::of(at).to_string()),
        )
        .col_expr(parcel::Column::ScannedAt, Expr::value(at))
        .col_expr(parcel::Column::ScannedBy, Expr::value(actor_id))
        .col_expr(parcel::Column::UpdatedAt, Expr::value(now))
        .filter(parcel::Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    events.push(event::ActiveModel {
        parcel_id: Set(row.id),
        carrier_id: Set(row.carrier_id),
        kind: Set(Stage::ScannedIn.as_str().to_owned()),
        at: Set(at),
        actor_id: Set(Some(actor_id)),
        client_id: Set(Some(scan.client_id.clone())),
        ..Default::default()
    });
    Ok(ScanOutcome::Outbound {
        parcel_id: row.id,
        carrier_id: row.carrier_id,
    })
}

/// A parcel taken in: the advised row `found` changed in `known_rows` and queued in `taken`
/// (written at the set's end), or a new row inserted (and added to `known_rows`).
#[allow(clippy::too_many_arguments)]
async fn write_parcel(
    txn: &DatabaseTransaction,
    depot: &Depot,
    (carrier_id, fee): (i64, Fen),
    found_at: Option<usize>,
    known_rows: &mut Vec<parcel::Model>,
    (actor_id, scan): (i64, &Scan),
    (stage, station_id, at): (Stage, Option<i64>, DateTime<Utc>),
    now: DateTime<Utc>,
    taken: &mut Vec<Taken>,
) -> Result<i64> {
    Ok(match found_at.and_then(|i| known_rows.get_mut(i)) {
        Some(row) => {
            row.stage = stage.as_str().to_owned();
            row.station_id = station_id;
            row.scanned_at = Some(at);
            taken.push(Taken {
                id: row.id,
                stage,
                station_id,
                fee,
                at,
                actor_id,
            });
            row.id
        }
        None => {
            let row = parcel::ActiveModel {
                depot_id: Set(depot.id),
                carrier_id: Set(carrier_id),
                tracking_number: Set(scan.number.as_str().to_owned()),
                direction: Set(Direction::Inbound.as_str().to_owned()),
                stage: Set(stage.as_str().to_owned()),
                day: Set(Some(LedgerDay::of(at).to_string())),
                station_id: Set(station_id),
                fee_fen: Set(fee.0),
                scanned_at: Set(Some(at)),
                scanned_by: Set(Some(actor_id)),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            let id = row.id;
            known_rows.push(row);
            id
        }
    })
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
