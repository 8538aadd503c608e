//! A station's parcels through the real server: only the station's operators see and work its
//! parcels (another county's operator is told they do not exist), mistakes come back by field
//! in the reader's language, the buyer's page shows the code while the parcel waits, and
//! neither buyer nor shop can take the station's steps.

use crate::support;

use serde_json::{Value, json};
use support::spawn_app;

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn only_the_stations_operator_works_its_parcels_in_their_language() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let listed = app.walnut_shop("嘉陵核桃", 10).await;
    let buyer = app.buyer_tokens(1).await.remove(0);
    let (_, stations) = send(client.get(app.url("/api/v1/stations?region=tekes-kuokesu"))).await;
    let kokesu = stations[0]["id"].as_i64().unwrap();
    let (status, placed) = send(
        client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&buyer)
            .header("idempotency-key", "station-parcel-0001")
            .json(
                &json!({"items": [{"variant_id": listed.variant_id, "quantity": 1}],
                "delivery": {"kind": "pickup", "station": kokesu.to_string()}, "payment": "cash"}),
            ),
    )
    .await;
    assert_eq!(status, 201, "{placed}");
    let order = placed["orders"][0]["id"].as_i64().unwrap();
    let events = app.url(&format!("/api/v1/orders/{order}/events"));
    for step in [
        json!({"event": "pack", "packed_grams": 520}),
        json!({"event": "ship"}),
    ] {
        let (status, _) = send(
            client
                .post(events.clone())
                .bearer_auth(&listed.owner)
                .json(&step),
        )
        .await;
        assert_eq!(status, 200);
    }
    // Neither the shop nor the buyer takes the station's steps.
    let (status, refused) = send(
        client
            .post(events.clone())
            .bearer_auth(&listed.owner)
            .json(&json!({"event": "mark_ready_for_pickup"})),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("step-at-station"))
    );

    // Korla's operator is told Kokesu's parcels do not exist.
    let korla = app.token("saibag-station").await;
    let parcels = app.url(&format!("/api/v1/stations/{kokesu}/parcels"));
    let receive = app.url(&format!("/api/v1/stations/{kokesu}/parcels/receive"));
    let label = json!({"label": order.to_string()});
    assert_eq!(
        send(client.get(parcels.clone()).bearer_auth(&korla))
            .await
            .0,
        404
    );
    assert_eq!(
        send(
            client
                .post(receive.clone())
                .bearer_auth(&korla)
                .json(&label)
        )
        .await
        .0,
        404
    );

    // Kokesu's operator, reading Uyghur: the parcel is on its way; a malformed label and a
    // wrong code are refused beside their fields, in Uyghur.
    let operator = app.token("kuokesu-station").await;
    let (status, on_the_way) = send(client.get(parcels.clone()).bearer_auth(&operator)).await;
    assert_eq!(status, 200);
    assert!(
        on_the_way
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["order_id"] == order)
    );
    let (status, bad) = send(
        client
            .post(receive.clone())
            .bearer_auth(&operator)
            .header("accept-language", "ug")
            .json(&json!({"label": "#!"})),
    )
    .await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("label"))
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("بولاق نومۇرى")
    );
    let (status, received) = send(
        client
            .post(receive.clone())
            .bearer_auth(&operator)
            .json(&label),
    )
    .await;
    assert_eq!(
        (status, received["status"].as_str()),
        (200, Some("received"))
    );
    let parcel = received["id"].as_i64().unwrap();

    // The buyer's page shows the code; a wrong one is refused in Uyghur, the right one hands
    // the parcel over with the cash recorded.
    let code = app
        .db
        .store
        .station_parcel(parcel)
        .await
        .unwrap()
        .pickup_code;
    let hand_over = app.url(&format!("/api/v1/station-parcels/{parcel}/hand-over"));
    let wrong = if code.as_str() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (status, bad) = send(
        client
            .post(hand_over.clone())
            .bearer_auth(&operator)
            .header("accept-language", "ug")
            .json(&json!({"code": wrong})),
    )
    .await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("code"))
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ئېلىش نومۇرى توغرا ئەمەس")
    );
    assert_eq!(
        send(
            client
                .post(hand_over.clone())
                .bearer_auth(&korla)
                .json(&json!({"code": code.as_str()}))
        )
        .await
        .0,
        404,
        "another county's operator"
    );
    let (status, handed) = send(
        client
            .post(hand_over.clone())
            .bearer_auth(&operator)
            .json(&json!({"code": code.as_str()})),
    )
    .await;
    assert_eq!(
        (status, handed["status"].as_str()),
        (200, Some("handed_over"))
    );
    assert_eq!(handed["cash_fen"], placed["orders"][0]["total_fen"]);
    let (status, again) = send(
        client
            .post(hand_over)
            .bearer_auth(&operator)
            .json(&json!({"code": code.as_str()})),
    )
    .await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("order-state"))
    );

    // The desk's page: for operators only, and only of their own stations.
    for login in ["buyer", "tekes-seller"] {
        let browser = app.logged_in(login).await;
        let page = browser
            .get(app.url("/station/parcels"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403, "{login}");
    }
    let korla_desk = app.logged_in("saibag-station").await;
    let foreign = korla_desk
        .get(app.url(&format!("/station/parcels?station={kokesu}")))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
    app.stop().await;
}

/// Tekes' centre keeps its network: the list with its map, a new station (a mistake refused by
/// field), an operator named (who then works its parcels), paused (no longer offered to buyers,
/// its page says so); Kuqa's centre is told it does not exist, a buyer may not see the list.
#[tokio::test]
async fn the_centre_adds_names_and_pauses_its_stations() {
    let app = spawn_app().await;
    let centre = app.logged_in("tekes-centre").await;
    let list = support::text(&centre, app.url("/centre/stations")).await;
    assert!(
        list.contains("阔克苏村服务站") && list.contains("<svg"),
        "list and map"
    );
    let mut fields = vec![
        ("code", "tekes-qiongkushitai"),
        ("kind", "village"),
        ("place", "tekes-qiongkushitai"),
        ("name_ug", "چوڭقۇشتاي كەنتى پونكىتى"),
        ("address_zh", "琼库什台村村委会旁"),
        ("hours", "10:00-19:00"),
        ("pickup_fee", "1.50"),
        ("hold_days", "0"),
        ("status", "open"),
    ];
    let refused = app
        .submit(&centre, "/centre/stations/new", "/centre/stations", &fields)
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("id=\"hold_days-error\"")
    );
    fields.retain(|(name, _)| *name != "hold_days");
    fields.push(("hold_days", "5"));
    let added = app
        .submit(&centre, "/centre/stations/new", "/centre/stations", &fields)
        .await;
    assert_eq!(added.status(), 303);
    let edit = added.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = edit
        .trim_start_matches("/centre/stations/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = support::page_in(app.url(&format!("/stations/{id}")), "zh-CN").await;
    assert!(page.contains("چوڭقۇشتاي كەنتى پونكىتى") && page.contains("10:00-19:00"));

    // Kuqa's centre: no such station; a buyer: no network at all.
    let kuqa = app.logged_in("kuqa-centre").await;
    let foreign = kuqa.get(app.url(&edit)).send().await.unwrap();
    assert_eq!(foreign.status(), 404);
    let buyer = app.logged_in("buyer").await;
    let refused = buyer.get(app.url("/centre/stations")).send().await.unwrap();
    assert_eq!(refused.status(), 403);

    // The buyer's account is named its operator, and works its parcels.
    let named = app
        .submit(
            &centre,
            &edit,
            &format!("/centre/stations/{id}/operators"),
            &[("login", "buyer")],
        )
        .await;
    assert_eq!(named.status(), 303);
    let desk = buyer
        .get(app.url(&format!("/station/parcels?station={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(desk.status(), 200);

    // Paused: not offered at checkout, its page says so.
    fields.retain(|(name, _)| !matches!(*name, "status" | "code"));
    fields.push(("status", "paused"));
    let paused = app
        .submit(&centre, &edit, &format!("/centre/stations/{id}"), &fields)
        .await;
    assert_eq!(paused.status(), 303);
    let offered: serde_json::Value = reqwest::get(app.url("/api/v1/stations?region=tekes"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!offered.as_array().unwrap().iter().any(|s| s["id"] == id));
    let page = support::page_in(app.url(&format!("/stations/{id}")), "zh-CN").await;
    assert!(page.contains("暂停营业"));
    app.stop().await;
}

/// The network through the API: a county's centre adds a station (a place outside its county
/// refused by field), changes it, and reads the network with each station's health; another
/// county's centre cannot change it.
#[tokio::test]
async fn the_api_keeps_the_network() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let tekes = app.token("tekes-centre").await;
    let mut body = json!({"code": "tekes-api-1", "kind": "village", "place": "kuqa",
        "names": {"ug": "سىناق پونكىتى"}, "pickup_fee_fen": 100});
    let (status, refused) = send(
        client
            .post(app.url("/api/v1/centre/stations"))
            .bearer_auth(&tekes)
            .json(&body),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["field"].as_str()),
        (422, Some("place"))
    );
    body["place"] = json!("tekes-kuokesu");
    let (status, added) = send(
        client
            .post(app.url("/api/v1/centre/stations"))
            .bearer_auth(&tekes)
            .json(&body),
    )
    .await;
    assert_eq!(status, 201, "{added}");
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["name"], "سىناق پونكىتى", "the one language written");
    let url = app.url(&format!("/api/v1/centre/stations/{id}"));
    body["hold_days"] = json!(3);
    body["active"] = json!(false);
    let kuqa = app.token("kuqa-centre").await;
    assert_eq!(
        send(client.put(url.clone()).bearer_auth(&kuqa).json(&body))
            .await
            .0,
        404
    );
    let (status, changed) = send(client.put(url).bearer_auth(&tekes).json(&body)).await;
    assert_eq!(
        (
            status,
            changed["hold_days"].as_i64(),
            changed["active"].as_bool()
        ),
        (200, Some(3), Some(false))
    );
    let (status, network) = send(
        client
            .get(app.url("/api/v1/centre/stations"))
            .bearer_auth(&tekes),
    )
    .await;
    assert_eq!(status, 200);
    let mine = network.as_array().unwrap();
    assert!(mine.iter().any(|s| s["id"] == id && s["idle"] == true));
    assert!(mine.iter().any(|s| s["code"] == "tekes-kuokesu"));
    assert!(
        !mine.iter().any(|s| s["code"] == "kuqa-wuqia"),
        "Tekes' network only"
    );
    app.stop().await;
}
