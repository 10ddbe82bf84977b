//! The parameters of a form body sorted by name, as Twilio signs them: read the way
//! `form_urlencoded::parse` reads them, on the stack for a dozen of them, and without decoding
//! what has nothing to decode (a name or value with neither `+` nor `%` is its own text).

use std::borrow::Cow;

use smallvec::SmallVec;

/// A form's `(name, value)` pairs, decoded.
type Params<'a> = SmallVec<[(Cow<'a, str>, Cow<'a, str>); 12]>;

/// Calls `each` with the `(name, value)` pairs of `body`, decoded as `form_urlencoded::parse`
/// decodes them, in order of name then value (the order of `sort` on the pairs; equal pairs are
/// equal, so an unstable sort gives the same list). The pairs stay in this frame: a list of a
/// dozen is too large to return by value on every delivery.
pub(super) fn sorted_params(body: &[u8], mut each: impl FnMut(&str, &str)) {
    let mut params: Params<'_> = SmallVec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (piece, after) = match memchr::memchr(b'&', rest) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = after;
        if piece.is_empty() {
            continue;
        }
        params.push(match memchr::memchr2(b'+', b'%', piece) {
            None => {
                let (name, value) = match memchr::memchr(b'=', piece) {
                    Some(at) => (&piece[..at], &piece[at + 1..]),
                    None => (piece, &piece[piece.len()..]),
                };
                (text(name), text(value))
            }
            // Something to decode: the library's decoding, on this one pair.
            Some(_) => form_urlencoded::parse(piece)
                .next()
                .unwrap_or((Cow::Borrowed(""), Cow::Borrowed(""))),
        });
    }
    params.sort_unstable();
    for (name, value) in &params {
        each(name, value);
    }
}

/// `bytes` as text, invalid UTF-8 replaced as `String::from_utf8_lossy` replaces it; valid text
/// (nearly every form) takes the standard library's fast check only.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn library(body: &[u8]) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = form_urlencoded::parse(body)
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        params.sort();
        params
    }

    fn ours(body: &[u8]) -> Vec<(String, String)> {
        let mut params = Vec::new();
        sorted_params(body, |name, value| {
            params.push((name.to_owned(), value.to_owned()))
        });
        params
    }

    #[test]
    fn reads_what_the_library_reads() {
        for body in [
            "",
            "&",
            "a",
            "a=",
            "=b",
            "==",
            "Body=Hello&From=%2B15551234567&To=+1555",
            "b=2&a=1&b=1&a=2",
            "x=%zz&y=%E2%9C%93&z=a+b+c",
            "n=%FF%FE&m=\u{e9}",
            "a=1&&b=2&",
        ] {
            assert_eq!(ours(body.as_bytes()), library(body.as_bytes()), "{body:?}");
        }
        // Bytes that are not UTF-8, undecoded and decoded.
        assert_eq!(ours(b"a=\xFF&b=\xC3"), library(b"a=\xFF&b=\xC3"));
    }

    #[test]
    fn a_long_form_spills_to_the_heap_and_stays_sorted() {
        let body: String = (0..40)
            .rev()
            .map(|i| format!("k{i:02}=v{i}"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(ours(body.as_bytes()), library(body.as_bytes()));
    }

    proptest! {
        #[test]
        fn agrees_with_the_library_on_any_form(body in "[a-c=&+%0-9A-F\u{e9} ]{0,48}") {
            prop_assert_eq!(ours(body.as_bytes()), library(body.as_bytes()));
        }

        #[test]
        fn agrees_with_the_library_on_any_bytes(body in proptest::collection::vec(any::<u8>(), 0..48)) {
            prop_assert_eq!(ours(&body), library(&body));
        }
    }
}
