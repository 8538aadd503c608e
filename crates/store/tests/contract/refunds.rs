//! Paid and cancelled, on both databases: money taken for orders that will not be delivered is
//! owed back and listed for the centre; a paid order's cancel is a request the shop answers;
//! the buyer's cancel, the expiry job and the gateway's confirmation racing each other never
//! lose money or stock.

use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::orders::{OrderEvent, OrderStatus, PaymentMethod};
use farmgate_store::Error;
use farmgate_store::orders::{Checkout, OrderIntake, PaymentStatus, Settlement};
use farmgate_store::testing::TestDb;

use super::{buyers, open_shop, placement, seed_demo, stocked_variant};

async fn online(intake: &OrderIntake, buyer: i64, key: &str, variant: i64) -> Checkout {
    let mut request = placement(buyer, key, &[(variant, 2)]);
    request.payment = PaymentMethod::Online;
    request.provider = "sandbox".to_owned();
    intake.place(request).await.unwrap()
}

pub async fn a_payment_for_cancelled_orders_is_owed_back(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let checkout = online(&intake, buyer, "cancelled-first", variant).await;
    let order = checkout.orders[0].id;
    // The buyer gives up before paying: cancelled outright, the stock is back.
    store
        .advance_order(order, OrderEvent::Cancel, buyer, None)
        .await
        .unwrap();
    assert_eq!(store.variant_stock(variant).await.unwrap(), 10);
    // ...but the gateway had taken the money: all of it is owed back.
    let amount = checkout.payment.amount;
    assert_eq!(
        store
            .settle_payment(checkout.payment.id, amount, "SBX-1")
            .await
            .unwrap(),
        Settlement::TooLate
    );
    let owed = store.payment(checkout.payment.id).await.unwrap();
    assert_eq!(
        (owed.status, owed.refund_due),
        (PaymentStatus::RefundDue, amount)
    );
    assert_eq!(
        store.order(order).await.unwrap().status,
        OrderStatus::Cancelled
    );

    // Huixian's centre sees it; Tekes' does not.
    let huixian = store.region_by_code("huixian").await.unwrap();
    let tekes = store.region_by_code("tekes").await.unwrap();
    let listed = store.payments_owing(&huixian.path, 0, 50).await.unwrap();
    assert_eq!(
        listed.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![owed.id]
    );
    assert!(
        store
            .payments_owing(&tekes.path, 0, 50)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .payments_owing(&huixian.path, owed.id, 50)
            .await
            .unwrap()
            .is_empty(),
        "pages after the last one are empty"
    );

    // Paid back once: the second click finds nothing owed.
    let refunded = store
        .record_refund(owed.id, amount, "SBXR-1")
        .await
        .unwrap();
    assert_eq!(
        (refunded.status, refunded.refund_due, refunded.refunded),
        (
            PaymentStatus::Refunded,
            farmgate_domain::money::Fen(0),
            amount
        )
    );
    assert!(matches!(
        store.record_refund(owed.id, amount, "SBXR-2").await,
        Err(Error::Payment(
            farmgate_domain::orders::PaymentRefusal::NothingOwed
        ))
    ));
    assert!(
        store
            .payments_owing(&huixian.path, 0, 50)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_paid_order_cancelled_is_a_request_the_shop_answers(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let seller = store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("walnut-grower").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let granted = online(&intake, buyer, "granted-cancel", variant).await;
    let refused = online(&intake, buyer, "refused-cancel", variant).await;
    for checkout in [&granted, &refused] {
        store
            .settle_payment(checkout.payment.id, checkout.payment.amount, "SBX")
            .await
            .unwrap();
        let asked = store
            .advance_order(checkout.orders[0].id, OrderEvent::Cancel, buyer, None)
            .await
            .unwrap();
        assert_eq!(asked.status, OrderStatus::CancelRequested);
    }
    assert_eq!(
        store.variant_stock(variant).await.unwrap(),
        6,
        "nothing comes back until the shop answers"
    );
    // Granted: the stock comes back and the order's money is owed.
    let done = store
        .advance_order(granted.orders[0].id, OrderEvent::Refund, seller, None)
        .await
        .unwrap();
    assert_eq!(done.status, OrderStatus::Refunded);
    assert_eq!(store.variant_stock(variant).await.unwrap(), 8);
    let payment = store.payment(granted.payment.id).await.unwrap();
    assert_eq!(
        (payment.status, payment.refund_due),
        (PaymentStatus::Paid, granted.orders[0].total)
    );
    // Refused: back to paid, the shop goes on; nothing is owed.
    let kept = store
        .advance_order(refused.orders[0].id, OrderEvent::RejectRefund, seller, None)
        .await
        .unwrap();
    assert_eq!(kept.status, OrderStatus::Paid);
    assert_eq!(
        store
            .payment(refused.payment.id)
            .await
            .unwrap()
            .refund_due
            .0,
        0
    );
    assert_eq!(store.variant_stock(variant).await.unwrap(), 8);
}

/// The three actors at once, many times over: whatever wins, the money the gateway took
/// equals what the order keeps plus what is owed back, and cancelled stock is back on sale.
pub async fn cancel_expire_and_settle_races_keep_the_money_straight(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 1000, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    let mut outcomes = std::collections::BTreeSet::new();
    for round in 0..16 {
        let checkout = online(&intake, buyer, &format!("race-round-{round}"), variant).await;
        let (payment, order) = (checkout.payment.id, checkout.orders[0].id);
        let amount = checkout.payment.amount;
        let cancel = async {
            // As the web layer does: a cancel that finds the order moved on is tried again
            // once, against what the order is now.
            if let Err(Error::OrderState) = store
                .advance_order(order, OrderEvent::Cancel, buyer, None)
                .await
            {
                let _ = store
                    .advance_order(order, OrderEvent::Cancel, buyer, None)
                    .await;
            }
        };
        let settle = async {
            // Never "database is locked": write transactions take the lock up front.
            store
                .settle_payment(payment, amount, "SBX-race")
                .await
                .unwrap();
        };
        let expire = async {
            if round % 2 == 0 {
                store.expire_unpaid(later, 10).await.unwrap();
            }
        };
        tokio::join!(cancel, settle, expire);
        let p = store.payment(payment).await.unwrap();
        let o = store.order(order).await.unwrap();
        let taken = match p.status {
            PaymentStatus::Pending | PaymentStatus::Expired => 0,
            _ => amount.0,
        };
        let kept = match o.status {
            OrderStatus::Paid | OrderStatus::CancelRequested => o.total.0,
            OrderStatus::Cancelled => 0,
            other => panic!("round {round}: order {other:?}"),
        };
        assert_eq!(
            taken,
            kept + p.refund_due.0,
            "round {round}: payment {:?}, order {:?}",
            p.status,
            o.status
        );
        outcomes.insert((p.status.as_str(), o.status.as_str()));
    }
    // Every order that is not cancelled still holds its stock; every cancelled one gave it back.
    let mut held = 0;
    for round in 0..16 {
        let key =
            farmgate_domain::orders::IdempotencyKey::parse(&format!("race-round-{round}")).unwrap();
        let checkout = store.checkout_of_key(buyer, &key).await.unwrap().unwrap();
        if checkout.orders[0].status != OrderStatus::Cancelled {
            held += 2;
        }
    }
    assert_eq!(store.variant_stock(variant).await.unwrap(), 1000 - held);
    eprintln!("outcomes seen: {outcomes:?}");
}
