//! Checkout: the cart becomes one order per shop under one payment, through the same intake
//! as the API. The page shows each shop's shipping rule and each station's pickup fee before
//! the buyer commits; online payment goes on to the provider's page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::shipping::ShippingRule;
use farmgate_domain::orders::{Basket, IdempotencyKey};
use farmgate_domain::regions::RegionLevel;
use farmgate_store::orders::{Checkout, Payment, PaymentStatus};
use serde::Deserialize;

use super::cart::{self, ShopGroup};
use super::{DeliveryInput, parse_delivery};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::place_label;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::payments::PaymentUrls;
use crate::problem::Problem;

/// A rule in words: "free over ¥99.00, otherwise ¥8.00".
pub fn describe_rule(t: &Tr, rule: ShippingRule) -> String {
    match rule {
        ShippingRule::Flat { fee } if fee.0 == 0 => t.get("shipping-free"),
        ShippingRule::Flat { fee } => t.arg("shipping-flat", "fee", fee.display_price()),
        ShippingRule::FreeOver { fee, free_from } => t.args2(
            "shipping-free-over",
            ("threshold", free_from.display_price().into()),
            ("fee", fee.display_price().into()),
        ),
        ShippingRule::ByWeight {
            first_kg,
            per_extra_kg,
        } => t.args2(
            "shipping-by-weight",
            ("first", first_kg.display_price().into()),
            ("extra", per_extra_kg.display_price().into()),
        ),
    }
}

pub struct ShopBox {
    pub group: ShopGroup,
    pub rule: String,
    /// What home delivery of this parcel costs under the shop's rule.
    pub home_fee: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "orders/checkout.html")]
struct CheckoutPage {
    c: Chrome,
    csrf: String,
    key: String,
    shops: Vec<ShopBox>,
    goods: String,
    home_total: String,
    stations: Vec<Choice>,
    places: Vec<Choice>,
    form: CheckoutForm,
    /// Whether this server takes online payments (cash only otherwise).
    online: bool,
    /// The mistakes, beside their fields.
    errors: FormErrors,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CheckoutForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    delivery: String,
    #[serde(default)]
    station: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    payment: String,
    /// `now`: the checkout of the one line "buy now" holds, not of the cart.
    #[serde(default)]
    only: String,
}

/// Where the buyer is, as far as FarmGate knows: the place of their last delivery, or of the
/// station they last collected from.
async fn buyer_place<'a>(
    state: &AppState,
    user: &CurrentUser,
    regions: &'a [farmgate_store::regions::Region],
) -> Result<Option<&'a farmgate_store::regions::Region>, Problem> {
    let region_id = match state.store.buyer_defaults(user.account.id).await? {
        Some((farmgate_store::orders::Delivery::Home { region_id, .. }, _)) => region_id,
        Some((farmgate_store::orders::Delivery::Pickup { station_id }, _)) => {
            state.store.station(station_id).await?.region_id
        }
        Some((farmgate_store::orders::Delivery::Counter { .. }, _)) | None => return Ok(None),
    };
    Ok(regions.iter().find(|r| r.id == region_id))
}

/// The stations to offer, nearest to the buyer first (with the distance, the fee and the
/// hours), and the one to choose for them: the nearest in their own county, if any.
fn station_choices(
    t: &Tr,
    regions: &[farmgate_store::regions::Region],
    stations: &[farmgate_store::stations::Station],
    near: Option<&farmgate_store::regions::Region>,
) -> (Vec<Choice>, Option<i64>) {
    let region_of = |id: i64| regions.iter().find(|r| r.id == id);
    let mut rows: Vec<(Option<f64>, &farmgate_store::stations::Station)> = stations
        .iter()
        .map(|s| {
            let km = near
                .zip(region_of(s.region_id))
                .and_then(|(a, b)| crate::format::distance_km(regions, a, b));
            (km, s)
        })
        .collect();
    rows.sort_by(|a, b| {
        let far = f64::MAX;
        a.0.unwrap_or(far)
            .total_cmp(&b.0.unwrap_or(far))
            .then_with(|| a.1.name(t.lang()).cmp(b.1.name(t.lang())))
    });
    let county = near.and_then(|r| crate::format::county_of(regions, r));
    let nearest = rows
        .iter()
        .find(|(_, s)| {
            let at = region_of(s.region_id);
            matches!((county, at), (Some(c), Some(at)) if c.path.contains(&at.path))
        })
        .map(|(_, s)| s.id);
    let choices = rows
        .into_iter()
        .map(|(km, s)| {
            let mut label = format!(
                "{}{}",
                crate::format::isolate(s.name(t.lang())),
                t.arg("station-option-fee", "fee", station_fee(t, s))
            );
            if let Some(place) = region_of(s.region_id) {
                label.push_str(&format!(" · {}", place_label(regions, place, t.lang())));
            }
            if let Some(km) = km {
                label.push_str(&format!(
                    " · {}",
                    t.arg("station-distance", "km", km.round() as i64)
                ));
            }
            if let Some(hours) = &s.hours {
                label.push_str(&format!(" · {}", crate::format::isolate(hours)));
            }
            Choice {
                value: s.id.to_string(),
                label,
            }
        })
        .collect();
    (choices, nearest)
}

fn station_fee(t: &Tr, s: &farmgate_store::stations::Station) -> String {
    if s.pickup_fee.0 == 0 {
        t.get("station-fee-none")
    } else {
        t.arg("station-fee", "fee", s.pickup_fee.display_price())
    }
}

/// What a checkout buys, and the live room whose prices apply (while it is live).
#[derive(Clone, Copy)]
struct Buying<'a> {
    room: Option<i64>,
    lines: &'a [(i64, u32)],
}

/// What this checkout buys: the line "buy now" holds, or the cart.
async fn lines_to_buy(
    state: &AppState,
    user: &CurrentUser,
    session: &tower_sessions::Session,
    only: &str,
) -> Result<Vec<(i64, u32)>, Problem> {
    if only == "now" {
        return Ok(cart::buy_now_line(session).await.into_iter().collect());
    }
    Ok(state.store.cart(user.account.id).await?)
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    mut form: CheckoutForm,
    error: Option<&Problem>,
    buying: Buying<'_>,
) -> Result<Response, Problem> {
    let t = c.t;
    let groups = cart::grouped(state, &t, buying.lines, buying.room).await?;
    if groups.is_empty() {
        return Ok(Redirect::to("/cart").into_response());
    }
    let mut shops = Vec::new();
    let mut home_total = 0;
    for group in groups {
        let rule = state.store.shop_shipping(group.shop_id).await?;
        let fee = rule.fee(group.goods, group.grams);
        home_total += fee.0;
        shops.push(ShopBox {
            rule: describe_rule(&t, rule),
            home_fee: fee.display_price(),
            group,
        });
    }
    let goods: i64 = shops.iter().map(|s| s.group.goods.0).sum();
    let regions = state.store.all_regions().await?;
    let root = regions
        .iter()
        .find(|r| r.parent_id.is_none())
        .ok_or(Problem::not_found())?;
    let near = buyer_place(state, user, &regions).await?;
    let all_stations = state.store.stations_within(&root.path).await?;
    let (stations, nearest) = station_choices(&t, &regions, &all_stations, near);
    let mut places: Vec<Choice> = regions
        .iter()
        .filter(|r| matches!(r.level, RegionLevel::Township | RegionLevel::Village))
        .map(|r| Choice {
            value: r.code.as_str().to_owned(),
            label: place_label(&regions, r, t.lang()),
        })
        .collect();
    places.sort_by(|a, b| a.label.cmp(&b.label));
    if form.key.is_empty() {
        form.key = uuid::Uuid::new_v4().simple().to_string();
    }
    if form.delivery.is_empty() {
        // A station of the buyer's own county if there is one; else their door. Never a
        // station somewhere else by default.
        match nearest {
            Some(station) => {
                form.delivery = "pickup".to_owned();
                form.station = station.to_string();
            }
            None => form.delivery = "home".to_owned(),
        }
    }
    if form.payment.is_empty() {
        form.payment = "cash".to_owned();
    }
    if form.recipient.is_empty() {
        form.recipient = user.account.display_name.clone();
    }
    let status = error.map_or(StatusCode::OK, |p| p.status);
    let errors = error.map_or_else(FormErrors::none, |p| FormErrors::of_problem(&t, p));
    Ok(render(
        status,
        &CheckoutPage {
            key: form.key.clone(),
            c,
            csrf,
            shops,
            goods: Fen(goods).display_price(),
            home_total: Fen(home_total).display_price(),
            stations,
            places,
            form,
            online: state.payments.online_available(),
            errors,
        },
    ))
}

/// `GET /checkout`: the cart, where it goes and how it is paid.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    session: tower_sessions::Session,
    Query(only): Query<OnlyQuery>,
) -> Result<Response, Problem> {
    let room = cart::room_of_cart(&session).await;
    let form = CheckoutForm {
        only: only.only.unwrap_or_default(),
        ..CheckoutForm::default()
    };
    if form.only != "now" {
        cart::forget_buy_now(&session).await;
    }
    let lines = lines_to_buy(&state, &user, &session, &form.only).await?;
    let buying = Buying {
        room,
        lines: &lines,
    };
    page(&state, &user, c, csrf.0, form, None, buying).await
}

#[derive(Deserialize, Default)]
pub struct OnlyQuery {
    only: Option<String>,
}

/// Where to send the buyer once their checkout is placed: the provider's page for a pending
/// online payment, else the checkout's own page. The gateway returns the buyer to
/// `public_url` (required whenever online payments are on), never to a request's Host.
pub fn next_step(state: &AppState, payment: &Payment) -> String {
    let own = format!("/checkout/{}", payment.checkout_id);
    if payment.status != PaymentStatus::Pending {
        return own;
    }
    let urls = PaymentUrls {
        return_url: format!("{}{own}", state.public_url()),
    };
    state
        .payments
        .by_id(&payment.provider)
        .and_then(|provider| provider.start(payment, &urls))
        .unwrap_or(own)
}

async fn place(
    state: &AppState,
    user: &CurrentUser,
    form: &CheckoutForm,
    room_id: Option<i64>,
    lines: &[(i64, u32)],
) -> Result<Checkout, Problem> {
    let key = IdempotencyKey::parse(&form.key)?;
    if let Some(earlier) = state.store.checkout_of_key(user.account.id, &key).await? {
        return Ok(earlier);
    }
    let lines: Vec<(i64, i64)> = lines.iter().map(|&(v, q)| (v, i64::from(q))).collect();
    let basket = Basket::parse(&lines)?;
    let delivery = parse_delivery(
        state,
        &DeliveryInput {
            kind: chosen_delivery(form).to_owned(),
            station: form.station.clone(),
            region: form.region.clone(),
            address: form.address.clone(),
            recipient: form.recipient.clone(),
            phone: form.phone.clone(),
        },
    )
    .await?;
    let payment = super::place::payment_method(&form.payment)?;
    let checkout = super::place::place(
        state,
        user,
        super::place::Placement {
            key,
            basket,
            delivery,
            payment,
            room_id,
        },
    )
    .await?;
    Ok(checkout)
}

/// How the buyer wants it: as the radio says, except that a station chosen with no address
/// written means pickup there (someone new to this picks the station and forgets the radio).
fn chosen_delivery(form: &CheckoutForm) -> &str {
    let no_address = form.region.trim().is_empty() && form.address.trim().is_empty();
    if form.delivery == "home" && no_address && !form.station.trim().is_empty() {
        "pickup"
    } else {
        &form.delivery
    }
}

/// After a checkout: what it bought leaves the cart (a "buy now" leaves the cart alone).
async fn clear_bought(
    state: &AppState,
    user: &CurrentUser,
    session: &tower_sessions::Session,
    form: &CheckoutForm,
    checkout: &Checkout,
) -> Result<(), Problem> {
    cart::forget_room(session).await;
    if form.only == "now" {
        cart::forget_buy_now(session).await;
        return Ok(());
    }
    let ordered: Vec<i64> = checkout
        .orders
        .iter()
        .flat_map(|o| o.lines.iter().map(|l| l.variant_id))
        .collect();
    state
        .store
        .remove_from_cart(user.account.id, &ordered)
        .await?;
    Ok(())
}

/// `POST /checkout`: places the orders (a resent form places nothing twice: its key is the
/// same), then goes on to payment. Mistakes show on the form beside their field.
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    session: tower_sessions::Session,
    Form(form): Form<CheckoutForm>,
) -> Result<Response, Problem> {
    // Filled from a live room: its room prices apply (while it is live).
    let room = cart::room_of_cart(&session).await;
    let lines = lines_to_buy(&state, &user, &session, &form.only).await?;
    match place(&state, &user, &form, room, &lines).await {
        Ok(checkout) => {
            clear_bought(&state, &user, &session, &form, &checkout).await?;
            Ok(Redirect::to(&next_step(&state, &checkout.payment)).into_response())
        }
        Err(problem)
            if problem.status.is_client_error()
                && problem.status != StatusCode::TOO_MANY_REQUESTS =>
        {
            let buying = Buying {
                room,
                lines: &lines,
            };
            page(&state, &user, c, csrf.0, form, Some(&problem), buying).await
        }
        Err(problem) => Err(problem),
    }
}

pub struct OrderLink {
    pub id: i64,
    pub shop: String,
    pub goods: String,
    pub shipping: String,
    pub total: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "orders/checkout_done.html")]
struct DonePage {
    c: Chrome,
    csrf: String,
    checkout_id: String,
    orders: Vec<OrderLink>,
    amount: String,
    status: String,
    pending: bool,
    expires: String,
}

/// `GET /checkout/{id}`: what the checkout made and where its payment stands.
pub async fn done(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(checkout_id): Path<String>,
) -> Result<Response, Problem> {
    let payment = state.store.payment_of_checkout(&checkout_id).await?;
    if payment.buyer_id != user.account.id {
        return Err(Problem::not_found());
    }
    let t = c.t;
    let mut orders = Vec::new();
    for order in state.store.orders_of_checkout(&checkout_id).await? {
        orders.push(OrderLink {
            id: order.id,
            shop: state.store.shop(order.shop_id).await?.name,
            goods: order.goods.display_price(),
            shipping: order.shipping.display_price(),
            total: order.total.display_price(),
            status: t.get(&format!("order-status-{}", order.status.as_str())),
        });
    }
    let page = DonePage {
        csrf: csrf.0,
        checkout_id,
        orders,
        amount: payment.amount.display_price(),
        status: t.get(&format!("payment-status-{}", payment.status.as_str())),
        pending: payment.status == PaymentStatus::Pending,
        expires: payment
            .expires_at
            .map(crate::format::china_time)
            .unwrap_or_default(),
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /checkout/{id}/pay`: back to the provider's page for a payment still pending.
pub async fn pay(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(checkout_id): Path<String>,
) -> Result<Response, Problem> {
    let payment = state.store.payment_of_checkout(&checkout_id).await?;
    if payment.buyer_id != user.account.id {
        return Err(Problem::not_found());
    }
    Ok(Redirect::to(&next_step(&state, &payment)).into_response())
}
