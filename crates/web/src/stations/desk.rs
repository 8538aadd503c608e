//! The station operator's parcels: what is on its way (received by scanning or typing its
//! label: a keyboard-wedge scanner types and presses Enter), and what waits on the shelf (handed
//! over against the buyer's six-digit code, with the cash to take). One page at 390 px.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::authz::Role;
use farmgate_domain::orders::OrderEvent;
use farmgate_domain::stations::{ParcelLabel, ParcelStatus, PickupCode};
use farmgate_store::stations::{Station, StationParcel};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Who works a station's parcels: its operators, and administrators.
const OPERATORS: [Role; 2] = [Role::StationOperator, Role::Admin];

/// Parcels shown per list; the rest on the next page.
const PAGE: u64 = 50;

/// The stations `user` operates: every open station within their operator grant's region.
pub(crate) async fn operated(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<Station>, Problem> {
    let region = user.home_region(state, &OPERATORS).await?;
    Ok(state.store.stations_within(&region.path).await?)
}

/// The station asked for (the first when none is), if `user` operates it; a 404 otherwise.
pub(crate) async fn chosen(
    state: &AppState,
    user: &CurrentUser,
    asked: Option<i64>,
) -> Result<(Station, Vec<Station>), Problem> {
    let stations = operated(state, user).await?;
    let station = match asked {
        Some(id) => stations.iter().find(|s| s.id == id),
        None => stations.first(),
    }
    .cloned()
    .ok_or(Problem::not_found())?;
    Ok((station, stations))
}

struct ParcelLine {
    id: i64,
    label: String,
    /// How long it has waited (on the shelf) or when it was sent (on its way).
    when: String,
    overdue: Option<String>,
    /// What to take when handing it over, or that it was paid online.
    money: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "stations/parcels.html")]
struct ParcelsPage {
    c: Chrome,
    csrf: String,
    intro: String,
    station_id: i64,
    /// (id, name, chosen) when the operator has several stations.
    stations: Vec<(i64, String, bool)>,
    notice: Option<String>,
    errors: FormErrors,
    typed: String,
    expected: Vec<ParcelLine>,
    shelf: Vec<ParcelLine>,
    /// The centre's runs on their way here, with the code to show their drivers.
    coming: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeskQuery {
    station: Option<i64>,
    done: String,
    label: String,
    amount: String,
}

/// A mistake to show: on the receive form, or beside one parcel's code.
enum Mistake<'a> {
    None,
    Receive(&'a Problem, String),
    HandOver(i64, &'a Problem),
}

async fn line(
    state: &AppState,
    t: &Tr,
    station: &Station,
    parcel: &StationParcel,
) -> Result<ParcelLine, Problem> {
    let now = chrono::Utc::now();
    let order = match parcel.order_id {
        Some(id) => Some(state.store.order(id).await?),
        None => None,
    };
    let bought_for = match parcel.order_id {
        Some(id) => state.store.villager_order(id).await?,
        None => None,
    };
    let money = match (&order, bought_for) {
        (Some(_), Some(v)) => t.arg(
            "station-villager-paid",
            "name",
            crate::format::isolate(&v.villager_name),
        ),
        (Some(o), None) if o.payment == farmgate_domain::orders::PaymentMethod::Cash => {
            t.arg("station-cash-due", "amount", o.total.display_yuan())
        }
        (Some(_), None) => t.get("station-paid-online"),
        (None, _) => String::new(),
    };
    let when = match parcel.received_at {
        Some(at) => t.arg("station-waiting-days", "days", (now - at).num_days()),
        None => crate::format::china_time(parcel.expected_at),
    };
    Ok(ParcelLine {
        id: parcel.id,
        label: parcel.label.clone(),
        when,
        overdue: parcel
            .overdue(station.hold_days, now)
            .then(|| t.arg("station-overdue", "days", i64::from(station.hold_days))),
        money,
        error: None,
    })
}

async fn desk_page(
    state: &AppState,
    c: Chrome,
    csrf: String,
    (station, stations): (Station, Vec<Station>),
    notice: Option<String>,
    mistake: Mistake<'_>,
) -> Result<Response, Problem> {
    let t = &c.t;
    let mut lists = Vec::new();
    for status in [ParcelStatus::Expected, ParcelStatus::Received] {
        let mut lines = Vec::new();
        for parcel in state
            .store
            .station_parcels(&[station.id], status, None, PAGE)
            .await?
        {
            lines.push(line(state, t, &station, &parcel).await?);
        }
        lists.push(lines);
    }
    let shelf = lists.pop().unwrap_or_default();
    let expected = lists.pop().unwrap_or_default();
    let coming = state
        .store
        .stops_coming(&[station.id])
        .await?
        .into_iter()
        .map(|stop| {
            t.args(
                "station-run-coming",
                [
                    ("when", crate::format::china_time(stop.expected_at).into()),
                    ("count", i64::from(stop.parcels).into()),
                    ("code", stop.handover_code.into()),
                ],
            )
        })
        .collect();
    let (status, errors, typed, shelf) = match mistake {
        Mistake::None => (StatusCode::OK, FormErrors::none(), String::new(), shelf),
        Mistake::Receive(problem, typed) => (
            problem.status,
            FormErrors::of_problem(t, problem),
            typed,
            shelf,
        ),
        Mistake::HandOver(id, problem) => {
            let message = problem.message(t);
            let shelf = shelf
                .into_iter()
                .map(|mut l| {
                    if l.id == id {
                        l.error = Some(message.clone());
                    }
                    l
                })
                .collect();
            (problem.status, FormErrors::none(), String::new(), shelf)
        }
    };
    let page = ParcelsPage {
        intro: t.arg("station-parcels-intro", "station", station.name(t.lang())),
        station_id: station.id,
        stations: if stations.len() > 1 {
            stations
                .iter()
                .map(|s| (s.id, s.name(t.lang()).to_owned(), s.id == station.id))
                .collect()
        } else {
            Vec::new()
        },
        notice,
        errors,
        typed,
        expected,
        shelf,
        coming,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /station/parcels?station=`: the operator's parcels at one of their stations.
pub async fn parcels(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<DeskQuery>,
) -> Result<Response, Problem> {
    if query.station.is_none() && operated(&state, &user).await?.is_empty() {
        // Named an operator of no station yet: the station desk says what there is.
        return Ok(Redirect::to("/station").into_response());
    }
    let chosen = chosen(&state, &user, query.station).await?;
    let label = crate::format::isolate(&query.label);
    let notice = match query.done.as_str() {
        "received" => Some(c.t.arg("station-received-notice", "label", label)),
        "returned" => Some(c.t.arg("station-returned-notice", "label", label)),
        "dropped" => Some(c.t.arg("station-dropped-notice", "label", label)),
        "handed" if query.amount.is_empty() => {
            Some(c.t.arg("station-handed-notice", "label", label))
        }
        "handed" => Some(c.t.args2(
            "station-handed-cash-notice",
            ("label", label.into()),
            ("amount", query.amount.clone().into()),
        )),
        _ => None,
    };
    desk_page(&state, c, csrf.0, chosen, notice, Mistake::None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReceiveForm {
    station: i64,
    label: String,
}

/// Takes in `typed` as a seller's outbound parcel left at `station`, if it is the number of
/// one: its number, or why it cannot be left here; None when it is no outbound parcel.
async fn dropped_off(
    state: &AppState,
    user: &CurrentUser,
    station: &Station,
    typed: &str,
) -> Option<Result<String, Problem>> {
    use farmgate_domain::logistics::{LogisticsRefusal, TrackingNumber};
    let number = TrackingNumber::parse(typed).ok()?;
    let now = chrono::Utc::now();
    match state
        .store
        .drop_at_station(station.id, &number, user.account.id, now)
        .await
    {
        Ok(parcel) => Some(Ok(parcel.tracking_number)),
        Err(farmgate_store::Error::Logistics(LogisticsRefusal::NoParcel)) => None,
        Err(other) => Some(Err(Problem::from(other).with_field("label"))),
    }
}

/// `POST /station/parcels/receive`: the parcel labelled so is on the shelf; its buyer is told.
pub async fn receive(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<ReceiveForm>,
) -> Result<Response, Problem> {
    let (station, stations) = chosen(&state, &user, Some(form.station)).await?;
    // A seller's labelled parcel, left here for the centre's next run, is read the same way.
    match dropped_off(&state, &user, &station, &form.label).await {
        Some(Ok(number)) => {
            return Ok(Redirect::to(&format!(
                "/station/parcels?station={}&done=dropped&label={}",
                station.id,
                crate::problem::url_encode(&number)
            ))
            .into_response());
        }
        Some(Err(problem)) => {
            let mistake = Mistake::Receive(&problem, form.label.clone());
            return desk_page(&state, c, csrf.0, (station, stations), None, mistake).await;
        }
        None => {}
    }
    let parcel = match receive_at(&state, &user, ip, &station, &form.label).await {
        Ok(parcel) => parcel,
        Err(problem) if problem.status.is_client_error() && problem.field.is_some() => {
            let mistake = Mistake::Receive(&problem, form.label.clone());
            return desk_page(&state, c, csrf.0, (station, stations), None, mistake).await;
        }
        Err(other) => return Err(other),
    };
    Ok(Redirect::to(&format!(
        "/station/parcels?station={}&done=received&label={}",
        station.id,
        crate::problem::url_encode(&parcel.label)
    ))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HandOverForm {
    code: String,
}

/// `POST /station/parcels/{id}/hand-over`: the buyer showed their code; the parcel is theirs,
/// and what the station took is recorded.
pub async fn hand_over(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<HandOverForm>,
) -> Result<Response, Problem> {
    let parcel = state.store.station_parcel(id).await?;
    let (station, stations) = chosen(&state, &user, Some(parcel.station_id)).await?;
    let parcel = match hand_over_at(&state, &user, ip, &station, id, &form.code).await {
        Ok(parcel) => parcel,
        Err(problem) if problem.status.is_client_error() && problem.field.is_some() => {
            let mistake = Mistake::HandOver(id, &problem);
            return desk_page(&state, c, csrf.0, (station, stations), None, mistake).await;
        }
        Err(other) => return Err(other),
    };
    let amount = if parcel.cash.0 > 0 {
        parcel.cash.display_yuan()
    } else {
        String::new()
    };
    Ok(Redirect::to(&format!(
        "/station/parcels?station={}&done=handed&label={}&amount={}",
        station.id,
        crate::problem::url_encode(&parcel.label),
        crate::problem::url_encode(&amount)
    ))
    .into_response())
}

/// Receives at `station` the parcel labelled `typed`, tells its buyer, and logs who did.
pub(crate) async fn receive_at(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    station: &Station,
    typed: &str,
) -> Result<StationParcel, Problem> {
    let label = ParcelLabel::parse(typed)?;
    let parcel = state
        .store
        .receive_parcel(&[station.id], &label, user.account.id)
        .await?;
    match parcel.order_id {
        Some(order_id) => {
            let order = state.store.order(order_id).await?;
            let ready = OrderEvent::MarkReadyForPickup;
            crate::orders::tell_about_step(state, &order, ready, String::new()).await;
        }
        // An express parcel the centre's run brought: its receiver is texted the code.
        None => crate::logistics::tell_receiver(state, &parcel, station).await,
    }
    audit(state, user, ip, station, "parcel-received", &parcel).await;
    Ok(parcel)
}

/// Hands parcel `id` at `station` over to whoever showed `typed`, and logs who did.
pub(crate) async fn hand_over_at(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    station: &Station,
    id: i64,
    typed: &str,
) -> Result<StationParcel, Problem> {
    let code = PickupCode::parse(typed)?;
    let parcel = state
        .store
        .hand_over_parcel(&[station.id], id, &code, user.account.id)
        .await?;
    audit(state, user, ip, station, "parcel-handed-over", &parcel).await;
    Ok(parcel)
}

/// `POST /station/parcels/{id}/return`: nobody collected it in the station's days; it goes
/// back to the shop and its buyer is told.
pub async fn send_back(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let parcel = state.store.station_parcel(id).await?;
    let (station, stations) = chosen(&state, &user, Some(parcel.station_id)).await?;
    let returned = state
        .store
        .return_parcel(&[station.id], id, user.account.id, chrono::Utc::now())
        .await
        .map_err(Problem::from);
    let parcel = match returned {
        Ok(parcel) => parcel,
        Err(problem) if problem.status.is_client_error() && problem.field.is_some() => {
            let mistake = Mistake::HandOver(id, &problem);
            return desk_page(&state, c, csrf.0, (station, stations), None, mistake).await;
        }
        Err(other) => return Err(other),
    };
    if let Some(order_id) = parcel.order_id {
        let order = state.store.order(order_id).await?;
        let back = OrderEvent::ReturnUncollected;
        crate::orders::tell_about_step(&state, &order, back, String::new()).await;
    }
    audit(&state, &user, ip, &station, "parcel-returned", &parcel).await;
    Ok(Redirect::to(&format!(
        "/station/parcels?station={}&done=returned&label={}",
        station.id,
        crate::problem::url_encode(&parcel.label)
    ))
    .into_response())
}

async fn audit(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    station: &Station,
    code: &'static str,
    parcel: &StationParcel,
) {
    crate::audit::record(
        state,
        user,
        ip,
        crate::audit::Action {
            code,
            subject_kind: "parcel",
            subject_id: parcel.id,
            region_id: Some(station.region_id),
            detail: format!("{} · {}", parcel.label, parcel.cash.display_yuan()),
        },
    )
    .await;
}
