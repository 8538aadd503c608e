//! Products kept current, on both databases: edits keep the code unique per shop, retired
//! variants leave sale but stay on old orders, and the stock ledger accounts for every unit
//! while a seller's count and orders race for the same shelf.

use std::collections::HashSet;

use farmgate_domain::catalog::{
    PricePolicy, ProductStatus, StockChange, StockReason, Tag, Unit, VariantSpec,
};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::OrderEvent;
use farmgate_store::Error;
use farmgate_store::catalog::{Mover, ProductDetails, ProductText, VariantChange};
use farmgate_store::orders::OrderIntake;
use farmgate_store::testing::TestDb;

use super::{buyers, open_shop, placement, seed_demo, stocked_variant};

async fn seller_of(store: &farmgate_store::Store) -> i64 {
    let login = farmgate_domain::accounts::LoginId::parse("walnut-grower").unwrap();
    store.account_by_login(&login).await.unwrap().unwrap().id
}

fn restock(seller: i64) -> Mover<'static> {
    Mover {
        reason: StockReason::Restock,
        actor_id: Some(seller),
        note: "新货到了",
    }
}

pub async fn a_product_is_edited_repriced_and_retired_without_touching_old_orders(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let product = store.product_of_variant(variant).await.unwrap();
    assert_eq!(product.code, format!("FG{}", product.id), "a code is given");
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let before = intake
        .place(placement(buyer, "before-the-change", &[(variant, 2)]))
        .await
        .unwrap();

    // New texts, a tag, the shop's own code.
    let details = ProductDetails {
        category_id: product.category_id,
        origin_id: product.origin_id,
        organic_certificate: Some("ORG-2026-17".to_owned()),
        tags: vec![Tag::Organic],
        texts: vec![
            ProductText {
                language: Language::ZhCn,
                name: "徽县薄皮核桃".to_owned(),
                story: "今年的新核桃。".to_owned(),
            },
            ProductText {
                language: Language::Ug,
                name: "خۇيشيەن ياڭىقى".to_owned(),
                story: String::new(),
            },
        ],
        code: Some("WAL-1KG".to_owned()),
    };
    let edited = store.update_product(product.id, &details).await.unwrap();
    assert_eq!(edited.code, "WAL-1KG");
    assert_eq!(edited.texts.len(), 2);
    assert_eq!(edited.tags, vec![Tag::Organic]);
    // Another product of the shop cannot take the same code; another shop's can.
    let second = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let second = store.product_of_variant(second).await.unwrap();
    assert!(matches!(
        store.update_product(second.id, &details).await,
        Err(Error::Conflict { field: "code" })
    ));
    let other_shop = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let elsewhere = stocked_variant(store, other_shop.id, 5, ProductStatus::Listed).await;
    let elsewhere = store.product_of_variant(elsewhere).await.unwrap();
    let mut theirs = details.clone();
    theirs.origin_id = elsewhere.origin_id;
    store.update_product(elsewhere.id, &theirs).await.unwrap();

    // A new price for new orders; the old order keeps what it paid.
    store
        .change_variant(
            variant,
            VariantChange {
                price: Some(Fen(4200)),
                low_stock_threshold: Some(5),
            },
        )
        .await
        .unwrap();
    let after = intake
        .place(placement(buyer, "after-the-change", &[(variant, 1)]))
        .await
        .unwrap();
    assert_eq!(after.orders[0].lines[0].unit_price, Fen(4200));
    let old = store.order(before.orders[0].id).await.unwrap();
    assert_eq!(old.lines[0].unit_price, Fen(3800));

    // A second variant; the first retires: gone from sale, still on its orders.
    let jar = VariantSpec::new(Unit::Jar, Some(500), Fen(2600), 8, PricePolicy::Fixed).unwrap();
    let added = store.add_variant(product.id, &jar).await.unwrap();
    store.retire_variant(variant).await.unwrap();
    let now = store.product(product.id).await.unwrap();
    assert_eq!(
        now.variants.iter().map(|v| v.id).collect::<Vec<_>>(),
        vec![added.id]
    );
    assert_eq!(now.retired_variants[0].id, variant);
    let refused = intake
        .place(placement(buyer, "retired-variant", &[(variant, 1)]))
        .await;
    assert!(refused.is_err(), "a retired variant is not for sale");
    assert_eq!(
        store.order(before.orders[0].id).await.unwrap().lines[0].variant_id,
        variant
    );
    // The last variant on sale stays.
    assert!(matches!(
        store.retire_variant(added.id).await,
        Err(Error::Invalid(e)) if e.code == "variant-last"
    ));

    // Paused with when it is back; the note goes when it is listed again.
    let paused = store
        .set_product_status(
            product.id,
            ProductStatus::Paused,
            Some("九月新核桃".to_owned()),
        )
        .await
        .unwrap();
    assert_eq!(paused.back_in.as_deref(), Some("九月新核桃"));
    let refused = intake
        .place(placement(buyer, "paused-key", &[(added.id, 1)]))
        .await;
    assert!(refused.is_err(), "a paused product is not for sale");
    let listed = store
        .set_product_status(
            product.id,
            ProductStatus::Listed,
            Some("ignored".to_owned()),
        )
        .await
        .unwrap();
    assert_eq!(listed.back_in, None);
}

pub async fn the_ledger_accounts_for_every_unit(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let seller = seller_of(store).await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let product_id = store.product_of_variant(variant).await.unwrap().id;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let sold = intake
        .place(placement(buyer, "ledger-key", &[(variant, 3)]))
        .await
        .unwrap();
    assert_eq!(
        store
            .change_stock(variant, StockChange::Adjust(5), restock(seller))
            .await
            .unwrap(),
        12
    );
    let spoiled = Mover {
        reason: StockReason::Spoilage,
        actor_id: Some(seller),
        note: "",
    };
    assert!(matches!(
        store
            .change_stock(variant, StockChange::Adjust(-13), spoiled)
            .await,
        Err(Error::Invalid(e)) if e.code == "stock-below-zero"
    ));
    assert_eq!(
        store
            .change_stock(variant, StockChange::Set(9), spoiled)
            .await
            .unwrap(),
        9
    );
    // Setting the count it already has records nothing.
    store
        .change_stock(variant, StockChange::Set(9), spoiled)
        .await
        .unwrap();
    store
        .advance_order(sold.orders[0].id, OrderEvent::Cancel, buyer, None)
        .await
        .unwrap();
    let moves = store
        .stock_movements(shop.id, Some(product_id), None, 50)
        .await
        .unwrap();
    let reasons: Vec<(StockReason, i64)> = moves.iter().map(|m| (m.reason, m.delta)).collect();
    assert_eq!(
        reasons,
        vec![
            (StockReason::Cancelled, 3),
            (StockReason::Spoilage, -3),
            (StockReason::Restock, 5),
            (StockReason::Sold, -3),
            (StockReason::Opening, 10),
        ]
    );
    assert_eq!(moves[2].note, "新货到了");
    assert_eq!(moves[3].order_id, Some(sold.orders[0].id));
    let total: i64 = moves.iter().map(|m| m.delta).sum();
    assert_eq!(total, store.variant_stock(variant).await.unwrap());
    // Paged by id.
    let older = store
        .stock_movements(shop.id, None, Some(moves[1].id), 2)
        .await
        .unwrap();
    assert_eq!(
        older.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![moves[2].id, moves[3].id]
    );
    // Running low: at or below the threshold.
    assert!(store.low_stock(shop.id).await.unwrap().is_empty());
    store
        .change_variant(
            variant,
            VariantChange {
                price: None,
                low_stock_threshold: Some(12),
            },
        )
        .await
        .unwrap();
    let low = store.low_stock(shop.id).await.unwrap();
    assert_eq!(low.len(), 1);
    assert_eq!(
        (low[0].variant_id, low[0].stock, low[0].threshold),
        (variant, 12, 12)
    );
}

pub async fn a_count_and_orders_racing_never_leave_negative_stock(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let seller = seller_of(store).await;
    let variant = stocked_variant(store, shop.id, 40, ProductStatus::Listed).await;
    let product_id = store.product_of_variant(variant).await.unwrap().id;
    let people = buyers(store, 40).await;
    let intake = OrderIntake::start(store.clone());
    let mut tasks = Vec::new();
    for (n, buyer) in people.iter().copied().enumerate() {
        let intake = intake.clone();
        tasks.push(tokio::spawn(async move {
            intake
                .place(placement(buyer, &format!("race-key-{n}"), &[(variant, 2)]))
                .await
                .is_ok()
        }));
    }
    // Meanwhile the seller takes units off for spoilage and recounts.
    let mut seller_moves = 0;
    for round in 0..10 {
        let change = if round % 2 == 0 {
            StockChange::Adjust(-3)
        } else {
            StockChange::Set(7)
        };
        let mover = Mover {
            reason: StockReason::Correction,
            actor_id: Some(seller),
            note: "",
        };
        if store.change_stock(variant, change, mover).await.is_ok() {
            seller_moves += 1;
        }
        tokio::task::yield_now().await;
    }
    let mut placed = 0;
    for task in tasks {
        if task.await.unwrap() {
            placed += 1;
        }
    }
    let stock = store.variant_stock(variant).await.unwrap();
    assert!(stock >= 0);
    let moves = store
        .stock_movements(shop.id, Some(product_id), None, 500)
        .await
        .unwrap();
    assert_eq!(moves.iter().map(|m| m.delta).sum::<i64>(), stock);
    let sold: HashSet<i64> = moves
        .iter()
        .filter(|m| m.reason == StockReason::Sold)
        .filter_map(|m| m.order_id)
        .collect();
    assert_eq!(sold.len(), placed, "one sold movement per order");
    assert!(seller_moves > 0);
}

pub async fn a_shops_orders_narrow_by_kind_place_date_and_search(db: &TestDb) {
    use farmgate_domain::orders::Fulfilment;
    use farmgate_store::orders::{Delivery, OrderFilter, OrderPage};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let pepper = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let pepper_product = store.product_of_variant(pepper).await.unwrap();
    let details = ProductDetails {
        category_id: pepper_product.category_id,
        origin_id: pepper_product.origin_id,
        organic_certificate: None,
        tags: vec![],
        texts: vec![ProductText {
            language: Language::ZhCn,
            name: "大红袍花椒".to_owned(),
            story: String::new(),
        }],
        code: None,
    };
    store
        .update_product(pepper_product.id, &details)
        .await
        .unwrap();
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let first = intake
        .place(placement(buyer, "narrow-first", &[(walnuts, 1)]))
        .await
        .unwrap()
        .orders[0]
        .id;
    let mut home = placement(buyer, "narrow-home", &[(pepper, 2)]);
    home.delivery = Delivery::Home {
        region_id: store.region_by_code("korla-saibag").await.unwrap().id,
        address: "3 组 12 号".to_owned(),
        recipient: farmgate_domain::accounts::DisplayName::parse("米热古丽").unwrap(),
        phone: farmgate_domain::accounts::PhoneNumber::parse("13909990101").unwrap(),
    };
    let second = intake.place(home).await.unwrap().orders[0].id;
    let third = intake
        .place(placement(buyer, "narrow-third", &[(walnuts, 3)]))
        .await
        .unwrap()
        .orders[0]
        .id;
    let ids = |filter: OrderFilter| async move {
        store
            .orders_of_shop(
                shop.id,
                OrderPage {
                    filter,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect::<Vec<_>>()
    };
    let text = |t: &str| OrderFilter {
        text: Some(t.to_owned()),
        ..Default::default()
    };
    assert_eq!(
        ids(OrderFilter::default()).await,
        vec![third, second, first]
    );
    assert_eq!(
        ids(OrderFilter {
            fulfilment: Some(Fulfilment::Home),
            ..Default::default()
        })
        .await,
        vec![second]
    );
    assert_eq!(
        ids(OrderFilter {
            station_id: Some(1),
            ..Default::default()
        })
        .await,
        vec![third, first]
    );
    assert_eq!(ids(text("花椒")).await, vec![second]);
    assert_eq!(ids(text(&format!("#{first}"))).await, vec![first]);
    assert_eq!(
        ids(text("米**")).await,
        vec![second],
        "the recipient's masked name"
    );
    assert_eq!(ids(text("测**")).await.len(), 3, "the buyer's masked name");
    assert!(
        ids(text("50%")).await.is_empty(),
        "a typed % matches itself"
    );
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    assert!(
        ids(OrderFilter {
            placed_from: Some(tomorrow),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        ids(OrderFilter {
            placed_before: Some(tomorrow),
            room_id: None,
            ..Default::default()
        })
        .await
        .len(),
        3
    );
    assert!(
        ids(OrderFilter {
            room_id: Some(99),
            ..Default::default()
        })
        .await
        .is_empty()
    );
}
