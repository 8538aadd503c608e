//! Outbound webhooks against a real receiver: a shop subscribes, an order is placed, the
//! receiver refuses the first delivery and gets it again after the backoff; both carry a
//! signature the receiver verifies with the subscription's secret; the log shows it.
//! Private addresses are refused unless the settings allow them; another shop sees nothing.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use farmgate_web::WebConfig;
use serde_json::{Value, json};

use crate::support::{Db, spawn_with};

type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on this machine that answers 500 to the first delivery and 200 after.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let kept = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let kept = Arc::clone(&kept);
            async move {
                let mut all = kept.lock().unwrap();
                all.push((headers, body));
                if all.len() == 1 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test]
async fn a_delivery_is_signed_received_and_retried_after_a_failure() {
    let config = WebConfig {
        webhooks_to_private: true,
        webhook_retry_secs: 1,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let listed = app.walnut_shop("伏家核桃", 10).await;
    let (url, received) = receiver().await;
    let client = reqwest::Client::new();
    let subscribed = client
        .post(app.url(&format!("/api/v1/shops/{}/webhooks", listed.shop_id)))
        .bearer_auth(&listed.owner)
        .json(&json!({"url": url, "events": ["order.placed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(subscribed.status(), 201);
    let sub: Value = subscribed.json().await.unwrap();
    let secret = sub["secret"].as_str().unwrap().to_owned();

    let buyer = app.buyer_tokens(1).await.remove(0);
    let placed: Value = client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&buyer)
        .header("idempotency-key", "webhook-order-0001")
        .json(&json!({"items": [{"variant_id": listed.variant_id, "quantity": 1}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "cash"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let order = placed["orders"][0]["id"].as_i64().unwrap();

    // The first attempt is refused; the sender tries again after its backoff.
    for _ in 0..100 {
        if received.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "one failure, one retry");
    assert_eq!(got[0].1, got[1].1, "the same event both times");
    let now = chrono::Utc::now().timestamp();
    for (headers, body) in &got {
        let timestamp: i64 = headers["x-farmgate-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let signature = headers["x-farmgate-signature"].to_str().unwrap();
        assert!(farmgate_domain::webhooks::verify(
            secret.as_bytes(),
            timestamp,
            body.as_bytes(),
            signature,
            now,
            300
        ));
        assert!(!farmgate_domain::webhooks::verify(
            b"another secret",
            timestamp,
            body.as_bytes(),
            signature,
            now,
            300
        ));
        assert_eq!(headers["x-farmgate-event"], "order.placed");
    }
    let event: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(event["data"]["order_id"], order);

    // The log: delivered on the second attempt, the first answer kept.
    let mut log: Value = Value::Null;
    for _ in 0..50 {
        log = client
            .get(app.url(&format!("/api/v1/webhooks/{}/deliveries", sub["id"])))
            .bearer_auth(&listed.owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if log[0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(log[0]["status"], "delivered", "{log}");
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["last_status"], 200);
    app.stop().await;
}

#[tokio::test]
async fn private_addresses_and_other_shops_are_refused() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let listed = app.walnut_shop("伏家核桃", 10).await;
    let client = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/shops/{}/webhooks", listed.shop_id));
    for (address, code) in [
        ("http://127.0.0.1:9/hook", "webhook-url-private"),
        ("http://169.254.169.254/latest", "webhook-url-private"),
        ("ftp://example.com/", "webhook-url-invalid"),
    ] {
        let refused = client
            .post(&url)
            .bearer_auth(&listed.owner)
            .json(&json!({"url": address, "events": ["order.placed"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422, "{address}");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["error"]["code"], code);
        assert_eq!(problem["error"]["field"], "url");
    }
    let no_events = client
        .post(&url)
        .bearer_auth(&listed.owner)
        .json(&json!({"url": "https://erp.example.com/hook", "events": ["order.eaten"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_events.status(), 422);
    let made: Value = client
        .post(&url)
        .bearer_auth(&listed.owner)
        .json(&json!({"url": "https://erp.example.com/hook", "events": ["order.paid"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Another shop's member sees nothing of it and cannot remove it.
    let (other, _) = app.open_shop("apricot-grower", "tekes-lijie").await;
    let foreign = client.get(&url).bearer_auth(&other).send().await.unwrap();
    assert_eq!(foreign.status(), 404);
    let removed = client
        .delete(app.url(&format!("/api/v1/webhooks/{}", made["id"])))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 404);
    let page = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let shown = crate::support::text(
        &page,
        app.url(&format!("/seller/shops/{}/webhooks", listed.shop_id)),
    )
    .await;
    assert!(
        shown.contains("erp.example.com") && shown.contains("签名密钥"),
        "{shown}"
    );
    app.stop().await;
}
