//! Refund requests after delivery, on both databases: asked for some lines, answered in part,
//! paid back once however often the provider repeats itself, the goods on the shelf only when
//! they come back, the shop's takings net of refunds; a refusal taken to the centre, which
//! also decides what a shop left for three days; cash refunds listed for the station.

use farmgate_domain::catalog::{ProductStatus, StockReason};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::refund::{RefundReason, RefundStatus};
use farmgate_domain::orders::{OrderEvent, OrderStatus, PaymentMethod};
use farmgate_store::orders::{
    Answerer, OrderIntake, PaymentStatus, RefundAnswer, RefundAsk, RefundRequest,
};
use farmgate_store::testing::TestDb;
use farmgate_store::{Error, Store};

use super::{buyers, open_shop, placement, seed_demo, stocked_variant};

/// Walks a collected order from placed to picked up, as its shop and buyer would.
async fn collected(store: &Store, order: i64, seller: i64, buyer: i64) {
    for (event, actor) in [
        (OrderEvent::Pack { packed_grams: 3000 }, seller),
        (OrderEvent::Ship, seller),
        (OrderEvent::MarkReadyForPickup, seller),
        (OrderEvent::PickUp, buyer),
    ] {
        store
            .advance_order(order, event, actor, None)
            .await
            .unwrap();
    }
}

async fn seller_of(store: &Store, login: &str) -> i64 {
    store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse(login).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

fn ask(order_id: i64, buyer_id: i64, lines: Vec<(i64, u32)>) -> RefundAsk {
    RefundAsk {
        order_id,
        buyer_id,
        reason: RefundReason::Damaged,
        note: "两袋压破了".to_owned(),
        lines,
    }
}

pub async fn a_part_refund_is_paid_once_and_restocks_only_on_return(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let seller = seller_of(store, "walnut-grower").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let buyer = buyers(store, 2).await;
    let intake = OrderIntake::start(store.clone());
    let mut request = placement(buyer[0], "refund-online-1", &[(variant, 3)]);
    request.payment = PaymentMethod::Online;
    request.provider = "sandbox".to_owned();
    let checkout = intake.place(request).await.unwrap();
    let order = checkout.orders[0].clone();
    store
        .settle_payment(checkout.payment.id, checkout.payment.amount, "SBX-R1")
        .await
        .unwrap();
    // Not delivered yet: nothing to refund.
    assert!(matches!(
        store
            .ask_refund(ask(order.id, buyer[0], vec![(variant, 1)]))
            .await,
        Err(Error::OrderState)
    ));
    collected(store, order.id, seller, buyer[0]).await;
    // Another buyer's order is not found; more than was bought is refused.
    assert!(matches!(
        store
            .ask_refund(ask(order.id, buyer[1], vec![(variant, 1)]))
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        store
            .ask_refund(ask(order.id, buyer[0], vec![(variant, 4)]))
            .await,
        Err(Error::Invalid(_))
    ));
    let order = store.order(order.id).await.unwrap();
    let asked = store
        .ask_refund(ask(order.id, buyer[0], vec![(variant, 2)]))
        .await
        .unwrap();
    let share = Fen(order.lines[0].line_total.0 * 2 / 3);
    assert_eq!(
        (asked.status, asked.asked),
        (RefundStatus::Requested, share)
    );
    assert_eq!(
        store.order(order.id).await.unwrap().status,
        OrderStatus::RefundRequested
    );
    assert!(matches!(
        store.ask_refund(ask(order.id, buyer[0], vec![])).await,
        Err(Error::Conflict { field: "order" })
    ));
    // The shop grants a part; more than asked is refused; a second answer finds it decided.
    let now = chrono::Utc::now();
    let too_much = RefundAnswer::Accept {
        amount: Fen(share.0 + 1),
    };
    assert!(matches!(
        store
            .answer_refund(asked.id, too_much, Answerer::Shop(seller), now)
            .await,
        Err(Error::Invalid(_))
    ));
    let part = Fen(share.0 / 2);
    let accepted = store
        .answer_refund(
            asked.id,
            RefundAnswer::Accept { amount: part },
            Answerer::Shop(seller),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (accepted.status, accepted.granted),
        (RefundStatus::Accepted, part)
    );
    assert_eq!(
        store.order(order.id).await.unwrap().status,
        OrderStatus::Completed,
        "the rest of the order stands"
    );
    let declined = RefundAnswer::Decline {
        reason: "no".to_owned(),
    };
    assert!(matches!(
        store
            .answer_refund(asked.id, declined, Answerer::Shop(seller), now)
            .await,
        Err(Error::AlreadyDecided)
    ));
    paid_once(store, &accepted, checkout.payment.id).await;
    restocked_on_return(store, &accepted, variant, seller).await;
    let takings = store
        .shop_takings(
            shop.id,
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(takings.orders, 1);
    assert_eq!(takings.sales, order.total);
    assert_eq!(takings.refunded, part);
    assert_eq!(takings.net, Fen(order.total.0 - part.0));
}

/// The provider's notification comes three times: the buyer is paid back once.
async fn paid_once(store: &Store, accepted: &RefundRequest, payment_id: i64) {
    assert!(matches!(
        store
            .refund_paid(accepted.id, Fen(accepted.granted.0 + 1), "SBXR-x", None)
            .await,
        Err(Error::Conflict { field: "amount" })
    ));
    let first = store
        .refund_paid(accepted.id, accepted.granted, "SBXR-1", None)
        .await
        .unwrap();
    assert_eq!(first.map(|r| r.status), Some(RefundStatus::Paid));
    for _ in 0..2 {
        let again = store
            .refund_paid(accepted.id, accepted.granted, "SBXR-1", None)
            .await
            .unwrap();
        assert!(again.is_none(), "a repeated notification pays nothing");
    }
    let payment = store.payment(payment_id).await.unwrap();
    assert_eq!(
        (payment.status, payment.refunded, payment.refund_due),
        (PaymentStatus::Paid, accepted.granted, Fen(0))
    );
    assert_eq!(payment.refund_ref.as_deref(), Some("SBXR-1"));
}

/// Paying back puts nothing on the shelf; the goods coming back do, once.
async fn restocked_on_return(store: &Store, accepted: &RefundRequest, variant: i64, seller: i64) {
    assert_eq!(store.variant_stock(variant).await.unwrap(), 7);
    let back = store
        .refund_goods_returned(accepted.id, seller)
        .await
        .unwrap();
    assert!(back.returned_at.is_some());
    assert_eq!(store.variant_stock(variant).await.unwrap(), 9);
    assert!(matches!(
        store.refund_goods_returned(accepted.id, seller).await,
        Err(Error::AlreadyDecided)
    ));
    assert_eq!(store.variant_stock(variant).await.unwrap(), 9);
    let ledger = store
        .stock_movements(accepted.shop_id, None, None, 10)
        .await
        .unwrap();
    assert!(
        ledger
            .iter()
            .any(|m| m.reason == StockReason::Returned && m.delta == 2)
    );
}

pub async fn a_refused_refund_goes_to_the_centre_and_cash_is_paid_at_the_station(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let seller = seller_of(store, "walnut-grower").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let mut orders = Vec::new();
    for key in ["refund-cash-1", "refund-cash-2"] {
        let checkout = intake
            .place(placement(buyer, key, &[(variant, 1)]))
            .await
            .unwrap();
        collected(store, checkout.orders[0].id, seller, buyer).await;
        orders.push(checkout.orders[0].clone());
    }
    let now = chrono::Utc::now();
    let refused = store
        .ask_refund(ask(orders[0].id, buyer, vec![]))
        .await
        .unwrap();
    assert_eq!(refused.asked, orders[0].total, "the whole order");
    let no = RefundAnswer::Decline {
        reason: "照片上的核桃是好的".to_owned(),
    };
    let declined = store
        .answer_refund(refused.id, no, Answerer::Shop(seller), now)
        .await
        .unwrap();
    assert_eq!(declined.status, RefundStatus::Declined);
    assert_eq!(
        store.order(orders[0].id).await.unwrap().status,
        OrderStatus::Completed
    );
    let huixian = store.region_by_code("huixian").await.unwrap();
    let tekes = store.region_by_code("tekes").await.unwrap();
    let centre = seller; // any account id will do as the deciding staff member
    let all = RefundAnswer::Accept {
        amount: orders[0].total,
    };
    // The centre cannot step in before the buyer disputes it.
    assert!(matches!(
        store
            .answer_refund(refused.id, all.clone(), Answerer::Centre(centre), now)
            .await,
        Err(Error::AlreadyDecided)
    ));
    let disputed = store.dispute_refund(refused.id, buyer).await.unwrap();
    assert_eq!(disputed.status, RefundStatus::Disputed);
    assert!(matches!(
        store.dispute_refund(refused.id, buyer).await,
        Err(Error::AlreadyDecided)
    ));
    let listed = store
        .refunds_for_centre(&huixian.path, now, 0, 50)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![refused.id]
    );
    assert!(
        store
            .refunds_for_centre(&tekes.path, now, 0, 50)
            .await
            .unwrap()
            .is_empty(),
        "another county's centre does not see it"
    );
    let decided = store
        .answer_refund(refused.id, all, Answerer::Centre(centre), now)
        .await
        .unwrap();
    assert!(decided.decided_by_centre);
    assert_eq!(
        store.order(orders[0].id).await.unwrap().status,
        OrderStatus::Refunded
    );
    // Collected at Tekes' centre and paid in cash: Tekes' station lists it until it is paid.
    let at_station = store
        .cash_refunds_at_stations(&tekes.path, 0, 50)
        .await
        .unwrap();
    assert_eq!(
        at_station.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![refused.id]
    );
    store
        .refund_paid(refused.id, orders[0].total, "CASH-R1", Some(seller))
        .await
        .unwrap()
        .unwrap();
    // The cash left the station's till.
    let today = farmgate_domain::stations::till::LedgerDay::of(chrono::Utc::now());
    let station = orders[0].station_id.unwrap();
    let paid_back = store.cash_movements(station, today).await.unwrap();
    assert!(paid_back.iter().any(|m| m.kind
        == farmgate_domain::stations::till::CashKind::RefundPaid
        && m.amount == Fen(-orders[0].total.0)
        && m.order_id == Some(orders[0].id)));
    assert!(
        store
            .cash_refunds_at_stations(&tekes.path, 0, 50)
            .await
            .unwrap()
            .is_empty()
    );
    // A request the shop leaves alone reaches the centre after three days.
    let waiting = store
        .ask_refund(ask(orders[1].id, buyer, vec![]))
        .await
        .unwrap();
    let listed = |at| store.refunds_for_centre(&huixian.path, at, 0, 50);
    assert!(listed(now).await.unwrap().is_empty());
    let later = now + chrono::Duration::days(3) + chrono::Duration::minutes(1);
    assert_eq!(
        listed(later)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![waiting.id]
    );
    let closed = store
        .answer_refund(
            waiting.id,
            RefundAnswer::Decline {
                reason: "超过了退货时间".to_owned(),
            },
            Answerer::Centre(centre),
            later,
        )
        .await
        .unwrap();
    assert_eq!(closed.status, RefundStatus::Closed);
    assert!(matches!(
        store.dispute_refund(waiting.id, buyer).await,
        Err(Error::AlreadyDecided)
    ));
}
