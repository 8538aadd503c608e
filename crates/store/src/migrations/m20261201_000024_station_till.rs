//! The station's till and its days. An operator buys for villagers who cannot (the order's
//! villager, the code on their slip and the cash taken: `station_orders`; the order becomes
//! the villager's own account's when they prove that phone), every cash movement of a station
//! is one row of `station_cash` (cash taken for a villager's order or at a hand-over, cash paid
//! back or out, handed to the centre, a counted difference), and closing a day
//! (`station_days`) records the cash counted against the cash expected. The categories of goods
//! going into the countryside join the catalogue's tree.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000024_station_till"
    }
}

/// (code, zh, ug, en): what villagers buy through their station.
pub const COUNTRYSIDE_CATEGORIES: &[(&str, &str, &str, &str)] = &[
    ("daily-goods", "日用百货", "كۈندىلىك بۇيۇملار", "Daily goods"),
    (
        "appliances",
        "家用电器",
        "ئائىلە ئېلېكتر سايمانلىرى",
        "Home appliances",
    ),
    (
        "farm-supplies",
        "农资",
        "يېزا ئىگىلىك ماتېرىياللىرى",
        "Farm supplies",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (position, (code, zh, ug, en)) in COUNTRYSIDE_CATEGORIES.iter().enumerate() {
            let insert = Query::insert()
                .into_table("categories")
                .columns(["code", "name_zh", "name_ug", "name_en", "position"])
                .values_panic([
                    (*code).into(),
                    (*zh).into(),
                    (*ug).into(),
                    (*en).into(),
                    (100 + <i32 as TryFrom<usize>>::try_from(position).unwrap_or(0)).into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("station_orders")
                    .col(big_integer("order_id").primary_key())
                    .col(big_integer("station_id"))
                    .col(big_integer("placed_by"))
                    .col(string_len("villager_name", 64))
                    .col(string_len_null("villager_phone", 20))
                    .col(string_len("pickup_code", 6))
                    .col(big_integer("paid_fen"))
                    .col(timestamp_with_time_zone("placed_at"))
                    .col(big_integer_null("claimed_by"))
                    .col(timestamp_with_time_zone_null("claimed_at"))
                    .foreign_key(&mut fk(
                        "fk_station_orders_order",
                        ("station_orders", "order_id"),
                        ("orders", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_station_orders_station",
                        ("station_orders", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("station_cash")
                    .col(big_pk_auto("id"))
                    .col(big_integer("station_id"))
                    // The day in China's time, `YYYY-MM-DD`: the ledger's day.
                    .col(string_len("day", 10))
                    .col(string_len("kind", 24))
                    // Into the till positive, out of it negative.
                    .col(big_integer("amount_fen"))
                    .col(big_integer_null("order_id"))
                    .col(big_integer_null("parcel_id"))
                    .col(big_integer_null("actor_id"))
                    .col(string_len_null("note", 500))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut fk(
                        "fk_station_cash_station",
                        ("station_cash", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("station_days")
                    .col(big_integer("station_id"))
                    .col(string_len("day", 10))
                    .col(big_integer("expected_fen"))
                    .col(big_integer("counted_fen"))
                    .col(big_integer("handed_in_fen"))
                    .col(string_len_null("explanation", 500))
                    .col(big_integer("closed_by"))
                    .col(timestamp_with_time_zone("closed_at"))
                    .primary_key(Index::create().col("station_id").col("day"))
                    .foreign_key(&mut fk(
                        "fk_station_days_station",
                        ("station_days", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "idx_station_orders_station",
                "station_orders",
                &["station_id", "placed_at"][..],
            ),
            (
                "idx_station_orders_phone",
                "station_orders",
                &["villager_phone"][..],
            ),
            (
                "idx_station_cash_day",
                "station_cash",
                &["station_id", "day"][..],
            ),
            ("idx_station_days_day", "station_days", &["day"][..]),
            // The ledger counts parcels received and handed out per day.
            (
                "idx_station_parcels_received",
                "station_parcels",
                &["station_id", "received_at"][..],
            ),
            (
                "idx_station_parcels_handed",
                "station_parcels",
                &["station_id", "handed_at"][..],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (index, table) in [
            ("idx_station_parcels_received", "station_parcels"),
            ("idx_station_parcels_handed", "station_parcels"),
        ] {
            manager
                .drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
        }
        for table in ["station_days", "station_cash", "station_orders"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        let codes: Vec<&str> = COUNTRYSIDE_CATEGORIES.iter().map(|c| c.0).collect();
        manager
            .exec_stmt(
                Query::delete()
                    .from_table("categories")
                    .and_where(Expr::col("code").is_in(codes))
                    .to_owned(),
            )
            .await
    }
}
