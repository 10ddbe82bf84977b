//! X.509 certificates, as far as checking a signature needs them: the PEM block, then a strict
//! DER walk to the validity dates and the subject's public key, and nothing else. Whether the
//! certificate is the provider's is settled by where it came from: an allowlisted host over TLS,
//! whose chain rustls checked ([`Fetcher`](crate::keys::Fetcher)).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::secret::SecretError;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0] EXPLICIT Version`.
const VERSION: u8 = 0xA0;
/// rsaEncryption, 1.2.840.113549.1.1.1.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// Largest certificate read: providers' are 1 to 2 KiB.
const MAX_DER: usize = 16 * 1024;

const INVALID: SecretError = SecretError::InvalidCertificate;

/// What a certificate says that a signature check uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Certificate<'a> {
    /// Unix seconds from which it is valid.
    pub(crate) not_before: i64,
    /// Unix seconds until which it is valid.
    pub(crate) not_after: i64,
    /// The SubjectPublicKeyInfo, whole (DER).
    pub(crate) spki: &'a [u8],
}

/// The DER of the first `CERTIFICATE` block of a PEM text; `None` if `text` has none (it may be
/// DER or a public key instead). Text before the block (a PEM bundle's comments) is skipped.
pub(crate) fn pem(text: &[u8]) -> Option<Result<Vec<u8>, SecretError>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let text = std::str::from_utf8(text).ok()?;
    let start = text.find(BEGIN)? + BEGIN.len();
    let Some(len) = text[start..].find(END) else {
        return Some(Err(INVALID));
    };
    let base64: String = text[start..start + len]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Some(BASE64.decode(base64).map_err(|_| INVALID))
}

/// Reads a certificate's DER: `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
/// signatureValue }`, the TBS read up to its public key. Lengths must be minimal and exact, and
/// nothing may follow; anything else is refused, never guessed.
pub(crate) fn parse(der: &[u8]) -> Result<Certificate<'_>, SecretError> {
    if der.len() > MAX_DER {
        return Err(INVALID);
    }
    let mut outer = Reader(der);
    let certificate = outer.expect(SEQUENCE)?;
    outer.end()?;
    let mut certificate = Reader(certificate);
    let tbs = certificate.expect(SEQUENCE)?;
    certificate.expect(SEQUENCE)?;
    certificate.expect(BIT_STRING)?;
    certificate.end()?;

    let mut tbs = Reader(tbs);
    if tbs.peek() == Some(VERSION) {
        tbs.next()?;
    }
    tbs.expect(INTEGER)?;
    tbs.expect(SEQUENCE)?; // signature algorithm
    tbs.expect(SEQUENCE)?; // issuer
    let mut validity = Reader(tbs.expect(SEQUENCE)?);
    let not_before = time(&mut validity)?;
    let not_after = time(&mut validity)?;
    validity.end()?;
    tbs.expect(SEQUENCE)?; // subject
    let spki = tbs.raw(SEQUENCE)?;
    Ok(Certificate {
        not_before,
        not_after,
        spki,
    })
}

/// The RSAPublicKey inside an rsaEncryption SubjectPublicKeyInfo: what ring's RSA verification
/// takes. A key of another algorithm is refused.
pub(crate) fn rsa_public_key(spki: &[u8]) -> Result<&[u8], SecretError> {
    let mut outer = Reader(spki);
    let mut info = Reader(outer.expect(SEQUENCE)?);
    outer.end()?;
    let mut algorithm = Reader(info.expect(SEQUENCE)?);
    if algorithm.expect(OID)? != RSA_ENCRYPTION {
        return Err(INVALID);
    }
    // The parameters are NULL, or absent in some encoders.
    if !algorithm.0.is_empty() {
        if !algorithm.expect(NULL)?.is_empty() {
            return Err(INVALID);
        }
        algorithm.end()?;
    }
    let bits = info.expect(BIT_STRING)?;
    info.end()?;
    match bits.split_first() {
        Some((0, key)) if !key.is_empty() => Ok(key),
        _ => Err(INVALID),
    }
}

/// A validity date: UTCTime (`YYMMDDHHMMSSZ`, years 1950 to 2049) or GeneralizedTime
/// (`YYYYMMDDHHMMSSZ`), in UTC, as RFC 5280 requires.
fn time(reader: &mut Reader<'_>) -> Result<i64, SecretError> {
    let (tag, text) = reader.next()?;
    let (year, rest) = match (tag, text.len()) {
        (UTC_TIME, 13) => {
            let yy = digits(&text[..2])?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
        }
        (GENERALIZED_TIME, 15) => (digits(&text[..4])?, &text[4..]),
        _ => return Err(INVALID),
    };
    if rest[10] != b'Z' {
        return Err(INVALID);
    }
    let field = |at: usize| digits(&rest[at..at + 2]);
    crate::timestamp::civil_seconds(
        (year, field(0)?, field(2)?),
        (field(4)?, field(6)?, field(8)?),
    )
    .ok_or(INVALID)
}

fn digits(text: &[u8]) -> Result<i64, SecretError> {
    text.iter().try_fold(0, |n, d| {
        d.is_ascii_digit()
            .then(|| n * 10 + i64::from(d - b'0'))
            .ok_or(INVALID)
    })
}

/// A cursor over DER elements.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// The next element's tag and content.
    fn next(&mut self) -> Result<(u8, &'a [u8]), SecretError> {
        let (tag, len, header) = self.header()?;
        let content = &self.0[header..header + len];
        self.0 = &self.0[header + len..];
        Ok((tag, content))
    }

    /// The next element's content, which must have `tag`.
    fn expect(&mut self, tag: u8) -> Result<&'a [u8], SecretError> {
        match self.next()? {
            (found, content) if found == tag => Ok(content),
            _ => Err(INVALID),
        }
    }

    /// The next element whole, tag and length included; it must have `tag`.
    fn raw(&mut self, tag: u8) -> Result<&'a [u8], SecretError> {
        let (found, len, header) = self.header()?;
        if found != tag {
            return Err(INVALID);
        }
        let whole = &self.0[..header + len];
        self.0 = &self.0[header + len..];
        Ok(whole)
    }

    fn end(&self) -> Result<(), SecretError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(INVALID)
        }
    }

    /// Tag, content length and header length of the next element, the content checked to fit.
    /// Only low tag numbers, and definite lengths in their shortest form, up to four bytes.
    fn header(&self) -> Result<(u8, usize, usize), SecretError> {
        let (&tag, rest) = self.0.split_first().ok_or(INVALID)?;
        if tag & 0x1f == 0x1f {
            return Err(INVALID);
        }
        let (&first, rest) = rest.split_first().ok_or(INVALID)?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count || rest[0] == 0 {
                return Err(INVALID);
            }
            let len = rest[..count]
                .iter()
                .fold(0usize, |len, b| (len << 8) | usize::from(*b));
            if len < 0x80 {
                return Err(INVALID);
            }
            (len, 2 + count)
        };
        if self.0.len() - header < len {
            return Err(INVALID);
        }
        Ok((tag, len, header))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed RSA-2048 certificate made with Python's `cryptography` for the SNS vectors
    /// (tests/vectors/make_public_key_vectors.py), valid 2020-01-01 to 2040-01-01.
    const CERT: &str = include_str!("../../tests/vectors/keys/rsa-test-cert.pem");

    fn der() -> Vec<u8> {
        pem(CERT.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn reads_validity_and_the_rsa_key() {
        let der = der();
        let certificate = parse(&der).unwrap();
        assert_eq!(certificate.not_before, 1_577_836_800);
        assert_eq!(certificate.not_after, 2_208_988_800);
        let key = rsa_public_key(certificate.spki).unwrap();
        // RSAPublicKey ::= SEQUENCE { modulus, exponent }, 2048-bit modulus.
        assert_eq!(key[0], SEQUENCE);
        assert!(key.len() > 256);
    }

    #[test]
    fn every_truncation_and_trailing_byte_is_refused() {
        let der = der();
        for len in 0..der.len() {
            assert_eq!(parse(&der[..len]), Err(INVALID), "{len}");
        }
        let mut longer = der.clone();
        longer.push(0);
        assert_eq!(parse(&longer), Err(INVALID));
    }

    #[test]
    fn lengths_must_be_minimal_and_definite() {
        // Indefinite, five length bytes, a leading zero, a long form for a short length.
        for bytes in [
            &[0x30, 0x80, 0, 0][..],
            &[0x30, 0x85, 0, 0, 0, 0, 1, 0],
            &[0x30, 0x82, 0x00, 0x01, 0],
            &[0x30, 0x81, 0x01, 0],
            &[0x1f, 0x01, 0],
        ] {
            assert_eq!(Reader(bytes).next(), Err(INVALID), "{bytes:x?}");
        }
        assert_eq!(Reader(&[0x30, 0x01, 0xff]).next(), Ok((0x30, &[0xff][..])));
    }

    #[test]
    fn times_are_utc_and_in_range() {
        let read = |tag: u8, text: &str| {
            let mut bytes = vec![tag, text.len() as u8];
            bytes.extend_from_slice(text.as_bytes());
            time(&mut Reader(&bytes))
        };
        assert_eq!(read(UTC_TIME, "700101000000Z"), Ok(0));
        assert_eq!(read(UTC_TIME, "491231235959Z"), Ok(2_524_607_999));
        assert_eq!(read(GENERALIZED_TIME, "20400101000000Z"), Ok(2_208_988_800));
        for (tag, text) in [
            (UTC_TIME, "700101000000+0100"),
            (UTC_TIME, "701301000000Z"),
            (UTC_TIME, "700230000000Z"),
            (UTC_TIME, "70010100000Z"),
            (GENERALIZED_TIME, "700101000000Z"),
            (INTEGER, "700101000000Z"),
            (UTC_TIME, "7001010000-0Z"),
        ] {
            assert_eq!(read(tag, text), Err(INVALID), "{text}");
        }
    }

    #[test]
    fn a_key_of_another_algorithm_is_refused() {
        // A P-256 SubjectPublicKeyInfo (id-ecPublicKey), from the GitHub vectors.
        let ec = BASE64
            .decode("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYAGMWO8XgCamYKMJS6jc/qgvSlAdAjPuDPRcXU22YxgBrz+zoN19MzuRyW87qEt9/AmtoNP5GrobzUvQSyJFVw==")
            .unwrap();
        assert_eq!(rsa_public_key(&ec), Err(INVALID));
        assert!(pem(b"-----BEGIN PUBLIC KEY-----").is_none());
        assert_eq!(
            pem(b"-----BEGIN CERTIFICATE-----\nAAAA"),
            Some(Err(INVALID))
        );
    }
}
