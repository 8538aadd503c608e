//! The distribution centre's runs (issue 16): each day's trips from a depot to its stations
//! (`runs`: vehicle, driver, when it leaves) with their ordered stops (`run_stops`: the station,
//! when it is expected, the code the station shows the driver, the proof of delivery and what
//! came back). A parcel on a run knows its run and stop, and, once the run leaves, the
//! station's own parcel row that the operator receives and hands over.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000028_logistics_runs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("runs")
                    .col(big_pk_auto("id"))
                    .col(big_integer("depot_id"))
                    // The day in China's time, `YYYY-MM-DD`.
                    .col(string_len("day", 10))
                    .col(string_len("vehicle", 64))
                    .col(big_integer("driver_id"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone("depart_at"))
                    .col(timestamp_with_time_zone_null("left_at"))
                    .col(timestamp_with_time_zone_null("done_at"))
                    .col(big_integer("planned_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_runs_depot",
                        ("runs", "depot_id"),
                        ("depots", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_runs_driver",
                        ("runs", "driver_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_runs_depot_day", &["depot_id", "day"][..]),
            ("idx_runs_driver_day", &["driver_id", "day"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("runs");
            for col in cols {
                index.col(Alias::new(*col));
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("run_stops")
                    .col(big_pk_auto("id"))
                    .col(big_integer("run_id"))
                    .col(integer("seq"))
                    .col(big_integer("station_id"))
                    .col(timestamp_with_time_zone("expected_at"))
                    // Shown on the station's desk; the driver types it as proof.
                    .col(string_len("handover_code", 6))
                    .col(integer("parcels").default(0))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    // `code` or `photo`
                    .col(string_len_null("proof", 8))
                    .col(string_len_null("photo", 80))
                    // Parcels going back to the centre, and crates of produce for outbound.
                    .col(integer("returns").default(0))
                    .col(integer("produce").default(0))
                    .foreign_key(&mut fk(
                        "fk_run_stops_run",
                        ("run_stops", "run_id"),
                        ("runs", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_run_stops_station",
                        ("run_stops", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_run_stops_station")
                    .table("run_stops")
                    .col("run_id")
                    .col("station_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_run_stops_station")
                    .table("run_stops")
                    .col("station_id")
                    .col("delivered_at")
                    .to_owned(),
            )
            .await?;
        for column in ["run_id", "stop_id", "station_parcel_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("logistics_parcels")
                        .add_column(big_integer_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_logistics_parcels_station_parcel")
                    .table("logistics_parcels")
                    .col("station_parcel_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_logistics_parcels_stop")
                    .table("logistics_parcels")
                    .col("stop_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in [
            "idx_logistics_parcels_station_parcel",
            "idx_logistics_parcels_stop",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(index)
                        .table("logistics_parcels")
                        .to_owned(),
                )
                .await?;
        }
        for column in ["run_id", "stop_id", "station_parcel_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("logistics_parcels")
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        for table in ["run_stops", "runs"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
