//! Webhook deliveries on both databases: one per event and subscription, claimed by one
//! sender at a time, retried when due, and kept in the log.

use farmgate_domain::webhooks::WebhookEvent;
use farmgate_store::testing::TestDb;
use farmgate_store::webhooks::{DeliveryStatus, Owner};

use super::{open_shop, seed_demo};

pub async fn a_delivery_is_written_once_claimed_once_and_retried(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let sub = store
        .add_webhook(
            Owner::Shop(shop.id),
            "https://erp.example.com/hook",
            &[WebhookEvent::OrderPlaced],
            1,
        )
        .await
        .unwrap();
    assert!(sub.secret.len() >= 64);
    assert_eq!(store.active_webhooks().await.unwrap().len(), 1);
    for expected in [1, 0] {
        let written = store
            .write_webhook_deliveries(&[sub.id], WebhookEvent::OrderPlaced, "order:1:placed", "{}")
            .await
            .unwrap();
        assert_eq!(written, expected, "the same event twice is one delivery");
    }
    let now = chrono::Utc::now();
    let lease = chrono::Duration::seconds(60);
    let claimed = store
        .claim_webhook_deliveries(now, lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].url, "https://erp.example.com/hook");
    assert!(
        store
            .claim_webhook_deliveries(now, lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "leased to the first sender"
    );
    let id = claimed[0].delivery.id;
    store
        .record_webhook_attempt(id, Some(500), Some("HTTP 500"), Some(now))
        .await
        .unwrap();
    let again = store
        .claim_webhook_deliveries(now + chrono::Duration::seconds(1), lease, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "due again after the failure");
    store
        .record_webhook_attempt(id, Some(200), None, None)
        .await
        .unwrap();
    let log = store.webhook_deliveries(sub.id, 0, 10).await.unwrap();
    assert_eq!(
        (log[0].status, log[0].attempts, log[0].last_status),
        (DeliveryStatus::Delivered, 2, Some(200))
    );
    store.set_webhook_active(sub.id, false).await.unwrap();
    assert!(store.active_webhooks().await.unwrap().is_empty());
    store.remove_webhook(sub.id).await.unwrap();
    assert!(
        store
            .webhooks_of(Owner::Shop(shop.id))
            .await
            .unwrap()
            .is_empty()
    );
}
