//! The county's network of stations: the centre adds them, changes them, pauses or closes them
//! (`active`), and names the accounts that operate them; each station's health is read from
//! its parcels (last activity, what is on the way and on the shelf, what waits too long).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionPath;
use farmgate_domain::stations::ParcelStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{operator, parcel, station};
use super::{Station, StationDetails, from_row};
use crate::accounts::entity::account;
use crate::regions::entity as region;
use crate::{Error, Result, Store};

/// The most a station may charge to hand out one parcel: ¥20.
pub const PICKUP_FEE_CEILING_FEN: i64 = 2_000;

/// Refuses details no station can have, by field.
pub(super) fn check(d: &StationDetails) -> Result<()> {
    let invalid = |field, code| Err(ValidationError::new(field, code).into());
    if d.names.is_empty() {
        return invalid("name", "written-in-none");
    }
    if !(0..=PICKUP_FEE_CEILING_FEN).contains(&d.pickup_fee.0) {
        return invalid("pickup_fee", "pickup-fee-invalid");
    }
    if !(1..=60).contains(&d.hold_days) {
        return invalid("hold_days", "hold-days-invalid");
    }
    match (d.latitude, d.longitude) {
        (None, None) => {}
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
        _ => return invalid("latitude", "coordinates-invalid"),
    }
    if d.population.is_some_and(|p| !(0..=10_000_000).contains(&p)) {
        return invalid("population", "population-invalid");
    }
    Ok(())
}

/// Writes `d` into a station's row (the columns every write sets).
pub(super) fn write_details(row: &mut station::ActiveModel, d: StationDetails) {
    row.region_id = Set(d.region_id);
    row.kind = Set(d.kind.as_str().to_owned());
    row.name_zh = Set(d.names.stored_zh());
    row.name_ug = Set(d.names.ug);
    row.name_en = Set(d.names.en.unwrap_or_default());
    row.address = Set(d.address.stored_zh());
    row.address_ug = Set(d.address.ug);
    row.address_en = Set(d.address.en);
    row.phone = Set(d.phone);
    row.hours = Set(d.hours);
    row.pickup_fee_fen = Set(d.pickup_fee.0);
    row.hold_days = Set(d.hold_days);
    row.latitude = Set(d.latitude);
    row.longitude = Set(d.longitude);
    row.population = Set(d.population);
    row.collects_produce = Set(d.collects_produce);
    row.active = Set(d.active);
}

/// An account that operates a station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationOperator {
    pub account_id: i64,
    pub login: String,
    pub name: String,
}

/// How a station is doing, from its parcels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StationHealth {
    pub station_id: i64,
    /// The last parcel received or handed over.
    pub last_activity: Option<DateTime<Utc>>,
    pub on_the_way: i64,
    pub on_shelf: i64,
    /// On the shelf longer than the station's `hold_days`.
    pub overdue: i64,
    /// Handed over in the last seven days.
    pub handed_week: i64,
    /// Handed over in each of the last four weeks, the oldest first (the trend).
    pub weeks: [i64; 4],
    /// The cash in its till, and when cash last went to the centre (or first came in, if it
    /// never went).
    pub cash_held: Fen,
    pub cash_since: Option<DateTime<Utc>>,
    /// Days of the last two weeks (before today) with something on them that nobody closed.
    pub days_unclosed: i64,
}

impl StationHealth {
    /// No parcel received or handed over in 14 days (or ever).
    pub fn idle(&self, now: DateTime<Utc>) -> bool {
        self.last_activity
            .is_none_or(|at| now - at > Duration::days(14))
    }

    /// Cash kept in the till for more than seven days without any of it going to the centre.
    pub fn cash_not_handed_in(&self, now: DateTime<Utc>) -> bool {
        self.cash_held.0 > 0
            && self
                .cash_since
                .is_some_and(|at| now - at > Duration::days(7))
    }
}

impl Store {
    /// Changes everything about station `id` but its code.
    pub async fn update_station(&self, id: i64, details: StationDetails) -> Result<Station> {
        check(&details)?;
        let found = station::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let mut row: station::ActiveModel = found.into();
        write_details(&mut row, details);
        row.updated_at = Set(Some(Utc::now()));
        from_row(row.update(&self.db).await?)
    }

    /// Every station inside `region`, paused and closed ones too, in the tree's order.
    pub async fn network_within(&self, region: &RegionPath) -> Result<Vec<Station>> {
        station::Entity::find()
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()))
            .order_by_asc(region::Column::Path)
            .order_by_asc(station::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    pub async fn station_operators(&self, station_id: i64) -> Result<Vec<StationOperator>> {
        let rows: Vec<(i64, Option<String>, String)> = operator::Entity::find()
            .select_only()
            .column(operator::Column::AccountId)
            .column_as(
                Expr::col((account::Entity, account::Column::LoginName)),
                "login",
            )
            .column_as(
                Expr::col((account::Entity, account::Column::DisplayName)),
                "name",
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                operator::Entity::belongs_to(account::Entity)
                    .from(operator::Column::AccountId)
                    .to(account::Column::Id)
                    .into(),
            )
            .filter(operator::Column::StationId.eq(station_id))
            .order_by_asc(operator::Column::AddedAt)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(account_id, login, name)| StationOperator {
                account_id,
                login: login.unwrap_or_default(),
                name,
            })
            .collect())
    }

    /// Names `account_id` an operator of station `station_id` (again changes nothing).
    pub async fn add_station_operator(
        &self,
        station_id: i64,
        account_id: i64,
        added_by: Option<i64>,
    ) -> Result<()> {
        let existing = operator::Entity::find_by_id((station_id, account_id))
            .one(&self.db)
            .await?;
        if existing.is_none() {
            operator::ActiveModel {
                station_id: Set(station_id),
                account_id: Set(account_id),
                added_by: Set(added_by),
                added_at: Set(Utc::now()),
            }
            .insert(&self.db)
            .await?;
        }
        Ok(())
    }

    pub async fn remove_station_operator(&self, station_id: i64, account_id: i64) -> Result<()> {
        operator::Entity::delete_by_id((station_id, account_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The open stations `account_id` operates.
    pub async fn stations_operated_by(&self, account_id: i64) -> Result<Vec<Station>> {
        let ids: Vec<i64> = operator::Entity::find()
            .select_only()
            .column(operator::Column::StationId)
            .filter(operator::Column::AccountId.eq(account_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        station::Entity::find()
            .filter(station::Column::Id.is_in(ids))
            .filter(station::Column::Active.eq(true))
            .order_by_asc(station::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// The health of each of `stations` at `now`: a dozen queries whatever their number.
    pub async fn station_health(
        &self,
        stations: &[Station],
        now: DateTime<Utc>,
    ) -> Result<Vec<StationHealth>> {
        let ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
        let week_ago = now - Duration::days(7);
        type Counted = (
            i64,
            String,
            i64,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        );
        let counts: Vec<Counted> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::StationId)
            .column(parcel::Column::Status)
            .column_as(parcel::Column::Id.count(), "n")
            .column_as(parcel::Column::ReceivedAt.max(), "received")
            .column_as(parcel::Column::HandedAt.max(), "handed")
            .filter(parcel::Column::StationId.is_in(ids.clone()))
            .group_by(parcel::Column::StationId)
            .group_by(parcel::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        let shelf: Vec<(i64, Option<DateTime<Utc>>)> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::StationId)
            .column(parcel::Column::ReceivedAt)
            .filter(parcel::Column::StationId.is_in(ids.clone()))
            .filter(parcel::Column::Status.eq(ParcelStatus::Received.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let handed_week: Vec<(i64, i64)> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::StationId)
            .column_as(parcel::Column::Id.count(), "n")
            .filter(parcel::Column::StationId.is_in(ids))
            .filter(parcel::Column::HandedAt.gt(week_ago))
            .group_by(parcel::Column::StationId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let weeks = self.handed_by_week(&ids_of(stations), now).await?;
        let cash = self.cash_held(&ids_of(stations)).await?;
        let unclosed = self.days_unclosed(&ids_of(stations), now).await?;
        Ok(stations
            .iter()
            .map(|s| {
                let (cash_held, cash_since) = cash.get(&s.id).copied().unwrap_or_default();
                let mut health = StationHealth {
                    station_id: s.id,
                    weeks: weeks.get(&s.id).copied().unwrap_or_default(),
                    cash_held,
                    cash_since,
                    days_unclosed: unclosed.get(&s.id).copied().unwrap_or_default(),
                    ..StationHealth::default()
                };
                for (_, status, n, received, handed) in counts.iter().filter(|c| c.0 == s.id) {
                    match ParcelStatus::parse(status) {
                        Some(ParcelStatus::Expected) => health.on_the_way = *n,
                        Some(ParcelStatus::Received) => health.on_shelf = *n,
                        _ => {}
                    }
                    health.last_activity =
                        Ord::max(Ord::max(health.last_activity, *received), *handed);
                }
                let hold = Duration::days(i64::from(s.hold_days));
                health.overdue = shelf
                    .iter()
                    .filter(|(id, at)| *id == s.id && at.is_some_and(|at| now - at > hold))
                    .count() as i64;
                health.handed_week = handed_week
                    .iter()
                    .find(|(id, _)| *id == s.id)
                    .map_or(0, |(_, n)| *n);
                health
            })
            .collect())
    }

    /// Parcels handed over at `ids` in each of the last four weeks, oldest first.
    async fn handed_by_week(
        &self,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, [i64; 4]>> {
        let mut weeks: HashMap<i64, [i64; 4]> = HashMap::new();
        for w in 0..4 {
            let until = now - Duration::days(7 * w);
            let from = until - Duration::days(7);
            let counted: Vec<(i64, i64)> = parcel::Entity::find()
                .select_only()
                .column(parcel::Column::StationId)
                .column_as(parcel::Column::Id.count(), "n")
                .filter(parcel::Column::StationId.is_in(ids.iter().copied()))
                .filter(parcel::Column::HandedAt.gt(from))
                .filter(parcel::Column::HandedAt.lte(until))
                .group_by(parcel::Column::StationId)
                .into_tuple()
                .all(&self.db)
                .await?;
            for (station, n) in counted {
                weeks.entry(station).or_default()[3 - w as usize] = n;
            }
        }
        Ok(weeks)
    }

    /// The cash in each till of `ids`, and since when it has been kept: the last time cash
    /// went to the centre, else the first cash that came in.
    async fn cash_held(&self, ids: &[i64]) -> Result<HashMap<i64, (Fen, Option<DateTime<Utc>>)>> {
        use super::entity::cash;
        use farmgate_domain::stations::till::CashKind;
        let held: Vec<(i64, i64, Option<DateTime<Utc>>)> = cash::Entity::find()
            .select_only()
            .column(cash::Column::StationId)
            .column_as(cash::Column::AmountFen.sum().cast_as("BIGINT"), "held")
            .column_as(cash::Column::At.min(), "first")
            .filter(cash::Column::StationId.is_in(ids.iter().copied()))
            .group_by(cash::Column::StationId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let handed: Vec<(i64, Option<DateTime<Utc>>)> = cash::Entity::find()
            .select_only()
            .column(cash::Column::StationId)
            .column_as(cash::Column::At.max(), "last")
            .filter(cash::Column::StationId.is_in(ids.iter().copied()))
            .filter(cash::Column::Kind.eq(CashKind::HandedIn.as_str()))
            .group_by(cash::Column::StationId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(held
            .into_iter()
            .map(|(station, amount, first)| {
                let last = handed.iter().find(|h| h.0 == station).and_then(|h| h.1);
                (station, (Fen(amount), last.or(first)))
            })
            .collect())
    }

    /// Days of the two weeks before today with anything on them that nobody closed, per
    /// station of `ids`.
    async fn days_unclosed(&self, ids: &[i64], now: DateTime<Utc>) -> Result<HashMap<i64, i64>> {
        use farmgate_domain::stations::till::LedgerDay;
        let today = LedgerDay::of(now);
        let mut from = today;
        for _ in 0..14 {
            from = from.previous();
        }
        let mut open: HashMap<i64, i64> = HashMap::new();
        for row in self.ledger(ids, from, today).await? {
            let busy = row.villager_orders > 0
                || row.parcels_received > 0
                || row.parcels_handed > 0
                || !row.cash.is_empty();
            if busy && row.closed.is_none() {
                *open.entry(row.station_id).or_default() += 1;
            }
        }
        Ok(open)
    }
}

fn ids_of(stations: &[Station]) -> Vec<i64> {
    stations.iter().map(|s| s.id).collect()
}
