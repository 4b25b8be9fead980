//! The hosts a file URL may point at. Both sides of the AI server protocol
//! fetch files by URLs the other side names — coursegen the `fileUrl`s a
//! server reports, the reference server the inputs coursegen sends — and
//! neither may be made to fetch from anywhere else (an internal address, a
//! cloud metadata service), redirects included.

use std::fmt;

/// Lists more hosts an AI server's files may be fetched from.
pub const FILE_HOSTS_VAR: &str = "COURSEGEN_AI_SERVER_FILE_HOSTS";

/// `host` (any port) or `host:port` entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts(Vec<Entry>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// As a URL spells it: lower case, IPv6 in brackets.
    host: String,
    port: Option<u16>,
}

/// `host` as URLs spell it, if it is a host.
fn normalise(host: &str) -> Option<String> {
    let url = reqwest::Url::parse(&format!("http://{host}/")).ok()?;
    let valid = url.username().is_empty() && url.path() == "/" && url.port().is_none();
    url.host_str().filter(|_| valid).map(str::to_owned)
}

impl AllowedHosts {
    /// A comma-separated list of `host` or `host:port` (`[::1]:8080` for
    /// IPv6); blank entries are skipped.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let bad = || format!("{item:?} is not a host or host:port");
            // A port follows the last ':' unless that ':' is inside an
            // IPv6 address's brackets (or the address has no brackets).
            let (host, port) = match item.rsplit_once(':') {
                Some((host, port))
                    if !port.contains(']') && (host.ends_with(']') || !host.contains(':')) =>
                {
                    (host, Some(port.parse::<u16>().map_err(|_| bad())?))
                }
                _ => (item, None),
            };
            let host = normalise(host).ok_or_else(bad)?;
            entries.push(Entry { host, port });
        }
        Ok(AllowedHosts(entries))
    }

    /// The host and port of `url`, an http(s) URL.
    pub fn of_url(url: &str) -> Result<Self, String> {
        let parsed = reqwest::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"));
        let host = parsed
            .as_ref()
            .and_then(|u| Some((u.host_str()?.to_owned(), u.port_or_known_default()?)));
        let (host, port) = host.ok_or_else(|| format!("{url:?} is not an http(s) URL"))?;
        Ok(AllowedHosts(vec![Entry {
            host,
            port: Some(port),
        }]))
    }

    /// Where coursegen fetches an AI server's `fileUrl`s from: the server's
    /// own host and port, `ours` (the base of our own file links, which a
    /// segmentation report echoes), and the `$COURSEGEN_AI_SERVER_FILE_HOSTS`
    /// list `extra` (a bucket the server stores its files in, say).
    pub fn for_ai_server(
        server_url: Option<&str>,
        ours: Option<&str>,
        extra: Option<&str>,
    ) -> Result<Self, String> {
        let mut hosts = AllowedHosts::default();
        for url in [server_url, ours].into_iter().flatten() {
            hosts = hosts.and(AllowedHosts::of_url(url)?);
        }
        let extra = AllowedHosts::parse(extra.unwrap_or_default())
            .map_err(|e| format!("{FILE_HOSTS_VAR}: {e}"))?;
        Ok(hosts.and(extra))
    }

    /// These hosts and `more`.
    pub fn and(mut self, more: AllowedHosts) -> Self {
        for entry in more.0 {
            if !self.0.contains(&entry) {
                self.0.push(entry);
            }
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `url` is an http(s) URL on one of these hosts.
    pub fn allows(&self, url: &reqwest::Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return false;
        };
        self.0
            .iter()
            .any(|e| e.host == host && e.port.is_none_or(|p| p == port))
    }
}

impl fmt::Display for AllowedHosts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let entries: Vec<String> = self
            .0
            .iter()
            .map(|e| match e.port {
                Some(port) => format!("{}:{port}", e.host),
                None => e.host.clone(),
            })
            .collect();
        f.write_str(&entries.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        s.parse().unwrap()
    }

    #[test]
    fn hosts_match_with_or_without_a_port() {
        let hosts =
            AllowedHosts::parse(" Files.Example.com , 127.0.0.1:8090,[::1]:9000,, [fe80::1] ")
                .unwrap();
        assert_eq!(
            hosts.to_string(),
            "files.example.com, 127.0.0.1:8090, [::1]:9000, [fe80::1]"
        );
        for ok in [
            "https://files.example.com/a.json",
            "http://files.example.com:81/a",
            "http://127.0.0.1:8090/files/x",
            "http://[::1]:9000/x",
            "http://[fe80::1]:1/x",
        ] {
            assert!(hosts.allows(&url(ok)), "{ok}");
        }
        for refused in [
            "http://127.0.0.1:8091/files/x",
            "http://127.0.0.1/files/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://files.example.com.evil.net/a",
            "http://evil.net/files.example.com",
            "http://[::1]:9001/x",
            "ftp://files.example.com/a",
            "file:///etc/passwd",
        ] {
            assert!(!hosts.allows(&url(refused)), "{refused}");
        }
        for bad in ["http://x", "a b", "host:port", "h:70000", "user@host"] {
            assert!(AllowedHosts::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_url_allows_its_own_host_and_port() {
        let hosts = AllowedHosts::of_url("http://127.0.0.1:8090/api").unwrap();
        assert!(hosts.allows(&url("http://127.0.0.1:8090/files/a")));
        assert!(!hosts.allows(&url("http://127.0.0.1:8091/files/a")));
        let https = AllowedHosts::of_url("https://ai.example.com").unwrap();
        assert!(https.allows(&url("https://ai.example.com:443/f")));
        assert!(!https.allows(&url("http://ai.example.com/f")));
        assert!(AllowedHosts::of_url("ftp://x").is_err());
        let both = hosts.and(AllowedHosts::parse("s3.example.com").unwrap());
        assert_eq!(both.to_string(), "127.0.0.1:8090, s3.example.com");
    }
}
