//! Orders: one per shop per checkout, their lines (with what was ordered and, later, what was
//! packed), and the timeline of events.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000004_orders"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("orders")
                    .col(big_pk_auto("id"))
                    .col(string_len("checkout_id", 40))
                    .col(big_integer("buyer_id"))
                    .col(big_integer("shop_id"))
                    .col(string_len("idempotency_key", 64))
                    .col(string_len("status", 24))
                    .col(string_len("fulfilment", 16))
                    .col(string_len("payment_method", 16))
                    .col(big_integer_null("pickup_region_id"))
                    .col(text_null("address"))
                    .col(big_integer("goods_fen"))
                    .col(big_integer("shipping_fen"))
                    .col(big_integer("total_fen"))
                    .col(timestamp_with_time_zone("placed_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_orders_buyer",
                        ("orders", "buyer_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_orders_shop",
                        ("orders", "shop_id"),
                        ("shops", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_orders_pickup_region",
                        ("orders", "pickup_region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_orders_idempotency")
                    .table("orders")
                    .col("buyer_id")
                    .col("idempotency_key")
                    .col("shop_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_shop")
                    .table("orders")
                    .col("shop_id")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_checkout")
                    .table("orders")
                    .col("checkout_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("order_lines")
                    .col(big_pk_auto("id"))
                    .col(big_integer("order_id"))
                    .col(big_integer("variant_id"))
                    .col(big_integer("product_id"))
                    .col(string_len("name", 128))
                    .col(string_len("unit", 16))
                    .col(big_integer_null("net_grams"))
                    .col(integer("quantity"))
                    .col(big_integer("unit_price_fen"))
                    .col(big_integer("line_fen"))
                    .col(string_len("price_policy", 24))
                    .col(integer("tolerance_bp"))
                    .col(big_integer_null("packed_grams"))
                    .foreign_key(&mut fk(
                        "fk_order_lines_order",
                        ("order_lines", "order_id"),
                        ("orders", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_order_lines_variant",
                        ("order_lines", "variant_id"),
                        ("variants", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_lines_order")
                    .table("order_lines")
                    .col("order_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("order_events")
                    .col(big_pk_auto("id"))
                    .col(big_integer("order_id"))
                    .col(string_len("status", 24))
                    .col(big_integer_null("actor_id"))
                    .col(text_null("note"))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut fk(
                        "fk_order_events_order",
                        ("order_events", "order_id"),
                        ("orders", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_events_order")
                    .table("order_events")
                    .col("order_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["order_events", "order_lines", "orders"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
