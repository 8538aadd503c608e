//! A household's income through the real server: Korla's centre registers a family and links
//! its Saibag shop; a bag sold and collected shows in the month's income; stall takings entered
//! by hand count (bad input refused beside its field); a dividend pool paid adds the family's
//! part; the household list orders by progress; an account joins a member only when staff tick
//! that they saw the person (audited). Korla's official reads the income but enters nothing;
//! a trainer of the county sees the identity number masked; Tekes's centre does not find it.

use serde_json::{Value, json};

use crate::support::{self, App, Db};

fn bare(page: String) -> String {
    page.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "")
}

/// A bag of Korla pears at ¥38 in `shop`, 20 in stock: its variant.
pub(crate) async fn pears(app: &App, owner: &str, shop: i64) -> i64 {
    let product: Value = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/shops/{shop}/products")))
        .bearer_auth(owner)
        .json(&json!({
            "texts": {"zh-CN": {"name": "库尔勒香梨"}},
            "category": "nuts",
            "origin": "korla-saibag",
            "variants": [{"unit": "bag", "net_grams": 1000, "price_fen": 3800, "stock": 20}]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    product["variants"][0]["id"].as_i64().unwrap()
}

/// Two bags bought for cash at Tekes' centre, packed, shipped and collected.
pub(crate) async fn sold(app: &App, owner: &str, variant: i64) {
    let client = reqwest::Client::new();
    let buyer = app.token("buyer").await;
    let placed: Value = client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&buyer)
        .header("idempotency-key", "household-sale-0001")
        .json(&json!({"items": [{"variant_id": variant, "quantity": 2}], "delivery": {"kind": "pickup", "station": "1"}, "payment": "cash"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let order = placed["orders"][0]["id"].as_i64().unwrap();
    for step in [
        json!({"event": "pack", "packed_grams": 2000}),
        json!({"event": "ship", "note": "自送"}),
    ] {
        let moved = client
            .post(app.url(&format!("/api/v1/orders/{order}/events")))
            .bearer_auth(owner)
            .json(&step)
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), 200, "{step}");
    }
    app.collect_at_station(order).await;
}

async fn registered(app: &App, centre: &reqwest::Client) -> i64 {
    let list = "/centre/households";
    let done = app
        .submit(
            centre,
            list,
            list,
            &[
                ("head_name", "吐尔洪·艾买提"),
                ("id_number", "652801198001011238"),
                ("village", "korla-saibag"),
                ("registered_year", "2016"),
            ],
        )
        .await;
    assert_eq!(done.status().as_u16(), 303);
    let at = done.headers()["location"].to_str().unwrap();
    at.trim_start_matches("/centre/households/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn a_households_income_rises_with_a_sale(app: App) {
    let store = &app.db.store;
    let (owner, shop) = app.open_shop("saibag-stall", "korla-saibag").await;
    let variant = pears(&app, &owner, shop).await;
    let centre = app.logged_in("korla-centre").await;
    let household = registered(&app, &centre).await;
    let page = format!("/centre/households/{household}");
    let linked = app
        .submit(
            &centre,
            &page,
            &format!("{page}/links"),
            &[("target", &format!("shop:{shop}")), ("share", "100")],
        )
        .await;
    assert_eq!(linked.status().as_u16(), 303);
    let income = format!("{page}/income");
    let html = bare(support::text(&centre, app.url(&income)).await);
    assert!(html.contains("近 12 个月共 ¥0.00"), "nothing yet");

    sold(&app, &owner, variant).await;
    let html = bare(support::text(&centre, app.url(&income)).await);
    assert!(html.contains("近 12 个月共 ¥76.00"), "the sale counts");
    assert!(html.contains("网店 ¥76.00"), "as the shop's");
    assert!(html.contains("<svg"), "the chart is drawn");

    let bad = app
        .submit(
            &centre,
            &income,
            &income,
            &[
                ("month", "2026-13"),
                ("source", "stall"),
                ("amount", "abc"),
                ("note", "摊位"),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    assert!(bad.text().await.unwrap().contains("month-error"));
    let month = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m")
        .to_string();
    let typed_sales = app
        .submit(
            &centre,
            &income,
            &income,
            &[
                ("month", &month),
                ("source", "shop"),
                ("amount", "9"),
                ("note", "x"),
            ],
        )
        .await;
    assert_eq!(typed_sales.status().as_u16(), 422, "sales are not typed in");
    let stall = app
        .submit(
            &centre,
            &income,
            &income,
            &[
                ("month", &month),
                ("source", "stall"),
                ("amount", "200"),
                ("note", "赛巴格摊位一天"),
            ],
        )
        .await;
    assert_eq!(stall.status().as_u16(), 303);
    let html = bare(support::text(&centre, app.url(&income)).await);
    assert!(html.contains("摊位 ¥200.00") && html.contains("¥276.00"));

    // A dividend of ¥500 paid to the one household it names.
    let pools = "/centre/households/dividends";
    let made = app
        .submit(
            &centre,
            pools,
            pools,
            &[
                ("county", "korla"),
                ("name", "大棚分红"),
                ("month", &month),
                ("amount", "500"),
                ("rule", "equal"),
            ],
        )
        .await;
    assert_eq!(made.status().as_u16(), 303);
    let pool_page = made.headers()["location"].to_str().unwrap().to_owned();
    let pool_path = pool_page.split('?').next().unwrap().to_owned();
    let named = app
        .submit(
            &centre,
            &pool_page,
            &format!("{pool_path}/shares"),
            &[
                ("county", "korla"),
                ("household", &household.to_string()),
                ("work_days", "12"),
            ],
        )
        .await;
    assert_eq!(named.status().as_u16(), 303);
    let paid = app
        .submit(
            &centre,
            &pool_page,
            &format!("{pool_path}/pay"),
            &[("county", "korla")],
        )
        .await;
    assert_eq!(paid.status().as_u16(), 303);
    let again = app
        .submit(
            &centre,
            &pool_page,
            &format!("{pool_path}/pay"),
            &[("county", "korla")],
        )
        .await;
    assert_eq!(again.status().as_u16(), 409, "paid once");
    let html = bare(support::text(&centre, app.url(&income)).await);
    assert!(html.contains("分红 ¥500.00") && html.contains("¥776.00"));

    // By progress: the household and its standing against the line.
    let korla = store.region_by_code("korla").await.unwrap();
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    app.submit(
        &centre,
        "/centre/households/lines",
        "/centre/households/lines",
        &[("year", &this_year.to_string()), ("per_person", "4600")],
    )
    .await;
    let html = bare(support::text(&centre, app.url("/centre/households?sort=progress")).await);
    assert!(
        html.contains("近 12 个月人均 ¥776.00，贫困线 ¥4600.00（16%）"),
        "{html}"
    );

    // An account joins a member only when staff saw the person.
    let head = store.household(household).await.unwrap().unwrap().members[0].id;
    let link = format!("{page}/members/{head}/account");
    let unseen = app
        .submit(&centre, &page, &link, &[("login", "buyer")])
        .await;
    assert_eq!(unseen.status().as_u16(), 422);
    let seen = app
        .submit(
            &centre,
            &page,
            &link,
            &[("login", "buyer"), ("seen_in_person", "yes")],
        )
        .await;
    assert_eq!(seen.status().as_u16(), 303);
    let log = store.audit_within(&korla.path, None, 20).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "household-account-linked" && e.subject_id == head)
    );

    // Korla's official reads and enters nothing; a trainer sees the number masked.
    let official = app.logged_in("korla-official").await;
    let html = bare(support::text(&official, app.url(&income)).await);
    assert!(html.contains("¥776.00") && !html.contains(&format!("action=\"{income}\"")));
    let token = support::csrf_of(&html);
    let status = official
        .post(app.url(&income))
        .form(&[
            ("_csrf", token.as_str()),
            ("month", month.as_str()),
            ("source", "stall"),
            ("amount", "1"),
            ("note", "x"),
        ])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 403);
    let trainer = app.logged_in("korla-trainer").await;
    let html = support::text(&trainer, app.url(&page)).await;
    assert!(html.contains("6528**********1238") && !html.contains("652801198001011238"));
    let tekes = app.logged_in("tekes-centre").await;
    let status = tekes.get(app.url(&income)).send().await.unwrap().status();
    assert_eq!(status.as_u16(), 404);
    let status = tekes
        .get(app.url(&pool_page))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_client_error());
    app.stop().await;
}

#[tokio::test]
async fn a_households_income_rises_with_a_sale_on_sqlite() {
    a_households_income_rises_with_a_sale(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_households_income_rises_with_a_sale_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_households_income_rises_with_a_sale(app).await;
}

/// A shop application names the household it would support: Korla's centre picks the family
/// from the village's register (a number not on it is refused in words; Tekes's centre does not
/// reach the application); approving the shop links it to the family whole.
async fn a_shop_opened_for_a_household_earns_for_it(app: App) {
    let centre = app.logged_in("korla-centre").await;
    let household = registered(&app, &centre).await;
    let client = reqwest::Client::new();
    client
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"display_name": "Grower", "login": "saibag-family", "password": "walnuts-of-huixian"}))
        .send()
        .await
        .unwrap();
    let token: Value = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "saibag-family", "password": "walnuts-of-huixian"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let application: Value = client
        .post(app.url("/api/v1/shop-applications"))
        .bearer_auth(token["token"].as_str().unwrap())
        .json(&json!({"name": "赛巴格吐尔洪家香梨", "kind": "farmer", "village": "korla-saibag", "phone": "13911113333"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = application["id"].as_i64().unwrap();
    let queue = "/centre/shop-applications";
    let page = support::text(&centre, app.url(queue)).await;
    assert!(
        page.contains(&format!("<option value=\"{household}\">")),
        "the village's household is offered"
    );
    let action = format!("/centre/shop-applications/{id}/household");
    let wrong = app
        .submit(&centre, queue, &action, &[("household", "987654")])
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("找不到这户建档农户"));
    let tekes = app.logged_in("tekes-centre").await;
    let far = app
        .submit(
            &tekes,
            "/centre",
            &action,
            &[("household", &household.to_string())],
        )
        .await;
    assert_eq!(far.status(), 404, "not Tekes's application");
    let named = app
        .submit(
            &centre,
            queue,
            &action,
            &[("household", &household.to_string())],
        )
        .await;
    assert_eq!(named.status().as_u16(), 303);
    let page = support::text(&centre, app.url(queue)).await;
    assert!(page.contains(&format!("<option value=\"{household}\" selected>")));
    let approved = app
        .submit(
            &centre,
            queue,
            &format!("/centre/shop-applications/{id}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(approved.status().as_u16(), 303);
    let shop = app
        .db
        .store
        .shop_application(id)
        .await
        .unwrap()
        .shop_id
        .unwrap();
    let family = app.db.store.household(household).await.unwrap().unwrap();
    assert!(
        family
            .links
            .iter()
            .any(|l| l.target_id == shop && l.share_percent == 100),
        "the shop earns for the family, whole"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_shop_opened_for_a_household_earns_for_it_on_sqlite() {
    a_shop_opened_for_a_household_earns_for_it(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_shop_opened_for_a_household_earns_for_it_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_shop_opened_for_a_household_earns_for_it(app).await;
}
