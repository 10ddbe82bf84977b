//! `Fetcher`: GET a provider's key document over HTTPS, and nothing else.
//!
//! Every rule is applied before the first byte leaves: the URL must be `https`, its host must be
//! on the allowlist (exact, or `*.suffix` for any subdomain), and only then is the host resolved
//! and connected to. A redirect is an error, never followed (it could point anywhere); a body
//! larger than the limit is cut off and refused; connecting, the TLS handshake and the whole
//! exchange are each bounded in time. The certificate chain and its validity are checked by
//! rustls against the web's roots (or the ones given).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Fetches documents over HTTPS from allowlisted hosts only.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::keys::{FetchError, Fetcher};
///
/// let fetcher = Fetcher::new(["api.github.com", "*.amazonaws.com"])
///     .with_max_bytes(64 * 1024)
///     .with_timeout(Duration::from_secs(5));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// // Refused before any connection:
/// assert_eq!(fetcher.get("http://api.github.com/meta").await, Err(FetchError::NotHttps));
/// assert!(matches!(fetcher.get("https://example.com/key.pem").await, Err(FetchError::HostNotAllowed(_))));
/// # });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Fetcher {
    hosts: Arc<[String]>,
    tls: Arc<rustls::ClientConfig>,
    max_bytes: usize,
    connect_timeout: Duration,
    timeout: Duration,
}

impl fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetcher")
            .field("hosts", &self.hosts)
            .field("max_bytes", &self.max_bytes)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why a document was not fetched. Nothing in it comes from the response body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL does not parse, or has no host.
    InvalidUrl,
    /// The URL is not `https`.
    NotHttps,
    /// The host is not on the allowlist (the host is named).
    HostNotAllowed(String),
    /// No connection (the reason is the system's).
    Connect(String),
    /// The TLS handshake failed: an untrusted, expired or mismatched certificate.
    Tls(String),
    /// The server answered with a redirect, which is not followed.
    Redirect,
    /// The server answered with another status than 200.
    Status(u16),
    /// The document is larger than the limit.
    TooLarge,
    /// The server took longer than the timeout.
    Timeout,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::InvalidUrl => f.write_str("the key URL is not a valid URL"),
            FetchError::NotHttps => f.write_str("the key URL is not https"),
            FetchError::HostNotAllowed(host) => write!(f, "the host {host} is not allowlisted"),
            FetchError::Connect(why) => write!(f, "cannot connect: {why}"),
            FetchError::Tls(why) => write!(f, "TLS: {why}"),
            FetchError::Redirect => f.write_str("the server redirects, which is not followed"),
            FetchError::Status(status) => write!(f, "the server answered {status}"),
            FetchError::TooLarge => f.write_str("the document is larger than the limit"),
            FetchError::Timeout => f.write_str("the server is too slow"),
        }
    }
}

impl std::error::Error for FetchError {}

impl Fetcher {
    /// A fetcher for these hosts (`api.github.com`, or `*.example.com` for its subdomains),
    /// trusting the web's root certificates; 64 KiB, 2 s to connect, 5 s in all.
    pub fn new<S: Into<String>>(hosts: impl IntoIterator<Item = S>) -> Self {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        Self {
            hosts: hosts
                .into_iter()
                .map(|host| host.into().to_ascii_lowercase())
                .collect(),
            tls: Arc::new(client_config(roots)),
            max_bytes: 64 * 1024,
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
        }
    }

    /// For Amazon SNS: `sns.<region>.amazonaws.com` (GovCloud regions too) and
    /// `sns.<region>.amazonaws.com.cn`, for its certificates and subscription URLs.
    pub fn amazon_sns() -> Self {
        Self::new(["sns.*.amazonaws.com", "sns.*.amazonaws.com.cn"])
    }

    /// Trusts only this root certificate (DER), instead of the web's: for a private CA, or a
    /// test's.
    pub fn with_root_certificate(mut self, der: &[u8]) -> Result<Self, FetchError> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from(der.to_vec()))
            .map_err(|err| FetchError::Tls(err.to_string()))?;
        self.tls = Arc::new(client_config(roots));
        Ok(self)
    }

    /// The largest document accepted.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// How long the whole exchange may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Whether `host` is on the allowlist: a pattern is a host name, `*.suffix` for any
    /// subdomain of `suffix`, or a name with `*` for exactly one label inside it
    /// (`sns.*.amazonaws.com`: a letter, digit or hyphen label, such as a region).
    pub fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.iter().any(|pattern| {
            if let Some(suffix) = pattern.strip_prefix("*.") {
                return host
                    .strip_suffix(suffix)
                    .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1);
            }
            if !pattern.contains('*') {
                return *pattern == host;
            }
            let (mut patterns, mut labels) = (pattern.split('.'), host.split('.'));
            loop {
                match (patterns.next(), labels.next()) {
                    (None, None) => return true,
                    (Some("*"), Some(label)) => {
                        let label_ok = !label.is_empty()
                            && label
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
                        if !label_ok {
                            return false;
                        }
                    }
                    (Some(expected), Some(label)) if expected == label => {}
                    _ => return false,
                }
            }
        })
    }

    /// The body of `url`, once every rule holds.
    pub async fn get(&self, url: &str) -> Result<Bytes, FetchError> {
        self.fetch(url, None).await
    }

    /// The answer to a POST of the JSON `body` to `url`, under the same rules (Plaid's key
    /// endpoint takes the client's credentials this way; they never appear in errors).
    pub async fn post_json(&self, url: &str, body: Vec<u8>) -> Result<Bytes, FetchError> {
        self.fetch(url, Some(body)).await
    }

    async fn fetch(&self, url: &str, body: Option<Vec<u8>>) -> Result<Bytes, FetchError> {
        let uri: Uri = url.parse().map_err(|_| FetchError::InvalidUrl)?;
        if uri.scheme_str() != Some("https") {
            return Err(FetchError::NotHttps);
        }
        let host = uri.host().ok_or(FetchError::InvalidUrl)?.to_owned();
        if !self.allows(&host) {
            return Err(FetchError::HostNotAllowed(host));
        }
        let port = uri.port_u16().unwrap_or(443);
        let path = uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        tokio::time::timeout(self.timeout, self.exchange(host, port, path, body))
            .await
            .map_err(|_| FetchError::Timeout)?
    }

    async fn exchange(
        &self,
        host: String,
        port: u16,
        path: String,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, FetchError> {
        let tcp = tokio::time::timeout(
            self.connect_timeout,
            TcpStream::connect((host.as_str(), port)),
        )
        .await
        .map_err(|_| FetchError::Timeout)?
        .map_err(|err| FetchError::Connect(err.kind().to_string()))?;
        let name = ServerName::try_from(host.clone()).map_err(|_| FetchError::InvalidUrl)?;
        let tls = TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|err| FetchError::Tls(err.to_string()))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|err| FetchError::Connect(err.to_string()))?;
        // The connection is driven while the request runs, and dropped with it.
        let driver = tokio::spawn(connection);
        let builder = match &body {
            None => Request::get(path),
            Some(_) => Request::post(path).header(header::CONTENT_TYPE, "application/json"),
        };
        let request = builder
            .header(header::HOST, host)
            .header(header::USER_AGENT, "tower-webhooks")
            .header(
                header::ACCEPT,
                "application/json, application/x-pem-file, */*",
            )
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|_| FetchError::InvalidUrl)?;
        let result = async {
            let response = sender
                .send_request(request)
                .await
                .map_err(|err| FetchError::Connect(err.to_string()))?;
            let status = response.status();
            if status.is_redirection() {
                return Err(FetchError::Redirect);
            }
            if status != http::StatusCode::OK {
                return Err(FetchError::Status(status.as_u16()));
            }
            let declared = response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
            if declared.is_some_and(|len| len > self.max_bytes as u64) {
                return Err(FetchError::TooLarge);
            }
            let body = Limited::new(response.into_body(), self.max_bytes)
                .collect()
                .await
                .map_err(|err| {
                    if err.is::<http_body_util::LengthLimitError>() {
                        FetchError::TooLarge
                    } else {
                        FetchError::Connect(err.to_string())
                    }
                })?;
            Ok(body.to_bytes())
        }
        .await;
        driver.abort();
        result
    }
}

fn client_config(roots: rustls::RootCertStore) -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|err| unreachable!("ring supports the default versions: {err}"))
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowlist_matches_hosts_and_subdomains_only() {
        let fetcher = Fetcher::new(["api.github.com", "*.amazonaws.com"]);
        assert!(fetcher.allows("api.github.com"));
        assert!(fetcher.allows("API.GitHub.com"));
        assert!(!fetcher.allows("github.com"));
        assert!(!fetcher.allows("api.github.com.evil.example"));
        assert!(fetcher.allows("sns.us-east-1.amazonaws.com"));
        assert!(!fetcher.allows("amazonaws.com"));
        assert!(!fetcher.allows("evilamazonaws.com"));
        assert!(!fetcher.allows(".amazonaws.com"));
    }

    #[test]
    fn a_star_inside_a_pattern_is_one_label() {
        let fetcher = Fetcher::new(["sns.*.amazonaws.com", "sns.*.amazonaws.com.cn"]);
        assert!(fetcher.allows("sns.us-east-1.amazonaws.com"));
        assert!(fetcher.allows("sns.us-gov-west-1.amazonaws.com"));
        assert!(fetcher.allows("sns.cn-north-1.amazonaws.com.cn"));
        for host in [
            "sns.amazonaws.com",
            "sns.a.b.amazonaws.com",
            "sns..amazonaws.com",
            "sns.us_east.amazonaws.com",
            "sns.us-east-1.amazonaws.com.evil.example",
            "evil.us-east-1.amazonaws.com",
            "sns.us-east-1.amazonaws.co",
        ] {
            assert!(!fetcher.allows(host), "{host}");
        }
    }
}
