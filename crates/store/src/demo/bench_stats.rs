//! For `farmgate bench stats` (issue 18): a province's worth of places, shops and years of
//! orders, written set-based (`INSERT ... SELECT` over a series) so ten million orders load in
//! minutes. Nothing here runs in the platform; the statistics then read them like any orders.

use chrono::{DateTime, Utc};
use farmgate_domain::regions::{RegionLevel, RegionPath};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

use crate::regions::{NewRegion, Region};
use crate::{Error, Result, Store};

/// Orders written per statement (with their lines, in one transaction).
const ORDER_CHUNK: u64 = 250_000;

/// How many places the benchmark adds under a prefecture.
#[derive(Debug, Clone, Copy)]
pub struct BenchPlaces {
    pub counties: usize,
    pub townships: usize,
    pub villages: usize,
}

impl Store {
    /// Adds `places` under the prefecture `prefecture` (codes `bench-c01`, `bench-c01-t01`,
    /// `bench-c01-t01-v01`). Returns the counties.
    pub async fn load_bench_places(
        &self,
        prefecture: &str,
        places: BenchPlaces,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<Region>> {
        let parent = self.region_by_code(prefecture).await?;
        if parent.level != RegionLevel::Prefecture {
            return Err(Error::Config(format!("{prefecture} is not a prefecture")));
        }
        let (lat, lon) = parent
            .latitude
            .zip(parent.longitude)
            .unwrap_or((40.0, 85.0));
        let mut counties = Vec::with_capacity(places.counties);
        let mut added = 0;
        for c in 1..=places.counties {
            let code = format!("bench-c{c:02}");
            let name = format!("测试县{c:02}");
            let county = self
                .add_bench_region(&parent, &code, &name, (lat + c as f64 / 10.0, lon))
                .await?;
            for t in 1..=places.townships {
                let code = format!("{code}-t{t:02}");
                let name = format!("{name}{t:02}乡");
                let at = (lat + c as f64 / 10.0, lon + t as f64 / 10.0);
                let township = self.add_bench_region(&county, &code, &name, at).await?;
                for v in 1..=places.villages {
                    let at = (at.0 + v as f64 / 100.0, at.1);
                    self.add_bench_region(
                        &township,
                        &format!("{code}-v{v:02}"),
                        &format!("{name}{v:02}村"),
                        at,
                    )
                    .await?;
                    added += 1;
                    progress(added);
                }
            }
            counties.push(county);
        }
        Ok(counties)
    }

    async fn add_bench_region(
        &self,
        parent: &Region,
        code: &str,
        name: &str,
        at: (f64, f64),
    ) -> Result<Region> {
        self.add_region(
            Some(parent),
            NewRegion {
                code,
                name_zh: name,
                name_ug: None,
                name_en: code,
                coordinates: Some(at),
                known_for: None,
            },
        )
        .await
    }

    /// `per_village` open farmer shops in every village under `under`, the `k`th of each
    /// village opened at `opened[k % opened.len()]`. Returns how many were added.
    pub async fn load_bench_shops(
        &self,
        under: &RegionPath,
        per_village: usize,
        opened: &[DateTime<Utc>],
    ) -> Result<u64> {
        let backend = self.db.get_database_backend();
        let mut values = Vec::new();
        let mut rows = Vec::new();
        for k in 0..per_village {
            rows.push(format!("({k}, {})", mark(backend, values.len() + 1)));
            values.push(Value::from(opened[k % opened.len().max(1)]));
        }
        let sql = format!(
            "INSERT INTO shops (name, kind, village_id, phone, story, status, opened_at, name_zh) \
             SELECT 'bench', 'farmer', r.id, '13800000000', '', 'open', n.column2, \
             r.name_zh || '店' || CAST(n.column1 AS VARCHAR(8)) \
             FROM regions r CROSS JOIN (VALUES {}) AS n WHERE r.level = 'village' AND {} \
             ORDER BY r.id, n.column1",
            rows.join(", "),
            self.under("r.path", under)
        );
        let done = self
            .db
            .execute_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?;
        Ok(done.rows_affected())
    }

    /// `count` orders of `buyer` spread evenly over `span`, each from one of `shops` (in turn)
    /// to one of `places`, with one line of a variant: one in 25 cancelled, one in 40
    /// refunded, the rest completed. Returns the orders written.
    pub async fn load_bench_orders(
        &self,
        (buyer, shops, places): (i64, &[i64], &[i64]),
        count: u64,
        span: (DateTime<Utc>, DateTime<Utc>),
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64> {
        let backend = self.db.get_database_backend();
        if shops.is_empty() || places.is_empty() || !self.pick_tables(shops, places).await? {
            return Err(Error::Config(
                "the orders need shops, places and a product".into(),
            ));
        }
        let (shops, places) = (shops.len(), places.len());
        let start = span.0.timestamp();
        let seconds = (span.1.timestamp() - start).max(1);
        let mut written = 0u64;
        while written < count {
            let end = (written + ORDER_CHUNK).min(count);
            let txn = self.begin_write().await?;
            let before: i64 = max_id(&txn, backend, "orders").await?;
            let at = |i: &str| at_expression(backend, start, seconds, count, i);
            let sql = format!(
                "{series} INSERT INTO orders (checkout_id, buyer_id, shop_id, idempotency_key, \
                 status, fulfilment, payment_method, delivery_region_id, goods_fen, shipping_fen, \
                 total_fen, placed_at, updated_at) \
                 SELECT 'load-' || CAST(g.i AS VARCHAR(20)), {buyer}, s.id, \
                 'load-{before}-' || CAST(g.i AS VARCHAR(20)), \
                 CASE WHEN g.i % 25 = 0 THEN 'cancelled' WHEN g.i % 40 = 1 THEN 'refunded' \
                 ELSE 'completed' END, 'home', 'online', p.id, \
                 2000 + (g.i * 37) % 30000, 0, 2000 + (g.i * 37) % 30000, {placed}, {placed} \
                 FROM g JOIN load_shops s ON s.k = g.i % {shops} \
                 JOIN load_places p ON p.k = (g.i * 7919) % {places}",
                series = series(backend, written, end),
                placed = at("g.i"),
            );
            txn.execute_raw(Statement::from_string(backend, sql))
                .await?;
            let lines = format!(
                "INSERT INTO order_lines (order_id, variant_id, product_id, name, unit, quantity, \
                 unit_price_fen, line_fen, price_policy, tolerance_bp) \
                 SELECT o.id, s.variant_id, s.product_id, s.name, 'jin', 1, o.goods_fen, \
                 o.goods_fen, 'fixed', 0 FROM orders o JOIN load_shops s ON s.id = o.shop_id \
                 WHERE o.id > {before}"
            );
            txn.execute_raw(Statement::from_string(backend, lines))
                .await?;
            txn.commit().await?;
            written = end;
            progress(written);
        }
        for table in ["load_shops", "load_places"] {
            self.db
                .execute_unprepared(&format!("DROP TABLE {table}"))
                .await?;
        }
        Ok(written)
    }

    /// The ids of the shops in the villages under `under`, and of those villages.
    pub async fn shops_and_villages_under(
        &self,
        under: &RegionPath,
    ) -> Result<(Vec<i64>, Vec<i64>)> {
        let backend = self.db.get_database_backend();
        let shops = self
            .ids(
                backend,
                &format!(
                    "SELECT s.id FROM shops s JOIN regions r ON r.id = s.village_id \
                     WHERE {} ORDER BY s.id",
                    self.under("r.path", under)
                ),
            )
            .await?;
        let villages = self
            .ids(
                backend,
                &format!(
                    "SELECT id FROM regions WHERE level = 'village' AND {} ORDER BY id",
                    self.under("path", under)
                ),
            )
            .await?;
        Ok((shops, villages))
    }

    /// Numbers `shops` (each with what its orders sell: its own first variant, else one of
    /// all the variants in turn) and `places` (tables `load_shops`, `load_places` keyed by `k`
    /// from 0) for the orders to pick from by a remainder. False when there is no variant.
    async fn pick_tables(&self, shops: &[i64], places: &[i64]) -> Result<bool> {
        let backend = self.db.get_database_backend();
        let variants: Vec<(i64, i64, i64, String)> = self
            .db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT v.id, v.product_id, p.shop_id, t.name FROM variants v \
                 JOIN products p ON p.id = v.product_id \
                 JOIN product_texts t ON t.product_id = v.product_id AND t.language = 'zh-CN' \
                 ORDER BY v.id",
            ))
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("", "id")?,
                    row.try_get("", "product_id")?,
                    row.try_get("", "shop_id")?,
                    row.try_get("", "name")?,
                ))
            })
            .collect::<Result<_>>()?;
        if variants.is_empty() {
            return Ok(false);
        }
        let sells = |k: usize, shop: i64| {
            let (v, p, _, name) = variants
                .iter()
                .find(|v| v.2 == shop)
                .unwrap_or(&variants[k % variants.len()]);
            format!("{shop}, {v}, {p}, '{}'", name.replace('\'', "''"))
        };
        let tables: [(&str, &str, Vec<String>); 2] = [
            (
                "load_shops",
                "id BIGINT NOT NULL, variant_id BIGINT NOT NULL, product_id BIGINT NOT NULL, \
                 name VARCHAR(128) NOT NULL",
                numbered(shops.iter().enumerate().map(|(k, id)| sells(k, *id))),
            ),
            (
                "load_places",
                "id BIGINT NOT NULL",
                numbered(places.iter().map(|id| id.to_string())),
            ),
        ];
        for (table, columns, rows) in tables {
            self.db
                .execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
            self.db
                .execute_unprepared(&format!(
                    "CREATE TABLE {table} (k BIGINT PRIMARY KEY, {columns})"
                ))
                .await?;
            for chunk in rows.chunks(500) {
                self.db
                    .execute_unprepared(&format!("INSERT INTO {table} VALUES {}", chunk.join(", ")))
                    .await?;
            }
        }
        self.db
            .execute_unprepared("CREATE INDEX load_shops_id ON load_shops (id)")
            .await?;
        Ok(true)
    }

    async fn ids(&self, backend: DatabaseBackend, select: &str) -> Result<Vec<i64>> {
        self.db
            .query_all_raw(Statement::from_string(backend, select))
            .await?
            .iter()
            .map(|row| Ok(row.try_get("", "id")?))
            .collect()
    }
}

fn mark(backend: DatabaseBackend, n: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// `(k, values)` rows numbering `values` from 0.
fn numbered(values: impl Iterator<Item = String>) -> Vec<String> {
    values
        .enumerate()
        .map(|(k, v)| format!("({k}, {v})"))
        .collect()
}

/// A `WITH` naming `g(i)` the numbers `from..until`.
fn series(backend: DatabaseBackend, from: u64, until: u64) -> String {
    match backend {
        DatabaseBackend::Postgres => format!(
            "WITH g AS (SELECT generate_series({from}::bigint, {}::bigint) AS i)",
            until - 1
        ),
        _ => format!(
            "WITH RECURSIVE g(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM g WHERE i < {})",
            until - 1
        ),
    }
}

/// The time of the `i`th of `count` orders spread over `seconds` from the Unix time `start`,
/// whole seconds, stored as each backend stores a timestamp (SQLite: RFC 3339 text).
fn at_expression(
    backend: DatabaseBackend,
    start: i64,
    seconds: i64,
    count: u64,
    i: &str,
) -> String {
    let offset = format!("CAST({i} AS BIGINT) * {seconds} / {}", count.max(1));
    match backend {
        DatabaseBackend::Postgres => format!("to_timestamp({start} + {offset})"),
        _ => format!("strftime('%Y-%m-%dT%H:%M:%S+00:00', {start} + {offset}, 'unixepoch')"),
    }
}

async fn max_id(txn: &impl ConnectionTrait, backend: DatabaseBackend, table: &str) -> Result<i64> {
    let row = txn
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS id FROM {table}"),
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "id")?,
        None => 0,
    })
}
