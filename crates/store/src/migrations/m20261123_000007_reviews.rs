//! Reviews: a buyer's stars and words about a product of an order they completed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000007_reviews"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("reviews")
                    .col(big_pk_auto("id"))
                    .col(big_integer("order_id"))
                    .col(big_integer("product_id"))
                    .col(big_integer("shop_id"))
                    .col(big_integer("buyer_id"))
                    .col(small_integer("stars"))
                    .col(text("body"))
                    .col(string_len("language", 8))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_reviews_order",
                        ("reviews", "order_id"),
                        ("orders", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_reviews_product",
                        ("reviews", "product_id"),
                        ("products", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_reviews_buyer",
                        ("reviews", "buyer_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_reviews_order_product")
                    .table("reviews")
                    .col("order_id")
                    .col("product_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_reviews_product", "product_id"),
            ("idx_reviews_shop", "shop_id"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("reviews")
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("reviews").to_owned())
            .await
    }
}
