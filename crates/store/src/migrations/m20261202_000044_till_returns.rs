//! Returns at the showroom's till (issue 19): goods a tourist brings back, refunded in cash from
//! the drawer of the session that takes them back, the goods back on the place's shelf.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000044_till_returns"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("till_returns")
                    .col(big_pk_auto("id"))
                    .col(big_integer("session_id"))
                    .col(big_integer("sale_id"))
                    .col(big_integer("variant_id"))
                    .col(big_integer("quantity"))
                    .col(big_integer("amount_fen"))
                    .col(big_integer("order_id"))
                    .col(big_integer("returned_by"))
                    .col(timestamp_with_time_zone("returned_at"))
                    .foreign_key(&mut fk(
                        "fk_till_returns_session",
                        ("till_returns", "session_id"),
                        ("till_sessions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_till_returns_sale",
                        ("till_returns", "sale_id"),
                        ("till_sales", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for index in [
            index(
                "idx_till_returns_sale",
                "till_returns",
                &["sale_id", "variant_id"],
                false,
            ),
            index(
                "idx_till_returns_session",
                "till_returns",
                &["session_id", "id"],
                false,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("till_returns").to_owned())
            .await
    }
}
