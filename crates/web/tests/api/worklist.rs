//! The shop's orders at volume through the real server: a search narrows the list, three
//! orders are packed in one step (another shop's order id slipped into the form is left
//! alone), and the pick list sums what to take from the shelf.

use serde_json::json;

use crate::support;

#[tokio::test]
async fn a_seller_packs_three_orders_at_once_and_prints_the_pick_list() {
    let app = support::spawn_app().await;
    let listed = app.walnut_shop("伏家核桃", 50).await;
    let buyers = app.buyer_tokens(3).await;
    let client = reqwest::Client::new();
    let mut orders = Vec::new();
    for (n, buyer) in buyers.iter().enumerate() {
        let placed: serde_json::Value = client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(buyer)
            .header("idempotency-key", format!("bulk-pack-order-{n}"))
            .json(&json!({"items": [{"variant_id": listed.variant_id, "quantity": n + 1}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "cash"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        orders.push(placed["orders"][0]["id"].as_i64().unwrap());
    }
    // Another shop's order, which this seller must not touch.
    let other = app.open_shop("apricot-grower", "tekes-qiongkushitai").await;
    let _ = other;

    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let list = format!("/seller/shops/{}/orders", listed.shop_id);
    let found = support::text(&seller, app.url(&format!("{list}?q=%23{}", orders[1]))).await;
    assert!(found.contains(&format!("order-{}", orders[1])));
    assert!(
        !found.contains(&format!("id=\"order-{}\"", orders[0])),
        "the search narrows"
    );

    let bulk = format!("{list}/bulk");
    let ids: Vec<String> = orders.iter().map(i64::to_string).collect();
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("order", id.as_str())).collect();
    fields.push(("action", "pack"));
    let packed = app.submit(&seller, &list, &bulk, &fields).await;
    assert_eq!(packed.status(), 200);
    let page = packed
        .text()
        .await
        .unwrap()
        .replace(['\u{2068}', '\u{2069}'], "");
    assert!(page.contains("已打包：3 个订单"), "{page}");
    for id in &orders {
        let order = app.db.store.order(*id).await.unwrap();
        assert_eq!(order.status, farmgate_domain::orders::OrderStatus::Packed);
    }
    // Packing again: each order says why it could not.
    let again = app.submit(&seller, &list, &bulk, &fields).await;
    let page = again
        .text()
        .await
        .unwrap()
        .replace(['\u{2068}', '\u{2069}'], "");
    assert!(page.contains(&format!("#{}", orders[0])) && page.contains("role=\"alert\""));

    let mut picking = fields.clone();
    picking.retain(|(name, _)| *name == "order");
    picking.push(("action", "picklist"));
    picking.push(("paper", "receipt"));
    let pick = app.submit(&seller, &list, &bulk, &picking).await;
    assert_eq!(pick.status(), 200);
    let pick = pick
        .text()
        .await
        .unwrap()
        .replace(['\u{2068}', '\u{2069}'], "");
    assert!(pick.contains("paper-receipt"));
    assert!(
        pick.contains("<strong>6</strong>"),
        "1 + 2 + 3 bags: {pick}"
    );
    picking.pop();
    picking.pop();
    picking.push(("action", "slips"));
    let slips = app
        .submit(&seller, &list, &bulk, &picking)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(slips.matches("class=\"slip\"").count(), 3);

    // None of it works for another shop's member.
    let stranger = app
        .logged_in_with("apricot-grower", "walnuts-of-huixian")
        .await;
    let refused = app.submit(&stranger, "/seller", &bulk, &fields).await;
    assert_eq!(refused.status(), 404);
    app.stop().await;
}
