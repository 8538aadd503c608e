//! The park's rent over the API (issue 19): a lease's months with what each owes and what was
//! received, and a month's rent received (once per month; the amount is what the lease owes).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use farmgate_domain::centre::park::RentMethod;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::centre::{RentMonth, RentPaid};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::KEEPERS;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::{ApiError, ApiJson, Problem};

/// Rent received for a month.
#[derive(Serialize, ToSchema)]
pub struct RentPaidView {
    pub id: i64,
    #[schema(example = "2026-11")]
    pub month: String,
    pub amount_fen: i64,
    /// `cash` or `transfer`.
    pub method: String,
    pub reference: String,
    pub entered_at: chrono::DateTime<chrono::Utc>,
}

/// A month a lease owes rent for.
#[derive(Serialize, ToSchema)]
pub struct RentMonthView {
    #[schema(example = "2026-11")]
    pub month: String,
    pub due_fen: i64,
    /// Null while owed.
    pub paid: Option<RentPaidView>,
}

/// A lease's rent: every month owed so far, the latest first, and what is still owed.
#[derive(Serialize, ToSchema)]
pub struct LeaseRentsView {
    pub lease_id: i64,
    pub owed_months: u32,
    pub owed_fen: i64,
    pub months: Vec<RentMonthView>,
}

fn paid_view(p: &RentPaid) -> RentPaidView {
    RentPaidView {
        id: p.id,
        month: p.month.to_string(),
        amount_fen: p.amount.0,
        method: p.method.as_str().to_owned(),
        reference: p.reference.clone(),
        entered_at: p.entered_at,
    }
}

fn month_view(m: &RentMonth) -> RentMonthView {
    RentMonthView {
        month: m.month.to_string(),
        due_fen: m.due.0,
        paid: m.paid.as_ref().map(paid_view),
    }
}

/// A lease's months of rent.
#[utoipa::path(get, operation_id = "listLeaseRents", path = "/api/v1/centre/park/leases/{id}/rents", tag = "park", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = LeaseRentsView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn rents(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<LeaseRentsView>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let today = LedgerDay::of(chrono::Utc::now());
    let (_, months) = state.store.lease_rents(county.id, id, today).await?;
    let owed = months.iter().filter(|m| m.paid.is_none());
    Ok(Json(LeaseRentsView {
        lease_id: id,
        owed_months: owed.clone().count() as u32,
        owed_fen: owed.map(|m| m.due.0).sum(),
        months: months.iter().map(month_view).collect(),
    }))
}

/// A month's rent received.
#[derive(Deserialize, ToSchema)]
pub struct RentBody {
    #[schema(example = "2026-11")]
    pub month: String,
    /// `cash` or `transfer`.
    pub method: String,
    /// A transfer's number (needed for a transfer) or a receipt's.
    #[serde(default)]
    pub reference: String,
}

/// Records a month's rent received; 409 when the month was received already, 422
/// `park-rent-not-due` for a month that owes nothing.
#[utoipa::path(post, operation_id = "recordLeaseRent", path = "/api/v1/centre/park/leases/{id}/rents", tag = "park", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RentBody,
    responses((status = 201, body = RentPaidView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RentBody>,
) -> Result<(StatusCode, Json<RentPaidView>), Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let month = LedgerMonth::parse(&b.month)
        .map_err(|_| ValidationError::new("month", "park-rent-not-due"))?;
    let method = RentMethod::parse(&b.method)?;
    let paid = state
        .store
        .record_rent(
            (county.id, id),
            (month, method, &b.reference),
            (user.account.id, chrono::Utc::now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(paid_view(&paid))))
}
