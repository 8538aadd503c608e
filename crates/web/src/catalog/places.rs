//! A shop's goods in several places (issue 19, decision 0029), as its members keep them:
//! where each product's units are (the shop's own store, the county's places it keeps stock at,
//! on the way), keeping stock at a place and whether online sales draw from it, sending goods
//! from one place to another, receiving them with what arrived counted (or calling them back),
//! and counting a place's shelf.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_store::catalog::{
    CountedLine, NewTransfer, Product, ShopPlace, StockPlace, Transfer, TransferStatus,
};
use farmgate_store::shops::Shop;
use serde::Deserialize;

use super::upkeep::product_name;
use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::csrf::CsrfToken;
use crate::format::variant_label;
use crate::html::{Chrome, render, sent};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Transfers listed per page.
const PAGE: u64 = 20;

/// One variant's row: its name and units at the store, at each of the shop's places (in the
/// order of `places`), and on the way.
struct UnitsRow {
    variant_id: i64,
    name: String,
    store: i64,
    at: Vec<i64>,
    on_the_way: i64,
}

struct PlaceRow {
    id: i64,
    name: String,
    kind: String,
    online: bool,
}

struct TransferRow {
    id: i64,
    from: String,
    to: String,
    when: String,
    status: String,
    open: bool,
    note: String,
    /// (variant id, name, sent, received)
    lines: Vec<(i64, String, i64, Option<i64>)>,
}

#[derive(Template)]
#[template(path = "catalog/places.html")]
struct PlacesPage {
    c: Chrome,
    csrf: String,
    shop_id: i64,
    shop_name: String,
    places: Vec<PlaceRow>,
    /// Places of the county the shop does not keep stock at yet: (id, name).
    joinable: Vec<(i64, String)>,
    rows: Vec<UnitsRow>,
    /// Where goods can leave from or go to: ("" for the store, or the place's id; name).
    spots: Vec<(String, String)>,
    transfers: Vec<TransferRow>,
    next: Option<i64>,
    notice: Option<String>,
    mistake: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlacesQuery {
    before: Option<i64>,
    saved: Option<String>,
}

fn place_name(t: &Tr, places: &[StockPlace], id: Option<i64>) -> String {
    match id {
        None => t.get("places-own-store"),
        Some(id) => places
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name(t.lang()).to_owned())
            .unwrap_or_default(),
    }
}

/// The county's places (those of the shop's village's county).
async fn county_places(state: &AppState, shop: &Shop) -> Result<Vec<StockPlace>, Problem> {
    let regions = state.store.all_regions().await?;
    let village = regions.iter().find(|r| r.id == shop.village_id);
    let Some(county) = village.and_then(|v| crate::format::county_of(&regions, v)) else {
        return Ok(Vec::new());
    };
    Ok(state.store.stock_places(county.id).await?)
}

/// Each variant of `products` with its name for the reader: product and unit.
pub(crate) fn variant_names(t: &Tr, products: &[Product]) -> Vec<(i64, String)> {
    products
        .iter()
        .flat_map(|p| {
            p.variants.iter().map(move |v| {
                (
                    v.id,
                    format!("{} {}", product_name(t, p), variant_label(t, &v.spec)),
                )
            })
        })
        .collect()
}

async fn show(
    state: &AppState,
    (c, csrf): (Chrome, String),
    shop: &Shop,
    before: Option<i64>,
    (notice, mistake): (Option<String>, Option<String>),
) -> Result<PlacesPage, Problem> {
    let t = c.t;
    let county = county_places(state, shop).await?;
    let mine: Vec<ShopPlace> = state.store.shop_places(shop.id).await?;
    let products = state.store.products_of_shop(shop.id).await?;
    let placed = state.store.placed_units(Some(shop.id), None).await?;
    let on_the_way = state
        .store
        .transfers((Some(shop.id), None), Some(TransferStatus::Sent), None, 500)
        .await?;
    let names = variant_names(&t, &products);
    let rows = products
        .iter()
        .flat_map(|p| p.variants.iter())
        .map(|v| UnitsRow {
            variant_id: v.id,
            name: names
                .iter()
                .find(|(id, _)| *id == v.id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            store: v.spec.stock - v.away_online,
            at: mine
                .iter()
                .map(|sp| {
                    placed
                        .iter()
                        .find(|u| u.place_id == sp.place.id && u.variant_id == v.id)
                        .map_or(0, |u| u.quantity)
                })
                .collect(),
            on_the_way: on_the_way
                .iter()
                .flat_map(|tr| tr.lines.iter())
                .filter(|l| l.variant_id == v.id)
                .map(|l| l.sent)
                .sum(),
        })
        .collect();
    let transfers = state
        .store
        .transfers((Some(shop.id), None), None, before, PAGE)
        .await?;
    let next = (transfers.len() as u64 >= PAGE)
        .then(|| transfers.last().map(|tr| tr.id))
        .flatten();
    let mut spots = vec![(String::new(), t.get("places-own-store"))];
    spots.extend(
        mine.iter()
            .map(|sp| (sp.place.id.to_string(), sp.place.name(t.lang()).to_owned())),
    );
    Ok(PlacesPage {
        csrf,
        shop_id: shop.id,
        shop_name: shop.name_in(t.lang()).to_owned(),
        places: mine
            .iter()
            .map(|sp| PlaceRow {
                id: sp.place.id,
                name: sp.place.name(t.lang()).to_owned(),
                kind: t.get(&format!("place-kind-{}", sp.place.kind.as_str())),
                online: sp.online,
            })
            .collect(),
        joinable: county
            .iter()
            .filter(|p| p.active && !mine.iter().any(|sp| sp.place.id == p.id))
            .map(|p| (p.id, p.name(t.lang()).to_owned()))
            .collect(),
        rows,
        spots,
        transfers: transfers
            .iter()
            .map(|tr| transfer_row(&t, &county, &names, tr))
            .collect(),
        next,
        notice,
        mistake,
        c,
    })
}

fn transfer_row(
    t: &Tr,
    places: &[StockPlace],
    names: &[(i64, String)],
    tr: &Transfer,
) -> TransferRow {
    TransferRow {
        id: tr.id,
        from: place_name(t, places, tr.from_place_id),
        to: place_name(t, places, tr.to_place_id),
        when: crate::format::china_time(tr.sent_at),
        status: t.get(&format!("transfer-status-{}", tr.status.as_str())),
        open: tr.status == TransferStatus::Sent,
        note: tr.note.clone(),
        lines: tr
            .lines
            .iter()
            .map(|l| {
                let name = names
                    .iter()
                    .find(|(id, _)| *id == l.variant_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| format!("#{}", l.variant_id));
                (l.variant_id, name, l.sent, l.received)
            })
            .collect(),
    }
}

/// `GET /seller/shops/{id}/places`
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Query(query): Query<PlacesQuery>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let notice = query
        .saved
        .as_deref()
        .filter(|s| SAVED.contains(s))
        .map(|s| c.t.get(&format!("places-saved-{s}")));
    let page = show(&state, (c, csrf.0), &shop, query.before, (notice, None)).await?;
    Ok(render(StatusCode::OK, &page))
}

/// What a saved change says when the page opens again.
const SAVED: [&str; 5] = ["place", "sent", "received", "called-back", "counted"];

fn saved(shop_id: i64, what: &str) -> Response {
    Redirect::to(&format!("/seller/shops/{shop_id}/places?saved={what}")).into_response()
}

/// The page again with the mistake told (422), nothing changed.
async fn refused(
    state: &AppState,
    (c, csrf): (Chrome, String),
    shop: &Shop,
    err: farmgate_store::Error,
) -> Result<Response, Problem> {
    let problem = Problem::from(err);
    if problem.status != StatusCode::UNPROCESSABLE_ENTITY {
        return Err(problem);
    }
    let mistake = Some(problem.message(&c.t));
    let page = show(state, (c, csrf), shop, None, (None, mistake)).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn spot(fields: &[(String, String)], name: &'static str) -> Result<Option<i64>, ValidationError> {
    match sent(fields, name).trim() {
        "" => Ok(None),
        typed => typed
            .parse()
            .map(Some)
            .map_err(|_| ValidationError::new(name, "transfer-same-place")),
    }
}

/// Each `{prefix}{variant}` field with a number in it: (variant, units).
pub(crate) fn units(
    fields: &[(String, String)],
    prefix: &str,
) -> Result<Vec<(i64, i64)>, ValidationError> {
    let mut all = Vec::new();
    for (name, value) in fields {
        let Some(variant) = name.strip_prefix(prefix).and_then(|v| v.parse().ok()) else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        let units = value
            .trim()
            .parse::<i64>()
            .map_err(|_| ValidationError::new("lines", "units-invalid"))?;
        all.push((variant, units));
    }
    Ok(all)
}

/// `POST /seller/shops/{id}/places`: keep stock at one of the county's places.
pub async fn join(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let county = county_places(&state, &shop).await?;
    let place = sent(&fields, "place")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| county.iter().any(|p| p.id == *id))
        .ok_or_else(Problem::not_found)?;
    let online = sent(&fields, "online") == "true";
    match state
        .store
        .join_stock_place(shop.id, place, online, user.account.id)
        .await
    {
        Ok(()) => Ok(saved(shop.id, "place")),
        Err(err) => refused(&state, (c, csrf.0), &shop, err).await,
    }
}

/// `POST /seller/shops/{id}/places/{place}`: online sales draw from it or not (`online`), or
/// the shop stops keeping stock there (`leave`).
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path((shop_id, place_id)): Path<(i64, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let done = if sent(&fields, "leave") == "true" {
        state.store.leave_stock_place(shop.id, place_id).await
    } else {
        let online = sent(&fields, "online") == "true";
        let done = state
            .store
            .set_place_online(shop.id, place_id, online)
            .await;
        if done.is_ok() {
            changed_products(&state, shop.id).await?;
        }
        done
    };
    match done {
        Ok(()) => Ok(saved(shop.id, "place")),
        Err(err) => refused(&state, (c, csrf.0), &shop, err).await,
    }
}

/// After a change of the shop's stock: the index told and the page again with `what` saved, or
/// the mistake told with nothing changed.
async fn stock_moved(
    state: &AppState,
    (c, csrf): (Chrome, String),
    shop: &Shop,
    done: Result<(), farmgate_store::Error>,
    what: &str,
) -> Result<Response, Problem> {
    match done {
        Ok(()) => {
            changed_products(state, shop.id).await?;
            Ok(saved(shop.id, what))
        }
        Err(err) => refused(state, (c, csrf), shop, err).await,
    }
}

/// The search index and the other instances learn the shop's stock changed.
async fn changed_products(state: &AppState, shop_id: i64) -> Result<(), Problem> {
    let ids: Vec<i64> = state
        .store
        .products_of_shop(shop_id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    state.products_changed(ids);
    Ok(())
}

/// `POST /seller/shops/{id}/transfers`: send goods (`from`, `to`, `units_{variant}`, `note`).
pub async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let parsed = spot(&fields, "from")
        .and_then(|from| Ok((from, spot(&fields, "to")?, units(&fields, "units_")?)));
    let done = match parsed {
        Err(err) => Err(err.into()),
        Ok((from, to, lines)) => {
            let lines: Vec<(i64, i64)> = lines.into_iter().filter(|(_, u)| *u != 0).collect();
            let note = sent(&fields, "note");
            let new = NewTransfer {
                shop_id: shop.id,
                from,
                to,
                lines: &lines,
                note: &note,
            };
            state.store.send_transfer(new, user.account.id).await
        }
    };
    stock_moved(&state, (c, csrf.0), &shop, done.map(|_| ()), "sent").await
}

/// A transfer of one of the user's shops.
async fn managed_transfer(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Shop, Transfer), Problem> {
    let transfer = state.store.transfer(id).await?;
    let shop = managed_shop(state, user, transfer.shop_id).await?;
    Ok((shop, transfer))
}

/// `POST /seller/transfers/{id}/receive` (`received_{variant}`: what arrived of each line),
/// or `call_back=true` to bring the goods back where they left.
pub async fn receive(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (shop, transfer) = managed_transfer(&state, &user, id).await?;
    let (done, what) = if sent(&fields, "call_back") == "true" {
        (
            state
                .store
                .call_back_transfer(transfer.id, user.account.id)
                .await,
            "called-back",
        )
    } else {
        let counted = match units(&fields, "received_") {
            Ok(counted) => counted,
            Err(err) => return refused(&state, (c, csrf.0), &shop, err.into()).await,
        };
        (
            state
                .store
                .receive_transfer(transfer.id, &counted, user.account.id)
                .await,
            "received",
        )
    };
    stock_moved(&state, (c, csrf.0), &shop, done.map(|_| ()), what).await
}

/// `POST /seller/shops/{id}/counts`: a place's shelf counted (`at`, `counted_{variant}`,
/// `reason_{variant}`, `note`); lines left blank are not counted.
pub async fn count(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let reasons: HashMap<String, String> = fields.iter().cloned().collect();
    let parsed = spot(&fields, "at").and_then(|at| Ok((at, units(&fields, "counted_")?)));
    let done = match parsed {
        Err(err) => Err(err.into()),
        Ok((at, counted)) => {
            let lines: Vec<CountedLine> = counted
                .into_iter()
                .map(|(variant_id, counted)| CountedLine {
                    variant_id,
                    counted,
                    reason: reasons
                        .get(&format!("reason_{variant_id}"))
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect();
            let note = sent(&fields, "note");
            state
                .store
                .count_stock((shop.id, at), &lines, &note, user.account.id)
                .await
                .map(|_| ())
        }
    };
    stock_moved(&state, (c, csrf.0), &shop, done.map(|_| ()), "counted").await
}
