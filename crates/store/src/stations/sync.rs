//! The outcomes of operations the operators' phones did offline and sent later, by the id each
//! phone made: a second sending reads the first's outcome instead of doing it again.

use chrono::Utc;
use sea_orm::{EntityTrait, Set};
use serde::Serialize;

use super::entity::sync;
use crate::{Result, Store};

/// How an operation sent from a phone ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncOutcome {
    /// `done` or `refused`
    pub outcome: String,
    /// Why it was refused (an error code), or what it made (an order's checkout).
    pub code: Option<String>,
}

impl Store {
    /// The outcome of the operation the phone called `client_id`, if it was sent before by
    /// `account_id` (another account's id is not theirs to read).
    pub async fn sync_outcome(
        &self,
        client_id: &str,
        account_id: i64,
    ) -> Result<Option<SyncOutcome>> {
        Ok(sync::Entity::find_by_id(client_id.to_owned())
            .one(&self.db)
            .await?
            .filter(|row| row.account_id == account_id)
            .map(|row| SyncOutcome {
                outcome: row.outcome,
                code: row.code,
            }))
    }

    /// Keeps how operation `client_id` ended; the first outcome kept stays.
    pub async fn record_sync(
        &self,
        client_id: &str,
        (station_id, account_id): (i64, i64),
        kind: &str,
        outcome: &SyncOutcome,
    ) -> Result<()> {
        let row = sync::ActiveModel {
            client_id: Set(client_id.to_owned()),
            station_id: Set(station_id),
            account_id: Set(account_id),
            kind: Set(kind.to_owned()),
            outcome: Set(outcome.outcome.clone()),
            code: Set(outcome.code.clone()),
            at: Set(Utc::now()),
        };
        sync::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(sync::Column::ClientId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }
}
