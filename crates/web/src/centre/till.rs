//! The showroom's till (issue 19, decisions 0030 and 0031), what its page and its API share:
//! ringing up a sale (kept once by its client-made id, placed through the one placement path
//! as a counter sale of the place, or kept to settle when the place was short), settling a
//! short sale, and which sessions and places a user may work.

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::centre::till::{TillPayment, TillSaleStatus};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{Basket, IdempotencyKey, PaymentMethod};
use farmgate_store::catalog::{NewTransfer, StockPlace};
use farmgate_store::centre::{NewTillSale, TillLine, TillOutcome, TillSale, TillSession};
use farmgate_store::orders::{Delivery, IntakeError};

use super::KEEPERS;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::orders::place::{Placement, place_or_refusal};
use crate::problem::Problem;

/// Place `id` of the county `user` keeps; a 404 otherwise.
pub(super) async fn kept_place(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<StockPlace, Problem> {
    let county = user.home_region(state, &KEEPERS).await?;
    let place = state.store.stock_place(id).await?;
    if place.county_id != county.id {
        return Err(Problem::not_found());
    }
    Ok(place)
}

/// Session `id` at a place of the county `user` keeps; a 404 otherwise.
pub(super) async fn kept_session(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(StockPlace, TillSession), Problem> {
    let session = state.store.till_session(id).await?;
    let place = kept_place(state, user, session.place_id).await?;
    Ok((place, session))
}

/// Sale `id` of a session at a place of the county `user` keeps; a 404 otherwise.
pub(super) async fn kept_sale(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(StockPlace, TillSession, TillSale), Problem> {
    let sale = state.store.till_sale(id).await?;
    let (place, session) = kept_session(state, user, sale.session_id).await?;
    Ok((place, session, sale))
}

/// A sale as the till sent it.
pub(super) struct RungSale {
    pub client_id: String,
    pub rung_at: DateTime<Utc>,
    pub paid_by: TillPayment,
    pub charged: Fen,
    pub lines: Vec<TillLine>,
}

/// Rings up `sale` in `session`: the same client id again answers with the sale kept the first
/// time; otherwise its orders are placed as a counter sale of the session's place, or, when
/// the place was short of an item (sold online meanwhile) or an item is no longer for sale,
/// the sale is kept to settle. Never placed for a closed session.
pub(super) async fn ring_up(
    state: &AppState,
    user: &CurrentUser,
    session: &TillSession,
    sale: RungSale,
) -> Result<TillSale, Problem> {
    if let Some(kept) = state.store.till_sale_by_client(&sale.client_id).await? {
        if kept.session_id != session.id {
            return Err(Problem::not_found());
        }
        return Ok(kept);
    }
    if !session.is_open() {
        return Err(ValidationError::new("session", "till-closed").into());
    }
    let key = IdempotencyKey::parse(&sale.client_id)
        .map_err(|_| ValidationError::new("client_id", "idempotency-key-invalid"))?;
    let outcome = place_lines(state, user, session.place_id, &key, &sale.lines).await?;
    let new = NewTillSale {
        session_id: session.id,
        client_id: key.as_str(),
        rung_at: sale.rung_at,
        paid_by: sale.paid_by,
        charged: sale.charged,
        lines: &sale.lines,
    };
    Ok(state.store.record_till_sale(new, outcome).await?)
}

/// Places `lines` (those whose money was not given back) as one counter sale of `place_id`
/// under `key`.
async fn place_lines(
    state: &AppState,
    user: &CurrentUser,
    place_id: i64,
    key: &IdempotencyKey,
    lines: &[TillLine],
) -> Result<TillOutcome, Problem> {
    let wanted: Vec<(i64, i64)> = lines
        .iter()
        .filter(|l| !l.given_back)
        .map(|l| (l.variant_id, l.quantity))
        .collect();
    if wanted.is_empty() {
        return Ok(TillOutcome::NothingLeft);
    }
    let placement = Placement {
        key: key.clone(),
        basket: Basket::parse(&wanted)?,
        delivery: Delivery::Counter { place_id },
        // Paid on the spot (cash into the drawer, or the buyer's code on the terminal); the
        // till sale records which.
        payment: PaymentMethod::Cash,
        room_id: None,
    };
    match place_or_refusal(state, user, placement).await? {
        Ok(checkout) => Ok(TillOutcome::Placed {
            checkout_id: checkout.checkout_id,
        }),
        Err(IntakeError::OutOfStock { variant_id } | IntakeError::NotForSale { variant_id }) => {
            Ok(TillOutcome::Short { variant_id })
        }
        Err(other) => Err(other.into()),
    }
}

/// How the cashier settles a short sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Settle {
    /// The units were on the showroom's shelf after all: move them from the shop's own store
    /// (where the online order that took them will ship from) and place the sale.
    FromStore,
    /// Give the short item's money back and place the rest.
    GiveBack,
    /// Try again as it is (the item was put back on sale, say).
    Again,
}

impl Settle {
    pub fn parse(text: &str) -> Result<Settle, ValidationError> {
        match text.trim() {
            "from_store" => Ok(Settle::FromStore),
            "give_back" => Ok(Settle::GiveBack),
            "again" => Ok(Settle::Again),
            _ => Err(ValidationError::new("how", "till-settle-invalid")),
        }
    }
}

/// Settles `sale` of `session` (at `place`) the way the cashier chose; the sale stays to
/// settle, with the next item it is short of, when the place is short of another one.
pub(super) async fn settle(
    state: &AppState,
    user: &CurrentUser,
    (place, session): (&StockPlace, &TillSession),
    sale: &TillSale,
    how: Settle,
) -> Result<TillSale, Problem> {
    if sale.status != TillSaleStatus::ToSettle {
        return Err(ValidationError::new("sale", "till-sale-settled").into());
    }
    let short = sale
        .short_variant_id
        .ok_or(ValidationError::new("sale", "till-sale-settled"))?;
    let line = sale
        .lines
        .iter()
        .find(|l| l.variant_id == short && !l.given_back)
        .copied();
    let mut lines = sale.lines.clone();
    let give_back = match (how, line) {
        (Settle::FromStore, Some(line)) => {
            move_to_place(state, user, place, sale, line).await?;
            None
        }
        (Settle::GiveBack, Some(line)) => {
            for l in lines.iter_mut().filter(|l| l.variant_id == line.variant_id) {
                l.given_back = true;
            }
            Some(line.variant_id)
        }
        _ => None,
    };
    let key = IdempotencyKey::parse(&sale.client_id)
        .map_err(|_| ValidationError::new("client_id", "idempotency-key-invalid"))?;
    let outcome = place_lines(state, user, session.place_id, &key, &lines).await?;
    Ok(state
        .store
        .settle_till_sale(sale.id, outcome, give_back, user.account.id)
        .await?)
}

/// Moves what a short line lacks at `place` from its shop's own store, sent and received at
/// once (the store must hold it).
async fn move_to_place(
    state: &AppState,
    user: &CurrentUser,
    place: &StockPlace,
    sale: &TillSale,
    line: TillLine,
) -> Result<(), Problem> {
    let product = state.store.product_of_variant(line.variant_id).await?;
    let there: i64 = state
        .store
        .placed_units(Some(product.shop_id), Some(place.id))
        .await?
        .iter()
        .filter(|u| u.variant_id == line.variant_id)
        .map(|u| u.quantity)
        .sum();
    let lacking = line.quantity - there;
    if lacking <= 0 {
        return Ok(());
    }
    let note = format!("till {}", sale.id);
    let sent = state
        .store
        .send_transfer(
            NewTransfer {
                shop_id: product.shop_id,
                from: None,
                to: Some(place.id),
                lines: &[(line.variant_id, lacking)],
                note: &note,
            },
            user.account.id,
        )
        .await?;
    state
        .store
        .receive_transfer(sent.id, &[], user.account.id)
        .await?;
    state.products_changed([product.id]);
    Ok(())
}
