//! The depot's vehicles as its centre keeps them: the list (working and paused), adding one,
//! changing one, pausing it (it is left out of plans) or putting it back, and removing one that
//! never went out.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::fleet::{Capacity, VehicleKind};
use farmgate_store::fleet::{FleetVehicle, VehicleDetails};
use farmgate_store::logistics::Depot;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::kg;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::logistics::depot;
use crate::problem::Problem;

/// The vehicle form as sent (and shown again with its mistakes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VehicleForm {
    depot: Option<i64>,
    code: String,
    kind: String,
    label: String,
    capacity_kg: String,
    crates: String,
    range_km: String,
    driver: String,
    run_pay: String,
}

impl VehicleForm {
    fn of(v: &FleetVehicle) -> VehicleForm {
        VehicleForm {
            depot: Some(v.depot_id),
            code: v.code.clone(),
            kind: v.kind.as_str().to_owned(),
            label: v.details.label.clone(),
            capacity_kg: kg(v.details.capacity.grams),
            crates: v.details.capacity.crates.to_string(),
            range_km: v
                .details
                .range_m
                .map(|m| (m / 1000).to_string())
                .unwrap_or_default(),
            driver: v
                .details
                .driver_id
                .map(|d| d.to_string())
                .unwrap_or_default(),
            run_pay: format!(
                "{}.{:02}",
                v.details.run_pay.0 / 100,
                v.details.run_pay.0 % 100
            ),
        }
    }

    /// The kind and details the form says, checked; `drivers` are the accounts that may drive.
    fn parse(
        &self,
        drivers: &[(i64, String)],
    ) -> Result<(VehicleKind, VehicleDetails), ValidationError> {
        let kind = VehicleKind::parse(self.kind.trim())
            .ok_or(ValidationError::new("kind", "fleet-kind-invalid"))?;
        let label = self.label.trim();
        if label.chars().count() > 64 {
            return Err(ValidationError::new("label", "fleet-vehicle-label-invalid"));
        }
        let grams = farmgate_domain::stations::produce::parse_kg(&self.capacity_kg)
            .map_err(|_| ValidationError::new("capacity_kg", "fleet-capacity-invalid"))?;
        let crates = match self.crates.trim() {
            "" => 0,
            typed => typed
                .parse()
                .map_err(|_| ValidationError::new("crates", "fleet-capacity-invalid"))?,
        };
        let capacity = Capacity::new(grams, crates)
            .map_err(|_| ValidationError::new("capacity_kg", "fleet-capacity-invalid"))?;
        let range_m = match self.range_km.trim() {
            "" => None,
            typed => {
                let km: i32 = typed
                    .parse()
                    .map_err(|_| ValidationError::new("range_km", "fleet-range-invalid"))?;
                Some(km.saturating_mul(1000))
            }
        };
        farmgate_domain::fleet::range_m(range_m)
            .map_err(|_| ValidationError::new("range_km", "fleet-range-invalid"))?;
        let driver_id = match self.driver.trim() {
            "" => None,
            typed => Some(
                typed
                    .parse::<i64>()
                    .ok()
                    .filter(|id| drivers.iter().any(|(d, _)| d == id))
                    .ok_or(ValidationError::new("driver", "fleet-driver-invalid"))?,
            ),
        };
        let run_pay = match self.run_pay.trim() {
            "" => farmgate_domain::money::Fen(0),
            typed => farmgate_domain::catalog::parse_amount(typed)
                .ok()
                .and_then(|pay| farmgate_domain::fleet::run_pay(pay).ok())
                .ok_or(ValidationError::new("run_pay", "fleet-run-pay-invalid"))?,
        };
        Ok((
            kind,
            VehicleDetails {
                label: label.to_owned(),
                capacity,
                range_m,
                driver_id,
                household_id: None,
                run_pay,
            },
        ))
    }
}

struct VehicleRow {
    id: i64,
    code: String,
    label: String,
    kind: String,
    figures: String,
    driver: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "fleet/vehicles.html")]
struct VehiclesPage {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    intro: String,
    rows: Vec<VehicleRow>,
    /// None: the add form; Some: the vehicle being changed.
    editing: Option<i64>,
    form: VehicleForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, String)>,
    drivers: Vec<(i64, String)>,
    notice: Option<String>,
    next: Option<String>,
    /// The list's filter: `working`, `paused` or "" (all).
    show: String,
}

/// Vehicles listed per page.
const PAGE: usize = 40;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VehiclesQuery {
    depot: Option<i64>,
    page: usize,
    /// `working` or `paused`; every vehicle when empty.
    show: String,
    saved: Option<u8>,
}

fn figures(t: &Tr, v: &FleetVehicle) -> String {
    let range = v.details.range_m.map_or_else(
        || t.get("fleet-range-none"),
        |m| t.arg("fleet-range", "km", i64::from(m / 1000)),
    );
    format!(
        "{} · {}",
        t.args2(
            "fleet-capacity",
            ("kg", kg(v.details.capacity.grams).into()),
            ("crates", v.details.capacity.crates.into()),
        ),
        range
    )
}

struct Shown<'a> {
    editing: Option<i64>,
    form: VehicleForm,
    problem: Option<&'a Problem>,
    query: VehiclesQuery,
}

async fn page(
    state: &AppState,
    (c, csrf): (Chrome, String),
    depot: &Depot,
    shown: Shown<'_>,
) -> Result<Response, Problem> {
    let t = &c.t;
    let drivers = super::drivers(state, depot).await?;
    let vehicles = state.store.vehicles(depot.id, true).await?;
    let working = vehicles.iter().filter(|v| v.active).count();
    let listed: Vec<&FleetVehicle> = vehicles
        .iter()
        .filter(|v| match shown.query.show.as_str() {
            "working" => v.active,
            "paused" => !v.active,
            _ => true,
        })
        .collect();
    let next = ((shown.query.page + 1) * PAGE < listed.len()).then(|| {
        format!(
            "/centre/fleet?depot={}&show={}&page={}",
            depot.id,
            shown.query.show,
            shown.query.page + 1
        )
    });
    let rows = listed
        .into_iter()
        .skip(shown.query.page * PAGE)
        .take(PAGE)
        .map(|v| VehicleRow {
            id: v.id,
            code: v.code.clone(),
            label: v.details.label.clone(),
            kind: t.get(&format!("fleet-kind-{}", v.kind.as_str())),
            figures: figures(t, v),
            driver: v
                .details
                .driver_id
                .and_then(|d| drivers.iter().find(|(id, _)| *id == d))
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
            active: v.active,
        })
        .collect();
    let status = shown.problem.map_or(StatusCode::OK, |p| p.status);
    let page = VehiclesPage {
        csrf,
        depot_id: depot.id,
        intro: t.args2(
            "fleet-vehicles-intro",
            ("depot", depot.name(t.lang()).into()),
            ("working", (working as i64).into()),
        ),
        rows,
        editing: shown.editing,
        form: shown.form,
        errors: shown
            .problem
            .map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        kinds: VehicleKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("fleet-kind-{}", k.as_str()))))
            .collect(),
        drivers,
        notice: shown.query.saved.map(|_| t.get("fleet-saved")),
        next,
        show: shown.query.show.clone(),
        c,
    };
    Ok(render(status, &page))
}

/// `GET /centre/fleet?depot=&show=&page=`: the depot's vehicles and the form to add one.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<VehiclesQuery>,
) -> Result<Response, Problem> {
    if query.depot.is_none() && crate::logistics::depots(&state, &user).await?.is_empty() {
        return Ok(crate::logistics::no_depot(c));
    }
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let form = VehicleForm {
        kind: VehicleKind::Tricycle.as_str().to_owned(),
        ..VehicleForm::default()
    };
    let shown = Shown {
        editing: None,
        form,
        problem: None,
        query,
    };
    page(&state, (c, csrf.0), &depot, shown).await
}

/// `POST /centre/fleet`: adds a vehicle to the depot.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<VehicleForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, form.depot).await?;
    let drivers = super::drivers(&state, &depot).await?;
    let added = match form.parse(&drivers) {
        Ok((kind, details)) => state
            .store
            .add_vehicle(depot.id, (&form.code, kind), &details, chrono::Utc::now())
            .await
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match added {
        Ok(_) => {
            Ok(Redirect::to(&format!("/centre/fleet?depot={}&saved=1", depot.id)).into_response())
        }
        Err(problem) if problem.status.is_client_error() => {
            let shown = Shown {
                editing: None,
                form,
                problem: Some(&problem),
                query: VehiclesQuery::default(),
            };
            page(&state, (c, csrf.0), &depot, shown).await
        }
        Err(other) => Err(other),
    }
}

/// The vehicle `id` of a depot `user` keeps, with its depot; a 404 otherwise.
async fn kept(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Depot, FleetVehicle), Problem> {
    for d in crate::logistics::depots(state, user).await? {
        if let Some(v) = state
            .store
            .vehicles(d.id, true)
            .await?
            .into_iter()
            .find(|v| v.id == id)
        {
            return Ok((d, v));
        }
    }
    Err(Problem::not_found())
}

/// `GET /centre/fleet/vehicles/{id}`: the form to change a vehicle, above the list.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (depot, vehicle) = kept(&state, &user, id).await?;
    let shown = Shown {
        editing: Some(id),
        form: VehicleForm::of(&vehicle),
        problem: None,
        query: VehiclesQuery::default(),
    };
    page(&state, (c, csrf.0), &depot, shown).await
}

/// `POST /centre/fleet/vehicles/{id}`: changes a vehicle (its code stays).
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<VehicleForm>,
) -> Result<Response, Problem> {
    let (depot, vehicle) = kept(&state, &user, id).await?;
    let drivers = super::drivers(&state, &depot).await?;
    let changed = match form.parse(&drivers) {
        // The household a vehicle earns for is kept on the household's page, not here.
        Ok((kind, details)) => state
            .store
            .update_vehicle(
                depot.id,
                id,
                kind,
                &VehicleDetails {
                    household_id: vehicle.details.household_id,
                    ..details
                },
                chrono::Utc::now(),
            )
            .await
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match changed {
        Ok(_) => {
            Ok(Redirect::to(&format!("/centre/fleet?depot={}&saved=1", depot.id)).into_response())
        }
        Err(problem) if problem.status.is_client_error() => {
            let form = VehicleForm {
                code: vehicle.code,
                ..form
            };
            let shown = Shown {
                editing: Some(id),
                form,
                problem: Some(&problem),
                query: VehiclesQuery::default(),
            };
            page(&state, (c, csrf.0), &depot, shown).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /centre/fleet/vehicles/{id}/pause` and `/resume`.
pub async fn pause(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    set_active(&state, &user, id, false).await
}

pub async fn resume(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    set_active(&state, &user, id, true).await
}

async fn set_active(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    active: bool,
) -> Result<Response, Problem> {
    let (depot, _) = kept(state, user, id).await?;
    state
        .store
        .set_vehicle_active(depot.id, id, active, chrono::Utc::now())
        .await?;
    Ok(Redirect::to(&format!("/centre/fleet?depot={}&saved=1", depot.id)).into_response())
}

/// `POST /centre/fleet/vehicles/{id}/remove`: removes a vehicle that never went out; one that
/// did is kept for its runs' history and the page says to pause it instead (a 409).
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (depot, vehicle) = kept(&state, &user, id).await?;
    match state.store.remove_vehicle(depot.id, id).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/centre/fleet?depot={}&saved=1", depot.id)).into_response())
        }
        Err(farmgate_store::Error::Conflict { .. }) => {
            let problem = Problem::new(StatusCode::CONFLICT, "fleet-vehicle-has-runs");
            let shown = Shown {
                editing: Some(id),
                form: VehicleForm::of(&vehicle),
                problem: Some(&problem),
                query: VehiclesQuery::default(),
            };
            page(&state, (c, csrf.0), &depot, shown).await
        }
        Err(other) => Err(other.into()),
    }
}
