//! Products that change after they are listed: the shop's own product code (what its
//! spreadsheets match on), a paused product's "back in ..." text, variants that retire
//! (kept on old orders, gone from sale) with a low-stock threshold, and the stock ledger:
//! every change of a variant's stock as a movement (how many, why, who, which order).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000016_product_upkeep"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for (table, column) in [
            ("products", string_len_null("code", 64)),
            ("products", string_len_null("back_in", 120)),
            ("variants", timestamp_with_time_zone_null("retired_at")),
            (
                "variants",
                big_integer("low_stock_threshold").default(0).to_owned(),
            ),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        // Every product has a code; the ones made before codes get FG and their id.
        db.execute_unprepared("UPDATE products SET code = 'FG' || CAST(id AS VARCHAR(20))")
            .await?;
        db.execute_unprepared("UPDATE products SET status = 'delisted' WHERE status = 'hidden'")
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_products_shop_code")
                    .table("products")
                    .col("shop_id")
                    .col("code")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("stock_movements")
                    .col(big_pk_auto("id"))
                    .col(big_integer("shop_id"))
                    .col(big_integer("product_id"))
                    .col(big_integer("variant_id"))
                    .col(big_integer("delta"))
                    .col(string_len("reason", 24))
                    .col(string_len("note", 200).default(""))
                    .col(big_integer_null("actor_id"))
                    .col(big_integer_null("order_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_stock_movements_variant",
                        ("stock_movements", "variant_id"),
                        ("variants", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, owner) in [
            ("idx_stock_movements_shop", "shop_id"),
            ("idx_stock_movements_product", "product_id"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("stock_movements")
                        .col(owner)
                        .col("id")
                        .to_owned(),
                )
                .await?;
        }
        // The ledger opens with each variant's stock as it is now.
        db.execute_unprepared(
            "INSERT INTO stock_movements (shop_id, product_id, variant_id, delta, reason, note, created_at) \
             SELECT p.shop_id, p.id, v.id, v.stock, 'opening', '', p.created_at \
             FROM variants v JOIN products p ON p.id = v.product_id WHERE v.stock > 0",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("stock_movements").to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_products_shop_code")
                    .table("products")
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for (table, column) in [
            ("products", "code"),
            ("products", "back_in"),
            ("variants", "retired_at"),
            ("variants", "low_stock_threshold"),
        ] {
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}
