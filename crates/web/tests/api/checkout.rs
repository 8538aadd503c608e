//! Cart, checkout and payment as a buyer's browser does them, against the real server.

use crate::support;

use std::time::{Duration, Instant};

use farmgate_domain::money::Fen;
use farmgate_domain::orders::OrderStatus;
use farmgate_domain::orders::shipping::ShippingRule;
use farmgate_web::WebConfig;
use serde_json::{Value, json};
use support::{App, Db, csrf_of, spawn_with};

/// A walnut shop in Fujia (¥10 first kg, ¥3 per further kg) with one 1 kg bag at ¥38.
async fn stocked(app: &App, stock: i64) -> (i64, i64, i64) {
    let listed = app.walnut_shop("嘉陵核桃", stock).await;
    app.db
        .store
        .set_shop_shipping(
            listed.shop_id,
            ShippingRule::ByWeight {
                first_kg: Fen(1000),
                per_extra_kg: Fen(300),
            },
        )
        .await
        .unwrap();
    (listed.shop_id, listed.product_id, listed.variant_id)
}

/// The page's HTML without Fluent's bidi isolation marks around arguments.
async fn text(client: &reqwest::Client, url: String) -> String {
    let html = client.get(url).send().await.unwrap().text().await.unwrap();
    html.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "")
}

fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the form"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn station_id(app: &App, code: &str) -> i64 {
    let stations: Value = reqwest::get(app.url("/api/v1/stations?region=huixian"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stations
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_guest_cart_joins_the_account_and_checkout_places_once() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, product, variant) = stocked(&app, 5).await;
    let browser = app.browser();

    // A guest puts two bags in the cart from the product page.
    let page = text(&browser, app.url(&format!("/products/{product}"))).await;
    assert!(page.contains("action=\"/cart\""), "guests can buy too");
    let csrf = csrf_of(&page);
    let added = browser
        .post(app.url("/cart"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("variant", &variant.to_string()),
            ("quantity", "2"),
            ("next", "cart"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        (added.status().as_u16(), location(&added).as_str()),
        (303, "/cart")
    );
    let cart = text(&browser, app.url("/cart")).await;
    assert!(
        cart.contains("嘉陵核桃") && cart.contains("¥76.00"),
        "{cart}"
    );
    // Checkout needs an account: off to log in, and back.
    let checkout = browser.get(app.url("/checkout")).send().await.unwrap();
    assert_eq!(location(&checkout), "/login?next=%2Fcheckout");
    let login = text(&browser, app.url("/login?next=%2Fcheckout")).await;
    let logged_in = browser
        .post(app.url("/login"))
        .form(&[
            ("_csrf", csrf_of(&login).as_str()),
            ("login", "buyer"),
            ("password", farmgate_store::demo::DEMO_PASSWORD),
            ("next", "/checkout"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&logged_in), "/checkout");
    let buyer = app
        .db
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("buyer").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.db.store.cart(buyer.id).await.unwrap(),
        vec![(variant, 2)],
        "the guest's cart joined the account"
    );

    // The checkout shows the shop's rule and each station's fee before anything is paid.
    let page = text(&browser, app.url("/checkout")).await;
    assert!(
        page.contains("首重 1 公斤 ¥10.00，续重每公斤 ¥3.00"),
        "{page}"
    );
    assert!(page.contains("送货上门运费 ¥13.00"), "2 kg: ¥10 + ¥3");
    assert!(page.contains("嘉陵村服务站") && page.contains("自提费 ¥1.00"));
    let jialing = station_id(&app, "huixian-jialing").await;
    let form = [
        ("_csrf", csrf_of(&page)),
        ("key", value_of(&page, "key")),
        ("delivery", "pickup".to_owned()),
        ("station", jialing.to_string()),
        ("payment", "cash".to_owned()),
    ];
    let placed = browser
        .post(app.url("/checkout"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), 303);
    let done = location(&placed);
    assert!(done.starts_with("/checkout/"), "{done}");
    let again = browser
        .post(app.url("/checkout"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&again),
        done,
        "the resent form lands on the same checkout"
    );
    assert!(
        app.db.store.cart(buyer.id).await.unwrap().is_empty(),
        "ordered lines leave the cart"
    );
    assert_eq!(app.db.store.variant_stock(variant).await.unwrap(), 3);
    let done_page = text(&browser, app.url(&done)).await;
    assert!(
        done_page.contains("取货时付现金") && done_page.contains("¥77.00"),
        "{done_page}"
    );

    // Three more than are left: the checkout says so beside the basket, in Chinese.
    let csrf = csrf_of(&text(&browser, app.url("/cart")).await);
    browser
        .post(app.url("/cart"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("variant", &variant.to_string()),
            ("quantity", "4"),
        ])
        .send()
        .await
        .unwrap();
    let page = text(&browser, app.url("/checkout")).await;
    let refused = browser
        .post(app.url("/checkout"))
        .form(&[
            ("_csrf", csrf_of(&page)),
            ("key", value_of(&page, "key")),
            ("delivery", "pickup".to_owned()),
            ("station", jialing.to_string()),
            ("payment", "cash".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("库存不足"));
    assert_eq!(
        app.db.store.variant_stock(variant).await.unwrap(),
        3,
        "nothing half-taken"
    );

    // Home delivery without a phone number: the form comes back with the mistake beside it.
    let page = text(&browser, app.url("/checkout")).await;
    let missing = browser
        .post(app.url("/checkout"))
        .form(&[
            ("_csrf", csrf_of(&page)),
            ("key", value_of(&page, "key")),
            ("delivery", "home".to_owned()),
            ("region", "korla-saibag".to_owned()),
            ("address", "3 组 12 号".to_owned()),
            ("recipient", "米热古丽".to_owned()),
            ("phone", String::new()),
            ("payment", "cash".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 422);
    let html = missing.text().await.unwrap();
    assert!(
        html.contains("id=\"phone-error\"") && html.contains("3 组 12 号"),
        "typed values stay"
    );
    app.stop().await;
}

/// Puts `quantity` of `variant` in the browser's cart, from the cart page's form.
async fn add_to_cart(app: &App, browser: &reqwest::Client, variant: i64, quantity: u32) {
    let cart = text(browser, app.url("/cart")).await;
    let added = browser
        .post(app.url("/cart"))
        .form(&[
            ("_csrf", csrf_of(&cart)),
            ("variant", variant.to_string()),
            ("quantity", quantity.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 303);
}

/// Submits the checkout page for pickup at `station`, paying by `payment` (`cash`, `online`).
async fn check_out(
    app: &App,
    browser: &reqwest::Client,
    station: i64,
    payment: &str,
) -> reqwest::Response {
    let page = text(browser, app.url("/checkout")).await;
    browser
        .post(app.url("/checkout"))
        .form(&[
            ("_csrf", csrf_of(&page)),
            ("key", value_of(&page, "key")),
            ("delivery", "pickup".to_owned()),
            ("station", station.to_string()),
            ("payment", payment.to_owned()),
        ])
        .send()
        .await
        .unwrap()
}

/// The hosted payment page's form, as a browser would post it.
fn hosted_fields(hosted: &str) -> Vec<(String, String)> {
    ["_csrf", "ref", "amount", "expires", "return", "sig"]
        .iter()
        .map(|name| ((*name).to_owned(), value_of(hosted, name)))
        .collect()
}

/// Posts the hosted page's form: the buyer taps "pay".
async fn pay_on(
    app: &App,
    browser: &reqwest::Client,
    fields: &[(String, String)],
) -> reqwest::Response {
    browser
        .post(app.url("/sandbox-pay/pay"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// `config` with the sandbox gateway on, signing with a secret the tests know.
fn sandbox(config: WebConfig) -> WebConfig {
    WebConfig {
        payment_provider: farmgate_web::payments::OnlineProvider::Sandbox,
        payment_secret: Some("test-payment-secret".to_owned()),
        ..config
    }
}

/// Signs in `buyer` in a fresh browser and checks out one bag paying online; returns the
/// browser, the checkout page's path and the sandbox page's URL.
async fn online_checkout(app: &App, variant: i64) -> (reqwest::Client, String, String) {
    let browser = app.logged_in("buyer").await;
    add_to_cart(app, &browser, variant, 1).await;
    let placed = check_out(app, &browser, 1, "online").await;
    let pay_url = location(&placed);
    assert!(pay_url.starts_with("/sandbox-pay/checkout?"), "{pay_url}");
    let reference: i64 = pay_url
        .split("ref=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap()
        .parse()
        .unwrap();
    let payment = app.db.store.payment(reference).await.unwrap();
    let checkout_path = format!("/checkout/{}", payment.checkout_id);
    (browser, checkout_path, pay_url)
}

#[tokio::test]
async fn online_payment_goes_through_the_sandbox_gateway_and_its_signed_callback() {
    let config = sandbox(WebConfig::default());
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let (_, _, variant) = stocked(&app, 5).await;
    let (browser, checkout_path, pay_url) = online_checkout(&app, variant).await;
    let waiting = text(&browser, app.url(&checkout_path)).await;
    assert!(waiting.contains("等待付款") && waiting.contains("去付款"));
    // The order itself says it waits for the buyer, with the way to pay, in the list too.
    let list = text(&browser, app.url("/orders")).await;
    assert!(list.contains("等待付款"), "{list}");
    assert!(
        list.contains(&format!("href=\"{checkout_path}\"")),
        "{list}"
    );
    let order_id = list
        .split("href=\"/orders/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let order = text(&browser, app.url(&format!("/orders/{order_id}"))).await;
    assert!(order.contains("等待付款") && order.contains(&format!("href=\"{checkout_path}\"")));

    // The hosted page shows what is paid; a page with the amount changed is refused.
    let hosted = text(&browser, app.url(&pay_url)).await;
    assert!(
        hosted.contains("沙箱支付") && hosted.contains("¥38.00"),
        "{hosted}"
    );
    let tampered = browser
        .get(app.url(&pay_url.replace("amount=3800", "amount=1")))
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status(), 400);

    let fields = hosted_fields(&hosted);
    let paid = pay_on(&app, &browser, &fields).await;
    assert_eq!(paid.status(), 303);
    assert!(
        location(&paid).ends_with(&checkout_path),
        "back to FarmGate"
    );
    let after = text(&browser, app.url(&checkout_path)).await;
    assert!(after.contains("已付款"), "{after}");
    let checkout_id = checkout_path.trim_start_matches("/checkout/");
    let orders = app.db.store.orders_of_checkout(checkout_id).await.unwrap();
    assert_eq!(orders[0].status, OrderStatus::Paid);

    // The webhook: a forged callback is refused; the gateway repeating itself changes nothing.
    let payment = app.db.store.payment_of_checkout(checkout_id).await.unwrap();
    let body = json!({"ref": payment.id, "amount_fen": 3800, "gateway_ref": "SBX-again", "status": "succeeded"}).to_string();
    let client = reqwest::Client::new();
    let forged = client
        .post(app.url("/api/v1/payments/sandbox/notify"))
        .header("content-type", "application/json")
        .header("x-sandbox-signature", "00ff")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let error: Value = forged.json().await.unwrap();
    assert_eq!(error["error"]["code"], "signature-invalid");
    // The test plays the gateway: it knows the secret the server was started with.
    let signature = {
        let gateway =
            farmgate_web::payments::sandbox::SandboxGateway::new(b"test-payment-secret", "");
        gateway.sign_callback(body.as_bytes())
    };
    let repeated = client
        .post(app.url("/api/v1/payments/sandbox/notify"))
        .header("content-type", "application/json")
        .header("x-sandbox-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(repeated.status(), 200);
    assert_eq!(
        repeated.json::<Value>().await.unwrap()["result"],
        "already_settled"
    );
    let orders = app.db.store.orders_of_checkout(checkout_id).await.unwrap();
    assert_eq!(orders[0].events.len(), 2, "paid once");

    // The pay link is used up: posting it again is refused and sends nothing anywhere.
    let again = pay_on(&app, &browser, &fields).await;
    assert_eq!(again.status(), 410);
    assert!(text_of(again).await.contains("支付链接已经用过"));
    app.stop().await;
}

async fn text_of(response: reqwest::Response) -> String {
    response
        .text()
        .await
        .unwrap()
        .replace(['\u{2066}', '\u{2068}', '\u{2069}'], "")
}

/// The review's request forgery: a spoofed Host header, a changed `notify` field and a
/// redirecting webhook cannot make the server post anywhere but its configured address.
#[tokio::test]
async fn callbacks_go_only_to_the_configured_address_once() {
    // A listener that counts what the server sends it, and answers with a redirect.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trap_addr = trap.local_addr().unwrap();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = trap.accept().await else {
                return;
            };
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    let app = spawn_with(Db::Sqlite, sandbox(WebConfig::default()))
        .await
        .unwrap();
    let (_, _, variant) = stocked(&app, 5).await;
    let browser = app.logged_in("buyer").await;
    add_to_cart(&app, &browser, variant, 1).await;
    // The checkout is placed with a Host header naming the trap.
    let page = text(&browser, app.url("/checkout")).await;
    let placed = browser
        .post(app.url("/checkout"))
        .header("host", trap_addr.to_string())
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("key", value_of(&page, "key").as_str()),
            ("delivery", "pickup"),
            ("station", "1"),
            ("payment", "online"),
        ])
        .send()
        .await
        .unwrap();
    let pay_url = location(&placed);
    assert!(!pay_url.contains(&trap_addr.to_string()), "{pay_url}");
    assert!(
        !pay_url.contains("notify="),
        "the link names no callback address"
    );
    let hosted = text(&browser, app.url(&pay_url)).await;
    let mut fields = hosted_fields(&hosted);
    fields.push(("notify".to_owned(), format!("http://{trap_addr}/steal")));
    let paid = browser
        .post(app.url("/sandbox-pay/pay"))
        .header("host", trap_addr.to_string())
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    // Replayed ten times: refused each time, and the trap never hears from the server.
    for _ in 0..10 {
        let replay = pay_on(&app, &browser, &fields).await;
        assert_eq!(replay.status(), 410);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    app.stop().await;
}

/// Without the sandbox (a county's server), online payment is not offered, its pages do not
/// exist, and an API order asking for it is refused with a message.
#[tokio::test]
async fn without_a_payment_provider_buyers_pay_cash_and_test_money_is_gone() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, _, variant) = stocked(&app, 5).await;
    let browser = app.logged_in("buyer").await;
    add_to_cart(&app, &browser, variant, 1).await;
    let page = text(&browser, app.url("/checkout")).await;
    assert!(!page.contains("value=\"online\""));
    assert!(
        !page.contains("测试支付"),
        "no test banner without the sandbox"
    );
    let forced = check_out(&app, &browser, 1, "online").await;
    assert_eq!(forced.status(), 422);
    assert!(text_of(forced).await.contains("暂时不能在线支付"));
    for path in ["/sandbox-pay/pay", "/api/v1/payments/sandbox/notify"] {
        let answer = reqwest::Client::new()
            .post(app.url(path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "{path}");
    }
    let sandboxed = spawn_with(Db::Sqlite, sandbox(WebConfig::default()))
        .await
        .unwrap();
    let home = text(&reqwest::Client::new(), sandboxed.url("/")).await;
    assert!(home.contains("测试支付"), "the banner shows on every page");
    sandboxed.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn unpaid_online_orders_are_cancelled_and_their_stock_returns() {
    let config = sandbox(WebConfig {
        pay_within: Duration::from_secs(1),
        ..WebConfig::default()
    });
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let (_, _, variant) = stocked(&app, 1).await;
    let (browser, checkout_path, pay_url) = online_checkout(&app, variant).await;
    assert_eq!(app.db.store.variant_stock(variant).await.unwrap(), 0);
    let started = Instant::now();
    while app.db.store.variant_stock(variant).await.unwrap() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the unpaid order was not released"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let page = text(&browser, app.url(&checkout_path)).await;
    assert!(page.contains("超时未付，订单已取消"), "{page}");
    // The hosted page now says the time has passed.
    let late = browser.get(app.url(&pay_url)).send().await.unwrap();
    assert_eq!(late.status(), 410);
    app.stop().await;
}

#[tokio::test]
async fn the_seller_packs_ships_and_readies_while_the_buyer_follows_the_timeline() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (shop_id, _, variant) = stocked(&app, 5).await;
    let (_, other_shop) = app
        .open_shop("jialing-peppers", "huixian-jialing-village")
        .await;
    // The buyer checks out 2 bags for pickup at Jialing's station, paying cash.
    let buyer = app.logged_in("buyer").await;
    add_to_cart(&app, &buyer, variant, 2).await;
    let jialing = station_id(&app, "huixian-jialing").await;
    let placed = check_out(&app, &buyer, jialing, "cash").await;
    let checkout_id = location(&placed)
        .trim_start_matches("/checkout/")
        .to_owned();
    let order_id = app.db.store.orders_of_checkout(&checkout_id).await.unwrap()[0].id;

    // The seller's list shows it with the weight to expect; another shop's members get 404.
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let list = text(&seller, app.url(&format!("/seller/shops/{shop_id}/orders"))).await;
    assert!(
        list.contains(&format!("id=\"order-{order_id}\"")) && list.contains("value=\"2000\""),
        "{list}"
    );
    assert!(list.contains("嘉陵村服务站"));
    let stranger = app
        .logged_in_with("jialing-peppers", "walnuts-of-huixian")
        .await;
    let refused = stranger
        .get(app.url(&format!("/seller/shops/{shop_id}/orders")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    let csrf = csrf_of(&list);
    let step = |client: &reqwest::Client, fields: Vec<(&'static str, String)>| {
        let mut fields = fields;
        fields.push(("_csrf", csrf.clone()));
        fields.push(("back", format!("/seller/shops/{shop_id}/orders")));
        client
            .post(app.url(&format!("/orders/{order_id}/events")))
            .form(&fields)
            .send()
    };
    // The other shop cannot touch it either.
    let foreign = stranger
        .post(app.url(&format!("/orders/{order_id}/events")))
        .form(&[
            (
                "_csrf",
                csrf_of(
                    &text(
                        &stranger,
                        app.url(&format!("/seller/shops/{other_shop}/orders")),
                    )
                    .await,
                ),
            ),
            ("event", "pack".to_owned()),
            ("packed_grams", "2000".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
    let bad_weight = step(
        &seller,
        vec![
            ("event", "pack".to_owned()),
            ("packed_grams", "heavy".to_owned()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(bad_weight.status(), 422);
    let packed = step(
        &seller,
        vec![
            ("event", "pack".to_owned()),
            ("packed_grams", "2080".to_owned()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(location(&packed), format!("/seller/shops/{shop_id}/orders"));
    step(
        &seller,
        vec![
            ("event", "ship".to_owned()),
            ("carrier", "县配送中心".to_owned()),
            ("tracking", "HX20261123001".to_owned()),
        ],
    )
    .await
    .unwrap();
    // Neither the shop nor the buyer marks the station's steps.
    assert_eq!(
        step(&seller, vec![("event", "mark_ready_for_pickup".to_owned())])
            .await
            .unwrap()
            .status(),
        422
    );

    // The station's operator receives it by typing the order's number (no "FG"), and the buyer
    // is shown the code to collect it with.
    let operator = app.logged_in("admin").await;
    let station = app
        .db
        .store
        .order(order_id)
        .await
        .unwrap()
        .station_id
        .unwrap();
    let desk = format!("/station/parcels?station={station}");
    let typed = order_id.to_string();
    let received = app
        .submit(
            &operator,
            &desk,
            "/station/parcels/receive",
            &[("station", &station.to_string()), ("label", &typed)],
        )
        .await;
    assert_eq!(received.status(), 303);
    let again = app
        .submit(
            &operator,
            &desk,
            "/station/parcels/receive",
            &[("station", &station.to_string()), ("label", &typed)],
        )
        .await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("这个包裹已经收下了"));
    let order_page = text(&buyer, app.url(&format!("/orders/{order_id}"))).await;
    assert!(
        order_page.contains("待自提") && order_page.contains("县配送中心 HX20261123001"),
        "{order_page}"
    );
    assert!(
        order_page.contains("实称 2080 克"),
        "the packed weight is on the line"
    );
    assert!(!order_page.contains("我已取货") && !order_page.contains("打包并称重"));
    let code = order_page
        .split("id=\"pickup-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the pickup code on the buyer's page")
        .to_owned();
    assert_eq!(code.len(), 6);

    // At the counter: a wrong code is refused beside the parcel, the right one hands it over
    // and says what cash to take.
    let parcel = app
        .db
        .store
        .parcel_of_order(order_id)
        .await
        .unwrap()
        .unwrap();
    let hand_over = format!("/station/parcels/{}/hand-over", parcel.id);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .submit(&operator, &desk, &hand_over, &[("code", wrong)])
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("取件码不对"));
    let handed = app
        .submit(&operator, &desk, &hand_over, &[("code", &code)])
        .await;
    assert_eq!(handed.status(), 303);
    let told = text(
        &operator,
        app.url(handed.headers()["location"].to_str().unwrap()),
    )
    .await;
    assert!(told.contains("请收现金"), "cash to take: {told}");
    let order = app.db.store.order(order_id).await.unwrap();
    assert_eq!(order.status, OrderStatus::PickedUp);
    let order_page = text(&buyer, app.url(&format!("/orders/{order_id}"))).await;
    assert_eq!(order.events.len(), 5);

    // Too early to review; after "received", one review per product, shown masked.
    let product_id = order.lines[0].product_id;
    let early = buyer
        .post(app.url(&format!("/orders/{order_id}/reviews")))
        .form(&[
            ("_csrf", csrf_of(&order_page)),
            ("product", product_id.to_string()),
            ("stars", "5".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 409);
    buyer
        .post(app.url(&format!("/orders/{order_id}/events")))
        .form(&[
            ("_csrf", csrf_of(&order_page)),
            ("event", "complete".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let completed = text(&buyer, app.url(&format!("/orders/{order_id}"))).await;
    assert!(completed.contains("评价“嘉陵核桃”"), "{completed}");
    let review = |stars: &'static str| {
        buyer
            .post(app.url(&format!("/orders/{order_id}/reviews")))
            .form(&[
                ("_csrf", csrf_of(&completed)),
                ("product", product_id.to_string()),
                ("stars", stars.to_owned()),
                ("body", "皮薄，仁香".to_owned()),
            ])
            .send()
    };
    assert_eq!(review("9").await.unwrap().status(), 422);
    assert_eq!(review("5").await.unwrap().status(), 303);
    assert_eq!(review("4").await.unwrap().status(), 409, "once per product");
    let product_page = text(&app.browser(), app.url(&format!("/products/{product_id}"))).await;
    assert!(
        product_page.contains("★ 5.0 · 1 条评价") && product_page.contains("皮薄，仁香"),
        "{product_page}"
    );
    assert!(
        product_page.contains("买**") && !product_page.contains("买家小王"),
        "reviewers are masked"
    );
    let in_uyghur = support::page_in(app.url(&format!("/products/{product_id}")), "ug").await;
    assert!(
        in_uyghur.contains("<p lang=\"zh-CN\" dir=\"auto\">皮薄，仁香</p>")
            && in_uyghur.contains("<bdi>买**</bdi>"),
        "a Chinese review on a Uyghur page keeps its own direction; the name is isolated"
    );
    let listed: Value = reqwest::get(app.url(&format!("/api/v1/products/{product_id}/reviews")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["stars"], 5);
    assert_eq!(listed[0]["reviewer"], "买**");

    // The seller sets a shipping rule from the same page; a bad amount is refused.
    let saved = seller
        .post(app.url(&format!("/seller/shops/{shop_id}/shipping")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "free_over"),
            ("fee", "8"),
            ("second", "99"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&saved),
        format!("/seller/shops/{shop_id}/orders?saved=1")
    );
    assert_eq!(
        app.db.store.shop_shipping(shop_id).await.unwrap(),
        ShippingRule::FreeOver {
            fee: Fen(800),
            free_from: Fen(9900)
        }
    );
    let bad = seller
        .post(app.url(&format!("/seller/shops/{shop_id}/shipping")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "free_over"),
            ("fee", "8"),
            ("second", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_at_the_new_endpoints_gets_a_translated_4xx() {
    let app = spawn_with(Db::Sqlite, sandbox(WebConfig::default()))
        .await
        .unwrap();
    let (shop_id, product, variant) = stocked(&app, 5).await;
    let client = reqwest::Client::new();
    let owner = {
        let response: Value = client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"login": "fujia-walnuts", "password": "walnuts-of-huixian"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        response["token"].as_str().unwrap().to_owned()
    };
    let buyer = app.token("buyer").await;
    let english = |r: reqwest::RequestBuilder| r.header("accept-language", "en");
    let cases: Vec<(reqwest::RequestBuilder, u16, &str, &str)> = vec![
        (
            english(client.put(app.url(&format!("/api/v1/shops/{shop_id}/shipping"))))
                .bearer_auth(&owner)
                .json(&json!({"kind": "by_weight", "fee": "-3", "second": "2"})),
            422,
            "shipping-fee-invalid",
            "between",
        ),
        (
            english(client.put(app.url(&format!("/api/v1/shops/{shop_id}/shipping"))))
                .bearer_auth(&owner)
                .json(&json!({"kind": "post", "fee": "3"})),
            422,
            "shipping-kind-invalid",
            "shipping rule",
        ),
        (
            english(client.put(app.url(&format!("/api/v1/shops/{shop_id}/shipping"))))
                .bearer_auth(&buyer)
                .json(&json!({"kind": "flat", "fee": "3"})),
            404,
            "not-found",
            "",
        ),
        (
            english(client.get(app.url("/api/v1/search?min=cheap"))),
            422,
            "price-invalid",
            "",
        ),
        (
            english(client.get(app.url("/api/v1/search?category=rice"))),
            422,
            "category-invalid",
            "",
        ),
        (
            english(client.get(app.url("/api/v1/stations?region=atlantis"))),
            404,
            "not-found",
            "",
        ),
        (
            english(client.post(app.url("/api/v1/orders/999999/reviews")))
                .bearer_auth(&buyer)
                .json(&json!({"product_id": product, "stars": 5})),
            404,
            "not-found",
            "",
        ),
        (
            english(client.post(app.url("/api/v1/orders/1/reviews")))
                .bearer_auth(&buyer)
                .json(&json!({"product_id": product, "stars": 0})),
            422,
            "stars-invalid",
            "1 to 5",
        ),
        (
            english(client.get(app.url("/api/v1/products/999999/reviews"))),
            404,
            "not-found",
            "",
        ),
    ];
    for (request, status, code, words) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{code}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            !message.is_empty() && message.contains(words),
            "{code}: {message}"
        );
    }

    // Forms: a cart line that is not for sale, a quantity out of range, someone else's checkout.
    let browser = app.logged_in("buyer").await;
    let page = text(&browser, app.url("/cart")).await;
    for (variant_text, quantity) in [
        ("999999", "1"),
        (variant.to_string().as_str(), "0"),
        (variant.to_string().as_str(), "lots"),
    ] {
        let response = browser
            .post(app.url("/cart"))
            .header("accept-language", "zh-CN")
            .form(&[
                ("_csrf", csrf_of(&page).as_str()),
                ("variant", variant_text),
                ("quantity", quantity),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{variant_text} x {quantity}");
        let html = response.text().await.unwrap();
        assert!(html.contains("lang=\"zh-CN\""));
    }
    let buyer_id = app
        .db
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("buyer").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        app.db.store.cart(buyer_id).await.unwrap().is_empty(),
        "nothing went in"
    );
    let (_, _, pay_url) = online_checkout(&app, variant).await;
    let reference: i64 = pay_url
        .split("ref=")
        .nth(1)
        .and_then(|r| r.split('&').next())
        .unwrap()
        .parse()
        .unwrap();
    let checkout_id = app.db.store.payment(reference).await.unwrap().checkout_id;
    let stranger = app.logged_in("tekes-centre").await;
    let theirs = stranger
        .get(app.url(&format!("/checkout/{checkout_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404, "a checkout is its buyer's");
    app.stop().await;
}

/// Paid and cancelled: the buyer cancels before the gateway's money arrives; the payment
/// becomes owed back, Huixian's payment is listed for the centre above it and not for Tekes'
/// centre, and paying it back is done once. A paid order's cancel asks the shop.
#[tokio::test]
async fn money_for_cancelled_orders_is_listed_and_paid_back_once() {
    let app = spawn_with(Db::Sqlite, sandbox(WebConfig::default()))
        .await
        .unwrap();
    let (_, _, variant) = stocked(&app, 5).await;
    let (browser, checkout_path, pay_url) = online_checkout(&app, variant).await;
    let checkout_id = checkout_path.trim_start_matches("/checkout/").to_owned();
    let order_id = app.db.store.orders_of_checkout(&checkout_id).await.unwrap()[0].id;
    let hosted = text(&browser, app.url(&pay_url)).await;
    let order_page = text(&browser, app.url(&format!("/orders/{order_id}"))).await;
    let cancelled = browser
        .post(app.url(&format!("/orders/{order_id}/events")))
        .form(&[
            ("_csrf", csrf_of(&order_page)),
            ("event", "cancel".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 303);
    // The buyer had the hosted page open in another tab, and pays there.
    let fields = hosted_fields(&hosted);
    let paid = pay_on(&app, &browser, &fields).await;
    assert_eq!(paid.status(), 303);
    let payment = app
        .db
        .store
        .payment_of_checkout(&checkout_id)
        .await
        .unwrap();
    assert_eq!(payment.status.as_str(), "refund_due");
    assert_eq!(payment.refund_due, payment.amount);
    let buyer_view = text(&browser, app.url(&checkout_path)).await;
    assert!(buyer_view.contains("款项将原路退回"), "{buyer_view}");

    // Tekes' centre does not see Huixian's payment, nor pay it back.
    let tekes = app.logged_in("tekes-centre").await;
    let theirs = text(&tekes, app.url("/centre/refunds")).await;
    assert!(theirs.contains("没有需要退回的款项"), "{theirs}");
    let forbidden = tekes
        .post(app.url(&format!("/centre/refunds/{}", payment.id)))
        .form(&[("_csrf", csrf_of(&theirs))])
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 404);
    // The administrator above every county does, once.
    let admin = app.logged_in("admin").await;
    let list = text(&admin, app.url("/centre/refunds")).await;
    assert!(
        list.contains("¥38.00") && list.contains(&checkout_id),
        "{list}"
    );
    let paid_back = admin
        .post(app.url(&format!("/centre/refunds/{}", payment.id)))
        .form(&[("_csrf", csrf_of(&list))])
        .send()
        .await
        .unwrap();
    assert_eq!(paid_back.status(), 303);
    let refunded = app.db.store.payment(payment.id).await.unwrap();
    assert_eq!(
        (
            refunded.status.as_str(),
            refunded.refund_due.0,
            refunded.refunded
        ),
        ("refunded", 0, payment.amount)
    );
    assert!(refunded.refund_ref.unwrap().starts_with("SBXR"));
    let again = admin
        .post(app.url(&format!("/centre/refunds/{}", payment.id)))
        .form(&[("_csrf", csrf_of(&list))])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404, "nothing owed any more");
    assert!(
        text(&admin, app.url("/centre/refunds"))
            .await
            .contains("没有需要退回的款项")
    );

    // Paid first, then cancelled: a request the shop answers; the stock stays until then.
    let (browser, checkout_path, pay_url) = online_checkout(&app, variant).await;
    let hosted = text(&browser, app.url(&pay_url)).await;
    let fields = hosted_fields(&hosted);
    pay_on(&app, &browser, &fields).await;
    let checkout_id = checkout_path.trim_start_matches("/checkout/").to_owned();
    let order_id = app.db.store.orders_of_checkout(&checkout_id).await.unwrap()[0].id;
    let order_page = text(&browser, app.url(&format!("/orders/{order_id}"))).await;
    let stock = app.db.store.variant_stock(variant).await.unwrap();
    browser
        .post(app.url(&format!("/orders/{order_id}/events")))
        .form(&[
            ("_csrf", csrf_of(&order_page)),
            ("event", "cancel".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let after = text(&browser, app.url(&format!("/orders/{order_id}"))).await;
    assert!(after.contains("已申请取消，等待店铺退款"), "{after}");
    assert_eq!(app.db.store.variant_stock(variant).await.unwrap(), stock);
    app.stop().await;
}

/// "Buy now" buys just that item: the cart's other lines stay in the cart, untouched.
#[tokio::test]
async fn buy_now_buys_just_that_item_and_leaves_the_cart() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, product, variant) = stocked(&app, 10).await;
    let browser = app.logged_in("buyer").await;
    add_to_cart(&app, &browser, variant, 1).await;
    let page = text(&browser, app.url(&format!("/products/{product}"))).await;
    let bought = browser
        .post(app.url("/cart"))
        .form(&[
            ("_csrf", csrf_of(&page)),
            ("variant", variant.to_string()),
            ("quantity", "2".to_owned()),
            ("next", "checkout".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&bought), "/checkout?only=now");
    let page = text(&browser, app.url("/checkout?only=now")).await;
    assert!(page.contains("¥76.00"), "two bags, not three: {page}");
    assert!(!page.contains("¥114.00"));
    let only = value_of(&page, "only");
    let placed = submit_checkout(
        &app,
        &browser,
        &page,
        &[
            ("only", &only),
            ("delivery", "pickup"),
            ("station", "1"),
            ("payment", "cash"),
        ],
    )
    .await;
    assert_eq!(placed.status(), 303);
    let buyer = app
        .db
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("buyer").unwrap())
        .await
        .unwrap()
        .unwrap();
    let orders = app
        .db
        .store
        .orders_of_buyer(buyer.id, farmgate_store::orders::OrderPage::default())
        .await
        .unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].lines[0].quantity, 2, "just what was bought now");
    assert_eq!(
        app.db.store.cart(buyer.id).await.unwrap(),
        vec![(variant, 1)],
        "the cart is as it was"
    );
    // The plain checkout is the cart's again.
    let page = text(&browser, app.url("/checkout")).await;
    assert!(page.contains("¥38.00"), "{page}");
    app.stop().await;
}

/// Submits the checkout form on `page` with `fields`, its CSRF token and key added.
async fn submit_checkout(
    app: &App,
    browser: &reqwest::Client,
    page: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![
        ("_csrf".to_owned(), csrf_of(page)),
        ("key".to_owned(), value_of(page, "key")),
    ];
    form.extend(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    browser
        .post(app.url("/checkout"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Places a cash order for `browser` with delivery to the door at `region`.
async fn home_order(app: &App, browser: &reqwest::Client, variant: i64, region: &str) {
    add_to_cart(app, browser, variant, 1).await;
    let page = text(browser, app.url("/checkout")).await;
    let placed = submit_checkout(
        app,
        browser,
        &page,
        &[
            ("delivery", "home"),
            ("region", region),
            ("address", "5 组 8 号"),
            ("recipient", "马小燕"),
            ("phone", "13911112222"),
            ("payment", "cash"),
        ],
    )
    .await;
    assert_eq!(placed.status(), 303, "a home order to {region}");
}

/// The station chosen for the buyer: the `<option>` marked selected in the station list.
fn selected_station(page: &str) -> Option<String> {
    let list = page
        .split("id=\"station\"")
        .nth(1)?
        .split("</select>")
        .next()?;
    list.split("<option")
        .find(|o| o.contains(" selected"))
        .and_then(|o| o.split('>').nth(1))
        .map(|label| label.trim_end_matches("</option").to_owned())
}

/// Stations near the buyer come first and the nearest of their own county is chosen for
/// them; a buyer far from every station, or unknown, gets home delivery, never a station in
/// another county.
#[tokio::test]
async fn pickup_is_offered_near_the_buyer_and_home_delivery_when_far() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, _, variant) = stocked(&app, 20).await;
    let browser = app.logged_in("buyer").await;

    // Nothing known of the buyer yet: home delivery, no station picked for them.
    add_to_cart(&app, &browser, variant, 1).await;
    let first = text(&browser, app.url("/checkout")).await;
    assert!(first.contains("value=\"home\" checked"), "home by default");
    assert_eq!(selected_station(&first), None);

    // After an order brought home to a village of Huixian, its village station comes first,
    // chosen, with its distance.
    home_order(&app, &browser, variant, "huixian-jialing-village").await;
    add_to_cart(&app, &browser, variant, 1).await;
    let near = text(&browser, app.url("/checkout")).await;
    assert!(
        near.contains("value=\"pickup\" checked"),
        "pickup near home"
    );
    let chosen = selected_station(&near).unwrap();
    assert!(chosen.starts_with("嘉陵村服务站"), "{chosen}");
    assert!(chosen.contains("约 0 公里"), "{chosen}");
    let options: Vec<&str> = near
        .split("id=\"station\"")
        .nth(1)
        .unwrap()
        .split("<option value=\"")
        .skip(2)
        .collect();
    assert!(options[0].contains("嘉陵村服务站"), "nearest first");
    // In Uyghur the station's name and hours are isolated inside the option's sentence.
    browser.get(app.url("/lang/ug")).send().await.unwrap();
    let raw = browser
        .get(app.url("/checkout"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        raw.contains("\u{2068}جيالىڭ كەنتى مۇلازىمەت پونكىتى\u{2069}"),
        "the Uyghur name, isolated"
    );
    assert!(
        raw.contains("\u{2068}09:00-20:00\u{2069}"),
        "hours isolated"
    );
    assert!(
        raw.contains("<bdi lang=\"zh-CN\">嘉陵核桃</bdi>"),
        "a name written only in Chinese keeps its order in a Uyghur line, marked as Chinese"
    );
    browser.get(app.url("/lang/zh-CN")).send().await.unwrap();

    // A buyer in Shanghai: home delivery again, no Xinjiang or Gansu station chosen.
    home_order(&app, &browser, variant, "shanghai-zhangjiang").await;
    add_to_cart(&app, &browser, variant, 1).await;
    let far = text(&browser, app.url("/checkout")).await;
    assert!(far.contains("value=\"home\" checked"));
    assert_eq!(selected_station(&far), None);
    app.stop().await;
}

/// Someone new picks a station and forgets the delivery radio (home, by default for them):
/// a station with no address written is taken as pickup there.
#[tokio::test]
async fn a_station_chosen_without_an_address_is_pickup() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, _, variant) = stocked(&app, 5).await;
    let browser = app.logged_in("buyer").await;
    add_to_cart(&app, &browser, variant, 1).await;
    let page = text(&browser, app.url("/checkout")).await;
    assert!(page.contains("value=\"home\" checked"));
    let placed = submit_checkout(
        &app,
        &browser,
        &page,
        &[
            ("delivery", "home"),
            ("station", "1"),
            ("region", ""),
            ("address", ""),
            ("payment", "cash"),
        ],
    )
    .await;
    assert_eq!(placed.status(), 303);
    let checkout_id = location(&placed)
        .trim_start_matches("/checkout/")
        .to_owned();
    let order = &app.db.store.orders_of_checkout(&checkout_id).await.unwrap()[0];
    assert_eq!(order.station_id, Some(1));
    app.stop().await;
}
