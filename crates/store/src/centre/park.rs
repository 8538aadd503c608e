//! The industrial park (issue 19): its units, the leases of its tenants (a shop of the platform
//! or a company), each with a rent-free start, the village a shop moved in from, and the park's
//! sales: its tenants' shops' sales over the months they were tenants, read from the
//! statistics' monthly rollups (`sales_months`, whole months).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::centre::park::{self as rules, monthly_rent, park_name};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use serde::Serialize;

use super::entity::{lease, park_unit};
use crate::{Error, Result, Store};

/// A unit of the park.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParkUnit {
    pub id: i64,
    pub county_id: i64,
    pub region_id: i64,
    pub code: String,
    pub name: String,
    pub size_m2: i32,
    /// What a new lease of it costs a month after its rent-free start.
    pub monthly_rent: Fen,
    pub active: bool,
}

/// What the centre sets for a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDetails {
    pub region_id: i64,
    pub code: String,
    pub name: String,
    pub size_m2: i32,
    pub monthly_rent: Fen,
    pub active: bool,
}

/// A tenant's lease of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub id: i64,
    pub unit_id: i64,
    pub tenant_name: String,
    /// The tenant's shop on the platform, when it has one.
    pub shop_id: Option<i64>,
    /// The village the tenant moved in from.
    pub moved_from_id: Option<i64>,
    pub starts_on: LedgerDay,
    /// The first day rent is due.
    pub rent_from: LedgerDay,
    /// The last day, once ended.
    pub ends_on: Option<LedgerDay>,
    pub monthly_rent: Fen,
}

impl Lease {
    /// Whether the lease runs on `day`.
    pub fn runs_on(&self, day: LedgerDay) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|e| day <= e)
    }

    /// The rent owed for `month`.
    pub fn rent_in(&self, month: LedgerMonth) -> Fen {
        rules::rent_in(
            month,
            (self.starts_on, self.rent_from, self.ends_on),
            self.monthly_rent,
        )
    }
}

/// A lease asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseDetails {
    pub tenant_name: String,
    pub shop_id: Option<i64>,
    pub moved_from_id: Option<i64>,
    pub starts_on: LedgerDay,
    pub free_months: u32,
    pub monthly_rent: Fen,
}

/// The park's tenants' sales while they were tenants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParkSales {
    pub orders: i64,
    pub goods: Fen,
    /// `YYYY-MM` -> goods, every month with sales.
    pub by_month: BTreeMap<String, Fen>,
    /// Shop -> goods.
    pub by_shop: BTreeMap<i64, Fen>,
}

pub(super) fn unit_from(row: park_unit::Model) -> ParkUnit {
    ParkUnit {
        id: row.id,
        county_id: row.county_id,
        region_id: row.region_id,
        code: row.code,
        name: row.name,
        size_m2: row.size_m2,
        monthly_rent: Fen(row.monthly_rent_fen),
        active: row.active,
    }
}

pub(super) fn lease_from(row: lease::Model) -> Result<Lease> {
    let day = |text: &str| {
        LedgerDay::parse(text).map_err(|_| crate::error::corrupt("park lease", row.id))
    };
    Ok(Lease {
        starts_on: day(&row.starts_on)?,
        rent_from: day(&row.rent_from)?,
        ends_on: row.ends_on.as_deref().map(day).transpose()?,
        id: row.id,
        unit_id: row.unit_id,
        tenant_name: row.tenant_name,
        shop_id: row.shop_id,
        moved_from_id: row.moved_from_id,
        monthly_rent: Fen(row.monthly_rent_fen),
    })
}

impl Store {
    /// The county's park units by code.
    pub async fn park_units(&self, county_id: i64) -> Result<Vec<ParkUnit>> {
        Ok(park_unit::Entity::find()
            .filter(park_unit::Column::CountyId.eq(county_id))
            .order_by_asc(park_unit::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(unit_from)
            .collect())
    }

    async fn within_county(
        &self,
        county_id: i64,
        region_id: i64,
        field: &'static str,
    ) -> Result<()> {
        let county = self.region_by_id(county_id).await?;
        let region = self
            .region_by_id(region_id)
            .await
            .map_err(|_| ValidationError::new(field, "park-region-invalid"))?;
        if region.path.as_str().starts_with(county.path.as_str()) {
            Ok(())
        } else {
            Err(ValidationError::new(field, "park-region-invalid").into())
        }
    }

    /// Adds a unit to the county's park, or changes unit `id`.
    pub async fn save_park_unit(
        &self,
        (county_id, id): (i64, Option<i64>),
        details: &UnitDetails,
        now: DateTime<Utc>,
    ) -> Result<ParkUnit> {
        self.within_county(county_id, details.region_id, "region_id")
            .await?;
        let code = farmgate_domain::centre::stalls::stall_code(&details.code)?;
        let name = park_name("name", &details.name)?;
        let rent = monthly_rent(details.monthly_rent)?;
        if !(1..=100_000).contains(&details.size_m2) {
            return Err(ValidationError::new("size_m2", "stall-size-invalid").into());
        }
        let mut row = park_unit::ActiveModel {
            county_id: Set(county_id),
            region_id: Set(details.region_id),
            code: Set(code),
            name: Set(name),
            size_m2: Set(details.size_m2),
            monthly_rent_fen: Set(rent.0),
            active: Set(details.active),
            ..Default::default()
        };
        let saved = match id {
            Some(id) => {
                self.park_unit(county_id, id).await?;
                row.id = Set(id);
                row.update(&self.db).await
            }
            None => {
                row.created_at = Set(now);
                row.insert(&self.db).await
            }
        };
        Ok(unit_from(saved.map_err(|e| Error::unique_as(e, "code"))?))
    }

    /// Unit `id` of the county's park.
    pub async fn park_unit(&self, county_id: i64, id: i64) -> Result<ParkUnit> {
        park_unit::Entity::find_by_id(id)
            .filter(park_unit::Column::CountyId.eq(county_id))
            .one(&self.db)
            .await?
            .map(unit_from)
            .ok_or(Error::NotFound)
    }

    /// The leases of the county's park, the latest start first.
    pub async fn park_leases(&self, county_id: i64) -> Result<Vec<Lease>> {
        let units: Vec<i64> = self
            .park_units(county_id)
            .await?
            .iter()
            .map(|u| u.id)
            .collect();
        lease::Entity::find()
            .filter(lease::Column::UnitId.is_in(units))
            .order_by_desc(lease::Column::StartsOn)
            .order_by_desc(lease::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(lease_from)
            .collect()
    }

    /// Leases a unit to a tenant from a day, rent-free for its first months; refused while
    /// another lease of the unit runs on or after that day.
    pub async fn add_lease(
        &self,
        (county_id, unit_id): (i64, i64),
        details: &LeaseDetails,
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<Lease> {
        let unit = self.park_unit(county_id, unit_id).await?;
        if !unit.active {
            return Err(ValidationError::new("unit_id", "park-unit-paused").into());
        }
        let tenant = park_name("tenant_name", &details.tenant_name)?;
        let rent = monthly_rent(details.monthly_rent)?;
        let rent_from = rules::rent_from(details.starts_on, details.free_months)?;
        if let Some(region) = details.moved_from_id {
            self.within_county(county_id, region, "moved_from_id")
                .await?;
        }
        if let Some(shop) = details.shop_id {
            self.shop(shop)
                .await
                .map_err(|_| ValidationError::new("shop_id", "park-shop-invalid"))?;
        }
        let txn = self.begin_write().await?;
        let mut held = lease::Entity::find().filter(lease::Column::UnitId.eq(unit_id));
        if self.backend() == crate::Backend::Postgres {
            held = held.lock_exclusive();
        }
        for other in held.all(&txn).await? {
            let other = lease_from(other)?;
            if other.ends_on.is_none_or(|e| e >= details.starts_on) {
                return Err(ValidationError::new("unit_id", "park-unit-taken").into());
            }
        }
        let row = lease::ActiveModel {
            unit_id: Set(unit_id),
            tenant_name: Set(tenant),
            shop_id: Set(details.shop_id),
            moved_from_id: Set(details.moved_from_id),
            starts_on: Set(details.starts_on.to_string()),
            rent_from: Set(rent_from.to_string()),
            ends_on: Set(None),
            monthly_rent_fen: Set(rent.0),
            created_by: Set(actor_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        lease_from(row)
    }

    /// Ends a running lease on `last` (not before it started).
    pub async fn end_lease(&self, county_id: i64, id: i64, last: LedgerDay) -> Result<Lease> {
        let held = self
            .park_leases(county_id)
            .await?
            .into_iter()
            .find(|l| l.id == id)
            .ok_or(Error::NotFound)?;
        if held.ends_on.is_some() {
            return Err(Error::AlreadyDecided);
        }
        if last < held.starts_on {
            return Err(ValidationError::new("ends_on", "park-end-invalid").into());
        }
        let row = lease::ActiveModel {
            id: Set(id),
            ends_on: Set(Some(last.to_string())),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        lease_from(row)
    }

    /// The tenants' shops' sales in the months each was a tenant (until `today`).
    pub async fn park_sales(&self, leases: &[Lease], today: LedgerDay) -> Result<ParkSales> {
        let shops: Vec<String> = leases
            .iter()
            .filter_map(|l| l.shop_id)
            .map(|s| s.to_string())
            .collect();
        let mut sales = ParkSales::default();
        if shops.is_empty() {
            return Ok(sales);
        }
        let sql = format!(
            "SELECT shop_id, month, CAST(SUM(orders) AS BIGINT) AS orders, \
             CAST(SUM(goods_fen) AS BIGINT) AS goods FROM sales_months \
             WHERE category_id = 0 AND shop_id IN ({}) GROUP BY shop_id, month",
            shops.join(",")
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await?;
        for row in rows {
            let shop: i64 = row.try_get("", "shop_id")?;
            let month: String = row.try_get("", "month")?;
            let (orders, goods): (i64, i64) =
                (row.try_get("", "orders")?, row.try_get("", "goods")?);
            let Ok(m) = LedgerMonth::parse(&month) else {
                continue;
            };
            let tenant = leases.iter().any(|l| {
                l.shop_id == Some(shop)
                    && LedgerMonth::of(l.starts_on).first <= m.first
                    && l.ends_on.is_none_or(|e| m.first <= e)
                    && m.first <= today
            });
            if !tenant {
                continue;
            }
            sales.orders += orders;
            sales.goods = Fen(sales.goods.0.saturating_add(goods));
            let at = sales.by_month.entry(month).or_insert(Fen(0));
            *at = Fen(at.0.saturating_add(goods));
            let of = sales.by_shop.entry(shop).or_insert(Fen(0));
            *of = Fen(of.0.saturating_add(goods));
        }
        Ok(sales)
    }
}
