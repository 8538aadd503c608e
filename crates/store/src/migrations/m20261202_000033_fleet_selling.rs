//! Selling from the tricycles (issue 17): the goods a community job gets (`route_job_goods`),
//! what a run loads at the centre as counted (`run_loads`, each line's unit price fixed at
//! loading, and what came back), the sales rung up on the way (`run_sales`, each under the id
//! the phone made, so a sale sent twice from an offline queue is kept once), the takings
//! counted at return (`run_takings`), and whose income the run made (`run_credits`: the goods'
//! shop and the household behind it, the driver's labour) for the households' income ledger.
//! A job carries the code a household gives the driver as proof; a vehicle its pay per run;
//! a run who drove it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000033_fleet_selling"
    }
}

fn job_goods() -> TableCreateStatement {
    Table::create()
        .table("route_job_goods")
        .col(big_integer("job_id"))
        .col(big_integer("variant_id"))
        .col(big_integer("quantity"))
        .primary_key(Index::create().col("job_id").col("variant_id"))
        .foreign_key(&mut fk(
            "fk_route_job_goods_job",
            ("route_job_goods", "job_id"),
            ("route_jobs", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_route_job_goods_variant",
            ("route_job_goods", "variant_id"),
            ("variants", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn loads() -> TableCreateStatement {
    Table::create()
        .table("run_loads")
        .col(big_pk_auto("id"))
        .col(big_integer("run_id"))
        .col(big_integer("variant_id"))
        .col(big_integer("product_id"))
        .col(big_integer("shop_id"))
        .col(string_len("label", 160))
        .col(big_integer("unit_price_fen"))
        .col(big_integer("loaded"))
        // Counted back at the centre; none until the run returns.
        .col(big_integer_null("returned"))
        .foreign_key(&mut fk(
            "fk_run_loads_run",
            ("run_loads", "run_id"),
            ("route_runs", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_run_loads_variant",
            ("run_loads", "variant_id"),
            ("variants", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn sales() -> TableCreateStatement {
    Table::create()
        .table("run_sales")
        .col(big_pk_auto("id"))
        .col(big_integer("run_id"))
        // Made by the phone: the same sale sent again is the same sale.
        .col(string_len("client_id", 64))
        .col(big_integer("load_id"))
        .col(big_integer("quantity"))
        .col(big_integer("amount_fen"))
        .col(big_integer_null("stop_id"))
        .col(timestamp_with_time_zone("sold_at"))
        .col(timestamp_with_time_zone("recorded_at"))
        .col(big_integer("seller_id"))
        .foreign_key(&mut fk(
            "fk_run_sales_run",
            ("run_sales", "run_id"),
            ("route_runs", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_run_sales_load",
            ("run_sales", "load_id"),
            ("run_loads", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn takings() -> TableCreateStatement {
    Table::create()
        .table("run_takings")
        .col(big_integer("run_id").primary_key())
        .col(big_integer("expected_fen"))
        .col(big_integer("counted_fen"))
        .col(big_integer("counted_by"))
        .col(timestamp_with_time_zone("counted_at"))
        .foreign_key(&mut fk(
            "fk_run_takings_run",
            ("run_takings", "run_id"),
            ("route_runs", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn credits() -> TableCreateStatement {
    Table::create()
        .table("run_credits")
        .col(big_pk_auto("id"))
        .col(big_integer("run_id"))
        // The run's day in China's time: the ledger reads by month.
        .col(string_len("day", 10))
        // `goods` (the shop's sales on the run) or `labour` (the driver's pay).
        .col(string_len("kind", 16))
        .col(big_integer_null("shop_id"))
        .col(big_integer_null("account_id"))
        // The registered household credited (the households module links it).
        .col(big_integer_null("household_id"))
        .col(big_integer("amount_fen"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(
            "fk_run_credits_run",
            ("run_credits", "run_id"),
            ("route_runs", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for (table, column) in [
            ("route_jobs", string_len_null("code", 8).to_owned()),
            (
                "fleet_vehicles",
                big_integer("run_pay_fen").default(0).to_owned(),
            ),
            ("route_runs", big_integer_null("driver_id").to_owned()),
        ] {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        for table in [job_goods(), loads(), sales(), takings(), credits()] {
            manager.create_table(table).await?;
        }
        for index in [
            index(
                "idx_run_loads_variant",
                "run_loads",
                &["run_id", "variant_id"],
                true,
            ),
            index(
                "idx_run_sales_client",
                "run_sales",
                &["run_id", "client_id"],
                true,
            ),
            index("idx_run_credits_day", "run_credits", &["day"], false),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "run_credits",
            "run_takings",
            "run_sales",
            "run_loads",
            "route_job_goods",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for (table, column) in [
            ("route_runs", "driver_id"),
            ("fleet_vehicles", "run_pay_fen"),
            ("route_jobs", "code"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
