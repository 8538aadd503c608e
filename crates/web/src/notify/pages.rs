//! The inbox: a person's notices, newest first, each written out in their language with a
//! link to its thing; reading one marks it read; and the choices per kind.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::notifications::{Audience, NoticeKind};
use farmgate_store::notifications::{NoticeSetting, Subject};
use serde::Deserialize;

use super::{link, message};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, RepeatedForm, render};
use crate::problem::Problem;

pub struct NoticeLine {
    pub id: i64,
    pub text: String,
    pub at: String,
    pub read: bool,
}

#[derive(Template)]
#[template(path = "notify/inbox.html")]
struct InboxPage {
    c: Chrome,
    csrf: String,
    notices: Vec<NoticeLine>,
    next: Option<i64>,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    before: Option<i64>,
    #[serde(default)]
    saved: String,
}

const PAGE: u64 = 30;

/// `GET /notices`
pub async fn inbox(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<InboxQuery>,
) -> Result<Response, Problem> {
    let notices = state
        .store
        .notices(user.account.id, query.before, PAGE)
        .await?;
    let next = (notices.len() as u64 >= PAGE)
        .then(|| notices.last().map(|n| n.id))
        .flatten();
    let page = InboxPage {
        notices: notices
            .iter()
            .map(|n| NoticeLine {
                id: n.id,
                text: message(&c.t, n),
                at: crate::format::china_time(n.created_at),
                read: n.read,
            })
            .collect(),
        next,
        saved: query.saved == "1",
        csrf: csrf.0,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /notices/{id}`: marks the notice read and goes to its thing.
pub async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    // Only the reader's own notices are found; anyone else's id is not theirs to open.
    let notice = state
        .store
        .notices(user.account.id, Some(id + 1), 1)
        .await?
        .into_iter()
        .find(|n| n.id == id)
        .ok_or(Problem::not_found())?;
    state
        .store
        .mark_notices_read(user.account.id, Some(id))
        .await?;
    Ok(Redirect::to(&destination(&state, notice.subject).await?).into_response())
}

/// Where opening a notice goes: its thing's page; for an approved shop application, the new
/// shop's "list your first product" form (the next thing its owner does).
async fn destination(state: &AppState, subject: Subject) -> Result<String, Problem> {
    if let Subject::ShopApplication(id) = subject {
        let application = state.store.shop_application(id).await?;
        if let Some(shop) = application.shop_id {
            return Ok(format!("/seller/shops/{shop}/products/new"));
        }
    }
    Ok(link(subject))
}

/// `POST /notices/read`: everything read.
pub async fn read_all(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Problem> {
    state.store.mark_notices_read(user.account.id, None).await?;
    Ok(Redirect::to("/notices").into_response())
}

pub struct SettingRow {
    pub kind: &'static str,
    pub label: String,
    pub in_app: bool,
    pub sms: bool,
}

pub struct SettingGroup {
    pub title: String,
    pub rows: Vec<SettingRow>,
}

#[derive(Template)]
#[template(path = "notify/settings.html")]
struct SettingsPage {
    c: Chrome,
    csrf: String,
    groups: Vec<SettingGroup>,
    sms_possible: bool,
}

/// `GET /notices/settings`: each kind, in the inbox or not, by text message or not.
pub async fn settings(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
) -> Result<Response, Problem> {
    let choices = state.store.notice_settings(user.account.id).await?;
    let groups = [
        (Audience::Seller, "notice-group-seller"),
        (Audience::Buyer, "notice-group-buyer"),
        (Audience::Applicant, "notice-group-applicant"),
        (Audience::Trainee, "notice-group-trainee"),
    ]
    .into_iter()
    .map(|(audience, title)| SettingGroup {
        title: c.t.get(title),
        rows: choices
            .iter()
            .filter(|s| s.kind.audience() == audience)
            .map(|s| SettingRow {
                kind: s.kind.as_str(),
                label: c.t.get(&format!("notice-kind-{}", s.kind.as_str())),
                in_app: s.in_app,
                sms: s.sms,
            })
            .collect(),
    })
    .collect();
    let page = SettingsPage {
        groups,
        sms_possible: state.messenger.is_some() && user.account.phone.is_some(),
        csrf: csrf.0,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    /// The kinds kept in the inbox.
    #[serde(default)]
    in_app: Vec<String>,
    /// The kinds also sent by text message.
    #[serde(default)]
    sms: Vec<String>,
}

/// `POST /notices/settings`: every kind's choice, as the boxes are ticked.
pub async fn save_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    RepeatedForm(form): RepeatedForm<SettingsForm>,
) -> Result<Response, Problem> {
    for kind in NoticeKind::ALL {
        let choice = NoticeSetting {
            kind,
            in_app: form.in_app.iter().any(|k| k == kind.as_str()),
            sms: form.sms.iter().any(|k| k == kind.as_str()),
        };
        state
            .store
            .set_notice_setting(user.account.id, choice)
            .await?;
    }
    Ok(Redirect::to("/notices?saved=1").into_response())
}
