//! Sellers keep products current through the API and their pages: another shop's member is
//! told the product does not exist, every mistake names its field, buyers see each change,
//! and another instance's search follows within a second.

use farmgate_web::WebConfig;
use serde_json::{Value, json};

use crate::support::{self, Db, spawn_with};

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn only_the_shop_changes_its_products_and_mistakes_name_their_field() {
    let app = support::spawn_app().await;
    let listed = app.walnut_shop("伏家核桃", 10).await;
    let client = reqwest::Client::new();
    let (stranger, _) = app.open_shop("apricot-grower", "tekes-qiongkushitai").await;
    let product = app.url(&format!("/api/v1/products/{}", listed.product_id));
    let variant = app.url(&format!("/api/v1/variants/{}", listed.variant_id));
    let stock = format!("{variant}/stock");
    let ledger = format!("{product}/stock-movements");
    let variants = format!("{product}/variants");

    // Another shop's member: every edit is a 404, as if the product did not exist.
    for (name, request) in [
        (
            "patch product",
            client.patch(&product).json(&json!({"category": "honey"})),
        ),
        (
            "add variant",
            client
                .post(&variants)
                .json(&json!({"unit": "jar", "price_fen": 100, "stock": 1})),
        ),
        (
            "patch variant",
            client.patch(&variant).json(&json!({"price_fen": 1})),
        ),
        ("retire variant", client.delete(&variant)),
        (
            "stock",
            client
                .post(&stock)
                .json(&json!({"adjust": -10, "reason": "spoilage"})),
        ),
        ("ledger", client.get(&ledger)),
    ] {
        let (status, body) = send(request.bearer_auth(&stranger)).await;
        assert_eq!(status, 404, "{name}: {body}");
    }
    assert_eq!(
        app.db.store.variant_stock(listed.variant_id).await.unwrap(),
        10
    );

    // Bad input: 422 naming the field, nothing half-written.
    let owner = &listed.owner;
    for (name, request, field) in [
        (
            "category",
            client.patch(&product).json(&json!({"category": "rice"})),
            "category",
        ),
        (
            "code",
            client.patch(&product).json(&json!({"code": "核桃 一号"})),
            "code",
        ),
        (
            "status",
            client.patch(&product).json(&json!({"status": "hidden"})),
            "status",
        ),
        (
            "unit",
            client
                .post(&variants)
                .json(&json!({"unit": "barrel", "price_fen": 100, "stock": 1})),
            "unit",
        ),
        (
            "price",
            client.patch(&variant).json(&json!({"price_fen": 0})),
            "price",
        ),
        (
            "below zero",
            client
                .post(&stock)
                .json(&json!({"adjust": -11, "reason": "spoilage"})),
            "quantity",
        ),
        (
            "reason",
            client
                .post(&stock)
                .json(&json!({"adjust": 5, "reason": "sold"})),
            "reason",
        ),
        ("last variant", client.delete(&variant), "variant"),
    ] {
        let (status, body) = send(request.bearer_auth(owner)).await;
        assert_eq!(status, 422, "{name}: {body}");
        assert_eq!(body["error"]["field"], field, "{name}: {body}");
    }
    let unchanged = app.db.store.product(listed.product_id).await.unwrap();
    assert_eq!(unchanged.variants[0].spec.stock, 10);
    assert_eq!(unchanged.variants[0].spec.price.0, 3800);

    // The owner changes the price, restocks, adds a jar, pauses, and reads the ledger.
    let (status, body) = send(
        client
            .patch(&variant)
            .bearer_auth(owner)
            .json(&json!({"price_fen": 4200, "low_stock_threshold": 3})),
    )
    .await;
    assert_eq!(
        (status, body["price_fen"].as_i64()),
        (200, Some(4200)),
        "{body}"
    );
    let (status, body) = send(
        client
            .post(&stock)
            .bearer_auth(owner)
            .json(&json!({"adjust": 15, "reason": "restock", "note": "秋收"})),
    )
    .await;
    assert_eq!((status, body["stock"].as_i64()), (200, Some(25)), "{body}");
    let (status, jar) = send(
        client
            .post(&variants)
            .bearer_auth(owner)
            .json(&json!({"unit": "jar", "net_grams": 250, "price_fen": 1900, "stock": 4})),
    )
    .await;
    assert_eq!(status, 201, "{jar}");
    let (status, body) = send(client.patch(&product).bearer_auth(owner).json(&json!({
        "texts": {"ug": {"name": "فۇجيا ياڭىقى"}},
        "code": "FUJIA-WAL",
        "status": "paused",
        "back_in": "九月新核桃上市"
    })))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["code"], "FUJIA-WAL");
    assert_eq!(body["status"], "paused");
    assert_eq!(
        body["texts"]["zh-CN"]["name"], "伏家核桃",
        "texts not sent stay"
    );
    assert_eq!(body["texts"]["ug"]["name"], "فۇجيا ياڭىقى");
    let (status, moves) = send(client.get(&ledger).bearer_auth(owner)).await;
    assert_eq!(status, 200);
    let reasons: Vec<&str> = moves
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, vec!["opening", "restock", "opening"]);

    // A buyer sees it paused, with when it is back, and cannot buy it.
    let page = reqwest::get(app.url(&format!("/products/{}", listed.product_id)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("九月新核桃上市"), "{page}");
    assert!(
        !page.contains("name=\"variant\""),
        "no buy form while paused"
    );
    // Delisted: gone for buyers, still the shop's.
    let (status, _) = send(
        client
            .patch(&product)
            .bearer_auth(owner)
            .json(&json!({"status": "delisted"})),
    )
    .await;
    assert_eq!(status, 200);
    let gone = reqwest::get(app.url(&format!("/api/v1/products/{}", listed.product_id)))
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    let (status, _) = send(client.get(&product).bearer_auth(owner)).await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test]
async fn a_seller_reprices_and_restocks_on_the_page_and_buyers_see_it() {
    let app = support::spawn_app().await;
    let listed = app.walnut_shop("伏家薄皮核桃", 0).await;
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let manage = format!("/seller/products/{}", listed.product_id);
    let console = support::text(&seller, app.url("/seller")).await;
    assert!(
        console.contains(&manage),
        "the console links to the product's page"
    );

    let priced = app
        .submit(
            &seller,
            &manage,
            &format!("/seller/variants/{}/price", listed.variant_id),
            &[("price", "45.5"), ("threshold", "5")],
        )
        .await;
    assert_eq!(priced.status(), 303);
    let restocked = app
        .submit(
            &seller,
            &manage,
            &format!("/seller/variants/{}/stock", listed.variant_id),
            &[("mode", "add"), ("quantity", "30"), ("reason", "restock")],
        )
        .await;
    assert_eq!(restocked.status(), 303);
    let refused = app
        .submit(
            &seller,
            &manage,
            &format!("/seller/variants/{}/stock", listed.variant_id),
            &[
                ("mode", "remove"),
                ("quantity", "31"),
                ("reason", "spoilage"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("aria-invalid=\"true\""),
        "the field is marked"
    );
    assert!(page.contains("库存不够减"), "{page}");
    let after = app.db.store.product(listed.product_id).await.unwrap();
    assert_eq!(after.variants[0].spec.stock, 30);
    assert_eq!(after.variants[0].spec.price.0, 4550);
    let buyer_page = reqwest::get(app.url(&format!("/products/{}", listed.product_id)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        buyer_page
            .replace(['\u{2066}', '\u{2069}'], "")
            .contains("¥45.50")
    );
    assert!(buyer_page.contains("name=\"variant\""), "back on sale");

    // The details form shows what the product says and saves a new story.
    let edit = format!("{manage}/edit");
    let form = support::text(&seller, app.url(&edit)).await;
    assert!(form.contains("伏家薄皮核桃"));
    let saved = app
        .submit(
            &seller,
            &edit,
            &edit,
            &[
                ("name_zh-CN", "伏家薄皮核桃"),
                ("story_zh-CN", "今年秋天新打的核桃。"),
                ("category", "nuts"),
                ("origin", "huixian-fujia-village"),
                ("code", &after.code),
            ],
        )
        .await;
    assert_eq!(
        saved.status(),
        303,
        "its own FG code is kept: {}",
        saved.text().await.unwrap()
    );
    assert_eq!(
        app.db.store.product(listed.product_id).await.unwrap().texts[0].story,
        "今年秋天新打的核桃。"
    );

    // The stock record says who did what.
    let ledger = support::text(
        &seller,
        app.url(&format!("/seller/shops/{}/stock", listed.shop_id)),
    )
    .await;
    assert!(
        ledger.contains("进货") && ledger.contains("+30"),
        "{ledger}"
    );

    // Another shop's member reaches none of it.
    app.open_shop("apricot-grower", "tekes-qiongkushitai").await;
    let stranger = app
        .logged_in_with("apricot-grower", "walnuts-of-huixian")
        .await;
    for path in [
        manage.clone(),
        edit,
        format!("/seller/shops/{}/stock", listed.shop_id),
    ] {
        let response = stranger.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    let forged = app
        .submit(
            &stranger,
            "/seller",
            &format!("/seller/variants/{}/stock", listed.variant_id),
            &[("mode", "set"), ("quantity", "0"), ("reason", "correction")],
        )
        .await;
    assert_eq!(forged.status(), 404);
    assert_eq!(
        app.db.store.variant_stock(listed.variant_id).await.unwrap(),
        30
    );
    app.stop().await;
}

#[tokio::test]
async fn another_instance_finds_a_renamed_product_within_a_second() {
    let Some(app) = spawn_with(Db::Postgres, WebConfig::default()).await else {
        eprintln!("skipped: FARMGATE_TEST_POSTGRES_URL is not set");
        return;
    };
    let listed = app.walnut_shop("伏家核桃", 10).await;
    let (other, _stop) = app.second_instance(WebConfig::default()).await;
    let client = reqwest::Client::new();
    let (status, _) = send(
        client
            .patch(app.url(&format!("/api/v1/products/{}", listed.product_id)))
            .bearer_auth(&listed.owner)
            .json(&json!({"texts": {"zh-CN": {"name": "伏家蜂蜜核桃仁"}}})),
    )
    .await;
    assert_eq!(status, 200);
    let changed = std::time::Instant::now();
    let mut found = None;
    while changed.elapsed() < std::time::Duration::from_secs(3) {
        let (_, answer) = send(client.get(format!("{other}/api/v1/search?q=蜂蜜核桃仁"))).await;
        if answer["total"].as_u64() == Some(1) {
            found = Some(changed.elapsed());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let found = found.expect("the other instance finds it");
    assert!(
        found <= std::time::Duration::from_secs(1),
        "found after {found:?}"
    );
    app.stop().await;
}
