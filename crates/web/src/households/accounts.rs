//! A household member's account. A typed phone number proves nothing: a member joins an
//! account by itself when the account proves the member's phone with a one-time code
//! (`/account/phone`); otherwise the county's centre staff link it after seeing the person with
//! the member's identity card, ticking that they did. Either way is written to the audit log;
//! unlinking too.

use std::net::IpAddr;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::LoginId;
use serde::Deserialize;

use super::{keeper, reach};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::Problem;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    login: String,
    /// Ticked: the person stood before the staff member with the member's identity card.
    seen_in_person: String,
}

async fn audit(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    (code, member, village, detail): (&'static str, i64, i64, String),
) {
    let action = crate::audit::Action {
        code,
        subject_kind: "household_member",
        subject_id: member,
        region_id: Some(village),
        detail,
    };
    crate::audit::record(state, user, ip, action).await;
}

/// `POST /centre/households/{id}/members/{member}/account`: links the account `login` after
/// staff saw its owner in person.
pub async fn link(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path((id, member)): Path<(i64, i64)>,
    Form(form): Form<AccountForm>,
) -> Result<Response, Problem> {
    let (county, household) = reach(&state, &user, id).await?;
    keeper(&county)?;
    if form.seen_in_person != "yes" {
        return Err(ValidationError::new("seen_in_person", "household-account-unseen").into());
    }
    let unknown = || Problem::from(ValidationError::new("login", "household-account-unknown"));
    let login = LoginId::parse(form.login.trim()).map_err(|_| unknown())?;
    let account = state
        .store
        .account_by_login(&login)
        .await?
        .ok_or_else(unknown)?;
    state
        .store
        .set_member_account((county.region.id, id), member, Some(account.id))
        .await
        .map_err(|e| match Problem::from(e) {
            p if p.code == "conflict" => {
                Problem::new(StatusCode::CONFLICT, "household-account-taken").with_field("login")
            }
            p => p,
        })?;
    let detail = format!("household {id}, account {}, seen in person", account.id);
    let entry = (
        "household-account-linked",
        member,
        household.village_id,
        detail,
    );
    audit(&state, &user, ip, entry).await;
    Ok(Redirect::to(&format!("/centre/households/{id}?saved=1")).into_response())
}

/// `POST /centre/households/{id}/members/{member}/account/remove`.
pub async fn unlink(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path((id, member)): Path<(i64, i64)>,
) -> Result<Response, Problem> {
    let (county, household) = reach(&state, &user, id).await?;
    keeper(&county)?;
    state
        .store
        .set_member_account((county.region.id, id), member, None)
        .await?;
    let detail = format!("household {id}");
    let entry = (
        "household-account-unlinked",
        member,
        household.village_id,
        detail,
    );
    audit(&state, &user, ip, entry).await;
    Ok(Redirect::to(&format!("/centre/households/{id}?saved=1")).into_response())
}
