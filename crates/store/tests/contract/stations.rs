//! Stations' parcels: a pickup order's parcel is expected at its station when shipped, received
//! by its label there (not elsewhere, not twice), and handed over once against the buyer's code,
//! with wrong codes counted and the code replaced after too many.

use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::orders::{OrderEvent, OrderStatus};
use farmgate_domain::stations::{ParcelLabel, ParcelStatus, PickupCode, StationRefusal};
use farmgate_store::Error;
use farmgate_store::orders::{Delivery, OrderIntake};
use farmgate_store::testing::TestDb;

use super::{TEKES_CENTRE, buyers, open_shop, placement, seed_demo, stocked_variant};

pub async fn a_parcel_is_received_by_its_label_and_handed_over_once_against_its_code(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let apricots = stocked_variant(store, shop.id, 20, ProductStatus::Listed).await;
    let people = buyers(store, 2).await;
    let (buyer, operator) = (people[0], people[1]);
    let kuokesu = store
        .stations_within(&store.region_by_code("tekes").await.unwrap().path)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "tekes-kuokesu")
        .unwrap();
    let mut order = placement(buyer, "pickup-at-kuokesu", &[(apricots, 2)]);
    order.delivery = Delivery::Pickup {
        station_id: kuokesu.id,
    };
    let placed = OrderIntake::start(store.clone())
        .place(order)
        .await
        .unwrap();
    let order = placed.orders[0].clone();
    let seller = operator;
    store
        .advance_order(
            order.id,
            OrderEvent::Pack { packed_grams: 1000 },
            seller,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        store.parcel_of_order(order.id).await.unwrap(),
        None,
        "not sent yet"
    );
    store
        .advance_order(order.id, OrderEvent::Ship, seller, None)
        .await
        .unwrap();
    let expected = store.parcel_of_order(order.id).await.unwrap().unwrap();
    assert_eq!(expected.status, ParcelStatus::Expected);
    assert_eq!(expected.label, ParcelLabel::of_order(order.id).as_str());
    let mine = [kuokesu.id];

    // Another station does not have it; here, the order number typed without FG finds it.
    let typed = ParcelLabel::parse(&order.id.to_string()).unwrap();
    assert!(matches!(
        store
            .receive_parcel(&[TEKES_CENTRE], &typed, operator)
            .await,
        Err(Error::Station(StationRefusal::NotExpected))
    ));
    let received = store.receive_parcel(&mine, &typed, operator).await.unwrap();
    assert_eq!(received.status, ParcelStatus::Received);
    assert_eq!(
        store.order(order.id).await.unwrap().status,
        OrderStatus::ReadyForPickup,
        "the buyer's order is ready"
    );
    assert!(matches!(
        store.receive_parcel(&mine, &typed, operator).await,
        Err(Error::Station(StationRefusal::AlreadyReceived))
    ));
    let shelf = store
        .station_parcels(&mine, ParcelStatus::Received, None, 50)
        .await
        .unwrap();
    assert_eq!(shelf.len(), 1);
    assert!(!shelf[0].overdue(kuokesu.hold_days, chrono::Utc::now()));
    assert!(shelf[0].overdue(
        kuokesu.hold_days,
        chrono::Utc::now() + chrono::Duration::days(8)
    ));

    // Another station's operator cannot hand it over; wrong codes are counted, the fifth
    // replaces the code, and the old one no longer works.
    let first_code = received.pickup_code.clone();
    assert!(matches!(
        store
            .hand_over_parcel(&[TEKES_CENTRE], received.id, &first_code, operator)
            .await,
        Err(Error::NotFound)
    ));
    let wrong = PickupCode::from_number(first_code.as_str().parse::<u32>().unwrap() + 1);
    for _ in 0..4 {
        assert!(matches!(
            store
                .hand_over_parcel(&mine, received.id, &wrong, operator)
                .await,
            Err(Error::Station(StationRefusal::WrongCode))
        ));
    }
    assert!(matches!(
        store
            .hand_over_parcel(&mine, received.id, &wrong, operator)
            .await,
        Err(Error::Station(StationRefusal::CodeRenewed))
    ));
    let renewed = store.parcel_of_order(order.id).await.unwrap().unwrap();
    assert_ne!(renewed.pickup_code, first_code, "a new code for the buyer");
    assert!(matches!(
        store
            .hand_over_parcel(&mine, received.id, &first_code, operator)
            .await,
        Err(Error::Station(StationRefusal::WrongCode))
    ));
    let handed = store
        .hand_over_parcel(&mine, received.id, &renewed.pickup_code, operator)
        .await
        .unwrap();
    assert_eq!(handed.status, ParcelStatus::HandedOver);
    let order = store.order(order.id).await.unwrap();
    assert_eq!(order.status, OrderStatus::PickedUp);
    assert_eq!(handed.fee, kuokesu.pickup_fee, "the station's fee recorded");
    assert_eq!(handed.cash, order.total, "paid in cash at the station");
    assert!(
        matches!(
            store
                .hand_over_parcel(&mine, received.id, &renewed.pickup_code, operator)
                .await,
            Err(Error::OrderState)
        ),
        "handed over once"
    );
}
