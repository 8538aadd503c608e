//! What every handler can reach: the store, the settings, the rate limits, the metrics and
//! the order intake.

use std::sync::Arc;
use std::time::Duration;

use farmgate_domain::lang::Language;
use farmgate_store::Store;
use farmgate_store::live::LiveBus;
use farmgate_store::orders::OrderIntake;
use metrics_exporter_prometheus::PrometheusHandle;

use farmgate_search::{Indexer, ProductIndex, SearchError};

use crate::auth::limits::LoginLimits;
use crate::live::activity::RoomActivity;
use crate::payments::{OnlineProvider, Payments};
use crate::photos::PhotoFiles;

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
    /// Failed sign-ins (and registrations) per client address per minute, before it waits.
    pub login_per_ip_per_minute: u32,
    /// Failed sign-ins of one account per minute, from all addresses, before the addresses
    /// that failed wait (an address with no failures always gets in).
    pub login_per_account_per_minute: u32,
    /// The bearer token that opens `/metrics` on the main address; unset: it is not there
    /// (serve it on `metrics_bind` instead).
    pub metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (CIDRs); empty: none.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Order placements allowed per buyer per second, and in one burst.
    pub orders_per_buyer_per_second: u32,
    pub orders_per_buyer_burst: u32,
    /// Live-room connections one client address may hold open at once.
    pub websockets_per_address: usize,
    /// Chat messages allowed per account per minute, and in one burst.
    pub chat_per_minute: u32,
    pub chat_burst: u32,
    /// How long an online payment may take before its orders are cancelled.
    pub pay_within: Duration,
    /// The key the sandbox gateway signs with (shared by every instance); random when unset.
    pub payment_secret: Option<String>,
    /// The online payment provider: none (cash only) unless configured.
    pub payment_provider: OnlineProvider,
    /// Lets the sandbox (test money) run on a public address: for a staging server only.
    pub allow_test_payments: bool,
    /// What sends one-time codes to phones: none (staff confirm in person) unless configured.
    pub messenger: crate::messaging::MessengerKind,
    /// Where FarmGate keeps files (photos under `photos/`).
    pub data_dir: std::path::PathBuf,
    /// The largest photo upload accepted, in bytes.
    pub photo_limit: usize,
    /// The address buyers and gateways reach FarmGate at (`https://farmgate.example`). Every
    /// address FarmGate sends elsewhere (a payment's webhook and return) is built from it,
    /// never from a request; required when payments are online.
    pub public_url: Option<String>,
    /// The RTMP address hosts push to (`rtmp://host:1935/live`); the stream key goes after it.
    pub rtmp_url: String,
    /// Where the streaming server writes each stream's HLS playlist and segments.
    pub hls_dir: std::path::PathBuf,
    /// hls.js, served to browsers without native HLS when the file exists.
    pub hls_js: std::path::PathBuf,
    /// Let webhooks go to this machine and private networks (a county's own systems on its
    /// LAN; tests). Off: such addresses are refused.
    pub webhooks_to_private: bool,
    /// The first wait before a failed webhook delivery is tried again, in seconds; it doubles
    /// with each attempt.
    pub webhook_retry_secs: u64,
    /// The secret households' identity numbers are sealed with (32 bytes or more). Unset: a
    /// random one for this process (tests and benchmarks; `farmgate serve` always sets it).
    pub households_key: Option<String>,
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
            trusted_proxies: Vec::new(),
            metrics_token: None,
            orders_per_buyer_per_second: 10,
            orders_per_buyer_burst: 30,
            websockets_per_address: 20,
            chat_per_minute: 20,
            chat_burst: 5,
            pay_within: Duration::from_secs(30 * 60),
            payment_secret: None,
            payment_provider: OnlineProvider::None,
            allow_test_payments: false,
            messenger: crate::messaging::MessengerKind::None,
            public_url: None,
            data_dir: std::path::PathBuf::from("."),
            photo_limit: 8 * 1024 * 1024,
            rtmp_url: "rtmp://127.0.0.1:1935/live".to_owned(),
            hls_dir: std::path::PathBuf::from("hls"),
            hls_js: std::path::PathBuf::from("vendor/node_modules/hls.js/dist/hls.light.min.js"),
            webhooks_to_private: false,
            webhook_retry_secs: 30,
            households_key: None,
        }
    }
}

/// What every handler can reach; cloned for every request, so it is one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub limits: Arc<LoginLimits>,
    pub metrics: PrometheusHandle,
    /// The one path every order placement takes (group commit; see decision 0006).
    pub intake: OrderIntake,
    /// Scans from the depots' phones, committed together (group commit, as the intake).
    pub scans: farmgate_store::logistics::ScanIntake,
    pub payments: Payments,
    /// The product index, and the task that keeps it following the catalogue.
    pub search: Arc<ProductIndex>,
    pub indexer: Indexer,
    pub photos: PhotoFiles,
    /// Live rooms' events, to this instance's viewers and the other instances'.
    pub live: LiveBus,
    /// What a tap reads, kept here and forgotten over the live bus (issue 20).
    pub hot: crate::hot::Hot,
    /// Purchases from live rooms, gathered for the ticker and the stock on viewers' cards.
    pub activity: RoomActivity,
    /// Open live-room connections per address, and the key of guests' viewer ids.
    pub sockets: Arc<crate::live::socket::Sockets>,
    /// What sends codes to phones, when the server has one.
    pub messenger: Option<Arc<dyn crate::messaging::Messenger>>,
    /// The webhook sender's wake-up call and the subscriptions it knows.
    pub webhooks: crate::webhooks::Webhooks,
    /// Where notices queue to be written.
    pub notices: crate::notify::Writer,
    /// Seals and opens households' identity numbers (decision 0025).
    pub ids: farmgate_store::households::IdVault,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Store(#[from] farmgate_store::Error),
    /// The settings are unsafe or incomplete together (see `settings::check`).
    #[error("{0}")]
    Settings(String),
}

impl Shared {
    /// Says these products changed (created, edited, stock, status, sold): this instance's
    /// search index follows, and the other instances are told (decision 0007).
    pub fn products_changed(&self, ids: impl IntoIterator<Item = i64>) {
        let ids: Vec<i64> = ids.into_iter().collect();
        self.indexer.changed(ids.iter().copied());
        self.live.products_changed(ids);
    }

    /// `public_url` without its trailing slash, or empty when unset (links stay relative).
    pub fn public_url(&self) -> &str {
        self.config
            .public_url
            .as_deref()
            .unwrap_or_default()
            .trim_end_matches('/')
    }
}

impl AppState {
    /// Builds the state with a product index in memory, filled from the store in the
    /// background; call inside the async runtime.
    pub async fn new(store: Store, config: WebConfig) -> Result<AppState, StartError> {
        let index = Arc::new(ProductIndex::in_memory()?);
        let filling = Arc::clone(&index);
        let source = store.clone();
        tokio::spawn(async move {
            if let Err(err) = filling.reindex(&source, 1000, &|_, _| {}).await {
                tracing::error!(error = %err, "could not fill the product index");
            }
        });
        AppState::with_index(store, config, index).await
    }

    /// Builds the state around an index the caller opened (on disk, for `farmgate serve`)
    /// and starts the order intake, the indexer and the live rooms' bus.
    pub async fn with_index(
        store: Store,
        config: WebConfig,
        index: Arc<ProductIndex>,
    ) -> Result<AppState, StartError> {
        crate::settings::check(&config).map_err(StartError::Settings)?;
        let live = LiveBus::start(&store).await?;
        let limits = Arc::new(LoginLimits::new(&config));
        let secret = match &config.payment_secret {
            Some(secret) if !secret.is_empty() => secret.as_bytes().to_vec(),
            _ => {
                let mut bytes = vec![0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
                bytes
            }
        };
        let ids = id_vault(&config)?;
        let activity = RoomActivity::start(store.clone(), live.clone());
        let messenger = crate::messaging::messenger(config.messenger, &store);
        let indexer = Indexer::start(Arc::clone(&index), store.clone());
        follow_other_instances(&live, indexer.clone());
        let hot = crate::hot::Hot::default();
        hot.follow(&live);
        Ok(AppState(Arc::new(Shared {
            ids,
            hot,
            live,
            activity,
            sockets: Arc::default(),
            webhooks: crate::webhooks::Webhooks::default(),
            notices: crate::notify::Writer::start(store.clone(), messenger.clone()),
            messenger,
            intake: OrderIntake::start(store.clone()),
            scans: farmgate_store::logistics::ScanIntake::start(store.clone()),
            indexer,
            search: index,
            payments: Payments::new(
                config.payment_provider,
                &secret,
                config.public_url.as_deref(),
            ),
            photos: PhotoFiles::new(&config.data_dir),
            store,
            config: Arc::new(config),
            limits,
            metrics: crate::ops::metrics_handle(),
        })))
    }
}

/// The vault for the configured households' key, or one with a random key for this process.
fn id_vault(config: &WebConfig) -> Result<farmgate_store::households::IdVault, StartError> {
    let key = match &config.households_key {
        Some(key) => key.as_bytes().to_vec(),
        None => {
            let mut bytes = vec![0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            bytes
        }
    };
    farmgate_store::households::IdVault::new(&key).ok_or_else(|| {
        StartError::Settings("households_key must be 32 characters or more".to_owned())
    })
}

/// Products changed through other instances go into this instance's index too.
fn follow_other_instances(live: &LiveBus, indexer: Indexer) {
    let mut heard = live.catalog_changes();
    tokio::spawn(async move {
        loop {
            match heard.recv().await {
                Ok(ids) => indexer.changed(ids.iter().copied()),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "missed other instances' product changes");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}
