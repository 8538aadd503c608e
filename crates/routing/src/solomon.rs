//! Solomon's VRPTW instances (the standard benchmark of vehicle routing with time windows):
//! a name, `VEHICLE` with `NUMBER CAPACITY`, then `CUSTOMER` rows of `CUST NO. XCOORD. YCOORD.
//! DEMAND READY TIME DUE DATE SERVICE TIME`, the first row being the depot. Distances are
//! Euclidean and not rounded, and a unit of distance takes a unit of time.

use crate::model::{Job, JobKind, Load, Problem, Vehicle, Window};
use crate::{Matrix, Result, RoutingError};

/// One instance read.
#[derive(Debug, Clone)]
pub struct Instance {
    pub name: String,
    pub problem: Problem,
}

fn bad(what: impl Into<String>) -> RoutingError {
    RoutingError::Matrix(format!("Solomon instance: {}", what.into()))
}

fn numbers(line: &str) -> Option<Vec<f64>> {
    line.split_whitespace().map(|w| w.parse().ok()).collect()
}

/// Reads an instance.
pub fn parse(text: &str) -> Result<Instance> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let name = lines.next().ok_or_else(|| bad("empty"))?.to_owned();
    let mut fleet: Option<(usize, u32)> = None;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut in_vehicles = false;
    for line in lines {
        if line.starts_with("VEHICLE") {
            in_vehicles = true;
            continue;
        }
        let Some(values) = numbers(line) else {
            continue;
        };
        match values.as_slice() {
            [n, q] if in_vehicles && fleet.is_none() => {
                fleet = Some((*n as usize, *q as u32));
                in_vehicles = false;
            }
            [_, _, _, _, _, _, _] => rows.push(values),
            [] => {}
            _ => return Err(bad(format!("a row of {} numbers: {line}", values.len()))),
        }
    }
    let (count, capacity) = fleet.ok_or_else(|| bad("no VEHICLE NUMBER CAPACITY"))?;
    let (depot, customers) = rows.split_first().ok_or_else(|| bad("no depot"))?;
    let points: Vec<(f64, f64)> = rows.iter().map(|r| (r[1], r[2])).collect();
    let matrix = Matrix::euclidean(&points, &[1.0])?;
    let vehicles = (0..count)
        .map(|k| Vehicle {
            id: format!("v{}", k + 1),
            profile: 0,
            capacity: Load::new(capacity, 0),
            range: None,
            shift: Window::new(depot[4], depot[5]),
            depot: 0,
        })
        .collect();
    let jobs = customers
        .iter()
        .enumerate()
        .map(|(k, r)| Job {
            windows: vec![Window::new(r[4], r[5])],
            service: r[6],
            ..Job::new(
                format!("{}", r[0] as i64),
                JobKind::Delivery,
                k + 1,
                Load::new(r[3] as u32, 0),
            )
        })
        .collect();
    Ok(Instance {
        name,
        problem: Problem {
            vehicles,
            jobs,
            matrix,
        },
    })
}

/// A published best-known result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BestKnown {
    pub vehicles: usize,
    pub distance: f64,
}

/// Reads best-known results: one instance a line, `NAME VEHICLES DISTANCE` (`#` starts a
/// comment).
pub fn parse_best_known(text: &str) -> Result<Vec<(String, BestKnown)>> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [name, vehicles, distance] => Ok((
                    (*name).to_owned(),
                    BestKnown {
                        vehicles: vehicles.parse().map_err(|_| bad(line))?,
                        distance: distance.parse().map_err(|_| bad(line))?,
                    },
                )),
                _ => Err(bad(format!("best known: {line}"))),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "TINY1

VEHICLE
NUMBER     CAPACITY
  3         20

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0         0          0          0       200          0
    1      3         4         10          0        50          5
    2      6         8         10         10        80          5
";

    #[test]
    fn an_instance_reads_into_vehicles_jobs_and_distances() {
        let i = parse(TINY).unwrap();
        assert_eq!(i.name, "TINY1");
        assert_eq!(i.problem.vehicles.len(), 3);
        assert_eq!(i.problem.vehicles[0].capacity, Load::new(20, 0));
        assert_eq!(i.problem.vehicles[0].shift, Window::new(0.0, 200.0));
        assert_eq!(i.problem.jobs.len(), 2);
        assert_eq!(i.problem.jobs[1].id, "2");
        assert_eq!(i.problem.jobs[1].windows, vec![Window::new(10.0, 80.0)]);
        assert_eq!(i.problem.matrix.distance(0, 1), 5.0);
        assert_eq!(i.problem.matrix.duration(0, 1, 2), 5.0);
    }

    #[test]
    fn bad_instances_and_best_known_lines_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("X\nVEHICLE\nNUMBER CAPACITY\n").is_err());
        assert!(parse("X\nVEHICLE\n2 10\n0 0 0 0 0 10\n").is_err());
        let best = parse_best_known("# instance vehicles distance\nC101 10 828.94\n").unwrap();
        assert_eq!(best[0].0, "C101");
        assert_eq!(best[0].1.vehicles, 10);
        assert!(parse_best_known("C101 ten 828.94").is_err());
    }
}
