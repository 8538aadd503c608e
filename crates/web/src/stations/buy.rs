//! Buying for villagers (goods into the countryside): the operator finds goods in the national
//! marketplace, takes the villager's name (and phone, when they have one) and their cash, and
//! places the order through the one placement path with pickup at the station; the villager
//! takes home a slip (58 or 80 mm receipt paper) with the code that collects the parcel. The
//! order is the operator's until the villager registers and proves that phone.
//!
//! The basket lives in the page's address (`lines=12x1,34x2`): nothing to lose on the server,
//! and a page the offline queue can replay.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::{DisplayName, PhoneNumber, mask_phone};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{Basket, IdempotencyKey, PaymentMethod};
use farmgate_search::SearchQuery;
use farmgate_store::orders::Delivery;
use farmgate_store::stations::{Station, Villager, VillagerOrder};
use serde::Deserialize;

use super::desk::chosen;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::orders::place::{Placement, place};
use crate::problem::{Problem, url_encode};

/// Goods found per search.
const FOUND: usize = 10;
/// Recent purchases listed under the form.
const RECENT: u64 = 10;

/// The basket as the address carries it: `variant x quantity`, comma separated. Anything
/// unreadable is left out (the page shows what it understood).
pub(crate) fn parse_lines(text: &str) -> Vec<(i64, i64)> {
    text.split(',')
        .filter_map(|part| {
            let (variant, quantity) = part.trim().split_once('x')?;
            Some((variant.parse().ok()?, quantity.parse().ok()?))
        })
        .collect()
}

fn lines_text(lines: &[(i64, i64)]) -> String {
    lines
        .iter()
        .map(|(v, q)| format!("{v}x{q}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `lines` with `quantity` more of `variant` (none left drops it).
fn with_line(lines: &[(i64, i64)], variant: i64, more: i64) -> String {
    let mut changed: Vec<(i64, i64)> = lines.to_vec();
    match changed.iter_mut().find(|(v, _)| *v == variant) {
        Some((_, q)) => *q += more,
        None => changed.push((variant, more)),
    }
    changed.retain(|(_, q)| *q > 0);
    lines_text(&changed)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BuyQuery {
    station: Option<i64>,
    q: String,
    lines: String,
}

struct Found {
    name: String,
    written_in: Option<&'static str>,
    label: String,
    price: String,
    sold_out: bool,
    add: String,
}

struct BasketLine {
    name: String,
    label: String,
    quantity: u32,
    total: String,
    less: String,
    more: String,
}

struct Recent {
    order_id: i64,
    checkout: String,
    villager: String,
    paid: String,
    when: String,
}

#[derive(Template)]
#[template(path = "stations/buy.html")]
struct BuyPage {
    c: Chrome,
    csrf: String,
    intro: String,
    station_id: i64,
    stations: Vec<(i64, String, bool)>,
    q: String,
    lines: String,
    found: Vec<Found>,
    searched: bool,
    basket: Vec<BasketLine>,
    /// Goods, the station's fee per parcel, and what to take.
    goods: String,
    fees: String,
    to_take: String,
    key: String,
    villager_name: String,
    villager_phone: String,
    errors: FormErrors,
    recent: Vec<Recent>,
}

fn link(station: i64, q: &str, lines: &str) -> String {
    format!(
        "/station/buy?station={station}&q={}&lines={}",
        url_encode(q),
        url_encode(lines)
    )
}

async fn found(
    state: &AppState,
    t: &Tr,
    station: i64,
    q: &str,
    lines: &[(i64, i64)],
) -> Result<Vec<Found>, Problem> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let query = SearchQuery {
        text: q.trim().to_owned(),
        in_stock_only: true,
        limit: FOUND,
        ..SearchQuery::default()
    };
    let (products, _) = crate::search::run(state, query).await?;
    let mut found = Vec::new();
    for product in products.iter().filter(|p| p.status.is_public()) {
        let (name, written_in) = product
            .text(t.lang())
            .map(|(text, own)| (text.name.clone(), (!own).then(|| text.language.tag())))
            .unwrap_or_default();
        for variant in &product.variants {
            found.push(Found {
                name: name.clone(),
                written_in,
                label: crate::format::variant_label(t, &variant.spec),
                price: variant.spec.price.display_price(),
                sold_out: variant.spec.stock <= 0,
                add: link(station, q, &with_line(lines, variant.id, 1)),
            });
        }
    }
    Ok(found)
}

async fn recent(state: &AppState, station: &Station) -> Result<Vec<Recent>, Problem> {
    let bought = state
        .store
        .villager_orders(&[station.id], None, RECENT)
        .await?;
    let mut recent = Vec::new();
    for v in bought {
        let order = state.store.order(v.order_id).await?;
        recent.push(Recent {
            order_id: v.order_id,
            checkout: order.checkout_id,
            villager: v.villager_name,
            paid: v.paid.display_price(),
            when: crate::format::china_time(v.placed_at),
        });
    }
    Ok(recent)
}

/// What a filled-in form said, to show again beside its mistakes.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BuyForm {
    station: i64,
    lines: String,
    key: String,
    villager_name: String,
    villager_phone: String,
    q: String,
}

async fn buy_page(
    state: &AppState,
    c: Chrome,
    csrf: String,
    (station, stations): (Station, Vec<Station>),
    form: BuyForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, Problem> {
    let t = &c.t;
    let lines = parse_lines(&form.lines);
    let basket_pairs: Vec<(i64, u32)> = lines
        .iter()
        .filter_map(|(v, q)| Some((*v, u32::try_from(*q).ok()?)))
        .collect();
    let groups = crate::orders::cart::grouped(state, t, &basket_pairs, None).await?;
    let mut basket = Vec::new();
    let mut goods = Fen(0);
    for group in &groups {
        goods = goods.checked_add(group.goods).unwrap_or(goods);
        for line in &group.lines {
            basket.push(BasketLine {
                name: line.name.clone(),
                label: line.label.clone(),
                quantity: line.quantity,
                total: line.total.display_price(),
                less: link(station.id, &form.q, &with_line(&lines, line.variant_id, -1)),
                more: link(station.id, &form.q, &with_line(&lines, line.variant_id, 1)),
            });
        }
    }
    let parcels = u32::try_from(groups.len()).unwrap_or(0);
    let fees = station.pickup_fee.checked_mul(parcels).unwrap_or(Fen(0));
    let page = BuyPage {
        intro: t.arg("villager-buy-intro", "station", station.name(t.lang())),
        station_id: station.id,
        stations: if stations.len() > 1 {
            stations
                .iter()
                .map(|s| (s.id, s.name(t.lang()).to_owned(), s.id == station.id))
                .collect()
        } else {
            Vec::new()
        },
        found: found(state, t, station.id, &form.q, &lines).await?,
        searched: !form.q.trim().is_empty(),
        basket,
        goods: goods.display_price(),
        fees: fees.display_price(),
        to_take: goods.checked_add(fees).unwrap_or(goods).display_price(),
        key: if form.key.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            form.key.clone()
        },
        recent: recent(state, &station).await?,
        q: form.q,
        lines: lines_text(&lines),
        villager_name: form.villager_name,
        villager_phone: form.villager_phone,
        errors,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /station/buy?station=&q=&lines=`: find goods, fill the villager's basket.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<BuyQuery>,
) -> Result<Response, Problem> {
    let chosen = chosen(&state, &user, query.station).await?;
    let form = BuyForm {
        station: chosen.0.id,
        lines: query.lines,
        q: query.q,
        ..BuyForm::default()
    };
    buy_page(
        &state,
        c,
        csrf.0,
        chosen,
        form,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// What an operator asks to buy for a villager, parsed.
pub(crate) struct VillagerPurchase {
    pub key: IdempotencyKey,
    pub basket: Basket,
    pub villager: Villager,
}

impl VillagerPurchase {
    /// Reads a purchase from the form's or the API's fields: the mistakes name the fields
    /// `villager_name`, `villager_phone` and `items`.
    pub(crate) fn parse(
        key: &str,
        lines: &[(i64, i64)],
        name: &str,
        phone: &str,
    ) -> Result<VillagerPurchase, ValidationError> {
        let name =
            DisplayName::parse(name).map_err(|e| ValidationError::new("villager_name", e.code))?;
        let phone = match phone.trim() {
            "" => None,
            typed => Some(
                PhoneNumber::parse(typed)
                    .map_err(|e| ValidationError::new("villager_phone", e.code))?,
            ),
        };
        Ok(VillagerPurchase {
            basket: Basket::parse(lines)?,
            key: IdempotencyKey::parse(key)?,
            villager: Villager { name, phone },
        })
    }
}

/// Places `purchase` at `station` for the villager, paid in cash there: the orders, their
/// pickup codes and the cash in the till. Safe to repeat with the same key.
pub(crate) async fn buy_at(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    station: &Station,
    purchase: VillagerPurchase,
) -> Result<(String, Vec<VillagerOrder>), Problem> {
    let checkout = place(
        state,
        user,
        Placement {
            key: purchase.key,
            basket: purchase.basket,
            delivery: Delivery::Pickup {
                station_id: station.id,
            },
            payment: PaymentMethod::Cash,
            room_id: None,
        },
    )
    .await?;
    let ids: Vec<i64> = checkout.orders.iter().map(|o| o.id).collect();
    let bought = state
        .store
        .record_villager_orders(station.id, user.account.id, &purchase.villager, &ids)
        .await?;
    if !checkout.replayed {
        for v in &bought {
            crate::audit::record(
                state,
                user,
                ip,
                crate::audit::Action {
                    code: "villager-order",
                    subject_kind: "order",
                    subject_id: v.order_id,
                    region_id: Some(station.region_id),
                    detail: v.paid.display_yuan(),
                },
            )
            .await;
        }
    }
    Ok((checkout.checkout_id, bought))
}

/// `POST /station/buy`: the villager paid; the orders are placed and the slip is printed.
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<BuyForm>,
) -> Result<Response, Problem> {
    let chosen = chosen(&state, &user, Some(form.station)).await?;
    let lines = parse_lines(&form.lines);
    let placed =
        match VillagerPurchase::parse(&form.key, &lines, &form.villager_name, &form.villager_phone)
        {
            Ok(purchase) => buy_at(&state, &user, ip, &chosen.0, purchase).await,
            Err(invalid) => Err(invalid.into()),
        };
    match placed {
        Ok((checkout, _)) => {
            Ok(Redirect::to(&format!("/station/slips/{}", url_encode(&checkout))).into_response())
        }
        Err(problem)
            if problem.status.is_client_error() && problem.status != StatusCode::NOT_FOUND =>
        {
            let errors = FormErrors::of_problem(&c.t, &problem);
            let status = problem.status;
            buy_page(&state, c, csrf.0, chosen, form, errors, status).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SlipQuery {
    paper: String,
}

struct SlipOrder {
    id: i64,
    shop: String,
    lines: Vec<String>,
    total: String,
    code: String,
}

#[derive(Template)]
#[template(path = "stations/slip.html")]
struct SlipPage {
    c: Chrome,
    /// `58` or `80` (mm).
    paper: &'static str,
    station: String,
    hours: Option<String>,
    phone: Option<String>,
    villager: String,
    villager_phone: Option<String>,
    placed_at: String,
    orders: Vec<SlipOrder>,
    paid: String,
    checkout: String,
}

/// `GET /station/slips/{checkout}?paper=58|80`: the villager's slip, for the station's
/// operators.
pub async fn slip(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(checkout): Path<String>,
    Query(query): Query<SlipQuery>,
) -> Result<Response, Problem> {
    let bought = state.store.villager_orders_of_checkout(&checkout).await?;
    let first = bought.first().ok_or(Problem::not_found())?;
    let (station, _) = chosen(&state, &user, Some(first.station_id)).await?;
    let t = &c.t;
    let mut orders = Vec::new();
    let mut paid = Fen(0);
    for v in &bought {
        let order = state.store.order(v.order_id).await?;
        let shop = state.store.shop(order.shop_id).await?;
        paid = paid.checked_add(v.paid).unwrap_or(paid);
        orders.push(SlipOrder {
            id: order.id,
            shop: shop.name_in(t.lang()).to_owned(),
            lines: order
                .lines
                .iter()
                .map(|l| format!("{} × {}", crate::format::isolate(&l.name), l.quantity))
                .collect(),
            total: order.total.display_price(),
            code: v.pickup_code.as_str().to_owned(),
        });
    }
    let page = SlipPage {
        paper: if query.paper == "58" { "58" } else { "80" },
        station: station.name(t.lang()).to_owned(),
        hours: station.hours.clone(),
        phone: station.phone.clone(),
        villager: first.villager_name.clone(),
        villager_phone: first.villager_phone.as_deref().map(mask_phone),
        placed_at: crate::format::china_time(first.placed_at),
        orders,
        paid: paid.display_price(),
        checkout,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
