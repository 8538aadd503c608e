//! FarmGate's HTTP edge: server-rendered pages, the JSON API (`/api/v1`, documented at
//! `/api/openapi.json`), sign-in and authorization, the message catalogue, and operations
//! endpoints. Handlers parse input into domain types, call the store, and render; they never
//! write SQL.

// The modules form layers, lowest first: a module uses only modules above it in this list
// (scripts/check-structure, run by CI, keeps it so; its WEB_LAYERS is this order).
//
// Shared pieces: messages, problems, the client's address, sign-in, formatting, the page
// chrome, spreadsheets, photos, the audit log. None of them imports a feature.
pub mod i18n;
pub mod problem;
mod client;
mod security;
pub mod messaging;
pub mod ops;
mod csrf;
pub mod hot;
pub mod auth;
pub mod desks;
pub mod format;
pub mod html;
pub mod sheets;
pub mod photos;
pub mod audit;
pub mod notify;
pub mod webhooks;

// Features: each folder owns its pages (`routes()`) and its API (`api()`).
pub mod catalog;
pub mod search;
pub mod shops;
pub mod payments;
pub mod orders;
pub mod logistics;
pub mod stations;
pub mod fleet;
mod households;
mod stats;
mod centre;
pub mod accounts;
pub mod live;
pub mod training;
pub mod regions;
pub mod home;
pub mod work;

// Composition: the API of every feature with its document, settings checks, shared state.
pub mod api;
pub mod settings;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::http::StatusCode;
use axum::{Router, middleware};
use axum_login::AuthManagerLayerBuilder;
use farmgate_store::sessions::DbSessionStore;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing::Level;

pub use state::{AppState, Shared, StartError, WebConfig};

use crate::auth::Backend;
use crate::problem::Problem;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "fg_session";

/// The whole application: every route and every layer, ready to serve.
pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.store.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(14),
        ));
    let auth = AuthManagerLayerBuilder::new(Backend::new(state.store.clone()), sessions).build();
    let (api, _openapi) = api::routes();

    let mut app = Router::new()
        .merge(html::routes())
        .merge(home::routes())
        .merge(work::routes())
        .merge(accounts::routes())
        .merge(regions::routes())
        .merge(photos::routes())
        .merge(notify::routes())
        .merge(webhooks::pages::routes())
        .merge(catalog::routes())
        .merge(shops::routes())
        .merge(orders::routes())
        .merge(stations::routes())
        .merge(logistics::routes())
        .merge(fleet::routes())
        .merge(households::routes())
        .merge(stats::routes())
        .merge(centre::routes())
        .merge(payments::routes())
        .merge(search::routes())
        .merge(live::routes())
        .merge(training::routes())
        .merge(audit::routes());
    if state.payments.sandbox.is_some() {
        app = app.merge(payments::sandbox::routes());
    }
    let mut app = app
        .merge(api)
        .merge(ops::routes())
        .fallback(|| async { Problem::not_found() })
        // Innermost first: the CSRF guard needs the session the auth layer opens.
        .layer(middleware::from_fn(csrf::guard))
        .layer(auth)
        // The streaming server's callbacks: no cookies, no CSRF (the stream key is the
        // credential); every layer from here out applies to them too.
        .merge(live::video::ingest_routes())
        .layer(middleware::from_fn(ops::track))
        .layer(middleware::from_fn_with_state(state.clone(), body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            html::negotiate,
        ))
        // Video is compressed already, and a media player needs its exact bytes (ranges).
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("video/"))
                    .and(NotForContentType::const_new(
                        "application/vnd.apple.mpegurl",
                    )),
            ),
        );
    for header in security::headers() {
        app = app.layer(header);
    }
    app.layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        })
        // One access-log line per request, carrying the span's request id.
        .on_response(DefaultOnResponse::new().level(Level::INFO)))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Bounds every request body: photo uploads to the photo limit, everything else to the body
/// limit. Too large answers 413 (at once when Content-Length says so).
async fn body_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if request.uri().path().ends_with("/photos") {
        state.config.photo_limit
    } else {
        state.config.body_limit
    };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large").into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// Serves until `shutdown` resolves, with the housekeeping that a running server needs.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let webhooks = tokio::spawn(webhooks::run(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    housekeeping.abort();
    webhooks.abort();
    served
}

/// Serves `/metrics` alone on `listener` (the `metrics_bind` address) until `shutdown`.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, ops::metrics_router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Every ten minutes (and at start): count what each product sold, remind trainees of
/// tomorrow's sessions, drop expired sessions and
/// recovered rate-limit keys. Every few
/// seconds: cancel orders whose online payment did not come in time (their stock goes back),
/// and take the orders that changed into the statistics' rollups.
async fn housekeeping(state: AppState) {
    let sessions = DbSessionStore::new(state.store.clone());
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        expire_unpaid(&state).await;
        stats::refresh(&state).await;
        ticks += 1;
        if ticks % 120 == 1 {
            refresh_sales(&state).await;
            training::remind_tomorrow(&state).await;
            if let Err(err) = sessions.delete_expired().await {
                tracing::warn!(error = %err, "could not delete expired sessions");
            }
            state.limits.shrink();
        }
    }
}

/// Brings the products' sales counts (the "best sellers" sort) up to date from the orders,
/// and tells the search index which changed.
async fn refresh_sales(state: &AppState) {
    match state.store.refresh_sales_counts().await {
        Ok(changed) => state.products_changed(changed),
        Err(err) => tracing::warn!(error = %err, "could not refresh sales counts"),
    }
}

/// Cancels the orders of online payments past their deadline and tells the index the stock
/// came back. Safe on several instances at once: each payment expires once.
pub async fn expire_unpaid(state: &AppState) {
    let expired = match state.store.expire_unpaid(chrono::Utc::now(), 200).await {
        Ok(expired) => expired,
        Err(err) => {
            tracing::warn!(error = %err, "could not expire unpaid orders");
            return;
        }
    };
    for payment_id in expired {
        let Ok(payment) = state.store.payment(payment_id).await else {
            continue;
        };
        if let Ok(orders) = state.store.orders_of_checkout(&payment.checkout_id).await {
            tracing::info!(
                payment = payment_id,
                orders = orders.len(),
                "unpaid orders cancelled"
            );
            state.products_changed(
                orders
                    .iter()
                    .flat_map(|o| o.lines.iter().map(|l| l.product_id)),
            );
        }
    }
}
