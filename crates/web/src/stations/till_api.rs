//! Buying for villagers and the daily ledger in the JSON API, for the operators' phone screens
//! when they sync what was done offline (a purchase's key makes sending it again harmless) and
//! for the county's own systems. The same checks as the pages: other stations are a 404.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{Closing, LedgerDay, LedgerMonth};
use farmgate_store::stations::{LedgerRow, VillagerOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::buy::{VillagerPurchase, buy_at};
use super::desk::chosen;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::{ApiError, ApiJson, Problem};

#[derive(Deserialize, ToSchema)]
pub struct PurchaseItem {
    pub variant_id: i64,
    pub quantity: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct PurchaseBody {
    /// Made by the client (a UUID): sending the same purchase again changes nothing.
    #[schema(example = "3f1c0a9e-5b7d-4c1e-9a53-2f8d7c6b1e40")]
    pub key: String,
    pub items: Vec<PurchaseItem>,
    /// What the villager is called.
    #[schema(example = "阿依古丽")]
    pub villager_name: String,
    /// Their mobile number, when they have one: proving it later makes the orders theirs.
    #[serde(default)]
    pub villager_phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VillagerOrderView {
    pub order_id: i64,
    pub station_id: i64,
    pub villager_name: String,
    /// Masked: the operator typed it, the slip shows its last digits.
    pub villager_phone: Option<String>,
    /// The code printed on the villager's slip.
    #[schema(example = "042917")]
    pub pickup_code: String,
    pub paid_fen: i64,
    pub placed_at: String,
    /// The villager registered and proved the phone: the order is theirs.
    pub claimed: bool,
}

impl From<VillagerOrder> for VillagerOrderView {
    fn from(v: VillagerOrder) -> Self {
        VillagerOrderView {
            order_id: v.order_id,
            station_id: v.station_id,
            villager_phone: v
                .villager_phone
                .as_deref()
                .map(farmgate_domain::accounts::mask_phone),
            villager_name: v.villager_name,
            pickup_code: v.pickup_code.as_str().to_owned(),
            paid_fen: v.paid.0,
            placed_at: v.placed_at.to_rfc3339(),
            claimed: v.claimed,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PurchaseView {
    /// The slip: `/station/slips/{checkout_id}`.
    pub checkout_id: String,
    pub orders: Vec<VillagerOrderView>,
}

/// Buys goods for a villager at a station the caller operates, paid in cash there: one order
/// per shop, pickup at the station, the cash in the station's till.
#[utoipa::path(post, operation_id = "buyForVillager", path = "/api/v1/stations/{id}/villager-orders", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id")),
    request_body = PurchaseBody,
    responses(
        (status = 201, body = PurchaseView),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "Not enough stock", body = ApiError),
        (status = 422, description = "A missing name, a malformed phone, an empty basket", body = ApiError),
    ))]
pub async fn buy(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PurchaseBody>,
) -> Result<(StatusCode, Json<PurchaseView>), Problem> {
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    let lines: Vec<(i64, i64)> = body
        .items
        .iter()
        .map(|i| (i.variant_id, i.quantity))
        .collect();
    let purchase = VillagerPurchase::parse(
        &body.key,
        &lines,
        &body.villager_name,
        body.villager_phone.as_deref().unwrap_or_default(),
    )?;
    let (checkout_id, bought) = buy_at(&state, &user, ip, &station, purchase).await?;
    Ok((
        StatusCode::CREATED,
        Json(PurchaseView {
            checkout_id,
            orders: bought.into_iter().map(VillagerOrderView::from).collect(),
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct PurchasesParams {
    /// The last order id of the previous page.
    pub before: Option<i64>,
}

/// What the station bought for villagers, newest first, 50 a page.
#[utoipa::path(get, operation_id = "listVillagerOrders", path = "/api/v1/stations/{id}/villager-orders", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id"), PurchasesParams),
    responses((status = 200, body = [VillagerOrderView]), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn purchases(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(params): Query<PurchasesParams>,
) -> Result<Json<Vec<VillagerOrderView>>, Problem> {
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    let found = state
        .store
        .villager_orders(&[station.id], params.before, 50)
        .await?;
    Ok(Json(
        found.into_iter().map(VillagerOrderView::from).collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ClosingView {
    pub expected_fen: i64,
    pub counted_fen: i64,
    pub handed_in_fen: i64,
    pub explanation: Option<String>,
    pub closed_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerDayView {
    pub station_id: i64,
    #[schema(example = "2026-12-01")]
    pub day: String,
    pub villager_orders: i64,
    pub villager_goods_fen: i64,
    /// Batches of produce taken in, and what they are worth to their growers.
    pub produce_batches: i64,
    pub produce_value_fen: i64,
    pub parcels_received: i64,
    pub parcels_handed: i64,
    pub fees_fen: i64,
    pub cash_taken_fen: i64,
    pub cash_paid_out_fen: i64,
    pub handed_in_fen: i64,
    pub difference_fen: i64,
    /// The till's change over the day: the sum of its movements.
    pub net_fen: i64,
    pub closing: Option<ClosingView>,
}

impl LedgerDayView {
    fn of(station_id: i64, day: LedgerDay, row: &LedgerRow) -> LedgerDayView {
        LedgerDayView {
            station_id,
            day: day.to_string(),
            villager_orders: row.villager_orders,
            villager_goods_fen: row.villager_goods.0,
            produce_batches: row.produce_batches,
            produce_value_fen: row.produce_value.0,
            parcels_received: row.parcels_received,
            parcels_handed: row.parcels_handed,
            fees_fen: row.fees.0,
            cash_taken_fen: row.cash_taken().0,
            cash_paid_out_fen: row.cash_paid_out().0,
            handed_in_fen: row.handed_in().0,
            difference_fen: row.difference().0,
            net_fen: row.net().0,
            closing: row.closed.as_ref().map(|d| ClosingView {
                expected_fen: d.expected.0,
                counted_fen: d.counted.0,
                handed_in_fen: d.handed_in.0,
                explanation: d.explanation.clone(),
                closed_at: d.closed_at.to_rfc3339(),
            }),
        }
    }
}

async fn ledger_day(
    state: &AppState,
    station_id: i64,
    day: LedgerDay,
) -> Result<LedgerDayView, Problem> {
    let row = state
        .store
        .ledger(&[station_id], day, day.next())
        .await?
        .pop()
        .unwrap_or_default();
    Ok(LedgerDayView::of(station_id, day, &row))
}

/// A station's day in the ledger (the caller operates it).
#[utoipa::path(get, operation_id = "getLedgerDay", path = "/api/v1/stations/{id}/days/{day}", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id"), ("day" = String, Path, description = "YYYY-MM-DD, China's calendar")),
    responses((status = 200, body = LedgerDayView), (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn day(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, day)): Path<(i64, String)>,
) -> Result<Json<LedgerDayView>, Problem> {
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    let day = LedgerDay::parse(&day)?;
    Ok(Json(ledger_day(&state, station.id, day).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CloseBody {
    /// The cash counted in the drawer.
    pub counted_fen: i64,
    /// What of it goes to the centre now.
    #[serde(default)]
    pub handed_in_fen: i64,
    /// Required when the count differs from what was expected.
    #[serde(default)]
    pub explanation: Option<String>,
}

/// Closes a station's day: the count against the till, a difference with its reason.
#[utoipa::path(post, operation_id = "closeLedgerDay", path = "/api/v1/stations/{id}/days/{day}/close", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id"), ("day" = String, Path, description = "YYYY-MM-DD, China's calendar")),
    request_body = CloseBody,
    responses(
        (status = 200, body = LedgerDayView),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "Closed already", body = ApiError),
        (status = 422, description = "A difference without its reason, more handed in than counted, a day to come", body = ApiError),
    ))]
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, day)): Path<(i64, String)>,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<Json<LedgerDayView>, Problem> {
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    let day = LedgerDay::parse(&day)?;
    let closing = Closing {
        counted: Fen(body.counted_fen),
        handed_in: Fen(body.handed_in_fen),
        explanation: body.explanation.filter(|e| !e.trim().is_empty()),
    };
    state
        .store
        .close_day(station.id, day, &closing, user.account.id)
        .await?;
    Ok(Json(ledger_day(&state, station.id, day).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct MonthParams {
    /// `YYYY-MM`; the month of yesterday when absent.
    #[serde(default)]
    pub month: String,
}

/// Every station of the caller's county, each day of a month on which anything happened.
#[utoipa::path(get, operation_id = "getCountyLedger", path = "/api/v1/centre/ledger", tag = "stations", security(("bearer" = [])),
    params(MonthParams),
    responses((status = 200, body = [LedgerDayView]), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub async fn county(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<MonthParams>,
) -> Result<Json<Vec<LedgerDayView>>, Problem> {
    let (_, stations, _) = super::network::network(&state, &user).await?;
    let month = match params.month.trim() {
        "" => LedgerMonth::of(LedgerDay::of(chrono::Utc::now()).previous()),
        typed => LedgerMonth::parse(typed)?,
    };
    let ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
    let rows = state.store.ledger(&ids, month.first, month.end()).await?;
    Ok(Json(
        rows.iter()
            .filter_map(|r| Some(LedgerDayView::of(r.station_id, r.day?, r)))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ConsignmentBody {
    /// The receiving shop's variant, priced for the grade (`produce_prices`).
    pub variant_id: i64,
    /// `first`, `second` or `third`
    pub grade: String,
    /// Off the scale, in kilograms.
    #[schema(example = "12.5")]
    pub weight_kg: String,
    pub grower_name: String,
    #[serde(default)]
    pub grower_phone: Option<String>,
    /// The grower's village (a region id).
    pub village_id: i64,
    /// The grower agreed that buyers see their given name.
    #[serde(default)]
    pub name_shown: bool,
    #[serde(default)]
    #[schema(example = "2026-08-20")]
    pub harvested_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ConsignmentView {
    pub id: i64,
    /// Under the QR; the public page is `/batches/{code}`.
    pub code: String,
    pub station_id: i64,
    pub shop_id: i64,
    pub variant_id: i64,
    pub village_id: i64,
    pub grower_name: String,
    pub grade: String,
    pub grams: i64,
    pub units: i64,
    pub per_kg_fen: i64,
    pub owed_fen: i64,
    pub sold_units: i64,
    pub earned_fen: i64,
    pub paid_fen: i64,
    pub taken_at: String,
}

impl From<farmgate_store::stations::Consignment> for ConsignmentView {
    fn from(b: farmgate_store::stations::Consignment) -> Self {
        ConsignmentView {
            id: b.id,
            code: b.code,
            station_id: b.station_id,
            shop_id: b.shop_id,
            variant_id: b.variant_id,
            village_id: b.village_id,
            grower_name: b.grower_name,
            grade: b.grade.as_str().to_owned(),
            grams: b.grams,
            units: b.units,
            per_kg_fen: b.per_kg.0,
            owed_fen: b.owed.0,
            sold_units: b.sold_units,
            earned_fen: b.earned.0,
            paid_fen: b.paid.0,
            taken_at: b.taken_at.to_rfc3339(),
        }
    }
}

/// Takes in a grower's produce at a station the caller operates: priced per the receiving
/// shop's list, its units in the shop's stock.
#[utoipa::path(post, operation_id = "takeInProduce", path = "/api/v1/stations/{id}/consignments", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id")),
    request_body = ConsignmentBody,
    responses(
        (status = 201, body = ConsignmentView),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, description = "Not priced, not collecting, a malformed weight or name", body = ApiError),
    ))]
pub async fn take_in(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ConsignmentBody>,
) -> Result<(StatusCode, Json<ConsignmentView>), Problem> {
    use farmgate_domain::ValidationError;
    use farmgate_domain::accounts::{DisplayName, PhoneNumber};
    use farmgate_domain::stations::produce::{Grade, parse_kg};
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    let new = farmgate_store::stations::NewConsignment {
        station_id: station.id,
        variant_id: body.variant_id,
        grade: Grade::parse(&body.grade)?,
        grams: parse_kg(&body.weight_kg)?,
        grower_name: DisplayName::parse(&body.grower_name)
            .map_err(|e| ValidationError::new("grower_name", e.code))?,
        grower_phone: match body.grower_phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(typed) => Some(
                PhoneNumber::parse(typed)
                    .map_err(|e| ValidationError::new("grower_phone", e.code))?,
            ),
        },
        name_shown: body.name_shown,
        village_id: body.village_id,
        harvested_on: match body.harvested_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(typed) => Some(
                chrono::NaiveDate::parse_from_str(typed, "%Y-%m-%d")
                    .map_err(|_| ValidationError::new("harvested_on", "day-invalid"))?,
            ),
        },
    };
    // The grower's village lies in the station's county.
    let regions = state.store.all_regions().await?;
    let here = regions.iter().find(|r| r.id == station.region_id);
    let county = regions.iter().find(|r| {
        r.level == farmgate_domain::regions::RegionLevel::County
            && here.is_some_and(|h| r.path.contains(&h.path))
    });
    let village = regions.iter().find(|r| r.id == new.village_id);
    let fits = matches!((county, village), (Some(c), Some(v))
        if v.level == farmgate_domain::regions::RegionLevel::Village && c.path.contains(&v.path));
    if !fits {
        return Err(ValidationError::new("village_id", "required").into());
    }
    let batch = state.store.take_in_produce(&new, user.account.id).await?;
    Ok((StatusCode::CREATED, Json(batch.into())))
}

/// The batches taken in at a station the caller operates, newest first, 50 a page.
#[utoipa::path(get, operation_id = "listConsignments", path = "/api/v1/stations/{id}/consignments", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id"), PurchasesParams),
    responses((status = 200, body = [ConsignmentView]), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn consignments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(params): Query<PurchasesParams>,
) -> Result<Json<Vec<ConsignmentView>>, Problem> {
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    let found = state
        .store
        .consignments(&[station.id], params.before, 50)
        .await?;
    Ok(Json(found.into_iter().map(ConsignmentView::from).collect()))
}
