//! Browser sessions, kept in our own database pool (the published sqlx session stores pull a
//! second sqlx). Records are JSON; expiry is a unix timestamp so both databases compare it the
//! same way. The key is the SHA-256 of the session id, as API tokens are kept: a copy of the
//! database (a backup on a USB stick) signs nobody in.

use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::Store;

mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub data: String,
        pub expires_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A `tower_sessions` store on FarmGate's database.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    store: Store,
}

impl DbSessionStore {
    pub fn new(store: Store) -> DbSessionStore {
        DbSessionStore { store }
    }

    /// Deletes expired sessions; run now and then by a background task.
    pub async fn delete_expired(&self) -> crate::Result<u64> {
        let now = chrono::Utc::now().timestamp();
        let result = entity::Entity::delete_many()
            .filter(entity::Column::ExpiresAt.lt(now))
            .exec(&self.store.db)
            .await?;
        Ok(result.rows_affected)
    }

    async fn upsert(&self, record: &Record, on_conflict: OnConflict) -> session_store::Result<u64> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let row = entity::ActiveModel {
            id: Set(key_of(&record.id)),
            data: Set(data),
            expires_at: Set(record.expiry_date.unix_timestamp()),
        };
        let result = entity::Entity::insert(row)
            .on_conflict(on_conflict)
            .exec_without_returning(&self.store.db)
            .await;
        match result {
            Ok(rows) => Ok(rows),
            Err(e) => Err(backend(e)),
        }
    }
}

/// The stored key of a session id.
fn key_of(id: &Id) -> String {
    crate::accounts::token_digest(&id.to_string())
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh id that collides with a stored one gets another id, never the other's data.
        loop {
            let inserted = self
                .upsert(
                    record,
                    OnConflict::column(entity::Column::Id)
                        .do_nothing()
                        .to_owned(),
                )
                .await?;
            if inserted > 0 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.upsert(
            record,
            OnConflict::column(entity::Column::Id)
                .update_columns([entity::Column::Data, entity::Column::ExpiresAt])
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let now = chrono::Utc::now().timestamp();
        let Some(row) = entity::Entity::find_by_id(key_of(session_id))
            .filter(entity::Column::ExpiresAt.gt(now))
            .one(&self.store.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            tower_sessions::cookie::time::OffsetDateTime::from_unix_timestamp(row.expires_at)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *session_id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        entity::Entity::delete_by_id(key_of(session_id))
            .exec(&self.store.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
