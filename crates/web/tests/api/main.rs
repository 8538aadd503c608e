//! The web crate's integration tests against the real server, one module per feature, linked
//! as one binary. The upload bombs (`photos.rs`, `sheets.rs`) stay binaries of their own: they
//! measure the peak memory of their whole process, which other tests running beside them in
//! one process would add to.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod api;
mod authz;
mod catalog;
mod centre_places;
mod checkout;
mod showroom_till;
mod stalls;
mod desks;
mod fleet;
mod household_income;
mod hot;
mod households;
mod live;
mod logistics;
mod live_chat;
mod live_video;
mod notices;
mod orders;
mod pages;
mod places;
mod refunds;
mod search;
mod shops;
mod stats;
mod stations;
mod training;
mod till;
mod upkeep;
mod webhooks;
mod worklist;
