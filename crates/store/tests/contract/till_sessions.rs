//! The showroom's till (issue 19): a session opens once per place, a sale is kept once by its
//! client id however often it is sent (the intake places its orders once by the same key), a
//! short sale waits to be settled, and the session closes with the cash it should hold.

use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::centre::till::{TillPayment, TillSaleStatus};
use farmgate_domain::money::Fen;
use farmgate_domain::text::Texts;
use farmgate_store::Error;
use farmgate_store::catalog::{NewTransfer, PlaceDetails};
use farmgate_store::centre::{NewTillSale, TillLine, TillOutcome};
use farmgate_store::orders::{Delivery, OrderIntake};
use farmgate_store::testing::TestDb;

use super::{buyers, open_shop, placement, seed_demo, stocked_variant};

fn refused_with(err: Error, code: &str) {
    match err {
        Error::Invalid(rule) => assert_eq!(rule.code, code),
        other => panic!("expected {code}, got {other:?}"),
    }
}

/// A Tekes shop (`login`) with ten units of a listed variant, three of them received at the
/// county's showroom (online too): (shop, variant, cashier, showroom).
async fn showroom_holding(store: &farmgate_store::Store, login: &str) -> (i64, i64, i64, i64) {
    let shop = open_shop(store, login, "tekes-qiongkushitai").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let cashier = buyers(store, 1).await[0];
    let county = store.region_by_code("tekes").await.unwrap();
    let showroom = store
        .add_stock_place(
            county.id,
            PlaceDetails {
                kind: PlaceKind::Showroom,
                names: Texts::zh("特克斯电商中心展厅"),
                station_id: None,
                depot_id: None,
            },
            cashier,
        )
        .await
        .unwrap()
        .id;
    store
        .join_stock_place(shop.id, showroom, true, cashier)
        .await
        .unwrap();
    let sent = store
        .send_transfer(
            NewTransfer {
                shop_id: shop.id,
                from: None,
                to: Some(showroom),
                lines: &[(variant, 3)],
                note: "",
            },
            cashier,
        )
        .await
        .unwrap();
    store.receive_transfer(sent.id, &[], cashier).await.unwrap();
    (shop.id, variant, cashier, showroom)
}

pub async fn a_till_sale_is_kept_once_and_the_session_closes_with_its_cash(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let (_, variant, cashier, showroom) = showroom_holding(store, "till-once").await;

    let session = store
        .open_till_session(showroom, Fen(20_000), cashier)
        .await
        .unwrap();
    refused_with(
        store
            .open_till_session(showroom, Fen(0), cashier)
            .await
            .unwrap_err(),
        "till-already-open",
    );
    refused_with(
        store
            .open_till_session(showroom, Fen(-5), cashier)
            .await
            .unwrap_err(),
        "drawer-cash-invalid",
    );

    // A sale rung up offline reaches the server twice: one order, one sale.
    let intake = OrderIntake::start(store.clone());
    let client_id = "8d0c1b9e-till-sale-0001";
    let counter = |key: &str, quantity: i64| farmgate_store::orders::PlaceOrder {
        delivery: Delivery::Counter { place_id: showroom },
        ..placement(cashier, key, &[(variant, quantity)])
    };
    let lines = [
        TillLine::rung(variant, 2, Fen(3_800)),
        TillLine::rung(variant + 100_000, 1, Fen(1_000)),
    ];
    let new = NewTillSale {
        session_id: session.id,
        client_id,
        rung_at: chrono::Utc::now(),
        paid_by: TillPayment::Cash,
        charged: Fen(7_600),
        lines: &lines[..1],
    };
    let mut kept = Vec::new();
    for _ in 0..2 {
        let checkout = intake.place(counter(client_id, 2)).await.unwrap();
        let outcome = TillOutcome::Placed {
            checkout_id: checkout.checkout_id.clone(),
        };
        kept.push((
            checkout.checkout_id,
            store.record_till_sale(new.clone(), outcome).await.unwrap(),
        ));
    }
    assert_eq!(kept[0].0, kept[1].0, "the intake placed it once");
    assert_eq!(kept[0].1.id, kept[1].1.id, "the sale is kept once");
    assert_eq!(store.till_sales(session.id).await.unwrap().len(), 1);

    // Two at once, for another sale: still once.
    let twice: Vec<_> = (0..2)
        .map(|_| {
            let store = store.clone();
            let session_id = session.id;
            tokio::spawn(async move {
                let new = NewTillSale {
                    session_id,
                    client_id: "8d0c1b9e-till-sale-0002",
                    rung_at: chrono::Utc::now(),
                    paid_by: TillPayment::Cash,
                    charged: Fen(8_600),
                    lines: &lines,
                };
                let short = TillOutcome::Short {
                    variant_id: variant,
                };
                store.record_till_sale(new, short).await.unwrap().id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in twice {
        ids.push(task.await.unwrap());
    }
    assert_eq!(ids[0], ids[1]);
    let short = store.till_sale(ids[0]).await.unwrap();
    assert_eq!(short.status, TillSaleStatus::ToSettle);
    assert_eq!(short.short_variant_id, Some(variant));

    // Closing waits for the short sale; it is settled once, one bag's money given back.
    refused_with(
        store
            .close_till_session(session.id, Fen(35_200), "", cashier)
            .await
            .unwrap_err(),
        "till-sales-to-settle",
    );
    let checkout = intake
        .place(counter("8d0c1b9e-till-sale-0002", 1))
        .await
        .unwrap();
    let not_in_it = store
        .settle_till_sale(
            short.id,
            TillOutcome::Placed {
                checkout_id: checkout.checkout_id.clone(),
            },
            Some(variant + 7),
            cashier,
        )
        .await
        .unwrap_err();
    refused_with(not_in_it, "till-given-back-invalid");
    let settled = store
        .settle_till_sale(
            short.id,
            TillOutcome::Placed {
                checkout_id: checkout.checkout_id,
            },
            Some(variant + 100_000),
            cashier,
        )
        .await
        .unwrap();
    assert_eq!(
        (settled.status, settled.given_back),
        (TillSaleStatus::Settled, Fen(1_000))
    );
    assert!(settled.lines.iter().any(|l| l.given_back));
    refused_with(
        store
            .settle_till_sale(
                short.id,
                TillOutcome::Short {
                    variant_id: variant,
                },
                None,
                cashier,
            )
            .await
            .unwrap_err(),
        "till-sale-settled",
    );

    // The drawer: 200 yuan, 76 and 86 in cash, 10 given back; one yuan short.
    let closed = store
        .close_till_session(session.id, Fen(35_100), "  一元找错  ", cashier)
        .await
        .unwrap();
    assert_eq!(closed.expected_cash, Some(Fen(35_200)));
    assert_eq!(closed.counted_cash, Some(Fen(35_100)));
    assert_eq!(closed.note, "一元找错");
    refused_with(
        store
            .close_till_session(session.id, Fen(35_100), "", cashier)
            .await
            .unwrap_err(),
        "till-closed",
    );
    let late = NewTillSale {
        client_id: "8d0c1b9e-till-sale-0003",
        ..new
    };
    refused_with(
        store
            .record_till_sale(
                late,
                TillOutcome::Short {
                    variant_id: variant,
                },
            )
            .await
            .unwrap_err(),
        "till-closed",
    );
    let v = store.variant(variant).await.unwrap();
    assert_eq!(v.spec.stock, 7, "three sold at the counter, once each");
    assert!(
        store
            .open_till_session_at(showroom)
            .await
            .unwrap()
            .is_none()
    );
    store
        .open_till_session(showroom, Fen(35_100), cashier)
        .await
        .unwrap();
}

pub async fn goods_brought_back_at_the_till_return_to_the_shelf_and_the_drawer(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let (shop_id, variant, cashier, showroom) = showroom_holding(store, "till-back").await;
    let session = store
        .open_till_session(showroom, Fen(20_000), cashier)
        .await
        .unwrap();
    let intake = OrderIntake::start(store.clone());
    let client_id = "5f1e-till-sale-back-0001";
    let order = farmgate_store::orders::PlaceOrder {
        delivery: Delivery::Counter { place_id: showroom },
        ..placement(cashier, client_id, &[(variant, 2)])
    };
    let checkout = intake.place(order).await.unwrap();
    let lines = [TillLine::rung(variant, 2, Fen(3_800))];
    let sale = store
        .record_till_sale(
            NewTillSale {
                session_id: session.id,
                client_id,
                rung_at: chrono::Utc::now(),
                paid_by: TillPayment::Cash,
                charged: Fen(7_600),
                lines: &lines,
            },
            TillOutcome::Placed {
                checkout_id: checkout.checkout_id,
            },
        )
        .await
        .unwrap();
    let at_showroom = || async {
        store
            .placed_units(Some(shop_id), Some(showroom))
            .await
            .unwrap()
            .iter()
            .map(|u| u.quantity)
            .sum::<i64>()
    };
    assert_eq!(at_showroom().await, 1);

    refused_with(
        store
            .return_till_goods(session.id, (sale.id, variant, 3), cashier)
            .await
            .unwrap_err(),
        "till-return-quantity-invalid",
    );
    let first = store
        .return_till_goods(session.id, (sale.id, variant, 1), cashier)
        .await
        .unwrap();
    assert_eq!(first.amount, Fen(3_800));
    assert_eq!(at_showroom().await, 2, "back on the showroom's shelf");
    assert_eq!(store.variant(variant).await.unwrap().spec.stock, 9);
    store
        .return_till_goods(session.id, (sale.id, variant, 1), cashier)
        .await
        .unwrap();
    refused_with(
        store
            .return_till_goods(session.id, (sale.id, variant, 1), cashier)
            .await
            .unwrap_err(),
        "till-return-quantity-invalid",
    );
    let refund = store
        .refund_of_order(first.order_id)
        .await
        .unwrap()
        .expect("the order carries the refund");
    assert_eq!(
        refund.granted,
        Fen(7_600),
        "one refund, grown by each return"
    );
    let now = chrono::Utc::now();
    let takings = store
        .shop_takings(
            shop_id,
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!((takings.refunded, takings.net), (Fen(7_600), Fen(0)));

    // The drawer gave both back: it holds the opening cash again.
    let closed = store
        .close_till_session(session.id, Fen(20_000), "", cashier)
        .await
        .unwrap();
    assert_eq!(closed.expected_cash, Some(Fen(20_000)));
    refused_with(
        store
            .return_till_goods(session.id, (sale.id, variant, 1), cashier)
            .await
            .unwrap_err(),
        "till-closed",
    );
}
