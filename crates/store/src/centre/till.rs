//! The showroom's till (issue 19, decision 0031). A session is opened at a place with the cash
//! in the drawer and closed with it counted against what it should hold. Each sale is kept once
//! by its client-made id with the lines as the till charged them, and either the checkout its
//! orders were placed under (through the intake, decision 0030) or the item the place was short
//! of, which the cashier settles later. Nothing here places orders: the web layer does, through
//! the one placement path, and records the outcome here.

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::centre::till::{
    MAX_SALE_LINES, TillPayment, TillSaleStatus, check_drawer, expected_cash,
};
use farmgate_domain::money::Fen;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{sale, sale_line, session};
use crate::error::corrupt;
use crate::{Error, Result, Store};

/// A till session at a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillSession {
    pub id: i64,
    pub place_id: i64,
    pub opened_by: i64,
    pub opened_at: DateTime<Utc>,
    pub opening_cash: Fen,
    pub closed_by: Option<i64>,
    pub closed_at: Option<DateTime<Utc>>,
    pub counted_cash: Option<Fen>,
    pub expected_cash: Option<Fen>,
    pub note: String,
}

impl TillSession {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

fn session_from(row: session::Model) -> TillSession {
    TillSession {
        id: row.id,
        place_id: row.place_id,
        opened_by: row.opened_by,
        opened_at: row.opened_at,
        opening_cash: Fen(row.opening_cash_fen),
        closed_by: row.closed_by,
        closed_at: row.closed_at,
        counted_cash: row.counted_cash_fen.map(Fen),
        expected_cash: row.expected_cash_fen.map(Fen),
        note: row.note,
    }
}

/// A line as the till charged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TillLine {
    pub variant_id: i64,
    pub quantity: i64,
    pub unit_price: Fen,
    /// Its money was given back when the sale was settled: not part of the orders.
    pub given_back: bool,
}

impl TillLine {
    /// A line as the till rang it up.
    pub fn rung(variant_id: i64, quantity: i64, unit_price: Fen) -> TillLine {
        TillLine {
            variant_id,
            quantity,
            unit_price,
            given_back: false,
        }
    }

    /// What the till charged for it, if that fits.
    pub fn amount(&self) -> Option<Fen> {
        u32::try_from(self.quantity)
            .ok()
            .and_then(|q| self.unit_price.checked_mul(q))
    }
}

/// A sale rung up at a till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillSale {
    pub id: i64,
    pub session_id: i64,
    pub client_id: String,
    pub rung_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub status: TillSaleStatus,
    pub paid_by: TillPayment,
    /// What the till charged (and, paid in cash, what went into the drawer).
    pub charged: Fen,
    /// Money given back for goods the showroom could not fill, in cash when paid in cash.
    pub given_back: Fen,
    pub checkout_id: Option<String>,
    /// While to settle: the item the place was short of.
    pub short_variant_id: Option<i64>,
    pub settled_at: Option<DateTime<Utc>>,
    pub lines: Vec<TillLine>,
}

impl TillSale {
    /// The cash this sale left in the drawer.
    fn cash_in(&self) -> Fen {
        match self.paid_by {
            TillPayment::Cash => self.charged,
            TillPayment::Code => Fen(0),
        }
    }

    fn cash_back(&self) -> Fen {
        match self.paid_by {
            TillPayment::Cash => self.given_back,
            TillPayment::Code => Fen(0),
        }
    }
}

fn sale_from(row: sale::Model, lines: Vec<TillLine>) -> Result<TillSale> {
    Ok(TillSale {
        status: TillSaleStatus::parse(&row.status).ok_or_else(|| corrupt("till sale", row.id))?,
        paid_by: TillPayment::parse(&row.paid_by).map_err(|_| corrupt("till sale", row.id))?,
        id: row.id,
        session_id: row.session_id,
        client_id: row.client_id,
        rung_at: row.rung_at,
        received_at: row.received_at,
        charged: Fen(row.charged_fen),
        given_back: Fen(row.given_back_fen),
        checkout_id: row.checkout_id,
        short_variant_id: row.short_variant_id,
        settled_at: row.settled_at,
        lines,
    })
}

/// A sale to keep, as the till sent it.
#[derive(Debug, Clone)]
pub struct NewTillSale<'a> {
    pub session_id: i64,
    /// Made by the till when the sale was rung up: the same sale sent twice is kept once.
    pub client_id: &'a str,
    pub rung_at: DateTime<Utc>,
    pub paid_by: TillPayment,
    pub charged: Fen,
    pub lines: &'a [TillLine],
}

/// What placing a till sale's orders came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TillOutcome {
    /// Its orders were placed under this checkout.
    Placed { checkout_id: String },
    /// The place was short of this item: the cashier settles the sale.
    Short { variant_id: i64 },
    /// Settled with every item's money given back: nothing left to place.
    NothingLeft,
}

async fn with_lines(db: &impl ConnectionTrait, rows: Vec<sale::Model>) -> Result<Vec<TillSale>> {
    let lines = sale_line::Entity::find()
        .filter(sale_line::Column::SaleId.is_in(rows.iter().map(|r| r.id)))
        .order_by_asc(sale_line::Column::VariantId)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let mine = lines
                .iter()
                .filter(|l| l.sale_id == row.id)
                .map(|l| TillLine {
                    variant_id: l.variant_id,
                    quantity: l.quantity,
                    unit_price: Fen(l.unit_price_fen),
                    given_back: l.given_back,
                })
                .collect();
            sale_from(row, mine)
        })
        .collect()
}

async fn sales_of(db: &impl ConnectionTrait, session_id: i64) -> Result<Vec<TillSale>> {
    let rows = sale::Entity::find()
        .filter(sale::Column::SessionId.eq(session_id))
        .order_by_asc(sale::Column::RungAt)
        .order_by_asc(sale::Column::Id)
        .all(db)
        .await?;
    with_lines(db, rows).await
}

/// Session `id` read inside `txn`, its row locked on PostgreSQL (SQLite's write transaction
/// holds the whole database): a sale is kept and a session closed one after the other.
pub(super) async fn locked_session(
    txn: &DatabaseTransaction,
    backend: crate::Backend,
    id: i64,
) -> Result<TillSession> {
    let mut query = session::Entity::find_by_id(id);
    if backend == crate::Backend::Postgres {
        query = query.lock_exclusive();
    }
    query
        .one(txn)
        .await?
        .map(session_from)
        .ok_or(Error::NotFound)
}

fn lines_checked(lines: &[TillLine]) -> Result<()> {
    if lines.is_empty() || lines.len() > MAX_SALE_LINES {
        return Err(ValidationError::new("lines", "till-lines-invalid").into());
    }
    let mut seen = std::collections::HashSet::new();
    for line in lines {
        let quantity_ok =
            (1..=farmgate_domain::catalog::places::MAX_UNITS).contains(&line.quantity);
        let price_ok = (0..=farmgate_domain::money::MAX_UNIT_PRICE.0).contains(&line.unit_price.0);
        if !quantity_ok || !price_ok || !seen.insert(line.variant_id) {
            return Err(ValidationError::new("lines", "till-lines-invalid").into());
        }
    }
    Ok(())
}

impl Store {
    /// Opens a session at `place_id` with `opening_cash` in the drawer; refused while one is
    /// open there (`till-already-open`).
    pub async fn open_till_session(
        &self,
        place_id: i64,
        opening_cash: Fen,
        by: i64,
    ) -> Result<TillSession> {
        let opening = check_drawer("opening_cash", opening_cash)?;
        let row = session::ActiveModel {
            place_id: Set(place_id),
            opened_by: Set(by),
            opened_at: Set(Utc::now()),
            opening_cash_fen: Set(opening.0),
            note: Set(String::new()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|err| match Error::unique_as(err, "place") {
            Error::Conflict { .. } => ValidationError::new("place", "till-already-open").into(),
            other => other,
        })?;
        Ok(session_from(row))
    }

    /// The session open at `place_id`, if any.
    pub async fn open_till_session_at(&self, place_id: i64) -> Result<Option<TillSession>> {
        Ok(session::Entity::find()
            .filter(session::Column::PlaceId.eq(place_id))
            .filter(session::Column::ClosedAt.is_null())
            .one(&self.db)
            .await?
            .map(session_from))
    }

    pub async fn till_session(&self, id: i64) -> Result<TillSession> {
        session::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(session_from)
            .ok_or(Error::NotFound)
    }

    /// A place's sessions, newest first, `limit` at a time before `before`.
    pub async fn till_sessions(
        &self,
        place_id: i64,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<TillSession>> {
        let mut query = session::Entity::find().filter(session::Column::PlaceId.eq(place_id));
        if let Some(before) = before {
            query = query.filter(session::Column::Id.lt(before));
        }
        Ok(query
            .order_by_desc(session::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(session_from)
            .collect())
    }

    /// The sale the till sent under `client_id`, if it was kept.
    pub async fn till_sale_by_client(&self, client_id: &str) -> Result<Option<TillSale>> {
        let Some(row) = sale::Entity::find()
            .filter(sale::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(with_lines(&self.db, vec![row]).await?.remove(0)))
    }

    pub async fn till_sale(&self, id: i64) -> Result<TillSale> {
        let row = sale::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(with_lines(&self.db, vec![row]).await?.remove(0))
    }

    /// A session's sales, in the order they were rung up.
    pub async fn till_sales(&self, session_id: i64) -> Result<Vec<TillSale>> {
        sales_of(&self.db, session_id).await
    }

    /// Keeps a sale of an open session with what placing it came to; the same client id again
    /// answers with the sale kept the first time (whatever it is sent with).
    pub async fn record_till_sale(
        &self,
        new: NewTillSale<'_>,
        outcome: TillOutcome,
    ) -> Result<TillSale> {
        if let Some(kept) = self.till_sale_by_client(new.client_id).await? {
            return Ok(kept);
        }
        lines_checked(new.lines)?;
        let charged = check_drawer("charged", new.charged)?;
        let (status, checkout_id, short) = match outcome {
            TillOutcome::Placed { checkout_id } => (TillSaleStatus::Done, Some(checkout_id), None),
            TillOutcome::Short { variant_id } => (TillSaleStatus::ToSettle, None, Some(variant_id)),
            TillOutcome::NothingLeft => {
                return Err(ValidationError::new("lines", "till-lines-invalid").into());
            }
        };
        let txn = self.begin_write().await?;
        let session = locked_session(&txn, self.backend(), new.session_id).await?;
        if !session.is_open() {
            return Err(ValidationError::new("session", "till-closed").into());
        }
        let inserted = sale::ActiveModel {
            session_id: Set(session.id),
            client_id: Set(new.client_id.to_owned()),
            rung_at: Set(new.rung_at),
            received_at: Set(Utc::now()),
            status: Set(status.as_str().to_owned()),
            paid_by: Set(new.paid_by.as_str().to_owned()),
            charged_fen: Set(charged.0),
            given_back_fen: Set(0),
            checkout_id: Set(checkout_id),
            short_variant_id: Set(short),
            settled_by: Set(None),
            settled_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(err) => {
                drop(txn);
                // Sent twice at once: the other one was kept.
                return match Error::unique_as(err, "client_id") {
                    Error::Conflict { .. } => self
                        .till_sale_by_client(new.client_id)
                        .await?
                        .ok_or(Error::NotFound),
                    other => Err(other),
                };
            }
        };
        sale_line::Entity::insert_many(new.lines.iter().map(|l| sale_line::ActiveModel {
            sale_id: Set(row.id),
            variant_id: Set(l.variant_id),
            quantity: Set(l.quantity),
            unit_price_fen: Set(l.unit_price.0),
            given_back: Set(false),
        }))
        .exec(&txn)
        .await?;
        txn.commit().await?;
        let lines = new.lines.iter();
        sale_from(
            row,
            lines
                .map(|l| TillLine::rung(l.variant_id, l.quantity, l.unit_price))
                .collect(),
        )
    }

    /// Settles a sale that was short: placed after all (its goods moved to the place, or tried
    /// again), with the money for one line given back (`give_back`: its variant) and the rest
    /// placed, or still short of another item. Only a sale to settle can be; a second hand
    /// finds it settled.
    pub async fn settle_till_sale(
        &self,
        sale_id: i64,
        outcome: TillOutcome,
        give_back: Option<i64>,
        by: i64,
    ) -> Result<TillSale> {
        let kept = self.till_sale(sale_id).await?;
        if kept.status != TillSaleStatus::ToSettle {
            return Err(ValidationError::new("sale", "till-sale-settled").into());
        }
        let mut back = kept.given_back;
        let txn = self.begin_write().await?;
        if let Some(variant_id) = give_back {
            let line = kept
                .lines
                .iter()
                .find(|l| l.variant_id == variant_id && !l.given_back)
                .ok_or(ValidationError::new(
                    "given_back",
                    "till-given-back-invalid",
                ))?;
            back = line
                .amount()
                .and_then(|amount| back.checked_add(amount))
                .filter(|b| b.0 <= kept.charged.0)
                .ok_or(ValidationError::new(
                    "given_back",
                    "till-given-back-invalid",
                ))?;
            sale_line::Entity::update_many()
                .col_expr(sale_line::Column::GivenBack, Expr::value(true))
                .filter(sale_line::Column::SaleId.eq(sale_id))
                .filter(sale_line::Column::VariantId.eq(variant_id))
                .exec(&txn)
                .await?;
        }
        let mut update = sale::Entity::update_many()
            .col_expr(sale::Column::GivenBackFen, Expr::value(back.0))
            .filter(sale::Column::Id.eq(sale_id))
            .filter(sale::Column::Status.eq(TillSaleStatus::ToSettle.as_str()));
        update = match outcome {
            TillOutcome::Placed { checkout_id } => update
                .col_expr(
                    sale::Column::Status,
                    Expr::value(TillSaleStatus::Settled.as_str()),
                )
                .col_expr(sale::Column::CheckoutId, Expr::value(checkout_id))
                .col_expr(sale::Column::ShortVariantId, Expr::value(None::<i64>))
                .col_expr(sale::Column::SettledBy, Expr::value(by))
                .col_expr(sale::Column::SettledAt, Expr::value(Utc::now())),
            TillOutcome::NothingLeft => update
                .col_expr(
                    sale::Column::Status,
                    Expr::value(TillSaleStatus::Settled.as_str()),
                )
                .col_expr(sale::Column::ShortVariantId, Expr::value(None::<i64>))
                .col_expr(sale::Column::SettledBy, Expr::value(by))
                .col_expr(sale::Column::SettledAt, Expr::value(Utc::now())),
            TillOutcome::Short { variant_id } => {
                update.col_expr(sale::Column::ShortVariantId, Expr::value(variant_id))
            }
        };
        if update.exec(&txn).await?.rows_affected != 1 {
            return Err(ValidationError::new("sale", "till-sale-settled").into());
        }
        txn.commit().await?;
        self.till_sale(sale_id).await
    }

    /// Closes a session with the cash counted; the drawer should hold the opening cash plus the
    /// cash sales less the cash given back. Refused while a sale waits to be settled, and once
    /// closed.
    pub async fn close_till_session(
        &self,
        id: i64,
        counted: Fen,
        note: &str,
        by: i64,
    ) -> Result<TillSession> {
        let counted = check_drawer("counted_cash", counted)?;
        let txn = self.begin_write().await?;
        let session = locked_session(&txn, self.backend(), id).await?;
        if !session.is_open() {
            return Err(ValidationError::new("session", "till-closed").into());
        }
        let sales = sales_of(&txn, id).await?;
        if sales.iter().any(|s| s.status == TillSaleStatus::ToSettle) {
            return Err(ValidationError::new("session", "till-sales-to-settle").into());
        }
        let cash_in: Vec<Fen> = sales.iter().map(TillSale::cash_in).collect();
        let mut back: Vec<Fen> = sales.iter().map(TillSale::cash_back).collect();
        // Goods taken back at this session left its drawer in cash.
        back.extend(
            super::entity::till_return::Entity::find()
                .filter(super::entity::till_return::Column::SessionId.eq(id))
                .all(&txn)
                .await?
                .iter()
                .map(|r| Fen(r.amount_fen)),
        );
        let expected = expected_cash(session.opening_cash, &cash_in, &back)
            .ok_or(ValidationError::new("counted_cash", "amount-too-large"))?;
        let note: String = note.trim().chars().take(200).collect();
        let closed = session::Entity::update_many()
            .col_expr(session::Column::ClosedBy, Expr::value(by))
            .col_expr(session::Column::ClosedAt, Expr::value(Utc::now()))
            .col_expr(session::Column::CountedCashFen, Expr::value(counted.0))
            .col_expr(session::Column::ExpectedCashFen, Expr::value(expected.0))
            .col_expr(session::Column::Note, Expr::value(note))
            .filter(session::Column::Id.eq(id))
            .filter(session::Column::ClosedAt.is_null())
            .exec(&txn)
            .await?;
        if closed.rows_affected != 1 {
            return Err(ValidationError::new("session", "till-closed").into());
        }
        txn.commit().await?;
        self.till_session(id).await
    }
}
