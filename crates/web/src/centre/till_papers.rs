//! The till's papers (issue 19): the 80 mm receipt of a sale, with a QR code to each product's
//! page for the tourist to order again at home; a closed session's summary (cash expected and
//! counted); the shelf labels with each product's code as a Code 128 barcode; and the scripts
//! the till page runs (its offline queue and the service worker that keeps it).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::centre::till::TillSaleStatus;
use farmgate_domain::money::Fen;
use farmgate_store::catalog::Product;
use farmgate_store::centre::TillLine;

use super::till::{kept_place, kept_sale, kept_session};
use super::till_pages::{ShelfItem, shelf_of};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::catalog::places::variant_names;
use crate::csrf::CsrfToken;
use crate::html::charts::{code128_svg, qr_svg};
use crate::html::{Chrome, render};
use crate::problem::Problem;

struct ReceiptLine {
    variant_id: i64,
    name: String,
    quantity: i64,
    amount: String,
    given_back: bool,
    /// Units brought back at the till so far, and how many more may come back.
    returned: i64,
    left: i64,
    /// The product's page, and its QR code.
    link: String,
    qr: String,
}

#[derive(Template)]
#[template(path = "centre/till_receipt.html")]
pub(super) struct ReceiptPage {
    c: Chrome,
    place: String,
    number: i64,
    when: String,
    lines: Vec<ReceiptLine>,
    total: String,
    given_back: Option<String>,
    paid_by: String,
    status: String,
    csrf: String,
    /// A session is open at the sale's place: goods may come back.
    can_return: bool,
    notice: Option<String>,
    mistake: Option<String>,
}

/// `GET /centre/till/sales/{id}/receipt`: the receipt, and taking goods of it back.
pub async fn receipt(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(sale_id): Path<i64>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let notice = (query.saved.as_deref() == Some("returned")).then(|| c.t.get("till-returned"));
    let page = receipt_page(&state, &user, (c, csrf.0), sale_id, (notice, None)).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn receipt_line(
    (products, names, base): (&[Product], &[(i64, String)], &str),
    l: &TillLine,
    returned: i64,
) -> ReceiptLine {
    let product = products.iter().find(|p| {
        p.variants
            .iter()
            .chain(&p.retired_variants)
            .any(|v| v.id == l.variant_id)
    });
    let link = product
        .map(|p| format!("{base}/products/{}", p.id))
        .unwrap_or_default();
    ReceiptLine {
        variant_id: l.variant_id,
        name: names
            .iter()
            .find(|(id, _)| *id == l.variant_id)
            .map_or_else(|| format!("#{}", l.variant_id), |(_, n)| n.clone()),
        quantity: l.quantity,
        amount: l.amount().unwrap_or_default().display_price(),
        given_back: l.given_back,
        returned,
        left: if l.given_back {
            0
        } else {
            l.quantity - returned
        },
        qr: if link.is_empty() {
            String::new()
        } else {
            qr_svg(&link)
        },
        link,
    }
}

pub(super) async fn receipt_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    sale_id: i64,
    (notice, mistake): (Option<String>, Option<String>),
) -> Result<ReceiptPage, Problem> {
    let (place, _, sale) = kept_sale(state, user, sale_id).await?;
    let t = &c.t;
    let ids: Vec<i64> = sale.lines.iter().map(|l| l.variant_id).collect();
    let products = state.store.products_of_variants(&ids).await?;
    let names = variant_names(t, &products);
    let base = state.public_url().to_owned();
    let returns = state.store.till_returns_of_sale(sale.id).await?;
    let lines = sale
        .lines
        .iter()
        .map(|l| {
            let returned = returns
                .iter()
                .filter(|r| r.variant_id == l.variant_id)
                .map(|r| r.quantity)
                .sum();
            receipt_line((&products, &names, &base), l, returned)
        })
        .collect();
    let done = matches!(sale.status, TillSaleStatus::Done | TillSaleStatus::Settled);
    let can_return = done && state.store.open_till_session_at(place.id).await?.is_some();
    Ok(ReceiptPage {
        place: place.name(t.lang()).to_owned(),
        number: sale.id,
        when: crate::format::china_time(sale.rung_at),
        lines,
        total: sale.charged.display_price(),
        given_back: (sale.given_back > Fen(0)).then(|| sale.given_back.display_price()),
        paid_by: t.get(&format!("till-paid-{}", sale.paid_by.as_str())),
        status: t.get(&format!("till-status-{}", sale.status.as_str())),
        csrf,
        can_return,
        notice,
        mistake,
        c,
    })
}

#[derive(Template)]
#[template(path = "centre/till_session.html")]
struct SessionPage {
    c: Chrome,
    place_id: i64,
    place: String,
    opened: String,
    closed: String,
    opening: String,
    expected: String,
    counted: String,
    /// Counted less expected, when it differs.
    difference: Option<String>,
    note: String,
    sales: usize,
    open: bool,
}

/// `GET /centre/till/sessions/{id}`: a session's cash, expected and counted.
pub async fn session(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(session_id): Path<i64>,
) -> Result<Response, Problem> {
    let (place, session) = kept_session(&state, &user, session_id).await?;
    let sales = state.store.till_sales(session.id).await?;
    let show = |f: Option<Fen>| f.map(Fen::display_price).unwrap_or_default();
    let difference = match (session.counted_cash, session.expected_cash) {
        (Some(counted), Some(expected)) if counted != expected => {
            counted.checked_sub(expected).map(Fen::display_price)
        }
        _ => None,
    };
    let page = SessionPage {
        place_id: place.id,
        place: place.name(c.t.lang()).to_owned(),
        opened: crate::format::china_time(session.opened_at),
        closed: session
            .closed_at
            .map(crate::format::china_time)
            .unwrap_or_default(),
        opening: session.opening_cash.display_price(),
        expected: show(session.expected_cash),
        counted: show(session.counted_cash),
        difference,
        note: session.note.clone(),
        sales: sales.len(),
        open: session.is_open(),
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

struct Label {
    item: ShelfItem,
    barcode: String,
}

#[derive(Template)]
#[template(path = "centre/till_labels.html")]
struct LabelsPage {
    c: Chrome,
    place_id: i64,
    place: String,
    labels: Vec<Label>,
}

/// `GET /centre/till/{place}/labels`: a label for each item on the shelf (name, price, the
/// shop's code as Code 128), laid out for printing.
pub async fn labels(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(place_id): Path<i64>,
) -> Result<Response, Problem> {
    let place = kept_place(&state, &user, place_id).await?;
    let shelf = shelf_of(&state, &c.t, &place).await?;
    let page = LabelsPage {
        place_id: place.id,
        place: place.name(c.t.lang()).to_owned(),
        labels: shelf
            .into_iter()
            .map(|item| Label {
                barcode: code128_svg(&item.code),
                item,
            })
            .collect(),
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /static/till.js`: the till's offline queue.
pub async fn script() -> Response {
    crate::html::javascript(include_str!("../../static/till.js"))
}

/// `GET /centre/till/sw.js`: the service worker that keeps the till's pages (scope
/// `/centre/till/`).
pub async fn worker() -> Response {
    crate::html::javascript(include_str!("../../static/offline-sw.js"))
}
