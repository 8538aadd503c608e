//! The statistics' rollups, on both databases: after random orders over several days (paid,
//! cash, cancelled, refunded, moved along) taken in by the refresher at random moments, the
//! rollups equal a rebuild from nothing; the figures read from them match the orders counted
//! by hand.

use chrono::{Duration, Utc};
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderEvent, PaymentMethod};
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::orders::OrderIntake;
use farmgate_store::stats::Flow;
use farmgate_store::testing::TestDb;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use super::{new_account, open_shop, placement, seed_demo, stocked_variant};

/// Moves order `id` to `days` ago and marks it changed now, as a late status change would.
async fn backdate(db: &TestDb, id: i64, days: i64) {
    let conn = db.store.raw_for_tests();
    let backend = conn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE orders SET placed_at = $1, updated_at = $2 WHERE id = $3"
        }
        _ => "UPDATE orders SET placed_at = ?, updated_at = ? WHERE id = ?",
    };
    let now = Utc::now();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        vec![(now - Duration::days(days)).into(), now.into(), id.into()],
    ))
    .await
    .unwrap();
}

const EVENTS: [OrderEvent; 8] = [
    OrderEvent::Pack { packed_grams: 1000 },
    OrderEvent::Ship,
    OrderEvent::PickUp,
    OrderEvent::Complete,
    OrderEvent::Cancel,
    OrderEvent::RequestRefund,
    OrderEvent::Refund,
    OrderEvent::Deliver,
];

pub async fn rollups_equal_a_rebuild_after_random_orders(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let saibag = open_shop(store, "stats-saibag", "korla-saibag").await;
    let fujia = open_shop(store, "stats-fujia", "huixian-fujia-village").await;
    let variants = [
        stocked_variant(store, saibag.id, 10_000, ProductStatus::Listed).await,
        stocked_variant(store, fujia.id, 10_000, ProductStatus::Listed).await,
    ];
    let buyer = store
        .create_account(new_account("stats-buyer"))
        .await
        .unwrap()
        .id;
    let intake = OrderIntake::start(store.clone());
    let mut rng = StdRng::seed_from_u64(18);
    let mut orders: Vec<(i64, Option<(i64, Fen)>)> = Vec::new();
    for step in 0..60 {
        match rng.random_range(0..10) {
            0..4 => {
                let variant = variants[rng.random_range(0..2)];
                let mut request = placement(
                    buyer,
                    &format!("stats-order-{step:04}"),
                    &[(variant, rng.random_range(1..4))],
                );
                let online = rng.random_bool(0.5);
                if online {
                    request.payment = PaymentMethod::Online;
                    request.provider = "sandbox".to_owned();
                }
                let checkout = intake.place(request).await.unwrap();
                let payment = online.then_some((checkout.payment.id, checkout.payment.amount));
                let id = checkout.orders[0].id;
                backdate(db, id, rng.random_range(0..40)).await;
                orders.push((id, payment));
            }
            4 if !orders.is_empty() => {
                let (_, payment) = orders[rng.random_range(0..orders.len())];
                if let Some((id, amount)) = payment {
                    let _ = store
                        .settle_payment(id, amount, &format!("SBX-{step}"))
                        .await;
                }
            }
            5..9 if !orders.is_empty() => {
                let (id, _) = orders[rng.random_range(0..orders.len())];
                let event = EVENTS[rng.random_range(0..EVENTS.len())];
                let _ = store.advance_order(id, event, buyer, None).await;
            }
            _ => {
                store.refresh_stats().await.unwrap();
            }
        }
    }
    let refreshed = store.refresh_stats().await.unwrap();
    assert!(refreshed.seen_at.is_some());
    let kept = store.stats_rows().await.unwrap();
    assert!(!kept.is_empty(), "something sold");
    let rebuild = store.rebuild_stats().await.unwrap();
    let rebuilt = store.stats_rows().await.unwrap();
    assert_eq!(
        kept, rebuilt,
        "the rollups kept by the refresher equal a rebuild"
    );
    // A rebuild counts the window it read, so, with nothing new, the next pass writes
    // nothing at all (not even its mark): a server started on a rebuilt database does not
    // rebuild this month again.
    assert!(rebuild.window_orders >= 0, "the window was counted");
    let idle = store.refresh_stats().await.unwrap();
    assert!(idle.days.is_empty(), "{:?}", idle.days);
    assert_eq!(
        idle.refreshed_at, rebuild.refreshed_at,
        "an idle pass writes nothing"
    );
    assert_eq!(store.stats_rows().await.unwrap(), rebuilt);

    // The figures read from the rollups are the orders counted by hand.
    let korla = store.region_by_code("korla").await.unwrap();
    let today = LedgerMonth::of(LedgerDay::of(Utc::now())).to_string();
    let first = LedgerMonth::of(LedgerDay::of(Utc::now() - Duration::days(45))).to_string();
    let months = store
        .stats_months(Flow::Sales, &korla.path, (&first, &today))
        .await
        .unwrap();
    let mut expected = (0_i64, 0_i64);
    let mut sold_anywhere = 0;
    for (id, _) in &orders {
        let order = store.order(*id).await.unwrap();
        if order.status.is_sale() {
            sold_anywhere += 1;
            if order.shop_id == saibag.id {
                expected.0 += 1;
                expected.1 += order.goods.0;
            }
        }
    }
    let read = months
        .iter()
        .fold((0, 0), |a, (_, f)| (a.0 + f.orders, a.1 + f.goods.0));
    assert_eq!(
        read, expected,
        "Korla's sales are the Saibag shop's sold orders"
    );
    let places = store
        .stats_places(Flow::Sales, &korla.path, (&first, &today))
        .await
        .unwrap();
    assert!(
        places
            .iter()
            .all(|(path, _)| path.starts_with(korla.path.as_str()))
    );
    let categories = store
        .stats_categories(Flow::Sales, &korla.path, (&first, &today))
        .await
        .unwrap();
    let by_category: i64 = categories.iter().map(|(_, f)| f.goods.0).sum();
    assert_eq!(
        by_category, expected.1,
        "the categories add up to the goods"
    );
    let tekes = store.region_by_code("tekes").await.unwrap();
    let bought: i64 = store
        .stats_months(Flow::Purchases, &tekes.path, (&first, &today))
        .await
        .unwrap()
        .iter()
        .map(|(_, f)| f.orders)
        .sum();
    assert_eq!(
        bought, sold_anywhere,
        "every order was picked up at Tekes' centre"
    );
}
