//! Stock in several places (issue 19), on both databases: transfers and counts never make or
//! lose a unit the ledger does not show, and online sales racing transfers out of an online
//! place never take a place below zero.

use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::text::Texts;
use farmgate_store::Store;
use farmgate_store::catalog::{CountedLine, NewTransfer, PlaceDetails, TransferStatus};
use farmgate_store::orders::OrderIntake;
use farmgate_store::testing::TestDb;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{buyers, new_account, open_shop, placement, seed_demo, stocked_variant};

/// The variant's units: (online stock, away online, store, at each place by id).
async fn shelves(store: &Store, variant_id: i64) -> (i64, i64, i64, Vec<(i64, i64)>) {
    let v = store.variant(variant_id).await.unwrap();
    let (stock, away) = (v.spec.stock, v.away_online);
    let placed: Vec<(i64, i64)> = store
        .placed_units(None, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.variant_id == variant_id)
        .map(|p| (p.place_id, p.quantity))
        .collect();
    (stock, away, stock - away, placed)
}

/// Everything the shelves must agree on: the online stock is the store plus the online
/// places, nothing is below zero, and the ledger's sum at each spot is what is there.
async fn check_agrees(store: &Store, variant_id: i64, online: &[i64]) {
    let (stock, away, at_store, placed) = shelves(store, variant_id).await;
    assert!(at_store >= 0 && away >= 0, "nothing below zero: {placed:?}");
    assert!(placed.iter().all(|(_, q)| *q >= 0), "{placed:?}");
    let online_units: i64 = placed
        .iter()
        .filter(|(p, _)| online.contains(p))
        .map(|(_, q)| q)
        .sum();
    assert_eq!(
        away, online_units,
        "away online is the online places' units"
    );
    assert_eq!(stock, at_store + online_units);
    let ledger = store.ledger_by_place(variant_id).await.unwrap();
    let at = |spot: Option<i64>| {
        ledger
            .iter()
            .find(|(s, _)| *s == spot)
            .map(|(_, d)| *d)
            .unwrap_or(0)
    };
    assert_eq!(at(None), at_store, "the store's ledger");
    for (place, quantity) in &placed {
        assert_eq!(at(Some(*place)), *quantity, "the ledger at place {place}");
    }
}

async fn owner(store: &Store, login: &str) -> i64 {
    store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse(login).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn showroom_and_depot(store: &Store, county: &str, by: i64) -> (i64, i64) {
    let county = store.region_by_code(county).await.unwrap();
    let showroom = store
        .add_stock_place(
            county.id,
            PlaceDetails {
                kind: PlaceKind::Showroom,
                names: Texts::zh("中心展厅"),
                station_id: None,
                depot_id: None,
            },
            by,
        )
        .await
        .unwrap();
    let depot = store
        .add_stock_place(
            county.id,
            PlaceDetails {
                kind: PlaceKind::Store,
                names: Texts::zh("中心库房"),
                station_id: None,
                depot_id: None,
            },
            by,
        )
        .await
        .unwrap();
    (showroom.id, depot.id)
}

pub async fn a_transfer_never_makes_or_loses_stock(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let shop = open_shop(store, "places-seller", "tekes-qiongkushitai").await;
    let seller = owner(store, "places-seller").await;
    let variant = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let (showroom, depot) = showroom_and_depot(store, "tekes", seller).await;
    store
        .join_stock_place(shop.id, showroom, true, seller)
        .await
        .unwrap();
    store
        .join_stock_place(shop.id, depot, false, seller)
        .await
        .unwrap();
    let online = [showroom];
    check_agrees(store, variant, &online).await;

    // Twenty leave the store; eighteen arrive at the showroom, two are lost on the way.
    let sent = store
        .send_transfer(
            NewTransfer {
                shop_id: shop.id,
                from: None,
                to: Some(showroom),
                lines: &[(variant, 20)],
                note: "夏季展柜",
            },
            seller,
        )
        .await
        .unwrap();
    assert_eq!(shelves(store, variant).await.0, 30, "on the way: nowhere");
    check_agrees(store, variant, &online).await;
    let received = store
        .receive_transfer(sent.id, &[(variant, 18)], seller)
        .await
        .unwrap();
    assert_eq!(received.status, TransferStatus::Received);
    assert_eq!(received.lines[0].received, Some(18));
    let (stock, away, at_store, _) = shelves(store, variant).await;
    assert_eq!((stock, away, at_store), (48, 18, 30));
    check_agrees(store, variant, &online).await;
    assert!(
        store.receive_transfer(sent.id, &[], seller).await.is_err(),
        "received once"
    );
    assert!(
        store
            .send_transfer(
                NewTransfer {
                    shop_id: shop.id,
                    from: Some(showroom),
                    to: Some(depot),
                    lines: &[(variant, 19)],
                    note: "",
                },
                seller,
            )
            .await
            .is_err(),
        "only 18 at the showroom"
    );
    check_agrees(store, variant, &online).await;
    let more = store
        .send_transfer(
            NewTransfer {
                shop_id: shop.id,
                from: Some(showroom),
                to: None,
                lines: &[(variant, 20)],
                note: "",
            },
            seller,
        )
        .await;
    assert!(more.is_err(), "more than is there");
    assert!(
        store
            .receive_transfer(sent.id, &[(variant, 21)], seller)
            .await
            .is_err()
    );

    // Random moves between the three spots, received whole, short, or called back, and
    // counts: after each, the shelves and the ledger agree.
    let mut rng = StdRng::seed_from_u64(19);
    let spots = [None, Some(showroom), Some(depot)];
    let mut lost_or_found = 2;
    for _ in 0..30 {
        let from = spots[rng.random_range(0..3)];
        let to = spots[rng.random_range(0..3)];
        if rng.random_bool(0.2) {
            let (_, _, at_store, placed) = shelves(store, variant).await;
            let expected = match from {
                None => at_store,
                Some(p) => placed.iter().find(|x| x.0 == p).map(|x| x.1).unwrap_or(0),
            };
            let counted = (expected + rng.random_range(-3..=3)).max(0);
            let outcome = store
                .count_stock(
                    (shop.id, from),
                    &[CountedLine {
                        variant_id: variant,
                        counted,
                        reason: "盘点".to_owned(),
                    }],
                    "",
                    seller,
                )
                .await
                .unwrap();
            assert_eq!(outcome, vec![(variant, expected, counted)]);
            lost_or_found += expected - counted;
        } else if from != to {
            let units = rng.random_range(1..=8);
            match store
                .send_transfer(
                    NewTransfer {
                        shop_id: shop.id,
                        from,
                        to,
                        lines: &[(variant, units)],
                        note: "",
                    },
                    seller,
                )
                .await
            {
                Ok(t) if rng.random_bool(0.2) => {
                    store.call_back_transfer(t.id, seller).await.unwrap();
                }
                Ok(t) => {
                    let arrived = units - rng.random_range(0..=1);
                    lost_or_found += units - arrived;
                    store
                        .receive_transfer(t.id, &[(variant, arrived)], seller)
                        .await
                        .unwrap();
                }
                Err(_) => {}
            }
        }
        check_agrees(store, variant, &online).await;
    }
    let (_, _, at_store, placed) = shelves(store, variant).await;
    let everywhere = at_store + placed.iter().map(|(_, q)| q).sum::<i64>();
    assert_eq!(
        everywhere,
        50 - lost_or_found,
        "only what was recorded moved"
    );

    // Online sales stop drawing from the showroom: its units leave the online stock.
    store
        .set_place_online(shop.id, showroom, false)
        .await
        .unwrap();
    check_agrees(store, variant, &[]).await;
    assert!(
        store.leave_stock_place(shop.id, depot).await.is_err() || {
            let (_, _, _, placed) = shelves(store, variant).await;
            placed.iter().all(|(p, q)| *p != depot || *q == 0)
        },
        "a place that still holds units cannot be left"
    );
}

pub async fn online_sales_and_transfers_never_take_a_place_below_zero(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let shop = open_shop(store, "places-race", "tekes-qiongkushitai").await;
    let seller = owner(store, "places-race").await;
    let variant = stocked_variant(store, shop.id, 15, ProductStatus::Listed).await;
    let (showroom, _) = showroom_and_depot(store, "tekes", seller).await;
    store
        .join_stock_place(shop.id, showroom, true, seller)
        .await
        .unwrap();
    let sent = store
        .send_transfer(
            NewTransfer {
                shop_id: shop.id,
                from: None,
                to: Some(showroom),
                lines: &[(variant, 10)],
                note: "",
            },
            seller,
        )
        .await
        .unwrap();
    store.receive_transfer(sent.id, &[], seller).await.unwrap();
    assert_eq!(
        shelves(store, variant).await.0,
        15,
        "5 at the store, 10 shown"
    );

    // Thirty buyers race for one each while the showroom sends units back one at a time.
    let intake = OrderIntake::start(store.clone());
    let mut tasks = Vec::new();
    for (n, buyer) in buyers(store, 30).await.into_iter().enumerate() {
        let intake = intake.clone();
        let order = placement(buyer, &format!("place-race-{n:02}"), &[(variant, 1)]);
        tasks.push(tokio::spawn(
            async move { intake.place(order).await.is_ok() },
        ));
    }
    let mover = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut moved = 0;
            for _ in 0..6 {
                let sent = store
                    .send_transfer(
                        NewTransfer {
                            shop_id: shop.id,
                            from: Some(showroom),
                            to: None,
                            lines: &[(variant, 1)],
                            note: "",
                        },
                        seller,
                    )
                    .await;
                if let Ok(t) = sent {
                    store.receive_transfer(t.id, &[], seller).await.unwrap();
                    moved += 1;
                }
            }
            moved
        })
    };
    let mut sold = 0;
    for task in tasks {
        if task.await.unwrap() {
            sold += 1;
        }
    }
    mover.await.unwrap();
    // A unit on its way back to the store could not be sold meanwhile; it is on sale again.
    let (left, _, _, _) = shelves(store, variant).await;
    assert_eq!(
        sold + left,
        15,
        "every unit sold once, none twice, none lost"
    );
    check_agrees(store, variant, &[showroom]).await;
    if left > 0 {
        let last = store
            .create_account(new_account("place-race-last"))
            .await
            .unwrap()
            .id;
        intake
            .place(placement(last, "place-race-last", &[(variant, left)]))
            .await
            .unwrap();
    }
    let (stock, away, at_store, placed) = shelves(store, variant).await;
    assert_eq!((stock, away, at_store), (0, 0, 0));
    assert!(placed.iter().all(|(_, q)| *q == 0));
    check_agrees(store, variant, &[showroom]).await;
}

/// A sale over the showroom's counter.
fn at_counter(
    buyer: i64,
    key: &str,
    lines: &[(i64, i64)],
    place_id: i64,
) -> farmgate_store::orders::PlaceOrder {
    farmgate_store::orders::PlaceOrder {
        delivery: farmgate_store::orders::Delivery::Counter { place_id },
        ..placement(buyer, key, lines)
    }
}

pub async fn till_and_online_sales_never_take_a_place_below_zero(db: &TestDb) {
    use farmgate_domain::orders::{Fulfilment, OrderStatus};
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let shop = open_shop(store, "till-race", "tekes-qiongkushitai").await;
    let seller = owner(store, "till-race").await;
    let variant = stocked_variant(store, shop.id, 20, ProductStatus::Listed).await;
    let (showroom, back_room) = showroom_and_depot(store, "tekes", seller).await;
    for (place, online, units) in [(showroom, true, 10), (back_room, false, 4)] {
        store
            .join_stock_place(shop.id, place, online, seller)
            .await
            .unwrap();
        let sent = store
            .send_transfer(
                NewTransfer {
                    shop_id: shop.id,
                    from: None,
                    to: Some(place),
                    lines: &[(variant, units)],
                    note: "",
                },
                seller,
            )
            .await
            .unwrap();
        store.receive_transfer(sent.id, &[], seller).await.unwrap();
    }
    assert_eq!(
        shelves(store, variant).await.0,
        16,
        "6 at the store, 10 shown online"
    );

    // A counter sale takes from its place only: the back room's units are not the online
    // stock, the store's are not at the counter.
    let intake = OrderIntake::start(store.clone());
    let mut people = buyers(store, 21).await;
    let cashier = people.remove(0);
    let from_back = intake
        .place(at_counter(
            cashier,
            "till-back-1",
            &[(variant, 3)],
            back_room,
        ))
        .await
        .unwrap();
    let order = &from_back.orders[0];
    assert_eq!(
        (order.status, order.fulfilment),
        (OrderStatus::Completed, Fulfilment::Counter)
    );
    assert_eq!(
        shelves(store, variant).await.0,
        16,
        "the online stock stays"
    );
    let short = intake
        .place(at_counter(
            cashier,
            "till-back-2",
            &[(variant, 2)],
            back_room,
        ))
        .await;
    assert!(short.is_err(), "one left in the back room");
    let replay = intake
        .place(at_counter(
            cashier,
            "till-back-1",
            &[(variant, 3)],
            back_room,
        ))
        .await
        .unwrap();
    assert!(replay.replayed, "the same sale once");
    check_agrees(store, variant, &[showroom]).await;

    // Twenty online buyers and fifteen counter sales race for the sixteen online units.
    let mut tasks = Vec::new();
    for (n, buyer) in people.into_iter().enumerate() {
        let intake = intake.clone();
        let order = placement(buyer, &format!("till-online-{n:02}"), &[(variant, 1)]);
        tasks.push(tokio::spawn(async move {
            (false, intake.place(order).await.is_ok())
        }));
    }
    for n in 0..15 {
        let intake = intake.clone();
        let order = at_counter(
            cashier,
            &format!("till-counter-{n:02}"),
            &[(variant, 1)],
            showroom,
        );
        tasks.push(tokio::spawn(async move {
            (true, intake.place(order).await.is_ok())
        }));
    }
    let (mut online, mut counter) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            (false, true) => online += 1,
            (true, true) => counter += 1,
            _ => {}
        }
    }
    assert_eq!(
        online + counter,
        16,
        "every online unit sold once, none twice"
    );
    assert!(
        counter <= 10,
        "the counter sells only what the showroom holds"
    );
    let (stock, away, at_store, placed) = shelves(store, variant).await;
    assert_eq!((stock, away, at_store), (0, 0, 0), "{placed:?}");
    assert!(placed.contains(&(back_room, 1)), "{placed:?}");
    check_agrees(store, variant, &[showroom]).await;
}
