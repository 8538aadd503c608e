//! The role-and-region matrix: every protected route refuses a role outside its region.

use crate::support;

use farmgate_web::WebConfig;
use serde_json::json;
use support::{Db, spawn_with};

/// The matrix signs in dozens of times from one address: lift the login limits for it.
async fn spawn_app() -> support::App {
    let config = WebConfig {
        login_per_ip_per_minute: 1000,
        login_per_account_per_minute: 1000,
        ..WebConfig::default()
    };
    spawn_with(Db::Sqlite, config).await.unwrap()
}

/// (login, region, may list people there)
const PEOPLE_MATRIX: &[(&str, &str, bool)] = &[
    ("admin", "tekes", true),
    ("admin", "zezhou-gaodu", true),
    ("tekes-centre", "tekes", true),
    ("tekes-centre", "tekes-karadala", true),
    ("tekes-centre", "kuqa", false),
    ("tekes-centre", "ili", false),
    ("tekes-official", "tekes", true),
    ("tekes-official", "jinghe", false),
    ("kuqa-centre", "kuqa", true),
    ("kuqa-centre", "tekes", false),
    ("jinghe-seller", "jinghe", false),
    ("huixian-host", "huixian", false),
    ("saibag-station", "korla-saibag", false),
    ("gaodu-courier", "zezhou-gaodu", false),
    ("buyer", "tekes", false),
];

#[tokio::test]
async fn people_lists_follow_role_and_region() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for (login, region, allowed) in PEOPLE_MATRIX {
        let token = app.token(login).await;
        let api = client
            .get(app.url(&format!("/api/v1/regions/{region}/people")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let expected = if *allowed { 200 } else { 403 };
        assert_eq!(api.status().as_u16(), expected, "API: {login} at {region}");

        let browser = app.logged_in(login).await;
        let page = browser
            .get(app.url(&format!("/people?region={region}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status().as_u16(),
            expected,
            "page: {login} at {region}"
        );
    }
    let anonymous = client
        .get(app.url("/api/v1/regions/tekes/people"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let anonymous_page = app
        .browser()
        .get(app.url("/people?region=tekes"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        anonymous_page.status(),
        303,
        "a signed-out visitor is sent to log in"
    );
    app.stop().await;
}

#[tokio::test]
async fn granting_follows_role_and_region() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    // (granter, region, role, expected status)
    let matrix: &[(&str, &str, &str, u16)] = &[
        ("tekes-centre", "tekes-karadala", "seller", 201),
        ("tekes-centre", "tekes", "trainer", 201),
        ("tekes-centre", "kuqa", "seller", 403),
        ("tekes-centre", "tekes", "admin", 403),
        ("tekes-centre", "tekes", "centre_staff", 403),
        ("tekes-official", "tekes", "seller", 403),
        ("jinghe-seller", "jinghe-tuoli", "seller", 403),
        ("admin", "kuqa", "official", 201),
        ("kuqa-centre", "kuqa-wuqia", "station_operator", 201),
        ("kuqa-centre", "korla", "station_operator", 403),
    ];
    for (granter, region, role, expected) in matrix {
        let token = app.token(granter).await;
        let response = client
            .post(app.url(&format!("/api/v1/regions/{region}/grants")))
            .bearer_auth(&token)
            .json(&json!({"login": "buyer", "role": role}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            *expected,
            "{granter} grants {role} at {region}"
        );
    }
    // The buyer now holds what was granted, and only that.
    let buyer = app.token("buyer").await;
    let me: serde_json::Value = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut held: Vec<String> = me["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{}@{}",
                g["role"].as_str().unwrap(),
                g["region_code"].as_str().unwrap()
            )
        })
        .collect();
    held.sort();
    assert_eq!(
        held,
        [
            "buyer@cn",
            "official@kuqa",
            "seller@tekes-karadala",
            "station_operator@kuqa-wuqia",
            "trainer@tekes"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn phone_numbers_are_masked_for_those_who_need_not_see_them() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    client
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"display_name": "Guo", "login": "13912345678", "password": "lavender-oil"}))
        .send()
        .await
        .unwrap();
    let staff = app.token("tekes-centre").await;
    client
        .post(app.url("/api/v1/regions/tekes-bayi/grants"))
        .bearer_auth(&staff)
        .json(&json!({"login": "13912345678", "role": "seller"}))
        .send()
        .await
        .unwrap();
    let phone_seen_by = |token: String| {
        let request = client
            .get(app.url("/api/v1/regions/tekes/people"))
            .bearer_auth(token)
            .send();
        async move {
            let people: serde_json::Value = request.await.unwrap().json().await.unwrap();
            people
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["role"] == "seller")
                .unwrap()["phone"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(phone_seen_by(staff.clone()).await, "13912345678");
    assert_eq!(
        phone_seen_by(app.token("tekes-official").await).await,
        "139****5678"
    );
    let browser = app.logged_in("tekes-official").await;
    let page = browser
        .get(app.url("/people?region=tekes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("139****5678") && !page.contains("13912345678"));
    app.stop().await;
}

/// Staff changing other people's data leaves an entry (who, what, when, from where) that the
/// administrator reads and exports, and that nobody else reads.
#[tokio::test]
async fn staff_actions_are_written_to_the_audit_log() {
    let config = WebConfig {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let client = reqwest::Client::new();
    client
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"display_name": "Grower", "login": "tekes-grower", "password": "apricots-of-tekes"}))
        .send()
        .await
        .unwrap();
    let grower: serde_json::Value = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "tekes-grower", "password": "apricots-of-tekes"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let application: serde_json::Value = client
        .post(app.url("/api/v1/shop-applications"))
        .bearer_auth(grower["token"].as_str().unwrap())
        .json(&json!({"name": "琼库什台杏干", "kind": "cooperative", "village": "tekes-qiongkushitai", "phone": "13911113333"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let centre = app.token("tekes-centre").await;
    let decided = client
        .post(app.url(&format!(
            "/api/v1/shop-applications/{}/decision",
            application["id"]
        )))
        .bearer_auth(&centre)
        .header("x-forwarded-for", "198.51.100.23")
        .json(&json!({"decision": "reject", "reason": "请补充村委会证明"}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), 200);
    let admin_token = app.token("admin").await;
    let granted = client
        .post(app.url("/api/v1/regions/tekes/grants"))
        .bearer_auth(&admin_token)
        .header("x-forwarded-for", "203.0.113.99")
        .json(&json!({"role": "trainer", "login": "tekes-grower"}))
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), 201);

    let admin = app.logged_in("admin").await;
    let log = support::text(&admin, app.url("/centre/audit")).await;
    assert!(
        log.contains("驳回开店申请") && log.contains("请补充村委会证明"),
        "{log}"
    );
    assert!(log.contains("198.51.100.23") && log.contains("203.0.113.99"));
    assert!(log.contains("授予角色") && log.contains("trainer @ tekes"));
    // The centre's own staff do not read the log.
    let staff = app.logged_in("tekes-centre").await;
    let refused = staff.get(app.url("/centre/audit")).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    // The export: a header and the two entries.
    let export = admin
        .get(app.url("/centre/audit.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let bytes = export.bytes().await.unwrap();
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height(), 3);
    let text: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(text.iter().any(|c| c == "198.51.100.23"), "{text:?}");
    app.stop().await;
}
