//! A depot's numbers over a span of days, for the dispatcher's month and the county's
//! statistics: parcels a day per carrier and direction, per station; how many run stops came
//! on time; how long a parcel waited from the centre's scan to its receiver's hands; what a
//! parcel cost the carriers (the centre's fee) and the sellers (postage). Read from the
//! parcels and their events when asked, set-based.

use chrono::{DateTime, Utc};
use farmgate_domain::logistics::{Direction, ON_TIME_GRACE_MINUTES, Stage};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerDay;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use super::entity::{event, parcel, run, stop};
use crate::{Result, Store};

/// Parcels of one day, direction and carrier that reached the centre (scanned in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DailyCount {
    pub day: String,
    pub direction: Direction,
    pub carrier_id: i64,
    pub parcels: i64,
    /// Fees the carrier owes the centre (inbound) or postage the sellers paid (outbound).
    pub fees: Fen,
}

/// Inbound parcels sorted to one station in the span, and how many were handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationCount {
    pub station_id: i64,
    pub parcels: i64,
    pub handed_over: i64,
}

/// A depot's figures from day `from` up to (not including) `until`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogisticsNumbers {
    pub from: LedgerDay,
    pub until: LedgerDay,
    pub daily: Vec<DailyCount>,
    pub stations: Vec<StationCount>,
    /// Stops of the span's runs delivered, and those delivered by their expected time (with
    /// `ON_TIME_GRACE_MINUTES` of grace).
    pub stops_delivered: i64,
    pub stops_on_time: i64,
    /// Parcels handed over to their receivers in the span, and the mean minutes each waited
    /// from the centre's scan.
    pub handed_over: i64,
    pub mean_wait_minutes: Option<i64>,
}

impl LogisticsNumbers {
    /// Parcels and fees of one direction over the span.
    pub fn total(&self, direction: Direction) -> (i64, Fen) {
        self.daily
            .iter()
            .filter(|d| d.direction == direction)
            .fold((0, Fen(0)), |(n, fees), d| {
                (n + d.parcels, Fen(fees.0.saturating_add(d.fees.0)))
            })
    }

    /// What one parcel of `direction` cost on average, in fen (None with no parcels).
    pub fn per_parcel(&self, direction: Direction) -> Option<Fen> {
        let (parcels, fees) = self.total(direction);
        (parcels > 0).then(|| Fen((fees.0 + parcels / 2) / parcels))
    }

    /// The share of stops delivered on time, in per cent (None with no stops).
    pub fn on_time_percent(&self) -> Option<i64> {
        (self.stops_delivered > 0)
            .then(|| (self.stops_on_time * 100 + self.stops_delivered / 2) / self.stops_delivered)
    }
}

/// (day, direction, carrier, parcels, fees)
type DailyRow = (Option<String>, String, i64, i64, Option<i64>);

impl Store {
    /// `depot_id`'s numbers from day `from` up to (not including) `until`.
    pub async fn logistics_numbers(
        &self,
        depot_id: i64,
        from: LedgerDay,
        until: LedgerDay,
    ) -> Result<LogisticsNumbers> {
        let (first, last) = (from.to_string(), until.to_string());
        let rows: Vec<DailyRow> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::Day)
            .column(parcel::Column::Direction)
            .column(parcel::Column::CarrierId)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .column_as(
                Expr::col(parcel::Column::FeeFen).sum().cast_as("BIGINT"),
                "fees",
            )
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Day.gte(first.clone()))
            .filter(parcel::Column::Day.lt(last.clone()))
            .group_by(parcel::Column::Day)
            .group_by(parcel::Column::Direction)
            .group_by(parcel::Column::CarrierId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut daily: Vec<DailyCount> = rows
            .into_iter()
            .filter_map(|(day, direction, carrier_id, parcels, fees)| {
                Some(DailyCount {
                    day: day?,
                    direction: Direction::parse(&direction)?,
                    carrier_id,
                    parcels,
                    fees: Fen(fees.unwrap_or(0)),
                })
            })
            .collect();
        daily.sort_by(|a, b| {
            (&a.day, a.direction.as_str(), a.carrier_id).cmp(&(
                &b.day,
                b.direction.as_str(),
                b.carrier_id,
            ))
        });
        let stations = self.station_counts(depot_id, &first, &last).await?;
        let (stops_delivered, stops_on_time) = self.stops_on_time(depot_id, &first, &last).await?;
        let (handed_over, mean_wait_minutes) = self
            .waits(depot_id, from.bounds().0, until.bounds().0)
            .await?;
        Ok(LogisticsNumbers {
            from,
            until,
            daily,
            stations,
            stops_delivered,
            stops_on_time,
            handed_over,
            mean_wait_minutes,
        })
    }

    /// Inbound parcels per station scanned in over the span, and those handed over.
    async fn station_counts(
        &self,
        depot_id: i64,
        first: &str,
        last: &str,
    ) -> Result<Vec<StationCount>> {
        let rows: Vec<(Option<i64>, String, i64)> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::StationId)
            .column(parcel::Column::Stage)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Direction.eq(Direction::Inbound.as_str()))
            .filter(parcel::Column::StationId.is_not_null())
            .filter(parcel::Column::Day.gte(first))
            .filter(parcel::Column::Day.lt(last))
            .group_by(parcel::Column::StationId)
            .group_by(parcel::Column::Stage)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut counts: Vec<StationCount> = Vec::new();
        for (station, stage, n) in rows {
            let Some(station_id) = station else { continue };
            let handed = if stage == Stage::HandedOver.as_str() {
                n
            } else {
                0
            };
            match counts.iter_mut().find(|c| c.station_id == station_id) {
                Some(c) => {
                    c.parcels += n;
                    c.handed_over += handed;
                }
                None => counts.push(StationCount {
                    station_id,
                    parcels: n,
                    handed_over: handed,
                }),
            }
        }
        counts.sort_by_key(|c| (std::cmp::Reverse(c.parcels), c.station_id));
        Ok(counts)
    }

    /// Stops of the span's runs delivered, and those on time.
    async fn stops_on_time(&self, depot_id: i64, first: &str, last: &str) -> Result<(i64, i64)> {
        let runs = Query::select()
            .column(run::Column::Id)
            .from(run::Entity)
            .and_where(Expr::col(run::Column::DepotId).eq(depot_id))
            .and_where(Expr::col(run::Column::Day).gte(first))
            .and_where(Expr::col(run::Column::Day).lt(last))
            .to_owned();
        let times: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = stop::Entity::find()
            .select_only()
            .column(stop::Column::ExpectedAt)
            .column(stop::Column::DeliveredAt)
            .filter(stop::Column::RunId.in_subquery(runs))
            .filter(stop::Column::DeliveredAt.is_not_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        let grace = chrono::Duration::minutes(ON_TIME_GRACE_MINUTES);
        let on_time = times
            .iter()
            .filter(|(expected, delivered)| delivered.is_some_and(|d| d <= *expected + grace))
            .count();
        Ok((times.len() as i64, on_time as i64))
    }

    /// Parcels handed over between `start` and `end`, and the mean minutes from their scan.
    async fn waits(
        &self,
        depot_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<(i64, Option<i64>)> {
        let rows: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = event::Entity::find()
            .select_only()
            .column(event::Column::At)
            .column_as(
                Expr::col((parcel::Entity, parcel::Column::ScannedAt)),
                "scanned_at",
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                event::Entity::belongs_to(parcel::Entity)
                    .from(event::Column::ParcelId)
                    .to(parcel::Column::Id)
                    .into(),
            )
            .filter(event::Column::Kind.eq(Stage::HandedOver.as_str()))
            .filter(event::Column::At.gte(start))
            .filter(event::Column::At.lt(end))
            .filter(parcel::Column::DepotId.eq(depot_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let waits: Vec<i64> = rows
            .iter()
            .filter_map(|(at, scanned)| scanned.map(|s| Ord::max((*at - s).num_minutes(), 0)))
            .collect();
        let mean = (!waits.is_empty()).then(|| waits.iter().sum::<i64>() / waits.len() as i64);
        Ok((rows.len() as i64, mean))
    }
}
