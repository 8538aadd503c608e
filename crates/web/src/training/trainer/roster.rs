//! A session's roster and every step a trainer takes on it.

use super::console::venue_options;
use super::*;

/// A roster line as the page shows it.
pub(super) struct RosterLine {
    trainee_id: i64,
    name: String,
    phone: String,
    status: String,
    waiting: bool,
    /// (day, attended, the tick button's label, ticked by hand) for each day.
    days: Vec<(i32, bool, String, bool)>,
    /// The remove button's label ("take … off the roster").
    remove_label: String,
    certificate: Option<String>,
    /// No account has this record yet: the trainer may join it to one, in person.
    unclaimed: bool,
}

#[derive(Template)]
#[template(path = "training/trainer_session.html")]
pub(super) struct RosterPage {
    c: Chrome,
    csrf: String,
    card: SessionCard,
    lines: Vec<RosterLine>,
    days: Vec<i32>,
    today_day: i32,
    /// The session's first day, venue kind and venue, as the edit form shows them.
    edit: EditForm,
    venues: Vec<(&'static str, String)>,
    other: EnrolForm,
    villages: Vec<crate::format::VillageOption>,
    notice: Option<String>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    done: Option<String>,
}

/// What the roster page shows besides the session: the enrol-someone form as sent, a notice
/// after an action, an error of that form.
pub(super) struct RosterView<'a> {
    other: EnrolForm,
    notice: Option<String>,
    error: Option<&'a Problem>,
}

pub(super) async fn roster_page(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    id: i64,
    view: RosterView<'_>,
) -> Result<Response, Problem> {
    let RosterView {
        other,
        notice,
        error,
    } = view;
    let (session, regions) = taught_session(state, user, id).await?;
    let course = state.store.course(session.course_id).await?;
    let t = c.t;
    let region = regions
        .iter()
        .find(|r| r.id == session.region_id)
        .ok_or(Problem::not_found())?;
    // Phone numbers in full for the county's centre staff; trainers see them masked.
    let full_phones = user.require(&[Role::CentreStaff], &region.path).is_ok();
    let lines = state
        .store
        .roster(id)
        .await?
        .into_iter()
        .map(|row| RosterLine {
            trainee_id: row.trainee.id,
            phone: row
                .trainee
                .phone
                .map(|p| if full_phones { p } else { mask_phone(&p) })
                .unwrap_or_default(),
            status: t.get(&format!("enrolment-{}", row.status.as_str())),
            waiting: row.status == EnrolmentStatus::Waitlisted,
            days: (1..=session.days)
                .map(|d| {
                    let label = t.args2(
                        "trainer-tick-label",
                        ("name", row.trainee.name.as_str().into()),
                        ("day", d.into()),
                    );
                    let by_hand = row.ticked_by.iter().any(|(day, _)| *day == d);
                    (d, row.days.contains(&d), label, by_hand)
                })
                .collect(),
            remove_label: t.arg("trainer-remove-label", "name", row.trainee.name.as_str()),
            unclaimed: row.trainee.account_id.is_none(),
            name: row.trainee.name,
            certificate: row.certificate,
        })
        .collect();
    let status = error.map_or(StatusCode::OK, |p| p.status);
    let errors = error.map_or_else(FormErrors::none, |p| FormErrors::of_problem(&t, p));
    let page = RosterPage {
        card: session_card(&t, &regions, &session, Some(&course)),
        days: (1..=session.days).collect(),
        today_day: crate::training::day_of(&session, today()).unwrap_or(1),
        edit: EditForm {
            starts_on: session.starts_on.to_string(),
            venue_kind: session.venue_kind.as_str().to_owned(),
            venue_name: session.venue.stored_zh(),
            venue_name_ug: session.venue.ug.clone().unwrap_or_default(),
            venue_name_en: session.venue.en.clone().unwrap_or_default(),
        },
        venues: venue_options(&t),
        villages: crate::training::pages::villages_for(&regions, region, t),
        lines,
        other,
        notice,
        errors,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /trainer/sessions/{id}`: the roster.
pub async fn roster(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<RosterQuery>,
) -> Result<Response, Problem> {
    let notice = query
        .done
        .filter(|d| {
            [
                "ticked",
                "other",
                "removed",
                "capacity",
                "edited",
                "confirmed",
            ]
            .contains(&d.as_str())
        })
        .map(|d| c.t.get(&format!("training-done-{d}")));
    roster_page(
        &state,
        &user,
        c,
        csrf.0,
        id,
        RosterView {
            other: EnrolForm::default(),
            notice,
            error: None,
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct TickForm {
    trainee: i64,
    day: i32,
}

/// `POST /trainer/sessions/{id}/attendance`: ticks a trainee present on a day (by hand, for
/// those without a phone); the trainer who ticked is recorded.
pub async fn tick(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<TickForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    if !(1..=session.days).contains(&form.day) {
        return Err(ValidationError::new("day", "day-invalid").into());
    }
    state
        .store
        .record_attendance(
            id,
            form.trainee,
            form.day,
            AttendanceMethod::Roster,
            Some(user.account.id),
        )
        .await
        .map_err(crate::training::check_in::attendance_problem)?;
    audit(
        &state,
        &user,
        ip,
        ("attendance-ticked", &session),
        format!("trainee {} day {}", form.trainee, form.day),
    )
    .await;
    Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=ticked")).into_response())
}

/// A session's first day and venue (the venue in Chinese, Uyghur and English: one is enough).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    starts_on: String,
    venue_kind: String,
    venue_name: String,
    venue_name_ug: String,
    venue_name_en: String,
}

/// `POST /trainer/sessions/{id}/edit`: another first day or venue (the days cannot move once
/// one has been attended).
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    let parsed = (|| -> Result<_, Problem> {
        let starts_on = NaiveDate::parse_from_str(form.starts_on.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| *d >= today() - chrono::Days::new(1))
            .ok_or(ValidationError::new("starts_on", "starts-on-invalid"))?;
        let venue_kind = VenueKind::parse(&form.venue_kind)?;
        let venue = parse_venue(
            [&form.venue_name, &form.venue_name_ug, &form.venue_name_en],
            c.t.lang(),
        )?;
        Ok((starts_on, venue_kind, venue))
    })();
    let changed = match parsed {
        Ok((starts_on, venue_kind, venue)) => match state
            .store
            .reschedule_session(id, starts_on, venue_kind, venue)
            .await
        {
            Ok(_) => Ok(()),
            Err(refusal @ farmgate_store::Error::Training(_)) => Err(Problem::from(refusal)),
            Err(other) => return Err(other.into()),
        },
        Err(problem) => Err(problem),
    };
    match changed {
        Ok(()) => {
            audit(
                &state,
                &user,
                ip,
                ("session-moved", &session),
                format!(
                    "{} · {} {} {} {}",
                    form.starts_on.trim(),
                    form.venue_kind.trim(),
                    form.venue_name.trim(),
                    form.venue_name_ug.trim(),
                    form.venue_name_en.trim()
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=edited")).into_response())
        }
        Err(problem) => {
            let view = RosterView {
                other: EnrolForm::default(),
                notice: None,
                error: Some(&problem),
            };
            roster_page(&state, &user, c, csrf.0, id, view).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CapacityForm {
    #[serde(default)]
    capacity: String,
}

/// `POST /trainer/sessions/{id}/capacity`: more places (the first in line take them) or fewer,
/// but never fewer than are already taken.
pub async fn capacity(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<CapacityForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    let changed = match parse_capacity(&form.capacity) {
        Ok(places) => match state.store.set_capacity(id, places).await {
            Ok(_) => Ok(()),
            Err(refusal @ farmgate_store::Error::Training(_)) => Err(Problem::from(refusal)),
            Err(other) => return Err(other.into()),
        },
        Err(invalid) => Err(Problem::from(invalid)),
    };
    match changed {
        Ok(()) => {
            audit(
                &state,
                &user,
                ip,
                ("roster-places", &session),
                form.capacity.trim().to_owned(),
            )
            .await;
            Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=capacity")).into_response())
        }
        Err(problem) => {
            let view = RosterView {
                other: EnrolForm::default(),
                notice: None,
                error: Some(&problem),
            };
            roster_page(&state, &user, c, csrf.0, id, view).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    trainee: i64,
}

/// `POST /trainer/sessions/{id}/withdraw`: takes someone off the roster (they told the trainer
/// they cannot come); the first in line takes the place.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    state.store.withdraw(id, form.trainee).await?;
    audit(
        &state,
        &user,
        ip,
        ("roster-removed", &session),
        format!("trainee {}", form.trainee),
    )
    .await;
    Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=removed")).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OtherForm {
    #[serde(flatten)]
    person: EnrolForm,
    /// Where to go back to: the roster (trainers) or the session page (station operators).
    #[serde(default)]
    back: String,
}

/// `POST /training/sessions/{id}/enrol-other`: a station operator or trainer enrols a villager
/// with a name and a phone number.
pub async fn enrol_other(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<OtherForm>,
) -> Result<Response, Problem> {
    let session = state.store.training_session(id).await?;
    let regions = state.store.all_regions().await?;
    let region = regions
        .iter()
        .find(|r| r.id == session.region_id)
        .ok_or(Problem::not_found())?;
    if !serves(&user, &ENROLLERS, &regions, &region.path) {
        return Err(Problem::not_found());
    }
    let to_roster = form.back == "roster" && serves(&user, &TEACHERS, &regions, &region.path);
    let parsed = parse_trainee(
        &state,
        &form.person,
        session.region_id,
        None,
        user.account.id,
    )
    .await;
    let parsed = parsed.and_then(|mut new| {
        if new.phone.is_none() {
            return Err(Problem::from(ValidationError::new(
                "phone",
                "phone-invalid",
            )));
        }
        new.station_id = None;
        Ok(new)
    });
    match parsed {
        Ok(mut new) => {
            new.station_id = station_of(&state, &user).await?;
            let trainee = state.store.find_or_add_trainee(new).await?;
            state
                .store
                .enrol(id, trainee.id, Some(user.account.id))
                .await?;
            let to = if to_roster {
                format!("/trainer/sessions/{id}?done=other")
            } else {
                format!("/training/sessions/{id}?done=other")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            if to_roster {
                roster_page(
                    &state,
                    &user,
                    c,
                    csrf.0,
                    id,
                    RosterView {
                        other: form.person,
                        notice: None,
                        error: Some(&problem),
                    },
                )
                .await
            } else {
                session_page(
                    &state,
                    Some(&user),
                    c,
                    csrf.0,
                    id,
                    SessionView {
                        form: EnrolForm::default(),
                        other: form.person,
                        notice: None,
                        error: Some(problem),
                        error_in: "o-",
                    },
                )
                .await
            }
        }
        Err(other) => Err(other),
    }
}

/// The station a station operator runs (the one at their grant's place), if any.
pub(super) async fn station_of(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Option<i64>, Problem> {
    let Some(grant) = user.grants.iter().find(|g| g.role == Role::StationOperator) else {
        return Ok(None);
    };
    let Some(region_id) = grant.region.ids().last() else {
        return Ok(None);
    };
    Ok(state
        .store
        .stations_within(&grant.region)
        .await?
        .into_iter()
        .find(|s| s.region_id == region_id)
        .map(|s| s.id))
}

/// Writes a trainer's change to session `session` to the audit log.
pub(super) async fn audit(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    (code, session): (&'static str, &TrainingSession),
    detail: String,
) {
    crate::audit::record(
        state,
        user,
        ip,
        crate::audit::Action {
            code,
            subject_kind: "training_session",
            subject_id: session.id,
            region_id: Some(session.region_id),
            detail,
        },
    )
    .await;
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    trainee: i64,
    #[serde(default)]
    login: String,
}

/// `POST /trainer/sessions/{id}/confirm`: the trainer, face to face with the villager, joins
/// the record made for them to the account they name (a typed phone number proves nothing;
/// this does). Recorded with who confirmed, in the record and the audit log.
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, Problem> {
    let (session, _) = taught_session(&state, &user, id).await?;
    if state.store.enrolment(id, form.trainee).await?.is_none() {
        return Err(Problem::not_found());
    }
    let unknown = || {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "account-unknown-or-taken")
            .with_field("login")
    };
    let login = farmgate_domain::accounts::LoginId::parse(&form.login).map_err(|_| unknown())?;
    let account = state
        .store
        .account_by_login(&login)
        .await?
        .ok_or_else(unknown)?;
    match state
        .store
        .confirm_trainee_in_person(form.trainee, account.id, user.account.id)
        .await
    {
        Ok(_) => {}
        // The villager named has a record of their own, or this one is someone's already.
        Err(farmgate_store::Error::Training(_)) => return Err(unknown()),
        Err(other) => return Err(other.into()),
    }
    audit(
        &state,
        &user,
        ip,
        ("trainee-confirmed", &session),
        format!("trainee {} → {}", form.trainee, login),
    )
    .await;
    Ok(Redirect::to(&format!("/trainer/sessions/{id}?done=confirmed")).into_response())
}
