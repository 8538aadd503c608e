//! The client's address, for rate limits.
//!
//! Behind a reverse proxy every connection comes from the proxy, so the address limits see
//! would be one for everybody. `trusted_proxies` names the proxies (CIDRs); only for a
//! connection from one of them is `X-Forwarded-For` read, from the right, skipping the
//! trusted hops: the first address that is not a trusted proxy is the client. A header from
//! anyone else is ignored, so it cannot be used to slip past a limit.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::AppState;

#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        Ok(ClientIp(client_address(
            peer,
            &forwarded,
            &state.config.trusted_proxies,
        )))
    }
}

/// The client behind `peer`, given the `X-Forwarded-For` hops and the trusted proxies.
pub fn client_address(peer: IpAddr, forwarded: &str, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            // Garbage in the header: stop at the last address we could trust.
            Err(_) => return client,
        }
    }
    client
}

/// The address buyers and gateways reach this server at.
pub fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = state.config.public_url.as_deref().filter(|u| !u.is_empty()) {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = ["10.0.0.0/8", "::1/128"]
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect();
        // Straight from the internet: the header is whatever the client made up.
        assert_eq!(
            client_address(ip("203.0.113.5"), "1.2.3.4", &trusted),
            ip("203.0.113.5")
        );
        // Through the proxy: the last untrusted hop, whatever the client put before it.
        assert_eq!(
            client_address(ip("10.0.0.2"), "1.2.3.4, 198.51.100.7, 10.0.0.9", &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(client_address(ip("10.0.0.2"), "", &trusted), ip("10.0.0.2"));
        assert_eq!(
            client_address(ip("10.0.0.2"), "not-an-address", &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("::1"), "2001:db8::7", &trusted),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), "1.2.3.4", &[]),
            ip("10.0.0.2")
        );
    }
}
