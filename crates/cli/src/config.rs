//! Settings: built-in defaults, then `farmgate.toml` (if present), then `FARMGATE_*` variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use farmgate_domain::lang::Language;
use farmgate_web::payments::OnlineProvider;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite://FILE` or `postgres://...`; unset means `sqlite://<data_dir>/farmgate.db`.
    pub database_url: Option<String>,
    /// Where to listen.
    pub bind: String,
    /// Where FarmGate keeps its files (the SQLite database, later photos and exports).
    pub data_dir: PathBuf,
    /// zh-CN, ug or en: the language of visitors whose browser asks for none of these.
    pub default_language: String,
    /// `text` or `json`.
    pub log_format: String,
    /// Mark cookies Secure; unset: on exactly when `public_url` is https.
    pub secure_cookies: Option<bool>,
    /// The address buyers and payment gateways reach FarmGate at. Unset: `http://<bind>` when
    /// FarmGate listens on this machine only; required for online payments otherwise.
    pub public_url: Option<String>,
    /// `sandbox` (test money) or `none` (cash only); unset: the sandbox with `--demo`, else none.
    pub payment_provider: Option<String>,
    /// Let the sandbox run on a public address (a staging server); never on a county's server.
    pub allow_test_payments: bool,
    /// What sends one-time codes to phones: `outbox` (the demo's: logged and kept for
    /// administrators, never sent) or `none`; unset: the outbox with `--demo`, else none.
    pub messenger: Option<String>,
    /// Reverse proxies whose X-Forwarded-For names the client, as CIDRs separated by commas
    /// (`10.0.0.0/8, 192.168.1.10/32`); empty: FarmGate is reached directly.
    pub trusted_proxies: String,
    /// Live-room connections one client address may hold open at once.
    pub websockets_per_address: usize,
    /// An address of its own for `/metrics` (`127.0.0.1:9090`), served without a token.
    pub metrics_bind: Option<String>,
    /// The bearer token that opens `/metrics` on the main address; unset: it is not there.
    pub metrics_token: Option<String>,
    /// The key the sandbox payment gateway signs callbacks with; the same on every instance.
    /// Unset: a random key per process (fine for one instance).
    pub payment_secret: Option<String>,
    /// Minutes an online payment may take before its orders are cancelled and the stock
    /// goes back on sale.
    pub pay_within_minutes: u64,
    /// The RTMP address hosts push their livestream to (shown in the host's console).
    pub rtmp_url: String,
    /// Where the streaming server writes HLS playlists and segments; unset: `<data_dir>/hls`.
    pub hls_dir: Option<PathBuf>,
    /// hls.js for browsers without native HLS, installed by `scripts/vendor-js`.
    pub hls_js: PathBuf,
    /// Let shops and centres subscribe webhooks on this machine or a private network (the
    /// county's own systems on its LAN). Off: only public addresses.
    pub webhooks_to_private: bool,
    /// Seconds before a failed webhook delivery is tried again (doubling each time).
    pub webhook_retry_secs: u64,
    /// The secret households' identity numbers are sealed with (32 characters or more; the same
    /// on every instance, kept with the backups). Unset: `<data_dir>/households.key`, made once.
    pub households_key: Option<String>,
}

/// The web layer's defaults are the one source for the settings both know; the CLI adds
/// only what is its own (where to listen, the database, logs).
impl Default for Config {
    fn default() -> Self {
        let web = farmgate_web::WebConfig::default();
        Config {
            database_url: None,
            bind: "127.0.0.1:8080".to_owned(),
            data_dir: web.data_dir,
            default_language: web.default_language.tag().to_owned(),
            log_format: "text".to_owned(),
            secure_cookies: None,
            public_url: web.public_url,
            payment_provider: None,
            allow_test_payments: web.allow_test_payments,
            messenger: None,
            trusted_proxies: String::new(),
            websockets_per_address: web.websockets_per_address,
            metrics_bind: None,
            metrics_token: web.metrics_token,
            payment_secret: web.payment_secret,
            pay_within_minutes: web.pay_within.as_secs() / 60,
            rtmp_url: web.rtmp_url,
            hls_dir: None,
            hls_js: web.hls_js,
            webhooks_to_private: web.webhooks_to_private,
            webhook_retry_secs: web.webhook_retry_secs,
            households_key: None,
        }
    }
}

impl Config {
    /// Reads the layers; `file` defaults to `./farmgate.toml`, which may be absent.
    pub fn load(file: Option<&std::path::Path>) -> Result<Config> {
        let path = file.map_or_else(|| PathBuf::from("farmgate.toml"), |p| p.to_path_buf());
        if file.is_some() && !path.exists() {
            bail!("the configuration file {} does not exist", path.display());
        }
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&path))
            .merge(Env::prefixed("FARMGATE_").only(&[
                "database_url",
                "bind",
                "data_dir",
                "default_language",
                "log_format",
                "secure_cookies",
                "public_url",
                "payment_provider",
                "allow_test_payments",
                "messenger",
                "trusted_proxies",
                "websockets_per_address",
                "metrics_bind",
                "metrics_token",
                "payment_secret",
                "pay_within_minutes",
                "rtmp_url",
                "hls_dir",
                "hls_js",
                "webhooks_to_private",
                "households_key",
                "webhook_retry_secs",
            ]))
            .extract()
            .with_context(|| {
                format!(
                    "reading settings from {} and FARMGATE_* variables",
                    path.display()
                )
            })
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("farmgate.db").display()))
    }

    /// The secret households' identity numbers are sealed with: the setting, or else the key
    /// file in the data directory, made (readable by this user only) the first time.
    pub fn households_key(&self) -> Result<String> {
        if let Some(key) = self.households_key.as_deref().filter(|k| !k.is_empty()) {
            if key.len() < 32 {
                bail!("households_key must be 32 characters or more");
            }
            return Ok(key.to_owned());
        }
        let path = self.data_dir.join("households.key");
        if let Ok(kept) = std::fs::read_to_string(&path) {
            return Ok(kept.trim().to_owned());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let key = hex::encode(bytes);
        write_private(&path, &key)
            .with_context(|| format!("writing the households' key to {}", path.display()))?;
        tracing::warn!(
            path = %path.display(),
            "households' identity numbers are sealed with a new key in this file: keep it with the backups (or set FARMGATE_HOUSEHOLDS_KEY)"
        );
        Ok(key)
    }

    pub fn bind_addr(&self) -> Result<SocketAddr> {
        self.bind.parse().with_context(|| {
            format!(
                "bind = {:?} is not an address like 127.0.0.1:8080",
                self.bind
            )
        })
    }

    /// The online payment provider: the setting, else the sandbox for the demo, else none.
    pub fn payment_provider(&self, demo: bool) -> Result<OnlineProvider> {
        match self.payment_provider.as_deref().filter(|p| !p.is_empty()) {
            Some(text) => OnlineProvider::parse(text).with_context(|| {
                format!("payment_provider = {text:?}: use \"sandbox\" or \"none\"")
            }),
            None if demo => Ok(OnlineProvider::Sandbox),
            None => Ok(OnlineProvider::None),
        }
    }

    /// `trusted_proxies` parsed; a plain address counts as one host.
    pub fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|text| {
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .with_context(|| {
                        format!(
                            "trusted_proxies: {text:?} is not an address or a CIDR like 10.0.0.0/8"
                        )
                    })
            })
            .collect()
    }

    /// What sends codes to phones: the setting, else the outbox for the demo, else none.
    pub fn messenger(&self, demo: bool) -> Result<farmgate_web::messaging::MessengerKind> {
        use farmgate_web::messaging::MessengerKind;
        match self.messenger.as_deref().filter(|m| !m.is_empty()) {
            Some(text) => MessengerKind::parse(text)
                .with_context(|| format!("messenger = {text:?}: use \"outbox\" or \"none\"")),
            None if demo => Ok(MessengerKind::Outbox),
            None => Ok(MessengerKind::None),
        }
    }

    /// Whether cookies are marked Secure: the setting, else whether `public_url` is https.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies.unwrap_or_else(|| {
            self.public_url
                .as_deref()
                .is_some_and(|url| url.trim().to_ascii_lowercase().starts_with("https://"))
        })
    }

    /// `public_url`, or `http://<local>` when the server listens on this machine only.
    pub fn public_url(&self, local: SocketAddr) -> Option<String> {
        match self.public_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => Some(url.to_owned()),
            None if local.ip().is_loopback() => Some(format!("http://{local}")),
            None => None,
        }
    }

    pub fn language(&self) -> Result<Language> {
        Language::from_tag(&self.default_language).with_context(|| {
            format!(
                "default_language = {:?}: use zh-CN, ug or en",
                self.default_language
            )
        })
    }
}

/// Writes `text` to a new file only its owner may read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail decides the closure's error type
    fn defaults_then_file_then_environment() {
        figment::Jail::expect_with(|jail| {
            let defaults = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(defaults.bind, "127.0.0.1:8080");
            assert_eq!(defaults.database_url(), "sqlite://./farmgate.db");
            // No test money and plain cookies unless asked for, or served over https.
            assert_eq!(
                defaults.payment_provider(false).ok(),
                Some(OnlineProvider::None)
            );
            assert_eq!(
                defaults.payment_provider(true).ok(),
                Some(OnlineProvider::Sandbox)
            );
            assert!(!defaults.secure_cookies());
            let local: SocketAddr = "127.0.0.1:8080".parse().map_err(|_| "addr")?;
            assert_eq!(
                defaults.public_url(local).as_deref(),
                Some("http://127.0.0.1:8080")
            );
            let public: SocketAddr = "0.0.0.0:8080".parse().map_err(|_| "addr")?;
            assert_eq!(defaults.public_url(public), None);
            let https = Config {
                public_url: Some("https://farmgate.tekes.gov.cn".to_owned()),
                ..Config::default()
            };
            assert!(https.secure_cookies());
            let proxied = Config {
                trusted_proxies: "10.0.0.0/8, 192.168.1.10".to_owned(),
                ..Config::default()
            };
            assert_eq!(
                proxied.trusted_proxies().map_err(|e| e.to_string())?.len(),
                2
            );
            let wrong = Config {
                trusted_proxies: "10.0.0.0/33".to_owned(),
                ..Config::default()
            };
            assert!(wrong.trusted_proxies().is_err());

            jail.create_file(
                "farmgate.toml",
                "bind = \"0.0.0.0:9000\"\ndefault_language = \"ug\"\n",
            )?;
            let from_file = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(from_file.bind, "0.0.0.0:9000");
            assert_eq!(from_file.language().ok(), Some(Language::Ug));

            jail.set_env("FARMGATE_BIND", "127.0.0.1:7000");
            jail.set_env("FARMGATE_DATA_DIR", "/var/lib/farmgate");
            let from_env = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(from_env.bind, "127.0.0.1:7000");
            assert_eq!(
                from_env.database_url(),
                "sqlite:///var/lib/farmgate/farmgate.db"
            );
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_explained() {
        let config = Config {
            default_language: "fr".to_owned(),
            bind: "here".to_owned(),
            ..Config::default()
        };
        assert!(config.language().is_err());
        assert!(
            config
                .bind_addr()
                .unwrap_err()
                .to_string()
                .contains("127.0.0.1:8080")
        );
    }
}
