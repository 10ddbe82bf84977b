//! A signature header's entries (`v1,abc v1,def`) and pairs (`t=1,v1=abc`), split the way
//! `str::split` and `str::split_once` split them. A header is a few dozen bytes: the standard
//! library's search for a `char` costs more to set up, once per piece, than the scan itself, so an
//! ASCII separator (every scheme's) is looked for with the `memchr` crate, as a byte.

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
        Ok(byte) if byte.is_ascii() => memchr::memchr(byte, haystack.as_bytes()),
        _ => haystack.find(needle),
    }
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
    fn finds_the_first_match_at_every_place() {
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
                let text = String::from_utf8(bytes).unwrap();
                assert_eq!(find(&text, '='), Some(at), "{len} {at}");
            }
            assert_eq!(find(&"a".repeat(len), '='), None);
        }
        // A needle of zero, and characters above ASCII around it.
        assert_eq!(find("\u{ff}\u{80}\u{1}\0\u{ff}\0", '\0'), Some(5));
        assert_eq!(find(&"\u{80}".repeat(17), '\0'), None);
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
        fn finds_any_character_where_str_finds_it(
            haystack in "[\u{0}-\u{7f}\u{e9}\u{ff}]{0,40}",
            needle in prop_oneof![any::<u8>().prop_map(|b| char::from(b & 0x7f)), Just('\u{e9}')],
        ) {
            prop_assert_eq!(find(&haystack, needle), haystack.find(needle));
        }
    }
}
