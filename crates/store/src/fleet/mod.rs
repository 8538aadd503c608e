//! The centre's own fleet and its mornings (issue 17, migration 32): the vehicles a depot
//! sends out, the day's jobs for them (collections, sellers' parcels, communities to sell
//! in) and the plans made of those jobs (`plans`). The planning itself is `farmgate-routing`'s;
//! this module keeps what goes in and what comes out.

pub(crate) mod entity;
mod plans;
mod roads;
mod selling;

use chrono::{DateTime, Utc};
use farmgate_domain::fleet::{
    Capacity, JobSource, JobStatus, MinuteWindow, RouteJobKind, VehicleKind,
};
use farmgate_domain::money::Fen;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use crate::{Error, Result, Store};
use entity::{job, run, vehicle};

pub use plans::{NewPlan, NewRun, NewStop, PlannedRun, PlannedStop, SavedPlan};
pub use roads::RoadImport;
pub use selling::{
    GoodsLine, LoadLine, LoadRequest, MAX_LINE_QUANTITY, NewSale, RunCredit, RunSheet, SaleOutcome,
    StopProof, Takings,
};

/// A vehicle of a depot's fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FleetVehicle {
    pub id: i64,
    pub depot_id: i64,
    pub code: String,
    pub kind: VehicleKind,
    pub details: VehicleDetails,
    pub active: bool,
}

/// What the centre says of a vehicle (all of it can change; the code stays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VehicleDetails {
    pub label: String,
    pub capacity: Capacity,
    /// Metres it rides on a charge; none: no limit.
    pub range_m: Option<i32>,
    pub driver_id: Option<i64>,
    /// The registered household whose labour it is.
    pub household_id: Option<i64>,
    /// What its driver earns for a run (the labour credited to them or their household).
    pub run_pay: Fen,
}

fn vehicle_from(row: vehicle::Model) -> Result<FleetVehicle> {
    Ok(FleetVehicle {
        kind: VehicleKind::parse(&row.kind)
            .ok_or_else(|| crate::error::corrupt("fleet vehicle", row.id))?,
        details: VehicleDetails {
            label: row.label,
            capacity: Capacity {
                grams: row.capacity_grams,
                crates: row.capacity_crates,
            },
            range_m: row.range_m,
            driver_id: row.driver_id,
            household_id: row.household_id,
            run_pay: Fen(row.run_pay_fen),
        },
        id: row.id,
        depot_id: row.depot_id,
        code: row.code,
        active: row.active,
    })
}

/// A job for one day's runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteJob {
    pub id: i64,
    pub depot_id: i64,
    pub day: String,
    pub status: JobStatus,
    /// What the household or village gives the driver as proof the stop was done.
    pub code: Option<String>,
    pub details: JobDetails,
}

/// What a job is: all of it can change while it is open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobDetails {
    pub kind: RouteJobKind,
    pub source: JobSource,
    /// What the centre calls it: "赛巴格村 · 3户香梨".
    pub label: String,
    pub region_id: Option<i64>,
    pub station_id: Option<i64>,
    pub latitude: f64,
    pub longitude: f64,
    pub grams: i64,
    pub crates: i32,
    pub window: Option<MinuteWindow>,
    pub service_minutes: i32,
    /// The vehicle a dispatcher pinned it to.
    pub pinned_vehicle_id: Option<i64>,
    pub household_id: Option<i64>,
    pub parcel_id: Option<i64>,
}

fn job_from(row: job::Model) -> Result<RouteJob> {
    let corrupt = || crate::error::corrupt("route job", row.id);
    let window = match (row.window_from, row.window_until) {
        (Some(from), Some(until)) => Some(MinuteWindow::new(from, until).map_err(|_| corrupt())?),
        _ => None,
    };
    Ok(RouteJob {
        id: row.id,
        depot_id: row.depot_id,
        status: JobStatus::parse(&row.status).ok_or_else(corrupt)?,
        code: row.code.clone(),
        details: JobDetails {
            kind: RouteJobKind::parse(&row.kind).ok_or_else(corrupt)?,
            source: JobSource::parse(&row.source).ok_or_else(corrupt)?,
            label: row.label,
            region_id: row.region_id,
            station_id: row.station_id,
            latitude: row.latitude,
            longitude: row.longitude,
            grams: row.grams,
            crates: row.crates,
            window,
            service_minutes: row.service_minutes,
            pinned_vehicle_id: row.pinned_vehicle_id,
            household_id: row.household_id,
            parcel_id: row.parcel_id,
        },
        day: row.day,
    })
}

fn check_coordinates(latitude: f64, longitude: f64) -> Result<()> {
    if (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude) {
        Ok(())
    } else {
        Err(farmgate_domain::ValidationError::new("latitude", "fleet-place-invalid").into())
    }
}

impl Store {
    /// Adds a vehicle to `depot_id`'s fleet; a code the depot already uses is a conflict.
    pub async fn add_vehicle(
        &self,
        depot_id: i64,
        (code, kind): (&str, VehicleKind),
        details: &VehicleDetails,
        now: DateTime<Utc>,
    ) -> Result<FleetVehicle> {
        farmgate_domain::fleet::range_m(details.range_m)?;
        farmgate_domain::fleet::run_pay(details.run_pay)?;
        let code = code.trim();
        if code.is_empty() || code.chars().count() > 32 {
            return Err(farmgate_domain::ValidationError::new("code", "fleet-code-invalid").into());
        }
        let row = vehicle::ActiveModel {
            depot_id: Set(depot_id),
            code: Set(code.to_owned()),
            kind: Set(kind.as_str().to_owned()),
            label: Set(details.label.clone()),
            capacity_grams: Set(details.capacity.grams),
            capacity_crates: Set(details.capacity.crates),
            range_m: Set(details.range_m),
            driver_id: Set(details.driver_id),
            household_id: Set(details.household_id),
            run_pay_fen: Set(details.run_pay.0),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "code"))?;
        vehicle_from(row)
    }

    /// Changes a vehicle of `depot_id` (its kind too: a van may replace a tricycle).
    pub async fn update_vehicle(
        &self,
        depot_id: i64,
        id: i64,
        kind: VehicleKind,
        details: &VehicleDetails,
        now: DateTime<Utc>,
    ) -> Result<FleetVehicle> {
        farmgate_domain::fleet::range_m(details.range_m)?;
        farmgate_domain::fleet::run_pay(details.run_pay)?;
        let row = self.vehicle_row(depot_id, id).await?;
        let mut row: vehicle::ActiveModel = row.into();
        row.kind = Set(kind.as_str().to_owned());
        row.label = Set(details.label.clone());
        row.capacity_grams = Set(details.capacity.grams);
        row.capacity_crates = Set(details.capacity.crates);
        row.range_m = Set(details.range_m);
        row.driver_id = Set(details.driver_id);
        row.household_id = Set(details.household_id);
        row.run_pay_fen = Set(details.run_pay.0);
        row.updated_at = Set(now);
        vehicle_from(row.update(&self.db).await?)
    }

    /// Pauses a vehicle (it is left out of plans) or puts it back to work.
    pub async fn set_vehicle_active(
        &self,
        depot_id: i64,
        id: i64,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<FleetVehicle> {
        let row = self.vehicle_row(depot_id, id).await?;
        let mut row: vehicle::ActiveModel = row.into();
        row.active = Set(active);
        row.updated_at = Set(now);
        vehicle_from(row.update(&self.db).await?)
    }

    /// Removes a vehicle that never went out; one with runs is kept for their history (pause
    /// it instead): `Conflict { field: "runs" }`.
    pub async fn remove_vehicle(&self, depot_id: i64, id: i64) -> Result<()> {
        self.vehicle_row(depot_id, id).await?;
        let runs = run::Entity::find()
            .filter(run::Column::VehicleId.eq(id))
            .count(&self.db)
            .await?;
        if runs > 0 {
            return Err(Error::Conflict { field: "runs" });
        }
        vehicle::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    /// `depot_id`'s vehicles by code; paused ones too when `with_paused`.
    pub async fn vehicles(&self, depot_id: i64, with_paused: bool) -> Result<Vec<FleetVehicle>> {
        let mut query = vehicle::Entity::find().filter(vehicle::Column::DepotId.eq(depot_id));
        if !with_paused {
            query = query.filter(vehicle::Column::Active.eq(true));
        }
        query
            .order_by_asc(vehicle::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(vehicle_from)
            .collect()
    }

    async fn vehicle_row(&self, depot_id: i64, id: i64) -> Result<vehicle::Model> {
        vehicle::Entity::find_by_id(id)
            .filter(vehicle::Column::DepotId.eq(depot_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Adds a job for `day` (China's) at `depot_id`. A pin must name one of the depot's
    /// vehicles.
    pub async fn add_route_job(
        &self,
        depot_id: i64,
        day: &str,
        details: &JobDetails,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<RouteJob> {
        self.check_job(depot_id, details).await?;
        let row = job::ActiveModel {
            depot_id: Set(depot_id),
            day: Set(day.to_owned()),
            status: Set(JobStatus::Open.as_str().to_owned()),
            code: Set(Some(stop_code())),
            created_by: Set(actor_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..job_columns(details)
        }
        .insert(&self.db)
        .await?;
        job_from(row)
    }

    /// Changes an open job of `depot_id` (a pin set or taken off, a window moved).
    pub async fn update_route_job(
        &self,
        depot_id: i64,
        id: i64,
        details: &JobDetails,
        now: DateTime<Utc>,
    ) -> Result<RouteJob> {
        self.check_job(depot_id, details).await?;
        let row = self.open_job_row(depot_id, id).await?;
        let row = job::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(row.id),
            updated_at: Set(now),
            ..job_columns(details)
        };
        job_from(row.update(&self.db).await?)
    }

    /// Pins an open job to one of the depot's vehicles, or takes its pin off.
    pub async fn pin_route_job(
        &self,
        depot_id: i64,
        id: i64,
        vehicle_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<RouteJob> {
        if let Some(v) = vehicle_id {
            self.vehicle_row(depot_id, v).await?;
        }
        let row = self.open_job_row(depot_id, id).await?;
        let mut row: job::ActiveModel = row.into();
        row.pinned_vehicle_id = Set(vehicle_id);
        row.updated_at = Set(now);
        job_from(row.update(&self.db).await?)
    }

    /// Cancels an open job (it stays listed as cancelled).
    pub async fn cancel_route_job(
        &self,
        depot_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<RouteJob> {
        let row = self.open_job_row(depot_id, id).await?;
        let mut row: job::ActiveModel = row.into();
        row.status = Set(JobStatus::Cancelled.as_str().to_owned());
        row.updated_at = Set(now);
        job_from(row.update(&self.db).await?)
    }

    /// `depot_id`'s jobs for `day`, in the order they were added; only `status`'s when given.
    pub async fn route_jobs(
        &self,
        depot_id: i64,
        day: &str,
        status: Option<JobStatus>,
    ) -> Result<Vec<RouteJob>> {
        let mut query = job::Entity::find()
            .filter(job::Column::DepotId.eq(depot_id))
            .filter(job::Column::Day.eq(day));
        if let Some(status) = status {
            query = query.filter(job::Column::Status.eq(status.as_str()));
        }
        query
            .order_by_asc(job::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(job_from)
            .collect()
    }

    /// Job `id` of `depot_id`, whatever its status.
    pub async fn route_job(&self, depot_id: i64, id: i64) -> Result<Option<RouteJob>> {
        job::Entity::find_by_id(id)
            .filter(job::Column::DepotId.eq(depot_id))
            .one(&self.db)
            .await?
            .map(job_from)
            .transpose()
    }

    async fn open_job_row(&self, depot_id: i64, id: i64) -> Result<job::Model> {
        let row = job::Entity::find_by_id(id)
            .filter(job::Column::DepotId.eq(depot_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        if row.status != JobStatus::Open.as_str() {
            return Err(Error::AlreadyDecided);
        }
        Ok(row)
    }

    async fn check_job(&self, depot_id: i64, details: &JobDetails) -> Result<()> {
        farmgate_domain::fleet::job_load(details.grams, details.crates)?;
        check_coordinates(details.latitude, details.longitude)?;
        if !(0..=farmgate_domain::fleet::MAX_SERVICE_MINUTES).contains(&details.service_minutes) {
            return Err(farmgate_domain::ValidationError::new(
                "service_minutes",
                "fleet-service-invalid",
            )
            .into());
        }
        if details.label.trim().is_empty() || details.label.chars().count() > 128 {
            return Err(
                farmgate_domain::ValidationError::new("label", "fleet-label-invalid").into(),
            );
        }
        if let Some(v) = details.pinned_vehicle_id {
            self.vehicle_row(depot_id, v).await.map_err(|e| match e {
                Error::NotFound => {
                    farmgate_domain::ValidationError::new("pinned", "fleet-pin-invalid").into()
                }
                other => other,
            })?;
        }
        Ok(())
    }
}

/// The code a household or village gives the driver to prove the stop: six digits.
fn stop_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000))
}

/// The columns a job's details set.
fn job_columns(d: &JobDetails) -> job::ActiveModel {
    job::ActiveModel {
        kind: Set(d.kind.as_str().to_owned()),
        source: Set(d.source.as_str().to_owned()),
        label: Set(d.label.trim().to_owned()),
        region_id: Set(d.region_id),
        station_id: Set(d.station_id),
        latitude: Set(d.latitude),
        longitude: Set(d.longitude),
        grams: Set(d.grams),
        crates: Set(d.crates),
        window_from: Set(d.window.map(|w| w.from)),
        window_until: Set(d.window.map(|w| w.until)),
        service_minutes: Set(d.service_minutes),
        pinned_vehicle_id: Set(d.pinned_vehicle_id),
        household_id: Set(d.household_id),
        parcel_id: Set(d.parcel_id),
        ..Default::default()
    }
}
