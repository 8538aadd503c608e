//! The JSON API as a client meets it: tokens, errors, the OpenAPI document, operations.

use crate::support;

use farmgate_web::WebConfig;
use serde_json::{Value, json};
use support::{Db, spawn_app, spawn_with};

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_demo_token_opens_me() {
    let app = spawn_app().await;
    let token = app.token("tekes-centre").await;
    let client = reqwest::Client::new();
    let me = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me = json_of(me).await;
    assert_eq!(me["login_name"], "tekes-centre");
    let roles: Vec<&str> = me["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["centre_staff", "trainer"]);

    let anonymous = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(json_of(anonymous).await["error"]["code"], "unauthenticated");
    let forged = client
        .get(app.url("/api/v1/me"))
        .bearer_auth("fgt_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let logout = client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let revoked = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn a_browser_session_opens_the_api_too() {
    let app = spawn_app().await;
    let browser = app.logged_in("huixian-host").await;
    let me = json_of(browser.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(me["login_name"], "huixian-host");
    app.stop().await;
}

#[tokio::test]
async fn wrong_and_unknown_logins_get_the_same_answer() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut bodies = Vec::new();
    for login in ["tekes-centre", "no-such-person"] {
        let response = client
            .post(app.url("/api/v1/auth/login"))
            .header("accept-language", "en")
            .json(&json!({"login": login, "password": "wrong-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        bodies.push(json_of(response).await);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[0]["error"]["code"], "login-failed");
    assert!(
        bodies[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not right")
    );
    app.stop().await;
}

#[tokio::test]
async fn login_attempts_are_rate_limited_per_account_with_a_clear_message() {
    let config = WebConfig {
        login_per_account_per_minute: 3,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let client = reqwest::Client::new();
    let attempt = || {
        client
            .post(app.url("/api/v1/auth/login"))
            .header("accept-language", "zh-CN")
            .json(&json!({"login": "kuqa-centre", "password": "guessing-1234"}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(attempt().await.unwrap().status(), 401);
    }
    let limited = attempt().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    let body = json_of(limited).await;
    assert_eq!(body["error"]["code"], "rate-limited");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("尝试次数太多")
    );

    // The form says so too, on the re-shown form.
    let browser = app.browser();
    let form = app
        .submit(
            &browser,
            "/login",
            "/login",
            &[("login", "kuqa-centre"), ("password", "farmgate-demo")],
        )
        .await;
    assert_eq!(form.status(), 429);
    assert!(form.text().await.unwrap().contains("尝试次数太多"));
    // Another account is not affected.
    assert_eq!(app.token("tekes-centre").await.len(), 68);
    app.stop().await;
}

#[tokio::test]
async fn login_attempts_are_rate_limited_per_address() {
    let config = WebConfig {
        login_per_ip_per_minute: 4,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for login in ["a-one", "a-two", "a-three", "a-four", "a-five"] {
        let response = client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"login": login, "password": "whatever-1"}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429]);
    app.stop().await;
}

/// The review's lockout: five wrong passwords (and one more every 12 s) from someone else kept
/// the owner out. Failures slow down the address that fails, never the owner's own.
#[tokio::test]
async fn a_guesser_never_locks_the_owner_out() {
    let config = WebConfig {
        login_per_account_per_minute: 5,
        // The tests reach the server from 127.0.0.1, as a reverse proxy would.
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let client = reqwest::Client::new();
    let attempt_at = |login: &'static str, from: &'static str, password: &'static str| {
        client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", from)
            .json(&json!({"login": login, "password": password}))
            .send()
    };
    let attempt = |from, password| attempt_at("kuqa-centre", from, password);
    let mut guesser = Vec::new();
    for _ in 0..8 {
        guesser.push(
            attempt("203.0.113.5", "guessing-1234")
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(&guesser[..3], &[401, 401, 401]);
    assert!(guesser[3..].contains(&429), "{guesser:?}");
    // The addresses of one IPv6 /64 are one guesser.
    for from in ["2001:db8:5:5::1", "2001:db8:5:5::2", "2001:db8:5:5::3"] {
        let answer = attempt_at("tekes-centre", from, "guessing-1234")
            .await
            .unwrap();
        assert_eq!(answer.status(), 401, "{from}");
    }
    let fourth = attempt_at("tekes-centre", "2001:db8:5:5:ffff::4", "guessing-1234")
        .await
        .unwrap();
    assert_eq!(fourth.status(), 429);
    // The owner, from their own phone, with the right password: in.
    assert_eq!(
        attempt("198.51.100.7", "farmgate-demo")
            .await
            .unwrap()
            .status(),
        200
    );
    // A made-up header from outside the trusted proxies changes nothing.
    let direct = spawn_with(
        Db::Sqlite,
        WebConfig {
            login_per_ip_per_minute: 3,
            ..WebConfig::default()
        },
    )
    .await
    .unwrap();
    let mut statuses = Vec::new();
    for (n, from) in ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"]
        .iter()
        .enumerate()
    {
        let response = client
            .post(direct.url("/api/v1/auth/login"))
            .header("x-forwarded-for", *from)
            .json(&json!({"login": format!("someone-{n}"), "password": "whatever-1"}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    direct.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_translated_4xx_never_a_500() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let token = app.token("admin").await;
    let post = |path: &str, body: &'static str, content_type: &'static str| {
        client
            .post(app.url(path))
            .header("content-type", content_type)
            .header("accept-language", "ug")
            .bearer_auth(&token)
            .body(body)
            .send()
    };
    let cases: Vec<(&str, &'static str, &'static str, u16, &str)> = vec![
        (
            "/api/v1/auth/login",
            "{not json",
            "application/json",
            400,
            "json-invalid",
        ),
        (
            "/api/v1/auth/login",
            "{\"login\": 5}",
            "application/json",
            422,
            "json-invalid",
        ),
        (
            "/api/v1/auth/login",
            "login=x",
            "text/plain",
            415,
            "json-invalid",
        ),
        (
            "/api/v1/auth/login",
            "{\"login\":\"\",\"password\":\"x\"}",
            "application/json",
            422,
            "required",
        ),
        (
            "/api/v1/auth/login",
            "{\"login\":\"12345\",\"password\":\"x\"}",
            "application/json",
            422,
            "phone-invalid",
        ),
        (
            "/api/v1/auth/login",
            "{\"login\":\"ok-name\",\"password\":\"\"}",
            "application/json",
            422,
            "required",
        ),
        (
            "/api/v1/accounts",
            "{\"display_name\":\"x\",\"login\":\"ab\",\"password\":\"long-enough\"}",
            "application/json",
            422,
            "login-invalid",
        ),
        (
            "/api/v1/accounts",
            "{\"display_name\":\"x\",\"login\":\"abc\",\"password\":\"short\"}",
            "application/json",
            422,
            "password-too-short",
        ),
        (
            "/api/v1/accounts",
            "{\"display_name\":\"\",\"login\":\"abc\",\"password\":\"long-enough\"}",
            "application/json",
            422,
            "required",
        ),
        (
            "/api/v1/regions/tekes/grants",
            "{\"login\":\"buyer\",\"role\":\"king\"}",
            "application/json",
            422,
            "role-invalid",
        ),
        (
            "/api/v1/regions/tekes/grants",
            "{\"login\":\"nobody-at-all\",\"role\":\"seller\"}",
            "application/json",
            422,
            "account-unknown",
        ),
        (
            "/api/v1/regions/atlantis/grants",
            "{\"login\":\"buyer\",\"role\":\"seller\"}",
            "application/json",
            404,
            "not-found",
        ),
    ];
    for (path, body, content_type, status, code) in cases {
        let response = post(path, body, content_type).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path} {body}");
        let json = json_of(response).await;
        assert_eq!(json["error"]["code"], code, "{path} {body}");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(
            message
                .chars()
                .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "message in Uyghur: {message}"
        );
    }
    let level = client
        .get(app.url("/api/v1/regions?level=planet"))
        .send()
        .await
        .unwrap();
    assert_eq!(level.status(), 422);
    assert_eq!(json_of(level).await["error"]["field"], "level");
    let missing = client
        .get(app.url("/api/v1/regions/atlantis"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let big = client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    assert_eq!(json_of(big).await["error"]["code"], "payload-too-large");
    let wrong_method = client
        .delete(app.url("/api/v1/me"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(
        json_of(wrong_method).await["error"]["code"],
        "method-not-allowed"
    );
    app.stop().await;
}

#[tokio::test]
async fn registration_by_api_does_not_reveal_taken_logins() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let register = |login: &'static str| {
        client
            .post(app.url("/api/v1/accounts"))
            .json(&json!({"display_name": "X", "login": login, "password": "a-long-password"}))
            .send()
    };
    let taken = register("tekes-centre").await.unwrap();
    let fresh = register("liang.qianjuan").await.unwrap();
    assert_eq!(taken.status(), 202);
    assert_eq!(fresh.status(), 202);
    assert_eq!(json_of(taken).await, json_of(fresh).await);
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_is_valid_openapi_3_1() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/api/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    // Strict validators (openapi-spec-validator) and client generators need a description on
    // every response.
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(
                ids.insert(id.clone()),
                "{method} {path}: operation id {id} is used twice"
            );
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }
    let paths = spec.paths.unwrap_or_default();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/accounts",
        "/api/v1/regions",
        "/api/v1/regions/{code}/people",
        "/api/v1/regions/{code}/grants",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    let docs = reqwest::get(app.url("/api/docs")).await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("/api/v1/auth/login"));
    app.stop().await;
}

#[tokio::test]
async fn operations_endpoints_answer() {
    let app = spawn_with(
        Db::Sqlite,
        WebConfig {
            metrics_token: Some("scrape-me-please".to_owned()),
            ..WebConfig::default()
        },
    )
    .await
    .unwrap();
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        200
    );
    reqwest::get(app.url("/regions/tekes")).await.unwrap();
    // Not for the public: without the token (or with another) it is not there.
    assert_eq!(
        reqwest::get(app.url("/metrics")).await.unwrap().status(),
        404
    );
    let client = reqwest::Client::new();
    let wrong = client
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    let metrics = client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me-please")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("route=\"/regions/{code}\""),
        "routes are labelled by pattern"
    );
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    assert!(metrics.contains("db_pool_connections"));
    app.stop().await;
    // With no token, the main address has no /metrics; `metrics_bind` serves it alone.
    let plain = spawn_app().await;
    assert_eq!(
        reqwest::get(plain.url("/metrics")).await.unwrap().status(),
        404
    );
    let state = farmgate_web::AppState::new(plain.db.store.clone(), WebConfig::default())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let served = tokio::spawn(farmgate_web::serve_metrics(
        listener,
        state,
        std::future::pending(),
    ));
    let scraped = reqwest::get(format!("http://{address}/metrics"))
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped
            .text()
            .await
            .unwrap()
            .contains("db_pool_connections")
    );
    assert_eq!(
        reqwest::get(format!("http://{address}/regions/tekes"))
            .await
            .unwrap()
            .status(),
        404,
        "only /metrics there"
    );
    served.abort();
    plain.stop().await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/login", "/api/v1/regions", "/nowhere"] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(
            headers["referrer-policy"],
            "strict-origin-when-cross-origin"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_server_runs_on_postgresql_too() {
    let Some(app) = spawn_with(Db::Postgres, WebConfig::default()).await else {
        eprintln!("skipped: FARMGATE_TEST_POSTGRES_URL is not set");
        return;
    };
    let html = reqwest::get(app.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("特克斯县"));
    let client = reqwest::Client::new();
    let accepted = client
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"display_name": "Wang Jie", "login": "13800001111", "password": "wholesale-orders"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let token = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "138 0000 1111", "password": "wholesale-orders"}))
        .send()
        .await
        .unwrap();
    let token = json_of(token).await["token"].as_str().unwrap().to_owned();
    let me = json_of(
        client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["phone"], "13800001111");
    assert_eq!(me["grants"][0]["role"], "buyer");
    app.stop().await;
}
