//! A household's page: its details (changed by the county's centre staff, or the household
//! taken off the register and put back), its members with their identity numbers masked (centre
//! staff may see one whole: each view is written to the audit log), members added and removed,
//! and what earns for it (a shop with the household's share, a station, a tricycle), linked and
//! unlinked.

use std::net::IpAddr;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::mask_phone;
use farmgate_domain::households::{IdNumber, LinkKind, Relation};
use farmgate_store::households::{Household, HouseholdDetails, NewMember};
use serde::Deserialize;

use super::list::{phone, village_id, villages, year};
use super::{County, household_of, keeper, reach};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::VillageOption;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// A person registered twice, or a link made twice, said in the register's words.
pub(super) fn id_conflict(problem: Problem) -> Problem {
    match (problem.code, problem.field) {
        ("conflict", Some("id_number")) => {
            Problem::new(StatusCode::CONFLICT, "household-id-registered").with_field("id_number")
        }
        ("conflict", Some("target")) => {
            Problem::new(StatusCode::CONFLICT, "household-link-exists").with_field("target")
        }
        _ => problem,
    }
}

/// Every form on the page (one at a time is sent; the others are shown empty).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HouseholdForm {
    village: String,
    registered_year: String,
    lifted_year: String,
    note: String,
    name: String,
    relation: String,
    id_number: String,
    phone: String,
    kind: String,
    target: String,
    share: String,
    active: String,
}

struct MemberRow {
    id: i64,
    name: String,
    relation: String,
    id_shown: String,
    revealed: bool,
    phone: String,
    head: bool,
    account: bool,
}

struct LinkRow {
    id: i64,
    line: String,
}

#[derive(Template)]
#[template(path = "households/page.html")]
struct HouseholdPage {
    c: Chrome,
    csrf: String,
    id: i64,
    head: String,
    about: String,
    active: bool,
    keeper: bool,
    members: Vec<MemberRow>,
    links: Vec<LinkRow>,
    villages: Vec<VillageOption>,
    relations: Vec<(&'static str, String)>,
    targets: Vec<(String, String)>,
    form: HouseholdForm,
    errors: FormErrors,
    notice: Option<String>,
    summary: super::income::Summary,
}

/// What may earn for a household of the county, as `kind:id` options: its shops, stations and
/// the tricycles of its depots.
async fn targets(
    state: &AppState,
    county: &County,
    t: &Tr,
) -> Result<Vec<(String, String)>, Problem> {
    let (regions, _) = villages(state, county, t).await?;
    let village_ids: Vec<i64> = regions.iter().map(|r| r.id).collect();
    let mut options = Vec::new();
    for shop in state.store.shops_in_villages(&village_ids).await? {
        let label = t.arg(
            "household-link-shop",
            "name",
            shop.name_in(t.lang()).to_owned(),
        );
        options.push((format!("shop:{}", shop.id), label));
    }
    for station in state.store.network_within(&county.region.path).await? {
        let label = t.arg(
            "household-link-station",
            "name",
            station.name(t.lang()).to_owned(),
        );
        options.push((format!("station:{}", station.id), label));
    }
    for depot in state.store.depots_within(&county.region.path).await? {
        for v in state.store.vehicles(depot.id, true).await? {
            let label = t.arg("household-link-vehicle", "name", v.code.clone());
            options.push((format!("vehicle:{}", v.id), label));
        }
    }
    Ok(options)
}

fn member_rows(
    t: &Tr,
    household: &Household,
    keeper: bool,
    revealed: Option<(i64, &IdNumber)>,
) -> Vec<MemberRow> {
    household
        .members
        .iter()
        .map(|m| {
            let whole = revealed
                .filter(|(id, _)| *id == m.id)
                .map(|(_, n)| n.as_str());
            MemberRow {
                id: m.id,
                name: m.name.clone(),
                relation: t.get(&format!("household-relation-{}", m.relation.as_str())),
                id_shown: whole.unwrap_or(&m.id_masked).to_owned(),
                revealed: whole.is_some(),
                phone: m
                    .phone
                    .as_deref()
                    .map(|p| if keeper { p.to_owned() } else { mask_phone(p) })
                    .unwrap_or_default(),
                head: m.relation == Relation::Head,
                account: m.account_id.is_some(),
            }
        })
        .collect()
}

struct Shown<'a> {
    form: Option<HouseholdForm>,
    problem: Option<&'a Problem>,
    revealed: Option<(i64, &'a IdNumber)>,
    notice: Option<String>,
}

async fn show_page(
    state: &AppState,
    (c, csrf): (Chrome, String),
    (county, household): (&County, &Household),
    shown: Shown<'_>,
) -> Result<Response, Problem> {
    let t = &c.t;
    let (regions, villages) = villages(state, county, t).await?;
    let village = regions.iter().find(|r| r.id == household.village_id);
    let targets = targets(state, county, t).await?;
    let (summary, _) = super::income::summary(state, t, county, household).await?;
    let links = household
        .links
        .iter()
        .map(|l| {
            let key = format!("{}:{}", l.kind.as_str(), l.target_id);
            let label = targets
                .iter()
                .find(|(k, _)| *k == key)
                .map_or_else(|| key.clone(), |(_, label)| label.clone());
            LinkRow {
                id: l.id,
                line: t.args2(
                    "household-link-line",
                    ("what", label.into()),
                    ("share", l.share_percent.into()),
                ),
            }
        })
        .collect();
    let form = shown.form.unwrap_or_else(|| HouseholdForm {
        village: village
            .map(|v| v.code.as_str().to_owned())
            .unwrap_or_default(),
        registered_year: household.registered_year.to_string(),
        lifted_year: household
            .lifted_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
        note: household.note.clone(),
        share: "100".into(),
        ..HouseholdForm::default()
    });
    let page = HouseholdPage {
        csrf,
        id: household.id,
        head: household.head_name.clone(),
        about: t.args(
            "household-summary",
            [
                (
                    "village",
                    village
                        .map(|v| v.name(t.lang()).to_owned())
                        .unwrap_or_default()
                        .into(),
                ),
                ("registered", household.registered_year.into()),
                ("members", (household.members.len() as i64).into()),
            ],
        ),
        active: household.active,
        keeper: county.keeper,
        members: member_rows(t, household, county.keeper, shown.revealed),
        links,
        villages,
        relations: Relation::ALL
            .iter()
            .filter(|r| **r != Relation::Head)
            .map(|r| {
                (
                    r.as_str(),
                    t.get(&format!("household-relation-{}", r.as_str())),
                )
            })
            .collect(),
        targets,
        form,
        errors: shown
            .problem
            .map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        notice: shown.notice,
        summary,
        c,
    };
    let status = shown.problem.map_or(StatusCode::OK, |p| p.status);
    Ok(render(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    saved: Option<u8>,
}

/// `GET /centre/households/{id}`.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<PageQuery>,
) -> Result<Response, Problem> {
    let (county, household) = reach(&state, &user, id).await?;
    let notice = query.saved.map(|_| c.t.get("household-saved"));
    let shown = Shown {
        form: None,
        problem: None,
        revealed: None,
        notice,
    };
    show_page(&state, (c, csrf.0), (&county, &household), shown).await
}

/// Answers a change: back to the page when it took, the page with the mistake when not.
async fn answer(
    state: &AppState,
    (c, csrf): (Chrome, String),
    (county, id): (&County, i64),
    (form, done): (HouseholdForm, Result<(), Problem>),
) -> Result<Response, Problem> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/centre/households/{id}?saved=1")).into_response()),
        Err(problem)
            if problem.status.is_client_error() && problem.status != StatusCode::NOT_FOUND =>
        {
            let problem = id_conflict(problem);
            let household = household_of(state, county, id).await?;
            let shown = Shown {
                form: Some(form),
                problem: Some(&problem),
                revealed: None,
                notice: None,
            };
            show_page(state, (c, csrf), (county, &household), shown).await
        }
        Err(other) => Err(other),
    }
}

async fn kept_county(state: &AppState, user: &CurrentUser, id: i64) -> Result<County, Problem> {
    let (county, _) = reach(state, user, id).await?;
    keeper(&county)?;
    Ok(county)
}

/// `POST /centre/households/{id}`: its village, years and note.
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<HouseholdForm>,
) -> Result<Response, Problem> {
    let county = kept_county(&state, &user, id).await?;
    let (regions, _) = villages(&state, &county, &c.t).await?;
    let details = (|| -> Result<HouseholdDetails, ValidationError> {
        Ok(HouseholdDetails {
            village_id: village_id(&regions, &form.village)?,
            registered_year: year(&form.registered_year, "registered_year")?.ok_or(
                ValidationError::new("registered_year", "household-year-invalid"),
            )?,
            lifted_year: year(&form.lifted_year, "lifted_year")?,
            note: form.note.clone(),
        })
    })();
    let done = match details {
        Ok(details) => state
            .store
            .update_household(county.region.id, id, &details, chrono::Utc::now())
            .await
            .map(|_| ())
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    answer(&state, (c, csrf.0), (&county, id), (form, done)).await
}

/// `POST /centre/households/{id}/active` (`active=0` or `1`).
pub async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<HouseholdForm>,
) -> Result<Response, Problem> {
    let county = kept_county(&state, &user, id).await?;
    let done = state
        .store
        .set_household_active(county.region.id, id, form.active == "1", chrono::Utc::now())
        .await
        .map_err(Problem::from);
    answer(&state, (c, csrf.0), (&county, id), (form, done)).await
}

/// `POST /centre/households/{id}/members`: a member other than the head.
pub async fn add_member(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<HouseholdForm>,
) -> Result<Response, Problem> {
    let county = kept_county(&state, &user, id).await?;
    let member = (|| -> Result<NewMember, ValidationError> {
        Ok(NewMember {
            name: farmgate_domain::households::person_name(&form.name, "name")?,
            relation: Relation::parse(form.relation.trim()).ok_or(ValidationError::new(
                "relation",
                "household-relation-invalid",
            ))?,
            id_number: IdNumber::parse(&form.id_number)?,
            phone: phone(&form.phone)?,
        })
    })();
    let done = match member {
        Ok(member) => state
            .store
            .add_member(
                &state.ids,
                (county.region.id, id),
                &member,
                chrono::Utc::now(),
            )
            .await
            .map(|_| ())
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    answer(&state, (c, csrf.0), (&county, id), (form, done)).await
}

/// `POST /centre/households/{id}/members/{member}/remove`.
pub async fn remove_member(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path((id, member)): Path<(i64, i64)>,
) -> Result<Response, Problem> {
    let county = kept_county(&state, &user, id).await?;
    let done = state
        .store
        .remove_member((county.region.id, id), member)
        .await
        .map_err(Problem::from);
    answer(
        &state,
        (c, csrf.0),
        (&county, id),
        (HouseholdForm::default(), done),
    )
    .await
}

/// `POST /centre/households/{id}/members/{member}/reveal`: the whole identity number, to the
/// county's centre staff only, written to the audit log.
pub async fn reveal(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path((id, member)): Path<(i64, i64)>,
) -> Result<Response, Problem> {
    let (county, household) = reach(&state, &user, id).await?;
    keeper(&county)?;
    let number = state
        .store
        .member_id_number(&state.ids, (county.region.id, id), member)
        .await?;
    audit_view(&state, &user, ip, (&household, member)).await;
    let shown = Shown {
        form: None,
        problem: None,
        revealed: Some((member, &number)),
        notice: None,
    };
    show_page(&state, (c, csrf.0), (&county, &household), shown).await
}

async fn audit_view(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    (h, member): (&Household, i64),
) {
    let action = crate::audit::Action {
        code: "household-id-viewed",
        subject_kind: "household_member",
        subject_id: member,
        region_id: Some(h.village_id),
        detail: format!("household {}", h.id),
    };
    crate::audit::record(state, user, ip, action).await;
}

/// `POST /centre/households/{id}/links`: `target` is `kind:id` from the page's options.
pub async fn link(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<HouseholdForm>,
) -> Result<Response, Problem> {
    let county = kept_county(&state, &user, id).await?;
    let options = targets(&state, &county, &c.t).await?;
    let chosen = options
        .iter()
        .find(|(key, _)| *key == form.target.trim())
        .and_then(|(key, _)| {
            let (kind, target) = key.split_once(':')?;
            Some((LinkKind::parse(kind)?, target.parse::<i64>().ok()?))
        })
        .ok_or(ValidationError::new("target", "household-target-invalid"));
    let share = form
        .share
        .trim()
        .parse::<i32>()
        .map_err(|_| ValidationError::new("share", "household-share-invalid"));
    let done = match (chosen, share) {
        (Ok((kind, target)), Ok(share)) => state
            .store
            .link_household(
                (county.region.id, id),
                (kind, target, share),
                (user.account.id, chrono::Utc::now()),
            )
            .await
            .map(|_| ())
            .map_err(Problem::from),
        (Err(invalid), _) | (_, Err(invalid)) => Err(invalid.into()),
    };
    answer(&state, (c, csrf.0), (&county, id), (form, done)).await
}

/// `POST /centre/households/{id}/links/{link}/remove`.
pub async fn unlink(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path((id, link)): Path<(i64, i64)>,
) -> Result<Response, Problem> {
    let county = kept_county(&state, &user, id).await?;
    let done = state
        .store
        .unlink_household((county.region.id, id), link)
        .await
        .map_err(Problem::from);
    answer(
        &state,
        (c, csrf.0),
        (&county, id),
        (HouseholdForm::default(), done),
    )
    .await
}
