//! Search and browse over the demo catalogue, through the real server.

use crate::support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::spawn_with_catalog;

async fn search(app: &support::App, query: &[(&str, &str)]) -> Value {
    // The index fills in the background as the server starts: wait for it.
    let started = Instant::now();
    loop {
        let answer: Value = reqwest::Client::new()
            .get(app.url("/api/v1/search"))
            .query(query)
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if answer["total"].as_u64().unwrap_or(0) > 0 || started.elapsed() > Duration::from_secs(5) {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn names(answer: &Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn buyers_find_the_specialties_in_three_languages_and_new_products_at_once() {
    let app = spawn_with_catalog().await;
    let walnuts = names(&search(&app, &[("q", "核桃")]).await);
    assert!(walnuts.contains(&"Kuqa walnuts".to_owned()), "{walnuts:?}");
    assert!(
        walnuts.contains(&"Huixian thin-shell walnuts".to_owned()),
        "{walnuts:?}"
    );
    let uyghur = names(&search(&app, &[("q", "ياڭاق")]).await);
    assert_eq!(uyghur.len(), walnuts.len(), "{uyghur:?} vs {walnuts:?}");
    let english = search(
        &app,
        &[("q", "walnut"), ("sort", "price_asc"), ("in_stock", "1")],
    )
    .await;
    assert_eq!(english["total"], walnuts.len());
    let dates = names(&search(&app, &[("q", "紅棗")]).await); // traditional characters
    assert_eq!(dates.first().map(String::as_str), Some("Kuqa red dates"));
    let kuqa = search(&app, &[("region", "kuqa"), ("category", "nuts")]).await;
    assert_eq!(names(&kuqa), ["Kuqa walnuts"]);

    let bad = reqwest::get(app.url("/api/v1/search?sort=cheapest"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["error"]["field"], "sort");

    // A product a seller lists now is found within a second.
    let (owner, shop_id) = app.open_shop("tuoli-grower", "jinghe-gouqi").await;
    let created: Value = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/shops/{shop_id}/products")))
        .bearer_auth(&owner)
        .json(&json!({
            "texts": {"zh-CN": {"name": "精河枸杞原浆"}},
            "category": "dried-fruit",
            "origin": "jinghe-gouqi",
            "variants": [{"unit": "box", "net_grams": 300, "price_fen": 9800, "stock": 20}]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let started = Instant::now();
    loop {
        let found = search(&app, &[("q", "原浆")]).await;
        if found["hits"][0]["id"] == created["id"] {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(1), "{found}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The page: results, filters and sorting without JavaScript, in Uyghur too.
    let page = reqwest::Client::new()
        .get(app.url("/search"))
        .query(&[("q", "枸杞")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("精河红枸杞") && page.contains("name=\"sort\""));
    let category = reqwest::Client::new()
        .get(app.url("/categories/nuts"))
        .header("accept-language", "ug")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(category.contains("dir=\"rtl\"") && category.contains("مېغىزلار"));
    // Browsing leads there: categories from the home page, a county's full list from its page.
    let home = reqwest::get(app.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("href=\"/categories/nuts\""));
    let county = reqwest::get(app.url("/regions/kuqa"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        county.contains("/search?region=kuqa&#38;sort=newest"),
        "{county}"
    );
    let all = reqwest::get(app.url("/search?region=kuqa&sort=newest"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(all.contains("库车红枣") && all.contains("库车核桃"));
    app.stop().await;
}
