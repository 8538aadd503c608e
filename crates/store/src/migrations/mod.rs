//! The one migration set for both databases, and the guard against a database that a newer
//! FarmGate has written.

mod m20261122_000001_foundation;
mod m20261122_000002_shops;
pub(crate) mod m20261122_000003_catalog;
mod m20261122_000004_orders;
mod m20261123_000005_checkout;
mod m20261123_000006_photos;
mod m20261123_000007_reviews;
mod m20261123_000008_live;
mod m20261126_000009_live_chat;
mod m20261126_000010_training;
mod m20261130_000011_refunds;
mod m20261130_000012_hashed_sessions;
mod m20261130_000013_order_lists;
mod m20261130_000014_audit_log;
mod m20261130_000015_phone_proof;
mod m20261130_000016_product_upkeep;
mod m20261130_000017_notifications;
mod m20261130_000018_refund_requests;
mod m20261130_000019_webhooks;
mod m20261201_000020_shop_names;
mod m20261201_000021_written_in_any_language;
mod m20261201_000022_station_parcels;
mod m20261201_000023_station_network;
mod m20261201_000024_station_till;
mod m20261201_000025_consignments;
mod m20261201_000026_station_sync;
mod m20261201_000027_logistics;
mod m20261201_000028_logistics_runs;
mod m20261201_000029_carrier_accounts;
mod m20261201_000030_logistics_reading;
mod m20261201_000031_waybills;
mod m20261201_000032_fleet;
mod m20261202_000033_fleet_selling;
mod m20261202_000034_road_tables;
mod m20261202_000035_households;
mod m20261202_000036_household_income;
mod m20261202_000037_stats_rollups;
mod m20261202_000038_region_households;
mod m20261202_000039_month_path_indexes;
mod m20261202_000040_stock_places;
mod m20261202_000041_totals_indexes;
mod m20261202_000042_till;
mod m20261202_000043_stalls_and_park;
mod m20261202_000044_till_returns;
mod m20261203_000045_park_rents;

use std::collections::HashSet;

use sea_orm_migration::prelude::*;

use crate::{Error, Result, Store};

/// A foreign key, as every migration after the first declares them.
fn fk(
    name: &str,
    from: (&'static str, &'static str),
    to: (&'static str, &'static str),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

/// An index of `table` on `cols`, unique or not, as the later migrations declare them.
fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table.to_owned());
    for col in cols {
        index.col((*col).to_owned());
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_shops::Migration),
            Box::new(m20261122_000003_catalog::Migration),
            Box::new(m20261122_000004_orders::Migration),
            Box::new(m20261123_000005_checkout::Migration),
            Box::new(m20261123_000006_photos::Migration),
            Box::new(m20261123_000007_reviews::Migration),
            Box::new(m20261123_000008_live::Migration),
            Box::new(m20261126_000009_live_chat::Migration),
            Box::new(m20261126_000010_training::Migration),
            Box::new(m20261130_000011_refunds::Migration),
            Box::new(m20261130_000012_hashed_sessions::Migration),
            Box::new(m20261130_000013_order_lists::Migration),
            Box::new(m20261130_000014_audit_log::Migration),
            Box::new(m20261130_000015_phone_proof::Migration),
            Box::new(m20261130_000016_product_upkeep::Migration),
            Box::new(m20261130_000017_notifications::Migration),
            Box::new(m20261130_000018_refund_requests::Migration),
            Box::new(m20261130_000019_webhooks::Migration),
            Box::new(m20261201_000020_shop_names::Migration),
            Box::new(m20261201_000021_written_in_any_language::Migration),
            Box::new(m20261201_000022_station_parcels::Migration),
            Box::new(m20261201_000023_station_network::Migration),
            Box::new(m20261201_000024_station_till::Migration),
            Box::new(m20261201_000025_consignments::Migration),
            Box::new(m20261201_000026_station_sync::Migration),
            Box::new(m20261201_000027_logistics::Migration),
            Box::new(m20261201_000028_logistics_runs::Migration),
            Box::new(m20261201_000029_carrier_accounts::Migration),
            Box::new(m20261201_000030_logistics_reading::Migration),
            Box::new(m20261201_000031_waybills::Migration),
            Box::new(m20261201_000032_fleet::Migration),
            Box::new(m20261202_000033_fleet_selling::Migration),
            Box::new(m20261202_000034_road_tables::Migration),
            Box::new(m20261202_000035_households::Migration),
            Box::new(m20261202_000036_household_income::Migration),
            Box::new(m20261202_000037_stats_rollups::Migration),
            Box::new(m20261202_000038_region_households::Migration),
            Box::new(m20261202_000039_month_path_indexes::Migration),
            Box::new(m20261202_000040_stock_places::Migration),
            Box::new(m20261202_000041_totals_indexes::Migration),
            Box::new(m20261202_000042_till::Migration),
            Box::new(m20261202_000043_stalls_and_park::Migration),
            Box::new(m20261202_000044_till_returns::Migration),
            Box::new(m20261203_000045_park_rents::Migration),
        ]
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub applied: Vec<String>,
}

impl Store {
    /// Brings the schema up to date. Refuses, changing nothing, when the database holds
    /// migrations this binary does not know (it was written by a newer FarmGate).
    pub async fn migrate(&self) -> Result<MigrationReport> {
        Migrator::install(&self.db).await?;
        let known: HashSet<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        let recorded = Migrator::get_migration_models(&self.db).await?;
        let unknown: Vec<String> = recorded
            .iter()
            .filter(|m| !known.contains(&m.version))
            .map(|m| m.version.clone())
            .collect();
        if !unknown.is_empty() {
            return Err(Error::SchemaNewer {
                unknown: unknown.join(", "),
            });
        }
        let pending: Vec<String> = Migrator::get_pending_migrations(&self.db)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        Migrator::up(&self.db, None).await?;
        Ok(MigrationReport { applied: pending })
    }
}
