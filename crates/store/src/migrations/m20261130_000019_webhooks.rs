//! Outbound webhooks: a shop's or a county's subscriptions (an address, a secret, the events
//! wanted, paused or not) and every delivery (the body as signed, its attempts, the last
//! answer), which the delivery log shows and the sender retries from.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000019_webhooks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("webhook_subscriptions")
                    .col(big_pk_auto("id"))
                    // `shop` or `region` (a county's centre subscribes for its region).
                    .col(string_len("owner_kind", 16))
                    .col(big_integer("owner_id"))
                    .col(string_len("url", 400))
                    .col(string_len("secret", 80))
                    // Event names separated by commas: `order.placed,order.paid`.
                    .col(string_len("events", 200))
                    .col(boolean("active").default(true))
                    .col(big_integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_subscriptions_owner")
                    .table("webhook_subscriptions")
                    .col("owner_kind")
                    .col("owner_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhook_deliveries")
                    .col(big_pk_auto("id"))
                    .col(big_integer("subscription_id"))
                    .col(string_len("event", 40))
                    // One event, one delivery per subscription: `order:12:paid`.
                    .col(string_len("event_key", 96))
                    .col(text("body"))
                    // `pending`, `delivered` or `failed` (gave up).
                    .col(string_len("status", 16))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(integer_null("last_status"))
                    .col(string_len("last_error", 200).default(""))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    .foreign_key(&mut fk(
                        "fk_webhook_deliveries_subscription",
                        ("webhook_deliveries", "subscription_id"),
                        ("webhook_subscriptions", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "uq_webhook_deliveries_event",
                &["subscription_id", "event_key"][..],
                true,
            ),
            (
                "idx_webhook_deliveries_due",
                &["status", "next_attempt_at"][..],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("webhook_deliveries");
            for col in cols {
                index.col(*col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_deliveries", "webhook_subscriptions"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
