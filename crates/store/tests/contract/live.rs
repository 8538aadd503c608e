//! Live rooms' chat, results and the event bus, on both databases.

use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::lang::Language;
use farmgate_domain::live::{ChatText, RoomEvent};
use farmgate_domain::money::Fen;
use farmgate_store::Error;
use farmgate_store::live::{LiveBus, LiveEvent, NewRoom, Room};
use farmgate_store::orders::OrderIntake;
use farmgate_store::testing::TestDb;

use super::{buyers, open_shop, placement, seed_demo, stocked_variant};

async fn walnut_room(store: &farmgate_store::Store, host: i64, shop: i64) -> Room {
    let huixian = store.region_by_code("huixian").await.unwrap();
    store
        .schedule_room(NewRoom {
            host_id: host,
            region_id: huixian.id,
            title_zh: "核桃专场".to_owned(),
            title_ug: None,
            title_en: None,
            starts_at: chrono::Utc::now(),
            shop_ids: vec![shop],
        })
        .await
        .unwrap()
}

pub async fn chat_keeps_messages_deletes_and_mutes(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let people = buyers(store, 2).await;
    let room = walnut_room(store, people[0], shop.id).await;
    let said = |n: usize| ChatText::parse(&format!("第{n}条：核桃多少钱？")).unwrap();
    let mut ids = Vec::new();
    for n in 0..60 {
        let message = store
            .post_message(room.id, people[n % 2], Language::ZhCn, &said(n))
            .await
            .unwrap();
        ids.push(message.id);
    }
    let uyghur = store
        .post_message(
            room.id,
            people[1],
            Language::Ug,
            &ChatText::parse("ياڭاق قانچە پۇل؟").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(uyghur.lang, Language::Ug);
    let backlog = store.recent_messages(room.id, None).await.unwrap();
    assert_eq!(backlog.len(), 50, "late joiners get the last 50");
    assert_eq!(
        backlog.last().unwrap().id,
        uyghur.id,
        "oldest first, newest last"
    );
    assert!(backlog.windows(2).all(|w| w[0].id < w[1].id));
    let resumed = store.recent_messages(room.id, Some(ids[57])).await.unwrap();
    assert_eq!(
        resumed.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[58], ids[59], uyghur.id],
        "a reconnect gets only what it missed"
    );

    store
        .delete_message(room.id, ids[59], people[0])
        .await
        .unwrap();
    let after_delete = store.recent_messages(room.id, Some(ids[57])).await.unwrap();
    assert_eq!(
        after_delete.len(),
        2,
        "a deleted message is gone for everyone"
    );
    assert!(matches!(
        store.delete_message(room.id + 1, ids[58], people[0]).await,
        Err(Error::NotFound)
    ));

    assert_eq!(
        store.message_author(room.id, uyghur.id).await.unwrap(),
        people[1]
    );
    store.mute(room.id, people[1], people[0]).await.unwrap();
    store.mute(room.id, people[1], people[0]).await.unwrap();
    assert!(matches!(
        store
            .post_message(room.id, people[1], Language::Ug, &said(99))
            .await,
        Err(Error::Muted)
    ));
    assert!(
        store
            .post_message(room.id, people[0], Language::ZhCn, &said(100))
            .await
            .is_ok(),
        "only the muted viewer is refused"
    );
}

pub async fn results_count_viewers_messages_and_room_orders(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let people = buyers(store, 3).await;
    let room = walnut_room(store, people[0], shop.id).await;
    store.pin(room.id, walnuts, Some(Fen(2990))).await.unwrap();
    store.move_room(room.id, RoomEvent::Start).await.unwrap();
    for viewer in ["a1", "a2", "vguest-0001", "a1"] {
        store.record_viewer(room.id, viewer).await.unwrap();
    }
    let minute = chrono::Utc::now()
        .with_timezone(&chrono::Utc)
        .date_naive()
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc();
    store
        .record_viewer_minute(room.id, minute, "one", 5)
        .await
        .unwrap();
    store
        .record_viewer_minute(room.id, minute, "one", 7)
        .await
        .unwrap();
    store
        .record_viewer_minute(room.id, minute, "two", 3)
        .await
        .unwrap();
    store
        .record_viewer_minute(room.id, minute + chrono::Duration::minutes(1), "one", 2)
        .await
        .unwrap();
    store
        .post_message(
            room.id,
            people[1],
            Language::ZhCn,
            &ChatText::parse("好").unwrap(),
        )
        .await
        .unwrap();
    let intake = OrderIntake::start(store.clone());
    for (n, buyer) in people.iter().enumerate() {
        let mut p = placement(*buyer, &format!("room-order-{n:04}"), &[(walnuts, 2)]);
        p.room_id = Some(room.id);
        intake.place(p).await.unwrap();
    }
    intake
        .place(placement(people[0], "not-from-room", &[(walnuts, 1)]))
        .await
        .unwrap();

    let results = store.room_results(room.id).await.unwrap();
    assert_eq!(results.unique_viewers, 3);
    assert_eq!(results.peak_viewers, 10, "instances add up within a minute");
    assert!((results.average_viewers - 6.0).abs() < 1e-9);
    assert_eq!(results.messages, 1);
    assert_eq!(results.orders, 3, "only orders placed from the room");
    assert_eq!(results.gmv, Fen(3 * 5980), "at the room price");
    assert!((results.conversion - 1.0).abs() < 1e-9);
    assert_eq!(results.products.len(), 1);
    assert_eq!(results.products[0].quantity, 6);
    assert_eq!(results.minutes.iter().map(|m| m.orders).sum::<u64>(), 3);
    assert!(results.minutes.len() >= 2);
}

pub async fn the_bus_reaches_viewers_of_another_instance(db: &TestDb) {
    let store = &db.store;
    let one = LiveBus::start(store).await.unwrap();
    let mut here = one.watch(7);
    let mut elsewhere_room = one.watch(8);
    let sent = LiveEvent::Stock {
        variant_id: 3,
        stock: 41,
    };
    if store.backend() == farmgate_store::Backend::Postgres {
        // A second instance: its own store (pool) on the same database.
        let other_store = farmgate_store::Store::connect(&db.url).await.unwrap();
        let two = LiveBus::start(&other_store).await.unwrap();
        let mut there = two.watch(7);
        one.publish(7, sent.clone()).await;
        let got = tokio::time::timeout(std::time::Duration::from_secs(1), async {
            loop {
                let got = there.events.recv().await.unwrap();
                if !matches!(got.event, LiveEvent::Viewers { .. }) {
                    return got;
                }
            }
        })
        .await
        .expect("the other instance hears it within a second");
        assert_eq!(got.event, sent);
        assert!(got.json.contains("\"type\":\"stock\""));
        // Products changed through one instance reach the other's index, gathered.
        let mut catalog = two.catalog_changes();
        one.products_changed([5, 6, 5]);
        let heard = tokio::time::timeout(std::time::Duration::from_secs(1), catalog.recv())
            .await
            .expect("the other instance hears of changed products within a second")
            .unwrap();
        assert_eq!(*heard, vec![5, 6]);
        // Viewer counts add up across instances once both have announced them.
        let mut total = 0;
        for _ in 0..40 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            total = one.viewers(7);
            if total == 2 {
                break;
            }
        }
        assert_eq!(total, 2);
    } else {
        one.publish(7, sent.clone()).await;
    }
    let mut got = here.events.recv().await.unwrap();
    while matches!(got.event, LiveEvent::Viewers { .. }) {
        got = here.events.recv().await.unwrap();
    }
    assert_eq!(got.event, sent, "delivered here");
    while let Ok(other) = elsewhere_room.events.try_recv() {
        assert!(
            matches!(other.event, LiveEvent::Viewers { .. }),
            "other rooms hear only their own counts"
        );
    }
}

pub(super) async fn a_room_is_scheduled_goes_live_pins_and_ends(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::live::{RoomEvent, RoomStatus};
    use farmgate_domain::money::Fen;
    use farmgate_store::live::NewRoom;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let host = buyers(store, 1).await[0];
    let huixian = store.region_by_code("huixian").await.unwrap();
    let soon = chrono::Utc::now() + chrono::Duration::hours(2);
    let room = store
        .schedule_room(NewRoom {
            host_id: host,
            region_id: huixian.id,
            title_zh: "徽县核桃直播".to_owned(),
            title_ug: None,
            title_en: Some("Huixian walnuts live".to_owned()),
            starts_at: soon,
            shop_ids: vec![shop.id],
        })
        .await
        .unwrap();
    assert_eq!(room.status, RoomStatus::Scheduled);
    assert_eq!(
        room.title(Language::Ug),
        ("徽县核桃直播", false),
        "Chinese stands in"
    );
    assert_eq!(room.stream_key.len(), 48);
    let again = store.room(room.id).await.unwrap();
    assert_eq!(again.shop_ids, vec![shop.id]);
    let rotated = store.rotate_stream_key(room.id).await.unwrap();
    assert_ne!(rotated, room.stream_key);

    let tekes = store.region_by_code("tekes").await.unwrap();
    assert!(
        store
            .rooms_on_air(&tekes.path, 10)
            .await
            .unwrap()
            .is_empty(),
        "another county's"
    );
    assert_eq!(
        store.rooms_on_air(&huixian.path, 10).await.unwrap().len(),
        1
    );

    store.pin(room.id, walnuts, Some(Fen(2990))).await.unwrap();
    store.pin(room.id, walnuts, Some(Fen(2890))).await.unwrap();
    let pins = store.pins(room.id).await.unwrap();
    assert_eq!(pins.len(), 1, "pinning again updates the pin");
    assert_eq!(pins[0].room_price, Some(Fen(2890)));
    let live = store.move_room(room.id, RoomEvent::Start).await.unwrap();
    assert_eq!(live.status, RoomStatus::Live);
    assert!(live.started_at.is_some());
    assert!(matches!(
        store.move_room(room.id, RoomEvent::Start).await,
        Err(Error::Room(farmgate_domain::live::RoomRefusal::AlreadyLive))
    ));
    store.unpin(room.id, walnuts).await.unwrap();
    assert!(store.pins(room.id).await.unwrap().is_empty());
    let ended = store.move_room(room.id, RoomEvent::End).await.unwrap();
    assert_eq!(ended.status, RoomStatus::Ended);
    assert!(
        store
            .rooms_on_air(&huixian.path, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.rooms_of_host(host).await.unwrap().len(), 1);
}

pub(super) async fn room_prices_hold_only_while_the_room_is_live(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::live::RoomEvent;
    use farmgate_domain::money::Fen;
    use farmgate_store::live::NewRoom;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let huixian = store.region_by_code("huixian").await.unwrap();
    let room = store
        .schedule_room(NewRoom {
            host_id: buyer,
            region_id: huixian.id,
            title_zh: "核桃专场".to_owned(),
            title_ug: None,
            title_en: None,
            starts_at: chrono::Utc::now(),
            shop_ids: vec![shop.id],
        })
        .await
        .unwrap();
    store.pin(room.id, walnuts, Some(Fen(2990))).await.unwrap();
    let intake = OrderIntake::start(store.clone());
    let from_room = |key: &str| {
        let mut p = placement(buyer, key, &[(walnuts, 2)]);
        p.room_id = Some(room.id);
        p
    };
    let before = intake.place(from_room("room-before-1")).await.unwrap();
    assert_eq!(
        before.orders[0].goods.0, 7600,
        "not live yet: the regular price"
    );
    store.move_room(room.id, RoomEvent::Start).await.unwrap();
    let live = intake.place(from_room("room-live-001")).await.unwrap();
    assert_eq!(live.orders[0].goods.0, 5980, "live: the room price");
    assert_eq!(live.orders[0].lines[0].unit_price.0, 2990);
    let elsewhere = intake
        .place(placement(buyer, "no-room-0001", &[(walnuts, 2)]))
        .await
        .unwrap();
    assert_eq!(
        elsewhere.orders[0].goods.0, 7600,
        "outside the room: the regular price"
    );
    store.move_room(room.id, RoomEvent::End).await.unwrap();
    let after = intake.place(from_room("room-after-01")).await.unwrap();
    assert_eq!(after.orders[0].goods.0, 7600, "ended: the regular price");
}
