//! The audit log on the web: `record` after every staff action that changes someone else's
//! data, and the county administrator's reading of it (`/centre/audit`, with XLSX).

use std::net::IpAddr;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::authz::Role;
use farmgate_domain::regions::RegionPath;
use farmgate_store::audit::{AuditEntry, NewAudit};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::sheets::SheetStream;

/// The region administrator's reading of the log.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/centre/audit", axum::routing::get(page))
        .route("/centre/audit.xlsx", axum::routing::get(export))
}

/// Who reads the audit log: administrators, for their subtree.
const READERS: [Role; 1] = [Role::Admin];
/// Entries a page shows.
const PAGE: u64 = 50;

/// What was done to what, for `record`.
pub struct Action {
    /// A stable code with a catalogue label `audit-action-<code>`.
    pub code: &'static str,
    pub subject_kind: &'static str,
    pub subject_id: i64,
    /// The place it belongs to (a village, a county...).
    pub region_id: Option<i64>,
    pub detail: String,
}

/// Writes `action` by `user` from `ip` to the audit log. The action has happened: a failure
/// to write is logged loudly rather than undoing it.
pub async fn record(state: &AppState, user: &CurrentUser, ip: IpAddr, action: Action) {
    let entry = NewAudit {
        actor_id: user.account.id,
        address: ip.to_string(),
        action: action.code,
        subject_kind: action.subject_kind,
        subject_id: action.subject_id,
        region_id: action.region_id,
        detail: action.detail,
    };
    if let Err(err) = state.store.audit(entry).await {
        tracing::error!(error = %err, action = action.code, "an audit entry could not be written");
    }
}

/// The region whose log `user` reads: their administrator grant's node.
async fn readable_region(state: &AppState, user: &CurrentUser) -> Result<RegionPath, Problem> {
    Ok(user.home_region(state, &READERS).await?.path)
}

pub struct EntryRow {
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

async fn rows(state: &AppState, t: &Tr, entries: &[AuditEntry]) -> Result<Vec<EntryRow>, Problem> {
    let mut names = std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        let actor = match names.get(&e.actor_id) {
            Some(name) => String::clone(name),
            None => {
                let name = state
                    .store
                    .account_by_id(e.actor_id)
                    .await?
                    .map(|a| a.display_name)
                    .unwrap_or_default();
                names.insert(e.actor_id, name.clone());
                name
            }
        };
        rows.push(EntryRow {
            at: crate::format::china_time(e.at),
            actor,
            address: e.address.clone(),
            action: t.get(&format!("audit-action-{}", e.action)),
            subject: format!("{} {}", e.subject_kind, e.subject_id),
            detail: e.detail.clone(),
        });
    }
    Ok(rows)
}

#[derive(Template)]
#[template(path = "audit/centre_audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<EntryRow>,
    next: Option<i64>,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

/// `GET /centre/audit?before=ID`: the log of the administrator's region, newest first.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<AuditQuery>,
) -> Result<Response, Problem> {
    let region = readable_region(&state, &user).await?;
    let entries = state
        .store
        .audit_within(&region, query.before, PAGE)
        .await?;
    let next = (entries.len() as u64 == PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let rows = rows(&state, &c.t, &entries).await?;
    Ok(render(StatusCode::OK, &AuditPage { c, rows, next }))
}

/// `GET /centre/audit.xlsx`: the whole log of the region, streamed.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let region = readable_region(&state, &user).await?;
    let t = c.t;
    let columns = ["at", "actor", "address", "action", "subject", "detail"]
        .iter()
        .map(|code| t.get(&format!("audit-column-{code}")))
        .collect();
    let sheet = SheetStream::start(
        "audit",
        columns,
        18.0,
        Box::new(|sheet, row, entry: &EntryRow| {
            for (col, value) in [
                &entry.at,
                &entry.actor,
                &entry.address,
                &entry.action,
                &entry.subject,
                &entry.detail,
            ]
            .into_iter()
            .enumerate()
            {
                sheet.write_string(row, u16::try_from(col).unwrap_or(u16::MAX), value)?;
            }
            Ok(row + 1)
        }),
    )?;
    let mut before = None;
    loop {
        let entries = state.store.audit_within(&region, before, 500).await?;
        let full = entries.len() == 500;
        before = entries.last().map(|e| e.id);
        if entries.is_empty() {
            break;
        }
        sheet.send(rows(&state, &t, &entries).await?).await?;
        if !full {
            break;
        }
    }
    sheet.finish("farmgate-audit.xlsx").await
}
