//! The county statistics' rollups (issue 18): what sold out of each shop (`sales_days`, by day,
//! category and whether from a live room; `sales_months` the same by month) and what was bought
//! into each region (`purchase_days`, `purchase_months`: by the region delivered to or the
//! station picked up at). A row with category 0 carries a bucket's totals (orders counted once);
//! the other rows split its goods by category. Rebuilt a day at a time from the orders that
//! changed since `stats_cursor` (the refresher's mark), so a page never scans raw orders.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000037_stats_rollups"
    }
}

/// A rollup table: `key` (the shop, or the region bought into) by `period` (`day` or `month`).
fn rollup(
    table: &str,
    key: &'static str,
    period: &'static str,
    length: u32,
) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(table.to_owned())
        .col(big_pk_auto("id"))
        .col(string_len(period, length))
        .col(big_integer(key))
        // The path of the shop's village (sales) or of the region bought into (purchases).
        .col(string_len("region_path", 128))
        .col(big_integer("category_id"));
    if key == "shop_id" {
        t.col(boolean("live"));
    }
    t.col(big_integer("orders"))
        .col(big_integer("goods_fen"))
        .to_owned()
}

fn cursor() -> TableCreateStatement {
    Table::create()
        .table("stats_cursor")
        .col(string_len("name", 32).primary_key())
        // The latest `orders.updated_at` the rollups have taken in.
        .col(timestamp_with_time_zone("seen_at"))
        .col(timestamp_with_time_zone("refreshed_at"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            rollup("sales_days", "shop_id", "day", 10),
            rollup("sales_months", "shop_id", "month", 7),
            rollup("purchase_days", "region_id", "day", 10),
            rollup("purchase_months", "region_id", "month", 7),
            cursor(),
        ] {
            manager.create_table(table).await?;
        }
        for index in [
            index("idx_sales_days_day", "sales_days", &["day"], false),
            index(
                "idx_sales_months_path",
                "sales_months",
                &["region_path", "month"],
                false,
            ),
            index("idx_sales_months_month", "sales_months", &["month"], false),
            index("idx_purchase_days_day", "purchase_days", &["day"], false),
            index(
                "idx_purchase_months_path",
                "purchase_months",
                &["region_path", "month"],
                false,
            ),
            index(
                "idx_purchase_months_month",
                "purchase_months",
                &["month"],
                false,
            ),
            index("idx_orders_updated", "orders", &["updated_at"], false),
            index("idx_orders_placed", "orders", &["placed_at"], false),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in ["idx_orders_updated", "idx_orders_placed"] {
            manager
                .drop_index(Index::drop().name(index).table("orders").to_owned())
                .await?;
        }
        for table in [
            "stats_cursor",
            "purchase_months",
            "purchase_days",
            "sales_months",
            "sales_days",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
