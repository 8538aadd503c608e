//! Throwaway databases for tests: a SQLite file in a temporary folder, or a fresh schema in
//! the PostgreSQL that `FARMGATE_TEST_POSTGRES_URL` names. Each test gets its own, migrated.

use crate::Store;

/// The environment variable that turns on the PostgreSQL half of every store test.
pub const POSTGRES_URL_VAR: &str = "FARMGATE_TEST_POSTGRES_URL";

/// A migrated database that lives as long as the test.
pub struct TestDb {
    pub store: Store,
    /// The URL the server under test should open (the SQLite file, or PostgreSQL with the
    /// schema in its search path).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { url: String, schema: String },
}

impl TestDb {
    /// A fresh SQLite database in its own temporary folder.
    #[allow(clippy::expect_used)]
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("farmgate.db").display());
        let store = Store::connect(&url).await.expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A fresh schema in the test PostgreSQL, or None when no PostgreSQL is configured.
    #[allow(clippy::expect_used)]
    pub async fn postgres() -> Option<TestDb> {
        let base = std::env::var(POSTGRES_URL_VAR)
            .ok()
            .filter(|u| !u.is_empty())?;
        let schema = format!("fgt_{}", uuid::Uuid::new_v4().simple());
        let admin = sqlx::PgPool::connect(&base)
            .await
            .expect("reach the test PostgreSQL");
        // The schema name is ours: "fgt_" and 32 hex digits.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("create a test schema");
        admin.close().await;
        let store = Store::connect_postgres(&base, Some(&schema))
            .await
            .expect("open PostgreSQL");
        store.migrate().await.expect("migrate PostgreSQL");
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
        Some(TestDb {
            store,
            url,
            cleanup: Cleanup::Postgres { url: base, schema },
        })
    }

    /// Closes the store and removes the database.
    pub async fn finish(self) {
        let _ = self.store.close().await;
        if let Cleanup::Postgres { url, schema } = self.cleanup
            && let Ok(admin) = sqlx::PgPool::connect(&url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&admin)
            .await;
            admin.close().await;
        }
    }
}

impl Store {
    /// The raw connection, for tests that must reach under the store's API.
    pub fn raw_for_tests(&self) -> &sea_orm::DatabaseConnection {
        &self.db
    }
}
