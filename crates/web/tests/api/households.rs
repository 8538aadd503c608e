//! The households register through the real server: Korla's centre registers a household (a
//! wrong identity number is refused beside its field, the same person twice is refused), adds a
//! member, links the household's shop with its share, and sees a whole identity number only on
//! asking, each view in the audit log; Korla's official reads the household masked and cannot
//! ask; Tekes's centre does not find it; a buyer is refused. A year's poverty line is set and
//! its settings kept.

use crate::support;

use support::{App, Db};

const ID: &str = "652801198001011238";

fn bare(page: String) -> String {
    page.replace(['\u{2066}', '\u{2068}', '\u{2069}'], "")
}

async fn a_centre_keeps_its_households(app: App) {
    let store = &app.db.store;
    let (_, shop) = app.open_shop("saibag-grower", "korla-saibag").await;
    let centre = app.logged_in("korla-centre").await;
    let list = "/centre/households";
    let form = |id: &'static str| {
        vec![
            ("head_name", "吐尔逊·买买提"),
            ("id_number", id),
            ("village", "korla-saibag"),
            ("registered_year", "2015"),
            ("note", "种草莓"),
        ]
    };
    let wrong = app
        .submit(&centre, list, list, &form("652801198001011239"))
        .await;
    assert_eq!(wrong.status().as_u16(), 422);
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("id_number-error") && html.contains("最后一位对不上"),
        "beside its field"
    );

    let registered = app.submit(&centre, list, list, &form(ID)).await;
    assert_eq!(registered.status().as_u16(), 303);
    let page = registered.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let household: i64 = page
        .trim_start_matches("/centre/households/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let html = support::text(&centre, app.url(&page)).await;
    assert!(html.contains("6528**********1238"), "masked");
    assert!(!html.contains(ID), "never whole unasked");
    let twice = app.submit(&centre, list, list, &form(ID)).await;
    assert_eq!(twice.status().as_u16(), 409);
    assert!(twice.text().await.unwrap().contains("已经登记在另一户"));

    let members = format!("/centre/households/{household}/members");
    let added = app
        .submit(
            &centre,
            &page,
            &members,
            &[
                ("name", "阿依古丽"),
                ("relation", "spouse"),
                ("id_number", "11010519491231002x"),
            ],
        )
        .await;
    assert_eq!(added.status().as_u16(), 303);
    let links = format!("/centre/households/{household}/links");
    let linked = app
        .submit(
            &centre,
            &page,
            &links,
            &[("target", &format!("shop:{shop}")), ("share", "50")],
        )
        .await;
    assert_eq!(linked.status().as_u16(), 303);
    let html = bare(support::text(&centre, app.url(&page)).await);
    assert!(html.contains("阿依古丽") && html.contains("1101**********002X"));
    assert!(
        html.contains("网店：") && html.contains("占 50%"),
        "the shop and its share"
    );

    let kept = store.household(household).await.unwrap().unwrap();
    let head = kept.members[0].id;
    let reveal = format!("/centre/households/{household}/members/{head}/reveal");
    let revealed = app.submit(&centre, &page, &reveal, &[]).await;
    assert_eq!(revealed.status().as_u16(), 200);
    assert!(
        revealed.text().await.unwrap().contains(ID),
        "whole, on asking"
    );
    let korla = store.region_by_code("korla").await.unwrap();
    let log = store.audit_within(&korla.path, None, 20).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "household-id-viewed" && e.subject_id == head),
        "the view is in the audit log"
    );

    let official = app.logged_in("korla-official").await;
    let html = support::text(&official, app.url(&page)).await;
    assert!(html.contains("6528**********1238") && !html.contains(ID));
    assert!(!html.contains("/reveal"), "no asking for an official");
    let token = support::csrf_of(&support::text(&official, app.url(list)).await);
    let status = official
        .post(app.url(&reveal))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 403, "an official cannot see it whole");
    let elsewhere = app.logged_in("tekes-centre").await;
    let status = elsewhere.get(app.url(&page)).send().await.unwrap().status();
    assert_eq!(status.as_u16(), 404, "not Tekes's");
    let buyer = app.logged_in("buyer").await;
    let status = buyer.get(app.url(list)).send().await.unwrap().status();
    assert_eq!(status.as_u16(), 403);

    let lines = "/centre/households/lines";
    let set = app
        .submit(
            &centre,
            lines,
            lines,
            &[("year", "2025"), ("per_person", "4600")],
        )
        .await;
    assert_eq!(set.status().as_u16(), 303);
    let html = bare(support::text(&centre, app.url(lines)).await);
    assert!(html.contains("¥4600.00"));
    assert_eq!(
        store.poverty_line(korla.id, 2025).await.unwrap(),
        Some(farmgate_domain::money::Fen(460_000))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_centre_keeps_its_households_on_sqlite() {
    a_centre_keeps_its_households(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_centre_keeps_its_households_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_centre_keeps_its_households(app).await;
}
