//! The county centre's ground floor (issue 19): the showroom's till, the stalls and the
//! industrial park. Places, their stock and transfers are the catalogue's
//! (`catalog::places`, `catalog::transfers`).

pub(crate) mod entity;
mod park;
mod park_rents;
mod stall_holders;
mod stalls;
mod till;
mod till_returns;

pub use park::{Lease, LeaseDetails, ParkSales, ParkUnit, UnitDetails};
pub use park_rents::{RentMonth, RentOwed, RentPaid};
pub use stalls::{
    BookingFilter, Holder, NewBooking, Stall, StallBooking, StallDetails, StallTakings, StallWait,
};
pub use till::{NewTillSale, TillLine, TillOutcome, TillSale, TillSession};
pub use till_returns::TillReturn;
