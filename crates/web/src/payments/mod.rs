//! Payments: one per checkout, taken by a provider.
//!
//! A [`PaymentProvider`] knows how a buyer pays: cash needs nothing now (it is collected when
//! the parcel is handed over); an online provider sends the buyer to its hosted payment page
//! and later confirms the payment with a signed callback to FarmGate's webhook. The sandbox
//! gateway ([`sandbox`]) is such a provider, served by FarmGate itself under `/sandbox-pay/`
//! so that the whole path (redirect, hosted page, signed callback, idempotent webhook,
//! timeout) runs for real without a contract with a bank. A real gateway is another
//! implementation of the same trait and another webhook route.

pub mod sandbox;

use std::sync::Arc;

use farmgate_domain::orders::PaymentMethod;
use farmgate_store::orders::Payment;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Where a provider sends the buyer back to, and where it posts its confirmation.
#[derive(Debug, Clone)]
pub struct PaymentUrls {
    /// The checkout's page on FarmGate (the buyer comes back here).
    pub return_url: String,
    /// FarmGate's webhook for this provider.
    pub notify_url: String,
}

pub trait PaymentProvider: Send + Sync {
    /// The provider's name as payments record it.
    fn id(&self) -> &'static str;
    fn method(&self) -> PaymentMethod;
    /// Where to send the buyer to pay, or `None` when nothing is paid now.
    fn start(&self, payment: &Payment, urls: &PaymentUrls) -> Option<String>;
}

/// Cash at the station or at the door: collected when the parcel is handed over.
pub struct Cash;

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
}

/// The providers a server offers: cash, and one online provider.
#[derive(Clone)]
pub struct Payments {
    pub cash: Arc<dyn PaymentProvider>,
    pub online: Arc<dyn PaymentProvider>,
    /// The sandbox gateway, whose hosted pages and webhook FarmGate serves.
    pub sandbox: Arc<sandbox::SandboxGateway>,
}

impl Payments {
    pub fn new(secret: &[u8]) -> Payments {
        let sandbox = Arc::new(sandbox::SandboxGateway::new(secret));
        Payments {
            cash: Arc::new(Cash),
            online: sandbox.clone(),
            sandbox,
        }
    }

    pub fn for_method(&self, method: PaymentMethod) -> &Arc<dyn PaymentProvider> {
        match method {
            PaymentMethod::Cash => &self.cash,
            PaymentMethod::Online => &self.online,
        }
    }

    pub fn by_id(&self, id: &str) -> Option<&Arc<dyn PaymentProvider>> {
        [&self.cash, &self.online]
            .into_iter()
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
