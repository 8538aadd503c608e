//! The station's till: goods bought for a villager (recorded once however often the placement
//! is replayed, the cash in the till, the code on the slip collecting the parcel, the order
//! the villager's once they prove the phone), and the daily ledger (its totals are its
//! movements; a day closes once, a difference only with its reason).

use farmgate_domain::accounts::{DisplayName, PhoneNumber};
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderEvent, OrderStatus};
use farmgate_domain::stations::StationRefusal;
use farmgate_domain::stations::till::{CashKind, Closing, LedgerDay};
use farmgate_store::Error;
use farmgate_store::orders::{Delivery, OrderIntake};
use farmgate_store::stations::Villager;
use farmgate_store::testing::TestDb;

use super::{buyers, open_shop, placement, seed_demo, stocked_variant};

async fn kuokesu(store: &farmgate_store::Store) -> farmgate_store::stations::Station {
    store
        .stations_within(&store.region_by_code("tekes").await.unwrap().path)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "tekes-kuokesu")
        .unwrap()
}

pub async fn a_villagers_order_is_paid_once_collected_with_the_slips_code_and_claimed_by_the_phone(
    db: &TestDb,
) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "radio-seller", "tekes-qiongkushitai").await;
    let radio = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let people = buyers(store, 2).await;
    let (operator, seller) = (people[0], people[1]);
    let station = kuokesu(store).await;
    let mut order = placement(operator, "villager-radio-1", &[(radio, 1)]);
    order.delivery = Delivery::Pickup {
        station_id: station.id,
    };
    let intake = OrderIntake::start(store.clone());
    let placed = intake.place(order.clone()).await.unwrap();
    let ids: Vec<i64> = placed.orders.iter().map(|o| o.id).collect();
    let villager = Villager {
        name: DisplayName::parse("阿依古丽").unwrap(),
        phone: Some(PhoneNumber::parse("13899990001").unwrap()),
    };
    let bought = store
        .record_villager_orders(station.id, operator, &villager, &ids)
        .await
        .unwrap();
    assert_eq!(bought.len(), 1);
    let total = placed.orders[0].total;
    assert_eq!(bought[0].paid, total);

    // The placement replayed (a retry, an offline queue syncing): nothing twice.
    let replayed = intake.place(order).await.unwrap();
    assert!(replayed.replayed);
    let again = store
        .record_villager_orders(station.id, operator, &villager, &ids)
        .await
        .unwrap();
    assert_eq!(again, bought);
    let today = LedgerDay::of(chrono::Utc::now());
    assert_eq!(store.till_balance(station.id, today).await.unwrap(), total);
    assert_eq!(
        store
            .villager_orders_of_checkout(&placed.checkout_id)
            .await
            .unwrap(),
        bought
    );

    // Not the operator's order, or another station: refused.
    assert!(matches!(
        store
            .record_villager_orders(station.id + 1, operator, &villager, &[ids[0] + 1000])
            .await,
        Err(Error::NotFound)
    ));

    // The parcel carries the slip's code, and no cash is due when it is handed over.
    let order_id = ids[0];
    store
        .advance_order(
            order_id,
            OrderEvent::Pack { packed_grams: 900 },
            seller,
            None,
        )
        .await
        .unwrap();
    store
        .advance_order(order_id, OrderEvent::Ship, seller, None)
        .await
        .unwrap();
    let parcel = store.parcel_of_order(order_id).await.unwrap().unwrap();
    assert_eq!(parcel.pickup_code, bought[0].pickup_code);
    let label = farmgate_domain::stations::ParcelLabel::parse(&parcel.label).unwrap();
    store
        .receive_parcel(&[station.id], &label, operator)
        .await
        .unwrap();
    let handed = store
        .hand_over_parcel(&[station.id], parcel.id, &bought[0].pickup_code, operator)
        .await
        .unwrap();
    assert_eq!(handed.cash, Fen(0), "paid when it was ordered");
    assert_eq!(store.till_balance(station.id, today).await.unwrap(), total);

    // She registers later and proves the phone: the order is hers.
    let villager_account = store
        .create_account(super::new_account("aygul"))
        .await
        .unwrap()
        .id;
    let phone = PhoneNumber::parse("13899990001").unwrap();
    let (code_id, code) = store
        .issue_phone_code(villager_account, &phone)
        .await
        .unwrap();
    let proven = store
        .prove_phone(villager_account, code_id, &code)
        .await
        .unwrap();
    assert_eq!(proven.orders_claimed, 1);
    let claimed = store.order(order_id).await.unwrap();
    assert_eq!(claimed.buyer_id, villager_account);
    assert_eq!(claimed.status, OrderStatus::PickedUp);
    assert!(
        store
            .villager_order(order_id)
            .await
            .unwrap()
            .unwrap()
            .claimed
    );
}

pub async fn the_ledgers_totals_are_its_movements_and_a_day_closes_once(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "seed-seller", "tekes-qiongkushitai").await;
    let seeds = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let people = buyers(store, 3).await;
    let (operator, seller, buyer) = (people[0], people[1], people[2]);
    let station = kuokesu(store).await;
    let intake = OrderIntake::start(store.clone());
    let villager = Villager {
        name: DisplayName::parse("买买提").unwrap(),
        phone: None,
    };
    let mut taken = Fen(0);
    for n in 0..3 {
        let mut order = placement(operator, &format!("villager-seeds-{n}"), &[(seeds, n + 1)]);
        order.delivery = Delivery::Pickup {
            station_id: station.id,
        };
        let placed = intake.place(order).await.unwrap();
        let ids: Vec<i64> = placed.orders.iter().map(|o| o.id).collect();
        for v in store
            .record_villager_orders(station.id, operator, &villager, &ids)
            .await
            .unwrap()
        {
            taken = taken.checked_add(v.paid).unwrap();
        }
    }
    // A buyer's own cash order, handed over: the fee and the cash in the till.
    let mut own = placement(buyer, "own-cash-order", &[(seeds, 1)]);
    own.delivery = Delivery::Pickup {
        station_id: station.id,
    };
    let own = intake.place(own).await.unwrap().orders[0].clone();
    for event in [OrderEvent::Pack { packed_grams: 500 }, OrderEvent::Ship] {
        store
            .advance_order(own.id, event, seller, None)
            .await
            .unwrap();
    }
    let parcel = store.parcel_of_order(own.id).await.unwrap().unwrap();
    let label = farmgate_domain::stations::ParcelLabel::parse(&parcel.label).unwrap();
    store
        .receive_parcel(&[station.id], &label, operator)
        .await
        .unwrap();
    store
        .hand_over_parcel(&[station.id], parcel.id, &parcel.pickup_code, operator)
        .await
        .unwrap();
    let expected = taken.checked_add(own.total).unwrap();
    let today = LedgerDay::of(chrono::Utc::now());
    assert_eq!(
        store.till_balance(station.id, today).await.unwrap(),
        expected
    );

    // Closing: a difference needs its reason; a tomorrow cannot close; a day closes once.
    let short = Closing {
        counted: Fen(expected.0 - 500),
        handed_in: Fen(10_000.min(expected.0 - 500)),
        explanation: None,
    };
    assert!(matches!(
        store.close_day(station.id, today, &short, operator).await,
        Err(Error::Invalid(e)) if e.field == "explanation"
    ));
    assert!(matches!(
        store
            .close_day(station.id, today.next(), &short, operator)
            .await,
        Err(Error::Station(StationRefusal::DayNotOver))
    ));
    let explained = Closing {
        explanation: Some("找零找错了五块".to_owned()),
        ..short.clone()
    };
    let closed = store
        .close_day(station.id, today, &explained, operator)
        .await
        .unwrap();
    assert_eq!(closed.expected, expected);
    assert_eq!(closed.counted, short.counted);
    assert!(matches!(
        store
            .close_day(station.id, today, &explained, operator)
            .await,
        Err(Error::Station(StationRefusal::DayClosed))
    ));
    let left = Fen(short.counted.0 - short.handed_in.0);
    assert_eq!(store.till_balance(station.id, today).await.unwrap(), left);

    // The ledger's day: its figures, and its cash is the sum of the day's movements.
    let rows = store
        .ledger(&[station.id], today, today.next())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.villager_orders, 3);
    assert_eq!(row.parcels_received, 1);
    assert_eq!(row.parcels_handed, 1);
    assert_eq!(row.fees, own.shipping);
    assert_eq!(row.cash_taken(), expected);
    assert_eq!(row.handed_in(), short.handed_in);
    assert_eq!(row.difference(), Fen(-500));
    let movements = store.cash_movements(station.id, today).await.unwrap();
    assert_eq!(movements.len(), 3 + 1 + 2);
    let summed: i64 = movements.iter().map(|m| m.amount.0).sum();
    assert_eq!(row.net(), Fen(summed));
    assert_eq!(row.net(), left);
    for kind in CashKind::ALL {
        let of_kind: i64 = movements
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.amount.0)
            .sum();
        assert_eq!(
            row.cash.get(kind.as_str()).copied().unwrap_or_default(),
            Fen(of_kind),
            "{kind:?}"
        );
    }
    let goods = store
        .villager_goods_by_category(&[station.id], today, today.next())
        .await
        .unwrap();
    assert_eq!(goods.iter().map(|g| g.orders).sum::<i64>(), 3);
    assert_eq!(
        goods.iter().map(|g| g.value.0).sum::<i64>(),
        row.villager_goods.0
    );
    // Another station's ledger has none of it.
    assert!(
        store
            .ledger(&[station.id + 1], today, today.next())
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_stations_health_flags_cash_kept_and_days_left_open(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "bag-seller", "tekes-qiongkushitai").await;
    let bags = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let people = buyers(store, 1).await;
    let operator = people[0];
    let station = kuokesu(store).await;
    let mut order = placement(operator, "villager-bag-1", &[(bags, 1)]);
    order.delivery = Delivery::Pickup {
        station_id: station.id,
    };
    let placed = OrderIntake::start(store.clone())
        .place(order)
        .await
        .unwrap();
    let ids: Vec<i64> = placed.orders.iter().map(|o| o.id).collect();
    let villager = Villager {
        name: DisplayName::parse("热依拉").unwrap(),
        phone: None,
    };
    store
        .record_villager_orders(station.id, operator, &villager, &ids)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let health = |at| {
        let station = station.clone();
        async move {
            store
                .station_health(std::slice::from_ref(&station), at)
                .await
                .unwrap()
                .remove(0)
        }
    };
    let today = health(now).await;
    assert_eq!(today.cash_held, placed.orders[0].total);
    assert!(!today.cash_not_handed_in(now), "taken today");
    assert_eq!(today.days_unclosed, 0, "today is not over");
    // Seen from eight days on: the cash was kept a week, and that day was never closed.
    let later = now + chrono::Duration::days(8);
    let then = health(later).await;
    assert!(then.cash_not_handed_in(later));
    assert_eq!(then.days_unclosed, 1);
    // Closed with the cash handed in: nothing to flag.
    let day = LedgerDay::of(now);
    let all = Closing {
        counted: placed.orders[0].total,
        handed_in: placed.orders[0].total,
        explanation: None,
    };
    store
        .close_day(station.id, day, &all, operator)
        .await
        .unwrap();
    let after = health(later).await;
    assert_eq!(after.cash_held, Fen(0));
    assert!(!after.cash_not_handed_in(later));
    assert_eq!(after.days_unclosed, 0);
    assert_eq!(
        after.weeks.iter().sum::<i64>(),
        0,
        "nothing handed over yet"
    );
}
