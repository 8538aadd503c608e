//! The tricycle driver's phone: today's run in order (each stop's place, what to pick up or
//! sell, a "done" with the code the household gives or a photo), and for a selling run the
//! load-out counted at the centre, the sales rung up in the community (queued on the phone
//! while there is no signal: `static/fleet-sales.js`), and the return: the cash counted
//! against the sales and the unsold goods counted back into stock.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::authz::Role;
use farmgate_domain::fleet::{CreditKind, RouteJobKind, RunStatus};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerDay;
use farmgate_store::fleet::{GoodsLine, LoadRequest, PlannedRun, RouteJob, RunSheet, StopProof};
use serde::Deserialize;

use super::jobs::job_line;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::{china_clock, isolate};
use crate::html::{Chrome, FormErrors, render, sent};
use crate::photos::FormWithPhoto;
use crate::problem::Problem;

/// Who rides: couriers, and administrators.
const RIDERS: [Role; 2] = [Role::Courier, Role::Admin];

/// The runs `user` rides that are not back: today's, and yesterday's still out (a run is not
/// lost at midnight). (depot, run, day)
pub(super) async fn ridden(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<(i64, PlannedRun, String)>, Problem> {
    user.home_region(state, &RIDERS).await?;
    let today = LedgerDay::of(chrono::Utc::now());
    let mut runs = Vec::new();
    for day in [today.previous(), today] {
        let day = day.to_string();
        for (depot, run) in state.store.driver_runs(user.account.id, &day).await? {
            if run.status != RunStatus::Back || day == today.to_string() {
                runs.push((depot, run, day.clone()));
            }
        }
    }
    Ok(runs)
}

/// Run `id` if `user` rides it; a 404 otherwise.
pub(super) async fn ride(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(i64, PlannedRun, String), Problem> {
    ridden(state, user)
        .await?
        .into_iter()
        .find(|(_, r, _)| r.id == id)
        .ok_or(Problem::not_found())
}

struct StopView {
    id: i64,
    seq: i32,
    label: String,
    line: String,
    at: String,
    place: String,
    done: bool,
}

struct LineView {
    variant_id: i64,
    product_id: i64,
    label: String,
    price: String,
    price_fen: i64,
    /// Planned (before loading) or loaded.
    count: i64,
    sold: i64,
    left: i64,
    returned: Option<i64>,
    /// The id the form's sale goes under when sent without the script.
    client_id: String,
}

struct RunView {
    id: i64,
    title: String,
    status: String,
    planned: bool,
    out: bool,
    back: bool,
    selling: bool,
    loaded: bool,
    stops: Vec<StopView>,
    lines: Vec<LineView>,
    sales: String,
    /// After return: the takings against the sales, and whom the run credited.
    takings: Option<String>,
    credits: Vec<String>,
}

#[derive(Template)]
#[template(path = "fleet/driver.html")]
struct DriverPage {
    c: Chrome,
    csrf: String,
    notice: Option<String>,
    runs: Vec<RunView>,
    /// The form (a stop's id, or 0 for the run's forms) whose mistakes are shown.
    failed: Option<i64>,
    errors: FormErrors,
}

/// What the run's selling stops are to sell, summed by goods.
async fn planned_goods(
    state: &AppState,
    run: &PlannedRun,
    jobs: &[RouteJob],
) -> Result<Vec<GoodsLine>, Problem> {
    let selling: Vec<i64> = run
        .stops
        .iter()
        .filter(|s| {
            jobs.iter()
                .any(|j| j.id == s.job_id && j.details.kind == RouteJobKind::Sell)
        })
        .map(|s| s.job_id)
        .collect();
    let mut lines: Vec<GoodsLine> = Vec::new();
    for (_, g) in state.store.job_goods(&selling).await? {
        match lines.iter_mut().find(|l| l.variant_id == g.variant_id) {
            Some(line) => line.quantity += g.quantity,
            None => lines.push(g),
        }
    }
    Ok(lines)
}

/// Each goods line's words in the reader's language: the product's name and its unit.
async fn goods_labels(
    state: &AppState,
    t: &crate::i18n::Tr,
    variant_ids: &[i64],
) -> Result<Vec<(i64, String, Fen, i64)>, Problem> {
    let products = state.store.products_of_variants(variant_ids).await?;
    let mut labels = Vec::new();
    for id in variant_ids {
        let found = products.iter().find_map(|p| {
            p.variants
                .iter()
                .chain(&p.retired_variants)
                .find(|v| v.id == *id)
                .map(|v| (p, v))
        });
        if let Some((p, v)) = found {
            let name = p
                .text(t.lang())
                .map(|(text, _)| text.name.clone())
                .unwrap_or_default();
            let unit = crate::format::variant_label(t, &v.spec);
            labels.push((*id, format!("{name} · {unit}"), v.spec.price, p.id));
        }
    }
    Ok(labels)
}

async fn run_view(
    state: &AppState,
    t: &crate::i18n::Tr,
    (depot, run, day): (i64, PlannedRun, String),
) -> Result<RunView, Problem> {
    let jobs = state.store.route_jobs(depot, &day, None).await?;
    let vehicles = state.store.vehicles(depot, true).await?;
    let code = vehicles
        .iter()
        .find(|v| v.id == run.vehicle_id)
        .map(|v| v.code.clone())
        .unwrap_or_default();
    let job = |id: i64| jobs.iter().find(|j| j.id == id);
    let selling = run
        .stops
        .iter()
        .any(|s| job(s.job_id).is_some_and(|j| j.details.kind == RouteJobKind::Sell));
    let sheet = state.store.run_sheet(depot, run.id).await?;
    let lines = if sheet.lines.is_empty() {
        let planned = planned_goods(state, &run, &jobs).await?;
        let ids: Vec<i64> = planned.iter().map(|g| g.variant_id).collect();
        let labels = goods_labels(state, t, &ids).await?;
        planned
            .iter()
            .filter_map(|g| {
                let (_, label, price, product_id) =
                    labels.iter().find(|(id, _, _, _)| *id == g.variant_id)?;
                Some(LineView {
                    variant_id: g.variant_id,
                    product_id: *product_id,
                    label: label.clone(),
                    price: price.display_price(),
                    price_fen: price.0,
                    count: g.quantity,
                    sold: 0,
                    left: g.quantity,
                    returned: None,
                    client_id: fresh_id(),
                })
            })
            .collect()
    } else {
        sheet
            .lines
            .iter()
            .map(|l| LineView {
                variant_id: l.variant_id,
                product_id: l.product_id,
                label: l.label.clone(),
                price: l.unit_price.display_price(),
                price_fen: l.unit_price.0,
                count: l.loaded,
                sold: l.sold,
                left: l.loaded - l.sold,
                returned: l.returned,
                client_id: fresh_id(),
            })
            .collect()
    };
    Ok(RunView {
        id: run.id,
        title: t.args2(
            "fleet-run-title",
            ("vehicle", code.into()),
            ("stops", (run.stops.len() as i64).into()),
        ),
        status: t.get(&format!("fleet-run-status-{}", run.status.as_str())),
        planned: run.status == RunStatus::Planned,
        out: run.status == RunStatus::Out,
        back: run.status == RunStatus::Back,
        selling,
        loaded: !sheet.lines.is_empty(),
        stops: run
            .stops
            .iter()
            .map(|s| StopView {
                id: s.id,
                seq: s.seq,
                label: job(s.job_id)
                    .map(|j| j.details.label.clone())
                    .unwrap_or_default(),
                line: job(s.job_id).map(|j| job_line(t, j)).unwrap_or_default(),
                at: china_clock(s.starts_at),
                place: job(s.job_id)
                    .map(|j| format!("{:.4}, {:.4}", j.details.latitude, j.details.longitude))
                    .unwrap_or_default(),
                done: s.done_at.is_some(),
            })
            .collect(),
        lines,
        sales: sheet.sales.display_price(),
        takings: takings_line(t, &sheet),
        credits: credit_lines(state, t, &sheet).await?,
    })
}

pub(super) fn takings_line(t: &crate::i18n::Tr, sheet: &RunSheet) -> Option<String> {
    let takings = sheet.takings.as_ref()?;
    let difference = Fen(takings.counted.0 - takings.expected.0);
    Some(t.args(
        "fleet-takings-summary",
        [
            ("counted", takings.counted.display_price().into()),
            ("expected", takings.expected.display_price().into()),
            ("difference", difference.display_yuan().into()),
        ],
    ))
}

/// Whom the run credited, in words: each shop its goods, the driver their pay (and the
/// registered household it is income of).
async fn credit_lines(
    state: &AppState,
    t: &crate::i18n::Tr,
    sheet: &RunSheet,
) -> Result<Vec<String>, Problem> {
    let mut lines = Vec::new();
    for credit in &sheet.credits {
        let whom = match (credit.kind, credit.shop_id, credit.account_id) {
            (CreditKind::Goods, Some(shop), _) => {
                state.store.shop(shop).await?.name_in(t.lang()).to_owned()
            }
            (_, _, Some(account)) => state
                .store
                .account_by_id(account)
                .await?
                .map(|a| a.display_name.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let mut line = t.args(
            &format!("fleet-credit-{}", credit.kind.as_str()),
            [
                ("whom", isolate(&whom).into()),
                ("amount", credit.amount.display_price().into()),
            ],
        );
        // Labour on a registered household's tricycle is that household's income.
        if let Some(household) = credit.household_id
            && let Some(household) = state.store.household(household).await?
        {
            line.push_str(&t.arg(
                "fleet-credit-household",
                "household",
                isolate(&household.head_name),
            ));
        }
        lines.push(line);
    }
    Ok(lines)
}

async fn driver_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    notice: Option<String>,
    failed: Option<(i64, FormErrors)>,
) -> Result<Response, Problem> {
    let mut runs = Vec::new();
    for ride in ridden(state, user).await? {
        runs.push(run_view(state, &c.t, ride).await?);
    }
    let (status, failed, errors) = match failed {
        Some((form, errors)) => (StatusCode::UNPROCESSABLE_ENTITY, Some(form), errors),
        None => (StatusCode::OK, None, FormErrors::none()),
    };
    let page = DriverPage {
        csrf,
        notice,
        runs,
        failed,
        errors,
        c,
    };
    Ok(render(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DriverQuery {
    done: String,
}

/// `GET /courier/fleet`: the rider's runs.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<DriverQuery>,
) -> Result<Response, Problem> {
    let notice = match query.done.as_str() {
        "loaded" | "left" | "stop" | "back" => Some(c.t.get(&format!("fleet-done-{}", query.done))),
        _ => None,
    };
    driver_page(&state, &user, (c, csrf.0), notice, None).await
}

/// An id for a sale drawn into the page's form: the same form sent twice is one sale.
fn fresh_id() -> String {
    format!("page-{:032x}", rand::random::<u128>())
}

/// A count typed on the phone: none is 0.
fn count(typed: &str, field: &'static str) -> Result<i64, ValidationError> {
    match typed.trim() {
        "" => Ok(0),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=farmgate_store::fleet::MAX_LINE_QUANTITY).contains(n))
            .ok_or(ValidationError::new(field, "fleet-quantity-invalid")),
    }
}

/// The `count-<variant>` fields of a form, as lines.
fn counted_lines(fields: &[(String, String)]) -> Result<Vec<(i64, i64)>, ValidationError> {
    fields
        .iter()
        .filter_map(|(name, value)| {
            let variant = name.strip_prefix("count-")?.parse::<i64>().ok()?;
            Some(count(value, "count").map(|n| (variant, n)))
        })
        .collect()
}

/// Shows the page again with `problem` beside form `form` when it is the user's to fix.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    form: i64,
    problem: Problem,
) -> Result<Response, Problem> {
    if !problem.status.is_client_error() || problem.status == StatusCode::NOT_FOUND {
        return Err(problem);
    }
    let errors = FormErrors::of_problem(&c.t, &problem);
    driver_page(state, user, (c, csrf), None, Some((form, errors))).await
}

/// `POST /courier/fleet/runs/{id}/load`: the goods as counted onto the tricycle at the centre.
pub async fn load(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (depot, _, _) = ride(&state, &user, id).await?;
    let lines = match counted_lines(&fields) {
        Ok(lines) => lines,
        Err(invalid) => return refused(&state, &user, (c, csrf.0), 0, invalid.into()).await,
    };
    let ids: Vec<i64> = lines.iter().map(|(v, _)| *v).collect();
    let labels = goods_labels(&state, &c.t, &ids).await?;
    let requests: Vec<LoadRequest> = lines
        .iter()
        .map(|(variant_id, quantity)| LoadRequest {
            variant_id: *variant_id,
            quantity: *quantity,
            label: labels
                .iter()
                .find(|(v, _, _, _)| v == variant_id)
                .map(|(_, l, _, _)| l.clone())
                .unwrap_or_default(),
        })
        .collect();
    match state
        .store
        .load_run(depot, id, &requests, user.account.id, chrono::Utc::now())
        .await
    {
        Ok(_) => Ok(Redirect::to("/courier/fleet?done=loaded").into_response()),
        Err(err) => refused(&state, &user, (c, csrf.0), 0, err.into()).await,
    }
}

/// `POST /courier/fleet/runs/{id}/start`: the rider leaves the centre.
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let (depot, _, _) = ride(&state, &user, id).await?;
    state
        .store
        .start_route_run(depot, id, user.account.id, chrono::Utc::now())
        .await?;
    Ok(Redirect::to("/courier/fleet?done=left").into_response())
}

/// `POST /courier/fleet/runs/{id}/stops/{stop}/done`: the stop is done, with the code the
/// household gives or a photo (multipart, bounded like every upload).
pub async fn stop_done(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path((id, stop)): Path<(i64, i64)>,
    FormWithPhoto { fields, photo }: FormWithPhoto,
) -> Result<Response, Problem> {
    let (depot, _, _) = ride(&state, &user, id).await?;
    let code = sent(&fields, "code");
    let proof = match photo {
        Some(bytes) => match state.photos.store(bytes).await {
            Ok(photo) => StopProof::Photo(photo.hash),
            Err(err) => {
                let problem = Problem::from(err).with_field("photo");
                return refused(&state, &user, (c, csrf.0), stop, problem).await;
            }
        },
        None if !code.trim().is_empty() => StopProof::Code(code),
        None => {
            let problem = Problem::from(ValidationError::new("code", "run-proof-missing"));
            return refused(&state, &user, (c, csrf.0), stop, problem).await;
        }
    };
    match state
        .store
        .finish_route_stop(depot, id, stop, &proof, chrono::Utc::now())
        .await
    {
        Ok(()) => Ok(Redirect::to("/courier/fleet?done=stop").into_response()),
        Err(err) => refused(&state, &user, (c, csrf.0), stop, err.into()).await,
    }
}

/// `POST /courier/fleet/runs/{id}/return`: back at the centre, the cash as counted and the
/// unsold goods counted back.
pub async fn back(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (depot, _, _) = ride(&state, &user, id).await?;
    let counted = match farmgate_domain::catalog::parse_amount(&sent(&fields, "cash")) {
        Ok(cash) => cash,
        Err(_) => {
            let problem = Problem::from(ValidationError::new("cash", "fleet-takings-invalid"));
            return refused(&state, &user, (c, csrf.0), 0, problem).await;
        }
    };
    let returned = match counted_lines(&fields) {
        Ok(lines) => lines
            .into_iter()
            .map(|(variant_id, quantity)| GoodsLine {
                variant_id,
                quantity,
            })
            .collect::<Vec<_>>(),
        Err(invalid) => return refused(&state, &user, (c, csrf.0), 0, invalid.into()).await,
    };
    match state
        .store
        .return_run(
            depot,
            id,
            counted,
            &returned,
            user.account.id,
            chrono::Utc::now(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/courier/fleet?done=back").into_response()),
        Err(err) => refused(&state, &user, (c, csrf.0), 0, err.into()).await,
    }
}

/// A sale as the page's form sends it (without its script): the form carries an id made
/// when the page was drawn, so pressing twice on the same page sells once.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaleForm {
    variant: i64,
    quantity: String,
    client_id: String,
}

/// `POST /courier/fleet/runs/{id}/sales`: a sale rung up while the phone has a signal.
pub async fn sell(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<SaleForm>,
) -> Result<Response, Problem> {
    let (depot, _, _) = ride(&state, &user, id).await?;
    let quantity = match count(&form.quantity, "quantity") {
        Ok(q) if q > 0 => q,
        _ => {
            let problem = Problem::from(ValidationError::new("quantity", "fleet-quantity-invalid"));
            return refused(&state, &user, (c, csrf.0), 0, problem).await;
        }
    };
    let client_id = match form.client_id.trim() {
        "" => fresh_id(),
        id => id.to_owned(),
    };
    let now = chrono::Utc::now();
    let sale = farmgate_store::fleet::NewSale {
        client_id,
        variant_id: form.variant,
        quantity,
        sold_at: now,
        stop_id: None,
    };
    let outcomes = state
        .store
        .record_run_sales(depot, id, user.account.id, &[sale], now)
        .await?;
    match outcomes.first().map(|(_, o)| *o) {
        Some(farmgate_store::fleet::SaleOutcome::Refused(code)) => {
            let problem = Problem::new(StatusCode::CONFLICT, code);
            refused(&state, &user, (c, csrf.0), 0, problem).await
        }
        _ => Ok(Redirect::to("/courier/fleet").into_response()),
    }
}

/// `GET /static/fleet-sales.js`
pub async fn script() -> Response {
    crate::html::javascript(include_str!("../../static/fleet-sales.js"))
}
