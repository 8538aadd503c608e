//! Indexes the distribution centre's monthly reading needs (issue 16): the month's ending
//! events of every carrier at once (`kind, at`), and a depot's parcels by direction and time
//! (outbound parcels of a month).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000030_logistics_reading"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_parcel_events_kind_at")
                    .table("parcel_events")
                    .col("kind")
                    .col("at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_logistics_parcels_direction")
                    .table("logistics_parcels")
                    .col("depot_id")
                    .col("direction")
                    .col("scanned_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_logistics_parcels_direction")
                    .table("logistics_parcels")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_parcel_events_kind_at")
                    .table("parcel_events")
                    .to_owned(),
            )
            .await
    }
}
