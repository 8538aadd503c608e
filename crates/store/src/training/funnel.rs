//! What became of the people trained: the incubation funnel (completed a course > applied
//! for a shop > opened it > first sale > ten orders), the follow-up list of those who stalled,
//! and the programme's numbers (attendances and unique trainees a year).
//!
//! Each reads a handful of set-wise queries for a region and leaves grouping (by county,
//! course, cohort, township) to the caller, so one read serves every view of a page.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use farmgate_domain::orders::OrderStatus;
use farmgate_domain::regions::RegionPath;
use farmgate_domain::training::{CourseKind, Gender};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait};
use serde::Serialize;

use super::Trainee;
use super::enrolment::trainee_from;
use super::entity::{attendance, certificate, course, session, trainee};
use crate::orders::entity::order;
use crate::regions::entity as region;
use crate::shops::entity::{application, shop};
use crate::{Result, Store};

/// The steps from a certificate to a shop that sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelStage {
    Completed,
    Applied,
    Opened,
    FirstSale,
    TenOrders,
}

impl FunnelStage {
    pub const ALL: [FunnelStage; 5] = [
        FunnelStage::Completed,
        FunnelStage::Applied,
        FunnelStage::Opened,
        FunnelStage::FirstSale,
        FunnelStage::TenOrders,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FunnelStage::Completed => "completed",
            FunnelStage::Applied => "applied",
            FunnelStage::Opened => "opened",
            FunnelStage::FirstSale => "first_sale",
            FunnelStage::TenOrders => "ten_orders",
        }
    }
}

/// Orders that count as sales: everything but what was called off or paid back.
fn is_sale(status: &str) -> bool {
    status != OrderStatus::Cancelled.as_str() && status != OrderStatus::Refunded.as_str()
}

/// One certificate and how far its holder went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunnelRow {
    pub trainee_id: i64,
    pub session_id: i64,
    pub course_id: i64,
    pub course_kind: CourseKind,
    /// Where the session was held (the county is an ancestor).
    pub session_region: RegionPath,
    pub starts_on: NaiveDate,
    pub completed_at: DateTime<Utc>,
    pub applied: bool,
    pub shop_id: Option<i64>,
    pub opened_at: Option<DateTime<Utc>>,
    pub orders: i64,
    pub last_order_at: Option<DateTime<Utc>>,
}

impl FunnelRow {
    /// Whether this trainee reached `stage`.
    pub fn reached(&self, stage: FunnelStage) -> bool {
        match stage {
            FunnelStage::Completed => true,
            FunnelStage::Applied => self.applied,
            FunnelStage::Opened => self.shop_id.is_some(),
            FunnelStage::FirstSale => self.orders >= 1,
            FunnelStage::TenOrders => self.orders >= 10,
        }
    }
}

/// Why a trainee is on the follow-up list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpReason {
    /// Completed the camp, has no open shop.
    NoShop,
    /// Has a shop open for 30 days or more, with no sale in the last 30.
    NoSale,
}

/// A trainee the centre should call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub trainee: Trainee,
    pub reason: FollowUpReason,
    pub session_id: i64,
    pub course_id: i64,
    pub completed_at: DateTime<Utc>,
    pub shop_id: Option<i64>,
}

/// One attendance in the programme's sense: a trainee at a session (any day of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgrammeRow {
    pub session_id: i64,
    pub trainee_id: i64,
    pub year: i32,
    pub course_kind: CourseKind,
    pub session_region: RegionPath,
    pub trainee_region: RegionPath,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
}

/// Sessions held within a region: id > (course, region path, first day).
async fn sessions_in(
    store: &Store,
    region_path: &RegionPath,
) -> Result<HashMap<i64, (i64, RegionPath, NaiveDate)>> {
    let rows: Vec<(i64, i64, String, NaiveDate)> = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .column(session::Column::CourseId)
        .column(region::Column::Path)
        .column(session::Column::StartsOn)
        .inner_join(region::Entity)
        .filter(region::Column::Path.starts_with(region_path.as_str()))
        .into_tuple()
        .all(&store.db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, course, path, starts)| {
            RegionPath::parse(&path)
                .ok()
                .map(|p| (id, (course, p, starts)))
        })
        .collect())
}

async fn course_kinds(store: &Store) -> Result<HashMap<i64, CourseKind>> {
    let rows: Vec<(i64, String)> = course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .column(course::Column::Kind)
        .into_tuple()
        .all(&store.db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind)| CourseKind::parse(&kind).ok().map(|k| (id, k)))
        .collect())
}

/// SQLite binds at most 32,766 values a statement; PostgreSQL 65,535.
const IN_CHUNK: usize = 5000;

impl Store {
    /// Every certificate earned at a session held within `region`, with how far its holder
    /// went towards a selling shop.
    pub async fn funnel(&self, region_path: &RegionPath) -> Result<Vec<FunnelRow>> {
        let sessions = sessions_in(self, region_path).await?;
        let kinds = course_kinds(self).await?;
        let session_ids: Vec<i64> = sessions.keys().copied().collect();
        let mut certificates: Vec<(i64, i64, DateTime<Utc>)> = Vec::new();
        for chunk in session_ids.chunks(IN_CHUNK) {
            let rows: Vec<(i64, i64, DateTime<Utc>)> = certificate::Entity::find()
                .select_only()
                .column(certificate::Column::SessionId)
                .column(certificate::Column::TraineeId)
                .column(certificate::Column::IssuedAt)
                .filter(certificate::Column::SessionId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(&self.db)
                .await?;
            certificates.extend(rows);
        }
        // Applications made as trainees: few next to the trainees, read whole.
        let applications: Vec<(i64, Option<i64>)> = application::Entity::find()
            .select_only()
            .column(application::Column::TraineeId)
            .column(application::Column::ShopId)
            .filter(application::Column::TraineeId.is_not_null())
            .into_tuple::<(Option<i64>, Option<i64>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|(trainee, shop)| trainee.map(|t| (t, shop)))
            .collect();
        let mut applied: HashMap<i64, Option<i64>> = HashMap::new();
        for (trainee, shop) in applications {
            let entry = applied.entry(trainee).or_insert(None);
            if entry.is_none() {
                *entry = shop;
            }
        }
        let shop_ids: Vec<i64> = applied.values().flatten().copied().collect();
        let mut opened: HashMap<i64, DateTime<Utc>> = HashMap::new();
        let mut sales: HashMap<i64, (i64, DateTime<Utc>)> = HashMap::new();
        for chunk in shop_ids.chunks(IN_CHUNK) {
            let rows: Vec<(i64, DateTime<Utc>)> = shop::Entity::find()
                .select_only()
                .column(shop::Column::Id)
                .column(shop::Column::OpenedAt)
                .filter(shop::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(&self.db)
                .await?;
            opened.extend(rows);
            let orders: Vec<(i64, String, i64, Option<DateTime<Utc>>)> = order::Entity::find()
                .select_only()
                .column(order::Column::ShopId)
                .column(order::Column::Status)
                .column_as(order::Column::Id.count(), "n")
                .column_as(order::Column::PlacedAt.max(), "last")
                .filter(order::Column::ShopId.is_in(chunk.iter().copied()))
                .group_by(order::Column::ShopId)
                .group_by(order::Column::Status)
                .into_tuple()
                .all(&self.db)
                .await?;
            for (shop_id, status, n, last) in orders {
                if !is_sale(&status) {
                    continue;
                }
                let entry = sales
                    .entry(shop_id)
                    .or_insert((0, DateTime::<Utc>::MIN_UTC));
                entry.0 += n;
                if let Some(last) = last {
                    entry.1 = entry.1.max(last);
                }
            }
        }
        Ok(certificates
            .into_iter()
            .filter_map(|(session_id, trainee_id, completed_at)| {
                let (course_id, path, starts_on) = sessions.get(&session_id)?.clone();
                let shop_id = applied.get(&trainee_id).copied().flatten();
                let sale = shop_id.and_then(|s| sales.get(&s)).copied();
                Some(FunnelRow {
                    trainee_id,
                    session_id,
                    course_id,
                    course_kind: *kinds.get(&course_id)?,
                    session_region: path,
                    starts_on,
                    completed_at,
                    applied: applied.contains_key(&trainee_id),
                    shop_id,
                    opened_at: shop_id.and_then(|s| opened.get(&s).copied()),
                    orders: sale.map_or(0, |s| s.0),
                    last_order_at: sale.map(|s| s.1),
                })
            })
            .collect())
    }

    /// Of the [`Store::funnel`] rows, who completed the camp but has no shop, or has had a
    /// shop for 30 days with no sale in the last 30: the people the centre should call. Each
    /// trainee once, longest waiting first. (The rows are the funnel page's own: read once.)
    pub async fn follow_ups(
        &self,
        funnel: &[FunnelRow],
        now: DateTime<Utc>,
    ) -> Result<Vec<FollowUp>> {
        let month_ago = now - Duration::days(30);
        let mut seen = HashSet::new();
        let mut stalled: Vec<(i64, FollowUpReason, &FunnelRow)> = Vec::new();
        let mut rows: Vec<&FunnelRow> = funnel.iter().collect();
        rows.sort_by_key(|r| r.completed_at);
        for row in rows {
            if row.course_kind != CourseKind::Camp {
                continue;
            }
            let reason = match (row.opened_at, row.last_order_at) {
                (None, _) => FollowUpReason::NoShop,
                (Some(opened), last)
                    if opened <= month_ago && last.is_none_or(|l| l < month_ago) =>
                {
                    FollowUpReason::NoSale
                }
                _ => continue,
            };
            if seen.insert(row.trainee_id) {
                stalled.push((row.trainee_id, reason, row));
            }
        }
        let mut trainees: HashMap<i64, trainee::Model> = HashMap::new();
        let ids: Vec<i64> = stalled.iter().map(|s| s.0).collect();
        for chunk in ids.chunks(IN_CHUNK) {
            for t in trainee::Entity::find()
                .filter(trainee::Column::Id.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?
            {
                trainees.insert(t.id, t);
            }
        }
        Ok(stalled
            .into_iter()
            .filter_map(|(id, reason, row)| {
                Some(FollowUp {
                    trainee: trainee_from(trainees.remove(&id)?),
                    reason,
                    session_id: row.session_id,
                    course_id: row.course_id,
                    completed_at: row.completed_at,
                    shop_id: row.shop_id,
                })
            })
            .collect())
    }

    /// Every attendance (a trainee at a session, on at least one day) at sessions held within
    /// `region`, with what the programme's report breaks them down by.
    pub async fn programme(&self, region_path: &RegionPath) -> Result<Vec<ProgrammeRow>> {
        let sessions = sessions_in(self, region_path).await?;
        let kinds = course_kinds(self).await?;
        let session_ids: Vec<i64> = sessions.keys().copied().collect();
        // One query per few thousand sessions: each trainee at each session once, with where
        // they live and what the report breaks them down by.
        type Facts = (i64, i64, String, Option<String>, Option<i32>);
        let mut pairs: Vec<Facts> = Vec::new();
        for chunk in session_ids.chunks(IN_CHUNK) {
            let rows: Vec<Facts> = attendance::Entity::find()
                .select_only()
                .column(attendance::Column::SessionId)
                .column(attendance::Column::TraineeId)
                .column(region::Column::Path)
                .column(trainee::Column::Gender)
                .column(trainee::Column::BirthYear)
                .join(JoinType::InnerJoin, attendance::Relation::Trainee.def())
                .join(JoinType::InnerJoin, trainee::Relation::Region.def())
                .filter(attendance::Column::SessionId.is_in(chunk.iter().copied()))
                .distinct()
                .into_tuple()
                .all(&self.db)
                .await?;
            pairs.extend(rows);
        }
        Ok(pairs
            .into_iter()
            .filter_map(|(session_id, trainee_id, path, gender, birth_year)| {
                let (course_id, session_region, starts_on) = sessions.get(&session_id)?.clone();
                Some(ProgrammeRow {
                    session_id,
                    trainee_id,
                    year: starts_on.year(),
                    course_kind: *kinds.get(&course_id)?,
                    session_region,
                    trainee_region: RegionPath::parse(&path).ok()?,
                    gender: Gender::from_stored(gender.as_deref()),
                    birth_year,
                })
            })
            .collect())
    }
}
