//! The keys FarmGate signs with, one per purpose, made on first use and kept in the database
//! so every instance, and the same instance after a restart, signs and verifies alike (a
//! certificate printed last year still verifies).

use chrono::Utc;
use rand::RngCore;
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};

use crate::training::entity::signing_key;
use crate::{Error, Result, Store};

impl Store {
    /// The key for `purpose` (`check-in`, `certificate`), made the first time it is asked for.
    /// Two instances asking at once agree: the first insert wins and both read it back.
    pub async fn signing_key(&self, purpose: &str) -> Result<Vec<u8>> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        signing_key::Entity::insert(signing_key::ActiveModel {
            purpose: Set(purpose.to_owned()),
            secret: Set(hex::encode(bytes)),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(signing_key::Column::Purpose)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        let row = signing_key::Entity::find_by_id(purpose.to_owned())
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        hex::decode(&row.secret)
            .map_err(|_| Error::Corrupt(format!("the signing key for {purpose} is not hex")))
    }
}
