//! Rent from the park's tenants (issue 19): the months a lease owes (from the end of its
//! rent-free start to this month or its end), what was received for each (once per month, in
//! cash or by transfer with its reference) and what is still owed, per lease and for the park.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::centre::park::{RentMethod, rent_months, rent_reference};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use super::Lease;
use super::entity::park_rent;
use crate::{Error, Result, Store};

/// Rent received for a month of a lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RentPaid {
    pub id: i64,
    pub lease_id: i64,
    pub month: LedgerMonth,
    pub amount: Fen,
    pub method: RentMethod,
    pub reference: String,
    pub entered_by: i64,
    pub entered_at: DateTime<Utc>,
}

/// A month a lease owes rent for, with its payment once received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RentMonth {
    pub month: LedgerMonth,
    pub due: Fen,
    pub paid: Option<RentPaid>,
}

/// What a lease still owes up to this month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RentOwed {
    pub months: u32,
    pub amount: Fen,
}

impl RentOwed {
    /// What the months not yet received add up to.
    pub fn of_months(months: &[RentMonth]) -> RentOwed {
        owed_of(months.iter().map(|m| (m.month, m.due)), |month| {
            months.iter().any(|m| m.month == month && m.paid.is_some())
        })
    }
}

/// The months of `due` not `paid`, and their sum.
fn owed_of(
    due: impl IntoIterator<Item = (LedgerMonth, Fen)>,
    paid: impl Fn(LedgerMonth) -> bool,
) -> RentOwed {
    let mut owed = RentOwed::default();
    for (month, rent) in due {
        if !paid(month) {
            owed.months += 1;
            owed.amount = Fen(owed.amount.0.saturating_add(rent.0));
        }
    }
    owed
}

fn rent_from_row(row: park_rent::Model) -> Result<RentPaid> {
    let corrupt = || crate::error::corrupt("park rent", row.id);
    Ok(RentPaid {
        month: LedgerMonth::parse(&row.month).map_err(|_| corrupt())?,
        method: RentMethod::parse(&row.method).map_err(|_| corrupt())?,
        id: row.id,
        lease_id: row.lease_id,
        amount: Fen(row.amount_fen),
        reference: row.reference,
        entered_by: row.entered_by,
        entered_at: row.entered_at,
    })
}

fn months_of(lease: &Lease, today: LedgerDay) -> Vec<(LedgerMonth, Fen)> {
    rent_months(
        (lease.starts_on, lease.rent_from, lease.ends_on),
        lease.monthly_rent,
        today,
    )
}

impl Store {
    async fn county_lease(&self, county_id: i64, lease_id: i64) -> Result<Lease> {
        self.park_leases(county_id)
            .await?
            .into_iter()
            .find(|l| l.id == lease_id)
            .ok_or(Error::NotFound)
    }

    async fn rents_of(&self, leases: &[i64]) -> Result<Vec<RentPaid>> {
        park_rent::Entity::find()
            .filter(park_rent::Column::LeaseId.is_in(leases.iter().copied()))
            .order_by_asc(park_rent::Column::Month)
            .all(&self.db)
            .await?
            .into_iter()
            .map(rent_from_row)
            .collect()
    }

    /// Lease `lease_id` of the county's park and the months it owes rent for up to `today`'s
    /// month, the latest first, each with what was received.
    pub async fn lease_rents(
        &self,
        county_id: i64,
        lease_id: i64,
        today: LedgerDay,
    ) -> Result<(Lease, Vec<RentMonth>)> {
        let lease = self.county_lease(county_id, lease_id).await?;
        let mut paid: BTreeMap<LedgerMonth, RentPaid> = self
            .rents_of(&[lease_id])
            .await?
            .into_iter()
            .map(|p| (p.month, p))
            .collect();
        let mut months: Vec<RentMonth> = months_of(&lease, today)
            .into_iter()
            .map(|(month, due)| RentMonth {
                month,
                due,
                paid: paid.remove(&month),
            })
            .collect();
        months.reverse();
        Ok((lease, months))
    }

    /// What each lease of the county still owes up to `today`'s month (leases owing nothing
    /// left out).
    pub async fn rents_owed(
        &self,
        county_id: i64,
        today: LedgerDay,
    ) -> Result<BTreeMap<i64, RentOwed>> {
        let leases = self.park_leases(county_id).await?;
        let ids: Vec<i64> = leases.iter().map(|l| l.id).collect();
        let paid: Vec<(i64, LedgerMonth)> = self
            .rents_of(&ids)
            .await?
            .into_iter()
            .map(|p| (p.lease_id, p.month))
            .collect();
        let mut owed = BTreeMap::new();
        for lease in &leases {
            let due = owed_of(months_of(lease, today), |month| {
                paid.contains(&(lease.id, month))
            });
            if due.months > 0 {
                owed.insert(lease.id, due);
            }
        }
        Ok(owed)
    }

    /// Records the rent received for `month` of a lease: the month's rent as the lease owes it,
    /// once (`park-rent-not-due` for a month it owes nothing or one to come; a month paid
    /// already is a conflict on `month`).
    pub async fn record_rent(
        &self,
        (county_id, lease_id): (i64, i64),
        (month, method, reference): (LedgerMonth, RentMethod, &str),
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<RentPaid> {
        let lease = self.county_lease(county_id, lease_id).await?;
        let reference = rent_reference(method, reference)?;
        let due = months_of(&lease, LedgerDay::of(now))
            .into_iter()
            .find(|(m, _)| *m == month)
            .map(|(_, due)| due)
            .ok_or(ValidationError::new("month", "park-rent-not-due"))?;
        let row = park_rent::ActiveModel {
            lease_id: Set(lease_id),
            month: Set(month.to_string()),
            amount_fen: Set(due.0),
            method: Set(method.as_str().to_owned()),
            reference: Set(reference),
            entered_by: Set(actor_id),
            entered_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "month"))?;
        rent_from_row(row)
    }

    /// Takes back a payment entered by mistake; the month is owed again.
    pub async fn undo_rent(&self, (county_id, lease_id): (i64, i64), rent_id: i64) -> Result<()> {
        let row = park_rent::Entity::find_by_id(rent_id)
            .filter(park_rent::Column::LeaseId.eq(lease_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        self.county_lease(county_id, row.lease_id).await?;
        park_rent::Entity::delete_by_id(rent_id)
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The leases of `shop_id` in any county's park, running or ended, with what each owes up
    /// to `today`'s month: the tenant's own view.
    pub async fn leases_of_shop(
        &self,
        shop_id: i64,
        today: LedgerDay,
    ) -> Result<Vec<(Lease, super::ParkUnit, RentOwed)>> {
        let rows = super::entity::lease::Entity::find()
            .filter(super::entity::lease::Column::ShopId.eq(shop_id))
            .order_by_desc(super::entity::lease::Column::StartsOn)
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let lease = super::park::lease_from(row)?;
            let Some(unit) = super::entity::park_unit::Entity::find_by_id(lease.unit_id)
                .one(&self.db)
                .await?
            else {
                continue;
            };
            let paid: Vec<LedgerMonth> = self
                .rents_of(&[lease.id])
                .await?
                .iter()
                .map(|p| p.month)
                .collect();
            let owed = owed_of(months_of(&lease, today), |month| paid.contains(&month));
            out.push((lease, super::park::unit_from(unit), owed));
        }
        Ok(out)
    }
}
