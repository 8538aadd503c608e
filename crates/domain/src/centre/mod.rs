//! The county centre's ground floor (issue 19): the showroom's till, the stalls and the
//! industrial park. Places and their stock are in `catalog::places` (a shop's goods, wherever
//! they are).

pub mod park;
pub mod stalls;
pub mod till;
