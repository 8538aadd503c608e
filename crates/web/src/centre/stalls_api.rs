//! The stalls and park API (issue 19, item 5), for the county's centre staff: stalls (list,
//! add, change or pause), bookings (list, book, cancel: the waiting list moves up), a day's
//! takings, the waiting list; the park's units, leases (add, end) and its tenants' sales.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use farmgate_domain::centre::stalls::{StallRates, StallServices, StallTerm};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerDay;
use farmgate_store::centre::{
    BookingFilter, Holder, Lease, LeaseDetails, NewBooking, ParkUnit, Stall, StallBooking,
    StallDetails, StallTakings, StallWait, UnitDetails,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::KEEPERS;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::{ApiError, ApiJson, Problem};

/// Bookings listed per page.
const PAGE: u64 = 50;

/// A stall of a hall.
#[derive(Serialize, ToSchema)]
pub struct StallView {
    pub id: i64,
    pub region_id: i64,
    pub hall: String,
    #[schema(example = "A-01")]
    pub code: String,
    pub row: i32,
    pub column: i32,
    pub size_m2: i32,
    pub water: bool,
    pub power: bool,
    pub heating: bool,
    pub day_rate_fen: i64,
    pub month_rate_fen: i64,
    pub season_rate_fen: i64,
    /// False: paused, no new bookings.
    pub active: bool,
}

fn stall_view(s: &Stall) -> StallView {
    StallView {
        id: s.id,
        region_id: s.region_id,
        hall: s.hall.clone(),
        code: s.code.clone(),
        row: s.row,
        column: s.column,
        size_m2: s.size_m2,
        water: s.services.water,
        power: s.services.power,
        heating: s.services.heating,
        day_rate_fen: s.rates.day.0,
        month_rate_fen: s.rates.month.0,
        season_rate_fen: s.rates.season.0,
        active: s.active,
    }
}

/// A stall as the centre writes it.
#[derive(Deserialize, ToSchema)]
pub struct StallBody {
    pub region_id: i64,
    pub hall: String,
    pub code: String,
    pub row: i32,
    pub column: i32,
    pub size_m2: i32,
    #[serde(default)]
    pub water: bool,
    #[serde(default)]
    pub power: bool,
    #[serde(default)]
    pub heating: bool,
    #[serde(default)]
    pub day_rate_fen: i64,
    #[serde(default)]
    pub month_rate_fen: i64,
    #[serde(default)]
    pub season_rate_fen: i64,
    /// False pauses it.
    #[serde(default = "open")]
    pub active: bool,
}

fn open() -> bool {
    true
}

fn stall_details(b: &StallBody) -> StallDetails {
    StallDetails {
        region_id: b.region_id,
        hall: b.hall.clone(),
        code: b.code.clone(),
        row: b.row,
        column: b.column,
        size_m2: b.size_m2,
        services: StallServices {
            water: b.water,
            power: b.power,
            heating: b.heating,
        },
        rates: StallRates {
            day: Fen(b.day_rate_fen),
            month: Fen(b.month_rate_fen),
            season: Fen(b.season_rate_fen),
        },
        active: b.active,
    }
}

/// The caller's county's stalls, paused ones too.
#[utoipa::path(get, operation_id = "listStalls", path = "/api/v1/centre/stalls", tag = "stalls", security(("bearer" = [])),
    responses((status = 200, body = [StallView]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<StallView>>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let stalls = state.store.stalls(county.id, true).await?;
    Ok(Json(stalls.iter().map(stall_view).collect()))
}

/// Adds a stall (its code unique in its hall).
#[utoipa::path(post, operation_id = "createStall", path = "/api/v1/centre/stalls", tag = "stalls", security(("bearer" = [])),
    request_body = StallBody,
    responses((status = 201, body = StallView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<StallBody>,
) -> Result<(StatusCode, Json<StallView>), Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let stall = state
        .store
        .add_stall(county.id, &stall_details(&body), chrono::Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json(stall_view(&stall))))
}

/// Changes, pauses or opens a stall.
#[utoipa::path(put, operation_id = "updateStall", path = "/api/v1/centre/stalls/{id}", tag = "stalls", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = StallBody,
    responses((status = 200, body = StallView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StallBody>,
) -> Result<Json<StallView>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let stall = state
        .store
        .change_stall((county.id, id), &stall_details(&body), chrono::Utc::now())
        .await?;
    Ok(Json(stall_view(&stall)))
}

/// A booking of a stall.
#[derive(Serialize, ToSchema)]
pub struct BookingView {
    pub id: i64,
    pub stall_id: i64,
    /// The household of the register it is for (free of rent).
    pub household_id: Option<i64>,
    pub holder_name: String,
    /// `day`, `month` or `season`
    pub term: String,
    #[schema(example = "2026-12-02")]
    pub starts_on: String,
    /// The last day it holds.
    pub ends_on: String,
    pub rent_fen: i64,
    pub cancelled: bool,
    /// The wait it came from, when the waiting list moved up.
    pub wait_id: Option<i64>,
}

fn booking_view(b: &StallBooking) -> BookingView {
    BookingView {
        id: b.id,
        stall_id: b.stall_id,
        household_id: b.household_id,
        holder_name: b.holder_name.clone(),
        term: b.term.as_str().to_owned(),
        starts_on: b.starts_on.to_string(),
        ends_on: b.ends_on.to_string(),
        rent_fen: b.rent.0,
        cancelled: b.cancelled,
        wait_id: b.wait_id,
    }
}

/// Which bookings to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingsQuery {
    pub stall_id: Option<i64>,
    pub household_id: Option<i64>,
    /// Held on this day (`YYYY-MM-DD`).
    pub on: Option<String>,
    /// Cancelled ones too.
    #[serde(default)]
    pub include_cancelled: bool,
    /// From 0.
    #[serde(default)]
    pub page: u64,
}

/// A page of bookings.
#[derive(Serialize, ToSchema)]
pub struct BookingsPage {
    pub bookings: Vec<BookingView>,
    pub total: u64,
}

/// The county's bookings, the latest start first, 50 a page.
#[utoipa::path(get, operation_id = "listStallBookings", path = "/api/v1/centre/stall-bookings", tag = "stalls", security(("bearer" = [])),
    params(BookingsQuery),
    responses((status = 200, body = BookingsPage), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub async fn bookings(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<BookingsQuery>,
) -> Result<Json<BookingsPage>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let on = query
        .on
        .as_deref()
        .map(|d| LedgerDay::parse(d).map_err(|_| ValidationError::new("on", "day-invalid")))
        .transpose()?;
    let filter = BookingFilter {
        stall_id: query.stall_id,
        household_id: query.household_id,
        on,
        include_cancelled: query.include_cancelled,
    };
    let (list, total) = state
        .store
        .stall_bookings(county.id, &filter, (query.page, PAGE))
        .await?;
    Ok(Json(BookingsPage {
        bookings: list.iter().map(booking_view).collect(),
        total,
    }))
}

/// Who a booking or a wait is for, for how long, from when.
#[derive(Deserialize, ToSchema)]
pub struct BookingBody {
    /// A household of the county's register (its head holds it, free of rent) ...
    pub household_id: Option<i64>,
    /// ... or someone written down by name.
    #[serde(default)]
    pub holder_name: String,
    pub holder_phone: Option<String>,
    /// `day`, `month` or `season`
    pub term: String,
    #[schema(example = "2026-12-02")]
    pub starts_on: String,
}

fn booking_of(b: &BookingBody) -> Result<NewBooking, ValidationError> {
    Ok(NewBooking {
        holder: Holder {
            household_id: b.household_id,
            name: b.holder_name.clone(),
            phone: b.holder_phone.clone(),
        },
        term: StallTerm::parse(&b.term)?,
        starts_on: LedgerDay::parse(&b.starts_on)
            .map_err(|_| ValidationError::new("starts_on", "stall-start-invalid"))?,
    })
}

/// Books a stall; 422 `stall-taken` when a booking holds one of the days.
#[utoipa::path(post, operation_id = "bookStall", path = "/api/v1/centre/stalls/{id}/bookings", tag = "stalls", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = BookingBody,
    responses((status = 201, body = BookingView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn book(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BookingBody>,
) -> Result<(StatusCode, Json<BookingView>), Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let booked = state
        .store
        .book_stall(
            (county.id, id),
            &booking_of(&body)?,
            (user.account.id, chrono::Utc::now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(booking_view(&booked))))
}

/// A cancelled booking and the one the waiting list moved into.
#[derive(Serialize, ToSchema)]
pub struct Cancelled {
    pub cancelled: BookingView,
    pub moved_up: Option<BookingView>,
}

/// Cancels a booking; the first waiting whose days fit takes the stall.
#[utoipa::path(post, operation_id = "cancelStallBooking", path = "/api/v1/centre/stall-bookings/{id}/cancel", tag = "stalls", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Cancelled), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Cancelled>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let (cancelled, moved) = state
        .store
        .cancel_stall_booking((county.id, id), (user.account.id, chrono::Utc::now()))
        .await?;
    Ok(Json(Cancelled {
        cancelled: booking_view(&cancelled),
        moved_up: moved.as_ref().map(booking_view),
    }))
}

/// A day's takings at a stall.
#[derive(Serialize, ToSchema)]
pub struct TakingsView {
    pub booking_id: i64,
    pub household_id: Option<i64>,
    pub day: String,
    pub amount_fen: i64,
}

fn takings_view(k: &StallTakings) -> TakingsView {
    TakingsView {
        booking_id: k.booking_id,
        household_id: k.household_id,
        day: k.day.to_string(),
        amount_fen: k.amount.0,
    }
}

/// What a stall took in on a day.
#[derive(Deserialize, ToSchema)]
pub struct TakingsBody {
    pub amount_fen: i64,
}

/// Records (or replaces) a day's takings; a household's count in its income ledger.
#[utoipa::path(put, operation_id = "recordStallTakings", path = "/api/v1/centre/stall-bookings/{id}/takings/{day}", tag = "stalls", security(("bearer" = [])),
    params(("id" = i64, Path), ("day" = String, Path, example = "2026-12-02")), request_body = TakingsBody,
    responses((status = 200, body = TakingsView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn record_takings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, day)): Path<(i64, String)>,
    ApiJson(body): ApiJson<TakingsBody>,
) -> Result<Json<TakingsView>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let day = LedgerDay::parse(&day)
        .map_err(|_| ValidationError::new("day", "stall-takings-day-invalid"))?;
    let kept = state
        .store
        .record_stall_takings(
            (county.id, id),
            (day, Fen(body.amount_fen)),
            (user.account.id, chrono::Utc::now()),
        )
        .await?;
    Ok(Json(takings_view(&kept)))
}

/// Someone on the waiting list.
#[derive(Serialize, ToSchema)]
pub struct WaitView {
    pub id: i64,
    pub household_id: Option<i64>,
    pub holder_name: String,
    pub term: String,
    pub starts_on: String,
    /// `waiting`, `booked` or `withdrawn`
    pub status: String,
    pub booking_id: Option<i64>,
}

fn wait_view(w: &StallWait) -> WaitView {
    WaitView {
        id: w.id,
        household_id: w.household_id,
        holder_name: w.holder_name.clone(),
        term: w.term.as_str().to_owned(),
        starts_on: w.starts_on.to_string(),
        status: w.status.clone(),
        booking_id: w.booking_id,
    }
}

/// The waiting list, oldest first, every entry.
#[utoipa::path(get, operation_id = "listStallWaits", path = "/api/v1/centre/stall-waits", tag = "stalls", security(("bearer" = [])),
    responses((status = 200, body = [WaitView]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn waits(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<WaitView>>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let waits = state.store.stall_waits(county.id, false).await?;
    Ok(Json(waits.iter().map(wait_view).collect()))
}

/// Puts someone on the waiting list.
#[utoipa::path(post, operation_id = "addStallWait", path = "/api/v1/centre/stall-waits", tag = "stalls", security(("bearer" = [])),
    request_body = BookingBody,
    responses((status = 201, body = WaitView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub async fn add_wait(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<BookingBody>,
) -> Result<(StatusCode, Json<WaitView>), Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let new = booking_of(&body)?;
    let wait = state
        .store
        .add_stall_wait(
            county.id,
            (&new.holder, new.term, new.starts_on),
            (user.account.id, chrono::Utc::now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(wait_view(&wait))))
}

/// A unit of the park.
#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub region_id: i64,
    pub code: String,
    pub name: String,
    pub size_m2: i32,
    pub monthly_rent_fen: i64,
    pub active: bool,
}

fn unit_view(u: &ParkUnit) -> UnitView {
    UnitView {
        id: u.id,
        region_id: u.region_id,
        code: u.code.clone(),
        name: u.name.clone(),
        size_m2: u.size_m2,
        monthly_rent_fen: u.monthly_rent.0,
        active: u.active,
    }
}

/// A unit as the centre writes it.
#[derive(Deserialize, ToSchema)]
pub struct UnitBody {
    pub region_id: i64,
    pub code: String,
    pub name: String,
    pub size_m2: i32,
    pub monthly_rent_fen: i64,
    #[serde(default = "open")]
    pub active: bool,
}

/// The park's units.
#[utoipa::path(get, operation_id = "listParkUnits", path = "/api/v1/centre/park/units", tag = "park", security(("bearer" = [])),
    responses((status = 200, body = [UnitView]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn units(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<UnitView>>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let units = state.store.park_units(county.id).await?;
    Ok(Json(units.iter().map(unit_view).collect()))
}

/// Adds a unit to the park.
#[utoipa::path(post, operation_id = "createParkUnit", path = "/api/v1/centre/park/units", tag = "park", security(("bearer" = [])),
    request_body = UnitBody,
    responses((status = 201, body = UnitView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn create_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<UnitBody>,
) -> Result<(StatusCode, Json<UnitView>), Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let details = UnitDetails {
        region_id: b.region_id,
        code: b.code,
        name: b.name,
        size_m2: b.size_m2,
        monthly_rent: Fen(b.monthly_rent_fen),
        active: b.active,
    };
    let unit = state
        .store
        .save_park_unit((county.id, None), &details, chrono::Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json(unit_view(&unit))))
}

/// A tenant's lease of a unit.
#[derive(Serialize, ToSchema)]
pub struct LeaseView {
    pub id: i64,
    pub unit_id: i64,
    pub tenant_name: String,
    pub shop_id: Option<i64>,
    pub moved_from_id: Option<i64>,
    pub starts_on: String,
    /// The first day rent is due.
    pub rent_from: String,
    pub ends_on: Option<String>,
    pub monthly_rent_fen: i64,
}

fn lease_view(l: &Lease) -> LeaseView {
    LeaseView {
        id: l.id,
        unit_id: l.unit_id,
        tenant_name: l.tenant_name.clone(),
        shop_id: l.shop_id,
        moved_from_id: l.moved_from_id,
        starts_on: l.starts_on.to_string(),
        rent_from: l.rent_from.to_string(),
        ends_on: l.ends_on.map(|d| d.to_string()),
        monthly_rent_fen: l.monthly_rent.0,
    }
}

/// A lease as the centre writes it.
#[derive(Deserialize, ToSchema)]
pub struct LeaseBody {
    pub tenant_name: String,
    pub shop_id: Option<i64>,
    pub moved_from_id: Option<i64>,
    pub starts_on: String,
    /// Months without rent at the start (0 to 36).
    pub free_months: u32,
    pub monthly_rent_fen: i64,
}

/// The park's leases, the latest first.
#[utoipa::path(get, operation_id = "listLeases", path = "/api/v1/centre/park/leases", tag = "park", security(("bearer" = [])),
    responses((status = 200, body = [LeaseView]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn leases(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<LeaseView>>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let leases = state.store.park_leases(county.id).await?;
    Ok(Json(leases.iter().map(lease_view).collect()))
}

/// Leases a unit; 422 `park-unit-taken` while another lease of it runs.
#[utoipa::path(post, operation_id = "createLease", path = "/api/v1/centre/park/units/{id}/leases", tag = "park", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = LeaseBody,
    responses((status = 201, body = LeaseView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn create_lease(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<LeaseBody>,
) -> Result<(StatusCode, Json<LeaseView>), Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let details = LeaseDetails {
        tenant_name: b.tenant_name,
        shop_id: b.shop_id,
        moved_from_id: b.moved_from_id,
        starts_on: LedgerDay::parse(&b.starts_on)
            .map_err(|_| ValidationError::new("starts_on", "park-start-invalid"))?,
        free_months: b.free_months,
        monthly_rent: Fen(b.monthly_rent_fen),
    };
    let lease = state
        .store
        .add_lease(
            (county.id, id),
            &details,
            (user.account.id, chrono::Utc::now()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(lease_view(&lease))))
}

/// The last day of a lease.
#[derive(Deserialize, ToSchema)]
pub struct EndBody {
    pub ends_on: String,
}

/// Ends a running lease on a day.
#[utoipa::path(post, operation_id = "endLease", path = "/api/v1/centre/park/leases/{id}/end", tag = "park", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = EndBody,
    responses((status = 200, body = LeaseView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn end_lease(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<EndBody>,
) -> Result<Json<LeaseView>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let last = LedgerDay::parse(&b.ends_on)
        .map_err(|_| ValidationError::new("ends_on", "park-end-invalid"))?;
    let lease = state.store.end_lease(county.id, id, last).await?;
    Ok(Json(lease_view(&lease)))
}

/// The park's tenants' sales while tenants, whole months.
#[derive(Serialize, ToSchema)]
pub struct ParkSalesView {
    pub orders: i64,
    pub goods_fen: i64,
    /// Oldest first.
    pub by_month: Vec<MonthSales>,
    pub by_shop: Vec<ShopSales>,
}

/// A month's sales of the park's tenants.
#[derive(Serialize, ToSchema)]
pub struct MonthSales {
    #[schema(example = "2026-11")]
    pub month: String,
    pub goods_fen: i64,
}

/// A tenant shop's sales in the park.
#[derive(Serialize, ToSchema)]
pub struct ShopSales {
    pub shop_id: i64,
    pub goods_fen: i64,
}

/// The park's total sales from its tenants' shops.
#[utoipa::path(get, operation_id = "getParkSales", path = "/api/v1/centre/park/sales", tag = "park", security(("bearer" = [])),
    responses((status = 200, body = ParkSalesView), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn sales(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ParkSalesView>, Problem> {
    let county = user.home_region(&state, &KEEPERS).await?;
    let leases = state.store.park_leases(county.id).await?;
    let today = LedgerDay::of(chrono::Utc::now());
    let sales = state.store.park_sales(&leases, today).await?;
    Ok(Json(ParkSalesView {
        orders: sales.orders,
        goods_fen: sales.goods.0,
        by_month: sales
            .by_month
            .into_iter()
            .map(|(month, f)| MonthSales {
                month,
                goods_fen: f.0,
            })
            .collect(),
        by_shop: sales
            .by_shop
            .into_iter()
            .map(|(shop_id, f)| ShopSales {
                shop_id,
                goods_fen: f.0,
            })
            .collect(),
    }))
}
