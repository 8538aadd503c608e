//! Order lists page by keyset (newest first, before an id): an index per owner and id makes
//! each page a short range read instead of a sort of everything the shop or buyer ever had.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000013_order_lists"
    }
}

const INDEXES: [(&str, &str); 2] = [
    ("idx_orders_shop_id", "shop_id"),
    ("idx_orders_buyer_id", "buyer_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, owner) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("orders")
                        .col(owner)
                        .col("id")
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table("orders").to_owned())
                .await?;
        }
        Ok(())
    }
}
