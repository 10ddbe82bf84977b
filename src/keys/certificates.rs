//! `Certificates`: signing certificates named by their URL, fetched once and kept.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{Fetcher, KeyResolver, ResolveError};
use crate::Secret;

/// Most certificates kept: a provider signs with one or two at a time.
const MAX_CERTIFICATES: usize = 32;

/// Certificates that deliveries name by URL (Amazon SNS's `SigningCertURL`, PayPal's
/// `PAYPAL-CERT-URL`), fetched by a [`Fetcher`] whose allowlist holds only the provider's
/// hosts: a URL anywhere else is refused before any connection, so a forged delivery cannot
/// make the layer fetch a key of its choosing. Each certificate is kept for the time to live (a
/// day by default) in a bounded cache; concurrent deliveries naming the same URL wait for one
/// fetch. The certificate's validity is checked at each delivery, its chain by TLS when it was
/// fetched.
///
/// ```
/// use tower_webhooks::keys::{Certificates, Fetcher};
///
/// let sns = Certificates::amazon_sns();
/// let own = Certificates::new(Fetcher::new(["certs.example.com"]));
/// # let _ = (sns, own);
/// ```
#[derive(Debug)]
pub struct Certificates {
    fetcher: Fetcher,
    ttl: Duration,
    cache: Mutex<HashMap<String, Entry>>,
    /// One lock per URL being fetched, so that one fetch serves every waiting delivery.
    fetching: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

#[derive(Debug, Clone)]
struct Entry {
    certificate: Secret,
    fetched: Instant,
}

impl Certificates {
    /// Certificates fetched with `fetcher`.
    pub fn new(fetcher: Fetcher) -> Self {
        Self {
            fetcher,
            ttl: Duration::from_secs(24 * 3600),
            cache: Mutex::default(),
            fetching: Mutex::default(),
        }
    }

    /// Amazon SNS's: `https://sns.<region>.amazonaws.com/...` (GovCloud regions included), and
    /// `https://sns.<region>.amazonaws.com.cn/...` in China.
    pub fn amazon_sns() -> Self {
        Self::new(Fetcher::amazon_sns())
    }

    /// PayPal's: `api.paypal.com`, `api-m.paypal.com` and their sandbox hosts.
    pub fn paypal() -> Self {
        Self::new(Fetcher::new([
            "api.paypal.com",
            "api-m.paypal.com",
            "api.sandbox.paypal.com",
            "api-m.sandbox.paypal.com",
        ]))
    }

    /// How long a certificate is kept (default a day).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    async fn cached(&self, url: &str) -> Option<Secret> {
        let cache = self.cache.lock().await;
        cache
            .get(url)
            .filter(|entry| entry.fetched.elapsed() < self.ttl)
            .map(|entry| entry.certificate.clone())
    }
}

#[async_trait]
impl KeyResolver for Certificates {
    async fn resolve(&self, url: &str) -> Result<Secret, ResolveError> {
        if let Some(certificate) = self.cached(url).await {
            return Ok(certificate);
        }
        let lock = {
            let mut fetching = self.fetching.lock().await;
            fetching.entry(url.to_owned()).or_default().clone()
        };
        let _fetching = lock.lock().await;
        // Another delivery may have fetched it while this one waited.
        if let Some(certificate) = self.cached(url).await {
            return Ok(certificate);
        }
        let fetched = self.fetcher.get(url).await;
        self.fetching.lock().await.remove(url);
        let document = match fetched {
            Ok(document) => document,
            // Not the provider's host: no certificate of the provider's is named so.
            Err(super::FetchError::HostNotAllowed(_) | super::FetchError::NotHttps) => {
                return Err(ResolveError::Unknown);
            }
            Err(err) => return Err(ResolveError::Unavailable(err.to_string())),
        };
        let certificate = Secret::new(document.to_vec());
        let mut cache = self.cache.lock().await;
        if cache.len() >= MAX_CERTIFICATES {
            // Full: the stalest goes.
            if let Some(oldest) = cache
                .iter()
                .min_by_key(|(_, entry)| entry.fetched)
                .map(|(url, _)| url.clone())
            {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            url.to_owned(),
            Entry {
                certificate: certificate.clone(),
                fetched: Instant::now(),
            },
        );
        Ok(certificate)
    }
}
