//! Rent received from the industrial park's tenants (issue 19): one row per lease per month
//! paid, the amount the lease owed that month, how it was paid and who entered it. The months
//! still owed are worked out from the lease (its rent-free start, rent and end) less these.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000045_park_rents"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("park_rents")
                    .col(big_pk_auto("id"))
                    .col(big_integer("lease_id"))
                    .col(string_len("month", 7))
                    .col(big_integer("amount_fen"))
                    .col(string_len("method", 16))
                    .col(string_len("reference", 60))
                    .col(big_integer("entered_by"))
                    .col(timestamp_with_time_zone("entered_at"))
                    .foreign_key(&mut fk(
                        "fk_park_rents_lease",
                        ("park_rents", "lease_id"),
                        ("park_leases", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_park_rents_month",
                "park_rents",
                &["lease_id", "month"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("park_rents").to_owned())
            .await
    }
}
