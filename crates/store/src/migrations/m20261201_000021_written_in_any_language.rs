//! Texts written in any one of the readers' languages: a session's venue and a station's
//! address gain optional Uyghur and English columns beside the existing one, which holds the
//! Chinese text ("" when none was written: `farmgate_domain::text::Texts::from_stored`). A
//! course's title, summary and syllabus already have all three and follow the same rule.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000021_written_in_any_language"
    }
}

const COLUMNS: [(&str, &str, u32); 4] = [
    ("training_sessions", "venue_name_ug", 120),
    ("training_sessions", "venue_name_en", 120),
    ("stations", "address_ug", 300),
    ("stations", "address_en", 300),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for (table, column, length) in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_len_null(column, length))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column, _) in COLUMNS {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
