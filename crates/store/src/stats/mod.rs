//! The county's statistics (issue 18): online retail sales (goods sold out of a region's shops)
//! and online consumption (goods bought into a region) by month, place and category, read from
//! the rollups (`rollups`), never from the orders. A region is given by its path: everything
//! under it counts.

mod rollups;
mod taobao;

use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionPath;
use sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, Statement, Value};
use serde::Serialize;

use crate::{Result, Store};

pub use rollups::{CHANGES_PER_REFRESH, StatsRefresh};
pub use taobao::{MAX_HOUSEHOLDS, VillageYear};

/// Which way the goods went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Sold by the region's shops (online retail sales).
    Sales,
    /// Bought into the region (online consumption).
    Purchases,
}

impl Flow {
    fn table(self) -> &'static str {
        match self {
            Flow::Sales => "sales_months",
            Flow::Purchases => "purchase_months",
        }
    }
}

/// Orders and their goods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub orders: i64,
    pub goods: Fen,
}

impl Figures {
    pub fn add(&mut self, other: Figures) {
        self.orders = self.orders.saturating_add(other.orders);
        self.goods = Fen(self.goods.0.saturating_add(other.goods.0));
    }

    /// The average order (nothing when there were none).
    pub fn average(&self) -> Fen {
        if self.orders == 0 {
            Fen(0)
        } else {
            Fen(self.goods.0 / self.orders)
        }
    }
}

/// A county's depth in the tree (country, province, prefecture, county).
const COUNTY_DEPTH: usize = 4;

/// The rollups' rows of every category together (the partial index of migration 41).
const TOTALS: &str = "category_id = 0";

/// Months as `YYYY-MM`, both ends included.
pub type Months<'a> = (&'a str, &'a str);

impl Store {
    /// The condition "`column` holds a path under `path`" in a form an index answers: `GLOB`
    /// on SQLite (its `LIKE` ignores case, so no index serves it), `LIKE` on PostgreSQL (served
    /// by the pattern indexes of migration 38). The path is written into the text: a
    /// [`RegionPath`] holds only digits and slashes.
    pub(crate) fn under(&self, column: &str, path: &RegionPath) -> String {
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => format!("{column} LIKE '{}%'", path.as_str()),
            _ => format!("{column} GLOB '{}*'", path.as_str()),
        }
    }

    /// On SQLite, the index `flow`'s months are read by: for one month, by month then place
    /// (one short range); for several, for a county or a place under one, by place first (a
    /// county's rows are a twentieth of a province's, where the months' index would read every
    /// place's months), and the totals (`category` 0) from the partial index that holds their
    /// figures, without the table. SQLite keeps no statistics unless asked; PostgreSQL chooses
    /// by its own (and reads the same partial index only).
    fn path_first(
        &self,
        flow: Flow,
        path: &RegionPath,
        months: Months<'_>,
        category: &str,
    ) -> String {
        match self.db.get_database_backend() {
            DatabaseBackend::Sqlite if months.0 == months.1 => {
                format!("INDEXED BY idx_{}_month_path", flow.table())
            }
            DatabaseBackend::Sqlite if path.depth() >= COUNTY_DEPTH && category == TOTALS => {
                format!("INDEXED BY idx_{}_totals", flow.table())
            }
            DatabaseBackend::Sqlite if path.depth() >= COUNTY_DEPTH => {
                format!("INDEXED BY idx_{}_path", flow.table())
            }
            _ => String::new(),
        }
    }

    fn marks(&self, count: usize) -> Vec<String> {
        (1..=count)
            .map(|n| match self.db.get_database_backend() {
                DatabaseBackend::Postgres => format!("${n}"),
                _ => "?".to_owned(),
            })
            .collect()
    }

    /// Rows of `select` (the key column first, then orders and goods) from `flow`'s months
    /// within `path` over `months`, grouped by the key, with `category` the condition on it.
    async fn grouped(
        &self,
        flow: Flow,
        (key, category): (&str, &str),
        path: &RegionPath,
        months: Months<'_>,
    ) -> Result<Vec<QueryResult>> {
        let m = self.marks(2);
        // Cast: PostgreSQL sums big integers as numerics.
        let sql = format!(
            "SELECT {key} AS k, CAST(SUM(orders) AS BIGINT) AS orders, \
             CAST(SUM(goods_fen) AS BIGINT) AS goods FROM {} {} \
             WHERE {} AND month >= {} AND month <= {} AND {category} \
             GROUP BY {key} ORDER BY {key}",
            flow.table(),
            self.path_first(flow, path, months, category),
            self.under("region_path", path),
            m[0],
            m[1]
        );
        let values: Vec<Value> = vec![months.0.into(), months.1.into()];
        let backend = self.db.get_database_backend();
        Ok(self
            .db
            .query_all_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?)
    }

    async fn by_text(
        &self,
        flow: Flow,
        key: (&str, &str),
        path: &RegionPath,
        months: Months<'_>,
    ) -> Result<Vec<(String, Figures)>> {
        self.grouped(flow, key, path, months)
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<String>("", "k")?, figures(row)?)))
            .collect()
    }

    /// Each month's totals of `flow` within `path` (months without any are left out).
    pub async fn stats_months(
        &self,
        flow: Flow,
        path: &RegionPath,
        months: Months<'_>,
    ) -> Result<Vec<(String, Figures)>> {
        self.by_text(flow, ("month", TOTALS), path, months).await
    }

    /// The totals of `flow` within `path` over `months` by the path of the place (the shop's
    /// village, or the region bought into).
    pub async fn stats_places(
        &self,
        flow: Flow,
        path: &RegionPath,
        months: Months<'_>,
    ) -> Result<Vec<(String, Figures)>> {
        self.by_text(flow, ("region_path", TOTALS), path, months)
            .await
    }

    /// The totals of `flow` within `path` over `months` by place and month (path, month,
    /// figures), the places and months in order: the sales of every village by month.
    pub async fn stats_grid(
        &self,
        flow: Flow,
        path: &RegionPath,
        months: Months<'_>,
    ) -> Result<Vec<(String, String, Figures)>> {
        // One key for both: a path never holds a space.
        let key = "region_path || ' ' || month";
        self.by_text(flow, (key, TOTALS), path, months)
            .await?
            .into_iter()
            .map(|(k, figures)| match k.split_once(' ') {
                Some((place, month)) => Ok((place.to_owned(), month.to_owned(), figures)),
                None => Err(crate::Error::Corrupt(format!("a rollup key {k}"))),
            })
            .collect()
    }

    /// The goods of `flow` within `path` over `months` by category (orders counted in each
    /// category they bought from).
    pub async fn stats_categories(
        &self,
        flow: Flow,
        path: &RegionPath,
        months: Months<'_>,
    ) -> Result<Vec<(i64, Figures)>> {
        self.grouped(flow, ("category_id", "category_id <> 0"), path, months)
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<i64>("", "k")?, figures(row)?)))
            .collect()
    }

    /// Live rooms' sales within `path` over `months`.
    pub async fn stats_live(&self, path: &RegionPath, months: Months<'_>) -> Result<Figures> {
        let rows = self
            .grouped(
                Flow::Sales,
                ("category_id", "category_id = 0 AND live = TRUE"),
                path,
                months,
            )
            .await?;
        let mut all = Figures::default();
        for row in &rows {
            all.add(figures(row)?);
        }
        Ok(all)
    }

    /// The shops within `path` open on `month`'s last day, those of them active in it (open 30
    /// days or more by then and with at least one order in the month), and those opened in it.
    pub async fn active_shops(&self, path: &RegionPath, month: &str) -> Result<(i64, i64, i64)> {
        use farmgate_domain::stations::till::LedgerMonth;
        let parsed = LedgerMonth::parse(month)?;
        let (start, end) = (parsed.first.bounds().0, parsed.end().bounds().0);
        let backend = self.db.get_database_backend();
        let m = self.marks(2);
        let sql = format!(
            "SELECT COUNT(*) AS open, \
             CAST(COALESCE(SUM(CASE WHEN s.opened_at >= {} THEN 1 ELSE 0 END), 0) AS BIGINT) \
             AS opened FROM shops s JOIN regions r ON r.id = s.village_id \
             WHERE {} AND s.opened_at < {}",
            m[0],
            self.under("r.path", path),
            m[1]
        );
        let values: Vec<Value> = vec![start.into(), end.into()];
        let shops = self
            .db
            .query_one_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?;
        let (open, opened) = match shops {
            Some(row) => (row.try_get("", "open")?, row.try_get("", "opened")?),
            None => (0, 0),
        };
        // The month's rows of the places under `path`: one range of the month-then-path index.
        let sql = format!(
            "SELECT COUNT(DISTINCT m.shop_id) AS active FROM sales_months m {} \
             JOIN shops s ON s.id = m.shop_id \
             WHERE m.month = {} AND {} AND m.category_id = 0 AND m.orders > 0 \
             AND s.opened_at <= {}",
            self.path_first(Flow::Sales, path, (month, month), TOTALS),
            m[0],
            self.under("m.region_path", path),
            m[1]
        );
        let values: Vec<Value> = vec![month.into(), (end - chrono::Duration::days(30)).into()];
        let active = self
            .db
            .query_one_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?
            .map(|row| row.try_get("", "active"))
            .transpose()?
            .unwrap_or(0);
        Ok((open, active, opened))
    }

    /// Every row of the rollups, in a fixed order: what a test compares against a rebuild.
    pub async fn stats_rows(&self) -> Result<Vec<String>> {
        let backend = self.db.get_database_backend();
        let mut all = Vec::new();
        for (table, key, period) in [
            ("sales_days", "shop_id", "day"),
            ("sales_months", "shop_id", "month"),
            ("purchase_days", "region_id", "day"),
            ("purchase_months", "region_id", "month"),
        ] {
            let sql = format!(
                "SELECT {period} AS p, {key} AS k, region_path, category_id, orders, \
                 goods_fen FROM {table} ORDER BY {period}, {key}, category_id, orders, goods_fen"
            );
            for row in self
                .db
                .query_all_raw(Statement::from_string(backend, sql))
                .await?
            {
                all.push(format!(
                    "{table} {} {} {} {} {} {}",
                    row.try_get::<String>("", "p")?,
                    row.try_get::<i64>("", "k")?,
                    row.try_get::<String>("", "region_path")?,
                    row.try_get::<i64>("", "category_id")?,
                    row.try_get::<i64>("", "orders")?,
                    row.try_get::<i64>("", "goods_fen")?,
                ));
            }
        }
        Ok(all)
    }
}

fn figures(row: &QueryResult) -> Result<Figures> {
    Ok(Figures {
        orders: row.try_get("", "orders")?,
        goods: Fen(row.try_get("", "goods")?),
    })
}

/// A region's stations in a month: how many there are, how many took in or handed over a parcel,
/// and how many of its villages have one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StationsMonth {
    pub stations: i64,
    pub active: i64,
    pub parcels_received: i64,
    pub parcels_handed: i64,
    pub villages: i64,
    pub villages_with_station: i64,
}

impl Store {
    /// The stations under `path` in `month` (see [`StationsMonth`]).
    pub async fn stations_month(&self, path: &RegionPath, month: &str) -> Result<StationsMonth> {
        use farmgate_domain::stations::till::LedgerMonth;
        let month = LedgerMonth::parse(month)?;
        let (start, end) = (month.first.bounds().0, month.end().bounds().0);
        let backend = self.db.get_database_backend();
        let m = self.marks(4);
        let under = self.under("r.path", path);
        let sql = format!(
            "SELECT COUNT(*) AS stations, COUNT(a.station_id) AS active, \
             CAST(COALESCE(SUM(a.received), 0) AS BIGINT) AS received, \
             CAST(COALESCE(SUM(a.handed), 0) AS BIGINT) AS handed, \
             COUNT(DISTINCT CASE WHEN r.level = 'village' THEN r.id END) AS covered \
             FROM stations s JOIN regions r ON r.id = s.region_id \
             LEFT JOIN (SELECT station_id, \
               SUM(CASE WHEN received_at >= {a} AND received_at < {b} THEN 1 ELSE 0 END) AS received, \
               SUM(CASE WHEN handed_at >= {c} AND handed_at < {d} THEN 1 ELSE 0 END) AS handed \
               FROM station_parcels GROUP BY station_id) a \
             ON a.station_id = s.id AND (a.received > 0 OR a.handed > 0) \
             WHERE {under}",
            a = m[0],
            b = m[1],
            c = m[2],
            d = m[3],
        );
        let values: Vec<Value> = vec![start.into(), end.into(), start.into(), end.into()];
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?;
        let mut month = StationsMonth::default();
        if let Some(row) = row {
            month.stations = row.try_get("", "stations")?;
            month.active = row.try_get("", "active")?;
            month.parcels_received = row.try_get("", "received")?;
            month.parcels_handed = row.try_get("", "handed")?;
            month.villages_with_station = row.try_get("", "covered")?;
        }
        month.villages = self
            .regions_under(path, farmgate_domain::regions::RegionLevel::Village)
            .await?
            .len() as i64;
        Ok(month)
    }
}
