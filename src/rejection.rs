//! Why the layer answered instead of the handler: typed rejections with configurable statuses.

use std::error::Error as StdError;
use std::fmt;

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use crate::BoxError;
use crate::store::StoreError;

/// A request the layer refused, or could not take in, before the handler ran.
///
/// Each variant has a [`RejectionKind`] whose default status can be changed with
/// [`WebhookLayer::with_status`](crate::WebhookLayer::with_status). The body is a short
/// plain-text reason that never echoes request data.
///
/// ```
/// use axum_core::response::IntoResponse;
/// use tower_webhooks::Rejection;
///
/// let response = Rejection::InvalidSignature.into_response();
/// assert_eq!(response.status(), 401);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Rejection {
    /// The signature header is absent.
    MissingSignature,
    /// The signature header (or a header the signature needs) cannot be parsed.
    MalformedSignature(&'static str),
    /// No signature matches any configured secret.
    InvalidSignature,
    /// The signature is authentic but its timestamp is outside the tolerance.
    StaleTimestamp,
    /// The body is larger than the layer's limit.
    PayloadTooLarge,
    /// The body did not arrive within the layer's read timeout.
    BodyTimeout,
    /// The body could not be read (the connection failed).
    BodyRead(BoxError),
    /// The body's length is not the one its `Content-Length` declared.
    LengthMismatch,
    /// The provider does not deliver with this method.
    MethodNotAllowed,
    /// A handshake request whose challenge cannot be echoed.
    InvalidChallenge(&'static str),
    /// The dedup store could not record the delivery; the provider should retry.
    StoreUnavailable(StoreError),
    /// The key the delivery names could not be fetched from the provider now; it should retry.
    KeyUnavailable(crate::keys::ResolveError),
    /// The delivery is authentic but cannot be processed (not JSON, no id), and the ack policy
    /// does not acknowledge it.
    Unprocessable(&'static str),
    /// The same delivery is being processed right now, and the first attempt may yet be lost:
    /// under [`Ack::Passthrough`](crate::Ack::Passthrough) it may fail, and with a shared store
    /// its replica may die holding the claim. The provider should retry.
    InFlight,
    /// A verification handshake whose verify token is not the configured one (Meta's
    /// `hub.verify_token`).
    InvalidVerifyToken,
    /// A verified subscription confirmation (Amazon SNS's `SubscriptionConfirmation`) whose URL
    /// could not be visited now; the reason names no secret. The provider should try again.
    ConfirmationFailed(String),
    /// The destination (a JetStream stream, a Redis stream) did not take the delivery; the
    /// claim was released and the provider should retry.
    DestinationUnavailable(crate::destination::DestinationError),
}

/// The kind of a [`Rejection`], to configure its status.
///
/// ```
/// use http::StatusCode;
/// use tower_webhooks::{Rejection, RejectionKind};
///
/// assert_eq!(Rejection::StaleTimestamp.kind(), RejectionKind::StaleTimestamp);
/// assert_eq!(RejectionKind::PayloadTooLarge.default_status(), StatusCode::PAYLOAD_TOO_LARGE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionKind {
    /// [`Rejection::MissingSignature`], default 401.
    MissingSignature,
    /// [`Rejection::MalformedSignature`], default 401.
    MalformedSignature,
    /// [`Rejection::InvalidSignature`], default 401.
    InvalidSignature,
    /// [`Rejection::StaleTimestamp`], default 401.
    StaleTimestamp,
    /// [`Rejection::PayloadTooLarge`], default 413.
    PayloadTooLarge,
    /// [`Rejection::BodyTimeout`], default 408.
    BodyTimeout,
    /// [`Rejection::BodyRead`], default 400.
    BodyRead,
    /// [`Rejection::LengthMismatch`], default 400.
    LengthMismatch,
    /// [`Rejection::MethodNotAllowed`], default 405.
    MethodNotAllowed,
    /// [`Rejection::InvalidChallenge`], default 400.
    InvalidChallenge,
    /// [`Rejection::StoreUnavailable`], default 503.
    StoreUnavailable,
    /// [`Rejection::Unprocessable`], default 422.
    Unprocessable,
    /// [`Rejection::InFlight`], default 409.
    InFlight,
    /// [`Rejection::InvalidVerifyToken`], default 403.
    InvalidVerifyToken,
    /// [`Rejection::KeyUnavailable`], default 503.
    KeyUnavailable,
    /// [`Rejection::ConfirmationFailed`], default 503.
    ConfirmationFailed,
    /// [`Rejection::DestinationUnavailable`], default 503.
    DestinationUnavailable,
}

impl RejectionKind {
    pub(crate) const ALL: [RejectionKind; 17] = [
        RejectionKind::MissingSignature,
        RejectionKind::MalformedSignature,
        RejectionKind::InvalidSignature,
        RejectionKind::StaleTimestamp,
        RejectionKind::PayloadTooLarge,
        RejectionKind::BodyTimeout,
        RejectionKind::BodyRead,
        RejectionKind::LengthMismatch,
        RejectionKind::MethodNotAllowed,
        RejectionKind::InvalidChallenge,
        RejectionKind::StoreUnavailable,
        RejectionKind::Unprocessable,
        RejectionKind::InFlight,
        RejectionKind::InvalidVerifyToken,
        RejectionKind::KeyUnavailable,
        RejectionKind::ConfirmationFailed,
        RejectionKind::DestinationUnavailable,
    ];

    /// The kind's name in snake case, as metrics label it (`invalid_signature`).
    ///
    /// ```
    /// use tower_webhooks::RejectionKind;
    ///
    /// assert_eq!(RejectionKind::StaleTimestamp.as_str(), "stale_timestamp");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectionKind::MissingSignature => "missing_signature",
            RejectionKind::MalformedSignature => "malformed_signature",
            RejectionKind::InvalidSignature => "invalid_signature",
            RejectionKind::StaleTimestamp => "stale_timestamp",
            RejectionKind::PayloadTooLarge => "payload_too_large",
            RejectionKind::BodyTimeout => "body_timeout",
            RejectionKind::BodyRead => "body_read",
            RejectionKind::LengthMismatch => "length_mismatch",
            RejectionKind::MethodNotAllowed => "method_not_allowed",
            RejectionKind::InvalidChallenge => "invalid_challenge",
            RejectionKind::StoreUnavailable => "store_unavailable",
            RejectionKind::Unprocessable => "unprocessable",
            RejectionKind::InFlight => "in_flight",
            RejectionKind::InvalidVerifyToken => "invalid_verify_token",
            RejectionKind::KeyUnavailable => "key_unavailable",
            RejectionKind::ConfirmationFailed => "confirmation_failed",
            RejectionKind::DestinationUnavailable => "destination_unavailable",
        }
    }

    /// The status used unless configured otherwise.
    pub const fn default_status(self) -> StatusCode {
        match self {
            RejectionKind::MissingSignature
            | RejectionKind::MalformedSignature
            | RejectionKind::InvalidSignature
            | RejectionKind::StaleTimestamp => StatusCode::UNAUTHORIZED,
            RejectionKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            RejectionKind::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            RejectionKind::BodyRead
            | RejectionKind::LengthMismatch
            | RejectionKind::InvalidChallenge => StatusCode::BAD_REQUEST,
            RejectionKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            RejectionKind::StoreUnavailable
            | RejectionKind::KeyUnavailable
            | RejectionKind::ConfirmationFailed
            | RejectionKind::DestinationUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            RejectionKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            RejectionKind::InFlight => StatusCode::CONFLICT,
            RejectionKind::InvalidVerifyToken => StatusCode::FORBIDDEN,
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl Rejection {
    /// The kind of this rejection.
    pub fn kind(&self) -> RejectionKind {
        match self {
            Rejection::MissingSignature => RejectionKind::MissingSignature,
            Rejection::MalformedSignature(_) => RejectionKind::MalformedSignature,
            Rejection::InvalidSignature => RejectionKind::InvalidSignature,
            Rejection::StaleTimestamp => RejectionKind::StaleTimestamp,
            Rejection::PayloadTooLarge => RejectionKind::PayloadTooLarge,
            Rejection::BodyTimeout => RejectionKind::BodyTimeout,
            Rejection::BodyRead(_) => RejectionKind::BodyRead,
            Rejection::LengthMismatch => RejectionKind::LengthMismatch,
            Rejection::MethodNotAllowed => RejectionKind::MethodNotAllowed,
            Rejection::InvalidChallenge(_) => RejectionKind::InvalidChallenge,
            Rejection::StoreUnavailable(_) => RejectionKind::StoreUnavailable,
            Rejection::Unprocessable(_) => RejectionKind::Unprocessable,
            Rejection::InFlight => RejectionKind::InFlight,
            Rejection::InvalidVerifyToken => RejectionKind::InvalidVerifyToken,
            Rejection::KeyUnavailable(_) => RejectionKind::KeyUnavailable,
            Rejection::ConfirmationFailed(_) => RejectionKind::ConfirmationFailed,
            Rejection::DestinationUnavailable(_) => RejectionKind::DestinationUnavailable,
        }
    }

    /// The default status of this rejection.
    pub fn status(&self) -> StatusCode {
        self.kind().default_status()
    }

    /// The response with the given status (the layer passes its configured one).
    pub(crate) fn into_response_with(self, status: StatusCode) -> Response {
        let mut response = Response::new(Body::from(self.to_string()));
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingSignature => f.write_str("webhook signature header is missing"),
            Rejection::MalformedSignature(why) => {
                write!(f, "webhook signature is malformed: {why}")
            }
            Rejection::InvalidSignature => f.write_str("webhook signature does not match"),
            Rejection::StaleTimestamp => {
                f.write_str("webhook timestamp is outside the accepted tolerance")
            }
            Rejection::PayloadTooLarge => f.write_str("webhook body is larger than the limit"),
            Rejection::BodyTimeout => f.write_str("webhook body was not received in time"),
            Rejection::BodyRead(_) => f.write_str("webhook body could not be read"),
            Rejection::LengthMismatch => {
                f.write_str("webhook body length differs from its Content-Length")
            }
            Rejection::MethodNotAllowed => f.write_str("method not allowed for this webhook"),
            Rejection::InvalidChallenge(why) => write!(f, "invalid handshake: {why}"),
            Rejection::StoreUnavailable(_) => {
                f.write_str("webhook could not be recorded, retry later")
            }
            Rejection::Unprocessable(why) => write!(f, "webhook cannot be processed: {why}"),
            Rejection::InFlight => {
                f.write_str("this webhook delivery is being processed, retry later")
            }
            Rejection::InvalidVerifyToken => {
                f.write_str("invalid handshake: verify token does not match")
            }
            Rejection::KeyUnavailable(_) => {
                f.write_str("webhook signing key could not be fetched, retry later")
            }
            Rejection::ConfirmationFailed(_) => {
                f.write_str("webhook subscription could not be confirmed, retry later")
            }
            Rejection::DestinationUnavailable(_) => {
                f.write_str("webhook could not be published, retry later")
            }
        }
    }
}

impl StdError for Rejection {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Rejection::BodyRead(err) => Some(err.as_ref()),
            Rejection::StoreUnavailable(err) => Some(err),
            Rejection::KeyUnavailable(err) => Some(err),
            Rejection::DestinationUnavailable(err) => Some(err),
            _ => None,
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = self.status();
        self.into_response_with(status)
    }
}

/// The status of each rejection kind, as configured.
#[derive(Debug, Clone)]
pub(crate) struct Statuses([StatusCode; RejectionKind::ALL.len()]);

impl Default for Statuses {
    fn default() -> Self {
        Self(RejectionKind::ALL.map(RejectionKind::default_status))
    }
}

impl Statuses {
    pub(crate) fn get(&self, kind: RejectionKind) -> StatusCode {
        self.0[kind.index()]
    }

    pub(crate) fn set(&mut self, kind: RejectionKind, status: StatusCode) {
        self.0[kind.index()] = status;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_index_their_own_slot() {
        for (i, kind) in RejectionKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
        }
    }

    #[test]
    fn statuses_are_configurable() {
        let mut statuses = Statuses::default();
        assert_eq!(
            statuses.get(RejectionKind::InvalidSignature),
            StatusCode::UNAUTHORIZED
        );
        statuses.set(RejectionKind::InvalidSignature, StatusCode::FORBIDDEN);
        assert_eq!(
            statuses.get(RejectionKind::InvalidSignature),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            statuses.get(RejectionKind::StaleTimestamp),
            StatusCode::UNAUTHORIZED
        );
    }

    #[test]
    fn body_is_a_short_reason() {
        let response = Rejection::MalformedSignature("signature is not hex").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
    }
}
