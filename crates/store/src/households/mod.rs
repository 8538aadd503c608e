//! Registered low-income households (issue 18, migration 35): a county's centre registers a
//! household with its members (identity numbers sealed by [`IdVault`], found again by their
//! blind index, listed masked), links what earns for it, and sets the county's poverty line
//! per year. The ledger, the statistics and the pages read from here.

mod dividends;
pub(crate) mod entity;
mod income;
mod vault;

use chrono::{DateTime, Datelike, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::households::{IdNumber, LinkKind, Relation};
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionLevel;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use crate::{Error, Result, Store};
use entity::{household, link, member, poverty_line};

pub use dividends::{DividendPool, DividendShare, PoolDetails};
pub use income::{IncomeEntry, IncomeMonth, NewIncome, months_between};
pub use vault::{IdVault, SealBroken, SealedId};

/// A household as the register keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Household {
    pub id: i64,
    pub county_id: i64,
    pub village_id: i64,
    /// The head member's name.
    pub head_name: String,
    pub registered_year: i32,
    pub lifted_year: Option<i32>,
    pub note: String,
    /// Taken off the register (moved away, registered by mistake); kept for its history.
    pub active: bool,
    pub members: Vec<Member>,
    pub links: Vec<HouseholdLink>,
    pub updated_at: DateTime<Utc>,
}

/// A member, with the identity number masked (see [`Store::member_id_number`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub relation: Relation,
    pub id_masked: String,
    pub birth_year: i32,
    pub phone: Option<String>,
    pub account_id: Option<i64>,
}

/// Something that earns for a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdLink {
    pub id: i64,
    pub kind: LinkKind,
    pub target_id: i64,
    pub share_percent: i32,
    pub confirmed_by: i64,
}

/// What the centre says of a household (all of it can change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdDetails {
    pub village_id: i64,
    pub registered_year: i32,
    pub lifted_year: Option<i32>,
    pub note: String,
}

/// A member as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub name: String,
    pub relation: Relation,
    pub id_number: IdNumber,
    pub phone: Option<String>,
}

/// Which households a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFilter {
    pub village_id: Option<i64>,
    /// Part of the head's name.
    pub name: Option<String>,
    /// Still registered (not lifted out) only.
    pub not_lifted: bool,
    /// Lifted out only.
    pub lifted_only: bool,
    pub include_inactive: bool,
}

/// A county's poverty line for a year, as set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PovertyLine {
    pub year: i32,
    pub per_person: Fen,
    pub set_by: i64,
    pub set_at: DateTime<Utc>,
}

/// The most a poverty line may be: ¥100,000 a person a year.
pub const MAX_POVERTY_LINE: Fen = Fen(10_000_000);

fn member_from(row: member::Model) -> Result<Member> {
    Ok(Member {
        relation: Relation::parse(&row.relation)
            .ok_or_else(|| crate::error::corrupt("household member", row.id))?,
        id: row.id,
        name: row.name,
        id_masked: row.id_masked,
        birth_year: row.birth_year,
        phone: row.phone,
        account_id: row.account_id,
    })
}

fn link_from(row: link::Model) -> Result<HouseholdLink> {
    Ok(HouseholdLink {
        kind: LinkKind::parse(&row.kind)
            .ok_or_else(|| crate::error::corrupt("household link", row.id))?,
        id: row.id,
        target_id: row.target_id,
        share_percent: row.share_percent,
        confirmed_by: row.confirmed_by,
    })
}

async fn read_household(db: &impl ConnectionTrait, row: household::Model) -> Result<Household> {
    let mut read = read_households(db, vec![row]).await?;
    read.pop().ok_or(Error::NotFound)
}

/// Households with their members and links, in `rows`' order (three statements for any number).
async fn read_households(
    db: &impl ConnectionTrait,
    rows: Vec<household::Model>,
) -> Result<Vec<Household>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut members: std::collections::HashMap<i64, Vec<Member>> = Default::default();
    for m in member::Entity::find()
        .filter(member::Column::HouseholdId.is_in(ids.iter().copied()))
        .order_by_asc(member::Column::Id)
        .all(db)
        .await?
    {
        let household = m.household_id;
        members.entry(household).or_default().push(member_from(m)?);
    }
    let mut links: std::collections::HashMap<i64, Vec<HouseholdLink>> = Default::default();
    for l in link::Entity::find()
        .filter(link::Column::HouseholdId.is_in(ids))
        .order_by_asc(link::Column::Id)
        .all(db)
        .await?
    {
        let household = l.household_id;
        links.entry(household).or_default().push(link_from(l)?);
    }
    Ok(rows
        .into_iter()
        .map(|row| Household {
            members: members.remove(&row.id).unwrap_or_default(),
            links: links.remove(&row.id).unwrap_or_default(),
            id: row.id,
            county_id: row.county_id,
            village_id: row.village_id,
            head_name: row.head_name,
            registered_year: row.registered_year,
            lifted_year: row.lifted_year,
            note: row.note,
            active: row.active,
            updated_at: row.updated_at,
        })
        .collect())
}

fn checked(details: &HouseholdDetails, now: DateTime<Utc>) -> Result<()> {
    farmgate_domain::households::registration_years(
        details.registered_year,
        details.lifted_year,
        now.year(),
    )?;
    if details.note.chars().count() > 500 {
        return Err(ValidationError::new("note", "household-note-invalid").into());
    }
    Ok(())
}

fn sealed_member(
    vault: &IdVault,
    household_id: i64,
    new: &NewMember,
    now: DateTime<Utc>,
) -> Result<member::ActiveModel> {
    let name = farmgate_domain::households::person_name(&new.name, "name")?;
    let sealed = vault.seal(&new.id_number);
    Ok(member::ActiveModel {
        household_id: Set(household_id),
        name: Set(name),
        relation: Set(new.relation.as_str().to_owned()),
        id_sealed: Set(sealed.sealed),
        id_index: Set(sealed.index),
        id_masked: Set(sealed.masked),
        birth_year: Set(new.id_number.birth_date().map_or(0, |d| d.year())),
        phone: Set(new.phone.clone()),
        account_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
}

impl Store {
    /// A village of `county_id`, or the mistake named for the `village` field.
    async fn village_of(&self, county_id: i64, village_id: i64) -> Result<()> {
        let county = self.region_by_id(county_id).await?;
        let village = self.region_by_id(village_id).await.ok();
        match village {
            Some(v) if v.level == RegionLevel::Village && county.path.contains(&v.path) => Ok(()),
            _ => Err(ValidationError::new("village", "household-village-invalid").into()),
        }
    }

    /// Registers a household of `county_id` with its members: exactly one head, whose name is
    /// the household's; a person registered already (in any household) is refused.
    pub async fn register_household(
        &self,
        vault: &IdVault,
        (county_id, details): (i64, &HouseholdDetails),
        members: &[NewMember],
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<Household> {
        checked(details, now)?;
        self.village_of(county_id, details.village_id).await?;
        let heads: Vec<&NewMember> = members
            .iter()
            .filter(|m| m.relation == Relation::Head)
            .collect();
        let [head] = heads.as_slice() else {
            return Err(ValidationError::new("members", "household-one-head").into());
        };
        let head_name = farmgate_domain::households::person_name(&head.name, "name")?;
        let txn = self.begin_write().await?;
        let row = household::ActiveModel {
            county_id: Set(county_id),
            village_id: Set(details.village_id),
            head_name: Set(head_name),
            registered_year: Set(details.registered_year),
            lifted_year: Set(details.lifted_year),
            note: Set(details.note.trim().to_owned()),
            active: Set(true),
            created_by: Set(actor_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for new in members {
            sealed_member(vault, row.id, new, now)?
                .insert(&txn)
                .await
                .map_err(|e| Error::unique_as(e, "id_number"))?;
        }
        let kept = read_household(&txn, row).await?;
        txn.commit().await?;
        Ok(kept)
    }

    pub async fn household(&self, id: i64) -> Result<Option<Household>> {
        match household::Entity::find_by_id(id).one(&self.db).await? {
            Some(row) => Ok(Some(read_household(&self.db, row).await?)),
            None => Ok(None),
        }
    }

    /// `county_id`'s households by `filter`, by head's name, page `page` of `per_page`, with
    /// how many there are in all.
    pub async fn households(
        &self,
        county_id: i64,
        filter: &HouseholdFilter,
        (page, per_page): (u64, u64),
    ) -> Result<(Vec<Household>, u64)> {
        let mut query = household::Entity::find().filter(household::Column::CountyId.eq(county_id));
        if let Some(village) = filter.village_id {
            query = query.filter(household::Column::VillageId.eq(village));
        }
        if let Some(name) = filter
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            query = query.filter(household::Column::HeadName.contains(name));
        }
        if filter.not_lifted {
            query = query.filter(household::Column::LiftedYear.is_null());
        }
        if filter.lifted_only {
            query = query.filter(household::Column::LiftedYear.is_not_null());
        }
        if !filter.include_inactive {
            query = query.filter(household::Column::Active.eq(true));
        }
        let pages = query
            .order_by_asc(household::Column::HeadName)
            .order_by_asc(household::Column::Id)
            .paginate(&self.db, per_page.max(1));
        let total = pages.num_items().await?;
        let listed = read_households(&self.db, pages.fetch_page(page).await?).await?;
        Ok((listed, total))
    }

    /// Changes a household of `county_id`.
    pub async fn update_household(
        &self,
        county_id: i64,
        id: i64,
        details: &HouseholdDetails,
        now: DateTime<Utc>,
    ) -> Result<Household> {
        checked(details, now)?;
        self.village_of(county_id, details.village_id).await?;
        let row = self.county_household(county_id, id).await?;
        let mut row: household::ActiveModel = row.into();
        row.village_id = Set(details.village_id);
        row.registered_year = Set(details.registered_year);
        row.lifted_year = Set(details.lifted_year);
        row.note = Set(details.note.trim().to_owned());
        row.updated_at = Set(now);
        let row = row.update(&self.db).await?;
        read_household(&self.db, row).await
    }

    /// Takes a household off the register, or puts it back.
    pub async fn set_household_active(
        &self,
        county_id: i64,
        id: i64,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut row: household::ActiveModel = self.county_household(county_id, id).await?.into();
        row.active = Set(active);
        row.updated_at = Set(now);
        row.update(&self.db).await?;
        Ok(())
    }

    pub(crate) async fn county_household(
        &self,
        county_id: i64,
        id: i64,
    ) -> Result<household::Model> {
        household::Entity::find_by_id(id)
            .filter(household::Column::CountyId.eq(county_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Adds a member (not a second head) to a household of `county_id`.
    pub async fn add_member(
        &self,
        vault: &IdVault,
        (county_id, household_id): (i64, i64),
        new: &NewMember,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        self.county_household(county_id, household_id).await?;
        if new.relation == Relation::Head {
            return Err(ValidationError::new("relation", "household-one-head").into());
        }
        let row = sealed_member(vault, household_id, new, now)?
            .insert(&self.db)
            .await
            .map_err(|e| Error::unique_as(e, "id_number"))?;
        member_from(row)
    }

    /// Removes a member other than the head.
    pub async fn remove_member(
        &self,
        (county_id, household_id): (i64, i64),
        member_id: i64,
    ) -> Result<()> {
        self.county_household(county_id, household_id).await?;
        let row = member::Entity::find_by_id(member_id)
            .filter(member::Column::HouseholdId.eq(household_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        if row.relation == Relation::Head.as_str() {
            return Err(ValidationError::new("member", "household-head-stays").into());
        }
        member::Entity::delete_by_id(member_id)
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Links a member to an account, or unlinks (`None`). The caller has the proof: the
    /// account's owner stood before centre staff with the member's identity card (a proven phone
    /// links by itself, [`Store::prove_phone`]). An account is one member's.
    pub async fn set_member_account(
        &self,
        (county_id, household_id): (i64, i64),
        member_id: i64,
        account_id: Option<i64>,
    ) -> Result<()> {
        self.county_household(county_id, household_id).await?;
        let txn = self.begin_write().await?;
        let row = member::Entity::find_by_id(member_id)
            .filter(member::Column::HouseholdId.eq(household_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if let Some(account) = account_id {
            let taken = member::Entity::find()
                .filter(member::Column::AccountId.eq(account))
                .filter(member::Column::Id.ne(member_id))
                .one(&txn)
                .await?;
            if taken.is_some() {
                return Err(Error::Conflict { field: "account" });
            }
        }
        let mut row: member::ActiveModel = row.into();
        row.account_id = Set(account_id);
        row.update(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A member's whole identity number. The caller writes the audit entry for the view.
    pub async fn member_id_number(
        &self,
        vault: &IdVault,
        (county_id, household_id): (i64, i64),
        member_id: i64,
    ) -> Result<IdNumber> {
        self.county_household(county_id, household_id).await?;
        let row = member::Entity::find_by_id(member_id)
            .filter(member::Column::HouseholdId.eq(household_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        vault
            .open(&row.id_sealed, &row.id_index)
            .map_err(|_| Error::Corrupt(format!("household member {member_id}'s sealed number")))
    }

    /// The (household, member) registered under `number`, if any.
    pub async fn member_by_id_number(
        &self,
        vault: &IdVault,
        number: &IdNumber,
    ) -> Result<Option<(i64, i64)>> {
        Ok(member::Entity::find()
            .filter(member::Column::IdIndex.eq(vault.index_of(number)))
            .one(&self.db)
            .await?
            .map(|m| (m.household_id, m.id)))
    }

    /// Links what earns for a household of `county_id`. The caller has checked that the
    /// target is the county's and, for an account, that its owner proved it. A vehicle is one
    /// household's (its runs' labour is credited to it: `fleet_vehicles.household_id`).
    pub async fn link_household(
        &self,
        (county_id, household_id): (i64, i64),
        (kind, target_id, share): (LinkKind, i64, i32),
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<HouseholdLink> {
        self.county_household(county_id, household_id).await?;
        let share = farmgate_domain::households::share_percent(share)?;
        let txn = self.begin_write().await?;
        if kind == LinkKind::Vehicle {
            // A vehicle is one household's labour: its runs credit that household.
            let taken = link::Entity::find()
                .filter(link::Column::Kind.eq(kind.as_str()))
                .filter(link::Column::TargetId.eq(target_id))
                .one(&txn)
                .await?;
            if taken.is_some() {
                return Err(Error::Conflict { field: "target" });
            }
            crate::fleet::entity::vehicle::Entity::update_many()
                .col_expr(
                    crate::fleet::entity::vehicle::Column::HouseholdId,
                    sea_orm::sea_query::Expr::value(household_id),
                )
                .filter(crate::fleet::entity::vehicle::Column::Id.eq(target_id))
                .exec(&txn)
                .await?;
        }
        let row = link::ActiveModel {
            household_id: Set(household_id),
            kind: Set(kind.as_str().to_owned()),
            target_id: Set(target_id),
            share_percent: Set(share),
            confirmed_by: Set(actor_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| Error::unique_as(e, "target"))?;
        txn.commit().await?;
        link_from(row)
    }

    pub async fn unlink_household(
        &self,
        (county_id, household_id): (i64, i64),
        link_id: i64,
    ) -> Result<()> {
        self.county_household(county_id, household_id).await?;
        let txn = self.begin_write().await?;
        let row = link::Entity::find_by_id(link_id)
            .filter(link::Column::HouseholdId.eq(household_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if row.kind == LinkKind::Vehicle.as_str() {
            use crate::fleet::entity::vehicle;
            vehicle::Entity::update_many()
                .col_expr(
                    vehicle::Column::HouseholdId,
                    sea_orm::sea_query::Expr::value(Option::<i64>::None),
                )
                .filter(vehicle::Column::Id.eq(row.target_id))
                .filter(vehicle::Column::HouseholdId.eq(household_id))
                .exec(&txn)
                .await?;
        }
        link::Entity::delete_by_id(link_id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The households a shop, station, stall, vehicle, job or account earns for, with their
    /// shares.
    pub async fn households_of(&self, kind: LinkKind, target_id: i64) -> Result<Vec<(i64, i32)>> {
        Ok(link::Entity::find()
            .filter(link::Column::Kind.eq(kind.as_str()))
            .filter(link::Column::TargetId.eq(target_id))
            .order_by_asc(link::Column::HouseholdId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| (l.household_id, l.share_percent))
            .collect())
    }

    /// Sets `county_id`'s poverty line for `year` (the setting before it is kept).
    pub async fn set_poverty_line(
        &self,
        (county_id, year): (i64, i32),
        per_person: Fen,
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<PovertyLine> {
        if per_person.0 <= 0 || per_person > MAX_POVERTY_LINE {
            return Err(ValidationError::new("per_person", "household-line-invalid").into());
        }
        if !(2013..=now.year() + 1).contains(&year) {
            return Err(ValidationError::new("year", "household-year-invalid").into());
        }
        let row = poverty_line::ActiveModel {
            county_id: Set(county_id),
            year: Set(year),
            yuan_fen_per_person: Set(per_person.0),
            set_by: Set(actor_id),
            set_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(line_from(row))
    }

    /// Every setting of `county_id`'s poverty lines, the latest first.
    pub async fn poverty_lines(&self, county_id: i64) -> Result<Vec<PovertyLine>> {
        Ok(poverty_line::Entity::find()
            .filter(poverty_line::Column::CountyId.eq(county_id))
            .order_by_desc(poverty_line::Column::SetAt)
            .order_by_desc(poverty_line::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(line_from)
            .collect())
    }

    /// `county_id`'s poverty line for `year`: its latest setting.
    pub async fn poverty_line(&self, county_id: i64, year: i32) -> Result<Option<Fen>> {
        Ok(self
            .poverty_lines(county_id)
            .await?
            .into_iter()
            .find(|l| l.year == year)
            .map(|l| l.per_person))
    }
}

fn line_from(row: poverty_line::Model) -> PovertyLine {
    PovertyLine {
        year: row.year,
        per_person: Fen(row.yuan_fen_per_person),
        set_by: row.set_by,
        set_at: row.set_at,
    }
}
