//! Where the probes refuse to go. A registration page decides where its redirects point, and the
//! probe runs on the seller's machine (often a cloud workstation): following a redirect to the
//! instance-metadata service would fetch the machine's own credentials on the page's behalf.
//! So no hop goes to a link-local or metadata address, whether the URL names it literally or
//! a host name resolves to it; the same rule runs again inside the HTTP client's resolver, so a
//! name that changes its answer between the check and the connection (DNS rebinding) is caught.
//! Loopback and private ranges stay allowed: sellers test pages on their own machine and LAN.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Names the clouds give their metadata services (they resolve only inside the cloud, where
/// they point at the addresses below; refused by name so no lookup is even attempted).
const METADATA_NAMES: &[&str] = &[
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.com",
    "metadata.platformequinix.com",
    "metadata.tencentyun.com",
];

/// Why an address is refused, or None when the probe may contact it.
pub fn refused_ip(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            // ::ffff:169.254.169.254 is the same machine as 169.254.169.254.
            Some(v4) => refused_v4(v4),
            None => refused_v6(v6),
        },
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    // AWS, Azure, GCP, Oracle and OpenStack all answer on 169.254.169.254 (inside the
    // link-local block); Alibaba Cloud on 100.100.100.200.
    if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(100, 100, 100, 200) {
        Some("a cloud instance-metadata address")
    } else if ip.is_link_local() {
        Some("a link-local address (169.254.0.0/16)")
    } else {
        None
    }
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // fd00:ec2::254 is the EC2 metadata service over IPv6.
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        Some("a cloud instance-metadata address")
    } else if (ip.segments()[0] & 0xffc0) == 0xfe80 {
        Some("a link-local address (fe80::/10)")
    } else {
        None
    }
}

/// Why a host name is refused before any lookup, or None.
pub fn refused_name(host: &str) -> Option<&'static str> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    METADATA_NAMES
        .contains(&h.as_str())
        .then_some("a cloud instance-metadata host name")
}

/// A refused destination: the URL and why.
#[derive(Debug, Clone)]
pub struct Blocked {
    pub url: String,
    pub reason: String,
}

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not contacted: {} is {}", self.url, self.reason)
    }
}
impl std::error::Error for Blocked {}

/// Checks a URL the probe is about to request: its scheme, its literal host, and every
/// address its host name resolves to.
pub async fn check_url(url: &url::Url) -> Result<(), Blocked> {
    let blocked = |reason: String| Blocked {
        url: url.to_string(),
        reason,
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(blocked(format!("a {}: URL, not a web page", url.scheme())));
    }
    match url.host() {
        None => Err(blocked("a URL without a host".into())),
        Some(url::Host::Ipv4(ip)) => match refused_ip(IpAddr::V4(ip)) {
            Some(r) => Err(blocked(r.into())),
            None => Ok(()),
        },
        Some(url::Host::Ipv6(ip)) => match refused_ip(IpAddr::V6(ip)) {
            Some(r) => Err(blocked(r.into())),
            None => Ok(()),
        },
        Some(url::Host::Domain(name)) => {
            if let Some(r) = refused_name(name) {
                return Err(blocked(r.into()));
            }
            let port = url.port_or_known_default().unwrap_or(443);
            // A name that does not resolve is left to the request, which reports it as
            // unreachable in its own words.
            let Ok(addrs) = tokio::net::lookup_host((name, port)).await else {
                return Ok(());
            };
            match filter_resolved(name, addrs) {
                Ok(_) => Ok(()),
                Err(b) => Err(blocked(b.reason)),
            }
        }
    }
}

/// The resolver's rule: a name with any refused address is refused whole (picking the allowed
/// ones would let a page mix a public and a metadata address and wait for a retry).
pub fn filter_resolved(
    name: &str,
    addrs: impl IntoIterator<Item = SocketAddr>,
) -> Result<Vec<SocketAddr>, Blocked> {
    let addrs: Vec<SocketAddr> = addrs.into_iter().collect();
    if let Some((a, r)) = addrs
        .iter()
        .find_map(|a| refused_ip(a.ip()).map(|r| (a, r)))
    {
        return Err(Blocked {
            url: name.to_string(),
            reason: format!("{r}: the name resolves to {}", a.ip()),
        });
    }
    Ok(addrs)
}

/// The HTTP client's DNS resolver: the system's lookup, then [`filter_resolved`].
#[derive(Debug, Default)]
pub struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(resolve_guarded(name.as_str().to_string()))
    }
}

async fn resolve_guarded(
    host: String,
) -> Result<reqwest::dns::Addrs, Box<dyn std::error::Error + Send + Sync>> {
    if let Some(r) = refused_name(&host) {
        return Err(Box::new(Blocked {
            url: host,
            reason: r.into(),
        }));
    }
    // Port 0: reqwest puts the URL's port on the addresses itself.
    let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
    let ok = filter_resolved(&host, addrs)?;
    Ok(Box::new(ok.into_iter()))
}

/// The resolver to install on the probes' client.
pub fn resolver() -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_and_link_local_addresses_are_refused_loopback_and_lan_are_not() {
        for ip in [
            "169.254.169.254",
            "169.254.0.1",
            "100.100.100.200",
            "fd00:ec2::254",
            "fe80::1",
            "febf::1",
            "::ffff:169.254.169.254",
        ] {
            assert!(refused_ip(ip.parse().expect("ip")).is_some(), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "::1",
            "10.0.0.5",
            "192.168.1.1",
            "93.184.216.34",
            "fec0::1",
        ] {
            assert!(refused_ip(ip.parse().expect("ip")).is_none(), "{ip}");
        }
        assert!(refused_name("Metadata.Google.Internal.").is_some());
        assert!(refused_name("example.com").is_none());
    }

    #[test]
    fn a_name_with_one_metadata_address_among_others_is_refused_whole() {
        let addrs: Vec<SocketAddr> = vec![
            "93.184.216.34:443".parse().expect("a"),
            "169.254.169.254:443".parse().expect("b"),
        ];
        let e = filter_resolved("rebind.example", addrs).expect_err("refused");
        assert!(e.reason.contains("169.254.169.254"), "{}", e.reason);
        let fine: Vec<SocketAddr> = vec!["127.0.0.1:8443".parse().expect("c")];
        assert_eq!(filter_resolved("localhost", fine).expect("ok").len(), 1);
    }

    #[tokio::test]
    async fn urls_are_checked_by_scheme_literal_host_name_and_resolution() {
        let check = |u: &str| {
            let u = url::Url::parse(u).expect("url");
            async move { check_url(&u).await }
        };
        assert!(check("http://169.254.169.254/latest/meta-data/")
            .await
            .is_err());
        assert!(check("http://[fd00:ec2::254]/").await.is_err());
        assert!(check("http://metadata.google.internal/computeMetadata/v1/")
            .await
            .is_err());
        assert!(check("file:///etc/passwd").await.is_err());
        assert!(check("https://127.0.0.1:8443/register").await.is_ok());
        // `localhost` goes through the system resolver (loopback: allowed).
        assert!(check("http://localhost:9/").await.is_ok());
    }
}
