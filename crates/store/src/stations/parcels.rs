//! Parcels in a station's hands. A pickup order's parcel is expected at its station when the
//! shop ships it, received when the operator scans or types its label (the order becomes ready
//! for pickup and its buyer is told), and handed over against the buyer's six-digit code, with
//! the pickup fee and any cash due recorded. Every step of an order's parcel goes through the
//! order's own step (`orders::advance`), which writes the parcel in the same transaction.

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{Fulfilment, OrderEvent, PaymentMethod};
use farmgate_domain::stations::till::CashKind;
use farmgate_domain::stations::{
    PICKUP_CODE_TRIES, ParcelLabel, ParcelStatus, PickupCode, StationRefusal,
};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{parcel, station};
use crate::orders::entity::order;
use crate::{Error, Result, Store};

/// A parcel at a station, as its operator and its buyer see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationParcel {
    pub id: i64,
    pub station_id: i64,
    /// The FarmGate order it carries; none for an express company's parcel.
    pub order_id: Option<i64>,
    pub label: String,
    pub status: ParcelStatus,
    /// Shown to the buyer only; the operator asks for it.
    #[serde(skip)]
    pub pickup_code: PickupCode,
    pub expected_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub handed_at: Option<DateTime<Utc>>,
    /// What the station took when handing it over: its fee, and all cash taken (the fee
    /// included, for an order paid in cash).
    pub fee: Fen,
    pub cash: Fen,
}

impl StationParcel {
    /// Whether it has waited on the shelf longer than `hold_days` by `now`.
    pub fn overdue(&self, hold_days: i32, now: DateTime<Utc>) -> bool {
        self.status == ParcelStatus::Received
            && self
                .received_at
                .is_some_and(|at| now - at > Duration::days(i64::from(hold_days)))
    }
}

fn from_row(row: parcel::Model) -> Result<StationParcel> {
    Ok(StationParcel {
        status: ParcelStatus::parse(&row.status)
            .ok_or_else(|| crate::error::corrupt("station parcel", row.id))?,
        pickup_code: PickupCode::parse(&row.pickup_code)
            .map_err(|_| crate::error::corrupt("station parcel", row.id))?,
        id: row.id,
        station_id: row.station_id,
        order_id: row.order_id,
        label: row.label,
        expected_at: row.expected_at,
        received_at: row.received_at,
        handed_at: row.handed_at,
        fee: Fen(row.fee_fen),
        cash: Fen(row.cash_fen),
    })
}

pub(crate) fn new_code() -> String {
    PickupCode::from_number(rand::rng().random::<u32>())
        .as_str()
        .to_owned()
}

/// Writes what an order's step means for its parcel, inside the step's transaction: shipped to a
/// station, the parcel is expected there; ready for pickup, it was received; picked up, it was
/// handed over, with the fee and the cash taken. Orders delivered home have no station parcel.
pub(crate) async fn follow_order(
    txn: &DatabaseTransaction,
    row: &order::Model,
    event: OrderEvent,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (Some(station_id), Some(Fulfilment::Pickup)) =
        (row.station_id, Fulfilment::parse(&row.fulfilment))
    else {
        return Ok(());
    };
    let existing = parcel::Entity::find()
        .filter(parcel::Column::OrderId.eq(row.id))
        .one(txn)
        .await?;
    // An order bought for a villager has its code on the villager's slip already.
    let bought_for = super::till::villager_order_in(txn, row.id).await?;
    let mut active: parcel::ActiveModel = match existing {
        Some(found) => found.into(),
        None => parcel::ActiveModel {
            station_id: Set(station_id),
            order_id: Set(Some(row.id)),
            label: Set(ParcelLabel::of_order(row.id).as_str().to_owned()),
            status: Set(ParcelStatus::Expected.as_str().to_owned()),
            pickup_code: Set(bought_for
                .as_ref()
                .map_or_else(new_code, |v| v.pickup_code.clone())),
            wrong_codes: Set(0),
            expected_at: Set(now),
            fee_fen: Set(0),
            cash_fen: Set(0),
            ..Default::default()
        },
    };
    let mut taken = Fen(0);
    match event {
        OrderEvent::Ship => {}
        OrderEvent::MarkReadyForPickup => {
            active.status = Set(ParcelStatus::Received.as_str().to_owned());
            active.received_at = Set(Some(now));
            active.received_by = Set(actor_id);
        }
        OrderEvent::PickUp => {
            // A villager's order was paid when the operator placed it.
            let cash = match PaymentMethod::parse(&row.payment_method) {
                Some(PaymentMethod::Cash) if bought_for.is_none() => row.total_fen,
                _ => 0,
            };
            taken = Fen(cash);
            active.status = Set(ParcelStatus::HandedOver.as_str().to_owned());
            active.handed_at = Set(Some(now));
            active.handed_by = Set(actor_id);
            active.fee_fen = Set(row.shipping_fen);
            active.cash_fen = Set(cash);
        }
        OrderEvent::ReturnUncollected => {
            active.status = Set(ParcelStatus::Returned.as_str().to_owned());
            active.returned_at = Set(Some(now));
        }
        _ => return Ok(()),
    }
    let saved = active.save(txn).await?;
    if taken.0 > 0 {
        super::till::record(
            txn,
            super::till::Movement {
                station_id,
                kind: CashKind::HandOver,
                amount: taken,
                order_id: Some(row.id),
                parcel_id: saved.id.clone().take(),
                actor_id,
                note: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

impl Store {
    /// The parcels at `stations` in `status`, longest waiting first; at most `limit`, after the
    /// parcel `after` (for the next page).
    pub async fn station_parcels(
        &self,
        stations: &[i64],
        status: ParcelStatus,
        after: Option<i64>,
        limit: u64,
    ) -> Result<Vec<StationParcel>> {
        let mut query = parcel::Entity::find()
            .filter(parcel::Column::StationId.is_in(stations.iter().copied()))
            .filter(parcel::Column::Status.eq(status.as_str()));
        if let Some(after) = after {
            query = query.filter(parcel::Column::Id.gt(after));
        }
        query
            .order_by_asc(parcel::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// The parcel of order `order_id`, if it goes to a station and has shipped.
    pub async fn parcel_of_order(&self, order_id: i64) -> Result<Option<StationParcel>> {
        parcel::Entity::find()
            .filter(parcel::Column::OrderId.eq(order_id))
            .one(&self.db)
            .await?
            .map(from_row)
            .transpose()
    }

    pub async fn station_parcel(&self, id: i64) -> Result<StationParcel> {
        let row = parcel::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        from_row(row)
    }

    /// The operator of one of `stations` receives the parcel labelled `label` (an order number
    /// typed without its `FG` is found too): it goes on the shelf, and its order is ready for
    /// pickup. Refused when no such parcel is on its way to these stations, or when it was
    /// received already.
    pub async fn receive_parcel(
        &self,
        stations: &[i64],
        label: &ParcelLabel,
        actor_id: i64,
    ) -> Result<StationParcel> {
        let mut labels = vec![label.as_str().to_owned()];
        if let Some(order) = label.order_label() {
            labels.push(order.as_str().to_owned());
        }
        let found = parcel::Entity::find()
            .filter(parcel::Column::Label.is_in(labels))
            .filter(parcel::Column::StationId.is_in(stations.iter().copied()))
            .one(&self.db)
            .await?
            .ok_or(StationRefusal::NotExpected)?;
        if found.status != ParcelStatus::Expected.as_str() {
            return Err(StationRefusal::AlreadyReceived.into());
        }
        match found.order_id {
            Some(order_id) => {
                self.advance_order(order_id, OrderEvent::MarkReadyForPickup, actor_id, None)
                    .await
                    .map_err(|e| match e {
                        Error::OrderState => StationRefusal::AlreadyReceived.into(),
                        other => other,
                    })?;
            }
            None => {
                // An express parcel the centre's run brought: its history says it arrived.
                let now = Utc::now();
                let txn = self.begin_write().await?;
                let moved = parcel::Entity::update_many()
                    .col_expr(
                        parcel::Column::Status,
                        Expr::value(ParcelStatus::Received.as_str()),
                    )
                    .col_expr(parcel::Column::ReceivedAt, Expr::value(now))
                    .col_expr(parcel::Column::ReceivedBy, Expr::value(actor_id))
                    .filter(parcel::Column::Id.eq(found.id))
                    .filter(parcel::Column::Status.eq(ParcelStatus::Expected.as_str()))
                    .exec(&txn)
                    .await?;
                if moved.rows_affected == 0 {
                    return Err(StationRefusal::AlreadyReceived.into());
                }
                let step = farmgate_domain::logistics::Stage::AtStation;
                crate::logistics::follow_station(&txn, found.id, step, Some(actor_id), now).await?;
                txn.commit().await?;
            }
        }
        self.station_parcel(found.id).await
    }

    /// The operator of one of `stations` hands parcel `id` over to the person who shows `code`.
    /// A wrong code is counted; the fifth in a row replaces the code (the buyer's order page
    /// shows the new one), so guessing gets nowhere and the buyer is never locked out. The
    /// parcel is a 404 to operators of other stations.
    pub async fn hand_over_parcel(
        &self,
        stations: &[i64],
        id: i64,
        code: &PickupCode,
        actor_id: i64,
    ) -> Result<StationParcel> {
        let txn = self.begin_write().await?;
        let found = parcel::Entity::find_by_id(id)
            .filter(parcel::Column::StationId.is_in(stations.iter().copied()))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if found.status != ParcelStatus::Received.as_str() {
            return Err(Error::OrderState);
        }
        let stored = PickupCode::parse(&found.pickup_code)
            .map_err(|_| crate::error::corrupt("station parcel", found.id))?;
        if !stored.matches(code) {
            let wrong = found.wrong_codes + 1;
            let renewed = wrong >= PICKUP_CODE_TRIES;
            let mut update = parcel::Entity::update_many().filter(parcel::Column::Id.eq(id));
            update = if renewed {
                update
                    .col_expr(parcel::Column::WrongCodes, Expr::value(0))
                    .col_expr(parcel::Column::PickupCode, Expr::value(new_code()))
            } else {
                update.col_expr(
                    parcel::Column::WrongCodes,
                    Expr::col(parcel::Column::WrongCodes).add(1),
                )
            };
            update.exec(&txn).await?;
            txn.commit().await?;
            return Err(if renewed {
                StationRefusal::CodeRenewed
            } else {
                StationRefusal::WrongCode
            }
            .into());
        }
        match found.order_id {
            Some(order_id) => {
                crate::orders::advance::advance_in(
                    &txn,
                    order_id,
                    OrderEvent::PickUp,
                    Some(actor_id),
                    None,
                )
                .await?;
            }
            None => {
                parcel::Entity::update_many()
                    .col_expr(
                        parcel::Column::Status,
                        Expr::value(ParcelStatus::HandedOver.as_str()),
                    )
                    .col_expr(parcel::Column::HandedAt, Expr::value(Utc::now()))
                    .col_expr(parcel::Column::HandedBy, Expr::value(actor_id))
                    .filter(parcel::Column::Id.eq(id))
                    .exec(&txn)
                    .await?;
                let step = farmgate_domain::logistics::Stage::HandedOver;
                crate::logistics::follow_station(&txn, id, step, Some(actor_id), Utc::now())
                    .await?;
            }
        }
        txn.commit().await?;
        self.station_parcel(id).await
    }

    /// The operator of one of `stations` sends parcel `id` back: nobody collected it within
    /// the station's days (by `now`). Its order is cancelled, or, paid online, becomes a cancel
    /// the shop answers with the money back; the goods go back on sale.
    pub async fn return_parcel(
        &self,
        stations: &[i64],
        id: i64,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<StationParcel> {
        let found = parcel::Entity::find_by_id(id)
            .filter(parcel::Column::StationId.is_in(stations.iter().copied()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let hold_days = station::Entity::find_by_id(found.station_id)
            .one(&self.db)
            .await?
            .map_or(farmgate_domain::stations::DEFAULT_HOLD_DAYS, |s| {
                s.hold_days
            });
        let parcel = from_row(found)?;
        if parcel.status != ParcelStatus::Received {
            return Err(Error::OrderState);
        }
        if !parcel.overdue(hold_days, now) {
            return Err(StationRefusal::NotOverdue.into());
        }
        match parcel.order_id {
            Some(order_id) => {
                self.advance_order(order_id, OrderEvent::ReturnUncollected, actor_id, None)
                    .await?;
            }
            None => {
                let txn = self.begin_write().await?;
                parcel::Entity::update_many()
                    .col_expr(
                        parcel::Column::Status,
                        Expr::value(ParcelStatus::Returned.as_str()),
                    )
                    .col_expr(parcel::Column::ReturnedAt, Expr::value(now))
                    .filter(parcel::Column::Id.eq(id))
                    .exec(&txn)
                    .await?;
                let step = farmgate_domain::logistics::Stage::Returned;
                crate::logistics::follow_station(&txn, id, step, Some(actor_id), now).await?;
                txn.commit().await?;
            }
        }
        self.station_parcel(id).await
    }

    /// The days a parcel may wait at each of `stations` before it is flagged for return.
    pub async fn hold_days(&self, stations: &[i64]) -> Result<Vec<(i64, i32)>> {
        Ok(station::Entity::find()
            .filter(station::Column::Id.is_in(stations.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.hold_days))
            .collect())
    }
}
