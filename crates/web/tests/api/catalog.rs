//! Listing products: the seller console, product pages in three languages, the API.

use crate::support;

use serde_json::{Value, json};
use support::spawn_app;

fn walnuts(status: &str) -> Value {
    json!({
        "texts": {"zh-CN": {"name": "徽县核桃", "story": "秦岭南麓的薄皮核桃"}, "ug": {"name": "خۇيشيەن ياڭىقى"}},
        "category": "nuts",
        "origin": "huixian-fujia-village",
        "tags": ["poverty_alleviation"],
        "status": status,
        "variants": [{"unit": "bag", "net_grams": 1000, "price_fen": 3800, "stock": 120, "follows_weight_tolerance_percent": 5.0}]
    })
}

#[tokio::test]
async fn a_seller_lists_walnuts_by_form_and_buyers_see_them_in_three_languages() {
    let app = spawn_app().await;
    let (_, shop_id) = app
        .open_shop("fujia-walnuts", "huixian-fujia-village")
        .await;
    let seller = app.browser();
    let logged_in = app
        .submit(
            &seller,
            "/login",
            "/login",
            &[
                ("login", "fujia-walnuts"),
                ("password", "walnuts-of-huixian"),
            ],
        )
        .await;
    assert_eq!(logged_in.status(), 303);
    let console = seller
        .get(app.url("/seller"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        console.contains(&format!("/seller/shops/{shop_id}/products/new")),
        "{console}"
    );
    let form_path = format!("/seller/shops/{shop_id}/products/new");
    let form = seller
        .get(app.url(&form_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("value=\"huixian-fujia-village\" selected"),
        "the origin defaults to the shop's village"
    );
    let created = app
        .submit(
            &seller,
            &form_path,
            &format!("/seller/shops/{shop_id}/products"),
            &[
                ("name_zh-CN", "徽县核桃"),
                ("story_zh-CN", "秦岭南麓的薄皮核桃"),
                ("name_ug", "خۇيشيەن ياڭىقى"),
                ("category", "nuts"),
                ("origin", "huixian-fujia-village"),
                ("tags", "poverty_alleviation"),
                ("v0_unit", "bag"),
                ("v0_net_grams", "1000"),
                ("v0_price", "38"),
                ("v0_stock", "120"),
                ("v0_follows", "1"),
                ("v0_tolerance", "5"),
                ("v1_unit", "jin"),
                ("v1_price", "19.50"),
                ("v1_stock", "0"),
                ("status", "listed"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/products/"));

    let zh = reqwest::get(app.url(&location))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("徽县核桃") && zh.contains("¥38.00") && zh.contains("¥19.50"));
    assert!(zh.contains("已售罄"), "the jin option has no stock");
    assert!(zh.contains("扶贫产品") && zh.contains("伏家村"));
    let get_in = |language: &'static str| support::page_in(app.url(&location), language);
    let ug = get_in("ug").await;
    assert!(ug.contains("خۇيشيەن ياڭىقى") && !ug.contains("تېخى تەرجىمە قىلىنمىدى"));
    let en = get_in("en").await;
    assert!(
        en.contains("徽县核桃") && en.contains("Not yet translated"),
        "English falls back to Chinese, marked"
    );

    let region = reqwest::get(app.url("/regions/huixian"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        region.contains(&format!("href=\"{location}\"")),
        "the county page lists it"
    );
    let home = reqwest::get(app.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains(&format!("href=\"{location}\"")),
        "the home page shows the newest products"
    );
    assert!(
        !home.contains("店铺和商品即将上线"),
        "no empty state once products exist"
    );
    let shop = reqwest::get(app.url(&format!("/shops/{shop_id}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(shop.contains(&format!("href=\"{location}\"")));
    app.stop().await;
}

#[tokio::test]
async fn only_members_manage_a_shop_and_see_its_drafts() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let (owner, shop_id) = app
        .open_shop("fujia-walnuts", "huixian-fujia-village")
        .await;
    let (other, _) = app
        .open_shop("jialing-peppers", "huixian-jialing-village")
        .await;
    let denied = client
        .post(app.url(&format!("/api/v1/shops/{shop_id}/products")))
        .bearer_auth(&other)
        .json(&walnuts("listed"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        denied.status(),
        404,
        "another shop's seller is told it does not exist"
    );
    let browser = app.browser();
    app.submit(
        &browser,
        "/login",
        "/login",
        &[
            ("login", "jialing-peppers"),
            ("password", "walnuts-of-huixian"),
        ],
    )
    .await;
    let form = browser
        .get(app.url(&format!("/seller/shops/{shop_id}/products/new")))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 404);
    let anonymous = client
        .post(app.url(&format!("/api/v1/shops/{shop_id}/products")))
        .json(&walnuts("listed"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let draft: Value = client
        .post(app.url(&format!("/api/v1/shops/{shop_id}/products")))
        .bearer_auth(&owner)
        .json(&walnuts("draft"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(
        client
            .get(app.url(&format!("/api/v1/products/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client
            .get(app.url(&format!("/api/v1/products/{id}")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client
            .get(app.url(&format!("/api/v1/products/{id}")))
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        reqwest::get(app.url(&format!("/products/{id}")))
            .await
            .unwrap()
            .status(),
        404
    );
    let listed: Value = client
        .get(app.url("/api/v1/products?region=huixian"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        listed.as_array().unwrap().is_empty(),
        "drafts are not listed"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_api_lists_and_reads_products_by_region() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let (owner, shop_id) = app
        .open_shop("fujia-walnuts", "huixian-fujia-village")
        .await;
    let created = client
        .post(app.url(&format!("/api/v1/shops/{shop_id}/products")))
        .bearer_auth(&owner)
        .header("accept-language", "ug")
        .json(&walnuts("listed"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["name"], "خۇيشيەن ياڭىقى");
    assert_eq!(created["translated"], true);
    assert_eq!(created["variants"][0]["price_fen"], 3800);
    let in_huixian: Value = client
        .get(app.url("/api/v1/products?region=huixian"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(in_huixian[0]["id"], created["id"]);
    assert_eq!(in_huixian[0]["translated"], false);
    let in_tekes: Value = client
        .get(app.url("/api/v1/products?region=tekes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(in_tekes.as_array().unwrap().is_empty());
    assert_eq!(
        client
            .get(app.url("/api/v1/products?region=atlantis"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_products_are_refused_field_by_field() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let (owner, shop_id) = app
        .open_shop("fujia-walnuts", "huixian-fujia-village")
        .await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = walnuts("listed");
        change(&mut body);
        body
    };
    let cases = [
        (
            with(&|b| b["texts"] = json!({"ug": {"name": "", "story": "تاغ ياڭىقى"}})),
            "required",
            "name_ug",
        ),
        (
            with(&|b| b["texts"] = json!({})),
            "product-name-required",
            "name",
        ),
        (
            with(&|b| b["category"] = json!("cars")),
            "category-invalid",
            "category",
        ),
        (
            with(&|b| b["origin"] = json!("huixian")),
            "origin-invalid",
            "origin",
        ),
        (
            with(&|b| b["tags"] = json!(["organic"])),
            "certificate-required",
            "certificate",
        ),
        (
            with(&|b| b["variants"] = json!([])),
            "variant-required",
            "v0_unit",
        ),
        (
            with(&|b| b["variants"][0]["unit"] = json!("barrel")),
            "unit-invalid",
            "v0_unit",
        ),
        (
            with(&|b| b["variants"][0]["price_fen"] = json!(0)),
            "price-invalid",
            "v0_price",
        ),
        // Over the ceiling (¥100,000): a price that could make a checkout wrap.
        (
            with(&|b| b["variants"][0]["price_fen"] = json!(i64::MAX / 2 + 1)),
            "price-invalid",
            "v0_price",
        ),
        (
            with(&|b| b["variants"][0]["price_fen"] = json!(10_000_001)),
            "price-invalid",
            "v0_price",
        ),
        (
            with(&|b| b["variants"][0]["stock"] = json!(-1)),
            "stock-invalid",
            "v0_stock",
        ),
        (
            with(&|b| b["variants"][0]["follows_weight_tolerance_percent"] = json!(80.0)),
            "price-policy-invalid",
            "v0_net_grams",
        ),
    ];
    for (body, code, field) in cases {
        let response = client
            .post(app.url(&format!("/api/v1/shops/{shop_id}/products")))
            .bearer_auth(&owner)
            .header("accept-language", "en")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}");
        assert_eq!(error["error"]["field"], field, "{body}");
    }

    let seller = app.browser();
    app.submit(
        &seller,
        "/login",
        "/login",
        &[
            ("login", "fujia-walnuts"),
            ("password", "walnuts-of-huixian"),
        ],
    )
    .await;
    let form_path = format!("/seller/shops/{shop_id}/products/new");
    let response = app
        .submit(
            &seller,
            &form_path,
            &format!("/seller/shops/{shop_id}/products"),
            &[
                ("name_zh-CN", ""),
                ("category", "nuts"),
                ("origin", "huixian-fujia-village"),
                ("v0_unit", "bag"),
                ("v0_price", "abc"),
                ("v0_stock", "-3"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for id in ["name_zh-CN-error", "v0_price-error", "v0_stock-error"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("请输入以元为单位的价格"));
    assert!(html.contains("value=\"abc\""), "what was typed is kept");
    let products: Value = client
        .get(app.url("/api/v1/products?region=huixian"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        products.as_array().unwrap().is_empty(),
        "nothing half-written"
    );
    app.stop().await;
}

/// A villager writing only Uyghur lists a product, with its photo, from the one form.
#[tokio::test]
async fn a_product_written_only_in_uyghur_is_listed_with_its_photo_in_one_screen() {
    let app = spawn_app().await;
    let (_, shop_id) = app
        .open_shop("tekes-apricots", "huixian-fujia-village")
        .await;
    let seller = app
        .logged_in_with("tekes-apricots", "walnuts-of-huixian")
        .await;
    seller.get(app.url("/lang/ug?next=/")).send().await.unwrap();
    let form_path = format!("/seller/shops/{shop_id}/products/new");
    let form = support::text(&seller, app.url(&form_path)).await;
    // Her own language's name comes first; the unit is chosen for her.
    let ug_at = form.find("id=\"name_ug\"").expect("a Uyghur name field");
    let zh_at = form
        .find("id=\"name_zh-CN\"")
        .expect("a Chinese name field");
    assert!(ug_at < zh_at, "the reader's language first");
    assert!(form.contains("value=\"jin\" selected"), "the jin is chosen");
    assert!(form.contains("enctype=\"multipart/form-data\""));
    let csrf = support::csrf_of(&form);
    let post = |fields: Vec<(&'static str, &'static str)>, photo: Option<Vec<u8>>| {
        let mut body = reqwest::multipart::Form::new().text("_csrf", csrf.clone());
        for (name, value) in fields {
            body = body.text(name, value);
        }
        if let Some(bytes) = photo {
            body = body.part(
                "photo",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name("apricots.png")
                    .mime_str("image/png")
                    .unwrap(),
            );
        }
        seller
            .post(app.url(&format!("/seller/shops/{shop_id}/products?_csrf={csrf}")))
            .multipart(body)
            .send()
    };
    let typed = vec![
        ("name_ug", "چوڭقۇشتاي ئۆرۈك قېقى"),
        ("category", "dried-fruit"),
        ("v0_unit", "jin"),
        ("v0_price", "28.80"),
        ("v0_stock", "60"),
        ("origin", "huixian-fujia-village"),
        ("status", "listed"),
    ];

    // No name in any language: told beside her own language's field; nothing is kept.
    let nameless: Vec<_> = typed.iter().filter(|f| f.0 != "name_ug").copied().collect();
    let refused = post(nameless, Some(support::png(64, 64))).await.unwrap();
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"name_ug-error\""), "{page}");
    assert!(page.contains("ئاز دېگەندە بىر تىلدا"), "the rule in Uyghur");
    assert!(
        page.contains("id=\"photo-error\""),
        "asked to choose the photo again"
    );
    // A file that is not a picture: refused, no product.
    let not_a_picture = post(typed.clone(), Some(b"not a picture".to_vec()))
        .await
        .unwrap();
    assert_eq!(not_a_picture.status(), 422);
    let listed: Value = reqwest::get(app.url("/api/v1/products?region=huixian"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(0),
        "nothing half-written"
    );

    let created = post(typed, Some(support::png(400, 300))).await.unwrap();
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let ug = support::text(&seller, app.url(&location)).await;
    assert!(ug.contains("<h1>چوڭقۇشتاي ئۆرۈك قېقى</h1>"), "{ug}");
    assert!(
        ug.contains("figure class=\"cover\""),
        "listed with its photo"
    );
    // A Chinese reader sees the Uyghur name, marked as Uyghur, with a note saying so.
    let zh = support::text(&app.browser(), app.url(&location)).await;
    assert!(
        zh.contains("lang=\"ug\" dir=\"auto\">چوڭقۇشتاي ئۆرۈك قېقى</h1>"),
        "{zh}"
    );
    assert!(zh.contains("暂无本语言译文，显示ئۇيغۇرچە原文"), "{zh}");
    // Found by its Uyghur name (the index follows within moments).
    let started = std::time::Instant::now();
    let found = loop {
        let found = support::text(
            &app.browser(),
            app.url("/search?q=%DA%86%D9%88%DA%AD%D9%82%DB%87%D8%B4%D8%AA%D8%A7%D9%8A"),
        )
        .await;
        if found.contains(&location) || started.elapsed() > std::time::Duration::from_secs(5) {
            break found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(found.contains(&location), "search finds it: {found}");
}

#[tokio::test]
async fn the_api_takes_a_product_in_any_one_language_and_refuses_one_with_no_name() {
    let app = spawn_app().await;
    let (token, shop_id) = app
        .open_shop("fujia-walnuts", "huixian-fujia-village")
        .await;
    let client = reqwest::Client::new();
    let mut only_english = walnuts("listed");
    only_english["texts"] = json!({"en": {"name": "Huixian walnuts"}});
    let created = client
        .post(app.url(&format!("/api/v1/shops/{shop_id}/products")))
        .bearer_auth(&token)
        .json(&only_english)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let product: Value = created.json().await.unwrap();
    assert_eq!(product["name"], "Huixian walnuts", "{product}");
    let mut nameless = walnuts("listed");
    nameless["texts"] = json!({"ug": {"name": "  ", "story": ""}});
    let refused = client
        .post(app.url(&format!("/api/v1/shops/{shop_id}/products")))
        .bearer_auth(&token)
        .json(&nameless)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(
        problem["error"]["code"], "product-name-required",
        "{problem}"
    );
    assert_eq!(problem["error"]["field"], "name", "{problem}");
}
