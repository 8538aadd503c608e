//! A shop's goods in several places on the seller's page (issue 19): keep goods at the
//! county's showroom, send some there, receive them short, count the shelf; each mistake is
//! told in the reader's words with nothing changed, and no other shop reaches any of it.

use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::text::Texts;
use farmgate_store::catalog::PlaceDetails;

use crate::support;

#[tokio::test]
async fn a_seller_moves_goods_to_the_showroom_and_counts_them() {
    let app = support::spawn_app().await;
    let listed = app.walnut_shop("伏家薄皮核桃", 40).await;
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let county = app.db.store.region_by_code("huixian").await.unwrap();
    let admin = app
        .db
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("admin").unwrap())
        .await
        .unwrap()
        .unwrap();
    let showroom = app
        .db
        .store
        .add_stock_place(
            county.id,
            PlaceDetails {
                kind: PlaceKind::Showroom,
                names: Texts::new(
                    Some("徽县电商中心展厅".to_owned()),
                    None,
                    Some("Huixian showroom".to_owned()),
                ),
                station_id: None,
                depot_id: None,
            },
            admin.id,
        )
        .await
        .unwrap();
    let page = format!("/seller/shops/{}/places", listed.shop_id);
    let shown = support::text(&seller, app.url(&page)).await;
    assert!(
        shown.contains("徽县电商中心展厅"),
        "the county's place is offered"
    );

    let joined = app
        .submit(
            &seller,
            &page,
            &page,
            &[("place", &showroom.id.to_string()), ("online", "true")],
        )
        .await;
    assert_eq!(joined.status(), 303);
    let units = format!("units_{}", listed.variant_id);
    let transfers = format!("/seller/shops/{}/transfers", listed.shop_id);
    let too_many = app
        .submit(
            &seller,
            &page,
            &transfers,
            &[
                ("from", ""),
                ("to", &showroom.id.to_string()),
                (&units, "41"),
            ],
        )
        .await;
    assert_eq!(too_many.status(), 422);
    assert!(too_many.text().await.unwrap().contains("库存不够减"));
    let sent = app
        .submit(
            &seller,
            &page,
            &transfers,
            &[
                ("from", ""),
                ("to", &showroom.id.to_string()),
                (&units, "12"),
                ("note", "国庆展柜"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let on_the_way = app
        .db
        .store
        .transfers((Some(listed.shop_id), None), None, None, 10)
        .await
        .unwrap();
    let transfer = on_the_way[0].id;
    let receive = format!("/seller/transfers/{transfer}/receive");
    let received_field = format!("received_{}", listed.variant_id);
    let over = app
        .submit(&seller, &page, &receive, &[(&received_field, "13")])
        .await;
    assert_eq!(over.status(), 422, "more cannot arrive than was sent");
    let received = app
        .submit(&seller, &page, &receive, &[(&received_field, "11")])
        .await;
    assert_eq!(received.status(), 303);
    let variant = app.db.store.variant(listed.variant_id).await.unwrap();
    assert_eq!(
        (variant.spec.stock, variant.away_online),
        (39, 11),
        "28 at home and 11 at the showroom, online; one lost on the way"
    );

    // The showroom's shelf counted: 10, one broken.
    let counts = format!("/seller/shops/{}/counts", listed.shop_id);
    let counted_field = format!("counted_{}", listed.variant_id);
    let reason_field = format!("reason_{}", listed.variant_id);
    let no_reason = app
        .submit(
            &seller,
            &page,
            &counts,
            &[("at", &showroom.id.to_string()), (&counted_field, "10")],
        )
        .await;
    assert_eq!(no_reason.status(), 422, "a difference needs its reason");
    let counted = app
        .submit(
            &seller,
            &page,
            &counts,
            &[
                ("at", &showroom.id.to_string()),
                (&counted_field, "10"),
                (&reason_field, "摔碎一袋"),
            ],
        )
        .await;
    assert_eq!(counted.status(), 303);
    let variant = app.db.store.variant(listed.variant_id).await.unwrap();
    assert_eq!((variant.spec.stock, variant.away_online), (38, 10));
    let shown = support::text(&seller, app.url(&page)).await;
    assert!(
        shown.contains("国庆展柜") && shown.contains("已收货"),
        "{shown}"
    );
    let ledger = support::text(
        &seller,
        app.url(&format!("/seller/shops/{}/stock", listed.shop_id)),
    )
    .await;
    assert!(ledger.contains("调拨途中短少") && ledger.contains("库位盘点差异"));

    // Another shop's member reaches none of it.
    app.open_shop("apricot-grower", "tekes-qiongkushitai").await;
    let stranger = app
        .logged_in_with("apricot-grower", "walnuts-of-huixian")
        .await;
    let response = stranger.get(app.url(&page)).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let forged = app
        .submit(&stranger, "/seller", &receive, &[(&received_field, "0")])
        .await;
    assert_eq!(forged.status(), 404);
    let forged = app
        .submit(
            &stranger,
            "/seller",
            &transfers,
            &[
                ("from", &showroom.id.to_string()),
                ("to", ""),
                (&units, "1"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 404);
    let variant = app.db.store.variant(listed.variant_id).await.unwrap();
    assert_eq!((variant.spec.stock, variant.away_online), (38, 10));
    app.stop().await;
}
