//! A depot's measured roads (issue 17): the places of the county's road table
//! (`road_places`, named, with coordinates) and the metres by road between pairs of them
//! (`road_legs`), replaced whole by each import; `road_imports` keeps who imported which table
//! when (a table taken away is an import of nothing), so the centre can tell what its plans
//! were measured with.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000034_road_tables"
    }
}

fn places() -> TableCreateStatement {
    Table::create()
        .table("road_places")
        .col(big_pk_auto("id"))
        .col(big_integer("depot_id"))
        .col(string_len("name", 96))
        .col(double("latitude"))
        .col(double("longitude"))
        .foreign_key(&mut fk(
            "fk_road_places_depot",
            ("road_places", "depot_id"),
            ("depots", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn legs() -> TableCreateStatement {
    Table::create()
        .table("road_legs")
        .col(big_integer("from_place_id"))
        .col(big_integer("to_place_id"))
        .col(double("metres"))
        .primary_key(Index::create().col("from_place_id").col("to_place_id"))
        .foreign_key(&mut fk(
            "fk_road_legs_from",
            ("road_legs", "from_place_id"),
            ("road_places", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_road_legs_to",
            ("road_legs", "to_place_id"),
            ("road_places", "id"),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn imports() -> TableCreateStatement {
    Table::create()
        .table("road_imports")
        .col(big_pk_auto("id"))
        .col(big_integer("depot_id"))
        .col(string_len("file_name", 160))
        .col(integer("places"))
        .col(integer("legs"))
        .col(big_integer("imported_by"))
        .col(timestamp_with_time_zone("imported_at"))
        .foreign_key(&mut fk(
            "fk_road_imports_depot",
            ("road_imports", "depot_id"),
            ("depots", "id"),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_road_imports_account",
            ("road_imports", "imported_by"),
            ("accounts", "id"),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [places(), legs(), imports()] {
            manager.create_table(table).await?;
        }
        for index in [
            index(
                "idx_road_places_name",
                "road_places",
                &["depot_id", "name"],
                true,
            ),
            index(
                "idx_road_imports_depot",
                "road_imports",
                &["depot_id", "imported_at"],
                false,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["road_imports", "road_legs", "road_places"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
