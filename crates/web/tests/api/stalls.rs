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

/// The stall-holder's own page: nothing before the centre links her, then she lands on it,
/// records today's takings in one tap (the household's income shows them), an old day is
/// refused in words, and nobody else records on her stall.
#[tokio::test]
async fn a_stall_holder_records_the_days_takings_herself() {
    use farmgate_domain::centre::stalls::{StallRates, StallServices, StallTerm};
    use farmgate_domain::money::Fen;
    use farmgate_store::centre::{Holder, NewBooking, StallDetails};
    let today = LedgerDay::of(Utc::now()).to_string();

    let app = support::spawn_app().await;
    let centre = app.centre_staff("korla-floor", "korla").await;
    let store = &app.db.store;
    let korla = store.region_by_code("korla").await.unwrap();
    let town = store.region_by_code("korla-qiaerbag").await.unwrap();
    let now = Utc::now();
    let details = StallDetails {
        region_id: town.id,
        hall: "恰尔巴格乡电商运营中心一楼".into(),
        code: "B-07".into(),
        row: 2,
        column: 7,
        size_m2: 6,
        services: StallServices {
            water: true,
            power: true,
            heating: true,
        },
        rates: StallRates {
            day: Fen(2_000),
            month: Fen(30_000),
            season: Fen(80_000),
        },
        active: true,
    };
    let stall = store.add_stall(korla.id, &details, now).await.unwrap();
    let family = household(&app, "吐尔逊·买买提").await;
    let booking = NewBooking {
        holder: Holder {
            household_id: Some(family),
            name: String::new(),
            phone: None,
        },
        term: StallTerm::Month,
        starts_on: LedgerDay::of(now),
    };
    let held = store
        .book_stall((korla.id, stall.id), &booking, (1, now))
        .await
        .unwrap();

    let wife = app.logged_in("saibag-stallholder").await;
    let empty = support::text(&wife, app.url("/stalls/mine")).await;
    assert!(empty.contains("你现在没有摊位"), "{empty}");
    let takings = format!("/stalls/mine/{}/takings", held.id);
    let refused = app
        .submit(
            &wife,
            "/stalls/mine",
            &takings,
            &[("day", &today), ("quick", "200")],
        )
        .await;
    assert_eq!(refused.status(), 404, "not hers until the centre links her");

    // The centre links her to the household's head in person.
    let account = store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("saibag-stallholder").unwrap())
        .await
        .unwrap()
        .unwrap();
    let head = store.household(family).await.unwrap().unwrap().members[0].id;
    store
        .set_member_account((korla.id, family), head, Some(account.id))
        .await
        .unwrap();
    let browser = app.browser();
    let form = support::text(&browser, app.url("/login")).await;
    let landed = browser
        .post(app.url("/login"))
        .form(&[
            ("_csrf", support::csrf_of(&form).as_str()),
            ("login", "saibag-stallholder"),
            ("password", farmgate_store::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        landed.headers()["location"],
        "/stalls/mine",
        "she lands on her stall"
    );
    let page = support::text(&browser, app.url("/stalls/mine")).await;
    assert!(
        page.contains("B-07") && page.contains("今天卖了多少钱"),
        "{page}"
    );

    let tapped = app
        .submit(
            &browser,
            "/stalls/mine",
            &takings,
            &[("day", &today), ("quick", "200")],
        )
        .await;
    assert_eq!(tapped.status(), 303);
    let after = support::text(&browser, app.url("/stalls/mine?saved=takings")).await;
    assert!(
        support::strip(&after).contains("今天已记：¥200.00"),
        "{after}"
    );
    let old = (0..10)
        .fold(LedgerDay::of(now), |d, _| d.previous())
        .to_string();
    let too_old = app
        .submit(
            &browser,
            "/stalls/mine",
            &takings,
            &[("day", &old), ("amount", "150")],
        )
        .await;
    assert_eq!(too_old.status(), 422);
    assert!(too_old.text().await.unwrap().contains("只能记今天和前六天"));

    let income = support::text(
        &centre,
        app.url(&format!("/centre/households/{family}/income")),
    )
    .await;
    assert!(support::strip(&income).contains("摊位 ¥200.00"), "{income}");
    let buyer = app.logged_in("buyer").await;
    let not_theirs = app
        .submit(
            &buyer,
            "/stalls/mine",
            &takings,
            &[("day", &today), ("quick", "100")],
        )
        .await;
    assert_eq!(not_theirs.status(), 404);
}

/// A park tenant past its free start: the centre's page shows what it owes, a month received
/// in cash on the lease page, a transfer without its number refused in words, the API lists
/// the months and refuses a month twice; the tenant's own seller console reads its lease.
#[tokio::test]
async fn a_park_tenants_rent_is_received_and_its_shop_sees_it() {
    use farmgate_domain::money::Fen;
    use farmgate_store::centre::{LeaseDetails, UnitDetails};

    let app = support::spawn_app().await;
    let centre = app.centre_staff("zezhou-park", "zezhou").await;
    let token = app.token("zezhou-park").await;
    let (_, shop) = app.open_shop("beijie-grower", "zezhou-beijie").await;
    let store = &app.db.store;
    let zezhou = store.region_by_code("zezhou").await.unwrap();
    let baofu = store.region_by_code("zezhou-baofu").await.unwrap();
    let now = Utc::now();
    let unit = store
        .save_park_unit(
            (zezhou.id, None),
            &UnitDetails {
                region_id: baofu.id,
                code: "A103".into(),
                name: "古院东厢 3 号直播间".into(),
                size_m2: 30,
                monthly_rent: Fen(150_000),
                active: true,
            },
            now,
        )
        .await
        .unwrap();
    let this_month = farmgate_domain::stations::till::LedgerMonth::of(LedgerDay::of(now));
    let lease = store
        .add_lease(
            (zezhou.id, unit.id),
            &LeaseDetails {
                tenant_name: "北街村小米网店".into(),
                shop_id: Some(shop),
                moved_from_id: None,
                starts_on: this_month.previous().previous().first,
                free_months: 1,
                monthly_rent: Fen(150_000),
            },
            (1, now),
        )
        .await
        .unwrap();
    let park = support::strip(&support::text(&centre, app.url("/centre/park")).await);
    assert!(park.contains("欠租 2 个月，共 ¥3000.00"), "{park}");

    let page = format!("/centre/park/leases/{}", lease.id);
    let rents = format!("{page}/rents");
    let previous = this_month.previous().to_string();
    let no_number = app
        .submit(
            &centre,
            &page,
            &rents,
            &[
                ("month", &previous),
                ("method", "transfer"),
                ("reference", ""),
            ],
        )
        .await;
    assert_eq!(no_number.status(), 422);
    assert!(
        no_number
            .text()
            .await
            .unwrap()
            .contains("银行转账请写流水号")
    );
    let cash = app
        .submit(
            &centre,
            &page,
            &rents,
            &[("month", &previous), ("method", "cash"), ("reference", "")],
        )
        .await;
    assert_eq!(cash.status(), 303);
    let shown = support::strip(&support::text(&centre, app.url(&page)).await);
    assert!(shown.contains("欠租 1 个月，共 ¥1500.00"), "{shown}");

    let api = reqwest::Client::new();
    let listed: Value = api
        .get(app.url(&format!("/api/v1/centre/park/leases/{}/rents", lease.id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["owed_months"], 1);
    assert_eq!(listed["months"][1]["paid"]["method"], "cash");
    let again = api
        .post(app.url(&format!("/api/v1/centre/park/leases/{}/rents", lease.id)))
        .bearer_auth(&token)
        .json(&json!({"month": previous, "method": "cash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);

    let seller = app
        .logged_in_with("beijie-grower", "walnuts-of-huixian")
        .await;
    let console = support::strip(&support::text(&seller, app.url("/seller")).await);
    assert!(
        console.contains("你在产业园的 A103 古院东厢 3 号直播间")
            && console.contains("欠租 1 个月"),
        "{console}"
    );
    let refused = seller.get(app.url(&page)).send().await.unwrap();
    assert_eq!(
        refused.status(),
        403,
        "the tenant does not keep the park's books"
    );
}
