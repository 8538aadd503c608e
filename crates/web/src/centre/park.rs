//! The industrial park as its centre keeps it (issue 19): its units with their tenant and the
//! rent due this month (nothing in a tenant's rent-free start), the tenants' shops' sales while
//! in the park (the total and the last twelve months as a chart), which villages the shops
//! moved in from, adding units, leasing one and ending a lease.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::parse_amount;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::centre::{Lease, LeaseDetails, ParkUnit, RentOwed, UnitDetails};
use farmgate_store::regions::Region;
use serde::Deserialize;

use super::KEEPERS;
use super::stalls::is_mistake;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render, sent};
use crate::i18n::Tr;
use crate::problem::Problem;

/// Shops offered as a tenant's shop.
const SHOPS_OFFERED: usize = 500;

struct UnitRow {
    id: i64,
    code: String,
    name: String,
    size_m2: i32,
    rent: String,
    /// The rent as the lease form starts with it.
    rent_plain: String,
    active: bool,
    /// The running lease: its id, tenant, since, rent-free until, rent due this month.
    tenant: Option<TenantRow>,
}

struct TenantRow {
    lease_id: i64,
    name: String,
    since: String,
    free_until: Option<String>,
    due: String,
    from: String,
    sales: String,
    /// Rent still owed, when any.
    owed: Option<String>,
}

struct PastRow {
    lease_id: i64,
    owed: Option<String>,
    unit: String,
    name: String,
    days: String,
}

#[derive(Template)]
#[template(path = "centre/park.html")]
struct ParkPage {
    c: Chrome,
    csrf: String,
    county: String,
    units: Vec<UnitRow>,
    past: Vec<PastRow>,
    total: String,
    total_detail: String,
    /// Rent owed by all tenants, when any.
    owed: Option<String>,
    chart: String,
    moved: Vec<(String, usize)>,
    regions: Vec<(i64, String)>,
    villages: Vec<(i64, String)>,
    shops: Vec<(i64, String)>,
    today: String,
    mistake: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

const SAVED: [&str; 3] = ["unit", "lease", "ended"];

fn tenant_row(
    t: &Tr,
    lease: &Lease,
    (today, names): (LedgerDay, &BTreeMap<i64, String>),
    (sales, owed): (&BTreeMap<i64, Fen>, &BTreeMap<i64, RentOwed>),
) -> TenantRow {
    let from = lease
        .moved_from_id
        .and_then(|r| names.get(&r).cloned())
        .unwrap_or_default();
    TenantRow {
        lease_id: lease.id,
        name: lease.tenant_name.clone(),
        since: lease.starts_on.to_string(),
        free_until: (lease.rent_from > today).then(|| lease.rent_from.previous().to_string()),
        due: lease.rent_in(LedgerMonth::of(today)).display_yuan(),
        from,
        sales: lease
            .shop_id
            .and_then(|s| sales.get(&s))
            .map(|f| f.display_yuan())
            .unwrap_or_else(|| t.get("park-no-shop")),
        owed: owed.get(&lease.id).map(|o| crate::format::owed_text(t, *o)),
    }
}

/// The park's tenants' sales over the last twelve months, a bar a month (in ten thousands of yuan).
fn sales_chart(t: &Tr, by_month: &BTreeMap<String, Fen>, today: LedgerDay) -> String {
    let mut months = vec![LedgerMonth::of(today)];
    for _ in 0..11 {
        let earlier = months[months.len() - 1].previous();
        months.push(earlier);
    }
    months.reverse();
    let values = months
        .iter()
        .map(|m| {
            by_month
                .get(&m.to_string())
                .map_or(0.0, |f| f.0 as f32 / 1_000_000.0)
        })
        .collect();
    let labels = months
        .iter()
        .map(|m| m.first.date().format("%m").to_string())
        .collect();
    crate::html::charts::bar_chart(
        vec![(t.get("park-sales-series"), values)],
        labels,
        &["#2f6b2a"],
    )
}

async fn park_page(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    (mistake, notice): (Option<String>, Option<String>),
) -> Result<ParkPage, Problem> {
    let t = c.t;
    let county = user.home_region(state, &KEEPERS).await?;
    let today = LedgerDay::of(chrono::Utc::now());
    let units = state.store.park_units(county.id).await?;
    let leases = state.store.park_leases(county.id).await?;
    let sales = state.store.park_sales(&leases, today).await?;
    let owed = state.store.rents_owed(county.id, today).await?;
    let (regions, villages) = places(state, &t, &county).await?;
    let names: BTreeMap<i64, String> = regions.iter().cloned().collect();
    let running: Vec<&Lease> = leases.iter().filter(|l| l.runs_on(today)).collect();
    let rows = units
        .iter()
        .map(|u| unit_row(&t, u, &running, (today, &names), (&sales.by_shop, &owed)))
        .collect();
    let past = leases
        .iter()
        .filter(|l| l.ends_on.is_some_and(|e| e < today))
        .map(|l| PastRow {
            lease_id: l.id,
            owed: owed.get(&l.id).map(|o| crate::format::owed_text(&t, *o)),
            unit: unit_code(&units, l.unit_id),
            name: l.tenant_name.clone(),
            days: format!(
                "{} – {}",
                l.starts_on,
                l.ends_on.map(|e| e.to_string()).unwrap_or_default()
            ),
        })
        .collect();
    let mut moved: BTreeMap<String, usize> = BTreeMap::new();
    for l in &running {
        if let Some(name) = l.moved_from_id.and_then(|r| names.get(&r)) {
            *moved.entry(name.clone()).or_default() += 1;
        }
    }
    let shops = tenant_shops(state, &t, &villages).await?;
    Ok(ParkPage {
        csrf,
        county: county.name(t.lang()).to_owned(),
        units: rows,
        past,
        total: sales.goods.display_yuan(),
        total_detail: t.args2(
            "park-total-detail",
            ("orders", sales.orders.into()),
            ("tenants", running.len().into()),
        ),
        owed: (!owed.is_empty()).then(|| {
            let all = owed.values().fold(RentOwed::default(), |all, o| RentOwed {
                months: all.months + o.months,
                amount: Fen(all.amount.0.saturating_add(o.amount.0)),
            });
            t.arg("park-rent-owed-all", "amount", all.amount.display_yuan())
        }),
        chart: sales_chart(&t, &sales.by_month, today),
        moved: moved.into_iter().collect(),
        regions,
        villages,
        shops,
        today: today.to_string(),
        mistake,
        notice,
        c,
    })
}

fn unit_code(units: &[ParkUnit], id: i64) -> String {
    units
        .iter()
        .find(|u| u.id == id)
        .map(|u| u.code.clone())
        .unwrap_or_default()
}

fn unit_row(
    t: &Tr,
    u: &ParkUnit,
    running: &[&Lease],
    (today, names): (LedgerDay, &BTreeMap<i64, String>),
    figures: (&BTreeMap<i64, Fen>, &BTreeMap<i64, RentOwed>),
) -> UnitRow {
    UnitRow {
        id: u.id,
        code: u.code.clone(),
        name: u.name.clone(),
        size_m2: u.size_m2,
        rent: u.monthly_rent.display_yuan(),
        rent_plain: super::stalls::plain_yuan(u.monthly_rent),
        active: u.active,
        tenant: running
            .iter()
            .find(|l| l.unit_id == u.id)
            .map(|l| tenant_row(t, l, (today, names), figures)),
    }
}

/// The county's townships and villages (for a unit's place), and its villages (moved from).
async fn places(
    state: &AppState,
    t: &Tr,
    county: &Region,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), Problem> {
    let mut regions = Vec::new();
    let mut villages = Vec::new();
    for level in [RegionLevel::Township, RegionLevel::Village] {
        for r in state.store.regions_under(&county.path, level).await? {
            let named = (r.id, r.name(t.lang()).to_owned());
            if level == RegionLevel::Village {
                villages.push(named.clone());
            }
            regions.push(named);
        }
    }
    Ok((regions, villages))
}

async fn tenant_shops(
    state: &AppState,
    t: &Tr,
    villages: &[(i64, String)],
) -> Result<Vec<(i64, String)>, Problem> {
    let ids: Vec<i64> = villages.iter().map(|(id, _)| *id).collect();
    let mut shops: Vec<(i64, String)> = state
        .store
        .shops_in_villages(&ids)
        .await?
        .iter()
        .map(|s| (s.id, s.name_in(t.lang()).to_owned()))
        .collect();
    shops.sort_by(|a, b| a.1.cmp(&b.1));
    shops.truncate(SHOPS_OFFERED);
    Ok(shops)
}

/// `GET /centre/park`.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let notice = query
        .saved
        .as_deref()
        .filter(|s| SAVED.contains(s))
        .map(|s| c.t.get(&format!("park-saved-{s}")));
    let page = park_page(&state, &user, (c, csrf.0), (None, notice)).await?;
    Ok(render(StatusCode::OK, &page))
}

fn id_field(
    fields: &[(String, String)],
    name: &'static str,
    code: &'static str,
) -> Result<Option<i64>, ValidationError> {
    match sent(fields, name).trim() {
        "" => Ok(None),
        id => id
            .parse()
            .map(Some)
            .map_err(|_| ValidationError::new(name, code)),
    }
}

fn unit_details(fields: &[(String, String)]) -> Result<UnitDetails, ValidationError> {
    let region_id = id_field(fields, "region_id", "park-region-invalid")?
        .ok_or(ValidationError::new("region_id", "park-region-invalid"))?;
    Ok(UnitDetails {
        region_id,
        code: sent(fields, "code"),
        name: sent(fields, "name"),
        size_m2: sent(fields, "size_m2")
            .trim()
            .parse()
            .map_err(|_| ValidationError::new("size_m2", "stall-size-invalid"))?,
        monthly_rent: parse_amount(&sent(fields, "monthly_rent"))
            .map_err(|_| ValidationError::new("monthly_rent", "park-rent-invalid"))?,
        active: sent(fields, "status") != "paused",
    })
}

fn lease_details(fields: &[(String, String)]) -> Result<LeaseDetails, ValidationError> {
    Ok(LeaseDetails {
        tenant_name: sent(fields, "tenant_name"),
        shop_id: id_field(fields, "shop_id", "park-shop-invalid")?,
        moved_from_id: id_field(fields, "moved_from_id", "park-region-invalid")?,
        starts_on: LedgerDay::parse(&sent(fields, "starts_on"))
            .map_err(|_| ValidationError::new("starts_on", "park-start-invalid"))?,
        free_months: sent(fields, "free_months")
            .trim()
            .parse()
            .map_err(|_| ValidationError::new("free_months", "park-free-months-invalid"))?,
        monthly_rent: parse_amount(&sent(fields, "monthly_rent"))
            .map_err(|_| ValidationError::new("monthly_rent", "park-rent-invalid"))?,
    })
}

async fn after_save(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    saved: Result<&'static str, Problem>,
) -> Result<Response, Problem> {
    match saved {
        Ok(what) => Ok(Redirect::to(&format!("/centre/park?saved={what}")).into_response()),
        Err(problem) if is_mistake(&problem) => {
            let mistake = Some(problem.message(&c.t));
            let page = park_page(state, user, (c, csrf), (mistake, None)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

/// `POST /centre/park/units`: adds a unit.
pub async fn add_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let saved = match unit_details(&fields) {
        Ok(details) => state
            .store
            .save_park_unit((county.id, None), &details, chrono::Utc::now())
            .await
            .map(|_| "unit")
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    after_save(&state, &user, (c, csrf.0), saved).await
}

/// `POST /centre/park/units/{id}/leases`: leases the unit to a tenant.
pub async fn lease(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let saved = match lease_details(&fields) {
        Ok(details) => state
            .store
            .add_lease(
                (county.id, id),
                &details,
                (user.account.id, chrono::Utc::now()),
            )
            .await
            .map(|_| "lease")
            .map_err(Problem::from),
        Err(err) => Err(err.into()),
    };
    after_save(&state, &user, (c, csrf.0), saved).await
}

/// `POST /centre/park/leases/{id}/end` (`ends_on`): ends a lease on a day.
pub async fn end(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let saved = match LedgerDay::parse(&sent(&fields, "ends_on")) {
        Ok(last) => state
            .store
            .end_lease(county.id, id, last)
            .await
            .map(|_| "ended")
            .map_err(Problem::from),
        Err(_) => Err(ValidationError::new("ends_on", "park-end-invalid").into()),
    };
    after_save(&state, &user, (c, csrf.0), saved).await
}
