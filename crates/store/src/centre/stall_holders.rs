//! Stalls as their holders see them (issue 19): a person signed in finds the stalls booked for
//! their household (a member the centre linked to their account, or who proved the member's
//! phone) or under a phone they proved, and records a day's takings there themselves. A typed
//! phone proves nothing: only a used one-time code or the centre's link ties a booking to an
//! account.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use farmgate_domain::centre::stalls::{HOLDER_DAYS_BACK, holder_may_record};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerDay;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{booking, stall};
use super::stalls::{BOOKED, booking_from, stall_from};
use super::{Stall, StallBooking, StallTakings};
use crate::accounts::phone::entity::code;
use crate::households::entity::member;
use crate::{Error, Result, Store};

/// Days after its last day that a booking still shows to its holder (to record the last days).
const SHOWN_AFTER_END: i64 = HOLDER_DAYS_BACK;

impl Store {
    /// The bookings `account_id` holds that are running, coming, or ended within the last week:
    /// its household's (through a member linked to the account) and those under a phone the
    /// account proved. The first to start first.
    pub async fn stalls_held_by(
        &self,
        account_id: i64,
        today: LedgerDay,
    ) -> Result<Vec<(StallBooking, Stall)>> {
        let households: Vec<i64> = member::Entity::find()
            .select_only()
            .column(member::Column::HouseholdId)
            .filter(member::Column::AccountId.eq(account_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let phones: Vec<String> = code::Entity::find()
            .select_only()
            .column(code::Column::Phone)
            .distinct()
            .filter(code::Column::AccountId.eq(account_id))
            .filter(code::Column::UsedAt.is_not_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        if households.is_empty() && phones.is_empty() {
            return Ok(Vec::new());
        }
        let mut since = today;
        for _ in 0..SHOWN_AFTER_END {
            since = since.previous();
        }
        let mut whose = Condition::any();
        if !households.is_empty() {
            whose = whose.add(booking::Column::HouseholdId.is_in(households));
        }
        if !phones.is_empty() {
            whose = whose.add(booking::Column::HolderPhone.is_in(phones));
        }
        let rows = booking::Entity::find()
            .filter(booking::Column::Status.eq(BOOKED))
            .filter(booking::Column::EndsOn.gte(since.to_string()))
            .filter(whose)
            .order_by_asc(booking::Column::StartsOn)
            .order_by_asc(booking::Column::Id)
            .all(&self.db)
            .await?;
        let stalls: HashMap<i64, stall::Model> = stall::Entity::find()
            .filter(stall::Column::Id.is_in(rows.iter().map(|b| b.stall_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        rows.into_iter()
            .filter_map(|held| {
                let stall = stalls.get(&held.stall_id)?.clone();
                Some(booking_from(held).map(|b| (b, stall_from(stall))))
            })
            .collect()
    }

    /// Whether `account_id` holds a stall today or from a day to come (its desk shows the stall).
    pub async fn holds_stall(&self, account_id: i64, today: LedgerDay) -> Result<bool> {
        Ok(self
            .stalls_held_by(account_id, today)
            .await?
            .iter()
            .any(|(held, _)| held.ends_on >= today))
    }

    /// Records a day's takings by the stall's holder: a booking `account_id` holds, a day of it
    /// within the last week (today included). Recording the day again replaces it, as for the
    /// centre.
    pub async fn record_own_stall_takings(
        &self,
        (account_id, booking_id): (i64, i64),
        (day, amount): (LedgerDay, Fen),
        now: DateTime<Utc>,
    ) -> Result<StallTakings> {
        let today = LedgerDay::of(now);
        let (_, stall) = self
            .stalls_held_by(account_id, today)
            .await?
            .into_iter()
            .find(|(held, _)| held.id == booking_id)
            .ok_or(Error::NotFound)?;
        let day = holder_may_record(day, today)?;
        self.record_stall_takings(
            (stall.county_id, booking_id),
            (day, amount),
            (account_id, now),
        )
        .await
    }
}
