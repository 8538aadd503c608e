//! `farmgate bench`: benchmarks that print their figures. Each runs a real server on this
//! machine (port 0, a fresh database) and drives it over keep-alive HTTP: `checkout` (API
//! checkouts of one hot product), `search` (a million generated products), `live` (a
//! livestream burst and the chat's fan-out, against `farmgate serve` children), `training`
//! (the centre's training pages), `stations` (a county's network, its health and ledger),
//! `parcels` (the distribution centre's scans) and `routes` (Solomon's routing instances, no
//! server). What they share is here.

mod checkout;
mod live;
mod parcels;
mod profile;
mod routes;
mod search;
mod stations;
mod stats;
mod training;

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use farmgate_domain::accounts::LoginId;
use farmgate_domain::catalog::{PricePolicy, ProductStatus, Unit, VariantSpec};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_store::Store;
use farmgate_store::catalog::{NewProduct, ProductDetails, ProductText};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub use checkout::{CheckoutBench, checkout};
pub use live::{ChatFanout, LiveBurst, chat_fanout, live_burst};
pub use parcels::{ParcelsBench, parcels};
pub use routes::{RoutesBench, routes};
pub use search::search;
pub use stations::{StationsBench, stations};
pub use stats::{StatsBench, stats};
pub use training::{TrainingPages, training_pages};

/// Opens the benchmark's database: a temporary SQLite file, or a fresh PostgreSQL schema.
pub(crate) async fn open(
    postgres: Option<&str>,
    dir: &tempfile::TempDir,
) -> Result<(Store, Option<String>)> {
    match postgres {
        None => {
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            Ok((Store::connect(&url).await?, None))
        }
        Some(url) => {
            let schema = format!("fgbench_{}", rand::random::<u32>());
            let admin = farmgate_store::Store::connect_postgres(url, None).await?;
            admin.create_schema_for_bench(&schema).await?;
            admin.close().await?;
            Ok((
                Store::connect_postgres(url, Some(&schema)).await?,
                Some(schema),
            ))
        }
    }
}

/// The demo accounts' password hash in the benchmarks: nobody signs in with a password there
/// (clients get API tokens directly), so no real hash is computed.
pub(crate) const BENCH_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0$YmVuY2hoYXNoYmVuY2hoYXNo";

/// Migrates the fresh database and loads the demo places, accounts and stations.
pub(crate) async fn seed_places(store: &Store) -> Result<()> {
    store.migrate().await?;
    store.load_demo_regions(&|| {}).await?;
    store.load_demo_accounts(BENCH_HASH).await?;
    store.load_demo_stations().await?;
    Ok(())
}

/// What the benchmarks sell: the demo places and accounts, and one listed walnut variant
/// with `stock` units in the shop of Huixian's demo host.
pub(crate) struct HotWalnuts {
    pub shop: farmgate_store::shops::Shop,
    pub nuts: farmgate_store::catalog::Category,
    pub host_id: i64,
    pub variant_id: i64,
    /// A demo station in Huixian, to pick up at.
    pub station_id: i64,
}

/// Migrates the fresh database and stages [`HotWalnuts`].
pub(crate) async fn hot_walnuts(store: &Store, name: &str, stock: i64) -> Result<HotWalnuts> {
    seed_places(store).await?;
    store.load_demo_catalog().await?;
    let station = store
        .stations_within(&store.region_by_code("huixian").await?.path)
        .await?
        .into_iter()
        .next()
        .context("a demo station in Huixian")?
        .id;
    let host_id = store
        .account_by_login(&LoginId::parse("huixian-host").map_err(|e| anyhow::anyhow!("{e}"))?)
        .await?
        .context("demo host")?
        .id;
    let shop = store
        .shops_of_member(host_id)
        .await?
        .into_iter()
        .next()
        .context("the demo shop")?;
    let nuts = store
        .categories()
        .await?
        .into_iter()
        .find(|c| c.code == "nuts")
        .context("category")?;
    let product = store
        .create_product(NewProduct {
            shop_id: shop.id,
            status: ProductStatus::Listed,
            variants: vec![
                VariantSpec::new(Unit::Bag, Some(1000), Fen(3800), stock, PricePolicy::Fixed)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            ],
            details: ProductDetails {
                category_id: nuts.id,
                origin_id: shop.village_id,
                organic_certificate: None,
                tags: vec![],
                texts: vec![ProductText {
                    language: Language::ZhCn,
                    name: name.to_owned(),
                    story: String::new(),
                }],
                code: None,
            },
        })
        .await?;
    Ok(HotWalnuts {
        variant_id: product.variants[0].id,
        shop,
        nuts,
        host_id,
        station_id: station,
    })
}

/// A `farmgate serve` child process and the address it serves.
pub(crate) struct Server {
    pub child: Child,
    pub base: String,
}

/// Starts `farmgate serve` on a free port against `url` and waits for its address.
pub(crate) async fn start_server(url: &str, data_dir: &std::path::Path) -> Result<Server> {
    // `FARMGATE_BENCH_SERVER_LOG=sqlx::query=debug` shows what the served requests run, with
    // their times, on the bench's own standard error.
    let log = std::env::var("FARMGATE_BENCH_SERVER_LOG").ok();
    let mut child = Command::new(std::env::current_exe()?)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("FARMGATE_DATABASE_URL", url)
        .env("FARMGATE_DATA_DIR", data_dir)
        // Every simulated viewer connects from this machine.
        .env("FARMGATE_WEBSOCKETS_PER_ADDRESS", "1000000")
        .env("FARMGATE_METRICS_TOKEN", profile::METRICS_TOKEN)
        .env("RUST_LOG", log.as_deref().unwrap_or("error"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if log.is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("the server's output")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.split("running at ").nth(1) {
                return Ok::<_, anyhow::Error>(rest.trim().trim_end_matches('/').to_owned());
            }
        }
        bail!("the server stopped before it served")
    })
    .await
    .context("the server did not start within a minute")??;
    // Keep reading its output so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Server { child, base })
}

/// Requests per second of `GET /healthz` (the same middleware as every route) from
/// `concurrency` clients over `window`, spread over the servers.
async fn bare_rate(
    client: &reqwest::Client,
    bases: &[String],
    concurrency: usize,
    window: Duration,
) -> Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..concurrency {
        let client = client.clone();
        let url = format!("{}/healthz", bases[n % bases.len()]);
        tasks.push(tokio::spawn(async move {
            let mut count = 0u64;
            while started.elapsed() < window {
                if client
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    count += 1;
                }
            }
            count
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await?;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// What the clients of a burst saw: latencies of accepted and refused orders, errors, the
/// ids of accepted orders (to look for afterwards) and when the last was accepted.
#[derive(Default)]
struct Tally {
    accepted: Vec<Duration>,
    refused: Vec<Duration>,
    errors: usize,
    ids: Vec<i64>,
    last_accept: Option<Instant>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.accepted.extend(other.accepted);
        self.refused.extend(other.refused);
        self.errors += other.errors;
        self.ids.extend(other.ids);
        self.last_accept = self.last_accept.max(other.last_accept);
    }

    /// Prints the figures of a burst that sold for `selling`, against the bare route's rate.
    fn print(&mut self, bare: f64, selling: Duration) {
        self.accepted.sort();
        self.refused.sort();
        let order_rate = self.accepted.len() as f64 / selling.as_secs_f64().max(1e-3);
        println!("bare route:     {bare:.0} req/s");
        println!(
            "orders:         {} accepted in {:.2} s = {order_rate:.0} orders/s; {} refused (sold out); {} errors",
            self.accepted.len(),
            selling.as_secs_f64(),
            self.refused.len(),
            self.errors
        );
        for (name, times) in [("accepted:", &self.accepted), ("refused:", &self.refused)] {
            println!(
                "{name:<15} p50 {}  p99 {}  p999 {}",
                ms(percentile(times, 0.5)),
                ms(percentile(times, 0.99)),
                ms(percentile(times, 0.999))
            );
        }
        println!(
            "ratio orders/s : bare req/s = {:.3}",
            order_rate / bare.max(1.0)
        );
    }
}

/// A bar of `len` steps named `what`.
pub(crate) fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len).with_message(what.to_owned());
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Counts one order's answer (an API checkout or a live tap); false once the buyer was told it
/// sold out. A failed request waits a moment before the next.
async fn tap(
    answer: reqwest::Result<reqwest::Response>,
    took: Duration,
    tally: &mut Tally,
    bar: &ProgressBar,
) -> bool {
    match answer {
        // 201 placed; 200 placed before under this key (an answer lost to a killed server).
        Ok(r) if matches!(r.status().as_u16(), 200 | 201) => {
            if let Ok(v) = r.json::<serde_json::Value>().await
                // A tap answers with its order's id; a checkout with its orders.
                && let Some(id) = v["order_id"].as_i64().or(v["orders"][0]["id"].as_i64())
            {
                tally.accepted.push(took);
                tally.ids.push(id);
                tally.last_accept = Some(Instant::now());
                bar.inc(1);
            } else {
                tally.errors += 1;
            }
            true
        }
        Ok(r) if r.status().as_u16() == 409 => {
            tally.refused.push(took);
            false
        }
        _ => {
            tally.errors += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            true
        }
    }
}

/// p50, p99 and the size of `path` over `requests` requests one at a time (after one unmeasured
/// request: the server's first answer warms its caches).
pub(crate) async fn measure(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    token: &str,
    requests: usize,
) -> Result<(Duration, Duration, usize)> {
    let mut times = Vec::with_capacity(requests);
    let mut bytes = 0;
    for n in 0..=requests {
        let started = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("{path} answered {}", response.status());
        }
        bytes = response.bytes().await?.len();
        if n > 0 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    Ok((percentile(&times, 0.5), percentile(&times, 0.99), bytes))
}
