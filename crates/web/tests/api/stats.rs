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
    assert!(
        korla["opened_shops"].as_i64().unwrap() >= 1,
        "the stall opened this month"
    );
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

    // The month's report, for printing: every module's month on one page.
    let this_month = korla["month"].as_str().unwrap();
    let report = support::text(
        &browser,
        app.url(&format!("/centre/stats/report?month={this_month}")),
    )
    .await;
    let report = report.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "");
    for part in [
        "¥76.00",
        "id=\"trained\"",
        "id=\"stations\"",
        "id=\"households\"",
        "data-print",
    ] {
        assert!(report.contains(part), "the report shows {part}");
    }
    let bytes = browser
        .get(app.url(&format!("/centre/stats/report.xlsx?month={this_month}")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut report_book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    for name in ["trained", "parcels", "stations"] {
        assert!(
            report_book.worksheet_range(name).is_ok(),
            "the report's {name}"
        );
    }
    let far = app
        .logged_in("tekes-official")
        .await
        .get(app.url("/centre/stats/report?region=korla"))
        .send()
        .await
        .unwrap();
    assert_eq!(far.status(), 404, "not Tekes's report");

    // Open data: anyone reads the county's figures, summed over places only.
    let month = korla["month"].as_str().unwrap().to_owned();
    let anyone = reqwest::Client::new();
    let open = support::text(&anyone, app.url(&format!("/open/korla?month={month}"))).await;
    let open = open.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "");
    assert!(
        open.contains("¥76.00") && open.contains("<svg"),
        "the month and its chart"
    );
    let csv = support::text(
        &anyone,
        app.url(&format!("/open/korla/figures.csv?month={month}")),
    )
    .await;
    let row = csv
        .lines()
        .find(|l| l.starts_with(&format!("{month},korla-qiaerbag,")))
        .expect("the township's month");
    assert!(row.contains(",76.00,1,"), "{row}");
    assert_eq!(
        csv.lines().count(),
        1 + 24 * 3,
        "two years of the county and its two townships"
    );
    for not_public in [
        "/open/korla-qiaerbag",
        "/open/nowhere",
        "/open/korla?month=2026-13",
    ] {
        let status = anyone
            .get(app.url(not_public))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status == 404 || status == 422, "{not_public}: {status}");
    }
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

/// The Taobao page: Korla's villages with their year's criteria (a sale this month counts in
/// the year to this month), the centre sets a village's households and a bad count is told in
/// words; an official reads but does not set, another county's does not reach it; the workbook.
async fn a_county_reads_its_taobao_villages(app: App) {
    let (owner, shop) = app.open_shop("taobao-stall", "korla-saibag").await;
    let variant = pears(&app, &owner, shop).await;
    sold(&app, &owner, variant).await;
    app.db.store.refresh_stats().await.unwrap();
    let month = farmgate_domain::stations::till::LedgerMonth::of(
        farmgate_domain::stations::till::LedgerDay::of(chrono::Utc::now()),
    )
    .to_string();
    let page_path = format!("/centre/taobao?region=korla&month={month}");

    let centre = app.logged_in("korla-centre").await;
    let page = support::text(&centre, app.url(&page_path)).await;
    let page = page.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "");
    assert!(page.contains("id=\"v-korla-saibag\""), "Saibag is listed");
    assert!(page.contains("¥76（"), "its year's sales");
    assert!(page.contains("¥10,000,000"), "beside the threshold");
    let set = app
        .submit(
            &centre,
            &page_path,
            &format!("/centre/taobao/households?region=korla&month={month}"),
            &[("village", "korla-saibag"), ("households", "420")],
        )
        .await;
    assert!(set.status().is_redirection() || set.status().is_success());
    let page = support::text(&centre, app.url(&page_path)).await;
    assert!(page.contains("value=\"420\""), "the households kept");
    let wrong = app
        .submit(
            &centre,
            &page_path,
            &format!("/centre/taobao/households?region=korla&month={month}"),
            &[("village", "korla-saibag"), ("households", "很多")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong.text().await.unwrap().contains("户数请填"),
        "told in words"
    );

    let official = app.logged_in("korla-official").await;
    let read = support::text(&official, app.url(&page_path)).await;
    assert!(
        read.contains("420") && !read.contains("name=\"households\""),
        "read, not set"
    );
    let token = support::csrf_of(&read);
    let refused = official
        .post(app.url("/centre/taobao/households?region=korla"))
        .form(&[
            ("_csrf", token.as_str()),
            ("village", "korla-saibag"),
            ("households", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "not the official's to set");
    let tekes = app.logged_in("tekes-official").await;
    let far = tekes.get(app.url(&page_path)).send().await.unwrap();
    assert_eq!(far.status(), 404, "not Tekes's");

    let bytes = official
        .get(app.url(&format!("/centre/taobao.xlsx?region=korla&month={month}")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let villages = workbook.worksheet_range("villages").unwrap();
    assert!(
        villages.rows().any(|r| r[2] == calamine::Data::Float(76.0)),
        "Saibag's year in yuan"
    );
    assert!(workbook.worksheet_range("towns").is_ok());
    app.stop().await;
}

#[tokio::test]
async fn a_county_reads_its_taobao_villages_on_sqlite() {
    a_county_reads_its_taobao_villages(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_county_reads_its_taobao_villages_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_county_reads_its_taobao_villages(app).await;
}
