//! Clock times as caption formats write them.

/// Parses `hh:mm:ss.fff`, `mm:ss.fff`, `hh:mm:ss,fff` (SRT) or `hh:mm:ss`
/// into milliseconds. Minutes and seconds are two digits below 60; hours
/// may have 1–6 digits; the fraction 1–3 digits (more are cut to milliseconds).
pub(crate) fn clock_ms(s: &str) -> Option<u64> {
    let (clock, fraction) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [h, m, s] => (number(h, 6)?, two_digits(m)?, two_digits(s)?),
        [m, s] => (0, two_digits(m)?, two_digits(s)?),
        _ => return None,
    };
    if m >= 60 || sec >= 60 {
        return None;
    }
    let millis = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let digits: String = f.chars().chain("00".chars()).take(3).collect();
            digits.parse::<u64>().ok()?
        }
        Some(_) => return None,
    };
    Some(((h * 60 + m) * 60 + sec) * 1000 + millis)
}

fn two_digits(s: &str) -> Option<u64> {
    if s.len() == 2 { number(s, 2) } else { None }
}

fn number(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `part / whole` of a `span` of time, without overflow: a caption may span
/// 999,999 hours (3.6e12 ms) and hold millions of characters, and their
/// product overflows 64 bits. `part` is at most `whole`.
pub(crate) fn share(span: u64, part: u64, whole: u64) -> u64 {
    let share = u128::from(span) * u128::from(part) / u128::from(whole.max(1));
    u64::try_from(share).unwrap_or(span)
}

/// Seconds as a JSON number → milliseconds; negative, NaN or absurdly large
/// values (over 100 hours) are refused.
pub(crate) fn seconds_ms(s: f64) -> Option<u64> {
    (s.is_finite() && (0.0..=360_000.0).contains(&s)).then(|| (s * 1000.0).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times() {
        assert_eq!(clock_ms("00:00:01.480"), Some(1480));
        assert_eq!(clock_ms("01:02:03,5"), Some(3_723_500));
        assert_eq!(clock_ms("02:03.25"), Some(123_250));
        assert_eq!(clock_ms("1:00:00"), Some(3_600_000));
        assert_eq!(clock_ms("00:00:01.4801"), Some(1480));
        for bad in [
            "",
            "1",
            "00:61:00.000",
            "00:00:60.000",
            "aa:bb:cc",
            "00:00:01.",
            "00:00:01.x",
            "-1:00:00",
            "1:2:3:4",
        ] {
            assert_eq!(clock_ms(bad), None, "{bad}");
        }
        assert_eq!(
            share(3_600_000_000_000, 5_000_000, 10_000_000),
            1_800_000_000_000
        );
        assert_eq!(share(1000, 1, 0), 1000);
        assert_eq!(seconds_ms(1.2345), Some(1235));
        assert_eq!(seconds_ms(-1.0), None);
        assert_eq!(seconds_ms(f64::NAN), None);
    }
}
