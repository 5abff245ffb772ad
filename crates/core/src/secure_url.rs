//! The one rule for where credentials may be sent: HTTPS, or plain HTTP on this machine only.

use url::{Host, Url};

/// `https`, or `http` to a loopback host (the sandbox, a local proxy). Bearer tokens, codes and
/// client secrets sent over plain HTTP elsewhere could be read on the way.
pub(crate) fn is_secure(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}
