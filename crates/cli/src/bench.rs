//! `farmgate bench`: benchmarks that print their figures. Each runs a real server on this
//! machine (port 0, a fresh database) and drives it over keep-alive HTTP.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use farmgate_domain::accounts::{DisplayName, LoginId};
use farmgate_domain::catalog::{PricePolicy, ProductStatus, Unit, VariantSpec};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_store::Store;
use farmgate_store::accounts::NewAccount;
use farmgate_store::catalog::{NewProduct, ProductText};
use farmgate_web::{AppState, WebConfig};
use indicatif::{ProgressBar, ProgressStyle};

/// Settings of `farmgate bench checkout`.
pub struct CheckoutBench {
    pub concurrency: usize,
    pub stock: i64,
    pub seconds: u64,
    /// A PostgreSQL URL to run on (a fresh schema is made and dropped); SQLite otherwise.
    pub postgres: Option<String>,
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

struct Outcome {
    accepted: Vec<Duration>,
    refused: Vec<Duration>,
    errors: usize,
    accepted_ids: Vec<i64>,
}

/// Opens the benchmark's database: a temporary SQLite file, or a fresh PostgreSQL schema.
async fn open(postgres: Option<&str>, dir: &tempfile::TempDir) -> Result<(Store, Option<String>)> {
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

pub async fn checkout(bench: CheckoutBench) -> Result<()> {
    if bench.concurrency == 0 || bench.stock <= 0 {
        bail!("--concurrency and --stock must be positive");
    }
    let dir = tempfile::tempdir()?;
    let (store, schema) = open(bench.postgres.as_deref(), &dir).await?;
    store.migrate().await?;
    store.load_demo_regions(&|| {}).await?;
    // The benchmark never signs in with a password: buyers get API tokens directly.
    store
        .load_demo_accounts("$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0$YmVuY2hoYXNoYmVuY2hoYXNo")
        .await?;
    store.load_demo_stations().await?;
    store.load_demo_catalog().await?;
    let station = store
        .stations_within(&store.region_by_code("huixian").await?.path)
        .await?
        .into_iter()
        .next()
        .context("a demo station in Huixian")?
        .id;
    let shop = store
        .shops_of_member(
            store
                .account_by_login(
                    &LoginId::parse("huixian-host").map_err(|e| anyhow::anyhow!("{e}"))?,
                )
                .await?
                .context("demo host")?
                .id,
        )
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
            category_id: nuts.id,
            origin_id: shop.village_id,
            status: ProductStatus::Listed,
            organic_certificate: None,
            tags: vec![],
            texts: vec![ProductText {
                language: Language::ZhCn,
                name: "压测核桃".to_owned(),
                story: String::new(),
            }],
            variants: vec![
                VariantSpec::new(
                    Unit::Bag,
                    Some(1000),
                    Fen(3800),
                    bench.stock,
                    PricePolicy::Fixed,
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            ],
        })
        .await?;
    let variant = product.variants[0].id;
    let mut tokens = Vec::new();
    for n in 0..bench.concurrency {
        let login =
            LoginId::parse(&format!("bench-buyer-{n}")).map_err(|e| anyhow::anyhow!("{e}"))?;
        let account = store
            .create_account(NewAccount {
                login,
                display_name: DisplayName::parse("bench").map_err(|e| anyhow::anyhow!("{e}"))?,
                password_hash: "x".to_owned(),
                language: Language::ZhCn,
            })
            .await?;
        tokens.push(store.issue_api_token(account.id).await?);
    }

    let config = WebConfig {
        orders_per_buyer_per_second: 1_000_000,
        orders_per_buyer_burst: 1_000_000,
        ..WebConfig::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(store.clone(), config)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(farmgate_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(bench.concurrency)
        .build()?;

    println!(
        "farmgate bench checkout: {} clients, stock {}, {} on {}",
        bench.concurrency,
        bench.stock,
        if schema.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        base
    );
    let window = Duration::from_secs(bench.seconds);

    // The same server's bare route, through the same middleware.
    let spinner = ProgressBar::new_spinner().with_message("bare route (GET /healthz)");
    spinner.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..bench.concurrency {
        let client = client.clone();
        let url = format!("{base}/healthz");
        tasks.push(tokio::spawn(async move {
            let mut count = 0u64;
            while started.elapsed() < window {
                if client
                    .get(&url)
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false)
                {
                    count += 1;
                }
            }
            count
        }));
    }
    let mut bare = 0u64;
    for task in tasks {
        bare += task.await?;
    }
    let bare_rate = bare as f64 / started.elapsed().as_secs_f64();
    spinner.finish_and_clear();

    // Checkouts until the stock is gone or the window closes.
    let bar = ProgressBar::new(bench.stock as u64).with_message("orders");
    bar.set_style(
        ProgressStyle::with_template("{msg:>8} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let client = client.clone();
        let url = format!("{base}/api/v1/orders");
        let bar = bar.clone();
        tasks.push(tokio::spawn(async move {
            let mut outcome = Outcome { accepted: Vec::new(), refused: Vec::new(), errors: 0, accepted_ids: Vec::new() };
            let mut attempt = 0u64;
            while started.elapsed() < window * 4 {
                attempt += 1;
                let body = serde_json::json!({"items": [{"variant_id": variant, "quantity": 1}], "delivery": {"kind": "pickup", "station": station.to_string()}, "payment": "cash"});
                let sent = Instant::now();
                let response = client.post(&url).bearer_auth(&token).header("idempotency-key", format!("bench-{n:05}-{attempt:08}")).json(&body).send().await;
                let took = sent.elapsed();
                match response {
                    Ok(r) if r.status().as_u16() == 201 => {
                        outcome.accepted.push(took);
                        bar.inc(1);
                        if let Ok(v) = r.json::<serde_json::Value>().await
                            && let Some(id) = v["orders"][0]["id"].as_i64()
                        {
                            outcome.accepted_ids.push(id);
                        }
                    }
                    Ok(r) if r.status().as_u16() == 409 => {
                        outcome.refused.push(took);
                        break;
                    }
                    _ => outcome.errors += 1,
                }
            }
            outcome
        }));
    }
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    let mut errors = 0;
    let mut ids = Vec::new();
    for task in tasks {
        let outcome = task.await?;
        accepted.extend(outcome.accepted);
        refused.extend(outcome.refused);
        errors += outcome.errors;
        ids.extend(outcome.accepted_ids);
    }
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    accepted.sort();
    refused.sort();
    let order_rate = accepted.len() as f64 / elapsed.as_secs_f64();

    // What the database holds afterwards.
    let stored = store.orders_of_shop(shop.id).await?;
    let oversold = (stored.len() as i64 - bench.stock).max(0);
    let lost = ids
        .iter()
        .filter(|id| !stored.iter().any(|o| o.id == **id))
        .count();

    println!("bare route:     {bare_rate:.0} req/s");
    println!(
        "orders:         {} accepted in {:.2} s = {order_rate:.0} orders/s; {} refused (sold out); {errors} errors",
        accepted.len(),
        elapsed.as_secs_f64(),
        refused.len()
    );
    println!(
        "accepted:       p50 {}  p99 {}  p999 {}",
        ms(percentile(&accepted, 0.5)),
        ms(percentile(&accepted, 0.99)),
        ms(percentile(&accepted, 0.999))
    );
    println!(
        "refused:        p50 {}  p99 {}",
        ms(percentile(&refused, 0.5)),
        ms(percentile(&refused, 0.99))
    );
    println!(
        "ratio orders/s : bare req/s = {:.3}",
        order_rate / bare_rate.max(1.0)
    );
    println!("oversold: {oversold}");
    println!("lost: {lost}");

    let _ = stop.send(());
    let _ = server.await;
    if let Some(schema) = schema {
        store.drop_schema_for_bench(&schema).await?;
    }
    store.close().await?;
    if oversold > 0 || lost > 0 {
        bail!("oversold {oversold}, lost {lost}: the intake broke its promise");
    }
    Ok(())
}
