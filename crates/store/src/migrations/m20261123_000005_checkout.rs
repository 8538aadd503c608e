//! Checkout: the stations where parcels are picked up, each shop's shipping rule, carts kept
//! for accounts, payments (one per checkout, covering its orders), and where an order goes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000005_checkout"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The stations module will add proxy purchases and produce collection to these rows.
        manager
            .create_table(
                Table::create()
                    .table("stations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("region_id"))
                    .col(string_len_uniq("code", 64))
                    .col(string_len("kind", 16))
                    .col(string_len("name_zh", 96))
                    .col(string_len_null("name_ug", 128))
                    .col(string_len("name_en", 128))
                    .col(text("address"))
                    .col(string_len_null("phone", 16))
                    .col(string_len_null("hours", 64))
                    .col(big_integer("pickup_fee_fen"))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_stations_region",
                        ("stations", "region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_stations_region")
                    .table("stations")
                    .col("region_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("shop_shipping")
                    .col(big_integer("shop_id").primary_key())
                    .col(string_len("kind", 16))
                    .col(big_integer("fee_a_fen"))
                    .col(big_integer("fee_b_fen"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_shop_shipping_shop",
                        ("shop_shipping", "shop_id"),
                        ("shops", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("cart_lines")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(big_integer("variant_id"))
                    .col(integer("quantity"))
                    .col(timestamp_with_time_zone("added_at"))
                    .foreign_key(&mut fk(
                        "fk_cart_lines_account",
                        ("cart_lines", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_cart_lines_variant",
                        ("cart_lines", "variant_id"),
                        ("variants", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_cart_lines_account_variant")
                    .table("cart_lines")
                    .col("account_id")
                    .col("variant_id")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("payments")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("checkout_id", 40))
                    .col(big_integer("buyer_id"))
                    .col(string_len("provider", 16))
                    .col(big_integer("amount_fen"))
                    .col(string_len("status", 16))
                    .col(string_len_null("gateway_ref", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("expires_at"))
                    .col(timestamp_with_time_zone_null("settled_at"))
                    .foreign_key(&mut fk(
                        "fk_payments_buyer",
                        ("payments", "buyer_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payments_status_expiry")
                    .table("payments")
                    .col("status")
                    .col("expires_at")
                    .to_owned(),
            )
            .await?;

        // Columns with a foreign key are added in SQL both databases accept (sea-query cannot
        // add a foreign key to an SQLite table after the fact).
        let db = manager.get_connection();
        for sql in [
            "ALTER TABLE orders ADD COLUMN station_id BIGINT NULL REFERENCES stations (id)",
            "ALTER TABLE orders ADD COLUMN delivery_region_id BIGINT NULL REFERENCES regions (id)",
            "ALTER TABLE orders ADD COLUMN recipient_name VARCHAR(64) NULL",
            "ALTER TABLE orders ADD COLUMN recipient_phone VARCHAR(16) NULL",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for column in [
            "station_id",
            "delivery_region_id",
            "recipient_name",
            "recipient_phone",
        ] {
            db.execute_unprepared(&format!("ALTER TABLE orders DROP COLUMN {column}"))
                .await?;
        }
        for table in ["payments", "cart_lines", "shop_shipping", "stations"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
