//! Moving a shop's goods between its places (issue 19, decision 0029): a transfer is sent (the
//! units leave the place they were at and are on the way) and then received with what arrived
//! counted (what is missing is recorded as lost on the way); a transfer not yet received can be
//! called back. And stocktakes: a place's shelf counted, each difference recorded with its
//! reason. Nothing here makes or loses a unit that the ledger does not show.

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::StockReason;
use farmgate_domain::catalog::places::{Arrival, check_units};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{count_line, stock_count, transfer, transfer_line};
use super::places::{Spot, put_units, record, spot_of, take_units, units_at, variant_of_shop};
use super::stock::Mover;
use crate::{Error, Result, Store};

/// The most lines one transfer or count carries.
pub const MAX_LINES: usize = 500;

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    Sent,
    Received,
    CalledBack,
}

impl TransferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferStatus::Sent => "sent",
            TransferStatus::Received => "received",
            TransferStatus::CalledBack => "called_back",
        }
    }

    pub fn parse(text: &str) -> Option<TransferStatus> {
        [
            TransferStatus::Sent,
            TransferStatus::Received,
            TransferStatus::CalledBack,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A transfer with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub id: i64,
    pub shop_id: i64,
    /// None: the shop's own store.
    pub from_place_id: Option<i64>,
    pub to_place_id: Option<i64>,
    pub status: TransferStatus,
    pub note: String,
    pub sent_by: i64,
    pub sent_at: DateTime<Utc>,
    pub received_by: Option<i64>,
    pub received_at: Option<DateTime<Utc>>,
    pub lines: Vec<TransferLine>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TransferLine {
    pub variant_id: i64,
    pub sent: i64,
    pub received: Option<i64>,
}

/// A transfer to send: from a place to another (none: the shop's own store).
#[derive(Debug, Clone)]
pub struct NewTransfer<'a> {
    pub shop_id: i64,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// (variant, units)
    pub lines: &'a [(i64, i64)],
    pub note: &'a str,
}

/// A variant counted at a place: what was found, and why it differs when it does.
#[derive(Debug, Clone)]
pub struct CountedLine {
    pub variant_id: i64,
    pub counted: i64,
    pub reason: String,
}

/// A stocktake's outcome per line: (variant, expected, counted).
pub type CountOutcome = Vec<(i64, i64, i64)>;

fn lines_checked(lines: &[(i64, i64)]) -> Result<()> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(ValidationError::new("lines", "transfer-lines-invalid").into());
    }
    let mut seen = std::collections::HashSet::new();
    for &(variant_id, units) in lines {
        if check_units("units", units)? == 0 || !seen.insert(variant_id) {
            return Err(ValidationError::new("lines", "transfer-lines-invalid").into());
        }
    }
    Ok(())
}

fn mover(reason: StockReason, by: i64, note: &str) -> Mover<'_> {
    Mover {
        reason,
        actor_id: Some(by),
        note,
    }
}

impl Store {
    /// Sends goods from one of the shop's places to another: each line's units leave where they
    /// were (refused, nothing sent, when any line has fewer there: `stock-below-zero`).
    pub async fn send_transfer(&self, new: NewTransfer<'_>, by: i64) -> Result<Transfer> {
        lines_checked(new.lines)?;
        if new.from == new.to {
            return Err(ValidationError::new("to", "transfer-same-place").into());
        }
        let note: String = new.note.trim().chars().take(200).collect();
        let txn = self.begin_write().await?;
        let from = spot_of(&txn, new.shop_id, new.from).await?;
        spot_of(&txn, new.shop_id, new.to).await?;
        let row = transfer::ActiveModel {
            shop_id: Set(new.shop_id),
            from_place_id: Set(new.from),
            to_place_id: Set(new.to),
            status: Set(TransferStatus::Sent.as_str().to_owned()),
            note: Set(note.clone()),
            sent_by: Set(by),
            sent_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for &(variant_id, units) in new.lines {
            let key = variant_of_shop(&txn, new.shop_id, variant_id).await?;
            if !take_units(&txn, from, variant_id, units).await? {
                return Err(ValidationError::new("lines", "stock-below-zero").into());
            }
            record(
                &txn,
                key,
                (from, -units),
                mover(StockReason::Sent, by, &note),
            )
            .await?;
            transfer_line::ActiveModel {
                transfer_id: Set(row.id),
                variant_id: Set(variant_id),
                sent: Set(units),
                received: Set(None),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        self.transfer(row.id).await
    }

    /// Receives a sent transfer with each line's units counted (a line not named arrived
    /// whole): they join the place it was sent to; what is missing is recorded as lost there.
    pub async fn receive_transfer(
        &self,
        transfer_id: i64,
        counted: &[(i64, i64)],
        by: i64,
    ) -> Result<Transfer> {
        let txn = self.begin_write().await?;
        let (row, lines) = sent_transfer(&txn, transfer_id).await?;
        let to = spot_of(&txn, row.shop_id, row.to_place_id).await?;
        for line in lines {
            let arrived = counted
                .iter()
                .find(|(v, _)| *v == line.variant_id)
                .map(|(_, units)| *units)
                .unwrap_or(line.sent);
            let arrival = Arrival::new(line.sent, arrived)?;
            let key = variant_of_shop(&txn, row.shop_id, line.variant_id).await?;
            put_units(&txn, to, (row.shop_id, line.variant_id), arrival.received).await?;
            record(
                &txn,
                key,
                (to, line.sent),
                mover(StockReason::Received, by, &row.note),
            )
            .await?;
            if arrival.missing() > 0 {
                record(
                    &txn,
                    key,
                    (to, -arrival.missing()),
                    mover(StockReason::LostInTransit, by, &row.note),
                )
                .await?;
            }
            let mut line: transfer_line::ActiveModel = line.into();
            line.received = Set(Some(arrival.received));
            line.update(&txn).await?;
        }
        close_transfer(&txn, row, TransferStatus::Received, by).await?;
        txn.commit().await?;
        self.transfer(transfer_id).await
    }

    /// Calls a sent transfer back: its units return whole to where they left.
    pub async fn call_back_transfer(&self, transfer_id: i64, by: i64) -> Result<Transfer> {
        let txn = self.begin_write().await?;
        let (row, lines) = sent_transfer(&txn, transfer_id).await?;
        let from = spot_of(&txn, row.shop_id, row.from_place_id).await?;
        for line in lines {
            let key = variant_of_shop(&txn, row.shop_id, line.variant_id).await?;
            put_units(&txn, from, (row.shop_id, line.variant_id), line.sent).await?;
            record(
                &txn,
                key,
                (from, line.sent),
                mover(StockReason::Received, by, &row.note),
            )
            .await?;
        }
        close_transfer(&txn, row, TransferStatus::CalledBack, by).await?;
        txn.commit().await?;
        self.transfer(transfer_id).await
    }

    pub async fn transfer(&self, id: i64) -> Result<Transfer> {
        let row = transfer::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let lines = transfer_line::Entity::find()
            .filter(transfer_line::Column::TransferId.eq(id))
            .order_by_asc(transfer_line::Column::VariantId)
            .all(&self.db)
            .await?;
        transfer_from(row, lines)
    }

    /// Transfers of a shop (or, with `to_place`, those sent to a place), newest first, `limit`
    /// at a time before `before`; only those in `status` when given.
    pub async fn transfers(
        &self,
        (shop_id, to_place): (Option<i64>, Option<i64>),
        status: Option<TransferStatus>,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Transfer>> {
        let mut query = transfer::Entity::find();
        if let Some(shop_id) = shop_id {
            query = query.filter(transfer::Column::ShopId.eq(shop_id));
        }
        if let Some(place) = to_place {
            query = query.filter(transfer::Column::ToPlaceId.eq(place));
        }
        if let Some(status) = status {
            query = query.filter(transfer::Column::Status.eq(status.as_str()));
        }
        if let Some(before) = before {
            query = query.filter(transfer::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(transfer::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let lines = transfer_line::Entity::find()
            .filter(transfer_line::Column::TransferId.is_in(ids))
            .order_by_asc(transfer_line::Column::VariantId)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let mine = lines
                    .iter()
                    .filter(|l| l.transfer_id == row.id)
                    .cloned()
                    .collect();
                transfer_from(row, mine)
            })
            .collect()
    }

    /// Counts a shop's units at a place (none: its own store): each line's count replaces what
    /// was there, the difference recorded with its reason (a reason is needed when there is
    /// one). Returns each line's expected and counted units.
    pub async fn count_stock(
        &self,
        (shop_id, place): (i64, Option<i64>),
        lines: &[CountedLine],
        note: &str,
        by: i64,
    ) -> Result<CountOutcome> {
        if lines.is_empty() || lines.len() > MAX_LINES {
            return Err(ValidationError::new("lines", "transfer-lines-invalid").into());
        }
        let note: String = note.trim().chars().take(200).collect();
        let txn = self.begin_write().await?;
        let spot = spot_of(&txn, shop_id, place).await?;
        let count = stock_count::ActiveModel {
            place_id: Set(place),
            shop_id: Set(Some(shop_id)),
            note: Set(note.clone()),
            counted_by: Set(by),
            counted_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut outcome = Vec::with_capacity(lines.len());
        for line in lines {
            let counted = check_units("counted", line.counted)?;
            let key = variant_of_shop(&txn, shop_id, line.variant_id).await?;
            let expected = units_at(&txn, spot, line.variant_id).await?;
            let reason: String = line.reason.trim().chars().take(24).collect();
            if counted != expected && reason.is_empty() {
                return Err(ValidationError::new("reason", "count-reason-required").into());
            }
            change_units(&txn, spot, (shop_id, line.variant_id), counted - expected).await?;
            if counted != expected {
                let why = if note.is_empty() { &reason } else { &note };
                record(
                    &txn,
                    key,
                    (spot, counted - expected),
                    mover(StockReason::Counted, by, why),
                )
                .await?;
            }
            count_line::ActiveModel {
                count_id: Set(count.id),
                variant_id: Set(line.variant_id),
                shop_id: Set(shop_id),
                expected: Set(expected),
                counted: Set(counted),
                reason: Set(reason),
            }
            .insert(&txn)
            .await?;
            outcome.push((line.variant_id, expected, counted));
        }
        txn.commit().await?;
        Ok(outcome)
    }
}

/// Adds (or takes, when negative) units at a spot inside the count's transaction.
async fn change_units(
    txn: &DatabaseTransaction,
    spot: Spot,
    (shop_id, variant_id): (i64, i64),
    delta: i64,
) -> Result<()> {
    if delta > 0 {
        put_units(txn, spot, (shop_id, variant_id), delta).await
    } else if delta < 0 && !take_units(txn, spot, variant_id, -delta).await? {
        Err(Error::Conflict { field: "counted" })
    } else {
        Ok(())
    }
}

/// A transfer still on the way, with its lines; refused once received or called back.
async fn sent_transfer(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<(transfer::Model, Vec<transfer_line::Model>)> {
    let row = transfer::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    if row.status != TransferStatus::Sent.as_str() {
        return Err(ValidationError::new("transfer", "transfer-not-on-the-way").into());
    }
    let lines = transfer_line::Entity::find()
        .filter(transfer_line::Column::TransferId.eq(id))
        .all(txn)
        .await?;
    Ok((row, lines))
}

/// Marks a transfer received or called back, once: a second hand finds it closed.
async fn close_transfer(
    txn: &DatabaseTransaction,
    row: transfer::Model,
    status: TransferStatus,
    by: i64,
) -> Result<()> {
    let closed = transfer::Entity::update_many()
        .col_expr(
            transfer::Column::Status,
            sea_orm::sea_query::Expr::value(status.as_str()),
        )
        .col_expr(
            transfer::Column::ReceivedBy,
            sea_orm::sea_query::Expr::value(by),
        )
        .col_expr(
            transfer::Column::ReceivedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(transfer::Column::Id.eq(row.id))
        .filter(transfer::Column::Status.eq(TransferStatus::Sent.as_str()))
        .exec(txn)
        .await?;
    if closed.rows_affected != 1 {
        return Err(ValidationError::new("transfer", "transfer-not-on-the-way").into());
    }
    Ok(())
}

fn transfer_from(row: transfer::Model, lines: Vec<transfer_line::Model>) -> Result<Transfer> {
    Ok(Transfer {
        status: TransferStatus::parse(&row.status)
            .ok_or_else(|| crate::error::corrupt("stock transfer", row.id))?,
        id: row.id,
        shop_id: row.shop_id,
        from_place_id: row.from_place_id,
        to_place_id: row.to_place_id,
        note: row.note,
        sent_by: row.sent_by,
        sent_at: row.sent_at,
        received_by: row.received_by,
        received_at: row.received_at,
        lines: lines
            .into_iter()
            .map(|l| TransferLine {
                variant_id: l.variant_id,
                sent: l.sent,
                received: l.received,
            })
            .collect(),
    })
}
