//! What the Taobao village and town criteria (`farmgate_domain::taobao`) read: each village's
//! online sales over a year of months (from the rollups), its active shops over them, and its
//! households (`region_households`, set by the county's centre).
//!
//! A shop is active over the months when it had at least one order that counts as sold in them
//! and had been open 30 days or more by their end: the dashboard's monthly rule stretched over
//! the year.

use chrono::Utc;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::{RegionLevel, RegionPath};
use farmgate_domain::stations::till::LedgerMonth;
use sea_orm::{ConnectionTrait, Statement, Value};
use serde::Serialize;

use super::{Flow, Months};
use crate::regions::Region;
use crate::{Error, Result, Store};

/// The most households a village may be said to have.
pub const MAX_HOUSEHOLDS: i64 = 1_000_000;

/// A village's year.
#[derive(Debug, Clone, Serialize)]
pub struct VillageYear {
    pub village: Region,
    pub sales: Fen,
    pub active_shops: i64,
    /// As the county's centre set it, if it has.
    pub households: Option<i64>,
}

impl Store {
    /// Every village under `path` with its online sales and active shops over `months`
    /// (`from`, `until`, both included) and its households, in the order of their paths.
    pub async fn taobao_villages(
        &self,
        path: &RegionPath,
        months: Months<'_>,
    ) -> Result<Vec<VillageYear>> {
        let sales: std::collections::HashMap<String, Fen> = self
            .stats_places(Flow::Sales, path, months)
            .await?
            .into_iter()
            .map(|(place, figures)| (place, figures.goods))
            .collect();
        let active = self.active_by_village(path, months).await?;
        let households = self.households_by_village(path).await?;
        let villages = self.regions_under(path, RegionLevel::Village).await?;
        Ok(villages
            .into_iter()
            .map(|village| VillageYear {
                sales: sales
                    .get(village.path.as_str())
                    .copied()
                    .unwrap_or_default(),
                active_shops: active.get(&village.id).copied().unwrap_or(0),
                households: households.get(&village.id).copied(),
                village,
            })
            .collect())
    }

    /// Active shops by village id (see the module's rule).
    async fn active_by_village(
        &self,
        path: &RegionPath,
        (from, until): Months<'_>,
    ) -> Result<std::collections::HashMap<i64, i64>> {
        let end = LedgerMonth::parse(until)?.end().bounds().0;
        let m = self.marks(3);
        let sql = format!(
            "SELECT s.village_id AS village, COUNT(*) AS active FROM shops s \
             JOIN regions r ON r.id = s.village_id \
             WHERE {} AND s.opened_at <= {} AND s.id IN \
             (SELECT shop_id FROM sales_months WHERE month >= {} AND month <= {} \
              AND category_id = 0 AND orders > 0) \
             GROUP BY s.village_id",
            self.under("r.path", path),
            m[0],
            m[1],
            m[2]
        );
        let values: Vec<Value> = vec![
            (end - chrono::Duration::days(30)).into(),
            from.into(),
            until.into(),
        ];
        let backend = self.db.get_database_backend();
        self.db
            .query_all_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?
            .iter()
            .map(|row| Ok((row.try_get("", "village")?, row.try_get("", "active")?)))
            .collect()
    }

    async fn households_by_village(
        &self,
        path: &RegionPath,
    ) -> Result<std::collections::HashMap<i64, i64>> {
        let sql = format!(
            "SELECT h.region_id AS village, h.households FROM region_households h \
             JOIN regions r ON r.id = h.region_id WHERE {}",
            self.under("r.path", path)
        );
        let backend = self.db.get_database_backend();
        self.db
            .query_all_raw(Statement::from_string(backend, sql))
            .await?
            .iter()
            .map(|row| Ok((row.try_get("", "village")?, row.try_get("", "households")?)))
            .collect()
    }

    /// Sets (or, with `None`, forgets) how many households `village` has.
    pub async fn set_village_households(
        &self,
        village: &Region,
        households: Option<i64>,
        by: i64,
    ) -> Result<()> {
        if village.level != RegionLevel::Village {
            return Err(Error::Invalid(farmgate_domain::ValidationError::new(
                "households",
                "households-not-village",
            )));
        }
        if households.is_some_and(|h| !(1..=MAX_HOUSEHOLDS).contains(&h)) {
            return Err(Error::Invalid(farmgate_domain::ValidationError::new(
                "households",
                "households-count-invalid",
            )));
        }
        let backend = self.db.get_database_backend();
        let txn = self.begin_write().await?;
        let m = self.marks(4);
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DELETE FROM region_households WHERE region_id = {}", m[0]),
            vec![village.id.into()],
        ))
        .await?;
        if let Some(households) = households {
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "INSERT INTO region_households (region_id, households, set_by, set_at) \
                     VALUES ({}, {}, {}, {})",
                    m[0], m[1], m[2], m[3]
                ),
                vec![
                    village.id.into(),
                    households.into(),
                    by.into(),
                    Utc::now().into(),
                ],
            ))
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
