//! Pages as a browser meets them: languages, forms, sessions, CSRF, errors.

use crate::support;

use support::{csrf_of, spawn_app};

#[tokio::test]
async fn home_shows_the_seed_counties_in_chinese_by_default() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/")).await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\" dir=\"ltr\">"));
    for county in ["特克斯县", "精河县", "库尔勒市", "库车市", "徽县", "泽州县"]
    {
        assert!(html.contains(county), "{county} missing");
    }
    assert!(html.contains("枸杞"), "what Jinghe sells is shown");
    assert!(
        html.contains("店铺和商品即将上线"),
        "an honest empty state for products"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_base_page_stays_under_30_kb() {
    let app = spawn_app().await;
    let html = reqwest::get(app.url("/"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let css = reqwest::get(app.url("/static/app.css"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let total = html.len() + css.len();
    println!(
        "base page: {} bytes HTML + {} bytes CSS = {total} bytes",
        html.len(),
        css.len()
    );
    assert!(total <= 30 * 1024, "{total} bytes");

    // The stylesheet's address carries a hash of its content, so it may be kept for a year.
    let page = String::from_utf8_lossy(&html).into_owned();
    let version = page
        .split("/static/app.css?v=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        version.len() == 16 && version.chars().all(|c| c.is_ascii_hexdigit()),
        "{version}"
    );
    let cached = reqwest::get(app.url(&format!("/static/app.css?v={version}")))
        .await
        .unwrap();
    assert!(
        cached.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    app.stop().await;
}

#[tokio::test]
async fn uyghur_is_chosen_by_switch_or_header_and_written_right_to_left() {
    let app = spawn_app().await;
    let browser = app.browser();
    let switched = browser
        .get(app.url("/lang/ug?next=/regions/tekes"))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), 303);
    assert_eq!(switched.headers()["location"], "/regions/tekes");
    let cookie = switched.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("fg_lang=ug"), "{cookie}");
    let html = browser
        .get(app.url("/regions/tekes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"ug\" dir=\"rtl\">"));
    assert!(html.contains("تېكەس ناھىيىسى"));

    let english = reqwest::Client::new()
        .get(app.url("/"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(english.contains("Tekes County"));
    app.stop().await;
}

#[tokio::test]
async fn the_language_switch_never_redirects_off_site() {
    let app = spawn_app().await;
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        // Browsers drop tabs and line breaks: these were `//evil.example`, or a 500.
        "/\t/evil.example",
        "/\n/x",
        "/\r/x",
        "/\u{7f}/x",
    ] {
        let url = app.url(&format!(
            "/lang/en?next={}",
            farmgate_web::problem::url_encode(next)
        ));
        let response = app.browser().get(url).send().await.unwrap();
        assert_eq!(response.headers()["location"], "/", "{next}");
    }
    let unknown = app.browser().get(app.url("/lang/fr")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);

    // After a correct password too; and the sign-in renews the form token.
    for next in ["/\t/evil.example", "/\n/x", "/\r/x"] {
        let browser = app.browser();
        let page = support::text(&browser, app.url("/login")).await;
        let before = csrf_of(&page);
        let response = browser
            .post(app.url("/login"))
            .form(&[
                ("_csrf", before.as_str()),
                ("login", "buyer"),
                ("password", farmgate_store::demo::DEMO_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
        let after = csrf_of(&support::text(&browser, app.url("/account")).await);
        assert_ne!(before, after, "the token is renewed at sign-in");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_villager_registers_logs_in_and_out_with_the_forms() {
    let app = spawn_app().await;
    let browser = app.browser();
    let registered = app
        .submit(
            &browser,
            "/register",
            "/register",
            &[
                ("display_name", "米热古丽"),
                ("login", "139 0999 1234"),
                ("password", "saibag-strawberries"),
            ],
        )
        .await;
    assert_eq!(registered.status(), 303);
    assert_eq!(
        registered.headers()["location"],
        "/",
        "registering signs in"
    );
    let account = support::text(&browser, app.url("/account")).await;
    assert!(account.contains("米热古丽"), "signed in: {account}");
    let out = browser
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf_of(&account).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);

    let logged_in = app
        .submit(
            &browser,
            "/login",
            "/login",
            &[
                ("login", "13909991234"),
                ("password", "saibag-strawberries"),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(logged_in.status(), 303);
    assert_eq!(logged_in.headers()["location"], "/account");
    let session_cookie = logged_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("fg_session="))
        .expect("a session cookie");
    assert!(session_cookie.contains("HttpOnly"), "{session_cookie}");
    assert!(session_cookie.contains("SameSite=Lax"), "{session_cookie}");

    let account = browser
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("米热古丽"));
    assert!(account.contains("买家"), "a new account is a buyer");

    let logout = browser
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf_of(&account).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    let after = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(after.status(), 303);
    assert_eq!(after.headers()["location"], "/login?next=%2Faccount");
    app.stop().await;
}

#[tokio::test]
async fn registering_a_taken_login_looks_exactly_like_a_new_one() {
    let app = spawn_app().await;
    let mut answers = Vec::new();
    let mut signed_in = Vec::new();
    for password in ["first-password", "second-password"] {
        let browser = app.browser();
        let response = app
            .submit(
                &browser,
                "/register",
                "/register",
                &[
                    ("display_name", "Zhang Wei"),
                    ("login", "zhang.wei"),
                    ("password", password),
                ],
            )
            .await;
        answers.push((
            response.status(),
            response.headers()["location"].to_str().unwrap().to_owned(),
        ));
        let account = browser.get(app.url("/account")).send().await.unwrap();
        signed_in.push(account.status() == 200);
    }
    assert_eq!(
        signed_in,
        vec![true, false],
        "only the new account is signed in"
    );
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].1, "/");
    // The first registration holds (and was signed in); the second changed nothing and
    // signed nobody in.
    let login = |password: &'static str| {
        let url = app.url("/api/v1/auth/login");
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({"login": "zhang.wei", "password": password}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(login("first-password").await, 200);
    assert_eq!(login("second-password").await, 401);
    app.stop().await;
}

#[tokio::test]
async fn bad_form_input_is_shown_beside_the_field_in_the_users_language() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.get(app.url("/lang/ug")).send().await.unwrap();
    let response = app
        .submit(
            &browser,
            "/register",
            "/register",
            &[
                ("display_name", ""),
                ("login", "1380000"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("dir=\"rtl\""));
    assert!(html.contains("id=\"login-error\""));
    assert!(
        html.contains("11 خانىلىق"),
        "the phone message is in Uyghur"
    );
    assert!(html.contains("id=\"password-error\""));
    assert!(html.contains("id=\"display_name-error\""));
    assert!(html.contains("value=\"1380000\""), "what was typed is kept");

    let wrong = app
        .submit(
            &browser,
            "/login",
            "/login",
            &[("login", "tekes-centre"), ("password", "not-the-password")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let unknown = app
        .submit(
            &browser,
            "/login",
            "/login",
            &[("login", "nobody-here"), ("password", "not-the-password")],
        )
        .await;
    assert_eq!(unknown.status(), 422);
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let message = "يانفون نومۇرى، كىرىش نامى ياكى پارول توغرا ئەمەس";
    assert!(
        wrong.contains(message) && unknown.contains(message),
        "one message for both: no enumeration"
    );
    app.stop().await;
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    let browser = app.browser();
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_of(&page);
    for (path, fields) in [
        (
            "/login",
            vec![("login", "tekes-centre"), ("password", "farmgate-demo")],
        ),
        (
            "/register",
            vec![
                ("display_name", "x"),
                ("login", "forged-user"),
                ("password", "long-enough"),
            ],
        ),
        ("/logout", vec![]),
    ] {
        let missing = browser
            .post(app.url(path))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 403, "{path} without a token");
        assert!(missing.text().await.unwrap().contains("页面已过期"));
        let mut forged = fields.clone();
        forged.push(("_csrf", "0000"));
        let wrong = browser
            .post(app.url(path))
            .form(&forged)
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 403, "{path} with a wrong token");
    }
    // A cross-site form arrives with no session at all.
    let stranger = reqwest::Client::new()
        .post(app.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("login", "tekes-centre"),
            ("password", "farmgate-demo"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn missing_pages_and_server_answers_are_translated() {
    let app = spawn_app().await;
    let missing = reqwest::Client::new()
        .get(app.url("/nowhere"))
        .header("cookie", "fg_lang=ug")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let html = missing.text().await.unwrap();
    assert!(html.contains("dir=\"rtl\"") && html.contains("بەت تېپىلمىدى"));
    let region = reqwest::get(app.url("/regions/atlantis")).await.unwrap();
    assert_eq!(region.status(), 404);
    assert!(region.text().await.unwrap().contains("找不到这个页面"));
    let method = reqwest::Client::new()
        .delete(app.url("/"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(method.status(), 405);
    assert!(method.text().await.unwrap().contains("不支持这种请求方式"));
    app.stop().await;
}

#[tokio::test]
async fn region_pages_show_the_tree() {
    let app = spawn_app().await;
    let html = reqwest::get(app.url("/regions/korla-qiaerbag"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("恰尔巴格乡"));
    assert!(
        html.contains("href=\"/regions/korla-saibag\""),
        "Saibag is listed below Qiaerbag"
    );
    assert!(
        html.contains("href=\"/regions/korla\""),
        "Korla is in the breadcrumbs"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_people_page_explains_a_missing_region() {
    let app = spawn_app().await;
    let browser = app.logged_in("tekes-centre").await;
    let response = browser.get(app.url("/people")).send().await.unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("请填写这一项"));
    let unknown = browser
        .get(app.url("/people?region=atlantis"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    app.stop().await;
}
