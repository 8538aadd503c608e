//! Shops, their members, and applications to open one: a villager applies, the county
//! centre reviews, and an approved application opens the shop, makes the applicant its owner
//! and grants them the seller role at the shop's village, all in one transaction.

pub(crate) mod entity;

use chrono::{DateTime, Utc};
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::shipping::ShippingRule;
use farmgate_domain::regions::RegionPath;
use farmgate_domain::shops::{ApplicationStatus, ShopKind, ShopName};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::accounts::entity::grant;
use crate::regions::entity as region;
use crate::{Error, Result, Store};
use entity::{application, member, shipping, shop};

/// A shop as the layers above see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shop {
    pub id: i64,
    /// As its owner wrote it, in any language.
    pub name: String,
    /// Translations of the name, by language (optional; readers of a language without one see
    /// `name`).
    pub names: Vec<(Language, String)>,
    pub kind: ShopKind,
    pub village_id: i64,
    pub phone: String,
    pub story: String,
    pub opened_at: DateTime<Utc>,
}

impl Shop {
    /// The name for a reader of `language`: its translation, else the name as written.
    pub fn name_in(&self, language: Language) -> &str {
        self.names
            .iter()
            .find(|(l, _)| *l == language)
            .map_or(self.name.as_str(), |(_, name)| name.as_str())
    }
}

/// What a shop's owner may change about it: its name (as written, and translations), phone
/// and story. Its village and kind are the centre's to change.
#[derive(Debug, Clone)]
pub struct ShopProfile {
    pub name: ShopName,
    /// Translations of the name; a language left out has none.
    pub names: Vec<(Language, ShopName)>,
    pub phone: PhoneNumber,
    pub story: String,
}

/// An application to open a shop, with its review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopApplication {
    pub id: i64,
    pub applicant_id: i64,
    pub name: String,
    pub kind: ShopKind,
    pub village_id: i64,
    pub phone: String,
    pub story: String,
    pub status: ApplicationStatus,
    pub rejection_reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub shop_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// The trainee who applied after completing a course (the incubation funnel).
    pub trainee_id: Option<i64>,
    /// The registered low-income household the shop supports, as the centre named it: once
    /// approved, the shop's sales count in that household's income.
    pub household_id: Option<i64>,
}

/// An application, parsed at the edge.
#[derive(Debug, Clone)]
pub struct NewShopApplication {
    pub applicant_id: i64,
    pub name: ShopName,
    pub kind: ShopKind,
    pub village_id: i64,
    pub phone: PhoneNumber,
    pub story: String,
    /// Set when the applicant applies as a trainee (from their certificate).
    pub trainee_id: Option<i64>,
}

/// The centre's answer to an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Rejected; the reason is shown to the applicant.
    Reject {
        reason: String,
    },
}

use crate::error::corrupt;

impl TryFrom<application::Model> for ShopApplication {
    type Error = Error;

    fn try_from(row: application::Model) -> Result<ShopApplication> {
        Ok(ShopApplication {
            kind: ShopKind::parse(&row.kind).map_err(|_| corrupt("shop application", row.id))?,
            status: ApplicationStatus::parse(&row.status)
                .ok_or_else(|| corrupt("shop application", row.id))?,
            id: row.id,
            applicant_id: row.applicant_id,
            name: row.name,
            village_id: row.village_id,
            phone: row.phone,
            story: row.story,
            rejection_reason: row.rejection_reason,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
            shop_id: row.shop_id,
            created_at: row.created_at,
            trainee_id: row.trainee_id,
            household_id: row.household_id,
        })
    }
}

/// Links shop `shop_id` to the household it was opened to support, whole.
async fn supports(
    txn: &impl sea_orm::ConnectionTrait,
    household_id: i64,
    shop_id: i64,
    (by, now): (i64, DateTime<Utc>),
) -> Result<()> {
    crate::households::entity::link::ActiveModel {
        household_id: Set(household_id),
        kind: Set(farmgate_domain::households::LinkKind::Shop
            .as_str()
            .to_owned()),
        target_id: Set(shop_id),
        share_percent: Set(100),
        confirmed_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

impl TryFrom<shop::Model> for Shop {
    type Error = Error;

    fn try_from(row: shop::Model) -> Result<Shop> {
        Ok(Shop {
            kind: ShopKind::parse(&row.kind).map_err(|_| corrupt("shop", row.id))?,
            id: row.id,
            name: row.name,
            names: [
                (Language::ZhCn, row.name_zh),
                (Language::Ug, row.name_ug),
                (Language::En, row.name_en),
            ]
            .into_iter()
            .filter_map(|(language, name)| name.map(|n| (language, n)))
            .collect(),
            village_id: row.village_id,
            phone: row.phone,
            story: row.story,
            opened_at: row.opened_at,
        })
    }
}

fn applications(rows: Vec<application::Model>) -> Result<Vec<ShopApplication>> {
    rows.into_iter().map(ShopApplication::try_from).collect()
}

impl Store {
    /// Files an application for the centre to review. One at a time: an applicant whose
    /// earlier application is still waiting is refused (`ApplicationPending`), also when two
    /// taps race (the applicant's row is locked on PostgreSQL; SQLite's writer lock serialises).
    pub async fn submit_shop_application(
        &self,
        new: NewShopApplication,
    ) -> Result<ShopApplication> {
        use sea_orm::QuerySelect;
        let txn = self.begin_write().await?;
        if self.backend() == crate::Backend::Postgres {
            crate::accounts::entity::account::Entity::find_by_id(new.applicant_id)
                .lock_exclusive()
                .one(&txn)
                .await?;
        }
        let waiting = application::Entity::find()
            .filter(application::Column::ApplicantId.eq(new.applicant_id))
            .filter(application::Column::Status.eq(ApplicationStatus::Pending.as_str()))
            .one(&txn)
            .await?;
        if waiting.is_some() {
            return Err(Error::ApplicationPending);
        }
        let row = application::ActiveModel {
            applicant_id: Set(new.applicant_id),
            name: Set(new.name.as_str().to_owned()),
            kind: Set(new.kind.as_str().to_owned()),
            village_id: Set(new.village_id),
            phone: Set(new.phone.as_str().to_owned()),
            story: Set(new.story),
            status: Set(ApplicationStatus::Pending.as_str().to_owned()),
            created_at: Set(Utc::now()),
            trainee_id: Set(new.trainee_id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        row.try_into()
    }

    pub async fn shop_application(&self, id: i64) -> Result<ShopApplication> {
        application::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .try_into()
    }

    /// An applicant's own applications, newest first.
    pub async fn shop_applications_of(&self, applicant_id: i64) -> Result<Vec<ShopApplication>> {
        applications(
            application::Entity::find()
                .filter(application::Column::ApplicantId.eq(applicant_id))
                .order_by_desc(application::Column::Id)
                .all(&self.db)
                .await?,
        )
    }

    /// Applications for villages inside `region`, oldest first (the review queue's order).
    pub async fn shop_applications_within(
        &self,
        region: &RegionPath,
        status: Option<ApplicationStatus>,
    ) -> Result<Vec<ShopApplication>> {
        let mut query = application::Entity::find()
            .inner_join(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()));
        if let Some(status) = status {
            query = query.filter(application::Column::Status.eq(status.as_str()));
        }
        applications(
            query
                .order_by_asc(application::Column::Id)
                .all(&self.db)
                .await?,
        )
    }

    /// Decides a pending application. Approval opens the shop, makes the applicant its owner
    /// and a seller at the village. Deciding twice is `AlreadyDecided`, even when two
    /// reviewers click at once: the update only matches a pending row.
    pub async fn decide_shop_application(
        &self,
        id: i64,
        decided_by: i64,
        decision: Decision,
    ) -> Result<ShopApplication> {
        let txn = self.begin_write().await?;
        let now = Utc::now();
        let (status, reason) = match &decision {
            Decision::Approve => (ApplicationStatus::Approved, None),
            Decision::Reject { reason } => (ApplicationStatus::Rejected, Some(reason.clone())),
        };
        let updated = application::Entity::update_many()
            .col_expr(application::Column::Status, Expr::value(status.as_str()))
            .col_expr(application::Column::RejectionReason, Expr::value(reason))
            .col_expr(application::Column::DecidedBy, Expr::value(decided_by))
            .col_expr(application::Column::DecidedAt, Expr::value(now))
            .filter(application::Column::Id.eq(id))
            .filter(application::Column::Status.eq(ApplicationStatus::Pending.as_str()))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            let exists = application::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .is_some();
            return Err(if exists {
                Error::AlreadyDecided
            } else {
                Error::NotFound
            });
        }
        let row = application::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let row = if decision == Decision::Approve {
            let opened = shop::ActiveModel {
                name: Set(row.name.clone()),
                kind: Set(row.kind.clone()),
                village_id: Set(row.village_id),
                phone: Set(row.phone.clone()),
                story: Set(row.story.clone()),
                status: Set("open".to_owned()),
                opened_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            member::ActiveModel {
                shop_id: Set(opened.id),
                account_id: Set(row.applicant_id),
                role: Set("owner".to_owned()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let held = grant::Entity::find()
                .filter(grant::Column::AccountId.eq(row.applicant_id))
                .filter(grant::Column::Role.eq(Role::Seller.as_str()))
                .filter(grant::Column::RegionId.eq(row.village_id))
                .one(&txn)
                .await?;
            if held.is_none() {
                grant::ActiveModel {
                    account_id: Set(row.applicant_id),
                    role: Set(Role::Seller.as_str().to_owned()),
                    region_id: Set(row.village_id),
                    granted_by: Set(Some(decided_by)),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
            if let Some(household_id) = row.household_id {
                supports(&txn, household_id, opened.id, (decided_by, now)).await?;
            }
            let mut active: application::ActiveModel = row.into();
            active.shop_id = Set(Some(opened.id));
            active.update(&txn).await?
        } else {
            row
        };
        txn.commit().await?;
        row.try_into()
    }

    /// Names (or, with `None`, forgets) the registered household a pending application would
    /// support: a household of the county of the application's village, still on the register.
    pub async fn set_application_household(
        &self,
        id: i64,
        household_id: Option<i64>,
    ) -> Result<ShopApplication> {
        let txn = self.begin_write().await?;
        let row = application::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if row.status != ApplicationStatus::Pending.as_str() {
            return Err(Error::AlreadyDecided);
        }
        if let Some(household_id) = household_id {
            let household = crate::households::entity::household::Entity::find_by_id(household_id)
                .one(&txn)
                .await?
                .filter(|h| h.active)
                .ok_or(Error::NotFound)?;
            let village = crate::regions::entity::Entity::find_by_id(row.village_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?;
            let county = crate::regions::entity::Entity::find_by_id(household.county_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?;
            if !village.path.starts_with(&county.path) {
                return Err(Error::NotFound);
            }
        }
        let mut active: application::ActiveModel = row.into();
        active.household_id = Set(household_id);
        let row = active.update(&txn).await?;
        txn.commit().await?;
        row.try_into()
    }

    pub async fn shop(&self, id: i64) -> Result<Shop> {
        shop::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .try_into()
    }

    /// Changes a shop's name, its translations, phone and story.
    pub async fn update_shop_profile(&self, id: i64, profile: &ShopProfile) -> Result<Shop> {
        let mut row: shop::ActiveModel = shop::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .into();
        let translated = |language: Language| {
            profile
                .names
                .iter()
                .find(|(l, _)| *l == language)
                .map(|(_, name)| name.as_str().to_owned())
        };
        row.name = Set(profile.name.as_str().to_owned());
        row.name_zh = Set(translated(Language::ZhCn));
        row.name_ug = Set(translated(Language::Ug));
        row.name_en = Set(translated(Language::En));
        row.phone = Set(profile.phone.as_str().to_owned());
        row.story = Set(profile.story.clone());
        row.update(&self.db).await?.try_into()
    }

    /// The shops `ids` (those that exist), by id.
    pub async fn shops_by_ids(&self, ids: &[i64]) -> Result<Vec<Shop>> {
        shop::Entity::find()
            .filter(shop::Column::Id.is_in(ids.iter().copied()))
            .order_by_asc(shop::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Shop::try_from)
            .collect()
    }

    /// The shops of the villages `village_ids`, by name (a county's, for its households).
    pub async fn shops_in_villages(&self, village_ids: &[i64]) -> Result<Vec<Shop>> {
        shop::Entity::find()
            .filter(shop::Column::VillageId.is_in(village_ids.iter().copied()))
            .order_by_asc(shop::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Shop::try_from)
            .collect()
    }

    /// The shops `account_id` is a member of.
    pub async fn shops_of_member(&self, account_id: i64) -> Result<Vec<Shop>> {
        let ids: Vec<i64> = member::Entity::find()
            .filter(member::Column::AccountId.eq(account_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| m.shop_id)
            .collect();
        shop::Entity::find()
            .filter(shop::Column::Id.is_in(ids))
            .order_by_asc(shop::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Shop::try_from)
            .collect()
    }

    /// The accounts of a shop's members (owner and staff).
    pub async fn shop_member_ids(&self, shop_id: i64) -> Result<Vec<i64>> {
        Ok(member::Entity::find()
            .filter(member::Column::ShopId.eq(shop_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| m.account_id)
            .collect())
    }

    /// Whether `account_id` is a member (owner or staff) of `shop_id`.
    pub async fn is_shop_member(&self, shop_id: i64, account_id: i64) -> Result<bool> {
        Ok(member::Entity::find()
            .filter(member::Column::ShopId.eq(shop_id))
            .filter(member::Column::AccountId.eq(account_id))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// How a shop charges for home delivery (free, until it sets a rule).
    pub async fn shop_shipping(&self, shop_id: i64) -> Result<ShippingRule> {
        let row = shipping::Entity::find_by_id(shop_id).one(&self.db).await?;
        row.map(|r| shipping_rule_of(&r))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Sets how a shop charges for home delivery; later orders follow it, placed ones keep theirs.
    pub async fn set_shop_shipping(&self, shop_id: i64, rule: ShippingRule) -> Result<()> {
        let (a, b) = rule.parts();
        let row = shipping::ActiveModel {
            shop_id: Set(shop_id),
            kind: Set(rule.kind().to_owned()),
            fee_a_fen: Set(a.0),
            fee_b_fen: Set(b.0),
            updated_at: Set(Utc::now()),
        };
        shipping::Entity::insert(row)
            .on_conflict(
                OnConflict::column(shipping::Column::ShopId)
                    .update_columns([
                        shipping::Column::Kind,
                        shipping::Column::FeeAFen,
                        shipping::Column::FeeBFen,
                        shipping::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

pub(crate) fn shipping_rule_of(row: &shipping::Model) -> Result<ShippingRule> {
    ShippingRule::from_parts(&row.kind, Fen(row.fee_a_fen), Fen(row.fee_b_fen))
        .map_err(|_| crate::error::corrupt("shipping rule of shop", row.shop_id))
}
