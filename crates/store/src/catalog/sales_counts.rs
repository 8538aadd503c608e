//! Products' sales counts (the "best sellers" sort: units in orders neither cancelled nor
//! refunded), kept from the orders by the housekeeping loop rather than by the checkout path.
//! A pass counts again only the products of the orders changed since its mark (`stats_cursor`,
//! name `sales_counts`, looking back two minutes for transactions that committed late); the
//! first pass counts every product. Years of orders cost a pass nothing they did not change.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect,
    Statement, Value,
};

use super::entity::product;
use crate::{Result, Store};

const MARK: &str = "sales_counts";
const LOOK_BACK_SECONDS: i64 = 120;
/// Products counted per statement.
const CHUNK: usize = 1000;

impl Store {
    /// Brings the sales counts up to date (see the module); answers the products whose count
    /// changed (for the search index).
    pub async fn refresh_sales_counts(&self) -> Result<Vec<i64>> {
        let backend = self.db.get_database_backend();
        let mark = self.sales_counts_mark().await?;
        let latest: Option<DateTime<Utc>> = self
            .db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT MAX(updated_at) AS latest FROM orders",
            ))
            .await?
            .map(|row| row.try_get("", "latest"))
            .transpose()?
            .flatten();
        let products: Vec<i64> = match mark {
            None => {
                product::Entity::find()
                    .select_only()
                    .column(product::Column::Id)
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
            Some(mark) => {
                let sql = format!(
                    "SELECT DISTINCT l.product_id FROM orders o \
                     JOIN order_lines l ON l.order_id = o.id WHERE o.updated_at > {}",
                    mark_of(backend, 1)
                );
                let since = mark - Duration::seconds(LOOK_BACK_SECONDS);
                self.db
                    .query_all_raw(Statement::from_sql_and_values(
                        backend,
                        &sql,
                        vec![since.into()],
                    ))
                    .await?
                    .iter()
                    .map(|row| row.try_get("", "product_id"))
                    .collect::<std::result::Result<_, _>>()?
            }
        };
        let mut changed = Vec::new();
        for chunk in products.chunks(CHUNK) {
            changed.extend(self.count_again(backend, chunk).await?);
        }
        if latest.is_some() && latest != mark {
            self.set_sales_counts_mark(latest).await?;
        }
        Ok(changed)
    }

    /// Counts `products` again and writes the counts that changed; answers those products.
    async fn count_again(&self, backend: DatabaseBackend, products: &[i64]) -> Result<Vec<i64>> {
        let marks: Vec<String> = (1..=products.len()).map(|n| mark_of(backend, n)).collect();
        let sql = format!(
            "SELECT l.product_id, CAST(SUM(l.quantity) AS BIGINT) AS sold FROM order_lines l \
             JOIN orders o ON o.id = l.order_id \
             WHERE o.status NOT IN ('cancelled', 'refunded') AND l.product_id IN ({}) \
             GROUP BY l.product_id",
            marks.join(", ")
        );
        let values: Vec<Value> = products.iter().map(|id| (*id).into()).collect();
        let sold: std::collections::HashMap<i64, i64> = self
            .db
            .query_all_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?
            .iter()
            .map(|row| Ok((row.try_get("", "product_id")?, row.try_get("", "sold")?)))
            .collect::<Result<_>>()?;
        let counts: Vec<(i64, i64)> = product::Entity::find()
            .select_only()
            .column(product::Column::Id)
            .column(product::Column::SalesCount)
            .filter(product::Column::Id.is_in(products.to_vec()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut changed = Vec::new();
        for (id, count) in counts {
            let now = sold.get(&id).copied().unwrap_or(0);
            if now != count {
                product::Entity::update_many()
                    .col_expr(
                        product::Column::SalesCount,
                        sea_orm::sea_query::Expr::value(now),
                    )
                    .filter(product::Column::Id.eq(id))
                    .exec(&self.db)
                    .await?;
                changed.push(id);
            }
        }
        Ok(changed)
    }

    async fn sales_counts_mark(&self) -> Result<Option<DateTime<Utc>>> {
        let backend = self.db.get_database_backend();
        let sql = format!(
            "SELECT seen_at FROM stats_cursor WHERE name = {}",
            mark_of(backend, 1)
        );
        Ok(self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                &sql,
                vec![MARK.into()],
            ))
            .await?
            .map(|row| row.try_get("", "seen_at"))
            .transpose()?)
    }

    async fn set_sales_counts_mark(&self, seen: Option<DateTime<Utc>>) -> Result<()> {
        let backend = self.db.get_database_backend();
        let txn = self.begin_write().await?;
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "DELETE FROM stats_cursor WHERE name = {}",
                mark_of(backend, 1)
            ),
            vec![MARK.into()],
        ))
        .await?;
        let sql = format!(
            "INSERT INTO stats_cursor (name, seen_at, refreshed_at, window_orders) \
             VALUES ({}, {}, {}, 0)",
            mark_of(backend, 1),
            mark_of(backend, 2),
            mark_of(backend, 3)
        );
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            vec![MARK.into(), seen.into(), Utc::now().into()],
        ))
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

fn mark_of(backend: DatabaseBackend, n: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}
