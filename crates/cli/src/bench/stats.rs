//! `farmgate bench stats` (issue 18): a province's orders over three years, loaded in bulk
//! (places, shops, then orders and their lines written set-based), the rollups rebuilt from
//! nothing, then the sales of every village of a county by month read straight from the store
//! and the county's dashboard (page and API) served by a real `farmgate serve`, p50/p99 next
//! to the same server's bare route.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{Months, Utc};
use farmgate_domain::accounts::LoginId;
use farmgate_store::Store;
use farmgate_store::demo::bench_stats::BenchPlaces;
use farmgate_store::stats::Flow;

use super::live::postgres_url;
use super::{ms, open, percentile, progress, start_server};

/// Settings of `farmgate bench stats`.
#[derive(Debug, clap::Args)]
pub struct StatsBench {
    /// Orders to load.
    #[arg(long, default_value_t = 10_000_000)]
    pub orders: u64,
    /// Counties added under Ili (8 townships of 12 villages each).
    #[arg(long, default_value_t = 20)]
    pub counties: usize,
    /// Shops in every village of Xinjiang.
    #[arg(long, default_value_t = 8)]
    pub shops_per_village: usize,
    /// Requests per query and page, one at a time.
    #[arg(long, default_value_t = 50)]
    pub requests: usize,
    /// Run on PostgreSQL (a fresh schema in this database) instead of SQLite.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
}

/// The bench's places: `counties` counties of 8 townships of 12 villages under Ili.
const TOWNSHIPS: usize = 8;
const VILLAGES: usize = 12;

pub async fn stats(bench: StatsBench) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, schema) = open(bench.postgres.as_deref(), &dir).await?;
    super::seed_places(&store).await?;
    store.load_demo_catalog().await?;
    let county = load(&store, &bench).await?;
    let db = if schema.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "{} requests each (ten for the province), one at a time, on {db}",
        bench.requests
    );
    println!("{:<52} {:>10} {:>10} {:>9}", "what", "p50", "p99", "size");
    let now = LedgerMonthText::now();
    let months = (now.three_years_ago.as_str(), now.this.as_str());
    let mut worst = Duration::ZERO;
    for (name, path) in [
        ("store: sales by village by month, a county", &county.path),
        (
            "store: sales by village by month, the province",
            &store.region_by_code("xinjiang").await?.path,
        ),
    ] {
        // The province's figures are for reference: ten of them say enough.
        let requests = if path == &county.path {
            bench.requests
        } else {
            bench.requests.min(10)
        };
        let mut times = Vec::with_capacity(requests);
        let mut rows = 0;
        for n in 0..=requests {
            let started = Instant::now();
            rows = store.stats_grid(Flow::Sales, path, months).await?.len();
            if n > 0 {
                times.push(started.elapsed());
            }
        }
        times.sort();
        if path == &county.path {
            worst = worst.max(percentile(&times, 0.99));
        }
        print_row(name, &times, &format!("{rows} rows"));
    }
    worst = worst.max(serve(&store, &bench, schema.as_deref(), &dir, &county).await?);
    println!("slowest county figure p99: {}; goal 200 ms", ms(worst));
    if let Some(schema) = &schema {
        store.drop_schema_for_bench(schema).await?;
    }
    store.close().await?;
    Ok(())
}

/// This month and the month three years before it, as `YYYY-MM`.
struct LedgerMonthText {
    this: String,
    three_years_ago: String,
}

impl LedgerMonthText {
    fn now() -> LedgerMonthText {
        let today = Utc::now();
        let then = today - Months::new(35);
        LedgerMonthText {
            this: today.format("%Y-%m").to_string(),
            three_years_ago: then.format("%Y-%m").to_string(),
        }
    }
}

fn print_row(name: &str, sorted: &[Duration], size: &str) {
    println!(
        "{name:<52} {:>10} {:>10} {size:>9}",
        ms(percentile(sorted, 0.5)),
        ms(percentile(sorted, 0.99))
    );
}

/// Loads the places, shops and orders, rebuilds the rollups; returns the first bench county.
async fn load(store: &Store, bench: &StatsBench) -> Result<farmgate_store::regions::Region> {
    let places = BenchPlaces {
        counties: bench.counties,
        townships: TOWNSHIPS,
        villages: VILLAGES,
    };
    let started = Instant::now();
    let bar = progress((bench.counties * TOWNSHIPS * VILLAGES) as u64, "villages");
    let counties = store
        .load_bench_places("ili", places, &|n| bar.set_position(n))
        .await?;
    bar.finish_and_clear();
    let county = counties.first().context("no county")?.clone();
    let province = store.region_by_code("xinjiang").await?;
    let now = Utc::now();
    let from = now - Months::new(36);
    // Shops opened over the three years, a few each quarter.
    let opened: Vec<_> = (0..12)
        .map(|q| from - chrono::Duration::days(31) + Months::new(3 * q))
        .collect();
    let shops = store
        .load_bench_shops(&province.path, bench.shops_per_village, &opened)
        .await?;
    println!(
        "places: {} counties, {} villages; {shops} shops (in {:.1} s)",
        bench.counties,
        bench.counties * TOWNSHIPS * VILLAGES,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let bar = progress(bench.orders, "orders");
    let (shop_ids, villages) = store.shops_and_villages_under(&province.path).await?;
    let buyer = store
        .account_by_login(&LoginId::parse("buyer").map_err(|e| anyhow::anyhow!("{e}"))?)
        .await?
        .context("the demo buyer")?
        .id;
    let written = store
        .load_bench_orders(
            (buyer, &shop_ids, &villages),
            bench.orders,
            (from, now),
            &|n| bar.set_position(n),
        )
        .await?;
    bar.finish_and_clear();
    let took = started.elapsed().as_secs_f64();
    println!(
        "orders: {written} over three years with a line each, loaded in {took:.1} s ({:.0} orders/s)",
        written as f64 / took.max(1e-3)
    );
    let started = Instant::now();
    store.rebuild_stats().await?;
    println!(
        "rollups rebuilt from nothing in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // As after loading the demo: the products' sales counts once over, so the server's passes
    // count only what changes.
    let started = Instant::now();
    store.refresh_sales_counts().await?;
    println!(
        "sales counts of every product in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(county)
}

/// Serves the database and times the county's dashboard and its API against the bare route;
/// returns the slower p99.
async fn serve(
    store: &Store,
    bench: &StatsBench,
    schema: Option<&str>,
    dir: &tempfile::TempDir,
    county: &farmgate_store::regions::Region,
) -> Result<Duration> {
    let admin = store
        .account_by_login(&LoginId::parse("admin").map_err(|e| anyhow::anyhow!("{e}"))?)
        .await?
        .context("the demo administrator")?;
    let token = store.issue_api_token(admin.id).await?;
    let url = postgres_url(bench.postgres.as_deref(), schema, dir);
    let mut server = start_server(&url, dir.path()).await?;
    let client = reqwest::Client::new();
    let code = county.code.as_str();
    let mut worst = Duration::ZERO;
    for (path, measured) in [
        ("/healthz".to_owned(), false),
        (format!("/centre/stats?region={code}"), true),
        (format!("/api/v1/stats?region={code}"), true),
        ("/centre/stats?region=xinjiang".to_owned(), false),
    ] {
        let requests = if measured || path == "/healthz" {
            bench.requests
        } else {
            bench.requests.min(10)
        };
        let (p50, p99, bytes) =
            super::measure(&client, &server.base, &path, &token, requests).await?;
        if measured {
            worst = worst.max(p99);
        }
        println!(
            "{:<52} {:>10} {:>10} {:>9}",
            format!("GET {path}"),
            ms(p50),
            ms(p99),
            format!("{bytes} B")
        );
    }
    let _ = server.child.kill().await;
    Ok(worst)
}
