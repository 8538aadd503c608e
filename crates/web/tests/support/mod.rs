//! Starts the real server on port 0 with a fresh database of its own, and talks HTTP to it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use farmgate_domain::accounts::{Password, hash_password};
use farmgate_store::demo::DEMO_PASSWORD;
use farmgate_store::testing::TestDb;
use farmgate_web::{AppState, WebConfig};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

pub struct App {
    pub base: String,
    pub db: TestDb,
    /// The server's data directory (photos).
    pub files: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// The demo password's hash, computed once for the whole test binary.
pub fn demo_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&Password::parse(DEMO_PASSWORD).unwrap()).unwrap())
}

pub enum Db {
    Sqlite,
    Postgres,
}

/// The app on SQLite with the demo counties and accounts.
pub async fn spawn_app() -> App {
    spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap()
}

/// The app on the chosen database (None when PostgreSQL is not configured).
pub async fn spawn_with(db: Db, config: WebConfig) -> Option<App> {
    spawn_seeded(db, config, false).await
}

/// The app on SQLite with the demo shops and products as well (indexed for search).
pub async fn spawn_with_catalog() -> App {
    spawn_seeded(Db::Sqlite, WebConfig::default(), true)
        .await
        .unwrap()
}

async fn spawn_seeded(db: Db, mut config: WebConfig, catalog: bool) -> Option<App> {
    let files = tempfile::tempdir().unwrap();
    config.data_dir = files.path().to_path_buf();
    config.hls_dir = files.path().join("hls");
    let db = match db {
        Db::Sqlite => TestDb::sqlite().await,
        Db::Postgres => TestDb::postgres().await?,
    };
    db.store.load_demo_regions(&|| {}).await.unwrap();
    let hash = demo_hash().to_owned();
    db.store.load_demo_accounts(&hash).await.unwrap();
    // Station 1 is Tekes' centre (no pickup fee): tests that only need somewhere to pick up use it.
    db.store.load_demo_stations().await.unwrap();
    if catalog {
        db.store.load_demo_catalog().await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // As `farmgate serve` does on a loopback address: the server's own address is public_url.
    config.public_url.get_or_insert_with(|| base.clone());
    let state = AppState::new(db.store.clone(), config).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        farmgate_web::serve(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Some(App {
        base,
        db,
        files,
        shutdown: Some(tx),
    })
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// A browser that has logged in as `login` with the demo password.
    pub async fn logged_in(&self, login: &str) -> reqwest::Client {
        self.logged_in_with(login, DEMO_PASSWORD).await
    }

    /// A browser logged in as `login` with `password`.
    pub async fn logged_in_with(&self, login: &str, password: &str) -> reqwest::Client {
        let client = self.browser();
        let page = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let response = client
            .post(self.url("/login"))
            .form(&[
                ("_csrf", csrf_of(&page).as_str()),
                ("login", login),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "login as {login}");
        client
    }

    /// A centre staff member of `county` with the demo password, signed in.
    pub async fn centre_staff(&self, login: &str, county: &str) -> reqwest::Client {
        let store = &self.db.store;
        let id = store
            .create_account(farmgate_store::accounts::NewAccount {
                login: farmgate_domain::accounts::LoginId::parse(login).unwrap(),
                display_name: farmgate_domain::accounts::DisplayName::parse("中心").unwrap(),
                password_hash: demo_hash().to_owned(),
                language: farmgate_domain::lang::Language::ZhCn,
            })
            .await
            .unwrap()
            .id;
        let region = store.region_by_code(county).await.unwrap();
        store
            .grant_role(
                id,
                farmgate_domain::authz::Role::CentreStaff,
                region.id,
                None,
            )
            .await
            .unwrap();
        self.logged_in(login).await
    }

    /// A bearer token for `login` with the demo password.
    /// Order `order`'s parcel is received at its station, as its operator would (here the
    /// administrator, who may act for any station): the buyer is told. Returns the parcel's id.
    pub async fn receive_at_station(&self, order: i64) -> i64 {
        let parcel = self
            .db
            .store
            .parcel_of_order(order)
            .await
            .unwrap()
            .expect("the order was shipped to a station");
        let received = reqwest::Client::new()
            .post(self.url(&format!(
                "/api/v1/stations/{}/parcels/receive",
                parcel.station_id
            )))
            .bearer_auth(self.token("admin").await)
            .json(&serde_json::json!({ "label": parcel.label }))
            .send()
            .await
            .unwrap();
        assert_eq!(received.status(), 200, "received at the station");
        parcel.id
    }

    /// Order `order`'s parcel is received at its station and handed over against its code.
    pub async fn collect_at_station(&self, order: i64) {
        let id = self.receive_at_station(order).await;
        let code = self.db.store.station_parcel(id).await.unwrap().pickup_code;
        let handed = reqwest::Client::new()
            .post(self.url(&format!("/api/v1/station-parcels/{id}/hand-over")))
            .bearer_auth(self.token("admin").await)
            .json(&serde_json::json!({ "code": code.as_str() }))
            .send()
            .await
            .unwrap();
        assert_eq!(handed.status(), 200, "handed over");
    }

    pub async fn token(&self, login: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "login": login, "password": DEMO_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "token for {login}");
        let body: serde_json::Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.db.finish().await;
    }
}

/// A PNG of `width` × `height` with a gradient, as a phone's photo would be to the checks.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut bytes = Vec::new();
    picture
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// A page's HTML as `client` gets it, without the bidi isolation marks Fluent puts around
/// arguments (so tests can look for prices and names as written).
pub async fn text(client: &reqwest::Client, url: String) -> String {
    let html = client.get(url).send().await.unwrap().text().await.unwrap();
    html.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "")
}

/// A page as a guest reading `language` (the language switch's cookie) gets it.
pub async fn page_in(url: String, language: &str) -> String {
    reqwest::Client::new()
        .get(url)
        .header("cookie", format!("fg_lang={language}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The CSRF token in a page's form.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

impl App {
    /// Opens the form at `form_path` as `browser`, then submits `fields` with the form's CSRF
    /// token to `action`, as a person filling it in would.
    pub async fn submit(
        &self,
        browser: &reqwest::Client,
        form_path: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let page = browser
            .get(self.url(form_path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = csrf_of(&page);
        let mut body: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        body.extend_from_slice(fields);
        browser
            .post(self.url(action))
            .form(&body)
            .send()
            .await
            .unwrap()
    }
}

impl App {
    /// Registers `login`, has it apply for a shop at `village`, and approves it as admin.
    /// Returns (the owner's token, the shop id).
    pub async fn open_shop(&self, login: &str, village: &str) -> (String, i64) {
        let client = reqwest::Client::new();
        client
            .post(self.url("/api/v1/accounts"))
            .json(&json!({"display_name": "Grower", "login": login, "password": "walnuts-of-huixian"}))
            .send()
            .await
            .unwrap();
        let token: Value = client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"login": login, "password": "walnuts-of-huixian"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = token["token"].as_str().unwrap().to_owned();
        let application: Value = client
            .post(self.url("/api/v1/shop-applications"))
            .bearer_auth(&token)
            .json(&json!({"name": "伏家核桃合作社", "kind": "cooperative", "village": village, "phone": "13911112222"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let admin = self.token("admin").await;
        let approved: Value = client
            .post(self.url(&format!(
                "/api/v1/shop-applications/{}/decision",
                application["id"]
            )))
            .bearer_auth(&admin)
            .json(&json!({"decision": "approve"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (token, approved["shop_id"].as_i64().unwrap())
    }

    /// Opens the Fujia walnut shop (owner `fujia-walnuts`, password `walnuts-of-huixian`) and
    /// lists `name`: one 1 kg bag at ¥38.00 with `stock` units.
    pub async fn walnut_shop(&self, name: &str, stock: i64) -> Listed {
        let (owner, shop_id) = self
            .open_shop("fujia-walnuts", "huixian-fujia-village")
            .await;
        let product: Value = reqwest::Client::new()
            .post(self.url(&format!("/api/v1/shops/{shop_id}/products")))
            .bearer_auth(&owner)
            .json(&json!({
                "texts": {"zh-CN": {"name": name}},
                "category": "nuts",
                "origin": "huixian-fujia-village",
                "variants": [{"unit": "bag", "net_grams": 1000, "price_fen": 3800, "stock": stock}]
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Listed {
            owner,
            shop_id,
            product_id: product["id"].as_i64().unwrap(),
            variant_id: product["variants"][0]["id"].as_i64().unwrap(),
        }
    }
}

impl App {
    /// Another `farmgate serve` on the same database (its own pool, intake and live bus), as a
    /// second instance behind a load balancer would be. Stops when the returned sender drops.
    pub async fn second_instance(
        &self,
        config: WebConfig,
    ) -> (String, tokio::sync::oneshot::Sender<()>) {
        let store = farmgate_store::Store::connect(&self.db.url).await.unwrap();
        let mut config = config;
        config.data_dir = self.files.path().to_path_buf();
        config.hls_dir = self.files.path().join("hls");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::new(store, config).await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            farmgate_web::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        (base, tx)
    }

    /// A live room hosted by the walnut shop's owner with its walnuts pinned (at `room_price`
    /// fen while live); live when `live`.
    pub async fn walnut_room(&self, listed: &Listed, room_price: Option<i64>, live: bool) -> i64 {
        use farmgate_domain::live::RoomEvent;
        let store = &self.db.store;
        let owner = store
            .account_by_login(&farmgate_domain::accounts::LoginId::parse("fujia-walnuts").unwrap())
            .await
            .unwrap()
            .unwrap();
        let huixian = store.region_by_code("huixian").await.unwrap();
        let room = store
            .schedule_room(farmgate_store::live::NewRoom {
                host_id: owner.id,
                region_id: huixian.id,
                title_zh: "嘉陵核桃直播".to_owned(),
                title_ug: Some("ياڭاق نەق مەيدانى".to_owned()),
                title_en: None,
                starts_at: chrono::Utc::now(),
                shop_ids: vec![listed.shop_id],
            })
            .await
            .unwrap();
        store
            .pin(
                room.id,
                listed.variant_id,
                room_price.map(farmgate_domain::money::Fen),
            )
            .await
            .unwrap();
        if live {
            store.move_room(room.id, RoomEvent::Start).await.unwrap();
        }
        room.id
    }

    /// `count` new buyers (`buyer-0` ...), each with an API token.
    pub async fn buyer_tokens(&self, count: usize) -> Vec<String> {
        use farmgate_domain::accounts::{DisplayName, LoginId};
        let store = &self.db.store;
        let mut tokens = Vec::new();
        for n in 0..count {
            let account = store
                .create_account(farmgate_store::accounts::NewAccount {
                    login: LoginId::parse(&format!("burst-buyer-{n}")).unwrap(),
                    display_name: DisplayName::parse(&format!("买家{n}")).unwrap(),
                    password_hash: demo_hash().to_owned(),
                    language: farmgate_domain::lang::Language::ZhCn,
                })
                .await
                .unwrap();
            tokens.push(store.issue_api_token(account.id).await.unwrap());
        }
        tokens
    }
}

/// What `walnut_shop` made: the owner's API token and the ids.
pub struct Listed {
    pub owner: String,
    pub shop_id: i64,
    pub product_id: i64,
    pub variant_id: i64,
}

/// The most memory this test process has held at once, in MB (`VmHWM`; the server under
/// test runs in it).
pub fn peak_rss_mb() -> u64 {
    status_mb("VmHWM:")
}

/// The process's resident memory now, in MB.
pub fn rss_mb() -> u64 {
    status_mb("VmRSS:")
}

fn status_mb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// Starts the peak (`VmHWM`) again from the memory resident now, so that a measurement sees
/// only what came after (Linux: writing 5 to `clear_refs`). False where it cannot.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Text without the Unicode isolation marks that Fluent and prices put around placeables.
pub fn strip(text: &str) -> String {
    text.chars()
        .filter(|c| !('\u{2066}'..='\u{2069}').contains(c))
        .collect()
}
