//! Refund requests: a buyer's request for money back (the whole order or some lines, the
//! reason, photos), the answer (who decided, how much, or why not), the dispute taken to the
//! centre, the payment back (the provider's reference, or the station's operator who paid cash)
//! and the goods coming back. One request per order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000018_refund_requests"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("refund_requests")
                    .col(big_pk_auto("id"))
                    .col(big_integer("order_id"))
                    .col(big_integer("buyer_id"))
                    .col(big_integer("shop_id"))
                    .col(string_len("reason", 24))
                    .col(string_len("note", 300).default(""))
                    .col(string_len("status", 16))
                    .col(big_integer("asked_fen"))
                    .col(big_integer("granted_fen").default(0))
                    .col(string_len("decline_reason", 300).default(""))
                    .col(big_integer_null("decided_by"))
                    .col(boolean("decided_by_centre").default(false))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(timestamp_with_time_zone_null("disputed_at"))
                    .col(timestamp_with_time_zone_null("paid_at"))
                    .col(string_len_null("paid_ref", 80))
                    .col(big_integer_null("paid_by"))
                    .col(timestamp_with_time_zone_null("returned_at"))
                    .foreign_key(&mut fk(
                        "fk_refund_requests_order",
                        ("refund_requests", "order_id"),
                        ("orders", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            ("uq_refund_requests_order", &["order_id"][..], true),
            ("idx_refund_requests_shop", &["shop_id", "id"][..], false),
            (
                "idx_refund_requests_status",
                &["status", "created_at"][..],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("refund_requests");
            for col in cols {
                index.col(*col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("refund_lines")
                    .col(big_integer("refund_id"))
                    .col(big_integer("order_line_id"))
                    .col(integer("quantity"))
                    .col(big_integer("amount_fen"))
                    .primary_key(Index::create().col("refund_id").col("order_line_id"))
                    .foreign_key(&mut fk(
                        "fk_refund_lines_refund",
                        ("refund_lines", "refund_id"),
                        ("refund_requests", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("refund_photos")
                    .col(big_integer("refund_id"))
                    .col(string_len("hash", 64))
                    .col(integer("position"))
                    .primary_key(Index::create().col("refund_id").col("position"))
                    .foreign_key(&mut fk(
                        "fk_refund_photos_refund",
                        ("refund_photos", "refund_id"),
                        ("refund_requests", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["refund_photos", "refund_lines", "refund_requests"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
