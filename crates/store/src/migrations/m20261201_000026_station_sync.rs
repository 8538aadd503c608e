//! What the operators' phone screens did offline and sent later: one row per operation, by the
//! id the phone made for it, so sending it again answers the same and does nothing twice (a
//! wrong pickup code sent twice is counted once).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000026_station_sync"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("station_sync")
                    .col(string_len("client_id", 64).primary_key())
                    .col(big_integer("station_id"))
                    .col(big_integer("account_id"))
                    .col(string_len("kind", 24))
                    .col(string_len("outcome", 16))
                    .col(string_len_null("code", 64))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut fk(
                        "fk_station_sync_station",
                        ("station_sync", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("station_sync").to_owned())
            .await
    }
}
