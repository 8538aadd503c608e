//! Money through the real intake, on both databases: totals that equal big-integer
//! arithmetic, and amounts that would wrap refused on their field.

use farmgate_domain::ValidationError;
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::money::MAX_UNIT_PRICE;
use farmgate_store::orders::{IntakeError, OrderIntake};
use farmgate_store::testing::TestDb;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use sea_orm::ConnectionTrait;

use super::{buyers, open_shop, placement, seed_demo, stocked_variant};

/// Sets a variant's price behind the catalogue's back, as a row written before prices had a
/// ceiling would hold it.
async fn force_price(db: &TestDb, variant_id: i64, price: i64) {
    db.store
        .raw_for_tests()
        .execute_unprepared(&format!(
            "UPDATE variants SET price_fen = {price} WHERE id = {variant_id}"
        ))
        .await
        .unwrap();
}

/// The review's attack: a price that makes a mixed checkout wrap to almost nothing would have
/// let 2 fen pay for another shop's order. Refused on the quantity, and nothing is taken.
pub async fn an_amount_that_would_wrap_is_refused_not_wrapped(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let honest = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let crafty = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let walnuts = stocked_variant(store, honest.id, 10, ProductStatus::Listed).await;
    let bait = stocked_variant(store, crafty.id, 10, ProductStatus::Listed).await;
    // 2 x (2^62) + 2 x 3800 wraps an i64 to 7,600 fen... and with (2^63 - 3800) once, to 0.
    force_price(db, bait, i64::MAX / 2 + 1).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let wrapping = placement(buyer, "wrapping-1", &[(walnuts, 2), (bait, 2)]);
    let honest_one = placement(buyer, "honest-one", &[(walnuts, 1)]);
    // Together, so the set-based batch decides them; then alone, the per-placement path.
    let (refused, placed) = tokio::join!(intake.place(wrapping.clone()), intake.place(honest_one));
    match refused {
        Err(IntakeError::Invalid(ValidationError { field, code })) => {
            assert_eq!((field, code), ("quantity", "amount-too-large"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(placed.unwrap().payment.amount.0, 3800);
    let alone = placement(buyer, "wrapping-2", &[(bait, 1), (walnuts, 1)]);
    force_price(db, bait, i64::MAX - 3799).await;
    assert!(matches!(
        intake.place(alone).await,
        Err(IntakeError::Invalid(_))
    ));
    // Only the honest order took stock.
    let left = |id| async move { store.variant_stock(id).await.unwrap() };
    assert_eq!((left(walnuts).await, left(bait).await), (9, 10));
}

/// Random carts of random prices (up to the ceiling) and quantities (up to the basket's
/// limit) over three shops: every order's goods and total, and the payment, equal what
/// 128-bit arithmetic says.
pub async fn intake_totals_equal_big_integer_arithmetic(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shops = [
        open_shop(store, "walnut-grower", "huixian-fujia-village").await,
        open_shop(store, "apricot-grower", "tekes-qiongkushitai").await,
        open_shop(store, "pear-grower", "korla-saibag").await,
    ];
    let mut variants = Vec::new();
    for shop in &shops {
        for _ in 0..2 {
            let id = stocked_variant(store, shop.id, 10_000_000, ProductStatus::Listed).await;
            variants.push((id, shop.id));
        }
    }
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let cart = proptest::collection::vec(
        (
            0..variants.len(),
            1..=MAX_UNIT_PRICE.0,
            1u32..=farmgate_domain::orders::Basket::MAX_QUANTITY,
        ),
        1..6,
    );
    let mut runner = TestRunner::deterministic();
    for case in 0..24 {
        let mut lines = cart.new_tree(&mut runner).unwrap().current();
        lines.sort_by_key(|(v, _, _)| *v);
        lines.dedup_by_key(|(v, _, _)| *v);
        for (v, price, _) in &lines {
            force_price(db, variants[*v].0, *price).await;
        }
        let basket: Vec<(i64, i64)> = lines
            .iter()
            .map(|(v, _, q)| (variants[*v].0, i64::from(*q)))
            .collect();
        let checkout = intake
            .place(placement(buyer, &format!("random-cart-{case}"), &basket))
            .await
            .unwrap();
        let mut payment: i128 = 0;
        for order in &checkout.orders {
            let goods: i128 = lines
                .iter()
                .filter(|(v, _, _)| variants[*v].1 == order.shop_id)
                .map(|(_, p, q)| i128::from(*p) * i128::from(*q))
                .sum();
            assert_eq!(i128::from(order.goods.0), goods, "case {case}");
            // Tekes' centre hands out parcels for free.
            assert_eq!(i128::from(order.total.0), goods, "case {case}");
            payment += goods;
        }
        assert_eq!(
            i128::from(checkout.payment.amount.0),
            payment,
            "case {case}"
        );
    }
}
