//! The county's places as its centre keeps them (issue 19): add the showroom, receive what a
//! shop sends to it, count its shelf, pause it; mistakes told by field with nothing changed,
//! another county's staff reach nothing and a buyer is refused.

use farmgate_store::catalog::NewTransfer;

use crate::support;

#[tokio::test]
async fn a_centre_keeps_its_places_and_receives_what_shops_send() {
    let app = support::spawn_app().await;
    let listed = app.walnut_shop("伏家薄皮核桃", 40).await;
    let centre = app.centre_staff("huixian-floor", "huixian").await;

    let nameless = app
        .submit(
            &centre,
            "/centre/places",
            "/centre/places",
            &[("kind", "showroom"), ("name_zh", " ")],
        )
        .await;
    assert_eq!(nameless.status(), 422);
    assert!(nameless.text().await.unwrap().contains("aria-invalid"));
    let odd = app
        .submit(
            &centre,
            "/centre/places",
            "/centre/places",
            &[("kind", "garage"), ("name_zh", "车库")],
        )
        .await;
    assert_eq!(odd.status(), 422);
    let added = app
        .submit(
            &centre,
            "/centre/places",
            "/centre/places",
            &[("kind", "showroom"), ("name_zh", "徽县电商中心展厅")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let county = app.db.store.region_by_code("huixian").await.unwrap();
    let places = app.db.store.stock_places(county.id).await.unwrap();
    assert_eq!(places.len(), 1, "the refused forms added nothing");
    let showroom = places[0].id;

    // The shop keeps goods there and sends twelve bags.
    let store = &app.db.store;
    store
        .join_stock_place(listed.shop_id, showroom, true, 1)
        .await
        .unwrap();
    let transfer = store
        .send_transfer(
            NewTransfer {
                shop_id: listed.shop_id,
                from: None,
                to: Some(showroom),
                lines: &[(listed.variant_id, 12)],
                note: "国庆展柜",
            },
            1,
        )
        .await
        .unwrap();
    let page = format!("/centre/places/{showroom}");
    let shown = support::text(&centre, app.url(&page)).await;
    assert!(
        shown.contains("国庆展柜") && shown.contains("伏家薄皮核桃"),
        "{shown}"
    );
    let receive = format!(
        "/centre/places/{showroom}/transfers/{}/receive",
        transfer.id
    );
    let field = format!("received_{}", listed.variant_id);
    let received = app
        .submit(&centre, &page, &receive, &[(&field, "12")])
        .await;
    assert_eq!(received.status(), 303);
    let again = app
        .submit(&centre, &page, &receive, &[(&field, "12")])
        .await;
    assert_eq!(again.status(), 422, "received once");
    let units = store.placed_units(None, Some(showroom)).await.unwrap();
    assert_eq!(units[0].quantity, 12);

    // The shelf counted: eleven, one a sample.
    let counts = format!("/centre/places/{showroom}/counts");
    let counted = format!("counted_{}_{}", listed.shop_id, listed.variant_id);
    let reason = format!("reason_{}_{}", listed.shop_id, listed.variant_id);
    let no_reason = app
        .submit(&centre, &page, &counts, &[(&counted, "11")])
        .await;
    assert_eq!(no_reason.status(), 422, "a difference needs its reason");
    let done = app
        .submit(
            &centre,
            &page,
            &counts,
            &[(&counted, "11"), (&reason, "试吃")],
        )
        .await;
    assert_eq!(done.status(), 303);
    let variant = store.variant(listed.variant_id).await.unwrap();
    assert_eq!((variant.spec.stock, variant.away_online), (39, 11));
    let list = support::text(&centre, app.url("/centre/places")).await;
    assert!(list.contains("徽县电商中心展厅"), "{list}");

    // Paused: no new shop joins it; what is there stays.
    let paused = app
        .submit(
            &centre,
            &page,
            &page,
            &[
                ("kind", "showroom"),
                ("name_zh", "徽县电商中心展厅"),
                ("status", "paused"),
            ],
        )
        .await;
    assert_eq!(paused.status(), 303);
    assert!(!store.stock_place(showroom).await.unwrap().active);
    assert_eq!(
        store.placed_units(None, Some(showroom)).await.unwrap()[0].quantity,
        11
    );

    // Another county's centre and a buyer reach none of it.
    let tekes = app.centre_staff("tekes-floor", "tekes").await;
    let foreign = tekes.get(app.url(&page)).send().await.unwrap();
    assert_eq!(foreign.status(), 404);
    let forged = app
        .submit(
            &tekes,
            "/centre/places",
            &counts,
            &[(&counted, "0"), (&reason, "x")],
        )
        .await;
    assert_eq!(forged.status(), 404);
    let buyer = app.logged_in("buyer").await;
    let refused = buyer.get(app.url("/centre/places")).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        store.placed_units(None, Some(showroom)).await.unwrap()[0].quantity,
        11
    );
    app.stop().await;
}

#[tokio::test]
async fn the_places_api_moves_goods_between_a_shop_and_the_showroom() {
    let app = support::spawn_app().await;
    let listed = app.walnut_shop("伏家薄皮核桃", 40).await;
    app.centre_staff("huixian-floor", "huixian").await;
    let centre = app.token("huixian-floor").await;
    let api = reqwest::Client::new();
    let post = |path: &str, token: &str, body: serde_json::Value| {
        api.post(app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };

    let odd = post(
        "/api/v1/centre/places",
        &centre,
        serde_json::json!({"kind": "garage", "name_zh": "车库"}),
    )
    .await
    .unwrap();
    assert_eq!(odd.status(), 422);
    let odd: serde_json::Value = odd.json().await.unwrap();
    assert_eq!(odd["error"]["field"], "kind");
    let place: serde_json::Value = post(
        "/api/v1/centre/places",
        &centre,
        serde_json::json!({"kind": "showroom", "name_ug": "ۋىلايەتلىك كۆرگەزمە زالى"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let place_id = place["id"].as_i64().unwrap();
    assert_eq!(
        place["name"], "ۋىلايەتلىك كۆرگەزمە زالى",
        "the one language written"
    );

    let shop = listed.shop_id;
    let kept = api
        .put(app.url(&format!("/api/v1/shops/{shop}/places")))
        .bearer_auth(&listed.owner)
        .json(&serde_json::json!({"place_id": place_id, "online": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), 204);
    let lines = serde_json::json!([{"variant_id": listed.variant_id, "units": 10}]);
    let too_many = post(
        &format!("/api/v1/shops/{shop}/transfers"),
        &listed.owner,
        serde_json::json!({"to_place_id": place_id, "lines": [{"variant_id": listed.variant_id, "units": 41}]}),
    )
    .await
    .unwrap();
    assert_eq!(too_many.status(), 422);
    let sent: serde_json::Value = post(
        &format!("/api/v1/shops/{shop}/transfers"),
        &listed.owner,
        serde_json::json!({"to_place_id": place_id, "lines": lines, "note": "展柜"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(sent["status"], "sent");
    let transfer = sent["id"].as_i64().unwrap();

    // Another county's centre cannot receive it; the showroom's centre can, once.
    app.centre_staff("tekes-floor", "tekes").await;
    let tekes = app.token("tekes-floor").await;
    let receive = format!("/api/v1/transfers/{transfer}/receive");
    let arrived = serde_json::json!({"lines": [{"variant_id": listed.variant_id, "units": 9}]});
    let foreign = post(&receive, &tekes, arrived.clone()).await.unwrap();
    assert_eq!(foreign.status(), 404);
    let received: serde_json::Value = post(&receive, &centre, arrived.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(received["lines"][0]["received"], 9);
    let twice = post(&receive, &centre, arrived).await.unwrap();
    assert_eq!(twice.status(), 422);
    let call_back = post(
        &format!("/api/v1/transfers/{transfer}/call-back"),
        &listed.owner,
        serde_json::json!({}),
    )
    .await
    .unwrap();
    assert_eq!(call_back.status(), 422, "received: nothing to call back");

    let shelf: serde_json::Value = api
        .get(app.url(&format!("/api/v1/centre/places/{place_id}/shelf")))
        .bearer_auth(&centre)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shelf[0]["units"], 9);
    let foreign_shelf = api
        .get(app.url(&format!("/api/v1/centre/places/{place_id}/shelf")))
        .bearer_auth(&tekes)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_shelf.status(), 404);

    let counted: serde_json::Value = post(
        &format!("/api/v1/shops/{shop}/counts"),
        &listed.owner,
        serde_json::json!({"place_id": place_id, "lines": [{"variant_id": listed.variant_id, "counted": 8, "reason": "样品"}]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            counted[0]["expected"].as_i64(),
            counted[0]["counted"].as_i64()
        ),
        (Some(9), Some(8))
    );
    let on_the_way: serde_json::Value = api
        .get(app.url(&format!("/api/v1/shops/{shop}/transfers?status=sent")))
        .bearer_auth(&listed.owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(on_the_way.as_array().unwrap().len(), 0);
    let bad_status = api
        .get(app.url(&format!("/api/v1/shops/{shop}/transfers?status=lost")))
        .bearer_auth(&listed.owner)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_status.status(), 422);
    let places: serde_json::Value = api
        .get(app.url(&format!("/api/v1/shops/{shop}/places")))
        .bearer_auth(&listed.owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(places[0]["units"][0]["units"], 8);
    assert_eq!(places[0]["online"], true);
    let variant = app.db.store.variant(listed.variant_id).await.unwrap();
    assert_eq!(
        (variant.spec.stock, variant.away_online),
        (38, 8),
        "30 at home, 8 online at the showroom"
    );
    app.stop().await;
}
