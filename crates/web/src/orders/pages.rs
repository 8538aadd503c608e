//! Order pages: the buyer's list, and one order with its timeline and the steps its viewer
//! (the buyer, or a member of the shop) may take.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::orders::{OrderEvent, OrderKind, OrderStatus, PaymentMethod};
use farmgate_store::orders::Order;

use super::readable_order;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::china_time;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;

pub struct OrderSummary {
    pub id: i64,
    pub title: String,
    pub shop_id: i64,
    pub shop_name: String,
    pub status: String,
    pub total: String,
    pub shipping: String,
    pub placed_at: String,
    pub lines: Vec<String>,
    /// What the ordered lines weigh, in grams (the seller's scale should show about this).
    pub ordered_grams: i64,
    /// Where it goes: the station, or the address with the recipient.
    pub delivery: String,
    pub payment: String,
    /// (status, time, note: a carrier and tracking number, a reason)
    pub timeline: Vec<(String, String, Option<String>)>,
    /// The steps the viewer may take now: (event, button label).
    pub actions: Vec<(&'static str, String)>,
    /// For the buyer of a completed order: the products not reviewed yet (id, name).
    pub reviewable: Vec<(i64, String)>,
    /// The buyer may ask for money back (delivered or collected, nothing asked yet).
    pub refundable: bool,
    /// For the buyer of an online order not paid yet: where to pay (until it expires).
    pub pay_link: Option<String>,
    /// For the buyer of a parcel waiting at its station: the code to collect it with.
    pub pickup_code: Option<String>,
}

/// Who is looking at an order decides which steps they are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Buyer,
    Seller,
}

/// A refund after delivery is asked on its own page (`refunds::ask_form`), not a step here.
/// A station's parcel is received and handed over by its operator (`stations::desk`), against
/// the buyer's pickup code: neither the shop nor the buyer marks those steps.
const BUYER_STEPS: [(&str, OrderEvent); 2] = [
    ("complete", OrderEvent::Complete),
    ("cancel", OrderEvent::Cancel),
];

const SELLER_STEPS: [(&str, OrderEvent); 5] = [
    ("pack", OrderEvent::Pack { packed_grams: 1 }),
    ("ship", OrderEvent::Ship),
    ("deliver", OrderEvent::Deliver),
    ("refund", OrderEvent::Refund),
    ("reject_refund", OrderEvent::RejectRefund),
];

/// A timeline note as people should read it: FarmGate's own notes are catalogue ids.
fn readable_note(t: &Tr, note: &str) -> String {
    let id = format!("order-note-{note}");
    if t.has(&id) {
        t.get(&id)
    } else {
        note.to_owned()
    }
}

/// What order summaries name (places, stations, shops), read once for a whole list.
pub struct Lookups {
    regions: Vec<farmgate_store::regions::Region>,
    stations: Vec<farmgate_store::stations::Station>,
    shops: std::collections::HashMap<i64, farmgate_store::shops::Shop>,
}

impl Lookups {
    pub async fn load(state: &AppState, orders: &[Order]) -> Result<Lookups, Problem> {
        let regions = state.store.all_regions().await?;
        let stations = match regions.iter().find(|r| r.parent_id.is_none()) {
            Some(root) => state.store.stations_within(&root.path).await?,
            None => Vec::new(),
        };
        let mut shops = std::collections::HashMap::new();
        for order in orders {
            if let std::collections::hash_map::Entry::Vacant(slot) = shops.entry(order.shop_id) {
                slot.insert(state.store.shop(order.shop_id).await?);
            }
        }
        Ok(Lookups {
            regions,
            stations,
            shops,
        })
    }
}

/// Where the parcel goes, as its viewer reads it: the station (named even if it closed since)
/// or the address with the recipient.
async fn delivery_line(
    state: &AppState,
    t: &Tr,
    order: &Order,
    lookups: &Lookups,
) -> Result<String, Problem> {
    Ok(match (order.station_id, &order.address) {
        (Some(station), _) => {
            let station = match lookups.stations.iter().find(|s| s.id == station) {
                Some(open) => open.clone(),
                None => state.store.station(station).await?,
            };
            t.args2(
                "order-delivery-pickup",
                ("station", station.name(t.lang()).into()),
                (
                    "address",
                    station.address.shown(t.lang()).text.to_owned().into(),
                ),
            )
        }
        (None, Some(address)) => {
            let regions = &lookups.regions;
            let region = order
                .delivery_region_id
                .and_then(|id| regions.iter().find(|r| r.id == id))
                .map(|r| crate::format::place_label(regions, r, t.lang()))
                .unwrap_or_default();
            format!(
                "{region} {address} · {} {}",
                order.recipient_name.as_deref().unwrap_or_default(),
                order.recipient_phone.as_deref().unwrap_or_default()
            )
        }
        (None, None) => String::new(),
    })
}

/// The products of a completed order its buyer has not reviewed yet (id, name).
async fn reviewable(
    state: &AppState,
    order: &Order,
    viewer: Viewer,
) -> Result<Vec<(i64, String)>, Problem> {
    if viewer != Viewer::Buyer || order.status != OrderStatus::Completed {
        return Ok(Vec::new());
    }
    let done = state.store.reviewed_products(order.id).await?;
    let mut open: Vec<(i64, String)> = Vec::new();
    for line in &order.lines {
        if !done.contains(&line.product_id) && !open.iter().any(|(id, _)| *id == line.product_id) {
            open.push((line.product_id, line.name.clone()));
        }
    }
    Ok(open)
}

/// The code its buyer collects a parcel waiting at a station with (nobody else is shown it).
async fn pickup_code(
    state: &AppState,
    order: &Order,
    viewer: Viewer,
) -> Result<Option<String>, Problem> {
    if viewer != Viewer::Buyer || order.status != OrderStatus::ReadyForPickup {
        return Ok(None);
    }
    Ok(state
        .store
        .parcel_of_order(order.id)
        .await?
        .map(|p| p.pickup_code.as_str().to_owned()))
}

pub async fn summary(
    state: &AppState,
    t: &Tr,
    order: &Order,
    viewer: Viewer,
    lookups: &Lookups,
) -> Result<OrderSummary, Problem> {
    let kind = OrderKind {
        fulfilment: order.fulfilment,
        payment: order.payment,
    };
    let steps: &[(&'static str, OrderEvent)] = match viewer {
        Viewer::Buyer => &BUYER_STEPS,
        Viewer::Seller => &SELLER_STEPS,
    };
    let delivery = delivery_line(state, t, order, lookups).await?;
    let reviewable = reviewable(state, order, viewer).await?;
    let payment = match order.payment {
        PaymentMethod::Cash => t.get("buy-cod"),
        PaymentMethod::Online => t.get("checkout-online"),
    };
    // An online order stays "placed" until paid; the buyer reads that as waiting for them.
    let awaiting_payment =
        order.payment == PaymentMethod::Online && order.status == OrderStatus::Placed;
    let pickup_code = pickup_code(state, order, viewer).await?;
    Ok(OrderSummary {
        pickup_code,
        id: order.id,
        title: t.arg("order-title", "id", order.id),
        shop_id: order.shop_id,
        shop_name: lookups
            .shops
            .get(&order.shop_id)
            .map(|shop| shop.name_in(t.lang()).to_owned())
            .unwrap_or_default(),
        status: if awaiting_payment {
            t.get("order-status-awaiting_payment")
        } else {
            t.get(&format!("order-status-{}", order.status.as_str()))
        },
        pay_link: (awaiting_payment && viewer == Viewer::Buyer)
            .then(|| format!("/checkout/{}", order.checkout_id)),
        total: order.total.display_price(),
        shipping: order.shipping.display_price(),
        placed_at: china_time(order.placed_at),
        ordered_grams: order
            .lines
            .iter()
            .map(|l| l.net_grams.unwrap_or(0) * i64::from(l.quantity))
            .sum(),
        lines: order
            .lines
            .iter()
            .map(|l| {
                let packed = l
                    .packed_grams
                    .map(|g| format!(" · {}", t.arg("order-packed-grams", "grams", g)))
                    .unwrap_or_default();
                format!(
                    "{} × {} · {}{packed}",
                    l.name,
                    l.quantity,
                    l.line_total.display_price()
                )
            })
            .collect(),
        delivery,
        payment,
        timeline: order
            .events
            .iter()
            .map(|e| {
                (
                    t.get(&format!("order-status-{}", e.status.as_str())),
                    china_time(e.at),
                    e.note.as_deref().map(|n| readable_note(t, n)),
                )
            })
            .collect(),
        reviewable,
        refundable: viewer == Viewer::Buyer && super::refunds::askable(order),
        actions: steps
            .iter()
            .filter(|(_, event)| kind.next(order.status, *event).is_ok())
            // Refunding is the shop's answer to a cancelled paid order here; a refund request
            // is answered on its own panel.
            .filter(|(_, event)| {
                !matches!(event, OrderEvent::Refund | OrderEvent::RejectRefund)
                    || order.status == OrderStatus::CancelRequested
            })
            .map(|(name, _)| (*name, t.get(&format!("order-action-{name}"))))
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "orders/orders.html")]
struct OrdersPage {
    c: Chrome,
    orders: Vec<OrderSummary>,
    /// The next page's `before`, when there may be more.
    next: Option<i64>,
}

/// How many orders a page of a list shows.
pub const PAGE_SIZE: u64 = 20;

/// `?before=ID`: the page of a list that starts after order ID (newest first).
#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    pub before: Option<i64>,
}

/// The `before` of the page after `found`, when `found` filled its page.
pub fn next_before(found: &[farmgate_store::orders::Order], limit: u64) -> Option<i64> {
    (found.len() as u64 >= limit)
        .then(|| found.last().map(|o| o.id))
        .flatten()
}

/// `GET /orders?before=ID`: the buyer's orders, a page at a time.
pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    axum::extract::Query(query): axum::extract::Query<PageQuery>,
) -> Result<Response, Problem> {
    let found = state
        .store
        .orders_of_buyer(
            user.account.id,
            farmgate_store::orders::OrderPage {
                before: query.before,
                statuses: Vec::new(),
                limit: PAGE_SIZE,
                filter: Default::default(),
            },
        )
        .await?;
    let lookups = Lookups::load(&state, &found).await?;
    let mut orders = Vec::new();
    for order in &found {
        orders.push(summary(&state, &c.t, order, Viewer::Buyer, &lookups).await?);
    }
    let next = next_before(&found, PAGE_SIZE);
    Ok(render(StatusCode::OK, &OrdersPage { c, orders, next }))
}

#[derive(Template)]
#[template(path = "orders/order.html")]
struct OrderPage {
    c: Chrome,
    csrf: String,
    order: OrderSummary,
    refund: Option<super::refunds::RefundPanel>,
    back: String,
    /// Where the produce came from: (batch code, product name) of the newest batch of each
    /// line's goods taken in at a station before the order.
    origins: Vec<(String, String)>,
    /// Its parcel through the county's centre, or the carriers' prices to ship it there.
    ship: Option<super::parcel::ShipPanel>,
}

/// The newest batch taken in on consignment before `order` for each of its lines.
async fn origins(state: &AppState, order: &Order) -> Result<Vec<(String, String)>, Problem> {
    let mut found = Vec::new();
    for line in &order.lines {
        let batches = state
            .store
            .consignments_of_variant(line.variant_id, 20)
            .await?;
        if let Some(batch) = batches.into_iter().find(|b| b.taken_at <= order.placed_at) {
            found.push((batch.code, line.name.clone()));
        }
    }
    Ok(found)
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let order = readable_order(&state, &user, id).await?;
    let viewer = if order.buyer_id == user.account.id {
        Viewer::Buyer
    } else {
        Viewer::Seller
    };
    let back = match viewer {
        Viewer::Buyer => "/orders".to_owned(),
        Viewer::Seller => format!("/seller/shops/{}/orders", order.shop_id),
    };
    let lookups = Lookups::load(&state, std::slice::from_ref(&order)).await?;
    let refund = super::refunds::panel(&state, &c.t, &order, viewer == Viewer::Seller).await?;
    let origins = origins(&state, &order).await?;
    let ship = super::parcel::ship_panel(&state, &c.t, &order, viewer == Viewer::Seller).await?;
    let mut order = summary(&state, &c.t, &order, viewer, &lookups).await?;
    if let Some(r) = &refund {
        order.refundable = false;
        order.timeline.extend(r.steps.iter().cloned());
    }
    Ok(render(
        StatusCode::OK,
        &OrderPage {
            c,
            csrf: csrf.0,
            order,
            refund,
            back,
            origins,
            ship,
        },
    ))
}

#[derive(serde::Deserialize)]
pub struct StepForm {
    #[serde(default)]
    event: String,
    #[serde(default)]
    packed_grams: String,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    tracking: String,
    /// Where to go afterwards: the order page, or the seller's order list.
    #[serde(default)]
    back: String,
}

/// `POST /orders/{id}/events`: a step from the order page or the seller's list (pack with
/// the weight the scale shows, ship with carrier and tracking number, cancel, pick up...).
pub async fn step(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<StepForm>,
) -> Result<Response, Problem> {
    use axum::response::{IntoResponse, Redirect};
    use farmgate_domain::ValidationError;
    let packed_grams = match (form.event.as_str(), form.packed_grams.trim()) {
        ("pack", text) => Some(text.parse::<i64>().map_err(|_| {
            Problem::from(ValidationError::new("packed_grams", "net-weight-invalid"))
        })?),
        _ => None,
    };
    let note = match form.event.as_str() {
        "ship" => {
            let note = format!("{} {}", form.carrier.trim(), form.tracking.trim());
            Some(note.trim().to_owned()).filter(|n| !n.is_empty())
        }
        _ => None,
    };
    super::apply_event(
        &state,
        &user,
        ip,
        id,
        &form.event,
        packed_grams,
        note.as_deref(),
    )
    .await?;
    let back = if form.back.starts_with("/seller/") && !form.back.starts_with("//") {
        form.back
    } else {
        format!("/orders/{id}")
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    stars: String,
    #[serde(default)]
    body: String,
}

/// `POST /orders/{id}/reviews`: the buyer's stars and words about a product of a completed order.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ReviewForm>,
) -> Result<Response, Problem> {
    use axum::response::{IntoResponse, Redirect};
    use farmgate_domain::ValidationError;
    use farmgate_domain::orders::review::ReviewText;
    let product: i64 = form
        .product
        .trim()
        .parse()
        .map_err(|_| Problem::from(ValidationError::new("product", "not-for-sale")))?;
    let stars: i64 = form
        .stars
        .trim()
        .parse()
        .map_err(|_| Problem::from(ValidationError::new("stars", "stars-invalid")))?;
    let text = ReviewText::parse(stars, &form.body)?;
    state
        .store
        .add_review(id, user.account.id, product, &text, c.t.lang())
        .await
        .map_err(review_problem)?;
    Ok(Redirect::to(&format!("/orders/{id}")).into_response())
}

/// What a refused review is told: not yet received, or already reviewed.
pub fn review_problem(err: farmgate_store::Error) -> Problem {
    match err {
        farmgate_store::Error::OrderState => Problem::new(StatusCode::CONFLICT, "review-too-early"),
        farmgate_store::Error::Conflict { .. } => {
            Problem::new(StatusCode::CONFLICT, "review-twice").with_field("product")
        }
        other => other.into(),
    }
}
