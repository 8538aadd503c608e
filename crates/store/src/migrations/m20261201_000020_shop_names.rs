//! A shop's name in the readers' languages: the name stays as its owner wrote it (in any one
//! language); a translation per language is optional and shown to readers of that language.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000020_shop_names"
    }
}

const COLUMNS: [&str; 3] = ["name_zh", "name_ug", "name_en"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table("shops")
                        .add_column(string_len_null(column, 80))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            manager
                .alter_table(Table::alter().table("shops").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
