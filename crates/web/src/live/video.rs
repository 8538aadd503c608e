//! Video: hosts push RTMP to a real streaming server (nginx with Debian's RTMP module; config
//! and start script in `scripts/live-video`), which asks FarmGate whether to let each push in
//! (`on_publish`) and writes HLS files named after the stream key. FarmGate serves them to
//! viewers under the room's address, so the key never reaches a viewer and pages load video
//! from their own origin (no CDN, nothing the page's security policy has to allow).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_store::live::LiveEvent;
use serde::Deserialize;

use crate::AppState;
use crate::problem::Problem;

/// The streaming server's callbacks. Merged outside the session and CSRF layers (`router`):
/// server to server, no cookies, the stream key is the credential.
pub fn ingest_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/live-ingest/publish", axum::routing::post(publish))
        .route("/live-ingest/done", axum::routing::post(done))
}

/// What nginx-rtmp's `on_publish` and `on_publish_done` send (a form; `name` is the key).
#[derive(Deserialize)]
pub struct Callback {
    #[serde(default)]
    name: String,
}

/// `POST /live-ingest/publish`: 2xx lets the push in; anything else and the streaming server
/// drops it. Only a room's current key, and only before the room has ended.
pub async fn publish(
    State(state): State<AppState>,
    axum::Form(callback): axum::Form<Callback>,
) -> Result<Response, Problem> {
    match state.store.start_stream(callback.name.trim()).await? {
        Some(room) => {
            tracing::info!(room = room.id, "a livestream push was let in");
            state
                .live
                .publish(room.id, LiveEvent::Video { on_air: true })
                .await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        None => {
            tracing::warn!("a livestream push with an unknown or spent key was refused");
            Ok(StatusCode::FORBIDDEN.into_response())
        }
    }
}

/// `POST /live-ingest/done`: the push stopped.
pub async fn done(
    State(state): State<AppState>,
    axum::Form(callback): axum::Form<Callback>,
) -> Result<Response, Problem> {
    if let Some(room) = state.store.stop_stream(callback.name.trim()).await? {
        state
            .live
            .publish(room, LiveEvent::Video { on_air: false })
            .await;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn stream_name(state: &AppState, id: i64) -> Result<String, Problem> {
    state
        .store
        .room(id)
        .await?
        .stream_name
        .ok_or_else(Problem::not_found)
}

/// `GET /live/{id}/hls/index.m3u8`: the room's playlist, its segments renamed under the room.
pub async fn playlist(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let name = stream_name(&state, id).await?;
    let path = state.config.hls_dir.join(format!("{name}.m3u8"));
    let text = tokio::fs::read_to_string(&path)
        .await
        .map_err(|_| Problem::not_found())?;
    let prefix = format!("{name}-");
    let body: String = text
        .lines()
        .map(|line| match line.strip_prefix(&prefix) {
            Some(segment) if !line.starts_with('#') => format!("seg/{segment}\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.apple.mpegurl"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response())
}

/// `GET /live/{id}/hls/seg/{n}.ts`: one segment of the room's stream, with range requests
/// (media players ask for parts of a segment).
pub async fn segment(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
    request: axum::extract::Request,
) -> Result<Response, Problem> {
    use tower::ServiceExt;
    let number = file.strip_suffix(".ts").unwrap_or_default();
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::not_found());
    }
    let name = stream_name(&state, id).await?;
    let path = state.config.hls_dir.join(format!("{name}-{number}.ts"));
    if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Err(Problem::not_found());
    }
    let served = tower_http::services::ServeFile::new(&path)
        .oneshot(request)
        .await
        .map_err(|_| Problem::not_found())?;
    let mut response = served.map(axum::body::Body::new);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("video/mp2t"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}

/// `GET /static/vendor/hls.js`: hls.js for browsers without native HLS, when installed
/// (`scripts/vendor-js`; decision 0009). Without it such browsers show the "no video" note.
pub async fn hls_js(State(state): State<AppState>) -> Result<Response, Problem> {
    let bytes = tokio::fs::read(&state.config.hls_js)
        .await
        .map_err(|_| Problem::not_found())?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}
