//! The problem handed to `vrp-core` and its answer read back. The goal is, in order: leave no
//! job out that can be done, use as few vehicles as can do them, then ride as little as
//! possible. Capacity (grams and crates), time windows with each vehicle's shift, range and
//! pins (a skill only the pinned vehicle has, and a lock that starts the job in its run) are
//! hard constraints. A job left out is
//! explained here, not by the solver's last attempt: what stops every vehicle from taking it
//! alone (capacity, range, its window, its pin), or, when one could, a fleet with no room
//! left.

use std::collections::HashMap;
use std::sync::Arc;

use std::collections::HashSet;

use vrp_core::construction::features::{
    CapacityFeatureBuilder, JobSkills, JobSkillsDimension, MinimizeUnassignedBuilder,
    TransportFeatureBuilder, VehicleSkillsDimension, create_minimize_tours_feature,
    create_skills_feature, create_travel_limit_feature,
};
use vrp_core::models::common::{Demand, MultiDimLoad, TimeWindow};
use vrp_core::models::problem::{
    Actor, Costs, Driver, Fleet, Job as VrpJob, JobIdDimension, Jobs, MatrixData,
    SimpleActivityCost, SingleBuilder, TransportCost, VehicleBuilder, VehicleDetailBuilder,
    VehicleIdDimension, create_matrix_transport_cost,
};
use vrp_core::models::{
    Extras, Feature, Goal, GoalContextBuilder, Lock, LockDetail, LockOrder, LockPosition,
    Problem as VrpProblem, Solution, ViolationCode,
};
use vrp_core::rosomaxa::evolution::TelemetryMode;
use vrp_core::rosomaxa::utils::{DefaultRandom, Environment, InfoLogger, Parallelism, TimeQuota};
use vrp_core::solver::{Solver, VrpConfigBuilder, get_static_heuristic};

use crate::check::Violation;
use crate::check::{check, schedule};
use crate::model::{Job, JobKind, Plan, Problem, Unfit, UnfitReason, Vehicle};
use crate::{Result, RoutingError};

const CAPACITY: ViolationCode = ViolationCode(1);
const TIME: ViolationCode = ViolationCode(2);
const RANGE: ViolationCode = ViolationCode(3);
const DURATION: ViolationCode = ViolationCode(4);
const PIN: ViolationCode = ViolationCode(5);

/// How long the search may run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Seconds at most.
    pub seconds: usize,
    /// Generations at most (a seeded search that ends here rather than on the clock does the
    /// same work on a busy machine as on an idle one).
    pub generations: Option<usize>,
    /// One thread, the solver's fixed seed and its static heuristic (the default one learns
    /// from how long its operators take): the same problem then plans alike, though not bit
    /// for bit (vrp-core hashes jobs by their address, so the order it meets them varies from
    /// one run to the next; callers that must show the same plan again keep it, by
    /// [`Problem::digest`](crate::Problem::digest)). Otherwise every core searches.
    pub seeded: bool,
}

impl Default for Budget {
    /// Five seconds, 3,000 generations, seeded: a morning's plan for twenty tricycles.
    fn default() -> Self {
        Budget {
            seconds: 5,
            generations: Some(3_000),
            seeded: true,
        }
    }
}

/// Plans `problem` within `budget`. The plan is checked against the problem before it is
/// returned; a plan that broke it would be the solver's error, reported as such.
pub fn solve(problem: &Problem, budget: &Budget) -> Result<Plan> {
    problem.validate()?;
    if problem.jobs.is_empty() || problem.vehicles.is_empty() {
        let unfit = problem
            .jobs
            .iter()
            .map(|j| Unfit {
                job: j.id.clone(),
                reason: UnfitReason::Unknown,
            })
            .collect();
        return Ok(Plan {
            runs: Vec::new(),
            unfit,
        });
    }
    let stated = Arc::new(state(problem)?);
    let solution = if budget.seeded {
        // A pool of one fresh thread: the solver's fixed seed lives in a thread-local, which
        // then starts from the seed and nothing else draws from it.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map_err(|e| RoutingError::Solver(e.to_string()))?;
        pool.install(|| search(stated.clone(), budget))?
    } else {
        search(stated.clone(), budget)?
    };
    let plan = read_back(problem, &solution)?;
    let broken = check(problem, &plan);
    if !broken.is_empty() {
        return Err(RoutingError::Solver(format!("the plan breaks {broken:?}")));
    }
    Ok(plan)
}

fn solver_error(e: impl std::fmt::Display) -> RoutingError {
    RoutingError::Solver(e.to_string())
}

fn search(problem: Arc<VrpProblem>, budget: &Budget) -> Result<Solution> {
    let quiet: InfoLogger = Arc::new(|_: &str| {});
    let environment = if budget.seeded {
        Environment::new(
            Arc::new(DefaultRandom::new_repeatable()),
            Some(Arc::new(TimeQuota::new(budget.seconds as f64))),
            Parallelism::new(1, 1),
            quiet,
            false,
        )
    } else {
        Environment {
            quota: Some(Arc::new(TimeQuota::new(budget.seconds as f64))),
            logger: quiet,
            ..Environment::default()
        }
    };
    let environment = Arc::new(environment);
    let mut config = VrpConfigBuilder::new(problem.clone())
        .set_environment(environment.clone())
        .set_telemetry_mode(TelemetryMode::None);
    if budget.seeded {
        // The default (dynamic) heuristic learns from how long its operators take: the clock
        // would steer the search.
        config = config.set_heuristic(Box::new(get_static_heuristic(problem.clone(), environment)));
    }
    let config = config
        .prebuild()
        .map_err(solver_error)?
        .with_max_time(Some(budget.seconds))
        .with_max_generations(budget.generations)
        .build()
        .map_err(solver_error)?;
    Solver::new(problem, config).solve().map_err(solver_error)
}

fn load(l: crate::Load) -> MultiDimLoad {
    // Validated: both fit in an i32.
    let dim = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    MultiDimLoad::new(vec![dim(l.grams), dim(l.crates)])
}

fn job_of(problem: &Problem, job: &Job) -> Result<VrpJob> {
    let empty = MultiDimLoad::default();
    let demand = match job.kind {
        JobKind::Pickup => Demand {
            pickup: (load(job.load), empty),
            delivery: (empty, empty),
        },
        JobKind::Delivery | JobKind::Sell => Demand {
            pickup: (empty, empty),
            delivery: (load(job.load), empty),
        },
    };
    let mut single = SingleBuilder::default()
        .id(&job.id)
        .dimension(|d| {
            if let Some(vehicle) = &job.pinned_to {
                d.set_job_skills(JobSkills::new(Some(vec![vehicle.clone()]), None, None));
            }
        })
        .demand(demand)
        .location(job.place)
        .and_then(|b| b.duration(job.service))
        .map_err(solver_error)?;
    // A job locked to its vehicle (see [`locks`]) must state a window: its vehicle's shift
    // says the same as none.
    let pinned_shift = job
        .pinned_to
        .as_deref()
        .and_then(|id| problem.vehicle(id))
        .map(|v| v.shift);
    let windows = match (job.windows.is_empty(), pinned_shift) {
        (false, _) => job.windows.clone(),
        (true, Some(shift)) => vec![shift],
        (true, None) => Vec::new(),
    };
    if !windows.is_empty() {
        single = single
            .times(
                windows
                    .iter()
                    .map(|w| TimeWindow::new(w.start, w.end))
                    .collect(),
            )
            .map_err(solver_error)?;
    }
    single.build_as_job().map_err(solver_error)
}

/// Pinned jobs start in their vehicle's run: without this, free jobs can fill a pinned
/// vehicle's morning while the search is young and a short search never undoes it (the
/// pinned job is then left out with room to spare elsewhere). Each vehicle's pinned jobs are
/// taken in the problem's order while the run they make stays feasible; the search may still
/// reorder them within the run (`LockOrder::Any`), and the skill keeps them on the vehicle.
/// A pinned job with several windows is left to the skill alone (a lock takes one window).
fn locks(problem: &Problem, jobs: &[VrpJob]) -> Vec<Arc<Lock>> {
    problem
        .vehicles
        .iter()
        .filter_map(|vehicle| {
            let mut run: Vec<&Job> = Vec::new();
            let mut locked = Vec::new();
            for (job, stated) in problem.jobs.iter().zip(jobs) {
                if job.pinned_to.as_deref() != Some(vehicle.id.as_str()) || job.windows.len() > 1 {
                    continue;
                }
                run.push(job);
                if schedule(problem, vehicle, &run).1.is_empty() {
                    locked.push(stated.clone());
                } else {
                    run.pop();
                }
            }
            if locked.is_empty() {
                return None;
            }
            let id = vehicle.id.clone();
            Some(Arc::new(Lock {
                condition_fn: Arc::new(move |a: &Actor| {
                    a.vehicle.dimens.get_vehicle_id() == Some(&id)
                }),
                details: vec![LockDetail::new(LockOrder::Any, LockPosition::Any, locked)],
                is_lazy: false,
            }))
        })
        .collect()
}

/// The problem in `vrp-core`'s terms.
fn state(problem: &Problem) -> Result<VrpProblem> {
    let transport = create_matrix_transport_cost(
        (0..problem.matrix.profiles())
            .map(|p| {
                MatrixData::new(
                    p,
                    None,
                    problem.matrix.durations(p).to_vec(),
                    problem.matrix.distances().to_vec(),
                )
            })
            .collect(),
    )
    .map_err(solver_error)?;
    let vehicles = problem
        .vehicles
        .iter()
        .map(|v| {
            let detail = VehicleDetailBuilder::default()
                .set_start_location(v.depot)
                .set_start_time(v.shift.start)
                .set_end_location(v.depot)
                .set_end_time(v.shift.end)
                .build()
                .map_err(solver_error)?;
            VehicleBuilder::default()
                .id(&v.id)
                .dimension(|d| {
                    d.set_vehicle_skills(HashSet::from([v.id.clone()]));
                })
                .add_detail(detail)
                .set_profile_idx(v.profile)
                .set_distance_cost(1.0)
                .capacity(load(v.capacity))
                .build()
                .map(Arc::new)
                .map_err(solver_error)
        })
        .collect::<Result<Vec<_>>>()?;
    let groups = groups(problem);
    let driver = Driver {
        costs: Costs {
            fixed: 0.0,
            per_distance: 0.0,
            per_driving_time: 0.0,
            per_waiting_time: 0.0,
            per_service_time: 0.0,
        },
        dimens: Default::default(),
        details: Vec::new(),
    };
    let fleet = Fleet::new(vec![Arc::new(driver)], vehicles, move |_| {
        let groups = groups.clone();
        move |a: &Actor| {
            a.vehicle
                .dimens
                .get_vehicle_id()
                .and_then(|id| groups.get(id).copied())
                .unwrap_or(0)
        }
    });
    let jobs: Vec<VrpJob> = problem
        .jobs
        .iter()
        .map(|j| job_of(problem, j))
        .collect::<Result<_>>()?;
    let locks = locks(problem, &jobs);
    let features = features(problem, transport.clone())?;
    let goal = GoalContextBuilder::with_features(&features)
        .and_then(|b| {
            let main =
                Goal::subset_of(&features, &["min_unassigned", "min_tours", "min_distance"])?;
            b.set_main_goal(main).build()
        })
        .map_err(solver_error)?;
    let quiet: InfoLogger = Arc::new(|_: &str| {});
    let jobs = Jobs::new(&fleet, jobs, transport.as_ref(), &quiet).map_err(solver_error)?;
    Ok(VrpProblem {
        fleet: Arc::new(fleet),
        jobs: Arc::new(jobs),
        locks,
        goal: Arc::new(goal),
        activity: Arc::new(SimpleActivityCost::default()),
        transport,
        extras: Arc::new(Extras::default()),
    })
}

fn features(problem: &Problem, transport: Arc<dyn TransportCost>) -> Result<Vec<Feature>> {
    let activity = Arc::new(SimpleActivityCost::default());
    let ranges: HashMap<String, f64> = problem
        .vehicles
        .iter()
        .filter_map(|v| Some((v.id.clone(), v.range?)))
        .collect();
    let mut features = vec![
        MinimizeUnassignedBuilder::new("min_unassigned").build(),
        create_minimize_tours_feature("min_tours"),
        TransportFeatureBuilder::new("min_distance")
            .set_violation_code(TIME)
            .set_time_constrained(true)
            .set_transport_cost(transport.clone())
            .set_activity_cost(activity.clone())
            .build_minimize_distance(),
        CapacityFeatureBuilder::<MultiDimLoad>::new("capacity")
            .set_violation_code(CAPACITY)
            .build(),
    ];
    if !ranges.is_empty() {
        features.push(create_travel_limit_feature(
            "range",
            transport,
            RANGE,
            DURATION,
            Arc::new(move |a: &Actor| {
                a.vehicle
                    .dimens
                    .get_vehicle_id()
                    .and_then(|id| ranges.get(id).copied())
            }),
            Arc::new(|_: &Actor| None),
        ));
    }
    if problem.jobs.iter().any(|j| j.pinned_to.is_some()) {
        features.push(create_skills_feature("pins", PIN));
    }
    features
        .into_iter()
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(solver_error)
}

/// Why `job` is left out: what stops each vehicle that may take it from doing it alone (the
/// most telling first: its box, its range, then the window), or, when one could, that the
/// fleet has no room or time left for it.
fn reason(problem: &Problem, job: &Job) -> UnfitReason {
    let allowed: Vec<_> = problem
        .vehicles
        .iter()
        .filter(|v| job.pinned_to.as_ref().is_none_or(|pin| *pin == v.id))
        .collect();
    let alone: Vec<Vec<Violation>> = allowed
        .iter()
        .map(|v| schedule(problem, v, &[job]).1)
        .collect();
    let all =
        |f: fn(&Violation) -> bool| !alone.is_empty() && alone.iter().all(|b| b.iter().any(f));
    if all(|v| matches!(v, Violation::Capacity { .. })) {
        UnfitReason::Capacity
    } else if all(|v| matches!(v, Violation::Range { .. })) {
        UnfitReason::Range
    } else if alone.iter().all(|b| !b.is_empty()) && !alone.is_empty() {
        UnfitReason::TimeWindow
    } else if job.pinned_to.is_some() {
        UnfitReason::Pin
    } else {
        UnfitReason::Fleet
    }
}

fn job_id(job: &VrpJob) -> Option<&String> {
    job.dimens().get_job_id()
}

/// The solver's answer as runs timed from the matrix (see [`schedule`]), vehicles in the
/// problem's order, and the jobs left out in the problem's order.
fn read_back(problem: &Problem, solution: &Solution) -> Result<Plan> {
    let mut runs: Vec<(&Vehicle, Vec<&Job>)> = Vec::with_capacity(solution.routes.len());
    for route in &solution.routes {
        let vehicle = route
            .actor
            .vehicle
            .dimens
            .get_vehicle_id()
            .and_then(|id| problem.vehicle(id))
            .ok_or_else(|| solver_error("a route of no known vehicle"))?;
        let jobs = route
            .tour
            .all_activities()
            .filter_map(|a| a.job.as_ref())
            .map(|single| {
                single
                    .dimens
                    .get_job_id()
                    .and_then(|id| problem.job(id))
                    .ok_or_else(|| solver_error("a stop of no known job"))
            })
            .collect::<Result<Vec<_>>>()?;
        if jobs.is_empty() {
            continue;
        }
        runs.push((vehicle, jobs));
    }
    let mut runs: Vec<crate::Run> = alike_in_order(problem, runs)
        .into_iter()
        .map(|(vehicle, jobs)| schedule(problem, vehicle, &jobs).0)
        .collect();
    runs.sort_by_key(|r| {
        problem
            .vehicles
            .iter()
            .position(|v| v.id == r.vehicle)
            .unwrap_or(usize::MAX)
    });
    let mut unfit: Vec<Unfit> = solution
        .unassigned
        .iter()
        .filter_map(|(job, _)| {
            let job = problem.job(job_id(job)?)?;
            Some(Unfit {
                job: job.id.clone(),
                reason: reason(problem, job),
            })
        })
        .collect();
    unfit.sort_by_key(|u| {
        problem
            .jobs
            .iter()
            .position(|j| j.id == u.job)
            .unwrap_or(usize::MAX)
    });
    Ok(Plan { runs, unfit })
}

/// Vehicles alike (see [`alike`]) are interchangeable to the solver, which hands their runs
/// out in whatever order it met them. Here the runs of alike vehicles go to them in the
/// problem's order, the run with the earliest job first (runs with a pinned job stay with
/// their vehicle), so that the same routes always ride with the same vehicles.
fn alike_in_order<'p>(
    problem: &'p Problem,
    runs: Vec<(&'p Vehicle, Vec<&'p Job>)>,
) -> Vec<(&'p Vehicle, Vec<&'p Job>)> {
    let position = |job: &Job| problem.jobs.iter().position(|j| j.id == job.id);
    let (pinned, mut free): (Vec<_>, Vec<_>) = runs
        .into_iter()
        .partition(|(_, jobs)| jobs.iter().any(|j| j.pinned_to.is_some()));
    free.sort_by_key(|(_, jobs)| jobs.iter().filter_map(|j| position(j)).min());
    let mut taken: Vec<&str> = pinned.iter().map(|(v, _)| v.id.as_str()).collect();
    let mut out = pinned;
    for (vehicle, jobs) in free {
        let first_alike = problem
            .vehicles
            .iter()
            .find(|v| alike(v, vehicle) && !taken.contains(&v.id.as_str()))
            .unwrap_or(vehicle);
        taken.push(&first_alike.id);
        out.push((first_alike, jobs));
    }
    out
}

/// Each vehicle's group to the search: vehicles alike share the first alike one's index (the
/// search opens a group's vehicles one at a time, at random); a vehicle a job is pinned to is
/// told apart (only it may take that job), so it is a group of its own and can always be opened.
fn groups(problem: &Problem) -> HashMap<String, usize> {
    let pinned: HashSet<&str> = problem
        .jobs
        .iter()
        .filter_map(|j| j.pinned_to.as_deref())
        .collect();
    problem
        .vehicles
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let group = if pinned.contains(v.id.as_str()) {
                k
            } else {
                problem
                    .vehicles
                    .iter()
                    .position(|w| alike(v, w) && !pinned.contains(w.id.as_str()))
                    .unwrap_or(k)
            };
            (v.id.clone(), group)
        })
        .collect()
}

/// Vehicles the solver cannot tell apart: same kind, depot, box, range and shift.
fn alike(a: &Vehicle, b: &Vehicle) -> bool {
    a.profile == b.profile
        && a.depot == b.depot
        && a.capacity == b.capacity
        && a.range == b.range
        && a.shift == b.shift
}
