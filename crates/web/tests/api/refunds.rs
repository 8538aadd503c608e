//! Refunds that pay back, against the real server with the sandbox gateway: the buyer asks for
//! part of a collected order, the shop grants a part, the gateway is called (signed) and its
//! notification records the refund once however often it comes; another shop cannot answer,
//! bad input is refused by field; the pages show the request, the centre's list and the
//! station's cash list to those who may see them.

use farmgate_web::WebConfig;
use serde_json::{Value, json};

use crate::support::{self, App, Db, spawn_with};

fn sandbox() -> WebConfig {
    WebConfig {
        payment_provider: farmgate_web::payments::OnlineProvider::Sandbox,
        payment_secret: Some("test-payment-secret".to_owned()),
        ..WebConfig::default()
    }
}

fn signed(body: &str) -> String {
    farmgate_web::payments::sandbox::SandboxGateway::new(b"test-payment-secret", "")
        .sign_callback(body.as_bytes())
}

async fn post_json(
    client: &reqwest::Client,
    url: String,
    token: &str,
    body: Value,
) -> reqwest::Response {
    client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// An online order of three bags, paid (the test plays the gateway's confirmation) and
/// collected at Tekes' centre: (order id, payment id).
async fn collected_online(app: &App, owner: &str, buyer: &str, variant: i64) -> (i64, i64) {
    let client = reqwest::Client::new();
    let placed: Value = client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(buyer)
        .header("idempotency-key", "refund-order-0001")
        .json(&json!({"items": [{"variant_id": variant, "quantity": 3}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "online"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let order = placed["orders"][0]["id"].as_i64().unwrap();
    let payment = placed["payment"]["id"].as_i64().unwrap();
    let callback = json!({"ref": payment, "amount_fen": placed["payment"]["amount_fen"], "gateway_ref": "SBX-refund-test", "status": "succeeded"}).to_string();
    let settled = client
        .post(app.url("/api/v1/payments/sandbox/notify"))
        .header("content-type", "application/json")
        .header("x-sandbox-signature", signed(&callback))
        .body(callback)
        .send()
        .await
        .unwrap();
    assert_eq!(settled.status(), 200);
    let steps = [
        (owner, json!({"event": "pack", "packed_grams": 3000})),
        (owner, json!({"event": "ship", "note": "自送"})),
    ];
    for (token, step) in steps {
        let url = app.url(&format!("/api/v1/orders/{order}/events"));
        let moved = post_json(&client, url, token, step).await;
        assert_eq!(moved.status(), 200);
    }
    app.collect_at_station(order).await;
    (order, payment)
}

#[tokio::test]
async fn a_part_refund_goes_back_through_the_sandbox_once() {
    let app = spawn_with(Db::Sqlite, sandbox()).await.unwrap();
    let listed = app.walnut_shop("伏家核桃", 10).await;
    let buyer = app.buyer_tokens(1).await.remove(0);
    let (order, payment) = collected_online(&app, &listed.owner, &buyer, listed.variant_id).await;
    let client = reqwest::Client::new();
    let ask_url = app.url(&format!("/api/v1/orders/{order}/refund-request"));

    // Bad input is refused by field, and nothing is written.
    for (body, field) in [
        (json!({"reason": "bored"}), "reason"),
        (
            json!({"reason": "damaged", "lines": [{"variant_id": listed.variant_id, "quantity": 9}]}),
            "lines",
        ),
    ] {
        let refused = post_json(&client, ask_url.clone(), &buyer, body).await;
        assert_eq!(refused.status(), 422);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["error"]["field"], field);
    }
    // Only the buyer asks: the shop's owner is told there is no such order of theirs.
    let body = json!({"reason": "damaged", "note": "两袋压破了", "lines": [{"variant_id": listed.variant_id, "quantity": 2}]});
    let foreign = post_json(&client, ask_url.clone(), &listed.owner, body.clone()).await;
    assert_eq!(foreign.status(), 404);
    let asked = post_json(&client, ask_url.clone(), &buyer, body.clone()).await;
    assert_eq!(asked.status(), 201);
    let asked: Value = asked.json().await.unwrap();
    assert_eq!(asked["asked_fen"], 7600, "two of three bags at ¥38.00");
    let again = post_json(&client, ask_url.clone(), &buyer, body).await;
    assert_eq!(again.status(), 409);

    // Another shop's member cannot answer; too much is refused by field; a part is granted.
    let (other, _) = app.open_shop("apricot-grower", "tekes-lijie").await;
    let answer_url = app.url(&format!("/api/v1/refund-requests/{}/answer", asked["id"]));
    let part = json!({"decision": "part", "amount": "50.00"});
    let foreign = post_json(&client, answer_url.clone(), &other, part.clone()).await;
    assert_eq!(foreign.status(), 404);
    let too_much = json!({"decision": "part", "amount": "77.00"});
    let refused = post_json(&client, answer_url.clone(), &listed.owner, too_much).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"]["field"],
        "amount"
    );
    let accepted = post_json(&client, answer_url.clone(), &listed.owner, part.clone()).await;
    assert_eq!(accepted.status(), 200);

    // The gateway was called and tells FarmGate: paid back, once.
    let paid = paid_within_seconds(&app, &buyer, order).await;
    assert_eq!(paid["granted_fen"], 5000);
    let refund_ref = paid["paid_ref"].as_str().unwrap().to_owned();
    assert!(refund_ref.starts_with("SBXR"), "{refund_ref}");
    let twice = post_json(&client, answer_url, &listed.owner, part).await;
    assert_eq!(twice.status(), 409, "answered already");
    repeated_notices_pay_once(&app, payment, paid["id"].as_i64().unwrap(), &refund_ref).await;
    let store = &app.db.store;
    let refunded = store.payment(payment).await.unwrap();
    assert_eq!(refunded.refunded.0, 5000);
    let buyer_id = store.order(order).await.unwrap().buyer_id;
    // Notices are written just after each step (queued): wait for the last of them.
    let mut told = Vec::new();
    for _ in 0..50 {
        told = store.notices(buyer_id, None, 20).await.unwrap();
        if told.iter().any(|n| n.kind.as_str() == "refund_paid") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let kinds: Vec<_> = told.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "refund_paid").count(),
        1,
        "{kinds:?}"
    );
    assert!(kinds.contains(&"refund_answered"), "{kinds:?}");
    app.stop().await;
}

/// Polls the order's refund until the gateway's notification has come (5 s at most).
async fn paid_within_seconds(app: &App, buyer: &str, order: i64) -> Value {
    let client = reqwest::Client::new();
    for _ in 0..100 {
        let refund: Value = client
            .get(app.url(&format!("/api/v1/orders/{order}/refund-request")))
            .bearer_auth(buyer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if refund["status"] == "paid" {
            return refund;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the refund of order {order} was not paid back within 5 s");
}

/// The gateway repeats its notification; a forged one is refused; nothing is paid twice.
async fn repeated_notices_pay_once(app: &App, payment: i64, refund: i64, refund_ref: &str) {
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/payments/sandbox/refund-notify");
    let notice = json!({"ref": payment, "refund_no": format!("R{refund}"), "amount_fen": 5000, "refund_ref": refund_ref, "status": "succeeded"}).to_string();
    let forged = client
        .post(&url)
        .header("content-type", "application/json")
        .header("x-sandbox-signature", "00ff")
        .body(notice.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    for _ in 0..3 {
        let repeated = client
            .post(&url)
            .header("content-type", "application/json")
            .header("x-sandbox-signature", signed(&notice))
            .body(notice.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(repeated.status(), 200);
        assert_eq!(
            repeated.json::<Value>().await.unwrap()["result"],
            "already_recorded"
        );
    }
}

#[tokio::test]
async fn the_pages_show_the_request_to_buyer_shop_centre_and_station() {
    let app = spawn_with(Db::Sqlite, sandbox()).await.unwrap();
    let listed = app.walnut_shop("伏家核桃", 10).await;
    let buyer = app.buyer_tokens(1).await.remove(0);
    let (order, _) = collected_online(&app, &listed.owner, &buyer, listed.variant_id).await;
    let store = &app.db.store;
    let page = app.logged_in("burst-buyer-0").await;
    let form = support::text(&page, app.url(&format!("/orders/{order}/refund"))).await;
    assert!(
        form.contains("申请退款") && form.contains("货坏了"),
        "{form}"
    );
    // The form refuses a request with no reason beside the field, in the buyer's language.
    let csrf = support::csrf_of(&form);
    let variant = listed.variant_id.to_string();
    let refused = page
        .post(app.url(&format!("/orders/{order}/refund")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("line", &variant),
            ("qv", &variant),
            ("q", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("请选一个原因"));
    let sent = page
        .post(app.url(&format!("/orders/{order}/refund")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("line", &variant),
            ("qv", &variant),
            ("q", "1"),
            ("reason", "wrong_item"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let shown = support::text(&page, app.url(&format!("/orders/{order}"))).await;
    assert!(
        shown.contains("等店铺答复") && shown.contains("发错了货"),
        "{shown}"
    );

    // The shop declines on its page; the buyer takes it to the centre.
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let list = support::text(
        &seller,
        app.url(&format!("/seller/shops/{}/refunds", listed.shop_id)),
    )
    .await;
    assert!(list.contains("发错了货"), "{list}");
    let refund = store.refund_of_order(order).await.unwrap().unwrap();
    let declined = seller
        .post(app.url(&format!("/refunds/{}/answer", refund.id)))
        .form(&[
            ("_csrf", support::csrf_of(&list).as_str()),
            ("decision", "decline"),
            ("reason", "发的就是这一种"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(declined.status(), 303);
    let shown = support::text(&page, app.url(&format!("/orders/{order}"))).await;
    assert!(shown.contains("发的就是这一种") && shown.contains("请电商服务中心处理"));
    let disputed = page
        .post(app.url(&format!("/refunds/{}/dispute", refund.id)))
        .form(&[("_csrf", support::csrf_of(&shown).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(disputed.status(), 303);

    // Huixian's centre sees it; Tekes' centre does not; a buyer may not look.
    let centre = app.centre_staff("huixian-centre-test", "huixian").await;
    let bare = |page: String| page.replace(['\u{2068}', '\u{2069}'], "");
    let due = bare(support::text(&centre, app.url("/centre/disputes")).await);
    assert!(due.contains(&format!("/orders/{order}\"")), "{due}");
    let tekes = app.logged_in("tekes-centre").await;
    let other = bare(support::text(&tekes, app.url("/centre/disputes")).await);
    assert!(!other.contains(&format!("/orders/{order}\"")));
    let forbidden = page.get(app.url("/centre/disputes")).send().await.unwrap();
    assert_eq!(forbidden.status(), 403);
    // Tekes' centre cannot answer it either.
    let foreign = tekes
        .post(app.url(&format!("/refunds/{}/answer", refund.id)))
        .form(&[
            ("_csrf", support::csrf_of(&other).as_str()),
            ("decision", "all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
    app.stop().await;
}
