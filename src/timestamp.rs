//! Reading a signed timestamp as unix seconds, in the formats providers send: seconds,
//! milliseconds, or an RFC 3339 date-time. Strict: anything else is refused, never guessed.

use crate::scheme::TimestampFormat;

/// Longest integer accepted: `i64::MAX` has 19 digits.
const MAX_DIGITS: usize = 19;
/// Longest RFC 3339 date-time accepted: 19 characters, a fraction of up to 9 digits, an offset.
const MAX_RFC3339: usize = 35;

/// The timestamp `raw` stands for, in unix seconds (a fraction of a second is dropped); `None`
/// if it is not exactly of `format`.
pub(crate) fn parse(raw: &str, format: TimestampFormat) -> Option<i64> {
    match format {
        TimestampFormat::UnixSeconds => digits(raw),
        TimestampFormat::UnixMillis => digits(raw).map(|ms| ms.div_euclid(1000)),
        TimestampFormat::Rfc3339 => rfc3339(raw),
    }
}

/// Plain ASCII digits; signs, fractions, white space and overflow are refused.
fn digits(raw: &str) -> Option<i64> {
    if raw.is_empty() || raw.len() > MAX_DIGITS {
        return None;
    }
    // Checked and summed in one pass (`str::parse` would check the digits a second time).
    // Eighteen digits cannot overflow an `i64`: only a nineteenth is summed with checks.
    let (head, tail) = raw.as_bytes().split_at(raw.len().min(18));
    let digit = |b: u8| Some(i64::from(b.wrapping_sub(b'0'))).filter(|d| *d <= 9);
    let mut n = 0i64;
    for &b in head {
        n = n * 10 + digit(b)?;
    }
    for &b in tail {
        n = n.checked_mul(10)?.checked_add(digit(b)?)?;
    }
    Some(n)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, `T` and `Z` in either case (RFC 3339,
/// section 5.6). A leap second (`:60`) counts as the second before.
fn rfc3339(raw: &str) -> Option<i64> {
    let b = raw.as_bytes();
    if b.len() < 20 || b.len() > MAX_RFC3339 {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 || len > 9 {
            return None;
        }
        rest = &fraction[len..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset)
}

/// `unix_seconds` written as `format` writes it, for signing in tests.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn format(unix_seconds: i64, format: TimestampFormat) -> String {
    match format {
        TimestampFormat::UnixSeconds => unix_seconds.to_string(),
        TimestampFormat::UnixMillis => unix_seconds.saturating_mul(1000).to_string(),
        TimestampFormat::Rfc3339 => {
            let (days, secs) = (
                unix_seconds.div_euclid(86_400),
                unix_seconds.rem_euclid(86_400),
            );
            let (year, month, day) = civil_from_days(days);
            format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            )
        }
    }
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
#[cfg(any(test, feature = "testing"))]
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted + 2) / 5 + 1;
    let month = if shifted < 10 {
        shifted + 3
    } else {
        shifted - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The unix seconds of a UTC date and time, each field in its range (a leap second counts as
/// the second before); `None` otherwise. What certificates' validity dates are read with.
#[cfg_attr(not(feature = "rsa"), allow(dead_code))]
pub(crate) fn civil_seconds(date: (i64, i64, i64), time: (i64, i64, i64)) -> Option<i64> {
    let ((year, month, day), (hour, minute, second)) = (date, time);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || !(0..=23).contains(&hour)
        || !(0..=59).contains(&minute)
        || !(0..=60).contains(&second)
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second.min(59))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted = (month + 9) % 12;
    let day_of_year = (153 * shifted + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(raw: &str) -> Option<i64> {
        parse(raw, TimestampFormat::Rfc3339)
    }

    #[test]
    fn seconds_and_milliseconds_are_plain_digits() {
        for raw in ["", "-5", "1.5", "+1", "99999999999999999999", " 1", "1e3"] {
            assert_eq!(parse(raw, TimestampFormat::UnixSeconds), None, "{raw:?}");
            assert_eq!(parse(raw, TimestampFormat::UnixMillis), None, "{raw:?}");
        }
        assert_eq!(parse("0", TimestampFormat::UnixSeconds), Some(0));
        assert_eq!(
            parse("9223372036854775807", TimestampFormat::UnixSeconds),
            Some(i64::MAX)
        );
        assert_eq!(
            parse("1700000000999", TimestampFormat::UnixMillis),
            Some(1_700_000_000)
        );
        // One past the largest: refused, not wrapped.
        assert_eq!(
            parse("9223372036854775808", TimestampFormat::UnixSeconds),
            None
        );
        assert_eq!(
            parse("0001700000000", TimestampFormat::UnixSeconds),
            Some(1_700_000_000)
        );
    }

    proptest::proptest! {
        #[test]
        fn digits_read_as_the_standard_library_reads_them(raw in "[0-9]{1,19}|[0-9+ .e-]{0,21}") {
            // At most 19 digits, leading zeros and all, as the docs say.
            let expected = match raw.len() <= MAX_DIGITS && raw.bytes().all(|b| b.is_ascii_digit()) {
                true => raw.parse::<i64>().ok(),
                false => None,
            };
            proptest::prop_assert_eq!(parse(&raw, TimestampFormat::UnixSeconds), expected);
        }
    }

    #[test]
    fn rfc3339_dates_become_unix_seconds() {
        assert_eq!(rfc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        // Twitch's nanoseconds, Box's offsets, either case of T and Z.
        assert_eq!(rfc("2023-11-14T22:13:20.123456789Z"), Some(1_700_000_000));
        assert_eq!(rfc("2023-11-14T14:13:20-08:00"), Some(1_700_000_000));
        assert_eq!(rfc("2023-11-15t03:43:20+05:30"), Some(1_700_000_000));
        assert_eq!(rfc("2023-11-14t22:13:20z"), Some(1_700_000_000));
        assert_eq!(rfc("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(rfc("1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(rfc("2016-12-31T23:59:60Z"), Some(1_483_228_799));
    }

    #[test]
    fn rfc3339_refuses_everything_else() {
        for raw in [
            "2023-11-14 22:13:20Z",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13Z",
            "2023-13-14T22:13:20Z",
            "2023-02-29T22:13:20Z",
            "1900-02-29T00:00:00Z",
            "2023-11-31T22:13:20Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T22:60:00Z",
            "2023-11-14T22:13:61Z",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20.1234567890Z",
            "2023-11-14T22:13:20+0800",
            "2023-11-14T22:13:20+24:00",
            "2023-11-14T22:13:20+08:60",
            "2023-11-14T22:13:20ZZ",
            "+2023-11-14T22:13:20Z",
            "2023-1-14T22:13:20Z",
            "１９７０-01-01T00:00:00Z",
            "1700000000",
        ] {
            assert_eq!(rfc(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn formatting_round_trips() {
        for secs in [0, 951_782_400, 1_700_000_000, 4_102_444_800] {
            for f in [
                TimestampFormat::UnixSeconds,
                TimestampFormat::UnixMillis,
                TimestampFormat::Rfc3339,
            ] {
                assert_eq!(parse(&format(secs, f), f), Some(secs), "{secs} {f:?}");
            }
        }
        // Before 1970 only a date-time can say it (digits have no sign).
        let before = format(-86_401, TimestampFormat::Rfc3339);
        assert_eq!(before, "1969-12-30T23:59:59Z");
        assert_eq!(parse(&before, TimestampFormat::Rfc3339), Some(-86_401));
        assert_eq!(
            format(1_700_000_000, TimestampFormat::Rfc3339),
            "2023-11-14T22:13:20Z"
        );
    }

    #[test]
    fn days_from_civil_matches_a_day_count() {
        // Every day of 1999-2001 against counting days one by one.
        let mut days = days_from_civil(1999, 1, 1);
        for year in 1999..=2001 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(
                        days_from_civil(year, month, day),
                        days,
                        "{year}-{month}-{day}"
                    );
                    days += 1;
                }
            }
        }
    }
}
