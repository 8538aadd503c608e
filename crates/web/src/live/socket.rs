//! `GET /live/{id}/ws`: a viewer's live connection to a room.
//!
//! On joining, the viewer gets the last messages (or, when reconnecting with `after`, only the
//! ones it missed) and the viewer count, then every event of the room as JSON (see
//! `farmgate_store::live::LiveEvent`). A viewer sends `{"type":"chat","text":"..."}`; the host
//! and the county's centre staff also send `{"type":"delete","id":N}` and
//! `{"type":"mute","id":N}` (mutes the author of message N). What is refused comes back to
//! that viewer alone as `{"type":"refused","code":...,"message":...}` in their language.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use farmgate_domain::authz::Role;
use farmgate_domain::live::{ChatText, ViewerId};
use farmgate_store::live::{ChatMessage, LiveEvent, Room};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::limits::AddressKey;
use crate::client::ClientIp;
use crate::format::masked_name;
use crate::i18n::{Lang, Tr};
use crate::problem::Problem;

/// The largest frame a viewer may send: a chat message is 200 characters.
const MAX_FRAME: usize = 4096;

/// The store's signing key for guests' viewer ids.
pub const VIEWER_KEY: &str = "live-viewer";

#[derive(Deserialize)]
pub struct Join {
    /// The last message id this viewer has (reconnecting): only newer ones are sent.
    after: Option<i64>,
    /// A guest's viewer token, handed out signed by the room page and kept by the browser.
    viewer: Option<String>,
}

/// Live connections per client address, so one machine cannot hold a room's sockets (or
/// its viewer count) alone, and the key that signs guests' viewer ids.
#[derive(Default)]
pub struct Sockets {
    open: Mutex<HashMap<AddressKey, usize>>,
    key: tokio::sync::OnceCell<Vec<u8>>,
}

/// One open connection of an address; gives its place back when dropped.
pub struct SocketSlot {
    sockets: Arc<Sockets>,
    address: AddressKey,
}

impl Sockets {
    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<AddressKey, usize>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A place for one more connection from `ip`, unless it holds `cap` already.
    pub fn take(self: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<SocketSlot> {
        let address = AddressKey::of(ip);
        let mut open = self.open();
        let count = open.entry(address).or_default();
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            sockets: Arc::clone(self),
            address,
        })
    }

    /// The key guests' viewer ids are signed with (read from the store once).
    pub async fn viewer_key(&self, state: &AppState) -> Result<&[u8], Problem> {
        let key = self
            .key
            .get_or_try_init(|| state.store.signing_key(VIEWER_KEY))
            .await?;
        Ok(key.as_slice())
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.sockets.open();
        if let Some(count) = open.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// A fresh viewer token for a guest opening the room page.
pub async fn new_viewer_token(state: &AppState) -> Result<String, Problem> {
    let key = state.sockets.viewer_key(state).await?;
    Ok(ViewerId::guest_token(
        key,
        &uuid::Uuid::new_v4().simple().to_string(),
    ))
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Said {
    Chat { text: String },
    Delete { id: i64 },
    Mute { id: i64 },
}

/// Who is connected: the account (if signed in), who they count as among the room's unique
/// viewers (a made-up guest id counts as nobody), whether they moderate the room, their
/// language, and their address's place among its open connections.
struct Viewer {
    user: Option<CurrentUser>,
    id: Option<ViewerId>,
    moderator: bool,
    t: Tr,
    _slot: SocketSlot,
}

/// May `user` moderate the room: its host, or centre staff (or an administrator) over its county.
pub async fn moderates(state: &AppState, user: &CurrentUser, room: &Room) -> Result<bool, Problem> {
    if user.account.id == room.host_id {
        return Ok(true);
    }
    let region = state.store.region_by_id(room.region_id).await?;
    Ok(user
        .require(&[Role::CentreStaff, Role::Admin], &region.path)
        .is_ok())
}

/// A message as viewers see it: buyers by a masked name, the host by theirs.
pub fn chat_event(room: &Room, message: &ChatMessage) -> LiveEvent {
    let host = message.account_id == room.host_id;
    LiveEvent::Chat {
        id: message.id,
        author: if host {
            message.author.clone()
        } else {
            masked_name(&message.author)
        },
        staff: host,
        lang: message.lang.tag().to_owned(),
        text: message.body.clone(),
        at: message.at.to_rfc3339(),
    }
}

/// A browser only opens a WebSocket to another site's address when a page there tells it to:
/// refuse connections whose Origin is not this host (cross-site WebSocket hijacking).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}

#[allow(clippy::too_many_arguments)]
pub async fn connect(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Lang(language): Lang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(join): Query<Join>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, Problem> {
    if !same_origin(&headers) {
        return Err(Problem::forbidden());
    }
    let room = state.store.room(id).await?;
    let slot = state
        .sockets
        .take(ip, state.config.websockets_per_address)
        .ok_or_else(|| Problem::rate_limited(30))?;
    let moderator = match &user {
        Some(user) => moderates(&state, user, &room).await?,
        None => false,
    };
    let viewer_id = match &user {
        Some(user) => Some(ViewerId::account(user.account.id)),
        None => match join.viewer.as_deref() {
            Some(token) => ViewerId::guest(state.sockets.viewer_key(&state).await?, token),
            None => None,
        },
    };
    let viewer = Viewer {
        user,
        id: viewer_id,
        moderator,
        t: Tr(language),
        _slot: slot,
    };
    Ok(upgrade
        .read_buffer_size(MAX_FRAME)
        .write_buffer_size(0)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| watch(socket, state, room, viewer, join.after)))
}

async fn send(socket: &mut WebSocket, json: String) -> bool {
    socket.send(Message::Text(json.into())).await.is_ok()
}

fn json(event: &LiveEvent) -> String {
    serde_json::to_string(event).unwrap_or_default()
}

async fn watch(
    mut socket: WebSocket,
    state: AppState,
    room: Room,
    viewer: Viewer,
    after: Option<i64>,
) {
    // Counted once the connection is really open, not when it is asked for.
    if let Some(id) = &viewer.id {
        state.activity.joined(room.id, id.as_str().to_owned());
    }
    // Subscribe first, then read what was said: nothing falls between the two, and what
    // arrives twice is skipped by id.
    let mut watching = state.live.watch(room.id);
    let mut last_sent = after.unwrap_or(0);
    match state.store.recent_messages(room.id, after).await {
        Ok(backlog) => {
            for message in &backlog {
                if !send(&mut socket, json(&chat_event(&room, message))).await {
                    return;
                }
                last_sent = last_sent.max(message.id);
            }
        }
        Err(err) => tracing::warn!(error = %err, room = room.id, "could not read the chat"),
    }
    let count = LiveEvent::Viewers {
        count: state.live.viewers(room.id),
    };
    if !send(&mut socket, json(&count)).await {
        return;
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(frame)) = incoming else { return };
                let text = match frame {
                    Message::Text(text) => text,
                    Message::Close(_) => return,
                    _ => continue,
                };
                if let Err(problem) = said(&state, &room, &viewer, text.as_str()).await {
                    let refused = serde_json::json!({
                        "type": "refused",
                        "code": problem.code,
                        "message": problem.message(&viewer.t),
                        "retry_after": problem.retry_after,
                    });
                    if !send(&mut socket, refused.to_string()).await {
                        return;
                    }
                }
            }
            event = watching.events.recv() => {
                let envelope = match event {
                    Ok(envelope) => envelope,
                    Err(RecvError::Lagged(_)) => {
                        // Too far behind: the page reconnects and catches up from its last id.
                        let _ = send(&mut socket, r#"{"type":"resync"}"#.to_owned()).await;
                        return;
                    }
                    Err(RecvError::Closed) => return,
                };
                if let LiveEvent::Chat { id, .. } = &envelope.event {
                    if *id <= last_sent {
                        continue;
                    }
                    last_sent = *id;
                }
                if !send(&mut socket, envelope.json.clone()).await {
                    return;
                }
            }
        }
    }
}

/// Acts on what a viewer sent; a refusal is returned as the problem to show them.
async fn said(state: &AppState, room: &Room, viewer: &Viewer, text: &str) -> Result<(), Problem> {
    let Some(user) = &viewer.user else {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "chat-login"));
    };
    let said: Said = serde_json::from_str(text)
        .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "bad-request"))?;
    match said {
        Said::Chat { text } => {
            state
                .limits
                .check_chat(user.account.id)
                .map_err(|wait| Problem {
                    retry_after: Some(wait.max(1)),
                    ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "chat-too-fast")
                })?;
            let text = ChatText::parse(&text)?;
            let message = state
                .store
                .post_message(room.id, user.account.id, viewer.t.lang(), &text)
                .await?;
            state
                .live
                .publish(room.id, chat_event(room, &message))
                .await;
        }
        Said::Delete { id } => {
            if !viewer.moderator {
                return Err(Problem::forbidden());
            }
            state
                .store
                .delete_message(room.id, id, user.account.id)
                .await?;
            state.live.publish(room.id, LiveEvent::Deleted { id }).await;
        }
        Said::Mute { id } => {
            if !viewer.moderator {
                return Err(Problem::forbidden());
            }
            let author = state.store.message_author(room.id, id).await?;
            if author == room.host_id {
                return Err(Problem::forbidden());
            }
            state.store.mute(room.id, author, user.account.id).await?;
        }
    }
    Ok(())
}
