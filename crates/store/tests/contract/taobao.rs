//! The Taobao-village rule on the store's own figures, on both databases: a village of 100
//! active shops selling exactly ten million yuan in the year qualifies; a fen less, and it is
//! only close; one shop fewer, and it needs a tenth of its households (990 will do, 991 not).

use chrono::{Duration, Utc};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_domain::taobao;
use farmgate_store::regions::NewRegion;
use farmgate_store::testing::TestDb;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use super::{new_account, seed_demo};

async fn sql(db: &TestDb, sqlite: &str, postgres: &str) {
    let conn = db.store.raw_for_tests();
    let backend = conn.get_database_backend();
    let text = match backend {
        DatabaseBackend::Postgres => postgres,
        _ => sqlite,
    };
    conn.execute_raw(Statement::from_string(backend, text.to_owned()))
        .await
        .unwrap();
}

pub async fn the_taobao_village_rule_holds_at_its_edges(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let township = store.region_by_code("korla-qiaerbag").await.unwrap();
    let village = store
        .add_region(
            Some(&township),
            NewRegion {
                code: "taobao-test-village",
                name_zh: "测试村",
                name_ug: None,
                name_en: "Test village",
                coordinates: None,
                known_for: None,
            },
        )
        .await
        .unwrap();
    let now = Utc::now();
    let shops = store
        .load_bench_shops(&village.path, 100, &[now - Duration::days(400)])
        .await
        .unwrap();
    assert_eq!(shops, 100);
    let (shop_ids, villages) = store.shops_and_villages_under(&village.path).await.unwrap();
    assert_eq!((shop_ids.len(), villages.len()), (100, 1));
    let buyer = store
        .create_account(new_account("taobao-buyer"))
        .await
        .unwrap()
        .id;
    let written = store
        .load_bench_orders(
            (buyer, &shop_ids, &villages),
            100,
            (now - Duration::days(300), now - Duration::days(40)),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(written, 100);
    // Each shop one sold order of ¥100,000: ¥10,000,000 in all.
    let set_all =
        "UPDATE orders SET status = 'completed', goods_fen = 10000000, total_fen = 10000000";
    sql(db, set_all, set_all).await;
    store.rebuild_stats().await.unwrap();
    let until = LedgerMonth::of(LedgerDay::of(now)).previous();
    let mut from = until;
    for _ in 0..11 {
        from = from.previous();
    }
    let (from, until) = (from.to_string(), until.to_string());
    let read = || async {
        let years = store
            .taobao_villages(&village.path, (&from, &until))
            .await
            .unwrap();
        assert_eq!(years.len(), 1, "the one village");
        years.into_iter().next().unwrap()
    };
    let year = read().await;
    assert_eq!((year.sales, year.active_shops), (Fen(1_000_000_000), 100));
    assert!(taobao::village(year.sales, year.active_shops, year.households).qualifies);

    // A fen short: close, not there.
    let one_less = "UPDATE orders SET goods_fen = 9999999, updated_at = CURRENT_TIMESTAMP \
                    WHERE id = (SELECT MIN(id) FROM orders)";
    sql(
        db,
        &one_less.replace(
            "CURRENT_TIMESTAMP",
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')",
        ),
        one_less,
    )
    .await;
    store.refresh_stats().await.unwrap();
    let year = read().await;
    assert_eq!(
        year.sales,
        Fen(999_999_999),
        "the refresher took the change in"
    );
    let verdict = taobao::village(year.sales, year.active_shops, year.households);
    assert!(!verdict.qualifies && verdict.close);
    let restore = "UPDATE orders SET goods_fen = 10000000 WHERE goods_fen = 9999999";
    sql(db, restore, restore).await;
    store.rebuild_stats().await.unwrap();

    // A shop that opened lately is not active yet: 99 shops, so the households decide.
    let lately = "UPDATE shops SET opened_at = CURRENT_TIMESTAMP \
                  WHERE id = (SELECT MAX(s.id) FROM shops s JOIN regions r ON r.id = s.village_id \
                  WHERE r.code = 'taobao-test-village')";
    sql(
        db,
        &lately.replace(
            "CURRENT_TIMESTAMP",
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')",
        ),
        lately,
    )
    .await;
    let year = read().await;
    assert_eq!(year.active_shops, 99);
    assert!(!taobao::village(year.sales, year.active_shops, year.households).qualifies);
    let keeper = store.account_by_id(buyer).await.unwrap().unwrap();
    for (households, qualifies) in [(990, true), (991, false)] {
        store
            .set_village_households(&village, Some(households), keeper.id)
            .await
            .unwrap();
        let year = read().await;
        assert_eq!(year.households, Some(households));
        assert_eq!(
            taobao::village(year.sales, year.active_shops, year.households).qualifies,
            qualifies,
            "99 active shops and {households} households"
        );
    }
    assert!(
        store
            .set_village_households(&village, Some(0), keeper.id)
            .await
            .is_err(),
        "no village has no households"
    );
    assert!(
        store
            .set_village_households(&township, Some(10), keeper.id)
            .await
            .is_err(),
        "a township's households are its villages'"
    );
    store
        .set_village_households(&village, None, keeper.id)
        .await
        .unwrap();
    assert_eq!(read().await.households, None, "forgotten");
}

/// The month's shops: open by its last day, active when open 30 days or more by then and
/// selling in it, opened within it; each at its edge.
pub async fn active_shops_follow_their_rule_at_its_edges(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let township = store.region_by_code("korla-qiaerbag").await.unwrap();
    let village = store
        .add_region(
            Some(&township),
            NewRegion {
                code: "active-test-village",
                name_zh: "活跃村",
                name_ug: None,
                name_en: "Active village",
                coordinates: None,
                known_for: None,
            },
        )
        .await
        .unwrap();
    let month = LedgerMonth::of(LedgerDay::of(Utc::now())).previous();
    let (start, end) = (month.first.bounds().0, month.end().bounds().0);
    let opened = [
        end - Duration::days(400),
        end - Duration::days(30),
        end - Duration::days(30) + Duration::minutes(1),
        start + Duration::days(1),
        end - Duration::days(400),
        end,
    ];
    assert_eq!(
        store
            .load_bench_shops(&village.path, opened.len(), &opened)
            .await
            .unwrap(),
        6
    );
    let (shops, villages) = store.shops_and_villages_under(&village.path).await.unwrap();
    let buyer = store
        .create_account(new_account("active-buyer"))
        .await
        .unwrap()
        .id;
    // One order each for the first four shops, on the month's third day.
    let on = start + Duration::days(2);
    store
        .load_bench_orders((buyer, &shops[..4], &villages), 4, (on, on), &|_| {})
        .await
        .unwrap();
    let sold = format!("UPDATE orders SET status = 'completed' WHERE buyer_id = {buyer}");
    sql(db, &sold, &sold).await;
    store.rebuild_stats().await.unwrap();
    let figures = store
        .active_shops(&village.path, &month.to_string())
        .await
        .unwrap();
    // Opened within the month: the fourth, and the second and third when the month has 30
    // days or fewer (30 days before its end is then on or before its first).
    let within = opened
        .iter()
        .filter(|at| **at >= start && **at < end)
        .count() as i64;
    assert!(within >= 1);
    assert_eq!(
        figures,
        (5, 2, within),
        "open by the month's end: all but the last; active: the two open 30 days"
    );
    let county = store.region_by_code("korla").await.unwrap();
    let (open, active, _) = store
        .active_shops(&county.path, &month.to_string())
        .await
        .unwrap();
    assert!(
        open >= 5 && active >= 2,
        "the village's shops count in its county"
    );
}
