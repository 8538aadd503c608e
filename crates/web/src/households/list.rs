//! The county's households: listed by head's name (paged; by village, name and whether they
//! are still registered), each with its village, members, years and links; and the form that
//! registers one with its head (the other members are added on the household's page).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::households::income::Standing;
use farmgate_domain::households::{IdNumber, Relation};
use farmgate_domain::regions::RegionLevel;
use farmgate_store::households::{Household, HouseholdDetails, HouseholdFilter, NewMember};
use farmgate_store::regions::Region;
use serde::Deserialize;

use super::{County, county, keeper};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::{VillageOption, village_options};
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Households listed per page.
const PAGE: u64 = 30;

/// The county's villages, and the options to choose one.
pub(super) async fn villages(
    state: &AppState,
    county: &County,
    t: &Tr,
) -> Result<(Vec<Region>, Vec<VillageOption>), Problem> {
    let regions: Vec<Region> = state
        .store
        .all_regions()
        .await?
        .into_iter()
        .filter(|r| county.region.path.contains(&r.path))
        .collect();
    let options = village_options(&regions, t.lang());
    Ok((regions, options))
}

/// The village `code` names among `regions`, as the `village` field's mistake otherwise.
pub(super) fn village_id(regions: &[Region], code: &str) -> Result<i64, ValidationError> {
    regions
        .iter()
        .find(|r| r.level == RegionLevel::Village && r.code.as_str() == code.trim())
        .map(|r| r.id)
        .ok_or(ValidationError::new("village", "household-village-invalid"))
}

/// A year typed in a form: empty is none.
pub(super) fn year(typed: &str, field: &'static str) -> Result<Option<i32>, ValidationError> {
    match typed.trim() {
        "" => Ok(None),
        text => text
            .parse()
            .map(Some)
            .map_err(|_| ValidationError::new(field, "household-year-invalid")),
    }
}

/// A phone typed in a form: empty is none.
pub(super) fn phone(typed: &str) -> Result<Option<String>, ValidationError> {
    match typed.trim() {
        "" => Ok(None),
        text => PhoneNumber::parse(text)
            .map(|p| Some(p.as_str().to_owned()))
            .map_err(|_| ValidationError::new("phone", "phone-invalid")),
    }
}

/// The register form as sent (and shown again with its mistakes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    county: String,
    head_name: String,
    id_number: String,
    phone: String,
    village: String,
    registered_year: String,
    lifted_year: String,
    note: String,
}

impl RegisterForm {
    fn parse(&self, regions: &[Region]) -> Result<(HouseholdDetails, NewMember), ValidationError> {
        let head = NewMember {
            name: farmgate_domain::households::person_name(&self.head_name, "head_name")?,
            relation: Relation::Head,
            id_number: IdNumber::parse(&self.id_number)?,
            phone: phone(&self.phone)?,
        };
        let details = HouseholdDetails {
            village_id: village_id(regions, &self.village)?,
            registered_year: year(&self.registered_year, "registered_year")?.ok_or(
                ValidationError::new("registered_year", "household-year-invalid"),
            )?,
            lifted_year: year(&self.lifted_year, "lifted_year")?,
            note: self.note.clone(),
        };
        Ok((details, head))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    county: String,
    village: String,
    q: String,
    /// `registered` (not lifted out yet), `all`, `falling` (lifted out, below the line over
    /// the last twelve months), or `removed` (taken off the register).
    show: String,
    /// `name` (the head's), or `progress` (nearest the line first).
    sort: String,
    page: u64,
    saved: Option<u8>,
}

struct Row {
    id: i64,
    head: String,
    place: String,
    figures: String,
    lifted: bool,
    active: bool,
    standing: String,
    below: bool,
}

#[derive(Template)]
#[template(path = "households/list.html")]
struct ListPage {
    c: Chrome,
    csrf: String,
    county: String,
    intro: String,
    keeper: bool,
    rows: Vec<Row>,
    villages: Vec<VillageOption>,
    village: String,
    q: String,
    show: String,
    sort: String,
    next: Option<String>,
    form: RegisterForm,
    errors: FormErrors,
    notice: Option<String>,
}

fn row(t: &Tr, regions: &[Region], h: &Household, standing: Option<&Standing>) -> Row {
    let place = regions
        .iter()
        .find(|r| r.id == h.village_id)
        .map(|v| v.name(t.lang()).to_owned())
        .unwrap_or_default();
    let years = match h.lifted_year {
        Some(lifted) => t.args2(
            "household-years-lifted",
            ("registered", h.registered_year.into()),
            ("lifted", lifted.into()),
        ),
        None => t.arg("household-years", "registered", h.registered_year),
    };
    Row {
        id: h.id,
        head: h.head_name.clone(),
        place,
        figures: format!(
            "{} · {} · {}",
            t.arg("household-members-count", "count", h.members.len() as i64),
            years,
            t.arg("household-links-count", "count", h.links.len() as i64)
        ),
        lifted: h.lifted_year.is_some(),
        active: h.active,
        standing: standing.map_or_else(String::new, |s| super::income::standing_text(t, s)),
        below: standing.is_some_and(|s| !s.above()),
    }
}

/// The most households sorted or filtered by their income at once (a county's register).
const BY_INCOME_MAX: u64 = 5000;

/// The page's households, how many match, and where each stands. Sorting by progress and
/// finding those falling back read the ledger of every household that matches.
async fn listed(
    state: &AppState,
    county: &County,
    filter: &HouseholdFilter,
    query: &ListQuery,
) -> Result<(Vec<Household>, u64, HashMap<i64, Standing>), Problem> {
    let store = &state.store;
    if query.sort != "progress" && query.show != "falling" {
        let (listed, total) = store
            .households(county.region.id, filter, (query.page, PAGE))
            .await?;
        let standings =
            super::income::standings(state, county.region.id, &listed.iter().collect::<Vec<_>>())
                .await?;
        return Ok((listed, total, standings));
    }
    let (mut all, _) = store
        .households(county.region.id, filter, (0, BY_INCOME_MAX))
        .await?;
    let standings =
        super::income::standings(state, county.region.id, &all.iter().collect::<Vec<_>>()).await?;
    if query.show == "falling" {
        all.retain(|h| standings.get(&h.id).is_some_and(|s| !s.above()));
    }
    if query.sort == "progress" {
        all.sort_by_key(|h| std::cmp::Reverse(standings.get(&h.id).map_or(0, |s| s.percent())));
    }
    let total = all.len() as u64;
    let page = all
        .into_iter()
        .skip((query.page * PAGE) as usize)
        .take(PAGE as usize)
        .collect();
    Ok((page, total, standings))
}

async fn page(
    state: &AppState,
    (c, csrf): (Chrome, String),
    county: &County,
    (query, form): (ListQuery, RegisterForm),
    problem: Option<&Problem>,
) -> Result<Response, Problem> {
    let t = &c.t;
    let (regions, villages) = villages(state, county, t).await?;
    let filter = HouseholdFilter {
        village_id: village_id(&regions, &query.village).ok(),
        name: Some(query.q.clone()),
        not_lifted: query.show.is_empty() || query.show == "registered",
        lifted_only: query.show == "falling",
        include_inactive: query.show == "removed",
    };
    let (listed, total, standings) = listed(state, county, &filter, &query).await?;
    let rows = listed
        .iter()
        .filter(|h| query.show != "removed" || !h.active)
        .map(|h| row(t, &regions, h, standings.get(&h.id)))
        .collect();
    let next = ((query.page + 1) * PAGE < total).then(|| {
        format!(
            "/centre/households?county={}&village={}&q={}&show={}&sort={}&page={}",
            county.region.code.as_str(),
            query.village,
            urlencoding(&query.q),
            query.show,
            query.sort,
            query.page + 1
        )
    });
    let page = ListPage {
        csrf,
        county: county.region.code.as_str().to_owned(),
        intro: t.args2(
            "households-intro",
            ("county", county.region.name(t.lang()).into()),
            ("count", (total as i64).into()),
        ),
        keeper: county.keeper,
        rows,
        villages,
        village: query.village,
        q: query.q,
        show: query.show,
        sort: query.sort,
        next,
        form,
        errors: problem.map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        notice: query.saved.map(|_| t.get("household-saved")),
        c,
    };
    Ok(render(problem.map_or(StatusCode::OK, |p| p.status), &page))
}

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "households/counties.html")]
struct CountiesPage {
    c: Chrome,
    counties: Vec<(String, String)>,
}

/// `GET /centre/households?county=&village=&q=&show=&page=`: the county's households; for
/// someone who works above counties, the counties to choose from first.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let home = user.home_region(&state, &super::READERS).await?;
    if home.level != RegionLevel::County && query.county.is_empty() {
        let counties = state
            .store
            .all_regions()
            .await?
            .into_iter()
            .filter(|r| r.level == RegionLevel::County && home.path.contains(&r.path))
            .map(|r| (r.code.as_str().to_owned(), r.name(c.t.lang()).to_owned()))
            .collect();
        return Ok(render(StatusCode::OK, &CountiesPage { c, counties }));
    }
    let county = county(&state, &user, &query.county).await?;
    let form = RegisterForm {
        registered_year: chrono::Utc::now().year().to_string(),
        ..RegisterForm::default()
    };
    page(&state, (c, csrf.0), &county, (query, form), None).await
}

/// `POST /centre/households`: registers a household with its head.
pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<RegisterForm>,
) -> Result<Response, Problem> {
    let county = county(&state, &user, &form.county).await?;
    keeper(&county)?;
    let (regions, _) = villages(&state, &county, &c.t).await?;
    let registered = match form.parse(&regions) {
        Ok((details, head)) => state
            .store
            .register_household(
                &state.ids,
                (county.region.id, &details),
                &[head],
                (user.account.id, chrono::Utc::now()),
            )
            .await
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match registered {
        Ok(household) => Ok(
            Redirect::to(&format!("/centre/households/{}?saved=1", household.id)).into_response(),
        ),
        Err(problem) if problem.status.is_client_error() => {
            let problem = super::page::id_conflict(problem);
            let query = ListQuery {
                county: form.county.clone(),
                ..ListQuery::default()
            };
            page(&state, (c, csrf.0), &county, (query, form), Some(&problem)).await
        }
        Err(other) => Err(other),
    }
}
