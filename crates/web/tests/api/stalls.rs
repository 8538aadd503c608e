//! The centre's stalls and park (issue 19): a stall added (a wrong code told by field), booked
//! for a household of the register (free), the same days refused to another, a day's takings
//! recorded in a tap and shown in the household's income; the waiting list moving up over the
//! API; a park unit leased rent-free; another county's staff reach nothing, a buyer is refused.

use chrono::Utc;
use farmgate_domain::households::{IdNumber, Relation};
use farmgate_domain::stations::till::LedgerDay;
use farmgate_store::households::{HouseholdDetails, IdVault, NewMember};
use serde_json::{Value, json};

use crate::support;

const STALL: [(&str, &str); 10] = [
    ("hall", "恰尔巴格乡电商运营中心一楼"),
    ("row", "1"),
    ("column", "1"),
    ("size_m2", "6"),
    ("water", "on"),
    ("power", "on"),
    ("heating", "on"),
    ("day_rate", "20"),
    ("month_rate", "300"),
    ("season_rate", "800"),
];

async fn household(app: &support::App, head: &str) -> i64 {
    let store = &app.db.store;
    let korla = store.region_by_code("korla").await.unwrap();
    let saibag = store.region_by_code("korla-saibag").await.unwrap();
    let vault = IdVault::new(&[9u8; 32]).unwrap();
    let details = HouseholdDetails {
        village_id: saibag.id,
        registered_year: 2014,
        lifted_year: None,
        note: String::new(),
    };
    let member = NewMember {
        name: head.into(),
        relation: Relation::Head,
        id_number: IdNumber::parse("652801198001011238").unwrap(),
        phone: None,
    };
    store
        .register_household(&vault, (korla.id, &details), &[member], (1, Utc::now()))
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn a_stall_is_booked_for_a_household_and_its_takings_reach_its_income() {
    let app = support::spawn_app().await;
    let centre = app.centre_staff("korla-floor", "korla").await;
    let store = &app.db.store;
    let town = store.region_by_code("korla-qiaerbag").await.unwrap();
    let town_id = town.id.to_string();
    let mut fields: Vec<(&str, &str)> = STALL.to_vec();
    fields.push(("region_id", &town_id));
    fields.push(("code", "A 01"));
    let wrong = app
        .submit(&centre, "/centre/stalls", "/centre/stalls", &fields)
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("摊位号只能用字母"));
    fields.pop();
    fields.push(("code", "A-01"));
    let added = app
        .submit(&centre, "/centre/stalls", "/centre/stalls", &fields)
        .await;
    assert_eq!(added.status(), 303);
    let korla = store.region_by_code("korla").await.unwrap();
    let stalls = store.stalls(korla.id, true).await.unwrap();
    assert_eq!(stalls.len(), 1, "the refused form added nothing");
    let stall = stalls[0].id;

    let family = household(&app, "吐尔逊·买买提").await;
    let today = LedgerDay::of(Utc::now()).to_string();
    let page = format!("/centre/stalls/{stall}");
    let book = format!("/centre/stalls/{stall}/bookings");
    let family_id = family.to_string();
    let booked = app
        .submit(
            &centre,
            &page,
            &book,
            &[
                ("household_id", &family_id),
                ("term", "season"),
                ("starts_on", &today),
            ],
        )
        .await;
    assert_eq!(booked.status(), 303);
    let to = booked.headers()["location"].to_str().unwrap().to_owned();
    let booking: i64 = to
        .trim_start_matches("/centre/stalls/bookings/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let shown = support::text(&centre, app.url(&to)).await;
    assert!(
        shown.contains("吐尔逊·买买提") && shown.contains("¥0.00"),
        "free for the household"
    );
    let taken = app
        .submit(
            &centre,
            &page,
            &book,
            &[
                ("holder_name", "张桂芳"),
                ("term", "day"),
                ("starts_on", &today),
            ],
        )
        .await;
    assert_eq!(taken.status(), 422);
    assert!(taken.text().await.unwrap().contains("已有人订了这个摊位"));

    let takings = format!("/centre/stalls/bookings/{booking}/takings");
    let recorded = app
        .submit(&centre, &to, &takings, &[("day", &today), ("quick", "200")])
        .await;
    assert_eq!(recorded.status(), 303);
    let income = support::text(
        &centre,
        app.url(&format!("/centre/households/{family}/income")),
    )
    .await;
    assert!(support::strip(&income).contains("摊位 ¥200.00"), "{income}");

    // Another county's staff find nothing; a buyer is refused.
    let tekes = app.centre_staff("tekes-floor", "tekes").await;
    let hidden = tekes.get(app.url(&page)).send().await.unwrap();
    assert_eq!(hidden.status(), 404);
    let buyer = app.logged_in("buyer").await;
    let refused = buyer.get(app.url("/centre/stalls")).send().await.unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_api_books_waits_moves_up_and_leases_the_park() {
    let app = support::spawn_app().await;
    app.centre_staff("korla-api", "korla").await;
    let token = app.token("korla-api").await;
    let store = &app.db.store;
    let town = store.region_by_code("korla-qiaerbag").await.unwrap();
    let api = reqwest::Client::new();
    let send = |method: reqwest::Method, path: String, token: String, body: Value| {
        api.request(method, app.url(&path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let post = reqwest::Method::POST;
    let stall: Value = send(
        post.clone(),
        "/api/v1/centre/stalls".into(),
        token.clone(),
        json!({"region_id": town.id, "hall": "一楼", "code": "B-02", "row": 2, "column": 2,
               "size_m2": 6, "day_rate_fen": 2000}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = stall["id"].as_i64().unwrap();
    let tomorrow = LedgerDay::of(Utc::now()).next().to_string();
    let day = json!({"holder_name": "王秀珍", "term": "day", "starts_on": tomorrow});
    let path = format!("/api/v1/centre/stalls/{id}/bookings");
    let first = send(post.clone(), path.clone(), token.clone(), day.clone())
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["rent_fen"], 2000);
    let taken = send(post.clone(), path.clone(), token.clone(), day.clone())
        .await
        .unwrap();
    assert_eq!(taken.status(), 422);
    let problem: Value = taken.json().await.unwrap();
    assert_eq!(problem["error"]["code"], "stall-taken");
    let wait = json!({"holder_name": "刘德明", "term": "day", "starts_on": tomorrow});
    let waiting = send(
        post.clone(),
        "/api/v1/centre/stall-waits".into(),
        token.clone(),
        wait,
    )
    .await
    .unwrap();
    assert_eq!(waiting.status(), 201);
    let cancel = format!("/api/v1/centre/stall-bookings/{}/cancel", first["id"]);
    let cancelled: Value = send(post.clone(), cancel, token.clone(), json!({}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        cancelled["moved_up"]["holder_name"], "刘德明",
        "{cancelled}"
    );

    // Zezhou's centre leases a park unit, rent-free for a year; the same days again are refused.
    app.centre_staff("zezhou-park", "zezhou").await;
    let zezhou = app.token("zezhou-park").await;
    let baofu = store.region_by_code("zezhou-baofu").await.unwrap();
    let unit: Value = send(
        post.clone(),
        "/api/v1/centre/park/units".into(),
        zezhou.clone(),
        json!({"region_id": baofu.id, "code": "A101", "name": "古院东厢 1 号直播间",
               "size_m2": 60, "monthly_rent_fen": 300000}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let lease = json!({"tenant_name": "北街周家农家小米", "starts_on": LedgerDay::of(Utc::now()).to_string(),
                       "free_months": 12, "monthly_rent_fen": 300000});
    let leases = format!("/api/v1/centre/park/units/{}/leases", unit["id"]);
    let kept = send(post.clone(), leases.clone(), zezhou.clone(), lease.clone())
        .await
        .unwrap();
    assert_eq!(kept.status(), 201);
    let twice = send(post.clone(), leases.clone(), zezhou.clone(), lease)
        .await
        .unwrap();
    assert_eq!(twice.status(), 422);
    let sales = api
        .get(app.url("/api/v1/centre/park/sales"))
        .bearer_auth(&zezhou)
        .send()
        .await
        .unwrap();
    assert_eq!(sales.status(), 200);
    // Korla's centre sees none of Zezhou's park.
    let elsewhere = send(
        post,
        leases,
        token,
        json!({"tenant_name": "x", "starts_on": tomorrow,
        "free_months": 0, "monthly_rent_fen": 0}),
    )
    .await
    .unwrap();
    assert_eq!(elsewhere.status(), 404);
    let buyer = app.token("buyer").await;
    let refused = api
        .get(app.url("/api/v1/centre/stalls"))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}
