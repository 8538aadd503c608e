//! The express companies' side of the distribution centre (issue 16): the accounts that act for
//! a carrier (`carrier_members`: they see that carrier's parcels and statements, nothing else),
//! disputes a carrier raises on a line of its monthly statement (`carrier_disputes`), and the
//! index the statements and the carriers' feed read events by.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000029_carrier_accounts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("carrier_members")
                    .col(big_integer("carrier_id"))
                    .col(big_integer("account_id"))
                    .col(timestamp_with_time_zone("added_at"))
                    .primary_key(Index::create().col("carrier_id").col("account_id"))
                    .foreign_key(&mut fk(
                        "fk_carrier_members_carrier",
                        ("carrier_members", "carrier_id"),
                        ("carriers", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_carrier_members_account",
                        ("carrier_members", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("carrier_disputes")
                    .col(big_pk_auto("id"))
                    .col(big_integer("depot_id"))
                    .col(big_integer("carrier_id"))
                    // `YYYY-MM`, China's time.
                    .col(string_len("month", 7))
                    .col(big_integer("parcel_id"))
                    .col(string_len("note", 300))
                    .col(big_integer("raised_by"))
                    .col(timestamp_with_time_zone("raised_at"))
                    .col(string_len_null("answer", 300))
                    .col(big_integer_null("answered_by"))
                    .col(timestamp_with_time_zone_null("answered_at"))
                    .foreign_key(&mut fk(
                        "fk_carrier_disputes_parcel",
                        ("carrier_disputes", "parcel_id"),
                        ("logistics_parcels", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_carrier_disputes_line")
                    .table("carrier_disputes")
                    .col("carrier_id")
                    .col("month")
                    .col("parcel_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_parcel_events_carrier_kind_at")
                    .table("parcel_events")
                    .col("carrier_id")
                    .col("kind")
                    .col("at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_parcel_events_carrier_kind_at")
                    .table("parcel_events")
                    .to_owned(),
            )
            .await?;
        for table in ["carrier_disputes", "carrier_members"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
