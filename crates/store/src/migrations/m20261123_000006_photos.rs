//! Product photos: each row names a picture by the SHA-256 of what was uploaded; the files
//! (a thumbnail and a large size) live under the data directory, shared by every product that
//! uses the same picture.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000006_photos"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("product_photos")
                    .col(big_pk_auto("id"))
                    .col(big_integer("product_id"))
                    .col(string_len("hash", 64))
                    .col(integer("width"))
                    .col(integer("height"))
                    .col(integer("position"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_product_photos_product",
                        ("product_photos", "product_id"),
                        ("products", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_product_photos_product_hash")
                    .table("product_photos")
                    .col("product_id")
                    .col("hash")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("product_photos").to_owned())
            .await
    }
}
