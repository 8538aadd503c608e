//! Depots and the carriers that work through them: each carrier's tracking numbers' shape, and
//! what it agreed with a depot (the fee per inbound parcel, its rates for outbound ones).

use chrono::Utc;
use farmgate_domain::lang::Language;
use farmgate_domain::logistics::{Rate, TrackingNumber, TrackingPattern, Zone};
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionPath;
use farmgate_domain::text::Texts;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{agreement, carrier, depot, rate};
use crate::regions::entity as region;
use crate::{Error, Result, Store};

/// A distribution centre of a county.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Depot {
    pub id: i64,
    pub code: String,
    pub county_id: i64,
    /// The place it stands.
    pub region_id: i64,
    pub names: Texts,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl Depot {
    pub fn name(&self, language: Language) -> &str {
        self.names.shown(language).text
    }
}

pub struct NewDepot {
    pub code: String,
    pub county_id: i64,
    pub region_id: i64,
    pub names: Texts,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// An express company.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Carrier {
    pub id: i64,
    pub code: String,
    pub names: Texts,
    #[serde(serialize_with = "pattern_text")]
    pub pattern: TrackingPattern,
}

fn pattern_text<S: serde::Serializer>(p: &TrackingPattern, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

impl Carrier {
    pub fn name(&self, language: Language) -> &str {
        self.names.shown(language).text
    }

    /// Whether `number` has the shape of this carrier's tracking numbers.
    pub fn prints(&self, number: &TrackingNumber) -> bool {
        self.pattern.matches(number)
    }
}

pub struct NewCarrier {
    pub code: String,
    pub names: Texts,
    pub pattern: TrackingPattern,
}

/// What a carrier agreed with a depot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Terms {
    /// What the centre charges the carrier for each parcel it delivers to a village.
    pub inbound_fee: Fen,
    /// Paused: its parcels are not scanned in.
    pub active: bool,
    /// What the carrier asks of the county's sellers, by zone and weight.
    pub rates: Vec<Rate>,
}

/// A carrier and, when it works through the depot, its terms there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub carrier: Carrier,
    pub terms: Option<Terms>,
}

pub(super) fn depot_from(row: depot::Model) -> Depot {
    Depot {
        id: row.id,
        code: row.code,
        county_id: row.county_id,
        region_id: row.region_id,
        names: Texts::from_stored(row.name_zh, row.name_ug, row.name_en),
        latitude: row.latitude,
        longitude: row.longitude,
    }
}

pub(super) fn carrier_from(row: carrier::Model) -> Result<Carrier> {
    Ok(Carrier {
        pattern: TrackingPattern::parse(&row.tracking_pattern)
            .map_err(|_| crate::error::corrupt("carrier", row.id))?,
        id: row.id,
        code: row.code,
        names: Texts::from_stored(row.name_zh, row.name_ug, row.name_en),
    })
}

impl Store {
    pub async fn add_depot(&self, new: NewDepot) -> Result<Depot> {
        let row = depot::ActiveModel {
            code: Set(new.code),
            county_id: Set(new.county_id),
            region_id: Set(new.region_id),
            name_zh: Set(new.names.stored_zh()),
            name_ug: Set(new.names.ug.clone()),
            name_en: Set(new.names.en.clone()),
            latitude: Set(new.latitude),
            longitude: Set(new.longitude),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "code"))?;
        Ok(depot_from(row))
    }

    /// The depots of the counties within `within` (a centre's county, or everything for an
    /// administrator), in the order they were opened.
    pub async fn depots_within(&self, within: &RegionPath) -> Result<Vec<Depot>> {
        Ok(depot::Entity::find()
            .join(
                sea_orm::JoinType::InnerJoin,
                depot::Entity::belongs_to(region::Entity)
                    .from(depot::Column::CountyId)
                    .to(region::Column::Id)
                    .into(),
            )
            .filter(region::Column::Path.starts_with(within.as_str()))
            .order_by_asc(depot::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(depot_from)
            .collect())
    }

    pub async fn depot(&self, id: i64) -> Result<Depot> {
        depot::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(depot_from)
            .ok_or(Error::NotFound)
    }

    pub async fn add_carrier(&self, new: NewCarrier) -> Result<Carrier> {
        let row = carrier::ActiveModel {
            code: Set(new.code),
            name_zh: Set(new.names.stored_zh()),
            name_ug: Set(new.names.ug.clone()),
            name_en: Set(new.names.en.clone()),
            tracking_pattern: Set(new.pattern.as_str().to_owned()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "code"))?;
        carrier_from(row)
    }

    pub async fn carriers(&self) -> Result<Vec<Carrier>> {
        carrier::Entity::find()
            .order_by_asc(carrier::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(carrier_from)
            .collect()
    }

    /// Every carrier with its terms at `depot_id` (none where it has not agreed any).
    pub async fn agreements(&self, depot_id: i64) -> Result<Vec<Agreement>> {
        let carriers = self.carriers().await?;
        let agreed = agreement::Entity::find()
            .filter(agreement::Column::DepotId.eq(depot_id))
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = agreed.iter().map(|a| a.id).collect();
        let rates = rate::Entity::find()
            .filter(rate::Column::AgreementId.is_in(ids))
            .order_by_asc(rate::Column::Zone)
            .order_by_asc(rate::Column::UpToGrams)
            .all(&self.db)
            .await?;
        carriers
            .into_iter()
            .map(|carrier| {
                let terms = agreed
                    .iter()
                    .find(|a| a.carrier_id == carrier.id)
                    .map(|a| terms_from(a, &rates))
                    .transpose()?;
                Ok(Agreement { carrier, terms })
            })
            .collect()
    }

    /// Writes what `carrier_id` agreed with `depot_id`, its rates replaced by `terms.rates`.
    pub async fn save_terms(&self, depot_id: i64, carrier_id: i64, terms: &Terms) -> Result<()> {
        let now = Utc::now();
        let txn = self.begin_write().await?;
        let existing = agreement::Entity::find()
            .filter(agreement::Column::DepotId.eq(depot_id))
            .filter(agreement::Column::CarrierId.eq(carrier_id))
            .one(&txn)
            .await?;
        let id = match existing {
            Some(found) => {
                let mut active: agreement::ActiveModel = found.into();
                active.inbound_fee_fen = Set(terms.inbound_fee.0);
                active.active = Set(terms.active);
                active.updated_at = Set(now);
                active.update(&txn).await?.id
            }
            None => {
                agreement::ActiveModel {
                    depot_id: Set(depot_id),
                    carrier_id: Set(carrier_id),
                    inbound_fee_fen: Set(terms.inbound_fee.0),
                    active: Set(terms.active),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        rate::Entity::delete_many()
            .filter(rate::Column::AgreementId.eq(id))
            .exec(&txn)
            .await?;
        let rows: Vec<rate::ActiveModel> = terms
            .rates
            .iter()
            .map(|r| rate::ActiveModel {
                agreement_id: Set(id),
                zone: Set(r.zone.as_str().to_owned()),
                up_to_grams: Set(r.up_to_grams),
                fee_fen: Set(r.fee.0),
            })
            .collect();
        if !rows.is_empty() {
            rate::Entity::insert_many(rows)
                .exec(&txn)
                .await
                .map_err(|e| Error::unique_as(e, "rates"))?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// The carriers whose parcels `depot_id` takes in today, with the fee for each.
pub(super) async fn working_carriers(
    conn: &impl sea_orm::ConnectionTrait,
    depot_id: i64,
) -> Result<Vec<(Carrier, Fen)>> {
    let agreed = agreement::Entity::find()
        .filter(agreement::Column::DepotId.eq(depot_id))
        .filter(agreement::Column::Active.eq(true))
        .all(conn)
        .await?;
    let carriers = carrier::Entity::find()
        .filter(carrier::Column::Id.is_in(agreed.iter().map(|a| a.carrier_id)))
        .order_by_asc(carrier::Column::Id)
        .all(conn)
        .await?;
    carriers
        .into_iter()
        .filter_map(|c| {
            let fee = agreed
                .iter()
                .find(|a| a.carrier_id == c.id)?
                .inbound_fee_fen;
            Some(carrier_from(c).map(|c| (c, Fen(fee))))
        })
        .collect()
}

fn terms_from(row: &agreement::Model, rates: &[rate::Model]) -> Result<Terms> {
    let rates = rates
        .iter()
        .filter(|r| r.agreement_id == row.id)
        .map(|r| {
            Ok(Rate {
                zone: Zone::parse(&r.zone).ok_or_else(|| crate::error::corrupt("rate", row.id))?,
                up_to_grams: r.up_to_grams,
                fee: Fen(r.fee_fen),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Terms {
        inbound_fee: Fen(row.inbound_fee_fen),
        active: row.active,
        rates,
    })
}

impl Store {
    /// The depots `carrier_id` has terms with.
    pub async fn depots_of_carrier(&self, carrier_id: i64) -> Result<Vec<Depot>> {
        let ids: Vec<i64> = agreement::Entity::find()
            .filter(agreement::Column::CarrierId.eq(carrier_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| a.depot_id)
            .collect();
        Ok(depot::Entity::find()
            .filter(depot::Column::Id.is_in(ids))
            .order_by_asc(depot::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(depot_from)
            .collect())
    }
}
