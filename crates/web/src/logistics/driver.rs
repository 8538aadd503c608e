//! The driver's phone: today's run, stop by stop (where, when it is expected, how many
//! parcels), leaving the depot, and each stop delivered with the code the station's desk shows
//! (or a photo where nobody is there to show it) and what came back.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::authz::Role;
use farmgate_domain::logistics::RunStatus;
use farmgate_domain::stations::till::LedgerDay;
use farmgate_store::logistics::{Delivery, DeliveryProof, Run};
use serde::Deserialize;

use super::runs::{StopRow, run_title, status_label, stop_rows};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render, sent};
use crate::photos::FormWithPhoto;
use crate::problem::Problem;

/// Who drives: couriers, and administrators.
const DRIVERS: [Role; 2] = [Role::Courier, Role::Admin];

/// Run `id`, if `user` drives it; a 404 otherwise.
async fn driven(state: &AppState, user: &CurrentUser, id: i64) -> Result<Run, Problem> {
    user.home_region(state, &DRIVERS).await?;
    let (run, _) = state.store.run(id).await?;
    if run.driver_id != user.account.id {
        return Err(Problem::not_found());
    }
    Ok(run)
}

struct RunView {
    id: i64,
    title: String,
    status: String,
    planned: bool,
    left: bool,
    stops: Vec<StopRow>,
}

#[derive(Template)]
#[template(path = "logistics/driver.html")]
struct DriverPage {
    c: Chrome,
    csrf: String,
    notice: Option<String>,
    runs: Vec<RunView>,
    /// The stop whose form has mistakes, and them.
    failed: Option<i64>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DriverQuery {
    done: String,
}

async fn driver_page(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    notice: Option<String>,
    failed: Option<(i64, FormErrors)>,
) -> Result<Response, Problem> {
    user.home_region(state, &DRIVERS).await?;
    let t = &c.t;
    let today = LedgerDay::of(chrono::Utc::now());
    let mut runs = Vec::new();
    for run in state.store.runs_of_driver(user.account.id, today).await? {
        let (_, stops) = state.store.run(run.id).await?;
        runs.push(RunView {
            id: run.id,
            title: run_title(t, &run, &user.account.display_name),
            status: status_label(t, run.status),
            planned: run.status == RunStatus::Planned,
            left: run.status == RunStatus::Left,
            stops: stop_rows(state, t, &run, &stops).await?,
        });
    }
    let (status, failed, errors) = match failed {
        Some((stop, errors)) => (StatusCode::UNPROCESSABLE_ENTITY, Some(stop), errors),
        None => (StatusCode::OK, None, FormErrors::none()),
    };
    let page = DriverPage {
        csrf,
        notice,
        runs,
        failed,
        errors,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /courier/run`: the driver's runs today.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<DriverQuery>,
) -> Result<Response, Problem> {
    let notice = match query.done.as_str() {
        "left" => Some(c.t.get("run-left-notice")),
        "delivered" => Some(c.t.get("run-delivered-notice")),
        _ => None,
    };
    driver_page(&state, &user, c, csrf.0, notice, None).await
}

/// `POST /courier/runs/{id}/start`: the driver leaves the depot with the run's parcels.
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    driven(&state, &user, id).await?;
    state
        .store
        .start_run(id, user.account.id, chrono::Utc::now())
        .await?;
    Ok(Redirect::to("/courier/run?done=left").into_response())
}

/// A count the driver typed: none is 0; 0 to 10,000.
fn count(typed: &str, field: &'static str) -> Result<i32, ValidationError> {
    match typed.trim() {
        "" => Ok(0),
        text => text
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=10_000).contains(n))
            .ok_or(ValidationError::new(field, "run-count-invalid")),
    }
}

/// `POST /courier/runs/{id}/stops/{stop}/deliver`: the stop is delivered, with the station's
/// code or a photo (multipart, bounded like every upload), and what came back.
pub async fn deliver(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path((id, stop)): Path<(i64, i64)>,
    FormWithPhoto { fields, photo }: FormWithPhoto,
) -> Result<Response, Problem> {
    driven(&state, &user, id).await?;
    let mut errors = Vec::new();
    let returns = count(&sent(&fields, "returns"), "returns").unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let produce = count(&sent(&fields, "produce"), "produce").unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let code = sent(&fields, "code");
    let proof = match photo {
        Some(bytes) => match state.photos.store(bytes).await {
            Ok(photo) => Some(DeliveryProof::Photo(photo.hash)),
            Err(err) => {
                let problem = Problem::from(err).with_field("photo");
                let errors = FormErrors::of_problem(&c.t, &problem);
                return driver_page(&state, &user, c, csrf.0, None, Some((stop, errors))).await;
            }
        },
        None if !code.trim().is_empty() => Some(DeliveryProof::Code(code)),
        None => {
            errors.push(ValidationError::new("code", "run-proof-missing"));
            None
        }
    };
    let failed = |errors: FormErrors| Some((stop, errors));
    let Some(proof) = proof.filter(|_| errors.is_empty()) else {
        let errors = FormErrors::of(&c.t, &errors);
        return driver_page(&state, &user, c, csrf.0, None, failed(errors)).await;
    };
    let delivery = Delivery {
        proof,
        returns,
        produce,
    };
    match state
        .store
        .deliver_stop(id, stop, &delivery, chrono::Utc::now())
        .await
    {
        Ok(_) => Ok(Redirect::to("/courier/run?done=delivered").into_response()),
        Err(err) => {
            let problem = Problem::from(err);
            if !problem.status.is_client_error() || problem.status == StatusCode::NOT_FOUND {
                return Err(problem);
            }
            let errors = FormErrors::of_problem(&c.t, &problem);
            driver_page(&state, &user, c, csrf.0, None, failed(errors)).await
        }
    }
}
