//! Product photos through the real server: upload, checks by content, sizes, caching.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use farmgate_web::WebConfig;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use support::{App, Db, csrf_of, png, spawn_with};

fn form(bytes: Vec<u8>, file_name: &str) -> Form {
    Form::new().part("photo", Part::bytes(bytes).file_name(file_name.to_owned()))
}

async fn product(app: &App) -> (String, i64) {
    let listed = app.walnut_shop("嘉陵核桃", 5).await;
    (listed.owner, listed.product_id)
}

#[tokio::test]
async fn a_seller_adds_photos_that_are_checked_resized_and_cached() {
    let config = WebConfig {
        photo_limit: 2 * 1024 * 1024,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let (owner, product_id) = product(&app).await;
    let api = reqwest::Client::new();
    let upload = |token: String, body: Form| {
        api.post(app.url(&format!("/api/v1/products/{product_id}/photos")))
            .bearer_auth(token)
            .multipart(body)
            .send()
    };

    // A 2,000 px picture becomes a 960 px JPEG and a 320 px thumbnail, named by its content.
    let picture = png(2000, 1500);
    let created = upload(owner.clone(), form(picture.clone(), "walnuts.png"))
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let large = reqwest::get(app.url(created["large_url"].as_str().unwrap()))
        .await
        .unwrap();
    assert_eq!(large.headers()["content-type"], "image/jpeg");
    assert!(
        large.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let decoded = image::load_from_memory(&large.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (960, 720));
    let thumb = reqwest::get(app.url(created["thumb_url"].as_str().unwrap()))
        .await
        .unwrap();
    let decoded = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!(decoded.width().max(decoded.height()), 320);
    // The same picture again is the same photo.
    assert_eq!(
        upload(owner.clone(), form(picture, "again.jpg"))
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        app.db.store.product(product_id).await.unwrap().photos.len(),
        1
    );

    // Checked by what it is, not what it is called; huge pictures and bodies are refused.
    let text = upload(
        owner.clone(),
        form(b"not a picture at all".to_vec(), "fake.jpg"),
    )
    .await
    .unwrap();
    assert_eq!(text.status(), 422);
    let error: Value = text.json().await.unwrap();
    assert_eq!(
        (
            error["error"]["code"].as_str(),
            error["error"]["field"].as_str()
        ),
        (Some("photo-invalid"), Some("photo"))
    );
    let wide = upload(owner.clone(), form(png(12_000, 2), "wide.png"))
        .await
        .unwrap();
    assert_eq!(wide.status(), 422);
    assert_eq!(
        wide.json::<Value>().await.unwrap()["error"]["code"],
        "photo-too-large"
    );
    let heavy = upload(owner.clone(), form(vec![0u8; 3 * 1024 * 1024], "big.jpg"))
        .await
        .unwrap();
    assert_eq!(heavy.status(), 413);
    // Someone else's product: as if it did not exist.
    let (stranger, _) = app
        .open_shop("jialing-peppers", "huixian-jialing-village")
        .await;
    assert_eq!(
        upload(stranger, form(png(10, 10), "x.png"))
            .await
            .unwrap()
            .status(),
        404
    );
    // Names that are not photos are not files.
    assert_eq!(
        reqwest::get(app.url("/photos/..%2F..%2Fetc/large.jpg"))
            .await
            .unwrap()
            .status(),
        404
    );

    // The form on the product page (members only), and the photo on the page and the cards.
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let page = seller
        .get(app.url(&format!("/products/{product_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(created["large_url"].as_str().unwrap()));
    let csrf = csrf_of(&page);
    let posted = seller
        .post(app.url(&format!(
            "/seller/products/{product_id}/photos?_csrf={csrf}"
        )))
        .multipart(form(png(400, 400), "second.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    let forged = seller
        .post(app.url(&format!("/seller/products/{product_id}/photos")))
        .multipart(form(png(401, 400), "third.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "no CSRF token, no upload");
    assert_eq!(
        app.db.store.product(product_id).await.unwrap().photos.len(),
        2
    );
    let buyer_page = reqwest::get(app.url(&format!("/products/{product_id}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !buyer_page.contains("type=\"file\""),
        "only members see the upload form"
    );
    let county = reqwest::get(app.url("/regions/huixian"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(county.contains(created["thumb_url"].as_str().unwrap()));
    app.stop().await;
}

/// A real 10,000 x 10,000 PNG (black, a few hundred kilobytes), written row by row so the
/// test itself never holds the picture.
fn huge_png() -> Vec<u8> {
    let side = 10_000u32;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, side, side);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let mut rows = writer.stream_writer().unwrap();
    let row = vec![0u8; side as usize * 3];
    for _ in 0..side {
        std::io::Write::write_all(&mut rows, &row).unwrap();
    }
    rows.finish().unwrap();
    writer.finish().unwrap();
    bytes
}

#[tokio::test]
async fn a_picture_bomb_is_refused_before_it_is_decoded() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (owner, product_id) = product(&app).await;
    let bomb = huge_png();
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    // The test process holds other tests' servers too: measure from here. Decoding the
    // 10,000 x 10,000 picture would take 300 MB more at once.
    let baseline = if support::reset_peak_rss() {
        support::rss_mb()
    } else {
        0
    };
    let started = std::time::Instant::now();
    let answer = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/products/{product_id}/photos")))
        .bearer_auth(owner)
        .multipart(form(bomb, "bomb.png"))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(answer.status(), 422);
    assert_eq!(
        answer.json::<Value>().await.unwrap()["error"]["code"],
        "photo-too-large"
    );
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
    let peak = support::peak_rss_mb();
    println!(
        "picture bomb: answered in {took:?}, peak resident memory {peak} MB (from {baseline} MB)"
    );
    assert!(
        peak < baseline + 200 && (baseline > 0 || peak < 300),
        "peak resident memory {peak} MB from {baseline} MB"
    );
}
