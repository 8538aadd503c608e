//! Logistics: the county's distribution centre. Its depots, the express companies working
//! through them with their agreements (`carriers`), the parcels that pass through and their
//! events (`inbound`: the carriers' manifests, scanning in, sorting to stations, the day's
//! consolidation; `runs`: the vans to the stations, stop by stop; `tracking`: a parcel's
//! history by its number).

mod carriers;
pub(crate) mod entity;
mod inbound;
mod intake;
mod numbers;
mod outbound;
mod runs;
mod settlement;
mod tracking;

pub use carriers::{Agreement, Carrier, Depot, NewCarrier, NewDepot, Terms};
pub use inbound::{Advice, Consolidation, Scan, ScanContext, ScanOutcome, ScanResult, StationLoad};
pub use intake::{ScanIntake, Scanned};
pub use numbers::{DailyCount, LogisticsNumbers, StationCount};
pub use outbound::{Quote, Shipment, WaybillStock};
pub use runs::{Delivery, DeliveryProof, NewRun, Run, Stop};
pub use settlement::{Dispute, FeedEvent, Settlement, StatementLine};
pub use tracking::{LogisticsParcel, ParcelEvent, Tracking};

pub(crate) use runs::follow_station;
