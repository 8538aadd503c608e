//! The centre's stalls (issue 19): a county's halls of stalls, bookings that never share a day
//! on one stall (checked inside a write that holds the stall), the waiting list that moves up
//! when a booking is cancelled, and the takings a stall-holder records for a day, which a
//! household's income ledger reads as its stall income.

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::centre::stalls::{
    self as rules, StallRates, StallServices, StallTerm, booking_start, holder_name, overlaps,
};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerDay;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{booking, stall, takings, wait};
use crate::{Error, Result, Store};

/// A stall of a hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stall {
    pub id: i64,
    pub county_id: i64,
    /// The township or village the hall is in.
    pub region_id: i64,
    pub hall: String,
    pub code: String,
    pub row: i32,
    pub column: i32,
    pub size_m2: i32,
    pub services: StallServices,
    pub rates: StallRates,
    /// Paused stalls take no new bookings.
    pub active: bool,
}

/// What the centre sets for a stall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StallDetails {
    pub region_id: i64,
    pub hall: String,
    pub code: String,
    pub row: i32,
    pub column: i32,
    pub size_m2: i32,
    pub services: StallServices,
    pub rates: StallRates,
    pub active: bool,
}

/// Who a booking or a wait is for: a household of the county's register (its head's name), or
/// someone the centre writes down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub household_id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
}

/// A booking asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBooking {
    pub holder: Holder,
    pub term: StallTerm,
    pub starts_on: LedgerDay,
}

/// A booking of a stall, held or cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StallBooking {
    pub id: i64,
    pub stall_id: i64,
    pub household_id: Option<i64>,
    pub holder_name: String,
    pub holder_phone: Option<String>,
    pub term: StallTerm,
    pub starts_on: LedgerDay,
    pub ends_on: LedgerDay,
    pub rent: Fen,
    pub cancelled: bool,
    /// The wait it came from, when the waiting list moved up.
    pub wait_id: Option<i64>,
    pub booked_at: DateTime<Utc>,
}

/// Someone on the waiting list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StallWait {
    pub id: i64,
    pub household_id: Option<i64>,
    pub holder_name: String,
    pub holder_phone: Option<String>,
    pub term: StallTerm,
    pub starts_on: LedgerDay,
    /// `waiting`, `booked` or `withdrawn`.
    pub status: String,
    pub booking_id: Option<i64>,
    pub added_at: DateTime<Utc>,
}

/// A day's takings at a booked stall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StallTakings {
    pub id: i64,
    pub booking_id: i64,
    pub household_id: Option<i64>,
    pub day: LedgerDay,
    pub amount: Fen,
    pub entered_by: i64,
    pub entered_at: DateTime<Utc>,
}

/// Which bookings a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingFilter {
    pub stall_id: Option<i64>,
    pub household_id: Option<i64>,
    /// Held on this day.
    pub on: Option<LedgerDay>,
    pub include_cancelled: bool,
}

pub(crate) const BOOKED: &str = "booked";
const CANCELLED: &str = "cancelled";
const WAITING: &str = "waiting";
const WITHDRAWN: &str = "withdrawn";

pub(super) fn stall_from(row: stall::Model) -> Stall {
    Stall {
        id: row.id,
        county_id: row.county_id,
        region_id: row.region_id,
        hall: row.hall,
        code: row.code,
        row: row.row_no,
        column: row.col_no,
        size_m2: row.size_m2,
        services: StallServices {
            water: row.water,
            power: row.power,
            heating: row.heating,
        },
        rates: StallRates {
            day: Fen(row.day_rate_fen),
            month: Fen(row.month_rate_fen),
            season: Fen(row.season_rate_fen),
        },
        active: row.active,
    }
}

fn day_of(text: &str, what: &str, id: i64) -> Result<LedgerDay> {
    LedgerDay::parse(text).map_err(|_| crate::error::corrupt(what, id))
}

fn term_of(text: &str, what: &str, id: i64) -> Result<StallTerm> {
    StallTerm::parse(text).map_err(|_| crate::error::corrupt(what, id))
}

pub(super) fn booking_from(row: booking::Model) -> Result<StallBooking> {
    Ok(StallBooking {
        term: term_of(&row.term, "stall booking", row.id)?,
        starts_on: day_of(&row.starts_on, "stall booking", row.id)?,
        ends_on: day_of(&row.ends_on, "stall booking", row.id)?,
        id: row.id,
        stall_id: row.stall_id,
        household_id: row.household_id,
        holder_name: row.holder_name,
        holder_phone: row.holder_phone,
        rent: Fen(row.rent_fen),
        cancelled: row.status == CANCELLED,
        wait_id: row.wait_id,
        booked_at: row.booked_at,
    })
}

fn wait_from(row: wait::Model) -> Result<StallWait> {
    Ok(StallWait {
        term: term_of(&row.term, "stall wait", row.id)?,
        starts_on: day_of(&row.starts_on, "stall wait", row.id)?,
        id: row.id,
        household_id: row.household_id,
        holder_name: row.holder_name,
        holder_phone: row.holder_phone,
        status: row.status,
        booking_id: row.booking_id,
        added_at: row.added_at,
    })
}

fn takings_from(row: takings::Model) -> Result<StallTakings> {
    Ok(StallTakings {
        day: day_of(&row.day, "stall takings", row.id)?,
        id: row.id,
        booking_id: row.booking_id,
        household_id: row.household_id,
        amount: Fen(row.amount_fen),
        entered_by: row.entered_by,
        entered_at: row.entered_at,
    })
}

/// A phone as written down: digits, 5 to 20 of them, or none.
fn holder_phone(phone: Option<&str>) -> Result<Option<String>> {
    let Some(phone) = phone.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let digits = (5..=20).contains(&phone.len()) && phone.chars().all(|c| c.is_ascii_digit());
    if digits {
        Ok(Some(phone.to_owned()))
    } else {
        Err(ValidationError::new("holder_phone", "stall-phone-invalid").into())
    }
}

/// The bookings of `stall_id` held on some day from `first` to `last`.
async fn held_between<C: ConnectionTrait>(
    db: &C,
    stall_id: i64,
    (first, last): (LedgerDay, LedgerDay),
) -> Result<Vec<booking::Model>> {
    Ok(booking::Entity::find()
        .filter(booking::Column::StallId.eq(stall_id))
        .filter(booking::Column::Status.eq(BOOKED))
        .filter(booking::Column::StartsOn.lte(last.to_string()))
        .filter(booking::Column::EndsOn.gte(first.to_string()))
        .all(db)
        .await?)
}

impl Store {
    /// The county's stalls by hall and code; paused ones too when asked.
    pub async fn stalls(&self, county_id: i64, include_paused: bool) -> Result<Vec<Stall>> {
        let mut query = stall::Entity::find().filter(stall::Column::CountyId.eq(county_id));
        if !include_paused {
            query = query.filter(stall::Column::Active.eq(true));
        }
        Ok(query
            .order_by_asc(stall::Column::Hall)
            .order_by_asc(stall::Column::RowNo)
            .order_by_asc(stall::Column::ColNo)
            .order_by_asc(stall::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(stall_from)
            .collect())
    }

    /// Stall `id` of `county_id`; not found for another county's.
    pub async fn stall(&self, county_id: i64, id: i64) -> Result<Stall> {
        stall::Entity::find_by_id(id)
            .filter(stall::Column::CountyId.eq(county_id))
            .one(&self.db)
            .await?
            .map(stall_from)
            .ok_or(Error::NotFound)
    }

    async fn checked_stall(&self, county_id: i64, details: &StallDetails) -> Result<StallDetails> {
        let county = self.region_by_id(county_id).await?;
        let region = self.region_by_id(details.region_id).await?;
        if !region.path.as_str().starts_with(county.path.as_str()) {
            return Err(ValidationError::new("region_id", "stall-region-invalid").into());
        }
        let hall = details.hall.trim();
        if !(1..=80).contains(&hall.chars().count()) {
            return Err(ValidationError::new("hall", "stall-hall-invalid").into());
        }
        let (row, column, size_m2) =
            rules::stall_spot(details.row, details.column, details.size_m2)?;
        Ok(StallDetails {
            hall: hall.to_owned(),
            code: rules::stall_code(&details.code)?,
            row,
            column,
            size_m2,
            rates: details.rates.check()?,
            ..details.clone()
        })
    }

    /// Adds a stall to one of the county's halls; the code is unique in its hall.
    pub async fn add_stall(
        &self,
        county_id: i64,
        details: &StallDetails,
        now: DateTime<Utc>,
    ) -> Result<Stall> {
        let d = self.checked_stall(county_id, details).await?;
        let row = stall::ActiveModel {
            county_id: Set(county_id),
            region_id: Set(d.region_id),
            hall: Set(d.hall),
            code: Set(d.code),
            row_no: Set(d.row),
            col_no: Set(d.column),
            size_m2: Set(d.size_m2),
            water: Set(d.services.water),
            power: Set(d.services.power),
            heating: Set(d.services.heating),
            day_rate_fen: Set(d.rates.day.0),
            month_rate_fen: Set(d.rates.month.0),
            season_rate_fen: Set(d.rates.season.0),
            active: Set(d.active),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "code"))?;
        Ok(stall_from(row))
    }

    /// Changes a stall (its bookings keep the rent they were made with), pauses or opens it.
    pub async fn change_stall(
        &self,
        (county_id, id): (i64, i64),
        details: &StallDetails,
        now: DateTime<Utc>,
    ) -> Result<Stall> {
        self.stall(county_id, id).await?;
        let d = self.checked_stall(county_id, details).await?;
        let row = stall::ActiveModel {
            id: Set(id),
            region_id: Set(d.region_id),
            hall: Set(d.hall),
            code: Set(d.code),
            row_no: Set(d.row),
            col_no: Set(d.column),
            size_m2: Set(d.size_m2),
            water: Set(d.services.water),
            power: Set(d.services.power),
            heating: Set(d.services.heating),
            day_rate_fen: Set(d.rates.day.0),
            month_rate_fen: Set(d.rates.month.0),
            season_rate_fen: Set(d.rates.season.0),
            active: Set(d.active),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "code"))?;
        Ok(stall_from(row))
    }

    /// The holder as kept: a household of the county's register takes its head's name (and
    /// pays no rent); anyone else needs a name.
    async fn checked_holder(&self, county_id: i64, holder: &Holder) -> Result<(Holder, bool)> {
        let phone = holder_phone(holder.phone.as_deref())?;
        match holder.household_id {
            Some(id) => {
                let household = self
                    .county_household(county_id, id)
                    .await
                    .map_err(|_| ValidationError::new("household_id", "stall-household-invalid"))?;
                let registered = household.active;
                Ok((
                    Holder {
                        household_id: Some(id),
                        name: household.head_name,
                        phone,
                    },
                    registered,
                ))
            }
            None => Ok((
                Holder {
                    household_id: None,
                    name: holder_name(&holder.name)?,
                    phone,
                },
                false,
            )),
        }
    }

    /// Books a stall of the county for a term; refused when a booking already holds one of its
    /// days, or the stall is paused. Two bookings racing for the same days: one wins.
    pub async fn book_stall(
        &self,
        (county_id, stall_id): (i64, i64),
        new: &NewBooking,
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<StallBooking> {
        let (holder, registered) = self.checked_holder(county_id, &new.holder).await?;
        let first = booking_start(new.starts_on, LedgerDay::of(now))?;
        let last = new.term.last_day(first);
        let txn = self.begin_write().await?;
        let mut query =
            stall::Entity::find_by_id(stall_id).filter(stall::Column::CountyId.eq(county_id));
        if self.backend() == crate::Backend::Postgres {
            query = query.lock_exclusive();
        }
        let stall = query
            .one(&txn)
            .await?
            .map(stall_from)
            .ok_or(Error::NotFound)?;
        if !stall.active {
            return Err(ValidationError::new("stall_id", "stall-paused").into());
        }
        if !held_between(&txn, stall_id, (first, last))
            .await?
            .is_empty()
        {
            return Err(ValidationError::new("starts_on", "stall-taken").into());
        }
        let row = insert_booking(
            &txn,
            stall.id,
            (&holder, new.term, first, last),
            stall.rates.rent(new.term, registered),
            (actor_id, now),
            None,
        )
        .await?;
        txn.commit().await?;
        booking_from(row)
    }

    /// Booking `id` of one of the county's stalls, with its stall.
    pub async fn stall_booking(&self, county_id: i64, id: i64) -> Result<(StallBooking, Stall)> {
        let row = booking::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let stall = self.stall(county_id, row.stall_id).await?;
        Ok((booking_from(row)?, stall))
    }

    /// Cancels a booking; the first one waiting whose term fits the freed stall gets it.
    /// Returns the cancelled booking and the one the waiting list moved into.
    pub async fn cancel_stall_booking(
        &self,
        (county_id, id): (i64, i64),
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<(StallBooking, Option<StallBooking>)> {
        let (held, stall) = self.stall_booking(county_id, id).await?;
        if held.cancelled {
            return Err(Error::AlreadyDecided);
        }
        let txn = self.begin_write().await?;
        let done = booking::Entity::update_many()
            .col_expr(booking::Column::Status, CANCELLED.into())
            .col_expr(booking::Column::CancelledBy, Some(actor_id).into())
            .col_expr(booking::Column::CancelledAt, Some(now).into())
            .filter(booking::Column::Id.eq(id))
            .filter(booking::Column::Status.eq(BOOKED))
            .exec(&txn)
            .await?;
        if done.rows_affected == 0 {
            return Err(Error::AlreadyDecided);
        }
        let moved = move_up(&txn, &stall, (actor_id, now)).await?;
        txn.commit().await?;
        let cancelled = self.stall_booking(county_id, id).await?.0;
        Ok((cancelled, moved))
    }

    /// The county's bookings, the latest start first, a page at a time.
    pub async fn stall_bookings(
        &self,
        county_id: i64,
        filter: &BookingFilter,
        (page, per_page): (u64, u64),
    ) -> Result<(Vec<StallBooking>, u64)> {
        let stalls: Vec<i64> = self
            .stalls(county_id, true)
            .await?
            .iter()
            .map(|s| s.id)
            .collect();
        let mut query = booking::Entity::find().filter(booking::Column::StallId.is_in(stalls));
        if let Some(stall) = filter.stall_id {
            query = query.filter(booking::Column::StallId.eq(stall));
        }
        if let Some(household) = filter.household_id {
            query = query.filter(booking::Column::HouseholdId.eq(household));
        }
        if let Some(day) = filter.on {
            query = query
                .filter(booking::Column::StartsOn.lte(day.to_string()))
                .filter(booking::Column::EndsOn.gte(day.to_string()));
        }
        if !filter.include_cancelled {
            query = query.filter(booking::Column::Status.eq(BOOKED));
        }
        let pages = query
            .order_by_desc(booking::Column::StartsOn)
            .order_by_desc(booking::Column::Id)
            .paginate(&self.db, per_page.max(1));
        let total = pages.num_items().await?;
        let rows = pages.fetch_page(page).await?;
        let list = rows.into_iter().map(booking_from).collect::<Result<_>>()?;
        Ok((list, total))
    }

    /// For each day from `first` to `last`, how many of the county's stalls are booked.
    pub async fn stall_occupancy(
        &self,
        county_id: i64,
        (first, last): (LedgerDay, LedgerDay),
    ) -> Result<Vec<(LedgerDay, usize)>> {
        let stalls: Vec<i64> = self
            .stalls(county_id, true)
            .await?
            .iter()
            .map(|s| s.id)
            .collect();
        let held = booking::Entity::find()
            .filter(booking::Column::StallId.is_in(stalls))
            .filter(booking::Column::Status.eq(BOOKED))
            .filter(booking::Column::StartsOn.lte(last.to_string()))
            .filter(booking::Column::EndsOn.gte(first.to_string()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(booking_from)
            .collect::<Result<Vec<_>>>()?;
        let mut days = Vec::new();
        let mut day = first;
        while day <= last && days.len() < 400 {
            let booked: std::collections::HashSet<i64> = held
                .iter()
                .filter(|b| overlaps((b.starts_on, b.ends_on), (day, day)))
                .map(|b| b.stall_id)
                .collect();
            days.push((day, booked.len()));
            day = day.next();
        }
        Ok(days)
    }

    /// Puts someone on the county's waiting list for a term from a day.
    pub async fn add_stall_wait(
        &self,
        county_id: i64,
        (holder, term, starts_on): (&Holder, StallTerm, LedgerDay),
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<StallWait> {
        let (holder, _) = self.checked_holder(county_id, holder).await?;
        let first = booking_start(starts_on, LedgerDay::of(now))?;
        let row = wait::ActiveModel {
            county_id: Set(county_id),
            household_id: Set(holder.household_id),
            holder_name: Set(holder.name),
            holder_phone: Set(holder.phone),
            term: Set(term.as_str().to_owned()),
            starts_on: Set(first.to_string()),
            status: Set(WAITING.to_owned()),
            booking_id: Set(None),
            added_by: Set(actor_id),
            added_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        wait_from(row)
    }

    /// Takes someone off the waiting list.
    pub async fn withdraw_stall_wait(&self, county_id: i64, id: i64) -> Result<()> {
        let done = wait::Entity::update_many()
            .col_expr(wait::Column::Status, WITHDRAWN.into())
            .filter(wait::Column::Id.eq(id))
            .filter(wait::Column::CountyId.eq(county_id))
            .filter(wait::Column::Status.eq(WAITING))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// The county's waiting list, oldest first (those still waiting, or every one).
    pub async fn stall_waits(&self, county_id: i64, only_waiting: bool) -> Result<Vec<StallWait>> {
        let mut query = wait::Entity::find().filter(wait::Column::CountyId.eq(county_id));
        if only_waiting {
            query = query.filter(wait::Column::Status.eq(WAITING));
        }
        query
            .order_by_asc(wait::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(wait_from)
            .collect()
    }

    /// Records a day's takings at a booked stall (recording the day again replaces it): a day
    /// the booking holds, not after today.
    pub async fn record_stall_takings(
        &self,
        (county_id, booking_id): (i64, i64),
        (day, amount): (LedgerDay, Fen),
        (actor_id, now): (i64, DateTime<Utc>),
    ) -> Result<StallTakings> {
        let (held, _) = self.stall_booking(county_id, booking_id).await?;
        let amount = rules::takings(amount)?;
        let held_then = !held.cancelled && held.starts_on <= day && day <= held.ends_on;
        if !held_then || day > LedgerDay::of(now) {
            return Err(ValidationError::new("day", "stall-takings-day-invalid").into());
        }
        let txn = self.begin_write().await?;
        takings::Entity::delete_many()
            .filter(takings::Column::BookingId.eq(booking_id))
            .filter(takings::Column::Day.eq(day.to_string()))
            .exec(&txn)
            .await?;
        let row = takings::ActiveModel {
            booking_id: Set(booking_id),
            household_id: Set(held.household_id),
            day: Set(day.to_string()),
            amount_fen: Set(amount.0),
            entered_by: Set(actor_id),
            entered_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        takings_from(row)
    }

    /// A booking's takings, the latest day first.
    pub async fn stall_takings(&self, booking_id: i64) -> Result<Vec<StallTakings>> {
        takings::Entity::find()
            .filter(takings::Column::BookingId.eq(booking_id))
            .order_by_desc(takings::Column::Day)
            .all(&self.db)
            .await?
            .into_iter()
            .map(takings_from)
            .collect()
    }

    /// The households' stall takings from `first` to `last` (days as `YYYY-MM-DD`).
    pub(crate) async fn household_stall_takings(
        &self,
        households: &[i64],
        (first, last): (LedgerDay, LedgerDay),
    ) -> Result<Vec<StallTakings>> {
        takings::Entity::find()
            .filter(takings::Column::HouseholdId.is_in(households.iter().copied()))
            .filter(takings::Column::Day.gte(first.to_string()))
            .filter(takings::Column::Day.lte(last.to_string()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(takings_from)
            .collect()
    }
}

/// Writes a booking held by `holder` for its days.
async fn insert_booking<C: ConnectionTrait>(
    db: &C,
    stall_id: i64,
    (holder, term, first, last): (&Holder, StallTerm, LedgerDay, LedgerDay),
    rent: Fen,
    (actor_id, now): (i64, DateTime<Utc>),
    wait_id: Option<i64>,
) -> Result<booking::Model> {
    Ok(booking::ActiveModel {
        stall_id: Set(stall_id),
        household_id: Set(holder.household_id),
        holder_name: Set(holder.name.clone()),
        holder_phone: Set(holder.phone.clone()),
        term: Set(term.as_str().to_owned()),
        starts_on: Set(first.to_string()),
        ends_on: Set(last.to_string()),
        rent_fen: Set(rent.0),
        status: Set(BOOKED.to_owned()),
        wait_id: Set(wait_id),
        booked_by: Set(actor_id),
        booked_at: Set(now),
        cancelled_by: Set(None),
        cancelled_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The first wait (oldest first) whose days are free on `stall` takes it.
async fn move_up(
    txn: &sea_orm::DatabaseTransaction,
    stall: &Stall,
    (actor_id, now): (i64, DateTime<Utc>),
) -> Result<Option<StallBooking>> {
    if !stall.active {
        return Ok(None);
    }
    let today = LedgerDay::of(now);
    let waiting = wait::Entity::find()
        .filter(wait::Column::CountyId.eq(stall.county_id))
        .filter(wait::Column::Status.eq(WAITING))
        .filter(wait::Column::StartsOn.gte(today.to_string()))
        .order_by_asc(wait::Column::Id)
        .all(txn)
        .await?;
    for w in waiting {
        let w = wait_from(w)?;
        let days = (w.starts_on, w.term.last_day(w.starts_on));
        if !held_between(txn, stall.id, days).await?.is_empty() {
            continue;
        }
        let registered = match w.household_id {
            Some(h) => crate::households::entity::household::Entity::find_by_id(h)
                .one(txn)
                .await?
                .is_some_and(|h| h.active && h.county_id == stall.county_id),
            None => false,
        };
        let holder = Holder {
            household_id: w.household_id,
            name: w.holder_name.clone(),
            phone: w.holder_phone.clone(),
        };
        let row = insert_booking(
            txn,
            stall.id,
            (&holder, w.term, days.0, days.1),
            stall.rates.rent(w.term, registered),
            (actor_id, now),
            Some(w.id),
        )
        .await?;
        wait::Entity::update_many()
            .col_expr(wait::Column::Status, BOOKED.into())
            .col_expr(wait::Column::BookingId, Some(row.id).into())
            .filter(wait::Column::Id.eq(w.id))
            .exec(txn)
            .await?;
        return booking_from(row).map(Some);
    }
    Ok(None)
}
