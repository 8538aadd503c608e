//! Plans on random problems keep every constraint; the same problem plans the same way; a job
//! nothing can take is reported with its reason, never dropped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use farmgate_routing::{
    Budget, GeoPoint, Job, JobKind, Load, Matrix, Problem, UnfitReason, Vehicle, Window, check,
    solve,
};
use proptest::prelude::*;

/// Korla's centre and places around it (the demo's tricycles ride about 15 km/h).
const CENTRE: GeoPoint = GeoPoint::new(41.7259, 86.1746);
const TRICYCLE: f64 = 15_000.0 / 3600.0;

fn quick() -> Budget {
    Budget {
        seconds: 20,
        generations: Some(60),
        seeded: true,
    }
}

fn tricycle(id: &str, kg: u32, crates: u32, range_km: f64) -> Vehicle {
    Vehicle {
        id: id.to_owned(),
        profile: 0,
        capacity: Load::new(kg * 1000, crates),
        range: Some(range_km * 1000.0),
        shift: Window::new(Window::at(6, 0), Window::at(13, 0)),
        depot: 0,
    }
}

fn places(offsets: &[(f64, f64)]) -> Matrix {
    let mut points = vec![CENTRE];
    points.extend(
        offsets
            .iter()
            .map(|(dlat, dlon)| GeoPoint::new(CENTRE.lat + dlat, CENTRE.lon + dlon)),
    );
    Matrix::from_points(&points, 1.3, &[TRICYCLE]).unwrap()
}

/// A random morning: 2-5 tricycles, 4-18 jobs within ~8 km, some windows, some pins.
fn morning() -> impl Strategy<Value = Problem> {
    let vehicle = (100u32..400, 4u32..16, 20.0f64..60.0);
    let job = (
        (-0.07f64..0.07, -0.09f64..0.09),
        0usize..3,
        (1u32..120, 0u32..5),
        prop::option::of((6u32..11, 20u32..180)),
        0u32..40,
    );
    (
        prop::collection::vec(vehicle, 2..5),
        prop::collection::vec(job, 4..18),
        prop::collection::vec(any::<bool>(), 18),
    )
        .prop_map(|(vehicles, jobs, pinned)| {
            let vehicles: Vec<Vehicle> = vehicles
                .into_iter()
                .enumerate()
                .map(|(k, (kg, crates, km))| tricycle(&format!("t{k}"), kg, crates, km))
                .collect();
            let matrix = places(&jobs.iter().map(|j| j.0).collect::<Vec<_>>());
            let jobs = jobs
                .into_iter()
                .enumerate()
                .map(|(k, (_, kind, (kg, crates), window, minutes))| {
                    let kind = [JobKind::Pickup, JobKind::Delivery, JobKind::Sell][kind];
                    let mut job =
                        Job::new(format!("j{k}"), kind, k + 1, Load::new(kg * 1000, crates));
                    job.service = f64::from(minutes * 60);
                    if let Some((hour, width)) = window {
                        let start = Window::at(hour, 0);
                        job.windows = vec![Window::new(start, start + f64::from(width * 60))];
                    }
                    if pinned[k] && k % 5 == 0 {
                        job.pinned_to = Some(vehicles[k % vehicles.len()].id.clone());
                    }
                    job
                })
                .collect();
            Problem {
                vehicles,
                jobs,
                matrix,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn plans_keep_capacity_windows_range_and_pins(problem in morning()) {
        let plan = solve(&problem, &quick()).unwrap();
        prop_assert_eq!(check(&problem, &plan), vec![]);
        let placed: usize = plan.runs.iter().map(|r| r.stops.len()).sum();
        prop_assert_eq!(placed + plan.unfit.len(), problem.jobs.len());
        for run in &plan.runs {
            let vehicle = problem.vehicle(&run.vehicle).unwrap();
            prop_assert!(run.load_out.fits_in(vehicle.capacity));
            prop_assert!(run.stops.iter().all(|s| s.load_after.fits_in(vehicle.capacity)));
            prop_assert!(run.distance <= vehicle.range.unwrap() + 1e-6);
            prop_assert!(run.returns <= vehicle.shift.end + 1e-6);
        }
    }
}

fn a_morning() -> Problem {
    let offsets: Vec<(f64, f64)> = (0..14)
        .map(|k| {
            let a = f64::from(k) * 0.45;
            (0.04 * a.sin(), 0.05 * a.cos())
        })
        .collect();
    let jobs = (0..14)
        .map(|k| {
            if k % 3 == 0 {
                let from = Window::at(8, 0) + (k as f64) * 300.0;
                Job::selling(
                    format!("sell-{k}"),
                    k + 1,
                    Load::new(60_000, 4),
                    (from, from + 3.0 * 3600.0),
                    1800.0,
                )
            } else {
                let mut job = Job::new(
                    format!("collect-{k}"),
                    JobKind::Pickup,
                    k + 1,
                    Load::new(25_000, 2),
                );
                job.service = 300.0;
                job
            }
        })
        .collect();
    Problem {
        vehicles: (0..5)
            .map(|k| tricycle(&format!("t{k}"), 300, 12, 40.0))
            .collect(),
        jobs,
        matrix: places(&offsets),
    }
}

#[test]
fn the_same_problem_plans_alike_and_is_known_by_its_digest() {
    let problem = a_morning();
    let budget = Budget {
        generations: Some(300),
        ..quick()
    };
    let first = solve(&problem, &budget).unwrap();
    let again = solve(&problem, &budget).unwrap();
    assert!(first.unfit.is_empty(), "{:?}", first.unfit);
    assert_eq!(check(&problem, &first), vec![]);
    // vrp-core's search is seeded but meets jobs in address order: the same vehicles go out,
    // the same selling visits ride with the same tricycles, within a few per cent of distance.
    assert_eq!(first.vehicles(), again.vehicles());
    let (a, b) = (first.distance(), again.distance());
    assert!((a - b).abs() <= 0.05 * a.max(b), "{a} vs {b}");
    // What keeps a plan: the problem's digest, equal for an equal problem, changed by any edit.
    assert_eq!(problem.digest(), a_morning().digest());
    let mut moved = a_morning();
    moved.jobs[3].pinned_to = Some("t1".into());
    assert_ne!(problem.digest(), moved.digest());
    let mut slower = a_morning();
    slower.matrix = places(&[(0.0, 0.0)]);
    assert_ne!(problem.digest(), slower.digest());
}

#[test]
fn a_job_nothing_can_take_is_reported_with_its_reason() {
    let mut problem = a_morning();
    let far = problem.matrix.size();
    let mut offsets: Vec<(f64, f64)> = (1..far)
        .map(|k| {
            let a = (k - 1) as f64 * 0.45;
            (0.04 * a.sin(), 0.05 * a.cos())
        })
        .collect();
    // A village 30 km out: more than the 40 km a tricycle rides there and back.
    offsets.push((0.27, 0.0));
    problem.matrix = places(&offsets);
    problem.jobs.push(Job::new(
        "too-heavy",
        JobKind::Pickup,
        1,
        Load::new(900_000, 1),
    ));
    problem.jobs.push(Job::new(
        "too-far",
        JobKind::Pickup,
        far,
        Load::new(1_000, 1),
    ));
    let mut late = Job::new("too-early", JobKind::Delivery, 2, Load::new(1_000, 1));
    late.windows = vec![Window::new(Window::at(5, 0), Window::at(5, 30))];
    problem.jobs.push(late);
    let plan = solve(&problem, &quick()).unwrap();
    assert_eq!(check(&problem, &plan), vec![]);
    let reason = |id: &str| plan.unfit.iter().find(|u| u.job == id).map(|u| u.reason);
    assert_eq!(reason("too-heavy"), Some(UnfitReason::Capacity));
    assert_eq!(reason("too-far"), Some(UnfitReason::Range));
    assert_eq!(reason("too-early"), Some(UnfitReason::TimeWindow));
    assert_eq!(plan.unfit.len(), 3, "{:?}", plan.unfit);
}

#[test]
fn a_pinned_job_rides_with_its_vehicle() {
    let mut problem = a_morning();
    problem.jobs[1].pinned_to = Some("t3".into());
    problem.jobs[2].pinned_to = Some("t3".into());
    let plan = solve(&problem, &quick()).unwrap();
    let run = plan.runs.iter().find(|r| r.vehicle == "t3").unwrap();
    for id in [&problem.jobs[1].id, &problem.jobs[2].id] {
        assert!(run.stops.iter().any(|s| &s.job == id), "{id} not on t3");
    }
    assert_eq!(check(&problem, &plan), vec![]);
}

/// Twenty alike tricycles, sixteen communities to sell in from eight: the one pinned to a
/// tricycle rides with it (the search opens alike vehicles one at a time, at random; a pinned
/// one must not wait behind the others), with a short budget. Known gap: pinned to the first
/// tricycle, another community can take its morning first and the search does not undo it
/// (docs/progress.md: pins as vrp-core locks).
#[test]
fn a_pinned_job_rides_with_its_vehicle_among_alike_ones() {
    let offsets: Vec<(f64, f64)> = (0..16)
        .map(|k| {
            (
                0.01 * f64::from(k % 4) - 0.015,
                0.012 * f64::from(k / 4) - 0.02,
            )
        })
        .collect();
    let vehicles: Vec<Vehicle> = (1..=20)
        .map(|n| tricycle(&format!("QEB-{n:02}"), 300, 12, 60.0))
        .collect();
    let jobs: Vec<Job> = (0..16)
        .map(|k| {
            let mut job = Job::new(format!("c{k}"), JobKind::Sell, k + 1, Load::new(100_000, 5));
            job.windows = vec![Window::new(Window::at(8, 0), Window::at(9, 0))];
            job.service = 150.0 * 60.0;
            job
        })
        .collect();
    for pinned in ["QEB-01", "QEB-20", "QEB-07"] {
        let mut problem = Problem {
            vehicles: vehicles.clone(),
            jobs: jobs.clone(),
            matrix: places(&offsets),
        };
        problem.jobs[3].pinned_to = Some(pinned.into());
        let budget = Budget {
            seconds: 5,
            generations: Some(20),
            seeded: true,
        };
        let plan = solve(&problem, &budget).unwrap();
        assert!(plan.unfit.is_empty(), "{pinned}: {:?}", plan.unfit);
        let run = plan.runs.iter().find(|r| r.vehicle == pinned).unwrap();
        assert!(
            run.stops.iter().any(|s| s.job == "c3"),
            "c3 rides with {pinned}"
        );
        assert_eq!(check(&problem, &plan), vec![]);
    }
}

#[test]
fn vehicles_come_before_distance() {
    // Two jobs next to each other: one vehicle does both, though two would ride no further.
    let matrix = places(&[(0.01, 0.0), (0.0105, 0.0)]);
    let problem = Problem {
        vehicles: vec![tricycle("a", 300, 12, 40.0), tricycle("b", 300, 12, 40.0)],
        jobs: vec![
            Job::new("x", JobKind::Pickup, 1, Load::new(1_000, 1)),
            Job::new("y", JobKind::Pickup, 2, Load::new(1_000, 1)),
        ],
        matrix,
    };
    let plan = solve(&problem, &quick()).unwrap();
    assert_eq!(plan.vehicles(), 1);
}

#[test]
fn a_plan_that_breaks_its_problem_is_caught() {
    let problem = a_morning();
    let mut plan = solve(&problem, &quick()).unwrap();
    let mut broken = plan.clone();
    broken.runs[0].stops.pop();
    assert!(!check(&problem, &broken).is_empty());
    let longest = (0..plan.runs.len())
        .max_by_key(|k| plan.runs[*k].stops.len())
        .unwrap();
    assert!(plan.runs[longest].stops.len() > 1);
    let mut swapped = plan.clone();
    swapped.runs[longest].stops.reverse();
    assert!(!check(&problem, &swapped).is_empty());
    let mut overloaded = plan.clone();
    overloaded.runs[longest].load_out.grams += 1;
    assert!(!check(&problem, &overloaded).is_empty());
    plan.runs[0].vehicle = "t9".into();
    assert!(!check(&problem, &plan).is_empty());
}

#[test]
fn bad_problems_are_refused() {
    let mut problem = a_morning();
    problem.jobs[0].place = 99;
    assert!(solve(&problem, &quick()).is_err());
    let mut problem = a_morning();
    problem.jobs[0].pinned_to = Some("nobody".into());
    assert!(solve(&problem, &quick()).is_err());
    let mut problem = a_morning();
    problem.jobs[1].id = problem.jobs[0].id.clone();
    assert!(solve(&problem, &quick()).is_err());
    // A vehicle and a job may share a name (the web names both by their row ids).
    let mut problem = a_morning();
    problem.jobs[0].id = problem.vehicles[0].id.clone();
    assert!(solve(&problem, &quick()).is_ok());
}
