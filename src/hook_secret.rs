//! `HookSecret`: a secret the provider hands over in a handshake (Asana's `X-Hook-Secret`),
//! accepted only while the service expects it, kept, and used for the deliveries that follow.
//!
//! The handshake itself is not authenticated: anyone who knows the URL could send one, and a
//! receiver that took every `X-Hook-Secret` would let them choose the key. So the layer takes a
//! secret only while [`HookSecret::expect`] is waiting, that is while the service's own request
//! creating the webhook is under way, and only once; at any other time the handshake is refused.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::Secret;
use crate::scheme::Signature;
use crate::signature::Key;

/// The secret of a provider that hands it over in a handshake, shared by the layer and the code
/// that creates the webhook.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::{HookSecret, WebhookLayer};
///
/// # async fn create_webhook() {}
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let hook = HookSecret::new(); // or HookSecret::with_secret(saved) after a restart
/// let layer = WebhookLayer::asana(&hook);
/// # let _ = layer;
/// // Arm first, then ask Asana to create the webhook: its handshake arrives meanwhile.
/// let secret = hook.expect(Duration::from_secs(30));
/// create_webhook().await;
/// if let Some(secret) = secret.await {
///     // Keep it (a secrets store), and give it to `HookSecret::with_secret` on the next start.
///     # let _ = secret;
/// }
/// # }
/// ```
#[derive(Clone, Default)]
pub struct HookSecret {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The secrets in use, as given and as learned.
    secrets: RwLock<Vec<Secret>>,
    /// Until when a handshake is accepted, and who waits for its secret.
    expecting: Mutex<Option<(Instant, oneshot::Sender<Secret>)>>,
}

impl std::fmt::Debug for HookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.read().len();
        f.debug_struct("HookSecret")
            .field("secrets", &format_args!("{count} [redacted]"))
            .finish()
    }
}

impl HookSecret {
    /// No secret yet: deliveries are refused until a handshake gives one.
    pub fn new() -> Self {
        Self::default()
    }

    /// A secret kept from an earlier handshake.
    pub fn with_secret(secret: impl Into<Secret>) -> Self {
        let hook = Self::new();
        hook.write().push(secret.into());
        hook
    }

    /// Accepts the next handshake that arrives within `window` (from now, not from the first
    /// poll) and resolves to the secret it carried, or to `None` if none came. The secret is
    /// used for deliveries as soon as the handshake is answered.
    pub fn expect(
        &self,
        window: Duration,
    ) -> impl Future<Output = Option<Secret>> + Send + 'static + use<> {
        let (sender, receiver) = oneshot::channel();
        *self.expecting() = Some((Instant::now() + window, sender));
        async move {
            tokio::time::timeout(window, receiver)
                .await
                .ok()
                .and_then(Result::ok)
        }
    }

    /// Takes `secret` from a handshake if one is expected now; says whether it did.
    pub(crate) fn offer(&self, secret: Secret) -> bool {
        let Some((until, sender)) = self.expecting().take() else {
            return false;
        };
        if Instant::now() > until || secret.is_empty() {
            return false;
        }
        self.write().push(secret.clone());
        // The waiter may have given up: the secret is in use all the same.
        let _ = sender.send(secret);
        true
    }

    /// The keys of every secret, for `signature`; a secret that cannot be one is left out.
    pub(crate) fn keys(&self, signature: &Signature) -> Vec<Key> {
        self.read()
            .iter()
            .filter_map(|secret| Key::derive(secret, signature).ok())
            .collect()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Secret>> {
        self.inner
            .secrets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Secret>> {
        self.inner
            .secrets
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn expecting(&self) -> std::sync::MutexGuard<'_, Option<(Instant, oneshot::Sender<Secret>)>> {
        self.inner
            .expecting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
