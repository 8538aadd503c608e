//! The showroom's till (issue 19, decision 0031): sessions at a place (at most one open per
//! place), the sales rung up in them, each once by its client-made id, with the orders they
//! made or the item they were short of, and their lines as the till charged them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000042_till"
    }
}

fn sessions() -> TableCreateStatement {
    Table::create()
        .table("till_sessions")
        .col(big_pk_auto("id"))
        .col(big_integer("place_id"))
        .col(big_integer("opened_by"))
        .col(timestamp_with_time_zone("opened_at"))
        .col(big_integer("opening_cash_fen"))
        .col(big_integer_null("closed_by"))
        .col(timestamp_with_time_zone_null("closed_at"))
        .col(big_integer_null("counted_cash_fen"))
        .col(big_integer_null("expected_cash_fen"))
        .col(string_len("note", 200).default(""))
        .foreign_key(&mut fk(
            "fk_till_sessions_place",
            ("till_sessions", "place_id"),
            ("stock_places", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn sales() -> TableCreateStatement {
    Table::create()
        .table("till_sales")
        .col(big_pk_auto("id"))
        .col(big_integer("session_id"))
        .col(string_len("client_id", 64).unique_key())
        .col(timestamp_with_time_zone("rung_at"))
        .col(timestamp_with_time_zone("received_at"))
        .col(string_len("status", 16))
        .col(string_len("paid_by", 8))
        .col(big_integer("charged_fen"))
        .col(big_integer("given_back_fen").default(0))
        .col(string_len_null("checkout_id", 64))
        .col(big_integer_null("short_variant_id"))
        .col(big_integer_null("settled_by"))
        .col(timestamp_with_time_zone_null("settled_at"))
        .foreign_key(&mut fk(
            "fk_till_sales_session",
            ("till_sales", "session_id"),
            ("till_sessions", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn sale_lines() -> TableCreateStatement {
    Table::create()
        .table("till_sale_lines")
        .col(big_integer("sale_id"))
        .col(big_integer("variant_id"))
        .col(big_integer("quantity"))
        .col(big_integer("unit_price_fen"))
        .col(boolean("given_back").default(false))
        .primary_key(Index::create().col("sale_id").col("variant_id"))
        .foreign_key(&mut fk(
            "fk_till_sale_lines_sale",
            ("till_sale_lines", "sale_id"),
            ("till_sales", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [sessions(), sales(), sale_lines()] {
            manager.create_table(table).await?;
        }
        for index in [
            index(
                "idx_till_sessions_place",
                "till_sessions",
                &["place_id", "id"],
                false,
            ),
            index(
                "idx_till_sales_session",
                "till_sales",
                &["session_id", "id"],
                false,
            ),
        ] {
            manager.create_index(index).await?;
        }
        // One open session per place: two cashiers opening at once, one wins.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_till_sessions_open ON till_sessions (place_id) \
                 WHERE closed_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["till_sale_lines", "till_sales", "till_sessions"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
