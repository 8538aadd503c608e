//! FarmGate's pure types and rules.
//!
//! Everything below the web edge speaks these types: a handler parses its input into them
//! (`LoginId::parse`, `Password::parse`, ...) and nothing further down checks again.
//! No I/O, no async, no database or HTTP types live here.

pub mod accounts;
pub mod authz;
pub mod catalog;
pub mod centre;
pub mod error;
pub mod fleet;
pub mod households;
pub mod lang;
pub mod live;
pub mod logistics;
pub mod money;
pub mod notifications;
pub mod orders;
pub mod regions;
pub mod shops;
pub mod stations;
pub mod taobao;
pub mod text;
pub mod training;
pub mod webhooks;

pub use error::ValidationError;
