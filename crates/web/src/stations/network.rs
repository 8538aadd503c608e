//! The county's network as its centre keeps it: the list of stations with their health and a
//! map drawn from their coordinates (no tiles: rural networks, no CDN), adding a station,
//! changing, pausing or reopening one, and naming the accounts that operate it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::authz::Role;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::stations::StationKind;
use farmgate_domain::text::{parse_text, parse_texts};
use farmgate_store::regions::Region;
use farmgate_store::stations::{NewStation, Station, StationDetails, StationOperator};
use serde::Deserialize;

use super::map::{MapDot, health_class, network_map};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::place_label;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Who keeps a county's network: its centre's staff, and administrators.
pub(super) const KEEPERS: [Role; 2] = [Role::CentreStaff, Role::Admin];

/// Stations listed per page.
const PAGE: usize = 50;

/// The region `user` keeps the network of, and its stations (paused and closed too).
pub(super) async fn network(
    state: &AppState,
    user: &CurrentUser,
) -> Result<(Region, Vec<Station>, Vec<Region>), Problem> {
    let county = user.home_region(state, &KEEPERS).await?;
    let stations = state.store.network_within(&county.path).await?;
    let regions = state.store.all_regions().await?;
    Ok((county, stations, regions))
}

/// Station `id`, if it lies in the network `user` keeps; a 404 otherwise.
pub(super) async fn kept(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Region, Station, Vec<Region>), Problem> {
    let (county, stations, regions) = network(state, user).await?;
    let station = stations
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(Problem::not_found())?;
    Ok((county, station, regions))
}

struct NetworkRow {
    id: i64,
    name: String,
    place: String,
    kind: String,
    /// Its state for the county: open and well, overdue parcels, idle, paused.
    health: String,
    health_class: &'static str,
    figures: String,
    /// Parcels handed out in each of the last four weeks, with where it is going.
    trend: String,
}

/// What the county needs to know about a station, worst first, and where that puts it in the
/// list: parcels overdue, cash not handed in, days not closed, idle; well; paused last.
fn health_flags(
    t: &Tr,
    s: &Station,
    h: &farmgate_store::stations::StationHealth,
    now: chrono::DateTime<chrono::Utc>,
) -> (u8, String) {
    if !s.active {
        return (9, t.get("network-paused"));
    }
    let mut flags = Vec::new();
    let mut rank = 5;
    if h.overdue > 0 {
        flags.push(t.arg("network-overdue", "count", h.overdue));
        rank = 0;
    }
    if h.cash_not_handed_in(now) {
        flags.push(t.arg("network-cash-held", "amount", h.cash_held.display_yuan()));
        rank = rank.min(1);
    }
    if h.days_unclosed > 0 {
        flags.push(t.arg("network-days-unclosed", "count", h.days_unclosed));
        rank = rank.min(2);
    }
    if h.idle(now) {
        flags.push(t.get("network-idle"));
        rank = rank.min(3);
    }
    if flags.is_empty() {
        flags.push(t.get("network-well"));
    }
    (rank, flags.join(" · "))
}

/// `12 · 30 · 25 · 40 ↑`: four weeks, oldest first, and the last week against the one before.
fn trend(weeks: &[i64; 4]) -> String {
    let arrow = match weeks[3].cmp(&weeks[2]) {
        std::cmp::Ordering::Greater => "↑",
        std::cmp::Ordering::Less => "↓",
        std::cmp::Ordering::Equal => "→",
    };
    let counts: Vec<String> = weeks.iter().map(i64::to_string).collect();
    format!("{} {arrow}", counts.join(" · "))
}

#[derive(Template)]
#[template(path = "stations/network.html")]
struct NetworkPage {
    c: Chrome,
    intro: String,
    rows: Vec<NetworkRow>,
    dots: Vec<MapDot>,
    /// (kind, label, chosen)
    kinds: Vec<(&'static str, String, bool)>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NetworkQuery {
    kind: String,
    page: usize,
}

/// `GET /centre/stations?kind=&page=`: the county's stations, worst health first, and the map.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<NetworkQuery>,
) -> Result<Response, Problem> {
    let (county, stations, regions) = network(&state, &user).await?;
    let now = chrono::Utc::now();
    let health = state.store.station_health(&stations, now).await?;
    let t = &c.t;
    let mut rows: Vec<(u8, NetworkRow)> = stations
        .iter()
        .zip(&health)
        .filter(|(s, _)| query.kind.is_empty() || s.kind.as_str() == query.kind)
        .map(|(s, h)| {
            let class = health_class(s, h, now);
            let (rank, label) = health_flags(t, s, h, now);
            let place = regions
                .iter()
                .find(|r| r.id == s.region_id)
                .map(|r| place_label(&regions, r, t.lang()))
                .unwrap_or_default();
            let row = NetworkRow {
                id: s.id,
                name: s.name(t.lang()).to_owned(),
                place,
                kind: t.get(&format!("station-kind-{}", s.kind.as_str())),
                health: label,
                health_class: class,
                figures: t.args2(
                    "network-figures",
                    ("shelf", h.on_shelf.into()),
                    ("week", h.handed_week.into()),
                ),
                trend: t.arg("network-trend", "weeks", trend(&h.weeks)),
            };
            (rank, row)
        })
        .collect();
    rows.sort_by_key(|(rank, _)| *rank);
    let total = rows.len();
    let rows: Vec<NetworkRow> = rows
        .into_iter()
        .skip(query.page * PAGE)
        .take(PAGE)
        .map(|(_, row)| row)
        .collect();
    let next = ((query.page + 1) * PAGE < total).then(|| {
        format!(
            "/centre/stations?kind={}&page={}",
            query.kind,
            query.page + 1
        )
    });
    let kinds = StationKind::ALL
        .iter()
        .map(|k| {
            let label = t.get(&format!("station-kind-{}", k.as_str()));
            (k.as_str(), label, query.kind == k.as_str())
        })
        .collect();
    let page = NetworkPage {
        intro: t.args2(
            "network-intro",
            ("county", county.name(t.lang()).into()),
            ("count", (stations.len() as i64).into()),
        ),
        dots: network_map(t, &regions, &county, &stations, &health, now),
        rows,
        kinds,
        next,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The station form as sent (and as shown again with its mistakes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StationForm {
    code: String,
    kind: String,
    place: String,
    name_zh: String,
    name_ug: String,
    name_en: String,
    address_zh: String,
    address_ug: String,
    address_en: String,
    phone: String,
    hours: String,
    pickup_fee: String,
    hold_days: String,
    latitude: String,
    longitude: String,
    population: String,
    collects_produce: String,
    status: String,
}

impl StationForm {
    fn of(station: &Station, regions: &[Region]) -> StationForm {
        let written = |t: &Option<String>| t.clone().unwrap_or_default();
        StationForm {
            code: station.code.clone(),
            kind: station.kind.as_str().to_owned(),
            place: regions
                .iter()
                .find(|r| r.id == station.region_id)
                .map(|r| r.code.as_str().to_owned())
                .unwrap_or_default(),
            name_zh: written(&station.names.zh),
            name_ug: written(&station.names.ug),
            name_en: written(&station.names.en),
            address_zh: written(&station.address.zh),
            address_ug: written(&station.address.ug),
            address_en: written(&station.address.en),
            phone: written(&station.phone),
            hours: written(&station.hours),
            pickup_fee: format!("{:.2}", station.pickup_fee.0 as f64 / 100.0),
            hold_days: station.hold_days.to_string(),
            latitude: station.latitude.map(|l| l.to_string()).unwrap_or_default(),
            longitude: station.longitude.map(|l| l.to_string()).unwrap_or_default(),
            population: station
                .population
                .map(|p| p.to_string())
                .unwrap_or_default(),
            collects_produce: if station.collects_produce { "on" } else { "" }.to_owned(),
            status: if station.active { "open" } else { "paused" }.to_owned(),
        }
    }
}

/// A new station's code: 3 to 64 letters, digits or dashes, in lower case.
pub(super) fn parse_code(typed: &str) -> Result<String, ValidationError> {
    let code = typed.trim().to_ascii_lowercase();
    let valid = (3..=64).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        Ok(code)
    } else {
        Err(ValidationError::new("code", "station-code-invalid"))
    }
}

/// A number typed in a field, or none when it was left empty.
fn optional<T: std::str::FromStr>(
    text: &str,
    field: &'static str,
    code: &'static str,
) -> Result<Option<T>, ValidationError> {
    match text.trim() {
        "" => Ok(None),
        typed => typed
            .parse()
            .map(Some)
            .map_err(|_| ValidationError::new(field, code)),
    }
}

/// The form's details for a station of `county`.
fn parse_details(
    form: &StationForm,
    county: &Region,
    regions: &[Region],
    t: &Tr,
) -> Result<StationDetails, ValidationError> {
    let kind = StationKind::parse(form.kind.trim())
        .ok_or(ValidationError::new("kind", "station-kind-invalid"))?;
    let place = regions
        .iter()
        .find(|r| r.code.as_str() == form.place.trim() && county.path.contains(&r.path))
        .ok_or(ValidationError::new("place", "region-invalid"))?;
    let names = parse_texts(
        [
            ("name_zh", &form.name_zh),
            ("name_ug", &form.name_ug),
            ("name_en", &form.name_en),
        ],
        96,
        Some(t.lang()),
    )?;
    let address = parse_texts(
        [
            ("address_zh", &form.address_zh),
            ("address_ug", &form.address_ug),
            ("address_en", &form.address_en),
        ],
        300,
        None,
    )?;
    let text = |field, typed: &str, max| {
        parse_text(field, typed, false, max).map(|t| Some(t).filter(|t| !t.is_empty()))
    };
    let pickup_fee = match form.pickup_fee.trim() {
        "" => farmgate_domain::money::Fen(0),
        typed => farmgate_domain::catalog::parse_yuan(typed)
            .map_err(|_| ValidationError::new("pickup_fee", "pickup-fee-invalid"))?,
    };
    Ok(StationDetails {
        region_id: place.id,
        kind,
        names,
        address,
        phone: text("phone", &form.phone, 20)?,
        hours: text("hours", &form.hours, 64)?,
        pickup_fee,
        hold_days: optional(&form.hold_days, "hold_days", "hold-days-invalid")?
            .unwrap_or(farmgate_domain::stations::DEFAULT_HOLD_DAYS),
        latitude: optional(&form.latitude, "latitude", "coordinates-invalid")?,
        longitude: optional(&form.longitude, "latitude", "coordinates-invalid")?,
        population: optional(&form.population, "population", "population-invalid")?,
        collects_produce: !form.collects_produce.trim().is_empty(),
        active: form.status != "paused",
    })
}

#[derive(Template)]
#[template(path = "stations/station_form.html")]
struct FormPage {
    c: Chrome,
    csrf: String,
    /// None for a new station.
    id: Option<i64>,
    form: StationForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, String)>,
    places: Vec<(String, String)>,
    operators: Vec<StationOperator>,
    notice: Option<String>,
}

/// The places of `county` a station can stand in: the county seat, townships and villages.
fn places(regions: &[Region], county: &Region, t: &Tr) -> Vec<(String, String)> {
    let mut places: Vec<(String, String)> = regions
        .iter()
        .filter(|r| county.path.contains(&r.path))
        .filter(|r| {
            matches!(
                r.level,
                RegionLevel::County | RegionLevel::Township | RegionLevel::Village
            )
        })
        .map(|r| {
            (
                r.code.as_str().to_owned(),
                place_label(regions, r, t.lang()),
            )
        })
        .collect();
    places.sort_by(|a, b| a.1.cmp(&b.1));
    places
}

struct Shown<'a> {
    id: Option<i64>,
    form: StationForm,
    problem: Option<&'a Problem>,
    notice: Option<String>,
}

async fn form_page(
    state: &AppState,
    c: Chrome,
    csrf: String,
    (county, regions): (&Region, &[Region]),
    shown: Shown<'_>,
) -> Result<Response, Problem> {
    let t = &c.t;
    let operators = match shown.id {
        Some(id) => state.store.station_operators(id).await?,
        None => Vec::new(),
    };
    let status = shown.problem.map_or(StatusCode::OK, |p| p.status);
    let page = FormPage {
        errors: shown
            .problem
            .map_or_else(FormErrors::none, |p| FormErrors::of_problem(t, p)),
        kinds: StationKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("station-kind-{}", k.as_str()))))
            .collect(),
        places: places(regions, county, t),
        id: shown.id,
        form: shown.form,
        notice: shown.notice,
        operators,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /centre/stations/new`
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
) -> Result<Response, Problem> {
    let (county, _, regions) = network(&state, &user).await?;
    let form = StationForm {
        kind: "village".to_owned(),
        hold_days: farmgate_domain::stations::DEFAULT_HOLD_DAYS.to_string(),
        status: "open".to_owned(),
        ..StationForm::default()
    };
    let shown = Shown {
        id: None,
        form,
        problem: None,
        notice: None,
    };
    form_page(&state, c, csrf.0, (&county, &regions), shown).await
}

/// `POST /centre/stations`: adds a station to the county.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<StationForm>,
) -> Result<Response, Problem> {
    let (county, _, regions) = network(&state, &user).await?;
    let added = match parse_details(&form, &county, &regions, &c.t) {
        Ok(details) => match parse_code(&form.code) {
            Ok(code) => state
                .store
                .add_station(NewStation { code, details })
                .await
                .map_err(Problem::from),
            Err(invalid) => Err(invalid.into()),
        },
        Err(invalid) => Err(invalid.into()),
    };
    match added {
        Ok(station) => {
            audit(&state, &user, ip, &station, "station-added").await;
            Ok(
                Redirect::to(&format!("/centre/stations/{}/edit?saved=1", station.id))
                    .into_response(),
            )
        }
        Err(problem) if problem.status.is_client_error() => {
            let shown = Shown {
                id: None,
                form,
                problem: Some(&problem),
                notice: None,
            };
            form_page(&state, c, csrf.0, (&county, &regions), shown).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<u8>,
}

/// `GET /centre/stations/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let (county, station, regions) = kept(&state, &user, id).await?;
    let shown = Shown {
        id: Some(id),
        form: StationForm::of(&station, &regions),
        problem: None,
        notice: query.saved.map(|_| c.t.get("network-saved")),
    };
    form_page(&state, c, csrf.0, (&county, &regions), shown).await
}

/// `POST /centre/stations/{id}`: changes, pauses or reopens a station (its code stays).
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<StationForm>,
) -> Result<Response, Problem> {
    let (county, station, regions) = kept(&state, &user, id).await?;
    let changed = match parse_details(&form, &county, &regions, &c.t) {
        Ok(details) => state
            .store
            .update_station(id, details)
            .await
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match changed {
        Ok(station) => {
            audit(&state, &user, ip, &station, "station-changed").await;
            Ok(Redirect::to(&format!("/centre/stations/{id}/edit?saved=1")).into_response())
        }
        Err(problem) if problem.status.is_client_error() => {
            let form = StationForm {
                code: station.code,
                ..form
            };
            let shown = Shown {
                id: Some(id),
                form,
                problem: Some(&problem),
                notice: None,
            };
            form_page(&state, c, csrf.0, (&county, &regions), shown).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OperatorForm {
    login: String,
}

/// `POST /centre/stations/{id}/operators`: names an account (by its login) an operator of the
/// station; it is granted the operator's role at the station's place.
pub async fn add_operator(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<OperatorForm>,
) -> Result<Response, Problem> {
    let (county, station, regions) = kept(&state, &user, id).await?;
    let found = match farmgate_domain::accounts::LoginId::parse(&form.login) {
        Ok(login) => state.store.account_by_login(&login).await?,
        Err(_) => None,
    };
    let Some(account) = found else {
        let problem = Problem::from(ValidationError::new("login", "operator-unknown"));
        let shown = Shown {
            id: Some(id),
            form: StationForm::of(&station, &regions),
            problem: Some(&problem),
            notice: None,
        };
        return form_page(&state, c, csrf.0, (&county, &regions), shown).await;
    };
    state
        .store
        .add_station_operator(id, account.id, Some(user.account.id))
        .await?;
    state
        .store
        .grant_role(
            account.id,
            Role::StationOperator,
            station.region_id,
            Some(user.account.id),
        )
        .await?;
    let changed = farmgate_store::live::Forget::Account { id: account.id };
    state.hot.forget(&state.live, changed).await;
    audit(&state, &user, ip, &station, "station-operator-added").await;
    Ok(Redirect::to(&format!("/centre/stations/{id}/edit?saved=1")).into_response())
}

/// `POST /centre/stations/{id}/operators/{account}/remove`
pub async fn remove_operator(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path((id, account)): Path<(i64, i64)>,
) -> Result<Response, Problem> {
    let (_, station, _) = kept(&state, &user, id).await?;
    state.store.remove_station_operator(id, account).await?;
    audit(&state, &user, ip, &station, "station-operator-removed").await;
    Ok(Redirect::to(&format!("/centre/stations/{id}/edit?saved=1")).into_response())
}

async fn audit(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    station: &Station,
    code: &'static str,
) {
    crate::audit::record(
        state,
        user,
        ip,
        crate::audit::Action {
            code,
            subject_kind: "station",
            subject_id: station.id,
            region_id: Some(station.region_id),
            detail: station.code.clone(),
        },
    )
    .await;
}
