//! How many households a village has (issue 18): the Taobao-village rule counts active shops
//! against a tenth of them. Set by the county's centre; absent until someone sets it.
//!
//! And, on PostgreSQL, indexes that answer "a path under this one" (`LIKE '/1/5/%'`), which a
//! plain index answers only under the C collation: the statistics read every place under a
//! region. (SQLite answers the same with `GLOB` from the plain indexes.) And order lines by
//! product: the products' sales counts sum them, and a village's years of orders made that a
//! scan of every line. And the refresher's count of the orders in its look-back window, so a
//! pass with nothing new writes nothing. And a shop application may name the registered
//! household the shop would support (the link promised since issue 3).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

/// (name, table, columns) of the PostgreSQL indexes for paths under a path.
const PATTERN_INDEXES: [(&str, &str, &str); 3] = [
    (
        "idx_sales_months_under",
        "sales_months",
        "region_path varchar_pattern_ops, month",
    ),
    (
        "idx_purchase_months_under",
        "purchase_months",
        "region_path varchar_pattern_ops, month",
    ),
    ("idx_regions_under", "regions", "path varchar_pattern_ops"),
];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000038_region_households"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("region_households")
                    .col(big_integer("region_id").primary_key())
                    .col(big_integer("households"))
                    .col(big_integer("set_by"))
                    .col(timestamp_with_time_zone("set_at"))
                    .foreign_key(&mut fk(
                        "fk_region_households_region",
                        ("region_households", "region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_region_households_by",
                        ("region_households", "set_by"),
                        ("accounts", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("stats_cursor")
                    .add_column(big_integer("window_orders").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE shop_applications ADD COLUMN household_id BIGINT NULL \
                 REFERENCES households (id)",
            )
            .await?;
        manager
            .create_index(index(
                "idx_order_lines_product",
                "order_lines",
                &["product_id"],
                false,
            ))
            .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            for (name, table, columns) in PATTERN_INDEXES {
                manager
                    .get_connection()
                    .execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({columns})"))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            for (name, _, _) in PATTERN_INDEXES {
                manager
                    .get_connection()
                    .execute_unprepared(&format!("DROP INDEX {name}"))
                    .await?;
            }
        }
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE shop_applications DROP COLUMN household_id")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("stats_cursor")
                    .drop_column("window_orders")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_order_lines_product")
                    .table("order_lines")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("region_households").to_owned())
            .await
    }
}
