//! The trainer's side: courses and sessions of their county, the roster with a tick per day
//! (who ticked is kept), enrolling villagers on their behalf (also for station operators),
//! and the link to the rotating check-in code (`check_in`).
//!
//! `console`: the trainer's page with the forms to add a course and schedule a session;
//! `forms`: those forms as sent and parsed; `roster`: a session's roster and every step on it.

mod console;
mod forms;
mod roster;

pub use console::{add_course, console, schedule};
pub(in crate::training) use forms::{
    CourseForm, ScheduleForm, parse_course, parse_session, parse_venue,
};
pub use roster::{capacity, confirm, edit, enrol_other, remove, roster, tick};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::mask_phone;
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::text::{parse_text, parse_texts};
use farmgate_domain::training::{
    AttendanceMethod, CompletionRule, CourseKind, EnrolmentStatus, VenueKind, parse_capacity,
};
use farmgate_store::regions::Region;
use farmgate_store::training::{Course, NewCourse, NewSession, Texts, TrainingSession};
use serde::Deserialize;

use super::pages::{EnrolForm, SessionView, parse_trainee, session_page};
use super::{ENROLLERS, SessionCard, TEACHERS, home_region, serves, session_card, today};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, RepeatedForm, render};
use crate::problem::Problem;

/// The session, if `user` may teach it (others are told it does not exist).
pub(in crate::training) async fn taught_session(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(TrainingSession, Vec<Region>), Problem> {
    let session = state.store.training_session(id).await?;
    let regions = state.store.all_regions().await?;
    let region = regions
        .iter()
        .find(|r| r.id == session.region_id)
        .ok_or(Problem::not_found())?;
    if serves(user, &TEACHERS, &regions, &region.path) {
        Ok((session, regions))
    } else {
        Err(Problem::not_found())
    }
}
