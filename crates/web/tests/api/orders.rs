//! Placing orders over HTTP: idempotent, never oversold, readable only by those concerned.

use crate::support;

use farmgate_web::WebConfig;
use serde_json::{Value, json};
use support::{App, Db, spawn_with};

/// A listed product of a new shop with `stock` units at ¥38.00; returns (owner token, shop id, variant id).
async fn stocked(app: &App, stock: i64) -> (String, i64, i64) {
    let listed = app.walnut_shop("徽县核桃", stock).await;
    (listed.owner, listed.shop_id, listed.variant_id)
}

fn order_body(variant: i64, quantity: i64) -> Value {
    json!({"items": [{"variant_id": variant, "quantity": quantity}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "cash"})
}

async fn fifty_buyers_race_for_ten_bags(db: Db) {
    // One buyer sends all fifty: lift the per-buyer burst allowance for the race.
    let config = WebConfig {
        orders_per_buyer_burst: 100,
        ..WebConfig::default()
    };
    let Some(app) = spawn_with(db, config).await else {
        eprintln!("skipped: FARMGATE_TEST_POSTGRES_URL is not set");
        return;
    };
    let (owner, shop_id, variant) = stocked(&app, 10).await;
    let buyer = app.token("buyer").await;
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for n in 0..50 {
        let request = client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&buyer)
            .header("idempotency-key", format!("race-for-walnuts-{n:03}"))
            .header("accept-language", "en")
            .json(&order_body(variant, 1))
            .send();
        tasks.push(tokio::spawn(request));
    }
    let (mut placed, mut refused) = (0, 0);
    for task in tasks {
        let response = task.await.unwrap().unwrap();
        match response.status().as_u16() {
            201 => placed += 1,
            409 => {
                refused += 1;
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["error"]["code"], "out-of-stock");
                assert!(
                    body["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("Not enough left")
                );
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((placed, refused), (10, 40));
    let orders: Value = client
        .get(app.url(&format!("/api/v1/shops/{shop_id}/orders")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders.as_array().unwrap().len(), 10);
    app.stop().await;
}

#[tokio::test]
async fn fifty_concurrent_orders_for_ten_bags_make_ten_orders_on_sqlite() {
    fifty_buyers_race_for_ten_bags(Db::Sqlite).await;
}

#[tokio::test]
async fn fifty_concurrent_orders_for_ten_bags_make_ten_orders_on_postgresql() {
    fifty_buyers_race_for_ten_bags(Db::Postgres).await;
}

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_same_order() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, _, variant) = stocked(&app, 10).await;
    let buyer = app.token("buyer").await;
    let client = reqwest::Client::new();
    let place = || {
        client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&buyer)
            .header("idempotency-key", "retry-after-a-dropped-line")
            .json(&order_body(variant, 2))
            .send()
    };
    let first = place().await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = place().await.unwrap();
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["replayed"], true);
    assert_eq!(first["orders"][0]["id"], again["orders"][0]["id"]);
    assert_eq!(first["total_fen"], 7600);
    let product: Value = client
        .get(app.url(&format!("/api/v1/orders/{}", first["orders"][0]["id"])))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(product["status"], "placed");
    assert_eq!(product["events"][0]["status"], "placed");
    let mine: Value = client
        .get(app.url("/api/v1/orders"))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine.as_array().unwrap().len(),
        1,
        "one order for two requests"
    );
    app.stop().await;
}

#[tokio::test]
async fn only_the_buyer_and_the_shop_read_an_order() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (owner, _, variant) = stocked(&app, 10).await;
    let (other_seller, _) = app
        .open_shop("jialing-peppers", "huixian-jialing-village")
        .await;
    let buyer = app.token("buyer").await;
    let client = reqwest::Client::new();
    let placed: Value = client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&buyer)
        .header("idempotency-key", "read-access-0001")
        .json(&order_body(variant, 1))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = placed["orders"][0]["id"].as_i64().unwrap();
    let read = |token: String| {
        let request = client
            .get(app.url(&format!("/api/v1/orders/{id}")))
            .bearer_auth(token)
            .send();
        async move { request.await.unwrap().status().as_u16() }
    };
    assert_eq!(read(buyer.clone()).await, 200);
    assert_eq!(read(owner.clone()).await, 200);
    assert_eq!(
        read(other_seller.clone()).await,
        404,
        "another shop's seller is told it does not exist"
    );
    assert_eq!(read(app.token("tekes-centre").await).await, 404);
    assert_eq!(
        client
            .get(app.url(&format!("/api/v1/orders/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let shop_orders = client
        .get(app.url(&format!(
            "/api/v1/shops/{}/orders",
            placed["orders"][0]["shop_id"]
        )))
        .bearer_auth(&other_seller)
        .send()
        .await
        .unwrap();
    assert_eq!(shop_orders.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn bad_orders_get_a_translated_4xx() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, _, variant) = stocked(&app, 10).await;
    let buyer = app.token("buyer").await;
    let client = reqwest::Client::new();
    let post = |key: Option<&'static str>, body: Value| {
        let mut request = client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&buyer)
            .header("accept-language", "ug")
            .json(&body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.send()
    };
    let cases: Vec<(Option<&'static str>, Value, u16, &str)> = vec![
        (None, order_body(variant, 1), 422, "idempotency-key-invalid"),
        (
            Some("short"),
            order_body(variant, 1),
            422,
            "idempotency-key-invalid",
        ),
        (
            Some("bad-orders-0001"),
            order_body(variant, 0),
            422,
            "quantity-invalid",
        ),
        (
            Some("bad-orders-0002"),
            order_body(variant, 1000),
            422,
            "quantity-invalid",
        ),
        (
            Some("bad-orders-0003"),
            json!({"items": [], "delivery": {"kind": "pickup", "station": "1"}, "payment": "cash"}),
            422,
            "basket-empty",
        ),
        (
            Some("bad-orders-0004"),
            order_body(999_999, 1),
            422,
            "not-for-sale",
        ),
        (
            Some("bad-orders-0005"),
            json!({"items": [{"variant_id": variant, "quantity": 1}], "delivery": {"kind": "pickup", "station": "999999"}, "payment": "cash"}),
            422,
            "station-invalid",
        ),
        (
            Some("bad-orders-0006"),
            json!({"items": [{"variant_id": variant, "quantity": 1}], "delivery": {"kind": "home", "region": "huixian", "address": "1 号", "recipient": "王", "phone": "13900000000"}, "payment": "cash"}),
            422,
            "region-invalid",
        ),
        (
            Some("bad-orders-0007"),
            json!({"items": [{"variant_id": variant, "quantity": 1}], "delivery": {"kind": "home", "region": "huixian-fujia-village", "address": "1 号", "recipient": "王", "phone": "1234"}, "payment": "cash"}),
            422,
            "phone-invalid",
        ),
        (
            Some("bad-orders-0010"),
            json!({"items": [{"variant_id": variant, "quantity": 1}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "iou"}),
            422,
            "payment-invalid",
        ),
        (
            Some("bad-orders-0008"),
            json!({"items": "lots"}),
            422,
            "json-invalid",
        ),
        (
            Some("bad-orders-0009"),
            order_body(variant, 11),
            409,
            "out-of-stock",
        ),
    ];
    for (key, body, status, code) in cases {
        let response = post(key, body.clone()).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(
            message
                .chars()
                .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "in Uyghur: {message}"
        );
    }
    let mine: Value = client
        .get(app.url("/api/v1/orders"))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        mine.as_array().unwrap().is_empty(),
        "no refused order left anything behind"
    );
    app.stop().await;
}

#[tokio::test]
async fn one_buyer_cannot_flood_the_intake() {
    let config = WebConfig {
        orders_per_buyer_per_second: 1,
        orders_per_buyer_burst: 3,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let (_, _, variant) = stocked(&app, 100).await;
    let buyer = app.token("buyer").await;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for n in 0..4 {
        let response = client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&buyer)
            .header("idempotency-key", format!("flood-{n:04}-key"))
            .json(&order_body(variant, 1))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 201, 429]);
    app.stop().await;
}

#[tokio::test]
async fn sellers_and_buyers_move_orders_only_along_their_own_legal_steps() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (owner, _, variant) = stocked(&app, 10).await;
    let (other_seller, _) = app
        .open_shop("jialing-peppers", "huixian-jialing-village")
        .await;
    let buyer = app.token("buyer").await;
    let client = reqwest::Client::new();
    let place = |key: &'static str| {
        client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&buyer)
            .header("idempotency-key", key)
            .json(&order_body(variant, 1))
            .send()
    };
    let placed: Value = place("steps-0001-key").await.unwrap().json().await.unwrap();
    let id = placed["orders"][0]["id"].as_i64().unwrap();
    let step = |token: &str, body: Value| {
        client
            .post(app.url(&format!("/api/v1/orders/{id}/events")))
            .bearer_auth(token)
            .header("accept-language", "en")
            .json(&body)
            .send()
    };

    assert_eq!(
        step(&buyer, json!({"event": "pack", "packed_grams": 1040}))
            .await
            .unwrap()
            .status(),
        403,
        "buyers do not pack"
    );
    assert_eq!(
        step(
            &other_seller,
            json!({"event": "pack", "packed_grams": 1040})
        )
        .await
        .unwrap()
        .status(),
        404
    );
    assert_eq!(
        step(&owner, json!({"event": "pack"}))
            .await
            .unwrap()
            .status(),
        422,
        "packing needs the weight"
    );
    assert_eq!(
        step(&owner, json!({"event": "teleport"}))
            .await
            .unwrap()
            .status(),
        422
    );
    let packed: Value = step(&owner, json!({"event": "pack", "packed_grams": 1040}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(packed["status"], "packed");
    let shipped: Value = step(&owner, json!({"event": "ship", "note": "EMS 1234567890"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shipped["status"], "shipped");
    let wrong = step(&owner, json!({"event": "deliver"})).await.unwrap();
    assert_eq!(
        wrong.status(),
        409,
        "a pickup order is not delivered to a door"
    );
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"]["code"], "order-state");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not allow")
    );
    assert_eq!(
        step(&buyer, json!({"event": "cancel"}))
            .await
            .unwrap()
            .status(),
        409,
        "too late to cancel once packed"
    );

    let fresh: Value = place("steps-0002-key").await.unwrap().json().await.unwrap();
    let fresh_id = fresh["orders"][0]["id"].as_i64().unwrap();
    let cancelled = client
        .post(app.url(&format!("/api/v1/orders/{fresh_id}/events")))
        .bearer_auth(&buyer)
        .json(&json!({"event": "cancel", "note": "买多了"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    let product: Value = client
        .get(app.url("/api/v1/products?region=huixian"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        product[0]["variants"][0]["stock"], 9,
        "one bag sold and packed, the cancelled one back on the shelf"
    );
    app.stop().await;
}

/// Copies order `template` (with its lines and events) `count` times for the same buyer and
/// shop, in three statements: a shop with a long history, made in a second.
async fn clone_order(app: &App, template: i64, count: i64) {
    use sea_orm::ConnectionTrait;
    let db = app.db.store.raw_for_tests();
    let numbers = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})"
    );
    db.execute_unprepared(&format!(
        "{numbers} INSERT INTO orders (checkout_id, buyer_id, shop_id, idempotency_key, status, \
         fulfilment, payment_method, pickup_region_id, address, goods_fen, shipping_fen, total_fen, \
         placed_at, updated_at, station_id, delivery_region_id, recipient_name, recipient_phone, room_id) \
         SELECT 'bulk-' || n.i, o.buyer_id, o.shop_id, 'bulk-order-' || n.i, o.status, o.fulfilment, \
         o.payment_method, o.pickup_region_id, o.address, o.goods_fen, o.shipping_fen, o.total_fen, \
         o.placed_at, o.updated_at, o.station_id, o.delivery_region_id, o.recipient_name, \
         o.recipient_phone, o.room_id FROM orders o, n WHERE o.id = {template}"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "INSERT INTO order_lines (order_id, variant_id, product_id, name, unit, net_grams, quantity, \
         unit_price_fen, line_fen, price_policy, tolerance_bp, packed_grams) \
         SELECT o.id, l.variant_id, l.product_id, l.name, l.unit, l.net_grams, l.quantity, \
         l.unit_price_fen, l.line_fen, l.price_policy, l.tolerance_bp, l.packed_grams \
         FROM orders o, order_lines l WHERE l.order_id = {template} AND o.checkout_id LIKE 'bulk-%'"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "INSERT INTO order_events (order_id, status, actor_id, note, at) \
         SELECT o.id, e.status, e.actor_id, e.note, e.at \
         FROM orders o, order_events e WHERE e.order_id = {template} AND o.checkout_id LIKE 'bulk-%'"
    ))
    .await
    .unwrap();
}

/// The review's 500: a shop and a buyer with 40,000 orders. Every list pages (20 on a page,
/// at most 100 through the API, a `Link` to the next), and the export streams all of them.
#[tokio::test]
async fn forty_thousand_orders_page_and_export() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (owner, shop_id, variant) = stocked(&app, 10).await;
    let buyer = app.token("buyer").await;
    let client = reqwest::Client::new();
    let placed: Value = client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&buyer)
        .header("idempotency-key", "the-first-of-many")
        .json(&order_body(variant, 1))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let template = placed["orders"][0]["id"].as_i64().unwrap();
    clone_order(&app, template, 39_999).await;

    // The buyer's API: a page of 100, a link to the next, which continues where it stopped.
    let first = client
        .get(app.url("/api/v1/orders?limit=100"))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let page: Vec<Value> = first.json().await.unwrap();
    assert_eq!(page.len(), 100);
    let last = page[99]["id"].as_i64().unwrap();
    assert!(link.contains(&format!("before={last}")), "{link}");
    let next_url = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    let second: Vec<Value> = client
        .get(app.url(&next_url))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second.len(), 100);
    assert!(second[0]["id"].as_i64().unwrap() < last);
    let too_many = client
        .get(app.url("/api/v1/orders?limit=5000"))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap();
    assert_eq!(too_many.status(), 422);
    // The oldest page ends the list: no link after it.
    let oldest = client
        .get(app.url(&format!("/api/v1/orders?before={}", template + 1)))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap();
    assert!(!oldest.headers().contains_key("link"));
    assert_eq!(oldest.json::<Vec<Value>>().await.unwrap().len(), 1);

    // The shop's API and pages, the buyer's page.
    let shop_page: Vec<Value> = client
        .get(app.url(&format!("/api/v1/shops/{shop_id}/orders")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shop_page.len(), 20);
    let browser = app.logged_in("buyer").await;
    let mine = browser.get(app.url("/orders")).send().await.unwrap();
    assert_eq!(mine.status(), 200);
    assert!(mine.text().await.unwrap().contains("/orders?before="));
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    for path in [
        format!("/seller/shops/{shop_id}/orders"),
        format!("/seller/shops/{shop_id}/orders?show=all"),
    ] {
        let answer = seller.get(app.url(&path)).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{path}");
    }

    // The export: every order, one row each, streamed.
    let started = std::time::Instant::now();
    let export = seller
        .get(app.url(&format!("/seller/shops/{shop_id}/orders.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let bytes = export.bytes().await.unwrap();
    println!(
        "40,000 orders exported in {:?} ({} KB)",
        started.elapsed(),
        bytes.len() / 1024
    );
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let rows = workbook.worksheet_range_at(0).unwrap().unwrap().height();
    assert_eq!(rows, 40_001, "a header and 40,000 orders");
    app.stop().await;
}
