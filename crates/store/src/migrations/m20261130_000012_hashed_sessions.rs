//! Sessions are kept by the SHA-256 of their id from now on; the ones stored in the clear
//! before are dropped (their owners sign in again once).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000012_hashed_sessions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM sessions")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Hashed keys cannot be turned back into ids: the sessions go.
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM sessions")
            .await?;
        Ok(())
    }
}
