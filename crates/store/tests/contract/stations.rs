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

/// The centre adds a station, refuses impossible details by field, pauses it (no longer offered,
/// still in the network), names its operators, and reads its health from its parcels.
pub async fn the_centre_keeps_its_network_and_reads_its_health(db: &TestDb) {
    use farmgate_domain::money::Fen;
    use farmgate_domain::stations::StationKind;
    use farmgate_domain::text::Texts;
    use farmgate_store::stations::{NewStation, StationDetails};
    let store = &db.store;
    seed_demo(store).await;
    let tekes = store.region_by_code("tekes").await.unwrap();
    let village = store.region_by_code("tekes-qiongkushitai").await.unwrap();
    let details = StationDetails::new(
        village.id,
        StationKind::Village,
        Texts::new(None, Some("چوڭقۇشتاي پونكىتى".into()), None),
        Texts::zh("村委会旁"),
    );
    let station = store
        .add_station(NewStation {
            code: "tekes-qiongkushitai".to_owned(),
            details: details.clone(),
        })
        .await
        .unwrap();
    for (broken, code) in [
        (
            StationDetails {
                hold_days: 0,
                ..details.clone()
            },
            "hold-days-invalid",
        ),
        (
            StationDetails {
                latitude: Some(43.2),
                ..details.clone()
            },
            "coordinates-invalid",
        ),
        (
            StationDetails {
                pickup_fee: Fen(2_001),
                ..details.clone()
            },
            "pickup-fee-invalid",
        ),
    ] {
        let refused = store.update_station(station.id, broken).await;
        assert!(
            matches!(&refused, Err(Error::Invalid(e)) if e.code == code),
            "{code}: {refused:?}"
        );
    }
    let people = buyers(store, 2).await;
    store
        .add_station_operator(station.id, people[0], None)
        .await
        .unwrap();
    store
        .add_station_operator(station.id, people[0], None)
        .await
        .unwrap();
    assert_eq!(store.station_operators(station.id).await.unwrap().len(), 1);
    assert_eq!(
        store.stations_operated_by(people[0]).await.unwrap().len(),
        1
    );

    // Its health: quiet with nothing yet; a parcel on its shelf makes it active, and overdue
    // once it has waited past the station's days.
    let now = chrono::Utc::now();
    let health = store
        .station_health(std::slice::from_ref(&station), now)
        .await
        .unwrap();
    assert!(health[0].idle(now) && health[0].on_shelf == 0);
    let shop = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let apricots = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let buyer = people[1];
    let mut order = placement(buyer, "pickup-at-new-station", &[(apricots, 1)]);
    order.delivery = Delivery::Pickup {
        station_id: station.id,
    };
    let order = OrderIntake::start(store.clone())
        .place(order)
        .await
        .unwrap()
        .orders[0]
        .clone();
    for step in [OrderEvent::Pack { packed_grams: 500 }, OrderEvent::Ship] {
        store
            .advance_order(order.id, step, buyer, None)
            .await
            .unwrap();
    }
    let label = ParcelLabel::of_order(order.id);
    store
        .receive_parcel(&[station.id], &label, people[0])
        .await
        .unwrap();
    let health = store
        .station_health(std::slice::from_ref(&station), now)
        .await
        .unwrap();
    assert_eq!((health[0].on_shelf, health[0].overdue), (1, 0));
    assert!(!health[0].idle(now));
    let later = now + chrono::Duration::days(8);
    assert_eq!(
        store
            .station_health(std::slice::from_ref(&station), later)
            .await
            .unwrap()[0]
            .overdue,
        1
    );

    // Paused: not offered to buyers nor worked by its operator, still in the county's network.
    let paused = store
        .update_station(
            station.id,
            StationDetails {
                active: false,
                population: Some(800),
                ..details
            },
        )
        .await
        .unwrap();
    assert_eq!(paused.population, Some(800));
    assert!(
        !store
            .stations_within(&tekes.path)
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == station.id)
    );
    assert!(
        store
            .network_within(&tekes.path)
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == station.id)
    );
    assert!(
        store
            .stations_operated_by(people[0])
            .await
            .unwrap()
            .is_empty()
    );
    store
        .remove_station_operator(station.id, people[0])
        .await
        .unwrap();
    assert!(
        store
            .station_operators(station.id)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A parcel nobody collects goes back only once it has waited its days: its cash order is
/// cancelled and the goods are on sale again.
pub async fn an_uncollected_parcel_goes_back_after_its_days(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let apricots = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let people = buyers(store, 2).await;
    let (buyer, operator) = (people[0], people[1]);
    let mut order = placement(buyer, "uncollected-parcel", &[(apricots, 3)]);
    order.delivery = Delivery::Pickup {
        station_id: TEKES_CENTRE,
    };
    let order = OrderIntake::start(store.clone())
        .place(order)
        .await
        .unwrap()
        .orders[0]
        .clone();
    assert_eq!(store.variant_stock(apricots).await.unwrap(), 7);
    for step in [OrderEvent::Pack { packed_grams: 1500 }, OrderEvent::Ship] {
        store
            .advance_order(order.id, step, operator, None)
            .await
            .unwrap();
    }
    let here = [TEKES_CENTRE];
    let parcel = store
        .receive_parcel(&here, &ParcelLabel::of_order(order.id), operator)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    assert!(matches!(
        store.return_parcel(&here, parcel.id, operator, now).await,
        Err(Error::Station(StationRefusal::NotOverdue))
    ));
    let later = now + chrono::Duration::days(8);
    assert!(matches!(
        store
            .return_parcel(&[kuokesu_id(store).await], parcel.id, operator, later)
            .await,
        Err(Error::NotFound)
    ));
    let returned = store
        .return_parcel(&here, parcel.id, operator, later)
        .await
        .unwrap();
    assert_eq!(returned.status, ParcelStatus::Returned);
    assert_eq!(
        store.order(order.id).await.unwrap().status,
        OrderStatus::Cancelled
    );
    assert_eq!(
        store.variant_stock(apricots).await.unwrap(),
        10,
        "on sale again"
    );
    assert!(matches!(
        store.return_parcel(&here, parcel.id, operator, later).await,
        Err(Error::OrderState)
    ));
}

async fn kuokesu_id(store: &farmgate_store::Store) -> i64 {
    store
        .stations_within(&store.region_by_code("tekes").await.unwrap().path)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "tekes-kuokesu")
        .unwrap()
        .id
}

/// The seeds' networks load once: Gaodu's thirty village stations with a week of parcels each
/// (about 110 a day), two of them gone quiet, which the health reading shows.
pub async fn the_seeds_networks_load_once_with_their_health(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let (stations, parcels) = store.load_demo_network().await.unwrap();
    assert_eq!(stations, 30 + 19 + 5);
    assert!(parcels > 30 * 7 * 100, "{parcels}");
    assert_eq!(store.load_demo_network().await.unwrap(), (0, 0), "once");
    let gaodu = store.region_by_code("zezhou").await.unwrap();
    let network: Vec<_> = store
        .network_within(&gaodu.path)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.code.starts_with("zezhou-gaodu-"))
        .collect();
    assert_eq!(network.len(), 30);
    let now = chrono::Utc::now();
    let health = store.station_health(&network, now).await.unwrap();
    assert_eq!(
        health.iter().filter(|h| h.idle(now)).count(),
        2,
        "two gone quiet"
    );
    assert!(health.iter().all(|h| h.idle(now) || h.handed_week > 600));
}
