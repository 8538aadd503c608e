//! Produce taken in on consignment (agricultural products into the city): the receiving
//! shop's buying prices per variant and grade (`produce_prices`), each intake a batch with its
//! code, grower, village, grade, weight and the units it added to the shop's stock
//! (`consignments`), and what was paid out to the grower (`consignment_payouts`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000025_consignments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("produce_prices")
                    .col(big_integer("variant_id"))
                    .col(string_len("grade", 8))
                    .col(big_integer("shop_id"))
                    .col(big_integer("per_kg_fen"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("variant_id").col("grade"))
                    .foreign_key(&mut fk(
                        "fk_produce_prices_variant",
                        ("produce_prices", "variant_id"),
                        ("variants", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("consignments")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("code", 10))
                    .col(big_integer("station_id"))
                    .col(big_integer("shop_id"))
                    .col(big_integer("variant_id"))
                    .col(big_integer("village_id"))
                    .col(string_len("grower_name", 64))
                    .col(string_len_null("grower_phone", 20))
                    // The grower agreed that buyers see their given name.
                    .col(boolean("name_shown").default(false))
                    .col(string_len("grade", 8))
                    .col(big_integer("grams"))
                    .col(big_integer("units"))
                    // The variant's stock just before: sales after the intake sell that first.
                    .col(big_integer("stock_before"))
                    .col(big_integer("per_kg_fen"))
                    .col(big_integer("owed_fen"))
                    .col(string_len_null("harvested_on", 10))
                    .col(timestamp_with_time_zone("taken_at"))
                    .col(big_integer("taken_by"))
                    .foreign_key(&mut fk(
                        "fk_consignments_station",
                        ("consignments", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_consignments_variant",
                        ("consignments", "variant_id"),
                        ("variants", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("consignment_payouts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("consignment_id"))
                    .col(big_integer("amount_fen"))
                    .col(string_len("method", 16))
                    .col(string_len_null("reference", 64))
                    .col(big_integer("paid_by"))
                    .col(timestamp_with_time_zone("paid_at"))
                    .foreign_key(&mut fk(
                        "fk_consignment_payouts_consignment",
                        ("consignment_payouts", "consignment_id"),
                        ("consignments", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "idx_consignments_station",
                "consignments",
                &["station_id", "taken_at"][..],
            ),
            (
                "idx_consignments_variant",
                "consignments",
                &["variant_id", "id"][..],
            ),
            (
                "idx_consignment_payouts_consignment",
                "consignment_payouts",
                &["consignment_id"][..],
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
        for table in ["consignment_payouts", "consignments", "produce_prices"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
