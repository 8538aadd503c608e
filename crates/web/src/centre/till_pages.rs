//! The showroom's till as the cashier works it (issue 19): open a session with the cash in the
//! drawer, ring up goods by scanning their label or tapping them on the shelf, take cash or a
//! payment code, print the receipt, settle a sale the showroom was short of, close with the
//! cash counted. The page works without JavaScript (one form per sale, its client id made
//! here); with it, `static/till.js` keeps every sale in IndexedDB first and sends it when it
//! can, and the service worker keeps the page for opening offline.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::parse_amount;
use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::centre::till::{TillPayment, TillSaleStatus, check_drawer};
use farmgate_domain::money::Fen;
use farmgate_store::catalog::{Product, StockPlace};
use farmgate_store::centre::{TillLine, TillSale, TillSession};
use serde::Deserialize;

use super::KEEPERS;
use super::till::{RungSale, Settle, kept_place, kept_sale, kept_session, ring_up, settle};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::catalog::places::variant_names;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render, sent};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Sales of the session listed on the till, newest first.
const RECENT: usize = 20;

/// An item on the showroom's shelf, as the till offers it.
pub(super) struct ShelfItem {
    pub variant_id: i64,
    pub product_id: i64,
    pub shop: String,
    pub name: String,
    pub code: String,
    pub price: String,
    pub price_fen: i64,
    pub left: i64,
}

struct SaleRow {
    id: i64,
    when: String,
    total: String,
    paid_by: String,
    status: String,
    to_settle: bool,
    /// What the place was short of, while to settle.
    short: String,
}

#[derive(Template)]
#[template(path = "centre/till.html")]
struct TillPage {
    c: Chrome,
    csrf: String,
    place_id: i64,
    place: String,
    session: Option<TillSession>,
    opened: String,
    opening: String,
    cash_in: String,
    shelf: Vec<ShelfItem>,
    sales: Vec<SaleRow>,
    client_id: String,
    notice: Option<String>,
    mistake: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TillQuery {
    saved: Option<String>,
    sold: Option<i64>,
}

/// The shelf at `place`: every shop's variants with units there, priced as they sell.
pub(super) async fn shelf_of(
    state: &AppState,
    t: &Tr,
    place: &StockPlace,
) -> Result<Vec<ShelfItem>, Problem> {
    let units = state.store.placed_units(None, Some(place.id)).await?;
    let ids: Vec<i64> = units.iter().map(|u| u.variant_id).collect();
    let products: Vec<Product> = state.store.products_of_variants(&ids).await?;
    let names = variant_names(t, &products);
    let shop_ids: Vec<i64> = products.iter().map(|p| p.shop_id).collect();
    let shops = state.store.shops_by_ids(&shop_ids).await?;
    let mut items: Vec<ShelfItem> = units
        .iter()
        .filter_map(|u| {
            let product = products
                .iter()
                .find(|p| p.variants.iter().any(|v| v.id == u.variant_id))?;
            let variant = product.variants.iter().find(|v| v.id == u.variant_id)?;
            Some(ShelfItem {
                variant_id: u.variant_id,
                product_id: product.id,
                shop: shops
                    .iter()
                    .find(|s| s.id == product.shop_id)
                    .map(|s| s.name_in(t.lang()).to_owned())
                    .unwrap_or_default(),
                name: names
                    .iter()
                    .find(|(id, _)| *id == u.variant_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                code: product.code.clone(),
                price: variant.spec.price.display_price(),
                price_fen: variant.spec.price.0,
                left: u.quantity,
            })
        })
        .collect();
    items.sort_by(|a, b| (&a.shop, &a.name).cmp(&(&b.shop, &b.name)));
    Ok(items)
}

fn sale_row(t: &Tr, shelf: &[ShelfItem], sale: &TillSale) -> SaleRow {
    let short = sale
        .short_variant_id
        .and_then(|v| shelf.iter().find(|i| i.variant_id == v))
        .map(|i| i.name.clone())
        .or_else(|| sale.short_variant_id.map(|v| format!("#{v}")))
        .unwrap_or_default();
    SaleRow {
        id: sale.id,
        when: crate::format::china_time(sale.rung_at),
        total: sale.charged.display_price(),
        paid_by: t.get(&format!("till-paid-{}", sale.paid_by.as_str())),
        status: t.get(&format!("till-status-{}", sale.status.as_str())),
        to_settle: sale.status == TillSaleStatus::ToSettle,
        short,
    }
}

async fn till_page(
    state: &AppState,
    (c, csrf): (Chrome, String),
    place: &StockPlace,
    (notice, mistake): (Option<String>, Option<String>),
) -> Result<TillPage, Problem> {
    let t = c.t;
    let session = state.store.open_till_session_at(place.id).await?;
    let shelf = shelf_of(state, &t, place).await?;
    let sales = match &session {
        Some(s) => state.store.till_sales(s.id).await?,
        None => Vec::new(),
    };
    let returned = match &session {
        Some(s) => state.store.till_returns(s.id).await?,
        None => Vec::new(),
    };
    // Cash in less what went back, sales' lines and goods returned alike.
    let cash_in = Fen::checked_sum(
        sales
            .iter()
            .filter(|s| s.paid_by == TillPayment::Cash)
            .map(|s| Fen(s.charged.0 - s.given_back.0))
            .chain(returned.iter().map(|r| Fen(-r.amount.0))),
    )
    .unwrap_or_default();
    let mut rows: Vec<SaleRow> = sales.iter().map(|s| sale_row(&t, &shelf, s)).collect();
    rows.reverse();
    // Those to settle first, then the newest.
    rows.sort_by_key(|r| !r.to_settle);
    rows.truncate(RECENT.max(rows.iter().filter(|r| r.to_settle).count()));
    Ok(TillPage {
        csrf,
        place_id: place.id,
        place: place.name(t.lang()).to_owned(),
        opened: session
            .as_ref()
            .map(|s| crate::format::china_time(s.opened_at))
            .unwrap_or_default(),
        opening: session
            .as_ref()
            .map(|s| s.opening_cash.display_price())
            .unwrap_or_default(),
        cash_in: cash_in.display_price(),
        session,
        shelf,
        sales: rows,
        client_id: uuid::Uuid::new_v4().to_string(),
        notice,
        mistake,
        c,
    })
}

/// What a saved step says when the till opens again.
const SAVED: [&str; 4] = ["opened", "sold", "settled", "closed"];

#[derive(Template)]
#[template(path = "centre/till_choose.html")]
struct ChoosePage {
    c: Chrome,
    /// (id, name, a session is open)
    showrooms: Vec<(i64, String, bool)>,
}

/// `GET /centre/till`: the county's showrooms, each with its till.
pub async fn choose(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let mut showrooms = Vec::new();
    for place in state.store.stock_places(county.id).await? {
        if place.active && place.kind == PlaceKind::Showroom {
            let open = state.store.open_till_session_at(place.id).await?.is_some();
            showrooms.push((place.id, place.name(c.t.lang()).to_owned(), open));
        }
    }
    Ok(render(StatusCode::OK, &ChoosePage { c, showrooms }))
}

/// `GET /centre/till/{place}`: the till of a place.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(place_id): Path<i64>,
    Query(query): Query<TillQuery>,
) -> Result<Response, Problem> {
    let place = kept_place(&state, &user, place_id).await?;
    let mut notice = query
        .saved
        .as_deref()
        .filter(|s| SAVED.contains(s))
        .map(|s| c.t.get(&format!("till-saved-{s}")));
    if let Some(sold) = query.sold {
        notice = Some(c.t.arg("till-sold", "sale", sold));
    }
    let page = till_page(&state, (c, csrf.0), &place, (notice, None)).await?;
    Ok(render(StatusCode::OK, &page))
}

fn back_to(place_id: i64, what: &str) -> Response {
    Redirect::to(&format!("/centre/till/{place_id}?saved={what}")).into_response()
}

/// The till again with the mistake told (422), or the problem when it is not the reader's.
async fn refused(
    state: &AppState,
    (c, csrf): (Chrome, String),
    place: &StockPlace,
    problem: Problem,
) -> Result<Response, Problem> {
    if problem.status != StatusCode::UNPROCESSABLE_ENTITY && problem.status != StatusCode::CONFLICT
    {
        return Err(problem);
    }
    let mistake = Some(problem.message(&c.t));
    let page = till_page(state, (c, csrf), place, (None, mistake)).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn yuan_field(fields: &[(String, String)], name: &'static str) -> Result<Fen, ValidationError> {
    let typed = sent(fields, name);
    let amount =
        parse_amount(&typed).map_err(|_| ValidationError::new(name, "drawer-cash-invalid"))?;
    check_drawer(name, amount)
}

/// `POST /centre/till/{place}/open` (`opening`: yuan in the drawer).
pub async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(place_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let place = kept_place(&state, &user, place_id).await?;
    let opened = match yuan_field(&fields, "opening") {
        Ok(cash) => state
            .store
            .open_till_session(place.id, cash, user.account.id)
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match opened {
        Ok(_) => Ok(back_to(place.id, "opened")),
        Err(problem) => refused(&state, (c, csrf.0), &place, problem).await,
    }
}

/// The sale a form sends: `qty_{variant}` for each item (prices from the shelf), `paid_by`,
/// and the `client_id` the page was drawn with.
fn form_sale(
    fields: &[(String, String)],
    shelf: &[ShelfItem],
) -> Result<RungSale, ValidationError> {
    let mut lines = Vec::new();
    for item in shelf {
        let typed = sent(fields, &format!("qty_{}", item.variant_id));
        if typed.trim().is_empty() {
            continue;
        }
        let quantity: i64 = typed
            .trim()
            .parse()
            .map_err(|_| ValidationError::new("lines", "till-lines-invalid"))?;
        if quantity > 0 {
            lines.push(TillLine::rung(
                item.variant_id,
                quantity,
                Fen(item.price_fen),
            ));
        }
    }
    let charged = Fen::checked_sum(lines.iter().filter_map(TillLine::amount))
        .ok_or(ValidationError::new("lines", "amount-too-large"))?;
    Ok(RungSale {
        client_id: sent(fields, "client_id").trim().to_owned(),
        rung_at: chrono::Utc::now(),
        paid_by: TillPayment::parse(&sent(fields, "paid_by"))?,
        charged,
        lines,
    })
}

/// `POST /centre/till/sessions/{id}/sales`: a sale rung up on the page without JavaScript.
pub async fn sell(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(session_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (place, session) = kept_session(&state, &user, session_id).await?;
    let shelf = shelf_of(&state, &c.t, &place).await?;
    let rung = match form_sale(&fields, &shelf) {
        Ok(rung) => rung,
        Err(err) => return refused(&state, (c, csrf.0), &place, err.into()).await,
    };
    match ring_up(&state, &user, &session, rung).await {
        Ok(sale) => Ok(
            Redirect::to(&format!("/centre/till/{}?sold={}", place.id, sale.id)).into_response(),
        ),
        Err(problem) => refused(&state, (c, csrf.0), &place, problem).await,
    }
}

/// `POST /centre/till/sales/{id}/settle` (`how`: from_store, give_back or again).
pub async fn settle_form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(sale_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (place, session, sale) = kept_sale(&state, &user, sale_id).await?;
    let done = match Settle::parse(&sent(&fields, "how")) {
        Ok(how) => settle(&state, &user, (&place, &session), &sale, how).await,
        Err(err) => Err(err.into()),
    };
    match done {
        Ok(_) => Ok(back_to(place.id, "settled")),
        Err(problem) => refused(&state, (c, csrf.0), &place, problem).await,
    }
}

/// `POST /centre/till/sessions/{id}/close` (`counted`: yuan in the drawer, `note`).
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(session_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (place, session) = kept_session(&state, &user, session_id).await?;
    let closed = match yuan_field(&fields, "counted") {
        Ok(counted) => state
            .store
            .close_till_session(session.id, counted, &sent(&fields, "note"), user.account.id)
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match closed {
        Ok(s) => Ok(Redirect::to(&format!("/centre/till/sessions/{}", s.id)).into_response()),
        Err(problem) => refused(&state, (c, csrf.0), &place, problem).await,
    }
}

/// `POST /centre/till/sales/{id}/returns` (`variant_id`, `quantity`): goods of the sale come back
/// at the session open at its place; the money leaves the drawer in cash.
pub async fn return_goods(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(sale_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (place, _, sale) = kept_sale(&state, &user, sale_id).await?;
    let number = |name: &'static str| {
        sent(&fields, name).trim().parse::<i64>().map_err(|_| {
            Problem::from(ValidationError::new(
                "quantity",
                "till-return-quantity-invalid",
            ))
        })
    };
    let returned = async {
        let session = state
            .store
            .open_till_session_at(place.id)
            .await?
            .ok_or_else(|| Problem::from(ValidationError::new("session", "till-closed")))?;
        let line = (sale.id, number("variant_id")?, number("quantity")?);
        state
            .store
            .return_till_goods(session.id, line, user.account.id)
            .await
            .map_err(Problem::from)
    }
    .await;
    match returned {
        Ok(_) => Ok(Redirect::to(&format!(
            "/centre/till/sales/{sale_id}/receipt?saved=returned"
        ))
        .into_response()),
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mistake = Some(problem.message(&c.t));
            let page = super::till_papers::receipt_page(
                &state,
                &user,
                (c, csrf.0),
                sale_id,
                (None, mistake),
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}
