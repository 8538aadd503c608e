//! Live rooms: who hosts, when, in which county, with which shops' products; the products
//! pinned in a room, with an optional room price; the secret key the host's stream pushes with.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000008_live"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("live_rooms")
                    .col(big_pk_auto("id"))
                    .col(big_integer("host_id"))
                    .col(big_integer("region_id"))
                    .col(string_len("title_zh", 80))
                    .col(string_len_null("title_ug", 120))
                    .col(string_len_null("title_en", 120))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone_null("started_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .col(string_len_uniq("stream_key", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_live_rooms_host",
                        ("live_rooms", "host_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_live_rooms_region",
                        ("live_rooms", "region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_live_rooms_status_start")
                    .table("live_rooms")
                    .col("status")
                    .col("starts_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("live_room_shops")
                    .col(big_integer("room_id"))
                    .col(big_integer("shop_id"))
                    .primary_key(Index::create().col("room_id").col("shop_id"))
                    .foreign_key(&mut fk(
                        "fk_live_room_shops_room",
                        ("live_room_shops", "room_id"),
                        ("live_rooms", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_live_room_shops_shop",
                        ("live_room_shops", "shop_id"),
                        ("shops", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("live_pins")
                    .col(big_pk_auto("id"))
                    .col(big_integer("room_id"))
                    .col(big_integer("variant_id"))
                    .col(big_integer_null("room_price_fen"))
                    .col(boolean("pinned"))
                    .col(timestamp_with_time_zone("pinned_at"))
                    .foreign_key(&mut fk(
                        "fk_live_pins_room",
                        ("live_pins", "room_id"),
                        ("live_rooms", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_live_pins_variant",
                        ("live_pins", "variant_id"),
                        ("variants", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_live_pins_room_variant")
                    .table("live_pins")
                    .col("room_id")
                    .col("variant_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["live_pins", "live_room_shops", "live_rooms"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
