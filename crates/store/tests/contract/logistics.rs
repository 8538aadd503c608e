//! The distribution centre: carriers and their terms, manifests, scanning in once (a scan sent
//! again is done once; another scan of the same parcel is "already in"), matching a parcel to
//! its village's station or leaving it to be found, sorting by hand, and the consolidation.

use chrono::{Duration, Utc};
use farmgate_domain::logistics::{
    LogisticsRefusal, Rate, Stage, TrackingNumber, TrackingPattern, Zone,
};
use farmgate_domain::money::Fen;
use farmgate_domain::text::Texts;
use farmgate_store::Error;
use farmgate_store::logistics::{Advice, NewCarrier, NewDepot, Scan, ScanOutcome, Terms};
use farmgate_store::testing::TestDb;

use super::{buyers, seed_demo};

fn number(text: &str) -> TrackingNumber {
    TrackingNumber::parse(text).unwrap()
}

fn scan(id: &str, text: &str) -> Scan {
    Scan {
        client_id: id.into(),
        number: number(text),
        at: Utc::now(),
    }
}

fn advice(text: &str, region_id: Option<i64>) -> Advice {
    Advice {
        number: number(text),
        region_id,
        receiver_name: Some("阿依古丽".into()),
        receiver_phone: None,
        address: Some("特克斯县".into()),
        weight_grams: Some(800),
    }
}

fn terms(active: bool, rates: Vec<Rate>) -> Terms {
    Terms {
        inbound_fee: Fen(90),
        active,
        rates,
    }
}

pub async fn a_parcel_is_scanned_in_once_and_sorted_to_its_villages_station(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let worker = buyers(store, 1).await[0];
    let (depot, sf, kuokesu) = tekes_depot(store).await;
    let kuokesu = &kuokesu;
    let elsewhere = store
        .stations_within(&store.region_by_code("jinghe").await.unwrap().path)
        .await
        .unwrap()[0]
        .clone();
    let yto = add_yto(store).await;
    store
        .save_terms(depot.id, yto.id, &terms(false, Vec::new()))
        .await
        .unwrap();

    let now = Utc::now();
    let lines = [
        advice("SF1000000000001", Some(kuokesu.region_id)),
        advice("SF1000000000002", None),
    ];
    assert_eq!(
        store
            .advise_parcels(&depot, &sf, &lines, now)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .advise_parcels(&depot, &sf, &lines, now)
            .await
            .unwrap(),
        0,
        "a manifest sent again adds nothing"
    );
    let wrong = store
        .advise_parcels(&depot, &sf, &[advice("YT1000000000001", None)], now)
        .await;
    assert!(matches!(
        wrong,
        Err(Error::Logistics(LogisticsRefusal::UnknownCarrier))
    ));
    let waiting = store.consolidation(depot.id, now).await.unwrap();
    assert_eq!((waiting.advised, waiting.scanned_today), (2, 0));

    let first = store
        .scan_in(&depot, worker, &[scan("c1", "SF1000000000001")], now)
        .await
        .unwrap();
    let ScanOutcome::In {
        parcel_id,
        carrier_id,
        station_id,
    } = first[0].outcome.clone()
    else {
        panic!("{first:?}");
    };
    assert_eq!(
        (carrier_id, station_id),
        (sf.id, Some(kuokesu.id)),
        "its village's station"
    );
    let again = store
        .scan_in(&depot, worker, &[scan("c1", "SF1000000000001")], now)
        .await
        .unwrap();
    assert_eq!(
        again[0].outcome, first[0].outcome,
        "a replayed scan answers as before"
    );
    let twice = store
        .scan_in(
            &depot,
            worker,
            &[
                scan("c2", "SF1000000000001"),
                scan("c3", "YT1000000000009"),
                scan("c4", "SF1000000000002"),
                scan("c5", "SF1999999999999"),
            ],
            now,
        )
        .await
        .unwrap();
    assert!(
        matches!(twice[0].outcome, ScanOutcome::AlreadyIn { parcel_id: p, .. } if p == parcel_id)
    );
    assert_eq!(
        twice[1].outcome,
        ScanOutcome::Refused {
            code: "tracking-carrier-unknown"
        },
        "a paused carrier's parcels are not taken in"
    );
    for unmatched in &twice[2..] {
        assert!(
            matches!(
                unmatched.outcome,
                ScanOutcome::In {
                    station_id: None,
                    ..
                }
            ),
            "no village, or not on any manifest: its station is to be found"
        );
    }

    let history = store.tracking(&number("SF1000000000001")).await.unwrap();
    assert_eq!(history.len(), 1);
    let kinds: Vec<Stage> = history[0].events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [Stage::Advised, Stage::ScannedIn, Stage::Sorted],
        "replays wrote nothing"
    );
    assert_eq!(
        history[0].parcel.fee,
        Fen(90),
        "the carrier owes the agreed fee"
    );

    let day = store.consolidation(depot.id, now).await.unwrap();
    assert_eq!((day.scanned_today, day.advised, day.unsorted), (3, 0, 2));
    assert_eq!(day.stations.len(), 1);
    assert_eq!(
        (day.stations[0].station_id, day.stations[0].parcels),
        (kuokesu.id, 1)
    );
    assert_eq!(day.stations[0].by_carrier, vec![(sf.id, 1)]);

    let unsorted = store.unsorted_parcels(depot.id, 0, 50).await.unwrap();
    assert_eq!(unsorted.len(), 2);
    let found = store
        .sort_parcel(&depot, unsorted[0].id, kuokesu.id, worker, now)
        .await
        .unwrap();
    assert_eq!(
        (found.stage, found.station_id),
        (Stage::Sorted, Some(kuokesu.id))
    );
    let other_county = store
        .sort_parcel(&depot, unsorted[1].id, elsewhere.id, worker, now)
        .await;
    assert!(
        matches!(other_county, Err(Error::NotFound)),
        "{other_county:?}"
    );
    let day = store
        .consolidation(depot.id, now + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!((day.unsorted, day.stations[0].parcels), (1, 2));
    assert_eq!(
        store.recent_scans(depot.id, now, 10).await.unwrap().len(),
        3
    );
    // Advised parcels scanned together are written together: each keeps its own station,
    // stage and time.
    let batch = [
        advice("SF1000000000011", Some(kuokesu.region_id)),
        advice("SF1000000000012", None),
        advice("SF1000000000013", Some(kuokesu.region_id)),
    ];
    store
        .advise_parcels(&depot, &sf, &batch, now)
        .await
        .unwrap();
    let read_at = |k: i64| chrono::SubsecRound::trunc_subsecs(now - Duration::minutes(10 - k), 3);
    let scans: Vec<Scan> = batch
        .iter()
        .zip(1..)
        .map(|(line, k)| Scan {
            at: read_at(k),
            ..scan(&format!("b{k}"), line.number.as_str())
        })
        .collect();
    store.scan_in(&depot, worker, &scans, now).await.unwrap();
    for (line, k) in batch.iter().zip(1..) {
        let parcel = store.tracking(&line.number).await.unwrap().remove(0).parcel;
        let sorted = line.region_id.is_some();
        assert_eq!(
            (parcel.stage, parcel.station_id, parcel.scanned_at),
            (
                if sorted {
                    Stage::Sorted
                } else {
                    Stage::ScannedIn
                },
                sorted.then_some(kuokesu.id),
                Some(read_at(k))
            ),
            "{}",
            line.number.as_str()
        );
    }
}

pub async fn a_carriers_terms_are_kept_with_their_rates(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let zezhou = store.region_by_code("zezhou").await.unwrap();
    let jt = store
        .add_carrier(NewCarrier {
            code: "jt".into(),
            names: Texts::new(Some("极兔速递".into()), None, Some("J&T Express".into())),
            pattern: TrackingPattern::parse(r"JT\d{13}").unwrap(),
        })
        .await
        .unwrap();
    let depot = store
        .add_depot(NewDepot {
            code: "gaodu".into(),
            county_id: zezhou.id,
            region_id: zezhou.id,
            names: Texts::zh("高都镇物流配送中心"),
            latitude: None,
            longitude: None,
        })
        .await
        .unwrap();
    assert_eq!(
        store.depots_within(&zezhou.path).await.unwrap(),
        vec![depot.clone()]
    );
    let tekes = store.region_by_code("tekes").await.unwrap();
    assert!(store.depots_within(&tekes.path).await.unwrap().is_empty());
    let before = store.agreements(depot.id).await.unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].terms, None, "not working here yet");
    let rates = vec![
        Rate {
            zone: Zone::Province,
            up_to_grams: 1_000,
            fee: Fen(600),
        },
        Rate {
            zone: Zone::Far,
            up_to_grams: 3_000,
            fee: Fen(1_500),
        },
    ];
    store
        .save_terms(depot.id, jt.id, &terms(true, rates.clone()))
        .await
        .unwrap();
    let kept = store.agreements(depot.id).await.unwrap()[0]
        .terms
        .clone()
        .unwrap();
    assert_eq!(kept.rates.len(), 2);
    assert!(kept.rates.contains(&rates[1]));
    store
        .save_terms(depot.id, jt.id, &terms(false, rates[..1].to_vec()))
        .await
        .unwrap();
    let changed = store.agreements(depot.id).await.unwrap()[0]
        .terms
        .clone()
        .unwrap();
    assert_eq!(
        (changed.active, changed.rates.clone()),
        (false, rates[..1].to_vec())
    );
    let duplicate = store
        .add_carrier(NewCarrier {
            code: "jt".into(),
            names: Texts::zh("极兔"),
            pattern: TrackingPattern::parse(r"JT\d{13}").unwrap(),
        })
        .await;
    assert!(matches!(duplicate, Err(Error::Conflict { field: "code" })));
}

/// YTO Express, whose numbers are YT and thirteen digits.
async fn add_yto(store: &farmgate_store::Store) -> farmgate_store::logistics::Carrier {
    store
        .add_carrier(NewCarrier {
            code: "yto".into(),
            names: Texts::zh("圆通速递"),
            pattern: TrackingPattern::parse(r"YT\d{13}").unwrap(),
        })
        .await
        .unwrap()
}

/// A Tekes depot working with SF, and Kokesu's station (its village's).
async fn tekes_depot(
    store: &farmgate_store::Store,
) -> (
    farmgate_store::logistics::Depot,
    farmgate_store::logistics::Carrier,
    farmgate_store::stations::Station,
) {
    let tekes = store.region_by_code("tekes").await.unwrap();
    let kuokesu = store
        .stations_within(&tekes.path)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "tekes-kuokesu")
        .unwrap();
    let sf = store
        .add_carrier(NewCarrier {
            code: "sf".into(),
            names: Texts::zh("顺丰速运"),
            pattern: TrackingPattern::parse(r"SF\d{13}").unwrap(),
        })
        .await
        .unwrap();
    let depot = store
        .add_depot(NewDepot {
            code: "tekes-depot".into(),
            county_id: tekes.id,
            region_id: tekes.id,
            names: Texts::zh("特克斯县配送中心"),
            latitude: None,
            longitude: None,
        })
        .await
        .unwrap();
    store
        .save_terms(depot.id, sf.id, &terms(true, Vec::new()))
        .await
        .unwrap();
    (depot, sf, kuokesu)
}

pub async fn a_run_carries_its_stations_parcels_and_each_stop_is_proven(db: &TestDb) {
    use farmgate_domain::stations::till::LedgerDay;
    use farmgate_domain::stations::{ParcelLabel, ParcelStatus};
    use farmgate_store::logistics::{Delivery, DeliveryProof, NewRun};

    let store = &db.store;
    seed_demo(store).await;
    let people = buyers(store, 2).await;
    let (worker, driver) = (people[0], people[1]);
    let (depot, sf, kuokesu) = tekes_depot(store).await;
    let now = Utc::now();
    let numbers = ["SF2000000000001", "SF2000000000002", "SF2000000000003"];
    let lines: Vec<Advice> = numbers
        .iter()
        .map(|n| advice(n, Some(kuokesu.region_id)))
        .collect();
    store
        .advise_parcels(&depot, &sf, &lines, now)
        .await
        .unwrap();
    let scans: Vec<Scan> = numbers
        .iter()
        .enumerate()
        .map(|(k, n)| scan(&format!("r{k}"), n))
        .collect();
    store.scan_in(&depot, worker, &scans, now).await.unwrap();
    assert_eq!(
        store.waiting_for(depot.id, &[kuokesu.id]).await.unwrap(),
        vec![(kuokesu.id, 3)]
    );

    let plan = |stops: Vec<i64>| NewRun {
        day: LedgerDay::of(now),
        vehicle: "电动货车".into(),
        driver_id: driver,
        depart_at: now,
        stops: stops
            .into_iter()
            .map(|id| (id, now + Duration::minutes(30)))
            .collect(),
    };
    let jinghe = store
        .stations_within(&store.region_by_code("jinghe").await.unwrap().path)
        .await
        .unwrap()[0]
        .id;
    assert!(matches!(
        store.plan_run(&depot, &plan(vec![jinghe]), worker).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        store.plan_run(&depot, &plan(Vec::new()), worker).await,
        Err(Error::Logistics(LogisticsRefusal::NoStops))
    ));
    let spare = store
        .plan_run(&depot, &plan(vec![kuokesu.id]), worker)
        .await
        .unwrap();
    store.cancel_run(spare.id).await.unwrap();
    assert!(
        matches!(store.run(spare.id).await, Err(Error::NotFound)),
        "a planned run can be removed"
    );
    let run = store
        .plan_run(&depot, &plan(vec![kuokesu.id]), worker)
        .await
        .unwrap();
    assert_eq!(
        store
            .runs_of_driver(driver, LedgerDay::of(now))
            .await
            .unwrap()
            .len(),
        1
    );
    let (_, stops) = store.run(run.id).await.unwrap();
    let stop = stops[0].clone();
    let by_code = |code: &str| Delivery {
        proof: DeliveryProof::Code(code.into()),
        returns: 1,
        produce: 2,
    };
    assert!(matches!(
        store
            .deliver_stop(run.id, stop.id, &by_code(&stop.handover_code), now)
            .await,
        Err(Error::Logistics(LogisticsRefusal::RunNotLeft))
    ));

    assert_eq!(store.start_run(run.id, worker, now).await.unwrap(), 3);
    assert!(matches!(
        store.start_run(run.id, worker, now).await,
        Err(Error::Logistics(LogisticsRefusal::RunLeft))
    ));
    assert!(matches!(
        store.cancel_run(run.id).await,
        Err(Error::Logistics(LogisticsRefusal::RunLeft))
    ));
    let expected = store
        .station_parcels(&[kuokesu.id], ParcelStatus::Expected, None, 50)
        .await
        .unwrap();
    let labels: Vec<&str> = expected.iter().map(|p| p.label.as_str()).collect();
    for number in numbers {
        assert!(
            labels.contains(&number),
            "the station expects {number}: {labels:?}"
        );
    }
    let coming = store.stops_coming(&[kuokesu.id]).await.unwrap();
    assert_eq!((coming.len(), coming[0].parcels), (1, 3));
    let wrong = if stop.handover_code == "0000" {
        "1111"
    } else {
        "0000"
    };
    assert!(matches!(
        store
            .deliver_stop(run.id, stop.id, &by_code(wrong), now)
            .await,
        Err(Error::Logistics(LogisticsRefusal::WrongHandoverCode))
    ));
    let delivered = store
        .deliver_stop(run.id, stop.id, &by_code(&stop.handover_code), now)
        .await
        .unwrap();
    assert_eq!((delivered.returns, delivered.produce), (1, 2));
    assert!(matches!(
        store
            .deliver_stop(run.id, stop.id, &by_code(&stop.handover_code), now)
            .await,
        Err(Error::Logistics(LogisticsRefusal::StopDelivered))
    ));
    let (done, _) = store.run(run.id).await.unwrap();
    assert_eq!(done.status, farmgate_domain::logistics::RunStatus::Done);
    assert!(store.stops_coming(&[kuokesu.id]).await.unwrap().is_empty());

    // The station receives and hands over: the parcel's history follows, once.
    let label = ParcelLabel::parse(numbers[0]).unwrap();
    let received = store
        .receive_parcel(&[kuokesu.id], &label, worker)
        .await
        .unwrap();
    assert!(
        store
            .receive_parcel(&[kuokesu.id], &label, worker)
            .await
            .is_err()
    );
    store
        .hand_over_parcel(&[kuokesu.id], received.id, &received.pickup_code, worker)
        .await
        .unwrap();
    let history = store.tracking(&number(numbers[0])).await.unwrap().remove(0);
    let kinds: Vec<Stage> = history.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            Stage::Advised,
            Stage::ScannedIn,
            Stage::Sorted,
            Stage::OnRun,
            Stage::AtStation,
            Stage::HandedOver
        ]
    );
    assert_eq!(history.parcel.stage, Stage::HandedOver);
    let at = store.parcel_at_station(received.id).await.unwrap().unwrap();
    assert_eq!(at.tracking_number, numbers[0]);
}

pub async fn the_months_settlement_equals_its_parcels_events(db: &TestDb) {
    use farmgate_domain::logistics::Direction;
    use farmgate_domain::stations::ParcelLabel;
    use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
    use farmgate_store::logistics::{Delivery, DeliveryProof, NewRun};

    let store = &db.store;
    seed_demo(store).await;
    let people = buyers(store, 3).await;
    let (worker, driver, sf_clerk) = (people[0], people[1], people[2]);
    let (depot, sf, kuokesu) = tekes_depot(store).await;
    let yto = add_yto(store).await;
    store
        .save_terms(depot.id, yto.id, &terms(true, Vec::new()))
        .await
        .unwrap();
    let now = Utc::now();
    let numbers = ["SF3000000000001", "SF3000000000002", "SF3000000000003"];
    let lines: Vec<Advice> = numbers
        .iter()
        .map(|n| advice(n, Some(kuokesu.region_id)))
        .collect();
    store
        .advise_parcels(&depot, &sf, &lines, now)
        .await
        .unwrap();
    let mut scans: Vec<Scan> = numbers
        .iter()
        .enumerate()
        .map(|(k, n)| scan(&format!("s{k}"), n))
        .collect();
    scans.push(scan("s-unmatched", "SF3000000000009"));
    scans.push(scan("y-1", "YT3000000000001"));
    store.scan_in(&depot, worker, &scans, now).await.unwrap();
    let run = store
        .plan_run(
            &depot,
            &NewRun {
                day: LedgerDay::of(now),
                vehicle: "电动货车".into(),
                driver_id: driver,
                depart_at: now,
                stops: vec![(kuokesu.id, now)],
            },
            worker,
        )
        .await
        .unwrap();
    store.start_run(run.id, worker, now).await.unwrap();
    let (_, stops) = store.run(run.id).await.unwrap();
    let proof = Delivery {
        proof: DeliveryProof::Code(stops[0].handover_code.clone()),
        returns: 0,
        produce: 0,
    };
    store
        .deliver_stop(run.id, stops[0].id, &proof, now)
        .await
        .unwrap();
    let mut at_station = Vec::new();
    for number in numbers {
        let label = ParcelLabel::parse(number).unwrap();
        at_station.push(
            store
                .receive_parcel(&[kuokesu.id], &label, worker)
                .await
                .unwrap(),
        );
    }
    for parcel in &at_station[..2] {
        store
            .hand_over_parcel(&[kuokesu.id], parcel.id, &parcel.pickup_code, worker)
            .await
            .unwrap();
    }
    let late = now + Duration::days(30);
    store
        .return_parcel(&[kuokesu.id], at_station[2].id, worker, late)
        .await
        .unwrap();

    let mut months = vec![LedgerMonth::of(LedgerDay::of(now))];
    if LedgerMonth::of(LedgerDay::of(late)) != months[0] {
        months.push(LedgerMonth::of(LedgerDay::of(late)));
    }
    let (mut delivered, mut returned, mut fees, mut lines_fees, mut lines) = (0, 0, 0, 0, 0);
    for month in &months {
        let all = store.settlements(depot.id, *month).await.unwrap();
        let of_sf = all.iter().find(|s| s.carrier_id == sf.id).unwrap();
        delivered += of_sf.delivered;
        returned += of_sf.returned;
        fees += of_sf.fees.0;
        let statement = store
            .statement_lines(depot.id, sf.id, *month, 0, 100)
            .await
            .unwrap();
        lines += statement.len() as i64;
        lines_fees += statement.iter().map(|l| l.fee.0).sum::<i64>();
    }
    assert_eq!((delivered, returned), (2, 1), "from the events");

    // The day's numbers read the same parcels: five scanned in (four of SF's, one of YTO's),
    // three sorted to Kokesu's station and two handed over there, the one stop on time.
    let today = LedgerDay::of(now);
    let figures = store
        .logistics_numbers(depot.id, today, today.next())
        .await
        .unwrap();
    assert_eq!(figures.total(Direction::Inbound), (5, Fen(5 * 90)));
    let of_sf: i64 = figures
        .daily
        .iter()
        .filter(|d| d.carrier_id == sf.id)
        .map(|d| d.parcels)
        .sum();
    assert_eq!(of_sf, 4);
    assert_eq!(
        figures.stations,
        vec![farmgate_store::logistics::StationCount {
            station_id: kuokesu.id,
            parcels: 3,
            handed_over: 2
        }]
    );
    assert_eq!((figures.stops_delivered, figures.stops_on_time), (1, 1));
    assert_eq!(figures.on_time_percent(), Some(100));
    assert_eq!(figures.handed_over, 2);
    assert!(figures.mean_wait_minutes.is_some_and(|m| m >= 0));
    assert_eq!(figures.per_parcel(Direction::Inbound), Some(Fen(90)));
    assert_eq!(figures.per_parcel(Direction::Outbound), None);
    let tomorrow = store
        .logistics_numbers(depot.id, today.next(), today.next().next())
        .await
        .unwrap();
    assert!(tomorrow.daily.is_empty() && tomorrow.stations.is_empty());
    assert_eq!(fees, 2 * 90, "the agreed fee for each parcel delivered");
    assert_eq!(
        (lines, lines_fees),
        (3, fees),
        "the statement's lines add up to its totals"
    );
    let this_month = store.settlements(depot.id, months[0]).await.unwrap();
    let held = |carrier: i64| {
        this_month
            .iter()
            .find(|s| s.carrier_id == carrier)
            .unwrap()
            .held
    };
    assert_eq!(
        (held(sf.id), held(yto.id)),
        (1, 1),
        "scanned in and still in the centre's hands"
    );

    // Each carrier's feed holds its own parcels only, and a cursor picks up where it left.
    let feed = store.carrier_feed(sf.id, 0, 1000).await.unwrap();
    assert!(
        feed.iter().all(|e| e.tracking_number.starts_with("SF")),
        "{feed:?}"
    );
    assert!(
        store
            .carrier_feed(yto.id, 0, 1000)
            .await
            .unwrap()
            .iter()
            .all(|e| e.tracking_number.starts_with("YT"))
    );
    let rest = store.carrier_feed(sf.id, feed[4].id, 1000).await.unwrap();
    assert_eq!(rest.len(), feed.len() - 5);
    store.add_carrier_member(sf.id, sf_clerk).await.unwrap();
    store.add_carrier_member(sf.id, sf_clerk).await.unwrap();
    let acting: Vec<i64> = store
        .carriers_of(sf_clerk)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(acting, vec![sf.id]);

    // A line is disputed once, and answered.
    let first = store
        .statement_lines(depot.id, sf.id, months[0], 0, 1)
        .await
        .unwrap()
        .remove(0);
    let id = store
        .raise_dispute(
            depot.id,
            sf.id,
            months[0],
            first.parcel_id,
            "收件人说没收到",
            sf_clerk,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .raise_dispute(
                depot.id,
                sf.id,
                months[0],
                first.parcel_id,
                "again",
                sf_clerk
            )
            .await,
        Err(Error::Conflict { .. })
    ));
    let yto_parcel = store
        .tracking(&number("YT3000000000001"))
        .await
        .unwrap()
        .remove(0)
        .parcel;
    assert!(matches!(
        store
            .raise_dispute(
                depot.id,
                sf.id,
                months[0],
                yto_parcel.id,
                "not ours",
                sf_clerk
            )
            .await,
        Err(Error::NotFound)
    ));
    let open = |all: &[farmgate_store::logistics::Settlement]| {
        all.iter()
            .find(|s| s.carrier_id == sf.id)
            .unwrap()
            .disputes_open
    };
    assert_eq!(
        open(&store.settlements(depot.id, months[0]).await.unwrap()),
        1
    );
    store
        .answer_dispute(depot.id, id, "站点有签收记录", worker)
        .await
        .unwrap();
    assert_eq!(
        open(&store.settlements(depot.id, months[0]).await.unwrap()),
        0
    );
    let line = store
        .statement_lines(depot.id, sf.id, months[0], 0, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        line.dispute.unwrap().answer.as_deref(),
        Some("站点有签收记录")
    );
}

pub async fn concurrent_scans_take_each_parcel_in_once(db: &TestDb) {
    use farmgate_store::logistics::ScanIntake;

    let store = &db.store;
    seed_demo(store).await;
    let worker = buyers(store, 1).await[0];
    let (depot, _, _) = tekes_depot(store).await;
    let intake = ScanIntake::start(store.clone());
    let mut tasks = Vec::new();
    for k in 0..40 {
        let (intake, depot) = (intake.clone(), depot.clone());
        tasks.push(tokio::spawn(async move {
            let number = format!("SF40000000000{:02}", k % 10);
            // Every fourth phone sends its scan twice (a retry after a lost answer).
            let mut answers = Vec::new();
            for _ in 0..(1 + usize::from(k % 4 == 0)) {
                let scan = scan(&format!("phone-{k}"), &number);
                answers.push(
                    intake
                        .scan(&depot, worker, vec![scan], Utc::now())
                        .await
                        .unwrap()
                        .results
                        .remove(0),
                );
            }
            answers
        }));
    }
    let mut taken = 0;
    for task in tasks {
        let answers = task.await.unwrap();
        if let [first, again] = answers.as_slice() {
            assert_eq!(
                first.outcome, again.outcome,
                "a retried scan answers as before"
            );
        }
        if matches!(answers[0].outcome, ScanOutcome::In { .. }) {
            taken += 1;
        } else {
            assert!(
                matches!(answers[0].outcome, ScanOutcome::AlreadyIn { .. }),
                "{answers:?}"
            );
        }
    }
    assert_eq!(taken, 10, "each of the ten parcels is taken in once");
    for k in 0..10 {
        let history = store
            .tracking(&number(&format!("SF40000000000{k:02}")))
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        let scanned = history[0]
            .events
            .iter()
            .filter(|e| e.kind == Stage::ScannedIn)
            .count();
        assert_eq!(scanned, 1);
    }
    assert_eq!(
        store
            .consolidation(depot.id, Utc::now())
            .await
            .unwrap()
            .scanned_today,
        10
    );
}

pub async fn a_sellers_parcel_takes_the_cheapest_number_and_walks_to_the_van(db: &TestDb) {
    use farmgate_domain::accounts::{DisplayName, PhoneNumber};
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::logistics::Direction;
    use farmgate_domain::logistics::outbound::WaybillBlock;
    use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
    use farmgate_store::logistics::Shipment;
    use farmgate_store::orders::{Delivery, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let (depot, sf, kuokesu) = tekes_depot(store).await;
    let yto = add_yto(store).await;
    // Within the province SF asks ¥12 and YTO ¥8, but YTO gave the centre no numbers yet.
    let rate = |fee| Rate {
        zone: Zone::Province,
        up_to_grams: 3_000,
        fee: Fen(fee),
    };
    for (carrier, fee) in [(sf.id, 1_200), (yto.id, 800)] {
        store
            .save_terms(depot.id, carrier, &terms(true, vec![rate(fee)]))
            .await
            .unwrap();
    }
    let (first, last) = (number("SF0000100000000"), number("SF0000100000001"));
    let block = WaybillBlock::parse(&first, &last, &sf.pattern).unwrap();
    let people = buyers(store, 2).await;
    let (clerk, buyer) = (people[0], people[1]);
    store
        .add_waybill_block(depot.id, sf.id, &block, clerk)
        .await
        .unwrap();

    let shop = super::open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let variant = super::stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let region = store.region_by_code("korla-saibag").await.unwrap();
    let intake = OrderIntake::start(store.clone());
    let mut orders = Vec::new();
    for k in 0..3 {
        let mut home = super::placement(buyer, &format!("outbound-{k}"), &[(variant, 1)]);
        home.delivery = Delivery::Home {
            region_id: region.id,
            address: "3 组 12 号".to_owned(),
            recipient: DisplayName::parse("米热古丽").unwrap(),
            phone: PhoneNumber::parse("13909990101").unwrap(),
        };
        orders.push(intake.place(home).await.unwrap().orders.remove(0));
    }
    let village = store.region_by_code("tekes-qiongkushitai").await.unwrap();
    let serving = store.depot_serving(&village.path).await.unwrap();
    assert_eq!(serving.map(|d| d.id), Some(depot.id));
    assert_eq!(
        store.zone_of(&depot, &orders[0]).await.unwrap(),
        Zone::Province
    );
    let quotes = store.quotes(&depot, Zone::Province, 1_000).await.unwrap();
    let quoted: Vec<i64> = quotes.iter().map(|q| q.carrier.id).collect();
    assert_eq!(quoted, vec![sf.id], "YTO has no numbers to print");
    assert!(
        store
            .quotes(&depot, Zone::Province, 4_000)
            .await
            .unwrap()
            .is_empty()
    );

    let now = Utc::now();
    let ship = |order| Shipment {
        order,
        carrier_id: None,
        grams: 1_000,
    };
    let labelled = store
        .label_order(&depot, ship(&orders[0]), clerk, now)
        .await
        .unwrap();
    assert_eq!(
        (
            labelled.tracking_number.as_str(),
            labelled.direction,
            labelled.stage,
            labelled.fee,
            labelled.shop_id,
        ),
        (
            "SF0000100000000",
            Direction::Outbound,
            Stage::Labelled,
            Fen(1_200),
            Some(shop.id)
        )
    );
    let again = store
        .label_order(&depot, ship(&orders[0]), clerk, now)
        .await
        .unwrap();
    assert_eq!(
        again.id, labelled.id,
        "an order labelled twice takes one number"
    );
    let second = store
        .label_order(&depot, ship(&orders[1]), clerk, now)
        .await
        .unwrap();
    assert_eq!(second.tracking_number, "SF0000100000001");
    let used_up = store
        .label_order(&depot, ship(&orders[2]), clerk, now)
        .await;
    assert!(matches!(
        used_up,
        Err(Error::Logistics(LogisticsRefusal::NoRate))
    ));

    // A label is voided once, before the parcel leaves; the order has none after.
    store.void_label(second.id, clerk, now).await.unwrap();
    assert!(matches!(
        store.void_label(second.id, clerk, now).await,
        Err(Error::Logistics(LogisticsRefusal::WrongStage))
    ));
    assert!(store.order_parcel(orders[1].id).await.unwrap().is_none());
    let voided = store
        .scan_in(&depot, clerk, &[scan("out-0", "SF0000100000001")], now)
        .await
        .unwrap();
    assert_eq!(
        voided[0].outcome,
        ScanOutcome::Refused {
            code: "parcel-wrong-stage"
        }
    );

    // Left at Kokesu's station, collected by nobody yet; then scanned in at the centre, it
    // waits for SF's van; a second scan is "already in".
    let korla = store.region_by_code("korla").await.unwrap();
    let far = store.stations_within(&korla.path).await.unwrap()[0].id;
    let elsewhere = store
        .drop_at_station(far, &number("SF0000100000000"), clerk, now)
        .await;
    assert!(
        matches!(elsewhere, Err(Error::Logistics(LogisticsRefusal::NoParcel))),
        "no run of Tekes' centre passes Korla's stations"
    );
    let dropped = store
        .drop_at_station(kuokesu.id, &number("SF0000100000000"), clerk, now)
        .await
        .unwrap();
    assert_eq!(
        (dropped.stage, dropped.station_id),
        (Stage::Dropped, Some(kuokesu.id))
    );
    assert_eq!(
        store.dropped_at(&[kuokesu.id]).await.unwrap(),
        vec![(kuokesu.id, 1)],
        "the next run's driver sees it to collect"
    );
    let scanned = store
        .scan_in(&depot, clerk, &[scan("out-1", "SF0000100000000")], now)
        .await
        .unwrap();
    assert_eq!(
        scanned[0].outcome,
        ScanOutcome::Outbound {
            parcel_id: labelled.id,
            carrier_id: sf.id
        }
    );
    let twice = store
        .scan_in(&depot, clerk, &[scan("out-2", "SF0000100000000")], now)
        .await
        .unwrap();
    assert!(matches!(twice[0].outcome, ScanOutcome::AlreadyIn { .. }));
    assert!(store.dropped_at(&[kuokesu.id]).await.unwrap().is_empty());
    assert_eq!(
        store.outbound_waiting(depot.id).await.unwrap(),
        vec![(sf.id, 1)]
    );
    let handed = store.dispatch_outbound(depot.id, sf.id, clerk, now).await;
    assert_eq!(handed.unwrap(), 1);
    let nothing = store.dispatch_outbound(depot.id, sf.id, clerk, now).await;
    assert_eq!(nothing.unwrap(), 0, "nothing is handed over twice");
    let tracking = store.order_parcel(orders[0].id).await.unwrap().unwrap();
    let kinds: Vec<Stage> = tracking.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            Stage::Labelled,
            Stage::Dropped,
            Stage::ScannedIn,
            Stage::Dispatched
        ]
    );

    // The month's settlement counts the parcel and what the seller paid for it.
    let month = LedgerMonth::of(LedgerDay::of(now));
    let settled = store.settlements(depot.id, month).await.unwrap();
    let of_sf = settled.iter().find(|s| s.carrier_id == sf.id).unwrap();
    assert_eq!((of_sf.outbound, of_sf.outbound_paid), (1, Fen(1_200)));
}

pub async fn months_of_history_load_once_and_add_up(db: &TestDb) {
    use farmgate_domain::logistics::Direction;
    use farmgate_domain::stations::till::LedgerDay;
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_network().await.unwrap();
    let now = Utc::now();
    store.load_demo_logistics(now, "demo-hash").await.unwrap();
    let zezhou = store.region_by_code("zezhou").await.unwrap();
    let depot = store.depots_within(&zezhou.path).await.unwrap().remove(0);
    let today = LedgerDay::of(now);
    let mut from = today;
    for _ in 0..61 {
        from = from.previous();
    }
    // This morning's vans (scanned from two hours ago: in China's early hours, yesterday).
    let morning = store
        .logistics_numbers(depot.id, from, today)
        .await
        .unwrap();

    let written = store
        .load_demo_logistics_history(now, (2, 300), &|done, total| assert!(done <= total))
        .await
        .unwrap();
    assert_eq!(written, 2 * (300 + 30), "two months of 300 in and 30 out");
    let again = store
        .load_demo_logistics_history(now, (2, 300), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(again, 0, "loaded once");

    let figures = store
        .logistics_numbers(depot.id, from, today)
        .await
        .unwrap();
    let added = |d: Direction| figures.total(d).0 - morning.total(d).0;
    assert_eq!(
        (added(Direction::Inbound), added(Direction::Outbound)),
        (600, 60)
    );
    assert!(
        figures
            .per_parcel(Direction::Outbound)
            .is_some_and(|f| f.0 > 0)
    );
    // Two runs a day of fifteen stops for sixty days; one stop in eight a quarter-hour late.
    assert_eq!(morning.stops_delivered, 0);
    assert_eq!(figures.stops_delivered, 60 * 2 * 15);
    assert_eq!(figures.on_time_percent(), Some(88));
    // One in twenty is sent back; the rest were handed over six hours after their scan.
    assert_eq!(figures.handed_over - morning.handed_over, 600 - 30);
    assert_eq!(figures.mean_wait_minutes, Some(6 * 60));
}
