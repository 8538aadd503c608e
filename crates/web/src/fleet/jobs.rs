//! A day's jobs for the fleet as the centre keeps them: the list (by status, a page at a time),
//! adding a collection, a delivery or a community to sell in, changing an open job (its window,
//! its load, the vehicle it is pinned to) and cancelling it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::fleet::{JobSource, JobStatus, MinuteWindow, RouteJobKind};
use farmgate_domain::stations::till::LedgerDay;
use farmgate_store::fleet::{FleetVehicle, JobDetails, RouteJob};
use farmgate_store::logistics::Depot;
use farmgate_store::regions::Region;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::{kg, place_label};
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::logistics::depot;
use crate::problem::Problem;

/// Jobs listed per page.
const PAGE: usize = 50;

/// The job form as sent (and shown again with its mistakes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct JobForm {
    depot: Option<i64>,
    day: String,
    kind: String,
    label: String,
    place: String,
    latitude: String,
    longitude: String,
    weight_kg: String,
    crates: String,
    from: String,
    until: String,
    service_minutes: String,
    pinned: String,
}

fn clock(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl JobForm {
    fn of(job: &RouteJob, regions: &[Region]) -> JobForm {
        let d = &job.details;
        JobForm {
            depot: Some(job.depot_id),
            day: job.day.clone(),
            kind: d.kind.as_str().to_owned(),
            label: d.label.clone(),
            place: d
                .region_id
                .and_then(|id| regions.iter().find(|r| r.id == id))
                .map(|r| r.code.as_str().to_owned())
                .unwrap_or_default(),
            latitude: d.latitude.to_string(),
            longitude: d.longitude.to_string(),
            weight_kg: kg(d.grams),
            crates: d.crates.to_string(),
            from: d.window.map(|w| clock(w.from)).unwrap_or_default(),
            until: d.window.map(|w| clock(w.until)).unwrap_or_default(),
            service_minutes: d.service_minutes.to_string(),
            pinned: d
                .pinned_vehicle_id
                .map(|v| v.to_string())
                .unwrap_or_default(),
        }
    }

    /// The job the form says, checked; its place is one of `places` (the county's, with
    /// coordinates) unless coordinates are typed.
    fn parse(&self, places: &[&Region], source: JobSource) -> Result<JobDetails, ValidationError> {
        let kind = RouteJobKind::parse(self.kind.trim())
            .ok_or(ValidationError::new("kind", "fleet-job-kind-invalid"))?;
        let place = match self.place.trim() {
            "" => None,
            code => Some(
                places
                    .iter()
                    .find(|r| r.code.as_str() == code)
                    .ok_or(ValidationError::new("place", "fleet-place-invalid"))?,
            ),
        };
        let typed = |text: &str| -> Result<Option<f64>, ValidationError> {
            match text.trim() {
                "" => Ok(None),
                t => t
                    .parse()
                    .map(Some)
                    .map_err(|_| ValidationError::new("latitude", "fleet-place-invalid")),
            }
        };
        let (latitude, longitude) = match (typed(&self.latitude)?, typed(&self.longitude)?) {
            (Some(lat), Some(lon)) => (lat, lon),
            _ => place
                .and_then(|p| p.latitude.zip(p.longitude))
                .ok_or(ValidationError::new("place", "fleet-place-invalid"))?,
        };
        let grams = match self.weight_kg.trim() {
            "" | "0" => 0,
            typed => farmgate_domain::stations::produce::parse_kg(typed)
                .map_err(|_| ValidationError::new("weight_kg", "fleet-load-invalid"))?,
        };
        let crates = match self.crates.trim() {
            "" => 0,
            typed => typed
                .parse()
                .map_err(|_| ValidationError::new("crates", "fleet-load-invalid"))?,
        };
        farmgate_domain::fleet::job_load(grams, crates)?;
        let window = match (self.from.trim(), self.until.trim()) {
            ("", "") => None,
            (from, until) => {
                let minutes = |text: &str, field| {
                    MinuteWindow::parse_clock(text)
                        .ok_or(ValidationError::new(field, "fleet-window-invalid"))
                };
                let w = MinuteWindow::new(minutes(from, "from")?, minutes(until, "until")?)
                    .map_err(|_| ValidationError::new("until", "fleet-window-invalid"))?;
                Some(w)
            }
        };
        let service_minutes = match self.service_minutes.trim() {
            "" => 5,
            typed => typed
                .parse()
                .map_err(|_| ValidationError::new("service_minutes", "fleet-service-invalid"))?,
        };
        let pinned_vehicle_id = match self.pinned.trim() {
            "" => None,
            typed => Some(
                typed
                    .parse()
                    .map_err(|_| ValidationError::new("pinned", "fleet-pin-invalid"))?,
            ),
        };
        Ok(JobDetails {
            kind,
            source,
            label: self.label.trim().to_owned(),
            region_id: place.map(|p| p.id),
            station_id: None,
            latitude,
            longitude,
            grams,
            crates,
            window,
            service_minutes,
            pinned_vehicle_id,
            household_id: None,
            parcel_id: None,
        })
    }
}

/// The county's places with coordinates, by name.
fn places<'a>(regions: &'a [Region], depot: &Depot) -> Vec<&'a Region> {
    let Some(county) = regions.iter().find(|r| r.id == depot.county_id) else {
        return Vec::new();
    };
    regions
        .iter()
        .filter(|r| county.path.contains(&r.path) && r.latitude.is_some() && r.longitude.is_some())
        .collect()
}

/// A job's day as the form or the address names it; tomorrow when none.
pub(super) fn day_of(text: &str) -> Result<LedgerDay, Problem> {
    match text.trim() {
        "" => Ok(LedgerDay::of(chrono::Utc::now()).next()),
        typed => Ok(LedgerDay::parse(typed)?),
    }
}

/// What a job is, in a line: its kind, load and window.
pub(super) fn job_line(t: &Tr, job: &RouteJob) -> String {
    let d = &job.details;
    let mut parts = vec![t.get(&format!("fleet-job-kind-{}", d.kind.as_str()))];
    if d.grams > 0 || d.crates > 0 {
        parts.push(t.args2(
            "fleet-load",
            ("kg", kg(d.grams).into()),
            ("crates", d.crates.into()),
        ));
    }
    if let Some(w) = d.window {
        parts.push(format!("{}–{}", clock(w.from), clock(w.until)));
    }
    parts.join(" · ")
}

struct JobRow {
    id: i64,
    label: String,
    line: String,
    status: String,
    open: bool,
    pinned: Option<String>,
}

#[derive(Template)]
#[template(path = "fleet/jobs.html")]
struct JobsPage {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    day: String,
    status: String,
    intro: String,
    rows: Vec<JobRow>,
    next: Option<String>,
    editing: Option<i64>,
    form: JobForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, String)>,
    places: Vec<(String, String)>,
    vehicles: Vec<(i64, String)>,
    notice: Option<String>,
    /// For a community being changed: the goods it gets, as rows to fill.
    goods: Option<GoodsRows>,
}

/// The goods form of a community job: what may be chosen (the county's products on sale), and
/// a row per line (chosen variant, quantity), with empty rows to add more.
struct GoodsRows {
    options: Vec<(i64, String)>,
    rows: Vec<(i64, String)>,
}

/// Empty rows shown under a community's goods for adding more.
const SPARE_ROWS: usize = 3;

async fn goods_rows(
    state: &AppState,
    t: &Tr,
    depot: &Depot,
    job: &RouteJob,
) -> Result<Option<GoodsRows>, Problem> {
    if job.details.kind != RouteJobKind::Sell || job.status != JobStatus::Open {
        return Ok(None);
    }
    let county = state.store.region_by_id(depot.county_id).await?;
    let mut options = Vec::new();
    for p in state
        .store
        .listed_products_within(&county.path, 100, 0)
        .await?
    {
        let name = p
            .text(t.lang())
            .map(|(text, _)| text.name.clone())
            .unwrap_or_default();
        for v in &p.variants {
            let unit = crate::format::variant_label(t, &v.spec);
            options.push((
                v.id,
                format!("{name} · {unit} · {}", v.spec.price.display_price()),
            ));
        }
    }
    let mut rows: Vec<(i64, String)> = state
        .store
        .job_goods(&[job.id])
        .await?
        .into_iter()
        .map(|(_, g)| (g.variant_id, g.quantity.to_string()))
        .collect();
    rows.extend(std::iter::repeat_n((0, String::new()), SPARE_ROWS));
    Ok(Some(GoodsRows { options, rows }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobsQuery {
    depot: Option<i64>,
    day: String,
    /// `open`, `done` or `cancelled`; all when empty.
    status: String,
    page: usize,
    saved: Option<u8>,
}

struct Shown<'a> {
    /// The job being changed, when one is.
    job: Option<&'a RouteJob>,
    editing: Option<i64>,
    form: JobForm,
    problem: Option<&'a Problem>,
    query: JobsQuery,
}

fn code_of(vehicles: &[FleetVehicle], id: i64) -> String {
    vehicles
        .iter()
        .find(|v| v.id == id)
        .map(|v| v.code.clone())
        .unwrap_or_default()
}

async fn page(
    state: &AppState,
    (c, csrf): (Chrome, String),
    depot: &Depot,
    shown: Shown<'_>,
) -> Result<Response, Problem> {
    let t = &c.t;
    let day = day_of(&shown.query.day)?.to_string();
    let status = JobStatus::parse(&shown.query.status);
    let jobs = state.store.route_jobs(depot.id, &day, status).await?;
    let vehicles = state.store.vehicles(depot.id, true).await?;
    let regions = state.store.all_regions().await?;
    let next = ((shown.query.page + 1) * PAGE < jobs.len()).then(|| {
        format!(
            "/centre/fleet/jobs?depot={}&day={day}&status={}&page={}",
            depot.id,
            shown.query.status,
            shown.query.page + 1
        )
    });
    let rows = jobs
        .iter()
        .skip(shown.query.page * PAGE)
        .take(PAGE)
        .map(|j| JobRow {
            id: j.id,
            label: j.details.label.clone(),
            line: job_line(t, j),
            status: t.get(&format!("fleet-job-status-{}", j.status.as_str())),
            open: j.status == JobStatus::Open,
            pinned: j.details.pinned_vehicle_id.map(|v| code_of(&vehicles, v)),
        })
        .collect();
    let problem_status = shown.problem.map_or(StatusCode::OK, |p| p.status);
    let goods = match shown.job {
        Some(job) => goods_rows(state, t, depot, job).await?,
        None => None,
    };
    let page = JobsPage {
        goods,
        csrf,
        depot_id: depot.id,
        intro: t.args2(
            "fleet-jobs-intro",
            ("day", day.clone().into()),
            ("count", (jobs.len() as i64).into()),
        ),
        day,
        status: shown.query.status.clone(),
        rows,
        next,
        editing: shown.editing,
        form: shown.form,
        errors: shown
            .problem
            .map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        kinds: RouteJobKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("fleet-job-kind-{}", k.as_str()))))
            .collect(),
        places: places(&regions, depot)
            .into_iter()
            .map(|r| {
                (
                    r.code.as_str().to_owned(),
                    place_label(&regions, r, t.lang()),
                )
            })
            .collect(),
        vehicles: vehicles
            .iter()
            .filter(|v| v.active)
            .map(|v| (v.id, v.code.clone()))
            .collect(),
        notice: shown.query.saved.map(|_| t.get("fleet-saved")),
        c,
    };
    Ok(render(problem_status, &page))
}

/// `GET /centre/fleet/jobs?depot=&day=&status=&page=`: a day's jobs and the form to add one.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<JobsQuery>,
) -> Result<Response, Problem> {
    if query.depot.is_none() && crate::logistics::depots(&state, &user).await?.is_empty() {
        return Ok(crate::logistics::no_depot(c));
    }
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let form = JobForm {
        day: day_of(&query.day)?.to_string(),
        kind: RouteJobKind::Pickup.as_str().to_owned(),
        service_minutes: "5".to_owned(),
        ..JobForm::default()
    };
    let shown = Shown {
        job: None,
        editing: None,
        form,
        problem: None,
        query,
    };
    page(&state, (c, csrf.0), &depot, shown).await
}

fn back_to(depot: &Depot, day: &str) -> Response {
    Redirect::to(&format!(
        "/centre/fleet/jobs?depot={}&day={day}&saved=1",
        depot.id
    ))
    .into_response()
}

/// `POST /centre/fleet/jobs`: adds a job to a day.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<JobForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, form.depot).await?;
    let day = day_of(&form.day)?.to_string();
    let regions = state.store.all_regions().await?;
    let source = if form.kind == RouteJobKind::Sell.as_str() {
        JobSource::Community
    } else {
        JobSource::Booking
    };
    let added = match form.parse(&places(&regions, &depot), source) {
        Ok(details) => state
            .store
            .add_route_job(
                depot.id,
                &day,
                &details,
                user.account.id,
                chrono::Utc::now(),
            )
            .await
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match added {
        Ok(_) => Ok(back_to(&depot, &day)),
        Err(problem) if problem.status.is_client_error() => {
            let shown = Shown {
                job: None,
                editing: None,
                form,
                problem: Some(&problem),
                query: JobsQuery {
                    day,
                    ..JobsQuery::default()
                },
            };
            page(&state, (c, csrf.0), &depot, shown).await
        }
        Err(other) => Err(other),
    }
}

/// Job `id` of a depot `user` keeps, with its depot; a 404 otherwise.
pub(super) async fn kept(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Depot, RouteJob), Problem> {
    for d in crate::logistics::depots(state, user).await? {
        if let Some(job) = state.store.route_job(d.id, id).await? {
            return Ok((d, job));
        }
    }
    Err(Problem::not_found())
}

/// `GET /centre/fleet/jobs/{id}`: the form to change a job, above its day's list.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (depot, job) = kept(&state, &user, id).await?;
    let regions = state.store.all_regions().await?;
    let shown = Shown {
        job: Some(&job),
        editing: Some(id),
        form: JobForm::of(&job, &regions),
        problem: None,
        query: JobsQuery {
            day: job.day.clone(),
            ..JobsQuery::default()
        },
    };
    page(&state, (c, csrf.0), &depot, shown).await
}

/// `POST /centre/fleet/jobs/{id}`: changes an open job (its day stays).
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<JobForm>,
) -> Result<Response, Problem> {
    let (depot, job) = kept(&state, &user, id).await?;
    let regions = state.store.all_regions().await?;
    let changed = match form.parse(&places(&regions, &depot), job.details.source) {
        Ok(details) => {
            let details = JobDetails {
                household_id: job.details.household_id,
                parcel_id: job.details.parcel_id,
                station_id: job.details.station_id,
                ..details
            };
            state
                .store
                .update_route_job(depot.id, id, &details, chrono::Utc::now())
                .await
                .map_err(Problem::from)
        }
        Err(invalid) => Err(invalid.into()),
    };
    match changed {
        Ok(_) => Ok(back_to(&depot, &job.day)),
        Err(problem) if problem.status.is_client_error() => {
            let shown = Shown {
                job: Some(&job),
                editing: Some(id),
                form,
                problem: Some(&problem),
                query: JobsQuery {
                    day: job.day.clone(),
                    ..JobsQuery::default()
                },
            };
            page(&state, (c, csrf.0), &depot, shown).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /centre/fleet/jobs/{id}/cancel`: the job stays listed as cancelled and leaves the
/// next plan.
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (depot, job) = kept(&state, &user, id).await?;
    state
        .store
        .cancel_route_job(depot.id, id, chrono::Utc::now())
        .await?;
    Ok(back_to(&depot, &job.day))
}

/// `POST /centre/fleet/jobs/{id}/goods`: what a community gets to sell (`variant-N` and
/// `quantity-N` pairs; a row left empty is no line).
pub async fn goods(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (depot, job) = kept(&state, &user, id).await?;
    let mut lines: Vec<farmgate_store::fleet::GoodsLine> = Vec::new();
    let mut invalid = None;
    for (name, value) in &fields {
        let Some(row) = name.strip_prefix("variant-") else {
            continue;
        };
        let Ok(variant_id) = value.trim().parse::<i64>() else {
            continue;
        };
        let typed = crate::html::sent(&fields, &format!("quantity-{row}"));
        match typed.trim().parse::<i64>() {
            Ok(quantity) if (1..=farmgate_store::fleet::MAX_LINE_QUANTITY).contains(&quantity) => {
                match lines.iter_mut().find(|l| l.variant_id == variant_id) {
                    Some(line) => line.quantity += quantity,
                    None => lines.push(farmgate_store::fleet::GoodsLine {
                        variant_id,
                        quantity,
                    }),
                }
            }
            _ => invalid = Some(ValidationError::new("goods", "fleet-quantity-invalid")),
        }
    }
    let saved = match invalid {
        Some(invalid) => Err(Problem::from(invalid)),
        None => state
            .store
            .set_job_goods(depot.id, id, &lines)
            .await
            .map_err(Problem::from),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/centre/fleet/jobs/{id}?saved=1")).into_response()),
        Err(problem) if problem.status.is_client_error() => {
            let regions = state.store.all_regions().await?;
            let shown = Shown {
                job: Some(&job),
                editing: Some(id),
                form: JobForm::of(&job, &regions),
                problem: Some(&problem),
                query: JobsQuery {
                    day: job.day.clone(),
                    ..JobsQuery::default()
                },
            };
            page(&state, (c, csrf.0), &depot, shown).await
        }
        Err(other) => Err(other),
    }
}
