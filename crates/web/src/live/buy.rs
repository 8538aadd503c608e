//! Buying from a live room with one tap: the pinned variant, ordered with the buyer's default
//! delivery (where their last order went) and payment, through the same idempotent,
//! group-committed intake as every other order. A buyer with no order yet goes through the
//! checkout once, with the room's price, and taps from then on.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::live::RoomStatus;
use farmgate_domain::orders::{Basket, IdempotencyKey, PaymentMethod};
use farmgate_store::orders::{Checkout, Delivery};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::orders::DeliveryInput;
use crate::orders::api::{PaymentView, idempotency_key, payment_view};
use crate::orders::checkout::next_step;
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

/// What a one-tap purchase needs beyond the buyer.
pub struct Tap {
    pub room_id: i64,
    pub variant_id: i64,
    pub quantity: i64,
    pub key: IdempotencyKey,
    /// Where and how, when the buyer says so; their defaults otherwise.
    pub choice: Option<(Delivery, PaymentMethod)>,
}

/// Places a one-tap order from a live room: only while it is live, only pinned variants.
/// A buyer with no defaults and no choice gets `live-no-defaults` (422).
pub async fn tap(state: &AppState, user: &CurrentUser, tap: Tap) -> Result<Checkout, Problem> {
    // Answers early for a room that is not live; the intake itself only charges room prices
    // while the room is live, in the transaction that writes the order.
    // The room's status and pins and the buyer's defaults come from this instance's memory
    // (`hot`), forgotten over the live bus when they change.
    let room = state.hot.room(&state.store, tap.room_id).await?;
    if room.status != RoomStatus::Live {
        return Err(Problem::new(StatusCode::CONFLICT, "live-not-live"));
    }
    if !room.pins.iter().any(|p| p.variant_id == tap.variant_id) {
        return Err(ValidationError::new("variant_id", "not-for-sale").into());
    }
    let basket = Basket::parse(&[(tap.variant_id, tap.quantity)])?;
    let (delivery, payment) = match tap.choice {
        Some(choice) => choice,
        None => state
            .hot
            .defaults(&state.store, user.account.id)
            .await?
            .as_ref()
            .clone()
            .ok_or_else(|| Problem::from(ValidationError::new("delivery", "live-no-defaults")))?,
    };
    crate::orders::place::place(
        state,
        user,
        crate::orders::place::Placement {
            key: tap.key,
            basket,
            delivery,
            payment,
            room_id: Some(tap.room_id),
        },
    )
    .await
}

#[derive(Deserialize, ToSchema)]
pub struct TapRequest {
    pub variant_id: i64,
    #[serde(default = "one")]
    pub quantity: i64,
    /// Leave out to use the buyer's defaults (where their last order went).
    #[serde(default)]
    pub delivery: Option<DeliveryInput>,
    /// `cash` or `online`; with `delivery`. Defaults to how the last order was paid.
    #[serde(default)]
    pub payment: Option<String>,
}

fn one() -> i64 {
    1
}

/// What the buyer's screen needs after one tap, and no more (a thousand taps a second are
/// answered with it): the order, its total, the payment and its next step. Built from what
/// the intake wrote, without reading the order again; `GET /api/v1/orders/{id}` has the rest.
#[derive(Serialize, ToSchema)]
pub struct TapAnswer {
    pub order_id: i64,
    pub checkout_id: String,
    /// True when this Idempotency-Key was used before: this is the order it made then.
    pub replayed: bool,
    pub total_fen: i64,
    pub payment: PaymentView,
}

impl TapAnswer {
    fn of(state: &AppState, checkout: &Checkout) -> Result<TapAnswer, Problem> {
        // A tap's basket is one variant of one shop: one order.
        let order = checkout.orders.first().ok_or_else(|| {
            Problem::from(farmgate_store::Error::Config(
                "a tap placed no order".to_owned(),
            ))
        })?;
        Ok(TapAnswer {
            order_id: order.id,
            checkout_id: checkout.checkout_id.clone(),
            replayed: checkout.replayed,
            total_fen: order.total.0,
            payment: payment_view(state, &checkout.payment),
        })
    }
}

/// Buys a pinned product of a live room with one tap: the buyer's default delivery and payment
/// unless given, the room price while live. Send an `Idempotency-Key`; a retry answers 200
/// with the same orders.
#[utoipa::path(post, operation_id = "buyInLiveRoom", path = "/api/v1/live/{id}/buy", tag = "live", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Room id"),
        ("Idempotency-Key" = String, Header, description = "8 to 64 of A-Z a-z 0-9 - _, unique per purchase")),
    request_body = TapRequest,
    responses(
        (status = 201, description = "Placed", body = TapAnswer),
        (status = 200, description = "Replayed", body = TapAnswer),
        (status = 401, body = ApiError),
        (status = 409, description = "Sold out, or the room is not live", body = ApiError),
        (status = 422, description = "Not pinned here, or no default delivery yet", body = ApiError),
        (status = 429, body = ApiError),
    ))]
pub async fn buy_api(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<TapRequest>,
) -> Result<Response, Problem> {
    let key = idempotency_key(&headers)?;
    let choice = match &request.delivery {
        None => None,
        Some(input) => {
            let payment =
                crate::orders::place::payment_method(request.payment.as_deref().unwrap_or("cash"))?;
            Some((crate::orders::parse_delivery(&state, input).await?, payment))
        }
    };
    let checkout = tap(
        &state,
        &user,
        Tap {
            room_id: id,
            variant_id: request.variant_id,
            quantity: request.quantity,
            key,
            choice,
        },
    )
    .await?;
    let answered = std::time::Instant::now();
    let status = if checkout.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let response = (status, Json(TapAnswer::of(&state, &checkout)?)).into_response();
    // The answer's share of a tap (`farmgate bench live-burst --profile`).
    metrics::histogram!("farmgate_order_step_seconds", "step" => "answer")
        .record(answered.elapsed().as_secs_f64());
    Ok(response)
}

#[derive(Deserialize)]
pub struct TapForm {
    #[serde(default)]
    variant: String,
    /// Drawn with the page, so a resent form places one order.
    #[serde(default)]
    key: String,
}

/// `POST /live/{id}/buy`: the room page's buy button without JavaScript. Signed-out viewers
/// log in first; a buyer with no defaults goes through the checkout (with the room price).
pub async fn buy_form(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    session: Session,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<TapForm>,
) -> Result<Response, Problem> {
    let Some(user) = user else {
        return Ok(Redirect::to(&format!("/login?next=/live/{id}")).into_response());
    };
    let variant_id: i64 = form
        .variant
        .trim()
        .parse()
        .map_err(|_| Problem::from(ValidationError::new("variant", "not-for-sale")))?;
    let key = IdempotencyKey::parse(&form.key)
        .map_err(|_| Problem::from(ValidationError::new("key", "idempotency-key-invalid")))?;
    let placed = tap(
        &state,
        &user,
        Tap {
            room_id: id,
            variant_id,
            quantity: 1,
            key,
            choice: None,
        },
    )
    .await;
    match placed {
        Ok(checkout) => {
            let next = next_step(&state, &checkout.payment);
            Ok(Redirect::to(&next).into_response())
        }
        Err(problem) if problem.code == "live-no-defaults" => {
            crate::orders::cart::add(
                State(state),
                Some(user),
                session,
                axum::Form(crate::orders::cart::CartForm {
                    variant: variant_id.to_string(),
                    quantity: "1".to_owned(),
                    next: "checkout".to_owned(),
                    room: id.to_string(),
                }),
            )
            .await
        }
        Err(problem) => Err(problem),
    }
}
