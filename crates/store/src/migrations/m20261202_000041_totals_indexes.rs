//! The dashboard's thirteen months and a county's grid read only the totals' rows (category 0)
//! of a region's places: a partial index over those rows that holds the figures answers them
//! from the index alone (issue 18: on PostgreSQL the two thirteen-month reads were most of a
//! county's page at ten million orders). PostgreSQL keeps the figures as included columns and
//! the path with its pattern operators (`LIKE '/1/5/%'`); SQLite keeps them as trailing keys.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

pub struct Migration;

const TABLES: [&str; 2] = ["sales_months", "purchase_months"];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000041_totals_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        let db = manager.get_connection();
        for table in TABLES {
            let sql = if postgres {
                format!(
                    "CREATE INDEX idx_{table}_totals ON {table} \
                     (region_path varchar_pattern_ops, month) INCLUDE (orders, goods_fen) \
                     WHERE category_id = 0"
                )
            } else {
                format!(
                    "CREATE INDEX idx_{table}_totals ON {table} \
                     (region_path, month, orders, goods_fen) WHERE category_id = 0"
                )
            };
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in TABLES {
            db.execute_unprepared(&format!("DROP INDEX idx_{table}_totals"))
                .await?;
        }
        Ok(())
    }
}
