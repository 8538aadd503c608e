//! Buying for villagers and the daily ledger through the real server: the operator fills a
//! villager's basket, a missing name is refused beside its field with nothing placed, the
//! order is placed once however often the form is sent, the slip carries the pickup code; the
//! day closes once, a difference only with its reason; the county's centre reads the month
//! and exports it, another county is told the station does not exist. The buying, closing and
//! syncing tests run on SQLite and on PostgreSQL.

use crate::support;

use serde_json::Value;
use support::{csrf_of, spawn_app, text};

#[tokio::test]
async fn an_operator_buys_for_a_villager_and_closes_the_day_on_sqlite() {
    buys_and_closes(spawn_app().await).await;
}

#[tokio::test]
async fn an_operator_buys_for_a_villager_and_closes_the_day_on_postgres() {
    let Some(app) = support::spawn_with(support::Db::Postgres, Default::default()).await else {
        return;
    };
    buys_and_closes(app).await;
}

async fn buys_and_closes(app: support::App) {
    let listed = app.walnut_shop("嘉陵核桃", 10).await;
    let operator = app.logged_in("kuokesu-station").await;
    let form = format!("/station/buy?lines={}x2", listed.variant_id);
    let page = text(&operator, app.url(&form)).await;
    assert!(page.contains("嘉陵核桃"), "the basket shows the goods");
    assert!(page.contains("¥76.00"), "two bags");
    let token = csrf_of(&page);
    let key_marker = "name=\"key\" value=\"";
    let key_at = page.find(key_marker).unwrap() + key_marker.len();
    let key = page[key_at..].split('"').next().unwrap().to_owned();
    let lines = format!("{}x2", listed.variant_id);
    let station = {
        let marker = "name=\"station\" value=\"";
        let at = page.find(marker).unwrap() + marker.len();
        page[at..].split('"').next().unwrap().to_owned()
    };
    let send = |name: &'static str| {
        let body = [
            ("_csrf", token.as_str()),
            ("station", station.as_str()),
            ("lines", lines.as_str()),
            ("key", key.as_str()),
            ("villager_name", name),
            ("villager_phone", "13899990007"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<Vec<_>>();
        operator.post(app.url("/station/buy")).form(&body).send()
    };

    // No name: refused beside the field, nothing placed.
    let refused = send("").await.unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"villager_name-error\""), "{html}");
    let mine = app.token("kuokesu-station").await;
    let orders = |token: String| {
        let url = app.url("/api/v1/orders");
        async move {
            let listed: Value = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            listed.as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(orders(mine.clone()).await, 0);

    // Placed once, however often the form is sent.
    let placed = send("阿依古丽").await.unwrap();
    assert_eq!(placed.status(), 303);
    let slip = placed.headers()["location"].to_str().unwrap().to_owned();
    assert!(slip.starts_with("/station/slips/"));
    let again = send("阿依古丽").await.unwrap();
    assert_eq!(again.headers()["location"].to_str().unwrap(), slip);
    assert_eq!(orders(mine.clone()).await, 1);
    let paper = text(&operator, app.url(&format!("{slip}?paper=58"))).await;
    assert!(paper.contains("阿依古丽"));
    assert!(paper.contains("paper-receipt58"));
    assert!(
        paper.contains("138****0007"),
        "the phone masked on the slip"
    );
    let code_at = paper.find("class=\"code\" dir=\"ltr\">").unwrap() + 23;
    let code = &paper[code_at..code_at + 6];
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");

    // Another county's operator: no such slip; a buyer: not an operator.
    let korla = app.logged_in("saibag-station").await;
    assert_eq!(
        korla.get(app.url(&slip)).send().await.unwrap().status(),
        404
    );
    let buyer = app.logged_in("buyer").await;
    assert_eq!(
        buyer
            .get(app.url("/station/buy"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // The day: the purchase and the cash; a short count needs its reason; closed once.
    let day = text(&operator, app.url("/station/day")).await;
    assert!(day.contains("¥76.00"), "the purchase's value");
    let fields = |counted: &'static str, why: &'static str| {
        vec![
            ("station", station.clone()),
            ("counted", counted.to_owned()),
            ("explanation", why.to_owned()),
        ]
    };
    let short = close_day(&app, &operator, fields("70", "")).await;
    assert_eq!(short.status(), 422);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("实点现金和应有现金对不上")
    );
    let closed = close_day(&app, &operator, fields("70", "找零给错了")).await;
    assert_eq!(closed.status(), 303);
    let twice = close_day(&app, &operator, fields("70", "找零给错了")).await;
    assert_eq!(twice.status(), 409);
    let day = text(&operator, app.url("/station/day")).await;
    assert!(day.contains("找零给错了"));
    assert!(!day.contains("action=\"/station/day/close\""), "closed");

    // The county's centre reads the month and exports it; Korla's is told it does not exist.
    let centre = app.logged_in("tekes-centre").await;
    let month = text(&centre, app.url("/centre/ledger")).await;
    assert!(month.contains("阔克苏村服务站"));
    let id = station.as_str();
    let month = &chrono_today()[..7];
    let days = text(
        &centre,
        app.url(&format!("/centre/ledger/{id}?month={month}")),
    )
    .await;
    assert!(days.contains("找零给错了"));
    let sheet = centre
        .get(app.url("/centre/ledger.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), 200);
    assert!(sheet.bytes().await.unwrap().starts_with(b"PK"));
    let other = app.logged_in("korla-centre").await;
    assert_eq!(
        other
            .get(app.url(&format!("/centre/ledger/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        operator
            .get(app.url("/centre/ledger"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

/// Sends the day's closing form with `fields`, as the operator would.
async fn close_day(
    app: &support::App,
    operator: &reqwest::Client,
    fields: Vec<(&'static str, String)>,
) -> reqwest::Response {
    let page = text(operator, app.url("/station/day")).await;
    let mut body = vec![("_csrf", csrf_of(&page))];
    body.extend(fields);
    operator
        .post(app.url("/station/day/close"))
        .form(&body)
        .send()
        .await
        .unwrap()
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_api_buys_for_villagers_once_and_closes_their_stations_day_on_sqlite() {
    api_buys_and_closes(spawn_app().await).await;
}

#[tokio::test]
async fn the_api_buys_for_villagers_once_and_closes_their_stations_day_on_postgres() {
    let Some(app) = support::spawn_with(support::Db::Postgres, Default::default()).await else {
        return;
    };
    api_buys_and_closes(app).await;
}

async fn api_buys_and_closes(app: support::App) {
    use serde_json::json;
    let client = reqwest::Client::new();
    let listed = app.walnut_shop("嘉陵核桃", 10).await;
    let (_, stations) = send(client.get(app.url("/api/v1/stations?region=tekes-kuokesu"))).await;
    let kokesu = stations[0]["id"].as_i64().unwrap();
    let operator = app.token("kuokesu-station").await;
    let buy = app.url(&format!("/api/v1/stations/{kokesu}/villager-orders"));
    let purchase = json!({"key": "offline-0001-aygul", "villager_name": "阿依古丽",
        "villager_phone": "13899990008",
        "items": [{"variant_id": listed.variant_id, "quantity": 1}]});

    // Another county's operator: no such station. No name: refused beside it, in Uyghur.
    let korla = app.token("saibag-station").await;
    let (status, _) = send(client.post(buy.clone()).bearer_auth(&korla).json(&purchase)).await;
    assert_eq!(status, 404);
    let mut nameless = purchase.clone();
    nameless["villager_name"] = json!("");
    let (status, refused) = send(
        client
            .post(buy.clone())
            .bearer_auth(&operator)
            .header("accept-language", "ug")
            .json(&nameless),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["field"].as_str()),
        (422, Some("villager_name"))
    );

    // Sent twice (an offline queue syncing again): one order, the same answer.
    let (status, first) = send(
        client
            .post(buy.clone())
            .bearer_auth(&operator)
            .json(&purchase),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let (_, again) = send(
        client
            .post(buy.clone())
            .bearer_auth(&operator)
            .json(&purchase),
    )
    .await;
    assert_eq!(
        first["orders"][0]["order_id"],
        again["orders"][0]["order_id"]
    );
    assert_eq!(first["orders"][0]["villager_phone"], "138****0008");
    assert_eq!(first["orders"][0]["pickup_code"].as_str().unwrap().len(), 6);
    let (_, listed_orders) = send(client.get(buy.clone()).bearer_auth(&operator)).await;
    assert_eq!(listed_orders.as_array().unwrap().len(), 1);

    // The day: one purchase, ¥38 in the till; a short count needs its reason; closed once.
    let today = chrono_today();
    let day = app.url(&format!("/api/v1/stations/{kokesu}/days/{today}"));
    let (status, read) = send(client.get(day.clone()).bearer_auth(&operator)).await;
    assert_eq!(status, 200);
    assert_eq!(read["villager_orders"], 1);
    assert_eq!(read["cash_taken_fen"], first["orders"][0]["paid_fen"]);
    let close = format!("{day}/close");
    let (status, refused) = send(
        client
            .post(close.clone())
            .bearer_auth(&operator)
            .json(&json!({"counted_fen": 1000})),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["field"].as_str()),
        (422, Some("explanation"))
    );
    let explained = json!({"counted_fen": 1000, "handed_in_fen": 1000, "explanation": "找错钱了"});
    let (status, closed) = send(
        client
            .post(close.clone())
            .bearer_auth(&operator)
            .json(&explained),
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["closing"]["counted_fen"], 1000);
    assert_eq!(closed["net_fen"], 0, "counted 10, all handed in");
    let (status, _) = send(client.post(close).bearer_auth(&operator).json(&explained)).await;
    assert_eq!(status, 409);

    // The county reads it; the operator does not keep the county's ledger.
    let centre = app.token("tekes-centre").await;
    let (status, county) = send(
        client
            .get(app.url(&format!("/api/v1/centre/ledger?month={}", &today[..7])))
            .bearer_auth(&centre),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        county
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["station_id"] == kokesu && d["day"] == today.as_str())
    );
    let (status, _) = send(
        client
            .get(app.url("/api/v1/centre/ledger"))
            .bearer_auth(&operator),
    )
    .await;
    assert_eq!(status, 403);
}

/// Today in China's calendar, `YYYY-MM-DD` (the ledger's days).
fn chrono_today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string()
}

/// The value of the first `<option>` after `marker` in `html` that is not the empty choice.
fn option_after(html: &str, marker: &str) -> String {
    let from = html.find(marker).unwrap();
    html[from..]
        .split("<option value=\"")
        .skip(1)
        .map(|o| o.split('"').next().unwrap().to_owned())
        .find(|v| v != "0")
        .unwrap()
}

#[tokio::test]
async fn produce_is_taken_in_labelled_and_traced_without_the_growers_phone() {
    let app = spawn_app().await;
    let listed = app.walnut_shop("嘉陵核桃", 10).await;
    // The shop prices its walnuts: ¥16 a kilogram for the first grade.
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let prices = format!("/seller/shops/{}/produce-prices", listed.shop_id);
    let field = format!("p-{}-first", listed.variant_id);
    let saved = app
        .submit(&seller, &prices, &prices, &[(field.as_str(), "16")])
        .await;
    assert_eq!(saved.status(), 303);
    let other = app.logged_in("jinghe-seller").await;
    assert_eq!(
        other.get(app.url(&prices)).send().await.unwrap().status(),
        404,
        "another shop's prices"
    );

    let operator = app.logged_in("kuokesu-station").await;
    let form = text(&operator, app.url("/station/produce")).await;
    assert!(form.contains("嘉陵核桃"), "the priced produce is offered");
    let station = {
        let marker = "name=\"station\" value=\"";
        let at = form.find(marker).unwrap() + marker.len();
        form[at..].split('"').next().unwrap().to_owned()
    };
    let village = option_after(&form, "id=\"village\"");
    let variant = listed.variant_id.to_string();
    let mut fields = vec![
        ("station", station.as_str()),
        ("variant", variant.as_str()),
        ("grade", "first"),
        ("weight", ""),
        ("grower_name", "阿依古丽"),
        ("grower_phone", "13899990009"),
        ("village", village.as_str()),
        ("harvested_on", "2026-08-20"),
    ];
    let refused = app
        .submit(&operator, "/station/produce", "/station/produce", &fields)
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("id=\"weight-error\"")
    );
    fields[3] = ("weight", "12.5");
    let taken = app
        .submit(&operator, "/station/produce", "/station/produce", &fields)
        .await;
    assert_eq!(taken.status(), 303);
    let receipt = taken.headers()["location"].to_str().unwrap().to_owned();
    let page = text(&operator, app.url(&receipt)).await;
    assert!(page.contains("<svg"), "the batch's QR label");
    assert!(page.contains("¥200.00"), "12.5 kg at ¥16");
    let marker = "/batches/";
    let at = page.find(marker).unwrap() + marker.len();
    let code = page[at..at + 10].to_owned();

    // Anyone who scans the label sees the village and the dates, never the phone; the name
    // only with the grower's consent (not given here).
    let public = support::page_in(app.url(&format!("/batches/{code}")), "zh-CN").await;
    assert!(public.contains("2026-08-20"));
    assert!(public.contains("嘉陵核桃"));
    assert!(!public.contains("13899990009") && !public.contains("0009"));
    assert!(!public.contains("阿依古丽"));
    let korla = app.logged_in("saibag-station").await;
    assert_eq!(
        korla.get(app.url(&receipt)).send().await.unwrap().status(),
        404
    );
    // The grower is listed with nothing earned yet; a transfer needs its reference.
    let growers = text(&operator, app.url("/station/produce/growers")).await;
    assert!(growers.contains("阿依古丽") && growers.contains("138****0009"));
    let pay = app
        .submit(
            &operator,
            "/station/produce/growers",
            "/station/produce/pay",
            &[
                ("station", station.as_str()),
                ("ids", "1"),
                ("method", "transfer"),
            ],
        )
        .await;
    assert_eq!(pay.status(), 422);

    // Through the API too (the phone screens' offline queue syncs this way).
    let token = app.token("kuokesu-station").await;
    let body = serde_json::json!({"variant_id": listed.variant_id, "grade": "first",
        "weight_kg": "3", "grower_name": "吐尔逊", "village_id": village.parse::<i64>().unwrap()});
    let url = app.url(&format!("/api/v1/stations/{station}/consignments"));
    let client = reqwest::Client::new();
    let korla = app.token("saibag-station").await;
    let refused = client
        .post(url.clone())
        .bearer_auth(&korla)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    let made: Value = client
        .post(url.clone())
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(made["owed_fen"], 4800, "{made}");
    assert_eq!(made["code"].as_str().unwrap().len(), 10);
    let listed_batches: Value = client
        .get(url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed_batches.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_replayed_offline_sync_does_nothing_twice_on_sqlite() {
    replayed_sync(spawn_app().await).await;
}

#[tokio::test]
async fn a_replayed_offline_sync_does_nothing_twice_on_postgres() {
    let Some(app) = support::spawn_with(support::Db::Postgres, Default::default()).await else {
        return;
    };
    replayed_sync(app).await;
}

async fn replayed_sync(app: support::App) {
    use serde_json::json;
    let client = reqwest::Client::new();
    let listed = app.walnut_shop("嘉陵核桃", 10).await;
    let (_, stations) = send(client.get(app.url("/api/v1/stations?region=tekes-kuokesu"))).await;
    let kokesu = stations[0]["id"].as_i64().unwrap();
    let operator = app.token("kuokesu-station").await;
    // A buyer's parcel on its way to Kokesu.
    let buyer = app.buyer_tokens(1).await.remove(0);
    let (_, placed) = send(
        client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&buyer)
            .header("idempotency-key", "offline-sync-order-1")
            .json(
                &json!({"items": [{"variant_id": listed.variant_id, "quantity": 1}],
                "delivery": {"kind": "pickup", "station": kokesu.to_string()}, "payment": "cash"}),
            ),
    )
    .await;
    let order = placed["orders"][0]["id"].as_i64().unwrap();
    let events = app.url(&format!("/api/v1/orders/{order}/events"));
    for step in [
        json!({"event": "pack", "packed_grams": 1000}),
        json!({"event": "ship"}),
    ] {
        send(
            client
                .post(events.clone())
                .bearer_auth(&listed.owner)
                .json(&step),
        )
        .await;
    }
    let (_, on_the_way) = send(
        client
            .get(app.url(&format!("/api/v1/stations/{kokesu}/parcels")))
            .bearer_auth(&operator),
    )
    .await;
    let parcel = on_the_way
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["order_id"] == order)
        .unwrap()
        .clone();
    let label = parcel["label"].as_str().unwrap();
    let parcel_id = parcel["id"].as_i64().unwrap();

    // Offline: received, a wrong code, then bought a radio for a villager.
    let sync = app.url(&format!("/api/v1/stations/{kokesu}/sync"));
    let first = json!({"operations": [
        {"kind": "receive", "client_id": "phone-op-0001", "label": label},
        {"kind": "hand_over", "client_id": "phone-op-0002", "parcel_id": parcel_id, "code": "000000"},
        {"kind": "villager_order", "client_id": "phone-op-0003", "villager_name": "阿依古丽",
         "items": [{"variant_id": listed.variant_id, "quantity": 2}]},
    ]});
    let (status, answer) = send(
        client
            .post(sync.clone())
            .bearer_auth(&operator)
            .header("accept-language", "ug")
            .json(&first),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["outcome"], "done");
    assert_eq!(results[1]["outcome"], "refused");
    assert_eq!(results[1]["code"], "pickup-code-wrong");
    assert!(
        results[1]["message"]
            .as_str()
            .unwrap()
            .contains("ئېلىش نومۇرى")
    );
    assert_eq!(results[2]["outcome"], "done");
    let checkout = results[2]["code"].as_str().unwrap().to_owned();

    // Sent again (the phone never heard back): the same answers, nothing done twice.
    let (_, again) = send(
        client
            .post(sync.clone())
            .bearer_auth(&operator)
            .json(&first),
    )
    .await;
    assert_eq!(again["results"][2]["code"], checkout.as_str());
    assert_eq!(again["results"][1]["code"], "pickup-code-wrong");
    let (_, bought) = send(
        client
            .get(app.url(&format!("/api/v1/stations/{kokesu}/villager-orders")))
            .bearer_auth(&operator),
    )
    .await;
    assert_eq!(bought.as_array().unwrap().len(), 1, "one purchase");
    assert_eq!(
        app.db.store.variant_stock(listed.variant_id).await.unwrap(),
        10 - 1 - 2,
        "stock taken once"
    );
    let wrong = app.db.store.station_parcel(parcel_id).await.unwrap();
    assert_eq!(
        wrong.status,
        farmgate_domain::stations::ParcelStatus::Received
    );

    // Handed over with the right code, sent twice: done both times, handed over once.
    let code = app
        .db
        .store
        .parcel_of_order(order)
        .await
        .unwrap()
        .unwrap()
        .pickup_code
        .as_str()
        .to_owned();
    let hand = json!({"operations": [{"kind": "hand_over", "client_id": "phone-op-0004",
        "parcel_id": parcel_id, "code": code}]});
    for _ in 0..2 {
        let (_, answer) = send(client.post(sync.clone()).bearer_auth(&operator).json(&hand)).await;
        assert_eq!(answer["results"][0]["outcome"], "done", "{answer}");
    }
    // The same hand-over sent under a new id (the phone lost its record): still done, once.
    let lost = json!({"operations": [{"kind": "hand_over", "client_id": "phone-op-0005",
        "parcel_id": parcel_id, "code": code}]});
    let (_, answer) = send(client.post(sync.clone()).bearer_auth(&operator).json(&lost)).await;
    assert_eq!(answer["results"][0]["outcome"], "done");
    let today = farmgate_domain::stations::till::LedgerDay::of(chrono::Utc::now());
    let handed: Vec<_> = app
        .db
        .store
        .cash_movements(kokesu, today)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.order_id == Some(order))
        .collect();
    assert_eq!(handed.len(), 1, "the cash taken once");

    // Another county's operator cannot sync into Kokesu.
    let korla = app.token("saibag-station").await;
    let (status, _) = send(client.post(sync).bearer_auth(&korla).json(&hand)).await;
    assert_eq!(status, 404);
}
