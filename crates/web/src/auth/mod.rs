//! Who is asking, and what they may do.
//!
//! Browsers sign in with a session cookie (axum-login over tower-sessions, stored in our own
//! database); API clients send `Authorization: Bearer <token>`. Both end in a [`CurrentUser`]
//! carrying the account and its grants, and every protected route asks it one question
//! through [`CurrentUser::require`]: a role, at a node containing the region concerned.

pub mod limits;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum_login::{AuthSession, AuthUser, AuthnBackend, UserId};
use farmgate_domain::accounts::{LoginId, decoy_hash, verify_password};
use farmgate_domain::authz::{Grant, Grants, Role};
use farmgate_domain::regions::RegionPath;
use farmgate_store::Store;
use farmgate_store::accounts::Account;

use crate::AppState;
use crate::problem::Problem;

/// The account as kept in the session. Changing the password changes the hash and so ends
/// every session that was opened with the old one.
#[derive(Debug, Clone)]
pub struct SessionAccount(pub Account);

impl AuthUser for SessionAccount {
    type Id = i64;

    fn id(&self) -> i64 {
        self.0.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        self.0.password_hash.as_bytes()
    }
}

/// What a login form or request carries, already parsed.
pub struct Credentials {
    pub login: LoginId,
    pub password: String,
}

/// axum-login's backend on FarmGate's store.
#[derive(Debug, Clone)]
pub struct Backend {
    store: Store,
}

impl Backend {
    pub fn new(store: Store) -> Backend {
        Backend { store }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Store(#[from] farmgate_store::Error),
    #[error("password check did not finish: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl AuthnBackend for Backend {
    type User = SessionAccount;
    type Credentials = Credentials;
    type Error = AuthError;

    async fn authenticate(
        &self,
        credentials: Credentials,
    ) -> Result<Option<SessionAccount>, AuthError> {
        check_credentials(&self.store, credentials)
            .await
            .map(|a| a.map(SessionAccount))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<SessionAccount>, AuthError> {
        Ok(self.store.account_by_id(*id).await?.map(SessionAccount))
    }
}

/// Checks a login and password, off the async runtime. An unknown login is checked against a
/// decoy hash so that it takes as long as a wrong password and timing reveals nothing.
pub async fn check_credentials(
    store: &Store,
    credentials: Credentials,
) -> Result<Option<Account>, AuthError> {
    let account = store.account_by_login(&credentials.login).await?;
    let stored = account
        .as_ref()
        .map_or_else(|| decoy_hash().to_owned(), |a| a.password_hash.clone());
    let password = credentials.password;
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored)).await?;
    Ok(account.filter(|_| matches))
}

pub type Session = AuthSession<Backend>;

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Bearer,
}

/// A signed-in person with everything they have been granted.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub grants: Grants,
    pub via: Via,
}

impl CurrentUser {
    /// Allows the request only if the user holds one of `roles` at a node containing `region`
    /// (an administrator's grant counts for every role in its subtree).
    pub fn require(&self, roles: &[Role], region: &RegionPath) -> Result<&Grant, Problem> {
        self.grants
            .permits(roles, region)
            .ok_or(Problem::forbidden())
    }

    /// The region the user's first grant of one of `roles` is at: where a centre's or an
    /// administrator's pages look (their county's rooms, refunds, audit log). Forbidden
    /// without such a grant.
    pub async fn home_region(
        &self,
        state: &crate::AppState,
        roles: &[Role],
    ) -> Result<farmgate_store::regions::Region, Problem> {
        let home = self.home_path(roles)?;
        let id = home.ids().last().ok_or(Problem::forbidden())?;
        let region = state.store.region_by_id(id).await?;
        self.require(roles, &region.path)?;
        Ok(region)
    }

    /// The path of [`CurrentUser::home_region`], known from the grant without reading.
    pub fn home_path(&self, roles: &[Role]) -> Result<&RegionPath, Problem> {
        self.grants
            .iter()
            .find(|g| roles.contains(&g.role))
            .map(|g| &g.region)
            .ok_or(Problem::forbidden())
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentUser>, Problem> {
    if let Some(token) = bearer_token(parts) {
        // A token that is presented but wrong is an error, not an anonymous visit.
        let kept = state
            .hot
            .by_token(&state.store, token)
            .await?
            .ok_or(Problem::unauthenticated())?;
        let (account, grants) = kept.as_ref().clone();
        return Ok(Some(CurrentUser {
            account,
            grants,
            via: Via::Bearer,
        }));
    }
    let session = parts.extensions.get::<Session>().cloned();
    let Some(account) = session.and_then(|s| s.user).map(|u| u.0) else {
        return Ok(None);
    };
    let grants = state.store.grants_of(account.id).await?;
    Ok(Some(CurrentUser {
        account,
        grants,
        via: Via::Session,
    }))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        resolve(parts, state)
            .await?
            .ok_or(Problem::unauthenticated())
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Problem> {
        resolve(parts, state).await
    }
}

/// The shop, if the user is one of its members; anyone else is told it does not exist.
pub async fn managed_shop(
    state: &AppState,
    user: &CurrentUser,
    shop_id: i64,
) -> Result<farmgate_store::shops::Shop, Problem> {
    let shop = state.store.shop(shop_id).await?;
    if state.store.is_shop_member(shop_id, user.account.id).await? {
        Ok(shop)
    } else {
        Err(Problem::not_found())
    }
}
