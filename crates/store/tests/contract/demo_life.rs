//! The demo's year of life, on both databases: orders through the intake in their seasons,
//! walked through real steps in time order, some refunds and reviews, the seed shops approved
//! by their county's centre, loaded once.

use chrono::{Datelike, Utc};
use farmgate_domain::accounts::LoginId;
use farmgate_domain::orders::OrderStatus;
use farmgate_store::Store;
use farmgate_store::orders::OrderPage;
use farmgate_store::testing::TestDb;

use super::seed_demo;

async fn shop_of(store: &Store, owner: &str) -> i64 {
    let owner = store
        .account_by_login(&LoginId::parse(owner).unwrap())
        .await
        .unwrap()
        .unwrap();
    store.shops_of_member(owner.id).await.unwrap()[0].id
}

pub async fn the_demo_year_is_seasonal_walked_and_loaded_once(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let life = store.load_demo_orders(&|_, _| {}).await.unwrap();
    assert!(life.orders > 300, "{life:?}");
    assert!(life.refunds > 0 && life.reviews > 50, "{life:?}");
    assert_eq!(
        store.load_demo_orders(&|_, _| {}).await.unwrap().orders,
        0,
        "loaded once"
    );

    // This morning's work waits for the demo's stations, courier and centres.
    use farmgate_store::orders::ParcelsAt;
    for (place, at_stations) in [
        ("korla-saibag", true),
        ("tekes-kuokesu", true),
        ("zezhou-gaodu", false),
    ] {
        let path = store.region_by_code(place).await.unwrap().path;
        let at = if at_stations {
            ParcelsAt::Stations(&path)
        } else {
            ParcelsAt::Doors(&path)
        };
        let waiting = store
            .parcels_waiting(at, OrderPage::default())
            .await
            .unwrap();
        assert!(!waiting.is_empty(), "parcels wait at {place}");
    }
    for county in ["tekes", "jinghe", "huixian", "korla", "kuqa", "zezhou"] {
        let path = store.region_by_code(county).await.unwrap().path;
        let pending = store
            .shop_applications_within(
                &path,
                Some(farmgate_domain::shops::ApplicationStatus::Pending),
            )
            .await
            .unwrap();
        assert!(!pending.is_empty(), "an application waits in {county}");
    }

    // Approved by the county's centre, not the administrator.
    let owner = store
        .account_by_login(&LoginId::parse("huixian-host").unwrap())
        .await
        .unwrap()
        .unwrap();
    let application = &store.shop_applications_of(owner.id).await.unwrap()[0];
    let centre = store
        .account_by_login(&LoginId::parse("huixian-centre").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(application.decided_by, Some(centre.id));

    // Korla's fresh pears sell in summer and autumn only; every timeline runs forward.
    let korla = shop_of(store, "saibag-seller").await;
    let page = OrderPage {
        before: None,
        statuses: Vec::new(),
        limit: 100,
        filter: Default::default(),
    };
    let orders = store.orders_of_shop(korla, page).await.unwrap();
    assert!(!orders.is_empty());
    let year_ago = Utc::now() - chrono::Duration::days(366);
    for order in &orders {
        assert!(order.placed_at > year_ago);
        let times: Vec<_> = order.events.iter().map(|e| e.at).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{:?}", order.events);
        if order.placed_at < Utc::now() - chrono::Duration::days(9) {
            assert!(
                matches!(
                    order.status,
                    OrderStatus::Completed | OrderStatus::Refunded | OrderStatus::RefundRequested
                ),
                "{:?}",
                order.status
            );
        }
    }
    // The year's walk follows the seasons; this week's orders waiting to be packed (the
    // seller's desk) are whatever the stall has.
    let fresh: Vec<u32> = orders
        .iter()
        .filter(|o| o.placed_at < Utc::now() - chrono::Duration::days(9))
        .filter(|o| o.lines.iter().any(|l| l.name.contains("梨")))
        .map(|o| o.placed_at.month())
        .collect();
    assert!(
        fresh.iter().all(|m| (5..=10).contains(m)),
        "fresh pears in season only: {fresh:?}"
    );
    for variant in orders
        .iter()
        .flat_map(|o| o.lines.iter().map(|l| l.variant_id))
    {
        assert!(store.variant_stock(variant).await.unwrap() >= 0);
    }
}
