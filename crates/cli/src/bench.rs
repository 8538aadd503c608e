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
    /// The large catalogue size for the queries-per-checkout comparison (against 1,000).
    pub catalogue: usize,
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
        category_id: category,
        origin_id: shop.village_id,
        status: ProductStatus::Listed,
        organic_certificate: None,
        tags: vec![],
        texts: vec![ProductText {
            language: Language::ZhCn,
            name: format!("{}{n}号", KINDS[n % KINDS.len()]),
            story: String::new(),
        }],
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

/// Statements the server runs for one API checkout: the least of three (a background job may
/// run a query during one of them).
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
    for attempt in 0..3 {
        let before = store.statements_run();
        let response = client
            .post(format!("{base}/api/v1/orders"))
            .bearer_auth(token)
            .header("idempotency-key", format!("queries-{round}-{attempt}"))
            .json(&serde_json::json!({"items": [{"variant_id": variant, "quantity": 1}], "delivery": {"kind": "pickup", "station": station.to_string()}, "payment": "cash"}))
            .send()
            .await?;
        let after = store.statements_run();
        if response.status().as_u16() != 201 {
            bail!("the measuring checkout was refused: {}", response.status());
        }
        least = least.min(after - before);
    }
    Ok(least)
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

struct Outcome {
    accepted: Vec<Duration>,
    refused: Vec<Duration>,
    errors: usize,
    accepted_ids: Vec<i64>,
}

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
            category_id: nuts.id,
            origin_id: shop.village_id,
            status: ProductStatus::Listed,
            organic_certificate: None,
            tags: vec![],
            texts: vec![ProductText {
                language: Language::ZhCn,
                name: name.to_owned(),
                story: String::new(),
            }],
            variants: vec![
                VariantSpec::new(Unit::Bag, Some(1000), Fen(3800), stock, PricePolicy::Fixed)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            ],
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

pub async fn checkout(bench: CheckoutBench) -> Result<()> {
    if bench.concurrency == 0 || bench.stock <= 0 {
        bail!("--concurrency and --stock must be positive");
    }
    let dir = tempfile::tempdir()?;
    let (store, schema) = open(bench.postgres.as_deref(), &dir).await?;
    let HotWalnuts {
        shop,
        nuts,
        variant_id: variant,
        station_id: station,
        ..
    } = hot_walnuts(&store, "压测核桃", bench.stock).await?;
    let measuring = store
        .create_product(generated_product(&shop, nuts.id, 0, 1_000_000)?)
        .await?
        .variants[0]
        .id;
    let measuring_buyer = store
        .create_account(NewAccount {
            login: LoginId::parse("bench-measuring").map_err(|e| anyhow::anyhow!("{e}"))?,
            display_name: DisplayName::parse("bench").map_err(|e| anyhow::anyhow!("{e}"))?,
            password_hash: "x".to_owned(),
            language: Language::ZhCn,
        })
        .await?;
    let measuring_token = store.issue_api_token(measuring_buyer.id).await?;
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
    let state = AppState::new(store.clone(), config).await?;
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
    let stored = store.all_orders_of_shop(shop.id).await?;
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

    // Queries per checkout must not grow with the catalogue.
    let small = 1000.min(bench.catalogue);
    grow_catalogue(&store, &shop, nuts.id, small).await?;
    let small_count = store.product_count().await?;
    let with_small = queries_per_checkout(
        &client,
        &base,
        &store,
        &measuring_token,
        measuring,
        station,
        1,
    )
    .await?;
    grow_catalogue(&store, &shop, nuts.id, bench.catalogue).await?;
    let large_count = store.product_count().await?;
    let with_large = queries_per_checkout(
        &client,
        &base,
        &store,
        &measuring_token,
        measuring,
        station,
        2,
    )
    .await?;
    println!(
        "queries per checkout: {with_small} with {small_count} products, {with_large} with {large_count} products"
    );

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

/// What generated products are made of: (zh, ug, en, category code).
const KINDS: [(&str, &str, &str, &str); 10] = [
    ("核桃", "ياڭاق", "walnuts", "nuts"),
    ("红枣", "قىزىل چىلان", "red dates", "dried-fruit"),
    ("枸杞", "لەنجۇ", "wolfberry", "dried-fruit"),
    ("杏干", "ئۆرۈك قېقى", "dried apricots", "dried-fruit"),
    ("蜂蜜", "ھەسەل", "honey", "honey"),
    ("葡萄干", "ئۈزۈم قېقى", "raisins", "dried-fruit"),
    ("香梨", "خۇشپۇراق نەشپۈت", "fragrant pears", "fresh-produce"),
    (
        "薰衣草精油",
        "لاۋاندا يېغى",
        "lavender oil",
        "oils-condiments",
    ),
    ("馕", "نان", "naan", "naan-baked"),
    ("巴旦木", "بادام", "almonds", "nuts"),
];
const QUALITIES: [(&str, &str, &str); 6] = [
    ("有机", "ئورگانىك", "organic"),
    ("特级", "ئالىي", "premium"),
    ("农家", "دېھقانچە", "farmhouse"),
    ("薄皮", "نېپىز پوستلۇق", "thin-shell"),
    ("手工", "قول ھۈنەر", "handmade"),
    ("新鲜", "يېڭى", "fresh"),
];

/// `farmgate bench search`: indexes `count` generated products (names and stories in three
/// languages, from the seed villages) on disk and times typical searches one after another.
pub async fn search(count: usize, searches: usize) -> Result<()> {
    use farmgate_search::{Context, ProductIndex, SearchQuery, SortBy};
    use farmgate_store::catalog::{Product, Variant};
    if count == 0 || searches == 0 {
        bail!("--products and --searches must be positive");
    }
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await?;
    store.migrate().await?;
    store.load_demo_regions(&|| {}).await?;
    let context = Context::load(&store).await?;
    let regions = store.all_regions().await?;
    let villages: Vec<_> = regions
        .iter()
        .filter(|r| r.level == farmgate_domain::regions::RegionLevel::Village)
        .cloned()
        .collect();
    let counties: Vec<_> = regions
        .iter()
        .filter(|r| r.level == farmgate_domain::regions::RegionLevel::County)
        .cloned()
        .collect();
    let categories = store.categories().await?;
    let (index, _) = ProductIndex::open(&dir.path().join("search"))?;
    let index = std::sync::Arc::new(index);
    println!("farmgate bench search: {count} generated products, {searches} searches");

    let bar = ProgressBar::new(count as u64).with_message("indexing");
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let now = chrono::Utc::now();
    let mut n = 0usize;
    while n < count {
        let end = count.min(n + 10_000);
        let batch: Vec<Product> = (n..end)
            .map(|i| {
                let (zh, ug, en, category) = KINDS[i % KINDS.len()];
                let (qzh, qug, qen) = QUALITIES[(i / KINDS.len()) % QUALITIES.len()];
                let village = &villages[(i * 7) % villages.len()];
                let county = regions
                    .iter()
                    .find(|r| {
                        r.level == farmgate_domain::regions::RegionLevel::County
                            && village.path.as_str().starts_with(r.path.as_str())
                    })
                    .unwrap_or(village);
                let category_id = categories
                    .iter()
                    .find(|c| c.code == category)
                    .map_or(0, |c| c.id);
                let id = i as i64 + 1;
                let text = |language, name: String, story: String| ProductText {
                    language,
                    name,
                    story,
                };
                Product {
                    id,
                    shop_id: 1 + (i % 5000) as i64,
                    category_id,
                    origin_id: village.id,
                    status: ProductStatus::Listed,
                    organic_certificate: None,
                    sales_count: (i % 997) as i64,
                    tags: vec![],
                    texts: vec![
                        text(
                            Language::ZhCn,
                            format!("{}{qzh}{zh} {i}号", county.name_zh),
                            format!(
                                "来自{}{}的{zh}，{qzh}，产地直发。",
                                county.name_zh, village.name_zh
                            ),
                        ),
                        text(
                            Language::Ug,
                            format!("{} {qug} {ug}", county.name(Language::Ug)),
                            format!("{} {ug}", village.name(Language::Ug)),
                        ),
                        text(
                            Language::En,
                            format!("{} {qen} {en} no. {i}", county.name_en),
                            format!("{qen} {en} from {}", village.name_en),
                        ),
                    ],
                    variants: vec![Variant {
                        id,
                        product_id: id,
                        spec: VariantSpec {
                            unit: Unit::Bag,
                            net_grams: Some(500),
                            price: Fen(990 + ((i * 37) % 20_000) as i64),
                            stock: (i % 13) as i64,
                            price_policy: PricePolicy::Fixed,
                        },
                    }],
                    photos: vec![],
                    created_at: now - chrono::Duration::seconds(i as i64),
                }
            })
            .collect();
        let writer = std::sync::Arc::clone(&index);
        let context_ref = &context;
        // Tokenizing is CPU work: keep it off the async threads.
        tokio::task::block_in_place(|| writer.add_bulk(&batch, context_ref))?;
        bar.inc(batch.len() as u64);
        n = end;
    }
    let finisher = std::sync::Arc::clone(&index);
    tokio::task::spawn_blocking(move || finisher.finish_bulk()).await??;
    bar.finish_and_clear();
    let build = started.elapsed();
    let size: u64 = std::fs::read_dir(dir.path().join("search"))?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "index: {} products in {:.1} s ({:.0} products/s), {:.0} MB on disk",
        index.len(),
        build.as_secs_f64(),
        count as f64 / build.as_secs_f64(),
        size as f64 / 1e6
    );

    let nuts = categories.iter().find(|c| c.code == "nuts").map(|c| c.id);
    let kuqa = counties
        .iter()
        .find(|c| c.code.as_str() == "kuqa")
        .map(|c| c.id);
    let words = |text: &str| SearchQuery {
        text: text.to_owned(),
        ..SearchQuery::default()
    };
    let queries: Vec<(&str, SearchQuery)> = vec![
        ("核桃", words("核桃")),
        ("枸杞", words("枸杞")),
        ("红枣", words("红枣")),
        ("紅棗 (traditional)", words("紅棗")),
        ("ياڭاق", words("ياڭاق")),
        ("walnut", words("walnut")),
        (
            "有机 核桃, in stock, nuts",
            SearchQuery {
                text: "有机 核桃".into(),
                category_id: nuts,
                in_stock_only: true,
                ..SearchQuery::default()
            },
        ),
        (
            "库车 + price range, cheapest",
            SearchQuery {
                text: "库车".into(),
                region_id: kuqa,
                min_price_fen: Some(2000),
                max_price_fen: Some(8000),
                sort: SortBy::PriceLow,
                ..SearchQuery::default()
            },
        ),
        (
            "all, newest (browse)",
            SearchQuery {
                sort: SortBy::Newest,
                ..SearchQuery::default()
            },
        ),
        (
            "page 5 of honey",
            SearchQuery {
                text: "蜂蜜".into(),
                offset: 80,
                ..SearchQuery::default()
            },
        ),
    ];
    let mut all = Vec::with_capacity(searches);
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    let mut hits = vec![0usize; queries.len()];
    for i in 0..searches {
        let q = i % queries.len();
        let mut query = queries[q].1.clone();
        query.limit = 20;
        let started = Instant::now();
        let results = tokio::task::block_in_place(|| index.search(&query))?;
        let took = started.elapsed();
        hits[q] = results.total;
        all.push(took);
        per_query[q].push(took);
    }
    all.sort();
    for (q, times) in per_query.iter_mut().enumerate() {
        times.sort();
        println!(
            "  {:<32} {:>8} matches  p50 {}",
            queries[q].0,
            hits[q],
            ms(percentile(times, 0.5))
        );
    }
    println!(
        "search over {} products: p50 {}  p99 {}  ({} searches)",
        index.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        all.len()
    );
    store.close().await?;
    Ok(())
}
