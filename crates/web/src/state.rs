//! What every handler can reach: the store, the settings, the rate limits, the metrics and
//! the order intake.

use std::sync::Arc;
use std::time::Duration;

use farmgate_domain::lang::Language;
use farmgate_store::Store;
use farmgate_store::orders::OrderIntake;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::limits::LoginLimits;

/// The web layer's settings (the CLI fills them from `farmgate.toml` and `FARMGATE_*`).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The language for visitors with no cookie and no usable `Accept-Language`.
    pub default_language: Language,
    /// Mark cookies `Secure` (set when FarmGate is served over HTTPS).
    pub secure_cookies: bool,
    /// The longest a request may take before it is answered with 408.
    pub request_timeout: Duration,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Login attempts allowed per client address per minute.
    pub login_per_ip_per_minute: u32,
    /// Login attempts allowed per account per minute.
    pub login_per_account_per_minute: u32,
    /// Order placements allowed per buyer per second, and in one burst.
    pub orders_per_buyer_per_second: u32,
    pub orders_per_buyer_burst: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            default_language: Language::ZhCn,
            secure_cookies: false,
            request_timeout: Duration::from_secs(30),
            body_limit: 1024 * 1024,
            login_per_ip_per_minute: 30,
            login_per_account_per_minute: 5,
            orders_per_buyer_per_second: 10,
            orders_per_buyer_burst: 30,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub limits: Arc<LoginLimits>,
    pub metrics: PrometheusHandle,
    /// The one path every order placement takes (group commit; see decision 0006).
    pub intake: OrderIntake,
}

impl AppState {
    /// Builds the state and starts the order intake; call inside the async runtime.
    pub fn new(store: Store, config: WebConfig) -> AppState {
        let limits = Arc::new(LoginLimits::new(&config));
        AppState {
            intake: OrderIntake::start(store.clone()),
            store,
            config: Arc::new(config),
            limits,
            metrics: crate::ops::metrics_handle(),
        }
    }
}
