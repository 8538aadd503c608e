//! Outbound parcels on the web: the seller ships a packed order through the county's centre
//! (the carriers' prices for its zone and weight, the cheapest first), prints the waybill
//! label (100x150 mm thermal, or an A4 sheet: Code 128 of the number, a QR code to its
//! tracking, sender and receiver with the phone masked), and may void it before it leaves;
//! the buyer's order page shows the number and what happened to it. The centre hands the
//! parcels it scanned in to each carrier's van and keeps the carriers' blocks of numbers.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::logistics::outbound::WaybillBlock;
use farmgate_domain::logistics::{LogisticsRefusal, RATE_MAX_GRAMS, Stage, TrackingNumber};
use farmgate_domain::orders::{Fulfilment, OrderStatus};
use farmgate_store::logistics::{Depot, LogisticsParcel, Shipment};
use serde::Deserialize;

use super::depot;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::orders::parcel::depot_of_shop;
use crate::problem::Problem;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LabelForm {
    /// A carrier's id; empty for the cheapest.
    carrier: String,
    grams: String,
}

/// `POST /orders/{id}/label`: a member of the order's shop ships it through the centre; the
/// order is marked shipped with the carrier and number, and the label opens to print.
pub async fn label_order(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<LabelForm>,
) -> Result<Response, Problem> {
    let grams: i32 = form.grams.trim().parse().unwrap_or(0);
    let carrier_id = form.carrier.trim().parse::<i64>().ok();
    let parcel = ship_order(&state, &user, ip, id, carrier_id, grams).await?;
    Ok(Redirect::to(&format!("/logistics/labels/{}", parcel.id)).into_response())
}

/// Ships order `id` through its shop's county centre for `user` (a member of the shop): the
/// carrier `carrier_id` or the cheapest, a parcel of `grams`. A packed order is marked
/// shipped with the carrier and number; a shipped one whose label was voided gets a new one.
pub(super) async fn ship_order(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    id: i64,
    carrier_id: Option<i64>,
    grams: i32,
) -> Result<LogisticsParcel, Problem> {
    let order = crate::orders::readable_order(state, user, id).await?;
    if !state
        .store
        .is_shop_member(order.shop_id, user.account.id)
        .await?
    {
        return Err(Problem::not_found());
    }
    if !(1..=RATE_MAX_GRAMS).contains(&grams) {
        return Err(ValidationError::new("grams", "parcel-weight-invalid").into());
    }
    let may_label = order.fulfilment == Fulfilment::Home
        && matches!(order.status, OrderStatus::Packed | OrderStatus::Shipped);
    if !may_label {
        return Err(farmgate_store::Error::OrderState.into());
    }
    let depot = depot_of_shop(state, order.shop_id)
        .await?
        .ok_or(farmgate_store::Error::Logistics(LogisticsRefusal::NoDepot))?;
    let shipment = Shipment {
        order: &order,
        carrier_id,
        grams,
    };
    let now = chrono::Utc::now();
    let parcel = state
        .store
        .label_order(&depot, shipment, user.account.id, now)
        .await?;
    if order.status == OrderStatus::Packed {
        let carrier = state
            .store
            .carriers()
            .await?
            .into_iter()
            .find(|c| c.id == parcel.carrier_id);
        let note = format!(
            "{} {}",
            carrier.map_or(String::new(), |c| c.names.stored_zh()),
            parcel.tracking_number
        );
        crate::orders::apply_event(state, user, ip, id, "ship", None, Some(&note)).await?;
    }
    Ok(parcel)
}

/// The parcel `id` if `user` may print or void its label: a member of its shop, or the staff
/// of its depot's county.
async fn labelled_parcel(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<LogisticsParcel, Problem> {
    let parcel = state.store.logistics_parcel(id).await?;
    let Some(shop_id) = parcel.shop_id else {
        return Err(Problem::not_found());
    };
    if state.store.is_shop_member(shop_id, user.account.id).await? {
        return Ok(parcel);
    }
    let theirs = super::depots(state, user)
        .await
        .map(|depots| depots.iter().any(|d| d.id == parcel.depot_id))
        .unwrap_or(false);
    if theirs {
        Ok(parcel)
    } else {
        Err(Problem::not_found())
    }
}

/// What a label prints.
struct Waybill {
    number: String,
    carrier: String,
    bars: String,
    qr: String,
    link: String,
    sender: String,
    sender_place: String,
    sender_phone: String,
    receiver: String,
    receiver_phone: String,
    receiver_address: String,
    weight: String,
    order_id: i64,
    date: String,
}

#[derive(Template)]
#[template(path = "logistics/label.html")]
struct LabelPage {
    c: Chrome,
    csrf: String,
    id: i64,
    a4: bool,
    voidable: bool,
    back: String,
    waybill: Waybill,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PaperQuery {
    /// `a4` for a sheet; the 100x150 mm thermal label otherwise.
    paper: String,
}

/// `GET /logistics/labels/{id}?paper=`: the waybill label, to print.
pub async fn label(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<PaperQuery>,
) -> Result<Response, Problem> {
    let parcel = labelled_parcel(&state, &user, id).await?;
    let t = &c.t;
    let carrier = state
        .store
        .carriers()
        .await?
        .into_iter()
        .find(|k| k.id == parcel.carrier_id)
        .ok_or(Problem::not_found())?;
    let shop = state.store.shop(parcel.shop_id.unwrap_or_default()).await?;
    let regions = state.store.all_regions().await?;
    let place = |id: Option<i64>| {
        id.and_then(|id| regions.iter().find(|r| r.id == id))
            .map(|r| crate::format::place_label(&regions, r, t.lang()))
            .unwrap_or_default()
    };
    let link = format!(
        "{}/track/{}",
        crate::client::public_base(&state, &headers),
        parcel.tracking_number
    );
    let waybill = Waybill {
        bars: crate::html::charts::code128_svg(&parcel.tracking_number),
        qr: crate::html::charts::qr_svg(&link),
        link,
        number: parcel.tracking_number.clone(),
        carrier: carrier.name(t.lang()).to_owned(),
        sender: shop.name_in(t.lang()).to_owned(),
        sender_place: place(Some(shop.village_id)),
        sender_phone: shop.phone.clone(),
        receiver: parcel.receiver_name.clone().unwrap_or_default(),
        receiver_phone: parcel
            .receiver_phone
            .as_deref()
            .map(farmgate_domain::accounts::mask_phone)
            .unwrap_or_default(),
        receiver_address: format!(
            "{} {}",
            place(parcel.region_id),
            parcel.address.as_deref().unwrap_or_default()
        ),
        weight: format!(
            "{:.2} kg",
            f64::from(parcel.weight_grams.unwrap_or_default()) / 1000.0
        ),
        order_id: parcel.order_id.unwrap_or_default(),
        date: crate::format::china_time(chrono::Utc::now()),
    };
    let page = LabelPage {
        id,
        a4: query.paper == "a4",
        voidable: parcel.stage == Stage::Labelled,
        back: match parcel.order_id {
            Some(order) => format!("/orders/{order}"),
            None => "/seller".to_owned(),
        },
        csrf: csrf.0,
        waybill,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /logistics/labels/{id}/void`: the label is cancelled before the parcel leaves.
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let parcel = labelled_parcel(&state, &user, id).await?;
    state
        .store
        .void_label(parcel.id, user.account.id, chrono::Utc::now())
        .await?;
    let back = match parcel.order_id {
        Some(order) => format!("/orders/{order}"),
        None => "/seller".to_owned(),
    };
    Ok(Redirect::to(&back).into_response())
}

struct CarrierRow {
    id: i64,
    name: String,
    waiting: i64,
    left: i64,
    next: String,
}

#[derive(Template)]
#[template(path = "logistics/outbound.html")]
struct OutboundPage {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    title: String,
    rows: Vec<CarrierRow>,
    notice: Option<String>,
    errors: FormErrors,
    form: BlockForm,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutboundQuery {
    depot: Option<i64>,
    done: String,
    count: i64,
}

/// `GET /centre/logistics/outbound?depot=`: the sellers' parcels waiting for each carrier's
/// van, and the waybill numbers left of each.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<OutboundQuery>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let notice =
        (query.done == "dispatched").then(|| c.t.arg("outbound-dispatched", "count", query.count));
    let shown = (FormErrors::none(), StatusCode::OK, notice);
    outbound_page(&state, c, csrf.0, &depot, BlockForm::default(), shown).await
}

async fn outbound_page(
    state: &AppState,
    c: Chrome,
    csrf: String,
    depot: &Depot,
    form: BlockForm,
    (errors, status, notice): (FormErrors, StatusCode, Option<String>),
) -> Result<Response, Problem> {
    let waiting = state.store.outbound_waiting(depot.id).await?;
    let stock = state.store.waybill_stock(depot.id).await?;
    let rows = state
        .store
        .agreements(depot.id)
        .await?
        .into_iter()
        .filter(|a| a.terms.is_some())
        .map(|a| {
            let id = a.carrier.id;
            let held = stock.iter().find(|s| s.carrier_id == id);
            CarrierRow {
                id,
                name: a.carrier.name(c.t.lang()).to_owned(),
                waiting: waiting
                    .iter()
                    .find(|(k, _)| *k == id)
                    .map_or(0, |(_, n)| *n),
                left: held.map_or(0, |s| s.left),
                next: held.and_then(|s| s.next.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let page = OutboundPage {
        title: depot.name(c.t.lang()).to_owned(),
        depot_id: depot.id,
        rows,
        notice,
        errors,
        form,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DispatchForm {
    depot: i64,
    carrier: i64,
}

/// `POST /centre/logistics/outbound/dispatch`: the carrier's van took its parcels.
pub async fn dispatch(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DispatchForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, Some(form.depot)).await?;
    let count = state
        .store
        .dispatch_outbound(depot.id, form.carrier, user.account.id, chrono::Utc::now())
        .await?;
    Ok(Redirect::to(&format!(
        "/centre/logistics/outbound?depot={}&done=dispatched&count={count}",
        depot.id
    ))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BlockForm {
    depot: i64,
    carrier: String,
    first: String,
    last: String,
}

/// `POST /centre/logistics/waybills`: a block of numbers a carrier gave the centre.
pub async fn add_block(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<BlockForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, Some(form.depot)).await?;
    let carriers = state.store.carriers().await?;
    let added = match carriers
        .iter()
        .find(|k| Some(k.id) == form.carrier.trim().parse().ok())
    {
        None => Err(Problem::from(ValidationError::new(
            "carrier",
            "carrier-unknown",
        ))),
        Some(carrier) => {
            let first = TrackingNumber::parse(&form.first)
                .map_err(|e| Problem::from(ValidationError::new("first", e.code)));
            let last = TrackingNumber::parse(&form.last)
                .map_err(|e| Problem::from(ValidationError::new("last", e.code)));
            match (first, last) {
                (Ok(first), Ok(last)) => match WaybillBlock::parse(&first, &last, &carrier.pattern)
                {
                    Ok(block) => state
                        .store
                        .add_waybill_block(depot.id, carrier.id, &block, user.account.id)
                        .await
                        .map_err(Problem::from),
                    Err(invalid) => Err(invalid.into()),
                },
                (Err(problem), _) | (_, Err(problem)) => Err(problem),
            }
        }
    };
    match added {
        Ok(()) => Ok(
            Redirect::to(&format!("/centre/logistics/outbound?depot={}", depot.id)).into_response(),
        ),
        Err(problem) if problem.status.is_client_error() && problem.field.is_some() => {
            let shown = (FormErrors::of_problem(&c.t, &problem), problem.status, None);
            outbound_page(&state, c, csrf.0, &depot, form, shown).await
        }
        Err(other) => Err(other),
    }
}
