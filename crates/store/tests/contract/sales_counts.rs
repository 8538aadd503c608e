//! Products' sales counts on both databases: the first pass counts every product; later passes
//! count again only what orders changed (a cancellation takes its units back); a pass with
//! nothing new changes nothing.

use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::orders::OrderEvent;
use farmgate_store::orders::OrderIntake;
use farmgate_store::testing::TestDb;

use super::{new_account, open_shop, placement, seed_demo, stocked_variant};

pub async fn sales_counts_follow_the_orders(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "counts-seller", "korla-saibag").await;
    let variant = stocked_variant(store, shop.id, 100, ProductStatus::Listed).await;
    let product = store.variant(variant).await.unwrap().product_id;
    let buyer = store
        .create_account(new_account("counts-buyer"))
        .await
        .unwrap()
        .id;
    let intake = OrderIntake::start(store.clone());
    intake
        .place(placement(buyer, "counts-first-order", &[(variant, 3)]))
        .await
        .unwrap();
    assert!(
        store
            .refresh_sales_counts()
            .await
            .unwrap()
            .contains(&product)
    );
    assert_eq!(store.product(product).await.unwrap().sales_count, 3);

    let second = intake
        .place(placement(buyer, "counts-second-order", &[(variant, 2)]))
        .await
        .unwrap();
    store.refresh_sales_counts().await.unwrap();
    assert_eq!(store.product(product).await.unwrap().sales_count, 5);
    store
        .advance_order(second.orders[0].id, OrderEvent::Cancel, buyer, None)
        .await
        .unwrap();
    assert_eq!(
        store.refresh_sales_counts().await.unwrap(),
        vec![product],
        "the cancelled order's product is counted again"
    );
    assert_eq!(store.product(product).await.unwrap().sales_count, 3);
    assert!(
        store.refresh_sales_counts().await.unwrap().is_empty(),
        "nothing new, nothing changed"
    );
}
