//! Live rooms through the real server: a host schedules, pins, goes live and ends; viewers
//! see the room; nobody else runs it.

use crate::support;

use farmgate_web::WebConfig;
use support::{Db, csrf_of, spawn_with, text};

#[tokio::test]
async fn a_host_schedules_pins_goes_live_and_ends() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let listed = app.walnut_shop("嘉陵核桃", 20).await;
    // The shop's owner is made a host in Huixian.
    let owner = app
        .db
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("fujia-walnuts").unwrap())
        .await
        .unwrap()
        .unwrap();
    let huixian = app.db.store.region_by_code("huixian").await.unwrap();
    app.db
        .store
        .grant_role(
            owner.id,
            farmgate_domain::authz::Role::Host,
            huixian.id,
            None,
        )
        .await
        .unwrap();
    let host = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let console = text(&host, app.url("/host")).await;
    let csrf = csrf_of(&console);
    let at = (chrono::Utc::now() + chrono::Duration::hours(9))
        .format("%Y-%m-%dT%H:%M")
        .to_string();

    // Mistakes come back beside their field.
    let bad = host
        .post(app.url("/host/rooms"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title_zh", "核桃直播"),
            ("starts_at", "tomorrow"),
            ("shop", &listed.shop_id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("id=\"starts_at-error\""));
    let not_mine = host
        .post(app.url("/host/rooms"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title_zh", "核桃直播"),
            ("starts_at", at.as_str()),
            ("shop", "999"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(not_mine.status(), 422);

    let scheduled = host
        .post(app.url("/host/rooms"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title_zh", "嘉陵核桃直播"),
            ("title_en", "Jialing walnuts live"),
            ("starts_at", at.as_str()),
            ("shop", &listed.shop_id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(scheduled.status(), 303);
    let room_path = scheduled.headers()["location"].to_str().unwrap().to_owned();
    let room_id: i64 = room_path.rsplit('/').next().unwrap().parse().unwrap();
    let act = |fields: Vec<(&'static str, String)>| {
        let mut fields = fields;
        fields.push(("_csrf", csrf.clone()));
        host.post(app.url(&room_path)).form(&fields).send()
    };
    let too_dear = act(vec![
        ("action", "pin".into()),
        ("variant", listed.variant_id.to_string()),
        ("room_price", "40".into()),
    ])
    .await
    .unwrap();
    assert_eq!(too_dear.status(), 422, "a room price is a deal");
    let pinned = act(vec![
        ("action", "pin".into()),
        ("variant", listed.variant_id.to_string()),
        ("room_price", "29.90".into()),
    ])
    .await
    .unwrap();
    assert_eq!(pinned.status(), 303);

    // Viewers: upcoming on the home page, no room price before it is live.
    let home = text(&reqwest::Client::new(), app.url("/")).await;
    assert!(home.contains(&format!("href=\"/live/{room_id}\"")) && home.contains("预告"));
    let county = text(&reqwest::Client::new(), app.url("/regions/huixian")).await;
    assert!(
        county.contains(&format!("href=\"/live/{room_id}\"")),
        "on its county's page"
    );
    let elsewhere = text(&reqwest::Client::new(), app.url("/regions/tekes")).await;
    assert!(
        !elsewhere.contains(&format!("href=\"/live/{room_id}\"")),
        "not on another county's"
    );
    let before = text(&app.browser(), app.url(&format!("/live/{room_id}"))).await;
    assert!(before.contains("嘉陵核桃") && !before.contains("¥29.90"));
    act(vec![("action", "start".into())]).await.unwrap();
    let live = text(&app.browser(), app.url(&format!("/live/{room_id}"))).await;
    assert!(
        live.contains("直播中")
            && live.contains("¥29.90")
            && live.contains(&format!("action=\"/live/{room_id}/buy\""))
    );
    let english = app
        .browser()
        .get(app.url(&format!("/live/{room_id}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Jialing walnuts live") && english.contains("Live now"));

    // A viewer buys from the room: the checkout shows and charges the room price.
    let viewer = app.logged_in("buyer").await;
    let page = text(&viewer, app.url(&format!("/live/{room_id}"))).await;
    let bought = viewer
        .post(app.url("/cart"))
        .form(&[
            ("_csrf", csrf_of(&page)),
            ("variant", listed.variant_id.to_string()),
            ("quantity", "2".to_owned()),
            ("room", room_id.to_string()),
            ("next", "checkout".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bought.headers()["location"], "/checkout?only=now");
    let checkout = text(&viewer, app.url("/checkout?only=now")).await;
    assert!(
        checkout.contains("¥59.80"),
        "two at the room price: {checkout}"
    );
    let key = checkout
        .split("name=\"key\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let placed = viewer
        .post(app.url("/checkout"))
        .form(&[
            ("_csrf", csrf_of(&checkout)),
            ("key", key),
            ("only", "now".to_owned()),
            ("delivery", "pickup".to_owned()),
            ("station", "1".to_owned()),
            ("payment", "cash".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let checkout_id = placed.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/checkout/")
        .to_owned();
    let order = &app.db.store.orders_of_checkout(&checkout_id).await.unwrap()[0];
    assert_eq!((order.goods.0, order.lines[0].unit_price.0), (5980, 2990));

    // Nobody else runs the room, and its stream key stays with its host.
    let stranger = app.logged_in("buyer").await;
    assert_eq!(
        stranger
            .get(app.url(&room_path))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let stranger_csrf = csrf_of(&text(&stranger, app.url("/cart")).await);
    let refused = stranger
        .post(app.url(&room_path))
        .form(&[("_csrf", stranger_csrf.as_str()), ("action", "end")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    let room = app.db.store.room(room_id).await.unwrap();
    assert!(
        !live.contains(&room.stream_key),
        "viewers never see the key"
    );
    assert!(
        text(&host, app.url(&room_path))
            .await
            .contains(&room.stream_key)
    );
    assert_eq!(
        stranger
            .get(app.url("/host"))
            .send()
            .await
            .unwrap()
            .status(),
        403,
        "hosts only"
    );

    act(vec![("action", "rotate_key".into())]).await.unwrap();
    assert_ne!(
        app.db.store.room(room_id).await.unwrap().stream_key,
        room.stream_key
    );
    act(vec![("action", "end".into())]).await.unwrap();
    let ended = act(vec![("action", "start".into())]).await.unwrap();
    assert_eq!(ended.status(), 409, "an ended room stays ended");
    let told = ended.text().await.unwrap();
    assert!(
        told.contains("这场直播已经结束") && !told.contains("订单"),
        "the host is told about the room, not an order: {told}"
    );
    let home = text(&reqwest::Client::new(), app.url("/")).await;
    assert!(!home.contains(&format!("href=\"/live/{room_id}\"")));
    app.stop().await;
}
