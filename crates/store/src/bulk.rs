//! Many rows of one table, written in as few statements as the database likes best
//! (decision 0036).
//!
//! SQLite takes multi-row inserts of a few hundred rows each. PostgreSQL takes the rows as one
//! JSON parameter that `jsonb_populate_recordset` turns back into rows of the table's own type:
//! the statement's text is the same whatever the number of rows, so it is prepared once per
//! connection, and there are not thousands of bound parameters to parse and plan for every
//! batch (a multi-row insert of 143 orders bound ~2,900 of them and took ~50 ms).

use std::collections::HashMap;

use chrono::SecondsFormat;
use sea_orm::sea_query::{Value, sea_value_to_json_value};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IdenStatic, IntoActiveModel, Iterable, Statement,
};

use crate::Error;

/// Rows per multi-row insert on SQLite: well inside its limit on parameters.
const ROWS_PER_INSERT: usize = 500;

/// Writes `rows` of `E`.
pub(crate) async fn insert<E: EntityTrait>(
    txn: &DatabaseTransaction,
    rows: Vec<E::ActiveModel>,
) -> Result<(), Error> {
    if rows.is_empty() {
        return Ok(());
    }
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            for (columns, shaped) in by_shape::<E>(&rows) {
                let statement = populate::<E>(&columns, &shaped, false)?;
                txn.execute_raw(statement).await?;
            }
        }
        _ => {
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                E::insert_many(chunk.iter().cloned())
                    .exec_without_returning(txn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Writes `rows` of `E` and answers the rows as written (with their ids), in no particular
/// order.
pub(crate) async fn insert_returning<E: EntityTrait>(
    txn: &DatabaseTransaction,
    rows: Vec<E::ActiveModel>,
) -> Result<Vec<E::Model>, Error>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let mut written = Vec::with_capacity(rows.len());
    if rows.is_empty() {
        return Ok(written);
    }
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            for (columns, shaped) in by_shape::<E>(&rows) {
                let statement = populate::<E>(&columns, &shaped, true)?;
                written.extend(E::find().from_raw_sql(statement).all(txn).await?);
            }
        }
        _ => {
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                written.extend(
                    E::insert_many(chunk.iter().cloned())
                        .exec_with_returning(txn)
                        .await?,
                );
            }
        }
    }
    Ok(written)
}

/// Rows that set the same columns, with those columns.
type Shape<'a, E> = (
    Vec<<E as EntityTrait>::Column>,
    Vec<&'a <E as EntityTrait>::ActiveModel>,
);

/// The rows grouped by the columns they set (a column left unset takes its default, which a
/// JSON row cannot say), in the order the shapes first appear.
fn by_shape<E: EntityTrait>(rows: &[E::ActiveModel]) -> Vec<Shape<'_, E>> {
    let mut shapes: Vec<Shape<'_, E>> = Vec::new();
    let mut index: HashMap<Vec<bool>, usize> = HashMap::new();
    for row in rows {
        let mask: Vec<bool> = E::Column::iter()
            .map(|c| !matches!(row.get(c), ActiveValue::NotSet))
            .collect();
        let at = *index.entry(mask).or_insert_with_key(|mask| {
            let columns = E::Column::iter()
                .zip(mask)
                .filter_map(|(c, set)| set.then_some(c))
                .collect();
            shapes.push((columns, Vec::new()));
            shapes.len() - 1
        });
        shapes[at].1.push(row);
    }
    shapes
}

/// `INSERT INTO t (columns) SELECT columns FROM jsonb_populate_recordset(NULL::t, $1)`, with
/// the rows as one JSON array.
fn populate<E: EntityTrait>(
    columns: &[E::Column],
    rows: &[&E::ActiveModel],
    returning: bool,
) -> Result<Statement, Error> {
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let mut object = serde_json::Map::with_capacity(columns.len());
        for &c in columns {
            let value = match row.get(c) {
                ActiveValue::Set(v) | ActiveValue::Unchanged(v) => v,
                ActiveValue::NotSet => {
                    return Err(Error::Corrupt(
                        "a row lost a column while written".to_owned(),
                    ));
                }
            };
            object.insert(c.as_str().to_owned(), json_of(&value));
        }
        list.push(serde_json::Value::Object(object));
    }
    let table = E::default().table_name().to_owned();
    let names = columns
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "INSERT INTO \"{table}\" ({names}) SELECT {names} FROM jsonb_populate_recordset(NULL::\"{table}\", $1)"
    );
    if returning {
        sql.push_str(" RETURNING *");
    }
    Ok(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [Value::Json(Some(Box::new(serde_json::Value::Array(list))))],
    ))
}

/// A value as PostgreSQL reads it from JSON: instants as RFC 3339 text (to the microsecond,
/// as PostgreSQL keeps them), the rest as sea-query writes JSON.
fn json_of(value: &Value) -> serde_json::Value {
    match value {
        Value::ChronoDateTimeUtc(Some(at)) => {
            serde_json::Value::String(at.to_rfc3339_opts(SecondsFormat::Micros, true))
        }
        Value::ChronoDateTimeWithTimeZone(Some(at)) => {
            serde_json::Value::String(at.to_rfc3339_opts(SecondsFormat::Micros, true))
        }
        Value::ChronoDateTime(Some(at)) => {
            serde_json::Value::String(at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
        }
        Value::ChronoDate(Some(day)) => {
            serde_json::Value::String(day.format("%Y-%m-%d").to_string())
        }
        other => sea_value_to_json_value(other),
    }
}
