//! Registered low-income households (issue 18): the household (its county and village, the
//! years it was registered and lifted out), its members (each identity number sealed, with its
//! blind index, unique: a person is registered once, and its masked form for lists), what earns
//! for it (`household_links`: a shop with the household's share, a station, a stall, a vehicle,
//! a centre job, a member's account), and the poverty line each county sets per year, every
//! setting kept (`poverty_lines`: the latest of a year is the line).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000035_households"
    }
}

fn households() -> TableCreateStatement {
    Table::create()
        .table("households")
        .col(big_pk_auto("id"))
        .col(big_integer("county_id"))
        .col(big_integer("village_id"))
        .col(string_len("head_name", 32))
        .col(integer("registered_year"))
        .col(integer_null("lifted_year"))
        .col(string_len("note", 500))
        .col(boolean("active"))
        .col(big_integer("created_by"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(
            "fk_households_county",
            ("households", "county_id"),
            ("regions", "id"),
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            "fk_households_village",
            ("households", "village_id"),
            ("regions", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn members() -> TableCreateStatement {
    Table::create()
        .table("household_members")
        .col(big_pk_auto("id"))
        .col(big_integer("household_id"))
        .col(string_len("name", 32))
        .col(string_len("relation", 16))
        .col(string_len("id_sealed", 128))
        .col(string_len("id_index", 64))
        .col(string_len("id_masked", 18))
        .col(integer("birth_year"))
        .col(string_len_null("phone", 20))
        .col(big_integer_null("account_id"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(
            "fk_household_members_household",
            ("household_members", "household_id"),
            ("households", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn links() -> TableCreateStatement {
    Table::create()
        .table("household_links")
        .col(big_pk_auto("id"))
        .col(big_integer("household_id"))
        .col(string_len("kind", 16))
        .col(big_integer("target_id"))
        // A shared shop's part that is the household's; 100 for everything else.
        .col(integer("share_percent"))
        .col(big_integer("confirmed_by"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(
            "fk_household_links_household",
            ("household_links", "household_id"),
            ("households", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn poverty_lines() -> TableCreateStatement {
    Table::create()
        .table("poverty_lines")
        .col(big_pk_auto("id"))
        .col(big_integer("county_id"))
        .col(integer("year"))
        .col(big_integer("yuan_fen_per_person"))
        .col(big_integer("set_by"))
        .col(timestamp_with_time_zone("set_at"))
        .foreign_key(&mut fk(
            "fk_poverty_lines_county",
            ("poverty_lines", "county_id"),
            ("regions", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [households(), members(), links(), poverty_lines()] {
            manager.create_table(table).await?;
        }
        for index in [
            index(
                "idx_households_county",
                "households",
                &["county_id", "village_id"],
                false,
            ),
            index(
                "idx_household_members_id",
                "household_members",
                &["id_index"],
                true,
            ),
            index(
                "idx_household_members_household",
                "household_members",
                &["household_id"],
                false,
            ),
            index(
                "idx_household_links_target",
                "household_links",
                &["kind", "target_id", "household_id"],
                true,
            ),
            index(
                "idx_poverty_lines_year",
                "poverty_lines",
                &["county_id", "year"],
                false,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "poverty_lines",
            "household_links",
            "household_members",
            "households",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
