//! The county centre's ground floor (issue 19): the showroom's till. Places, their stock and
//! transfers are the catalogue's (`catalog::places`, `catalog::transfers`).

pub(crate) mod entity;
mod till;

pub use till::{NewTillSale, TillLine, TillOutcome, TillSale, TillSession};
