//! "New order" notices, written by the order intake in the same transaction as the orders
//! they tell of: a shop hears of every order it was acknowledged (nothing acknowledged is
//! lost), and a burst of checkouts costs the database no second writer (on SQLite a separate
//! notice transaction took the write lock and flushed the disk once more per batch).
//!
//! One statement per batch, whatever its size: an `INSERT ... SELECT` that joins the new orders
//! (a `VALUES` list on SQLite, one JSON array on PostgreSQL) with their shops' members and leaves out those who turned the kind off.
//! After the commit, one read finds the members who also chose a text message for it.

use chrono::{DateTime, Utc};
use farmgate_domain::notifications::NoticeKind;
use sea_orm::sea_query::{
    Expr, ExprTrait, Func, InsertStatement, OnConflict, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
};

use super::entity::{notice, setting};
use super::{NewNotice, Subject};
use crate::Error;
use crate::orders::Order;
use crate::shops::entity::member;

/// A member of a shop to be told of a new order by text message too (they chose it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShopText {
    pub account_id: i64,
    pub order_id: i64,
}

/// The alias of the new orders' `VALUES` list; its columns are `column1`... on both databases.
const PLACED: &str = "placed";

/// Writes the "order placed" notice of each of `orders` to every member of its shop who has not
/// turned the kind off.
pub(crate) async fn tell_shops(
    txn: &DatabaseTransaction,
    orders: &[&Order],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    if let Some(insert) = shops_notices(orders, now, txn.get_database_backend())? {
        txn.execute(&insert).await?;
    }
    Ok(())
}

/// The statement `tell_shops` runs (none for no orders); the SQLite intake's writer runs it on
/// its own connection.
pub(crate) fn shops_notices(
    orders: &[&Order],
    now: DateTime<Utc>,
    backend: DbBackend,
) -> Result<Option<InsertStatement>, Error> {
    if orders.is_empty() {
        return Ok(None);
    }
    let kind = NoticeKind::OrderPlaced.as_str();
    let rows: Vec<(i64, i64, String, String)> = orders
        .iter()
        .map(|o| {
            let notice = order_placed(o, 0);
            let args = serde_json::to_string(&notice.args).unwrap_or_else(|_| "[]".to_owned());
            (o.id, o.shop_id, args, notice.event_key)
        })
        .collect();
    let placed = |column: &str| Expr::col((PLACED, column.to_owned()));
    let turned_off = Query::select()
        .expr(Expr::val(1))
        .from(setting::Entity)
        .and_where(
            Expr::col((setting::Entity, setting::Column::AccountId))
                .equals((member::Entity, member::Column::AccountId)),
        )
        .and_where(Expr::col((setting::Entity, setting::Column::Kind)).eq(kind))
        .and_where(Expr::col((setting::Entity, setting::Column::InApp)).eq(false))
        .to_owned();
    let mut readers = Query::select();
    readers
        .expr(Expr::col((member::Entity, member::Column::AccountId)))
        .expr(Expr::val(kind))
        .expr(Expr::val("order"))
        .expr(placed("column1"))
        .expr(placed("column3"))
        .expr(placed("column4"))
        .expr(Expr::val(now));
    match backend {
        DbBackend::Postgres => readers.from_subquery(json_rows(rows), PLACED),
        _ => readers.from_values(rows, PLACED),
    };
    let readers = readers
        .inner_join(
            member::Entity,
            Expr::col((member::Entity, member::Column::ShopId)).equals((PLACED, "column2")),
        )
        .and_where(Expr::exists(turned_off).not())
        .to_owned();
    let insert = Query::insert()
        .into_table(notice::Entity)
        .columns([
            notice::Column::AccountId,
            notice::Column::Kind,
            notice::Column::SubjectKind,
            notice::Column::SubjectId,
            notice::Column::Args,
            notice::Column::EventKey,
            notice::Column::CreatedAt,
        ])
        .select_from(readers)
        .map_err(|err| Error::Corrupt(format!("the new orders' notices: {err}")))?
        .on_conflict(
            OnConflict::columns([notice::Column::AccountId, notice::Column::EventKey])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    Ok(Some(insert))
}

/// The new orders as rows `column1`... on PostgreSQL: one JSON parameter whatever their number,
/// so the statement is prepared once (decision 0036), where a `VALUES` list binds four
/// parameters a row and changes shape with every batch.
fn json_rows(rows: Vec<(i64, i64, String, String)>) -> SelectStatement {
    let list = rows
        .into_iter()
        .map(|(order, shop, args, key)| serde_json::json!([order, shop, args, key]))
        .collect();
    let mut select = Query::select();
    for (column, as_read) in [
        ("column1", "(\"e\"->>0)::int8"),
        ("column2", "(\"e\"->>1)::int8"),
        ("column3", "\"e\"->>2"),
        ("column4", "\"e\"->>3"),
    ] {
        select.expr_as(Expr::cust(as_read), column);
    }
    select.from_function(
        Func::cust("jsonb_array_elements").arg(Expr::val(serde_json::Value::Array(list))),
        "e",
    );
    select
}

/// The members of the orders' shops who chose a text message for new orders (and kept the
/// inbox on: a text goes with a notice written). Read after the batch has committed, outside
/// the transaction that holds the stock's lock.
pub(crate) async fn texts(
    db: &impl ConnectionTrait,
    orders: &[&Order],
) -> Result<Vec<ShopText>, Error> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let mut shops: Vec<i64> = orders.iter().map(|o| o.shop_id).collect();
    shops.sort_unstable();
    shops.dedup();
    let choosing = Query::select()
        .column(setting::Column::AccountId)
        .from(setting::Entity)
        .and_where(setting::Column::Kind.eq(NoticeKind::OrderPlaced.as_str()))
        .and_where(setting::Column::Sms.eq(true))
        .and_where(setting::Column::InApp.eq(true))
        .to_owned();
    let members = member::Entity::find()
        .filter(member::Column::ShopId.is_in(shops))
        .filter(member::Column::AccountId.in_subquery(choosing))
        .all(db)
        .await?;
    Ok(orders
        .iter()
        .flat_map(|o| {
            members
                .iter()
                .filter(|m| m.shop_id == o.shop_id)
                .map(|m| ShopText {
                    account_id: m.account_id,
                    order_id: o.id,
                })
        })
        .collect())
}

/// The notice of a new order `order` for the shop's member `account_id`.
pub fn order_placed(order: &Order, account_id: i64) -> NewNotice {
    NewNotice {
        account_id,
        kind: NoticeKind::OrderPlaced,
        subject: Subject::Order(order.id),
        args: vec![
            ("order".to_owned(), order.id.to_string()),
            ("total".to_owned(), order.total.display_yuan()),
        ],
        event_key: format!("order:{}:placed", order.id),
    }
}
