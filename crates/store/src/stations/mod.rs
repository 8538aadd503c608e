//! Stations: where buyers pick up parcels (`parcels`: received, handed over against a code).
//! The stations module will add proxy purchases and produce collection; checkout needs where
//! they are, when they open and what they charge.

pub(crate) mod entity;
mod network;
pub(crate) mod parcels;
mod produce;
mod sync;
pub(crate) mod till;

pub use network::{StationHealth, StationOperator};

pub use parcels::StationParcel;
pub use produce::{Consignment, NewConsignment, ProducePrice};
pub use sync::SyncOutcome;
pub use till::{CashMovement, CategoryTotal, ClosedDay, LedgerRow, Villager, VillagerOrder};

use chrono::Utc;
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionPath;
use farmgate_domain::stations::StationKind;
use farmgate_domain::text::Texts;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::regions::entity as region;
use crate::{Error, Result, Store};
use entity::station;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Station {
    pub id: i64,
    pub region_id: i64,
    pub code: String,
    pub kind: StationKind,
    /// Its name and address, each in any one of the readers' languages.
    pub names: Texts,
    pub address: Texts,
    pub phone: Option<String>,
    pub hours: Option<String>,
    pub pickup_fee: Fen,
    /// Days a parcel may wait on its shelf before it is flagged for return.
    pub hold_days: i32,
    /// Where it stands, when it was measured (else its village's place).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The people it serves.
    pub population: Option<i32>,
    /// It also takes in villagers' produce.
    pub collects_produce: bool,
    /// Paused or closed: no new parcels, not offered at checkout.
    pub active: bool,
}

impl Station {
    /// The name for a reader of `language` (another language's where it has none).
    pub fn name(&self, language: Language) -> &str {
        self.names.shown(language).text
    }
}

/// What the centre writes about a station: everything but its code, which stays.
#[derive(Debug, Clone, PartialEq)]
pub struct StationDetails {
    pub region_id: i64,
    pub kind: StationKind,
    pub names: Texts,
    pub address: Texts,
    pub phone: Option<String>,
    pub hours: Option<String>,
    pub pickup_fee: Fen,
    pub hold_days: i32,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub population: Option<i32>,
    pub collects_produce: bool,
    pub active: bool,
}

impl StationDetails {
    /// A station's usual details: open, the usual hold, nothing measured yet.
    pub fn new(region_id: i64, kind: StationKind, names: Texts, address: Texts) -> Self {
        StationDetails {
            region_id,
            kind,
            names,
            address,
            phone: None,
            hours: None,
            pickup_fee: Fen(0),
            hold_days: farmgate_domain::stations::DEFAULT_HOLD_DAYS,
            latitude: None,
            longitude: None,
            population: None,
            collects_produce: false,
            active: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewStation {
    /// Unique and kept for good (labels and links use it).
    pub code: String,
    pub details: StationDetails,
}

fn from_row(row: station::Model) -> Result<Station> {
    Ok(Station {
        kind: StationKind::parse(&row.kind)
            .ok_or_else(|| crate::error::corrupt("station", row.id))?,
        id: row.id,
        region_id: row.region_id,
        code: row.code,
        names: Texts::new(Some(row.name_zh), row.name_ug, Some(row.name_en)),
        address: Texts::from_stored(row.address, row.address_ug, row.address_en),
        phone: row.phone,
        hours: row.hours,
        pickup_fee: Fen(row.pickup_fee_fen),
        hold_days: row.hold_days,
        latitude: row.latitude,
        longitude: row.longitude,
        population: row.population,
        collects_produce: row.collects_produce,
        active: row.active,
    })
}

impl Store {
    pub async fn add_station(&self, new: NewStation) -> Result<Station> {
        network::check(&new.details)?;
        let taken = station::Entity::find()
            .filter(station::Column::Code.eq(&new.code))
            .one(&self.db)
            .await?;
        if taken.is_some() {
            return Err(Error::Conflict { field: "code" });
        }
        let mut row = station::ActiveModel {
            code: Set(new.code),
            created_at: Set(Utc::now()),
            ..Default::default()
        };
        network::write_details(&mut row, new.details);
        from_row(row.insert(&self.db).await?)
    }

    pub async fn station(&self, id: i64) -> Result<Station> {
        let row = station::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        from_row(row)
    }

    /// Open stations inside `region` (all of them for the root), in the tree's order.
    pub async fn stations_within(&self, region: &RegionPath) -> Result<Vec<Station>> {
        station::Entity::find()
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()))
            .filter(station::Column::Active.eq(true))
            .order_by_asc(region::Column::Path)
            .order_by_asc(station::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }
}
