//! What an instance keeps in memory for taps (issue 20): a buyer's token, a room's status and
//! pins, the buyer's defaults. Changes made through one instance reach the other's memory
//! within a second (PostgreSQL, two instances on one database): a new price, an unpinned
//! variant, an ended room, a revoked token. On SQLite, one instance forgets at once.

use std::time::{Duration, Instant};

use farmgate_web::WebConfig;
use serde_json::{Value, json};

use crate::support::{self, App, Db, spawn_with};

/// Taps `room` on `base` until `done` holds for the answer (status and body), at most a
/// second; the answer last seen.
async fn tap_until(
    base: &str,
    (room, variant): (i64, i64),
    token: &str,
    done: impl Fn(u16, &Value) -> bool,
) -> (u16, Value, Duration) {
    let started = Instant::now();
    let mut n = 0;
    loop {
        n += 1;
        let answer = reqwest::Client::new()
            .post(format!("{base}/api/v1/live/{room}/buy"))
            .bearer_auth(token)
            .header(
                "idempotency-key",
                format!("hot-{room}-{n}-{}", started.elapsed().as_nanos()),
            )
            .json(&json!({"variant_id": variant}))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        if done(status, &body) || started.elapsed() > Duration::from_secs(1) {
            return (status, body, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn host_acts(app: &App, base: &str, room: i64, fields: &[(&str, &str)]) {
    let host = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let page = format!("/host/rooms/{room}");
    let form = support::text(&host, app.url(&page)).await;
    let mut body = vec![("_csrf", support::csrf_of(&form))];
    body.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let done = host
        .post(format!("{base}{page}"))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert!(done.status().is_redirection(), "{}", done.status());
}

async fn changes_reach(app: &App, other: &str) {
    let listed = app.walnut_shop("嘉陵核桃", 100).await;
    let room = app.walnut_room(&listed, Some(2990), true).await;
    let buyer = app.buyer_tokens(1).await.remove(0);
    let ids = (room, listed.variant_id);
    // The first tap names the delivery; then the buyer's defaults, kept on `other`.
    let first = reqwest::Client::new()
        .post(format!("{other}/api/v1/live/{room}/buy"))
        .bearer_auth(&buyer)
        .header("idempotency-key", "hot-first-tap")
        .json(&json!({"variant_id": listed.variant_id, "delivery": {"kind": "pickup", "station": "1"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let (status, body, _) = tap_until(other, ids, &buyer, |s, _| s == 201).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["total_fen"], 2990, "the room price");

    // A new room price set through the first instance.
    host_acts(
        app,
        &app.base,
        room,
        &[
            ("action", "pin"),
            ("variant", &listed.variant_id.to_string()),
            ("room_price", "25.00"),
        ],
    )
    .await;
    let (_, body, took) = tap_until(other, ids, &buyer, |_, b| b["total_fen"] == 2500).await;
    assert_eq!(
        body["total_fen"], 2500,
        "the new room price within a second ({took:?})"
    );

    // Unpinned there: refused here within a second.
    host_acts(
        app,
        &app.base,
        room,
        &[
            ("action", "unpin"),
            ("variant", &listed.variant_id.to_string()),
        ],
    )
    .await;
    let (status, body, took) = tap_until(other, ids, &buyer, |s, _| s == 422).await;
    assert_eq!(status, 422, "unpinned within a second ({took:?}): {body}");
    host_acts(
        app,
        &app.base,
        room,
        &[
            ("action", "pin"),
            ("variant", &listed.variant_id.to_string()),
        ],
    )
    .await;
    let (status, _, _) = tap_until(other, ids, &buyer, |s, _| s == 201).await;
    assert_eq!(status, 201, "pinned again");

    // Ended there: not live here within a second.
    host_acts(app, &app.base, room, &[("action", "end")]).await;
    let (status, body, took) = tap_until(other, ids, &buyer, |s, _| s == 409).await;
    assert_eq!(status, 409, "ended within a second ({took:?}): {body}");
    assert_eq!(body["error"]["code"], "live-not-live");

    // The token revoked there: refused here within a second.
    let out = reqwest::Client::new()
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let (status, _, took) = tap_until(other, ids, &buyer, |s, _| s == 401).await;
    assert_eq!(status, 401, "revoked within a second ({took:?})");
}

#[tokio::test]
async fn changes_through_one_instance_reach_the_others_memory_within_a_second() {
    let Some(app) = spawn_with(Db::Postgres, WebConfig::default()).await else {
        eprintln!("skipped: FARMGATE_TEST_POSTGRES_URL is not set");
        return;
    };
    let (other, _stop) = app.second_instance(WebConfig::default()).await;
    changes_reach(&app, &other).await;
    app.stop().await;
}

#[tokio::test]
async fn one_instance_forgets_at_once() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let base = app.base.clone();
    changes_reach(&app, &base).await;
    app.stop().await;
}
