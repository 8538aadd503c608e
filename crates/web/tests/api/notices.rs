//! People are told what happened to their things: the shop of a new order (the header counts
//! it), the buyer of a parcel ready at the station (also by text message through the
//! outbox), each once; a kind turned off is not told; nobody opens another's notice.

use farmgate_web::WebConfig;
use serde_json::json;

use crate::support::{self, Db, spawn_with};

#[tokio::test]
async fn the_shop_hears_of_an_order_and_the_buyer_of_the_parcel() {
    let config = WebConfig {
        messenger: farmgate_web::messaging::MessengerKind::Outbox,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let listed = app.walnut_shop("伏家核桃", 10).await;
    let buyer_token = app.buyer_tokens(1).await.remove(0);
    let store = &app.db.store;
    let buyer = store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("burst-buyer-0").unwrap())
        .await
        .unwrap()
        .unwrap();
    // The buyer's phone, proven as any phone is (a one-time code).
    let phone = farmgate_domain::accounts::PhoneNumber::parse("13900001111").unwrap();
    let (code_id, code) = store.issue_phone_code(buyer.id, &phone).await.unwrap();
    store.prove_phone(buyer.id, code_id, &code).await.unwrap();
    let client = reqwest::Client::new();
    let placed: serde_json::Value = client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&buyer_token)
        .header("idempotency-key", "notice-order-0001")
        .json(&json!({"items": [{"variant_id": listed.variant_id, "quantity": 2}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "cash"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let order = placed["orders"][0]["id"].as_i64().unwrap();

    // The seller sees it in the header and the inbox, once.
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    // The shop is told right after the buyer's answer (the notice is not in its way).
    let seller_id = store_id(&app, "fujia-walnuts").await;
    told_within_a_second(&app, seller_id, 2).await;
    let console = support::text(&seller, app.url("/seller")).await;
    // Unread: the shop's approval and the new order.
    assert!(
        console.contains("class=\"badge\">2<"),
        "two unread: {console}"
    );
    let inbox = support::text(&seller, app.url("/notices"))
        .await
        .replace(['\u{2068}', '\u{2069}'], "");
    assert!(inbox.contains(&format!("新订单 #{order}")), "{inbox}");
    let notice_id = store
        .notices(store_id(&app, "fujia-walnuts").await, None, 1)
        .await
        .unwrap()[0]
        .id;
    let opened = seller
        .get(app.url(&format!("/notices/{notice_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        opened.headers()["location"].to_str().unwrap(),
        format!("/orders/{order}"),
        "the link goes to the order"
    );
    let console = support::text(&seller, app.url("/seller")).await;
    assert!(
        console.contains("class=\"badge\">1<"),
        "the order's notice is read: {console}"
    );
    assert!(
        inbox.contains("开店申请通过了"),
        "the approval was told too"
    );
    let all_read = app.submit(&seller, "/notices", "/notices/read", &[]).await;
    assert_eq!(all_read.status(), 303);
    let console = support::text(&seller, app.url("/seller")).await;
    assert!(!console.contains("class=\"badge\""), "all read");

    // The seller packs and ships it, the station receives it: the buyer is told, also by text
    // message.
    let page = format!("/seller/shops/{}/orders", listed.shop_id);
    for (event, grams) in [("pack", "2000"), ("ship", "")] {
        let stepped = app
            .submit(
                &seller,
                &page,
                &format!("/orders/{order}/events"),
                &[("event", event), ("packed_grams", grams), ("back", &page)],
            )
            .await;
        assert_eq!(stepped.status(), 303, "{event}");
    }
    app.receive_at_station(order).await;
    // Notices are written just after the step's answer (queued, then written in one go).
    told_within_a_second(&app, buyer.id, 2).await;
    for _ in 0..50 {
        if !store.outbox(10).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let told = store.notices(buyer.id, None, 10).await.unwrap();
    use farmgate_domain::notifications::NoticeKind;
    let kinds: Vec<NoticeKind> = told.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        vec![NoticeKind::OrderReady, NoticeKind::OrderShipped],
        "packing is the shop's business; the parcel's way is the buyer's"
    );
    let texts = store.outbox(10).await.unwrap();
    assert!(
        texts
            .iter()
            .any(|m| m.to_phone == "13900001111" && m.body.contains(&order.to_string())),
        "the parcel notice went by text message too: {texts:?}"
    );

    // Someone else cannot open the buyer's notice.
    let stranger = seller
        .get(app.url(&format!("/notices/{}", told[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);

    // The seller turns new-order notices off: the next order is not told.
    let saved = app
        .submit(
            &seller,
            "/notices/settings",
            "/notices/settings",
            &[("in_app", "order_paid"), ("in_app", "refund_requested")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&buyer_token)
        .header("idempotency-key", "notice-order-0002")
        .json(&json!({"items": [{"variant_id": listed.variant_id, "quantity": 1}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "cash"}))
        .send()
        .await
        .unwrap();
    // Given the time a notice takes, none came.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(store.unread_notices(seller_id).await.unwrap(), 0);

    // With a proven phone the seller chooses texts for new orders: the next one comes both ways.
    let seller_phone = farmgate_domain::accounts::PhoneNumber::parse("13900002222").unwrap();
    let (code_id, code) = store
        .issue_phone_code(seller_id, &seller_phone)
        .await
        .unwrap();
    store.prove_phone(seller_id, code_id, &code).await.unwrap();
    let saved = app
        .submit(
            &seller,
            "/notices/settings",
            "/notices/settings",
            &[("in_app", "order_placed"), ("sms", "order_placed")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let third: serde_json::Value = client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&buyer_token)
        .header("idempotency-key", "notice-order-0003")
        .json(&json!({"items": [{"variant_id": listed.variant_id, "quantity": 1}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "cash"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let third = third["orders"][0]["id"].as_i64().unwrap();
    told_within_a_second(&app, seller_id, 1).await;
    let mut texted = false;
    for _ in 0..50 {
        texted = store
            .outbox(20)
            .await
            .unwrap()
            .iter()
            .any(|m| m.to_phone == "13900002222" && m.body.contains(&third.to_string()));
        if texted {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        texted,
        "the new order went to the seller by text message too"
    );
    app.stop().await;
}

async fn store_id(app: &support::App, login: &str) -> i64 {
    app.db
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse(login).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Waits until `account_id` has `count` unread notices, for a second at most.
async fn told_within_a_second(app: &support::App, account_id: i64, count: u64) {
    for _ in 0..50 {
        if app.db.store.unread_notices(account_id).await.unwrap() == count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{account_id} was not told {count} notices within a second");
}
