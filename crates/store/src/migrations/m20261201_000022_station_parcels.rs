//! Parcels in a station's hands: expected when a pickup order ships (or, later, when an
//! express company's parcel is brought by the co-distribution run), received by the operator
//! (the buyer is told), handed over against the buyer's six-digit code with the fee and any cash
//! recorded, or returned when not collected in the station's `hold_days`. A parcel without an
//! order is an express company's (issue 16 fills them in).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000022_station_parcels"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("stations")
                    .add_column(integer("hold_days").default(7))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("station_parcels")
                    .col(big_pk_auto("id"))
                    .col(big_integer("station_id"))
                    .col(big_integer_null("order_id"))
                    .col(string_len("label", 32))
                    .col(string_len("status", 16))
                    .col(string_len("pickup_code", 6))
                    .col(integer("wrong_codes").default(0))
                    .col(timestamp_with_time_zone("expected_at"))
                    .col(timestamp_with_time_zone_null("received_at"))
                    .col(big_integer_null("received_by"))
                    .col(timestamp_with_time_zone_null("handed_at"))
                    .col(big_integer_null("handed_by"))
                    .col(big_integer("fee_fen").default(0))
                    .col(big_integer("cash_fen").default(0))
                    .col(timestamp_with_time_zone_null("returned_at"))
                    .foreign_key(&mut fk(
                        "fk_station_parcels_station",
                        ("station_parcels", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_station_parcels_order",
                        ("station_parcels", "order_id"),
                        ("orders", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            ("uq_station_parcels_label", &["label"][..], true),
            ("uq_station_parcels_order", &["order_id"][..], true),
            (
                "idx_station_parcels_station",
                &["station_id", "status", "id"][..],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("station_parcels");
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
        manager
            .drop_table(Table::drop().table("station_parcels").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("stations")
                    .drop_column("hold_days")
                    .to_owned(),
            )
            .await
    }
}
