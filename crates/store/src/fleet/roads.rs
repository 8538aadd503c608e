//! A depot's measured roads (migration 34): the county's road table, replaced whole by each
//! import and read back as `farmgate_routing::Roads` for planning; each import (and each
//! taking away) is kept with who did it.

use chrono::{DateTime, Utc};
use farmgate_routing::{GeoPoint, RoadLeg, RoadPlace, Roads};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{road_import, road_leg, road_place};
use crate::{Result, Store};

/// Legs written per statement (three parameters each, well inside SQLite's limit).
const LEGS_PER_INSERT: usize = 500;

/// One import of a road table; an import of nothing took the table away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoadImport {
    pub id: i64,
    pub file_name: String,
    pub places: i32,
    pub legs: i32,
    pub imported_by: i64,
    pub imported_at: DateTime<Utc>,
}

impl From<road_import::Model> for RoadImport {
    fn from(row: road_import::Model) -> Self {
        RoadImport {
            id: row.id,
            file_name: row.file_name,
            places: row.places,
            legs: row.legs,
            imported_by: row.imported_by,
            imported_at: row.imported_at,
        }
    }
}

impl Store {
    /// Puts `roads` in place of `depot_id`'s road table (an empty table takes it away), and
    /// keeps the import.
    pub async fn replace_roads(
        &self,
        depot_id: i64,
        (file_name, roads): (&str, &Roads),
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<RoadImport> {
        let txn = self.begin_write().await?;
        let old: Vec<i64> = road_place::Entity::find()
            .select_only()
            .column(road_place::Column::Id)
            .filter(road_place::Column::DepotId.eq(depot_id))
            .into_tuple()
            .all(&txn)
            .await?;
        for ids in old.chunks(LEGS_PER_INSERT) {
            road_leg::Entity::delete_many()
                .filter(road_leg::Column::FromPlaceId.is_in(ids.iter().copied()))
                .exec(&txn)
                .await?;
        }
        road_place::Entity::delete_many()
            .filter(road_place::Column::DepotId.eq(depot_id))
            .exec(&txn)
            .await?;
        let mut ids = Vec::with_capacity(roads.places.len());
        for place in &roads.places {
            let kept = road_place::ActiveModel {
                depot_id: Set(depot_id),
                name: Set(place.name.clone()),
                latitude: Set(place.point.lat),
                longitude: Set(place.point.lon),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            ids.push(kept.id);
        }
        for legs in roads.legs.chunks(LEGS_PER_INSERT) {
            road_leg::Entity::insert_many(legs.iter().map(|leg| road_leg::ActiveModel {
                from_place_id: Set(ids[leg.from]),
                to_place_id: Set(ids[leg.to]),
                metres: Set(leg.metres),
            }))
            .exec(&txn)
            .await?;
        }
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let import = road_import::ActiveModel {
            depot_id: Set(depot_id),
            file_name: Set(file_name.chars().take(160).collect()),
            places: Set(count(roads.places.len())),
            legs: Set(count(roads.legs.len())),
            imported_by: Set(actor_id),
            imported_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(import.into())
    }

    /// `depot_id`'s road table, empty when it has none.
    pub async fn roads(&self, depot_id: i64) -> Result<Roads> {
        let places = road_place::Entity::find()
            .filter(road_place::Column::DepotId.eq(depot_id))
            .order_by_asc(road_place::Column::Id)
            .all(&self.db)
            .await?;
        let at = |id: i64| places.binary_search_by_key(&id, |p| p.id).ok();
        let mut legs = Vec::new();
        for chunk in places.chunks(LEGS_PER_INSERT) {
            let rows = road_leg::Entity::find()
                .filter(road_leg::Column::FromPlaceId.is_in(chunk.iter().map(|p| p.id)))
                .order_by_asc(road_leg::Column::FromPlaceId)
                .order_by_asc(road_leg::Column::ToPlaceId)
                .all(&self.db)
                .await?;
            legs.extend(rows.into_iter().filter_map(|row| {
                Some(RoadLeg {
                    from: at(row.from_place_id)?,
                    to: at(row.to_place_id)?,
                    metres: row.metres,
                })
            }));
        }
        Ok(Roads {
            places: places
                .into_iter()
                .map(|p| RoadPlace {
                    name: p.name,
                    point: GeoPoint::new(p.latitude, p.longitude),
                })
                .collect(),
            legs,
        })
    }

    /// `depot_id`'s imports of road tables, the latest first.
    pub async fn road_imports(&self, depot_id: i64, limit: u64) -> Result<Vec<RoadImport>> {
        Ok(road_import::Entity::find()
            .filter(road_import::Column::DepotId.eq(depot_id))
            .order_by_desc(road_import::Column::ImportedAt)
            .order_by_desc(road_import::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(RoadImport::from)
            .collect())
    }
}
