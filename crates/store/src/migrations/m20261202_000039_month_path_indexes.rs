//! The statistics of one month read a region's places in that month: an index by month, then
//! path, answers it with one short range (issue 18's dashboard: the active shops of a county's
//! month read every place's month before). It takes the place of the index by month alone.
//! On PostgreSQL the path is indexed with its pattern operators (`LIKE '/1/5/%'`).

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

pub struct Migration;

const TABLES: [&str; 2] = ["sales_months", "purchase_months"];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000039_month_path_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let path = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "region_path varchar_pattern_ops",
            _ => "region_path",
        };
        let db = manager.get_connection();
        for table in TABLES {
            db.execute_unprepared(&format!(
                "CREATE INDEX idx_{table}_month_path ON {table} (month, {path})"
            ))
            .await?;
            db.execute_unprepared(&format!("DROP INDEX idx_{table}_month"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in TABLES {
            db.execute_unprepared(&format!(
                "CREATE INDEX idx_{table}_month ON {table} (month)"
            ))
            .await?;
            db.execute_unprepared(&format!("DROP INDEX idx_{table}_month_path"))
                .await?;
        }
        Ok(())
    }
}
