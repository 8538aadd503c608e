//! A typed phone number proves nothing (decision 0012): one-time codes sent to a phone (kept
//! as hashes, with their tries), the development outbox that stands in for an SMS provider in
//! the demo, and who confirmed in person that a training record is an account's.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000015_phone_proof"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("phone_codes")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("phone", 20))
                    .col(string_len("code_hash", 64))
                    .col(integer("tries").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(&mut fk(
                        "fk_phone_codes_account",
                        ("phone_codes", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_phone_codes_account")
                    .table("phone_codes")
                    .col("account_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("outbox_messages")
                    .col(big_pk_auto("id"))
                    .col(string_len("to_phone", 20))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("trainees")
                    .add_column(big_integer_null("confirmed_by"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("trainees")
                    .drop_column("confirmed_by")
                    .to_owned(),
            )
            .await?;
        for table in ["outbox_messages", "phone_codes"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
