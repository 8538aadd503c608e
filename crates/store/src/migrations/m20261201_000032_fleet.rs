//! The centre's own fleet and its mornings (issue 17): the vehicles a depot sends out
//! (`fleet_vehicles`: electric tricycles and vans with their box in grams and crates and their
//! range), the day's jobs to plan (`route_jobs`: collections households and villages booked,
//! sellers' parcels to fetch, communities to sell in with their hours), and the plans the
//! solver made of them (`route_plans`, with a run per vehicle `route_runs`, its ordered
//! `route_stops`, and the jobs it could not fit `route_unfit`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000032_fleet"
    }
}

fn vehicles() -> TableCreateStatement {
    Table::create()
        .table("fleet_vehicles")
        .col(big_pk_auto("id"))
        .col(big_integer("depot_id"))
        .col(string_len("code", 32))
        // `tricycle` or `van`: its speed and what it may carry.
        .col(string_len("kind", 16))
        .col(string_len("label", 96))
        .col(big_integer("capacity_grams"))
        .col(integer("capacity_crates"))
        .col(integer_null("range_m"))
        // Who usually drives it, and the registered household whose labour it is (the
        // households module links it; no key until that table exists).
        .col(big_integer_null("driver_id"))
        .col(big_integer_null("household_id"))
        .col(boolean("active"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(
            "fk_fleet_vehicles_depot",
            ("fleet_vehicles", "depot_id"),
            ("depots", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_fleet_vehicles_driver",
            ("fleet_vehicles", "driver_id"),
            ("accounts", "id"),
            ForeignKeyAction::SetNull,
        ))
        .to_owned()
}

fn jobs() -> TableCreateStatement {
    Table::create()
        .table("route_jobs")
        .col(big_pk_auto("id"))
        .col(big_integer("depot_id"))
        // The day it is for, in China's time.
        .col(string_len("day", 10))
        // `pickup`, `delivery` or `sell`.
        .col(string_len("kind", 16))
        // `booking` (a household's or village's collection), `parcel` (a seller's outbound
        // parcel) or `community` (a place to sell in).
        .col(string_len("source", 16))
        .col(string_len("label", 128))
        .col(big_integer_null("region_id"))
        .col(big_integer_null("station_id"))
        .col(double("latitude"))
        .col(double("longitude"))
        .col(big_integer("grams"))
        .col(integer("crates"))
        // When service may start, minutes after midnight (none: any time of the shift).
        .col(integer_null("window_from"))
        .col(integer_null("window_until"))
        .col(integer("service_minutes"))
        .col(big_integer_null("pinned_vehicle_id"))
        .col(big_integer_null("household_id"))
        .col(big_integer_null("parcel_id"))
        // `open`, `done` or `cancelled`.
        .col(string_len("status", 16))
        .col(big_integer("created_by"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(
            "fk_route_jobs_depot",
            ("route_jobs", "depot_id"),
            ("depots", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_route_jobs_region",
            ("route_jobs", "region_id"),
            ("regions", "id"),
            ForeignKeyAction::SetNull,
        ))
        .foreign_key(&mut fk(
            "fk_route_jobs_pinned",
            ("route_jobs", "pinned_vehicle_id"),
            ("fleet_vehicles", "id"),
            ForeignKeyAction::SetNull,
        ))
        .foreign_key(&mut fk(
            "fk_route_jobs_parcel",
            ("route_jobs", "parcel_id"),
            ("logistics_parcels", "id"),
            ForeignKeyAction::SetNull,
        ))
        .to_owned()
}

fn plans() -> TableCreateStatement {
    Table::create()
        .table("route_plans")
        .col(big_pk_auto("id"))
        .col(big_integer("depot_id"))
        .col(string_len("day", 10))
        // The planned problem's digest: planning it unchanged again returns this plan.
        .col(string_len("digest", 64))
        .col(integer("vehicles"))
        .col(double("distance_m"))
        .col(integer("took_ms"))
        .col(big_integer("planned_by"))
        .col(timestamp_with_time_zone("planned_at"))
        .foreign_key(&mut fk(
            "fk_route_plans_depot",
            ("route_plans", "depot_id"),
            ("depots", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn runs() -> TableCreateStatement {
    Table::create()
        .table("route_runs")
        .col(big_pk_auto("id"))
        .col(big_integer("plan_id"))
        .col(big_integer("vehicle_id"))
        .col(timestamp_with_time_zone("leaves_at"))
        .col(timestamp_with_time_zone("returns_at"))
        .col(double("distance_m"))
        .col(big_integer("load_grams"))
        .col(integer("load_crates"))
        // `planned`, `out` or `back`.
        .col(string_len("status", 16))
        .col(timestamp_with_time_zone_null("started_at"))
        .col(timestamp_with_time_zone_null("returned_at"))
        .foreign_key(&mut fk(
            "fk_route_runs_plan",
            ("route_runs", "plan_id"),
            ("route_plans", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_route_runs_vehicle",
            ("route_runs", "vehicle_id"),
            ("fleet_vehicles", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn stops() -> TableCreateStatement {
    Table::create()
        .table("route_stops")
        .col(big_pk_auto("id"))
        .col(big_integer("run_id"))
        .col(integer("seq"))
        .col(big_integer("job_id"))
        .col(timestamp_with_time_zone("arrives_at"))
        .col(timestamp_with_time_zone("starts_at"))
        .col(timestamp_with_time_zone("leaves_at"))
        .col(big_integer("load_grams"))
        .col(integer("load_crates"))
        .col(timestamp_with_time_zone_null("done_at"))
        .col(string_len_null("proof", 160))
        .foreign_key(&mut fk(
            "fk_route_stops_run",
            ("route_stops", "run_id"),
            ("route_runs", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_route_stops_job",
            ("route_stops", "job_id"),
            ("route_jobs", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn unfit() -> TableCreateStatement {
    Table::create()
        .table("route_unfit")
        .col(big_integer("plan_id"))
        .col(big_integer("job_id"))
        // `capacity`, `time_window`, `range`, `pin` or `fleet`.
        .col(string_len("reason", 16))
        .primary_key(Index::create().col("plan_id").col("job_id"))
        .foreign_key(&mut fk(
            "fk_route_unfit_plan",
            ("route_unfit", "plan_id"),
            ("route_plans", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_route_unfit_job",
            ("route_unfit", "job_id"),
            ("route_jobs", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [vehicles(), jobs(), plans(), runs(), stops(), unfit()] {
            manager.create_table(table).await?;
        }
        for index in [
            index(
                "idx_fleet_vehicles_code",
                "fleet_vehicles",
                &["depot_id", "code"],
                true,
            ),
            index(
                "idx_route_jobs_day",
                "route_jobs",
                &["depot_id", "day"],
                false,
            ),
            index(
                "idx_route_plans_day",
                "route_plans",
                &["depot_id", "day"],
                false,
            ),
            index("idx_route_runs_plan", "route_runs", &["plan_id"], false),
            index(
                "idx_route_stops_run",
                "route_stops",
                &["run_id", "seq"],
                true,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "route_unfit",
            "route_stops",
            "route_runs",
            "route_plans",
            "route_jobs",
            "fleet_vehicles",
        ] {
            manager
                .drop_table(Table::drop().table(table.to_owned()).to_owned())
                .await?;
        }
        Ok(())
    }
}
