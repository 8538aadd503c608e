//! Solomon-format instances of our own: read, planned, every customer served once within
//! capacity and windows, and a small one whose best answer is known.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use farmgate_routing::solomon::parse;
use farmgate_routing::{Budget, check, solve};

/// Fifteen customers around a depot, some windows opening late; demands add up to 205 for
/// vehicles of 60.
const FARM15: &str = "
FARM15

VEHICLE
NUMBER     CAPACITY
  6          60

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      50      50       0         0       400         0
    1      51      29       5       120       283        10
    2      19      78       5         0       126        10
    3      74      37      20         0        91        10
    4      63      18      20         0        91        10
    5      17      82       5         0       108        10
    6      83      84      10       120       206        10
    7      15      81      20         0       117        10
    8      28      79      15         0       153        10
    9      81      33      10         0       154        10
   10      57      22       5         0       152        10
   11      89      36      20       120       287        10
   12      50      69      15       120       246        10
   13      41      33      15         0        90        10
   14      77      73      20        60       233        10
   15      46      87      20         0        95        10
";

/// Four customers on two roads out of the depot, two per vehicle's load: the best is two
/// vehicles, each out along its road and back, 80 in all.
const CROSS4: &str = "CROSS4
VEHICLE
NUMBER     CAPACITY
  4          20
CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME
    0       0       0       0       0     500       0
    1      10       0      10       0     500       5
    2      20       0      10       0     500       5
    3       0      10      10       0     500       5
    4       0      20      10       0     500       5
";

fn budget() -> Budget {
    Budget {
        seconds: 20,
        generations: Some(300),
        seeded: true,
    }
}

#[test]
fn an_instance_of_fifteen_is_served_within_its_windows_and_loads() {
    let instance = parse(FARM15).unwrap();
    assert_eq!(instance.name, "FARM15");
    let plan = solve(&instance.problem, &budget()).unwrap();
    assert_eq!(check(&instance.problem, &plan), vec![]);
    assert!(plan.unfit.is_empty(), "{:?}", plan.unfit);
    let served: usize = plan.runs.iter().map(|r| r.stops.len()).sum();
    assert_eq!(served, 15);
    assert!((4..=6).contains(&plan.vehicles()), "{}", plan.vehicles());
}

#[test]
fn the_known_best_of_a_small_instance_is_found() {
    let instance = parse(CROSS4).unwrap();
    let plan = solve(&instance.problem, &budget()).unwrap();
    assert_eq!(plan.vehicles(), 2);
    assert!((plan.distance() - 80.0).abs() < 1e-9, "{}", plan.distance());
    for run in &plan.runs {
        let mut ids: Vec<&str> = run.stops.iter().map(|s| s.job.as_str()).collect();
        ids.sort_unstable();
        assert!(ids == ["1", "2"] || ids == ["3", "4"], "{ids:?}");
    }
}
