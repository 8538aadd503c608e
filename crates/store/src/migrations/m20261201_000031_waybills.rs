//! Outbound parcels (issue 16, item 3): the blocks of waybill numbers each carrier hands a
//! depot for the county's sellers (`waybill_blocks`: a prefix, then serials `next..=last` of a
//! fixed width, taken one label at a time), and a parcel found by its order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000031_waybills"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("waybill_blocks")
                    .col(big_pk_auto("id"))
                    .col(big_integer("depot_id"))
                    .col(big_integer("carrier_id"))
                    .col(string_len("prefix", 8))
                    .col(integer("digits"))
                    .col(big_integer("next_serial"))
                    .col(big_integer("last_serial"))
                    .col(big_integer("added_by"))
                    .col(timestamp_with_time_zone("added_at"))
                    .foreign_key(&mut fk(
                        "fk_waybill_blocks_depot",
                        ("waybill_blocks", "depot_id"),
                        ("depots", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_waybill_blocks_carrier",
                        ("waybill_blocks", "carrier_id"),
                        ("carriers", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_waybill_blocks_depot_carrier")
                    .table("waybill_blocks")
                    .col("depot_id")
                    .col("carrier_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_logistics_parcels_order")
                    .table("logistics_parcels")
                    .col("order_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_logistics_parcels_order")
                    .table("logistics_parcels")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("waybill_blocks").to_owned())
            .await
    }
}
