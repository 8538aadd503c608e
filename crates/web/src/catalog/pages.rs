//! The seller console and product pages.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::catalog::parse_yuan;
use farmgate_domain::catalog::{ProductStatus, Tag, Unit};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::refund::RefundStatus;
use farmgate_store::catalog::{Product, ProductText};

use super::{
    DetailsInput, ProductInput, VARIANT_ROWS, VariantInput, parse_product, visible_product,
};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::managed_shop;
use crate::csrf::CsrfToken;
use crate::format::{VillageOption, masked_name, place_label, variant_label, village_options};
use crate::html::{Chrome, FormErrors, render, sent};
use crate::i18n::Tr;
use crate::photos::FormWithPhoto;
use crate::problem::Problem;

/// A product as a card in a list.
pub struct ProductCard {
    pub id: i64,
    pub name: String,
    /// The name's language, when it is not the reader's (a fallback).
    pub written_in: Option<&'static str>,
    pub price: String,
    pub sold_out: bool,
    /// Paused (with when it is back), draft or delisted.
    pub note: Option<String>,
    /// The cover's thumbnail, when the product has photos.
    pub thumb: Option<String>,
}

pub fn cards(t: &Tr, products: &[Product]) -> Vec<ProductCard> {
    products
        .iter()
        .map(|p| {
            let text = p.text(t.lang());
            card(t, p, text)
        })
        .collect()
}

/// `p`'s card, with `text` the name its reader is shown (and whether it is in their language).
fn card(t: &Tr, p: &Product, text: Option<(&ProductText, bool)>) -> ProductCard {
    ProductCard {
        id: p.id,
        name: text.map(|(text, _)| text.name.clone()).unwrap_or_default(),
        written_in: text
            .filter(|(_, own)| !own)
            .map(|(text, _)| text.language.tag()),
        price: p
            .variants
            .iter()
            .map(|v| v.spec.price)
            .min()
            .unwrap_or(Fen(0))
            .display_price(),
        sold_out: p.variants.iter().all(|v| v.spec.stock == 0),
        note: status_note(t, p),
        thumb: p
            .photos
            .first()
            .map(|photo| crate::photos::photo_url(&photo.hash, "thumb")),
    }
}

pub struct ShopProducts {
    pub id: i64,
    pub name: String,
    pub products: Vec<ProductCard>,
    /// Variants at or below their threshold: (product id, "name · variant · stock").
    pub running_low: Vec<(i64, String)>,
    /// The last 30 days: orders, sales, refunds granted and what is left.
    pub takings: [String; 4],
    /// Of those, what the centre's showroom sold, when it sold anything.
    pub showroom: Option<String>,
    /// Refund requests waiting for the shop's answer.
    pub refunds_waiting: usize,
    /// The shop's running leases in the county's industrial park, a line each.
    pub park: Vec<String>,
}

#[derive(Template)]
#[template(path = "catalog/seller.html")]
struct SellerPage {
    c: Chrome,
    shops: Vec<ShopProducts>,
}

pub async fn console(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let mut shops = Vec::new();
    for shop in state.store.shops_of_member(user.account.id).await? {
        let products = state.store.products_of_shop(shop.id).await?;
        let running_low = state
            .store
            .low_stock(shop.id)
            .await?
            .into_iter()
            .filter_map(|low| {
                let product = products.iter().find(|p| p.id == low.product_id)?;
                let variant = product.variants.iter().find(|v| v.id == low.variant_id)?;
                let label = format!(
                    "{} · {} · {}",
                    super::upkeep::product_name(&c.t, product),
                    variant_label(&c.t, &variant.spec),
                    c.t.arg("product-in-stock", "count", low.stock)
                );
                Some((product.id, label))
            })
            .collect();
        let now = chrono::Utc::now();
        let takings = state
            .store
            .shop_takings(shop.id, now - chrono::Duration::days(30), now)
            .await?;
        let refunds_waiting = state
            .store
            .refunds_of_shop(shop.id, &[RefundStatus::Requested], 0, 100)
            .await?
            .len();
        shops.push(ShopProducts {
            id: shop.id,
            name: shop.name_in(c.t.lang()).to_owned(),
            products: cards(&c.t, &products),
            running_low,
            takings: [
                takings.orders.to_string(),
                takings.sales.display_price(),
                takings.refunded.display_price(),
                takings.net.display_price(),
            ],
            showroom: (takings.showroom.0 > 0).then(|| {
                c.t.args2(
                    "takings-showroom",
                    ("orders", (takings.showroom.0 as i64).into()),
                    ("amount", takings.showroom.1.display_price().into()),
                )
            }),
            refunds_waiting,
            park: park_lines(&state, &c.t, shop.id).await?,
        });
    }
    Ok(render(StatusCode::OK, &SellerPage { c, shops }))
}

/// The shop's running leases in a park: unit, since, rent-free until, rent, what is owed.
async fn park_lines(state: &AppState, t: &Tr, shop_id: i64) -> Result<Vec<String>, Problem> {
    let today = farmgate_domain::stations::till::LedgerDay::of(chrono::Utc::now());
    Ok(state
        .store
        .leases_of_shop(shop_id, today)
        .await?
        .into_iter()
        .filter(|(lease, _, _)| lease.ends_on.is_none_or(|e| e >= today))
        .map(|(lease, unit, owed)| {
            let facts = format!(
                "{} · {}",
                crate::format::lease_facts(t, &lease, today),
                crate::format::owed_text(t, owed)
            );
            t.args2(
                "park-tenant-line",
                ("unit", format!("{} {}", unit.code, unit.name).into()),
                ("facts", facts.into()),
            )
        })
        .collect())
}

/// What the form shows back: the typed values, keyed by field name.
#[derive(Default)]
pub struct Typed(pub Vec<(String, String)>);

impl Typed {
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(name, _)| name == field)
            .map_or("", |(_, value)| value.as_str())
    }

    pub fn has(&self, field: &str, value: &str) -> bool {
        self.0.iter().any(|(name, v)| name == field && v == value)
    }
}

pub struct TextRow {
    pub tag: &'static str,
    pub name_label: String,
    pub story_label: String,
    pub name: String,
    pub story: String,
    /// The fields' names, which their mistakes are under.
    pub name_field: String,
    pub story_field: String,
}

pub struct VariantRow {
    pub heading: String,
    pub prefix: String,
    pub unit: String,
    pub net_grams: String,
    pub price: String,
    pub stock: String,
    pub follows: bool,
    pub tolerance: String,
    /// The names of the row's fields (`v0_price`), which their mistakes are under.
    pub unit_field: String,
    pub net_grams_field: String,
    pub price_field: String,
    pub stock_field: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

#[derive(Template)]
#[template(path = "catalog/product_form.html")]
pub(super) struct ProductForm {
    c: Chrome,
    csrf: String,
    /// The product being edited (the form then holds its details only); none when new.
    editing: Option<i64>,
    shop_id: i64,
    shop_name: String,
    texts: Vec<TextRow>,
    categories: Vec<Choice>,
    villages: Vec<Choice>,
    tags: Vec<Choice>,
    statuses: Vec<Choice>,
    units: Vec<(&'static str, String)>,
    variants: Vec<VariantRow>,
    certificate: String,
    code: String,
    errors: FormErrors,
}

impl ProductForm {
    /// The form for changing product `id`'s details.
    pub(super) fn editing(mut self, id: i64) -> ProductForm {
        self.editing = Some(id);
        self
    }
}

/// The variant rows of the product form, as typed, with their mistakes.
fn variant_rows(t: &Tr, typed: &Typed) -> Vec<VariantRow> {
    (0..VARIANT_ROWS)
        .map(|row| {
            let field = |name: &str| format!("v{row}_{name}");
            VariantRow {
                heading: t.arg("variant-heading", "n", row + 1),
                unit: typed.get(&field("unit")).to_owned(),
                net_grams: typed.get(&field("net_grams")).to_owned(),
                price: typed.get(&field("price")).to_owned(),
                stock: typed.get(&field("stock")).to_owned(),
                follows: !typed.get(&field("follows")).is_empty(),
                tolerance: match typed.get(&field("tolerance")) {
                    "" => "5".to_owned(),
                    value => value.to_owned(),
                },
                prefix: format!("v{row}"),
                unit_field: field("unit"),
                net_grams_field: field("net_grams"),
                price_field: field("price"),
                stock_field: field("stock"),
            }
        })
        .collect()
}

pub(super) async fn product_form(
    state: &AppState,
    c: Chrome,
    csrf: String,
    shop: &farmgate_store::shops::Shop,
    typed: Typed,
    errors: FormErrors,
) -> Result<ProductForm, Problem> {
    let t = c.t;
    let regions = state.store.all_regions().await?;
    let villages: Vec<VillageOption> = village_options(&regions, t.lang());
    // The reader's own language first: a name in it is all a new product needs.
    let mut languages = Language::ALL;
    languages.sort_by_key(|l| *l != t.lang());
    let errors = errors.moved("name", &format!("name_{}", t.lang().tag()));
    Ok(ProductForm {
        texts: languages
            .into_iter()
            .map(|l| TextRow {
                tag: l.tag(),
                name_label: t.arg("product-field-name", "language", l.native_name()),
                story_label: t.arg("product-field-story", "language", l.native_name()),
                name: typed.get(&format!("name_{}", l.tag())).to_owned(),
                story: typed.get(&format!("story_{}", l.tag())).to_owned(),
                name_field: format!("name_{}", l.tag()),
                story_field: format!("story_{}", l.tag()),
            })
            .collect(),
        categories: state
            .store
            .categories()
            .await?
            .into_iter()
            .map(|cat| Choice {
                chosen: typed.has("category", &cat.code),
                label: cat.name(t.lang()).to_owned(),
                value: cat.code,
            })
            .collect(),
        villages: villages
            .into_iter()
            .map(|v| Choice {
                chosen: typed.has("origin", &v.code),
                value: v.code,
                label: v.label,
            })
            .collect(),
        tags: Tag::ALL
            .into_iter()
            .map(|tag| Choice {
                value: tag.as_str().to_owned(),
                label: t.get(&format!("tag-{}", tag.as_str())),
                chosen: typed.has("tags", tag.as_str()),
            })
            .collect(),
        statuses: [ProductStatus::Listed, ProductStatus::Draft]
            .into_iter()
            .map(|st| Choice {
                value: st.as_str().to_owned(),
                label: t.get(&format!("product-status-{}", st.as_str())),
                chosen: typed.has("status", st.as_str()),
            })
            .collect(),
        units: Unit::ALL
            .into_iter()
            .map(|u| (u.as_str(), t.get(&format!("unit-{}", u.as_str()))))
            .collect(),
        variants: variant_rows(&t, &typed),
        certificate: typed.get("certificate").to_owned(),
        code: typed.get("code").to_owned(),
        editing: None,
        errors,
        shop_id: shop.id,
        shop_name: shop.name_in(t.lang()).to_owned(),
        csrf,
        c,
    })
}

pub async fn new_product(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let origin = state.store.region_by_id(shop.village_id).await?;
    let typed = Typed(vec![
        ("origin".to_owned(), origin.code.as_str().to_owned()),
        ("status".to_owned(), "listed".to_owned()),
        // Most of the county's goods are sold by the jin; one tap changes it.
        ("v0_unit".to_owned(), Unit::Jin.as_str().to_owned()),
    ]);
    let page = product_form(&state, c, csrf.0, &shop, typed, FormErrors::none()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The value of the field `name` as typed (empty when missing).
/// What the product form says about the product (texts, category, origin, tags, code).
pub(super) fn details_from(fields: &[(String, String)]) -> DetailsInput {
    let get = |name: &str| sent(fields, name);
    let text = |language: Language| {
        (
            language,
            get(&format!("name_{}", language.tag())),
            get(&format!("story_{}", language.tag())),
        )
    };
    DetailsInput {
        texts: [text(Language::ZhCn), text(Language::Ug), text(Language::En)],
        category: get("category"),
        origin: get("origin"),
        tags: fields
            .iter()
            .filter(|(n, _)| n == "tags")
            .map(|(_, v)| v.clone())
            .collect(),
        certificate: get("certificate"),
        code: get("code"),
    }
}

/// The variant row `row` of a form (`v0_unit`, `v0_price`...).
pub(super) fn variant_from(fields: &[(String, String)], row: usize) -> VariantInput {
    let get = |name: &str| sent(fields, &format!("v{row}_{name}"));
    let price = get("price");
    VariantInput {
        unit: get("unit"),
        net_grams: get("net_grams"),
        price: (!price.trim().is_empty()).then(|| parse_yuan(&price)),
        stock: get("stock"),
        follows_weight: !get("follows").is_empty(),
        tolerance_percent: get("tolerance"),
    }
}

fn input_from(fields: &[(String, String)]) -> ProductInput {
    ProductInput {
        details: details_from(fields),
        status: sent(fields, "status"),
        variants: (0..VARIANT_ROWS)
            .map(|row| variant_from(fields, row))
            .collect(),
    }
}

pub async fn create_product(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    FormWithPhoto { fields, photo }: FormWithPhoto,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    // The picture is checked (and kept) first, so a product is never listed without the
    // photo its seller chose.
    let photo = match photo {
        Some(bytes) => Some(state.photos.store(bytes).await.map_err(Problem::from)),
        None => None,
    };
    match (
        parse_product(&state, &shop, input_from(&fields)).await?,
        photo,
    ) {
        (Ok(product), photo @ (None | Some(Ok(_)))) => {
            let photo = photo.and_then(Result::ok);
            let created = state.store.create_product(product).await?;
            if let Some(photo) = photo {
                state.store.add_product_photo(created.id, &photo).await?;
            }
            state.products_changed([created.id]);
            Ok(Redirect::to(&format!("/products/{}", created.id)).into_response())
        }
        (parsed, photo) => {
            let t = c.t;
            let mut errors = FormErrors::of(&t, parsed.as_ref().err().map_or(&[], Vec::as_slice));
            match photo {
                Some(Err(problem)) => errors.add("photo", problem.message(&t)),
                Some(Ok(_)) => errors.add("photo", t.get("product-photo-again")),
                None => {}
            }
            let page = product_form(&state, c, csrf.0, &shop, Typed(fields), errors).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

pub struct VariantLine {
    pub label: String,
    pub price: String,
    pub stock: String,
    pub sold_out: bool,
}

#[derive(Template)]
#[template(path = "catalog/product.html")]
struct ProductPage {
    c: Chrome,
    name: String,
    story: String,
    /// The language the name and story are written in, when it is not the reader's.
    /// (tag, the language's own name).
    written_in: Option<(&'static str, &'static str)>,
    /// Why it cannot be bought now (draft, paused with when it is back, delisted), if so.
    status_note: Option<String>,
    shop_id: i64,
    shop_name: String,
    origin: String,
    category: String,
    tags: Vec<String>,
    certificate: Option<String>,
    variants: Vec<VariantLine>,
    /// The variants in stock, for the buy form (guests too: their cart joins their account
    /// at login).
    buy: Vec<(i64, String)>,
    csrf: String,
    /// (large, thumbnail) URLs, the cover first.
    photos: Vec<(String, String)>,
    /// Shop members see the upload form.
    member: bool,
    product_id: i64,
    /// "★ 4.5 · 12 reviews", when there are any.
    rating: Option<String>,
    reviews: Vec<ReviewLine>,
}

pub struct ReviewLine {
    pub stars: String,
    pub who: String,
    pub body: String,
    pub language: &'static str,
    pub date: String,
}

/// "★ 4.5 · 12 reviews"
pub fn rating_line(t: &Tr, rating: farmgate_store::orders::Rating) -> Option<String> {
    (rating.count > 0).then(|| {
        t.args2(
            "rating-line",
            ("stars", format!("{:.1}", rating.average).into()),
            ("count", (rating.count as i64).into()),
        )
    })
}

/// What the product page says about a product that cannot be bought now.
pub fn status_note(t: &Tr, product: &Product) -> Option<String> {
    match (product.status, &product.back_in) {
        (ProductStatus::Listed, _) => None,
        (ProductStatus::Paused, Some(back_in)) => {
            Some(t.arg("product-paused-back-in", "when", back_in.clone()))
        }
        (ProductStatus::Paused, None) => Some(t.get("product-paused-note")),
        (ProductStatus::Draft, _) => Some(t.get("product-draft-note")),
        (ProductStatus::Delisted, _) => Some(t.get("product-delisted-note")),
    }
}

/// What a buyer can put in the cart: each variant in stock with its price (none unless listed).
fn buy_choices(t: &Tr, product: &farmgate_store::catalog::Product) -> Vec<(i64, String)> {
    if !product.status.is_for_sale() {
        return Vec::new();
    }
    product
        .variants
        .iter()
        .filter(|v| v.spec.stock > 0)
        .map(|v| {
            let label = variant_label(t, &v.spec);
            (v.id, format!("{label} · {}", v.spec.price.display_price()))
        })
        .collect()
}

/// The ten newest reviews of a product, reviewers masked.
async fn reviews(state: &AppState, product_id: i64) -> Result<Vec<ReviewLine>, Problem> {
    Ok(state
        .store
        .reviews_of_product(product_id, 10)
        .await?
        .into_iter()
        .map(|r| ReviewLine {
            stars: "★".repeat(usize::from(r.stars)),
            who: masked_name(&r.buyer_name),
            body: r.body,
            language: r.language.tag(),
            date: r.created_at.format("%Y-%m-%d").to_string(),
        })
        .collect())
}

pub async fn show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (product, member) = visible_product(&state, user.as_ref(), id).await?;
    let t = c.t;
    let (text, translated) = product.text(t.lang()).ok_or(Problem::not_found())?;
    let shop = state.store.shop(product.shop_id).await?;
    let regions = state.store.all_regions().await?;
    let origin = regions
        .iter()
        .find(|r| r.id == product.origin_id)
        .map(|r| place_label(&regions, r, t.lang()))
        .unwrap_or_default();
    let category = state
        .store
        .categories()
        .await?
        .into_iter()
        .find(|cat| cat.id == product.category_id)
        .map(|cat| cat.name(t.lang()).to_owned())
        .unwrap_or_default();
    let buy = buy_choices(&t, &product);
    let page = ProductPage {
        buy,
        csrf: csrf.0,
        photos: product
            .photos
            .iter()
            .map(|p| {
                (
                    crate::photos::photo_url(&p.hash, "large"),
                    crate::photos::photo_url(&p.hash, "thumb"),
                )
            })
            .collect(),
        member,
        product_id: product.id,
        rating: rating_line(&t, state.store.product_rating(product.id).await?),
        reviews: reviews(&state, product.id).await?,
        name: text.name.clone(),
        story: text.story.clone(),
        written_in: (!translated).then(|| (text.language.tag(), text.language.native_name())),
        status_note: status_note(&t, &product),
        shop_id: shop.id,
        shop_name: shop.name_in(t.lang()).to_owned(),
        origin,
        category,
        tags: product
            .tags
            .iter()
            .map(|tag| t.get(&format!("tag-{}", tag.as_str())))
            .collect(),
        certificate: product.organic_certificate.clone(),
        variants: product
            .variants
            .iter()
            .map(|v| VariantLine {
                label: variant_label(&t, &v.spec),
                price: v.spec.price.display_price(),
                stock: t.arg("product-in-stock", "count", v.spec.stock),
                sold_out: v.spec.stock == 0,
            })
            .collect(),
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
