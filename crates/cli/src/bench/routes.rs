//! `farmgate bench routes FILES...`: the morning planner of `crates/routing` on Solomon's
//! VRPTW instances, the standard measure of routing with time windows. Each instance is
//! solved within the same budget a county would give it (every core, `--seconds`), its plan
//! checked independently of the solver (every customer once, capacity, windows, back before
//! the depot closes: a violation fails the run), and printed: vehicles, distance (Euclidean,
//! not rounded), time; with `--best-known`, the gap to the published best.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use farmgate_routing::solomon::{BestKnown, parse, parse_best_known};
use farmgate_routing::{Budget, Plan, check, solve};

use super::progress;

pub struct RoutesBench {
    pub files: Vec<PathBuf>,
    pub seconds: usize,
    pub best_known: Option<PathBuf>,
    pub routes: bool,
}

/// One instance's result.
struct Solved {
    name: String,
    plan: Plan,
    took: Duration,
    best: Option<BestKnown>,
}

pub fn routes(bench: RoutesBench) -> Result<()> {
    let best = match &bench.best_known {
        Some(path) => parse_best_known(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        )?,
        None => Vec::new(),
    };
    let budget = Budget {
        seconds: bench.seconds,
        generations: None,
        seeded: false,
    };
    let bar = progress(bench.files.len() as u64, "instances");
    bar.enable_steady_tick(Duration::from_millis(500));
    let mut solved = Vec::with_capacity(bench.files.len());
    for path in &bench.files {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let instance = parse(&text).with_context(|| format!("reading {}", path.display()))?;
        bar.set_message(instance.name.clone());
        let started = Instant::now();
        let plan = solve(&instance.problem, &budget)?;
        let took = started.elapsed();
        let broken = check(&instance.problem, &plan);
        if !broken.is_empty() {
            bail!(
                "{}: the plan breaks the instance: {broken:?}",
                instance.name
            );
        }
        if !plan.unfit.is_empty() {
            bail!(
                "{}: {} customers left out: {:?}",
                instance.name,
                plan.unfit.len(),
                plan.unfit
            );
        }
        let best = best
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&instance.name))
            .map(|(_, b)| *b);
        solved.push(Solved {
            name: instance.name,
            plan,
            took,
            best,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    print(&solved, bench.seconds, bench.routes);
    Ok(())
}

fn print(solved: &[Solved], seconds: usize, with_routes: bool) {
    println!("Solomon instances, {seconds} s each, every core; each plan checked");
    println!(
        "{:<8} {:>8} {:>10} {:>7}   {:>9} {:>10} {:>7}",
        "instance", "vehicles", "distance", "time", "best veh.", "best dist.", "gap"
    );
    let mut gaps = Vec::new();
    let mut at_best = 0;
    for s in solved {
        let distance = s.plan.distance();
        let (best_vehicles, best_distance, gap) = match s.best {
            Some(b) => {
                let gap = (distance - b.distance) / b.distance * 100.0;
                gaps.push(gap);
                if s.plan.vehicles() <= b.vehicles {
                    at_best += 1;
                }
                (
                    b.vehicles.to_string(),
                    format!("{:.2}", b.distance),
                    format!("{gap:+.2}%"),
                )
            }
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "{:<8} {:>8} {:>10.2} {:>6.1}s   {:>9} {:>10} {:>7}",
            s.name,
            s.plan.vehicles(),
            distance,
            s.took.as_secs_f64(),
            best_vehicles,
            best_distance,
            gap
        );
        if with_routes {
            for (k, run) in s.plan.runs.iter().enumerate() {
                let stops: Vec<&str> = run.stops.iter().map(|st| st.job.as_str()).collect();
                println!("  Route {}: {}", k + 1, stops.join(" "));
            }
        }
    }
    if !gaps.is_empty() {
        println!(
            "best-known vehicle count on {at_best} of {}; mean distance gap {:+.2}% (goal: all, within 2%)",
            gaps.len(),
            gaps.iter().sum::<f64>() / gaps.len() as f64
        );
    }
}
