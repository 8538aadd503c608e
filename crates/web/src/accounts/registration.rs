//! Registration, shared by the form and the API.
//!
//! It never says whether a login is taken: a new and an existing login get the same answer
//! after the same work (the password is hashed either way), so it cannot be used to find out
//! who has an account.

use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::{DisplayName, LoginId, Password, hash_password};
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;
use farmgate_store::accounts::NewAccount;

use crate::AppState;
use crate::problem::Problem;

/// A registration, parsed: every field valid, or every field's error.
pub struct Registration {
    pub display_name: DisplayName,
    pub login: LoginId,
    pub password: Password,
}

impl Registration {
    pub fn parse(
        display_name: &str,
        login: &str,
        password: &str,
    ) -> Result<Registration, Vec<ValidationError>> {
        let display_name = DisplayName::parse(display_name);
        let login = LoginId::parse(login);
        let password = Password::parse(password);
        match (display_name, login, password) {
            (Ok(display_name), Ok(login), Ok(password)) => Ok(Registration {
                display_name,
                login,
                password,
            }),
            (d, l, p) => Err([d.err(), l.err(), p.err()].into_iter().flatten().collect()),
        }
    }
}

/// Creates the account unless the login is taken, and answers the same either way. New
/// accounts are buyers across the national market.
pub async fn create_registration(
    state: &AppState,
    registration: Registration,
    language: Language,
) -> Result<Option<farmgate_store::accounts::Account>, Problem> {
    let password = registration.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server"))?
        .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server"))?;
    let created = state
        .store
        .create_account(NewAccount {
            login: registration.login,
            display_name: registration.display_name,
            password_hash: hash,
            language,
        })
        .await;
    match created {
        Ok(account) => {
            if let Some(root) = state.store.region_root().await? {
                state
                    .store
                    .grant_role(account.id, Role::Buyer, root.id, None)
                    .await?;
            }
            Ok(Some(account))
        }
        Err(farmgate_store::Error::Conflict { .. }) => Ok(None),
        Err(other) => Err(other.into()),
    }
}
