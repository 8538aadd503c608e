//! `farmgate bench checkout`: concurrent API checkouts of one hot product until it sells out,
//! through an in-process server.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use farmgate_domain::accounts::{DisplayName, LoginId};
use farmgate_domain::catalog::{PricePolicy, ProductStatus, Unit, VariantSpec};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_store::Store;
use farmgate_store::accounts::NewAccount;
use farmgate_store::catalog::{NewProduct, ProductDetails, ProductText};
use farmgate_web::{AppState, WebConfig};
use indicatif::{ProgressBar, ProgressStyle};

use super::profile::{self, METRICS_TOKEN, Scrape};
use super::{HotWalnuts, Tally, bare_rate, hot_walnuts, open, progress, tap};

/// Settings of `farmgate bench checkout`.
pub struct CheckoutBench {
    pub concurrency: usize,
    pub stock: i64,
    pub seconds: u64,
    /// A PostgreSQL URL to run on (a fresh schema is made and dropped); SQLite otherwise.
    pub postgres: Option<String>,
    /// The large catalogue size for the queries-per-checkout comparison (against 1,000).
    pub catalogue: usize,
    /// Print where a checkout's time goes (`profile.rs`).
    pub profile: bool,
}

/// A product of `shop` in `category` with one variant; `n` makes its name its own.
fn generated_product(
    shop: &farmgate_store::shops::Shop,
    category: i64,
    n: usize,
    stock: i64,
) -> Result<NewProduct> {
    const KINDS: [&str; 8] = [
        "核桃",
        "红枣",
        "枸杞",
        "杏干",
        "蜂蜜",
        "葡萄干",
        "巴旦木",
        "花椒",
    ];
    Ok(NewProduct {
        shop_id: shop.id,
        status: ProductStatus::Listed,
        variants: vec![
            VariantSpec::new(
                Unit::Bag,
                Some(500),
                Fen(1000 + (n as i64 % 9000)),
                stock,
                PricePolicy::Fixed,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        ],
        details: ProductDetails {
            category_id: category,
            origin_id: shop.village_id,
            organic_certificate: None,
            tags: vec![],
            texts: vec![ProductText {
                language: Language::ZhCn,
                name: format!("{}{n}号", KINDS[n % KINDS.len()]),
                story: String::new(),
            }],
            code: None,
        },
    })
}

/// Adds generated products until the catalogue holds `target`, a thousand per transaction.
async fn grow_catalogue(
    store: &Store,
    shop: &farmgate_store::shops::Shop,
    category: i64,
    target: usize,
) -> Result<()> {
    let have = store.product_count().await? as usize;
    if have >= target {
        return Ok(());
    }
    let bar = ProgressBar::new((target - have) as u64).with_message("catalogue");
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut n = have;
    while n < target {
        let batch: Vec<NewProduct> = (n..target.min(n + 1000))
            .map(|i| generated_product(shop, category, i, 10))
            .collect::<Result<_>>()?;
        store.create_products(&batch).await?;
        bar.inc(batch.len() as u64);
        n += batch.len();
    }
    bar.finish_and_clear();
    Ok(())
}

/// Statements the server runs for one API checkout, the notices it causes included (they are
/// written just after the answer, so each count waits for them): the least of three (a
/// background job may run a query during one of them).
async fn queries_per_checkout(
    client: &reqwest::Client,
    base: &str,
    store: &Store,
    token: &str,
    variant: i64,
    station: i64,
    round: usize,
) -> Result<u64> {
    let mut least = u64::MAX;
    let settle = std::time::Duration::from_millis(200);
    for attempt in 0..3 {
        tokio::time::sleep(settle).await;
        let before = store.statements_run();
        let response = client
            .post(format!("{base}/api/v1/orders"))
            .bearer_auth(token)
            .header("idempotency-key", format!("queries-{round}-{attempt}"))
            .json(&serde_json::json!({"items": [{"variant_id": variant, "quantity": 1}], "delivery": {"kind": "pickup", "station": station.to_string()}, "payment": "cash"}))
            .send()
            .await?;
        tokio::time::sleep(settle).await;
        let after = store.statements_run();
        if response.status().as_u16() != 201 {
            bail!("the measuring checkout was refused: {}", response.status());
        }
        least = least.min(after - before);
    }
    Ok(least)
}

/// `farmgate bench checkout`: prints orders/s against the bare route, latencies, oversold and
/// lost orders, and the statements one checkout runs with 1,000 and with `catalogue` products.
pub async fn checkout(bench: CheckoutBench) -> Result<()> {
    if bench.concurrency == 0 || bench.stock <= 0 {
        bail!("--concurrency and --stock must be positive");
    }
    let dir = tempfile::tempdir()?;
    let (store, schema) = open(bench.postgres.as_deref(), &dir).await?;
    let stage = stage(&store, &bench).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let config = WebConfig {
        orders_per_buyer_per_second: 1_000_000,
        orders_per_buyer_burst: 1_000_000,
        metrics_token: Some(METRICS_TOKEN.to_owned()),
        ..WebConfig::default()
    };
    let state = AppState::new(store.clone(), config).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(farmgate_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(bench.concurrency)
        .build()?;
    let db = if schema.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "farmgate bench checkout: {} clients, stock {}, {db} on {base}",
        bench.concurrency, bench.stock,
    );
    let window = Duration::from_secs(bench.seconds);
    let spinner = ProgressBar::new_spinner().with_message("bare route (GET /healthz)");
    spinner.enable_steady_tick(Duration::from_millis(200));
    let bare = bare_rate(
        &client,
        std::slice::from_ref(&base),
        bench.concurrency,
        window,
    )
    .await?;
    spinner.finish_and_clear();

    let bases = std::slice::from_ref(&base);
    let before = Scrape::of(&client, bases).await?;
    let started = Instant::now();
    let mut tally = sell(&client, &base, &stage, bench.stock, window * 4).await?;
    let elapsed = started.elapsed();
    let after = Scrape::of(&client, bases).await?;
    let stored = store.all_orders_of_shop(stage.walnuts.shop.id).await?;
    let oversold = (stored.len() as i64 - bench.stock).max(0);
    let lost = tally
        .ids
        .iter()
        .filter(|id| !stored.iter().any(|o| o.id == **id))
        .count();
    tally.print(bare, elapsed);
    println!("oversold: {oversold}");
    println!("lost: {lost}");
    if bench.profile {
        profile::print(&before, &after, "/api/v1/orders");
    }
    let (with_small, with_large) = compare_queries(&client, &base, &store, &stage, &bench).await?;

    let _ = stop.send(());
    let _ = server.await;
    if let Some(schema) = schema {
        store.drop_schema_for_bench(&schema).await?;
    }
    store.close().await?;
    if oversold > 0 || lost > 0 {
        bail!("oversold {oversold}, lost {lost}: the intake broke its promise");
    }
    if with_small != with_large {
        bail!("queries per checkout grew with the catalogue: {with_small} then {with_large}");
    }
    Ok(())
}

/// What the checkout benchmark sets up: the hot walnuts, a product and a buyer to count one
/// checkout's statements with, and a token per client.
struct Stage {
    walnuts: HotWalnuts,
    measuring: i64,
    measuring_token: String,
    tokens: Vec<String>,
}

async fn stage(store: &Store, bench: &CheckoutBench) -> Result<Stage> {
    let walnuts = hot_walnuts(store, "压测核桃", bench.stock).await?;
    let measuring = store
        .create_product(generated_product(
            &walnuts.shop,
            walnuts.nuts.id,
            0,
            1_000_000,
        )?)
        .await?
        .variants[0]
        .id;
    let mut tokens = Vec::new();
    for n in 0..=bench.concurrency {
        let login = if n == bench.concurrency {
            "bench-measuring".to_owned()
        } else {
            format!("bench-buyer-{n}")
        };
        let account = store
            .create_account(NewAccount {
                login: LoginId::parse(&login).map_err(|e| anyhow::anyhow!("{e}"))?,
                display_name: DisplayName::parse("bench").map_err(|e| anyhow::anyhow!("{e}"))?,
                password_hash: "x".to_owned(),
                language: Language::ZhCn,
            })
            .await?;
        tokens.push(store.issue_api_token(account.id).await?);
    }
    let measuring_token = tokens.pop().context("the measuring buyer's token")?;
    Ok(Stage {
        walnuts,
        measuring,
        measuring_token,
        tokens,
    })
}

/// Every client checks out one bag at a time until it is refused (sold out) or `window` ends.
async fn sell(
    client: &reqwest::Client,
    base: &str,
    stage: &Stage,
    stock: i64,
    window: Duration,
) -> Result<Tally> {
    let bar = progress(stock as u64, "orders");
    let started = Instant::now();
    let body = serde_json::json!({
        "items": [{"variant_id": stage.walnuts.variant_id, "quantity": 1}],
        "delivery": {"kind": "pickup", "station": stage.walnuts.station_id.to_string()},
        "payment": "cash",
    });
    let mut tasks = Vec::new();
    for (n, token) in stage.tokens.iter().cloned().enumerate() {
        let client = client.clone();
        let url = format!("{base}/api/v1/orders");
        let (bar, body) = (bar.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut attempt = 0u64;
            while started.elapsed() < window {
                attempt += 1;
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("idempotency-key", format!("bench-{n:05}-{attempt:08}"))
                    .json(&body)
                    .send()
                    .await;
                if !tap(response, sent.elapsed(), &mut tally, &bar).await {
                    break;
                }
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        all.add(task.await?);
    }
    bar.finish_and_clear();
    Ok(all)
}

/// Queries per checkout must not grow with the catalogue: counted with 1,000 products and
/// with `bench.catalogue`.
async fn compare_queries(
    client: &reqwest::Client,
    base: &str,
    store: &Store,
    stage: &Stage,
    bench: &CheckoutBench,
) -> Result<(u64, u64)> {
    let (shop, nuts) = (&stage.walnuts.shop, stage.walnuts.nuts.id);
    let station = stage.walnuts.station_id;
    let token = &stage.measuring_token;
    let small = 1000.min(bench.catalogue);
    grow_catalogue(store, shop, nuts, small).await?;
    let small_count = store.product_count().await?;
    let with_small =
        queries_per_checkout(client, base, store, token, stage.measuring, station, 1).await?;
    grow_catalogue(store, shop, nuts, bench.catalogue).await?;
    let large_count = store.product_count().await?;
    let with_large =
        queries_per_checkout(client, base, store, token, stage.measuring, station, 2).await?;
    println!(
        "queries per checkout: {with_small} with {small_count} products, {with_large} with {large_count} products"
    );
    Ok((with_small, with_large))
}
