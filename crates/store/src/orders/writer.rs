//! The SQLite intake's writer (decision 0039): one `rusqlite` connection owned by the intake's
//! thread. A batch's writes run on it without an await: no statement crosses a channel to a
//! connection's thread and back, every row goes through its table's one prepared statement
//! (kept in the connection's cache), and no statement is built the size of the batch.
//!
//! It opens the file the readers' pool opened, with the same rules (WAL, `synchronous=FULL`,
//! foreign keys, the busy timeout), and binds each value as sqlx does (`bound`), so a row
//! reads the same whichever connection wrote it.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use chrono::SecondsFormat;
use rusqlite::types::{ToSqlOutput, Value as Sql, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql, Transaction, TransactionBehavior};
use sea_orm::sea_query::{QueryStatementWriter, SqliteQueryBuilder};
use sea_orm::{
    ActiveModelTrait, ActiveValue, EntityName, EntityTrait, IdenStatic, Iterable, Value,
};

use crate::Error;

/// How long a batch waits for another writer (a seller's edit, a stocktake) to finish, as the
/// pool's connections do.
const BUSY: Duration = Duration::from_secs(5);
/// Prepared statements kept: one insert per table and shape, the stock updates, the notices.
const PREPARED: usize = 64;

/// The intake's own SQLite connection.
pub(crate) struct Writer {
    conn: Connection,
    /// Each table's insert, by the set of columns a row sets.
    inserts: HashMap<(&'static str, u64), String>,
}

impl Writer {
    /// Opens `file` for writing; the database and its tables exist (the pool made them).
    pub(crate) fn open(file: &Path) -> Result<Writer, Error> {
        let conn = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(failed)?;
        conn.busy_timeout(BUSY).map_err(failed)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(failed)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Config(format!(
                "the order intake's writer found the journal in {mode} mode, not WAL"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(failed)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(failed)?;
        conn.set_prepared_statement_cache_capacity(PREPARED);
        Ok(Writer {
            conn,
            inserts: HashMap::new(),
        })
    }

    /// Begins a batch's transaction with the write lock taken (`BEGIN IMMEDIATE`, waiting up
    /// to the busy timeout for another writer). Dropped without `commit`, it rolls back.
    pub(crate) fn begin(&mut self) -> Result<Batch<'_>, Error> {
        Ok(Batch {
            tx: self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(failed)?,
            inserts: &mut self.inserts,
        })
    }
}

/// One batch's transaction on the writer.
pub(crate) struct Batch<'c> {
    tx: Transaction<'c>,
    inserts: &'c mut HashMap<(&'static str, u64), String>,
}

impl Batch<'_> {
    /// Inserts one row (the columns it sets; the others take their defaults) through its
    /// table's prepared insert; the new row's id.
    pub(crate) fn insert<A: ActiveModelTrait>(&mut self, row: &A) -> Result<i64, Error> {
        let table = <A::Entity as Default>::default().table_name();
        let mut shape = 0u64;
        let mut values = Vec::new();
        for (n, column) in <A::Entity as EntityTrait>::Column::iter().enumerate() {
            if let ActiveValue::Set(value) | ActiveValue::Unchanged(value) = row.get(column) {
                shape |= 1 << n;
                values.push(value);
            }
        }
        let sql = self.inserts.entry((table, shape)).or_insert_with(|| {
            let columns: Vec<String> = <A::Entity as EntityTrait>::Column::iter()
                .enumerate()
                .filter(|(n, _)| shape & (1 << n) != 0)
                .map(|(_, column)| format!("\"{}\"", column.as_str()))
                .collect();
            format!(
                "INSERT INTO \"{table}\" ({}) VALUES ({})",
                columns.join(", "),
                vec!["?"; columns.len()].join(", ")
            )
        });
        let mut statement = self.tx.prepare_cached(sql).map_err(failed)?;
        statement
            .execute(rusqlite::params_from_iter(values.iter().map(Bound)))
            .map_err(failed)?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Runs a statement built with sea-query; the rows it changed. `same_shape` statements
    /// (the same text every time) stay prepared.
    pub(crate) fn execute(
        &self,
        statement: &impl QueryStatementWriter,
        same_shape: bool,
    ) -> Result<usize, Error> {
        let (sql, values) = statement.build(SqliteQueryBuilder);
        let params = rusqlite::params_from_iter(values.0.iter().map(Bound));
        let changed = if same_shape {
            self.tx
                .prepare_cached(&sql)
                .and_then(|mut s| s.execute(params))
        } else {
            self.tx.prepare(&sql).and_then(|mut s| s.execute(params))
        };
        changed.map_err(failed)
    }

    /// Commits the batch: written and flushed (`synchronous=FULL`) when this returns.
    pub(crate) fn commit(self) -> Result<(), Error> {
        self.tx.commit().map_err(failed)
    }
}

fn failed(err: rusqlite::Error) -> Error {
    Error::Db(sea_orm::DbErr::Custom(format!(
        "the order intake's writer: {err}"
    )))
}

/// A value bound as sqlx binds it for SQLite: booleans as 0 or 1, times as RFC 3339 text
/// (`SecondsFormat::AutoSi`, UTC as `+00:00`), JSON as its text, UUIDs as their 16 bytes.
struct Bound<'a>(&'a Value);

impl ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        fn or_null<T>(value: &Option<T>, some: impl FnOnce(&T) -> Sql) -> ToSqlOutput<'static> {
            ToSqlOutput::Owned(value.as_ref().map_or(Sql::Null, some))
        }
        Ok(match self.0 {
            Value::Bool(v) => or_null(v, |b| Sql::Integer(i64::from(*b))),
            Value::TinyInt(v) => or_null(v, |n| Sql::Integer(i64::from(*n))),
            Value::SmallInt(v) => or_null(v, |n| Sql::Integer(i64::from(*n))),
            Value::Int(v) => or_null(v, |n| Sql::Integer(i64::from(*n))),
            Value::BigInt(v) => or_null(v, |n| Sql::Integer(*n)),
            Value::TinyUnsigned(v) => or_null(v, |n| Sql::Integer(i64::from(*n))),
            Value::SmallUnsigned(v) => or_null(v, |n| Sql::Integer(i64::from(*n))),
            Value::Unsigned(v) => or_null(v, |n| Sql::Integer(i64::from(*n))),
            Value::Float(v) => or_null(v, |n| Sql::Real(f64::from(*n))),
            Value::Double(v) => or_null(v, |n| Sql::Real(*n)),
            Value::String(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(Some(b)) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::String(None) | Value::Bytes(None) => ToSqlOutput::Owned(Sql::Null),
            Value::Json(v) => or_null(v, |j| Sql::Text(j.to_string())),
            Value::ChronoDateTimeUtc(v) => or_null(v, |t| {
                Sql::Text(t.to_rfc3339_opts(SecondsFormat::AutoSi, false))
            }),
            Value::ChronoDate(v) => or_null(v, |d| Sql::Text(d.format("%F").to_string())),
            Value::ChronoDateTime(v) => or_null(v, |t| Sql::Text(t.format("%F %T%.f").to_string())),
            Value::Uuid(v) => or_null(v, |u| Sql::Blob(u.as_bytes().to_vec())),
            other => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    format!("the intake's writer does not bind {other:?}").into(),
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm::{ConnectionTrait, SqlxSqliteConnector, Statement};

    use super::*;

    /// A row the writer binds reads exactly as the same row bound by sea-orm over sqlx: times,
    /// booleans, JSON, UUIDs and nulls, so both kinds of rows compare and sort alike.
    #[tokio::test]
    async fn the_writer_binds_values_as_sqlx_does() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bind.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let db = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
        db.execute_unprepared("PRAGMA journal_mode=WAL")
            .await
            .unwrap();
        db.execute_unprepared(
            "CREATE TABLE t (who TEXT, at TEXT, flag INTEGER, j TEXT, u BLOB, gone TEXT)",
        )
        .await
        .unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 8, 5, 9).unwrap()
            + chrono::Duration::nanoseconds(120_500);
        let uuid = uuid::Uuid::now_v7();
        let json = serde_json::json!({"walnuts": [1, "核桃"]});
        let row = |who: &str| {
            Query::insert()
                .into_table(Alias::new("t"))
                .columns(["who", "at", "flag", "j", "u", "gone"].map(Alias::new))
                .values_panic([
                    who.into(),
                    at.into(),
                    true.into(),
                    json.clone().into(),
                    uuid.into(),
                    Option::<String>::None.into(),
                ])
                .to_owned()
        };
        db.execute(&row("sqlx")).await.unwrap();
        let mut writer = Writer::open(&file).unwrap();
        let batch = writer.begin().unwrap();
        assert_eq!(batch.execute(&row("writer"), true).unwrap(), 1);
        batch.commit().unwrap();
        let rows = db
            .query_all_raw(Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "SELECT who, quote(at), quote(flag), quote(j), quote(u), quote(gone) \
                 FROM t ORDER BY who",
            ))
            .await
            .unwrap();
        let seen: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                (1..6)
                    .map(|n| r.try_get_by_index::<String>(n).unwrap())
                    .collect()
            })
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(seen[0], seen[1], "sqlx's row and the writer's row");
        assert_eq!(seen[0][0], "'2026-12-03T08:05:09.000120500+00:00'");
    }
}
