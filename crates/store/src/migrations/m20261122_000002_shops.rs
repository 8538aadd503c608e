//! Shops and the applications that open them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000002_shops"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("shops")
                    .col(big_pk_auto("id"))
                    .col(string_len("name", 64))
                    .col(string_len("kind", 16))
                    .col(big_integer("village_id"))
                    .col(string_len("phone", 16))
                    .col(text("story"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone("opened_at"))
                    .foreign_key(&mut fk(
                        "fk_shops_village",
                        ("shops", "village_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shops_village")
                    .table("shops")
                    .col("village_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("shop_members")
                    .col(big_pk_auto("id"))
                    .col(big_integer("shop_id"))
                    .col(big_integer("account_id"))
                    .col(string_len("role", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_shop_members_shop",
                        ("shop_members", "shop_id"),
                        ("shops", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_shop_members_account",
                        ("shop_members", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_shop_members")
                    .table("shop_members")
                    .col("shop_id")
                    .col("account_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shop_members_account")
                    .table("shop_members")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("shop_applications")
                    .col(big_pk_auto("id"))
                    .col(big_integer("applicant_id"))
                    .col(string_len("name", 64))
                    .col(string_len("kind", 16))
                    .col(big_integer("village_id"))
                    .col(string_len("phone", 16))
                    .col(text("story"))
                    .col(string_len("status", 16))
                    .col(text_null("rejection_reason"))
                    .col(big_integer_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(big_integer_null("shop_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_shop_applications_applicant",
                        ("shop_applications", "applicant_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_shop_applications_village",
                        ("shop_applications", "village_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_shop_applications_decided_by",
                        ("shop_applications", "decided_by"),
                        ("accounts", "id"),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_shop_applications_shop",
                        ("shop_applications", "shop_id"),
                        ("shops", "id"),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shop_applications_village")
                    .table("shop_applications")
                    .col("village_id")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shop_applications_applicant")
                    .table("shop_applications")
                    .col("applicant_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["shop_applications", "shop_members", "shops"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
