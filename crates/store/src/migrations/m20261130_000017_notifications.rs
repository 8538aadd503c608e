//! What people are told: a notice per event and reader (its kind, what it is about, a few
//! words for the message; written once, thanks to its key), when it was read, and each
//! person's choice per kind: in the inbox or not, by text message or not.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000017_notifications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("kind", 32))
                    .col(string_len("subject_kind", 24))
                    .col(big_integer("subject_id"))
                    // The message's arguments (a tracking number, a station), as JSON.
                    .col(text("args"))
                    // One event, one notice: "order:12:paid".
                    .col(string_len("event_key", 96))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .foreign_key(&mut fk(
                        "fk_notifications_account",
                        ("notifications", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_notifications_event")
                    .table("notifications")
                    .col("account_id")
                    .col("event_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_account")
                    .table("notifications")
                    .col("account_id")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("notification_settings")
                    .col(big_integer("account_id"))
                    .col(string_len("kind", 32))
                    .col(boolean("in_app"))
                    .col(boolean("sms"))
                    .primary_key(Index::create().col("account_id").col("kind"))
                    .foreign_key(&mut fk(
                        "fk_notification_settings_account",
                        ("notification_settings", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["notification_settings", "notifications"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
