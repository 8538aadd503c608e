//! The showroom's till over the API (issue 19): a session opened at the county's showroom, a
//! sale sent twice and kept once, a sale the showroom is short of kept to settle and settled
//! from the shop's store, the session closed with the cash counted; another county's centre
//! and a buyer reach none of it.

use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::text::Texts;
use farmgate_store::catalog::{NewTransfer, PlaceDetails};
use serde_json::{Value, json};

use crate::support;

#[tokio::test]
async fn the_till_rings_up_once_settles_a_short_sale_and_closes() {
    let app = support::spawn_app().await;
    let listed = app.walnut_shop("伏家薄皮核桃", 40).await;
    app.centre_staff("huixian-till", "huixian").await;
    let centre = app.token("huixian-till").await;
    let store = &app.db.store;
    let county = store.region_by_code("huixian").await.unwrap();
    let showroom = store
        .add_stock_place(
            county.id,
            PlaceDetails {
                kind: PlaceKind::Showroom,
                names: Texts::zh("徽县电商中心展厅"),
                station_id: None,
                depot_id: None,
            },
            1,
        )
        .await
        .unwrap()
        .id;
    store
        .join_stock_place(listed.shop_id, showroom, true, 1)
        .await
        .unwrap();
    let sent = store
        .send_transfer(
            NewTransfer {
                shop_id: listed.shop_id,
                from: None,
                to: Some(showroom),
                lines: &[(listed.variant_id, 3)],
                note: "",
            },
            1,
        )
        .await
        .unwrap();
    store.receive_transfer(sent.id, &[], 1).await.unwrap();

    let api = reqwest::Client::new();
    let post = |path: String, token: &str, body: Value| {
        api.post(app.url(&path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let session: Value = post(
        "/api/v1/till/sessions".into(),
        &centre,
        json!({"place_id": showroom, "opening_cash_fen": 20000}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let session_id = session["id"].as_i64().unwrap();
    let again = post(
        "/api/v1/till/sessions".into(),
        &centre,
        json!({"place_id": showroom, "opening_cash_fen": 0}),
    )
    .await
    .unwrap();
    assert_eq!(again.status(), 422, "one open session per place");

    let sales = format!("/api/v1/till/sessions/{session_id}/sales");
    let sale = |client: &str, quantity: i64| {
        json!({"client_id": client, "paid_by": "cash", "charged_fen": 3800 * quantity,
               "lines": [{"variant_id": listed.variant_id, "quantity": quantity, "unit_price_fen": 3800}]})
    };
    let first: Value = post(sales.clone(), &centre, sale("till-sale-0000001", 2))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["status"], "done", "{first}");
    let twice: Value = post(sales.clone(), &centre, sale("till-sale-0000001", 2))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(twice["id"], first["id"], "sent twice, kept once");
    let counter = farmgate_store::orders::OrderPage {
        filter: farmgate_store::orders::OrderFilter {
            fulfilment: Some(farmgate_domain::orders::Fulfilment::Counter),
            ..Default::default()
        },
        ..Default::default()
    };
    let orders = store.orders_of_shop(listed.shop_id, counter).await.unwrap();
    assert_eq!(orders.len(), 1, "one counter order for the shop");
    assert_eq!(
        orders[0].status,
        farmgate_domain::orders::OrderStatus::Completed
    );

    // Two more bags: the showroom holds one; kept to settle, then settled from the store.
    let short: Value = post(sales.clone(), &centre, sale("till-sale-0000002", 2))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(short["status"], "to_settle");
    assert_eq!(short["short_variant_id"], listed.variant_id);
    let close = format!("/api/v1/till/sessions/{session_id}/close");
    let early = post(close.clone(), &centre, json!({"counted_cash_fen": 35200}))
        .await
        .unwrap();
    assert_eq!(early.status(), 422, "a sale waits to be settled");
    let settle = format!("/api/v1/till/sales/{}/settle", short["id"]);
    let odd = post(settle.clone(), &centre, json!({"how": "later"}))
        .await
        .unwrap();
    assert_eq!(odd.status(), 422);
    let settled: Value = post(settle.clone(), &centre, json!({"how": "from_store"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settled["status"], "settled", "{settled}");
    let variant = store.variant(listed.variant_id).await.unwrap();
    assert_eq!(
        (variant.spec.stock, variant.away_online),
        (36, 0),
        "four sold at the counter, one moved from the store to the showroom"
    );

    // Another county's centre and a buyer reach none of it.
    app.centre_staff("tekes-till", "tekes").await;
    let tekes = app.token("tekes-till").await;
    let foreign = post(sales.clone(), &tekes, sale("till-sale-0000003", 1))
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
    let buyer = app.token("buyer").await;
    let refused = post(
        "/api/v1/till/sessions".into(),
        &buyer,
        json!({"place_id": showroom, "opening_cash_fen": 0}),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 403);

    let closed: Value = post(
        close.clone(),
        &centre,
        json!({"counted_cash_fen": 35100, "note": "少一元"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(closed["expected_cash_fen"], 35200);
    assert_eq!(closed["counted_cash_fen"], 35100);
    let late = post(sales, &centre, sale("till-sale-0000004", 1))
        .await
        .unwrap();
    assert_eq!(late.status(), 422, "a closed session takes no sale");
    app.stop().await;
}
