//! Requests the server makes to addresses people typed: documents by URL, the LLM endpoint,
//! webhooks. By default they reach the public internet only, so an Admin cannot make the
//! server read its own machine, the cloud's metadata service or the office network and show
//! them the answer (SSRF).
//!
//! The check is made where the connection is made: every address a name resolves to is checked
//! by the client's resolver, and the connection goes to those checked addresses, so a name
//! cannot resolve to a public address for a check and a private one for the request (DNS
//! rebinding). Literal addresses, which skip the resolver, are checked before the request and
//! on every redirect. Refusals and connection failures read the same, so the errors do not
//! tell an open port from a closed one.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{ClientBuilder, Url};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Where a client may connect: public addresses, plus the exceptions the server's operator
/// listed (`LIAISON_ALLOW_PRIVATE_URLS=10.0.0.5,10.0.0.6:8080`), or anywhere (`=1`; or an LLM
/// endpoint the Owner allowed: Ollama on this machine).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Reach {
    anywhere: bool,
    also: Arc<[Exception]>,
}

/// A private address allowed anyway, on any port or on one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Exception {
    ip: IpAddr,
    port: Option<u16>,
}

impl Reach {
    /// Public addresses only.
    pub fn public() -> Reach {
        Reach::default()
    }

    pub fn anywhere() -> Reach {
        Reach {
            anywhere: true,
            also: Arc::new([]),
        }
    }

    pub fn from_allowed(private_allowed: bool) -> Reach {
        if private_allowed {
            Reach::anywhere()
        } else {
            Reach::public()
        }
    }

    /// `LIAISON_ALLOW_PRIVATE_URLS`: `1`, `true` or `yes` for anywhere, or a comma-separated
    /// list of addresses (`10.0.0.5`, `10.0.0.5:8080`, `[fd00::5]:443`). An address with a
    /// port is allowed in URLs that name the address itself; one without, also behind a name.
    pub fn parse(value: &str) -> Result<Reach, String> {
        let value = value.trim();
        if matches!(value, "1" | "true" | "yes") {
            return Ok(Reach::anywhere());
        }
        let also = value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| {
                if let Ok(a) = v.parse::<SocketAddr>() {
                    Ok(Exception {
                        ip: a.ip().to_canonical(),
                        port: Some(a.port()),
                    })
                } else if let Ok(ip) = v.trim_matches(['[', ']']).parse::<IpAddr>() {
                    Ok(Exception {
                        ip: ip.to_canonical(),
                        port: None,
                    })
                } else {
                    Err(format!(
                        "{v:?} is not an address like 10.0.0.5 or 10.0.0.5:8080 (or 1 for all)"
                    ))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Reach {
            anywhere: false,
            also: also.into(),
        })
    }

    /// Whether a connection to `ip` (on `port`, when the URL names the address) is allowed.
    fn allows(&self, ip: IpAddr, port: Option<u16>) -> bool {
        let ip = ip.to_canonical();
        self.anywhere
            || is_public(ip)
            || self
                .also
                .iter()
                .any(|e| e.ip == ip && (e.port.is_none() || e.port == port))
    }
}

/// Whether `ip` is on the public internet: not this machine, a private or shared network,
/// link-local (cloud metadata at 169.254.169.254), multicast, documentation or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if ip.is_unspecified() || ip.is_loopback() || ip.is_multicast() {
        return false;
    }
    match s[0] {
        // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10.
        x if x & 0xfe00 == 0xfc00 || x & 0xffc0 == 0xfe80 || x & 0xffc0 == 0xfec0 => false,
        // Documentation 2001:db8::/32 and Teredo 2001::/32 (tunnels to anywhere).
        0x2001 if s[1] == 0x0db8 || s[1] == 0 => false,
        // 6to4 carries an IPv4 address: public only if that one is.
        0x2002 => public_v4(embedded_v4(s[1], s[2])),
        // NAT64 64:ff9b::/96 likewise.
        0x0064 if s[1] == 0xff9b => public_v4(embedded_v4(s[6], s[7])),
        // IPv4-compatible ::a.b.c.d (deprecated).
        0 if s[..6] == [0; 6] => false,
        _ => true,
    }
}

/// The refusal: worded like any other failure to connect.
#[derive(Debug)]
pub struct NotReachable;

impl std::fmt::Display for NotReachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the server could not be reached")
    }
}

impl std::error::Error for NotReachable {}

/// Resolves names to the addresses `Reach` allows only; none left is "could not be reached".
struct Checked(Reach);

impl Resolve for Checked {
    fn resolve(&self, name: Name) -> Resolving {
        let reach = self.0.clone();
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| reach.allows(a.ip(), None)).collect();
            if public.is_empty() {
                tracing::warn!(host = name.as_str(), "refused: not a public address");
                return Err(Box::new(NotReachable) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// Whether `url` names a literal address that `reach` does not allow (names are checked when
/// they are resolved).
pub fn literal_refused(url: &Url, reach: &Reach) -> bool {
    let port = url.port_or_known_default();
    match url.host() {
        Some(url::Host::Ipv4(v4)) => !reach.allows(IpAddr::V4(v4), port),
        Some(url::Host::Ipv6(v6)) => !reach.allows(IpAddr::V6(v6), port),
        Some(url::Host::Domain(_)) => false,
        None => true,
    }
}

/// A client builder that stays within `reach`: its resolver, its redirects (at most
/// `max_redirects`, each checked), and no proxy from the environment (a proxy would connect on
/// our behalf, unchecked).
pub fn builder(reach: &Reach, max_redirects: usize) -> ClientBuilder {
    crate::server::install_tls();
    let checked = reach.clone();
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > max_redirects {
            attempt.error("too many redirects")
        } else if literal_refused(attempt.url(), &checked) {
            tracing::warn!(url = %attempt.url(), "redirect refused: not a public address");
            attempt.error(NotReachable)
        } else {
            attempt.follow()
        }
    });
    let builder = reqwest::Client::builder().no_proxy().redirect(redirects);
    if reach.anywhere {
        builder
    } else {
        builder.dns_resolver(Arc::new(Checked(reach.clone())))
    }
}

/// A client for `reach` built once per purpose and reach, then shared (its connection pool
/// and TLS roots are not rebuilt per call).
pub fn shared(
    purpose: &'static str,
    reach: &Reach,
    build: impl FnOnce(ClientBuilder) -> reqwest::Client,
) -> reqwest::Client {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static CLIENTS: LazyLock<Mutex<HashMap<(&'static str, Reach), reqwest::Client>>> =
        LazyLock::new(Mutex::default);
    let mut clients = CLIENTS.lock().unwrap_or_else(|e| e.into_inner());
    clients
        .entry((purpose, reach.clone()))
        .or_insert_with(|| build(builder(reach, 0)))
        .clone()
}

/// Checks a URL when it is saved, so a person hears at once that it cannot be used: its
/// literal address, or every address its name resolves to now (the connection checks again).
pub async fn check(url: &str, reach: &Reach) -> Result<(), NotReachable> {
    if reach.anywhere {
        return Ok(());
    }
    let url = Url::parse(url).map_err(|_| NotReachable)?;
    if literal_refused(&url, reach) {
        return Err(NotReachable);
    }
    if let Some(url::Host::Domain(name)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let found: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
            .await
            .map_err(|_| NotReachable)?
            .collect();
        if found.is_empty() || !found.iter().all(|a| reach.allows(a.ip(), None)) {
            return Err(NotReachable);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "2002:7f00:1::",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
            "2001::1",
        ] {
            assert!(!public(ip), "{ip} is not public");
        }
    }

    #[test]
    fn public_addresses_are() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4007:80a::200e",
            "::ffff:8.8.8.8",
            "2002:0808:0808::",
        ] {
            assert!(public(ip), "{ip} is public");
        }
    }

    #[test]
    fn literal_hosts_in_urls() {
        let refused = |u: &str| literal_refused(&Url::parse(u).unwrap(), &Reach::public());
        assert!(refused("http://127.0.0.1:8080/"));
        assert!(refused("http://[::1]/"));
        assert!(refused("http://169.254.169.254/latest/meta-data"));
        // Other spellings of 127.0.0.1 are parsed as the same address.
        assert!(refused("http://2130706433/"));
        assert!(refused("http://0x7f.1/"));
        assert!(refused("http://[::ffff:7f00:1]/"));
        assert!(!refused("https://example.com/"));
        assert!(!refused("http://8.8.8.8/"));
        assert!(!literal_refused(
            &Url::parse("http://127.0.0.1/").unwrap(),
            &Reach::anywhere()
        ));
    }

    #[test]
    fn exceptions_the_operator_lists() {
        let reach = Reach::parse("10.0.0.5, 127.0.0.1:8080,[::1]:3000").unwrap();
        let refused = |u: &str| literal_refused(&Url::parse(u).unwrap(), &reach);
        assert!(!refused("http://10.0.0.5/wiki"));
        assert!(!refused("http://10.0.0.5:9000/wiki"));
        assert!(!refused("http://127.0.0.1:8080/"));
        assert!(refused("http://127.0.0.1:8081/"));
        assert!(refused("http://127.0.0.1/"));
        assert!(!refused("http://[::1]:3000/"));
        assert!(refused("http://10.0.0.6/"));
        assert!(refused("http://169.254.169.254/"));
        assert_eq!(Reach::parse("yes").unwrap(), Reach::anywhere());
        assert_eq!(Reach::parse("").unwrap(), Reach::public());
        assert!(Reach::parse("intranet.local").is_err());
    }
}
