//! The product index over the demo catalogue, fed from a real store (SQLite here; the index
//! does not depend on which database fed it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use farmgate_domain::lang::Language;
use farmgate_search::{Indexer, ProductIndex, SearchQuery, SortBy, uyghur_stems};
use farmgate_store::Store;
use farmgate_store::testing::TestDb;
use sea_orm::ConnectionTrait;

async fn demo() -> TestDb {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    store.load_demo_regions(&|| {}).await.unwrap();
    store
        .load_demo_accounts("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
        .await
        .unwrap();
    store.load_demo_catalog().await.unwrap();
    db
}

async fn names(store: &Store, ids: &[i64]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        let product = store.product(*id).await.unwrap();
        out.push(product.text(Language::ZhCn).unwrap().0.name.clone());
    }
    out
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        limit: 20,
        ..SearchQuery::default()
    }
}

async fn built(store: &Store) -> ProductIndex {
    let index = ProductIndex::in_memory().unwrap();
    let done = index.reindex(store, 7, &|_, _| {}).await.unwrap();
    assert_eq!(done, farmgate_store::demo::catalog::product_count() as u64);
    index
}

#[tokio::test]
async fn the_seed_specialties_are_found_in_every_language() {
    let db = demo().await;
    let store = &db.store;
    let index = built(store).await;
    let walnuts = ["伊犁野核桃仁", "徽县薄皮核桃", "库车核桃"];
    for text in ["核桃", "ياڭاق", "walnut", "Walnuts", "核桃仁 ياڭاق"] {
        let found = names(store, &index.search(&query(text)).unwrap().product_ids).await;
        for name in &walnuts[..if text.contains('仁') { 1 } else { 3 }] {
            assert!(found.contains(&(*name).to_owned()), "{text}: {found:?}");
        }
        assert!(!found.contains(&"库车红枣".to_owned()), "{text}: {found:?}");
    }
    let wolfberry = names(store, &index.search(&query("枸杞")).unwrap().product_ids).await;
    assert_eq!(wolfberry.len(), 2, "{wolfberry:?}");
    assert!(wolfberry.iter().all(|n| n.contains("枸杞")));
    // Traditional characters find the simplified listing.
    for text in ["红枣", "紅棗"] {
        let dates = names(store, &index.search(&query(text)).unwrap().product_ids).await;
        assert_eq!(
            dates.first().map(String::as_str),
            Some("库车红枣"),
            "{text}: {dates:?}"
        );
    }
    // The place a product comes from finds it too.
    let kuqa = index.search(&query("库车")).unwrap();
    assert!(kuqa.total >= 5, "{kuqa:?}");
    assert!(
        index
            .search(&query("xyzzy"))
            .unwrap()
            .product_ids
            .is_empty()
    );
}

#[tokio::test]
async fn names_weigh_more_than_stories_and_stock_comes_first() {
    let db = demo().await;
    let store = &db.store;
    let index = Arc::new(built(store).await);
    let found = names(store, &index.search(&query("walnut")).unwrap().product_ids).await;
    let in_name = found.iter().position(|n| n.contains("核桃")).unwrap();
    assert_eq!(in_name, 0, "a product named for walnuts leads: {found:?}");

    // Sell the Kuqa walnuts out: they drop behind the ones in stock.
    let kuqa_walnuts = index.search(&query("库车核桃")).unwrap().product_ids[0];
    let product = store.product(kuqa_walnuts).await.unwrap();
    store
        .raw_for_tests()
        .execute_unprepared(&format!(
            "UPDATE variants SET stock = 0 WHERE product_id = {}",
            product.id
        ))
        .await
        .unwrap();
    let context = farmgate_search::Context::load(store).await.unwrap();
    let product = store.product(kuqa_walnuts).await.unwrap();
    let writer = Arc::clone(&index);
    tokio::task::spawn_blocking(move || writer.update(&[product], &[], &context))
        .await
        .unwrap()
        .unwrap();
    let found = index.search(&query("核桃")).unwrap().product_ids;
    assert_eq!(
        found.last(),
        Some(&kuqa_walnuts),
        "sold out goes last: {found:?}"
    );
    let mut in_stock = query("核桃");
    in_stock.in_stock_only = true;
    assert!(
        !index
            .search(&in_stock)
            .unwrap()
            .product_ids
            .contains(&kuqa_walnuts)
    );
}

#[tokio::test]
async fn filters_and_sorting() {
    let db = demo().await;
    let store = &db.store;
    let index = built(store).await;
    let kuqa = store.region_by_code("kuqa").await.unwrap();
    let nuts = store
        .categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "nuts")
        .unwrap();
    let mut q = query("");
    q.region_id = Some(kuqa.id);
    let in_kuqa = index.search(&q).unwrap();
    assert_eq!(
        in_kuqa.total,
        5 + 4,
        "Kuqa's specialties and its supply co-op's goods for villagers"
    );
    q.category_id = Some(nuts.id);
    let kuqa_nuts = names(store, &index.search(&q).unwrap().product_ids).await;
    assert_eq!(kuqa_nuts, ["库车核桃"]);

    let mut by_price = query("");
    by_price.sort = SortBy::PriceLow;
    by_price.limit = 100;
    let ids = index.search(&by_price).unwrap().product_ids;
    let mut prices = Vec::new();
    for id in &ids {
        let p = store.product(*id).await.unwrap();
        prices.push(p.variants.iter().map(|v| v.spec.price.0).min().unwrap());
    }
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    let mut band = by_price.clone();
    band.min_price_fen = Some(3000);
    band.max_price_fen = Some(5000);
    let banded = index.search(&band).unwrap();
    assert_eq!(
        banded.total,
        prices.iter().filter(|p| (3000..=5000).contains(*p)).count()
    );
    let mut page = by_price.clone();
    page.limit = 5;
    page.offset = 5;
    assert_eq!(index.search(&page).unwrap().product_ids, ids[5..10]);
}

#[tokio::test]
async fn the_index_follows_changes_within_a_second() {
    use farmgate_domain::catalog::{PricePolicy, ProductStatus, Unit, VariantSpec};
    use farmgate_domain::money::Fen;
    use farmgate_store::catalog::{NewProduct, ProductDetails, ProductText};
    let db = demo().await;
    let store = &db.store;
    let index = Arc::new(built(store).await);
    let indexer = Indexer::start(Arc::clone(&index), store.clone());
    let shop = store.shops_of_member(1).await.unwrap();
    let any_shop = match shop.first() {
        Some(s) => s.clone(),
        None => {
            let walnuts = index.search(&query("库车核桃")).unwrap().product_ids[0];
            let p = store.product(walnuts).await.unwrap();
            store.shop(p.shop_id).await.unwrap()
        }
    };
    let category = store.categories().await.unwrap()[0].id;
    let product = store
        .create_product(NewProduct {
            shop_id: any_shop.id,
            status: ProductStatus::Listed,
            variants: vec![
                VariantSpec::new(Unit::Bag, Some(500), Fen(4500), 10, PricePolicy::Fixed).unwrap(),
            ],
            details: ProductDetails {
                category_id: category,
                origin_id: any_shop.village_id,
                organic_certificate: None,
                tags: vec![],
                texts: vec![ProductText {
                    language: Language::ZhCn,
                    name: "巴旦木".to_owned(),
                    story: "莎车的巴旦木".to_owned(),
                }],
                code: None,
            },
        })
        .await
        .unwrap();
    let started = Instant::now();
    indexer.changed([product.id]);
    loop {
        if index.search(&query("巴旦木")).unwrap().product_ids == [product.id] {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "not searchable within a second"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Taken off sale: gone from results.
    store
        .raw_for_tests()
        .execute_unprepared(&format!(
            "UPDATE products SET status = 'draft' WHERE id = {}",
            product.id
        ))
        .await
        .unwrap();
    indexer.changed([product.id]);
    let started = Instant::now();
    while !index
        .search(&query("巴旦木"))
        .unwrap()
        .product_ids
        .is_empty()
    {
        assert!(started.elapsed() < Duration::from_secs(1), "still listed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_index_on_disk_survives_a_restart_and_knows_when_to_rebuild() {
    let db = demo().await;
    let dir = tempfile::tempdir().unwrap();
    {
        let (index, needs_fill) = ProductIndex::open(dir.path()).unwrap();
        assert!(needs_fill);
        index.reindex(&db.store, 100, &|_, _| {}).await.unwrap();
    }
    let (index, needs_fill) = ProductIndex::open(dir.path()).unwrap();
    assert!(!needs_fill);
    assert!(!index.search(&query("核桃")).unwrap().product_ids.is_empty());
    drop(index);
    std::fs::write(dir.path().join("farmgate-schema-version"), "0").unwrap();
    let (index, needs_fill) = ProductIndex::open(dir.path()).unwrap();
    assert!(
        needs_fill && index.is_empty(),
        "another version's index is rebuilt"
    );
}

#[test]
fn uyghur_words_are_found_in_their_inflected_forms() {
    let forms = uyghur_stems("ياڭاق");
    assert!(forms.contains(&"ياڭىق".to_owned()), "{forms:?}");
    assert!(forms.contains(&"ياڭاغ".to_owned()), "{forms:?}");
    assert_eq!(uyghur_stems("walnut"), ["walnut"]);
}
