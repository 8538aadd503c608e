//! Tracking a parcel by its number: a public page with what the centre did with it and when,
//! in the reader's language, and nothing about who it is for.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::logistics::{Stage, TrackingNumber};
use serde::Deserialize;

use crate::AppState;
use crate::html::{Chrome, FormErrors, render};
use crate::orders::parcel::{EventLine, event_lines};
use crate::problem::Problem;

struct Found {
    number: String,
    carrier: String,
    stage: String,
    done: bool,
    events: Vec<EventLine>,
}

#[derive(Template)]
#[template(path = "logistics/track.html")]
struct TrackPage {
    c: Chrome,
    errors: FormErrors,
    typed: String,
    found: Vec<Found>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrackQuery {
    number: String,
}

/// `GET /track?number=`: the form, and where a number typed in it leads.
pub async fn search(
    State(state): State<AppState>,
    c: Chrome,
    Query(query): Query<TrackQuery>,
) -> Result<Response, Problem> {
    if query.number.trim().is_empty() {
        return track_page(&state, c, None, String::new()).await;
    }
    match TrackingNumber::parse(&query.number) {
        Ok(number) => Ok(Redirect::to(&format!("/track/{}", number.as_str())).into_response()),
        Err(err) => track_page(&state, c, Some(Problem::from(err)), query.number).await,
    }
}

/// `GET /track/{number}`: a parcel's history.
pub async fn page(
    State(state): State<AppState>,
    c: Chrome,
    Path(number): Path<String>,
) -> Result<Response, Problem> {
    match TrackingNumber::parse(&number) {
        Ok(number) => track_page(&state, c, None, number.as_str().to_owned()).await,
        Err(err) => track_page(&state, c, Some(Problem::from(err)), number).await,
    }
}

async fn track_page(
    state: &AppState,
    c: Chrome,
    mistake: Option<Problem>,
    typed: String,
) -> Result<Response, Problem> {
    let t = &c.t;
    let mut found = Vec::new();
    let mut mistake = mistake;
    if mistake.is_none() && !typed.is_empty() {
        let number = TrackingNumber::parse(&typed)?;
        for tracking in state.store.tracking(&number).await? {
            found.push(Found {
                number: tracking.parcel.tracking_number.clone(),
                carrier: tracking.carrier.name(t.lang()).to_owned(),
                stage: t.get(&format!(
                    "logistics-stage-{}",
                    tracking.parcel.stage.as_str().replace('_', "-")
                )),
                done: matches!(
                    tracking.parcel.stage,
                    Stage::HandedOver | Stage::Returned | Stage::Dispatched | Stage::Voided
                ),
                events: event_lines(state, t, &tracking).await?,
            });
        }
        if found.is_empty() {
            mistake = Some(
                Problem::new(StatusCode::NOT_FOUND, "tracking-not-found").with_field("number"),
            );
        }
    }
    let (status, errors) = match &mistake {
        Some(problem) => (
            problem.status,
            FormErrors::of_problem(t, &problem.clone().with_field("number")),
        ),
        None => (StatusCode::OK, FormErrors::none()),
    };
    let page = TrackPage {
        errors,
        typed,
        found,
        c,
    };
    Ok(render(status, &page))
}
