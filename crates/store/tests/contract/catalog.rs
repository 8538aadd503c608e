//! The category tree, products in three languages with variants and origin, the demo catalogue.

use super::*;

pub(super) async fn the_category_tree_comes_with_every_database(db: &TestDb) {
    let categories = db.store.categories().await.unwrap();
    let codes: Vec<&str> = categories.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes[..3], ["nuts", "dried-fruit", "fresh-produce"]);
    assert!(codes.contains(&"heritage") && codes.contains(&"naan-baked"));
    assert_eq!(categories[0].name(Language::Ug), "مېغىزلار");
}

pub(super) async fn products_keep_their_languages_variants_and_origin(db: &TestDb) {
    use farmgate_domain::catalog::{PricePolicy, ProductStatus, Tag, Unit, VariantSpec};
    use farmgate_domain::money::Fen;
    use farmgate_store::catalog::{NewProduct, ProductDetails, ProductText};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let nuts = store
        .categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "nuts")
        .unwrap();
    let origin = store.region_by_code("huixian-fujia-village").await.unwrap();
    let text = |language, name: &str| ProductText {
        language,
        name: name.to_owned(),
        story: String::new(),
    };
    let walnuts = store
        .create_product(NewProduct {
            shop_id: shop.id,
            status: ProductStatus::Listed,
            variants: vec![
                VariantSpec::new(
                    Unit::Bag,
                    Some(1000),
                    Fen(3800),
                    120,
                    PricePolicy::FollowsPackedWeight { tolerance_bp: 500 },
                )
                .unwrap(),
                VariantSpec::new(Unit::Jin, None, Fen(2000), 0, PricePolicy::Fixed).unwrap(),
            ],
            details: ProductDetails {
                category_id: nuts.id,
                origin_id: origin.id,
                organic_certificate: None,
                tags: vec![Tag::PovertyAlleviation],
                texts: vec![
                    text(Language::ZhCn, "徽县核桃"),
                    text(Language::Ug, "خۇيشيەن ياڭىقى"),
                ],
                code: None,
            },
        })
        .await
        .unwrap();
    assert_eq!(walnuts.variants.len(), 2);
    assert_eq!(
        walnuts.variants[0].spec.price_policy,
        PricePolicy::FollowsPackedWeight { tolerance_bp: 500 }
    );
    assert_eq!(walnuts.variants[1].spec.net_grams, Some(500));
    assert_eq!(walnuts.tags, [Tag::PovertyAlleviation]);
    let (ug, translated) = walnuts.text(Language::Ug).unwrap();
    assert_eq!((ug.name.as_str(), translated), ("خۇيشيەن ياڭىقى", true));
    let (en, translated) = walnuts.text(Language::En).unwrap();
    assert_eq!(
        (en.name.as_str(), translated),
        ("徽县核桃", false),
        "English falls back to Chinese, marked"
    );

    store
        .create_product(NewProduct {
            shop_id: shop.id,
            status: ProductStatus::Draft,
            variants: vec![
                VariantSpec::new(Unit::Bottle, Some(500), Fen(6800), 10, PricePolicy::Fixed)
                    .unwrap(),
            ],
            details: ProductDetails {
                category_id: nuts.id,
                origin_id: origin.id,
                organic_certificate: None,
                tags: vec![],
                texts: vec![text(Language::ZhCn, "核桃油")],
                code: None,
            },
        })
        .await
        .unwrap();
    assert_eq!(store.products_of_shop(shop.id).await.unwrap().len(), 2);
    let huixian = store.region_by_code("huixian").await.unwrap();
    let listed = store
        .listed_products_within(&huixian.path, 20, 0)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|p| p.id).collect::<Vec<_>>(),
        [walnuts.id],
        "drafts are not listed"
    );
    let tekes = store.region_by_code("tekes").await.unwrap();
    assert!(
        store
            .listed_products_within(&tekes.path, 20, 0)
            .await
            .unwrap()
            .is_empty()
    );
    // Any one language is enough; readers of the others see it, marked as a fallback.
    let written_in = |texts: Vec<_>| NewProduct {
        shop_id: shop.id,
        status: ProductStatus::Draft,
        variants: vec![
            VariantSpec::new(Unit::Jin, None, Fen(2000), 5, PricePolicy::Fixed).unwrap(),
        ],
        details: ProductDetails {
            category_id: nuts.id,
            origin_id: origin.id,
            organic_certificate: None,
            tags: vec![],
            texts,
            code: None,
        },
    };
    let english = store
        .create_product(written_in(vec![text(Language::En, "Walnuts")]))
        .await
        .unwrap();
    let (shown, own) = english.text(Language::Ug).unwrap();
    assert_eq!((shown.name.as_str(), own), ("Walnuts", false));
    let nameless = store.create_product(written_in(vec![])).await;
    assert!(
        matches!(&nameless, Err(Error::Invalid(e)) if e.code == "product-name-required"),
        "{nameless:?}"
    );
}

pub(super) async fn the_demo_catalogue_loads_once(db: &TestDb) {
    use farmgate_store::demo::catalog::{DEMO_SHOPS, product_count};
    let store = &db.store;
    seed_demo(store).await;
    let (shops, products) = store.load_demo_catalog().await.unwrap();
    assert_eq!(shops as usize, DEMO_SHOPS.len());
    assert_eq!(products as usize, product_count());
    assert_eq!(
        store.load_demo_catalog().await.unwrap(),
        (0, 0),
        "loading again adds nothing"
    );
    let huixian = store.region_by_code("huixian").await.unwrap();
    let names: Vec<String> = store
        .listed_products_within(&huixian.path, 50, 0)
        .await
        .unwrap()
        .iter()
        .filter_map(|p| p.text(Language::ZhCn).map(|(t, _)| t.name.clone()))
        .collect();
    assert!(names.contains(&"徽县薄皮核桃".to_owned()), "{names:?}");
    let kuqa = store.region_by_code("kuqa").await.unwrap();
    assert_eq!(
        store
            .listed_products_within(&kuqa.path, 50, 0)
            .await
            .unwrap()
            .len(),
        5 + 4,
        "Kuqa's specialties and its supply co-op's goods for villagers"
    );
}
