//! Stock in several places (issue 19): a county's places that hold goods (the centre's
//! showroom, a station, the distribution centre, a store), the places each shop keeps stock at
//! and whether online sales draw from them, each variant's units at each place, transfers
//! between places (sent, then received with counts) and stocktakes. The shop's own store is
//! not a row: it holds what is not placed elsewhere (decision 0029). `variants.away_online` is
//! the units at places online sales draw from besides the store, so `stock - away_online` is
//! the store's; every movement of the ledger names its place (none: the store).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000040_stock_places"
    }
}

fn places() -> TableCreateStatement {
    Table::create()
        .table("stock_places")
        .col(big_pk_auto("id"))
        .col(big_integer("county_id"))
        .col(string_len("kind", 16))
        .col(big_integer_null("station_id"))
        .col(big_integer_null("depot_id"))
        .col(string_len("name_zh", 96))
        .col(string_len_null("name_ug", 96))
        .col(string_len_null("name_en", 96))
        .col(boolean("active").default(true))
        .col(big_integer("created_by"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(
            "fk_stock_places_county",
            ("stock_places", "county_id"),
            ("regions", "id"),
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            "fk_stock_places_station",
            ("stock_places", "station_id"),
            ("stations", "id"),
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            "fk_stock_places_depot",
            ("stock_places", "depot_id"),
            ("depots", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn shop_places() -> TableCreateStatement {
    Table::create()
        .table("shop_places")
        .col(big_integer("shop_id"))
        .col(big_integer("place_id"))
        .col(boolean("online"))
        .col(integer("position"))
        .col(big_integer("added_by"))
        .col(timestamp_with_time_zone("added_at"))
        .primary_key(Index::create().col("shop_id").col("place_id"))
        .foreign_key(&mut fk(
            "fk_shop_places_shop",
            ("shop_places", "shop_id"),
            ("shops", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_shop_places_place",
            ("shop_places", "place_id"),
            ("stock_places", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn place_stock() -> TableCreateStatement {
    Table::create()
        .table("place_stock")
        .col(big_integer("place_id"))
        .col(big_integer("variant_id"))
        .col(big_integer("shop_id"))
        .col(big_integer("quantity"))
        .col(timestamp_with_time_zone("updated_at"))
        .primary_key(Index::create().col("place_id").col("variant_id"))
        .foreign_key(&mut fk(
            "fk_place_stock_place",
            ("place_stock", "place_id"),
            ("stock_places", "id"),
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            "fk_place_stock_variant",
            ("place_stock", "variant_id"),
            ("variants", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn transfers() -> [TableCreateStatement; 2] {
    [
        Table::create()
            .table("stock_transfers")
            .col(big_pk_auto("id"))
            .col(big_integer("shop_id"))
            .col(big_integer_null("from_place_id"))
            .col(big_integer_null("to_place_id"))
            .col(string_len("status", 16))
            .col(string_len("note", 200).default(""))
            .col(big_integer("sent_by"))
            .col(timestamp_with_time_zone("sent_at"))
            .col(big_integer_null("received_by"))
            .col(timestamp_with_time_zone_null("received_at"))
            .foreign_key(&mut fk(
                "fk_stock_transfers_shop",
                ("stock_transfers", "shop_id"),
                ("shops", "id"),
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table("stock_transfer_lines")
            .col(big_integer("transfer_id"))
            .col(big_integer("variant_id"))
            .col(big_integer("sent"))
            .col(big_integer_null("received"))
            .primary_key(Index::create().col("transfer_id").col("variant_id"))
            .foreign_key(&mut fk(
                "fk_stock_transfer_lines_transfer",
                ("stock_transfer_lines", "transfer_id"),
                ("stock_transfers", "id"),
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    ]
}

fn counts() -> [TableCreateStatement; 2] {
    [
        Table::create()
            .table("stock_counts")
            .col(big_pk_auto("id"))
            .col(big_integer_null("place_id"))
            .col(big_integer_null("shop_id"))
            .col(string_len("note", 200).default(""))
            .col(big_integer("counted_by"))
            .col(timestamp_with_time_zone("counted_at"))
            .to_owned(),
        Table::create()
            .table("stock_count_lines")
            .col(big_integer("count_id"))
            .col(big_integer("variant_id"))
            .col(big_integer("shop_id"))
            .col(big_integer("expected"))
            .col(big_integer("counted"))
            .col(string_len("reason", 24).default(""))
            .primary_key(Index::create().col("count_id").col("variant_id"))
            .foreign_key(&mut fk(
                "fk_stock_count_lines_count",
                ("stock_count_lines", "count_id"),
                ("stock_counts", "id"),
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [transfers, transfer_lines] = transfers();
        let [counts, count_lines] = counts();
        for table in [
            places(),
            shop_places(),
            place_stock(),
            transfers,
            transfer_lines,
            counts,
            count_lines,
        ] {
            manager.create_table(table).await?;
        }
        for index in [
            index(
                "idx_stock_places_county",
                "stock_places",
                &["county_id"],
                false,
            ),
            index(
                "idx_place_stock_shop",
                "place_stock",
                &["shop_id", "place_id"],
                false,
            ),
            index(
                "idx_stock_transfers_shop",
                "stock_transfers",
                &["shop_id", "id"],
                false,
            ),
            index(
                "idx_stock_counts_place",
                "stock_counts",
                &["place_id", "id"],
                false,
            ),
        ] {
            manager.create_index(index).await?;
        }
        // SQLite adds one column per statement.
        for (table, mut column) in [
            ("variants", big_integer("away_online").default(0).to_owned()),
            ("stock_movements", big_integer_null("place_id")),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [("variants", "away_online"), ("stock_movements", "place_id")] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        for table in [
            "stock_count_lines",
            "stock_counts",
            "stock_transfer_lines",
            "stock_transfers",
            "place_stock",
            "shop_places",
            "stock_places",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
