//! What a live room gathers while it runs: chat messages (kept, so late joiners see the last
//! ones and the host can delete), muted viewers, who watched (unique viewers), how many watched
//! minute by minute on each instance, the orders placed from the room, and the name the
//! current stream publishes under.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000009_live_chat"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("live_messages")
                    .col(big_pk_auto("id"))
                    .col(big_integer("room_id"))
                    .col(big_integer("account_id"))
                    .col(string_len("body", 800))
                    .col(string_len("lang", 8))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .col(big_integer_null("deleted_by"))
                    .foreign_key(&mut fk(
                        "fk_live_messages_room",
                        ("live_messages", "room_id"),
                        ("live_rooms", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_live_messages_account",
                        ("live_messages", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_live_messages_room")
                    .table("live_messages")
                    .col("room_id")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("live_mutes")
                    .col(big_integer("room_id"))
                    .col(big_integer("account_id"))
                    .col(big_integer("muted_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("room_id").col("account_id"))
                    .foreign_key(&mut fk(
                        "fk_live_mutes_room",
                        ("live_mutes", "room_id"),
                        ("live_rooms", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_live_mutes_account",
                        ("live_mutes", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("live_viewers")
                    .col(big_integer("room_id"))
                    // `a<account id>` for a signed-in viewer, `v<random id>` for a guest.
                    .col(string_len("viewer", 48))
                    .col(timestamp_with_time_zone("first_at"))
                    .primary_key(Index::create().col("room_id").col("viewer"))
                    .foreign_key(&mut fk(
                        "fk_live_viewers_room",
                        ("live_viewers", "room_id"),
                        ("live_rooms", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("live_viewer_minutes")
                    .col(big_integer("room_id"))
                    .col(timestamp_with_time_zone("minute"))
                    // Each server instance counts its own connections; a minute's viewers are
                    // the sum over instances.
                    .col(string_len("instance", 40))
                    .col(integer("viewers"))
                    .primary_key(Index::create().col("room_id").col("minute").col("instance"))
                    .foreign_key(&mut fk(
                        "fk_live_viewer_minutes_room",
                        ("live_viewer_minutes", "room_id"),
                        ("live_rooms", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement, and cannot add a foreign key to a table
        // that exists: the room an order came from is kept as a plain indexed id.
        manager
            .alter_table(
                Table::alter()
                    .table("orders")
                    .add_column(big_integer_null("room_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_room")
                    .table("orders")
                    .col("room_id")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("live_rooms")
                    .add_column(string_len_null("stream_name", 64))
                    .to_owned(),
            )
            .await?;
        // The room's cover picture (a content-addressed photo, as products have).
        manager
            .alter_table(
                Table::alter()
                    .table("live_rooms")
                    .add_column(string_len_null("cover_hash", 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_orders_room")
                    .table("orders")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("orders")
                    .drop_column("room_id")
                    .to_owned(),
            )
            .await?;
        for column in ["stream_name", "cover_hash"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("live_rooms")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            "live_viewer_minutes",
            "live_viewers",
            "live_mutes",
            "live_messages",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
