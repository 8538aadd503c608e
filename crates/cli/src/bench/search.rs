//! `farmgate bench search`: a million generated products indexed on disk, typical searches
//! timed one after another.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use farmgate_domain::catalog::{PricePolicy, ProductStatus, Unit, VariantSpec};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionLevel;
use farmgate_search::{Context, ProductIndex, SearchQuery, SortBy};
use farmgate_store::Store;
use farmgate_store::catalog::{Category, Product, ProductText, Variant};
use farmgate_store::regions::Region;
use indicatif::{ProgressBar, ProgressStyle};

use super::{ms, percentile};

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
    let places = Places::load(&store).await?;
    let (index, _) = ProductIndex::open(&dir.path().join("search"))?;
    let index = Arc::new(index);
    println!("farmgate bench search: {count} generated products, {searches} searches");
    let started = Instant::now();
    build(&index, &places, &Context::load(&store).await?, count).await?;
    let took = started.elapsed();
    let size: u64 = std::fs::read_dir(dir.path().join("search"))?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "index: {} products in {:.1} s ({:.0} products/s), {:.0} MB on disk",
        index.len(),
        took.as_secs_f64(),
        count as f64 / took.as_secs_f64(),
        size as f64 / 1e6
    );
    time(&index, &queries(&places), searches)?;
    store.close().await?;
    Ok(())
}

/// The seed places and categories generated products come from.
struct Places {
    regions: Vec<Region>,
    villages: Vec<Region>,
    categories: Vec<Category>,
}

impl Places {
    async fn load(store: &Store) -> Result<Places> {
        let regions = store.all_regions().await?;
        let villages = regions
            .iter()
            .filter(|r| r.level == RegionLevel::Village)
            .cloned()
            .collect();
        Ok(Places {
            regions,
            villages,
            categories: store.categories().await?,
        })
    }
}

/// Indexes `count` generated products, ten thousand at a time, off the async threads.
async fn build(
    index: &Arc<ProductIndex>,
    places: &Places,
    context: &Context,
    count: usize,
) -> Result<()> {
    let bar = ProgressBar::new(count as u64).with_message("indexing");
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let now = chrono::Utc::now();
    let mut n = 0usize;
    while n < count {
        let end = count.min(n + 10_000);
        let batch: Vec<Product> = (n..end).map(|i| generated(i, places, now)).collect();
        // Tokenizing is CPU work: keep it off the async threads.
        tokio::task::block_in_place(|| index.add_bulk(&batch, context))?;
        bar.inc(batch.len() as u64);
        n = end;
    }
    let finisher = Arc::clone(index);
    tokio::task::spawn_blocking(move || finisher.finish_bulk()).await??;
    bar.finish_and_clear();
    Ok(())
}

/// The `i`th generated product: a kind and a quality, from a seed village and its county.
fn generated(i: usize, places: &Places, now: chrono::DateTime<chrono::Utc>) -> Product {
    let (zh, ug, en, category) = KINDS[i % KINDS.len()];
    let (qzh, qug, qen) = QUALITIES[(i / KINDS.len()) % QUALITIES.len()];
    let village = &places.villages[(i * 7) % places.villages.len()];
    let county = places
        .regions
        .iter()
        .find(|r| {
            r.level == RegionLevel::County && village.path.as_str().starts_with(r.path.as_str())
        })
        .unwrap_or(village);
    let category_id = places
        .categories
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
        code: farmgate_domain::catalog::generated_product_code(id),
        back_in: None,
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
            low_stock_threshold: 0,
            away_online: 0,
        }],
        retired_variants: vec![],
        photos: vec![],
        created_at: now - chrono::Duration::seconds(i as i64),
    }
}

/// Typical searches: words in each language and script, filters, sorting, browsing, paging.
fn queries(places: &Places) -> Vec<(&'static str, SearchQuery)> {
    let nuts = places
        .categories
        .iter()
        .find(|c| c.code == "nuts")
        .map(|c| c.id);
    let kuqa = places
        .regions
        .iter()
        .find(|c| c.level == RegionLevel::County && c.code.as_str() == "kuqa")
        .map(|c| c.id);
    let words = |text: &str| SearchQuery {
        text: text.to_owned(),
        ..SearchQuery::default()
    };
    vec![
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
    ]
}

/// Runs `searches` searches (the queries in turn, 20 a page) and prints the timings.
fn time(
    index: &ProductIndex,
    queries: &[(&'static str, SearchQuery)],
    searches: usize,
) -> Result<()> {
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
    Ok(())
}
