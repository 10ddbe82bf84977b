//! HCP Terraform (Terraform Cloud) notifications.
//!
//! `x-tfe-notification-signature: <hex HMAC-SHA512>` over `<body>`, keyed with the secret as
//! written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/notifications/0/trigger`.
//! HMAC-SHA512 with the notification token; the `verification` delivery sent when a notification
//! is enabled is signed the same way and reaches the handler (answer 2xx).
//!
//! Documentation:
//! <https://developer.hashicorp.com/terraform/cloud-docs/api-docs/notification-configurations#notification-authenticity>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Hash, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.hashicorp.com/terraform/cloud-docs/api-docs/notification-configurations#notification-authenticity";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"payload_version":1,"notification_configuration_id":"nc-AeUQ2zfKZzW9TiGZ","run_url":"https://app.terraform.io/app/acme/ws/runs/run-1","run_id":"run-1","notifications":[{"message":"Run applied","trigger":"run:completed","run_status":"applied","run_updated_at":"2023-11-14T22:13:20.000Z"}]}"#;

/// The HCP Terraform (Terraform Cloud) notifications scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::terraform_cloud::scheme();
/// assert_eq!(scheme.provider(), "terraform-cloud");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("terraform-cloud")
        .signature(
            Signature::new(HeaderName::from_static("x-tfe-notification-signature"))
                .hash(Hash::Sha512),
        )
        .event_type(Source::json_path(&["notifications", "0", "trigger"]))
        .into_scheme()
}

/// A HCP Terraform (Terraform Cloud) notifications delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::terraform_cloud;
///
/// let event: terraform_cloud::Event = serde_json::from_str(terraform_cloud::SAMPLE)?;
/// assert_eq!(event.event_type(), Some("run:completed"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The `notifications` object (read by pointer, so that every shape of it is kept).
    #[serde(default)]
    pub notifications: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event type, `/notifications/0/trigger`.
    pub fn event_type(&self) -> Option<&str> {
        self.notifications.pointer("/0/trigger").and_then(serde_json::Value::as_str)
    }
}
