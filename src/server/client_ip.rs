//! Where a request came from, for rate limits: the connection's peer, or, behind a reverse proxy
//! the operator has said to trust (`LIAISON_TRUST_PROXY`), the address the proxy saw. Never the
//! headers of an untrusted client, which could name any address.

use crate::server::http::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(of(parts, state.config.trust_proxy)))
    }
}

/// The client's address of a request.
pub fn of(parts: &Parts, trust_proxy: bool) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    client_ip(&parts.headers, peer, trust_proxy)
}

/// The client's address. Behind a trusted proxy, the last `X-Forwarded-For` entry: the one the
/// proxy itself appended (earlier entries are whatever the client sent).
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trust_proxy: bool) -> IpAddr {
    let forwarded = || {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()?
            .trim()
            .parse::<IpAddr>()
            .ok()
    };
    let ip = if trust_proxy { forwarded() } else { None };
    ip.or(peer)
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        .to_canonical()
}

/// Whether the browser reached us over https: directly that cannot be (we serve plain http),
/// so only a trusted proxy's `X-Forwarded-Proto` says so.
pub fn forwarded_https(headers: &HeaderMap, trust_proxy: bool) -> bool {
    trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn forwarded_only_when_trusted() {
        let ip: IpAddr = "10.0.0.2".parse().unwrap();
        let peer = Some(ip);
        let h = with("x-forwarded-for", "6.6.6.6, 203.0.113.9");
        assert_eq!(client_ip(&h, peer, false), ip);
        assert_eq!(
            client_ip(&h, peer, true),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // Garbage falls back to the peer.
        let h = with("x-forwarded-for", "nonsense");
        assert_eq!(client_ip(&h, peer, true), ip);
        // An IPv4 address written as IPv6 is the same client.
        let mapped = Some("::ffff:192.0.2.1".parse().unwrap());
        assert_eq!(
            client_ip(&HeaderMap::new(), mapped, false),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn https_from_a_trusted_proxy() {
        let h = with("x-forwarded-proto", "https");
        assert!(forwarded_https(&h, true));
        assert!(!forwarded_https(&h, false));
        assert!(!forwarded_https(&with("x-forwarded-proto", "http"), true));
    }
}
