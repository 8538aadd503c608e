//! Live rooms through the real server: chat over WebSocket (late joiners, reconnects, mute,
//! rate limit), two instances on one PostgreSQL, one-tap buying and a burst that never oversells.

use crate::support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use support::{App, Db, spawn_with, text};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use farmgate_web::WebConfig;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A viewer's WebSocket to a room, signed in with a token or not, in a language.
async fn join(
    base: &str,
    room: i64,
    token: Option<&str>,
    lang: &str,
    after: Option<i64>,
) -> Socket {
    // A guest's browser keeps the viewer id the room page hands out, signed.
    let viewer = if token.is_none() {
        guest_viewer(base, room).await
    } else {
        String::new()
    };
    let mut url = format!(
        "{}/live/{room}/ws?viewer={viewer}",
        base.replace("http", "ws")
    );
    if let Some(after) = after {
        url.push_str(&format!("&after={after}"));
    }
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("accept-language", lang.parse().unwrap());
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// The signed viewer id the room page gives a guest.
async fn guest_viewer(base: &str, room: i64) -> String {
    let page = reqwest::get(format!("{base}/live/{room}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("data-viewer=\"").unwrap() + "data-viewer=\"".len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// The next event of `kind`, skipping others; panics after three seconds.
async fn next(socket: &mut Socket, kind: &str) -> Value {
    tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            let frame = socket.next().await.unwrap().unwrap();
            if let Message::Text(text) = frame {
                let event: Value = serde_json::from_str(text.as_str()).unwrap();
                if event["type"] == kind {
                    return event;
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {kind} event within 3 s"))
}

/// Chat events that arrive within `wait`.
async fn chats_within(socket: &mut Socket, wait: Duration) -> Vec<Value> {
    let mut got = Vec::new();
    let _ = tokio::time::timeout(wait, async {
        while let Some(Ok(frame)) = socket.next().await {
            if let Message::Text(text) = frame {
                let event: Value = serde_json::from_str(text.as_str()).unwrap();
                if event["type"] == "chat" {
                    got.push(event);
                }
            }
        }
    })
    .await;
    got
}

async fn say(socket: &mut Socket, event: Value) {
    socket
        .send(Message::Text(event.to_string().into()))
        .await
        .unwrap();
}

async fn walnut_room(app: &App, stock: i64, live: bool) -> (support::Listed, i64) {
    let listed = app.walnut_shop("嘉陵核桃", stock).await;
    let room = app.walnut_room(&listed, Some(2990), live).await;
    (listed, room)
}

/// One address holds a bounded number of a room's connections; a closed one frees its place.
#[tokio::test]
async fn an_address_holds_a_bounded_number_of_connections() {
    let config = WebConfig {
        websockets_per_address: 3,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let (_, room) = walnut_room(&app, 20, true).await;
    let url = format!("{}/live/{room}/ws", app.base.replace("http", "ws"));
    let mut open = Vec::new();
    for _ in 0..3 {
        let mut socket = tokio_tungstenite::connect_async(&url).await.unwrap().0;
        next(&mut socket, "viewers").await;
        open.push(socket);
    }
    match tokio_tungstenite::connect_async(&url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
        }
        other => panic!("a fourth connection was let in: {:?}", other.map(|_| ())),
    }
    let closing = open.pop().unwrap();
    drop(closing);
    let started = std::time::Instant::now();
    loop {
        if let Ok((mut socket, _)) = tokio_tungstenite::connect_async(&url).await {
            next(&mut socket, "viewers").await;
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the place was not freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn viewers_chat_in_their_languages_and_the_host_moderates() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (listed, room) = walnut_room(&app, 20, true).await;
    let buyers = app.buyer_tokens(2).await;
    let mut zh = join(&app.base, room, Some(&buyers[0]), "zh-CN", None).await;
    let mut ug = join(&app.base, room, Some(&buyers[1]), "ug", None).await;
    let mut guest = join(&app.base, room, None, "en", None).await;
    assert!(next(&mut guest, "viewers").await["count"].as_u64().unwrap() >= 1);
    // Joining viewers are counted once each, in the next quarter of a second.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let counted = app
        .db
        .store
        .room_results(room)
        .await
        .unwrap()
        .unique_viewers;
    assert_eq!(counted, 3, "two buyers and a guest");
    // A made-up guest id (a script inflating the room) watches but counts for nobody.
    let ws = app.base.replace("http", "ws");
    let mut forged = Vec::new();
    for n in 0..5 {
        let url = format!("{ws}/live/{room}/ws?viewer=made-up-viewer-{n:04}");
        forged.push(tokio_tungstenite::connect_async(url).await.unwrap().0);
    }
    next(&mut forged[0], "viewers").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let counted = app
        .db
        .store
        .room_results(room)
        .await
        .unwrap()
        .unique_viewers;
    assert_eq!(counted, 3, "made-up ids are not viewers");
    drop(forged);

    say(
        &mut zh,
        json!({"type": "chat", "text": "核桃是今年的新货吗？"}),
    )
    .await;
    let seen = next(&mut ug, "chat").await;
    assert_eq!(seen["text"], "核桃是今年的新货吗？");
    assert_eq!(seen["author"], "买**", "buyers are masked");
    say(&mut ug, json!({"type": "chat", "text": "ياڭاق قانچە پۇل؟"})).await;
    let uyghur = next(&mut zh, "chat").await;
    let uyghur = if uyghur["lang"] == "ug" {
        uyghur
    } else {
        next(&mut zh, "chat").await
    };
    assert_eq!(
        (uyghur["lang"].as_str(), uyghur["text"].as_str()),
        (Some("ug"), Some("ياڭاق قانچە پۇل؟"))
    );

    // A guest reads but cannot write, and is told so in their language.
    say(&mut guest, json!({"type": "chat", "text": "hello"})).await;
    assert_eq!(
        next(&mut guest, "refused").await["message"],
        "Please log in to chat."
    );
    // Nonsense is refused, not a crash.
    say(&mut zh, json!({"type": "chat", "text": "   "})).await;
    assert_eq!(next(&mut zh, "refused").await["code"], "chat-empty");

    // A late joiner sees what was said; one that reconnects after the first message gets the rest only.
    let mut late = join(&app.base, room, None, "zh-CN", None).await;
    let first = next(&mut late, "chat").await;
    let second = next(&mut late, "chat").await;
    assert_eq!(first["text"], "核桃是今年的新货吗？");
    let mut again = join(&app.base, room, None, "zh-CN", first["id"].as_i64()).await;
    let resumed = chats_within(&mut again, Duration::from_millis(500)).await;
    assert_eq!(resumed.len(), 1, "no duplicates on reconnect: {resumed:?}");
    assert_eq!(resumed[0]["id"], second["id"]);

    // Only the host (or the county's centre staff) deletes and mutes.
    say(&mut zh, json!({"type": "delete", "id": second["id"]})).await;
    assert_eq!(next(&mut zh, "refused").await["code"], "forbidden");
    let mut host = join(&app.base, room, Some(&listed.owner), "zh-CN", None).await;
    say(&mut host, json!({"type": "delete", "id": second["id"]})).await;
    assert_eq!(next(&mut guest, "deleted").await["id"], second["id"]);
    say(&mut host, json!({"type": "mute", "id": first["id"]})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    say(&mut zh, json!({"type": "chat", "text": "为什么？"})).await;
    let refused = next(&mut zh, "refused").await;
    assert_eq!(refused["code"], "chat-muted");
    assert!(refused["message"].as_str().unwrap().contains("禁言"));
    let fresh = app.db.store.recent_messages(room, None).await.unwrap();
    assert!(
        fresh.iter().all(|m| m.body != "为什么？"),
        "a muted message is not kept"
    );
    say(&mut host, json!({"type": "chat", "text": "欢迎大家！"})).await;
    let from_host = next(&mut ug, "chat").await;
    let from_host = if from_host["staff"] == true {
        from_host
    } else {
        next(&mut ug, "chat").await
    };
    assert_eq!(from_host["staff"], true);

    // Typing too fast is slowed down with a visible message.
    let mut refused = None;
    for n in 0..8 {
        say(&mut ug, json!({"type": "chat", "text": format!("第{n}句")})).await;
    }
    for _ in 0..8 {
        let event = tokio::time::timeout(Duration::from_secs(2), ug.next()).await;
        let Ok(Some(Ok(Message::Text(text)))) = event else {
            break;
        };
        let event: Value = serde_json::from_str(text.as_str()).unwrap();
        if event["type"] == "refused" {
            refused = Some(event);
            break;
        }
    }
    let refused = refused.expect("the chat rate limit answers");
    assert_eq!(refused["code"], "chat-too-fast");
    assert!(
        refused["message"].as_str().unwrap().contains("سېكۇنت"),
        "in Uyghur"
    );

    // Another site's page cannot open the socket with the viewer's cookies.
    let mut request = format!("{}/live/{room}/ws", app.base.replace("http", "ws"))
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
    app.stop().await;
}

#[tokio::test]
async fn two_instances_see_each_others_chat_and_stock() {
    let Some(app) = spawn_with(Db::Postgres, WebConfig::default()).await else {
        eprintln!("skipped: FARMGATE_TEST_POSTGRES_URL is not set");
        return;
    };
    let (listed, room) = walnut_room(&app, 5, true).await;
    let (other, _stop) = app.second_instance(WebConfig::default()).await;
    let buyers = app.buyer_tokens(2).await;
    let mut here = join(&app.base, room, Some(&buyers[0]), "zh-CN", None).await;
    let mut there = join(&other, room, Some(&buyers[1]), "ug", None).await;
    next(&mut here, "viewers").await;
    next(&mut there, "viewers").await;

    let sent = std::time::Instant::now();
    say(&mut here, json!({"type": "chat", "text": "库车的朋友好！"})).await;
    assert_eq!(next(&mut there, "chat").await["text"], "库车的朋友好！");
    assert!(sent.elapsed() < Duration::from_secs(1), "within a second");
    say(&mut there, json!({"type": "chat", "text": "ياخشىمۇسىز"})).await;
    let back = next(&mut here, "chat").await;
    let back = if back["lang"] == "ug" {
        back
    } else {
        next(&mut here, "chat").await
    };
    assert_eq!(back["text"], "ياخشىمۇسىز");

    // A purchase through one instance shows on the other's cards and ticker.
    let bought = reqwest::Client::new()
        .post(format!("{other}/api/v1/live/{room}/buy"))
        .bearer_auth(&buyers[1])
        .header("idempotency-key", "two-instances-1")
        .json(&json!({"variant_id": listed.variant_id, "quantity": 2, "delivery": {"kind": "pickup", "station": "1"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bought.status(), 201);
    let stock = next(&mut here, "stock").await;
    assert_eq!(
        (stock["variant_id"].as_i64(), stock["stock"].as_i64()),
        (Some(listed.variant_id), Some(3))
    );
    let sale = next(&mut here, "sale").await;
    assert_eq!(sale["quantity"], 2);
    assert_eq!(
        sale["county"][0], "特克斯县",
        "the buyer's county, never a name"
    );

    // Viewer counts add up over both instances.
    let mut count = 0;
    for _ in 0..30 {
        let event = next(&mut here, "viewers").await;
        count = event["count"].as_u64().unwrap();
        if count == 2 {
            break;
        }
    }
    assert_eq!(count, 2);
    app.stop().await;
}

async fn burst(db: Db) {
    let config = WebConfig {
        orders_per_buyer_per_second: 1000,
        orders_per_buyer_burst: 1000,
        ..WebConfig::default()
    };
    let Some(app) = spawn_with(db, config).await else {
        eprintln!("skipped: FARMGATE_TEST_POSTGRES_URL is not set");
        return;
    };
    let (listed, room) = walnut_room(&app, 100, true).await;
    let buyers = app.buyer_tokens(100).await;
    let client = reqwest::Client::new();
    let mut calls = Vec::new();
    for n in 0..500 {
        let token = buyers[n % buyers.len()].clone();
        let client = client.clone();
        let url = app.url(&format!("/api/v1/live/{room}/buy"));
        let variant = listed.variant_id;
        calls.push(tokio::spawn(async move {
            let answer = client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", format!("burst-call-{n:04}"))
                .json(
                    &json!({"variant_id": variant, "delivery": {"kind": "pickup", "station": "1"}}),
                )
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let body: Value = answer.json().await.unwrap();
            (status, body)
        }));
    }
    let mut sold = Vec::new();
    let mut refused = 0;
    for call in calls {
        let (status, body) = call.await.unwrap();
        match status {
            201 => sold.push(body["order_id"].as_i64().unwrap()),
            409 => {
                assert_eq!(body["error"]["code"], "out-of-stock");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(sold.len(), 100, "exactly the stock is sold");
    assert_eq!(refused, 400);
    assert_eq!(
        app.db.store.variant_stock(listed.variant_id).await.unwrap(),
        0
    );
    for id in &sold {
        let order = app.db.store.order(*id).await.unwrap();
        assert_eq!(order.lines[0].unit_price.0, 2990, "at the room price");
    }
    let results = app.db.store.room_results(room).await.unwrap();
    assert_eq!((results.orders, results.gmv.0), (100, 100 * 2990));
    app.stop().await;
}

#[tokio::test]
async fn a_burst_of_500_buy_now_calls_on_stock_100_sells_100_on_sqlite() {
    burst(Db::Sqlite).await;
}

#[tokio::test]
async fn a_burst_of_500_buy_now_calls_on_stock_100_sells_100_on_postgres() {
    burst(Db::Postgres).await;
}

#[tokio::test]
async fn one_tap_uses_the_buyers_defaults_and_the_room_price_only_while_live() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (listed, room) = walnut_room(&app, 10, false).await;
    let buyer = &app.buyer_tokens(1).await[0];
    let client = reqwest::Client::new();
    let tap = |key: &'static str, body: Value| {
        client
            .post(app.url(&format!("/api/v1/live/{room}/buy")))
            .bearer_auth(buyer)
            .header("idempotency-key", key)
            .header("accept-language", "en")
            .json(&body)
            .send()
    };
    let plain = json!({"variant_id": listed.variant_id});
    let early = tap("tap-before-live", plain.clone()).await.unwrap();
    assert_eq!(early.status(), 409, "not before the room is live");
    app.db
        .store
        .move_room(room, farmgate_domain::live::RoomEvent::Start)
        .await
        .unwrap();
    let first = tap("tap-first-time", plain.clone()).await.unwrap();
    assert_eq!(first.status(), 422, "a first purchase needs a station");
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["error"]["code"], "live-no-defaults");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pickup station")
    );
    let chosen = tap(
        "tap-with-station",
        json!({"variant_id": listed.variant_id, "delivery": {"kind": "pickup", "station": "1"}}),
    )
    .await
    .unwrap();
    assert_eq!(chosen.status(), 201);
    let one_tap = tap("tap-one-tap-now", plain.clone()).await.unwrap();
    assert_eq!(one_tap.status(), 201, "the defaults from the last order");
    // The small answer: what the buyer's screen needs, the order itself one call away.
    let placed: Value = one_tap.json().await.unwrap();
    assert_eq!(placed["total_fen"], 2990, "the room price while live");
    assert_eq!(placed["payment"]["status"], "due");
    assert!(placed.get("orders").is_none(), "{placed}");
    let order_id = placed["order_id"].as_i64().unwrap();
    let order: Value = client
        .get(app.url(&format!("/api/v1/orders/{order_id}")))
        .bearer_auth(buyer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(order["station_id"], 1);
    assert_eq!(order["goods_fen"], 2990);
    let again = tap("tap-one-tap-now", plain.clone()).await.unwrap();
    assert_eq!(again.status(), 200, "a retry is the same order");
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (again["order_id"].as_i64(), again["replayed"].as_bool()),
        (Some(order_id), Some(true))
    );
    let not_pinned = tap("tap-not-pinned", json!({"variant_id": 999_999}))
        .await
        .unwrap();
    assert_eq!(not_pinned.status(), 422);
    // The host ends the room from the console (which tells every instance's memory).
    let host = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let console = format!("/host/rooms/{room}");
    let ended = app
        .submit(&host, &console, &console, &[("action", "end")])
        .await;
    assert_eq!(ended.status(), 303);
    let late = tap("tap-after-end", plain).await.unwrap();
    assert_eq!(late.status(), 409, "not after it ended");

    // The results: for the host (and the county's staff), a chart, an Excel file.
    app.db.store.record_viewer(room, "a1").await.unwrap();
    let host = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let page = host
        .get(app.url(&format!("/host/rooms/{room}/results")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page
        .text()
        .await
        .unwrap()
        .replace(['\u{2066}', '\u{2068}', '\u{2069}'], "");
    assert!(page.contains("<dd id=\"orders\">2</dd>"), "{page}");
    assert!(page.contains("¥59.80"), "both at the room price");
    assert!(page.contains("<svg"), "the minute chart");
    let sheet = host
        .get(app.url(&format!("/host/rooms/{room}/results.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        sheet.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(sheet.bytes().await.unwrap().starts_with(b"PK"));
    for login in ["buyer", "tekes-centre"] {
        let other = app.logged_in(login).await;
        let status = other
            .get(app.url(&format!("/host/rooms/{room}/results")))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{login} does not read another county's room");
    }
    // Huixian's centre staff find the room in their county's list and read its results.
    // Huixian's centre staff (a demo account) reads the county's rooms.
    let centre = app.logged_in("huixian-centre").await;
    let list = text(&centre, app.url("/centre/live")).await;
    assert!(
        list.contains(&format!("href=\"/host/rooms/{room}/results\"")),
        "{list}"
    );
    let results = centre
        .get(app.url(&format!("/host/rooms/{room}/results")))
        .send()
        .await
        .unwrap();
    assert_eq!(results.status(), 200);
    let tekes = app.logged_in("tekes-centre").await;
    let theirs = text(&tekes, app.url("/centre/live")).await;
    assert!(
        !theirs.contains(&format!("/host/rooms/{room}/results")),
        "only their county's rooms"
    );
    let buyer_list = app
        .logged_in("buyer")
        .await
        .get(app.url("/centre/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(buyer_list.status(), 403);
    app.stop().await;
}
