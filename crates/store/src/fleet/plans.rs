//! Plans of a day's jobs: a run per vehicle with its timed stops, and the jobs left out with
//! the reason. Each planning is kept (the latest is the day's plan); a plan is refused once a
//! run of the day's plan has left, so what drivers carry never changes under them.

use chrono::{DateTime, Utc};
use farmgate_domain::fleet::{JobStatus, RunStatus, UnfitCause};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use super::entity::{job, plan, run, stop, unfit, vehicle};
use crate::{Error, Result, Store};

/// A stop as planned, to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStop {
    pub job_id: i64,
    pub arrives_at: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub leaves_at: DateTime<Utc>,
    /// What the vehicle carries when it leaves the stop.
    pub load_grams: i64,
    pub load_crates: i32,
}

/// A vehicle's run as planned, to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub vehicle_id: i64,
    pub leaves_at: DateTime<Utc>,
    pub returns_at: DateTime<Utc>,
    pub distance_m: f64,
    /// What it loads at the depot.
    pub load_grams: i64,
    pub load_crates: i32,
    pub stops: Vec<NewStop>,
}

/// A planning of a day's jobs, to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    pub day: String,
    /// The planned problem's digest (`farmgate_routing::Problem::digest`).
    pub digest: String,
    pub runs: Vec<NewRun>,
    pub unfit: Vec<(i64, UnfitCause)>,
    pub took_ms: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedStop {
    pub id: i64,
    pub seq: i32,
    pub job_id: i64,
    pub arrives_at: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub leaves_at: DateTime<Utc>,
    pub load_grams: i64,
    pub load_crates: i32,
    pub done_at: Option<DateTime<Utc>>,
    /// `code:<the code>` or `photo:<its hash>` once done.
    pub proof: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedRun {
    pub id: i64,
    pub vehicle_id: i64,
    pub leaves_at: DateTime<Utc>,
    pub returns_at: DateTime<Utc>,
    pub distance_m: f64,
    pub load_grams: i64,
    pub load_crates: i32,
    pub status: RunStatus,
    /// Who took it out.
    pub driver_id: Option<i64>,
    pub stops: Vec<PlannedStop>,
}

/// A kept plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedPlan {
    pub id: i64,
    pub depot_id: i64,
    pub day: String,
    pub digest: String,
    pub distance_m: f64,
    pub took_ms: i32,
    pub planned_by: i64,
    pub planned_at: DateTime<Utc>,
    pub runs: Vec<PlannedRun>,
    pub unfit: Vec<(i64, UnfitCause)>,
}

impl Store {
    /// Keeps `new` as `depot_id`'s plan for its day. Every vehicle must be the depot's and at
    /// work, every job the depot's, of that day, open and in the plan once; a day whose plan
    /// has a run out already is not planned again (`RunLeft`).
    pub async fn save_plan(
        &self,
        depot_id: i64,
        new: &NewPlan,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<SavedPlan> {
        let txn = self.begin_write().await?;
        if let Some(current) = latest(&txn, depot_id, &new.day).await?
            && run::Entity::find()
                .filter(run::Column::PlanId.eq(current.id))
                .filter(run::Column::Status.ne(RunStatus::Planned.as_str()))
                .one(&txn)
                .await?
                .is_some()
        {
            return Err(farmgate_domain::logistics::LogisticsRefusal::RunLeft.into());
        }
        check_parts(&txn, depot_id, new).await?;
        let saved = plan::ActiveModel {
            depot_id: Set(depot_id),
            day: Set(new.day.clone()),
            digest: Set(new.digest.clone()),
            vehicles: Set(i32::try_from(new.runs.len()).unwrap_or(i32::MAX)),
            distance_m: Set(new.runs.iter().map(|r| r.distance_m).sum()),
            took_ms: Set(new.took_ms),
            planned_by: Set(actor_id),
            planned_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for r in &new.runs {
            let kept = run::ActiveModel {
                plan_id: Set(saved.id),
                vehicle_id: Set(r.vehicle_id),
                leaves_at: Set(r.leaves_at),
                returns_at: Set(r.returns_at),
                distance_m: Set(r.distance_m),
                load_grams: Set(r.load_grams),
                load_crates: Set(r.load_crates),
                status: Set(RunStatus::Planned.as_str().to_owned()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let stops: Vec<stop::ActiveModel> = r
                .stops
                .iter()
                .zip(1..)
                .map(|(s, seq)| stop::ActiveModel {
                    run_id: Set(kept.id),
                    seq: Set(seq),
                    job_id: Set(s.job_id),
                    arrives_at: Set(s.arrives_at),
                    starts_at: Set(s.starts_at),
                    leaves_at: Set(s.leaves_at),
                    load_grams: Set(s.load_grams),
                    load_crates: Set(s.load_crates),
                    ..Default::default()
                })
                .collect();
            if !stops.is_empty() {
                stop::Entity::insert_many(stops).exec(&txn).await?;
            }
        }
        let left_out: Vec<unfit::ActiveModel> = new
            .unfit
            .iter()
            .map(|(job_id, reason)| unfit::ActiveModel {
                plan_id: Set(saved.id),
                job_id: Set(*job_id),
                reason: Set(reason.as_str().to_owned()),
            })
            .collect();
        if !left_out.is_empty() {
            unfit::Entity::insert_many(left_out).exec(&txn).await?;
        }
        let kept = read_plan(&txn, saved).await?;
        txn.commit().await?;
        Ok(kept)
    }

    /// `driver_id` leaves: a planned run of `depot_id`'s latest plan of its day goes out. From
    /// then on the day is not planned again.
    pub async fn start_route_run(
        &self,
        depot_id: i64,
        run_id: i64,
        driver_id: i64,
        now: DateTime<Utc>,
    ) -> Result<PlannedRun> {
        let txn = self.begin_write().await?;
        let row = run::Entity::find_by_id(run_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let owner = plan::Entity::find_by_id(row.plan_id)
            .filter(plan::Column::DepotId.eq(depot_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let current = latest(&txn, depot_id, &owner.day).await?;
        if current.map(|p| p.id) != Some(owner.id) {
            // A plan made over since: this run is not the day's.
            return Err(Error::NotFound);
        }
        if row.status != RunStatus::Planned.as_str() {
            return Err(farmgate_domain::logistics::LogisticsRefusal::RunLeft.into());
        }
        let mut out: run::ActiveModel = row.into();
        out.status = Set(RunStatus::Out.as_str().to_owned());
        out.started_at = Set(Some(now));
        out.driver_id = Set(Some(driver_id));
        out.update(&txn).await?;
        let plan = read_plan(&txn, owner).await?;
        txn.commit().await?;
        plan.runs
            .into_iter()
            .find(|r| r.id == run_id)
            .ok_or(Error::NotFound)
    }

    /// The runs `account_id` drives on `day`: those of the day's latest plans on vehicles they
    /// usually drive (unless someone else took one out), and any they took out. (depot, run)
    pub async fn driver_runs(&self, account_id: i64, day: &str) -> Result<Vec<(i64, PlannedRun)>> {
        let mine = vehicle::Entity::find()
            .filter(vehicle::Column::DriverId.eq(account_id))
            .all(&self.db)
            .await?;
        let taken = run::Entity::find()
            .filter(run::Column::DriverId.eq(account_id))
            .all(&self.db)
            .await?;
        let mut depots: Vec<i64> = mine.iter().map(|v| v.depot_id).collect();
        for r in &taken {
            if let Some(p) = plan::Entity::find_by_id(r.plan_id).one(&self.db).await? {
                depots.push(p.depot_id);
            }
        }
        depots.sort_unstable();
        depots.dedup();
        let mut runs = Vec::new();
        for depot_id in depots {
            let Some(plan) = self.latest_plan(depot_id, day).await? else {
                continue;
            };
            for r in plan.runs {
                let usual = mine.iter().any(|v| v.id == r.vehicle_id);
                let drives = match r.driver_id {
                    Some(driver) => driver == account_id,
                    None => usual,
                };
                if drives {
                    runs.push((depot_id, r));
                }
            }
        }
        Ok(runs)
    }

    /// `depot_id`'s plan for `day`: the latest made.
    pub async fn latest_plan(&self, depot_id: i64, day: &str) -> Result<Option<SavedPlan>> {
        match latest(&self.db, depot_id, day).await? {
            Some(row) => Ok(Some(read_plan(&self.db, row).await?)),
            None => Ok(None),
        }
    }
}

async fn latest(
    conn: &impl sea_orm::ConnectionTrait,
    depot_id: i64,
    day: &str,
) -> Result<Option<plan::Model>> {
    Ok(plan::Entity::find()
        .filter(plan::Column::DepotId.eq(depot_id))
        .filter(plan::Column::Day.eq(day))
        .order_by_desc(plan::Column::Id)
        .one(conn)
        .await?)
}

/// Refuses a plan naming what is not the depot's, not the day's or not open, or naming a job
/// twice.
async fn check_parts(
    conn: &impl sea_orm::ConnectionTrait,
    depot_id: i64,
    new: &NewPlan,
) -> Result<()> {
    let vehicle_ids: Vec<i64> = new.runs.iter().map(|r| r.vehicle_id).collect();
    let working = vehicle::Entity::find()
        .filter(vehicle::Column::Id.is_in(vehicle_ids.clone()))
        .filter(vehicle::Column::DepotId.eq(depot_id))
        .filter(vehicle::Column::Active.eq(true))
        .all(conn)
        .await?;
    let mut distinct = vehicle_ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if working.len() != vehicle_ids.len() || distinct.len() != vehicle_ids.len() {
        return Err(Error::NotFound);
    }
    let mut job_ids: Vec<i64> = new
        .runs
        .iter()
        .flat_map(|r| r.stops.iter().map(|s| s.job_id))
        .chain(new.unfit.iter().map(|(id, _)| *id))
        .collect();
    let named = job_ids.len();
    job_ids.sort_unstable();
    job_ids.dedup();
    if job_ids.len() != named {
        return Err(Error::Conflict { field: "jobs" });
    }
    let open = job::Entity::find()
        .filter(job::Column::Id.is_in(job_ids.clone()))
        .filter(job::Column::DepotId.eq(depot_id))
        .filter(job::Column::Day.eq(new.day.as_str()))
        .filter(job::Column::Status.eq(JobStatus::Open.as_str()))
        .all(conn)
        .await?;
    if open.len() != job_ids.len() {
        return Err(Error::NotFound);
    }
    Ok(())
}

async fn read_plan(conn: &impl sea_orm::ConnectionTrait, row: plan::Model) -> Result<SavedPlan> {
    let runs = run::Entity::find()
        .filter(run::Column::PlanId.eq(row.id))
        .order_by_asc(run::Column::Id)
        .all(conn)
        .await?;
    let stops = stop::Entity::find()
        .filter(stop::Column::RunId.is_in(runs.iter().map(|r| r.id)))
        .order_by_asc(stop::Column::RunId)
        .order_by_asc(stop::Column::Seq)
        .all(conn)
        .await?;
    let left_out = unfit::Entity::find()
        .filter(unfit::Column::PlanId.eq(row.id))
        .order_by_asc(unfit::Column::JobId)
        .all(conn)
        .await?;
    let corrupt = || crate::error::corrupt("route plan", row.id);
    let runs = runs
        .into_iter()
        .map(|r| {
            Ok(PlannedRun {
                status: RunStatus::parse(&r.status).ok_or_else(corrupt)?,
                stops: stops
                    .iter()
                    .filter(|s| s.run_id == r.id)
                    .map(|s| PlannedStop {
                        id: s.id,
                        seq: s.seq,
                        job_id: s.job_id,
                        arrives_at: s.arrives_at,
                        starts_at: s.starts_at,
                        leaves_at: s.leaves_at,
                        load_grams: s.load_grams,
                        load_crates: s.load_crates,
                        done_at: s.done_at,
                        proof: s.proof.clone(),
                    })
                    .collect(),
                id: r.id,
                driver_id: r.driver_id,
                vehicle_id: r.vehicle_id,
                leaves_at: r.leaves_at,
                returns_at: r.returns_at,
                distance_m: r.distance_m,
                load_grams: r.load_grams,
                load_crates: r.load_crates,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let unfit = left_out
        .into_iter()
        .map(|u| Ok((u.job_id, UnfitCause::parse(&u.reason).ok_or_else(corrupt)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(SavedPlan {
        id: row.id,
        depot_id: row.depot_id,
        day: row.day,
        digest: row.digest,
        distance_m: row.distance_m,
        took_ms: row.took_ms,
        planned_by: row.planned_by,
        planned_at: row.planned_at,
        runs,
        unfit,
    })
}
