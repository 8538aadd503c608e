//! Outbound webhooks: a shop or a county's centre subscribes an address to order events; each
//! event is written as a delivery (`Store::write_webhook_deliveries`) and a sender task posts
//! it, signed with the subscription's secret and timestamped (`farmgate_domain::webhooks`),
//! retrying with backoff until it is acknowledged or given up, all visible in the delivery
//! log. Addresses on this machine or a private network are refused, when subscribing and
//! again when sending (the name is resolved and the connection pinned to what was checked),
//! unless the settings allow them (`webhooks_to_private`).

pub mod pages;

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use farmgate_domain::ValidationError;
use farmgate_domain::webhooks::{MAX_ATTEMPTS, WebhookEvent, backoff_secs, signature};
use farmgate_store::webhooks::{Outgoing, Owner, Subscription};
use tokio::sync::Notify;

use crate::AppState;

/// How long the subscriptions kept in memory are trusted before they are read again (a
/// change made through this instance reads them at once).
const CACHE_FOR: Duration = Duration::from_secs(10);
/// How long a claimed delivery is this sender's before another may try it.
const LEASE_SECS: i64 = 60;
/// How long a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The sender's wake-up call and the subscriptions it knows.
#[derive(Default)]
pub struct Webhooks {
    wake: Notify,
    cache: Mutex<Option<(Instant, Vec<Subscription>)>>,
}

impl Webhooks {
    /// Forget the subscriptions kept in memory (one was added, paused or removed).
    pub fn changed(&self) {
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Whether the subscriptions in memory say there may be something to send (no query).
    fn any_known(&self) -> bool {
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|(_, subs)| !subs.is_empty())
    }

    async fn subscriptions(&self, state: &AppState) -> Vec<Subscription> {
        if let Some((at, subs)) = &*self.cache.lock().unwrap_or_else(|e| e.into_inner())
            && at.elapsed() < CACHE_FOR
        {
            return subs.clone();
        }
        match state.store.active_webhooks().await {
            Ok(subs) => {
                *self.cache.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((Instant::now(), subs.clone()));
                subs
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not read webhook subscriptions");
                Vec::new()
            }
        }
    }
}

/// Whether `ip` is on the public internet: not this machine, not a private, link-local,
/// shared (CGNAT), documentation, multicast or unspecified address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// A subscriber's address as FarmGate will post to it: http(s), a host, no credentials, and
/// (unless `allow_private`) not a name or number of this machine or a private network.
pub fn check_url(text: &str, allow_private: bool) -> Result<url::Url, ValidationError> {
    let invalid = ValidationError::new("url", "webhook-url-invalid");
    let url = url::Url::parse(text.trim()).map_err(|_| invalid)?;
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
        || text.len() > 400
    {
        return Err(invalid);
    }
    let private = ValidationError::new("url", "webhook-url-private");
    match url.host() {
        None => Err(invalid),
        Some(_) if allow_private => Ok(url),
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(private),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(private),
        Some(url::Host::Domain(name))
            if name == "localhost"
                || [".localhost", ".local", ".internal", ".lan"]
                    .iter()
                    .any(|end| name.ends_with(end)) =>
        {
            Err(private)
        }
        Some(_) => Ok(url),
    }
}

/// Tells the subscribers of shop `shop_id` (and of the regions it is in) that `event`
/// happened to order `order_id`: written after the caller's answer, never in its way.
pub fn order_event(state: &AppState, shop_id: i64, event: WebhookEvent, order_id: i64) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(err) = write_order_event(&state, shop_id, event, order_id).await {
            tracing::warn!(order = order_id, error = %err, "a webhook event was not written");
        }
    });
}

async fn write_order_event(
    state: &AppState,
    shop_id: i64,
    event: WebhookEvent,
    order_id: i64,
) -> Result<(), farmgate_store::Error> {
    let subs = state.webhooks.subscriptions(state).await;
    let wanting: Vec<&Subscription> = subs.iter().filter(|s| s.events.contains(&event)).collect();
    if wanting.is_empty() {
        return Ok(());
    }
    let shop = state.store.shop(shop_id).await?;
    let village = state.store.region_by_id(shop.village_id).await?;
    let ids: Vec<i64> = wanting
        .iter()
        .filter(|s| match s.owner {
            Owner::Shop(id) => id == shop_id,
            Owner::Region(id) => village.path.ids().any(|r| r == id),
        })
        .map(|s| s.id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let order = state.store.order(order_id).await?;
    let key = format!("order:{order_id}:{}", event.as_str());
    let body = serde_json::json!({
        "id": key,
        "event": event.as_str(),
        "created_at": chrono::Utc::now().to_rfc3339(),
        "data": {
            "order_id": order.id,
            "shop_id": order.shop_id,
            "status": order.status.as_str(),
            "total_fen": order.total.0,
            "placed_at": order.placed_at.to_rfc3339(),
        }
    })
    .to_string();
    if state
        .store
        .write_webhook_deliveries(&ids, event, &key, &body)
        .await?
        > 0
    {
        state.webhooks.wake.notify_one();
    }
    Ok(())
}

/// The sender: wakes when an event is written; looks for retries that fell due every second
/// while there are subscriptions, and every half minute regardless (deliveries another
/// instance wrote, or left when it stopped).
pub async fn run(state: AppState) {
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let mut ticks: u64 = 0;
    loop {
        let woken = tokio::select! {
            _ = state.webhooks.wake.notified() => true,
            _ = tokio::time::sleep(Duration::from_secs(1)) => false,
        };
        ticks += 1;
        if !woken && !state.webhooks.any_known() && !ticks.is_multiple_of(30) {
            continue;
        }
        let now = chrono::Utc::now();
        let claimed = state
            .store
            .claim_webhook_deliveries(now, chrono::Duration::seconds(LEASE_SECS), 50)
            .await;
        let claimed = match claimed {
            Ok(claimed) => claimed,
            Err(err) => {
                tracing::warn!(error = %err, "could not read webhook deliveries");
                continue;
            }
        };
        for outgoing in claimed {
            send(&state, &client, outgoing).await;
        }
    }
}

/// Resolves the subscriber's host and checks every address it names (a name can point
/// anywhere), answering the one to connect to.
async fn resolve(url: &url::Url, allow_private: bool) -> Result<SocketAddr, String> {
    let host = url.host_str().ok_or("no host")?;
    let port = url.port_or_known_default().ok_or("no port")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|err| format!("cannot resolve: {err}"))?
        .collect();
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err("the address is on a private network".to_owned());
    }
    addrs
        .first()
        .copied()
        .ok_or_else(|| "no address".to_owned())
}

async fn send(state: &AppState, client: &reqwest::Client, outgoing: Outgoing) {
    let allow_private = state.config.webhooks_to_private;
    let delivery = &outgoing.delivery;
    let outcome = async {
        let url = check_url(&outgoing.url, allow_private).map_err(|e| e.code.to_owned())?;
        let addr = resolve(&url, allow_private).await?;
        let host = url.host_str().unwrap_or_default().to_owned();
        // Pinned to the address checked: a second lookup cannot lead elsewhere.
        let pinned = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&host, addr)
            .build()
            .unwrap_or_else(|_| client.clone());
        let timestamp = chrono::Utc::now().timestamp();
        let answer = pinned
            .post(url)
            .header("content-type", "application/json")
            .header("user-agent", "FarmGate-Webhooks/1")
            .header("x-farmgate-event", &delivery.event)
            .header("x-farmgate-delivery", delivery.id.to_string())
            .header("x-farmgate-timestamp", timestamp.to_string())
            .header(
                "x-farmgate-signature",
                signature(
                    outgoing.secret.as_bytes(),
                    timestamp,
                    delivery.body.as_bytes(),
                ),
            )
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(|err| format!("{err}"))?;
        let code = i32::from(answer.status().as_u16());
        if answer.status().is_success() {
            Ok(code)
        } else {
            Err(format!("HTTP {code}"))
        }
    }
    .await;
    let attempt = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
    let recorded = match outcome {
        Ok(code) => {
            state
                .store
                .record_webhook_attempt(delivery.id, Some(code), None, None)
                .await
        }
        Err(error) => {
            let code = error
                .strip_prefix("HTTP ")
                .and_then(|c| c.parse::<i32>().ok());
            let retry_at = (delivery.attempts + 1 < MAX_ATTEMPTS).then(|| {
                let wait = backoff_secs(state.config.webhook_retry_secs, attempt);
                chrono::Utc::now()
                    + chrono::Duration::seconds(i64::try_from(wait).unwrap_or(86_400))
            });
            tracing::info!(delivery = delivery.id, error, "a webhook delivery failed");
            state
                .store
                .record_webhook_attempt(delivery.id, code, Some(&error), retry_at)
                .await
        }
    };
    if let Err(err) = recorded {
        tracing::warn!(delivery = delivery.id, error = %err, "a webhook attempt was not recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_refused_unless_allowed() {
        for bad in [
            "http://127.0.0.1/hook",
            "http://localhost:8080/hook",
            "http://10.1.2.3/hook",
            "http://192.168.1.1/hook",
            "http://172.16.0.9/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://[fd00::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://100.64.0.1/hook",
            "http://printer.local/hook",
        ] {
            assert_eq!(
                check_url(bad, false).map_err(|e| e.code),
                Err("webhook-url-private"),
                "{bad}"
            );
            assert!(check_url(bad, true).is_ok(), "{bad} when allowed");
        }
        for bad in [
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "not a url",
        ] {
            assert_eq!(
                check_url(bad, false).map_err(|e| e.code),
                Err("webhook-url-invalid"),
                "{bad}"
            );
        }
        assert!(check_url("https://erp.example.com/farmgate", false).is_ok());
        assert!(check_url("http://8.8.8.8/hook", false).is_ok());
    }
}
