//! Payments: one per checkout, taken by a provider.
//!
//! A [`PaymentProvider`] knows how a buyer pays: cash needs nothing now (it is collected when
//! the parcel is handed over); an online provider sends the buyer to its hosted payment page
//! and later confirms the payment with a signed callback to FarmGate's webhook. The sandbox
//! gateway ([`sandbox`]) is such a provider, served by FarmGate itself under `/sandbox-pay/`
//! so that the whole path (redirect, hosted page, signed callback, idempotent webhook,
//! timeout) runs for real without a contract with a bank. A real gateway is another
//! implementation of the same trait and another webhook route.

pub mod refunds;
pub mod sandbox;

use std::sync::Arc;

use crate::AppState;

use axum::Router;
use axum::routing::{get, post};
use farmgate_domain::ValidationError;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::PaymentMethod;
use farmgate_store::orders::Payment;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The centre's payments that owe money back.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/centre/refunds", get(refunds::list))
        .route("/centre/refunds/{id}", post(refunds::pay_back))
}

/// Providers' callbacks.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sandbox::notify))
}

/// Which online provider a server offers (`payment_provider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnlineProvider {
    /// No online payments: buyers pay cash at the station or the door.
    #[default]
    None,
    /// The sandbox gateway: test money, for the demo and staging only.
    Sandbox,
}

impl OnlineProvider {
    pub fn parse(text: &str) -> Option<OnlineProvider> {
        match text.trim() {
            "none" => Some(OnlineProvider::None),
            "sandbox" => Some(OnlineProvider::Sandbox),
            _ => None,
        }
    }
}

/// Where a provider sends the buyer back to. Where the gateway posts its confirmation is
/// the provider's own setting (from `public_url`), never something a request chose.
#[derive(Debug, Clone)]
pub struct PaymentUrls {
    /// The checkout's page on FarmGate (the buyer comes back here).
    pub return_url: String,
}

/// What a gateway says of a payment when asked (reconciliation when a callback never came).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayStatus {
    /// The gateway has no payment for this reference.
    Unknown,
    /// Paid, and how much has been paid back so far.
    Paid { amount: Fen, refunded: Fen },
}

/// Why a gateway refused or failed a request.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the gateway has no such payment")]
    UnknownPayment,
    #[error("more than is left to refund")]
    RefundTooLarge,
    #[error("the gateway could not be reached: {0}")]
    Unreachable(String),
}

/// A way of paying. A real gateway (a bank's or a wallet's) implements this trait and gets a
/// webhook route of its own; what it must do:
///
/// - **Start** (`start`): build the gateway's payment request from the payment's reference,
///   amount and expiry and the return URL, signed with the key agreed with the gateway (the
///   sandbox signs with HMAC-SHA256 over the fields in a fixed order; a real gateway names
///   its own scheme, often RSA2 over sorted fields), and answer the address to send the
///   buyer to.
/// - **Notify**: the gateway posts to a webhook whose address comes from configuration
///   (`public_url`). The webhook verifies the signature in constant time, checks the amount,
///   and settles through `Store::settle_payment`, which is idempotent and turns a payment for
///   orders cancelled meanwhile into `refund_due`.
/// - **Refund** (`refund`): pay back part or all of a settled payment under the merchant's
///   refund number (the same number twice pays once); answers the gateway's refund reference.
///   The gateway then notifies FarmGate (signed) when the money is back: a refund request is
///   recorded paid from that notification (`orders::refunds`), once however often it comes.
/// - **Query** (`query`): what the gateway knows of a payment, for reconciliation.
#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync {
    /// The provider's name as payments record it.
    fn id(&self) -> &'static str;
    fn method(&self) -> PaymentMethod;
    /// Where to send the buyer to pay, or `None` when nothing is paid now.
    fn start(&self, payment: &Payment, urls: &PaymentUrls) -> Option<String>;
    /// Pays `amount` of a settled payment back under `refund_no`; answers the refund's
    /// reference.
    async fn refund(
        &self,
        payment: &Payment,
        amount: Fen,
        refund_no: &str,
    ) -> Result<String, GatewayError>;
    /// What the gateway knows of a payment.
    async fn query(&self, payment: &Payment) -> Result<GatewayStatus, GatewayError>;
}

/// Cash at the station or at the door: collected when the parcel is handed over, and paid back
/// in person by the shop.
pub struct Cash;

#[async_trait::async_trait]
impl PaymentProvider for Cash {
    fn id(&self) -> &'static str {
        "cash"
    }

    fn method(&self) -> PaymentMethod {
        PaymentMethod::Cash
    }

    fn start(&self, _payment: &Payment, _urls: &PaymentUrls) -> Option<String> {
        None
    }

    async fn refund(
        &self,
        payment: &Payment,
        _amount: Fen,
        _refund_no: &str,
    ) -> Result<String, GatewayError> {
        Ok(format!("CASH-{}", payment.id))
    }

    async fn query(&self, _payment: &Payment) -> Result<GatewayStatus, GatewayError> {
        Ok(GatewayStatus::Unknown)
    }
}

/// The providers a server offers: cash always, and the online provider its settings name.
#[derive(Clone)]
pub struct Payments {
    pub cash: Arc<dyn PaymentProvider>,
    pub online: Option<Arc<dyn PaymentProvider>>,
    /// The sandbox gateway, whose hosted pages and webhook FarmGate serves when it is on.
    pub sandbox: Option<Arc<sandbox::SandboxGateway>>,
}

impl Payments {
    /// The providers of `provider`; the sandbox posts its callbacks to `public_url` (checked
    /// to be set by `settings::check` before this is called).
    pub fn new(provider: OnlineProvider, secret: &[u8], public_url: Option<&str>) -> Payments {
        let sandbox = match (provider, public_url) {
            (OnlineProvider::Sandbox, Some(base)) => {
                Some(Arc::new(sandbox::SandboxGateway::new(secret, base)))
            }
            _ => None,
        };
        Payments {
            cash: Arc::new(Cash),
            online: sandbox
                .clone()
                .map(|gateway| gateway as Arc<dyn PaymentProvider>),
            sandbox,
        }
    }

    /// Whether buyers may pay online (and the test-payments banner shows, for the sandbox).
    pub fn online_available(&self) -> bool {
        self.online.is_some()
    }

    /// The provider for a method the buyer chose; online is refused when none is configured.
    pub fn for_method(
        &self,
        method: PaymentMethod,
    ) -> Result<&Arc<dyn PaymentProvider>, ValidationError> {
        match method {
            PaymentMethod::Cash => Ok(&self.cash),
            PaymentMethod::Online => self.online.as_ref().ok_or(ValidationError::new(
                "payment",
                "payment-online-unavailable",
            )),
        }
    }

    pub fn by_id(&self, id: &str) -> Option<&Arc<dyn PaymentProvider>> {
        std::iter::once(&self.cash)
            .chain(self.online.as_ref())
            .find(|p| p.id() == id)
    }
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], message: &[u8]) -> HmacSha256 {
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(message);
    mac
}

/// HMAC-SHA256 of `message` under `secret`, in hex.
pub(crate) fn sign(secret: &[u8], message: &[u8]) -> String {
    hex::encode(mac(secret, message).finalize().into_bytes())
}

/// Checks a hex signature in constant time.
pub(crate) fn verify(secret: &[u8], message: &[u8], signature: &str) -> bool {
    match hex::decode(signature.trim()) {
        Ok(bytes) => mac(secret, message).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}
