//! Opening the database: SQLite with WAL and durable commits, or PostgreSQL.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{Error, Result};

/// Rows the intake's SQLite connection hands over without waiting for the intake to take
/// them: more than a batch returns (`orders::intake`, 512 placements).
const WRITER_ROW_BUFFER: usize = 1024;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connection pool's state, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

/// The handle every query goes through. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
    /// SQLite: the one connection the order intake writes through, apart from the readers'
    /// pool, so a batch never waits for a reader's connection and the statements it prepared
    /// stay with it. None on PostgreSQL (and on the intake's own handle).
    writer: Option<DatabaseConnection>,
    /// SQLite: the database's file, which the intake's writer opens too (`orders::writer`).
    sqlite_file: Option<Arc<Path>>,
    backend: Backend,
    /// Statements run through this handle since it was opened (benchmarks count queries
    /// per checkout with it).
    statements: Arc<AtomicU64>,
}

impl Store {
    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that reads
    /// first and writes later fails with "database is locked" when another writer went in
    /// between, and the busy timeout cannot help it. PostgreSQL ignores the mode.
    pub(crate) async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        self.db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await
    }

    /// SQLite: the database's file (none for a database in memory).
    pub(crate) fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    /// The handle the order intake works through: on SQLite its own connection.
    pub(crate) fn for_intake(&self) -> Store {
        Store {
            db: self.writer.clone().unwrap_or_else(|| self.db.clone()),
            writer: None,
            sqlite_file: self.sqlite_file.clone(),
            backend: self.backend,
            statements: Arc::clone(&self.statements),
        }
    }
}

/// Counts every statement the connection runs; `RUST_LOG=farmgate_store::sql=trace` shows each
/// one with its time (which statements a request costs).
fn counted(
    mut db: DatabaseConnection,
    mut writer: Option<DatabaseConnection>,
    backend: Backend,
) -> Store {
    let statements = Arc::new(AtomicU64::new(0));
    for connection in std::iter::once(&mut db).chain(writer.as_mut()) {
        let counter = Arc::clone(&statements);
        connection.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::Relaxed);
            tracing::trace!(target: "farmgate_store::sql", elapsed = ?info.elapsed, sql = %info.statement.sql);
        });
    }
    Store {
        db,
        writer,
        sqlite_file: None,
        backend,
        statements,
    }
}

impl Store {
    /// Opens `sqlite://path` (created if missing) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Store::connect_postgres(url, None).await
        } else if url.starts_with("sqlite:") {
            Store::connect_sqlite(url).await
        } else {
            Err(Error::Config(format!(
                "unsupported database URL {url:?}: use sqlite://FILE or postgres://..."
            )))
        }
    }

    /// Opens a SQLite file in WAL mode with `synchronous=FULL`, foreign keys on and a busy
    /// timeout, so an acknowledged write survives a crash of the machine, not just the process.
    pub async fn connect_sqlite(url: &str) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let file = Some(options.get_filename())
            .filter(|file| *file != Path::new(":memory:"))
            .map(Arc::from);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options.clone())
            .await?;
        // The intake's batches come in a few shapes (`orders::placement`): keep them all. A
        // batch's inserts return up to a batch of rows: SQLite's thread hands them over all at
        // once instead of stopping every 50 (sqlx's default) until the intake is scheduled.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .connect_with(
                options
                    .statement_cache_capacity(1024)
                    .row_buffer_size(WRITER_ROW_BUFFER),
            )
            .await?;
        let mut store = counted(
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
            Some(SqlxSqliteConnector::from_sqlx_sqlite_pool(writer)),
            Backend::Sqlite,
        );
        store.sqlite_file = file;
        Ok(store)
    }

    /// Opens PostgreSQL; with `schema`, every connection works inside that schema (tests use a
    /// fresh schema each so they never see each other's rows).
    pub async fn connect_postgres(url: &str, schema: Option<&str>) -> Result<Store> {
        let mut options = PgConnectOptions::from_str(url)?;
        if let Some(schema) = schema {
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(counted(
            SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
            None,
            Backend::Postgres,
        ))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How many statements this store (and its clones) has run.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle) = match self.backend {
            Backend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            Backend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        PoolStats {
            size,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
        }
    }

    /// Writes a consistent copy of a live SQLite database to `target` (`VACUUM INTO`), while
    /// the server keeps serving. PostgreSQL has its own tools for this (pg_dump).
    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(Error::Config(
                "backup copies SQLite databases; for PostgreSQL use pg_dump".to_owned(),
            ));
        }
        if target.exists() {
            return Err(Error::Config(format!(
                "{} already exists; choose a new file",
                target.display()
            )));
        }
        let path = target.to_string_lossy().replace('\'', "''");
        self.db
            .execute_unprepared(&format!("VACUUM INTO '{path}'"))
            .await?;
        Ok(())
    }

    /// Creates a PostgreSQL schema to run a benchmark in, isolated from real data.
    pub async fn create_schema_for_bench(&self, schema: &str) -> Result<()> {
        self.schema_statement("CREATE SCHEMA", schema).await
    }

    /// Drops a benchmark's schema and everything in it.
    pub async fn drop_schema_for_bench(&self, schema: &str) -> Result<()> {
        self.schema_statement("DROP SCHEMA IF EXISTS", schema)
            .await?;
        Ok(())
    }

    async fn schema_statement(&self, verb: &str, schema: &str) -> Result<()> {
        let safe = !schema.is_empty()
            && schema
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if self.backend != Backend::Postgres || !safe {
            return Err(Error::Config(format!(
                "{schema:?} is not a PostgreSQL schema name FarmGate makes"
            )));
        }
        let cascade = if verb.starts_with("DROP") {
            " CASCADE"
        } else {
            ""
        };
        self.db
            .execute_unprepared(&format!("{verb} {schema}{cascade}"))
            .await?;
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        if let Some(writer) = self.writer {
            writer.close().await?;
        }
        self.db.close().await?;
        Ok(())
    }
}
