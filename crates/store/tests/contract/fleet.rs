//! The centre's fleet and its mornings: vehicles kept, changed, paused and removed; a day's
//! jobs added, pinned, changed and cancelled; plans kept whole, the latest being the day's,
//! and none made over once a run has left.

use chrono::{Duration, Utc};
use farmgate_domain::fleet::{
    Capacity, JobSource, JobStatus, MinuteWindow, RouteJobKind, RunStatus, UnfitCause, VehicleKind,
};
use farmgate_domain::logistics::LogisticsRefusal;
use farmgate_domain::text::Texts;
use farmgate_store::Error;
use farmgate_store::Store;
use farmgate_store::fleet::{JobDetails, NewPlan, NewRun, NewStop, VehicleDetails};
use farmgate_store::logistics::NewDepot;
use farmgate_store::testing::TestDb;

use super::{buyers, seed_demo};

pub async fn korla_centre(store: &Store, code: &str) -> i64 {
    let korla = store.region_by_code("korla").await.unwrap();
    store
        .add_depot(NewDepot {
            code: code.into(),
            county_id: korla.id,
            region_id: korla.id,
            names: Texts::zh("库尔勒市电商公共服务中心"),
            latitude: Some(41.7259),
            longitude: Some(86.1746),
        })
        .await
        .unwrap()
        .id
}

fn tricycle(label: &str) -> VehicleDetails {
    VehicleDetails {
        label: label.into(),
        capacity: Capacity::new(300_000, 12).unwrap(),
        range_m: Some(60_000),
        driver_id: None,
        household_id: None,
        run_pay: farmgate_domain::money::Fen(5_000),
    }
}

fn collection(label: &str) -> JobDetails {
    JobDetails {
        kind: RouteJobKind::Pickup,
        source: JobSource::Booking,
        label: label.into(),
        region_id: None,
        station_id: None,
        latitude: 41.79,
        longitude: 86.08,
        grams: 40_000,
        crates: 2,
        window: None,
        service_minutes: 5,
        pinned_vehicle_id: None,
        household_id: None,
        parcel_id: None,
    }
}

pub async fn a_fleet_is_kept_changed_paused_and_removed(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let now = Utc::now();
    let depot = korla_centre(store, "korla-centre").await;
    let other = korla_centre(store, "korla-annex").await;
    let first = store
        .add_vehicle(
            depot,
            ("QEB-01", VehicleKind::Tricycle),
            &tricycle("扶贫三轮 01"),
            now,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_vehicle(
                depot,
                (" QEB-01 ", VehicleKind::Tricycle),
                &tricycle("again"),
                now
            )
            .await,
        Err(Error::Conflict { field: "code" })
    ));
    let elsewhere = store
        .add_vehicle(
            other,
            ("QEB-01", VehicleKind::Tricycle),
            &tricycle("annex"),
            now,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_vehicle(depot, ("", VehicleKind::Van), &tricycle("no code"), now)
            .await,
        Err(Error::Invalid(_))
    ));
    let van = VehicleDetails {
        range_m: None,
        capacity: Capacity::new(1_200_000, 60).unwrap(),
        ..tricycle("电动货车")
    };
    let changed = store
        .update_vehicle(depot, first.id, VehicleKind::Van, &van, now)
        .await
        .unwrap();
    assert_eq!(
        (changed.kind, changed.details.clone()),
        (VehicleKind::Van, van.clone())
    );
    assert!(matches!(
        store
            .update_vehicle(depot, elsewhere.id, VehicleKind::Van, &van, now)
            .await,
        Err(Error::NotFound)
    ));
    let second = store
        .add_vehicle(
            depot,
            ("QEB-02", VehicleKind::Tricycle),
            &tricycle("扶贫三轮 02"),
            now,
        )
        .await
        .unwrap();
    store
        .set_vehicle_active(depot, second.id, false, now)
        .await
        .unwrap();
    let working: Vec<String> = store
        .vehicles(depot, false)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.code)
        .collect();
    assert_eq!(working, ["QEB-01"]);
    assert_eq!(store.vehicles(depot, true).await.unwrap().len(), 2);
    store.remove_vehicle(depot, second.id).await.unwrap();
    assert!(matches!(
        store.remove_vehicle(depot, second.id).await,
        Err(Error::NotFound)
    ));
    assert_eq!(store.vehicles(depot, true).await.unwrap().len(), 1);
}

pub async fn a_days_jobs_are_planned_and_the_plan_is_kept(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let now = Utc::now();
    let depot = korla_centre(store, "korla-centre").await;
    let other = korla_centre(store, "korla-annex").await;
    let day = "2026-12-02";
    let vehicles: Vec<i64> = {
        let mut ids = Vec::new();
        for n in 1..=3 {
            let code = format!("QEB-{n:02}");
            let v = store
                .add_vehicle(depot, (&code, VehicleKind::Tricycle), &tricycle(&code), now)
                .await
                .unwrap();
            ids.push(v.id);
        }
        ids
    };
    let foreign = store
        .add_vehicle(other, ("X-1", VehicleKind::Tricycle), &tricycle("x"), now)
        .await
        .unwrap()
        .id;
    let mut jobs = Vec::new();
    for n in 1..=4 {
        jobs.push(
            store
                .add_route_job(
                    depot,
                    day,
                    &collection(&format!("赛巴格村 · {n}户")),
                    staff,
                    now,
                )
                .await
                .unwrap(),
        );
    }
    let selling = JobDetails {
        kind: RouteJobKind::Sell,
        source: JobSource::Community,
        window: Some(MinuteWindow::new(8 * 60, 8 * 60 + 30).unwrap()),
        service_minutes: 180,
        ..collection("萨依巴格社区 · 香梨")
    };
    let sell = store
        .add_route_job(depot, day, &selling, staff, now)
        .await
        .unwrap();
    assert_eq!(sell.details, selling);
    assert!(matches!(
        store
            .add_route_job(
                depot,
                day,
                &JobDetails {
                    grams: -1,
                    ..selling.clone()
                },
                staff,
                now
            )
            .await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        store
            .add_route_job(
                depot,
                day,
                &JobDetails {
                    pinned_vehicle_id: Some(foreign),
                    ..selling.clone()
                },
                staff,
                now
            )
            .await,
        Err(Error::Invalid(_))
    ));
    let pinned = store
        .pin_route_job(depot, jobs[0].id, Some(vehicles[2]), now)
        .await
        .unwrap();
    assert_eq!(pinned.details.pinned_vehicle_id, Some(vehicles[2]));
    let moved = store
        .update_route_job(
            depot,
            jobs[1].id,
            &JobDetails {
                crates: 5,
                ..jobs[1].details.clone()
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(moved.details.crates, 5);
    let cancelled = store
        .cancel_route_job(depot, jobs[3].id, now)
        .await
        .unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert!(matches!(
        store.cancel_route_job(depot, jobs[3].id, now).await,
        Err(Error::AlreadyDecided)
    ));
    assert_eq!(
        store
            .route_jobs(depot, day, Some(JobStatus::Open))
            .await
            .unwrap()
            .len(),
        4
    );
    assert!(store.route_jobs(other, day, None).await.unwrap().is_empty());

    let at = |minutes: i64| now + Duration::minutes(minutes);
    let stop = |job_id: i64, m: i64| NewStop {
        job_id,
        arrives_at: at(m),
        starts_at: at(m),
        leaves_at: at(m + 5),
        load_grams: 40_000,
        load_crates: 2,
    };
    let plan = NewPlan {
        day: day.into(),
        digest: "a".repeat(64),
        runs: vec![
            NewRun {
                vehicle_id: vehicles[2],
                leaves_at: at(0),
                returns_at: at(60),
                distance_m: 12_500.0,
                load_grams: 0,
                load_crates: 0,
                stops: vec![stop(jobs[0].id, 10), stop(jobs[1].id, 30)],
            },
            NewRun {
                vehicle_id: vehicles[0],
                leaves_at: at(0),
                returns_at: at(240),
                distance_m: 8_000.0,
                load_grams: 40_000,
                load_crates: 2,
                stops: vec![stop(sell.id, 20)],
            },
        ],
        unfit: vec![(jobs[2].id, UnfitCause::Fleet)],
        took_ms: 812,
    };
    let kept = store.save_plan(depot, &plan, staff, now).await.unwrap();
    assert_eq!(kept.runs.len(), 2);
    assert_eq!(kept.runs[0].stops.len(), 2);
    assert_eq!(kept.runs[0].stops[1].seq, 2);
    assert_eq!(kept.unfit, vec![(jobs[2].id, UnfitCause::Fleet)]);
    assert!((kept.distance_m - 20_500.0).abs() < 1e-9);
    assert_eq!(
        store.latest_plan(depot, day).await.unwrap().as_ref(),
        Some(&kept)
    );
    assert_eq!(store.latest_plan(depot, "2026-12-03").await.unwrap(), None);

    let refused =
        |changed: NewPlan| async move { store.save_plan(depot, &changed, staff, now).await };
    let mut twice = plan.clone();
    twice.unfit.push((jobs[0].id, UnfitCause::Capacity));
    assert!(matches!(
        refused(twice).await,
        Err(Error::Conflict { field: "jobs" })
    ));
    let mut with_cancelled = plan.clone();
    with_cancelled.unfit.push((jobs[3].id, UnfitCause::Fleet));
    assert!(matches!(
        refused(with_cancelled).await,
        Err(Error::NotFound)
    ));
    let mut foreign_run = plan.clone();
    foreign_run.runs[1].vehicle_id = foreign;
    assert!(matches!(refused(foreign_run).await, Err(Error::NotFound)));
    let mut other_day = plan.clone();
    other_day.day = "2026-12-03".into();
    assert!(matches!(refused(other_day).await, Err(Error::NotFound)));

    // Planned again, the new plan is the day's; a run of the old one cannot leave.
    let again = store.save_plan(depot, &plan, staff, now).await.unwrap();
    assert_ne!(again.id, kept.id);
    assert!(matches!(
        store
            .start_route_run(depot, kept.runs[0].id, staff, now)
            .await,
        Err(Error::NotFound)
    ));
    let out = store
        .start_route_run(depot, again.runs[0].id, staff, now)
        .await
        .unwrap();
    assert_eq!(out.status, RunStatus::Out);
    assert!(matches!(
        store
            .start_route_run(depot, again.runs[0].id, staff, now)
            .await,
        Err(Error::Logistics(LogisticsRefusal::RunLeft))
    ));
    assert!(matches!(
        store
            .start_route_run(other, again.runs[1].id, staff, now)
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        store.save_plan(depot, &plan, staff, now).await,
        Err(Error::Logistics(LogisticsRefusal::RunLeft))
    ));
    assert!(matches!(
        store.remove_vehicle(depot, vehicles[2]).await,
        Err(Error::Conflict { field: "runs" })
    ));
}

fn grid_roads(side: usize, stretch: f64) -> farmgate_routing::Roads {
    use farmgate_routing::{GeoPoint, RoadLeg, RoadPlace, Roads};
    let places: Vec<RoadPlace> = (0..side * side)
        .map(|k| RoadPlace {
            name: format!("村{k}"),
            point: GeoPoint::new(
                41.7 + (k / side) as f64 * 0.01,
                86.1 + (k % side) as f64 * 0.01,
            ),
        })
        .collect();
    let mut legs = Vec::new();
    for from in 0..places.len() {
        for to in from + 1..places.len() {
            let metres = (places[from].point.metres_to(places[to].point) * stretch).round();
            legs.push(RoadLeg { from, to, metres });
        }
    }
    Roads { places, legs }
}

/// A depot's road table: read back as imported (more legs than one statement writes),
/// replaced whole by the next import, taken away by an empty one, every import kept, and
/// another depot's table untouched.
pub async fn a_road_table_is_replaced_whole_and_read_back(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let (qiaerbag, other) = (
        korla_centre(store, "qiaerbag").await,
        korla_centre(store, "saibag").await,
    );
    let now = Utc::now();
    let big = grid_roads(7, 1.4);
    assert_eq!(big.legs.len(), 49 * 48 / 2);
    store
        .replace_roads(qiaerbag, ("大表.csv", &big), staff, now)
        .await
        .unwrap();
    let small = grid_roads(2, 1.2);
    store
        .replace_roads(other, ("小表.csv", &small), staff, now)
        .await
        .unwrap();
    assert_eq!(store.roads(qiaerbag).await.unwrap(), big);
    let replaced = grid_roads(3, 1.25);
    let later = now + Duration::minutes(5);
    store
        .replace_roads(qiaerbag, ("新表.csv", &replaced), staff, later)
        .await
        .unwrap();
    assert_eq!(
        store.roads(qiaerbag).await.unwrap(),
        replaced,
        "replaced whole"
    );
    assert_eq!(
        store.roads(other).await.unwrap(),
        small,
        "another depot's stays"
    );
    let gone = store
        .replace_roads(
            qiaerbag,
            ("", &farmgate_routing::Roads::default()),
            staff,
            later + Duration::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!((gone.places, gone.legs), (0, 0));
    assert_eq!(
        store.roads(qiaerbag).await.unwrap(),
        farmgate_routing::Roads::default()
    );
    let kept = store.road_imports(qiaerbag, 10).await.unwrap();
    let names: Vec<&str> = kept.iter().map(|i| i.file_name.as_str()).collect();
    assert_eq!(names, ["", "新表.csv", "大表.csv"], "the latest first");
    assert_eq!((kept[1].places, kept[1].legs), (9, 36));
}
