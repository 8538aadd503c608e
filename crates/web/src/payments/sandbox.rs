//! The sandbox gateway: an online payment provider that behaves like a real one, served by
//! FarmGate itself.
//!
//! 1. Checkout sends the buyer to the gateway's hosted page with the payment's reference,
//!    amount, expiry and FarmGate's return and notify URLs, signed by FarmGate (so the page
//!    cannot be pointed at another amount or another site).
//! 2. The buyer pays (test money) or cancels on the hosted page.
//! 3. The gateway posts a signed JSON callback to FarmGate's webhook, at the address its
//!    settings give (`public_url`, never one a request carried), retrying a bounded number of
//!    times without following redirects, and sends the buyer back to the return URL. A pay
//!    link is used once: a payment that is no longer pending, or whose callback is already on
//!    its way, is not paid again.
//! 4. The webhook checks the signature, then settles the payment; a repeated callback changes
//!    nothing. Payments not confirmed before their expiry are cancelled by a background job.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use askama::Template;
use axum::Form;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::PaymentMethod;
use farmgate_store::orders::{Payment, PaymentStatus, Settlement};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{GatewayError, GatewayStatus, PaymentProvider, PaymentUrls, sign, verify};
use crate::AppState;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render};
use crate::problem::{ApiError, Problem, url_encode};
use farmgate_domain::notifications::NoticeKind;
use farmgate_store::notifications::Subject;

/// The header that carries the callback's signature.
pub const SIGNATURE_HEADER: &str = "x-sandbox-signature";
/// Where the gateway's hosted page lives.
pub const PAY_PATH: &str = "/sandbox-pay/checkout";
/// FarmGate's webhook for the sandbox gateway.
pub const NOTIFY_PATH: &str = "/api/v1/payments/sandbox/notify";
/// The gateway's refund API (FarmGate calls it, signed).
pub const REFUND_API_PATH: &str = "/sandbox-pay/api/refund";
/// FarmGate's webhook for the gateway's refund notifications.
pub const REFUND_NOTIFY_PATH: &str = "/api/v1/payments/sandbox/refund-notify";
/// How far a signed call's timestamp may be from the gateway's clock.
const CALL_WINDOW_SECS: i64 = 300;

/// How many times the gateway tries to deliver one payment's callback.
const DELIVERY_ATTEMPTS: u32 = 6;

pub struct SandboxGateway {
    secret: Vec<u8>,
    /// FarmGate's webhook, from configuration.
    notify_url: String,
    /// Where FarmGate calls the gateway's refund API, and where the gateway then tells
    /// FarmGate the refund went through (both from configuration).
    refund_api_url: String,
    refund_notify_url: String,
    client: reqwest::Client,
    /// The gateway's own books: what it took for each payment and what it paid back.
    ledger: Mutex<HashMap<i64, Entry>>,
    /// Refunds done, by the merchant's refund number: the same number twice pays once.
    refunds: Mutex<HashMap<String, String>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    paid: Fen,
    refunded: Fen,
    /// The callback is still being delivered.
    delivering: bool,
}

impl SandboxGateway {
    /// The gateway of FarmGate at `base` (its `public_url`).
    pub fn new(secret: &[u8], base: &str) -> SandboxGateway {
        let base = base.trim_end_matches('/');
        SandboxGateway {
            secret: secret.to_vec(),
            notify_url: format!("{base}{NOTIFY_PATH}"),
            refund_api_url: format!("{base}{REFUND_API_PATH}"),
            refund_notify_url: format!("{base}{REFUND_NOTIFY_PATH}"),
            refunds: Mutex::new(HashMap::new()),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            ledger: Mutex::new(HashMap::new()),
        }
    }

    /// Signs a callback body as the gateway does (tests use it to play the gateway).
    pub fn sign_callback(&self, body: &[u8]) -> String {
        sign(&self.secret, body)
    }

    fn refunds_done(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.refunds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Entry>> {
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the money for `reference` once: false when it was taken already.
    fn take(&self, reference: i64, amount: Fen) -> bool {
        let mut ledger = self.ledger();
        if ledger.contains_key(&reference) {
            return false;
        }
        ledger.insert(
            reference,
            Entry {
                paid: amount,
                refunded: Fen(0),
                delivering: true,
            },
        );
        true
    }

    fn delivered(&self, reference: i64) {
        if let Some(entry) = self.ledger().get_mut(&reference) {
            entry.delivering = false;
        }
    }
}

/// What FarmGate asks the gateway to collect; every field is covered by `sig`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PayRequest {
    #[serde(rename = "ref")]
    pub reference: i64,
    pub amount: i64,
    pub expires: i64,
    #[serde(rename = "return")]
    pub return_to: String,
    pub sig: String,
}

impl PayRequest {
    fn message(&self) -> String {
        format!(
            "ref={}\namount={}\nexpires={}\nreturn={}",
            self.reference, self.amount, self.expires, self.return_to
        )
    }

    fn query(&self) -> String {
        format!(
            "ref={}&amount={}&expires={}&return={}&sig={}",
            self.reference,
            self.amount,
            self.expires,
            url_encode(&self.return_to),
            self.sig
        )
    }
}

#[async_trait::async_trait]
impl PaymentProvider for SandboxGateway {
    fn id(&self) -> &'static str {
        "sandbox"
    }

    fn method(&self) -> PaymentMethod {
        PaymentMethod::Online
    }

    fn start(&self, payment: &Payment, urls: &PaymentUrls) -> Option<String> {
        let mut request = PayRequest {
            reference: payment.id,
            amount: payment.amount.0,
            expires: payment.expires_at.map_or(0, |at| at.timestamp()),
            return_to: urls.return_url.clone(),
            sig: String::new(),
        };
        request.sig = sign(&self.secret, request.message().as_bytes());
        Some(format!("{PAY_PATH}?{}", request.query()))
    }

    /// Calls the gateway's refund API, signed; the gateway answers its reference at once and
    /// tells FarmGate's refund webhook when the money is back.
    async fn refund(
        &self,
        payment: &Payment,
        amount: Fen,
        refund_no: &str,
    ) -> Result<String, GatewayError> {
        let call = RefundCall {
            reference: payment.id,
            amount_fen: amount.0,
            refund_no: refund_no.to_owned(),
            timestamp: chrono::Utc::now().timestamp(),
        };
        let body =
            serde_json::to_vec(&call).map_err(|err| GatewayError::Unreachable(err.to_string()))?;
        let answer = self
            .client
            .post(&self.refund_api_url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, sign(&self.secret, &body))
            .body(body)
            .send()
            .await
            .map_err(|err| GatewayError::Unreachable(err.to_string()))?;
        match answer.status() {
            StatusCode::OK => answer
                .json::<RefundAccepted>()
                .await
                .map(|a| a.refund_ref)
                .map_err(|err| GatewayError::Unreachable(err.to_string())),
            StatusCode::NOT_FOUND => Err(GatewayError::UnknownPayment),
            StatusCode::CONFLICT => Err(GatewayError::RefundTooLarge),
            other => Err(GatewayError::Unreachable(other.to_string())),
        }
    }

    async fn query(&self, payment: &Payment) -> Result<GatewayStatus, GatewayError> {
        Ok(match self.ledger().get(&payment.id) {
            Some(entry) => GatewayStatus::Paid {
                amount: entry.paid,
                refunded: entry.refunded,
            },
            None => GatewayStatus::Unknown,
        })
    }
}

/// The callback the gateway posts to the webhook.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Callback {
    /// FarmGate's payment id, as sent to the gateway.
    #[serde(rename = "ref")]
    pub reference: i64,
    pub amount_fen: i64,
    /// The gateway's own id for the transaction.
    pub gateway_ref: String,
    /// `succeeded`
    pub status: String,
}

/// The gateway's hosted pages; `router` adds them only when the sandbox is on.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(PAY_PATH, get(page))
        .route("/sandbox-pay/pay", post(pay))
        .route("/sandbox-pay/cancel", post(cancel))
        .route(REFUND_API_PATH, post(refund_api))
}

/// The sandbox gateway, when this server runs it; otherwise its webhook does not exist.
fn gateway(state: &AppState) -> Result<Arc<SandboxGateway>, Problem> {
    state
        .payments
        .sandbox
        .clone()
        .ok_or_else(Problem::not_found)
}

fn checked(gateway: &SandboxGateway, request: &PayRequest) -> Result<(), Problem> {
    if !verify(&gateway.secret, request.message().as_bytes(), &request.sig) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "payment-link-invalid",
        ));
    }
    if request.expires > 0 && request.expires < chrono::Utc::now().timestamp() {
        return Err(Problem::new(StatusCode::GONE, "payment-expired"));
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "payments/sandbox_pay.html")]
struct HostedPage {
    c: Chrome,
    csrf: String,
    amount: String,
    expires: String,
    request: PayRequest,
}

/// The gateway's hosted payment page.
pub async fn page(
    State(state): State<AppState>,
    c: Chrome,
    csrf: CsrfToken,
    Query(request): Query<PayRequest>,
) -> Result<Response, Problem> {
    checked(&*gateway(&state)?, &request)?;
    let expires = chrono::DateTime::from_timestamp(request.expires, 0)
        .map(crate::format::china_time)
        .unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &HostedPage {
            c,
            csrf: csrf.0,
            amount: Fen(request.amount).display_price(),
            expires,
            request,
        },
    ))
}

/// The buyer pays: the gateway takes the money once, confirms to FarmGate's webhook (a
/// bounded number of tries), then sends the buyer back. A link whose payment is no longer
/// pending, or was paid already, is refused.
pub async fn pay(
    State(state): State<AppState>,
    Form(request): Form<PayRequest>,
) -> Result<Response, Problem> {
    let gateway = gateway(&state)?;
    checked(&gateway, &request)?;
    let payment = state.store.payment(request.reference).await?;
    let used = || Problem::new(StatusCode::GONE, "payment-link-used");
    if payment.status != PaymentStatus::Pending || payment.amount.0 != request.amount {
        return Err(used());
    }
    if !gateway.take(payment.id, payment.amount) {
        return Err(used());
    }
    let callback = Callback {
        reference: request.reference,
        amount_fen: request.amount,
        gateway_ref: format!("SBX{}", uuid::Uuid::new_v4().simple()),
        status: "succeeded".to_owned(),
    };
    let body = serde_json::to_vec(&callback)
        .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server"))?;
    // Like a real gateway: try now, and a few more times in the background until acknowledged.
    if deliver(&gateway, &body).await {
        gateway.delivered(payment.id);
    } else {
        tokio::spawn(async move {
            for attempt in 1..DELIVERY_ATTEMPTS {
                tokio::time::sleep(Duration::from_secs(2u64.pow(attempt))).await;
                if deliver(&gateway, &body).await {
                    gateway.delivered(callback.reference);
                    return;
                }
            }
            tracing::error!(
                payment = callback.reference,
                "the sandbox gateway gave up on a callback"
            );
        });
    }
    Ok(Redirect::to(&request.return_to).into_response())
}

async fn deliver(gateway: &SandboxGateway, body: &[u8]) -> bool {
    deliver_to(gateway, &gateway.notify_url, body).await
}

/// Posts a signed notification to `url`: true when FarmGate acknowledged it.
async fn deliver_to(gateway: &SandboxGateway, url: &str, body: &[u8]) -> bool {
    let sent = gateway
        .client
        .post(url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, gateway.sign_callback(body))
        .body(body.to_vec())
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => true,
        Ok(response) => {
            tracing::warn!(status = %response.status(), "the webhook refused a sandbox callback");
            false
        }
        Err(err) => {
            tracing::warn!(error = %err, "a sandbox callback could not be delivered");
            false
        }
    }
}

/// The buyer gives up on the hosted page: back to FarmGate, where the order waits for payment
/// until it expires.
pub async fn cancel(
    State(state): State<AppState>,
    Form(request): Form<PayRequest>,
) -> Result<Response, Problem> {
    checked(&*gateway(&state)?, &request)?;
    Ok(Redirect::to(&request.return_to).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Acknowledged {
    /// `settled`, `already_settled` or `too_late` (the payment had expired: it will be refunded)
    pub result: String,
}

/// The sandbox gateway's callback. The body must carry the gateway's signature in
/// `X-Sandbox-Signature` (HMAC-SHA256, hex); a repeated callback is acknowledged and changes
/// nothing.
#[utoipa::path(post, operation_id = "notifySandboxPayment", path = "/api/v1/payments/sandbox/notify", tag = "payments", request_body = Callback,
    params(("X-Sandbox-Signature" = String, Header, description = "HMAC-SHA256 of the body, hex")),
    responses(
        (status = 200, body = Acknowledged),
        (status = 401, description = "Signature missing or wrong", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The amount differs from the payment's", body = ApiError),
        (status = 422, body = ApiError),
    ))]
pub async fn notify(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Acknowledged>, Problem> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !verify(&gateway(&state)?.secret, &body, signature) {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "signature-invalid"));
    }
    let callback: Callback = serde_json::from_slice(&body)
        .map_err(|_| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "json-invalid"))?;
    if callback.status != "succeeded" || callback.gateway_ref.len() > 64 {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "json-invalid",
        ));
    }
    let payment = state.store.payment(callback.reference).await?;
    let settlement = state
        .store
        .settle_payment(payment.id, Fen(callback.amount_fen), &callback.gateway_ref)
        .await?;
    if settlement == Settlement::Settled {
        // Each shop hears of its paid order once (the gateway may call again).
        for order in state.store.orders_of_checkout(&payment.checkout_id).await? {
            let tell = crate::notify::Tell {
                kind: NoticeKind::OrderPaid,
                subject: Subject::Order(order.id),
                args: vec![
                    ("order".to_owned(), order.id.to_string()),
                    ("total".to_owned(), order.total.display_yuan()),
                ],
                event: format!("order:{}:paid", order.id),
            };
            crate::notify::tell_shop(&state, order.shop_id, &tell).await;
            crate::webhooks::order_event(
                &state,
                order.shop_id,
                farmgate_domain::webhooks::WebhookEvent::OrderPaid,
                order.id,
            );
        }
    }
    if settlement == Settlement::TooLate {
        tracing::warn!(
            payment = payment.id,
            "a payment arrived after it expired; it must be refunded"
        );
    }
    let result = match settlement {
        Settlement::Settled => "settled",
        Settlement::AlreadySettled => "already_settled",
        Settlement::TooLate => "too_late",
    };
    Ok(Json(Acknowledged {
        result: result.to_owned(),
    }))
}

/// FarmGate's refund call to the gateway: which payment, how much, under which of FarmGate's
/// refund numbers, when (the signature in `X-Sandbox-Signature` covers the body).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundCall {
    #[serde(rename = "ref")]
    pub reference: i64,
    pub amount_fen: i64,
    pub refund_no: String,
    pub timestamp: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RefundAccepted {
    refund_ref: String,
}

/// The gateway's notification that a refund went through.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefundNotice {
    /// FarmGate's payment id.
    #[serde(rename = "ref")]
    pub reference: i64,
    /// FarmGate's refund number, as given in the refund call (`R<request id>`).
    pub refund_no: String,
    pub amount_fen: i64,
    /// The gateway's own id for the refund.
    pub refund_ref: String,
    /// `succeeded`
    pub status: String,
}

/// What the gateway's books say a payment took and gave back. A payment the gateway took
/// before this process started (its books are in memory) is read from FarmGate's record of
/// the gateway's confirmation.
async fn books(state: &AppState, gateway: &SandboxGateway, reference: i64) -> Option<Entry> {
    if let Some(entry) = gateway.ledger().get(&reference) {
        return Some(*entry);
    }
    let payment = state.store.payment(reference).await.ok()?;
    let taken = payment
        .gateway_ref
        .as_deref()
        .is_some_and(|r| r.starts_with("SBX"));
    let entry = Entry {
        paid: payment.amount,
        refunded: payment.refunded,
        delivering: false,
    };
    taken.then(|| *gateway.ledger().entry(reference).or_insert(entry))
}

/// The gateway's refund API: checks FarmGate's signature and timestamp, pays back once per
/// refund number (never more than was taken), answers the refund's reference, and then tells
/// FarmGate's refund webhook, retrying with backoff until it is acknowledged.
pub async fn refund_api(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let gateway = gateway(&state)?;
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !verify(&gateway.secret, &body, signature) {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "signature-invalid"));
    }
    let call: RefundCall = serde_json::from_slice(&body)
        .map_err(|_| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "json-invalid"))?;
    if (chrono::Utc::now().timestamp() - call.timestamp).abs() > CALL_WINDOW_SECS {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "signature-invalid"));
    }
    let done = gateway.refunds_done().get(&call.refund_no).cloned();
    let refund_ref = match done {
        Some(refund_ref) => refund_ref,
        None => {
            let entry = books(&state, &gateway, call.reference)
                .await
                .ok_or_else(Problem::not_found)?;
            let refunded = entry
                .refunded
                .checked_add(Fen(call.amount_fen))
                .filter(|total| call.amount_fen > 0 && *total <= entry.paid)
                .ok_or_else(|| Problem::new(StatusCode::CONFLICT, "refund-failed"))?;
            if let Some(entry) = gateway.ledger().get_mut(&call.reference) {
                entry.refunded = refunded;
            }
            let refund_ref = format!("SBXR{}", uuid::Uuid::new_v4().simple());
            gateway
                .refunds_done()
                .insert(call.refund_no.clone(), refund_ref.clone());
            refund_ref
        }
    };
    let notice = RefundNotice {
        reference: call.reference,
        refund_no: call.refund_no,
        amount_fen: call.amount_fen,
        refund_ref: refund_ref.clone(),
        status: "succeeded".to_owned(),
    };
    let body = serde_json::to_vec(&notice)
        .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server"))?;
    tokio::spawn(async move {
        for attempt in 0..DELIVERY_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_secs(2u64.pow(attempt))).await;
            }
            if deliver_to(&gateway, &gateway.refund_notify_url, &body).await {
                return;
            }
        }
        tracing::error!(
            refund = notice.refund_no,
            "the sandbox gateway gave up on a refund notice"
        );
    });
    Ok(Json(RefundAccepted { refund_ref }).into_response())
}

/// A refund notification that the sandbox gateway signed (`X-Sandbox-Signature`), read; a
/// forged or malformed one is refused.
pub fn refund_notice(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<RefundNotice, Problem> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !verify(&gateway(state)?.secret, body, signature) {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "signature-invalid"));
    }
    let notice: RefundNotice = serde_json::from_slice(body)
        .map_err(|_| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "json-invalid"))?;
    if notice.status != "succeeded" || notice.refund_ref.len() > 64 || notice.amount_fen <= 0 {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "json-invalid",
        ));
    }
    Ok(notice)
}
