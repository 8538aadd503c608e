//! Accounts, the roles granted to them at region nodes, and API tokens.

pub(crate) mod entity;

pub mod phone;

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::accounts::{DisplayName, LoginId};
use farmgate_domain::authz::{Grant, Grants, Role};
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionPath;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::regions::entity as region;
use crate::{Error, Result, Store};
use entity::{account, grant, token};

/// A person who can sign in. The password hash never leaves the store except for checking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub login_name: Option<String>,
    pub phone: Option<String>,
    pub display_name: String,
    pub language: Language,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub password_hash: String,
}

impl From<account::Model> for Account {
    fn from(row: account::Model) -> Account {
        Account {
            id: row.id,
            login_name: row.login_name,
            phone: row.phone,
            display_name: row.display_name,
            language: Language::from_tag(&row.language).unwrap_or_default(),
            created_at: row.created_at,
            password_hash: row.password_hash,
        }
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub login: LoginId,
    pub display_name: DisplayName,
    pub password_hash: String,
    pub language: Language,
}

/// A grant as listed to people who manage a region: who holds which role where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantRow {
    pub grant_id: i64,
    pub account_id: i64,
    pub role: Role,
    pub region_id: i64,
    pub region_code: String,
    pub region_path: RegionPath,
}

/// How long a bearer token for API clients lives.
pub const API_TOKEN_LIFETIME_DAYS: i64 = 30;

/// What a bearer token is kept as (and named by between instances): its SHA-256, in hex.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Creates an account; a login name or phone already in use is a `Conflict` on `login`.
    pub async fn create_account(&self, new: NewAccount) -> Result<Account> {
        let (login_name, phone) = match &new.login {
            LoginId::Name(name) => (Some(name.as_str().to_owned()), None),
            LoginId::Phone(phone) => (None, Some(phone.as_str().to_owned())),
        };
        let row = account::ActiveModel {
            login_name: Set(login_name),
            phone: Set(phone),
            display_name: Set(new.display_name.as_str().to_owned()),
            password_hash: Set(new.password_hash),
            language: Set(new.language.tag().to_owned()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| Error::unique_as(e, "login"))?;
        Ok(row.into())
    }

    pub async fn account_by_login(&self, login: &LoginId) -> Result<Option<Account>> {
        let filter = match login {
            LoginId::Name(name) => account::Column::LoginName.eq(name.as_str()),
            LoginId::Phone(phone) => account::Column::Phone.eq(phone.as_str()),
        };
        Ok(account::Entity::find()
            .filter(filter)
            .one(&self.db)
            .await?
            .map(Account::from))
    }

    pub async fn account_by_id(&self, id: i64) -> Result<Option<Account>> {
        Ok(account::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(Account::from))
    }

    pub async fn set_account_language(&self, id: i64, language: Language) -> Result<()> {
        account::Entity::update_many()
            .col_expr(
                account::Column::Language,
                sea_orm::sea_query::Expr::value(language.tag()),
            )
            .filter(account::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Grants `role` at `region_id`. Granting what is already held changes nothing.
    pub async fn grant_role(
        &self,
        account_id: i64,
        role: Role,
        region_id: i64,
        granted_by: Option<i64>,
    ) -> Result<()> {
        let existing = grant::Entity::find()
            .filter(grant::Column::AccountId.eq(account_id))
            .filter(grant::Column::Role.eq(role.as_str()))
            .filter(grant::Column::RegionId.eq(region_id))
            .one(&self.db)
            .await?;
        if existing.is_some() {
            return Ok(());
        }
        let inserted = grant::ActiveModel {
            account_id: Set(account_id),
            role: Set(role.as_str().to_owned()),
            region_id: Set(region_id),
            granted_by: Set(granted_by),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await;
        match inserted {
            Ok(_) => Ok(()),
            // Two grants of the same role racing: the other one won, which is what we wanted.
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Everything `account_id` holds, with each grant's region path.
    pub async fn grants_of(&self, account_id: i64) -> Result<Grants> {
        let rows = grant::Entity::find()
            .filter(grant::Column::AccountId.eq(account_id))
            .find_also_related(region::Entity)
            .order_by_asc(grant::Column::Id)
            .all(&self.db)
            .await?;
        let mut grants = Vec::with_capacity(rows.len());
        for (grant, region) in rows {
            let (Some(role), Some(region)) = (Role::parse(&grant.role), region) else {
                continue;
            };
            let region = RegionPath::parse(&region.path)
                .map_err(|_| Error::Config(format!("region {} has a bad path", region.id)))?;
            grants.push(Grant { role, region });
        }
        Ok(Grants::new(grants))
    }

    /// Grants held at `region` or anywhere below it, with their holders' accounts.
    pub async fn grants_within(
        &self,
        region: &RegionPath,
        limit: u64,
    ) -> Result<Vec<(GrantRow, Account)>> {
        let rows = grant::Entity::find()
            .find_also_related(region::Entity)
            .filter(region::Column::Path.starts_with(region.as_str()))
            .order_by_asc(grant::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let account_ids: Vec<i64> = rows.iter().map(|(g, _)| g.account_id).collect();
        let accounts: Vec<Account> = account::Entity::find()
            .filter(account::Column::Id.is_in(account_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(Account::from)
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for (grant, region) in rows {
            let (Some(role), Some(region)) = (Role::parse(&grant.role), region) else {
                continue;
            };
            let Some(account) = accounts.iter().find(|a| a.id == grant.account_id) else {
                continue;
            };
            let region_path = RegionPath::parse(&region.path)
                .map_err(|_| Error::Config(format!("region {} has a bad path", region.id)))?;
            out.push((
                GrantRow {
                    grant_id: grant.id,
                    account_id: grant.account_id,
                    role,
                    region_id: region.id,
                    region_code: region.code,
                    region_path,
                },
                account.clone(),
            ));
        }
        Ok(out)
    }

    /// Issues a bearer token for `account_id`. Only its SHA-256 is stored; the token itself
    /// is returned once, to the caller.
    pub async fn issue_api_token(&self, account_id: i64) -> Result<String> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("fgt_{}", hex::encode(bytes));
        let now = Utc::now();
        token::ActiveModel {
            account_id: Set(account_id),
            token_hash: Set(token_digest(&token)),
            created_at: Set(now),
            expires_at: Set(now + Duration::days(API_TOKEN_LIFETIME_DAYS)),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(token)
    }

    /// The account a live bearer token belongs to; expired or unknown tokens give None.
    pub async fn account_by_api_token(&self, token: &str) -> Result<Option<Account>> {
        // One read per API request: the account whose unexpired token this is.
        let holder = sea_orm::sea_query::Query::select()
            .column(token::Column::AccountId)
            .from(token::Entity)
            .and_where(token::Column::TokenHash.eq(token_digest(token)))
            .and_where(token::Column::ExpiresAt.gt(Utc::now()))
            .to_owned();
        Ok(account::Entity::find()
            .filter(account::Column::Id.in_subquery(holder))
            .one(&self.db)
            .await?
            .map(Account::from))
    }

    /// The account a live bearer token belongs to and when the token expires (what a cache
    /// of tokens keeps); expired or unknown tokens give None.
    pub async fn api_token_holder(&self, token: &str) -> Result<Option<(Account, DateTime<Utc>)>> {
        let Some(row) = token::Entity::find()
            .filter(token::Column::TokenHash.eq(token_digest(token)))
            .filter(token::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(self
            .account_by_id(row.account_id)
            .await?
            .map(|account| (account, row.expires_at)))
    }

    pub async fn revoke_api_token(&self, token: &str) -> Result<()> {
        token::Entity::delete_many()
            .filter(token::Column::TokenHash.eq(token_digest(token)))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
