//! Stations: where buyers pick up parcels (`parcels`: received, handed over against a code).
//! The stations module will add proxy purchases and produce collection; checkout needs where
//! they are, when they open and what they charge.

pub(crate) mod entity;
pub(crate) mod parcels;

pub use parcels::StationParcel;

use chrono::Utc;
use farmgate_domain::ValidationError;
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    pub active: bool,
}

impl Station {
    /// The name for a reader of `language` (another language's where it has none).
    pub fn name(&self, language: Language) -> &str {
        self.names.shown(language).text
    }
}

#[derive(Debug, Clone)]
pub struct NewStation {
    pub region_id: i64,
    pub code: String,
    pub kind: StationKind,
    pub names: Texts,
    pub address: Texts,
    pub phone: Option<String>,
    pub hours: Option<String>,
    pub pickup_fee: Fen,
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
        active: row.active,
    })
}

impl Store {
    pub async fn add_station(&self, new: NewStation) -> Result<Station> {
        if new.names.is_empty() {
            return Err(ValidationError::new("name", "written-in-none").into());
        }
        let taken = station::Entity::find()
            .filter(station::Column::Code.eq(&new.code))
            .one(&self.db)
            .await?;
        if taken.is_some() {
            return Err(Error::Conflict { field: "code" });
        }
        let row = station::ActiveModel {
            region_id: Set(new.region_id),
            code: Set(new.code),
            kind: Set(new.kind.as_str().to_owned()),
            name_zh: Set(new.names.stored_zh()),
            name_ug: Set(new.names.ug),
            name_en: Set(new.names.en.unwrap_or_default()),
            address: Set(new.address.stored_zh()),
            address_ug: Set(new.address.ug),
            address_en: Set(new.address.en),
            phone: Set(new.phone),
            hours: Set(new.hours),
            pickup_fee_fen: Set(new.pickup_fee.0),
            hold_days: Set(farmgate_domain::stations::DEFAULT_HOLD_DAYS),
            active: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        from_row(row)
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
