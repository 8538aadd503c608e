//! A station's till and its ledger. Goods bought for villagers (`station_orders`: the order is
//! placed through the intake like any other, with the operator as its buyer until the
//! villager proves the phone it was bought for), every cash movement (`station_cash`, written
//! in the transaction of the step that moved the cash), and the days the operator closed
//! (`station_days`: counted against expected, a difference booked with its reason). The ledger
//! reads all of it per station and day, in a handful of grouped queries whatever the number of
//! stations.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use farmgate_domain::accounts::{DisplayName, PhoneNumber};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{Fulfilment, OrderStatus, PaymentMethod};
use farmgate_domain::stations::till::{CashKind, Closing, LedgerDay};
use farmgate_domain::stations::{PickupCode, StationRefusal};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{cash, consignment, day, parcel, villager_order};
use crate::orders::entity::{line, order};
use crate::{Error, Result, Store};

/// One movement of cash to write: into the till positive, out of it negative.
pub(crate) struct Movement {
    pub station_id: i64,
    pub kind: CashKind,
    pub amount: Fen,
    pub order_id: Option<i64>,
    pub parcel_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub note: Option<String>,
}

/// Writes `movement` at `now`, on that day of the ledger, in the caller's transaction.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    movement: Movement,
    now: DateTime<Utc>,
) -> Result<()> {
    cash::Entity::insert(cash::ActiveModel {
        station_id: Set(movement.station_id),
        day: Set(LedgerDay::of(now).to_string()),
        kind: Set(movement.kind.as_str().to_owned()),
        amount_fen: Set(movement.amount.0),
        order_id: Set(movement.order_id),
        parcel_id: Set(movement.parcel_id),
        actor_id: Set(movement.actor_id),
        note: Set(movement.note),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Moves the `kind` movements of order `order_id` to `at` (and its day): the demo dates its
/// orders back.
pub(crate) async fn date_cash(
    txn: &DatabaseTransaction,
    order_id: i64,
    kind: CashKind,
    at: DateTime<Utc>,
) -> Result<()> {
    cash::Entity::update_many()
        .col_expr(cash::Column::At, Expr::value(at))
        .col_expr(
            cash::Column::Day,
            Expr::value(LedgerDay::of(at).to_string()),
        )
        .filter(cash::Column::OrderId.eq(order_id))
        .filter(cash::Column::Kind.eq(kind.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Moves a villager's order `order_id` and the cash paid for it to `at` (the demo).
pub(crate) async fn date_villager_order(
    txn: &DatabaseTransaction,
    order_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    villager_order::Entity::update_many()
        .col_expr(villager_order::Column::PlacedAt, Expr::value(at))
        .filter(villager_order::Column::OrderId.eq(order_id))
        .exec(txn)
        .await?;
    date_cash(txn, order_id, CashKind::VillagerOrder, at).await
}

/// The villager's order `order_id`, if it is one.
pub(crate) async fn villager_order_in(
    txn: &DatabaseTransaction,
    order_id: i64,
) -> Result<Option<villager_order::Model>> {
    Ok(villager_order::Entity::find_by_id(order_id)
        .one(txn)
        .await?)
}

/// The unclaimed orders bought for `phone` become `account_id`'s own (its owner proved the
/// phone); how many.
pub(crate) async fn claim_villager_orders(
    txn: &DatabaseTransaction,
    account_id: i64,
    phone: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let ids: Vec<i64> = villager_order::Entity::find()
        .select_only()
        .column(villager_order::Column::OrderId)
        .filter(villager_order::Column::VillagerPhone.eq(phone))
        .filter(villager_order::Column::ClaimedBy.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    order::Entity::update_many()
        .col_expr(order::Column::BuyerId, Expr::value(account_id))
        .filter(order::Column::Id.is_in(ids.clone()))
        .exec(txn)
        .await?;
    let claimed = villager_order::Entity::update_many()
        .col_expr(villager_order::Column::ClaimedBy, Expr::value(account_id))
        .col_expr(villager_order::Column::ClaimedAt, Expr::value(now))
        .filter(villager_order::Column::OrderId.is_in(ids))
        .exec(txn)
        .await?;
    Ok(claimed.rows_affected)
}

/// Who an operator bought for: a name, and a phone when they have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Villager {
    pub name: DisplayName,
    pub phone: Option<PhoneNumber>,
}

/// An order bought for a villager, as the operator and the slip show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillagerOrder {
    pub order_id: i64,
    pub station_id: i64,
    pub placed_by: i64,
    pub villager_name: String,
    pub villager_phone: Option<String>,
    /// On the villager's slip; they show it when the parcel has come.
    #[serde(skip)]
    pub pickup_code: PickupCode,
    /// The cash the operator took for it.
    pub paid: Fen,
    pub placed_at: DateTime<Utc>,
    /// The villager registered and proved the phone: the order is their account's.
    pub claimed: bool,
}

fn villager_from_row(row: villager_order::Model) -> Result<VillagerOrder> {
    Ok(VillagerOrder {
        pickup_code: PickupCode::parse(&row.pickup_code)
            .map_err(|_| crate::error::corrupt("villager order", row.order_id))?,
        order_id: row.order_id,
        station_id: row.station_id,
        placed_by: row.placed_by,
        villager_name: row.villager_name,
        villager_phone: row.villager_phone,
        paid: Fen(row.paid_fen),
        placed_at: row.placed_at,
        claimed: row.claimed_by.is_some(),
    })
}

/// What a station's operator did with its cash, one movement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashMovement {
    pub id: i64,
    pub station_id: i64,
    pub day: LedgerDay,
    pub kind: CashKind,
    pub amount: Fen,
    pub order_id: Option<i64>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// A closed day: the cash the movements said should be there, what was counted, what went to
/// the centre, and why the count differed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedDay {
    pub station_id: i64,
    pub day: LedgerDay,
    pub expected: Fen,
    pub counted: Fen,
    pub handed_in: Fen,
    pub explanation: Option<String>,
    pub closed_at: DateTime<Utc>,
}

fn closed_from_row(row: day::Model) -> Result<ClosedDay> {
    Ok(ClosedDay {
        day: LedgerDay::parse(&row.day)
            .map_err(|_| crate::error::corrupt("station day", row.station_id))?,
        station_id: row.station_id,
        expected: Fen(row.expected_fen),
        counted: Fen(row.counted_fen),
        handed_in: Fen(row.handed_in_fen),
        explanation: row.explanation,
        closed_at: row.closed_at,
    })
}

/// One station's day in the ledger, as the national programme asks stations to report it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    pub station_id: i64,
    pub day: Option<LedgerDay>,
    /// Orders bought for villagers, and the value of their goods.
    pub villager_orders: i64,
    pub villager_goods: Fen,
    /// Batches of produce taken in on consignment, and what they are worth to their growers.
    pub produce_batches: i64,
    pub produce_value: Fen,
    pub parcels_received: i64,
    pub parcels_handed: i64,
    /// Pickup fees of the parcels handed out.
    pub fees: Fen,
    /// The till's movements of the day, per kind.
    pub cash: BTreeMap<&'static str, Fen>,
    pub closed: Option<ClosedDay>,
}

impl LedgerRow {
    fn cash_of(&self, kind: CashKind) -> Fen {
        self.cash.get(kind.as_str()).copied().unwrap_or_default()
    }

    /// Cash taken from villagers and buyers.
    pub fn cash_taken(&self) -> Fen {
        Fen(self.cash_of(CashKind::VillagerOrder).0 + self.cash_of(CashKind::HandOver).0)
    }

    /// Cash paid out: refunds, and growers' shares of their produce.
    pub fn cash_paid_out(&self) -> Fen {
        Fen(-(self.cash_of(CashKind::RefundPaid).0 + self.cash_of(CashKind::ProducePaid).0))
    }

    /// Cash handed to the centre.
    pub fn handed_in(&self) -> Fen {
        Fen(-self.cash_of(CashKind::HandedIn).0)
    }

    /// A counted difference booked at closing (short negative).
    pub fn difference(&self) -> Fen {
        self.cash_of(CashKind::Difference)
    }

    /// Everything that moved: the till's change over the day.
    pub fn net(&self) -> Fen {
        Fen(self.cash.values().map(|f| f.0).sum())
    }

    /// Adds `other`'s figures (a month's total from its days).
    pub fn add(&mut self, other: &LedgerRow) {
        self.villager_orders += other.villager_orders;
        self.villager_goods = Fen(self.villager_goods.0 + other.villager_goods.0);
        self.produce_batches += other.produce_batches;
        self.produce_value = Fen(self.produce_value.0 + other.produce_value.0);
        self.parcels_received += other.parcels_received;
        self.parcels_handed += other.parcels_handed;
        self.fees = Fen(self.fees.0 + other.fees.0);
        for (kind, amount) in &other.cash {
            let sum = self.cash.entry(kind).or_default();
            *sum = Fen(sum.0 + amount.0);
        }
    }
}

/// Goods of one category bought for villagers (`orders`), or produce of one category taken
/// in (`orders` counts its batches).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryTotal {
    pub category: String,
    pub orders: i64,
    pub value: Fen,
}

/// The SQL for the ledger day (China's calendar) of timestamp column `column`.
fn day_of(backend: DatabaseBackend, column: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => {
            format!("to_char(({column} AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD')")
        }
        _ => format!("date({column}, '+8 hours')"),
    }
}

fn new_code() -> PickupCode {
    PickupCode::from_number(rand::rng().random::<u32>())
}

/// The ledger's rows as they are filled in, by station and day.
#[derive(Default)]
struct Rows(BTreeMap<(i64, String), LedgerRow>);

impl Rows {
    fn at(&mut self, station_id: i64, day: String) -> Result<&mut LedgerRow> {
        let parsed =
            LedgerDay::parse(&day).map_err(|_| crate::error::corrupt("ledger day", station_id))?;
        Ok(self
            .0
            .entry((station_id, day))
            .or_insert_with(|| LedgerRow {
                station_id,
                day: Some(parsed),
                ..LedgerRow::default()
            }))
    }
}

impl Store {
    /// Records orders `order_ids`, just placed by `operator_id` for `villager` with pickup at
    /// `station_id` and paid in cash there, as bought for the villager: each gets its pickup
    /// code (printed on the slip) and the cash taken goes into the station's till. Safe to
    /// repeat (a retried or offline-synced placement records nothing twice). Refused for an
    /// order that is not the operator's cash order for this station.
    pub async fn record_villager_orders(
        &self,
        station_id: i64,
        operator_id: i64,
        villager: &Villager,
        order_ids: &[i64],
    ) -> Result<Vec<VillagerOrder>> {
        let txn = self.begin_write().await?;
        let now = Utc::now();
        for &order_id in order_ids {
            if villager_order::Entity::find_by_id(order_id)
                .one(&txn)
                .await?
                .is_some()
            {
                continue;
            }
            let row = order::Entity::find_by_id(order_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?;
            let fits = row.buyer_id == operator_id
                && row.station_id == Some(station_id)
                && Fulfilment::parse(&row.fulfilment) == Some(Fulfilment::Pickup)
                && PaymentMethod::parse(&row.payment_method) == Some(PaymentMethod::Cash)
                && row.status != OrderStatus::Cancelled.as_str();
            if !fits {
                return Err(Error::NotFound);
            }
            let code = match parcel::Entity::find()
                .filter(parcel::Column::OrderId.eq(order_id))
                .one(&txn)
                .await?
            {
                Some(p) => p.pickup_code,
                None => new_code().as_str().to_owned(),
            };
            villager_order::Entity::insert(villager_order::ActiveModel {
                order_id: Set(order_id),
                station_id: Set(station_id),
                placed_by: Set(operator_id),
                villager_name: Set(villager.name.as_str().to_owned()),
                villager_phone: Set(villager.phone.as_ref().map(|p| p.as_str().to_owned())),
                pickup_code: Set(code),
                paid_fen: Set(row.total_fen),
                placed_at: Set(now),
                claimed_by: Set(None),
                claimed_at: Set(None),
            })
            .exec_without_returning(&txn)
            .await?;
            record(
                &txn,
                Movement {
                    station_id,
                    kind: CashKind::VillagerOrder,
                    amount: Fen(row.total_fen),
                    order_id: Some(order_id),
                    parcel_id: None,
                    actor_id: Some(operator_id),
                    note: None,
                },
                now,
            )
            .await?;
        }
        txn.commit().await?;
        self.villager_orders_by_id(order_ids).await
    }

    async fn villager_orders_by_id(&self, order_ids: &[i64]) -> Result<Vec<VillagerOrder>> {
        villager_order::Entity::find()
            .filter(villager_order::Column::OrderId.is_in(order_ids.iter().copied()))
            .order_by_asc(villager_order::Column::OrderId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(villager_from_row)
            .collect()
    }

    /// The villager's order `order_id`, if it was bought for one.
    pub async fn villager_order(&self, order_id: i64) -> Result<Option<VillagerOrder>> {
        villager_order::Entity::find_by_id(order_id)
            .one(&self.db)
            .await?
            .map(villager_from_row)
            .transpose()
    }

    /// The villagers' orders of one checkout (one slip).
    pub async fn villager_orders_of_checkout(
        &self,
        checkout_id: &str,
    ) -> Result<Vec<VillagerOrder>> {
        let ids: Vec<i64> = order::Entity::find()
            .select_only()
            .column(order::Column::Id)
            .filter(order::Column::CheckoutId.eq(checkout_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        self.villager_orders_by_id(&ids).await
    }

    /// The orders bought for villagers at `stations`, newest first; at most `limit`, older
    /// than order `before` (for the next page).
    pub async fn villager_orders(
        &self,
        stations: &[i64],
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<VillagerOrder>> {
        let mut query = villager_order::Entity::find()
            .filter(villager_order::Column::StationId.is_in(stations.iter().copied()));
        if let Some(before) = before {
            query = query.filter(villager_order::Column::OrderId.lt(before));
        }
        query
            .order_by_desc(villager_order::Column::OrderId)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(villager_from_row)
            .collect()
    }

    /// The cash in station `station_id`'s till at the end of `through`: every movement up to
    /// that day.
    pub async fn till_balance(&self, station_id: i64, through: LedgerDay) -> Result<Fen> {
        till_balance_in(&self.db, station_id, through).await
    }

    /// The till's movements of `station_id` on `day`, in order.
    pub async fn cash_movements(
        &self,
        station_id: i64,
        day: LedgerDay,
    ) -> Result<Vec<CashMovement>> {
        cash::Entity::find()
            .filter(cash::Column::StationId.eq(station_id))
            .filter(cash::Column::Day.eq(day.to_string()))
            .order_by_asc(cash::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                Ok(CashMovement {
                    day,
                    kind: CashKind::parse(&row.kind)
                        .ok_or_else(|| crate::error::corrupt("station cash", row.id))?,
                    id: row.id,
                    station_id: row.station_id,
                    amount: Fen(row.amount_fen),
                    order_id: row.order_id,
                    note: row.note,
                    at: row.at,
                })
            })
            .collect()
    }

    /// The operator closes `day` at station `station_id`: the cash counted is checked against
    /// the till (every movement up to that day), a difference is booked with its explanation,
    /// and cash handed to the centre leaves the till. A day closes once.
    pub async fn close_day(
        &self,
        station_id: i64,
        day: LedgerDay,
        closing: &Closing,
        actor_id: i64,
    ) -> Result<ClosedDay> {
        let now = Utc::now();
        if day > LedgerDay::of(now) {
            return Err(StationRefusal::DayNotOver.into());
        }
        let txn = self.begin_write().await?;
        let already = day::Entity::find_by_id((station_id, day.to_string()))
            .one(&txn)
            .await?;
        if already.is_some() {
            return Err(StationRefusal::DayClosed.into());
        }
        let expected = till_balance_in(&txn, station_id, day).await?;
        closing.check(expected)?;
        let explanation = closing
            .explanation
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned);
        let booked_on = |mut m: cash::ActiveModel| {
            m.day = Set(day.to_string());
            m
        };
        for (kind, amount) in [
            (CashKind::Difference, closing.counted.0 - expected.0),
            (CashKind::HandedIn, -closing.handed_in.0),
        ] {
            if amount == 0 {
                continue;
            }
            cash::Entity::insert(booked_on(cash::ActiveModel {
                station_id: Set(station_id),
                kind: Set(kind.as_str().to_owned()),
                amount_fen: Set(amount),
                actor_id: Set(Some(actor_id)),
                note: Set(explanation.clone().filter(|_| kind == CashKind::Difference)),
                at: Set(now),
                ..Default::default()
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        let row = day::ActiveModel {
            station_id: Set(station_id),
            day: Set(day.to_string()),
            expected_fen: Set(expected.0),
            counted_fen: Set(closing.counted.0),
            handed_in_fen: Set(closing.handed_in.0),
            explanation: Set(explanation),
            closed_by: Set(actor_id),
            closed_at: Set(now),
        };
        let row = row.insert(&txn).await?;
        txn.commit().await?;
        closed_from_row(row)
    }

    /// The ledger of `stations` from day `from` up to (not including) `until`: one row per
    /// station and day on which anything happened, in station and day order.
    pub async fn ledger(
        &self,
        stations: &[i64],
        from: LedgerDay,
        until: LedgerDay,
    ) -> Result<Vec<LedgerRow>> {
        let mut rows = Rows::default();
        self.ledger_parcels(&mut rows, stations, from, until)
            .await?;
        self.ledger_bought(&mut rows, stations, from, until).await?;
        let ids = || stations.iter().copied();
        let moved: Vec<(i64, String, String, i64)> = cash::Entity::find()
            .select_only()
            .column(cash::Column::StationId)
            .column(cash::Column::Day)
            .column(cash::Column::Kind)
            .column_as(cash::Column::AmountFen.sum().cast_as("BIGINT"), "amount")
            .filter(cash::Column::StationId.is_in(ids()))
            .filter(cash::Column::Day.gte(from.to_string()))
            .filter(cash::Column::Day.lt(until.to_string()))
            .group_by(cash::Column::StationId)
            .group_by(cash::Column::Day)
            .group_by(cash::Column::Kind)
            .into_tuple()
            .all(&self.db)
            .await?;
        for (station, d, kind, amount) in moved {
            let kind = CashKind::parse(&kind)
                .ok_or_else(|| crate::error::corrupt("station cash", station))?;
            rows.at(station, d)?.cash.insert(kind.as_str(), Fen(amount));
        }
        let closed = day::Entity::find()
            .filter(day::Column::StationId.is_in(ids()))
            .filter(day::Column::Day.gte(from.to_string()))
            .filter(day::Column::Day.lt(until.to_string()))
            .all(&self.db)
            .await?;
        for closing in closed {
            let (station, d) = (closing.station_id, closing.day.clone());
            rows.at(station, d)?.closed = Some(closed_from_row(closing)?);
        }
        Ok(rows.0.into_values().collect())
    }

    /// Parcels received and handed out (with their fees) per station and day.
    async fn ledger_parcels(
        &self,
        rows: &mut Rows,
        stations: &[i64],
        from: LedgerDay,
        until: LedgerDay,
    ) -> Result<()> {
        let span = (from.bounds().0, until.bounds().0);
        let columns = (parcel::Column::StationId, parcel::Column::ReceivedAt, None);
        for (station, d, n, _) in self
            .per_day::<parcel::Entity>(columns, stations, span)
            .await?
        {
            rows.at(station, d)?.parcels_received = n;
        }
        let columns = (
            parcel::Column::StationId,
            parcel::Column::HandedAt,
            Some(parcel::Column::FeeFen),
        );
        for (station, d, n, fees) in self
            .per_day::<parcel::Entity>(columns, stations, span)
            .await?
        {
            let r = rows.at(station, d)?;
            r.parcels_handed = n;
            r.fees = Fen(fees);
        }
        Ok(())
    }

    /// Rows of `E` per station of `stations` and China day of column `at` within `span`: how
    /// many, and the sum of column `sum` (0 without one).
    async fn per_day<E: EntityTrait>(
        &self,
        (station, at, sum): (E::Column, E::Column, Option<E::Column>),
        stations: &[i64],
        (start, end): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<(i64, String, i64, i64)>> {
        let backend = self.db.get_database_backend();
        let column = format!(
            "{}.{}",
            sea_orm::IdenStatic::as_str(&E::default()),
            sea_orm::IdenStatic::as_str(&at)
        );
        let day = Expr::cust(day_of(backend, &column));
        let summed = match sum {
            Some(c) => c.sum().cast_as("BIGINT"),
            None => Expr::value(0i64).cast_as("BIGINT"),
        };
        Ok(E::find()
            .select_only()
            .column(station)
            .column_as(day.clone(), "d")
            .column_as(Expr::cust("COUNT(*)"), "n")
            .column_as(summed, "s")
            .filter(station.is_in(stations.iter().copied()))
            .filter(at.gte(start))
            .filter(at.lt(end))
            .group_by(station)
            .group_by(day)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Orders bought for villagers and produce taken in per station and day.
    async fn ledger_bought(
        &self,
        rows: &mut Rows,
        stations: &[i64],
        from: LedgerDay,
        until: LedgerDay,
    ) -> Result<()> {
        let backend = self.db.get_database_backend();
        let (start, _) = from.bounds();
        let (end, _) = until.bounds();
        let placed_day = Expr::cust(day_of(backend, "station_orders.placed_at"));
        let bought: Vec<(i64, String, i64, i64)> = villager_order::Entity::find()
            .select_only()
            .column(villager_order::Column::StationId)
            .column_as(placed_day.clone(), "d")
            .column_as(villager_order::Column::OrderId.count(), "n")
            .column_as(
                Expr::col((order::Entity, order::Column::GoodsFen))
                    .sum()
                    .cast_as("BIGINT"),
                "goods",
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                villager_order::Entity::belongs_to(order::Entity)
                    .from(villager_order::Column::OrderId)
                    .to(order::Column::Id)
                    .into(),
            )
            .filter(villager_order::Column::StationId.is_in(stations.iter().copied()))
            .filter(villager_order::Column::PlacedAt.gte(start))
            .filter(villager_order::Column::PlacedAt.lt(end))
            .group_by(villager_order::Column::StationId)
            .group_by(placed_day)
            .into_tuple()
            .all(&self.db)
            .await?;
        for (station, d, n, goods) in bought {
            let r = rows.at(station, d)?;
            r.villager_orders = n;
            r.villager_goods = Fen(goods);
        }
        let columns = (
            consignment::Column::StationId,
            consignment::Column::TakenAt,
            Some(consignment::Column::OwedFen),
        );
        let taken = self
            .per_day::<consignment::Entity>(columns, stations, (start, end))
            .await?;
        for (station, d, n, owed) in taken {
            let r = rows.at(station, d)?;
            r.produce_batches = n;
            r.produce_value = Fen(owed);
        }
        Ok(())
    }

    /// What villagers at `stations` bought from day `from` up to `until`, per category.
    pub async fn villager_goods_by_category(
        &self,
        stations: &[i64],
        from: LedgerDay,
        until: LedgerDay,
    ) -> Result<Vec<CategoryTotal>> {
        let (start, _) = from.bounds();
        let (end, _) = until.bounds();
        let rows: Vec<(String, i64, i64)> = line::Entity::find()
            .select_only()
            .column_as(Expr::cust("categories.code"), "category")
            .column_as(Expr::cust("COUNT(DISTINCT order_lines.order_id)"), "orders")
            .column_as(line::Column::LineFen.sum().cast_as("BIGINT"), "value")
            .join(
                sea_orm::JoinType::InnerJoin,
                line::Entity::belongs_to(villager_order::Entity)
                    .from(line::Column::OrderId)
                    .to(villager_order::Column::OrderId)
                    .into(),
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                line::Entity::belongs_to(crate::catalog::entity::product::Entity)
                    .from(line::Column::ProductId)
                    .to(crate::catalog::entity::product::Column::Id)
                    .into(),
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                crate::catalog::entity::product::Entity::belongs_to(
                    crate::catalog::entity::category::Entity,
                )
                .from(crate::catalog::entity::product::Column::CategoryId)
                .to(crate::catalog::entity::category::Column::Id)
                .into(),
            )
            .filter(villager_order::Column::StationId.is_in(stations.iter().copied()))
            .filter(villager_order::Column::PlacedAt.gte(start))
            .filter(villager_order::Column::PlacedAt.lt(end))
            .group_by(Expr::cust("categories.code"))
            .order_by_asc(Expr::cust("categories.code"))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(category, orders, value)| CategoryTotal {
                category,
                orders,
                value: Fen(value),
            })
            .collect())
    }

    /// The produce taken in at `stations` from day `from` up to `until`, per category: batches
    /// and what they are worth to their growers.
    pub async fn produce_by_category(
        &self,
        stations: &[i64],
        from: LedgerDay,
        until: LedgerDay,
    ) -> Result<Vec<CategoryTotal>> {
        use crate::catalog::entity::{category, product, variant};
        let (start, _) = from.bounds();
        let (end, _) = until.bounds();
        let rows: Vec<(String, i64, i64)> = consignment::Entity::find()
            .select_only()
            .column_as(Expr::cust("categories.code"), "category")
            .column_as(Expr::cust("COUNT(*)"), "batches")
            .column_as(
                consignment::Column::OwedFen.sum().cast_as("BIGINT"),
                "value",
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                consignment::Entity::belongs_to(variant::Entity)
                    .from(consignment::Column::VariantId)
                    .to(variant::Column::Id)
                    .into(),
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                variant::Entity::belongs_to(product::Entity)
                    .from(variant::Column::ProductId)
                    .to(product::Column::Id)
                    .into(),
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                product::Entity::belongs_to(category::Entity)
                    .from(product::Column::CategoryId)
                    .to(category::Column::Id)
                    .into(),
            )
            .filter(consignment::Column::StationId.is_in(stations.iter().copied()))
            .filter(consignment::Column::TakenAt.gte(start))
            .filter(consignment::Column::TakenAt.lt(end))
            .group_by(Expr::cust("categories.code"))
            .order_by_asc(Expr::cust("categories.code"))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(category, orders, value)| CategoryTotal {
                category,
                orders,
                value: Fen(value),
            })
            .collect())
    }

    /// The days closed at `station_id`, newest first.
    pub async fn closed_days(&self, station_id: i64, limit: u64) -> Result<Vec<ClosedDay>> {
        day::Entity::find()
            .filter(day::Column::StationId.eq(station_id))
            .order_by_desc(day::Column::Day)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(closed_from_row)
            .collect()
    }
}

async fn till_balance_in(
    db: &impl ConnectionTrait,
    station_id: i64,
    through: LedgerDay,
) -> Result<Fen> {
    let sum: Option<Option<i64>> = cash::Entity::find()
        .select_only()
        .column_as(cash::Column::AmountFen.sum().cast_as("BIGINT"), "balance")
        .filter(cash::Column::StationId.eq(station_id))
        .filter(cash::Column::Day.lte(through.to_string()))
        .into_tuple()
        .one(db)
        .await?;
    Ok(Fen(sum.flatten().unwrap_or(0)))
}
