//! Produce taken in on consignment: priced per the receiving shop's list (refused without a
//! price or at a station that does not collect), its units in the shop's stock with a movement,
//! earning its grower as it sells (the stock that was there first sells first), paid out once.

use farmgate_domain::accounts::DisplayName;
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::money::Fen;
use farmgate_domain::stations::StationRefusal;
use farmgate_domain::stations::produce::{BatchCode, Grade, Payout};
use farmgate_domain::stations::till::{CashKind, LedgerDay};
use farmgate_store::Error;
use farmgate_store::orders::OrderIntake;
use farmgate_store::stations::NewConsignment;
use farmgate_store::testing::TestDb;

use super::{TEKES_CENTRE, buyers, open_shop, placement, seed_demo, stocked_variant};

pub async fn produce_is_priced_stocked_earned_as_it_sells_and_paid_once(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "apricot-coop", "tekes-qiongkushitai").await;
    // A 1 kg bag; two bags in stock before any produce comes in.
    let bags = stocked_variant(store, shop.id, 2, ProductStatus::Listed).await;
    let people = buyers(store, 2).await;
    let (operator, buyer) = (people[0], people[1]);
    let kuokesu = store
        .stations_within(&store.region_by_code("tekes").await.unwrap().path)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "tekes-kuokesu")
        .unwrap();
    let village = store.region_by_code("tekes-qiongkushitai").await.unwrap();
    let intake = NewConsignment {
        station_id: kuokesu.id,
        variant_id: bags,
        grade: Grade::First,
        grams: 12_500,
        grower_name: DisplayName::parse("阿依古丽").unwrap(),
        grower_phone: None,
        name_shown: true,
        village_id: village.id,
        harvested_on: None,
    };
    // No price for the grade yet: refused, nothing in stock.
    assert!(matches!(
        store.take_in_produce(&intake, operator).await,
        Err(Error::Station(StationRefusal::NotPriced))
    ));
    // Another shop cannot price this shop's goods.
    assert!(matches!(
        store
            .set_produce_price(shop.id + 1, bags, Grade::First, Some(Fen(1600)))
            .await,
        Err(Error::NotFound)
    ));
    store
        .set_produce_price(shop.id, bags, Grade::First, Some(Fen(1600)))
        .await
        .unwrap();
    // Tekes' centre does not collect produce.
    let at_centre = NewConsignment {
        station_id: TEKES_CENTRE,
        ..intake.clone()
    };
    assert!(matches!(
        store.take_in_produce(&at_centre, operator).await,
        Err(Error::Station(StationRefusal::NotCollecting))
    ));

    let batch = store.take_in_produce(&intake, operator).await.unwrap();
    assert_eq!(batch.units, 12, "12.5 kg in 1 kg bags");
    assert_eq!(batch.owed, Fen(20_000), "12.5 kg at ¥16");
    assert_eq!(store.variant_stock(bags).await.unwrap(), 14);
    let code = BatchCode::parse(&batch.code).unwrap();
    assert_eq!(store.consignment_by_code(&code).await.unwrap().id, batch.id);

    // Five bags sell: the two that were there first, then three of the batch.
    let placed = OrderIntake::start(store.clone())
        .place(placement(buyer, "apricots-after-intake", &[(bags, 5)]))
        .await
        .unwrap();
    assert_eq!(placed.orders.len(), 1);
    let sold = store.consignment(batch.id).await.unwrap();
    assert_eq!(sold.sold_units, 3);
    assert_eq!(sold.earned, Fen(20_000 * 3 / 12));
    assert_eq!(sold.due(), sold.earned);

    // Paid in cash once: out of the station's till; a second tap pays nothing.
    assert!(matches!(
        store
            .pay_growers(TEKES_CENTRE, &[batch.id], Payout::Cash, None, operator)
            .await,
        Err(Error::NotFound)
    ));
    let paid = store
        .pay_growers(kuokesu.id, &[batch.id], Payout::Cash, None, operator)
        .await
        .unwrap();
    assert_eq!(paid, sold.earned);
    let again = store
        .pay_growers(kuokesu.id, &[batch.id], Payout::Cash, None, operator)
        .await
        .unwrap();
    assert_eq!(again, Fen(0));
    let today = LedgerDay::of(chrono::Utc::now());
    let moves = store.cash_movements(kuokesu.id, today).await.unwrap();
    assert_eq!(
        moves
            .iter()
            .filter(|m| m.kind == CashKind::ProducePaid)
            .map(|m| m.amount.0)
            .sum::<i64>(),
        -paid.0
    );
    let row = store
        .ledger(&[kuokesu.id], today, today.next())
        .await
        .unwrap()
        .remove(0);
    assert_eq!((row.produce_batches, row.produce_value), (1, Fen(20_000)));
    let by_category = store
        .produce_by_category(&[kuokesu.id], today, today.next())
        .await
        .unwrap();
    assert_eq!(by_category.len(), 1);
    assert_eq!(
        (
            by_category[0].category.as_str(),
            by_category[0].orders,
            by_category[0].value
        ),
        ("nuts", 1, Fen(20_000))
    );
    assert_eq!(row.cash_paid_out(), paid);
}
