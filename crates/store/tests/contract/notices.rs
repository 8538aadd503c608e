//! Notices, on both databases: one per event and reader, none of a kind the reader turned
//! off, read one at a time or all at once, and nobody else's.

use farmgate_domain::notifications::NoticeKind;
use farmgate_store::notifications::{NewNotice, NoticeSetting, Subject};
use farmgate_store::testing::TestDb;

use super::buyers;

fn paid(account_id: i64, order: i64) -> NewNotice {
    NewNotice {
        account_id,
        kind: NoticeKind::OrderPaid,
        subject: Subject::Order(order),
        args: vec![("order".to_owned(), order.to_string())],
        event_key: format!("order:{order}:paid"),
    }
}

pub async fn a_notice_is_written_once_and_read_by_its_reader_only(db: &TestDb) {
    let store = &db.store;
    let people = buyers(store, 2).await;
    let (seller, other) = (people[0], people[1]);
    assert!(store.notify(&paid(seller, 12)).await.unwrap().is_some());
    assert!(
        store.notify(&paid(seller, 12)).await.unwrap().is_none(),
        "the same event once"
    );
    assert!(store.notify(&paid(seller, 13)).await.unwrap().is_some());
    assert!(
        store.notify(&paid(other, 12)).await.unwrap().is_some(),
        "another reader hears it too"
    );
    assert_eq!(store.unread_notices(seller).await.unwrap(), 2);
    let mine = store.notices(seller, None, 10).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].subject, Subject::Order(13), "newest first");
    assert_eq!(mine[0].args, vec![("order".to_owned(), "13".to_owned())]);

    // Someone else's id marks nothing of theirs.
    let theirs = store.notices(other, None, 10).await.unwrap()[0].id;
    store.mark_notices_read(seller, Some(theirs)).await.unwrap();
    assert_eq!(store.unread_notices(other).await.unwrap(), 1);
    store
        .mark_notices_read(seller, Some(mine[1].id))
        .await
        .unwrap();
    assert_eq!(store.unread_notices(seller).await.unwrap(), 1);
    store.mark_notices_read(seller, None).await.unwrap();
    assert_eq!(store.unread_notices(seller).await.unwrap(), 0);

    // A kind turned off is not written; texts follow the person's choice.
    assert_eq!(
        store
            .notice_setting(seller, NoticeKind::OrderReady)
            .await
            .unwrap(),
        NoticeSetting::default_for(NoticeKind::OrderReady)
    );
    let off = NoticeSetting {
        kind: NoticeKind::OrderPaid,
        in_app: false,
        sms: false,
    };
    store.set_notice_setting(seller, off).await.unwrap();
    assert!(store.notify(&paid(seller, 14)).await.unwrap().is_none());
    let on = NoticeSetting {
        in_app: true,
        sms: true,
        ..off
    };
    store.set_notice_setting(seller, on).await.unwrap();
    assert!(
        store
            .notify(&paid(seller, 14))
            .await
            .unwrap()
            .is_some_and(|c| c.sms)
    );
    let settings = store.notice_settings(seller).await.unwrap();
    assert_eq!(settings.len(), NoticeKind::ALL.len());
    assert!(
        settings
            .iter()
            .any(|s| s.kind == NoticeKind::OrderPaid && s.sms)
    );
}

/// The intake tells each shop of its new orders in the orders' own transaction: every member
/// who kept the kind on, once, with the order's number and total; those who chose texts are
/// named in the answer; a replay tells nobody again.
pub async fn the_intake_tells_each_shop_of_its_new_orders(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    super::seed_demo(store).await;
    let mut shops = Vec::new();
    for login in ["apricot-a", "apricot-b", "apricot-c"] {
        let shop = super::open_shop(store, login, "huixian-fujia-village").await;
        let variant = super::stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
        let owner = store.shop_member_ids(shop.id).await.unwrap()[0];
        shops.push((shop.id, variant, owner));
    }
    let (quiet, texting) = (shops[1].2, shops[2].2);
    let kind = NoticeKind::OrderPlaced;
    let off = NoticeSetting {
        kind,
        in_app: false,
        sms: false,
    };
    store.set_notice_setting(quiet, off).await.unwrap();
    let texts = NoticeSetting {
        kind,
        in_app: true,
        sms: true,
    };
    store.set_notice_setting(texting, texts).await.unwrap();

    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let lines: Vec<(i64, i64)> = shops.iter().map(|s| (s.1, 2)).collect();
    let checkout = intake
        .place(super::placement(buyer, "three-shops", &lines))
        .await
        .unwrap();
    assert_eq!(checkout.orders.len(), 3);
    let order_of = |shop: i64| checkout.orders.iter().find(|o| o.shop_id == shop).unwrap();

    let told = store.notices(shops[0].2, None, 10).await.unwrap();
    assert_eq!(told.len(), 1);
    let first = order_of(shops[0].0);
    assert_eq!(told[0].kind, kind);
    assert_eq!(told[0].subject, Subject::Order(first.id));
    assert_eq!(
        told[0].args,
        vec![
            ("order".to_owned(), first.id.to_string()),
            ("total".to_owned(), first.total.display_yuan()),
        ]
    );
    assert!(store.notices(quiet, None, 10).await.unwrap().is_empty());
    assert_eq!(store.notices(texting, None, 10).await.unwrap().len(), 1);
    assert_eq!(
        checkout.shop_texts,
        vec![farmgate_store::notifications::ShopText {
            account_id: texting,
            order_id: order_of(shops[2].0).id,
        }]
    );

    let again = intake
        .place(super::placement(buyer, "three-shops", &lines))
        .await
        .unwrap();
    assert!(again.replayed && again.shop_texts.is_empty());
    assert_eq!(store.unread_notices(shops[0].2).await.unwrap(), 1);

    // A burst: every order told once, whichever path the intake took.
    let mut placing = Vec::new();
    for n in 0..12 {
        let intake = intake.clone();
        let basket = vec![(shops[0].1, 1)];
        placing.push(tokio::spawn(async move {
            intake
                .place(super::placement(
                    buyer,
                    &format!("burst-order-{n:02}"),
                    &basket,
                ))
                .await
                .unwrap()
        }));
    }
    for placed in placing {
        placed.await.unwrap();
    }
    assert_eq!(store.unread_notices(shops[0].2).await.unwrap(), 13);
}
