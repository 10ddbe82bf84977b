//! A signature header's entries (`v1,abc v1,def`) and pairs (`t=1,v1=abc`), split the way
//! `str::split` and `str::split_once` split them. A header is a few dozen bytes: the standard
//! library's vectorised search costs more to set up, once per piece, than the scan itself, so an
//! ASCII separator (every scheme's) is looked for eight bytes at a time in a 64-bit word.

/// The pieces of `value` between `separator`s, as `value.split(separator)` gives them.
pub(super) fn split(value: &str, separator: char) -> Split<'_> {
    Split {
        rest: Some(value),
        separator,
    }
}

/// `value` around the first `separator`, as `value.split_once(separator)` gives it.
pub(super) fn split_once(value: &str, separator: char) -> Option<(&str, &str)> {
    let at = find(value, separator)?;
    Some((&value[..at], &value[at + separator.len_utf8()..]))
}

/// The iterator of [`split`].
pub(super) struct Split<'a> {
    /// What is left to split; `None` once the last piece is out.
    rest: Option<&'a str>,
    separator: char,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match find(rest, self.separator) {
            Some(at) => {
                self.rest = Some(&rest[at + self.separator.len_utf8()..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Where `needle` first is in `haystack`.
fn find(haystack: &str, needle: char) -> Option<usize> {
    match u8::try_from(needle) {
        Ok(byte) if byte.is_ascii() => find_byte(haystack.as_bytes(), byte),
        _ => haystack.find(needle),
    }
}

/// Where `needle` first is in `haystack`: each 64-bit word is XORed with the needle in every
/// lane, and a lane that became zero is the needle. Subtracting one from every lane sets a lane's
/// high bit where it was zero; a borrow can set it falsely only in a lane above a true zero, so
/// the lowest flagged lane is the first match.
fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    const LANES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x80 * LANES;
    let pattern = u64::from(needle) * LANES;
    let mut words = haystack.chunks_exact(8);
    let mut start = 0;
    for word in &mut words {
        let word = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]) ^ pattern;
        let zero = word.wrapping_sub(LANES) & !word & HIGH;
        if zero != 0 {
            return Some(start + (zero.trailing_zeros() / 8) as usize);
        }
        start += 8;
    }
    let tail = words.remainder().iter().position(|&byte| byte == needle)?;
    Some(start + tail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_as_the_standard_library_splits() {
        for (value, separator) in [
            ("", ','),
            (",", ','),
            ("t=1,v1=abc", ','),
            ("v1,abc v1,def", ' '),
            ("v1,abc  v1,def ", ' '),
            ("a,b,c,d,e,f,g,h,i,j,k,l", ','),
            ("0123456789abcdef,", ','),
            ("no separator at all, here", ';'),
            ("é,ü;ö", ';'),
            ("aébéc", 'é'),
        ] {
            let ours: Vec<_> = split(value, separator).collect();
            let std: Vec<_> = value.split(separator).collect();
            assert_eq!(ours, std, "{value:?} {separator:?}");
            assert_eq!(
                split_once(value, separator),
                value.split_once(separator),
                "{value:?} {separator:?}"
            );
        }
    }

    #[test]
    fn finds_the_first_match_in_every_lane() {
        for len in 0..20 {
            for at in 0..len {
                let mut bytes = vec![b'a'; len];
                bytes[at] = b'=';
                // A second match after it, and a byte one above the needle before it: neither
                // may be reported first.
                if at + 1 < len {
                    bytes[at + 1] = b'=';
                }
                if at > 0 {
                    bytes[at - 1] = b'>';
                }
                assert_eq!(find_byte(&bytes, b'='), Some(at), "{len} {at}");
            }
            assert_eq!(find_byte(&vec![b'a'; len], b'='), None);
        }
        // A needle of zero, and bytes with the high bit set around it.
        assert_eq!(
            find_byte(&[0xFF, 0x80, 0x81, 1, 0, 0xFF, 0, 0, 9], 0),
            Some(4)
        );
        assert_eq!(find_byte(&[0x80; 17], 0), None);
    }

    proptest! {
        #[test]
        fn agrees_with_the_standard_library(
            value in "[a-z0-9=,; \u{e9}]{0,40}",
            separator in prop_oneof![Just(','), Just('='), Just(' '), Just(';'), Just('\u{e9}')],
        ) {
            let ours: Vec<_> = split(&value, separator).collect();
            let std: Vec<_> = value.split(separator).collect();
            prop_assert_eq!(ours, std);
            prop_assert_eq!(split_once(&value, separator), value.split_once(separator));
        }

        #[test]
        fn finds_any_byte_where_position_finds_it(
            haystack in proptest::collection::vec(any::<u8>(), 0..40),
            needle in any::<u8>(),
        ) {
            prop_assert_eq!(
                find_byte(&haystack, needle),
                haystack.iter().position(|&byte| byte == needle)
            );
        }
    }
}
