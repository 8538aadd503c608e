//! What the centre and each carrier owe each other for a month at a depot, read from the
//! parcels' events: the carrier's parcels handed over in the villages (each at the fee agreed
//! when it was scanned in), those sent back, those still in the centre's hands; the county's
//! sellers' parcels the carrier took (and what the sellers paid). The statement lists every
//! line; the carrier disputes a line with a note, the centre answers it. The carriers' own
//! accounts (`carrier_members`) read only their carrier's parcels, statements and events.

use chrono::{DateTime, Utc};
use farmgate_domain::logistics::{Direction, Stage};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerMonth;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::carriers::{Carrier, carrier_from};
use super::entity::{carrier, dispute, event, member, parcel};
use crate::{Error, Result, Store};

/// A carrier's month at a depot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settlement {
    pub carrier_id: i64,
    /// Inbound parcels handed over to their receivers this month.
    pub delivered: i64,
    /// Inbound parcels sent back this month.
    pub returned: i64,
    /// Inbound parcels scanned in before the month ended and still in the centre's or a
    /// station's hands.
    pub held: i64,
    /// What the carrier owes the centre: the fees of the parcels delivered.
    pub fees: Fen,
    /// The county's sellers' parcels the carrier took this month, and what they paid.
    pub outbound: i64,
    pub outbound_paid: Fen,
    /// Lines the carrier disputed this month that the centre has not answered.
    pub disputes_open: i64,
}

/// One line of a statement: a parcel that ended its way through the centre this month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// The event that ended it (the page's cursor).
    pub event_id: i64,
    pub parcel_id: i64,
    pub tracking_number: String,
    /// `handed_over` or `returned`.
    pub outcome: Stage,
    pub at: DateTime<Utc>,
    pub station_id: Option<i64>,
    pub fee: Fen,
    pub dispute: Option<Dispute>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispute {
    pub id: i64,
    pub note: String,
    pub answer: Option<String>,
}

/// One event in a carrier's feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedEvent {
    pub id: i64,
    pub tracking_number: String,
    pub kind: Stage,
    pub at: DateTime<Utc>,
    pub depot_id: i64,
    pub station_id: Option<i64>,
}

/// Per carrier: parcels in hand; outbound parcels and what was paid; disputes open.
type MonthCounts = (
    Vec<(i64, i64)>,
    Vec<(i64, i64, Option<i64>)>,
    Vec<(i64, i64)>,
);
/// (event, parcel, tracking number, kind, at, station, fee) of a statement's query.
type LineRow = (i64, i64, String, String, DateTime<Utc>, Option<i64>, i64);
/// (event, tracking number, kind, at, depot, station) of a feed's query.
type FeedRow = (i64, String, String, DateTime<Utc>, i64, Option<i64>);

fn to_parcel() -> sea_orm::RelationDef {
    event::Entity::belongs_to(parcel::Entity)
        .from(event::Column::ParcelId)
        .to(parcel::Column::Id)
        .into()
}

const ENDINGS: [Stage; 2] = [Stage::HandedOver, Stage::Returned];
const IN_HAND: [Stage; 4] = [
    Stage::ScannedIn,
    Stage::Sorted,
    Stage::OnRun,
    Stage::AtStation,
];

impl Store {
    /// Every carrier's month at `depot_id` (those with nothing that month too, when they work
    /// there).
    pub async fn settlements(&self, depot_id: i64, month: LedgerMonth) -> Result<Vec<Settlement>> {
        let (start, end) = (month.first.bounds().0, month.end().bounds().0);
        let ended: Vec<(i64, String, i64, Option<i64>)> = event::Entity::find()
            .select_only()
            .column(event::Column::CarrierId)
            .column(event::Column::Kind)
            .column_as(
                Expr::col((event::Entity, event::Column::Id))
                    .count()
                    .cast_as("BIGINT"),
                "n",
            )
            .column_as(
                Expr::col((parcel::Entity, parcel::Column::FeeFen))
                    .sum()
                    .cast_as("BIGINT"),
                "fees",
            )
            .join(JoinType::InnerJoin, to_parcel())
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Direction.eq(Direction::Inbound.as_str()))
            .filter(event::Column::Kind.is_in(ENDINGS.map(Stage::as_str)))
            .filter(event::Column::At.gte(start))
            .filter(event::Column::At.lt(end))
            .group_by(event::Column::CarrierId)
            .group_by(event::Column::Kind)
            .into_tuple()
            .all(&self.db)
            .await?;
        let (held, outbound, open) = self.month_counts(depot_id, month, end).await?;
        let mut carriers: Vec<i64> = self
            .agreements(depot_id)
            .await?
            .into_iter()
            .filter(|a| a.terms.is_some())
            .map(|a| a.carrier.id)
            .collect();
        for id in ended.iter().map(|e| e.0).chain(held.iter().map(|h| h.0)) {
            if !carriers.contains(&id) {
                carriers.push(id);
            }
        }
        Ok(carriers
            .into_iter()
            .map(|id| {
                let of = |kind: Stage| {
                    ended
                        .iter()
                        .find(|(c, k, ..)| *c == id && k == kind.as_str())
                        .map_or((0, 0), |(_, _, n, fees)| (*n, fees.unwrap_or(0)))
                };
                let (delivered, fees) = of(Stage::HandedOver);
                let (out, paid) = outbound
                    .iter()
                    .find(|(c, ..)| *c == id)
                    .map_or((0, 0), |(_, n, paid)| (*n, paid.unwrap_or(0)));
                Settlement {
                    carrier_id: id,
                    delivered,
                    returned: of(Stage::Returned).0,
                    held: held.iter().find(|(c, _)| *c == id).map_or(0, |(_, n)| *n),
                    fees: Fen(fees),
                    outbound: out,
                    outbound_paid: Fen(paid),
                    disputes_open: open.iter().find(|(c, _)| *c == id).map_or(0, |(_, n)| *n),
                }
            })
            .collect())
    }

    /// Per carrier at `depot_id`: parcels still in hand by `end`, the outbound parcels of
    /// `month` with what their sellers paid, and the month's disputes not answered.
    async fn month_counts(
        &self,
        depot_id: i64,
        month: LedgerMonth,
        end: DateTime<Utc>,
    ) -> Result<MonthCounts> {
        let start = month.first.bounds().0;
        let held: Vec<(i64, i64)> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::CarrierId)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Direction.eq(Direction::Inbound.as_str()))
            .filter(parcel::Column::Stage.is_in(IN_HAND.map(Stage::as_str)))
            .filter(parcel::Column::ScannedAt.lt(end))
            .group_by(parcel::Column::CarrierId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let outbound: Vec<(i64, i64, Option<i64>)> = parcel::Entity::find()
            .select_only()
            .column(parcel::Column::CarrierId)
            .column_as(Expr::col(parcel::Column::Id).count().cast_as("BIGINT"), "n")
            .column_as(
                Expr::col(parcel::Column::FeeFen).sum().cast_as("BIGINT"),
                "paid",
            )
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Direction.eq(Direction::Outbound.as_str()))
            .filter(parcel::Column::ScannedAt.gte(start))
            .filter(parcel::Column::ScannedAt.lt(end))
            .group_by(parcel::Column::CarrierId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let open: Vec<(i64, i64)> = dispute::Entity::find()
            .select_only()
            .column(dispute::Column::CarrierId)
            .column_as(
                Expr::col(dispute::Column::Id).count().cast_as("BIGINT"),
                "n",
            )
            .filter(dispute::Column::DepotId.eq(depot_id))
            .filter(dispute::Column::Month.eq(month.to_string()))
            .filter(dispute::Column::Answer.is_null())
            .group_by(dispute::Column::CarrierId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok((held, outbound, open))
    }

    /// The lines of `carrier_id`'s statement at `depot_id` for `month`, in the order they
    /// ended, `limit` after event `after` (0 for the first page).
    pub async fn statement_lines(
        &self,
        depot_id: i64,
        carrier_id: i64,
        month: LedgerMonth,
        after: i64,
        limit: u64,
    ) -> Result<Vec<StatementLine>> {
        let (start, end) = (month.first.bounds().0, month.end().bounds().0);
        let rows: Vec<LineRow> = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .column(event::Column::ParcelId)
            .column_as(
                Expr::col((parcel::Entity, parcel::Column::TrackingNumber)),
                "tracking_number",
            )
            .column(event::Column::Kind)
            .column(event::Column::At)
            .column_as(
                Expr::col((parcel::Entity, parcel::Column::StationId)),
                "station_id",
            )
            .column_as(
                Expr::col((parcel::Entity, parcel::Column::FeeFen)),
                "fee_fen",
            )
            .join(JoinType::InnerJoin, to_parcel())
            .filter(event::Column::CarrierId.eq(carrier_id))
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::Direction.eq(Direction::Inbound.as_str()))
            .filter(event::Column::Kind.is_in(ENDINGS.map(Stage::as_str)))
            .filter(event::Column::At.gte(start))
            .filter(event::Column::At.lt(end))
            .filter(event::Column::Id.gt(after))
            .order_by_asc(event::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let disputes = dispute::Entity::find()
            .filter(dispute::Column::CarrierId.eq(carrier_id))
            .filter(dispute::Column::Month.eq(month.to_string()))
            .filter(dispute::Column::ParcelId.is_in(ids))
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(
                |(event_id, parcel_id, tracking_number, kind, at, station_id, fee)| {
                    let outcome = Stage::parse(&kind)
                        .ok_or_else(|| crate::error::corrupt("parcel event", event_id))?;
                    Ok(StatementLine {
                        dispute: disputes.iter().find(|d| d.parcel_id == parcel_id).map(|d| {
                            Dispute {
                                id: d.id,
                                note: d.note.clone(),
                                answer: d.answer.clone(),
                            }
                        }),
                        event_id,
                        parcel_id,
                        tracking_number,
                        // A returned parcel owes no fee.
                        fee: if outcome == Stage::HandedOver {
                            Fen(fee)
                        } else {
                            Fen(0)
                        },
                        outcome,
                        at,
                        station_id,
                    })
                },
            )
            .collect()
    }

    /// The carrier disputes a line of its statement (once per parcel and month).
    pub async fn raise_dispute(
        &self,
        depot_id: i64,
        carrier_id: i64,
        month: LedgerMonth,
        parcel_id: i64,
        note: &str,
        actor_id: i64,
    ) -> Result<i64> {
        let line = parcel::Entity::find_by_id(parcel_id)
            .filter(parcel::Column::DepotId.eq(depot_id))
            .filter(parcel::Column::CarrierId.eq(carrier_id))
            .one(&self.db)
            .await?;
        if line.is_none() {
            return Err(Error::NotFound);
        }
        let row = dispute::ActiveModel {
            depot_id: Set(depot_id),
            carrier_id: Set(carrier_id),
            month: Set(month.to_string()),
            parcel_id: Set(parcel_id),
            note: Set(note.to_owned()),
            raised_by: Set(actor_id),
            raised_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "parcel"))?;
        Ok(row.id)
    }

    /// The centre answers dispute `id` of `depot_id`.
    pub async fn answer_dispute(
        &self,
        depot_id: i64,
        id: i64,
        answer: &str,
        actor_id: i64,
    ) -> Result<()> {
        let moved = dispute::Entity::update_many()
            .col_expr(dispute::Column::Answer, Expr::value(answer))
            .col_expr(dispute::Column::AnsweredBy, Expr::value(actor_id))
            .col_expr(dispute::Column::AnsweredAt, Expr::value(Utc::now()))
            .filter(dispute::Column::Id.eq(id))
            .filter(dispute::Column::DepotId.eq(depot_id))
            .exec(&self.db)
            .await?;
        if moved.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Makes `account_id` act for `carrier_id` (once).
    pub async fn add_carrier_member(&self, carrier_id: i64, account_id: i64) -> Result<()> {
        let known = member::Entity::find_by_id((carrier_id, account_id))
            .one(&self.db)
            .await?;
        if known.is_none() {
            member::ActiveModel {
                carrier_id: Set(carrier_id),
                account_id: Set(account_id),
                added_at: Set(Utc::now()),
            }
            .insert(&self.db)
            .await?;
        }
        Ok(())
    }

    /// The carriers `account_id` acts for.
    pub async fn carriers_of(&self, account_id: i64) -> Result<Vec<Carrier>> {
        let ids: Vec<i64> = member::Entity::find()
            .select_only()
            .column(member::Column::CarrierId)
            .filter(member::Column::AccountId.eq(account_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        carrier::Entity::find()
            .filter(carrier::Column::Id.is_in(ids))
            .order_by_asc(carrier::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(carrier_from)
            .collect()
    }

    /// `carrier_id`'s events after event `after`, oldest first: what the centre did with its
    /// parcels, for its own systems to follow (a replayed step wrote no event, so the feed
    /// never repeats).
    pub async fn carrier_feed(
        &self,
        carrier_id: i64,
        after: i64,
        limit: u64,
    ) -> Result<Vec<FeedEvent>> {
        let rows: Vec<FeedRow> = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .column_as(
                Expr::col((parcel::Entity, parcel::Column::TrackingNumber)),
                "tracking_number",
            )
            .column(event::Column::Kind)
            .column(event::Column::At)
            .column_as(
                Expr::col((parcel::Entity, parcel::Column::DepotId)),
                "depot_id",
            )
            .column(event::Column::StationId)
            .join(JoinType::InnerJoin, to_parcel())
            .filter(event::Column::CarrierId.eq(carrier_id))
            .filter(event::Column::Id.gt(after))
            .order_by_asc(event::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|(id, tracking_number, kind, at, depot_id, station_id)| {
                Ok(FeedEvent {
                    kind: Stage::parse(&kind)
                        .ok_or_else(|| crate::error::corrupt("parcel event", id))?,
                    id,
                    tracking_number,
                    at,
                    depot_id,
                    station_id,
                })
            })
            .collect()
    }
}
