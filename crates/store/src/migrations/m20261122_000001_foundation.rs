//! The foundation: regions, accounts with role grants, sessions and API tokens.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000001_foundation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("regions")
                    .col(big_pk_auto("id"))
                    .col(big_integer_null("parent_id"))
                    .col(string_len("level", 16))
                    .col(string_len_uniq("code", 64))
                    .col(string_len_uniq("path", 255))
                    .col(string_len("name_zh", 64))
                    .col(string_len_null("name_ug", 96))
                    .col(string_len("name_en", 96))
                    .col(double_null("latitude"))
                    .col(double_null("longitude"))
                    .col(text_null("known_for_zh"))
                    .col(text_null("known_for_ug"))
                    .col(text_null("known_for_en"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_regions_parent")
                            .from("regions", "parent_id")
                            .to("regions", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_regions_parent")
                    .table("regions")
                    .col("parent_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("accounts")
                    .col(big_pk_auto("id"))
                    .col(string_len_null("login_name", 32).unique_key())
                    .col(string_len_null("phone", 16).unique_key())
                    .col(string_len("display_name", 64))
                    .col(string_len("password_hash", 255))
                    .col(string_len("language", 8))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("role_grants")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("role", 32))
                    .col(big_integer("region_id"))
                    .col(big_integer_null("granted_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_grants_account")
                            .from("role_grants", "account_id")
                            .to("accounts", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_grants_region")
                            .from("role_grants", "region_id")
                            .to("regions", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_grants_granted_by")
                            .from("role_grants", "granted_by")
                            .to("accounts", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_role_grants")
                    .table("role_grants")
                    .col("account_id")
                    .col("role")
                    .col("region_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_role_grants_region")
                    .table("role_grants")
                    .col("region_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(string_len("id", 64).primary_key())
                    .col(text("data"))
                    .col(big_integer("expires_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_expires")
                    .table("sessions")
                    .col("expires_at")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("api_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_tokens_account")
                            .from("api_tokens", "account_id")
                            .to("accounts", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "api_tokens",
            "sessions",
            "role_grants",
            "accounts",
            "regions",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
