//! Messages to people's phones (one-time codes today; reminders and parcel notices later).
//!
//! A [`Messenger`] sends a text to a phone number. A real SMS provider (Aliyun SMS, Tencent
//! Cloud SMS...) is another implementation: sign the request as the provider documents, send
//! the template id and parameters, map its refusals to `MessengerError`. Until a county signs
//! with one, the demo runs the [`Outbox`]: it sends nothing, writes each message to the log
//! and keeps it for administrators at `/admin/outbox`. It runs only when configured
//! (`messenger = "outbox"`) or with `--demo`; otherwise there is no messenger and codes are not
//! offered (staff confirm in person instead).

use async_trait::async_trait;
use farmgate_domain::accounts::PhoneNumber;
use farmgate_store::Store;

/// Which messenger a server runs (`messenger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessengerKind {
    /// None: nothing is sent; phones are confirmed in person.
    #[default]
    None,
    /// The development outbox: logged and kept for administrators, never sent.
    Outbox,
}

impl MessengerKind {
    pub fn parse(text: &str) -> Option<MessengerKind> {
        match text.trim() {
            "none" => Some(MessengerKind::None),
            "outbox" => Some(MessengerKind::Outbox),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MessengerError {
    #[error("the message could not be sent: {0}")]
    Failed(String),
}

#[async_trait]
pub trait Messenger: Send + Sync {
    /// Sends `text` to `to`.
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<(), MessengerError>;
}

/// The development sender: the log and the administrators' outbox page, nothing else.
pub struct Outbox {
    store: Store,
}

impl Outbox {
    pub fn new(store: Store) -> Outbox {
        Outbox { store }
    }
}

#[async_trait]
impl Messenger for Outbox {
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<(), MessengerError> {
        tracing::info!(to = %to.as_str(), text, "outbox: a message that would be sent by SMS");
        self.store
            .outbox_push(to, text)
            .await
            .map_err(|err| MessengerError::Failed(err.to_string()))
    }
}

/// The messenger `kind` names, if any.
pub fn messenger(kind: MessengerKind, store: &Store) -> Option<std::sync::Arc<dyn Messenger>> {
    match kind {
        MessengerKind::None => None,
        MessengerKind::Outbox => Some(std::sync::Arc::new(Outbox::new(store.clone()))),
    }
}
