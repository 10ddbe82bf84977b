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

/// Each base64 character's value, and `INVALID` for every other byte (`=` among them).
const BASE64_VALUES: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut values = [INVALID; 256];
    let mut i = 0;
    while i < alphabet.len() {
        values[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    values
};
const INVALID: u8 = 0xFF;

/// Standard base64 with its padding, read exactly as `base64`'s `STANDARD` engine reads it
/// (length a multiple of four, `=` only to end the last group, no stray bits before it), into
/// `out`; the decoded length, or `None` where the engine refuses the input or `out` is shorter
/// than three quarters of it. A signature is a few dozen characters: the engine's set-up for
/// any length cost more than the decoding itself.
pub(crate) fn decode_standard_base64(encoded: &[u8], out: &mut [u8]) -> Option<usize> {
    let value = |c: u8| u32::from(BASE64_VALUES[usize::from(c)]);
    let Some(last_start) = encoded.len().checked_sub(4) else {
        return encoded.is_empty().then_some(0);
    };
    if !encoded.len().is_multiple_of(4) || encoded.len() / 4 * 3 > out.len() {
        return None;
    }
    let (full, last) = encoded.split_at(last_start);
    let (out_full, out_last) = out.split_at_mut(full.len() / 4 * 3);
    // Every group but the last: four characters, three bytes. An invalid character's value
    // has bits above the sixth set; they are gathered, and looked at once.
    let mut invalid = 0;
    for (group, bytes) in full.chunks_exact(4).zip(out_full.chunks_exact_mut(3)) {
        let (a, b, c, d) = (
            value(group[0]),
            value(group[1]),
            value(group[2]),
            value(group[3]),
        );
        invalid |= a | b | c | d;
        let bits = (a << 18) | (b << 12) | (c << 6) | d;
        bytes[0] = (bits >> 16) as u8;
        bytes[1] = (bits >> 8) as u8;
        bytes[2] = bits as u8;
    }
    // The last group, where the padding may be.
    let (a, b) = (value(last[0]), value(last[1]));
    let (c, d) = (value(last[2]), value(last[3]));
    invalid |= a | b;
    let len = match last[2..] {
        // Two characters, one byte: the second character's low four bits are unused.
        [b'=', b'='] if b & 0x0F == 0 => 1,
        // Three characters, two bytes: the third's low two bits are unused.
        [_, b'='] if c < 64 && c & 0x03 == 0 => 2,
        _ if (c | d) < 64 => 3,
        _ => return None,
    };
    if invalid >= 64 {
        return None;
    }
    let bits = (a << 18) | (b << 12) | ((c & 63) << 6) | (d & 63);
    let [_, one, two, three] = bits.to_be_bytes();
    for (byte, decoded) in out_last.iter_mut().zip([one, two, three]).take(len) {
        *byte = decoded;
    }
    Some(full.len() / 4 * 3 + len)
}

/// Decodes hex (either case) into `out`, exactly half as long; `None` if a character is not a
/// hex digit or the lengths disagree. One pass without branches per digit, which the compiler
/// turns into vector code: it sits on the hot path. (Eight digits at a time in a 64-bit word
/// measured no fewer instructions.)
pub(crate) fn decode_hex(hex: &[u8], out: &mut [u8]) -> Option<()> {
    /// A digit's value, or a value with the high nibble set.
    fn nibble(c: u8) -> u8 {
        let digit = c.wrapping_sub(b'0');
        let letter = (c | 0x20).wrapping_sub(b'a');
        if digit < 10 {
            digit
        } else if letter < 6 {
            letter + 10
        } else {
            0xF0
        }
    }
    if hex.len() != out.len() * 2 {
        return None;
    }
    let mut bad = 0;
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (high, low) = (nibble(pair[0]), nibble(pair[1]));
        bad |= high | low;
        *byte = (high << 4) | (low & 0x0F);
    }
    (bad & 0xF0 == 0).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn engine(encoded: &[u8]) -> Option<Vec<u8>> {
        BASE64.decode(encoded).ok()
    }

    fn ours(encoded: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0; encoded.len()];
        decode_standard_base64(encoded, &mut out).map(|len| out[..len].to_vec())
    }

    #[test]
    fn decodes_what_the_engine_decodes_and_refuses_what_it_refuses() {
        for case in [
            "", "AA==", "AAA=", "AAAA", "/+8=", "Zm9vYmFy", "Zm9vYg==", "Zm9vYmE=",
            // Stray bits before the padding, padding too long or inside, bad lengths, bytes.
            "AB==", "AAB=", "A===", "====", "AA=A", "AA==AAAA", "AAA", "AAAAA", "AA-_", "AA\n=",
        ] {
            assert_eq!(ours(case.as_bytes()), engine(case.as_bytes()), "{case:?}");
        }
    }

    #[test]
    fn refuses_an_output_too_short_rather_than_writing_past_it() {
        assert_eq!(decode_standard_base64(b"AAAAAAAA", &mut [0; 5]), None);
        assert_eq!(decode_standard_base64(b"AAAAAA==", &mut [0; 6]), Some(4));
    }

    fn hex(text: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0; text.len() / 2];
        decode_hex(text, &mut out).map(|()| out)
    }

    #[test]
    fn hex_decoding_matches_the_hex_crate() {
        for text in [
            "",
            "00",
            "ff",
            "FF",
            "0aF9",
            "deadBEEF",
            "g0",
            "0g",
            "0:",
            "/0",
            "@0",
            "`0",
            "0123456789abcdefABCDEF",
            "0123456789abcdeg",
            "00000000000000000000000000000G",
        ] {
            assert_eq!(hex(text.as_bytes()), ::hex::decode(text).ok(), "{text:?}");
        }
        // Every byte, at every place of a ten-digit text.
        for byte in 0..=255u8 {
            for at in 0..10 {
                let mut text = [b'0'; 10];
                text[at] = byte;
                assert_eq!(hex(&text), ::hex::decode(text).ok(), "{byte} at {at}");
            }
        }
    }

    #[test]
    fn hex_refuses_lengths_that_disagree() {
        assert_eq!(decode_hex(b"000", &mut [0; 1]), None);
        assert_eq!(decode_hex(b"0000", &mut [0; 1]), None);
    }

    proptest! {
        #[test]
        fn agrees_with_the_engine_on_encoded_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let encoded = BASE64.encode(&bytes);
            prop_assert_eq!(ours(encoded.as_bytes()), Some(bytes));
        }

        #[test]
        fn agrees_with_the_engine_on_any_text(text in "[A-Za-z0-9+/=_\\-]{0,24}") {
            prop_assert_eq!(ours(text.as_bytes()), engine(text.as_bytes()));
        }

        #[test]
        fn agrees_with_the_engine_on_changed_encodings(
            bytes in proptest::collection::vec(any::<u8>(), 1..40),
            at in any::<usize>(),
            to in prop_oneof![Just(b'='), Just(b'A'), Just(b'B'), Just(b'/'), Just(b'-'), any::<u8>()],
        ) {
            let mut encoded = BASE64.encode(&bytes).into_bytes();
            let at = at % encoded.len();
            encoded[at] = to;
            prop_assert_eq!(ours(&encoded), engine(&encoded));
        }

        #[test]
        fn hex_agrees_with_the_hex_crate_on_encoded_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            prop_assert_eq!(hex(::hex::encode(&bytes).as_bytes()), Some(bytes.clone()));
            prop_assert_eq!(hex(::hex::encode_upper(&bytes).as_bytes()), Some(bytes));
        }

        #[test]
        fn hex_agrees_with_the_hex_crate_on_any_bytes(text in proptest::collection::vec(any::<u8>(), 0..40)) {
            let text = &text[..text.len() / 2 * 2];
            prop_assert_eq!(hex(text), ::hex::decode(text).ok());
        }
    }
}
