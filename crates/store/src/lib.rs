//! FarmGate's persistence: one query codebase and one migration set for SQLite (the embedded
//! default) and PostgreSQL (production), on sea-orm over sqlx.
//!
//! Every module of DESIGN.md that keeps data has a folder here with its entities and queries.
//! Nothing above this crate writes SQL.

pub mod accounts;
pub mod audit;
mod bulk;
pub mod catalog;
pub mod centre;
mod connect;
pub mod demo;
pub mod error;
pub mod fleet;
pub mod households;
mod keys;
pub mod live;
pub mod logistics;
pub mod migrations;
pub mod notifications;
pub mod orders;
pub mod regions;
pub mod sessions;
pub mod shops;
pub mod stations;
pub mod stats;
pub mod training;
pub mod webhooks;

pub use connect::{Backend, PoolStats, Store};
pub use error::{Error, Result};

#[cfg(feature = "testing")]
pub mod testing;
