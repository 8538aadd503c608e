//! Training in the JSON API: courses and sessions (read by anyone, written by the county's
//! trainers), enrolments (one's own, or on someone's behalf), the roster and ticks, check-in
//! with a scanned code, and certificate verification. The same rules as the pages: each
//! handler goes through the functions the pages use.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::training::AttendanceMethod;
use farmgate_store::training::{Course, Enrolment, RosterRow, Texts, TrainingSession};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pages::{EnrolForm, parse_trainee};
use super::trainer::{CourseForm, ScheduleForm, parse_course, parse_session, taught_session};
use super::{ENROLLERS, TEACHERS, home_region, serves, today};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

#[derive(Serialize, ToSchema)]
pub struct CourseView {
    pub id: i64,
    pub region_id: i64,
    /// basics, camp, skills or hosting
    pub kind: String,
    pub days: i32,
    /// Days to attend for the certificate.
    pub min_days: i32,
    pub languages: Vec<String>,
    pub title: WrittenView,
    pub summary: WrittenView,
    /// The syllabus of each day, day 1 first.
    pub syllabus: Vec<WrittenView>,
}

/// A text in the languages it was written in (at least one; the others are absent).
#[derive(Serialize, ToSchema)]
pub struct WrittenView {
    #[serde(rename = "zh-CN", skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl From<Texts> for WrittenView {
    fn from(t: Texts) -> Self {
        WrittenView {
            zh: t.zh,
            ug: t.ug,
            en: t.en,
        }
    }
}

impl From<Course> for CourseView {
    fn from(c: Course) -> Self {
        CourseView {
            id: c.id,
            region_id: c.region_id,
            kind: c.kind.as_str().to_owned(),
            days: c.rule.days,
            min_days: c.rule.min_days,
            languages: c.languages.iter().map(|l| l.tag().to_owned()).collect(),
            title: c.title.into(),
            summary: c.summary.into(),
            syllabus: c.syllabus.into_iter().map(WrittenView::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub course_id: i64,
    pub region_id: i64,
    /// centre, training_point, industrial_park or online
    pub venue_kind: String,
    pub venue: WrittenView,
    pub online_url: Option<String>,
    pub live_room_id: Option<i64>,
    pub capacity: i32,
    pub starts_on: String,
    pub days: i32,
    pub enrolled: i64,
    pub waitlisted: i64,
    pub trainer_ids: Vec<i64>,
}

impl From<TrainingSession> for SessionView {
    fn from(s: TrainingSession) -> Self {
        SessionView {
            id: s.id,
            course_id: s.course_id,
            region_id: s.region_id,
            venue_kind: s.venue_kind.as_str().to_owned(),
            venue: s.venue.into(),
            online_url: s.online_url,
            live_room_id: s.live_room_id,
            capacity: s.capacity,
            starts_on: s.starts_on.to_string(),
            days: s.days,
            enrolled: s.enrolled,
            waitlisted: s.waitlisted,
            trainer_ids: s.trainer_ids,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct RegionParams {
    /// A region's code (`tekes`); the whole country when left out.
    region: Option<String>,
}

async fn region_path(
    state: &AppState,
    code: Option<&str>,
) -> Result<farmgate_domain::regions::RegionPath, Problem> {
    Ok(match code.filter(|c| !c.is_empty()) {
        Some(code) => state.store.region_by_code(code).await?.path,
        None => {
            state
                .store
                .region_root()
                .await?
                .ok_or(Problem::not_found())?
                .path
        }
    })
}

/// Courses of the centres within a region.
#[utoipa::path(get, operation_id = "listCourses", path = "/api/v1/training/courses", tag = "training", params(RegionParams),
    responses((status = 200, body = [CourseView]), (status = 404, body = ApiError)))]
pub async fn courses(
    State(state): State<AppState>,
    Query(params): Query<RegionParams>,
) -> Result<Json<Vec<CourseView>>, Problem> {
    let path = region_path(&state, params.region.as_deref()).await?;
    let ids: Vec<i64> = state
        .store
        .all_regions()
        .await?
        .into_iter()
        .filter(|r| path.contains(&r.path))
        .map(|r| r.id)
        .collect();
    let courses = state.store.courses_of(&ids).await?;
    Ok(Json(courses.into_iter().map(CourseView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct CourseRequest {
    /// basics, camp, skills or hosting
    #[schema(example = "camp")]
    pub kind: String,
    #[schema(example = 5)]
    pub days: i32,
    /// Days to attend for the certificate (all but one of five when left out).
    pub min_days: Option<i32>,
    #[schema(example = json!(["zh-CN", "ug"]))]
    #[serde(default)]
    pub languages: Vec<String>,
    /// The title in Chinese; or in Uyghur or English below (one is enough).
    #[schema(example = "电商创业五日训练营")]
    #[serde(default)]
    pub title_zh: String,
    #[serde(default)]
    pub title_ug: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub summary_zh: String,
    #[serde(default)]
    pub summary_ug: String,
    #[serde(default)]
    pub summary_en: String,
    /// One text per day, in any one of the languages (or more).
    #[serde(default)]
    pub syllabus_zh: Vec<String>,
    #[serde(default)]
    pub syllabus_ug: Vec<String>,
    #[serde(default)]
    pub syllabus_en: Vec<String>,
}

/// Adds a course to the trainer's county.
#[utoipa::path(post, operation_id = "createCourse", path = "/api/v1/training/courses", tag = "training", security(("bearer" = [])), request_body = CourseRequest,
    responses((status = 201, body = CourseView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub async fn add_course(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    ApiJson(request): ApiJson<CourseRequest>,
) -> Result<(StatusCode, Json<CourseView>), Problem> {
    let county = home_region(&state, &user, &TEACHERS).await?;
    user.require(&TEACHERS, &county.path)?;
    // A line break inside a day's text would split the day: it becomes a space.
    let joined = |days: &[String]| {
        days.iter()
            .map(|d| d.replace(['\n', '\r'], " "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let form = CourseForm {
        kind: request.kind,
        days: request.days.to_string(),
        min_days: request.min_days.map(|m| m.to_string()).unwrap_or_default(),
        language: request.languages,
        title_zh: request.title_zh,
        title_ug: request.title_ug,
        title_en: request.title_en,
        summary_zh: request.summary_zh,
        summary_ug: request.summary_ug,
        summary_en: request.summary_en,
        syllabus_zh: joined(&request.syllabus_zh),
        syllabus_ug: joined(&request.syllabus_ug),
        syllabus_en: joined(&request.syllabus_en),
    };
    let course = state
        .store
        .create_course(parse_course(&county, &user, &form, language)?)
        .await?;
    Ok((StatusCode::CREATED, Json(course.into())))
}

/// Sessions within a region from today on, soonest first.
#[utoipa::path(get, operation_id = "listTrainingSessions", path = "/api/v1/training/sessions", tag = "training", params(RegionParams),
    responses((status = 200, body = [SessionView]), (status = 404, body = ApiError)))]
pub async fn sessions(
    State(state): State<AppState>,
    Query(params): Query<RegionParams>,
) -> Result<Json<Vec<SessionView>>, Problem> {
    let path = region_path(&state, params.region.as_deref()).await?;
    let found = state.store.sessions_within(&path, today(), 200).await?;
    Ok(Json(found.into_iter().map(SessionView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct SessionRequest {
    pub course_id: i64,
    /// A township's code for a training point; the county when left out.
    #[serde(default)]
    pub region: String,
    #[schema(example = "centre")]
    pub venue_kind: String,
    /// The venue in Chinese; or in Uyghur or English below (one is enough).
    #[schema(example = "中心二楼培训室")]
    #[serde(default)]
    pub venue_name: String,
    #[serde(default)]
    pub venue_name_ug: String,
    #[serde(default)]
    pub venue_name_en: String,
    /// A live room (`/live/12`) or a video address, for online sessions.
    #[serde(default)]
    pub online_url: String,
    #[schema(example = 40)]
    pub capacity: i32,
    #[schema(example = "2026-12-07")]
    pub starts_on: String,
    /// Further trainers of the county (account ids); the caller always teaches.
    #[serde(default)]
    pub trainer_ids: Vec<i64>,
}

/// Schedules a session of one of the county's courses, taught by the caller.
#[utoipa::path(post, operation_id = "scheduleTrainingSession", path = "/api/v1/training/sessions", tag = "training", security(("bearer" = [])), request_body = SessionRequest,
    responses((status = 201, body = SessionView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub async fn schedule(
    State(state): State<AppState>,
    user: CurrentUser,
    Lang(language): Lang,
    ApiJson(request): ApiJson<SessionRequest>,
) -> Result<(StatusCode, Json<SessionView>), Problem> {
    let county = home_region(&state, &user, &TEACHERS).await?;
    user.require(&TEACHERS, &county.path)?;
    let form = ScheduleForm {
        course: request.course_id.to_string(),
        region: request.region,
        venue_kind: request.venue_kind,
        venue_name: request.venue_name,
        venue_name_ug: request.venue_name_ug,
        venue_name_en: request.venue_name_en,
        online_url: request.online_url,
        capacity: request.capacity.to_string(),
        starts_on: request.starts_on,
        trainer: request.trainer_ids.iter().map(i64::to_string).collect(),
    };
    let new = parse_session(&state, &user, &county, &form, language).await?;
    let session = state.store.schedule_session(new).await?;
    Ok((StatusCode::CREATED, Json(session.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct EnrolRequest {
    /// Enrol someone else (a station operator or trainer): name and phone are then required.
    #[serde(default)]
    pub on_behalf: bool,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// The village's code.
    #[serde(default)]
    pub village: String,
    /// female or male, if given
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct EnrolmentView {
    pub session_id: i64,
    pub trainee_id: i64,
    /// enrolled or waitlisted
    pub status: String,
}

impl From<Enrolment> for EnrolmentView {
    fn from(e: Enrolment) -> Self {
        EnrolmentView {
            session_id: e.session_id,
            trainee_id: e.trainee_id,
            status: e.status.as_str().to_owned(),
        }
    }
}

/// Takes a place in a session (or joins the waitlist when it is full).
#[utoipa::path(post, operation_id = "enrol", path = "/api/v1/training/sessions/{id}/enrolments", tag = "training", security(("bearer" = [])), request_body = EnrolRequest,
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 201, body = EnrolmentView), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn enrol(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> Result<(StatusCode, Json<EnrolmentView>), Problem> {
    let session = state.store.training_session(id).await?;
    if request.on_behalf {
        let regions = state.store.all_regions().await?;
        let region = regions
            .iter()
            .find(|r| r.id == session.region_id)
            .ok_or(Problem::not_found())?;
        if !serves(&user, &ENROLLERS, &regions, &region.path) {
            return Err(Problem::not_found());
        }
    }
    let form = EnrolForm {
        name: if request.name.is_empty() && !request.on_behalf {
            user.account.display_name.clone()
        } else {
            request.name
        },
        phone: request.phone,
        village: request.village,
        gender: request.gender,
        birth_year: request
            .birth_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
    };
    let own = (!request.on_behalf).then_some(user.account.id);
    let new = parse_trainee(&state, &form, session.region_id, own, user.account.id).await?;
    if request.on_behalf && new.phone.is_none() {
        return Err(farmgate_domain::ValidationError::new("phone", "phone-invalid").into());
    }
    let trainee = state.store.find_or_add_trainee(new).await?;
    let enrolment = state
        .store
        .enrol(id, trainee.id, Some(user.account.id))
        .await?;
    Ok((StatusCode::CREATED, Json(enrolment.into())))
}

/// Gives up the caller's place (or place in line); the first in line takes the place.
#[utoipa::path(delete, operation_id = "withdrawMyEnrolment", path = "/api/v1/training/sessions/{id}/enrolments/me", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 204), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, Problem> {
    let trainee = state
        .store
        .trainee_of_account(user.account.id)
        .await?
        .ok_or(Problem::not_found())?;
    state.store.withdraw(id, trainee.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct RosterLine {
    pub trainee_id: i64,
    pub name: String,
    /// Masked: the full number is on the centre's pages.
    pub phone: Option<String>,
    pub status: String,
    pub days: Vec<i32>,
    pub certificate: Option<String>,
}

impl From<RosterRow> for RosterLine {
    fn from(r: RosterRow) -> Self {
        RosterLine {
            trainee_id: r.trainee.id,
            name: r.trainee.name,
            phone: r
                .trainee
                .phone
                .as_deref()
                .map(farmgate_domain::accounts::mask_phone),
            status: r.status.as_str().to_owned(),
            days: r.days,
            certificate: r.certificate,
        }
    }
}

/// A session's roster, for its county's trainers.
#[utoipa::path(get, operation_id = "getRoster", path = "/api/v1/training/sessions/{id}/roster", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = [RosterLine]), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn roster(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RosterLine>>, Problem> {
    taught_session(&state, &user, id).await?;
    let roster = state.store.roster(id).await?;
    Ok(Json(roster.into_iter().map(RosterLine::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct TickRequest {
    pub trainee_id: i64,
    pub day: i32,
}

#[derive(Serialize, ToSchema)]
pub struct AttendanceView {
    /// False when the day was already recorded.
    pub newly_recorded: bool,
    pub days: Vec<i32>,
    /// The certificate's code, once the course is completed.
    pub certificate: Option<String>,
}

/// Ticks a trainee present on a day (by hand); the caller is recorded.
#[utoipa::path(post, operation_id = "recordAttendance", path = "/api/v1/training/sessions/{id}/attendance", tag = "training", security(("bearer" = [])), request_body = TickRequest,
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = AttendanceView), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn tick(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<TickRequest>,
) -> Result<Json<AttendanceView>, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    if !(1..=session.days).contains(&request.day) {
        return Err(farmgate_domain::ValidationError::new("day", "day-invalid").into());
    }
    let outcome = state
        .store
        .record_attendance(
            id,
            request.trainee_id,
            request.day,
            AttendanceMethod::Roster,
            Some(user.account.id),
        )
        .await
        .map_err(super::check_in::attendance_problem)?;
    crate::audit::record(
        &state,
        &user,
        ip,
        crate::audit::Action {
            code: "attendance-ticked",
            subject_kind: "training_session",
            subject_id: session.id,
            region_id: Some(session.region_id),
            detail: format!("trainee {} day {}", request.trainee_id, request.day),
        },
    )
    .await;
    Ok(Json(AttendanceView {
        newly_recorded: outcome.newly_recorded,
        days: outcome.days,
        certificate: outcome.certificate,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CheckInRequest {
    /// The code from the trainer's screen (the `code` of the QR code's address).
    pub code: String,
}

/// Checks the caller in with a scanned code (expired: 410; forged: 400).
#[utoipa::path(post, operation_id = "checkIn", path = "/api/v1/training/check-in", tag = "training", security(("bearer" = [])), request_body = CheckInRequest,
    responses((status = 200, body = AttendanceView), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 410, body = ApiError)))]
pub async fn check_in(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<CheckInRequest>,
) -> Result<Json<AttendanceView>, Problem> {
    let (_, outcome) = super::check_in::check_in(&state, &user, &request.code).await?;
    Ok(Json(AttendanceView {
        newly_recorded: outcome.newly_recorded,
        days: outcome.days,
        certificate: outcome.certificate,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VerifiedCertificate {
    pub genuine: bool,
    pub name: String,
    pub course: WrittenView,
    pub kind: String,
    pub starts_on: String,
    pub days: i32,
    pub issued_at: String,
}

/// Verifies a certificate from its QR code's token (`code.signature`).
#[utoipa::path(get, operation_id = "verifyCertificate", path = "/api/v1/training/certificates/verify/{token}", tag = "training",
    params(("token" = String, Path, description = "code.signature from the certificate's QR code")),
    responses((status = 200, body = VerifiedCertificate), (status = 404, body = ApiError)))]
pub async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<VerifiedCertificate>, Problem> {
    let view = super::certificates::genuine(&state, &token).await?;
    Ok(Json(VerifiedCertificate {
        genuine: true,
        name: view.trainee.name,
        course: view.course.title.into(),
        kind: view.course.kind.as_str().to_owned(),
        starts_on: view.session.starts_on.to_string(),
        days: view.session.days,
        issued_at: view.certificate.issued_at.to_rfc3339(),
    }))
}
