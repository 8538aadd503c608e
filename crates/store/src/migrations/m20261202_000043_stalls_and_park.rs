//! The centre's stalls and the industrial park (issue 19): a hall's stalls with their size,
//! services and rates; bookings of a stall (never two on one day, kept by the store inside a
//! locked write); the waiting list; the takings a stall-holder records for a day (a household's
//! feed its income ledger); the park's units and the leases of its tenants.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000043_stalls_and_park"
    }
}

fn stalls() -> TableCreateStatement {
    Table::create()
        .table("stalls")
        .col(big_pk_auto("id"))
        .col(big_integer("county_id"))
        .col(big_integer("region_id"))
        .col(string_len("hall", 80))
        .col(string_len("code", 16))
        .col(integer("row_no"))
        .col(integer("col_no"))
        .col(integer("size_m2"))
        .col(boolean("water"))
        .col(boolean("power"))
        .col(boolean("heating"))
        .col(big_integer("day_rate_fen"))
        .col(big_integer("month_rate_fen"))
        .col(big_integer("season_rate_fen"))
        .col(boolean("active").default(true))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(
            "fk_stalls_county",
            ("stalls", "county_id"),
            ("regions", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

/// Who holds or waits for a stall: a household of the register, or someone written down.
fn holder(table: TableCreateStatement) -> TableCreateStatement {
    let mut table = table;
    table
        .col(big_integer_null("household_id"))
        .col(string_len("holder_name", 60))
        .col(string_len_null("holder_phone", 20))
        .col(string_len("term", 8))
        .col(string_len("starts_on", 10));
    table
}

fn bookings() -> TableCreateStatement {
    let table = Table::create()
        .table("stall_bookings")
        .col(big_pk_auto("id"))
        .col(big_integer("stall_id"))
        .to_owned();
    holder(table)
        .col(string_len("ends_on", 10))
        .col(big_integer("rent_fen"))
        .col(string_len("status", 12))
        .col(big_integer_null("wait_id"))
        .col(big_integer("booked_by"))
        .col(timestamp_with_time_zone("booked_at"))
        .col(big_integer_null("cancelled_by"))
        .col(timestamp_with_time_zone_null("cancelled_at"))
        .foreign_key(&mut fk(
            "fk_stall_bookings_stall",
            ("stall_bookings", "stall_id"),
            ("stalls", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn waits() -> TableCreateStatement {
    let table = Table::create()
        .table("stall_waits")
        .col(big_pk_auto("id"))
        .col(big_integer("county_id"))
        .to_owned();
    holder(table)
        .col(string_len("status", 12))
        .col(big_integer_null("booking_id"))
        .col(big_integer("added_by"))
        .col(timestamp_with_time_zone("added_at"))
        .to_owned()
}

fn takings() -> TableCreateStatement {
    Table::create()
        .table("stall_takings")
        .col(big_pk_auto("id"))
        .col(big_integer("booking_id"))
        .col(big_integer_null("household_id"))
        .col(string_len("day", 10))
        .col(big_integer("amount_fen"))
        .col(big_integer("entered_by"))
        .col(timestamp_with_time_zone("entered_at"))
        .foreign_key(&mut fk(
            "fk_stall_takings_booking",
            ("stall_takings", "booking_id"),
            ("stall_bookings", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn park_units() -> TableCreateStatement {
    Table::create()
        .table("park_units")
        .col(big_pk_auto("id"))
        .col(big_integer("county_id"))
        .col(big_integer("region_id"))
        .col(string_len("code", 16))
        .col(string_len("name", 80))
        .col(integer("size_m2"))
        .col(big_integer("monthly_rent_fen"))
        .col(boolean("active").default(true))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(
            "fk_park_units_county",
            ("park_units", "county_id"),
            ("regions", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn park_leases() -> TableCreateStatement {
    Table::create()
        .table("park_leases")
        .col(big_pk_auto("id"))
        .col(big_integer("unit_id"))
        .col(string_len("tenant_name", 80))
        .col(big_integer_null("shop_id"))
        .col(big_integer_null("moved_from_id"))
        .col(string_len("starts_on", 10))
        .col(string_len("rent_from", 10))
        .col(string_len_null("ends_on", 10))
        .col(big_integer("monthly_rent_fen"))
        .col(big_integer("created_by"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(
            "fk_park_leases_unit",
            ("park_leases", "unit_id"),
            ("park_units", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            stalls(),
            bookings(),
            waits(),
            takings(),
            park_units(),
            park_leases(),
        ] {
            manager.create_table(table).await?;
        }
        for index in [
            index(
                "idx_stalls_code",
                "stalls",
                &["county_id", "hall", "code"],
                true,
            ),
            index(
                "idx_stall_bookings_stall",
                "stall_bookings",
                &["stall_id", "starts_on"],
                false,
            ),
            index(
                "idx_stall_bookings_household",
                "stall_bookings",
                &["household_id"],
                false,
            ),
            index(
                "idx_stall_waits_county",
                "stall_waits",
                &["county_id", "status", "id"],
                false,
            ),
            index(
                "idx_stall_takings_day",
                "stall_takings",
                &["booking_id", "day"],
                true,
            ),
            index(
                "idx_stall_takings_household",
                "stall_takings",
                &["household_id", "day"],
                false,
            ),
            index(
                "idx_park_units_code",
                "park_units",
                &["county_id", "code"],
                true,
            ),
            index(
                "idx_park_leases_unit",
                "park_leases",
                &["unit_id", "starts_on"],
                false,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "park_leases",
            "park_units",
            "stall_takings",
            "stall_waits",
            "stall_bookings",
            "stalls",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
