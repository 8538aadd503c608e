//! The county's statistics through the real server: a bag sold and collected in Saibag shows in
//! Korla's month (API, page and workbook) once the rollups take it in; the drill goes from the
//! county to the township to the village; Tekes's official does not reach Korla's numbers, a
//! buyer none; a wrong month is refused.

use serde_json::Value;

use crate::household_income::{pears, sold};
use crate::support::{self, App, Db};

async fn stats(app: &App, token: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(&format!("/api/v1/stats{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn a_county_reads_its_statistics(app: App) {
    let (owner, shop) = app.open_shop("saibag-stall", "korla-saibag").await;
    let variant = pears(&app, &owner, shop).await;
    sold(&app, &owner, variant).await;
    app.db.store.refresh_stats().await.unwrap();

    let official = app.token("korla-official").await;
    let korla: Value = stats(&app, &official, "").await.json().await.unwrap();
    assert_eq!(korla["region"], "korla", "the official's own county");
    assert_eq!(korla["sales"]["now"]["orders"], 1);
    assert_eq!(korla["sales"]["now"]["goods_fen"], 7600);
    assert_eq!(korla["sales_by_month"].as_array().unwrap().len(), 13);
    let township = korla["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["figures"]["goods_fen"] == 7600)
        .expect("the township of the sale");
    assert_eq!(township["key"], "korla-qiaerbag");
    let down: Value = stats(&app, &official, "?region=korla-qiaerbag")
        .await
        .json()
        .await
        .unwrap();
    let village = down["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "korla-saibag")
        .unwrap()
        .clone();
    assert_eq!(village["figures"]["goods_fen"], 7600);
    let tekes_bought: Value = stats(&app, &app.token("tekes-official").await, "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        tekes_bought["purchases"]["now"]["goods_fen"], 7600,
        "picked up at Tekes' centre: bought into Tekes"
    );

    let refused = stats(&app, &app.token("tekes-official").await, "?region=korla").await;
    assert_eq!(refused.status(), 404, "not Tekes's to read");
    let buyer = stats(&app, &app.token("buyer").await, "").await;
    assert_eq!(buyer.status(), 403);
    let wrong = stats(&app, &official, "?month=2026-13").await;
    assert_eq!(wrong.status(), 422);

    let browser = app.logged_in("korla-official").await;
    let page = support::text(&browser, app.url("/centre/stats")).await;
    let page = page.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "");
    assert!(
        page.contains("¥76.00") && page.contains("<svg"),
        "the month and its chart"
    );
    assert!(
        page.contains("/centre/stats?region=korla-qiaerbag"),
        "a tap goes down"
    );
    let bytes = browser
        .get(app.url("/centre/stats.xlsx?region=korla"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let months = workbook.worksheet_range("months").unwrap();
    let last = months.rows().next_back().unwrap();
    assert_eq!(last[1].to_string(), "76", "this month's sales in yuan");
    assert!(workbook.worksheet_range("places").is_ok());
    app.stop().await;
}

#[tokio::test]
async fn a_county_reads_its_statistics_on_sqlite() {
    a_county_reads_its_statistics(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_county_reads_its_statistics_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_county_reads_its_statistics(app).await;
}
