//! Collecting produce (agricultural products into the city): the operator takes in a grower's
//! produce on consignment (weighed, graded, priced per the receiving shop's list), prints the
//! grower's receipt and the batch's QR label, and pays growers what their sold produce earned;
//! the receiving shop keeps its buying prices; a buyer who scans a batch's QR sees where it
//! came from (village, date, station, grade, and the grower's given name if they agreed),
//! never a phone or an ID.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::{DisplayName, PhoneNumber};
use farmgate_domain::catalog::parse_yuan;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::stations::produce::{BatchCode, Grade, Payout, parse_kg};
use farmgate_store::stations::{Consignment, NewConsignment, Station};
use serde::Deserialize;

use super::desk::chosen;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

fn grade_label(t: &Tr, grade: Grade) -> String {
    t.get(match grade {
        Grade::First => "grade-first",
        Grade::Second => "grade-second",
        Grade::Third => "grade-third",
    })
}

/// A priced produce the station may take in: (variant id, "shop · product · unit", grades).
struct Priced {
    variant_id: i64,
    label: String,
    prices: String,
}

async fn priced(state: &AppState, t: &Tr) -> Result<Vec<Priced>, Problem> {
    let prices = state.store.produce_prices(&[]).await?;
    let mut variants: Vec<i64> = prices.iter().map(|p| p.variant_id).collect();
    variants.dedup();
    let products = state.store.products_of_variants(&variants).await?;
    let mut out = Vec::new();
    for variant_id in variants {
        let Some((product, variant)) = products.iter().find_map(|p| {
            p.variants
                .iter()
                .find(|v| v.id == variant_id)
                .map(|v| (p, v))
        }) else {
            continue;
        };
        let shop = state.store.shop(product.shop_id).await?;
        let name = product
            .text(t.lang())
            .map(|(text, _)| text.name.clone())
            .unwrap_or_default();
        out.push(Priced {
            variant_id,
            label: format!(
                "{} · {} · {}",
                shop.name_in(t.lang()),
                name,
                crate::format::variant_label(t, &variant.spec)
            ),
            prices: prices
                .iter()
                .filter(|p| p.variant_id == variant_id)
                .map(|p| {
                    t.args2(
                        "produce-price-per-kg",
                        ("grade", grade_label(t, p.grade).into()),
                        ("price", p.per_kg.display_yuan().into()),
                    )
                })
                .collect::<Vec<_>>()
                .join(" · "),
        });
    }
    Ok(out)
}

struct BatchLine {
    id: i64,
    code: String,
    grower: String,
    what: String,
    owed: String,
}

#[derive(Template)]
#[template(path = "stations/produce.html")]
struct ProducePage {
    c: Chrome,
    csrf: String,
    station_id: i64,
    station: String,
    collects: bool,
    priced: Vec<Priced>,
    grades: Vec<(&'static str, String)>,
    villages: Vec<(i64, String)>,
    form: ProduceForm,
    errors: FormErrors,
    batches: Vec<BatchLine>,
}

/// The intake form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProduceForm {
    station: i64,
    variant: i64,
    grade: String,
    weight: String,
    grower_name: String,
    grower_phone: String,
    village: i64,
    name_shown: String,
    harvested_on: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StationQuery {
    station: Option<i64>,
}

async fn villages_of(
    state: &AppState,
    t: &Tr,
    station: &Station,
) -> Result<Vec<(i64, String)>, Problem> {
    let regions = state.store.all_regions().await?;
    let here = regions
        .iter()
        .find(|r| r.id == station.region_id)
        .ok_or(Problem::not_found())?;
    // The villages of the station's county: growers bring produce from around it.
    let area = regions
        .iter()
        .filter(|r| r.path.contains(&here.path) && r.level <= RegionLevel::County)
        .max_by_key(|r| r.level)
        .unwrap_or(here);
    Ok(regions
        .iter()
        .filter(|r| r.level == RegionLevel::Village && area.path.contains(&r.path))
        .map(|r| (r.id, r.name(t.lang()).to_owned()))
        .collect())
}

fn batch_line(t: &Tr, b: &Consignment) -> BatchLine {
    BatchLine {
        id: b.id,
        code: b.code.clone(),
        grower: b.grower_name.clone(),
        what: format!(
            "{} kg · {}",
            crate::format::kg(b.grams),
            grade_label(t, b.grade)
        ),
        owed: b.owed.display_price(),
    }
}

async fn produce_page(
    state: &AppState,
    c: Chrome,
    csrf: String,
    (station, _): (Station, Vec<Station>),
    form: ProduceForm,
    (errors, status): (FormErrors, StatusCode),
) -> Result<Response, Problem> {
    let t = &c.t;
    let batches = state
        .store
        .consignments(&[station.id], None, 20)
        .await?
        .iter()
        .map(|b| batch_line(t, b))
        .collect();
    let page = ProducePage {
        station_id: station.id,
        station: station.name(t.lang()).to_owned(),
        collects: station.collects_produce,
        priced: priced(state, t).await?,
        grades: Grade::ALL
            .iter()
            .map(|g| (g.as_str(), grade_label(t, *g)))
            .collect(),
        villages: villages_of(state, t, &station).await?,
        form,
        errors,
        batches,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

/// `GET /station/produce?station=`: take in a grower's produce; the latest batches.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<StationQuery>,
) -> Result<Response, Problem> {
    let chosen = chosen(&state, &user, query.station).await?;
    let form = ProduceForm {
        grade: Grade::First.as_str().to_owned(),
        ..ProduceForm::default()
    };
    produce_page(
        &state,
        c,
        csrf.0,
        chosen,
        form,
        (FormErrors::none(), StatusCode::OK),
    )
    .await
}

fn parse_intake(station_id: i64, form: &ProduceForm) -> Result<NewConsignment, ValidationError> {
    let grower_name = DisplayName::parse(&form.grower_name)
        .map_err(|e| ValidationError::new("grower_name", e.code))?;
    let grower_phone = match form.grower_phone.trim() {
        "" => None,
        typed => Some(
            PhoneNumber::parse(typed).map_err(|e| ValidationError::new("grower_phone", e.code))?,
        ),
    };
    let harvested_on = match form.harvested_on.trim() {
        "" => None,
        typed => Some(
            chrono::NaiveDate::parse_from_str(typed, "%Y-%m-%d")
                .map_err(|_| ValidationError::new("harvested_on", "day-invalid"))?,
        ),
    };
    if form.variant == 0 {
        return Err(ValidationError::new("variant", "required"));
    }
    if form.village == 0 {
        return Err(ValidationError::new("village", "required"));
    }
    Ok(NewConsignment {
        station_id,
        variant_id: form.variant,
        grade: Grade::parse(&form.grade)?,
        grams: parse_kg(&form.weight)?,
        grower_name,
        grower_phone,
        name_shown: form.name_shown == "on" || form.name_shown == "true",
        village_id: form.village,
        harvested_on,
    })
}

/// `POST /station/produce`: the produce is weighed and taken in; the receipt and the label.
pub async fn take_in(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<ProduceForm>,
) -> Result<Response, Problem> {
    let chosen = chosen(&state, &user, Some(form.station)).await?;
    let villages = villages_of(&state, &c.t, &chosen.0).await?;
    let taken = match parse_intake(chosen.0.id, &form) {
        Ok(new) if villages.iter().any(|(id, _)| *id == new.village_id) => state
            .store
            .take_in_produce(&new, user.account.id)
            .await
            .map_err(Problem::from),
        Ok(_) => Err(ValidationError::new("village", "required").into()),
        Err(invalid) => Err(invalid.into()),
    };
    match taken {
        Ok(batch) => {
            crate::audit::record(
                &state,
                &user,
                ip,
                crate::audit::Action {
                    code: "produce-taken-in",
                    subject_kind: "consignment",
                    subject_id: batch.id,
                    region_id: Some(chosen.0.region_id),
                    detail: format!(
                        "{} · {} g · {}",
                        batch.code,
                        batch.grams,
                        batch.owed.display_yuan()
                    ),
                },
            )
            .await;
            Ok(Redirect::to(&format!("/station/produce/{}", batch.id)).into_response())
        }
        Err(problem) if problem.status.is_client_error() && problem.field.is_some() => {
            let shown = (FormErrors::of_problem(&c.t, &problem), problem.status);
            produce_page(&state, c, csrf.0, chosen, form, shown).await
        }
        Err(other) => Err(other),
    }
}

/// A batch as its receipt, label and public page tell it.
struct BatchFacts {
    code: String,
    product: String,
    village: String,
    station: String,
    grade: String,
    weight: String,
    taken_on: String,
    harvested_on: Option<String>,
    /// The grower's given name, when they agreed to show it.
    grower: Option<String>,
}

async fn facts(state: &AppState, t: &Tr, b: &Consignment) -> Result<BatchFacts, Problem> {
    let product = state.store.product(b.product_id).await?;
    let village = state.store.region_by_id(b.village_id).await?;
    let station = state.store.station(b.station_id).await?;
    Ok(BatchFacts {
        code: b.code.clone(),
        product: product
            .text(t.lang())
            .map(|(text, _)| text.name.clone())
            .unwrap_or_default(),
        village: village.name(t.lang()).to_owned(),
        station: station.name(t.lang()).to_owned(),
        grade: grade_label(t, b.grade),
        weight: format!("{} kg", crate::format::kg(b.grams)),
        taken_on: crate::format::china_time(b.taken_at)
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_owned(),
        harvested_on: b.harvested_on.map(|d| d.format("%Y-%m-%d").to_string()),
        grower: b.name_shown.then(|| b.grower_name.clone()),
    })
}

#[derive(Template)]
#[template(path = "stations/produce_receipt.html")]
struct ReceiptPage {
    c: Chrome,
    facts: BatchFacts,
    grower_name: String,
    per_kg: String,
    owed: String,
    units: i64,
    qr: String,
    link: String,
}

/// `GET /station/produce/{id}`: the grower's receipt and the batch's QR label, to print.
pub async fn receipt(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let batch = state.store.consignment(id).await?;
    chosen(&state, &user, Some(batch.station_id)).await?;
    let link = format!("{}/batches/{}", state.public_url(), batch.code);
    let page = ReceiptPage {
        facts: facts(&state, &c.t, &batch).await?,
        grower_name: batch.grower_name.clone(),
        per_kg: batch.per_kg.display_price(),
        owed: batch.owed.display_price(),
        units: batch.units,
        qr: crate::html::charts::qr_svg(&link),
        link,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "stations/batch.html")]
struct BatchPage {
    c: Chrome,
    facts: BatchFacts,
    product_id: i64,
}

/// `GET /batches/{code}`: where a bag of produce came from, for anyone who scans its label.
pub async fn public(
    State(state): State<AppState>,
    c: Chrome,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let code = BatchCode::parse(&code).ok_or(Problem::not_found())?;
    let batch = state.store.consignment_by_code(&code).await?;
    let page = BatchPage {
        facts: facts(&state, &c.t, &batch).await?,
        product_id: batch.product_id,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

struct GrowerLine {
    name: String,
    phone: Option<String>,
    ids: String,
    batches: Vec<String>,
    earned: String,
    paid: String,
    due: String,
    has_due: bool,
}

#[derive(Template)]
#[template(path = "stations/growers.html")]
struct GrowersPage {
    c: Chrome,
    csrf: String,
    station_id: i64,
    station: String,
    notice: Option<String>,
    growers: Vec<GrowerLine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GrowersQuery {
    station: Option<i64>,
    paid: String,
}

/// `GET /station/produce/growers?station=`: what each grower's sold produce earned, what was
/// paid, what is due.
pub async fn growers(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<GrowersQuery>,
) -> Result<Response, Problem> {
    let (station, _) = chosen(&state, &user, query.station).await?;
    let t = &c.t;
    let batches = state.store.consignments(&[station.id], None, 500).await?;
    let mut growers: Vec<(String, Option<String>, Vec<&Consignment>)> = Vec::new();
    for b in &batches {
        match growers
            .iter_mut()
            .find(|(n, p, _)| *n == b.grower_name && *p == b.grower_phone)
        {
            Some((_, _, list)) => list.push(b),
            None => growers.push((b.grower_name.clone(), b.grower_phone.clone(), vec![b])),
        }
    }
    let sum = |list: &[&Consignment], of: fn(&Consignment) -> i64| {
        farmgate_domain::money::Fen(list.iter().map(|b| of(b)).sum())
    };
    let lines = growers
        .into_iter()
        .map(|(name, phone, list)| GrowerLine {
            ids: list
                .iter()
                .map(|b| b.id.to_string())
                .collect::<Vec<_>>()
                .join(","),
            batches: list
                .iter()
                .map(|b| {
                    t.args2(
                        "produce-batch-sold",
                        ("code", b.code.clone().into()),
                        ("sold", format!("{}/{}", b.sold_units, b.units).into()),
                    )
                })
                .collect(),
            earned: sum(&list, |b| b.earned.0).display_price(),
            paid: sum(&list, |b| b.paid.0).display_price(),
            due: sum(&list, |b| b.due().0).display_price(),
            has_due: list.iter().any(|b| b.due().0 > 0),
            phone: phone.as_deref().map(farmgate_domain::accounts::mask_phone),
            name,
        })
        .collect();
    let page = GrowersPage {
        station_id: station.id,
        station: station.name(t.lang()).to_owned(),
        notice: (!query.paid.is_empty())
            .then(|| t.arg("produce-paid-notice", "amount", query.paid.clone())),
        growers: lines,
        csrf: csrf.0,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PayForm {
    station: i64,
    ids: String,
    method: String,
    reference: String,
}

/// `POST /station/produce/pay`: a grower is paid what their sold produce earned.
pub async fn pay(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Form(form): Form<PayForm>,
) -> Result<Response, Problem> {
    let (station, _) = chosen(&state, &user, Some(form.station)).await?;
    let method = Payout::parse(&form.method)?;
    let ids: Vec<i64> = form
        .ids
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    let reference = Some(form.reference.trim()).filter(|r| !r.is_empty());
    if method == Payout::Transfer && reference.is_none() {
        return Err(ValidationError::new("reference", "required").into());
    }
    let paid = state
        .store
        .pay_growers(station.id, &ids, method, reference, user.account.id)
        .await?;
    crate::audit::record(
        &state,
        &user,
        ip,
        crate::audit::Action {
            code: "produce-paid",
            subject_kind: "station",
            subject_id: station.id,
            region_id: Some(station.region_id),
            detail: format!(
                "{} · {} · {}",
                form.ids,
                method.as_str(),
                paid.display_yuan()
            ),
        },
    )
    .await;
    Ok(Redirect::to(&format!(
        "/station/produce/growers?station={}&paid={}",
        station.id,
        crate::problem::url_encode(&paid.display_yuan())
    ))
    .into_response())
}

struct PriceRow {
    variant_id: i64,
    label: String,
    /// (grade, grade's name, the price in yuan or empty)
    grades: Vec<(&'static str, String, String)>,
}

#[derive(Template)]
#[template(path = "stations/produce_prices.html")]
struct PricesPage {
    c: Chrome,
    csrf: String,
    shop_id: i64,
    shop: String,
    saved: bool,
    rows: Vec<PriceRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: String,
}

async fn member_shop(
    state: &AppState,
    user: &CurrentUser,
    shop_id: i64,
) -> Result<farmgate_store::shops::Shop, Problem> {
    if !state.store.is_shop_member(shop_id, user.account.id).await? {
        return Err(Problem::not_found());
    }
    Ok(state.store.shop(shop_id).await?)
}

/// `GET /seller/shops/{id}/produce-prices`: what the shop pays growers per kilogram, per
/// product and grade, when stations take in produce for it.
pub async fn prices(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let shop = member_shop(&state, &user, shop_id).await?;
    let t = &c.t;
    let set = state.store.produce_prices(&[shop_id]).await?;
    let mut rows = Vec::new();
    for product in state.store.products_of_shop(shop_id).await? {
        let name = product
            .text(t.lang())
            .map(|(text, _)| text.name.clone())
            .unwrap_or_default();
        for variant in &product.variants {
            rows.push(PriceRow {
                variant_id: variant.id,
                label: format!(
                    "{name} · {}",
                    crate::format::variant_label(t, &variant.spec)
                ),
                grades: Grade::ALL
                    .iter()
                    .map(|g| {
                        let price = set
                            .iter()
                            .find(|p| p.variant_id == variant.id && p.grade == *g)
                            .map(|p| p.per_kg.display_yuan())
                            .unwrap_or_default();
                        (g.as_str(), grade_label(t, *g), price)
                    })
                    .collect(),
            });
        }
    }
    let page = PricesPage {
        shop_id,
        shop: shop.name_in(t.lang()).to_owned(),
        saved: query.saved == "1",
        rows,
        csrf: csrf.0,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /seller/shops/{id}/produce-prices`: fields `p-{variant}-{grade}` in yuan per kg; an
/// empty field removes that price.
pub async fn save_prices(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(shop_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    member_shop(&state, &user, shop_id).await?;
    for (name, value) in &fields {
        let Some(rest) = name.strip_prefix("p-") else {
            continue;
        };
        let Some((variant, grade)) = rest.split_once('-') else {
            continue;
        };
        let variant: i64 = variant
            .parse()
            .map_err(|_| ValidationError::new("price", "price-invalid"))?;
        let grade = Grade::parse(grade)?;
        let price = match value.trim() {
            "" => None,
            typed => Some(parse_yuan(typed)?),
        };
        state
            .store
            .set_produce_price(shop_id, variant, grade, price)
            .await?;
    }
    Ok(Redirect::to(&format!("/seller/shops/{shop_id}/produce-prices?saved=1")).into_response())
}
