//! Settings that are unsafe together: checked once, before the server starts, so a production
//! server never runs with test money or sends requests to an address nobody configured
//! (decision 0014).

use crate::WebConfig;
use crate::payments::OnlineProvider;

/// Refuses an unsafe or incomplete combination of settings, saying which and what to set.
pub fn check(config: &WebConfig) -> Result<(), String> {
    let public = match config.public_url.as_deref().filter(|u| !u.is_empty()) {
        Some(text) => Some(parse_public_url(text)?),
        None => None,
    };
    if config.payment_provider == OnlineProvider::Sandbox {
        let Some(public) = public else {
            return Err(
                "payment_provider = \"sandbox\" needs public_url (FARMGATE_PUBLIC_URL): \
                 the address the gateway's callbacks reach FarmGate at"
                    .to_owned(),
            );
        };
        if !is_loopback(&public) && !config.allow_test_payments {
            return Err(format!(
                "refusing to take test payments at {public}: the sandbox gateway marks orders \
                 paid without money. Set payment_provider = \"none\" for a real county, or \
                 allow_test_payments = true (FARMGATE_ALLOW_TEST_PAYMENTS) on a staging server"
            ));
        }
    }
    Ok(())
}

fn parse_public_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|err| format!("public_url {text:?}: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "public_url {text:?} must be an http:// or https:// address with a host"
        ));
    }
    Ok(url)
}

/// Whether only this machine can reach `url`.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(provider: OnlineProvider, public_url: Option<&str>, allow: bool) -> WebConfig {
        WebConfig {
            payment_provider: provider,
            public_url: public_url.map(str::to_owned),
            allow_test_payments: allow,
            ..WebConfig::default()
        }
    }

    #[test]
    fn test_money_stays_on_this_machine_unless_allowed() {
        use OnlineProvider::{None as Cash, Sandbox};
        assert!(check(&config(Cash, None, false)).is_ok());
        assert!(check(&config(Cash, Some("https://farmgate.tekes.gov.cn"), false)).is_ok());
        assert!(check(&config(Sandbox, Some("http://127.0.0.1:8080"), false)).is_ok());
        assert!(check(&config(Sandbox, Some("http://localhost:8080/"), false)).is_ok());
        assert!(check(&config(Sandbox, Some("http://[::1]:8080"), false)).is_ok());
        let refused = check(&config(
            Sandbox,
            Some("https://farmgate.tekes.gov.cn"),
            false,
        ));
        assert!(refused.unwrap_err().contains("allow_test_payments"));
        assert!(check(&config(Sandbox, Some("https://staging.example"), true)).is_ok());
        assert!(
            check(&config(Sandbox, None, true))
                .unwrap_err()
                .contains("public_url")
        );
        assert!(check(&config(Cash, Some("ftp://x"), false)).is_err());
        assert!(check(&config(Cash, Some("not a url"), false)).is_err());
    }
}
