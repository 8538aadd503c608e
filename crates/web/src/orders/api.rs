//! `POST /api/v1/orders` and reading orders.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::orders::{Basket, IdempotencyKey};
use farmgate_store::orders::{Checkout, Order, PaymentStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checkout::next_step;
use super::place::{Placement, payment_method};
use super::{DeliveryInput, apply_event, parse_delivery, readable_order};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::managed_shop;
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct ItemBody {
    pub variant_id: i64,
    pub quantity: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct OrderRequest {
    pub items: Vec<ItemBody>,
    /// `{"kind": "pickup", "station": "3"}` (a station from `GET /api/v1/stations`) or
    /// `{"kind": "home", "region": "korla-saibag", "address": "...", "recipient": "...", "phone": "139..."}`
    pub delivery: DeliveryInput,
    /// `cash` (at pickup or on delivery) or `online` (the online provider; the answer's
    /// `payment.pay_url` is where the buyer pays)
    #[schema(example = "cash")]
    pub payment: String,
    /// Bought from this live room: its room prices apply while it is live.
    #[serde(default)]
    pub room_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct LineView {
    pub variant_id: i64,
    pub name: String,
    pub unit: String,
    pub quantity: u32,
    pub unit_price_fen: i64,
    pub line_fen: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OrderView {
    pub id: i64,
    pub checkout_id: String,
    pub shop_id: i64,
    pub status: String,
    pub fulfilment: String,
    pub goods_fen: i64,
    pub shipping_fen: i64,
    pub total_fen: i64,
    pub station_id: Option<i64>,
    pub placed_at: String,
    pub lines: Vec<LineView>,
    /// The timeline, from placed onwards.
    pub events: Vec<EventView>,
}

/// One step of an order's timeline.
#[derive(Serialize, ToSchema)]
pub struct EventView {
    /// The status the order reached.
    #[schema(example = "shipped")]
    pub status: String,
    /// When (RFC 3339).
    pub at: String,
    /// What the step noted: the carrier and tracking number, a reason.
    pub note: Option<String>,
}

impl From<Order> for OrderView {
    fn from(o: Order) -> Self {
        OrderView {
            id: o.id,
            checkout_id: o.checkout_id,
            shop_id: o.shop_id,
            status: o.status.as_str().to_owned(),
            fulfilment: o.fulfilment.as_str().to_owned(),
            goods_fen: o.goods.0,
            shipping_fen: o.shipping.0,
            total_fen: o.total.0,
            station_id: o.station_id,
            placed_at: o.placed_at.to_rfc3339(),
            lines: o
                .lines
                .into_iter()
                .map(|l| LineView {
                    variant_id: l.variant_id,
                    name: l.name,
                    unit: l.unit,
                    quantity: l.quantity,
                    unit_price_fen: l.unit_price.0,
                    line_fen: l.line_total.0,
                })
                .collect(),
            events: o
                .events
                .into_iter()
                .map(|e| EventView {
                    status: e.status.as_str().to_owned(),
                    at: e.at.to_rfc3339(),
                    note: e.note,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CheckoutView {
    pub checkout_id: String,
    /// True when this Idempotency-Key was used before: these are the orders it made then.
    pub replayed: bool,
    pub total_fen: i64,
    pub orders: Vec<OrderView>,
    pub payment: PaymentView,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentView {
    pub id: i64,
    /// `cash`, `sandbox`
    pub provider: String,
    pub amount_fen: i64,
    /// `due` (cash), `pending`, `paid`, `expired`, `paid_late`
    pub status: String,
    /// For a pending online payment: where the buyer pays.
    pub pay_url: Option<String>,
    pub expires_at: Option<String>,
}

pub(crate) fn checkout_view(state: &AppState, c: Checkout) -> CheckoutView {
    CheckoutView {
        total_fen: c.orders.iter().map(|o| o.total.0).sum(),
        payment: payment_view(state, &c.payment),
        checkout_id: c.checkout_id,
        replayed: c.replayed,
        orders: c.orders.into_iter().map(OrderView::from).collect(),
    }
}

/// A checkout's payment and its next step, as the buyer's screen shows it.
pub(crate) fn payment_view(
    state: &AppState,
    payment: &farmgate_store::orders::Payment,
) -> PaymentView {
    let next = next_step(state, payment);
    let pay_url = (payment.status == PaymentStatus::Pending && next.contains("sandbox-pay"))
        .then(|| format!("{}{next}", state.public_url()));
    PaymentView {
        id: payment.id,
        provider: payment.provider.clone(),
        amount_fen: payment.amount.0,
        status: payment.status.as_str().to_owned(),
        pay_url,
        expires_at: payment.expires_at.map(|at| at.to_rfc3339()),
    }
}

/// The `Idempotency-Key` header, parsed.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, Problem> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or(ValidationError::new(
            "Idempotency-Key",
            "idempotency-key-invalid",
        ))
        .and_then(IdempotencyKey::parse)
        .map_err(|_| {
            Problem::from(ValidationError::new(
                "Idempotency-Key",
                "idempotency-key-invalid",
            ))
        })
}

async fn parse_order(
    state: &AppState,
    headers: &HeaderMap,
    request: OrderRequest,
) -> Result<Placement, Problem> {
    let key = idempotency_key(headers)?;
    let lines: Vec<(i64, i64)> = request
        .items
        .iter()
        .map(|i| (i.variant_id, i.quantity))
        .collect();
    let basket = Basket::parse(&lines)?;
    let payment = payment_method(&request.payment)?;
    let delivery = parse_delivery(state, &request.delivery).await?;
    Ok(Placement {
        key,
        basket,
        delivery,
        payment,
        room_id: request.room_id,
    })
}

/// Places an order: one per shop under one checkout. Send an `Idempotency-Key` header; a
/// retry with the same key returns the same orders (200) instead of placing new ones (201).
/// The answer comes only after the orders are committed.
#[utoipa::path(post, operation_id = "placeOrder", path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), request_body = OrderRequest,
    params(("Idempotency-Key" = String, Header, description = "8 to 64 of A-Z a-z 0-9 - _, unique per order attempt")),
    responses(
        (status = 201, description = "Placed", body = CheckoutView),
        (status = 200, description = "Replayed: the orders this key placed before", body = CheckoutView),
        (status = 401, body = ApiError),
        (status = 409, description = "Not enough stock", body = ApiError),
        (status = 422, body = ApiError),
        (status = 429, body = ApiError),
    ))]
pub async fn place(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiJson(request): ApiJson<OrderRequest>,
) -> Result<Response, Problem> {
    let placement = parse_order(&state, &headers, request).await?;
    let checkout = super::place::place(&state, &user, placement).await?;
    let status = if checkout.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let answered = std::time::Instant::now();
    let response = (status, Json(checkout_view(&state, checkout))).into_response();
    metrics::histogram!("farmgate_order_step_seconds", "step" => "answer")
        .record(answered.elapsed().as_secs_f64());
    Ok(response)
}

/// One order, for its buyer or its shop's members.
#[utoipa::path(get, operation_id = "getOrder", path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path, description = "Order id")),
    responses((status = 200, body = OrderView), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<OrderView>, Problem> {
    Ok(Json(readable_order(&state, &user, id).await?.into()))
}

/// Paging of an order list: newest first, `limit` (1 to 100, default 20) orders before the
/// order id `before`. The answer's `Link` header names the next page (`rel="next"`).
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Orders older than this order id (the last id of the previous page).
    pub before: Option<i64>,
    /// How many, 1 to 100; default 20.
    pub limit: Option<u64>,
}

impl ListQuery {
    fn page(&self) -> Result<farmgate_store::orders::OrderPage, Problem> {
        let limit = self.limit.unwrap_or(super::pages::PAGE_SIZE);
        if !(1..=farmgate_store::orders::MAX_PAGE).contains(&limit) {
            return Err(ValidationError::new("limit", "limit-invalid").into());
        }
        Ok(farmgate_store::orders::OrderPage {
            before: self.before,
            statuses: Vec::new(),
            limit,
            filter: Default::default(),
        })
    }
}

/// The page as JSON, with a `Link` to the next one when it was full.
fn paged(path: &str, page: &farmgate_store::orders::OrderPage, found: Vec<Order>) -> Response {
    let next = super::pages::next_before(&found, page.limit);
    let body: Vec<OrderView> = found.into_iter().map(OrderView::from).collect();
    let mut response = Json(body).into_response();
    if let Some(before) = next {
        let link = format!(
            "<{path}?before={before}&limit={}>; rel=\"next\"",
            page.limit
        );
        if let Ok(value) = axum::http::HeaderValue::from_str(&link) {
            response
                .headers_mut()
                .insert(axum::http::header::LINK, value);
        }
    }
    response
}

/// The signed-in buyer's orders, newest first, a page at a time.
#[utoipa::path(get, operation_id = "listMyOrders", path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Vec<OrderView>, headers(("link" = String, description = "The next page, rel=\"next\""))),
        (status = 401, body = ApiError), (status = 422, body = ApiError)))]
pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let page = query.page()?;
    let found = state
        .store
        .orders_of_buyer(user.account.id, page.clone())
        .await?;
    Ok(paged("/api/v1/orders", &page, found))
}

/// A shop's orders, for its members, newest first, a page at a time.
#[utoipa::path(get, operation_id = "listShopOrders", path = "/api/v1/shops/{id}/orders", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id"), ListQuery),
    responses((status = 200, body = Vec<OrderView>, headers(("link" = String, description = "The next page, rel=\"next\""))),
        (status = 401, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn of_shop(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, id).await?;
    let page = query.page()?;
    let found = state.store.orders_of_shop(shop.id, page.clone()).await?;
    Ok(paged(
        &format!("/api/v1/shops/{}/orders", shop.id),
        &page,
        found,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct EventRequest {
    /// Shop members: pack, ship, deliver, and refund or reject_refund for a paid order whose
    /// buyer cancelled. The buyer: cancel, complete. (A station's parcel is received and handed
    /// over by the station: `/station/parcels`.) Money back after delivery is a refund
    /// request: `/api/v1/orders/{id}/refund-request`.
    #[schema(example = "pack")]
    pub event: String,
    /// For `pack`: the parcel's weight in grams.
    pub packed_grams: Option<i64>,
    /// Shown on the timeline (a carrier and tracking number, a reason).
    pub note: Option<String>,
}

/// Moves an order one step. Only legal steps are taken (409 otherwise); sellers take the
/// shop's steps, buyers theirs (403 otherwise).
#[utoipa::path(post, operation_id = "advanceOrder", path = "/api/v1/orders/{id}/events", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order id")), request_body = EventRequest,
    responses((status = 200, body = OrderView), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn advance(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<EventRequest>,
) -> Result<Json<OrderView>, Problem> {
    let order = apply_event(
        &state,
        &user,
        ip,
        id,
        &request.event,
        request.packed_grams,
        request.note.as_deref(),
    )
    .await?;
    Ok(Json(order.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewRequest {
    pub product_id: i64,
    /// 1 to 5
    pub stars: i64,
    /// Up to 500 characters; may be empty.
    #[serde(default)]
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub product_id: i64,
    pub stars: u8,
    pub body: String,
    /// The language it was written in.
    pub language: String,
    /// The reviewer, masked: the first character of their name.
    pub reviewer: String,
    pub created_at: String,
}

impl From<farmgate_store::orders::Review> for ReviewView {
    fn from(r: farmgate_store::orders::Review) -> Self {
        ReviewView {
            id: r.id,
            product_id: r.product_id,
            stars: r.stars,
            reviewer: crate::format::masked_name(&r.buyer_name),
            body: r.body,
            language: r.language.tag().to_owned(),
            created_at: r.created_at.to_rfc3339(),
        }
    }
}

/// The buyer reviews a product of their completed order, once per product.
#[utoipa::path(post, operation_id = "reviewOrderedProduct", path = "/api/v1/orders/{id}/reviews", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order id")), request_body = ReviewRequest,
    responses((status = 201, body = ReviewView), (status = 401, body = ApiError), (status = 404, body = ApiError),
        (status = 409, description = "Not completed yet, or reviewed already", body = ApiError), (status = 422, body = ApiError)))]
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    c: crate::html::Chrome,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<(StatusCode, Json<ReviewView>), Problem> {
    let text = farmgate_domain::orders::review::ReviewText::parse(request.stars, &request.body)?;
    let review = state
        .store
        .add_review(id, user.account.id, request.product_id, &text, c.t.lang())
        .await
        .map_err(super::pages::review_problem)?;
    Ok((StatusCode::CREATED, Json(review.into())))
}

/// A product's newest reviews (at most 50).
#[utoipa::path(get, operation_id = "listProductReviews", path = "/api/v1/products/{id}/reviews", tag = "catalog",
    params(("id" = i64, Path, description = "Product id")),
    responses((status = 200, body = Vec<ReviewView>), (status = 404, body = ApiError)))]
pub async fn reviews(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ReviewView>>, Problem> {
    let product = state.store.product(id).await?;
    if product.status != farmgate_domain::catalog::ProductStatus::Listed {
        return Err(Problem::not_found());
    }
    Ok(Json(
        state
            .store
            .reviews_of_product(product.id, 50)
            .await?
            .into_iter()
            .map(ReviewView::from)
            .collect(),
    ))
}
