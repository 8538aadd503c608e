//! The fleet's morning through the real server: Korla's centre plans tomorrow's collections
//! and selling on its tricycles; the plan says, in the reader's language, why a job is left
//! out; planning the same jobs again answers with the same plan, a pinned job rides with its
//! tricycle; another county's centre is told the depot does not exist, a buyer is refused.

use crate::support;

use chrono::Utc;
use farmgate_domain::fleet::{Capacity, JobSource, MinuteWindow, RouteJobKind, VehicleKind};
use farmgate_domain::stations::till::LedgerDay;
use farmgate_domain::text::Texts;
use farmgate_store::fleet::{JobDetails, VehicleDetails};
use farmgate_store::logistics::NewDepot;
use serde_json::Value;
use support::{App, Db};

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Korla's centre with three tricycles and tomorrow's jobs: five collections around Qiaerbag,
/// a community to sell in from eight, and a load no tricycle holds. (depot, vehicles, jobs)
async fn korla(app: &App, day: &str) -> (i64, Vec<i64>, Vec<i64>) {
    let store = &app.db.store;
    let korla = store.region_by_code("korla").await.unwrap();
    let now = Utc::now();
    let depot = store
        .add_depot(NewDepot {
            code: "korla-centre".into(),
            county_id: korla.id,
            region_id: korla.id,
            names: Texts::zh("库尔勒市电商公共服务中心"),
            latitude: Some(41.7259),
            longitude: Some(86.1746),
        })
        .await
        .unwrap()
        .id;
    let mut vehicles = Vec::new();
    for n in 1..=3 {
        let code = format!("QEB-{n:02}");
        let details = VehicleDetails {
            label: format!("扶贫电动三轮 {n:02}"),
            capacity: Capacity::new(300_000, 12).unwrap(),
            range_m: Some(60_000),
            driver_id: None,
            household_id: None,
            run_pay: farmgate_domain::money::Fen(5_000),
        };
        vehicles.push(
            store
                .add_vehicle(depot, (&code, VehicleKind::Tricycle), &details, now)
                .await
                .unwrap()
                .id,
        );
    }
    let staff = store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("korla-centre").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let collect = |n: u32, grams: i64| JobDetails {
        kind: RouteJobKind::Pickup,
        source: JobSource::Booking,
        label: format!("赛巴格村 · 第{n}户"),
        region_id: None,
        station_id: None,
        latitude: 41.79 - f64::from(n) * 0.004,
        longitude: 86.08 + f64::from(n) * 0.005,
        grams,
        crates: 2,
        window: None,
        service_minutes: 5,
        pinned_vehicle_id: None,
        household_id: None,
        parcel_id: None,
    };
    let mut jobs = Vec::new();
    for n in 1..=5 {
        jobs.push(collect(n, 40_000));
    }
    jobs.push(JobDetails {
        kind: RouteJobKind::Sell,
        source: JobSource::Community,
        label: "萨依巴格社区 · 香梨".into(),
        window: Some(MinuteWindow::new(8 * 60, 8 * 60 + 30).unwrap()),
        service_minutes: 180,
        latitude: 41.74,
        longitude: 86.16,
        ..collect(0, 60_000)
    });
    jobs.push(collect(9, 900_000));
    let mut ids = Vec::new();
    for job in &jobs {
        ids.push(
            store
                .add_route_job(depot, day, job, staff, now)
                .await
                .unwrap()
                .id,
        );
    }
    (depot, vehicles, ids)
}

async fn a_centre_plans_its_morning(app: App) {
    let client = reqwest::Client::new();
    let day = LedgerDay::of(Utc::now()).next().to_string();
    let (depot, vehicles, jobs) = korla(&app, &day).await;
    let centre = app.token("korla-centre").await;
    let plans = app.url(&format!("/api/v1/fleet/plans?day={day}"));

    let (status, missing) = send(client.get(&plans).bearer_auth(&centre)).await;
    assert_eq!(status, 404, "{missing}");
    let (status, plan) = send(
        client
            .post(&plans)
            .bearer_auth(&centre)
            .header("accept-language", "ug"),
    )
    .await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["depot_id"], depot);
    let runs = plan["runs"].as_array().unwrap();
    let placed: Vec<i64> = runs
        .iter()
        .flat_map(|r| r["stops"].as_array().unwrap().iter())
        .map(|s| s["job_id"].as_i64().unwrap())
        .collect();
    assert_eq!(placed.len(), 6, "{plan}");
    let unfit = plan["unfit"].as_array().unwrap();
    assert_eq!(unfit.len(), 1, "{plan}");
    assert_eq!(unfit[0]["job_id"], jobs[6]);
    assert_eq!(unfit[0]["reason"], "capacity");
    assert!(
        unfit[0]["message"].as_str().unwrap().contains("ماشىنى"),
        "{plan}"
    );
    for run in runs {
        assert!(run["load_grams"].as_i64().unwrap() <= 300_000);
        assert!(run["leaves_at"].as_str().unwrap() < run["returns_at"].as_str().unwrap());
    }
    let selling = runs
        .iter()
        .flat_map(|r| r["stops"].as_array().unwrap().iter())
        .find(|s| s["kind"] == "sell")
        .unwrap();
    let starts =
        chrono::DateTime::parse_from_rfc3339(selling["starts_at"].as_str().unwrap()).unwrap();
    let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let clock = starts.with_timezone(&china).format("%H:%M").to_string();
    assert!(
        ("08:00".."08:31").contains(&clock.as_str()),
        "selling starts in its window: {selling}"
    );

    let (_, again) = send(client.post(&plans).bearer_auth(&centre)).await;
    assert_eq!(again["id"], plan["id"], "the same jobs plan the same way");
    assert!(
        again["unfit"][0]["message"]
            .as_str()
            .unwrap()
            .contains("没有一辆车"),
        "Chinese by default: {again}"
    );

    let now = Utc::now();
    let store = &app.db.store;
    store
        .pin_route_job(depot, jobs[0], Some(vehicles[2]), now)
        .await
        .unwrap();
    let (status, pinned) = send(client.post(&plans).bearer_auth(&centre)).await;
    assert_eq!(status, 200, "{pinned}");
    assert_ne!(pinned["id"], plan["id"], "a pin makes a new plan");
    let on_third = pinned["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["vehicle_id"] == vehicles[2])
        .unwrap();
    assert!(
        on_third["stops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["job_id"] == jobs[0]),
        "{pinned}"
    );
    let (status, latest) = send(client.get(&plans).bearer_auth(&centre)).await;
    assert_eq!((status, latest["id"].clone()), (200, pinned["id"].clone()));

    let empty_day = app.url("/api/v1/fleet/plans?day=2031-01-01");
    let (status, none) = send(client.post(&empty_day).bearer_auth(&centre)).await;
    assert_eq!(
        (status, none["error"]["code"].as_str()),
        (422, Some("fleet-no-jobs"))
    );
    let bad_day = app.url("/api/v1/fleet/plans?day=tomorrow");
    let (status, _) = send(client.post(&bad_day).bearer_auth(&centre)).await;
    assert_eq!(status, 422);

    let elsewhere = app.token("tekes-centre").await;
    let korlas = app.url(&format!("/api/v1/fleet/plans?day={day}&depot={depot}"));
    let (status, _) = send(client.post(&korlas).bearer_auth(&elsewhere)).await;
    assert_eq!(status, 404, "another county's depot does not exist");
    let buyer = app.token("buyer").await;
    let (status, _) = send(client.post(&plans).bearer_auth(&buyer)).await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[tokio::test]
async fn a_centre_plans_its_morning_on_sqlite() {
    a_centre_plans_its_morning(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_centre_plans_its_morning_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_centre_plans_its_morning(app).await;
}

/// The pages a centre keeps its fleet with: a tricycle added, refused with its mistake beside
/// the field, changed, paused and back; a job added, refused for a window that ends before it
/// starts, cancelled; the day planned from the page, a job moved to another tricycle and the
/// day planned again around it; a vehicle that ran cannot be removed, one that never did can.
async fn a_centre_keeps_its_fleet_through_the_pages(app: App) {
    let day = LedgerDay::of(Utc::now()).next().to_string();
    let (depot, _, jobs) = korla(&app, &day).await;
    let centre = app.logged_in("korla-centre").await;
    let fleet = format!("/centre/fleet?depot={depot}");

    let refused = app
        .submit(
            &centre,
            &fleet,
            "/centre/fleet",
            &[
                ("depot", &depot.to_string()),
                ("code", "QEB-04"),
                ("kind", "tricycle"),
                ("capacity_kg", "lots"),
            ],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("capacity_kg-error"),
        "the mistake sits by its field"
    );
    let added = app
        .submit(
            &centre,
            &fleet,
            "/centre/fleet",
            &[
                ("depot", &depot.to_string()),
                ("code", "QEB-04"),
                ("kind", "tricycle"),
                ("label", "扶贫电动三轮 04"),
                ("capacity_kg", "250"),
                ("crates", "10"),
                ("range_km", "50"),
            ],
        )
        .await;
    assert_eq!(added.status().as_u16(), 303, "back to the list");
    let store = &app.db.store;
    let fourth = store
        .vehicles(depot, true)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == "QEB-04")
        .unwrap();
    assert_eq!(
        (fourth.details.capacity.grams, fourth.details.range_m),
        (250_000, Some(50_000))
    );
    let edit = format!("/centre/fleet/vehicles/{}", fourth.id);
    app.submit(
        &centre,
        &edit,
        &edit,
        &[
            ("kind", "van"),
            ("label", "面包车"),
            ("capacity_kg", "800"),
            ("crates", "30"),
            ("range_km", ""),
        ],
    )
    .await;
    let changed = store
        .vehicles(depot, true)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.id == fourth.id)
        .unwrap();
    assert_eq!(
        (changed.kind, changed.details.range_m),
        (VehicleKind::Van, None)
    );
    app.submit(&centre, &fleet, &format!("{edit}/pause"), &[])
        .await;
    assert_eq!(store.vehicles(depot, false).await.unwrap().len(), 3);
    let listed = support::text(&centre, app.url(&format!("{fleet}&show=paused"))).await;
    assert!(
        listed.contains("QEB-04") && !listed.contains("QEB-01"),
        "{listed}"
    );
    app.submit(&centre, &fleet, &format!("{edit}/resume"), &[])
        .await;
    assert_eq!(store.vehicles(depot, false).await.unwrap().len(), 4);

    let jobs_page = format!("/centre/fleet/jobs?depot={depot}&day={day}");
    let late = app
        .submit(
            &centre,
            &jobs_page,
            "/centre/fleet/jobs",
            &[
                ("depot", &depot.to_string()),
                ("day", &day),
                ("kind", "pickup"),
                ("label", "恰尔巴格村 · 馕"),
                ("place", "korla-qiaerbag-village"),
                ("weight_kg", "12"),
                ("from", "09:00"),
                ("until", "07:00"),
            ],
        )
        .await;
    assert_eq!(late.status().as_u16(), 422);
    let added = app
        .submit(
            &centre,
            &jobs_page,
            "/centre/fleet/jobs",
            &[
                ("depot", &depot.to_string()),
                ("day", &day),
                ("kind", "pickup"),
                ("label", "恰尔巴格村 · 馕"),
                ("place", "korla-qiaerbag-village"),
                ("weight_kg", "12"),
                ("from", "07:00"),
                ("until", "09:00"),
            ],
        )
        .await;
    assert_eq!(added.status().as_u16(), 303);
    let all = store.route_jobs(depot, &day, None).await.unwrap();
    let naan = all.last().unwrap();
    assert_eq!(naan.details.grams, 12_000);
    assert_eq!(naan.details.window.unwrap().from, 7 * 60);
    app.submit(
        &centre,
        &jobs_page,
        &format!("/centre/fleet/jobs/{}/cancel", naan.id),
        &[],
    )
    .await;
    let naan = store.route_job(depot, naan.id).await.unwrap().unwrap();
    assert_eq!(naan.status, farmgate_domain::fleet::JobStatus::Cancelled);

    let day_page = format!("/centre/fleet/day?depot={depot}&day={day}");
    let planned = app
        .submit(
            &centre,
            &day_page,
            "/centre/fleet/day/plan",
            &[("depot", &depot.to_string()), ("day", &day)],
        )
        .await;
    assert_eq!(planned.status().as_u16(), 303);
    let html = support::text(&centre, app.url(&day_page)).await;
    assert!(html.contains("<polyline"), "the runs are on the map");
    assert!(html.contains("赛巴格村 · 第9户"), "the unfit job is listed");
    assert!(html.contains("车厢"), "with its reason");
    let first = store.latest_plan(depot, &day).await.unwrap().unwrap();
    let moved = app
        .submit(
            &centre,
            &day_page,
            "/centre/fleet/day/move",
            &[
                ("depot", &depot.to_string()),
                ("day", &day),
                ("job", &jobs[1].to_string()),
                ("vehicle", &fourth.id.to_string()),
            ],
        )
        .await;
    assert_eq!(moved.status().as_u16(), 303);
    let second = store.latest_plan(depot, &day).await.unwrap().unwrap();
    assert_ne!(first.id, second.id, "moving a job plans the day again");
    let on_fourth = second
        .runs
        .iter()
        .find(|r| r.vehicle_id == fourth.id)
        .expect("the van now runs");
    assert!(on_fourth.stops.iter().any(|s| s.job_id == jobs[1]));

    let run = second.runs[0].id;
    let ran = second.runs[0].vehicle_id;
    let staff = store
        .account_by_login(&farmgate_domain::accounts::LoginId::parse("korla-centre").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    store
        .start_route_run(depot, run, staff, Utc::now())
        .await
        .unwrap();
    let refused = app
        .submit(
            &centre,
            &fleet,
            &format!("/centre/fleet/vehicles/{ran}/remove"),
            &[],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 409);
    let html = support::text(&centre, app.url(&day_page)).await;
    assert!(
        !html.contains("/centre/fleet/day/plan"),
        "a plan under way stays"
    );
    let spare = store
        .add_vehicle(
            depot,
            ("QEB-09", VehicleKind::Tricycle),
            &VehicleDetails {
                label: "备用".into(),
                capacity: Capacity::new(200_000, 8).unwrap(),
                range_m: None,
                driver_id: None,
                household_id: None,
                run_pay: farmgate_domain::money::Fen(0),
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .id;
    app.submit(
        &centre,
        &fleet,
        &format!("/centre/fleet/vehicles/{spare}/remove"),
        &[],
    )
    .await;
    assert!(
        store
            .vehicles(depot, true)
            .await
            .unwrap()
            .iter()
            .all(|v| v.id != spare),
        "a vehicle that never ran is removed"
    );

    let elsewhere = app.logged_in("tekes-centre").await;
    for path in [edit.clone(), format!("/centre/fleet/jobs/{}", jobs[0])] {
        let status = elsewhere.get(app.url(&path)).send().await.unwrap().status();
        assert_eq!(status.as_u16(), 404, "{path}: not Tekes's");
    }
    let buyer = app.logged_in("buyer").await;
    let status = buyer.get(app.url(&day_page)).send().await.unwrap().status();
    assert_eq!(status.as_u16(), 403);
    app.stop().await;
}

#[tokio::test]
async fn a_centre_keeps_its_fleet_through_the_pages_on_sqlite() {
    a_centre_keeps_its_fleet_through_the_pages(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_centre_keeps_its_fleet_through_the_pages_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_centre_keeps_its_fleet_through_the_pages(app).await;
}

/// The county's measured roads through the pages: a table with a mistake imports nothing and
/// names the line; one saved by Chinese Excel (GB18030) is imported, the kept plan is then out
/// of date (the plans measure with it), it downloads in the layout it was read in, and taking
/// it away brings the plan back up to date. Another county's centre and a buyer are refused.
async fn a_centre_measures_its_roads(app: App) {
    let day = LedgerDay::of(Utc::now()).next().to_string();
    let (depot, _, _) = korla(&app, &day).await;
    let store = &app.db.store;
    let centre = app.logged_in("korla-centre").await;
    let roads_page = format!("/centre/fleet/roads?depot={depot}");
    let day_page = format!("/centre/fleet/day?depot={depot}&day={day}");
    let html = support::text(&centre, app.url(&roads_page)).await;
    assert!(
        html.contains("现在没有道路表"),
        "straight lines until a table"
    );
    let csrf = support::csrf_of(&html);
    let upload = |csv: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv)
                .file_name("道路.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
        centre
            .post(app.url(&format!("{roads_page}&_csrf={csrf}")))
            .multipart(form)
            .send()
    };
    let head = "from,from_lat,from_lon,to,to_lat,to_lon,metres\n";
    let centre_row = "中心,41.7259,86.1746";
    let bad = format!(
        "{head}{centre_row},赛巴格村第1户,41.786,86.085,30000\n{centre_row},赛巴格村第2户,41.782,86.09,far\n"
    );
    let refused = upload(bad.into_bytes()).await.unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let bare = |page: String| page.replace(['\u{2068}', '\u{2069}'], "");
    let html = bare(refused.text().await.unwrap());
    assert!(
        html.contains("第 3 行") && html.contains("米数"),
        "the line and what is wrong"
    );
    assert!(
        store.roads(depot).await.unwrap().legs.is_empty(),
        "nothing imported"
    );

    let planned = app
        .submit(
            &centre,
            &day_page,
            "/centre/fleet/day/plan",
            &[("depot", &depot.to_string()), ("day", &day)],
        )
        .await;
    assert_eq!(planned.status().as_u16(), 303);
    let fresh = support::text(&centre, app.url(&day_page)).await;
    assert!(
        !fresh.contains("请重新安排"),
        "the plan answers today's problem"
    );

    let good = format!(
        "{head}{centre_row},赛巴格村第1户,41.786,86.085,30000\n{centre_row},赛巴格村第2户,41.782,86.09,29000\n"
    );
    let (excel, _, _) = encoding_rs::GB18030.encode(&good);
    let imported = upload(excel.into_owned()).await.unwrap();
    assert_eq!(imported.status().as_u16(), 303);
    let roads = store.roads(depot).await.unwrap();
    assert_eq!((roads.places.len(), roads.legs.len()), (3, 2));
    assert_eq!(roads.places[1].name, "赛巴格村第1户", "read from GB18030");
    let html = bare(support::text(&centre, app.url(&roads_page)).await);
    assert!(html.contains("3 个地点，2 段实测道路"), "{html}");
    assert!(
        html.contains("道路.csv"),
        "the import is kept with its file"
    );
    let stale = bare(support::text(&centre, app.url(&day_page)).await);
    assert!(
        stale.contains("请重新安排"),
        "the plan was measured otherwise"
    );
    assert!(stale.contains("2 段实测道路"));

    let download = centre
        .get(app.url(&format!("/centre/fleet/roads.csv?depot={depot}")))
        .send()
        .await
        .unwrap();
    assert!(
        download.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = download.text().await.unwrap();
    assert_eq!(farmgate_routing::Roads::from_csv(&csv).unwrap(), roads);

    let elsewhere = app.logged_in("tekes-centre").await;
    let status = elsewhere
        .get(app.url(&roads_page))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 404, "not Tekes's depot");
    let buyer = app.logged_in("buyer").await;
    let status = buyer
        .get(app.url(&roads_page))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 403);

    let removed = app
        .submit(
            &centre,
            &roads_page,
            "/centre/fleet/roads/remove",
            &[("depot", &depot.to_string())],
        )
        .await;
    assert_eq!(removed.status().as_u16(), 303);
    assert!(store.roads(depot).await.unwrap().legs.is_empty());
    assert_eq!(store.road_imports(depot, 10).await.unwrap().len(), 2);
    let fresh = support::text(&centre, app.url(&day_page)).await;
    assert!(
        !fresh.contains("请重新安排"),
        "straight lines again: the plan fits"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_centre_measures_its_roads_on_sqlite() {
    a_centre_measures_its_roads(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_centre_measures_its_roads_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_centre_measures_its_roads(app).await;
}

/// The rider's phone through the real server: only the rider of a run sees it and works it
/// (another courier and a buyer are refused); the load-out takes the goods off the shelf, a
/// sale sent twice from the queue is kept once, and the return credits the stall and the rider
/// (the rider's pay as their registered household's income).
async fn a_rider_works_a_selling_run(app: App) {
    let store = &app.db.store;
    store.load_demo_catalog().await.unwrap();
    let day = LedgerDay::of(Utc::now()).to_string();
    let (depot, vehicles, jobs) = korla(&app, &day).await;
    let id = |login: &'static str| async move {
        store
            .account_by_login(&farmgate_domain::accounts::LoginId::parse(login).unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let (rider, seller) = (id("korla-rider").await, id("saibag-seller").await);
    let first = store.vehicles(depot, true).await.unwrap()[0].clone();
    store
        .update_vehicle(
            depot,
            vehicles[0],
            VehicleKind::Tricycle,
            &VehicleDetails {
                driver_id: Some(rider),
                ..first.details.clone()
            },
            Utc::now(),
        )
        .await
        .unwrap();
    // The tricycle is a registered household's: the rider's family.
    let korla = store.region_by_code("korla").await.unwrap();
    let village = store
        .region_by_code("korla-qiaerbag-village")
        .await
        .unwrap();
    let vault = farmgate_store::households::IdVault::new(&[5u8; 32]).unwrap();
    let family = store
        .register_household(
            &vault,
            (
                korla.id,
                &farmgate_store::households::HouseholdDetails {
                    village_id: village.id,
                    registered_year: 2016,
                    lifted_year: None,
                    note: String::new(),
                },
            ),
            &[farmgate_store::households::NewMember {
                name: "阿卜杜拉·买买提".into(),
                relation: farmgate_domain::households::Relation::Head,
                id_number: farmgate_domain::households::IdNumber::parse("652801198702110183")
                    .unwrap(),
                phone: None,
            }],
            (rider, Utc::now()),
        )
        .await
        .unwrap();
    store
        .link_household(
            (korla.id, family.id),
            (
                farmgate_domain::households::LinkKind::Vehicle,
                vehicles[0],
                100,
            ),
            (rider, Utc::now()),
        )
        .await
        .unwrap();
    let shop = store.shops_of_member(seller).await.unwrap()[0].id;
    let berries = store.products_of_shop(shop).await.unwrap()[0].clone();
    let variant = berries.variants[0].id;
    let before = berries.variants[0].spec.stock;
    let staff = app.logged_in("korla-centre").await;
    let community = format!("/centre/fleet/jobs/{}", jobs[5]);
    let form = support::text(&staff, app.url(&community)).await;
    assert!(
        form.contains("赛巴格草莓"),
        "the county's goods to choose from"
    );
    let saved = app
        .submit(
            &staff,
            &community,
            &format!("{community}/goods"),
            &[
                ("variant-0", &variant.to_string()),
                ("quantity-0", "4"),
                ("variant-1", ""),
                ("quantity-1", ""),
            ],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    let set = store.job_goods(&[jobs[5]]).await.unwrap();
    assert_eq!((set.len(), set[0].1.quantity), (1, 4));
    store
        .pin_route_job(depot, jobs[5], Some(vehicles[0]), Utc::now())
        .await
        .unwrap();
    let centre = app.token("korla-centre").await;
    let client = reqwest::Client::new();
    let (status, plan) = send(
        client
            .post(app.url(&format!("/api/v1/fleet/plans?day={day}")))
            .bearer_auth(&centre),
    )
    .await;
    assert_eq!(status, 200, "{plan}");
    let run = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["vehicle_id"] == vehicles[0])
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let phone = app.logged_in("korla-rider").await;
    let page = support::text(&phone, app.url("/courier/fleet")).await;
    assert!(
        page.contains("萨依巴格社区"),
        "the rider sees the run's community"
    );
    let other = app.logged_in("gaodu-courier").await;
    let theirs = support::text(&other, app.url("/courier/fleet")).await;
    assert!(!theirs.contains("萨依巴格社区"), "another courier does not");
    let refused = app
        .submit(
            &other,
            "/courier/fleet",
            &format!("/courier/fleet/runs/{run}/start"),
            &[],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 404);
    let buyer = app.logged_in("buyer").await;
    let status = buyer
        .get(app.url("/courier/fleet"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 403);

    let count = format!("count-{variant}");
    let loaded = app
        .submit(
            &phone,
            "/courier/fleet",
            &format!("/courier/fleet/runs/{run}/load"),
            &[(&count, "4")],
        )
        .await;
    assert_eq!(loaded.status().as_u16(), 303);
    assert_eq!(store.variant(variant).await.unwrap().spec.stock, before - 4);
    app.submit(
        &phone,
        "/courier/fleet",
        &format!("/courier/fleet/runs/{run}/start"),
        &[],
    )
    .await;
    let sales = app.url(&format!("/api/v1/fleet/runs/{run}/sales"));
    let body = serde_json::json!({ "sales": [
        { "client_id": "q1", "variant_id": variant, "quantity": 2 },
        { "client_id": "q1", "variant_id": variant, "quantity": 2 },
        { "client_id": "q2", "variant_id": variant, "quantity": 9 }
    ]});
    let rider_token = app.token("korla-rider").await;
    let (status, answer) = send(client.post(&sales).bearer_auth(&rider_token).json(&body)).await;
    assert_eq!(status, 200, "{answer}");
    let outcomes: Vec<&str> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["recorded", "already_recorded", "refused"]);
    let (status, _) = send(client.post(&sales).bearer_auth(&centre).json(&body)).await;
    assert_eq!(status, 403, "the centre's staff do not ride");
    let price = berries.variants[0].spec.price.0;
    let back = app
        .submit(
            &phone,
            "/courier/fleet",
            &format!("/courier/fleet/runs/{run}/return"),
            &[
                (
                    "cash",
                    &format!("{}.{:02}", price * 2 / 100, price * 2 % 100),
                ),
                (&count, "2"),
            ],
        )
        .await;
    assert_eq!(back.status().as_u16(), 303);
    assert_eq!(store.variant(variant).await.unwrap().spec.stock, before - 2);
    let page = support::text(&phone, app.url("/courier/fleet")).await;
    assert!(
        page.contains("赛巴格村果蔬摊 的货款"),
        "the stall is credited"
    );
    assert!(
        page.contains("阿卜杜拉·买买提 的工钱 ¥50.00"),
        "and the rider: {page}"
    );
    assert!(
        page.contains("记入建档户"),
        "the pay is the rider's household's income"
    );
    let credits = store.run_credits(&day, &day).await.unwrap();
    assert!(
        credits
            .iter()
            .any(|c| c.household_id == Some(family.id) && c.amount.0 == 5_000),
        "{credits:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_rider_works_a_selling_run_on_sqlite() {
    a_rider_works_a_selling_run(support::spawn_app().await).await;
}

#[tokio::test]
async fn a_rider_works_a_selling_run_on_postgres() {
    let Some(app) = support::spawn_with(Db::Postgres, Default::default()).await else {
        return;
    };
    a_rider_works_a_selling_run(app).await;
}
