//! Selling from a tricycle: the load-out takes the goods off the shop's shelf whole or not at
//! all, sales are kept once under the phone's id and never beyond what was loaded, a stop is
//! done only with its code, and the return puts the unsold goods back, keeps the cash against
//! the sales and credits the shop its goods and the rider their pay, once.

use chrono::Utc;
use farmgate_domain::accounts::LoginId;
use farmgate_domain::fleet::{
    Capacity, CreditKind, JobSource, MinuteWindow, RouteJobKind, RunStatus, VehicleKind,
};
use farmgate_domain::logistics::LogisticsRefusal;
use farmgate_domain::money::Fen;
use farmgate_store::Error;
use farmgate_store::fleet::{
    GoodsLine, JobDetails, LoadRequest, NewPlan, NewRun, NewSale, NewStop, SaleOutcome, StopProof,
    VehicleDetails,
};
use farmgate_store::testing::TestDb;

use super::seed_demo;

fn sale(id: &str, variant_id: i64, quantity: i64) -> NewSale {
    NewSale {
        client_id: id.into(),
        variant_id,
        quantity,
        sold_at: Utc::now(),
        stop_id: None,
    }
}

pub async fn a_selling_run_moves_stock_and_credits_its_income_once(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    store.load_demo_catalog().await.unwrap();
    let now = Utc::now();
    let depot = super::fleet::korla_centre(store, "korla-centre").await;
    let account = |login: &'static str| async move {
        store
            .account_by_login(&LoginId::parse(login).unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let (rider, staff, seller) = (
        account("korla-rider").await,
        account("korla-centre").await,
        account("saibag-seller").await,
    );
    let shop = store.shops_of_member(seller).await.unwrap()[0].id;
    let products = store.products_of_shop(shop).await.unwrap();
    let (berries, tomatoes) = (&products[0].variants[0], &products[1].variants[0]);
    let stock = |id: i64| async move { store.variant(id).await.unwrap().spec.stock };
    let (berries_before, tomatoes_before) = (stock(berries.id).await, stock(tomatoes.id).await);

    let tricycle = store
        .add_vehicle(
            depot,
            ("QEB-01", VehicleKind::Tricycle),
            &VehicleDetails {
                label: "扶贫三轮车 1 号".into(),
                capacity: Capacity::new(300_000, 12).unwrap(),
                range_m: Some(60_000),
                driver_id: Some(rider),
                household_id: None,
                run_pay: Fen(6_000),
            },
            now,
        )
        .await
        .unwrap();
    let day = "2026-12-02";
    let job = store
        .add_route_job(
            depot,
            day,
            &JobDetails {
                kind: RouteJobKind::Sell,
                source: JobSource::Community,
                label: "梨香社区 · 早市售卖".into(),
                region_id: None,
                station_id: None,
                latitude: 41.7262,
                longitude: 86.1698,
                grams: 60_000,
                crates: 4,
                window: Some(MinuteWindow::new(8 * 60, 9 * 60).unwrap()),
                service_minutes: 150,
                pinned_vehicle_id: None,
                household_id: None,
                parcel_id: None,
            },
            staff,
            now,
        )
        .await
        .unwrap();
    let code = job.code.clone().unwrap();
    assert_eq!(code.len(), 6, "a job carries its six-digit code");
    let share = [
        GoodsLine {
            variant_id: berries.id,
            quantity: 6,
        },
        GoodsLine {
            variant_id: tomatoes.id,
            quantity: 10,
        },
    ];
    store.set_job_goods(depot, job.id, &share).await.unwrap();
    let kept: Vec<GoodsLine> = store
        .job_goods(&[job.id])
        .await
        .unwrap()
        .into_iter()
        .map(|(_, g)| g)
        .collect();
    assert_eq!(kept.len(), 2);

    let plan = store
        .save_plan(
            depot,
            &NewPlan {
                day: day.into(),
                digest: "b".repeat(64),
                runs: vec![NewRun {
                    vehicle_id: tricycle.id,
                    leaves_at: now,
                    returns_at: now,
                    distance_m: 9_000.0,
                    load_grams: 60_000,
                    load_crates: 4,
                    stops: vec![NewStop {
                        job_id: job.id,
                        arrives_at: now,
                        starts_at: now,
                        leaves_at: now,
                        load_grams: 0,
                        load_crates: 0,
                    }],
                }],
                unfit: Vec::new(),
                took_ms: 10,
            },
            staff,
            now,
        )
        .await
        .unwrap();
    let run = plan.runs[0].id;
    let stop = plan.runs[0].stops[0].id;
    assert_eq!(
        store.driver_runs(rider, day).await.unwrap()[0].1.id,
        run,
        "the rider's tricycle's run is theirs"
    );

    let request = |variant_id: i64, quantity: i64| LoadRequest {
        variant_id,
        quantity,
        label: "goods".into(),
    };
    let too_many = store
        .load_run(
            depot,
            run,
            &[
                request(berries.id, 6),
                request(tomatoes.id, tomatoes_before + 1),
            ],
            rider,
            now,
        )
        .await;
    assert!(matches!(too_many, Err(Error::Invalid(_))), "{too_many:?}");
    assert_eq!(stock(berries.id).await, berries_before, "refused whole");
    let sheet = store
        .load_run(
            depot,
            run,
            &[request(berries.id, 6), request(tomatoes.id, 10)],
            rider,
            now,
        )
        .await
        .unwrap();
    assert_eq!(sheet.lines.len(), 2);
    assert_eq!(stock(berries.id).await, berries_before - 6);
    assert_eq!(stock(tomatoes.id).await, tomatoes_before - 10);
    assert!(matches!(
        store
            .load_run(depot, run, &[request(berries.id, 1)], rider, now)
            .await,
        Err(Error::Conflict { field: "loaded" })
    ));

    let early = store
        .record_run_sales(depot, run, rider, &[sale("a", berries.id, 1)], now)
        .await
        .unwrap();
    assert_eq!(early[0].1, SaleOutcome::Refused("fleet-run-not-out"));
    store.start_route_run(depot, run, rider, now).await.unwrap();
    let outcomes = store
        .record_run_sales(
            depot,
            run,
            rider,
            &[
                sale("a", berries.id, 2),
                sale("a", berries.id, 2),
                sale("b", berries.id, 5),
                sale("c", tomatoes.id, 3),
                sale("d", 999_999, 1),
            ],
            now,
        )
        .await
        .unwrap();
    let outcomes: Vec<SaleOutcome> = outcomes.into_iter().map(|(_, o)| o).collect();
    assert_eq!(
        outcomes,
        [
            SaleOutcome::Recorded,
            SaleOutcome::AlreadyRecorded,
            SaleOutcome::Refused("fleet-sale-more-than-loaded"),
            SaleOutcome::Recorded,
            SaleOutcome::Refused("fleet-sale-not-loaded"),
        ]
    );
    let again = store
        .record_run_sales(depot, run, rider, &[sale("c", tomatoes.id, 3)], now)
        .await
        .unwrap();
    assert_eq!(
        again[0].1,
        SaleOutcome::AlreadyRecorded,
        "a queue sent twice"
    );
    let expected = Fen(2 * berries.spec.price.0 + 3 * tomatoes.spec.price.0);
    assert_eq!(store.run_sheet(depot, run).await.unwrap().sales, expected);

    assert!(matches!(
        store
            .finish_route_stop(depot, run, stop, &StopProof::Code("000000x".into()), now)
            .await,
        Err(Error::Invalid(_))
    ));
    store
        .finish_route_stop(depot, run, stop, &StopProof::Code(code), now)
        .await
        .unwrap();
    assert!(matches!(
        store
            .finish_route_stop(depot, run, stop, &StopProof::Photo("ab".into()), now)
            .await,
        Err(Error::AlreadyDecided)
    ));

    let back = |b: i64, t: i64| {
        [
            GoodsLine {
                variant_id: berries.id,
                quantity: b,
            },
            GoodsLine {
                variant_id: tomatoes.id,
                quantity: t,
            },
        ]
    };
    assert!(matches!(
        store
            .return_run(depot, run, expected, &back(5, 7), rider, now)
            .await,
        Err(Error::Invalid(_))
    ));
    let short = Fen(expected.0 - 100);
    let sheet = store
        .return_run(depot, run, short, &back(4, 7), rider, now)
        .await
        .unwrap();
    assert_eq!(sheet.status, RunStatus::Back);
    assert_eq!(stock(berries.id).await, berries_before - 2);
    assert_eq!(stock(tomatoes.id).await, tomatoes_before - 3);
    let takings = sheet.takings.clone().unwrap();
    assert_eq!((takings.expected, takings.counted), (expected, short));
    let credits: Vec<(CreditKind, Option<i64>, Option<i64>, Fen)> = sheet
        .credits
        .iter()
        .map(|c| (c.kind, c.shop_id, c.account_id, c.amount))
        .collect();
    assert_eq!(
        credits,
        [
            (CreditKind::Goods, Some(shop), None, expected),
            (CreditKind::Labour, None, Some(rider), Fen(6_000)),
        ]
    );
    assert_eq!(store.run_credits(day, day).await.unwrap().len(), 2);
    assert!(
        store
            .run_credits("2026-12-03", "2026-12-31")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store
            .return_run(depot, run, short, &back(0, 0), rider, now)
            .await,
        Err(Error::Logistics(LogisticsRefusal::RunLeft))
    ));
    let late = store
        .record_run_sales(depot, run, rider, &[sale("e", berries.id, 1)], now)
        .await
        .unwrap();
    assert_eq!(late[0].1, SaleOutcome::Refused("fleet-run-not-out"));
    assert!(matches!(
        store.set_job_goods(depot, job.id, &share).await,
        Err(Error::AlreadyDecided)
    ));
}
