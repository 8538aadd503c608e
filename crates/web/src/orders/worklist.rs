//! The shop's orders at volume: paged and narrowed (status, dates, pickup or home, station,
//! live room, a search), many orders packed, shipped or marked ready in one step, and the
//! papers for the shelf and the parcels: a pick list summed by variant and a packing slip per
//! order, printable on A4 and on 80 mm receipt paper.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use farmgate_domain::orders::{Fulfilment, OrderStatus};
use farmgate_store::orders::{Order, OrderFilter, OrderPage};
use serde::Deserialize;

use super::checkout::describe_rule;
use super::pages::{Lookups, OrderSummary, Viewer, summary};
use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::csrf::CsrfToken;
use crate::format::CHINA_OFFSET_SECONDS;
use crate::html::{Chrome, RepeatedForm, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// What the seller narrowed the list to, as the query string carries it.
#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    /// `open` (default: waiting for the shop), `all`, or one status.
    #[serde(default)]
    pub show: String,
    /// Placed on or after this day (China's date, `2026-11-30`).
    #[serde(default)]
    pub from: String,
    /// Placed on or before this day.
    #[serde(default)]
    pub to: String,
    /// `pickup` or `home`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub station: String,
    #[serde(default)]
    pub room: String,
    /// An order number, part of a product's name, or a masked buyer name.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub saved: String,
    /// Keyset paging: orders before this id.
    pub before: Option<i64>,
}

/// The orders waiting for the shop.
const WAITING: [OrderStatus; 5] = [
    OrderStatus::Placed,
    OrderStatus::Paid,
    OrderStatus::Packed,
    OrderStatus::Shipped,
    OrderStatus::RefundRequested,
];

/// Midnight of a typed China date, in UTC; `next_day` for an inclusive end.
fn china_midnight(text: &str, next_day: bool) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    let day = if next_day { day.succ_opt()? } else { day };
    let offset = FixedOffset::east_opt(CHINA_OFFSET_SECONDS)?;
    offset
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|at| at.with_timezone(&Utc))
}

impl ListParams {
    fn statuses(&self) -> Vec<OrderStatus> {
        match self.show.as_str() {
            "all" => Vec::new(),
            "" | "open" => WAITING.to_vec(),
            one => OrderStatus::parse(one).map_or_else(|| WAITING.to_vec(), |s| vec![s]),
        }
    }

    fn filter(&self) -> OrderFilter {
        OrderFilter {
            placed_from: china_midnight(&self.from, false),
            placed_before: china_midnight(&self.to, true),
            fulfilment: Fulfilment::parse(self.kind.trim()),
            station_id: self.station.trim().parse().ok(),
            room_id: self.room.trim().parse().ok(),
            text: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
        }
    }

    /// The query string of this list (without the page), for links that keep the filters.
    fn query(&self) -> String {
        let pairs = [
            ("show", &self.show),
            ("from", &self.from),
            ("to", &self.to),
            ("kind", &self.kind),
            ("station", &self.station),
            ("room", &self.room),
            ("q", &self.q),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", crate::problem::url_encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }
}

pub struct Pick {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

#[derive(Template)]
#[template(path = "orders/seller_orders.html")]
struct SellerOrdersPage {
    c: Chrome,
    csrf: String,
    shop_id: i64,
    shop_name: String,
    orders: Vec<OrderSummary>,
    params: ListParams,
    shows: Vec<Pick>,
    kinds: Vec<Pick>,
    stations: Vec<Pick>,
    rooms: Vec<Pick>,
    back: String,
    /// The list's query string, so a step on many orders comes back to the same list.
    back_query: String,
    rule: String,
    kind: &'static str,
    fee_a: String,
    fee_b: String,
    saved: bool,
    /// What a step on many orders did, in the reader's language.
    done: Option<String>,
    /// The orders a step on many could not take, with why.
    failed: Vec<String>,
    /// The next page's address, when there may be more.
    next: Option<String>,
}

fn yuan(fen: farmgate_domain::money::Fen) -> String {
    format!("{}.{:02}", fen.0 / 100, fen.0 % 100)
}

/// The choices of the filter form.
async fn choices(
    state: &AppState,
    t: &Tr,
    shop_id: i64,
    params: &ListParams,
) -> Result<[Vec<Pick>; 4], Problem> {
    let pick = |value: String, label: String, current: &str| Pick {
        chosen: value == current,
        value,
        label,
    };
    let mut shows = vec![
        pick("open".to_owned(), t.get("seller-orders-open"), &params.show),
        pick("all".to_owned(), t.get("seller-orders-all"), &params.show),
    ];
    shows.extend(
        WAITING
            .iter()
            .chain(&[OrderStatus::Completed, OrderStatus::Cancelled])
            .map(|s| {
                pick(
                    s.as_str().to_owned(),
                    t.get(&format!("order-status-{}", s.as_str())),
                    &params.show,
                )
            }),
    );
    let kinds = Fulfilment::ALL
        .into_iter()
        .map(|f| {
            pick(
                f.as_str().to_owned(),
                t.get(&format!("orders-kind-{}", f.as_str())),
                &params.kind,
            )
        })
        .collect();
    let (station_ids, room_ids) = state.store.order_places_of_shop(shop_id).await?;
    let mut stations = Vec::new();
    for id in station_ids {
        if let Ok(station) = state.store.station(id).await {
            stations.push(pick(
                id.to_string(),
                station.name(t.lang()).to_owned(),
                &params.station,
            ));
        }
    }
    let mut rooms = Vec::new();
    for id in room_ids {
        if let Ok(room) = state.store.room(id).await {
            rooms.push(pick(
                id.to_string(),
                room.title(t.lang()).0.to_owned(),
                &params.room,
            ));
        }
    }
    Ok([shows, kinds, stations, rooms])
}

/// `GET /seller/shops/{id}/orders`: the shop's orders, narrowed as asked, newest first.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Query(params): Query<ListParams>,
) -> Result<Response, Problem> {
    let page = list_page(&state, &user, c, csrf.0, shop_id, params, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The list page, with what a step on many orders did when there was one.
async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    shop_id: i64,
    params: ListParams,
    outcome: Option<(String, Vec<String>)>,
) -> Result<SellerOrdersPage, Problem> {
    let shop = managed_shop(state, user, shop_id).await?;
    let found = state
        .store
        .orders_of_shop(
            shop.id,
            OrderPage {
                before: params.before,
                statuses: params.statuses(),
                limit: super::pages::PAGE_SIZE,
                filter: params.filter(),
            },
        )
        .await?;
    let query = params.query();
    let next = super::pages::next_before(&found, super::pages::PAGE_SIZE)
        .map(|before| format!("/seller/shops/{}/orders?{query}&before={before}", shop.id));
    let lookups = Lookups::load(state, &found).await?;
    let mut orders = Vec::new();
    for order in &found {
        orders.push(summary(state, &c.t, order, Viewer::Seller, &lookups).await?);
    }
    let [shows, kinds, stations, rooms] = choices(state, &c.t, shop.id, &params).await?;
    let rule = state.store.shop_shipping(shop.id).await?;
    let (a, b) = rule.parts();
    let (done, failed) = match outcome {
        Some((done, failed)) => (Some(done), failed),
        None => (None, Vec::new()),
    };
    Ok(SellerOrdersPage {
        csrf,
        shop_id: shop.id,
        shop_name: shop.name_in(c.t.lang()).to_owned(),
        orders,
        back: match query.as_str() {
            "" => format!("/seller/shops/{}/orders", shop.id),
            query => format!("/seller/shops/{}/orders?{query}", shop.id),
        },
        back_query: query,
        saved: params.saved == "1",
        params,
        shows,
        kinds,
        stations,
        rooms,
        rule: describe_rule(&c.t, rule),
        kind: rule.kind(),
        fee_a: yuan(a),
        fee_b: yuan(b),
        done,
        failed,
        next,
        c,
    })
}

/// The bulk form: the orders ticked and the step to take on all of them.
#[derive(Deserialize)]
pub struct BulkForm {
    #[serde(default)]
    order: Vec<i64>,
    /// `pack`, `ship`, `picklist` or `slips`
    action: String,
    /// For shipping: the carrier, kept on each order's timeline.
    #[serde(default)]
    carrier: String,
    /// For the papers: `a4` (default) or `receipt` (80 mm).
    #[serde(default)]
    paper: String,
}

/// The most orders one step takes at once.
const BULK_MAX: usize = 200;

/// The shop's orders among `ids`, in the order given; another shop's are left out.
async fn chosen_orders(state: &AppState, shop_id: i64, ids: &[i64]) -> Result<Vec<Order>, Problem> {
    let mut orders = Vec::new();
    for &id in ids.iter().take(BULK_MAX) {
        match state.store.order(id).await {
            Ok(order) if order.shop_id == shop_id => orders.push(order),
            Ok(_) | Err(farmgate_store::Error::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(orders)
}

/// `POST /seller/shops/{id}/orders/bulk`: one step on every order ticked (pack at the ordered
/// weight, ship with a carrier, mark ready at the station), or their pick list or packing
/// slips. Each order goes as far as its own state allows; the page says which could not.
pub async fn bulk(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    Path(shop_id): Path<i64>,
    Query(params): Query<ListParams>,
    RepeatedForm(form): RepeatedForm<BulkForm>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let orders = chosen_orders(&state, shop.id, &form.order).await?;
    if orders.is_empty() {
        return Err(farmgate_domain::ValidationError::new("order", "orders-none-chosen").into());
    }
    match form.action.as_str() {
        "picklist" => {
            let paper = super::papers::paper(&form.paper);
            return Ok(super::papers::pick_list(c, &shop, &orders, paper).await);
        }
        "slips" => {
            let paper = super::papers::paper(&form.paper);
            return super::papers::slips(&state, c, &shop, &orders, paper).await;
        }
        "pack" | "ship" => {}
        _ => return Err(farmgate_domain::ValidationError::new("action", "event-invalid").into()),
    }
    let carrier: String = form.carrier.trim().chars().take(40).collect();
    let mut moved = 0;
    let mut failed = Vec::new();
    for order in &orders {
        let grams = order
            .lines
            .iter()
            .map(|l| l.net_grams.unwrap_or(0) * i64::from(l.quantity))
            .sum::<i64>();
        let packed = (form.action == "pack").then_some(grams.max(1));
        let note = (form.action == "ship" && !carrier.is_empty()).then_some(carrier.as_str());
        match super::apply_event(&state, &user, ip, order.id, &form.action, packed, note).await {
            Ok(_) => moved += 1,
            Err(problem) if problem.status.is_client_error() => failed.push(c.t.args2(
                "bulk-order-failed",
                ("order", order.id.into()),
                ("reason", problem.message(&c.t).into()),
            )),
            Err(problem) => return Err(problem),
        }
    }
    let done = c.t.args2(
        "bulk-done",
        ("count", moved.into()),
        (
            "step",
            c.t.get(&format!("bulk-step-{}", form.action)).into(),
        ),
    );
    // Signed in, the page's token is the session's (the header's logout form carries it too).
    let csrf = c.csrf.clone();
    let page = list_page(
        &state,
        &user,
        c,
        csrf,
        shop.id,
        params,
        Some((done, failed)),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// What one variant of the pick list adds up to.
pub struct PickLine {
    pub name: String,
    pub variant: String,
    pub quantity: i64,
    pub orders: usize,
}

/// Sums the orders' lines by variant, heaviest picks first.
pub fn pick_lines(t: &Tr, orders: &[Order]) -> Vec<PickLine> {
    let mut by_variant: BTreeMap<i64, PickLine> = BTreeMap::new();
    for order in orders {
        for line in &order.lines {
            let entry = by_variant
                .entry(line.variant_id)
                .or_insert_with(|| PickLine {
                    name: line.name.clone(),
                    variant: crate::format::line_label(t, line),
                    quantity: 0,
                    orders: 0,
                });
            entry.quantity += i64::from(line.quantity);
            entry.orders += 1;
        }
    }
    let mut lines: Vec<PickLine> = by_variant.into_values().collect();
    lines.sort_by(|a, b| b.quantity.cmp(&a.quantity).then(a.name.cmp(&b.name)));
    lines
}
