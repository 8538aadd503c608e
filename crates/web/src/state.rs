//! What every handler can reach: the store, the settings, the login limiter, the metrics.

use std::sync::Arc;
use std::time::Duration;

use farmgate_domain::lang::Language;
use farmgate_store::Store;
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
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub limits: Arc<LoginLimits>,
    pub metrics: PrometheusHandle,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        let limits = Arc::new(LoginLimits::new(
            config.login_per_ip_per_minute,
            config.login_per_account_per_minute,
        ));
        AppState {
            store,
            config: Arc::new(config),
            limits,
            metrics: crate::ops::metrics_handle(),
        }
    }
}
