//! Proving a phone number: a one-time code sent to it, entered by the account that asked.
//! Only then does a training record made for that phone on someone's behalf join the account
//! (decision 0012). Codes are kept as hashes, live ten minutes, take five tries, and an
//! account may ask for five an hour. The development outbox stands in for an SMS provider.

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::PhoneNumber;
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::token_digest;
use crate::training::entity::trainee;
use crate::{Error, Result, Store};

/// How long a code may be entered.
pub const CODE_LIFETIME_MINUTES: i64 = 10;
/// Wrong codes before a code is spent.
pub const CODE_TRIES: i32 = 5;
/// Codes an account may ask for in an hour.
pub const CODES_PER_HOUR: u64 = 5;

pub(crate) mod entity {
    pub mod code {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "phone_codes")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub account_id: i64,
            pub phone: String,
            pub code_hash: String,
            pub tries: i32,
            pub created_at: ChronoDateTimeUtc,
            pub expires_at: ChronoDateTimeUtc,
            pub used_at: Option<ChronoDateTimeUtc>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod outbox {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "outbox_messages")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub to_phone: String,
            pub body: String,
            pub created_at: ChronoDateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{code, outbox};

/// What a proven phone brought with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenPhone {
    pub phone: String,
    /// The training record made for this phone that is now the account's, if there was one.
    pub trainee_id: Option<i64>,
    /// Orders a station's operator bought for this phone that are now the account's.
    pub orders_claimed: u64,
    /// Members of registered households under this phone now linked to the account.
    pub household_members: u64,
}

/// A message the development sender kept instead of sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub to_phone: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

fn digest(account_id: i64, phone: &str, code: &str) -> String {
    token_digest(&format!("{account_id}:{phone}:{code}"))
}

fn refused(code: &'static str) -> Error {
    Error::Invalid(ValidationError::new("code", code))
}

impl Store {
    /// A fresh six-digit code for `account_id` to prove `phone` with; answers its id and the
    /// code to send. Refused (`phone-code-too-often`) past `CODES_PER_HOUR`.
    pub async fn issue_phone_code(
        &self,
        account_id: i64,
        phone: &PhoneNumber,
    ) -> Result<(i64, String)> {
        let now = Utc::now();
        let recent = code::Entity::find()
            .filter(code::Column::AccountId.eq(account_id))
            .filter(code::Column::CreatedAt.gt(now - Duration::hours(1)))
            .count(&self.db)
            .await?;
        if recent >= CODES_PER_HOUR {
            return Err(Error::Invalid(ValidationError::new(
                "phone",
                "phone-code-too-often",
            )));
        }
        let text = format!("{:06}", rand::rng().random_range(0..1_000_000));
        let row = code::ActiveModel {
            account_id: Set(account_id),
            phone: Set(phone.as_str().to_owned()),
            code_hash: Set(digest(account_id, phone.as_str(), &text)),
            tries: Set(0),
            created_at: Set(now),
            expires_at: Set(now + Duration::minutes(CODE_LIFETIME_MINUTES)),
            used_at: Set(None),
            ..Default::default()
        };
        let inserted = code::Entity::insert(row).exec(&self.db).await?;
        Ok((inserted.last_insert_id, text))
    }

    /// Checks `text` against code `code_id` of `account_id`. Right: the phone is proven, becomes
    /// the account's (where notices' text messages go) unless another account signs in with it,
    /// and the unclaimed training record made for it joins the account (when the account has
    /// none of its own). Wrong, late or spent: refused on the `code` field, a try counted.
    pub async fn prove_phone(
        &self,
        account_id: i64,
        code_id: i64,
        text: &str,
    ) -> Result<ProvenPhone> {
        let txn = self.begin_write().await?;
        let row = code::Entity::find_by_id(code_id)
            .filter(code::Column::AccountId.eq(account_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let now = Utc::now();
        if row.used_at.is_some() || row.tries >= CODE_TRIES {
            return Err(refused("phone-code-spent"));
        }
        if row.expires_at < now {
            return Err(refused("phone-code-expired"));
        }
        let expected = digest(account_id, &row.phone, text.trim());
        if !bool::from(expected.as_bytes().ct_eq(row.code_hash.as_bytes())) {
            code::Entity::update_many()
                .col_expr(code::Column::Tries, Expr::col(code::Column::Tries).add(1))
                .filter(code::Column::Id.eq(code_id))
                .exec(&txn)
                .await?;
            txn.commit().await?;
            return Err(refused("phone-code-wrong"));
        }
        let spent = code::Entity::update_many()
            .col_expr(code::Column::UsedAt, Expr::value(now))
            .filter(code::Column::Id.eq(code_id))
            .filter(code::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if spent.rows_affected == 0 {
            return Err(refused("phone-code-spent"));
        }
        let has_own = trainee::Entity::find()
            .filter(trainee::Column::AccountId.eq(account_id))
            .one(&txn)
            .await?
            .is_some();
        // The account's phone is the proven one, unless another account holds that number
        // (it signs in with it): then the proof stands and the account keeps what it had.
        let holder = super::entity::account::Entity::find()
            .filter(super::entity::account::Column::Phone.eq(row.phone.as_str()))
            .one(&txn)
            .await?;
        if holder.is_none() {
            super::entity::account::Entity::update_many()
                .col_expr(
                    super::entity::account::Column::Phone,
                    Expr::value(row.phone.as_str()),
                )
                .filter(super::entity::account::Column::Id.eq(account_id))
                .exec(&txn)
                .await?;
        }
        let mut trainee_id = None;
        if !has_own
            && let Some(record) = trainee::Entity::find()
                .filter(trainee::Column::Phone.eq(row.phone.as_str()))
                .filter(trainee::Column::AccountId.is_null())
                .one(&txn)
                .await?
        {
            trainee::Entity::update_many()
                .col_expr(trainee::Column::AccountId, Expr::value(account_id))
                .filter(trainee::Column::Id.eq(record.id))
                .filter(trainee::Column::AccountId.is_null())
                .exec(&txn)
                .await?;
            trainee_id = Some(record.id);
        }
        let orders_claimed =
            crate::stations::till::claim_villager_orders(&txn, account_id, &row.phone, now).await?;
        // A household member the centre registered under this phone is this account's person.
        use crate::households::entity::member;
        let household_members = member::Entity::update_many()
            .col_expr(member::Column::AccountId, Expr::value(account_id))
            .filter(member::Column::Phone.eq(row.phone.as_str()))
            .filter(member::Column::AccountId.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        Ok(ProvenPhone {
            phone: row.phone,
            trainee_id,
            orders_claimed,
            household_members,
        })
    }

    /// Keeps a message the development sender did not send.
    pub async fn outbox_push(&self, to: &PhoneNumber, body: &str) -> Result<()> {
        outbox::Entity::insert(outbox::ActiveModel {
            to_phone: Set(to.as_str().to_owned()),
            body: Set(body.to_owned()),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// The newest messages in the development outbox.
    pub async fn outbox(&self, limit: u64) -> Result<Vec<OutboxMessage>> {
        Ok(outbox::Entity::find()
            .order_by_desc(outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| OutboxMessage {
                id: m.id,
                to_phone: m.to_phone,
                body: m.body,
                at: m.created_at,
            })
            .collect())
    }
}
