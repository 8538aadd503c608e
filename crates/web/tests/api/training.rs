//! Training through the real server: a trainer adds a camp and schedules it, villagers enrol
//! (themselves and through a station), the waitlist moves up, check-in codes are taken fresh
//! and refused when old or forged, the certificate verifies in public, the shop application
//! comes prefilled, and the funnel counts it; other counties see none of it.

use crate::support;

use farmgate_domain::training::{CHECK_IN_LIFETIME_SECS, CheckInToken};
use farmgate_web::WebConfig;
use serde_json::{Value, json};
use support::{App, Db, spawn_app, spawn_with, text};

const SYLLABUS: &str =
    "开网店：注册和认证\n拍好产品照片\n写好商品故事\n直播带货入门\n第一次直播实操";

fn tomorrow() -> String {
    (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string()
}

fn attr_after(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

/// The trainer adds the camp on the console and schedules it for tomorrow with `capacity`
/// places; returns the session id.
async fn camp(app: &App, trainer: &reqwest::Client, capacity: &str) -> i64 {
    let added = app
        .submit(
            trainer,
            "/trainer",
            "/trainer/courses",
            &[
                ("kind", "camp"),
                ("days", "5"),
                ("language", "zh-CN"),
                ("language", "ug"),
                ("title_zh", "电商创业五日训练营"),
                ("title_ug", "تور سودا بەش كۈنلۈك لاگېرى"),
                ("summary_zh", "学会开网店和直播带货"),
                ("syllabus_zh", SYLLABUS),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let courses: Value = reqwest::get(app.url("/api/v1/training/courses?region=tekes"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let course = courses
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "camp")
        .unwrap();
    assert_eq!(course["min_days"], 4, "the camp completes with 4 of 5 days");
    // A second trainer of the county teaches with the first.
    let tekes = app.db.store.region_by_code("tekes").await.unwrap();
    let login = farmgate_domain::accounts::LoginId::parse("guo-xuemei").unwrap();
    let co = match app.db.store.account_by_login(&login).await.unwrap() {
        Some(account) => account,
        None => {
            let account = app
                .db
                .store
                .create_account(farmgate_store::accounts::NewAccount {
                    login,
                    display_name: farmgate_domain::accounts::DisplayName::parse("郭雪梅").unwrap(),
                    password_hash: "x".to_owned(),
                    language: farmgate_domain::lang::Language::ZhCn,
                })
                .await
                .unwrap();
            app.db
                .store
                .grant_role(
                    account.id,
                    farmgate_domain::authz::Role::Trainer,
                    tekes.id,
                    None,
                )
                .await
                .unwrap();
            account
        }
    };
    let console = text(trainer, app.url("/trainer")).await;
    assert!(
        console.contains("郭雪梅"),
        "the county's trainers to teach with"
    );
    let scheduled = app
        .submit(
            trainer,
            "/trainer",
            "/trainer/sessions",
            &[
                ("course", &course["id"].to_string()),
                ("starts_on", &tomorrow()),
                ("venue_kind", "centre"),
                ("venue_name", "中心二楼培训室"),
                ("region", "tekes"),
                ("capacity", capacity),
                ("trainer", &co.id.to_string()),
            ],
        )
        .await;
    assert_eq!(scheduled.status(), 303);
    let location = scheduled.headers()["location"].to_str().unwrap();
    let id: i64 = location
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .expect("the roster's address");
    let session = app.db.store.training_session(id).await.unwrap();
    assert_eq!(session.trainer_ids.len(), 2, "both teach");
    assert!(session.trainer_ids.contains(&co.id));
    id
}

/// A fresh check-in address for `day`, as the trainer's screen shows it.
async fn check_in_url(app: &App, trainer: &reqwest::Client, session: i64, day: i32) -> String {
    let screen = text(
        trainer,
        app.url(&format!("/trainer/sessions/{session}/check-in?day={day}")),
    )
    .await;
    assert!(screen.contains("<svg"), "the screen shows a QR code");
    assert!(screen.contains("/static/check-in.js"), "and renews it");
    attr_after(&screen, "id=\"check-in-url\" href=\"")
}

/// Registers with a mobile number as the login, as villagers do, and logs in.
async fn register(app: &App, phone: &str) -> reqwest::Client {
    let login = phone;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"login": login, "password": "farmgate-demo", "display_name": "古丽"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "register {login}");
    app.logged_in(login).await
}

#[tokio::test]
async fn from_enrolment_to_certificate_shop_and_funnel() {
    let app = spawn_app().await;
    let trainer = app.logged_in("tekes-centre").await;
    let session = camp(&app, &trainer, "2").await;
    let page = format!("/training/sessions/{session}");

    // A villager enrols herself in a tap: name and phone come from the account.
    let villager = register(&app, "13912340001").await;
    let own = text(&villager, app.url(&page)).await;
    assert!(own.contains("value=\"13912340001\""), "phone prefilled");
    assert!(own.contains("郭雪梅"), "the trainers are named");
    let enrolled = app
        .submit(
            &villager,
            &page,
            &format!("{page}/enrol"),
            &[
                ("name", "阿依古丽"),
                ("phone", "13912340001"),
                ("gender", "female"),
            ],
        )
        .await;
    assert_eq!(
        enrolled.headers()["location"],
        format!("{page}?done=enrolled")
    );

    // The village station enrols a neighbour who has no smartphone: name and phone.
    let station = app.logged_in("kuokesu-station").await;
    let other = app
        .submit(
            &station,
            &page,
            &format!("{page}/enrol-other"),
            &[
                ("name", "吐尔逊"),
                ("phone", "13912340002"),
                ("village", "tekes-kuokesu"),
                ("back", "session"),
            ],
        )
        .await;
    assert_eq!(other.headers()["location"], format!("{page}?done=other"));
    let refused = app
        .submit(
            &station,
            &page,
            &format!("{page}/enrol-other"),
            &[("name", "没电话"), ("phone", "")],
        )
        .await;
    assert_eq!(refused.status(), 422, "someone else needs a phone number");
    assert!(refused.text().await.unwrap().contains("11 位"));

    // The session is full: the next one waits, and moves up when a place frees.
    let late = register(&app, "13912340003").await;
    let waiting = app
        .submit(
            &late,
            &page,
            &format!("{page}/enrol"),
            &[("name", "晚来的"), ("phone", "13912340003")],
        )
        .await;
    assert_eq!(
        waiting.headers()["location"],
        format!("{page}?done=waitlisted")
    );
    let roster = text(&trainer, app.url(&format!("/trainer/sessions/{session}"))).await;
    assert!(roster.contains("吐尔逊") && roster.contains("排队中"));
    assert!(
        roster.contains("13912340002"),
        "the centre's staff see phones in full"
    );

    // Four days of scanning: the certificate comes with the fourth.
    for day in [1, 2, 3, 5] {
        let url = check_in_url(&app, &trainer, session, day).await;
        let done = villager.get(&url).send().await.unwrap();
        assert_eq!(done.status(), 200);
        let done = done.text().await.unwrap();
        assert!(
            done.contains(&format!("第 \u{2068}{day}\u{2069} 天已签到")),
            "day {day}"
        );
        assert_eq!(done.contains("/training/certificates/"), day == 5);
    }
    let again = villager
        .get(check_in_url(&app, &trainer, session, 1).await)
        .send()
        .await
        .unwrap();
    assert!(again.text().await.unwrap().contains("今天已经签过到了"));
    // The waiting one cannot check in.
    let url = check_in_url(&app, &trainer, session, 1).await;
    let waitlisted = late.get(&url).send().await.unwrap();
    assert_eq!(waitlisted.status(), 409);
    assert!(waitlisted.text().await.unwrap().contains("还在排队"));

    // A code older than its lifetime, or with another signature, is refused with a message.
    let key = app.db.store.signing_key("check-in").await.unwrap();
    let old = CheckInToken {
        session_id: session,
        day: 4,
        issued_at: chrono::Utc::now().timestamp() - CHECK_IN_LIFETIME_SECS - 5,
    }
    .sign(&key);
    let expired = villager
        .get(app.url(&format!("/training/check-in?code={old}")))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 410);
    assert!(expired.text().await.unwrap().contains("签到码已过期"));
    let fresh = check_in_url(&app, &trainer, session, 4).await;
    let forged = format!(
        "{}{}",
        &fresh[..fresh.len() - 4],
        if fresh.ends_with("0000") {
            "1111"
        } else {
            "0000"
        }
    );
    let forged = villager.get(&forged).send().await.unwrap();
    assert_eq!(forged.status(), 400);
    assert!(forged.text().await.unwrap().contains("签到码无效"));
    let anonymous = app.browser().get(&fresh).send().await.unwrap();
    assert_eq!(anonymous.status(), 303, "the login page brings them back");
    assert!(
        anonymous.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );

    // By hand: the trainer ticks the neighbour without a phone, and it is recorded by them.
    let tureson = app
        .db
        .store
        .roster(session)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.trainee.name == "吐尔逊")
        .unwrap();
    let ticked = app
        .submit(
            &trainer,
            &format!("/trainer/sessions/{session}"),
            &format!("/trainer/sessions/{session}/attendance"),
            &[("trainee", &tureson.trainee.id.to_string()), ("day", "1")],
        )
        .await;
    assert_eq!(ticked.status(), 303);
    let no_day = app
        .submit(
            &trainer,
            &format!("/trainer/sessions/{session}"),
            &format!("/trainer/sessions/{session}/attendance"),
            &[("trainee", &tureson.trainee.id.to_string()), ("day", "6")],
        )
        .await;
    assert_eq!(no_day.status(), 422);

    let ticked_by = app
        .db
        .store
        .roster(session)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.trainee.name == "吐尔逊")
        .unwrap();
    assert_eq!(ticked_by.days, [1]);
    let me = app
        .db
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("tekes-centre").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticked_by.ticked_by, [(1, Some(me.id))]);
    let roster = text(&trainer, app.url(&format!("/trainer/sessions/{session}"))).await;
    assert!(
        roster.contains("（手工）"),
        "the roster shows which days were ticked by hand"
    );

    // The days cannot move once attended; the venue can.
    let moved = app
        .submit(
            &trainer,
            &format!("/trainer/sessions/{session}"),
            &format!("/trainer/sessions/{session}/edit"),
            &[
                (
                    "starts_on",
                    &(chrono::Utc::now().date_naive() + chrono::Days::new(9)).to_string(),
                ),
                ("venue_kind", "centre"),
                ("venue_name", "三楼"),
            ],
        )
        .await;
    assert_eq!(moved.status(), 422);
    assert!(moved.text().await.unwrap().contains("开课日期不能再改"));
    let venue = app
        .submit(
            &trainer,
            &format!("/trainer/sessions/{session}"),
            &format!("/trainer/sessions/{session}/edit"),
            &[
                ("starts_on", &tomorrow()),
                ("venue_kind", "industrial_park"),
                ("venue_name", "电商产业园"),
            ],
        )
        .await;
    assert_eq!(venue.status(), 303);
    let session_page = text(&villager, app.url(&format!("/training/sessions/{session}"))).await;
    assert!(session_page.contains("电商产业园"));

    // Fewer places than people enrolled are refused, with the reason beside the field.
    let fewer = app
        .submit(
            &trainer,
            &format!("/trainer/sessions/{session}"),
            &format!("/trainer/sessions/{session}/capacity"),
            &[("capacity", "1")],
        )
        .await;
    assert_eq!(fewer.status(), 422);
    assert!(
        fewer
            .text()
            .await
            .unwrap()
            .contains("名额不能少于已报名的人数")
    );

    // He cannot come after all: the trainer takes him off, and the one waiting moves up.
    let removed = app
        .submit(
            &trainer,
            &format!("/trainer/sessions/{session}"),
            &format!("/trainer/sessions/{session}/withdraw"),
            &[("trainee", &tureson.trainee.id.to_string())],
        )
        .await;
    assert_eq!(removed.status(), 303);
    let promoted = late
        .get(check_in_url(&app, &trainer, session, 2).await)
        .send()
        .await
        .unwrap();
    assert_eq!(
        promoted.status(),
        200,
        "the one who waited has the place and checks in"
    );
    let kuqa = app.logged_in("kuqa-centre").await;
    let foreign = app
        .submit(
            &kuqa,
            "/trainer",
            &format!("/trainer/sessions/{session}/withdraw"),
            &[("trainee", &tureson.trainee.id.to_string())],
        )
        .await;
    assert_eq!(
        foreign.status(),
        404,
        "another county's trainer cannot touch the roster"
    );
    // The tick by hand, the moved day and the removal are in Tekes' audit log; what was
    // refused (too few places, the attempt from Kuqa) is not.
    let tekes = app.db.store.region_by_code("tekes").await.unwrap();
    let logged: Vec<String> = app
        .db
        .store
        .audit_within(&tekes.path, None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.subject_id == session)
        .map(|e| e.action)
        .collect();
    assert_eq!(
        logged,
        ["roster-removed", "session-moved", "attendance-ticked"],
        "newest first"
    );

    // The certificate, in Uyghur for a Uyghur reader, verifies in public; a changed one does not.
    let mine = text(&villager, app.url("/training/me")).await;
    let code = attr_after(&mine, "href=\"/training/certificates/");
    let certificate = text(
        &villager,
        app.url(&format!("/training/certificates/{code}")),
    )
    .await;
    assert!(certificate.contains("阿依古丽") && certificate.contains("电商创业五日训练营"));
    let verify = attr_after(&certificate, "id=\"verify-link\" href=\"");
    let public = reqwest::Client::new()
        .get(&verify)
        .header("accept-language", "ug")
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 200);
    let public = public.text().await.unwrap();
    assert!(public.contains("ھەقىقىي") && public.contains("阿依古丽"));
    assert!(
        !public.contains("13912340001"),
        "no personal data beyond the name"
    );
    let fake = reqwest::get(format!(
        "{}0",
        verify.trim_end_matches(char::is_alphanumeric)
    ))
    .await
    .unwrap();
    assert_eq!(fake.status(), 404);
    let stranger = app.logged_in("buyer").await;
    let hidden = stranger
        .get(app.url(&format!("/training/certificates/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404, "a certificate page is its holder's");

    // From the certificate to a shop application, filled in.
    let form = text(
        &villager,
        app.url(&format!("/shops/apply?certificate={code}")),
    )
    .await;
    assert!(form.contains("阿依古丽的小店") && form.contains("电商创业五日训练营"));
    let applied = app
        .submit(
            &villager,
            &format!("/shops/apply?certificate={code}"),
            "/shops/apply",
            &[
                ("name", "阿依古丽的小店"),
                ("kind", "farmer"),
                ("village", "tekes-qiongkushitai"),
                ("phone", "13912340001"),
                ("story", ""),
            ],
        )
        .await;
    assert_eq!(applied.status(), 303);

    // The centre's funnel counts her: completed 1, applied 1; and lists nobody to call yet
    // but the neighbour? He has not completed: nobody but her is in the funnel.
    let funnel = text(&trainer, app.url("/centre/training")).await;
    assert!(
        funnel.contains("data-stage=\"1\">1<") && funnel.contains("data-stage=\"2\">1<"),
        "{funnel}"
    );
    assert!(funnel.contains("<svg"), "as a chart");
    let attendance = text(&trainer, app.url("/centre/training/attendance")).await;
    assert!(attendance.contains("3000") || attendance.contains("3,000"));
    let sheet = trainer
        .get(app.url("/centre/training/attendance.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), 200);
    assert!(
        sheet.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheet")
    );
    assert_eq!(&sheet.bytes().await.unwrap()[..2], b"PK");
    app.stop().await;
}

#[tokio::test]
async fn another_county_sees_none_of_its_trainees() {
    let app = spawn_app().await;
    let trainer = app.logged_in("tekes-centre").await;
    let session = camp(&app, &trainer, "10").await;
    let villager = register(&app, "13912340011").await;
    let page = format!("/training/sessions/{session}");
    app.submit(
        &villager,
        &page,
        &format!("{page}/enrol"),
        &[("name", "米热依"), ("phone", "13912340011")],
    )
    .await;

    // The list of sessions to come, across counties or in one.
    let everywhere = text(&reqwest::Client::new(), app.url("/training")).await;
    assert!(everywhere.contains(&format!("/training/sessions/{session}\"")));
    let in_tekes = text(&reqwest::Client::new(), app.url("/training?county=tekes")).await;
    assert!(in_tekes.contains(&format!("/training/sessions/{session}\"")));
    let in_kuqa = text(&reqwest::Client::new(), app.url("/training?county=kuqa")).await;
    assert!(!in_kuqa.contains(&format!("/training/sessions/{session}\"")));
    // A village's page shows its county's training to come.
    let village = text(
        &reqwest::Client::new(),
        app.url("/regions/tekes-qiongkushitai"),
    )
    .await;
    assert!(village.contains(&format!("/training/sessions/{session}\"")));
    assert!(village.contains("/training?county=tekes"));
    let kuqa_page = text(&reqwest::Client::new(), app.url("/regions/kuqa")).await;
    assert!(!kuqa_page.contains(&format!("/training/sessions/{session}\"")));

    let kuqa = app.logged_in("kuqa-centre").await;
    for path in [
        format!("/trainer/sessions/{session}"),
        format!("/trainer/sessions/{session}/check-in?day=1"),
    ] {
        let response = kuqa.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    let funnel = kuqa
        .get(app.url("/centre/training?region=tekes"))
        .send()
        .await
        .unwrap();
    assert_eq!(funnel.status(), 403);
    let token = app.token("kuqa-centre").await;
    let roster = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/training/sessions/{session}/roster")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(roster.status(), 404);
    let tekes_roster: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/training/sessions/{session}/roster")))
        .bearer_auth(app.token("tekes-centre").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tekes_roster[0]["name"], "米热依");
    assert_eq!(tekes_roster[0]["phone"], "139****0011", "masked in the API");
    // Korla's station enrols nobody into Tekes' camp.
    let saibag = app.logged_in("saibag-station").await;
    let response = app
        .submit(
            &saibag,
            &page,
            &format!("{page}/enrol-other"),
            &[("name", "外县"), ("phone", "13912340012")],
        )
        .await;
    assert_eq!(response.status(), 404);
    // The county's official reads the funnel but not the list with phones.
    let official = app.logged_in("tekes-official").await;
    let funnel = text(&official, app.url("/centre/training")).await;
    assert!(funnel.contains("data-stage=\"1\"") && !funnel.contains("id=\"follow-ups\""));
    let staff = text(&trainer, app.url("/centre/training")).await;
    assert!(staff.contains("id=\"follow-ups\""));
    app.stop().await;
}

#[tokio::test]
async fn the_api_enrols_waits_promotes_and_checks_in() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let trainer = app.token("tekes-centre").await;
    let course: Value = client
        .post(app.url("/api/v1/training/courses"))
        .bearer_auth(&trainer)
        .json(&json!({"kind": "basics", "days": 1, "title_zh": "电商基础课", "syllabus_zh": ["认识网店"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(course["min_days"], 1);
    let bad = client
        .post(app.url("/api/v1/training/sessions"))
        .bearer_auth(&trainer)
        .header("accept-language", "en")
        .json(&json!({"course_id": course["id"], "venue_kind": "centre", "venue_name": "二楼", "capacity": 0, "starts_on": tomorrow()}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["error"]["field"], "capacity");
    assert!(bad["error"]["message"].as_str().unwrap().contains("500"));
    let stranger = client
        .post(app.url("/api/v1/training/sessions"))
        .bearer_auth(&trainer)
        .json(&json!({"course_id": course["id"], "venue_kind": "centre", "venue_name": "二楼", "capacity": 5, "starts_on": tomorrow(), "trainer_ids": [999_999]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 422, "only the county's trainers teach");
    let session: Value = client
        .post(app.url("/api/v1/training/sessions"))
        .bearer_auth(&trainer)
        .json(&json!({"course_id": course["id"], "venue_kind": "centre", "venue_name": "二楼", "capacity": 1, "starts_on": tomorrow()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = session["id"].as_i64().unwrap();
    let enrol = |token: String, body: Value| {
        let client = client.clone();
        let url = app.url(&format!("/api/v1/training/sessions/{id}/enrolments"));
        async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let buyer = app.token("buyer").await;
    let (status, first) = enrol(buyer.clone(), json!({"phone": "13912340021"})).await;
    assert_eq!((status, first["status"].as_str()), (201, Some("enrolled")));
    let station = app.token("kuokesu-station").await;
    let (status, second) = enrol(
        station.clone(),
        json!({"on_behalf": true, "name": "阿不都", "phone": "13912340022"}),
    )
    .await;
    assert_eq!(
        (status, second["status"].as_str()),
        (201, Some("waitlisted"))
    );
    let (status, _) = enrol(
        app.token("saibag-station").await,
        json!({"on_behalf": true, "name": "外县", "phone": "13912340023"}),
    )
    .await;
    assert_eq!(status, 404, "not their county");
    let left = client
        .delete(app.url(&format!("/api/v1/training/sessions/{id}/enrolments/me")))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), 204, "the buyer gives the place up");
    let roster: Value = client
        .get(app.url(&format!("/api/v1/training/sessions/{id}/roster")))
        .bearer_auth(&trainer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(roster[0]["trainee_id"], second["trainee_id"]);
    assert_eq!(
        roster[0]["status"], "enrolled",
        "the first in line moved up"
    );
    let again = client
        .delete(app.url(&format!("/api/v1/training/sessions/{id}/enrolments/me")))
        .bearer_auth(&buyer)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    let listed: Value = reqwest::get(app.url("/api/v1/training/sessions?region=tekes"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["enrolled"], 1);
    assert_eq!(listed[0]["waitlisted"], 0);

    // Check-in with a scanned code: the buyer is no longer enrolled, so refused.
    let key = app.db.store.signing_key("check-in").await.unwrap();
    let code = CheckInToken {
        session_id: id,
        day: 1,
        issued_at: chrono::Utc::now().timestamp(),
    }
    .sign(&key);
    let response = client
        .post(app.url("/api/v1/training/check-in"))
        .bearer_auth(&buyer)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let old = CheckInToken {
        session_id: id,
        day: 1,
        issued_at: 1_000_000,
    }
    .sign(&key);
    let response = client
        .post(app.url("/api/v1/training/check-in"))
        .bearer_auth(&buyer)
        .json(&json!({"code": old}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 410);
    let ticked: Value = client
        .post(app.url(&format!("/api/v1/training/sessions/{id}/attendance")))
        .bearer_auth(&trainer)
        .json(&json!({"trainee_id": second["trainee_id"], "day": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let certificate = ticked["certificate"]
        .as_str()
        .expect("the one-day course is complete");
    let bad = reqwest::get(app.url(&format!(
        "/api/v1/training/certificates/verify/{certificate}.00"
    )))
    .await
    .unwrap();
    assert_eq!(bad.status(), 404);
    let openapi: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/training/courses",
        "/api/v1/training/sessions",
        "/api/v1/training/sessions/{id}/enrolments",
        "/api/v1/training/sessions/{id}/enrolments/me",
        "/api/v1/training/sessions/{id}/attendance",
        "/api/v1/training/check-in",
        "/api/v1/training/certificates/verify/{token}",
    ] {
        assert!(openapi["paths"].get(path).is_some(), "{path} documented");
    }
    app.stop().await;
}

/// The review's takeover: a stranger who types a neighbour's phone number gets a message, not
/// her record; she proves the number with the code sent to it (the demo's outbox, read by the
/// administrator) and the record is hers; a trainer joins another neighbour's record in person.
#[tokio::test]
async fn a_typed_phone_number_takes_over_nothing() {
    let config = WebConfig {
        messenger: farmgate_web::messaging::MessengerKind::Outbox,
        ..WebConfig::default()
    };
    let app = spawn_with(Db::Sqlite, config).await.unwrap();
    let trainer = app.logged_in("tekes-centre").await;
    let session = camp(&app, &trainer, "5").await;
    let page = format!("/training/sessions/{session}");
    let station = app.logged_in("kuokesu-station").await;
    for (name, phone) in [("吐尔逊", "13912349001"), ("阿依古丽", "13912349002")] {
        let other = app
            .submit(
                &station,
                &page,
                &format!("{page}/enrol-other"),
                &[
                    ("name", name),
                    ("phone", phone),
                    ("village", "tekes-kuokesu"),
                    ("back", "session"),
                ],
            )
            .await;
        assert_eq!(other.status(), 303);
    }
    // Someone types 吐尔逊's number: refused beside the phone field, nothing of his shown.
    let stranger = register(&app, "13912349099").await;
    let refused = app
        .submit(
            &stranger,
            &page,
            &format!("{page}/enrol"),
            &[("name", "冒名"), ("phone", "13912349001")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains("请先验证手机号"), "{body}");
    let mine = text(&stranger, app.url("/training/me")).await;
    assert!(!mine.contains("吐尔逊"));

    // 吐尔逊 himself proves the number with the code the outbox kept.
    let tursun = register(&app, "13912349100").await;
    let form = text(&tursun, app.url("/account/phone")).await;
    let sent = app
        .submit(
            &tursun,
            "/account/phone",
            "/account/phone/code",
            &[("phone", "13912349001")],
        )
        .await;
    assert_eq!(sent.status(), 200, "{form}");
    let sent = sent.text().await.unwrap();
    let code_id = attr_after(&sent, "name=\"code_id\" value=\"");
    let admin = app.logged_in("admin").await;
    let outbox = text(&admin, app.url("/admin/outbox")).await;
    assert!(outbox.contains("13912349001"), "{outbox}");
    let code: String = outbox
        .split("验证码是 ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    assert_eq!(
        stranger
            .get(app.url("/admin/outbox"))
            .send()
            .await
            .unwrap()
            .status(),
        403,
        "administrators only"
    );
    let wrong = app
        .submit(
            &tursun,
            "/account/phone",
            "/account/phone/prove",
            &[
                ("code_id", code_id.as_str()),
                ("code", "000000"),
                ("phone", "13912349001"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let proven = app
        .submit(
            &tursun,
            "/account/phone",
            "/account/phone/prove",
            &[
                ("code_id", code_id.as_str()),
                ("code", code.as_str()),
                ("phone", "13912349001"),
            ],
        )
        .await;
    assert_eq!(proven.status(), 200);
    assert!(
        proven
            .text()
            .await
            .unwrap()
            .contains("培训记录已归到这个账户")
    );
    let his = text(&tursun, app.url("/training/me")).await;
    assert!(his.contains("电商创业五日训练营"), "{his}");

    // 阿依古丽 has no phone of her own to receive codes: the trainer confirms her in person.
    let aygul = register(&app, "13912349200").await;
    let roster = text(&trainer, app.url(&format!("/trainer/sessions/{session}"))).await;
    let her_id = app
        .db
        .store
        .roster(session)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.trainee.name == "阿依古丽")
        .unwrap()
        .trainee
        .id;
    assert!(roster.contains(&format!("confirm-{her_id}")));
    let confirmed = app
        .submit(
            &trainer,
            &format!("/trainer/sessions/{session}"),
            &format!("/trainer/sessions/{session}/confirm"),
            &[
                ("trainee", her_id.to_string().as_str()),
                ("login", "13912349200"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 303);
    let hers = text(&aygul, app.url("/training/me")).await;
    assert!(hers.contains("电商创业五日训练营"), "{hers}");
    let trainee = app.db.store.trainee(her_id).await.unwrap();
    assert!(trainee.account_id.is_some());
    app.stop().await;
}

/// A trainer who writes only in Uyghur: a course, its syllabus and a session's venue need no
/// Chinese; nothing written at all is refused on the trainer's own language's field; a Chinese
/// reader is shown the Uyghur venue isolated and marked as Uyghur.
#[tokio::test]
async fn a_course_and_its_venue_are_written_in_uyghur_alone() {
    let app = spawn_app().await;
    let trainer = app.logged_in("tekes-centre").await;
    trainer.get(app.url("/lang/ug")).send().await.unwrap();
    let course = |title: &'static str| {
        vec![
            ("kind", "basics"),
            ("days", "2"),
            ("language", "ug"),
            ("title_ug", title),
            ("summary_ug", "تور دۇكىنى ئېچىشنى ئۆگىنىمىز"),
            ("syllabus_ug", "تور سودىسى\nنەق مەيدان"),
        ]
    };
    let untitled = app
        .submit(&trainer, "/trainer", "/trainer/courses", &course(""))
        .await;
    assert_eq!(untitled.status(), 422);
    let page = untitled.text().await.unwrap();
    assert!(
        page.contains("id=\"title_ug-error\""),
        "the mistake sits on the Uyghur title"
    );
    let added = app
        .submit(
            &trainer,
            "/trainer",
            "/trainer/courses",
            &course("تور دۇكىنى دەرسى"),
        )
        .await;
    assert_eq!(added.status(), 303);
    let courses: Value = reqwest::get(app.url("/api/v1/training/courses?region=tekes"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let course = courses
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"]["ug"] == "تور دۇكىنى دەرسى")
        .expect("the Uyghur course");
    assert!(course["title"].get("zh-CN").is_none(), "no Chinese written");
    assert_eq!(course["syllabus"][1]["ug"], "نەق مەيدان");

    let schedule = |venue: &'static str| {
        let id = course["id"].to_string();
        vec![
            ("course", id),
            ("starts_on", tomorrow()),
            ("venue_kind", "centre".to_owned()),
            ("venue_name_ug", venue.to_owned()),
            ("capacity", "20".to_owned()),
        ]
    };
    let nowhere = schedule("");
    let nowhere: Vec<(&str, &str)> = nowhere.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = app
        .submit(&trainer, "/trainer", "/trainer/sessions", &nowhere)
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("id=\"venue_name_ug-error\""),
        "the mistake sits on the Uyghur venue"
    );
    let fields = schedule("ئىككىنچى قەۋەت");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let scheduled = app
        .submit(&trainer, "/trainer", "/trainer/sessions", &fields)
        .await;
    assert_eq!(scheduled.status(), 303);
    let id = scheduled.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let chinese = support::page_in(app.url(&format!("/training/sessions/{id}")), "zh-CN").await;
    assert!(
        chinese.contains("<bdi lang=\"ug\">ئىككىنچى قەۋەت</bdi>"),
        "the venue in Uyghur, isolated and marked"
    );
    assert!(chinese.contains("تور سودىسى"), "the syllabus as written");
    let uyghur = support::page_in(app.url(&format!("/training/sessions/{id}")), "ug").await;
    assert!(
        uyghur.contains("<bdi>ئىككىنچى قەۋەت</bdi>"),
        "the reader's own language needs no mark"
    );
    app.stop().await;
}
