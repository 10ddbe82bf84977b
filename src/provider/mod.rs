//! Provider presets: each one a [`Scheme`] made of shared parts, plus
//! typed payloads with an event-type accessor.
//!
//! The table is generated from the presets themselves (a unit test compares it with this page and
//! the README). `<sig>` is the encoded MAC, `<t>` the timestamp as sent.
//!
//! <!-- providers:start -->
//! 78 presets, each checked against its vector file.
//!
//! | preset | signature header | signed message | MAC | timestamp, tolerance | handshake | dedup key | event type | docs |
//! |---|---|---|---|---|---|---|---|---|
//! | `WebhookLayer::ycloud(secret)` | `ycloud-signature: t=<t>,s=<sig>[,s=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `t`, 300 s | none | JSON `/id` | JSON `/type` | [docs](https://docs.ycloud.com/reference/configure-webhooks) |
//! | `WebhookLayer::wappcloud(secret)` | `x-wappcloud-signature: sha256=<sig>` | `<body>` | hex HMAC-SHA256 | none | `GET ?challenge=<v>` → `{"challenge":"<v>"}` | body SHA-256 | `x-wappcloud-event` | [docs](https://docs.wappcloud.com/webhooks) |
//! | `WebhookLayer::yeastar(secret)` | `x-signature: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | body SHA-256 | JSON `/event` | [docs](https://help.yeastar.com/en/p-series-cloud-edition/developer-guide/webhook.html) |
//! | `WebhookLayer::conversation()` | `x-signature: sha256=<sig>` (once a secret is set) | `<body>` | hex HMAC-SHA256 | none | none | JSON `/data/id` + JSON `/data/status` | JSON `/data/type` | [docs](https://docs.ycloud.com/reference/whatsapp-messaging-webhook-examples) |
//! | `WebhookLayer::standard_webhooks(secret)` | `webhook-signature: v1,<sig>[ v1,<sig>…]` | `<id>.<t>.<body>` | base64 HMAC-SHA256, key = base64 after `whsec_`; `v1a,` entries: base64 Ed25519, public key = base64 after `whpk_` | `webhook-timestamp`, 300 s | none | `webhook-id` | JSON `/type` | [docs](https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md) |
//! | `WebhookLayer::svix(secret)` | `svix-signature: v1,<sig>[ v1,<sig>…]` | `<id>.<t>.<body>` | base64 HMAC-SHA256, key = base64 after `whsec_` | `svix-timestamp`, 300 s | none | `svix-id` | JSON `/type` | [docs](https://docs.svix.com/receiving/verifying-payloads/how-manual) |
//! | `WebhookLayer::stripe(secret)` | `stripe-signature: t=<t>,v1=<sig>[,v1=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `t`, 300 s | none | JSON `/id` | JSON `/type` | [docs](https://docs.stripe.com/webhooks#verify-manually) |
//! | `WebhookLayer::github(secret)` | `x-hub-signature-256: sha256=<sig>` | `<body>` | hex HMAC-SHA256 | none | none | `x-github-delivery`, else body SHA-256 | `x-github-event` | [docs](https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries) |
//! | `WebhookLayer::slack(signing_secret)` | `x-slack-signature: v0=<sig>` | `v0:<t>:<body>` | hex HMAC-SHA256 | `x-slack-request-timestamp`, 300 s | signed POST with `/type = "url_verification"` → `{"challenge": /challenge}` | JSON or form `/event_id`, else body SHA-256 | JSON or form `/event/type`, else JSON or form `/type`, else JSON or form `/payload/type`, else JSON or form `/command` | [docs](https://api.slack.com/authentication/verifying-requests-from-slack) |
//! | `WebhookLayer::meta(app_secret, verify_token)` | `x-hub-signature-256: sha256=<sig>` | `<body>` | hex HMAC-SHA256 | none | `GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=<v>` → `<v>` if the token matches, else 403 | body SHA-256 | JSON `/object` | [docs](https://developers.facebook.com/docs/graph-api/webhooks/getting-started) |
//! | `WebhookLayer::shopify(secret)` | `x-shopify-hmac-sha256: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | `x-shopify-webhook-id` | `x-shopify-topic` | [docs](https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook) |
//! | `WebhookLayer::twilio(auth_token, public_base_url)` | `x-twilio-signature: <sig>` | `<public url><sorted form params>`; JSON bodies: `<public url>?bodySHA256=<hex SHA-256 of body>` | base64 HMAC-SHA1 | none | none | `i-twilio-idempotency-token`, else body SHA-256 | JSON or form `/MessageStatus`, else JSON or form `/CallStatus` | [docs](https://www.twilio.com/docs/usage/webhooks/webhooks-security) |
//! | `WebhookLayer::zoom(secret_token)` | `x-zm-signature: v0=<sig>` | `v0:<t>:<body>` | hex HMAC-SHA256 | `x-zm-request-timestamp`, 300 s | signed POST with `/event = "endpoint.url_validation"` → `{"plainToken": /payload/plainToken, "encryptedToken": hex HMAC(/payload/plainToken)}` | body SHA-256 | JSON `/event` | [docs](https://developers.zoom.us/docs/api/webhooks/) |
//! | `WebhookLayer::paddle(secret)` | `paddle-signature: ts=<t>;h1=<sig>[;h1=<sig>…]` | `<t>:<body>` | hex HMAC-SHA256 | pair `ts`, 5 s | none | JSON `/event_id` | JSON `/event_type` | [docs](https://developer.paddle.com/webhooks/signature-verification) |
//! | `WebhookLayer::intercom(client_secret)` | `x-hub-signature: sha1=<sig>` | `<body>` | hex HMAC-SHA1 | none | none | JSON `/id` | JSON `/topic` | [docs](https://developers.intercom.com/docs/webhooks/setting-up-webhooks) |
//! | `WebhookLayer::x(consumer_secret)` | `x-twitter-webhooks-signature: sha256=<sig>` | `<body>` | base64 HMAC-SHA256 | none | `GET ?crc_token=<v>` → `{"response_token":"sha256=<base64 HMAC(<v>)>"}` | body SHA-256 | none | [docs](https://docs.x.com/x-api/webhooks/introduction) |
//! | `WebhookLayer::twitch(secret)` | `twitch-eventsub-message-signature: sha256=<sig>` | `<id><t><body>` | hex HMAC-SHA256 | `twitch-eventsub-message-timestamp` (RFC 3339), 600 s | signed POST with `twitch-eventsub-message-type = "webhook_callback_verification"` → `/challenge` as text | `twitch-eventsub-message-id` | JSON `/subscription/type` | [docs](https://dev.twitch.tv/docs/eventsub/handling-webhook-events) |
//! | `WebhookLayer::linear(signing_secret)` | `linear-signature: <sig>` | `<body>` | hex HMAC-SHA256 | JSON `/webhookTimestamp` (ms), 60 s | none | `linear-delivery`, else body SHA-256 | JSON `/type` | [docs](https://linear.app/developers/webhooks) |
//! | `WebhookLayer::dropbox(app_secret)` | `x-dropbox-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | `GET ?challenge=<v>` → `<v>` as text | body SHA-256 | none | [docs](https://www.dropbox.com/developers/reference/webhooks) |
//! | `WebhookLayer::gitlab(secret_token)` | `x-gitlab-token: <secret>` | nothing (the body is not covered) | none: the secret itself, compared in constant time | none | none | `x-gitlab-event-uuid`, else body SHA-256 | `x-gitlab-event` | [docs](https://docs.gitlab.com/user/project/integrations/webhooks/) |
//! | `WebhookLayer::okta(authorization)` | `authorization: <secret>` | nothing (the body is not covered) | none: the secret itself, compared in constant time | none | `GET with x-okta-verification-challenge: <v>` → `{"verification":"<v>"}` | JSON `/eventId`, else body SHA-256 | JSON `/eventType` | [docs](https://developer.okta.com/docs/concepts/event-hooks/) |
//! | `WebhookLayer::xero(webhook_key)` | `x-xero-signature: <sig>` | `<body>` | base64 HMAC-SHA256 | none | signed POST with `/firstEventSequence = 0` → empty 200 | body SHA-256 | none | [docs](https://developer.xero.com/documentation/webhooks/configuring-your-server) |
//! | `WebhookLayer::hubspot(client_secret, public_base_url)` | `x-hubspot-signature-v3: <sig>` | `<method><public url><body><t>` | base64 HMAC-SHA256 | `x-hubspot-request-timestamp` (ms), 300 s | none | body SHA-256 | none | [docs](https://developers.hubspot.com/docs/api/webhooks/validating-requests) |
//! | `WebhookLayer::square(signature_key, public_base_url)` | `x-square-hmacsha256-signature: <sig>` | `<public url><body>` | base64 HMAC-SHA256 | none | none | JSON `/event_id`, else body SHA-256 | JSON `/type` | [docs](https://developer.squareup.com/docs/webhooks/step3validate) |
//! | `WebhookLayer::box_webhooks(primary_key, secondary_key)` | `box-signature-primary: <sig>` or `box-signature-secondary: <sig>` | `<body><t>` | base64 HMAC-SHA256 | `box-delivery-timestamp` (RFC 3339), 600 s | none | JSON `/id`, else body SHA-256 | JSON `/trigger` | [docs](https://developer.box.com/guides/webhooks/v2/signatures-v2/) |
//! | `WebhookLayer::discord(public_key)` | `x-signature-ed25519: <sig>` | `<t><body>` | hex Ed25519, public key in hex | `x-signature-timestamp`, 300 s | signed POST with `/type = 1` → `{"type":1}` | JSON `/id` | JSON `/type` | [docs](https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers) |
//! | `WebhookLayer::telnyx(public_key)` | `telnyx-signature-ed25519: <sig>` | `<t>\|<body>` | base64 Ed25519, public key in base64 | `telnyx-timestamp`, 300 s | none | JSON `/data/id` | JSON `/data/event_type` | [docs](https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks) |
//! | `WebhookLayer::sendgrid(public_key)` | `x-twilio-email-event-webhook-signature: <sig>` | `<t><body>` | base64 DER ECDSA P-256 SHA-256, public key in base64 | `x-twilio-email-event-webhook-timestamp`, 86400 s | none | body SHA-256 | none | [docs](https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features) |
//! | `WebhookLayer::asana(&hook_secret)` | `x-hook-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | POST with `x-hook-secret: <s>` → 200 echoing it, and `<s>` signs what follows (taken only while expected) | body SHA-256 | none | [docs](https://developers.asana.com/docs/webhooks-guide) |
//! | `WebhookLayer::github_secret_scanning()` | `github-public-key-signature: <sig>` | `<body>` | base64 DER ECDSA P-256 SHA-256, key named by `github-public-key-identifier` from the provider's list | none | none | body SHA-256 | none | [docs](https://docs.github.com/en/code-security/secret-scanning/secret-scanning-partnership-program/secret-scanning-partner-program) |
//! | `WebhookLayer::sns()` | none: JSON `/Signature` in the body | `Message\n<JSON /Message>\nMessageId\n<JSON /MessageId>\n[Subject\n<JSON /Subject>\n][SubscribeURL\n<JSON /SubscribeURL>\n]Timestamp\n<JSON /Timestamp>\n[Token\n<JSON /Token>\n]TopicArn\n<JSON /TopicArn>\nType\n<JSON /Type>\n` | base64 RSA PKCS#1 v1.5 (`1`: SHA-1, `2`: SHA-256 by JSON `/SignatureVersion`), certificate fetched from the URL in JSON `/SigningCertURL` (provider's hosts only) | JSON `/Timestamp` (RFC 3339), 3900 s | signed POST with `/Type = "SubscriptionConfirmation"` → the layer GETs `/SubscribeURL` (provider's hosts only), 200 once confirmed | JSON `/MessageId` | JSON `/Type` | [docs](https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html) |
//! | `WebhookLayer::paypal(webhook_id)` | `paypal-transmission-sig: <sig>` | `<paypal-transmission-id>\|<t>\|<webhook_id>\|<CRC-32 of body>` | base64 RSA PKCS#1 v1.5 SHA-256, certificate fetched from the URL in `paypal-cert-url` (provider's hosts only) | `paypal-transmission-time` (RFC 3339), 600 s | none | JSON `/id` | JSON `/event_type` | [docs](https://developer.paypal.com/api/rest/webhooks/rest/) |
//! | `WebhookLayer::plaid(client_id, secret)` | `plaid-verification: <JWT>` | `<JWT header>.<JWT claims>`, whose claim `request_body_sha256` is the hex SHA-256 of `<body>` | base64url JWS ES256 (P-256, `r‖s`), key named by the JWT's `kid`, asked of the provider | JWT claim `iat`, 300 s | none | body SHA-256 | JSON `/webhook_code` | [docs](https://plaid.com/docs/api/webhooks/webhook-verification/) |
//! | `WebhookLayer::aftership(secret)` | `aftership-hmac-sha256: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | JSON `/event_id` | JSON `/event` | [docs](https://www.aftership.com/docs/tracking/webhook/webhook-signature) |
//! | `WebhookLayer::airship(secret)` | `x-ua-signature: <sig>` | `<t>:<body>` | hex HMAC-SHA256 | `x-ua-timestamp`, 300 s | none | body SHA-256 | none | [docs](https://docs.airship.com/api/ua/#schemas-webhookrequest) |
//! | `WebhookLayer::alchemy(secret)` | `x-alchemy-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | JSON `/id` | JSON `/type` | [docs](https://www.alchemy.com/docs/reference/notify-api-quickstart#webhook-signature--security) |
//! | `WebhookLayer::autodesk(secret)` | `x-adsk-signature: sha1hash=<sig>` | `<body>` | hex HMAC-SHA1 | none | none | `x-adsk-delivery-id`, else body SHA-256 | JSON `/hook/event` | [docs](https://aps.autodesk.com/en/docs/webhooks/v1/developers_guide/callback-verification/) |
//! | `WebhookLayer::bitbucket(secret)` | `x-hub-signature: sha256=<sig>` | `<body>` | hex HMAC-SHA256 | none | none | `x-request-uuid`, else body SHA-256 | `x-event-key` | [docs](https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks) |
//! | `WebhookLayer::bolt(secret)` | `x-bolt-hmac-sha256: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | body SHA-256 | JSON `/type` | [docs](https://help.bolt.com/developers/webhooks/#verify-webhook-signatures) |
//! | `WebhookLayer::brex(secret)` | `webhook-signature: v1,<sig>[ v1,<sig>…]` | `<id>.<t>.<body>` | base64 HMAC-SHA256, key = base64 after `whsec_` | `webhook-timestamp`, 300 s | none | `webhook-id`, else body SHA-256 | JSON `/event_type` | [docs](https://developer.brex.com/docs/webhooks/#verifying-webhooks) |
//! | `WebhookLayer::buildkite(secret)` | `x-buildkite-signature: timestamp=<t>,signature=<sig>[,signature=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `timestamp`, 300 s | none | body SHA-256 | `x-buildkite-event` | [docs](https://buildkite.com/docs/apis/webhooks#webhook-signature) |
//! | `WebhookLayer::cal_com(secret)` | `x-cal-signature-256: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | body SHA-256 | JSON `/triggerEvent` | [docs](https://cal.com/docs/developing/guides/automation/webhooks#verifying-the-authenticity-of-the-received-payload) |
//! | `WebhookLayer::calendly(secret)` | `calendly-webhook-signature: t=<t>,v1=<sig>[,v1=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `t`, 180 s | none | body SHA-256 | JSON `/event` | [docs](https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures) |
//! | `WebhookLayer::castle(secret)` | `x-castle-signature: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | body SHA-256 | JSON `/type` | [docs](https://docs.castle.io/docs/webhooks#verifying-the-signature) |
//! | `WebhookLayer::circleci(secret)` | `circleci-signature: v1=<sig>[,v1=<sig>…]` | `<body>` | hex HMAC-SHA256 | none | none | JSON `/id` | JSON `/type` | [docs](https://circleci.com/docs/webhooks/#validate-webhooks) |
//! | `WebhookLayer::clerk(secret)` | `svix-signature: v1,<sig>[ v1,<sig>…]` | `<id>.<t>.<body>` | base64 HMAC-SHA256, key = base64 after `whsec_` | `svix-timestamp`, 300 s | none | `svix-id`, else body SHA-256 | JSON `/type` | [docs](https://clerk.com/docs/webhooks/sync-data#verify-the-webhook) |
//! | `WebhookLayer::coinbase_commerce(secret)` | `x-cc-webhook-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | JSON `/event/id` | JSON `/event/type` | [docs](https://docs.cdp.coinbase.com/commerce/docs/webhooks-security) |
//! | `WebhookLayer::customer_io(secret)` | `x-cio-signature: <sig>` | `v0:<t>:<body>` | hex HMAC-SHA256 | `x-cio-timestamp`, 300 s | none | JSON `/event_id` | JSON `/metric` | [docs](https://docs.customer.io/journeys/webhooks/#securely-verify-requests) |
//! | `WebhookLayer::docusign(secret)` | `x-docusign-signature-1: <sig>` or `x-docusign-signature-2: <sig>` or `x-docusign-signature-3: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | body SHA-256 | JSON `/event` | [docs](https://developers.docusign.com/platform/webhooks/connect/validate/) |
//! | `WebhookLayer::frameio(secret)` | `x-frameio-signature: v0=<sig>` | `v0:<t>:<body>` | hex HMAC-SHA256 | `x-frameio-request-timestamp`, 300 s | none | body SHA-256 | JSON `/type` | [docs](https://developer.frame.io/platform/v4/docs/guides/webhooks#webhook-signature-verification) |
//! | `WebhookLayer::heroku(secret)` | `heroku-webhook-hmac-sha256: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | `heroku-webhook-id`, else body SHA-256 | JSON `/action` | [docs](https://devcenter.heroku.com/articles/app-webhooks#securing-webhook-requests) |
//! | `WebhookLayer::jira(secret)` | `x-hub-signature: sha256=<sig>` | `<body>` | hex HMAC-SHA256 | none | none | `x-atlassian-webhook-identifier`, else body SHA-256 | JSON `/webhookEvent` | [docs](https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks) |
//! | `WebhookLayer::launchdarkly(secret)` | `x-ld-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | JSON `/_id` | JSON `/kind` | [docs](https://docs.launchdarkly.com/home/connect/webhooks#sign-webhooks) |
//! | `WebhookLayer::lemon_squeezy(secret)` | `x-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | body SHA-256 | `x-event-name` | [docs](https://docs.lemonsqueezy.com/help/webhooks/signing-requests) |
//! | `WebhookLayer::mailgun(secret)` | none: JSON `/signature/signature` in the body | `<JSON /signature/timestamp><JSON /signature/token>` | hex HMAC-SHA256 | JSON `/signature/timestamp`, 300 s | none | JSON `/signature/token` | JSON `/event-data/event` | [docs](https://documentation.mailgun.com/docs/mailgun/user-manual/events/webhooks#securing-webhooks) |
//! | `WebhookLayer::microsoft_teams(secret)` | `authorization: HMAC <sig>` | `<body>` | base64 HMAC-SHA256, key = base64 after `` | none | none | JSON `/id` | JSON `/type` | [docs](https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook#2-create-a-method-to-verify-the-outgoing-webhook-hmac-token) |
//! | `WebhookLayer::modern_treasury(secret)` | `x-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | `x-webhook-id`, else body SHA-256 | JSON `/event` | [docs](https://docs.moderntreasury.com/platform/reference/verify-webhooks) |
//! | `WebhookLayer::mollie(secret)` | `x-mollie-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | JSON `/id` | JSON `/type` | [docs](https://docs.mollie.com/reference/webhooks-new#verifying-webhook-signatures) |
//! | `WebhookLayer::mux(secret)` | `mux-signature: t=<t>,v1=<sig>[,v1=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `t`, 300 s | none | JSON `/id` | JSON `/type` | [docs](https://www.mux.com/docs/core/verify-webhook-signatures) |
//! | `WebhookLayer::pagerduty(secret)` | `x-pagerduty-signature: v1=<sig>[,v1=<sig>…]` | `<body>` | hex HMAC-SHA256 | none | none | `x-webhook-id`, else body SHA-256 | JSON `/event/event_type` | [docs](https://developer.pagerduty.com/docs/webhooks/webhook-signatures/) |
//! | `WebhookLayer::persona(secret)` | `persona-signature: t=<t>,v1=<sig>[,v1=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `t`, 300 s | none | JSON `/data/id` | JSON `/data/attributes/name` | [docs](https://docs.withpersona.com/docs/webhooks-best-practices#checking-signatures) |
//! | `WebhookLayer::pinwheel(secret)` | `x-pinwheel-signature: v2=<sig>` | `v2:<t>:<body>` | hex HMAC-SHA256 | `x-timestamp`, 300 s | none | JSON `/event_id` | JSON `/event` | [docs](https://docs.pinwheelapi.com/public/docs/webhook-signature-verification) |
//! | `WebhookLayer::pusher(secret)` | `x-pusher-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | body SHA-256 | none | [docs](https://pusher.com/docs/channels/server_api/webhooks/#authentication) |
//! | `WebhookLayer::razorpay(secret)` | `x-razorpay-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | `x-razorpay-event-id`, else body SHA-256 | JSON `/event` | [docs](https://razorpay.com/docs/webhooks/validate-test/) |
//! | `WebhookLayer::resend(secret)` | `svix-signature: v1,<sig>[ v1,<sig>…]` | `<id>.<t>.<body>` | base64 HMAC-SHA256, key = base64 after `whsec_` | `svix-timestamp`, 300 s | none | `svix-id`, else body SHA-256 | JSON `/type` | [docs](https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests) |
//! | `WebhookLayer::sanity(secret)` | `sanity-webhook-signature: t=<t>,v1=<sig>[,v1=<sig>…]` | `<t>.<body>` | base64url HMAC-SHA256 | pair `t` (ms), 300 s | none | `idempotency-key`, else body SHA-256 | `sanity-operation` | [docs](https://www.sanity.io/docs/webhooks#d3fc4f3d9c1c) |
//! | `WebhookLayer::sentry(secret)` | `sentry-hook-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | body SHA-256 | `sentry-hook-resource` | [docs](https://docs.sentry.io/organization/integrations/integration-platform/webhooks/#verifying-the-signature) |
//! | `WebhookLayer::signal_sciences(secret)` | `x-sigsci-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | none | body SHA-256 | JSON `/type` | [docs](https://docs.fastly.com/signalsciences/integrations/generic-webhooks/) |
//! | `WebhookLayer::sonatype(secret)` | `x-nexus-webhook-signature: <sig>` | `<body>` | hex HMAC-SHA1 | none | none | `x-nexus-webhook-delivery`, else body SHA-256 | `x-nexus-webhook-id` | [docs](https://help.sonatype.com/en/webhooks.html) |
//! | `WebhookLayer::terraform_cloud(secret)` | `x-tfe-notification-signature: <sig>` | `<body>` | hex HMAC-SHA512 | none | none | body SHA-256 | JSON `/notifications/0/trigger` | [docs](https://developer.hashicorp.com/terraform/cloud-docs/api-docs/notification-configurations#notification-authenticity) |
//! | `WebhookLayer::tiktok(secret)` | `tiktok-signature: t=<t>,s=<sig>[,s=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `t`, 300 s | none | body SHA-256 | JSON `/event` | [docs](https://developers.tiktok.com/doc/webhooks-verification) |
//! | `WebhookLayer::typeform(secret)` | `typeform-signature: sha256=<sig>` | `<body>` | base64 HMAC-SHA256 | none | none | JSON `/event_id` | JSON `/event_type` | [docs](https://www.typeform.com/developers/webhooks/secure-your-webhooks/) |
//! | `WebhookLayer::vercel(secret)` | `x-vercel-signature: <sig>` | `<body>` | hex HMAC-SHA1 | none | none | JSON `/id` | JSON `/type` | [docs](https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks) |
//! | `WebhookLayer::webex(secret)` | `x-spark-signature: <sig>` | `<body>` | hex HMAC-SHA1 | none | none | body SHA-256 | JSON `/event` | [docs](https://developer.webex.com/docs/webhooks#handling-requests-from-webex) |
//! | `WebhookLayer::webflow(secret)` | `x-webflow-signature: <sig>` | `<t>:<body>` | hex HMAC-SHA256 | `x-webflow-timestamp` (ms), 300 s | none | body SHA-256 | JSON `/triggerType` | [docs](https://developers.webflow.com/data/docs/working-with-webhooks#validating-request-signatures) |
//! | `WebhookLayer::woocommerce(secret)` | `x-wc-webhook-signature: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | `x-wc-webhook-delivery-id`, else body SHA-256 | `x-wc-webhook-topic` | [docs](https://woocommerce.com/document/webhooks/) |
//! | `WebhookLayer::worldline(secret)` | `x-gcs-signature: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | JSON `/id` | JSON `/type` | [docs](https://docs.connect.worldline-solutions.com/documentation/webhooks/) |
//! | `WebhookLayer::zendesk(secret)` | `x-zendesk-webhook-signature: <sig>` | `<t><body>` | base64 HMAC-SHA256 | `x-zendesk-webhook-signature-timestamp` (RFC 3339), 300 s | none | `x-zendesk-webhook-invocation-id`, else body SHA-256 | JSON `/type` | [docs](https://developer.zendesk.com/documentation/webhooks/verifying/) |
//! <!-- providers:end -->

/// The catalogue presets whose layer takes one secret and nothing else: each has its module
/// here, its constructor `WebhookLayer::<name>(secret)`, its row in the table and its place in
/// [`all`], all made from this list. Adding a provider is its file, its vector file and its
/// name here.
macro_rules! one_secret_presets {
    ($then:ident) => {
        $then! {
            aftership,
            airship,
            alchemy,
            autodesk,
            bitbucket,
            bolt,
            brex,
            buildkite,
            cal_com,
            calendly,
            castle,
            circleci,
            clerk,
            coinbase_commerce,
            customer_io,
            docusign,
            frameio,
            heroku,
            jira,
            launchdarkly,
            lemon_squeezy,
            mailgun,
            microsoft_teams,
            modern_treasury,
            mollie,
            mux,
            pagerduty,
            persona,
            pinwheel,
            pusher,
            razorpay,
            resend,
            sanity,
            sentry,
            signal_sciences,
            sonatype,
            terraform_cloud,
            tiktok,
            typeform,
            vercel,
            webex,
            webflow,
            woocommerce,
            worldline,
            zendesk
        }
    };
}
pub(crate) use one_secret_presets;

macro_rules! modules {
    ($($name:ident),* $(,)?) => {
        $(pub mod $name;)*
    };
}
one_secret_presets!(modules);

pub mod asana;
pub mod box_webhooks;
pub mod conversation;
pub mod discord;
pub mod dropbox;
pub mod github;
pub mod github_secret_scanning;
pub mod gitlab;
pub mod hubspot;
pub mod intercom;
pub mod linear;
pub mod meta;
pub mod okta;
pub mod paddle;
pub mod paypal;
pub mod plaid;
pub mod sendgrid;
pub mod shopify;
pub mod slack;
pub mod sns;
pub mod square;
pub mod standard_webhooks;
pub mod stripe;
pub mod svix;
pub mod telnyx;
pub mod twilio;
pub mod twitch;
pub mod wappcloud;
pub mod x;
pub mod xero;
pub mod ycloud;
pub mod yeastar;
pub mod zoom;

#[cfg(test)]
mod table;

/// Every preset's scheme, with nothing in it that a deployment supplies: Meta's verify token
/// is unset (give it with [`Builder::verify_token`]), and Twilio, HubSpot and Square have no
/// public URL (give it with [`Builder::base_url`]). The gateway finds a route's preset here.
///
/// ```
/// let all = tower_webhooks::provider::all();
/// assert!(all.len() >= 72);
/// assert!(all.iter().any(|scheme| scheme.provider() == "mux"));
/// ```
pub fn all() -> Vec<Scheme> {
    let mut all = vec![
        ycloud::scheme(),
        wappcloud::scheme(),
        yeastar::scheme(),
        conversation::scheme(),
        standard_webhooks::scheme(),
        svix::scheme(),
        stripe::scheme(),
        github::scheme(),
        slack::scheme(),
        meta::scheme(Vec::<u8>::new()),
        shopify::scheme(),
        without_base_url(twilio::scheme("")),
        zoom::scheme(),
        paddle::scheme(),
        intercom::scheme(),
        x::scheme(),
        twitch::scheme(),
        without_base_url(hubspot::scheme("")),
        linear::scheme(),
        without_base_url(square::scheme("")),
        box_webhooks::scheme(),
        dropbox::scheme(),
        xero::scheme(),
        gitlab::scheme(),
        okta::scheme(),
        discord::scheme(),
        telnyx::scheme(),
        sendgrid::scheme(),
        github_secret_scanning::scheme(),
        asana::scheme(),
        sns::scheme(),
        paypal::scheme(""),
        plaid::scheme(),
    ];
    macro_rules! push {
        ($($name:ident),* $(,)?) => {
            $(all.push($name::scheme());)*
        };
    }
    one_secret_presets!(push);
    all
}

/// A catalogue preset as data: what a gateway, a CLI or a table-driven test needs of it
/// without naming its types.
///
/// ```
/// let mux = tower_webhooks::provider::catalogue()
///     .into_iter()
///     .find(|preset| preset.module == "mux")
///     .unwrap();
/// assert_eq!((mux.scheme)().provider(), "mux");
/// assert!((mux.parse)(mux.sample.as_bytes()).is_ok());
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Preset {
    /// The module, and the name of its `WebhookLayer` constructor.
    pub module: &'static str,
    /// Its scheme.
    pub scheme: fn() -> Scheme,
    /// Where the provider documents its signatures.
    pub docs: &'static str,
    /// A delivery body as the provider sends one.
    pub sample: &'static str,
    /// Reads a body into the preset's typed payload, and says whether it fits.
    pub parse: fn(&[u8]) -> Result<(), serde_json::Error>,
}

/// The one-secret catalogue presets, as [`Preset`] values (the presets with settings of their
/// own, such as Meta's verify token, are in [`all`]).
pub fn catalogue() -> Vec<Preset> {
    macro_rules! entries {
        ($($name:ident),* $(,)?) => {
            vec![$(Preset {
                module: stringify!($name),
                scheme: $name::scheme,
                docs: $name::DOCS,
                sample: $name::SAMPLE,
                parse: |body| serde_json::from_slice::<$name::Event>(body).map(drop),
            }),*]
        };
    }
    one_secret_presets!(entries)
}

/// The preset a provider's name (as [`Scheme::provider`] reports it) names.
///
/// ```
/// let scheme = tower_webhooks::provider::by_name("pagerduty").unwrap();
/// assert_eq!(scheme.signature().unwrap().header(), "x-pagerduty-signature");
/// assert!(tower_webhooks::provider::by_name("nobody").is_none());
/// ```
pub fn by_name(name: &str) -> Option<Scheme> {
    all().into_iter().find(|scheme| scheme.provider() == name)
}

/// A scheme that signs its public URL, with the URL left for the deployment to give.
fn without_base_url(mut scheme: Scheme) -> Scheme {
    if let Some(signature) = &mut scheme.signature {
        signature.base_url = None;
    }
    scheme
}

use std::time::Duration;

use http::HeaderName;

use crate::Builder;
use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};

/// `<header>: t=<t>,<key>=<hex HMAC of "<t>.<body>">`, 300 s, JSON `id` and `type`: Stripe's
/// format, which YCloud follows with `s` for `v1`.
fn stripe_style(provider: &'static str, header: &'static str, key: &'static str) -> Builder {
    Builder::new()
        .provider(provider)
        .signature(
            Signature::new(HeaderName::from_static(header))
                .pairs(',', key)
                .signs(timestamp_then_body(".")),
        )
        .timestamp(TimestampSource::Pair("t".into()))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
}

/// `<t><separator><body>`: what YCloud and Stripe (`.`) and Paddle (`:`) sign.
fn timestamp_then_body(separator: &'static str) -> [SignedPart; 3] {
    [
        SignedPart::Timestamp,
        SignedPart::literal(separator),
        SignedPart::Body,
    ]
}

/// `<header>: v0=<hex HMAC of "v0:<t>:<body>">`: Slack's format, which Zoom adopted.
fn v0_signature(header: &'static str) -> Signature {
    Signature::new(HeaderName::from_static(header))
        .prefix("v0=")
        .signs([
            SignedPart::literal("v0:"),
            SignedPart::Timestamp,
            SignedPart::literal(":"),
            SignedPart::Body,
        ])
}

#[cfg(test)]
mod tests {
    use crate::scheme::validate;

    #[test]
    fn every_preset_is_consistent() {
        for (constructor, scheme, _) in super::table::catalogue() {
            let unsigned = constructor.contains("conversation");
            assert_eq!(validate(&scheme, unsigned), Ok(()), "{constructor}");
        }
        assert_eq!(validate(&super::conversation::scheme(), false), Ok(()));
    }
}
