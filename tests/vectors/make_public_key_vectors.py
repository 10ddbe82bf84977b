#!/usr/bin/env python3
"""Writes the vector files of the presets that sign with a private key, computed independently of
the crate with the Python `cryptography` package (pip install cryptography), following each
provider's documentation (cited in each file's "source"). Ed25519 is deterministic: the same
keys give the same files. Run: python3 tests/vectors/make_public_key_vectors.py

Every valid case is followed by the same case with one byte changed in the body, the signature,
the timestamp and the key, each of which must be refused.
"""
import base64
import json
import os

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = 1_700_000_000
# The order of the Ed25519 group: S + L is the same signature, written non-canonically.
L = 2**252 + 27742317777372353535851937790883648493


def raw_public(private):
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def flip(data, index=0):
    data = bytearray(data)
    data[index] ^= 0x01
    return bytes(data)


def non_canonical(signature):
    s = int.from_bytes(signature[32:], "little")
    return signature[:32] + (s + L).to_bytes(32, "little")


def write(name, data):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


def ed25519_cases(private, other, encode, key_encode, sig_header, ts_header, message, bodies):
    """The cases of an Ed25519 scheme; `message(ts, body)` is what the provider signs."""
    public = key_encode(raw_public(private))
    cases = []
    for name, body, extra in bodies:
        ts = str(NOW)
        sig = private.sign(message(ts, body))
        headers = {sig_header: encode(sig), ts_header: ts}
        cases.append({"name": name, "now": NOW, "body": body.decode(), "headers": headers, **extra})
    body = bodies[0][1]
    ts = str(NOW)
    sig = private.sign(message(ts, body))
    good = {sig_header: encode(sig), ts_header: ts}

    def case(name, expect, body=body, headers=good, **more):
        entry = {"name": name, "now": NOW, "body": body.decode(), "headers": dict(headers), "expect": expect}
        entry.update(more)
        return entry

    changed_body = flip(body, len(body) // 2)
    cases += [
        case("one byte of the body changed", "invalid_signature", body=changed_body),
        case("one byte of the signature changed", "invalid_signature",
             headers={**good, sig_header: encode(flip(sig, 5))}),
        case("the timestamp changed by one second", "invalid_signature",
             headers={**good, ts_header: str(NOW + 1)}, now=NOW + 1),
        case("checked with another key", "invalid_signature", secret=key_encode(raw_public(other))),
        case("checked with the key, one byte changed", "invalid_signature",
             secret=key_encode(flip(raw_public(private), 3))),
        case("the same signature written with S + L (not canonical)", "invalid_signature",
             headers={**good, sig_header: encode(non_canonical(sig))}),
        case("an all-zero signature", "invalid_signature",
             headers={**good, sig_header: encode(bytes(64))}),
        case("a signature of 32 bytes", "invalid_signature",
             headers={**good, sig_header: encode(sig[:32])}),
        # The identity point is a small-order key: with R the identity and S = 0, a non-strict
        # check accepts this signature for every message. The layer refuses the key itself.
        case("a small-order public key", "invalid_signature",
             secret=key_encode(bytes([1]) + bytes(31)),
             headers={**good, sig_header: encode(bytes([1]) + bytes(63))}),
        case("five minutes and a second late", "stale_timestamp", now=NOW + 301),
        case("five minutes and a second early", "stale_timestamp", now=NOW - 301),
        case("no signature header", "missing_signature",
             headers={ts_header: ts}),
        case("no timestamp header", "malformed_signature",
             headers={sig_header: encode(sig)}),
        case("a signature that does not decode", "malformed_signature",
             headers={**good, sig_header: "*" * 20}),
    ]
    return public, cases


def discord():
    # RFC 8032, section 7.1, TEST 1: a published key pair (the application's key in a test).
    private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
    other = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"))
    command = (b'{"app_permissions":"442368","application_id":"1234567890","channel_id":"7",'
               b'"data":{"id":"9","name":"ping","type":1},"guild_id":"5","id":"787053080478613555",'
               b'"locale":"en-US","token":"aW50ZXJhY3Rpb24","type":2,"version":1}')
    ping = b'{"application_id":"1234567890","id":"787053080478613556","token":"cGluZw","type":1,"version":1}'
    public, cases = ed25519_cases(
        private, other,
        encode=lambda s: s.hex(),
        key_encode=lambda k: k.hex(),
        sig_header="x-signature-ed25519",
        ts_header="x-signature-timestamp",
        message=lambda ts, body: ts.encode() + body,
        bodies=[
            ("an application command", command,
             {"expect": "valid", "event_id": "787053080478613555", "event_type": "2"}),
            ("the PING Discord sends when the URL is saved", ping,
             {"expect": "challenge", "response_json": {"type": 1}}),
        ],
    )
    write("discord", {
        "provider": "discord",
        "source": "computed with Python cryptography (Ed25519) from Discord's docs, 'Interactions: "
                  "Overview, Setting up an endpoint, Validating security request headers' "
                  "(https://discord.com/developers/docs/interactions/overview): X-Signature-Ed25519 "
                  "= hex Ed25519 signature of X-Signature-Timestamp + raw body, public key in hex; a "
                  "PING (type 1) is answered {\"type\":1}. Keys: RFC 8032 section 7.1 TEST 1 and "
                  "TEST 2. Tolerance 300 s is the preset's (Discord documents none).",
        "secret": public,
        "cases": cases,
    })


def telnyx():
    # The fixed test key pair of Telnyx's PHP SDK (team-telnyx/telnyx-php,
    # tests/Services/WebhooksTest.php: TEST_SECRET_KEY is libsodium's seed || public key).
    secret = base64.b64decode("p68GNpDl9oAQohBiK0MEOFIjxnoFnz0uGGeJqxQ5PSb7sT30NeKJBe9x41ficebctubmao9Zp3lGEOva5+4KKQ==")
    private = Ed25519PrivateKey.from_private_bytes(secret[:32])
    assert base64.b64encode(raw_public(private)).decode() == "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik="
    # The fixed test key pair of Telnyx's Java SDK, as the other key.
    other = Ed25519PrivateKey.from_private_bytes(base64.b64decode("i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04="))
    received = (b'{"data":{"event_type":"message.received","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",'
                b'"occurred_at":"2023-11-14T22:13:20.000+00:00","payload":{"direction":"inbound",'
                b'"text":"Hello, World!","type":"SMS"},"record_type":"event"},'
                b'"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}}')
    public, cases = ed25519_cases(
        private, other,
        encode=lambda s: base64.b64encode(s).decode(),
        key_encode=lambda k: base64.b64encode(k).decode(),
        sig_header="telnyx-signature-ed25519",
        ts_header="telnyx-timestamp",
        message=lambda ts, body: ts.encode() + b"|" + body,
        bodies=[
            ("a received message", received,
             {"expect": "valid", "event_id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
              "event_type": "message.received"}),
            ("the PHP SDK's own test payload", b'{"data":{"event_type":"message.received","id":"test-123"}}',
             {"expect": "valid", "event_id": "test-123", "event_type": "message.received"}),
        ],
    )
    write("telnyx", {
        "provider": "telnyx",
        "source": "computed with Python cryptography (Ed25519) from Telnyx's docs, 'Receiving "
                  "webhooks' and the callback reference (https://developers.telnyx.com/docs/"
                  "messaging/messages/receiving-webhooks): telnyx-signature-ed25519 = base64 "
                  "Ed25519 signature of telnyx-timestamp + '|' + raw body, public key in base64, "
                  "300 s as Telnyx's Node and Ruby SDKs. Keys: the fixed test key pairs of "
                  "team-telnyx/telnyx-php (tests/Services/WebhooksTest.php) and telnyx-java "
                  "(WebhookVerificationTest.kt); the signatures are ours, Telnyx publishes none.",
        "secret": public,
        "cases": cases,
    })


if __name__ == "__main__":
    discord()
    telnyx()
