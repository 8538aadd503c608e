//! Operations: liveness, readiness, Prometheus metrics, and the per-route request metrics.
//!
//! `/metrics` says how busy every route is and how large the pools are: not for the public.
//! On the main address it answers only a bearer `metrics_token`; without one it does not
//! exist there. `metrics_bind` serves it on an address of its own (for a Prometheus on the
//! same host or network), without a token.

use std::sync::OnceLock;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::problem::Problem;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(guarded_metrics))
}

/// The router `metrics_bind` serves: `/metrics` alone.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics_text))
        .with_state(state)
}

/// `/metrics` on the main address: for a bearer `metrics_token` only, else not found.
async fn guarded_metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    use subtle::ConstantTimeEq;
    let Some(expected) = state
        .config
        .metrics_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Problem::not_found().into_response();
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        metrics_text(State(state)).await
    } else {
        Problem::not_found().into_response()
    }
}

/// The process-wide Prometheus recorder, installed on first use (several servers in one test
/// process share it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".to_owned()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    ],
                )
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (an embedding program's); then our
            // handle still renders what this recorder saw, which is nothing, and says so.
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
            }
            handle
        })
        .clone()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "database not reachable");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response()
        }
    }
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    let pool = state.store.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size));
    metrics::gauge!("db_pool_idle_connections").set(f64::from(pool.idle));
    intake_metrics(&state.intake.profile());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// The order intake's time by part, summed over placements (`farmgate_store::orders::profile`):
/// divided by `farmgate_intake_placements_total`, what each part added to an order's answer.
fn intake_metrics(profile: &farmgate_store::orders::IntakeProfile) {
    use farmgate_store::orders::IntakePart;
    metrics::counter!("farmgate_intake_placements_total").absolute(profile.placements);
    metrics::counter!("farmgate_intake_batches_total").absolute(profile.batches);
    metrics::counter!("farmgate_intake_writer_batches_total").absolute(profile.on_writer);
    metrics::counter!("farmgate_intake_careful_batches_total").absolute(profile.careful);
    for part in IntakePart::ALL {
        let spent = profile.spent_on(part).as_micros();
        metrics::counter!("farmgate_intake_microseconds_total", "part" => part.name())
            .absolute(u64::try_from(spent).unwrap_or(u64::MAX));
    }
}

/// Counts requests and times them, labelled by the route pattern (not the raw path, so ids
/// do not explode the label set).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
