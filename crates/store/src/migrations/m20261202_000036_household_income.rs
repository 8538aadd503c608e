//! A household's income by hand and by dividend (issue 18): what the centre enters for a month
//! (stall takings, wages from a centre job, other income, each with its note) and a project's
//! dividend once paid (`household_incomes`, the pool it came from named), and the pools
//! themselves (`dividend_pools`: a project's money for a month, split by a rule) with the
//! households each pays and the work-days they put in (`dividend_shares`). What shops,
//! stations and tricycles earn is read from their own tables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000036_household_income"
    }
}

fn pools() -> TableCreateStatement {
    Table::create()
        .table("dividend_pools")
        .col(big_pk_auto("id"))
        .col(big_integer("county_id"))
        .col(string_len("name", 64))
        // `YYYY-MM`: the month the dividend counts in.
        .col(string_len("month", 7))
        .col(big_integer("amount_fen"))
        .col(string_len("rule", 16))
        .col(big_integer("created_by"))
        .col(timestamp_with_time_zone("created_at"))
        .col(big_integer_null("paid_by"))
        .col(timestamp_with_time_zone_null("paid_at"))
        .foreign_key(&mut fk(
            "fk_dividend_pools_county",
            ("dividend_pools", "county_id"),
            ("regions", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn shares() -> TableCreateStatement {
    Table::create()
        .table("dividend_shares")
        .col(big_pk_auto("id"))
        .col(big_integer("pool_id"))
        .col(big_integer("household_id"))
        .col(integer("work_days"))
        // Counted when the pool is paid.
        .col(integer("members"))
        .col(big_integer("amount_fen"))
        .foreign_key(&mut fk(
            "fk_dividend_shares_pool",
            ("dividend_shares", "pool_id"),
            ("dividend_pools", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_dividend_shares_household",
            ("dividend_shares", "household_id"),
            ("households", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn incomes() -> TableCreateStatement {
    Table::create()
        .table("household_incomes")
        .col(big_pk_auto("id"))
        .col(big_integer("household_id"))
        .col(string_len("month", 7))
        // `stall`, `wages`, `other` (entered) or `dividend` (a pool paid).
        .col(string_len("source", 16))
        .col(big_integer("amount_fen"))
        .col(string_len("note", 200))
        .col(big_integer_null("pool_id"))
        .col(big_integer("entered_by"))
        .col(timestamp_with_time_zone("entered_at"))
        .foreign_key(&mut fk(
            "fk_household_incomes_household",
            ("household_incomes", "household_id"),
            ("households", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_household_incomes_pool",
            ("household_incomes", "pool_id"),
            ("dividend_pools", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [pools(), shares(), incomes()] {
            manager.create_table(table).await?;
        }
        for index in [
            index(
                "idx_dividend_pools_county",
                "dividend_pools",
                &["county_id", "month"],
                false,
            ),
            index(
                "idx_dividend_shares_pool",
                "dividend_shares",
                &["pool_id", "household_id"],
                true,
            ),
            index(
                "idx_household_incomes_month",
                "household_incomes",
                &["household_id", "month"],
                false,
            ),
            index(
                "idx_household_incomes_pool",
                "household_incomes",
                &["pool_id"],
                false,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["household_incomes", "dividend_shares", "dividend_pools"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
