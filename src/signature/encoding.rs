//! How signatures and keys are written: the encodings, and the URL-safe base64 engine JWTs and
//! JWKs use.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::scheme::Encoding;

/// URL-safe base64: padding left out when writing, and optional when reading.
pub(crate) const BASE64_URL: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// Encodes a MAC the way the scheme writes it.
pub(crate) fn encode(encoding: Encoding, mac: &[u8]) -> String {
    match encoding {
        Encoding::Hex => hex::encode(mac),
        Encoding::Base64 => BASE64.encode(mac),
        Encoding::Base64Url => BASE64_URL.encode(mac),
    }
}
