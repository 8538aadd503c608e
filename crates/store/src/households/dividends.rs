//! A project's dividend (issue 18): the centre sets aside a pool for a month, names the
//! households it pays (with the days each worked on the project), and pays it: the pool is split
//! by its rule to the fen ([`income::split`]) and each household's part is written to its
//! income. Until paid, a pool changes freely; a payment can be taken back whole.

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::households::income::{self, DividendRule, IncomeSource};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerMonth;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use super::entity::{household, income as entry, member, pool, share};
use crate::{Error, Result, Store};

/// A dividend pool with the households it pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DividendPool {
    pub id: i64,
    pub county_id: i64,
    pub name: String,
    pub month: String,
    pub amount: Fen,
    pub rule: DividendRule,
    pub paid_at: Option<DateTime<Utc>>,
    pub shares: Vec<DividendShare>,
}

/// A household a pool pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DividendShare {
    pub household_id: i64,
    pub head_name: String,
    pub work_days: i32,
    /// Counted when paid (0 before).
    pub members: i32,
    /// Its part once paid (0 before).
    pub amount: Fen,
}

/// What the centre says of a pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolDetails {
    pub name: String,
    pub month: LedgerMonth,
    pub amount: Fen,
    pub rule: DividendRule,
}

fn checked(details: &PoolDetails) -> Result<String> {
    let name = details.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ValidationError::new("name", "dividend-name-invalid").into());
    }
    income::income_amount(details.amount, "amount")?;
    Ok(name.to_owned())
}

impl Store {
    async fn county_pool(&self, county_id: i64, pool_id: i64) -> Result<pool::Model> {
        pool::Entity::find_by_id(pool_id)
            .filter(pool::Column::CountyId.eq(county_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    async fn unpaid_pool(&self, county_id: i64, pool_id: i64) -> Result<pool::Model> {
        let row = self.county_pool(county_id, pool_id).await?;
        if row.paid_at.is_some() {
            return Err(Error::Conflict { field: "paid" });
        }
        Ok(row)
    }

    /// Sets a pool aside for `county_id`.
    pub async fn create_pool(
        &self,
        county_id: i64,
        details: &PoolDetails,
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<DividendPool> {
        let name = checked(details)?;
        let row = pool::ActiveModel {
            county_id: Set(county_id),
            name: Set(name),
            month: Set(details.month.to_string()),
            amount_fen: Set(details.amount.0),
            rule: Set(details.rule.as_str().to_owned()),
            created_by: Set(actor_id),
            created_at: Set(now),
            paid_by: Set(None),
            paid_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        self.read_pool(row).await
    }

    /// Changes a pool not yet paid.
    pub async fn update_pool(
        &self,
        (county_id, pool_id): (i64, i64),
        details: &PoolDetails,
    ) -> Result<DividendPool> {
        let name = checked(details)?;
        let mut row: pool::ActiveModel = self.unpaid_pool(county_id, pool_id).await?.into();
        row.name = Set(name);
        row.month = Set(details.month.to_string());
        row.amount_fen = Set(details.amount.0);
        row.rule = Set(details.rule.as_str().to_owned());
        let row = row.update(&self.db).await?;
        self.read_pool(row).await
    }

    /// Removes a pool not yet paid.
    pub async fn remove_pool(&self, county_id: i64, pool_id: i64) -> Result<()> {
        self.unpaid_pool(county_id, pool_id).await?;
        pool::Entity::delete_by_id(pool_id).exec(&self.db).await?;
        Ok(())
    }

    /// Names a household of the county among those a pool not yet paid pays, with the days it
    /// worked (again: the days change).
    pub async fn set_pool_share(
        &self,
        (county_id, pool_id): (i64, i64),
        household_id: i64,
        work_days: u32,
    ) -> Result<()> {
        self.unpaid_pool(county_id, pool_id).await?;
        let household = self.county_household(county_id, household_id).await?;
        if !household.active {
            return Err(ValidationError::new("household", "household-inactive").into());
        }
        if work_days > income::MAX_WORK_DAYS {
            return Err(ValidationError::new("work_days", "dividend-work-days-invalid").into());
        }
        let txn = self.begin_write().await?;
        share::Entity::delete_many()
            .filter(share::Column::PoolId.eq(pool_id))
            .filter(share::Column::HouseholdId.eq(household_id))
            .exec(&txn)
            .await?;
        share::ActiveModel {
            pool_id: Set(pool_id),
            household_id: Set(household_id),
            work_days: Set(work_days as i32),
            members: Set(0),
            amount_fen: Set(0),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Takes a household out of a pool not yet paid.
    pub async fn remove_pool_share(
        &self,
        (county_id, pool_id): (i64, i64),
        household_id: i64,
    ) -> Result<()> {
        self.unpaid_pool(county_id, pool_id).await?;
        let gone = share::Entity::delete_many()
            .filter(share::Column::PoolId.eq(pool_id))
            .filter(share::Column::HouseholdId.eq(household_id))
            .exec(&self.db)
            .await?;
        if gone.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Pays a pool: splits it by its rule (members counted now) and writes each household's part
    /// to its income for the pool's month, all at once. Refused when nobody would be paid.
    pub async fn pay_pool(
        &self,
        (county_id, pool_id): (i64, i64),
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<DividendPool> {
        let row = self.unpaid_pool(county_id, pool_id).await?;
        let rule = DividendRule::parse(&row.rule)
            .ok_or_else(|| crate::error::corrupt("dividend pool", row.id))?;
        let txn = self.begin_write().await?;
        // Marked paid first, on the condition it was not: two hands paying at once pay once.
        let marked = pool::Entity::update_many()
            .col_expr(pool::Column::PaidBy, Expr::value(actor_id))
            .col_expr(pool::Column::PaidAt, Expr::value(now))
            .filter(pool::Column::Id.eq(pool_id))
            .filter(pool::Column::PaidAt.is_null())
            .exec(&txn)
            .await?;
        if marked.rows_affected == 0 {
            return Err(Error::Conflict { field: "paid" });
        }
        let shares = share::Entity::find()
            .filter(share::Column::PoolId.eq(pool_id))
            .order_by_asc(share::Column::Id)
            .all(&txn)
            .await?;
        let mut weighed = Vec::with_capacity(shares.len());
        for s in &shares {
            let members = member::Entity::find()
                .filter(member::Column::HouseholdId.eq(s.household_id))
                .count(&txn)
                .await? as u32;
            weighed.push((members, rule.weight(members, s.work_days.max(0) as u32)));
        }
        let weights: Vec<u64> = weighed.iter().map(|(_, w)| *w).collect();
        let parts = income::split(Fen(row.amount_fen), &weights)?;
        for ((s, (members, _)), part) in shares.into_iter().zip(weighed).zip(parts) {
            let household_id = s.household_id;
            let mut paid: share::ActiveModel = s.into();
            paid.members = Set(members as i32);
            paid.amount_fen = Set(part.0);
            paid.update(&txn).await?;
            if part.0 > 0 {
                entry::ActiveModel {
                    household_id: Set(household_id),
                    month: Set(row.month.clone()),
                    source: Set(IncomeSource::Dividend.as_str().to_owned()),
                    amount_fen: Set(part.0),
                    note: Set(row.name.clone()),
                    pool_id: Set(Some(pool_id)),
                    entered_by: Set(actor_id),
                    entered_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        txn.commit().await?;
        self.dividend_pool(county_id, pool_id).await
    }

    /// Takes a payment back: the households' parts leave their income; the pool can change
    /// and be paid again.
    pub async fn unpay_pool(&self, county_id: i64, pool_id: i64) -> Result<DividendPool> {
        let row = self.county_pool(county_id, pool_id).await?;
        if row.paid_at.is_none() {
            return Err(Error::Conflict { field: "paid" });
        }
        let txn = self.begin_write().await?;
        entry::Entity::delete_many()
            .filter(entry::Column::PoolId.eq(pool_id))
            .exec(&txn)
            .await?;
        share::Entity::update_many()
            .col_expr(share::Column::AmountFen, Expr::value(0))
            .filter(share::Column::PoolId.eq(pool_id))
            .exec(&txn)
            .await?;
        let mut open: pool::ActiveModel = row.into();
        open.paid_by = Set(None);
        open.paid_at = Set(None);
        let row = open.update(&txn).await?;
        txn.commit().await?;
        self.read_pool(row).await
    }

    pub async fn dividend_pool(&self, county_id: i64, pool_id: i64) -> Result<DividendPool> {
        let row = self.county_pool(county_id, pool_id).await?;
        self.read_pool(row).await
    }

    /// `county_id`'s pools, the latest month first, page `page` of `per_page`, and how many.
    pub async fn dividend_pools(
        &self,
        county_id: i64,
        (page, per_page): (u64, u64),
    ) -> Result<(Vec<DividendPool>, u64)> {
        let pages = pool::Entity::find()
            .filter(pool::Column::CountyId.eq(county_id))
            .order_by_desc(pool::Column::Month)
            .order_by_desc(pool::Column::Id)
            .paginate(&self.db, per_page.max(1));
        let total = pages.num_items().await?;
        let mut listed = Vec::new();
        for row in pages.fetch_page(page).await? {
            listed.push(self.read_pool(row).await?);
        }
        Ok((listed, total))
    }

    async fn read_pool(&self, row: pool::Model) -> Result<DividendPool> {
        let shares = share::Entity::find()
            .filter(share::Column::PoolId.eq(row.id))
            .order_by_asc(share::Column::Id)
            .all(&self.db)
            .await?;
        let names: std::collections::HashMap<i64, String> = household::Entity::find()
            .filter(household::Column::Id.is_in(shares.iter().map(|s| s.household_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|h| (h.id, h.head_name))
            .collect();
        Ok(DividendPool {
            rule: DividendRule::parse(&row.rule)
                .ok_or_else(|| crate::error::corrupt("dividend pool", row.id))?,
            id: row.id,
            county_id: row.county_id,
            name: row.name,
            month: row.month,
            amount: Fen(row.amount_fen),
            paid_at: row.paid_at,
            shares: shares
                .into_iter()
                .map(|s| DividendShare {
                    head_name: names.get(&s.household_id).cloned().unwrap_or_default(),
                    household_id: s.household_id,
                    work_days: s.work_days,
                    members: s.members,
                    amount: Fen(s.amount_fen),
                })
                .collect(),
        })
    }
}
