//! The distribution centre through the real server: the county's centre scans parcels in
//! through the API (each scan answered for itself, in the worker's language; a scan sent again
//! is done once), reads what waits per station, sorts the rest by hand, keeps its carriers'
//! terms; another county's centre is told the depot does not exist, a buyer is refused; anyone
//! can track a parcel by its number and sees nothing about who it is for.

use crate::support;

use farmgate_domain::stations::StationKind;
use farmgate_domain::text::Texts;
use farmgate_store::stations::{NewStation, StationDetails};
use serde_json::{Value, json};
use support::{App, Db};

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Gaodu's depot with the eight carriers and this morning's parcels, and a station at Baofu.
async fn gaodu(app: &App) -> i64 {
    let store = &app.db.store;
    let baofu = store.region_by_code("zezhou-baofu").await.unwrap();
    let details = StationDetails::new(
        baofu.id,
        StationKind::Village,
        Texts::zh("保福村服务站"),
        Texts::zh("村委会旁"),
    );
    store
        .add_station(NewStation {
            code: "zezhou-baofu-station".into(),
            details,
        })
        .await
        .unwrap();
    store
        .load_demo_logistics(chrono::Utc::now(), support::demo_hash())
        .await
        .unwrap();
    let zezhou = store.region_by_code("zezhou").await.unwrap();
    store.depots_within(&zezhou.path).await.unwrap()[0].id
}

async fn scans_are_answered_one_by_one_once(app: App) {
    let client = reqwest::Client::new();
    let depot = gaodu(&app).await;
    let centre = app.token("zezhou-centre").await;
    let manifest = json!({"carrier": "sf", "parcels": [
        {"number": "SF7000000000001", "village": "zezhou-baofu", "receiver_name": "王秀英",
         "receiver_phone": "13935001234", "weight_grams": 1200},
        {"number": "SF7000000000002"}
    ]});
    let manifests = app.url("/api/v1/logistics/manifests");
    let (status, added) = send(client.post(&manifests).bearer_auth(&centre).json(&manifest)).await;
    assert_eq!((status, added["added"].as_u64()), (200, Some(2)), "{added}");
    let elsewhere = json!({"carrier": "sf", "parcels": [{"number": "SF7000000000003", "village": "tekes-kuokesu"}]});
    let (status, refused) = send(
        client
            .post(&manifests)
            .bearer_auth(&centre)
            .json(&elsewhere),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["field"].as_str()),
        (422, Some("village"))
    );

    let scans = app.url("/api/v1/logistics/scans");
    let batch = json!({"scans": [
        {"client_id": "t-1", "number": "sf 7000 0000 00001"},
        {"client_id": "t-2", "number": "SF7000000000002"},
        {"client_id": "t-3", "number": "12"},
        {"client_id": "t-4", "number": "XX12345678"},
    ]});
    let (status, answered) = send(
        client
            .post(&scans)
            .bearer_auth(&centre)
            .header("accept-language", "ug")
            .json(&batch),
    )
    .await;
    assert_eq!(status, 200, "{answered}");
    let results = answered["results"].as_array().unwrap();
    let outcomes: Vec<&str> = results
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["in", "in", "refused", "refused"]);
    assert!(
        results[0]["message"]
            .as_str()
            .unwrap()
            .contains("保福村服务站"),
        "{answered}"
    );
    assert_eq!(results[0]["carrier"], "sf");
    assert_eq!(
        results[1]["station_id"],
        Value::Null,
        "no village: its station is to be found"
    );
    assert_eq!(results[2]["code"], "tracking-number-invalid");
    assert_eq!(results[3]["code"], "tracking-carrier-unknown");
    assert!(
        results[3]["message"]
            .as_str()
            .unwrap()
            .contains("شىركىتىگە"),
        "in Uyghur: {answered}"
    );
    let (_, again) = send(client.post(&scans).bearer_auth(&centre).json(&batch)).await;
    assert_eq!(
        again["results"][0]["outcome"], "in",
        "sent again, answered as before"
    );
    let (_, twice) = send(
        client
            .post(&scans)
            .bearer_auth(&centre)
            .json(&json!({"scans": [{"client_id": "t-5", "number": "SF7000000000001"}]})),
    )
    .await;
    assert_eq!(twice["results"][0]["outcome"], "already_in");
    let too_many: Vec<Value> = (0..201)
        .map(|n| json!({"client_id": format!("m-{n}"), "number": "SF7000000000001"}))
        .collect();
    let (status, refused) = send(
        client
            .post(&scans)
            .bearer_auth(&centre)
            .json(&json!({"scans": too_many})),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("logistics-batch-too-large"))
    );

    let (status, day) = send(
        client
            .get(app.url("/api/v1/logistics/consolidation"))
            .bearer_auth(&centre),
    )
    .await;
    assert_eq!(status, 200);
    let baofu = day["stations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["station"] == "保福村服务站")
        .unwrap();
    assert!(baofu["parcels"].as_i64().unwrap() >= 1, "{day}");
    assert!(day["unsorted"].as_i64().unwrap() >= 1);

    // Another county's centre finds no such depot; a buyer may not scan at all.
    let tekes = app.token("tekes-centre").await;
    let other = format!("/api/v1/logistics/consolidation?depot={depot}");
    assert_eq!(
        send(client.get(app.url(&other)).bearer_auth(&tekes))
            .await
            .0,
        404
    );
    let one = json!({"scans": [{"client_id": "x-1", "number": "SF7000000000009"}]});
    assert_eq!(
        send(client.post(&scans).bearer_auth(&tekes).json(&one))
            .await
            .0,
        404
    );
    let buyer = app.token("buyer").await;
    assert_eq!(
        send(client.post(&scans).bearer_auth(&buyer).json(&one))
            .await
            .0,
        403
    );
    assert_eq!(send(client.post(&scans).json(&one)).await.0, 401);

    // Anyone may track it; nothing about its receiver is shown.
    let response = client
        .get(app.url("/api/v1/tracking/SF7000000000001"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    let kinds: Vec<String> = serde_json::from_str::<Value>(&body).unwrap()[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["advised", "scanned_in", "sorted"]);
    assert!(
        !body.contains("王秀英") && !body.contains("1393500"),
        "{body}"
    );
    let (status, missing) = send(client.get(app.url("/api/v1/tracking/SF7999999999999"))).await;
    assert_eq!(
        (status, missing["error"]["code"].as_str()),
        (404, Some("tracking-not-found"))
    );
    app.stop().await;
}

#[tokio::test]
async fn scans_are_answered_one_by_one_once_on_sqlite() {
    scans_are_answered_one_by_one_once(support::spawn_app().await).await;
}

#[tokio::test]
async fn scans_are_answered_one_by_one_once_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    scans_are_answered_one_by_one_once(app).await;
}

#[tokio::test]
async fn the_centres_pages_scan_sort_and_keep_the_carriers() {
    let app = support::spawn_app().await;
    gaodu(&app).await;
    let centre = app.logged_in("zezhou-centre").await;
    let board = support::text(&centre, app.url("/centre/logistics")).await;
    assert!(
        board.contains("高都镇物流配送中心") && board.contains("保福村服务站"),
        "{board}"
    );

    // Without the page's script: one number at a time.
    let response = app
        .submit(
            &centre,
            "/centre/logistics/scan",
            "/centre/logistics/scan",
            &[("number", "SF7100000000001")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    let page = support::text(&centre, app.url(&back)).await;
    assert!(
        page.contains("SF7100000000001") && page.contains("需要找站点"),
        "{page}"
    );
    let wrong = app
        .submit(
            &centre,
            "/centre/logistics/scan",
            "/centre/logistics/scan",
            &[("number", "AB1234567")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("不属于在本中心合作"));

    let list = support::text(&centre, app.url("/centre/logistics/unsorted")).await;
    assert!(list.contains("SF7100000000001"), "{list}");
    let parcel = app
        .db
        .store
        .tracking(&farmgate_domain::logistics::TrackingNumber::parse("SF7100000000001").unwrap())
        .await
        .unwrap()
        .remove(0)
        .parcel;
    let station = app
        .db
        .store
        .stations_within(&app.db.store.region_by_code("zezhou").await.unwrap().path)
        .await
        .unwrap()[0]
        .id
        .to_string();
    let sorted = app
        .submit(
            &centre,
            "/centre/logistics/unsorted",
            &format!("/centre/logistics/parcels/{}/sort", parcel.id),
            &[("station", station.as_str())],
        )
        .await;
    assert_eq!(sorted.status(), 303);
    let list = support::text(
        &centre,
        app.url(sorted.headers()["location"].to_str().unwrap()),
    )
    .await;
    assert!(list.contains("已归到站点"), "{list}");

    let carriers = support::text(&centre, app.url("/centre/logistics/carriers")).await;
    assert!(
        carriers.contains("极兔速递") && carriers.contains("¥0.90"),
        "{carriers}"
    );
    let bad = app
        .submit(
            &centre,
            "/centre/logistics/carriers/jt",
            "/centre/logistics/carriers/jt",
            &[
                ("inbound_fee", "25"),
                ("status", "active"),
                ("zone", "far"),
                ("up_to_kg", "60"),
                ("fee", "12"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("0 到 20 元") && bad.contains("0 到 50 公斤"),
        "{bad}"
    );
    let good = app
        .submit(
            &centre,
            "/centre/logistics/carriers/jt",
            "/centre/logistics/carriers/jt",
            &[
                ("inbound_fee", "1.10"),
                ("status", "paused"),
                ("zone", "far"),
                ("up_to_kg", "2.5"),
                ("fee", "13"),
            ],
        )
        .await;
    assert_eq!(good.status(), 303);
    let carriers = support::text(
        &centre,
        app.url(good.headers()["location"].to_str().unwrap()),
    )
    .await;
    assert!(
        carriers.contains("¥1.10") && carriers.contains("已暂停") && carriers.contains("运价 1 条"),
        "{carriers}"
    );

    // Tekes has no depot yet: its centre is told so; a buyer may not look.
    let tekes = app.logged_in("tekes-centre").await;
    let none = support::text(&tekes, app.url("/centre/logistics")).await;
    assert!(none.contains("本县还没有配送中心"), "{none}");
    let buyer = app.logged_in("buyer").await;
    let refused = buyer
        .get(app.url("/centre/logistics"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    // The public page, in Uyghur, without the receiver.
    let tracked = support::page_in(app.url("/track/SF7100000000001"), "ug").await;
    assert!(
        tracked.contains("SF7100000000001") && tracked.contains("يەتتى"),
        "{tracked}"
    );
    let browser = app.browser();
    let typo = browser
        .get(app.url("/track?number=%25%25"))
        .send()
        .await
        .unwrap();
    assert_eq!(typo.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn a_carrier_sees_only_its_own_parcels_and_statements() {
    let app = support::spawn_app().await;
    let client = reqwest::Client::new();
    let depot = gaodu(&app).await;
    let carriers = app.db.store.carriers().await.unwrap();
    let id_of = |code: &str| carriers.iter().find(|c| c.code == code).unwrap().id;
    let sf = app.token("gaodu-sf").await;

    let (status, feed) = send(
        client
            .get(app.url("/api/v1/carriers/sf/events?limit=1000"))
            .bearer_auth(&sf),
    )
    .await;
    assert_eq!(status, 200);
    let events = feed.as_array().unwrap();
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e["tracking_number"].as_str().unwrap().starts_with("SF")),
        "{feed}"
    );
    let last = events.last().unwrap()["id"].as_i64().unwrap();
    let (_, rest) = send(
        client
            .get(app.url(&format!("/api/v1/carriers/sf/events?after={last}")))
            .bearer_auth(&sf),
    )
    .await;
    assert_eq!(
        rest.as_array().unwrap().len(),
        0,
        "the cursor picks up where it left"
    );
    assert_eq!(
        send(
            client
                .get(app.url("/api/v1/carriers/yto/events"))
                .bearer_auth(&sf)
        )
        .await
        .0,
        404
    );
    let centre = app.token("zezhou-centre").await;
    assert_eq!(
        send(
            client
                .get(app.url("/api/v1/carriers/sf/events"))
                .bearer_auth(&centre)
        )
        .await
        .0,
        404
    );
    assert_eq!(
        send(
            client
                .get(app.url("/api/v1/logistics/consolidation"))
                .bearer_auth(&sf)
        )
        .await
        .0,
        403
    );

    // Its own system sends its manifest; another carrier's it may not.
    let mine = json!({"carrier": "sf", "parcels": [{"number": "SF7200000000001", "village": "zezhou-baofu"}]});
    let (status, added) = send(
        client
            .post(app.url("/api/v1/logistics/manifests"))
            .bearer_auth(&sf)
            .json(&mine),
    )
    .await;
    assert_eq!((status, added["added"].as_u64()), (200, Some(1)), "{added}");
    let theirs = json!({"carrier": "yto", "parcels": [{"number": "YT7200000000001"}]});
    assert_eq!(
        send(
            client
                .post(app.url("/api/v1/logistics/manifests"))
                .bearer_auth(&sf)
                .json(&theirs)
        )
        .await
        .0,
        403
    );

    // Statements: the carrier its own, the centre every carrier's, another county none.
    let browser = app.logged_in("gaodu-sf").await;
    let front = support::text(&browser, app.url("/carrier")).await;
    assert!(front.contains("顺丰速运 · 高都镇物流配送中心"), "{front}");
    let own = format!("/logistics/statement?depot={depot}&carrier={}", id_of("sf"));
    assert_eq!(
        browser.get(app.url(&own)).send().await.unwrap().status(),
        200
    );
    let other = format!(
        "/logistics/statement?depot={depot}&carrier={}",
        id_of("yto")
    );
    assert_eq!(
        browser.get(app.url(&other)).send().await.unwrap().status(),
        404
    );
    let sheet = browser
        .get(app.url(&format!(
            "/logistics/statement.xlsx?depot={depot}&carrier={}",
            id_of("sf")
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), 200);
    assert!(
        sheet.bytes().await.unwrap().starts_with(b"PK"),
        "an XLSX file"
    );
    let office = app.logged_in("zezhou-centre").await;
    assert_eq!(
        office.get(app.url(&other)).send().await.unwrap().status(),
        200
    );
    let month = support::text(&office, app.url("/centre/logistics/settlements")).await;
    assert!(
        month.contains("顺丰速运") && month.contains("京东物流"),
        "{month}"
    );
    let tekes = app.logged_in("tekes-centre").await;
    assert_eq!(tekes.get(app.url(&own)).send().await.unwrap().status(), 404);
    app.stop().await;
}

/// Beijie's shop ships the demo buyer's packed order through Gaodu's centre by the API: the
/// cheapest carrier's next number, the same parcel when asked again; the buyer reads its steps
/// in Uyghur, someone else's order is a 404, and the label prints with the phone masked.
async fn a_seller_ships_through_the_centre_by_the_api(app: App) {
    use farmgate_domain::orders::{Fulfilment, OrderStatus};
    let client = reqwest::Client::new();
    app.db.store.load_demo_catalog().await.unwrap();
    // 王芳, the demo year's first buyer, whose orders the demo ships.
    app.db
        .store
        .create_account(farmgate_store::accounts::NewAccount {
            login: farmgate_domain::accounts::LoginId::parse("demo-buyer-00").unwrap(),
            display_name: farmgate_domain::accounts::DisplayName::parse("王芳").unwrap(),
            password_hash: support::demo_hash().to_owned(),
            language: farmgate_domain::lang::Language::ZhCn,
        })
        .await
        .unwrap();
    gaodu(&app).await;
    let store = &app.db.store;
    let seller_id = store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("gaodu-seller").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let shop = store.shops_of_member(seller_id).await.unwrap()[0].id;
    let packed = store
        .all_orders_of_shop(shop)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.status == OrderStatus::Packed && o.fulfilment == Fulfilment::Home)
        .expect("the demo leaves a packed order to ship");
    let seller = app.token("gaodu-seller").await;
    let buyer = app.token("demo-buyer-00").await;
    let path = app.url(&format!("/api/v1/orders/{}/parcel", packed.id));

    let (status, none) = send(client.get(&path).bearer_auth(&buyer)).await;
    assert_eq!(status, 404, "{none}");
    let (status, refused) = send(
        client
            .post(&path)
            .bearer_auth(&seller)
            .json(&json!({"grams": 0})),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["field"].as_str()),
        (422, Some("grams"))
    );
    let (status, not_theirs) = send(
        client
            .post(&path)
            .bearer_auth(&buyer)
            .json(&json!({"grams": 2500})),
    )
    .await;
    assert_eq!(status, 404, "a buyer labels nothing: {not_theirs}");
    let (status, labelled) = send(
        client
            .post(&path)
            .bearer_auth(&seller)
            .json(&json!({"grams": 2500})),
    )
    .await;
    assert_eq!(status, 201, "{labelled}");
    assert_eq!(labelled["carrier"], "ems", "the cheapest of the eight");
    assert_eq!(labelled["stage"], "labelled");
    let number = labelled["tracking_number"].as_str().unwrap().to_owned();
    let (_, again) = send(
        client
            .post(&path)
            .bearer_auth(&seller)
            .json(&json!({"grams": 2500})),
    )
    .await;
    assert_eq!(again["tracking_number"].as_str(), Some(number.as_str()));
    let order = store.order(packed.id).await.unwrap();
    assert_eq!(
        order.status,
        OrderStatus::Shipped,
        "shipped with its number"
    );

    let (status, steps) = send(
        client
            .get(&path)
            .bearer_auth(&buyer)
            .header("accept-language", "ug"),
    )
    .await;
    assert_eq!(status, 200, "{steps}");
    assert_eq!(steps["events"][0]["kind"], "labelled");
    assert!(
        steps["events"][0]["text"]
            .as_str()
            .unwrap()
            .contains("ساتقۇچى")
    );

    let browser = app.logged_in("gaodu-seller").await;
    let label = labelled["label"].as_str().unwrap();
    let page = support::text(&browser, app.url(label)).await;
    assert!(
        page.contains(&number) && page.contains("<svg"),
        "barcode and number"
    );
    assert!(page.contains("139****0001") && !page.contains("13917720001"));
    let stranger = app.logged_in("kuqa-seller").await;
    let other = stranger.get(app.url(label)).send().await.unwrap();
    assert_eq!(other.status(), 404, "another shop's label");

    // The month's numbers count the demo's outbound parcel scanned in at the centre (forty
    // minutes before it was loaded): for the centre only.
    use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
    let month = LedgerMonth::of(LedgerDay::of(
        chrono::Utc::now() - chrono::Duration::minutes(40),
    ));
    let numbers = app.url(&format!("/api/v1/logistics/numbers?month={month}"));
    let centre = app.token("zezhou-centre").await;
    let (status, figures) = send(client.get(&numbers).bearer_auth(&centre)).await;
    assert_eq!(status, 200, "{figures}");
    let outbound: i64 = figures["daily"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["direction"] == "outbound")
        .map(|d| d["parcels"].as_i64().unwrap())
        .sum();
    assert_eq!(outbound, 1, "{figures}");
    assert!(figures["postage_per_outbound_fen"].as_i64().unwrap() > 0);
    let (status, _) = send(client.get(&numbers).bearer_auth(&buyer)).await;
    assert_eq!(status, 403, "a buyer reads no centre's numbers");
    let tekes = app.token("tekes-centre").await;
    let (status, _) = send(client.get(&numbers).bearer_auth(&tekes)).await;
    assert_eq!(status, 404, "Tekes has no depot");
    let page = support::text(
        &app.logged_in("zezhou-centre").await,
        app.url("/centre/logistics/numbers"),
    )
    .await;
    assert!(page.contains("<svg") || page.contains("class=\"empty\""));
    app.stop().await;
}

#[tokio::test]
async fn a_seller_ships_through_the_centre_by_the_api_on_sqlite() {
    a_seller_ships_through_the_centre_by_the_api(
        support::spawn_with(Db::Sqlite, Default::default())
            .await
            .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn a_seller_ships_through_the_centre_by_the_api_on_postgres() {
    if let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await {
        a_seller_ships_through_the_centre_by_the_api(app).await;
    }
}
