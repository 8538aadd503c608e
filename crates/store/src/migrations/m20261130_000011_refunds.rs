//! Money that must go back: what a payment owes its buyer (orders cancelled while it was being
//! paid, a payment that came after its expiry, refunds the shop granted) and what has been
//! paid back, with the gateway's refund reference. The centre's list of payments that need
//! money back reads `refund_due_fen > 0` (decision 0013).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000011_refunds"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            big_integer("refund_due_fen").default(0).to_owned(),
            big_integer("refunded_fen").default(0).to_owned(),
            string_len_null("refund_ref", 80).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("payments")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Payments confirmed after their expiry owed everything already.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE payments SET refund_due_fen = amount_fen WHERE status = 'paid_late'",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payments_refund_due")
                    .table("payments")
                    .col("refund_due_fen")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_payments_refund_due")
                    .table("payments")
                    .to_owned(),
            )
            .await?;
        for column in ["refund_ref", "refunded_fen", "refund_due_fen"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("payments")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
