//! Every role lands on its own work: signing in goes to the role's front page, whose header
//! row and the account page hold its tools; each of those links opens (no 403, no 404) for
//! the person it is shown to, and a page of one desk shows the tools of that desk.

use crate::support::{self, Db, csrf_of, spawn_with};
use farmgate_store::demo::DEMO_PASSWORD;
use farmgate_web::WebConfig;

/// (login, where signing in lands)
const LANDINGS: &[(&str, &str)] = &[
    ("admin", "/centre"),
    ("buyer", "/"),
    ("tekes-centre", "/centre"),
    ("tekes-official", "/centre/stats?region=tekes"),
    ("korla-official", "/centre/stats?region=korla"),
    ("korla-trainer", "/trainer"),
    ("jinghe-seller", "/seller"),
    ("huixian-host", "/seller"),
    ("saibag-station", "/station"),
    ("gaodu-courier", "/courier"),
];

/// The links inside the element that starts with `opening` (up to its closing `tag`).
fn links_in(html: &str, opening: &str, tag: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(opening) {
        let block = &rest[start..];
        let end = block.find(&format!("</{tag}>")).unwrap_or(block.len());
        for piece in block[..end].split("href=\"").skip(1) {
            found.push(piece.split('"').next().unwrap().replace("&amp;", "&"));
        }
        rest = &block[end..];
    }
    found
}

async fn sign_in(app: &support::App, login: &str) -> (reqwest::Client, String) {
    let browser = app.browser();
    let form = support::text(&browser, app.url("/login")).await;
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("_csrf", csrf_of(&form).as_str()),
            ("login", login),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{login} signs in");
    let to = response.headers()["location"].to_str().unwrap().to_owned();
    (browser, to)
}

#[tokio::test]
async fn each_role_lands_on_its_desk_and_every_tool_opens() {
    let config = WebConfig {
        login_per_ip_per_minute: 1000,
        login_per_account_per_minute: 1000,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    app.db.store.load_demo_catalog().await.unwrap();
    for (login, landing) in LANDINGS {
        let (browser, to) = sign_in(&app, login).await;
        assert_eq!(&to, landing, "{login} lands on their work");
        let front = browser.get(app.url(&to)).send().await.unwrap();
        assert_eq!(front.status(), 200, "{login}'s front page {to}");
        let front = front.text().await.unwrap();
        let account = support::text(&browser, app.url("/account")).await;
        let mut links = links_in(&front, "<nav class=\"desk\"", "nav");
        links.extend(links_in(&account, "<p class=\"tools\"", "p"));
        if *landing == "/" {
            assert!(links.is_empty(), "a buyer has no desk: {links:?}");
        } else {
            assert!(
                links.iter().any(|l| l == landing),
                "{login}'s header leads back to the front page: {links:?}"
            );
        }
        for link in links {
            let opened = browser.get(app.url(&link)).send().await.unwrap();
            assert_eq!(opened.status(), 200, "{login} opens {link}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_person_with_two_roles_sees_the_tools_of_the_page_they_are_on_and_can_switch() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (browser, to) = sign_in(&app, "tekes-centre").await;
    assert_eq!(to, "/centre");
    let centre = support::text(&browser, app.url("/centre")).await;
    let tools = links_in(&centre, "<nav class=\"desk\"", "nav");
    assert!(
        tools
            .iter()
            .any(|l| l.starts_with("/centre/shop-applications"))
    );
    assert!(
        centre.contains("class=\"switch\" href=\"/trainer\""),
        "the trainer's desk is one tap away"
    );
    assert!(centre.contains("aria-current=\"page\">"));
    let trainer_funnel = support::text(&browser, app.url("/centre/training/attendance")).await;
    assert!(
        links_in(&trainer_funnel, "<nav class=\"desk\"", "nav")
            .iter()
            .any(|l| l.starts_with("/centre/shop-applications")),
        "a page of both desks shows the first desk's tools"
    );
    // Someone without the role is refused the front page, as every tool is.
    let (buyer, _) = sign_in(&app, "buyer").await;
    for page in ["/centre", "/station", "/courier"] {
        let refused = buyer.get(app.url(page)).send().await.unwrap();
        assert_eq!(refused.status(), 403, "a buyer at {page}");
    }
    app.stop().await;
}
