//! Opening a shop: a villager applies, the county centre reviews, the shop opens.

use crate::support;

use serde_json::{Value, json};
use support::spawn_app;

async fn register_and_token(app: &support::App, login: &str) -> String {
    let client = reqwest::Client::new();
    let accepted = client
        .post(app.url("/api/v1/accounts"))
        .json(
            &json!({"display_name": "Villager", "login": login, "password": "apricots-in-the-sun"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let token: Value = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": login, "password": "apricots-in-the-sun"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["token"].as_str().unwrap().to_owned()
}

fn application(village: &str) -> Value {
    json!({"name": "琼库什台杏干", "kind": "farmer", "village": village, "phone": "139 1234 5678", "story": "山里晒的杏干"})
}

#[tokio::test]
async fn a_villager_applies_by_form_and_the_centre_approves_by_form() {
    let app = spawn_app().await;
    let villager = app.browser();
    let registered = app
        .submit(
            &villager,
            "/register",
            "/register",
            &[
                ("display_name", "阿依古丽"),
                ("login", "13900001234"),
                ("password", "apricots-in-the-sun"),
            ],
        )
        .await;
    assert_eq!(registered.status(), 303);
    let logged_in = app
        .submit(
            &villager,
            "/login",
            "/login",
            &[
                ("login", "13900001234"),
                ("password", "apricots-in-the-sun"),
            ],
        )
        .await;
    assert_eq!(logged_in.status(), 303);
    let form = villager
        .get(app.url("/shops/apply"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("value=\"13900001234\""),
        "the phone is prefilled from the account"
    );
    assert!(
        form.contains("特克斯县 · 喀拉达拉镇 · 琼库什台村"),
        "villages are named with county and township"
    );
    let sent = app
        .submit(
            &villager,
            "/shops/apply",
            "/shops/apply",
            &[
                ("name", "琼库什台杏干"),
                ("kind", "farmer"),
                ("village", "tekes-qiongkushitai"),
                ("phone", "13900001234"),
                ("story", "山里晒的杏干"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    assert_eq!(sent.headers()["location"], "/shops/apply?sent=1");
    let mine = villager
        .get(app.url("/shops/apply?sent=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("申请已提交") && mine.contains("审核中"));
    assert!(
        mine.contains("接下来会怎样") && !mine.contains("action=\"/shops/apply\""),
        "the sent page says what happens next instead of the form again"
    );
    // A second tap is refused with a message, and no second application is filed.
    let again = villager
        .post(app.url("/shops/apply"))
        .form(&[
            ("_csrf", support::csrf_of(&mine).as_str()),
            ("name", "琼库什台杏干"),
            ("kind", "farmer"),
            ("village", "tekes-qiongkushitai"),
            ("phone", "13900001234"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("不用再提交"));

    let staff = app.logged_in("tekes-centre").await;
    let queue = staff
        .get(app.url("/centre/shop-applications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("琼库什台杏干") && queue.contains("山里晒的杏干"));
    assert_eq!(
        queue.matches("琼库什台杏干</h2>").count(),
        1,
        "one application"
    );
    assert!(
        queue.contains("申请人") && queue.contains("阿依古丽"),
        "the card says who applied"
    );
    let id = queue
        .split("/centre/shop-applications/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let decided = app
        .submit(
            &staff,
            "/centre/shop-applications",
            &format!("/centre/shop-applications/{id}/decision"),
            &[("decision", "approve"), ("region", "tekes")],
        )
        .await;
    assert_eq!(decided.status(), 303);
    let after = staff
        .get(app.url("/centre/shop-applications?region=tekes&done=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        after.contains("没有待审核的申请"),
        "the queue is empty after the decision"
    );

    let mine = villager
        .get(app.url("/shops/apply"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("已通过"));
    // Told of it: the notice opens the new shop's "list your first product".
    let villager_id = app
        .db
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("13900001234").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut told = Vec::new();
    for _ in 0..50 {
        told = app.db.store.notices(villager_id, None, 5).await.unwrap();
        if !told.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let opened = villager
        .get(app.url(&format!("/notices/{}", told[0].id)))
        .send()
        .await
        .unwrap();
    let to = opened.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/seller/shops/") && to.ends_with("/products/new"),
        "{to}"
    );
    let form = villager.get(app.url(&to)).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let shop_link = mine
        .split("href=\"/shops/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let shop = reqwest::get(app.url(&format!("/shops/{shop_link}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(shop.contains("琼库什台杏干") && shop.contains("琼库什台村"));
    let account = villager
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Fluent wraps each argument in bidi isolation marks (U+2068 ... U+2069).
    assert!(
        account.contains("卖家\u{2069}（\u{2068}琼库什台村"),
        "the owner is now a seller at the village"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_rejection_carries_its_reason_to_the_applicant() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let villager = register_and_token(&app, "apricot-farmer").await;
    let created = client
        .post(app.url("/api/v1/shop-applications"))
        .bearer_auth(&villager)
        .json(&application("tekes-qiongkushitai"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let staff = app.token("tekes-centre").await;
    let queue: Value = client
        .get(app.url("/api/v1/regions/tekes/shop-applications"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let rejected = client
        .post(app.url(&format!("/api/v1/shop-applications/{id}/decision")))
        .bearer_auth(&staff)
        .json(&json!({"decision": "reject", "reason": "请先参加五天电商培训营"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 200);
    let mine: Value = client
        .get(app.url("/api/v1/shop-applications"))
        .bearer_auth(&villager)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["status"], "rejected");
    assert_eq!(mine[0]["rejection_reason"], "请先参加五天电商培训营");
    let twice = client
        .post(app.url(&format!("/api/v1/shop-applications/{id}/decision")))
        .bearer_auth(&staff)
        .header("accept-language", "en")
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 409);
    let body: Value = twice.json().await.unwrap();
    assert_eq!(body["error"]["code"], "already-decided");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already been decided")
    );
    app.stop().await;
}

#[tokio::test]
async fn only_the_county_centre_reviews_its_applications() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let villager = register_and_token(&app, "apricot-farmer").await;
    let created: Value = client
        .post(app.url("/api/v1/shop-applications"))
        .bearer_auth(&villager)
        .json(&application("tekes-qiongkushitai"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    for login in ["kuqa-centre", "tekes-official", "jinghe-seller", "buyer"] {
        let token = app.token(login).await;
        let decided = client
            .post(app.url(&format!("/api/v1/shop-applications/{id}/decision")))
            .bearer_auth(&token)
            .json(&json!({"decision": "approve"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            decided.status(),
            404,
            "{login} may not decide a Tekes application"
        );
        let queue = client
            .get(app.url("/api/v1/regions/tekes/shop-applications"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(queue.status(), 403, "{login} may not read the Tekes queue");
        let browser = app.logged_in(login).await;
        let page = browser
            .get(app.url("/centre/shop-applications?region=tekes"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            403,
            "{login} may not open the Tekes queue page"
        );
    }
    assert_eq!(
        client
            .get(app.url("/api/v1/shop-applications"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        app.browser()
            .get(app.url("/shops/apply"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    let admin = app.token("admin").await;
    let approved = client
        .post(app.url(&format!("/api/v1/shop-applications/{id}/decision")))
        .bearer_auth(&admin)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200, "the national administrator may");
    let shop_id = approved.json::<Value>().await.unwrap()["shop_id"]
        .as_i64()
        .unwrap();
    let shop: Value = client
        .get(app.url(&format!("/api/v1/shops/{shop_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shop["name"], "琼库什台杏干");
    app.stop().await;
}

#[tokio::test]
async fn bad_applications_are_refused_field_by_field() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let villager = register_and_token(&app, "apricot-farmer").await;
    let cases = [
        (
            json!({"name": "x", "kind": "farmer", "village": "tekes-qiongkushitai", "phone": "13912345678"}),
            "shop-name-invalid",
            "name",
        ),
        (
            json!({"name": "杏干铺", "kind": "bank", "village": "tekes-qiongkushitai", "phone": "13912345678"}),
            "shop-kind-invalid",
            "kind",
        ),
        (
            json!({"name": "杏干铺", "kind": "farmer", "village": "tekes", "phone": "13912345678"}),
            "village-invalid",
            "village",
        ),
        (
            json!({"name": "杏干铺", "kind": "farmer", "village": "atlantis", "phone": "13912345678"}),
            "village-invalid",
            "village",
        ),
        (
            json!({"name": "杏干铺", "kind": "farmer", "village": "tekes-qiongkushitai", "phone": "12345"}),
            "phone-invalid",
            "phone",
        ),
        (
            json!({"name": "杏干铺", "kind": "farmer", "village": "tekes-qiongkushitai", "phone": "13912345678", "story": "x".repeat(2001)}),
            "text-too-long",
            "story",
        ),
    ];
    for (body, code, field) in cases {
        let response = client
            .post(app.url("/api/v1/shop-applications"))
            .bearer_auth(&villager)
            .header("accept-language", "ug")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}");
        assert_eq!(error["error"]["field"], field, "{body}");
    }
    let staff = app.token("tekes-centre").await;
    let created: Value = client
        .post(app.url("/api/v1/shop-applications"))
        .bearer_auth(&villager)
        .json(&application("tekes-qiongkushitai"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    for (body, code) in [
        (json!({"decision": "reject", "reason": " "}), "required"),
        (json!({"decision": "maybe"}), "required"),
    ] {
        let response = client
            .post(app.url(&format!("/api/v1/shop-applications/{id}/decision")))
            .bearer_auth(&staff)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"]["code"],
            code
        );
    }
    let missing = client
        .post(app.url("/api/v1/shop-applications/999999/decision"))
        .bearer_auth(&staff)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // The form shows each error beside its field, in the user's language, keeping what was typed.
    let browser = app.browser();
    browser.get(app.url("/lang/ug")).send().await.unwrap();
    let logged_in = app
        .submit(
            &browser,
            "/login",
            "/login",
            &[
                ("login", "apricot-farmer"),
                ("password", "apricots-in-the-sun"),
            ],
        )
        .await;
    assert_eq!(logged_in.status(), 303);
    let response = app
        .submit(
            &browser,
            "/shops/apply",
            "/shops/apply",
            &[
                ("name", "杏"),
                ("kind", "farmer"),
                ("village", ""),
                ("phone", "123"),
                ("story", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for id in ["name-error", "village-error", "phone-error"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(
        html.contains("بىر كەنتنى تاللاڭ"),
        "the village message is in Uyghur"
    );
    assert!(html.contains("value=\"杏\""));
    app.stop().await;
}

/// A shop named in Chinese gets a Uyghur name from its owner; each reader sees theirs.
#[tokio::test]
async fn a_shops_owner_names_it_in_other_languages_and_each_reader_sees_their_own() {
    let app = spawn_app().await;
    let (_, shop_id) = app
        .open_shop("fujia-walnuts", "huixian-fujia-village")
        .await;
    let owner = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let path = format!("/seller/shops/{shop_id}/profile");
    let form = support::text(&owner, app.url(&path)).await;
    assert!(form.contains("value=\"伏家核桃合作社\""), "{form}");
    // Mistakes are told beside their fields and nothing changes.
    let refused = app
        .submit(
            &owner,
            &path,
            &path,
            &[
                ("name", "伏家核桃合作社"),
                ("name_ug", "x"),
                ("phone", "123"),
                ("story", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"name_ug-error\"") && page.contains("id=\"phone-error\""));
    let saved = app
        .submit(
            &owner,
            &path,
            &path,
            &[
                ("name", "伏家核桃合作社"),
                ("name_ug", "فۇجيا ياڭاق كوپىراتىپى"),
                ("name_en", "Fujia Walnut Co-op"),
                ("phone", "13911113333"),
                ("story", "秦岭南麓的薄皮核桃"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let shop_page = format!("/shops/{shop_id}");
    let read_in = |language: &'static str| {
        let url = app.url(&shop_page);
        async move {
            let html = support::page_in(url, language).await;
            html.split("<h1")
                .nth(1)
                .and_then(|h| h.split("</h1>").next())
                .unwrap_or_default()
                .to_owned()
        }
    };
    assert!(read_in("ug").await.contains("فۇجيا ياڭاق كوپىراتىپى"));
    assert!(read_in("en").await.contains("Fujia Walnut Co-op"));
    assert!(read_in("zh-CN").await.contains("伏家核桃合作社"));
    // Only the shop's members may change it.
    let stranger = app.logged_in("buyer").await;
    let other = stranger.get(app.url(&path)).send().await.unwrap();
    assert_eq!(other.status(), 404);
    app.stop().await;
}
