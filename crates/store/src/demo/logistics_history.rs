//! Gaodu's distribution centre before today: months of parcels at the seed's volume ("nearly
//! 100,000 express parcels per month"), bulk-loaded set-based (inbound through the same loader
//! as `farmgate bench parcels`, a tenth as many sellers' parcels out), with the day's runs and
//! their stops, so the board's months, the settlements and the numbers read a working centre.

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::logistics::{Direction, RunStatus, Stage, Zone, fee_for};
use farmgate_domain::stations::till::LedgerDay;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set};

use super::logistics::{BULK_CHUNK, CARRIERS, demo_number};
use crate::logistics::entity::{depot, event, parcel, run, stop};
use crate::logistics::{Carrier, Depot};
use crate::{Result, Store};

/// Runs a day and stops a run in the history.
const RUNS_A_DAY: usize = 2;
const STOPS_A_RUN: usize = 15;
/// Serials of the history's numbers (today's manifests use the day's; labels the blocks').
const INBOUND_SERIAL: u64 = 1_000_000_000;
const OUTBOUND_SERIAL: u64 = 3_000_000_000;

impl Store {
    /// `months` of 30 days before today at Gaodu's depot: `per_month` inbound parcels and a
    /// tenth as many outbound each month, and the runs of each day. Once: nothing when the
    /// depot already has a run before today. Returns the parcels written.
    pub async fn load_demo_logistics_history(
        &self,
        now: DateTime<Utc>,
        (months, per_month): (u32, usize),
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<u64> {
        let Some(depot) = depot::Entity::find()
            .filter(depot::Column::Code.eq("zezhou-gaodu-depot"))
            .one(&self.db)
            .await?
        else {
            return Ok(0);
        };
        let depot = self.depot(depot.id).await?;
        let today = LedgerDay::of(now);
        let before = run::Entity::find()
            .filter(run::Column::DepotId.eq(depot.id))
            .filter(run::Column::Day.lt(today.to_string()))
            .count(&self.db)
            .await?;
        if before > 0 || months == 0 {
            return Ok(0);
        }
        let carriers: Vec<Carrier> = {
            let known = self.carriers().await?;
            CARRIERS
                .iter()
                .filter_map(|d| known.iter().find(|c| c.code == d.code).cloned())
                .collect()
        };
        let county = self.region_by_code("zezhou").await?;
        let stations: Vec<i64> = self
            .stations_within(&county.path)
            .await?
            .into_iter()
            .filter(|s| s.code.starts_with("zezhou-gaodu-"))
            .map(|s| s.id)
            .collect();
        if carriers.is_empty() || stations.is_empty() {
            return Ok(0);
        }
        let start = today.bounds().0 - Duration::days(30 * i64::from(months));
        let outbound_each = per_month / 10;
        let total = (per_month + outbound_each) as u64 * u64::from(months);
        let mut written = 0u64;
        for m in 0..months {
            let from = start + Duration::days(30 * i64::from(m));
            let serial = INBOUND_SERIAL + u64::from(m) * per_month as u64;
            let done = written;
            written += self
                .load_bench_parcels(
                    &depot,
                    &carriers,
                    &stations,
                    (from, serial, per_month),
                    &|n| progress(done + n, total),
                )
                .await?;
            let serial = OUTBOUND_SERIAL + u64::from(m) * outbound_each as u64;
            written += self
                .load_history_outbound(&depot, &carriers, (from, serial, outbound_each))
                .await?;
            progress(written, total);
        }
        self.load_history_runs(&depot, &stations, start, today)
            .await?;
        Ok(written)
    }

    /// `count` sellers' parcels over the 30 days from `from`: labelled, scanned in at the
    /// centre, handed to the carrier's van the same day; postage by the carrier's rate.
    async fn load_history_outbound(
        &self,
        depot: &Depot,
        carriers: &[Carrier],
        (from, serial, count): (DateTime<Utc>, u64, usize),
    ) -> Result<u64> {
        let agreements = self.agreements(depot.id).await?;
        let span = Duration::days(30).num_seconds();
        let zones = [
            Zone::Province,
            Zone::Near,
            Zone::Far,
            Zone::Far,
            Zone::Remote,
        ];
        for start in (0..count).step_by(BULK_CHUNK) {
            let end = (start + BULK_CHUNK).min(count);
            let txn = self.begin_write().await?;
            let mut rows = Vec::with_capacity(end - start);
            let mut when = Vec::with_capacity(end - start);
            for k in start..end {
                let c = k % carriers.len();
                let at = from + Duration::seconds(span * k as i64 / count.max(1) as i64);
                let grams = 500 + (k as i32 * 733) % 4_000;
                let rates = agreements
                    .iter()
                    .find(|a| a.carrier.id == carriers[c].id)
                    .and_then(|a| a.terms.as_ref())
                    .map(|t| t.rates.clone())
                    .unwrap_or_default();
                let fee = fee_for(&rates, zones[k % zones.len()], grams).unwrap_or_default();
                let number = demo_number(c % CARRIERS.len(), serial + k as u64);
                when.push((number.clone(), carriers[c].id, at));
                rows.push(parcel::ActiveModel {
                    depot_id: Set(depot.id),
                    carrier_id: Set(carriers[c].id),
                    tracking_number: Set(number),
                    direction: Set(Direction::Outbound.as_str().to_owned()),
                    stage: Set(Stage::Dispatched.as_str().to_owned()),
                    day: Set(Some(LedgerDay::of(at).to_string())),
                    weight_grams: Set(Some(grams)),
                    fee_fen: Set(fee.0),
                    scanned_at: Set(Some(at)),
                    updated_at: Set(at),
                    ..Default::default()
                });
            }
            parcel::Entity::insert_many(rows).exec(&txn).await?;
            let ids: Vec<(i64, String, i64)> = parcel::Entity::find()
                .select_only()
                .column(parcel::Column::Id)
                .column(parcel::Column::TrackingNumber)
                .column(parcel::Column::CarrierId)
                .filter(parcel::Column::TrackingNumber.is_in(when.iter().map(|w| w.0.clone())))
                .filter(parcel::Column::DepotId.eq(depot.id))
                .into_tuple()
                .all(&txn)
                .await?;
            let mut events = Vec::with_capacity(ids.len() * 3);
            for (id, number, carrier_id) in ids {
                let Some((_, _, at)) = when.iter().find(|w| w.0 == number && w.1 == carrier_id)
                else {
                    continue;
                };
                for (kind, hours) in [
                    (Stage::Labelled, -20),
                    (Stage::ScannedIn, 0),
                    (Stage::Dispatched, 3),
                ] {
                    events.push(event::ActiveModel {
                        parcel_id: Set(id),
                        carrier_id: Set(carrier_id),
                        kind: Set(kind.as_str().to_owned()),
                        at: Set(*at + Duration::hours(hours)),
                        ..Default::default()
                    });
                }
            }
            for chunk in events.chunks(3_000) {
                event::Entity::insert_many(chunk.to_vec())
                    .exec(&txn)
                    .await?;
            }
            txn.commit().await?;
        }
        Ok(count as u64)
    }

    /// Each day from `start` to before `today`: two runs over fifteen stations, done, each stop
    /// delivered near its expected time (most on time, some late).
    async fn load_history_runs(
        &self,
        depot: &Depot,
        stations: &[i64],
        start: DateTime<Utc>,
        today: LedgerDay,
    ) -> Result<()> {
        let Some(driver) = self
            .account_by_login(&farmgate_domain::accounts::LoginId::parse("gaodu-courier")?)
            .await?
        else {
            return Ok(());
        };
        let mut day = LedgerDay::of(start);
        let mut n = 0usize;
        let txn = self.begin_write().await?;
        while day < today {
            for r in 0..RUNS_A_DAY {
                let depart = day.bounds().0 + Duration::hours(9 + 4 * r as i64);
                let row = run::ActiveModel {
                    depot_id: Set(depot.id),
                    day: Set(day.to_string()),
                    vehicle: Set(["晋E·D2618 电动厢式货车", "晋E·D5307 电动厢式货车"][r].into()),
                    driver_id: Set(driver.id),
                    status: Set(RunStatus::Done.as_str().to_owned()),
                    depart_at: Set(depart),
                    left_at: Set(Some(depart)),
                    done_at: Set(Some(depart + Duration::hours(3))),
                    planned_by: Set(driver.id),
                    created_at: Set(depart - Duration::hours(2)),
                    ..Default::default()
                };
                let run_id = run::Entity::insert(row).exec(&txn).await?.last_insert_id;
                let stops = (0..STOPS_A_RUN).map(|s| {
                    n += 1;
                    let expected = depart + Duration::minutes(12 * (s as i64 + 1));
                    // One stop in eight comes more than a quarter of an hour late.
                    let late = if n.is_multiple_of(8) {
                        25
                    } else {
                        (n % 11) as i64 - 4
                    };
                    stop::ActiveModel {
                        run_id: Set(run_id),
                        seq: Set(s as i32 + 1),
                        station_id: Set(stations[(r * STOPS_A_RUN + s) % stations.len()]),
                        expected_at: Set(expected),
                        handover_code: Set(format!("{:06}", (n * 7_919) % 1_000_000)),
                        parcels: Set(40 + (n % 30) as i32),
                        delivered_at: Set(Some(expected + Duration::minutes(late))),
                        proof: Set(Some(
                            farmgate_domain::logistics::Proof::Code.as_str().to_owned(),
                        )),
                        returns: Set((n % 3) as i32),
                        produce: Set((n % 4) as i32),
                        ..Default::default()
                    }
                });
                stop::Entity::insert_many(stops.collect::<Vec<_>>())
                    .exec(&txn)
                    .await?;
            }
            day = day.next();
        }
        txn.commit().await?;
        Ok(())
    }
}
