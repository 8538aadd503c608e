//! Scanning parcels in off a carrier's van. The page's form takes one number at a time (a
//! keyboard-wedge scanner types it and presses Enter; the camera reads it where the browser can);
//! with its script, each number is checked against the carriers' shapes on the phone, queued
//! (kept across a closed page) and sent in batches, so the worker scans the next parcel at once
//! and sees each answer arrive beside its number. The same answers come from the API.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::logistics::TrackingNumber;
use farmgate_store::logistics::{Depot, Scan, ScanOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::depot;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// The most scans one request may carry.
pub(super) const BATCH_MAX: usize = 200;

/// What became of one scan, in the worker's language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScanLine {
    /// The id the phone gave the scan.
    pub client_id: String,
    #[schema(example = "SF1234567890123")]
    pub number: String,
    /// `in` (taken in: with a station, or to find one), `outbound` (a seller's parcel, for its
    /// carrier's van), `already_in`, or `refused`.
    pub outcome: String,
    pub parcel_id: Option<i64>,
    /// The carrier's code, when the number's shape said whose it is.
    pub carrier: Option<String>,
    pub station_id: Option<i64>,
    /// The error code of a refusal (`tracking-carrier-unknown`, `tracking-number-invalid`).
    pub code: Option<String>,
    /// What to tell the worker.
    pub message: String,
}

/// Scans `scans` (as typed, with their client ids and times) in at `depot` and tells what
/// became of each. Malformed numbers are refused here; the rest go to the store together.
pub(super) async fn scan_at(
    state: &AppState,
    t: &Tr,
    user: &CurrentUser,
    depot: &Depot,
    typed: Vec<(String, String, chrono::DateTime<chrono::Utc>)>,
) -> Result<Vec<ScanLine>, Problem> {
    let now = chrono::Utc::now();
    let mut lines: Vec<Option<ScanLine>> = Vec::with_capacity(typed.len());
    let mut scans = Vec::new();
    for (client_id, number, at) in typed {
        match TrackingNumber::parse(&number) {
            Ok(number) => {
                scans.push(Scan {
                    client_id,
                    number,
                    at,
                });
                lines.push(None);
            }
            Err(err) => {
                let problem = Problem::from(err);
                lines.push(Some(ScanLine {
                    client_id,
                    number,
                    outcome: "refused".into(),
                    parcel_id: None,
                    carrier: None,
                    station_id: None,
                    code: Some(err.code.into()),
                    message: problem.message(t),
                }));
            }
        }
    }
    let scanned = state.scans.scan(depot, user.account.id, scans, now).await?;
    let mut carriers = scanned.context.carriers;
    let mut names: Vec<(i64, String)> = scanned
        .context
        .stations
        .iter()
        .map(|(id, texts)| (*id, texts.shown(t.lang()).text.to_owned()))
        .collect();
    let mut results = scanned.results.into_iter();
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if let Some(line) = line {
            out.push(line);
            continue;
        }
        let Some(result) = results.next() else { break };
        if let Some(id) = result.outcome.carrier_id()
            && !carriers.iter().any(|c| c.id == id)
        {
            // A carrier no longer working here (a parcel scanned before its terms paused).
            carriers = state.store.carriers().await?;
        }
        let carrier_of = |id: i64| carriers.iter().find(|c| c.id == id).map(|c| c.code.clone());
        let (outcome, parcel_id, carrier, station_id, code) =
            outcome_parts(&result.outcome, carrier_of);
        let station = match station_id {
            Some(id) => Some(station_name(state, t, &mut names, id).await?),
            None => None,
        };
        let message = match (outcome, station) {
            ("in", Some(name)) => t.arg("logistics-scan-in", "station", name),
            ("in", None) => t.get("logistics-scan-find"),
            ("outbound", _) => {
                let name = carriers
                    .iter()
                    .find(|c| carrier.as_deref() == Some(c.code.as_str()))
                    .map_or("", |c| c.name(t.lang()));
                t.arg("logistics-scan-outbound", "carrier", name.to_owned())
            }
            (_, _) => Problem::new(StatusCode::CONFLICT, code.unwrap_or("bad-request")).message(t),
        };
        out.push(ScanLine {
            client_id: result.client_id,
            number: result.number,
            outcome: outcome.into(),
            parcel_id,
            carrier,
            station_id,
            code: code.map(str::to_owned),
            message,
        });
    }
    Ok(out)
}

/// One scan's outcome as the phone reads it: (outcome, parcel, carrier's code, station, error
/// code).
type OutcomeParts = (
    &'static str,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<&'static str>,
);

fn outcome_parts(
    outcome: &ScanOutcome,
    carrier_of: impl Fn(i64) -> Option<String>,
) -> OutcomeParts {
    match *outcome {
        ScanOutcome::In {
            parcel_id,
            carrier_id,
            station_id,
        } => (
            "in",
            Some(parcel_id),
            carrier_of(carrier_id),
            station_id,
            None,
        ),
        ScanOutcome::AlreadyIn {
            parcel_id,
            carrier_id,
            station_id,
            ..
        } => (
            "already_in",
            Some(parcel_id),
            carrier_of(carrier_id),
            station_id,
            Some("parcel-already-in"),
        ),
        ScanOutcome::Outbound {
            parcel_id,
            carrier_id,
        } => (
            "outbound",
            Some(parcel_id),
            carrier_of(carrier_id),
            None,
            None,
        ),
        ScanOutcome::Refused { code } => ("refused", None, None, None, Some(code)),
    }
}

/// A station's name in the reader's language, looked up once per request.
async fn station_name(
    state: &AppState,
    t: &Tr,
    names: &mut Vec<(i64, String)>,
    id: i64,
) -> Result<String, Problem> {
    if let Some((_, name)) = names.iter().find(|(i, _)| *i == id) {
        return Ok(name.clone());
    }
    let name = state.store.station(id).await?.name(t.lang()).to_owned();
    names.push((id, name.clone()));
    Ok(name)
}

/// A carrier's shape of numbers, for checking on the phone.
struct Shape {
    code: String,
    pattern: String,
}

struct Recent {
    number: String,
    message: String,
}

#[derive(Template)]
#[template(path = "logistics/scan.html")]
struct ScanPage {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    intro: String,
    shapes: String,
    notice: Option<String>,
    errors: FormErrors,
    typed: String,
    client_id: String,
    recent: Vec<Recent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScanQuery {
    depot: Option<i64>,
    /// The parcel just scanned in by the form, to say where it goes.
    scanned: Option<i64>,
}

async fn scan_page(
    state: &AppState,
    c: Chrome,
    csrf: String,
    depot: &Depot,
    notice: Option<String>,
    (errors, typed): (FormErrors, String),
) -> Result<Response, Problem> {
    let t = &c.t;
    let shapes: Vec<Shape> = state
        .store
        .agreements(depot.id)
        .await?
        .into_iter()
        .filter(|a| a.terms.as_ref().is_some_and(|t| t.active))
        .map(|a| Shape {
            code: a.carrier.code,
            pattern: a.carrier.pattern.as_str().to_owned(),
        })
        .collect();
    let shapes = serde_json::to_string(
        &shapes
            .iter()
            .map(|s| serde_json::json!({"code": s.code, "pattern": s.pattern}))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let now = chrono::Utc::now();
    let today = state.store.consolidation(depot.id, now).await?;
    let mut names = Vec::new();
    let mut recent = Vec::new();
    for parcel in state.store.recent_scans(depot.id, now, 20).await? {
        let message = match parcel.station_id {
            Some(id) => t.arg(
                "logistics-scan-in",
                "station",
                station_name(state, t, &mut names, id).await?,
            ),
            None => t.get("logistics-scan-find"),
        };
        recent.push(Recent {
            number: parcel.tracking_number,
            message,
        });
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ScanPage {
        csrf,
        depot_id: depot.id,
        intro: t.args2(
            "logistics-scan-intro",
            ("depot", depot.name(t.lang()).into()),
            ("count", today.scanned_today.into()),
        ),
        shapes,
        notice,
        errors,
        typed,
        client_id: uuid::Uuid::now_v7().to_string(),
        recent,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /centre/logistics/scan?depot=`: the scanning page.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<ScanQuery>,
) -> Result<Response, Problem> {
    if query.depot.is_none() && super::depots(&state, &user).await?.is_empty() {
        return Ok(super::board::no_depot(c));
    }
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let notice = match query.scanned {
        Some(id) => {
            let parcel = state.store.logistics_parcel(id).await?;
            if parcel.depot_id != depot.id {
                return Err(Problem::not_found());
            }
            let message = match parcel.station_id {
                Some(station) => {
                    let name = station_name(&state, &c.t, &mut Vec::new(), station).await?;
                    c.t.arg("logistics-scan-in", "station", name)
                }
                None => c.t.get("logistics-scan-find"),
            };
            Some(format!(
                "{} · {message}",
                crate::format::isolate(&parcel.tracking_number)
            ))
        }
        None => None,
    };
    scan_page(
        &state,
        c,
        csrf.0,
        &depot,
        notice,
        (FormErrors::none(), String::new()),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScanForm {
    depot: Option<i64>,
    number: String,
    /// Made when the page was drawn: the same form sent twice scans once.
    client_id: String,
}

/// `POST /centre/logistics/scan`: one number, without the page's script.
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<ScanForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, form.depot).await?;
    let client_id = if form.client_id.trim().is_empty() {
        uuid::Uuid::now_v7().to_string()
    } else {
        form.client_id.trim().chars().take(40).collect()
    };
    let now = chrono::Utc::now();
    let line = scan_at(
        &state,
        &c.t,
        &user,
        &depot,
        vec![(client_id, form.number.clone(), now)],
    )
    .await?
    .pop()
    .ok_or(Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad-request",
    ))?;
    if line.outcome != "in" && line.outcome != "outbound" {
        let mut errors = FormErrors::none();
        errors.add("number", line.message);
        return scan_page(&state, c, csrf.0, &depot, None, (errors, form.number)).await;
    }
    Ok(Redirect::to(&format!(
        "/centre/logistics/scan?depot={}&scanned={}",
        depot.id,
        line.parcel_id.unwrap_or_default()
    ))
    .into_response())
}

/// `GET /static/logistics-scan.js`: the scanning page's queue.
pub async fn script() -> Response {
    crate::html::javascript(include_str!("../../static/logistics-scan.js"))
}
