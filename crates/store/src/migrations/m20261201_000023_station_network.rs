//! The network of stations as the county's centre keeps it: where each stands (its own
//! coordinates, else its village's), how many people it serves, whether it also collects
//! produce, a link to the registered low-income household that runs it (the households issue
//! adds the table and its foreign key), and the operators' accounts that work it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000023_station_network"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            double_null("latitude"),
            double_null("longitude"),
            integer_null("population"),
            boolean("collects_produce").default(false).to_owned(),
            big_integer_null("household_id"),
            timestamp_with_time_zone_null("updated_at"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("stations")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("station_operators")
                    .col(big_integer("station_id"))
                    .col(big_integer("account_id"))
                    .col(big_integer_null("added_by"))
                    .col(timestamp_with_time_zone("added_at"))
                    .primary_key(Index::create().col("station_id").col("account_id"))
                    .foreign_key(&mut fk(
                        "fk_station_operators_station",
                        ("station_operators", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_station_operators_account",
                        ("station_operators", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_station_operators_account")
                    .table("station_operators")
                    .col("account_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("station_operators").to_owned())
            .await?;
        for column in [
            "latitude",
            "longitude",
            "population",
            "collects_produce",
            "household_id",
            "updated_at",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("stations")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
