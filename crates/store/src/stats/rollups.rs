//! Keeping the rollups (migration 37): a day's rows are rebuilt whole from that day's orders
//! (in China's time), so a change to any order, however late, is taken in by rebuilding its day;
//! a month's rows are summed from its days. The refresher finds the days to rebuild from the
//! orders changed since its mark (`stats_cursor`), looking back a little past the mark for
//! transactions that committed late; `rebuild_stats` starts from nothing.
//!
//! What counts as sold is [`OrderStatus::is_sale`]: paid or handed over, neither cancelled nor
//! refunded. Sales are the goods of shops by the shop's village; purchases the same goods by the
//! region they went to (the delivery address's region, else the pickup station's).

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::orders::OrderStatus;
use farmgate_domain::stations::till::LedgerDay;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use serde::Serialize;

use crate::{Result, Store};

/// How far before its mark the refresher looks again (a transaction that committed after a
/// later one).
const LOOK_BACK_SECONDS: i64 = 120;

/// The tables a rebuild writes again from nothing.
const ROLLUP_TABLES: [&str; 4] = [
    "sales_days",
    "purchase_days",
    "sales_months",
    "purchase_months",
];

/// The most order changes one refresh takes in (the rest wait for the next).
pub const CHANGES_PER_REFRESH: usize = 20_000;

/// What a refresh did, and how far behind the rollups are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsRefresh {
    pub days: Vec<String>,
    /// The latest order change taken in.
    pub seen_at: Option<DateTime<Utc>>,
    pub refreshed_at: Option<DateTime<Utc>>,
    /// Orders changed within the look-back window before `seen_at` at the last pass (-1 when
    /// not known): a pass that finds nothing newer and the same count has nothing to do.
    pub window_orders: i64,
}

/// The day, in China's time, of the timestamp expression `at`.
fn day_of(backend: DatabaseBackend, at: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => {
            format!("to_char({at} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')")
        }
        _ => format!("strftime('%Y-%m-%d', {at}, '+8 hours')"),
    }
}

fn sold_list() -> String {
    OrderStatus::ALL
        .iter()
        .filter(|s| s.is_sale())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `INSERT ... SELECT` statements that write the day rows of the orders `placed` (a condition
/// on `o`): sales by shop (totals, then by category), purchases by region (the same).
fn day_inserts(backend: DatabaseBackend, placed: &str) -> [String; 4] {
    let day = day_of(backend, "o.placed_at");
    let sold = sold_list();
    let live = "CASE WHEN o.room_id IS NULL THEN FALSE ELSE TRUE END";
    let dest = "COALESCE(o.delivery_region_id, st.region_id)";
    let from_sales = format!(
        "FROM orders o JOIN shops s ON s.id = o.shop_id JOIN regions r ON r.id = s.village_id \
         WHERE o.status IN ({sold}) AND {placed}"
    );
    let from_purchases = format!(
        "FROM orders o LEFT JOIN stations st ON st.id = o.station_id \
         JOIN regions r ON r.id = {dest} WHERE o.status IN ({sold}) AND {placed}"
    );
    let lines = "JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id";
    [
        format!(
            "INSERT INTO sales_days (day, shop_id, region_path, category_id, live, orders, goods_fen) \
             SELECT {day}, o.shop_id, r.path, 0, {live}, COUNT(*), SUM(o.goods_fen) {from_sales} \
             GROUP BY {day}, o.shop_id, r.path, {live}"
        ),
        format!(
            "INSERT INTO sales_days (day, shop_id, region_path, category_id, live, orders, goods_fen) \
             SELECT {day}, o.shop_id, r.path, p.category_id, {live}, COUNT(DISTINCT o.id), SUM(l.line_fen) \
             {} GROUP BY {day}, o.shop_id, r.path, p.category_id, {live}",
            from_sales.replacen("FROM orders o", &format!("FROM orders o {lines}"), 1)
        ),
        format!(
            "INSERT INTO purchase_days (day, region_id, region_path, category_id, orders, goods_fen) \
             SELECT {day}, r.id, r.path, 0, COUNT(*), SUM(o.goods_fen) {from_purchases} \
             GROUP BY {day}, r.id, r.path"
        ),
        format!(
            "INSERT INTO purchase_days (day, region_id, region_path, category_id, orders, goods_fen) \
             SELECT {day}, r.id, r.path, p.category_id, COUNT(DISTINCT o.id), SUM(l.line_fen) \
             {} GROUP BY {day}, r.id, r.path, p.category_id",
            from_purchases.replacen("FROM orders o", &format!("FROM orders o {lines}"), 1)
        ),
    ]
}

/// Statements that write the month rows from the day rows whose day matches `days` (a
/// condition on `day`).
fn month_inserts(days: &str) -> [String; 2] {
    [
        format!(
            "INSERT INTO sales_months (month, shop_id, region_path, category_id, live, orders, goods_fen) \
             SELECT substr(day, 1, 7), shop_id, region_path, category_id, live, SUM(orders), SUM(goods_fen) \
             FROM sales_days WHERE {days} \
             GROUP BY substr(day, 1, 7), shop_id, region_path, category_id, live"
        ),
        format!(
            "INSERT INTO purchase_months (month, region_id, region_path, category_id, orders, goods_fen) \
             SELECT substr(day, 1, 7), region_id, region_path, category_id, SUM(orders), SUM(goods_fen) \
             FROM purchase_days WHERE {days} \
             GROUP BY substr(day, 1, 7), region_id, region_path, category_id"
        ),
    ]
}

impl Store {
    async fn stats_sql(
        &self,
        txn: &impl ConnectionTrait,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<()> {
        let backend = self.db.get_database_backend();
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        Ok(())
    }

    /// The placeholders of `backend` for values `from`..: `$1` or `?`.
    fn stats_mark(&self, n: usize) -> String {
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        }
    }

    /// Rebuilds `day` (`YYYY-MM-DD`) and its month in `txn`.
    async fn rebuild_day(&self, txn: &impl ConnectionTrait, day: LedgerDay) -> Result<()> {
        let backend = self.db.get_database_backend();
        let (start, end) = day.bounds();
        let text = day.to_string();
        let month = text[..7].to_owned();
        for table in ["sales_days", "purchase_days"] {
            let sql = format!("DELETE FROM {table} WHERE day = {}", self.stats_mark(1));
            self.stats_sql(txn, &sql, vec![text.clone().into()]).await?;
        }
        let placed = format!(
            "o.placed_at >= {} AND o.placed_at < {}",
            self.stats_mark(1),
            self.stats_mark(2)
        );
        for sql in day_inserts(backend, &placed) {
            self.stats_sql(txn, &sql, vec![start.into(), end.into()])
                .await?;
        }
        for table in ["sales_months", "purchase_months"] {
            let sql = format!("DELETE FROM {table} WHERE month = {}", self.stats_mark(1));
            self.stats_sql(txn, &sql, vec![month.clone().into()])
                .await?;
        }
        let days = format!("substr(day, 1, 7) = {}", self.stats_mark(1));
        for sql in month_inserts(&days) {
            self.stats_sql(txn, &sql, vec![month.clone().into()])
                .await?;
        }
        Ok(())
    }

    /// Rebuilds every rollup from the orders, from nothing, and sets the mark.
    pub async fn rebuild_stats(&self) -> Result<StatsRefresh> {
        let backend = self.db.get_database_backend();
        let txn = self.begin_write().await?;
        let seen = latest_change(&txn, backend).await?;
        let window = window_count(&txn, self, seen).await?;
        for table in ROLLUP_TABLES {
            self.stats_sql(&txn, &format!("DELETE FROM {table}"), vec![])
                .await?;
        }
        for sql in day_inserts(backend, "1 = 1") {
            self.stats_sql(&txn, &sql, vec![]).await?;
        }
        for sql in month_inserts("1 = 1") {
            self.stats_sql(&txn, &sql, vec![]).await?;
        }
        let now = now_to_the_microsecond();
        // The window's count as the rebuild began: a later commit into it changes the count,
        // and the next pass looks again; otherwise it has nothing to do.
        self.set_cursor(&txn, (seen, window), now).await?;
        txn.commit().await?;
        if backend == DatabaseBackend::Postgres {
            // Every row was just written again: the visibility map and the planner's counts are
            // stale until autovacuum comes by, and the dashboard's reads would visit the table
            // for each row the totals' index holds. VACUUM runs outside any transaction.
            for table in ROLLUP_TABLES {
                self.db
                    .execute_unprepared(&format!("VACUUM ANALYZE {table}"))
                    .await?;
            }
        }
        Ok(StatsRefresh {
            days: Vec::new(),
            seen_at: seen,
            refreshed_at: Some(now),
            window_orders: window,
        })
    }

    async fn set_cursor(
        &self,
        txn: &impl ConnectionTrait,
        (seen, window): (Option<DateTime<Utc>>, i64),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let seen = seen.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        self.stats_sql(
            txn,
            "DELETE FROM stats_cursor WHERE name = 'orders'",
            vec![],
        )
        .await?;
        let sql = format!(
            "INSERT INTO stats_cursor (name, seen_at, refreshed_at, window_orders) \
             VALUES ('orders', {}, {}, {})",
            self.stats_mark(1),
            self.stats_mark(2),
            self.stats_mark(3)
        );
        self.stats_sql(txn, &sql, vec![seen.into(), now.into(), window.into()])
            .await
    }

    /// Where the rollups stand: the latest order change taken in, and when.
    pub async fn stats_cursor(&self) -> Result<StatsRefresh> {
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT seen_at, refreshed_at, window_orders FROM stats_cursor WHERE name = 'orders'",
            ))
            .await?;
        Ok(match row {
            Some(row) => StatsRefresh {
                days: Vec::new(),
                seen_at: Some(row.try_get("", "seen_at")?),
                refreshed_at: Some(row.try_get("", "refreshed_at")?),
                window_orders: row.try_get("", "window_orders")?,
            },
            None => StatsRefresh {
                days: Vec::new(),
                seen_at: None,
                refreshed_at: None,
                window_orders: -1,
            },
        })
    }

    /// Takes in the orders changed since the mark (at most [`CHANGES_PER_REFRESH`], the oldest
    /// first): rebuilds their days and moves the mark to the last change taken in. Safe on several instances:
    /// each rebuild is one write transaction and gives the same rows.
    pub async fn refresh_stats(&self) -> Result<StatsRefresh> {
        let backend = self.db.get_database_backend();
        let cursor = self.stats_cursor().await?;
        let since = cursor.seen_at.map_or(DateTime::<Utc>::UNIX_EPOCH, |s| {
            s - Duration::seconds(LOOK_BACK_SECONDS)
        });
        let day = day_of(backend, "placed_at");
        // The changes in order, so the mark never passes a change whose day is left for later.
        let sql = format!(
            "SELECT {day} AS day, updated_at FROM orders WHERE updated_at > {} \
             ORDER BY updated_at LIMIT {}",
            self.stats_mark(1),
            CHANGES_PER_REFRESH
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                &sql,
                vec![since.into()],
            ))
            .await?;
        let mut days: Vec<String> = Vec::new();
        let mut changes: Vec<DateTime<Utc>> = Vec::with_capacity(rows.len());
        let mut seen = cursor.seen_at;
        for row in &rows {
            let text: String = row.try_get("", "day")?;
            let at: DateTime<Utc> = row.try_get("", "updated_at")?;
            seen = seen.max(Some(at));
            changes.push(at);
            if !days.contains(&text) {
                days.push(text);
            }
        }
        // Nothing newer than the mark, and no transaction committed late into the window
        // (the window's count is unchanged; orders are never deleted): nothing to do.
        let newer = changes.iter().any(|at| Some(*at) > cursor.seen_at);
        if !newer && rows.len() as i64 == cursor.window_orders {
            return Ok(StatsRefresh {
                days: Vec::new(),
                ..cursor
            });
        }
        let window = match seen {
            // Every change inside the next window was read, unless the pass was cut short.
            Some(mark) if rows.len() < CHANGES_PER_REFRESH => changes
                .iter()
                .filter(|at| **at > mark - Duration::seconds(LOOK_BACK_SECONDS))
                .count() as i64,
            _ => -1,
        };
        let now = now_to_the_microsecond();
        let txn = self.begin_write().await?;
        for text in &days {
            let day = LedgerDay::parse(text)
                .map_err(|_| crate::Error::Corrupt(format!("an order's day {text}")))?;
            self.rebuild_day(&txn, day).await?;
        }
        self.set_cursor(&txn, (seen, window), now).await?;
        txn.commit().await?;
        if backend == DatabaseBackend::Postgres {
            // Every row was just written again: the visibility map and the planner's counts are
            // stale until autovacuum comes by, and the dashboard's reads would visit the table
            // for each row the totals' index holds. VACUUM runs outside any transaction.
            for table in ROLLUP_TABLES {
                self.db
                    .execute_unprepared(&format!("VACUUM ANALYZE {table}"))
                    .await?;
            }
        }
        Ok(StatsRefresh {
            days,
            seen_at: seen,
            refreshed_at: Some(now),
            window_orders: window,
        })
    }
}

/// The orders changed within the look-back window before `seen`, as the refresher counts
/// them; -1 (unknown: the next pass looks again) when a pass could not read them all.
async fn window_count(
    txn: &impl ConnectionTrait,
    store: &Store,
    seen: Option<DateTime<Utc>>,
) -> Result<i64> {
    let Some(seen) = seen else {
        return Ok(-1);
    };
    let backend = txn.get_database_backend();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM orders WHERE updated_at > {}",
        store.stats_mark(1)
    );
    let since = seen - Duration::seconds(LOOK_BACK_SECONDS);
    let count: i64 = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            &sql,
            vec![since.into()],
        ))
        .await?
        .map(|row| row.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(if count as usize >= CHANGES_PER_REFRESH {
        -1
    } else {
        count
    })
}

async fn latest_change(
    txn: &impl ConnectionTrait,
    backend: DatabaseBackend,
) -> Result<Option<DateTime<Utc>>> {
    let row = txn
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT MAX(updated_at) AS seen FROM orders",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<Option<DateTime<Utc>>>("", "seen")?,
        None => None,
    })
}

/// Now, as PostgreSQL keeps it (to the microsecond), so what a pass answers equals what it stored.
fn now_to_the_microsecond() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
