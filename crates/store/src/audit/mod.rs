//! The audit log: what staff did to other people's data (shop decisions, grants, roster
//! changes, ticks by hand, order steps a shop took, refunds), who did it, when and from where.
//! Rows are only ever added; the database refuses to change or delete them (migration 14).

use chrono::{DateTime, Utc};
use farmgate_domain::regions::RegionPath;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;

use crate::{Result, Store};

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: ChronoDateTimeUtc,
        pub actor_id: i64,
        pub address: String,
        pub action: String,
        pub subject_kind: String,
        pub subject_id: i64,
        pub region_id: Option<i64>,
        pub detail: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "crate::regions::entity::Entity",
            from = "Column::RegionId",
            to = "crate::regions::entity::Column::Id"
        )]
        Region,
    }

    impl Related<crate::regions::entity::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Region.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One thing a member of staff did.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub actor_id: i64,
    /// The client's address the request came from.
    pub address: String,
    /// What was done: a stable code (`shop-approved`, `role-granted`, ...).
    pub action: &'static str,
    /// What it was done to: a kind (`shop_application`, `order`, ...) and its id.
    pub subject_kind: &'static str,
    pub subject_id: i64,
    /// Where it belongs (the county's admin reads their subtree's entries).
    pub region_id: Option<i64>,
    /// Whatever else makes the entry readable later (a reason, an event, an amount).
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: i64,
    pub address: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub region_id: Option<i64>,
    pub detail: String,
}

impl From<entity::Model> for AuditEntry {
    fn from(row: entity::Model) -> AuditEntry {
        AuditEntry {
            id: row.id,
            at: row.at,
            actor_id: row.actor_id,
            address: row.address,
            action: row.action,
            subject_kind: row.subject_kind,
            subject_id: row.subject_id,
            region_id: row.region_id,
            detail: row.detail,
        }
    }
}

impl Store {
    /// Adds an entry to the audit log.
    pub async fn audit(&self, entry: NewAudit) -> Result<()> {
        let row = entity::ActiveModel {
            at: Set(Utc::now()),
            actor_id: Set(entry.actor_id),
            address: Set(entry.address.chars().take(64).collect()),
            action: Set(entry.action.to_owned()),
            subject_kind: Set(entry.subject_kind.to_owned()),
            subject_id: Set(entry.subject_id),
            region_id: Set(entry.region_id),
            detail: Set(entry.detail),
            ..Default::default()
        };
        entity::Entity::insert(row)
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Entries about places inside `region`, newest first, `limit` of them before the entry
    /// id `before` (keyset paging).
    pub async fn audit_within(
        &self,
        region: &RegionPath,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<AuditEntry>> {
        let mut query = entity::Entity::find()
            .inner_join(crate::regions::entity::Entity)
            .filter(crate::regions::entity::Column::Path.starts_with(region.as_str()));
        if let Some(before) = before {
            query = query.filter(entity::Column::Id.lt(before));
        }
        Ok(query
            .order_by_desc(entity::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(AuditEntry::from)
            .collect())
    }
}
