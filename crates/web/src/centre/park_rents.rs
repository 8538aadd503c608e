//! A park tenant's lease and its rent as the centre keeps them (issue 19): the lease's facts,
//! every month it owes rent for (from the end of its rent-free start), what was received for
//! each (cash, or a transfer with its reference) and what is still owed; receiving a month,
//! taking back one entered by mistake. The tenant's shop sees its lease on the seller console.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use farmgate_domain::ValidationError;
use farmgate_domain::centre::park::RentMethod;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::centre::{ParkUnit, RentMonth, RentOwed};

use super::KEEPERS;
use super::stalls::is_mistake;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::{lease_facts, owed_text};
use crate::html::{Chrome, FormErrors, render, sent};
use crate::i18n::Tr;
use crate::problem::Problem;

struct MonthRow {
    month: String,
    due: String,
    /// Received: when, how, the reference, the payment's id (to take it back).
    paid: Option<(String, String, String, i64)>,
}

#[derive(Template)]
#[template(path = "centre/park_lease.html")]
struct LeasePage {
    c: Chrome,
    csrf: String,
    lease_id: i64,
    unit: String,
    tenant: String,
    facts: String,
    owed: String,
    months: Vec<MonthRow>,
    errors: FormErrors,
    notice: Option<String>,
}

fn month_row(t: &Tr, m: &RentMonth) -> MonthRow {
    MonthRow {
        month: m.month.to_string(),
        due: m.due.display_yuan(),
        paid: m.paid.as_ref().map(|p| {
            (
                LedgerDay::of(p.entered_at).to_string(),
                t.get(&format!("park-rent-method-{}", p.method.as_str())),
                p.reference.clone(),
                p.id,
            )
        }),
    }
}

async fn lease_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    id: i64,
    (errors, notice): (FormErrors, Option<String>),
) -> Result<LeasePage, Problem> {
    let t = c.t;
    let county = user.home_region(state, &KEEPERS).await?;
    let today = LedgerDay::of(Utc::now());
    let (lease, months) = state.store.lease_rents(county.id, id, today).await?;
    let unit: ParkUnit = state.store.park_unit(county.id, lease.unit_id).await?;
    let owed = RentOwed::of_months(&months);
    Ok(LeasePage {
        csrf,
        lease_id: id,
        unit: format!("{} {}", unit.code, unit.name),
        tenant: lease.tenant_name.clone(),
        facts: lease_facts(&t, &lease, today),
        owed: owed_text(&t, owed),
        months: months.iter().map(|m| month_row(&t, m)).collect(),
        errors,
        notice,
        c,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /centre/park/leases/{id}`: the lease's months of rent.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let notice = query
        .saved
        .as_deref()
        .filter(|s| ["rent", "undone"].contains(s))
        .map(|s| c.t.get(&format!("park-rent-saved-{s}")));
    let page = lease_page(&state, &user, (c, csrf.0), id, (FormErrors::none(), notice)).await?;
    Ok(render(StatusCode::OK, &page))
}

fn payment_of(fields: &[(String, String)]) -> Result<(LedgerMonth, RentMethod), ValidationError> {
    let month = LedgerMonth::parse(&sent(fields, "month"))
        .map_err(|_| ValidationError::new("month", "park-rent-not-due"))?;
    Ok((month, RentMethod::parse(&sent(fields, "method"))?))
}

/// `POST /centre/park/leases/{id}/rents` (`month`, `method`, `reference`): a month's rent
/// received.
pub async fn receive(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let reference = sent(&fields, "reference");
    let received = match payment_of(&fields) {
        Ok((month, method)) => state
            .store
            .record_rent(
                (county.id, id),
                (month, method, &reference),
                (user.account.id, Utc::now()),
            )
            .await
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    match received {
        Ok(_) => Ok(Redirect::to(&format!("/centre/park/leases/{id}?saved=rent")).into_response()),
        Err(problem) if is_mistake(&problem) => {
            let errors = FormErrors::of_problem(&c.t, &problem);
            let page = lease_page(&state, &user, (c, csrf.0), id, (errors, None)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

/// `POST /centre/park/leases/{id}/rents/{rent}/undo`: takes back a payment entered by mistake.
pub async fn undo(
    State(state): State<AppState>,
    user: CurrentUser,
    _csrf: CsrfToken,
    Path((id, rent)): Path<(i64, i64)>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    state.store.undo_rent((county.id, id), rent).await?;
    Ok(Redirect::to(&format!("/centre/park/leases/{id}?saved=undone")).into_response())
}
