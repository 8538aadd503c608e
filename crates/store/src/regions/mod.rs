//! Regions: the administrative tree (country > province > prefecture > county > township >
//! village) with names in three languages and approximate coordinates.

pub(crate) mod entity;

use farmgate_domain::lang::Language;
use farmgate_domain::regions::{RegionCode, RegionLevel, RegionPath};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;

use crate::{Error, Result, Store};

/// One node of the tree, as the layers above see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: RegionLevel,
    pub code: RegionCode,
    pub path: RegionPath,
    pub name_zh: String,
    pub name_ug: Option<String>,
    pub name_en: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub known_for_zh: Option<String>,
    pub known_for_ug: Option<String>,
    pub known_for_en: Option<String>,
}

impl Region {
    /// The name in `language`; a missing Uyghur name falls back to Chinese.
    pub fn name(&self, language: Language) -> &str {
        match language {
            Language::ZhCn => &self.name_zh,
            Language::Ug => self.name_ug.as_deref().unwrap_or(&self.name_zh),
            Language::En => &self.name_en,
        }
    }

    /// What the region is known for, in `language`, falling back to Chinese.
    pub fn known_for(&self, language: Language) -> Option<&str> {
        let own = match language {
            Language::ZhCn => self.known_for_zh.as_deref(),
            Language::Ug => self.known_for_ug.as_deref(),
            Language::En => self.known_for_en.as_deref(),
        };
        own.or(self.known_for_zh.as_deref())
    }
}

impl TryFrom<entity::Model> for Region {
    type Error = Error;

    fn try_from(row: entity::Model) -> Result<Region> {
        let corrupt = |what: &str| Error::Corrupt(format!("region {} has a bad {what}", row.id));
        Ok(Region {
            level: RegionLevel::parse(&row.level).ok_or_else(|| corrupt("level"))?,
            code: RegionCode::parse(&row.code).map_err(|_| corrupt("code"))?,
            path: RegionPath::parse(&row.path).map_err(|_| corrupt("path"))?,
            id: row.id,
            parent_id: row.parent_id,
            name_zh: row.name_zh,
            name_ug: row.name_ug,
            name_en: row.name_en,
            latitude: row.latitude,
            longitude: row.longitude,
            known_for_zh: row.known_for_zh,
            known_for_ug: row.known_for_ug,
            known_for_en: row.known_for_en,
        })
    }
}

/// A region to add under a parent (or as a root).
#[derive(Debug, Clone, Default)]
pub struct NewRegion<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_ug: Option<&'a str>,
    pub name_en: &'a str,
    pub coordinates: Option<(f64, f64)>,
    pub known_for: Option<[&'a str; 3]>,
}

fn rows_to_regions(rows: Vec<entity::Model>) -> Result<Vec<Region>> {
    rows.into_iter().map(Region::try_from).collect()
}

impl Store {
    /// Adds a region under `parent` (None for the national root). Its level follows the
    /// parent's; its path is the parent's path plus its own id.
    pub async fn add_region(&self, parent: Option<&Region>, new: NewRegion<'_>) -> Result<Region> {
        let code = RegionCode::parse(new.code)
            .map_err(|_| Error::Config(format!("bad region code {:?}", new.code)))?;
        let level = match parent {
            None => RegionLevel::Country,
            Some(p) => p.level.child().ok_or_else(|| {
                Error::Config(format!(
                    "{} is a village and has no children",
                    p.code.as_str()
                ))
            })?,
        };
        let [known_zh, known_ug, known_en] = new.known_for.map_or([None; 3], |k| k.map(Some));
        let txn = self.db.begin().await?;
        // The path needs the id, which the insert assigns: insert with a unique placeholder,
        // then set the real path, inside one transaction.
        let inserted = entity::ActiveModel {
            parent_id: Set(parent.map(|p| p.id)),
            level: Set(level.as_str().to_owned()),
            code: Set(code.as_str().to_owned()),
            path: Set(format!("pending:{}", code.as_str())),
            name_zh: Set(new.name_zh.to_owned()),
            name_ug: Set(new.name_ug.map(str::to_owned)),
            name_en: Set(new.name_en.to_owned()),
            latitude: Set(new.coordinates.map(|c| c.0)),
            longitude: Set(new.coordinates.map(|c| c.1)),
            known_for_zh: Set(known_zh.map(str::to_owned)),
            known_for_ug: Set(known_ug.map(str::to_owned)),
            known_for_en: Set(known_en.map(str::to_owned)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| Error::unique_as(e, "code"))?;
        let path = match parent {
            None => RegionPath::root(inserted.id),
            Some(p) => p.path.child(inserted.id),
        };
        let mut active: entity::ActiveModel = inserted.into();
        active.path = Set(path.as_str().to_owned());
        let row = active.update(&txn).await?;
        txn.commit().await?;
        Region::try_from(row)
    }

    pub async fn region_by_id(&self, id: i64) -> Result<Region> {
        entity::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .try_into()
    }

    pub async fn region_by_code(&self, code: &str) -> Result<Region> {
        entity::Entity::find()
            .filter(entity::Column::Code.eq(code))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .try_into()
    }

    /// The national root, if the tree has been loaded.
    pub async fn region_root(&self) -> Result<Option<Region>> {
        entity::Entity::find()
            .filter(entity::Column::ParentId.is_null())
            .order_by_asc(entity::Column::Id)
            .one(&self.db)
            .await?
            .map(Region::try_from)
            .transpose()
    }

    pub async fn region_children(&self, parent_id: i64) -> Result<Vec<Region>> {
        rows_to_regions(
            entity::Entity::find()
                .filter(entity::Column::ParentId.eq(parent_id))
                .order_by_asc(entity::Column::Id)
                .all(&self.db)
                .await?,
        )
    }

    /// Every region from the root down to `region`, root first.
    pub async fn region_ancestry(&self, region: &Region) -> Result<Vec<Region>> {
        let ids: Vec<i64> = region.path.ids().collect();
        let mut rows = rows_to_regions(
            entity::Entity::find()
                .filter(entity::Column::Id.is_in(ids.clone()))
                .all(&self.db)
                .await?,
        )?;
        rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
        Ok(rows)
    }

    /// All regions of one level, in tree order.
    pub async fn regions_at_level(&self, level: RegionLevel) -> Result<Vec<Region>> {
        rows_to_regions(
            entity::Entity::find()
                .filter(entity::Column::Level.eq(level.as_str()))
                .order_by_asc(entity::Column::Path)
                .all(&self.db)
                .await?,
        )
    }

    /// The regions of `level` under `path` (itself included when of that level), in tree order.
    pub async fn regions_under(
        &self,
        path: &RegionPath,
        level: RegionLevel,
    ) -> Result<Vec<Region>> {
        rows_to_regions(
            entity::Entity::find()
                .filter(entity::Column::Level.eq(level.as_str()))
                .filter(sea_orm::sea_query::Expr::cust(self.under("path", path)))
                .order_by_asc(entity::Column::Path)
                .all(&self.db)
                .await?,
        )
    }

    /// Every region, in tree order; the tree is small (thousands of nodes per province).
    pub async fn all_regions(&self) -> Result<Vec<Region>> {
        rows_to_regions(
            entity::Entity::find()
                .order_by_asc(entity::Column::Path)
                .all(&self.db)
                .await?,
        )
    }
}
