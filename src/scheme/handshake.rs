//! The handshakes a scheme may have: what a provider sends to check the URL, and what it wants back.
//!
//! Answering them is [`crate::handshake`]'s work; this is only their description.

use std::borrow::Cow;

use http::{HeaderName, Method};

use super::{Encoding, Pointer, Source};
use crate::Secret;

/// A handshake a provider performs before (or besides) delivering events.
///
/// Two happen before verification, on a `GET` that carries no signature: [`EchoJson`]
/// (Wappcloud) and [`VerifyToken`] (Meta). Two are signed `POST` events answered after the
/// signature passed, instead of calling the handler: [`SignedEcho`] (Slack) and [`SignedMac`]
/// (Zoom).
///
/// [`EchoJson`]: Handshake::EchoJson
/// [`VerifyToken`]: Handshake::VerifyToken
/// [`SignedEcho`]: Handshake::SignedEcho
/// [`SignedMac`]: Handshake::SignedMac
///
/// ```
/// use tower_webhooks::scheme::Handshake;
///
/// // Wappcloud: `GET ?challenge=abc123` answered with `{"challenge":"abc123"}`.
/// let wappcloud = Handshake::echo_json("challenge", "challenge");
/// // Meta: `GET ?hub.mode=subscribe&hub.verify_token=<yours>&hub.challenge=<n>` answered `<n>`.
/// let meta = Handshake::verify_token("my-verify-token");
/// // Slack: the signed `{"type":"url_verification","challenge":".."}` answered with the challenge.
/// let slack = Handshake::signed_echo(&["type"], "url_verification", &["challenge"], "challenge");
/// # let _ = (wappcloud, meta, slack);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handshake {
    /// `GET ?<param>=<value>` is answered `200 application/json` with `{"<key>":"<value>"}`;
    /// the handler is not called.
    EchoJson {
        /// The query parameter that carries the challenge.
        param: Cow<'static, str>,
        /// The JSON key of the answer.
        key: Cow<'static, str>,
    },
    /// `GET ?<param>=<value>` is answered `200 text/plain` (with `nosniff`) with `<value>` as is
    /// (Dropbox's `?challenge=`); the handler is not called.
    EchoText {
        /// The query parameter that carries the challenge.
        param: Cow<'static, str>,
    },
    /// A `GET` carrying the `header` is answered `200 application/json` with
    /// `{"<key>":"<the header's value>"}` (Okta's `X-Okta-Verification-Challenge`).
    HeaderEchoJson {
        /// The header that carries the challenge.
        header: HeaderName,
        /// The JSON key of the answer.
        key: Cow<'static, str>,
    },
    /// `GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<value>` is answered
    /// `200 text/plain` with `<value>` when the token matches (compared in constant time), `403`
    /// otherwise. The token is one you choose in the provider's console, not the app secret.
    VerifyToken {
        /// The verify token.
        token: Secret,
    },
    /// `GET ?<param>=<value>` is answered `200 application/json` with
    /// `{"<key>": "<prefix><MAC of value>"}`, the MAC made with the first configured secret and
    /// encoded as the scheme's signatures are (X's CRC: `response_token: sha256=<base64>`).
    QueryMac {
        /// The query parameter that carries the token.
        param: Cow<'static, str>,
        /// The JSON key of the answer.
        key: Cow<'static, str>,
        /// What precedes the encoded MAC, such as `sha256=`.
        prefix: Cow<'static, str>,
        /// How the MAC is encoded.
        encoding: Encoding,
    },
    /// A signed delivery whose JSON `event` field equals `value` is answered `200
    /// application/json` with `{"<key>": <the string at challenge>}` instead of reaching the
    /// handler.
    SignedEcho {
        /// Where the event type is.
        event: Pointer,
        /// The type that marks the handshake.
        value: Cow<'static, str>,
        /// Where the challenge is.
        challenge: Pointer,
        /// The JSON key of the answer.
        key: Cow<'static, str>,
    },
    /// A signed delivery whose JSON `event` field equals `value` is answered `200
    /// application/json` with `{"<token_key>": t, "<mac_key>": <hex HMAC(secret, t)>}`, where `t`
    /// is the string at `token`, and the HMAC uses the secret that verified the delivery.
    SignedMac {
        /// Where the event type is.
        event: Pointer,
        /// The type that marks the handshake.
        value: Cow<'static, str>,
        /// Where the token is.
        token: Pointer,
        /// The JSON key echoing the token.
        token_key: Cow<'static, str>,
        /// The JSON key of the MAC.
        mac_key: Cow<'static, str>,
    },
    /// A signed delivery whose `event` (a header or a JSON field) equals `value` is answered
    /// `200 text/plain` with the string at `challenge`, as is (Twitch's
    /// `webhook_callback_verification`, marked by the `Twitch-Eventsub-Message-Type` header).
    SignedEchoText {
        /// Where the type is: a header or a JSON field.
        event: Source,
        /// The type that marks the handshake.
        value: Cow<'static, str>,
        /// Where the challenge is.
        challenge: Pointer,
    },
    /// A signed delivery whose JSON `event` field equals `value` is answered `200
    /// application/json` with the fixed `answer` (Discord's PING, `{"type":1}`); an empty
    /// `answer` is an empty 200, without a content type (Xero's intent to receive).
    SignedReply {
        /// Where the event type is.
        event: Pointer,
        /// The type that marks the handshake.
        value: Cow<'static, str>,
        /// The JSON answered.
        answer: Cow<'static, str>,
    },
    /// A POST carrying the secret for the deliveries to come in `header` (Asana's
    /// `X-Hook-Secret`), answered 200 with the header echoed. The secret is taken only while a
    /// [`HookSecret`](crate::HookSecret) expects it: the request is not authenticated.
    HookSecret {
        /// The header that carries the secret.
        header: HeaderName,
    },
    /// A signed delivery whose `event` (a header or a JSON field) equals `value` carries, at
    /// `url`, a URL the receiver must GET to confirm the subscription (Amazon SNS's
    /// `SubscriptionConfirmation` and its `SubscribeURL`). The layer GETs it with its
    /// `keys::Fetcher` (feature `fetch`: HTTPS, allowlisted hosts only) and answers 200 once
    /// the provider answered 200, 503 otherwise so that the provider tries again. A layer
    /// without a fetcher hands the delivery to the handler instead.
    ConfirmUrl {
        /// Where the type is: a header or a JSON field.
        event: Source,
        /// The type that marks the confirmation.
        value: Cow<'static, str>,
        /// Where the URL to GET is.
        url: Pointer,
    },
}

impl Handshake {
    /// A `GET ?<param>=` echo answered as JSON `{"<key>": value}`.
    pub fn echo_json(
        param: impl Into<Cow<'static, str>>,
        key: impl Into<Cow<'static, str>>,
    ) -> Self {
        Handshake::EchoJson {
            param: param.into(),
            key: key.into(),
        }
    }

    /// A `GET ?<param>=` echo answered as plain text, the value as is (Dropbox).
    ///
    /// ```
    /// use tower_webhooks::scheme::Handshake;
    ///
    /// let dropbox = Handshake::echo_text("challenge");
    /// # let _ = dropbox;
    /// ```
    pub fn echo_text(param: impl Into<Cow<'static, str>>) -> Self {
        Handshake::EchoText {
            param: param.into(),
        }
    }

    /// A `GET` whose `header` carries the challenge, answered `{"<key>": value}` (Okta).
    ///
    /// ```
    /// use http::HeaderName;
    /// use tower_webhooks::scheme::Handshake;
    ///
    /// let okta = Handshake::header_echo_json(
    ///     HeaderName::from_static("x-okta-verification-challenge"),
    ///     "verification",
    /// );
    /// # let _ = okta;
    /// ```
    pub fn header_echo_json(header: HeaderName, key: impl Into<Cow<'static, str>>) -> Self {
        Handshake::HeaderEchoJson {
            header,
            key: key.into(),
        }
    }

    /// A `GET ?<param>=` token answered with its MAC as `{"<key>": "<prefix><MAC>"}` (X's CRC).
    pub fn query_mac(
        param: impl Into<Cow<'static, str>>,
        key: impl Into<Cow<'static, str>>,
        prefix: impl Into<Cow<'static, str>>,
        encoding: Encoding,
    ) -> Self {
        Handshake::QueryMac {
            param: param.into(),
            key: key.into(),
            prefix: prefix.into(),
            encoding,
        }
    }

    /// Meta's `hub.challenge` verification with `token` as the verify token.
    pub fn verify_token(token: impl Into<Secret>) -> Self {
        Handshake::VerifyToken {
            token: token.into(),
        }
    }

    /// A signed event of type `value` (at the JSON path `event`) answered with the string at
    /// `challenge`, as `{"<key>": challenge}`.
    pub fn signed_echo(
        event: &[&str],
        value: impl Into<Cow<'static, str>>,
        challenge: &[&str],
        key: impl Into<Cow<'static, str>>,
    ) -> Self {
        Handshake::SignedEcho {
            event: Pointer::from_keys(event),
            value: value.into(),
            challenge: Pointer::from_keys(challenge),
            key: key.into(),
        }
    }

    /// A signed event of type `value` (at the JSON path `event`) answered with the token at
    /// `token` and its hex HMAC, as `{"<token_key>": t, "<mac_key>": mac}`.
    pub fn signed_mac(
        event: &[&str],
        value: impl Into<Cow<'static, str>>,
        token: &[&str],
        token_key: impl Into<Cow<'static, str>>,
        mac_key: impl Into<Cow<'static, str>>,
    ) -> Self {
        Handshake::SignedMac {
            event: Pointer::from_keys(event),
            value: value.into(),
            token: Pointer::from_keys(token),
            token_key: token_key.into(),
            mac_key: mac_key.into(),
        }
    }

    /// A signed event of type `value` (at the JSON path `event`) answered with the fixed JSON
    /// `answer`: Discord's PING.
    ///
    /// ```
    /// use tower_webhooks::scheme::Handshake;
    ///
    /// let discord = Handshake::signed_reply(&["type"], "1", r#"{"type":1}"#);
    /// # let _ = discord;
    /// ```
    pub fn signed_reply(
        event: &[&str],
        value: impl Into<Cow<'static, str>>,
        answer: impl Into<Cow<'static, str>>,
    ) -> Self {
        Handshake::SignedReply {
            event: Pointer::from_keys(event),
            value: value.into(),
            answer: answer.into(),
        }
    }

    /// A signed event marked by `value` in `event` (a header or a JSON field), answered with
    /// the string at `challenge` as plain text: Twitch's callback verification.
    ///
    /// ```
    /// use http::HeaderName;
    /// use tower_webhooks::scheme::{Handshake, Source};
    ///
    /// let twitch = Handshake::signed_echo_text(
    ///     Source::header(HeaderName::from_static("twitch-eventsub-message-type")),
    ///     "webhook_callback_verification",
    ///     &["challenge"],
    /// );
    /// # let _ = twitch;
    /// ```
    pub fn signed_echo_text(
        event: Source,
        value: impl Into<Cow<'static, str>>,
        challenge: &[&str],
    ) -> Self {
        Handshake::SignedEchoText {
            event,
            value: value.into(),
            challenge: Pointer::from_keys(challenge),
        }
    }

    /// Asana's handshake: the secret arrives in `header` and is echoed.
    ///
    /// ```
    /// use tower_webhooks::scheme::Handshake;
    ///
    /// let asana = Handshake::hook_secret(http::HeaderName::from_static("x-hook-secret"));
    /// assert_eq!(asana.method(), "POST");
    /// ```
    pub fn hook_secret(header: HeaderName) -> Self {
        Handshake::HookSecret { header }
    }

    /// The method the handshake arrives with.
    pub fn method(&self) -> &Method {
        match self {
            Handshake::EchoJson { .. }
            | Handshake::EchoText { .. }
            | Handshake::HeaderEchoJson { .. }
            | Handshake::VerifyToken { .. }
            | Handshake::QueryMac { .. } => &Method::GET,
            Handshake::SignedEcho { .. }
            | Handshake::SignedMac { .. }
            | Handshake::SignedEchoText { .. }
            | Handshake::SignedReply { .. }
            | Handshake::ConfirmUrl { .. }
            | Handshake::HookSecret { .. } => &Method::POST,
        }
    }

    /// For a signed handshake: where its type is, the type that marks it, and where its token
    /// is (if it has one).
    pub(crate) fn signed_fields(&self) -> Option<(Marker<'_>, &str, Option<&Pointer>)> {
        match self {
            Handshake::SignedEcho {
                event,
                value,
                challenge,
                ..
            } => Some((Marker::Json(event), value, Some(challenge))),
            Handshake::SignedMac {
                event,
                value,
                token,
                ..
            } => Some((Marker::Json(event), value, Some(token))),
            Handshake::SignedEchoText {
                event,
                value,
                challenge,
            } => {
                let marker = match event {
                    Source::Json(pointer) => Marker::Json(pointer),
                    Source::Header(name) => Marker::Header(name),
                };
                Some((marker, value, Some(challenge)))
            }
            Handshake::SignedReply { event, value, .. } => Some((Marker::Json(event), value, None)),
            Handshake::ConfirmUrl { event, value, url } => {
                let marker = match event {
                    Source::Json(pointer) => Marker::Json(pointer),
                    Source::Header(name) => Marker::Header(name),
                };
                Some((marker, value, Some(url)))
            }
            Handshake::HookSecret { .. }
            | Handshake::EchoJson { .. }
            | Handshake::EchoText { .. }
            | Handshake::HeaderEchoJson { .. }
            | Handshake::VerifyToken { .. }
            | Handshake::QueryMac { .. } => None,
        }
    }
}

/// Where a signed handshake's type is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Marker<'a> {
    Json(&'a Pointer),
    Header(&'a HeaderName),
}
