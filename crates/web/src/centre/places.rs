//! The county's places as its centre keeps them (issue 19, decision 0029): the list with what
//! each holds, adding a place, changing, pausing or opening one, a place's shelf across the
//! shops that keep goods there, counting that shelf, and receiving what shops send to it.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::text::parse_texts;
use farmgate_store::catalog::{CountedLine, PlaceDetails, StockPlace, Transfer, TransferStatus};
use farmgate_store::regions::Region;
use serde::Deserialize;

use super::KEEPERS;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::catalog::places::{units, variant_names};
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render, sent};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Transfers on the way to a place shown at once (the oldest wait longest).
const ARRIVING: u64 = 100;

/// What the place form holds, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    kind: String,
    name_zh: String,
    name_ug: String,
    name_en: String,
    /// "open" or "paused".
    status: String,
}

impl PlaceForm {
    fn of(place: &StockPlace) -> PlaceForm {
        PlaceForm {
            kind: place.kind.as_str().to_owned(),
            name_zh: place.names.zh.clone().unwrap_or_default(),
            name_ug: place.names.ug.clone().unwrap_or_default(),
            name_en: place.names.en.clone().unwrap_or_default(),
            status: if place.active { "open" } else { "paused" }.to_owned(),
        }
    }

    fn parse(&self, t: &Tr) -> Result<(PlaceDetails, bool), ValidationError> {
        let kind = PlaceKind::parse(self.kind.trim())?;
        let names = parse_texts(
            [
                ("name_zh", &self.name_zh),
                ("name_ug", &self.name_ug),
                ("name_en", &self.name_en),
            ],
            96,
            Some(t.lang()),
        )?;
        let details = PlaceDetails {
            kind,
            names,
            station_id: None,
            depot_id: None,
        };
        Ok((details, self.status != "paused"))
    }
}

fn kinds(t: &Tr) -> Vec<(String, String)> {
    PlaceKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_owned(),
                t.get(&format!("place-kind-{}", k.as_str())),
            )
        })
        .collect()
}

struct PlaceRow {
    id: i64,
    name: String,
    kind: String,
    active: bool,
    shops: usize,
    units: i64,
    arriving: usize,
}

#[derive(Template)]
#[template(path = "centre/places.html")]
struct PlacesPage {
    c: Chrome,
    csrf: String,
    county: String,
    places: Vec<PlaceRow>,
    kinds: Vec<(String, String)>,
    form: PlaceForm,
    errors: FormErrors,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// The county `user` keeps, and its places.
async fn county_places(
    state: &AppState,
    user: &CurrentUser,
) -> Result<(Region, Vec<StockPlace>), Problem> {
    let county = user.home_region(state, &KEEPERS).await?;
    let places = state.store.stock_places(county.id).await?;
    Ok((county, places))
}

/// Place `id` if it is one of the county's `user` keeps; a 404 otherwise.
async fn kept_place(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Region, StockPlace, Vec<StockPlace>), Problem> {
    let (county, places) = county_places(state, user).await?;
    let place = places
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(Problem::not_found)?;
    Ok((county, place, places))
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    (form, errors): (PlaceForm, FormErrors),
    notice: Option<String>,
) -> Result<PlacesPage, Problem> {
    let t = c.t;
    let (county, places) = county_places(state, user).await?;
    let mut rows = Vec::with_capacity(places.len());
    for place in &places {
        let shelf = state.store.placed_units(None, Some(place.id)).await?;
        let shops = state.store.shops_at_place(place.id).await?;
        let arriving = state
            .store
            .transfers(
                (None, Some(place.id)),
                Some(TransferStatus::Sent),
                None,
                ARRIVING,
            )
            .await?;
        rows.push(PlaceRow {
            id: place.id,
            name: place.name(t.lang()).to_owned(),
            kind: t.get(&format!("place-kind-{}", place.kind.as_str())),
            active: place.active,
            shops: shops.len(),
            units: shelf.iter().map(|u| u.quantity).sum(),
            arriving: arriving.len(),
        });
    }
    Ok(PlacesPage {
        csrf,
        county: county.name(t.lang()).to_owned(),
        places: rows,
        kinds: kinds(&t),
        form,
        errors,
        notice,
        c,
    })
}

/// `GET /centre/places`: the county's places with what they hold, and the form to add one.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let notice = saved_notice(&c.t, query.saved.as_deref());
    let form = PlaceForm {
        kind: PlaceKind::Showroom.as_str().to_owned(),
        ..PlaceForm::default()
    };
    let page = list_page(
        &state,
        &user,
        (c, csrf.0),
        (form, FormErrors::none()),
        notice,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /centre/places`: adds a place to the county.
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<PlaceForm>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let added = match form.parse(&c.t) {
        Ok((details, _)) => state
            .store
            .add_stock_place(county.id, details, user.account.id)
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match added {
        Ok(place) => {
            Ok(Redirect::to(&format!("/centre/places/{}?saved=place", place.id)).into_response())
        }
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::of_problem(&c.t, &problem);
            let page = list_page(&state, &user, (c, csrf.0), (form, errors), None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

/// What a saved change says when the page opens again.
const SAVED: [&str; 3] = ["place", "counted", "received"];

fn saved_notice(t: &Tr, saved: Option<&str>) -> Option<String> {
    saved
        .filter(|s| SAVED.contains(s))
        .map(|s| t.get(&format!("centre-places-saved-{s}")))
}

/// A line of a place's shelf: one shop's variant and its units there.
struct ShelfRow {
    shop_id: i64,
    variant_id: i64,
    shop: String,
    name: String,
    units: i64,
}

struct ArrivingRow {
    id: i64,
    shop: String,
    from: String,
    when: String,
    note: String,
    /// (variant id, name, sent)
    lines: Vec<(i64, String, i64)>,
}

#[derive(Template)]
#[template(path = "centre/place.html")]
struct PlacePage {
    c: Chrome,
    csrf: String,
    id: i64,
    name: String,
    kinds: Vec<(String, String)>,
    form: PlaceForm,
    errors: FormErrors,
    shelf: Vec<ShelfRow>,
    arriving: Vec<ArrivingRow>,
    notice: Option<String>,
    mistake: Option<String>,
}

/// Names for a shelf and the transfers coming to it: each variant's and each shop's.
struct Names {
    variants: Vec<(i64, String)>,
    shops: BTreeMap<i64, String>,
}

impl Names {
    async fn of(
        state: &AppState,
        t: &Tr,
        variant_ids: &[i64],
        shop_ids: &[i64],
    ) -> Result<Names, Problem> {
        let products = state.store.products_of_variants(variant_ids).await?;
        let shops = state.store.shops_by_ids(shop_ids).await?;
        Ok(Names {
            variants: variant_names(t, &products),
            shops: shops
                .iter()
                .map(|s| (s.id, s.name_in(t.lang()).to_owned()))
                .collect(),
        })
    }

    fn variant(&self, id: i64) -> String {
        self.variants
            .iter()
            .find(|(v, _)| *v == id)
            .map_or_else(|| format!("#{id}"), |(_, n)| n.clone())
    }

    fn shop(&self, id: i64) -> String {
        self.shops.get(&id).cloned().unwrap_or_default()
    }
}

fn arriving_row(t: &Tr, names: &Names, places: &[StockPlace], tr: &Transfer) -> ArrivingRow {
    let from = match tr.from_place_id {
        None => t.get("places-own-store"),
        Some(id) => places
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name(t.lang()).to_owned())
            .unwrap_or_default(),
    };
    ArrivingRow {
        id: tr.id,
        shop: names.shop(tr.shop_id),
        from,
        when: crate::format::china_time(tr.sent_at),
        note: tr.note.clone(),
        lines: tr
            .lines
            .iter()
            .map(|l| (l.variant_id, names.variant(l.variant_id), l.sent))
            .collect(),
    }
}

async fn place_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    id: i64,
    (form, errors): (Option<PlaceForm>, FormErrors),
    (notice, mistake): (Option<String>, Option<String>),
) -> Result<PlacePage, Problem> {
    let t = c.t;
    let (_, place, places) = kept_place(state, user, id).await?;
    let shelf = state.store.placed_units(None, Some(place.id)).await?;
    let arriving = state
        .store
        .transfers(
            (None, Some(place.id)),
            Some(TransferStatus::Sent),
            None,
            ARRIVING,
        )
        .await?;
    let mut variant_ids: Vec<i64> = shelf.iter().map(|u| u.variant_id).collect();
    variant_ids.extend(
        arriving
            .iter()
            .flat_map(|tr| tr.lines.iter().map(|l| l.variant_id)),
    );
    let mut shop_ids: Vec<i64> = shelf.iter().map(|u| u.shop_id).collect();
    shop_ids.extend(arriving.iter().map(|tr| tr.shop_id));
    let names = Names::of(state, &t, &variant_ids, &shop_ids).await?;
    let mut rows: Vec<ShelfRow> = shelf
        .iter()
        .map(|u| ShelfRow {
            shop_id: u.shop_id,
            variant_id: u.variant_id,
            shop: names.shop(u.shop_id),
            name: names.variant(u.variant_id),
            units: u.quantity,
        })
        .collect();
    rows.sort_by(|a, b| (&a.shop, &a.name).cmp(&(&b.shop, &b.name)));
    Ok(PlacePage {
        csrf,
        id: place.id,
        name: place.name(t.lang()).to_owned(),
        kinds: kinds(&t),
        form: form.unwrap_or_else(|| PlaceForm::of(&place)),
        errors,
        shelf: rows,
        arriving: arriving
            .iter()
            .map(|tr| arriving_row(&t, &names, &places, tr))
            .collect(),
        notice,
        mistake,
        c,
    })
}

/// `GET /centre/places/{id}`: a place's details, its shelf and what is on the way to it.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let notice = saved_notice(&c.t, query.saved.as_deref());
    let page = place_page(
        &state,
        &user,
        (c, csrf.0),
        id,
        (None, FormErrors::none()),
        (notice, None),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

fn saved(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/centre/places/{id}?saved={what}")).into_response()
}

/// `POST /centre/places/{id}`: changes the place's details, pauses or opens it.
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<PlaceForm>,
) -> Result<Response, Problem> {
    let (_, place, _) = kept_place(&state, &user, id).await?;
    let changed = match form.parse(&c.t) {
        Ok((details, active)) => state
            .store
            .update_stock_place(place.id, details, active)
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match changed {
        Ok(_) => Ok(saved(place.id, "place")),
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::of_problem(&c.t, &problem);
            let page = place_page(
                &state,
                &user,
                (c, csrf.0),
                id,
                (Some(form), errors),
                (None, None),
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

/// The page again with the mistake told (422), or the problem when it is not the reader's.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    id: i64,
    problem: Problem,
) -> Result<Response, Problem> {
    if problem.status != StatusCode::UNPROCESSABLE_ENTITY {
        return Err(problem);
    }
    let mistake = Some(problem.message(&c.t));
    let page = place_page(
        state,
        user,
        (c, csrf),
        id,
        (None, FormErrors::none()),
        (None, mistake),
    )
    .await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Each `counted_{shop}_{variant}` field with a number: the shop's counted lines, with their
/// `reason_{shop}_{variant}`.
fn counted_by_shop(
    fields: &[(String, String)],
) -> Result<BTreeMap<i64, Vec<CountedLine>>, ValidationError> {
    let mut by_shop: BTreeMap<i64, Vec<CountedLine>> = BTreeMap::new();
    for (name, value) in fields {
        let Some((shop, variant)) = name
            .strip_prefix("counted_")
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(s, v)| Some((s.parse::<i64>().ok()?, v.parse::<i64>().ok()?)))
        else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        let counted = value
            .trim()
            .parse::<i64>()
            .map_err(|_| ValidationError::new("lines", "units-invalid"))?;
        by_shop.entry(shop).or_default().push(CountedLine {
            variant_id: variant,
            counted,
            reason: sent(fields, &format!("reason_{shop}_{variant}")),
        });
    }
    Ok(by_shop)
}

/// `POST /centre/places/{id}/counts`: the shelf counted, each shop's lines a count of its own
/// (lines left blank are not counted).
pub async fn count(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (_, place, _) = kept_place(&state, &user, id).await?;
    let by_shop = match counted_by_shop(&fields) {
        Ok(by_shop) if !by_shop.is_empty() => by_shop,
        Ok(_) => {
            let nothing = ValidationError::new("lines", "transfer-lines-invalid");
            return refused(&state, &user, (c, csrf.0), id, nothing.into()).await;
        }
        Err(err) => return refused(&state, &user, (c, csrf.0), id, err.into()).await,
    };
    let shops: Vec<(i64, bool)> = state.store.shops_at_place(place.id).await?;
    let note = sent(&fields, "note");
    for (shop_id, lines) in &by_shop {
        if !shops.iter().any(|(s, _)| s == shop_id) {
            return Err(Problem::not_found());
        }
        let counted = state
            .store
            .count_stock((*shop_id, Some(place.id)), lines, &note, user.account.id)
            .await;
        if let Err(err) = counted {
            return refused(&state, &user, (c, csrf.0), id, err.into()).await;
        }
        changed_products(&state, lines.iter().map(|l| l.variant_id)).await?;
    }
    Ok(saved(place.id, "counted"))
}

/// The search index and the other instances learn these variants' stock changed.
async fn changed_products(
    state: &AppState,
    variant_ids: impl Iterator<Item = i64>,
) -> Result<(), Problem> {
    let ids: Vec<i64> = variant_ids.collect();
    let products = state.store.products_of_variants(&ids).await?;
    state.products_changed(products.iter().map(|p| p.id));
    Ok(())
}

/// `POST /centre/places/{id}/transfers/{transfer}/receive` (`received_{variant}`: what
/// arrived of each line): goods a shop sent to the place, received by the centre.
pub async fn receive(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path((id, transfer_id)): Path<(i64, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (_, place, _) = kept_place(&state, &user, id).await?;
    let transfer = state.store.transfer(transfer_id).await?;
    if transfer.to_place_id != Some(place.id) {
        return Err(Problem::not_found());
    }
    let counted = match units(&fields, "received_") {
        Ok(counted) => counted,
        Err(err) => return refused(&state, &user, (c, csrf.0), id, err.into()).await,
    };
    match state
        .store
        .receive_transfer(transfer.id, &counted, user.account.id)
        .await
    {
        Ok(_) => {
            changed_products(&state, transfer.lines.iter().map(|l| l.variant_id)).await?;
            Ok(saved(place.id, "received"))
        }
        Err(err) => refused(&state, &user, (c, csrf.0), id, err.into()).await,
    }
}
