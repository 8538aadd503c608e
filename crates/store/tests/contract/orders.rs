//! The order intake (never oversold, replays, one order per shop), steps, fees, payments,
//! expiry, carts, reviews and bursts.

use super::*;

pub(super) async fn concurrent_placements_never_oversell(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::{IntakeError, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let buyers = buyers(store, 5).await;
    let intake = OrderIntake::start(store.clone());
    let mut tasks = Vec::new();
    for n in 0..50 {
        let intake = intake.clone();
        let order = placement(buyers[n % 5], &format!("burst-key-{n:04}"), &[(variant, 1)]);
        tasks.push(tokio::spawn(async move { intake.place(order).await }));
    }
    let (mut placed, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(checkout) => {
                placed += 1;
                assert_eq!(checkout.orders.len(), 1);
                assert_eq!(checkout.orders[0].total.0, 3800);
            }
            Err(IntakeError::OutOfStock { variant_id }) => {
                refused += 1;
                assert_eq!(variant_id, variant);
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((placed, refused), (10, 40));
    assert_eq!(store.variant_stock(variant).await.unwrap(), 0);
    // On SQLite every batch went whole through the intake's own rusqlite writer.
    let profile = intake.profile();
    let on_writer = match store.backend() {
        farmgate_store::Backend::Sqlite => profile.batches,
        farmgate_store::Backend::Postgres => 0,
    };
    assert_eq!((profile.on_writer, profile.careful), (on_writer, 0));
    assert_eq!(
        store.all_orders_of_shop(shop.id).await.unwrap().len(),
        10,
        "every acknowledged order is there, and no more"
    );
}

pub(super) async fn a_replayed_key_returns_the_same_orders(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::OrderStatus;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let first = intake
        .place(placement(buyer, "retry-me-0001", &[(variant, 3)]))
        .await
        .unwrap();
    let again = intake
        .place(placement(buyer, "retry-me-0001", &[(variant, 3)]))
        .await
        .unwrap();
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.checkout_id, again.checkout_id);
    assert_eq!(first.orders, again.orders);
    assert_eq!(
        store.variant_stock(variant).await.unwrap(),
        7,
        "stock taken once"
    );
    let order = store.order(first.orders[0].id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Placed);
    assert_eq!(order.lines[0].quantity, 3);
    assert_eq!(order.lines[0].name, "徽县核桃");
    assert_eq!(order.events.len(), 1);
    assert_eq!(
        store
            .orders_of_buyer(buyer, Default::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

pub(super) async fn two_intakes_on_one_database_never_oversell(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 25, ProductStatus::Listed).await;
    let buyers = buyers(store, 4).await;
    // Two intakes, as two server instances would run them against one database.
    let intakes = [
        OrderIntake::start(store.clone()),
        OrderIntake::start(store.clone()),
    ];
    let mut tasks = Vec::new();
    for n in 0..60 {
        let intake = intakes[n % 2].clone();
        let order = placement(
            buyers[n % 4],
            &format!("two-intakes-{n:04}"),
            &[(variant, 1)],
        );
        tasks.push(tokio::spawn(
            async move { intake.place(order).await.is_ok() },
        ));
    }
    let mut placed = 0;
    for task in tasks {
        if task.await.unwrap() {
            placed += 1;
        }
    }
    assert_eq!(placed, 25);
    assert_eq!(store.variant_stock(variant).await.unwrap(), 0);
    assert_eq!(store.all_orders_of_shop(shop.id).await.unwrap().len(), 25);
}

pub(super) async fn a_basket_makes_one_order_per_shop_or_nothing(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::{IntakeError, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let walnuts_shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let apricot_shop = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let walnuts = stocked_variant(store, walnuts_shop.id, 5, ProductStatus::Listed).await;
    let apricots = stocked_variant(store, apricot_shop.id, 1, ProductStatus::Listed).await;
    let draft = stocked_variant(store, apricot_shop.id, 9, ProductStatus::Draft).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());

    let both = intake
        .place(placement(
            buyer,
            "two-shops-0001",
            &[(walnuts, 2), (apricots, 1)],
        ))
        .await
        .unwrap();
    assert_eq!(both.orders.len(), 2, "one order per shop");
    assert!(
        both.orders
            .iter()
            .all(|o| o.checkout_id == both.checkout_id)
    );
    let shops: Vec<i64> = both.orders.iter().map(|o| o.shop_id).collect();
    assert!(shops.contains(&walnuts_shop.id) && shops.contains(&apricot_shop.id));

    let refused = intake
        .place(placement(
            buyer,
            "two-shops-0002",
            &[(walnuts, 1), (apricots, 1)],
        ))
        .await;
    assert!(
        matches!(refused, Err(IntakeError::OutOfStock { variant_id }) if variant_id == apricots)
    );
    assert_eq!(
        store.variant_stock(walnuts).await.unwrap(),
        3,
        "the refused basket took nothing"
    );
    assert_eq!(
        store
            .orders_of_buyer(buyer, Default::default())
            .await
            .unwrap()
            .len(),
        2
    );

    let not_for_sale = intake
        .place(placement(buyer, "two-shops-0003", &[(draft, 1)]))
        .await;
    assert!(matches!(not_for_sale, Err(IntakeError::NotForSale { .. })));
    let unknown = intake
        .place(placement(buyer, "two-shops-0004", &[(999_999, 1)]))
        .await;
    assert!(matches!(
        unknown,
        Err(IntakeError::NotForSale {
            variant_id: 999_999
        })
    ));
}

pub(super) async fn an_order_moves_only_along_legal_steps(db: &TestDb) {
    use farmgate_domain::catalog::{PricePolicy, ProductStatus, Unit, VariantSpec};
    use farmgate_domain::money::Fen;
    use farmgate_domain::orders::{OrderEvent, OrderStatus};
    use farmgate_store::catalog::{NewProduct, ProductDetails, ProductText};
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let nuts = store
        .categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "nuts")
        .unwrap();
    let product = store
        .create_product(NewProduct {
            shop_id: shop.id,
            status: ProductStatus::Listed,
            variants: vec![
                VariantSpec::new(
                    Unit::Bag,
                    Some(1000),
                    Fen(3800),
                    10,
                    PricePolicy::FollowsPackedWeight { tolerance_bp: 500 },
                )
                .unwrap(),
            ],
            details: ProductDetails {
                category_id: nuts.id,
                origin_id: shop.village_id,
                organic_certificate: None,
                tags: vec![],
                texts: vec![ProductText {
                    language: Language::ZhCn,
                    name: "徽县核桃".to_owned(),
                    story: String::new(),
                }],
                code: None,
            },
        })
        .await
        .unwrap();
    let variant = product.variants[0].id;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let placed = intake
        .place(placement(buyer, "legal-steps-0001", &[(variant, 2)]))
        .await
        .unwrap();
    let id = placed.orders[0].id;

    let packed = store
        .advance_order(id, OrderEvent::Pack { packed_grams: 2080 }, 1, None)
        .await
        .unwrap();
    assert_eq!(packed.status, OrderStatus::Packed);
    assert_eq!(packed.lines[0].packed_grams, Some(2080));
    assert_eq!(
        packed.total.0, 7904,
        "4% heavier, inside the 5% tolerance: the price follows the weight"
    );
    assert!(
        matches!(
            store.advance_order(id, OrderEvent::Deliver, 1, None).await,
            Err(Error::OrderState)
        ),
        "not shipped yet"
    );
    assert!(
        matches!(
            store
                .advance_order(id, OrderEvent::Cancel, buyer, None)
                .await,
            Err(Error::OrderState)
        ),
        "too late to cancel"
    );
    for event in [
        OrderEvent::Ship,
        OrderEvent::MarkReadyForPickup,
        OrderEvent::PickUp,
        OrderEvent::Complete,
    ] {
        store.advance_order(id, event, 1, None).await.unwrap();
    }
    let done = store.order(id).await.unwrap();
    assert_eq!(done.status, OrderStatus::Completed);
    let timeline: Vec<OrderStatus> = done.events.iter().map(|e| e.status).collect();
    assert_eq!(
        timeline,
        [
            OrderStatus::Placed,
            OrderStatus::Packed,
            OrderStatus::Shipped,
            OrderStatus::ReadyForPickup,
            OrderStatus::PickedUp,
            OrderStatus::Completed
        ]
    );

    let second = intake
        .place(placement(buyer, "legal-steps-0002", &[(variant, 3)]))
        .await
        .unwrap();
    assert_eq!(store.variant_stock(variant).await.unwrap(), 5);
    let cancelled = store
        .advance_order(
            second.orders[0].id,
            OrderEvent::Cancel,
            buyer,
            Some("买多了".to_owned()),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(
        store.variant_stock(variant).await.unwrap(),
        8,
        "cancelling returns the stock"
    );
    assert!(matches!(
        store
            .advance_order(second.orders[0].id, OrderEvent::Cancel, buyer, None)
            .await,
        Err(Error::OrderState)
    ));
    assert!(matches!(
        store
            .advance_order(999_999, OrderEvent::Ship, 1, None)
            .await,
        Err(Error::NotFound)
    ));
}

pub(super) async fn fees_follow_the_station_or_the_shops_rule(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::money::Fen;
    use farmgate_domain::orders::shipping::ShippingRule;
    use farmgate_store::orders::{Delivery, IntakeError, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let walnuts_shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let apricot_shop = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    // Walnuts: ¥10 for the first kilogram, ¥3 for each further one; apricots: free over ¥50.
    store
        .set_shop_shipping(
            walnuts_shop.id,
            ShippingRule::ByWeight {
                first_kg: Fen(1000),
                per_extra_kg: Fen(300),
            },
        )
        .await
        .unwrap();
    store
        .set_shop_shipping(
            apricot_shop.id,
            ShippingRule::FreeOver {
                fee: Fen(800),
                free_from: Fen(5000),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.shop_shipping(apricot_shop.id).await.unwrap(),
        ShippingRule::FreeOver {
            fee: Fen(800),
            free_from: Fen(5000)
        }
    );
    let walnuts = stocked_variant(store, walnuts_shop.id, 50, ProductStatus::Listed).await;
    let apricots = stocked_variant(store, apricot_shop.id, 50, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let region = store.region_by_code("korla-saibag").await.unwrap();
    let mut home = placement(buyer, "home-delivery-1", &[(walnuts, 3), (apricots, 1)]);
    home.delivery = Delivery::Home {
        region_id: region.id,
        address: "3 组 12 号".to_owned(),
        recipient: farmgate_domain::accounts::DisplayName::parse("米热古丽").unwrap(),
        phone: farmgate_domain::accounts::PhoneNumber::parse("13909990101").unwrap(),
    };
    let checkout = intake.place(home).await.unwrap();
    let fee_of = |shop: i64| {
        checkout
            .orders
            .iter()
            .find(|o| o.shop_id == shop)
            .unwrap()
            .shipping
            .0
    };
    // 3 kg of walnuts: first kg ¥10 + 2 x ¥3; ¥38 of apricots is under the free threshold.
    assert_eq!(fee_of(walnuts_shop.id), 1600);
    assert_eq!(fee_of(apricot_shop.id), 800);
    let order = &checkout.orders[0];
    assert_eq!(order.delivery_region_id, Some(region.id));
    assert_eq!(order.recipient_name.as_deref(), Some("米热古丽"));
    let goods: i64 = checkout.orders.iter().map(|o| o.goods.0).sum();
    assert_eq!(
        checkout.payment.amount.0,
        goods + 1600 + 800,
        "one payment covers every order"
    );

    // Pickup at Kuqa's Wuqia village station: its ¥1.50 per parcel, whatever the shops' rules.
    let wuqia = store
        .stations_within(&store.region_by_code("kuqa").await.unwrap().path)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "kuqa-wuqia")
        .unwrap();
    let mut pickup = placement(buyer, "pickup-at-wuqia", &[(walnuts, 3), (apricots, 1)]);
    pickup.delivery = Delivery::Pickup {
        station_id: wuqia.id,
    };
    let checkout = intake.place(pickup).await.unwrap();
    assert!(
        checkout
            .orders
            .iter()
            .all(|o| o.shipping.0 == 150 && o.station_id == Some(wuqia.id))
    );
    assert_eq!(checkout.orders[0].pickup_region_id, Some(wuqia.region_id));

    let mut nowhere = placement(buyer, "pickup-nowhere", &[(walnuts, 1)]);
    nowhere.delivery = Delivery::Pickup {
        station_id: 999_999,
    };
    assert!(matches!(
        intake.place(nowhere).await,
        Err(IntakeError::NoSuchStation {
            station_id: 999_999
        })
    ));
    assert_eq!(
        store.variant_stock(walnuts).await.unwrap(),
        44,
        "the refused one took nothing"
    );
}

pub(super) async fn a_confirmed_payment_pays_every_order_once(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::money::Fen;
    use farmgate_domain::orders::{OrderStatus, PaymentMethod};
    use farmgate_store::orders::{OrderIntake, PaymentStatus, Settlement};
    let store = &db.store;
    seed_demo(store).await;
    let a = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let b = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let va = stocked_variant(store, a.id, 5, ProductStatus::Listed).await;
    let vb = stocked_variant(store, b.id, 5, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let mut online = placement(buyer, "pay-online-01", &[(va, 1), (vb, 2)]);
    online.payment = PaymentMethod::Online;
    online.provider = "sandbox".to_owned();
    let checkout = intake.place(online).await.unwrap();
    let payment = checkout.payment.clone();
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert_eq!(payment.amount, Fen(3800 * 3));
    assert!(payment.expires_at.is_some());
    assert_eq!(
        store
            .payment_of_checkout(&checkout.checkout_id)
            .await
            .unwrap(),
        payment
    );

    assert!(matches!(
        store.settle_payment(payment.id, Fen(1), "gw-1").await,
        Err(Error::Conflict { field: "amount" })
    ));
    assert_eq!(
        store.payment(payment.id).await.unwrap().status,
        PaymentStatus::Pending
    );
    assert_eq!(
        store
            .settle_payment(payment.id, payment.amount, "gw-1")
            .await
            .unwrap(),
        Settlement::Settled
    );
    assert_eq!(
        store
            .settle_payment(payment.id, payment.amount, "gw-1")
            .await
            .unwrap(),
        Settlement::AlreadySettled,
        "gateways repeat their callbacks"
    );
    for order in &checkout.orders {
        let order = store.order(order.id).await.unwrap();
        assert_eq!(order.status, OrderStatus::Paid);
        assert_eq!(order.events.len(), 2, "paid once: {:?}", order.events);
    }
    let paid = store.payment(payment.id).await.unwrap();
    assert_eq!(
        (paid.status, paid.gateway_ref.as_deref()),
        (PaymentStatus::Paid, Some("gw-1"))
    );

    // Cash is due at the station: no gateway can settle it.
    let cash = intake
        .place(placement(buyer, "pay-cash-0001", &[(va, 1)]))
        .await
        .unwrap();
    assert_eq!(cash.payment.status, PaymentStatus::Due);
    assert!(matches!(
        store
            .settle_payment(cash.payment.id, cash.payment.amount, "gw-2")
            .await,
        Err(Error::Payment(
            farmgate_domain::orders::PaymentRefusal::NotOnline
        ))
    ));
}

pub(super) async fn unpaid_online_orders_expire_and_return_stock(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::{OrderStatus, PaymentMethod};
    use farmgate_store::orders::{OrderIntake, PaymentStatus, Settlement};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let mut online = placement(buyer, "expire-me-001", &[(variant, 4)]);
    online.payment = PaymentMethod::Online;
    online.provider = "sandbox".to_owned();
    online.pay_within = chrono::Duration::minutes(15);
    let checkout = intake.place(online).await.unwrap();
    let cash = intake
        .place(placement(buyer, "cash-stays-01", &[(variant, 1)]))
        .await
        .unwrap();
    assert_eq!(store.variant_stock(variant).await.unwrap(), 0);

    let now = chrono::Utc::now();
    assert!(
        store.expire_unpaid(now, 100).await.unwrap().is_empty(),
        "not yet"
    );
    let later = now + chrono::Duration::minutes(16);
    assert_eq!(
        store.expire_unpaid(later, 100).await.unwrap(),
        vec![checkout.payment.id]
    );
    assert!(
        store.expire_unpaid(later, 100).await.unwrap().is_empty(),
        "once"
    );
    assert_eq!(
        store.variant_stock(variant).await.unwrap(),
        4,
        "the stock is back on sale"
    );
    let order = store.order(checkout.orders[0].id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(
        order.events.last().unwrap().actor_id,
        None,
        "FarmGate cancelled it"
    );
    assert_eq!(
        store.order(cash.orders[0].id).await.unwrap().status,
        OrderStatus::Placed
    );
    // The gateway's confirmation arriving now is recorded: all of it is owed back.
    assert_eq!(
        store
            .settle_payment(checkout.payment.id, checkout.payment.amount, "late")
            .await
            .unwrap(),
        Settlement::TooLate
    );
    let late = store.payment(checkout.payment.id).await.unwrap();
    assert_eq!(
        (late.status, late.refund_due),
        (PaymentStatus::RefundDue, checkout.payment.amount)
    );
    assert_eq!(
        store.order(checkout.orders[0].id).await.unwrap().status,
        OrderStatus::Cancelled
    );
}

pub(super) async fn carts_merge_and_bound_their_lines(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::Basket;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let more = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    store.merge_cart(buyer, &[(walnuts, 2)]).await.unwrap();
    // What a guest put in before logging in joins what the account had.
    store
        .merge_cart(buyer, &[(walnuts, 1), (more, 4)])
        .await
        .unwrap();
    assert_eq!(
        store.cart(buyer).await.unwrap(),
        vec![(walnuts, 3), (more, 4)]
    );
    store.set_cart_quantity(buyer, more, 2).await.unwrap();
    store.merge_cart(buyer, &[(walnuts, 5000)]).await.unwrap();
    assert_eq!(
        store.cart(buyer).await.unwrap(),
        vec![(walnuts, Basket::MAX_QUANTITY), (more, 2)]
    );
    store.set_cart_quantity(buyer, more, 0).await.unwrap();
    assert_eq!(
        store.cart(buyer).await.unwrap(),
        vec![(walnuts, Basket::MAX_QUANTITY)]
    );
    store.remove_from_cart(buyer, &[walnuts]).await.unwrap();
    assert!(store.cart(buyer).await.unwrap().is_empty());
    let products = store.products_of_variants(&[walnuts, more]).await.unwrap();
    assert_eq!(products.len(), 2);
}

pub(super) async fn reviews_follow_completion_once_per_product(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::OrderEvent;
    use farmgate_domain::orders::review::ReviewText;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let buyers = buyers(store, 2).await;
    let intake = OrderIntake::start(store.clone());
    let checkout = intake
        .place(placement(buyers[0], "review-me-001", &[(variant, 1)]))
        .await
        .unwrap();
    let order = &checkout.orders[0];
    let product = order.lines[0].product_id;
    let words = ReviewText::parse(5, "皮薄，香").unwrap();
    assert!(
        matches!(
            store
                .add_review(order.id, buyers[0], product, &words, Language::ZhCn)
                .await,
            Err(Error::OrderState)
        ),
        "not before the parcel is received"
    );
    for event in [
        OrderEvent::Pack { packed_grams: 1000 },
        OrderEvent::Ship,
        OrderEvent::MarkReadyForPickup,
        OrderEvent::PickUp,
        OrderEvent::Complete,
    ] {
        store
            .advance_order(order.id, event, buyers[0], None)
            .await
            .unwrap();
    }
    assert!(
        matches!(
            store
                .add_review(order.id, buyers[1], product, &words, Language::ZhCn)
                .await,
            Err(Error::NotFound)
        ),
        "only its buyer"
    );
    let review = store
        .add_review(order.id, buyers[0], product, &words, Language::ZhCn)
        .await
        .unwrap();
    assert_eq!((review.stars, review.body.as_str()), (5, "皮薄，香"));
    assert!(
        matches!(
            store
                .add_review(order.id, buyers[0], product, &words, Language::ZhCn)
                .await,
            Err(Error::Conflict { field: "product" })
        ),
        "once per product"
    );
    assert_eq!(
        store.reviews_of_product(product, 10).await.unwrap(),
        vec![review]
    );
    let rating = store.product_rating(product).await.unwrap();
    assert_eq!((rating.average, rating.count), (5.0, 1));
    assert_eq!(store.shop_rating(shop.id).await.unwrap().count, 1);
    assert_eq!(
        store.reviewed_products(order.id).await.unwrap(),
        vec![product]
    );

    // The shop's own owner buys a bag of their walnuts: no five stars for themselves.
    let owner = store
        .account_by_login(&LoginId::parse("walnut-grower").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let own = intake
        .place(placement(owner, "own-shop-review", &[(variant, 1)]))
        .await
        .unwrap()
        .orders
        .remove(0);
    for event in [
        OrderEvent::Pack { packed_grams: 1000 },
        OrderEvent::Ship,
        OrderEvent::MarkReadyForPickup,
        OrderEvent::PickUp,
        OrderEvent::Complete,
    ] {
        store
            .advance_order(own.id, event, owner, None)
            .await
            .unwrap();
    }
    assert!(matches!(
        store
            .add_review(own.id, owner, product, &words, Language::ZhCn)
            .await,
        Err(Error::Invalid(farmgate_domain::ValidationError {
            code: "review-own-shop",
            ..
        }))
    ));
    assert_eq!(store.product_rating(product).await.unwrap().count, 1);
}

pub(super) async fn a_burst_with_repeats_and_refusals_is_answered_one_by_one(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::{Delivery, IntakeError, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 6, ProductStatus::Listed).await;
    let draft = stocked_variant(store, shop.id, 6, ProductStatus::Draft).await;
    let buyers = buyers(store, 3).await;
    let intake = OrderIntake::start(store.clone());
    // Sent together, so they land in one batch: a key sent twice, something not for sale,
    // a station that does not exist, more than is left, and plain orders.
    let mut nowhere = placement(buyers[2], "burst-nowhere", &[(walnuts, 1)]);
    nowhere.delivery = Delivery::Pickup {
        station_id: 999_999,
    };
    let requests = vec![
        placement(buyers[0], "burst-twice-1", &[(walnuts, 2)]),
        placement(buyers[0], "burst-twice-1", &[(walnuts, 2)]),
        placement(buyers[1], "burst-draft-1", &[(draft, 1)]),
        nowhere,
        placement(buyers[1], "burst-plain-1", &[(walnuts, 3)]),
        placement(buyers[2], "burst-toomuch", &[(walnuts, 2)]),
        placement(buyers[2], "burst-last-01", &[(walnuts, 1)]),
    ];
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|r| {
            let intake = intake.clone();
            tokio::spawn(async move { intake.place(r).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let first = outcomes[0].as_ref().unwrap();
    let again = outcomes[1].as_ref().unwrap();
    assert!(
        !first.replayed && again.replayed,
        "the same key, one checkout"
    );
    assert_eq!(first.checkout_id, again.checkout_id);
    assert!(
        matches!(outcomes[2], Err(IntakeError::NotForSale { variant_id }) if variant_id == draft)
    );
    assert!(matches!(
        outcomes[3],
        Err(IntakeError::NoSuchStation {
            station_id: 999_999
        })
    ));
    assert!(outcomes[4].is_ok());
    assert!(
        matches!(outcomes[5], Err(IntakeError::OutOfStock { .. })),
        "2 + 3 taken, 1 left"
    );
    let last = outcomes[6].as_ref().unwrap();
    assert_eq!(last.orders[0].lines[0].quantity, 1);
    assert_eq!(store.variant_stock(walnuts).await.unwrap(), 0);
    assert_eq!(store.all_orders_of_shop(shop.id).await.unwrap().len(), 3);
    // What was answered is what was written.
    let stored = store.order(first.orders[0].id).await.unwrap();
    assert_eq!(stored, first.orders[0]);
    assert_eq!(
        store.payment_of_checkout(&first.checkout_id).await.unwrap(),
        first.payment
    );
}

/// Parcels wait at the stations of a region until collected, and on the road to doors in a
/// region until delivered; another region sees none of them.
pub async fn parcels_wait_at_stations_and_on_the_road_within_their_region(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::OrderEvent;
    use farmgate_store::orders::{Delivery, OrderIntake, OrderPage, ParcelsAt};
    let store = &db.store;
    super::seed_demo(store).await;
    let shop = super::open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let seller = store.shop_member_ids(shop.id).await.unwrap()[0];
    let variant = super::stocked_variant(store, shop.id, 20, ProductStatus::Listed).await;
    let buyer = super::buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let pickup = intake
        .place(super::placement(buyer, "parcel-at-tekes", &[(variant, 1)]))
        .await
        .unwrap()
        .orders[0]
        .id;
    let mut home = super::placement(buyer, "parcel-to-saibag", &[(variant, 2)]);
    home.delivery = Delivery::Home {
        region_id: store.region_by_code("korla-saibag").await.unwrap().id,
        address: "3 组 12 号".to_owned(),
        recipient: farmgate_domain::accounts::DisplayName::parse("米热古丽").unwrap(),
        phone: farmgate_domain::accounts::PhoneNumber::parse("13909990101").unwrap(),
    };
    let home = intake.place(home).await.unwrap().orders[0].id;
    let tekes = store.region_by_code("tekes").await.unwrap().path;
    let korla = store.region_by_code("korla").await.unwrap().path;
    let ids = |orders: Vec<farmgate_store::orders::Order>| -> Vec<i64> {
        orders.into_iter().map(|o| o.id).collect()
    };
    let waiting = |at| store.parcels_waiting(at, OrderPage::default());
    assert!(
        ids(waiting(ParcelsAt::Stations(&tekes)).await.unwrap()).is_empty(),
        "not ready yet"
    );
    for (id, steps) in [
        (
            pickup,
            vec![
                OrderEvent::Pack { packed_grams: 1000 },
                OrderEvent::Ship,
                OrderEvent::MarkReadyForPickup,
            ],
        ),
        (
            home,
            vec![OrderEvent::Pack { packed_grams: 2000 }, OrderEvent::Ship],
        ),
    ] {
        for step in steps {
            store.advance_order(id, step, seller, None).await.unwrap();
        }
    }
    assert_eq!(
        ids(waiting(ParcelsAt::Stations(&tekes)).await.unwrap()),
        vec![pickup]
    );
    assert!(ids(waiting(ParcelsAt::Stations(&korla)).await.unwrap()).is_empty());
    assert_eq!(
        ids(waiting(ParcelsAt::Doors(&korla)).await.unwrap()),
        vec![home]
    );
    assert!(ids(waiting(ParcelsAt::Doors(&tekes)).await.unwrap()).is_empty());
    store
        .advance_order(pickup, OrderEvent::PickUp, buyer, None)
        .await
        .unwrap();
    store
        .advance_order(home, OrderEvent::Deliver, seller, None)
        .await
        .unwrap();
    assert!(
        ids(waiting(ParcelsAt::Stations(&tekes)).await.unwrap()).is_empty(),
        "collected"
    );
    assert!(
        ids(waiting(ParcelsAt::Doors(&korla)).await.unwrap()).is_empty(),
        "delivered"
    );
}
