//! A household's income month by month (issue 18), read from what earns for it: the sales of
//! its linked shops (orders and tricycle runs, times its share), the pickup fees of its linked
//! stations, its tricycle's runs (`run_credits.household_id`), the takings recorded at its
//! stalls (`stall_takings`), the dividends paid to it and what the centre entered by hand
//! (`household_incomes`).
//!
//! The shops' and stations' months are summed from their orders in the months asked for (by
//! the orders' owner index); the county statistics' rollups are to take this read over when
//! they land.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use farmgate_domain::households::LinkKind;
use farmgate_domain::households::income::{self, IncomeSource};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::OrderStatus;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{income as entry, link};
use crate::{Error, Result, Store};

/// Something the centre entered (or a dividend paid) for a household's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncomeEntry {
    pub id: i64,
    pub month: String,
    pub source: IncomeSource,
    pub amount: Fen,
    pub note: String,
    /// The dividend pool it was paid from.
    pub pool_id: Option<i64>,
    pub entered_by: i64,
    pub entered_at: DateTime<Utc>,
}

/// What a household took in over one month, by source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncomeMonth {
    pub month: String,
    /// In [`IncomeSource::ALL`]'s order.
    pub by_source: [Fen; 7],
}

impl IncomeMonth {
    fn empty(month: LedgerMonth) -> IncomeMonth {
        IncomeMonth {
            month: month.to_string(),
            by_source: [Fen(0); 7],
        }
    }

    pub fn total(&self) -> Fen {
        Fen(self.by_source.iter().map(|f| f.0).sum())
    }

    pub fn of(&self, source: IncomeSource) -> Fen {
        let at = IncomeSource::ALL.iter().position(|s| *s == source);
        at.map_or(Fen(0), |i| self.by_source[i])
    }

    fn add(&mut self, source: IncomeSource, amount: Fen) {
        if let Some(i) = IncomeSource::ALL.iter().position(|s| *s == source) {
            self.by_source[i] = Fen(self.by_source[i].0.saturating_add(amount.0));
        }
    }
}

/// What the centre enters for a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncome {
    pub month: LedgerMonth,
    pub source: IncomeSource,
    pub amount: Fen,
    pub note: String,
}

fn entry_from(row: entry::Model) -> Result<IncomeEntry> {
    Ok(IncomeEntry {
        source: IncomeSource::parse(&row.source)
            .ok_or_else(|| crate::error::corrupt("household income", row.id))?,
        id: row.id,
        month: row.month,
        amount: Fen(row.amount_fen),
        note: row.note,
        pool_id: row.pool_id,
        entered_by: row.entered_by,
        entered_at: row.entered_at,
    })
}

/// The months from `from` to `until`, both included.
pub fn months_between(from: LedgerMonth, until: LedgerMonth) -> Vec<LedgerMonth> {
    let mut months = Vec::new();
    let mut m = from;
    while m.first <= until.first && months.len() < 240 {
        months.push(m);
        m = m.next();
    }
    months
}

/// Per household, its months from `from` to `until`.
type Ledger = HashMap<i64, Vec<IncomeMonth>>;

fn slot<'a>(ledger: &'a mut Ledger, household: i64, month: &str) -> Option<&'a mut IncomeMonth> {
    ledger
        .get_mut(&household)?
        .iter_mut()
        .find(|m| m.month == month)
}

impl Store {
    /// Enters income for a month of a household of `county_id`.
    pub async fn add_income(
        &self,
        (county_id, household_id): (i64, i64),
        new: &NewIncome,
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<IncomeEntry> {
        self.county_household(county_id, household_id).await?;
        let source = IncomeSource::entered(new.source.as_str())?;
        let amount = income::income_amount(new.amount, "amount")?;
        let note = income::income_note(&new.note)?;
        if new.month.first > LedgerDay::of(now) {
            return Err(farmgate_domain::ValidationError::new(
                "month",
                "household-income-month-ahead",
            )
            .into());
        }
        let row = entry::ActiveModel {
            household_id: Set(household_id),
            month: Set(new.month.to_string()),
            source: Set(source.as_str().to_owned()),
            amount_fen: Set(amount.0),
            note: Set(note),
            pool_id: Set(None),
            entered_by: Set(actor_id),
            entered_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        entry_from(row)
    }

    /// Removes an entry made by hand (a dividend goes when its pool's payment is taken back).
    pub async fn remove_income(
        &self,
        (county_id, household_id): (i64, i64),
        entry_id: i64,
    ) -> Result<()> {
        self.county_household(county_id, household_id).await?;
        let row = entry::Entity::find_by_id(entry_id)
            .filter(entry::Column::HouseholdId.eq(household_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        if row.pool_id.is_some() {
            return Err(Error::Conflict { field: "pool" });
        }
        entry::Entity::delete_by_id(entry_id).exec(&self.db).await?;
        Ok(())
    }

    /// What was entered or paid for a household from `from` to `until`, the newest first.
    pub async fn income_entries(
        &self,
        household_id: i64,
        (from, until): (LedgerMonth, LedgerMonth),
    ) -> Result<Vec<IncomeEntry>> {
        entry::Entity::find()
            .filter(entry::Column::HouseholdId.eq(household_id))
            .filter(entry::Column::Month.gte(from.to_string()))
            .filter(entry::Column::Month.lte(until.to_string()))
            .order_by_desc(entry::Column::Month)
            .order_by_desc(entry::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(entry_from)
            .collect()
    }

    /// The income of each of `households` in every month from `from` to `until` (a month with
    /// nothing is there, at zero).
    pub async fn household_incomes(
        &self,
        households: &[i64],
        (from, until): (LedgerMonth, LedgerMonth),
    ) -> Result<Ledger> {
        let months = months_between(from, until);
        let mut ledger: Ledger = households
            .iter()
            .map(|h| (*h, months.iter().map(|m| IncomeMonth::empty(*m)).collect()))
            .collect();
        if households.is_empty() || months.is_empty() {
            return Ok(ledger);
        }
        let links = link::Entity::find()
            .filter(link::Column::HouseholdId.is_in(households.iter().copied()))
            .all(&self.db)
            .await?;
        let span = (from.first.bounds().0, until.end().bounds().0);
        self.credit_orders(&mut ledger, &links, span).await?;
        self.credit_runs(&mut ledger, &links, (from, until)).await?;
        let days = (from.first, until.end().previous());
        for t in self.household_stall_takings(households, days).await? {
            let month = LedgerMonth::of(t.day).to_string();
            if let Some(m) = t.household_id.and_then(|h| slot(&mut ledger, h, &month)) {
                m.add(IncomeSource::Stall, t.amount);
            }
        }
        for row in entry::Entity::find()
            .filter(entry::Column::HouseholdId.is_in(households.iter().copied()))
            .filter(entry::Column::Month.gte(from.to_string()))
            .filter(entry::Column::Month.lte(until.to_string()))
            .all(&self.db)
            .await?
        {
            let source = IncomeSource::parse(&row.source)
                .ok_or_else(|| crate::error::corrupt("household income", row.id))?;
            if let Some(m) = slot(&mut ledger, row.household_id, &row.month) {
                m.add(source, Fen(row.amount_fen));
            }
        }
        Ok(ledger)
    }

    /// Linked shops' sales (goods) and linked stations' pickup fees, by month, times the share.
    async fn credit_orders(
        &self,
        ledger: &mut Ledger,
        links: &[link::Model],
        (start, end): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<()> {
        use crate::orders::entity::order;
        let of_kind = |kind: LinkKind| -> Vec<i64> {
            links
                .iter()
                .filter(|l| l.kind == kind.as_str())
                .map(|l| l.target_id)
                .collect()
        };
        let (shops, stations) = (of_kind(LinkKind::Shop), of_kind(LinkKind::Station));
        let sold: Vec<&str> = OrderStatus::ALL
            .iter()
            .filter(|s| s.is_sale())
            .map(|s| s.as_str())
            .collect();
        // (kind, target, month) -> amount
        let mut sums: HashMap<(&'static str, i64, String), i64> = HashMap::new();
        for (kind, targets) in [(LinkKind::Shop, shops), (LinkKind::Station, stations)] {
            if targets.is_empty() {
                continue;
            }
            let column = match kind {
                LinkKind::Shop => order::Column::ShopId,
                _ => order::Column::StationId,
            };
            let rows: Vec<(Option<i64>, DateTime<Utc>, i64, i64)> = order::Entity::find()
                .select_only()
                .column(column)
                .column(order::Column::PlacedAt)
                .column(order::Column::GoodsFen)
                .column(order::Column::ShippingFen)
                .filter(column.is_in(targets))
                .filter(order::Column::PlacedAt.gte(start))
                .filter(order::Column::PlacedAt.lt(end))
                .filter(order::Column::Status.is_in(sold.iter().copied()))
                .into_tuple()
                .all(&self.db)
                .await?;
            for (target, at, goods, shipping) in rows {
                let Some(target) = target else { continue };
                let month = LedgerMonth::of(LedgerDay::of(at)).to_string();
                let amount = if kind == LinkKind::Shop {
                    goods
                } else {
                    shipping
                };
                *sums.entry((kind.as_str(), target, month)).or_default() += amount;
            }
        }
        for l in links {
            let Some(kind) = LinkKind::parse(&l.kind) else {
                continue;
            };
            let source = match kind {
                LinkKind::Shop => IncomeSource::Shop,
                LinkKind::Station => IncomeSource::Station,
                _ => continue,
            };
            for ((k, target, month), amount) in &sums {
                if *k == kind.as_str() && *target == l.target_id {
                    let part = income::share_of(Fen(*amount), l.share_percent);
                    if let Some(m) = slot(ledger, l.household_id, month) {
                        m.add(source, part);
                    }
                }
            }
        }
        Ok(())
    }

    /// A tricycle's runs: the pay credited to the household, and the goods its linked shops
    /// sold from a run (times the share).
    async fn credit_runs(
        &self,
        ledger: &mut Ledger,
        links: &[link::Model],
        (from, until): (LedgerMonth, LedgerMonth),
    ) -> Result<()> {
        use crate::fleet::entity::credit;
        let households: Vec<i64> = ledger.keys().copied().collect();
        let shops: Vec<i64> = links
            .iter()
            .filter(|l| l.kind == LinkKind::Shop.as_str())
            .map(|l| l.target_id)
            .collect();
        let rows = credit::Entity::find()
            .filter(credit::Column::Day.gte(from.first.to_string()))
            .filter(credit::Column::Day.lt(until.end().to_string()))
            .filter(
                sea_orm::Condition::any()
                    .add(credit::Column::HouseholdId.is_in(households))
                    .add(credit::Column::ShopId.is_in(shops)),
            )
            .all(&self.db)
            .await?;
        for row in rows {
            let month = row.day.get(..7).unwrap_or_default().to_owned();
            if let Some(household) = row.household_id {
                if let Some(m) = slot(ledger, household, &month) {
                    m.add(IncomeSource::Tricycle, Fen(row.amount_fen));
                }
                continue;
            }
            for l in links
                .iter()
                .filter(|l| l.kind == LinkKind::Shop.as_str() && Some(l.target_id) == row.shop_id)
            {
                let part = income::share_of(Fen(row.amount_fen), l.share_percent);
                if let Some(m) = slot(ledger, l.household_id, &month) {
                    m.add(IncomeSource::Shop, part);
                }
            }
        }
        Ok(())
    }
}
