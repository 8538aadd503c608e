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
    let showroom = showroom_with(&app, &listed, 3).await;

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

    // The seller's console counts the showroom's sale among its takings.
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let console = support::text(&seller, app.url("/seller")).await;
    assert!(
        support::strip(&console).contains("其中在中心展厅售出 1 单，共 ¥76.00"),
        "{console}"
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

    // A tourist brings one bag of the first sale back: its money leaves the drawer, the bag is
    // on the shelf again; a second bag more than the line has left is refused.
    let returns = format!("/api/v1/till/sessions/{session_id}/returns");
    let back = |quantity: i64| json!({"sale_id": first["id"], "variant_id": listed.variant_id, "quantity": quantity});
    let returned = post(returns.clone(), &centre, back(1)).await.unwrap();
    assert_eq!(returned.status(), 201);
    let returned: Value = returned.json().await.unwrap();
    assert_eq!(returned["amount_fen"], 3800);
    let too_many = post(returns.clone(), &centre, back(2)).await.unwrap();
    assert_eq!(too_many.status(), 422);
    assert_eq!(
        store.variant(listed.variant_id).await.unwrap().spec.stock,
        37
    );

    // Another county's centre and a buyer reach none of it.
    app.centre_staff("tekes-till", "tekes").await;
    let tekes = app.token("tekes-till").await;
    let foreign_return = post(returns, &tekes, back(1)).await.unwrap();
    assert_eq!(foreign_return.status(), 404);
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
        json!({"counted_cash_fen": 31300, "note": "少一元"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        closed["expected_cash_fen"], 31400,
        "less the bag given back"
    );
    assert_eq!(closed["counted_cash_fen"], 31300);
    let late = post(sales, &centre, sale("till-sale-0000004", 1))
        .await
        .unwrap();
    assert_eq!(late.status(), 422, "a closed session takes no sale");
    app.stop().await;
}

/// Huixian's showroom, where the walnut shop keeps `units` bags (online too).
async fn showroom_with(app: &support::App, listed: &support::Listed, units: i64) -> i64 {
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
                lines: &[(listed.variant_id, units)],
                note: "",
            },
            1,
        )
        .await
        .unwrap();
    store.receive_transfer(sent.id, &[], 1).await.unwrap();
    showroom
}

/// The client id a till page was drawn with.
fn client_id_of(html: &str) -> String {
    let marker = "name=\"client_id\" value=\"";
    let start = html.find(marker).expect("the sale form") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

fn strip_isolates(text: &str) -> String {
    text.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "")
}

#[tokio::test]
async fn a_cashier_works_the_till_page_without_javascript() {
    let app = support::spawn_app().await;
    let listed = app.walnut_shop("伏家薄皮核桃", 40).await;
    let showroom = showroom_with(&app, &listed, 3).await;
    let cashier = app.centre_staff("huixian-cashier", "huixian").await;
    let choose = support::text(&cashier, app.url("/centre/till")).await;
    assert!(
        choose.contains(&format!("/centre/till/{showroom}")),
        "{choose}"
    );
    let till = format!("/centre/till/{showroom}");
    let open = format!("{till}/open");
    let odd = app
        .submit(&cashier, &till, &open, &[("opening", "两百")])
        .await;
    assert_eq!(odd.status(), 422);
    assert!(odd.text().await.unwrap().contains("钱箱里的现金"));
    let opened = app
        .submit(&cashier, &till, &open, &[("opening", "200")])
        .await;
    assert_eq!(opened.status(), 303);
    let session = app
        .db
        .store
        .open_till_session_at(showroom)
        .await
        .unwrap()
        .unwrap();

    let page = support::text(&cashier, app.url(&till)).await;
    assert!(page.contains("伏家薄皮核桃"), "the shelf is offered");
    let client_id = client_id_of(&page);
    let sales = format!("/centre/till/sessions/{}/sales", session.id);
    let qty = format!("qty_{}", listed.variant_id);
    let fields = [
        ("client_id", client_id.as_str()),
        (qty.as_str(), "2"),
        ("paid_by", "cash"),
    ];
    let sold = app.submit(&cashier, &till, &sales, &fields).await;
    assert_eq!(sold.status(), 303);
    let again = app.submit(&cashier, &till, &sales, &fields).await;
    assert_eq!(
        sold.headers()["location"],
        again.headers()["location"],
        "the same form sent twice is one sale"
    );
    let kept = app.db.store.till_sales(session.id).await.unwrap();
    assert_eq!(kept.len(), 1);
    let receipt = support::text(
        &cashier,
        app.url(&format!("/centre/till/sales/{}/receipt", kept[0].id)),
    )
    .await;
    assert!(
        receipt.contains("<svg") && receipt.contains("/products/"),
        "{receipt}"
    );
    assert!(strip_isolates(&receipt).contains("¥76.00"));
    let labels = support::text(&cashier, app.url(&format!("{till}/labels"))).await;
    assert!(labels.contains("<svg") && labels.contains("伏家薄皮核桃"));
    // The receipt offers taking goods back; none is refused in words, nothing changes.
    assert!(receipt.contains("退货"), "{receipt}");
    let receipt_path = format!("/centre/till/sales/{}/receipt", kept[0].id);
    let returns = format!("/centre/till/sales/{}/returns", kept[0].id);
    let variant_field = listed.variant_id.to_string();
    let none_back = app
        .submit(
            &cashier,
            &receipt_path,
            &returns,
            &[("variant_id", variant_field.as_str()), ("quantity", "0")],
        )
        .await;
    assert_eq!(none_back.status(), 422);
    assert!(none_back.text().await.unwrap().contains("至少退一件"));

    // Two more: the showroom holds one. The sale waits to be settled; the money goes back.
    let page = support::text(&cashier, app.url(&till)).await;
    let second = client_id_of(&page);
    let fields = [
        ("client_id", second.as_str()),
        (qty.as_str(), "2"),
        ("paid_by", "cash"),
    ];
    assert_eq!(
        app.submit(&cashier, &till, &sales, &fields).await.status(),
        303
    );
    let page = support::text(&cashier, app.url(&till)).await;
    assert!(page.contains("这期间已售罄"), "the cashier is told: {page}");
    let desk = support::text(&cashier, app.url("/centre")).await;
    assert!(
        desk.contains("1 笔销售待处理"),
        "the centre's desk shows it: {desk}"
    );
    let short = app.db.store.till_sales(session.id).await.unwrap()[1].id;
    let settle = format!("/centre/till/sales/{short}/settle");
    let close = format!("/centre/till/sessions/{}/close", session.id);
    let early = app
        .submit(&cashier, &till, &close, &[("counted", "276")])
        .await;
    assert_eq!(early.status(), 422, "a sale waits to be settled");
    let given = app
        .submit(&cashier, &till, &settle, &[("how", "give_back")])
        .await;
    assert_eq!(given.status(), 303);
    let closed = app
        .submit(
            &cashier,
            &till,
            &close,
            &[("counted", "275"), ("note", "少一元")],
        )
        .await;
    assert_eq!(closed.status(), 303);
    let summary = support::text(
        &cashier,
        app.url(&format!("/centre/till/sessions/{}", session.id)),
    )
    .await;
    let summary = strip_isolates(&summary);
    assert!(
        summary.contains("¥276.00") && summary.contains("-¥1.00"),
        "{summary}"
    );
    let variant = app.db.store.variant(listed.variant_id).await.unwrap();
    assert_eq!(variant.spec.stock, 38, "two sold at the counter");

    // Another county's centre reaches none of it.
    let tekes = app.centre_staff("tekes-cashier", "tekes").await;
    let foreign = tekes.get(app.url(&till)).send().await.unwrap();
    assert_eq!(foreign.status(), 404);
    app.stop().await;
}
