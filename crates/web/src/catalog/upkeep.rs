//! The seller keeps a product current: its details and code, its status (paused with when it
//! is back), each variant's price, threshold and stock (with the reason, kept in the ledger),
//! new and retired variants, and the photos' order. Only members of the product's shop reach
//! these pages; to anyone else the product does not exist.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::{ProductStatus, StockChange, StockReason, parse_yuan};
use farmgate_domain::text::parse_text;
use farmgate_store::catalog::{Mover, Product, Variant, VariantChange};
use farmgate_store::shops::Shop;
use serde::Deserialize;

use super::pages::{Choice, Typed, details_from, product_form, variant_from};
use super::{parse_details, parse_status, parse_variant};
use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::csrf::CsrfToken;
use crate::format::variant_label;
use crate::html::{Chrome, FormErrors, render, sent};
use crate::i18n::Tr;
use crate::problem::Problem;

/// The product, when `user` is a member of its shop.
pub async fn managed_product(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Product, Shop), Problem> {
    let product = state.store.product(id).await?;
    let shop = managed_shop(state, user, product.shop_id).await?;
    Ok((product, shop))
}

/// The variant (retired or not) and its product, when `user` is a member of its shop.
pub async fn managed_variant(
    state: &AppState,
    user: &CurrentUser,
    variant_id: i64,
) -> Result<(Product, Variant), Problem> {
    let product = state.store.product_of_variant(variant_id).await?;
    managed_shop(state, user, product.shop_id).await?;
    let variant = product
        .variants
        .iter()
        .chain(&product.retired_variants)
        .find(|v| v.id == variant_id)
        .cloned()
        .ok_or(Problem::not_found())?;
    Ok((product, variant))
}

/// The product's name in the reader's language.
pub fn product_name(t: &Tr, product: &Product) -> String {
    product
        .text(t.lang())
        .map(|(text, _)| text.name.clone())
        .unwrap_or_default()
}

/// One variant on the management page, with the mistakes of its own forms.
pub struct VariantCard {
    pub id: i64,
    pub label: String,
    pub price: String,
    pub price_typed: String,
    pub stock: i64,
    pub threshold: i64,
    pub low: bool,
    pub errors: FormErrors,
}

pub struct PhotoCard {
    pub hash: String,
    pub thumb: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "catalog/manage.html")]
struct ManagePage {
    c: Chrome,
    csrf: String,
    id: i64,
    name: String,
    shop_id: i64,
    shop_name: String,
    code: String,
    status_label: String,
    statuses: Vec<Choice>,
    back_in: String,
    variants: Vec<VariantCard>,
    retired: Vec<String>,
    can_retire: bool,
    reasons: Vec<Choice>,
    units: Vec<(&'static str, String)>,
    photos: Vec<PhotoCard>,
    /// What was just saved, in the reader's language.
    saved: Option<String>,
    /// The mistakes of the status and add-variant forms.
    errors: FormErrors,
    add: Typed,
}

/// What the page was asked to show after a change.
#[derive(Deserialize, Default)]
pub struct Saved {
    saved: Option<String>,
}

/// The mistakes of one form on the page: the variant's, or the page's own.
enum Mistakes {
    None,
    Page(FormErrors, Typed),
    Variant(i64, FormErrors, String),
}

async fn manage_page(
    c: Chrome,
    csrf: String,
    (product, shop): (Product, Shop),
    saved: Option<String>,
    mistakes: Mistakes,
) -> ManagePage {
    let t = c.t;
    let (errors, add) = match &mistakes {
        Mistakes::Page(errors, typed) => (errors.clone(), Typed(typed.0.clone())),
        _ => (FormErrors::none(), Typed::default()),
    };
    let variants = product
        .variants
        .iter()
        .map(|v| {
            let (errors, price_typed) = match &mistakes {
                Mistakes::Variant(id, errors, typed) if *id == v.id => {
                    (errors.clone(), typed.clone())
                }
                _ => (FormErrors::none(), v.spec.price.display_yuan()),
            };
            VariantCard {
                id: v.id,
                label: variant_label(&t, &v.spec),
                price: v.spec.price.display_price(),
                price_typed,
                stock: v.spec.stock,
                threshold: v.low_stock_threshold,
                low: v.low_stock_threshold > 0 && v.spec.stock <= v.low_stock_threshold,
                errors,
            }
        })
        .collect();
    let count = product.photos.len();
    ManagePage {
        id: product.id,
        name: product_name(&t, &product),
        shop_id: shop.id,
        shop_name: shop.name_in(t.lang()).to_owned(),
        code: product.code.clone(),
        status_label: t.get(&format!("product-status-{}", product.status.as_str())),
        statuses: ProductStatus::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: t.get(&format!("product-status-{}", s.as_str())),
                chosen: s == product.status,
            })
            .collect(),
        back_in: product.back_in.clone().unwrap_or_default(),
        variants,
        retired: product
            .retired_variants
            .iter()
            .map(|v| variant_label(&t, &v.spec))
            .collect(),
        can_retire: product.variants.len() > 1,
        reasons: StockReason::CHOSEN
            .into_iter()
            .map(|r| Choice {
                value: r.as_str().to_owned(),
                label: t.get(&format!("stock-reason-{}", r.as_str())),
                chosen: false,
            })
            .collect(),
        units: farmgate_domain::catalog::Unit::ALL
            .into_iter()
            .map(|u| (u.as_str(), t.get(&format!("unit-{}", u.as_str()))))
            .collect(),
        photos: product
            .photos
            .iter()
            .enumerate()
            .map(|(n, p)| PhotoCard {
                hash: p.hash.clone(),
                thumb: crate::photos::photo_url(&p.hash, "thumb"),
                first: n == 0,
                last: n + 1 == count,
            })
            .collect(),
        saved: saved
            .filter(|what| SAVED.contains(&what.as_str()))
            .map(|what| t.get(&format!("manage-saved-{what}"))),
        errors,
        add,
        csrf,
        c,
    }
}

/// What a change can report back (`manage-saved-<what>` in the catalogue).
const SAVED: [&str; 7] = [
    "details", "status", "price", "stock", "variant", "retired", "photos",
];

fn back_to(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/seller/products/{id}?saved={what}")).into_response()
}

/// `GET /seller/products/{id}`: the product as its shop keeps it.
pub async fn manage(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(saved): Query<Saved>,
) -> Result<Response, Problem> {
    let managed = managed_product(&state, &user, id).await?;
    let page = manage_page(c, csrf.0, managed, saved.saved, Mistakes::None).await;
    Ok(render(StatusCode::OK, &page))
}

/// Shows the page again with one form's mistakes.
async fn refused(
    state: &AppState,
    c: Chrome,
    csrf: String,
    id: i64,
    mistakes: Mistakes,
) -> Result<Response, Problem> {
    let product = state.store.product(id).await?;
    let shop = state.store.shop(product.shop_id).await?;
    let page = manage_page(c, csrf, (product, shop), None, mistakes).await;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `GET /seller/products/{id}/edit`: the product form, filled with what the product says.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (product, shop) = managed_product(&state, &user, id).await?;
    let typed = typed_details(&state, &product).await?;
    let page = product_form(&state, c, csrf.0, &shop, typed, FormErrors::none())
        .await?
        .editing(product.id);
    Ok(render(StatusCode::OK, &page))
}

/// The product's details as the form's fields.
async fn typed_details(state: &AppState, product: &Product) -> Result<Typed, Problem> {
    let mut typed = Vec::new();
    for text in &product.texts {
        typed.push((format!("name_{}", text.language.tag()), text.name.clone()));
        typed.push((format!("story_{}", text.language.tag()), text.story.clone()));
    }
    let category = state
        .store
        .categories()
        .await?
        .into_iter()
        .find(|c| c.id == product.category_id)
        .map(|c| c.code)
        .unwrap_or_default();
    let origin = state.store.region_by_id(product.origin_id).await?;
    typed.push(("category".to_owned(), category));
    typed.push(("origin".to_owned(), origin.code.as_str().to_owned()));
    typed.extend(
        product
            .tags
            .iter()
            .map(|tag| ("tags".to_owned(), tag.as_str().to_owned())),
    );
    typed.push((
        "certificate".to_owned(),
        product.organic_certificate.clone().unwrap_or_default(),
    ));
    typed.push(("code".to_owned(), product.code.clone()));
    Ok(Typed(typed))
}

/// A product code another product of the shop already has, as a problem beside the field.
pub fn code_taken(err: farmgate_store::Error) -> Problem {
    match err {
        farmgate_store::Error::Conflict { field: "code" } => {
            Problem::new(StatusCode::CONFLICT, "product-code-taken").with_field("code")
        }
        other => other.into(),
    }
}

/// `POST /seller/products/{id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (product, shop) = managed_product(&state, &user, id).await?;
    let mut input = details_from(&fields);
    if input.code.trim() == product.code {
        // Its own code (FarmGate's FG... too) is kept, not chosen again.
        input.code.clear();
    }
    let (status, errors) = match parse_details(&state, &input).await? {
        Ok(details) => match state.store.update_product(product.id, &details).await {
            Ok(_) => {
                state.products_changed([product.id]);
                return Ok(back_to(product.id, "details"));
            }
            Err(err) => {
                let problem = code_taken(err);
                if problem.status.is_server_error() {
                    return Err(problem);
                }
                (problem.status, FormErrors::of_problem(&c.t, &problem))
            }
        },
        Err(problems) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::of(&c.t, &problems),
        ),
    };
    let page = product_form(&state, c, csrf.0, &shop, Typed(fields), errors)
        .await?
        .editing(product.id);
    Ok(render(status, &page))
}

/// `POST /seller/products/{id}/status`: listed, paused (with when it is back), draft or
/// delisted.
pub async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (product, _) = managed_product(&state, &user, id).await?;
    let status = parse_status(&sent(&fields, "status"));
    let back_in = parse_text("back_in", &sent(&fields, "back_in"), false, 120);
    match (status, back_in) {
        (Ok(status), Ok(back_in)) => {
            let back_in = (!back_in.is_empty()).then_some(back_in);
            state
                .store
                .set_product_status(product.id, status, back_in)
                .await?;
            state.products_changed([product.id]);
            Ok(back_to(product.id, "status"))
        }
        (status, back_in) => {
            let problems: Vec<ValidationError> = [status.err(), back_in.err()]
                .into_iter()
                .flatten()
                .collect();
            let errors = FormErrors::of(&c.t, &problems);
            refused(&state, c, csrf.0, id, Mistakes::Page(errors, Typed(fields))).await
        }
    }
}

/// `POST /seller/variants/{id}/price`: a new price for new orders, and the threshold.
pub async fn set_price(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(variant_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (product, _) = managed_variant(&state, &user, variant_id).await?;
    let price = parse_yuan(&sent(&fields, "price"));
    let threshold = match sent(&fields, "threshold").trim() {
        "" => Ok(0),
        typed => typed
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=10_000_000).contains(n))
            .ok_or(ValidationError::new("threshold", "stock-invalid")),
    };
    match (price, threshold) {
        (Ok(price), Ok(threshold)) => {
            let change = VariantChange {
                price: Some(price),
                low_stock_threshold: Some(threshold),
            };
            state.store.change_variant(variant_id, change).await?;
            state.products_changed([product.id]);
            Ok(back_to(product.id, "price"))
        }
        (price, threshold) => {
            let problems: Vec<ValidationError> = [price.err(), threshold.err()]
                .into_iter()
                .flatten()
                .collect();
            let errors = FormErrors::of(&c.t, &problems);
            let typed = sent(&fields, "price");
            let mistakes = Mistakes::Variant(variant_id, errors, typed);
            refused(&state, c, csrf.0, product.id, mistakes).await
        }
    }
}

/// The stock change a form asks for: `add`, `remove` or `set` so many, for a reason.
fn stock_change(
    fields: &[(String, String)],
) -> Result<(StockChange, StockReason), Vec<ValidationError>> {
    let quantity = sent(fields, "quantity")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or(ValidationError::new("quantity", "stock-invalid"));
    let reason = StockReason::parse_chosen(&sent(fields, "reason"));
    let change = quantity.and_then(|n| {
        match sent(fields, "mode").as_str() {
            "add" => Ok(StockChange::Adjust(n)),
            "remove" => Ok(StockChange::Adjust(-n)),
            "set" => Ok(StockChange::Set(n)),
            _ => Err(ValidationError::new("quantity", "bad-request")),
        }
        .and_then(StockChange::check)
    });
    match (change, reason) {
        (Ok(change), Ok(reason)) => Ok((change, reason)),
        (change, reason) => Err([change.err(), reason.err()].into_iter().flatten().collect()),
    }
}

/// `POST /seller/variants/{id}/stock`: units in or out, or a new count, with the reason.
pub async fn change_stock(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(variant_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (product, variant) = managed_variant(&state, &user, variant_id).await?;
    let problems = match stock_change(&fields) {
        Ok((change, reason)) => {
            let note = sent(&fields, "note");
            let mover = Mover {
                reason,
                actor_id: Some(user.account.id),
                note: note.trim(),
            };
            match state.store.change_stock(variant_id, change, mover).await {
                Ok(_) => {
                    state.products_changed([product.id]);
                    return Ok(back_to(product.id, "stock"));
                }
                Err(farmgate_store::Error::Invalid(err)) => vec![err],
                Err(other) => return Err(other.into()),
            }
        }
        Err(problems) => problems,
    };
    let errors = FormErrors::of(&c.t, &problems);
    let typed = variant.spec.price.display_yuan();
    let mistakes = Mistakes::Variant(variant_id, errors, typed);
    refused(&state, c, csrf.0, product.id, mistakes).await
}

/// `POST /seller/products/{id}/variants`: one more way to sell it (fields `v0_*`).
pub async fn add_variant(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (product, _) = managed_product(&state, &user, id).await?;
    match parse_variant(0, &variant_from(&fields, 0)) {
        Ok(spec) => {
            state.store.add_variant(product.id, &spec).await?;
            state.products_changed([product.id]);
            Ok(back_to(product.id, "variant"))
        }
        Err(problems) => {
            let errors = FormErrors::of(&c.t, &problems);
            refused(&state, c, csrf.0, id, Mistakes::Page(errors, Typed(fields))).await
        }
    }
}

/// `POST /seller/variants/{id}/retire`: off sale; orders that bought it keep it.
pub async fn retire_variant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(variant_id): Path<i64>,
) -> Result<Response, Problem> {
    let (product, _) = managed_variant(&state, &user, variant_id).await?;
    state.store.retire_variant(variant_id).await?;
    state.products_changed([product.id]);
    Ok(back_to(product.id, "retired"))
}

/// `POST /seller/products/{id}/photos/arrange` (`hash`, `op`: cover, up, down or delete).
pub async fn arrange_photos(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (product, _) = managed_product(&state, &user, id).await?;
    let hash = sent(&fields, "hash");
    let mut order: Vec<String> = product.photos.iter().map(|p| p.hash.clone()).collect();
    let at = order
        .iter()
        .position(|h| *h == hash)
        .ok_or(Problem::from(ValidationError::new("photo", "bad-request")))?;
    match sent(&fields, "op").as_str() {
        "delete" => {
            state.store.remove_product_photo(product.id, &hash).await?;
            state.products_changed([product.id]);
            return Ok(back_to(product.id, "photos"));
        }
        "cover" => {
            let photo = order.remove(at);
            order.insert(0, photo);
        }
        "up" if at > 0 => order.swap(at, at - 1),
        "down" if at + 1 < order.len() => order.swap(at, at + 1),
        "up" | "down" => {}
        _ => return Err(ValidationError::new("photo", "bad-request").into()),
    }
    state
        .store
        .arrange_product_photos(product.id, &order)
        .await?;
    state.products_changed([product.id]);
    Ok(back_to(product.id, "photos"))
}

/// One line of the stock ledger as the shop reads it.
pub struct LedgerLine {
    pub at: String,
    pub product_id: i64,
    pub product: String,
    pub variant: String,
    /// "+5" or "-3".
    pub delta: String,
    pub reason: String,
    pub note: String,
    /// Who: a member's name, or "a buyer" for a sale.
    pub who: String,
    pub order_id: Option<i64>,
    /// The place the units moved at, when not the shop's own store.
    pub place: Option<String>,
}

#[derive(Template)]
#[template(path = "catalog/ledger.html")]
struct LedgerPage {
    c: Chrome,
    shop_id: i64,
    shop_name: String,
    /// The product the ledger is narrowed to: (id, name).
    product: Option<(i64, String)>,
    lines: Vec<LedgerLine>,
    next: Option<i64>,
}

#[derive(Deserialize)]
pub struct LedgerQuery {
    product: Option<i64>,
    before: Option<i64>,
}

const LEDGER_PAGE: u64 = 50;

/// `GET /seller/shops/{id}/stock`: where the shop's stock went, newest first, for one
/// product or all of them.
pub async fn ledger(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(shop_id): Path<i64>,
    Query(query): Query<LedgerQuery>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let t = c.t;
    let moves = state
        .store
        .stock_movements(shop.id, query.product, query.before, LEDGER_PAGE)
        .await?;
    let mut ids: Vec<i64> = moves.iter().map(|m| m.product_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let products = state.store.products_by_ids(&ids).await?;
    let mut names = std::collections::HashMap::new();
    for m in &moves {
        if let Some(actor) = m.actor_id.filter(|_| m.reason != StockReason::Sold)
            && !names.contains_key(&actor)
            && let Some(account) = state.store.account_by_id(actor).await?
        {
            names.insert(actor, account.display_name);
        }
    }
    let places = state.store.shop_places(shop.id).await?;
    let lines = moves
        .iter()
        .map(|m| {
            let product = products.iter().find(|p| p.id == m.product_id);
            let variant = product
                .and_then(|p| {
                    p.variants
                        .iter()
                        .chain(&p.retired_variants)
                        .find(|v| v.id == m.variant_id)
                })
                .map(|v| variant_label(&t, &v.spec))
                .unwrap_or_default();
            LedgerLine {
                at: crate::format::china_time(m.at),
                product_id: m.product_id,
                product: product.map(|p| product_name(&t, p)).unwrap_or_default(),
                variant,
                delta: format!("{:+}", m.delta),
                reason: t.get(&format!("stock-reason-{}", m.reason.as_str())),
                note: m.note.clone(),
                who: match m.actor_id {
                    _ if m.reason == StockReason::Sold => t.get("ledger-who-buyer"),
                    Some(actor) => names.get(&actor).cloned().unwrap_or_default(),
                    None => t.get("ledger-who-farmgate"),
                },
                order_id: m.order_id,
                place: m.place_id.map(|id| {
                    places
                        .iter()
                        .find(|sp| sp.place.id == id)
                        .map_or_else(|| format!("#{id}"), |sp| sp.place.name(t.lang()).to_owned())
                }),
            }
        })
        .collect();
    let product = match query.product {
        Some(id) => products
            .iter()
            .find(|p| p.id == id)
            .map(|p| (p.id, product_name(&t, p))),
        None => None,
    };
    let next = (moves.len() as u64 >= LEDGER_PAGE)
        .then(|| moves.last().map(|m| m.id))
        .flatten();
    let page = LedgerPage {
        shop_id: shop.id,
        shop_name: shop.name_in(t.lang()).to_owned(),
        product,
        lines,
        next,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
