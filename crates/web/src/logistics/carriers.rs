//! The carriers that work through a depot and what each agreed: the fee the centre charges per
//! inbound parcel it delivers to a village, whether it works here now (paused: its parcels are
//! not scanned in), and its rates to the county's sellers by zone and weight band.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::parse_yuan;
use farmgate_domain::logistics::{Rate, Zone, parse_inbound_fee, parse_rate};
use farmgate_domain::money::Fen;
use farmgate_store::logistics::{Agreement, Terms};
use serde::Deserialize;

use super::{DepotParam, depot};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, RepeatedForm, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Empty rate lines offered under the written ones.
const SPARE_LINES: usize = 3;

struct CarrierRow {
    code: String,
    name: String,
    status: String,
    fee: String,
    rates: String,
}

#[derive(Template)]
#[template(path = "logistics/carriers.html")]
struct CarriersPage {
    c: Chrome,
    depot_id: i64,
    notice: Option<String>,
    rows: Vec<CarrierRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    depot: Option<i64>,
    saved: String,
}

fn status_label(t: &Tr, terms: Option<&Terms>) -> String {
    match terms {
        Some(terms) if terms.active => t.get("carrier-working"),
        Some(_) => t.get("carrier-paused"),
        None => t.get("carrier-not-here"),
    }
}

/// `GET /centre/logistics/carriers?depot=`: every carrier and its terms here.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    if query.depot.is_none() && super::depots(&state, &user).await?.is_empty() {
        return Ok(super::board::no_depot(c));
    }
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let t = &c.t;
    let rows = state
        .store
        .agreements(depot.id)
        .await?
        .into_iter()
        .map(|a| CarrierRow {
            status: status_label(t, a.terms.as_ref()),
            fee: a
                .terms
                .as_ref()
                .map(|terms| terms.inbound_fee.display_price())
                .unwrap_or_default(),
            rates: a
                .terms
                .as_ref()
                .map(|terms| t.arg("carrier-rate-count", "count", terms.rates.len() as i64))
                .unwrap_or_default(),
            name: a.carrier.name(t.lang()).to_owned(),
            code: a.carrier.code,
        })
        .collect();
    let notice = state
        .store
        .carriers()
        .await?
        .into_iter()
        .find(|c| c.code == query.saved)
        .map(|carrier| {
            t.arg(
                "carrier-saved",
                "carrier",
                carrier.name(t.lang()).to_owned(),
            )
        });
    let page = CarriersPage {
        depot_id: depot.id,
        notice,
        rows,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A rate line as shown in the form.
struct RateLine {
    zone: String,
    up_to_kg: String,
    fee: String,
}

#[derive(Template)]
#[template(path = "logistics/carrier_form.html")]
struct CarrierForm {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    code: String,
    name: String,
    pattern: String,
    errors: FormErrors,
    inbound_fee: String,
    active: bool,
    lines: Vec<RateLine>,
    /// (zone, label)
    zones: Vec<(&'static str, String)>,
}

/// The agreement's form, filled with what is agreed (or what was sent, with its mistakes).
fn form_page(
    c: Chrome,
    csrf: String,
    depot_id: i64,
    agreement: &Agreement,
    sent: &TermsForm,
    errors: FormErrors,
) -> Response {
    let t = &c.t;
    let mut lines: Vec<RateLine> = (0..sent.zone.len())
        .map(|i| RateLine {
            zone: sent.zone[i].clone(),
            up_to_kg: sent.up_to_kg.get(i).cloned().unwrap_or_default(),
            fee: sent.fee.get(i).cloned().unwrap_or_default(),
        })
        .filter(|l| !(l.up_to_kg.trim().is_empty() && l.fee.trim().is_empty()))
        .collect();
    for _ in 0..SPARE_LINES {
        lines.push(RateLine {
            zone: String::new(),
            up_to_kg: String::new(),
            fee: String::new(),
        });
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CarrierForm {
        csrf,
        depot_id,
        code: agreement.carrier.code.clone(),
        name: agreement.carrier.name(t.lang()).to_owned(),
        pattern: agreement.carrier.pattern.as_str().to_owned(),
        errors,
        inbound_fee: sent.inbound_fee.clone(),
        active: sent.status != "paused",
        lines,
        zones: Zone::ALL
            .iter()
            .map(|z| (z.as_str(), t.get(&format!("zone-{}", z.as_str()))))
            .collect(),
        c,
    };
    render(status, &page)
}

/// The form as sent: the rate lines are repeated fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TermsForm {
    depot: Option<i64>,
    inbound_fee: String,
    /// `active` or `paused`
    status: String,
    zone: Vec<String>,
    up_to_kg: Vec<String>,
    fee: Vec<String>,
}

impl TermsForm {
    fn of(depot: i64, terms: Option<&Terms>) -> TermsForm {
        let fen = |f: Fen| format!("{}.{:02}", f.0 / 100, f.0 % 100);
        let rates = terms.map(|t| t.rates.as_slice()).unwrap_or_default();
        TermsForm {
            depot: Some(depot),
            inbound_fee: terms.map(|t| fen(t.inbound_fee)).unwrap_or_default(),
            status: match terms {
                Some(t) if !t.active => "paused".into(),
                _ => "active".into(),
            },
            zone: rates.iter().map(|r| r.zone.as_str().to_owned()).collect(),
            up_to_kg: rates
                .iter()
                .map(|r| format!("{}", f64::from(r.up_to_grams) / 1000.0))
                .collect(),
            fee: rates.iter().map(|r| fen(r.fee)).collect(),
        }
    }

    /// The terms, or every rule broken (each beside its field).
    fn parse(&self) -> Result<Terms, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let inbound_fee = parse_yuan(&self.inbound_fee)
            .map_err(|_| ValidationError::new("inbound_fee", "carrier-fee-invalid"))
            .and_then(parse_inbound_fee)
            .unwrap_or_else(|e| {
                errors.push(e);
                Fen(0)
            });
        let mut rates: Vec<Rate> = Vec::new();
        for (i, zone) in self.zone.iter().enumerate() {
            let kg = self.up_to_kg.get(i).map_or("", |s| s.trim());
            let fee = self.fee.get(i).map_or("", |s| s.trim());
            if kg.is_empty() && fee.is_empty() {
                continue;
            }
            match parse_line(zone, kg, fee) {
                Ok(rate)
                    if rates
                        .iter()
                        .any(|r| r.zone == rate.zone && r.up_to_grams == rate.up_to_grams) =>
                {
                    errors.push(ValidationError::new("rates", "carrier-rate-repeated"));
                }
                Ok(rate) => rates.push(rate),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(Terms {
                inbound_fee,
                active: self.status != "paused",
                rates,
            })
        } else {
            Err(errors)
        }
    }
}

/// One rate line: a zone, the band's heaviest weight in kilograms (up to three decimals), a fee.
fn parse_line(zone: &str, kg: &str, fee: &str) -> Result<Rate, ValidationError> {
    let zone = Zone::parse(zone.trim())
        .ok_or(ValidationError::new("rates", "carrier-rate-zone-invalid"))?;
    let grams = kg
        .parse::<f64>()
        .ok()
        .filter(|g| g.is_finite() && *g > 0.0 && *g <= 50.0)
        .map(|g| (g * 1000.0).round() as i32)
        .ok_or(ValidationError::new("rates", "carrier-rate-weight-invalid"))?;
    let fee =
        parse_yuan(fee).map_err(|_| ValidationError::new("rates", "carrier-rate-fee-invalid"))?;
    parse_rate(zone, grams, fee)
}

async fn agreement_of(state: &AppState, depot_id: i64, code: &str) -> Result<Agreement, Problem> {
    state
        .store
        .agreements(depot_id)
        .await?
        .into_iter()
        .find(|a| a.carrier.code == code)
        .ok_or(Problem::not_found())
}

/// `GET /centre/logistics/carriers/{code}?depot=`: a carrier's terms here.
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(code): Path<String>,
    Query(param): Query<DepotParam>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, param.depot).await?;
    let agreement = agreement_of(&state, depot.id, &code).await?;
    let sent = TermsForm::of(depot.id, agreement.terms.as_ref());
    Ok(form_page(
        c,
        csrf.0,
        depot.id,
        &agreement,
        &sent,
        FormErrors::none(),
    ))
}

/// `POST /centre/logistics/carriers/{code}`: writes the carrier's terms here.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(code): Path<String>,
    RepeatedForm(sent): RepeatedForm<TermsForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, sent.depot).await?;
    let agreement = agreement_of(&state, depot.id, &code).await?;
    let terms = match sent.parse() {
        Ok(terms) => terms,
        Err(errors) => {
            let errors = FormErrors::of(&c.t, &errors);
            return Ok(form_page(c, csrf.0, depot.id, &agreement, &sent, errors));
        }
    };
    state
        .store
        .save_terms(depot.id, agreement.carrier.id, &terms)
        .await?;
    Ok(Redirect::to(&format!(
        "/centre/logistics/carriers?depot={}&saved={}",
        depot.id,
        crate::problem::url_encode(&agreement.carrier.code)
    ))
    .into_response())
}
