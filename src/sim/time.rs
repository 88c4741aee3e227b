//! Simulated time: an integer count of microseconds since the scenario started.
//!
//! There is no floating point anywhere in time: durations are parsed from text
//! (`250us`, `10ms`, `1.5s`, `2m`, `1h`) into whole microseconds, and an input finer than
//! a microsecond is refused rather than rounded.

use std::fmt;
use std::ops::{Add, Sub};

/// An instant or a duration of simulated time, in microseconds.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);
    /// The far future: used for "never".
    pub const NEVER: Time = Time(u64::MAX);

    pub const fn us(us: u64) -> Time {
        Time(us)
    }
    /// Milliseconds; a value past the far future saturates to it (never an overflow).
    pub const fn ms(ms: u64) -> Time {
        Time(ms.saturating_mul(1_000))
    }
    pub const fn secs(s: u64) -> Time {
        Time(s.saturating_mul(1_000_000))
    }
    pub const fn as_us(self) -> u64 {
        self.0
    }
    pub fn saturating_add(self, d: Time) -> Time {
        Time(self.0.saturating_add(d.0))
    }
    pub fn saturating_sub(self, d: Time) -> Time {
        Time(self.0.saturating_sub(d.0))
    }
    pub fn is_never(self) -> bool {
        self.0 == u64::MAX
    }

    /// Parses a duration: a non-negative decimal number and a unit `us`, `ms`, `s`, `m` or `h`.
    pub fn parse(text: &str) -> Result<Time, DurationError> {
        let s = text.trim();
        if s.is_empty() {
            return Err(DurationError::Empty);
        }
        if s.starts_with('-') {
            return Err(DurationError::Negative(s.to_string()));
        }
        let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(|| DurationError::NoUnit(s.to_string()))?;
        let (num, unit) = s.split_at(split);
        let unit_us: u64 = match unit.trim() {
            "us" | "µs" => 1,
            "ms" => 1_000,
            "s" => 1_000_000,
            "m" | "min" => 60_000_000,
            "h" => 3_600_000_000,
            _ => return Err(DurationError::BadUnit(s.to_string())),
        };
        if num.is_empty() {
            return Err(DurationError::NoNumber(s.to_string()));
        }
        let (int_part, frac_part) = match num.split_once('.') {
            Some((i, f)) => (i, f),
            None => (num, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
            return Err(DurationError::NoNumber(s.to_string()));
        }
        let overflow = || DurationError::TooLarge(s.to_string());
        let int: u64 = if int_part.is_empty() { 0 } else { int_part.parse().map_err(|_| overflow())? };
        let mut total = int.checked_mul(unit_us).ok_or_else(overflow)?;
        // Fractional part: exact integer arithmetic, refusing anything finer than 1 µs.
        let mut scale = unit_us;
        for (i, b) in frac_part.bytes().enumerate() {
            let digit = (b as char).to_digit(10).ok_or_else(|| DurationError::NoNumber(s.to_string()))? as u64;
            if scale % 10 != 0 {
                if digit != 0 || frac_part.as_bytes()[i..].iter().any(|c| *c != b'0') {
                    return Err(DurationError::TooFine(s.to_string()));
                }
                break;
            }
            scale /= 10;
            total = total.checked_add(digit * scale).ok_or_else(overflow)?;
        }
        if total == u64::MAX {
            return Err(overflow());
        }
        Ok(Time(total))
    }
}

/// Why a duration did not parse. The message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration: expected a number and a unit, like 250ms or 1.5s")]
    Empty,
    #[error("negative duration `{0}`: simulated time only moves forward")]
    Negative(String),
    #[error("duration `{0}` has no unit: expected one of us, ms, s, m, h (like 250ms)")]
    NoUnit(String),
    #[error("duration `{0}` has an unknown unit: expected one of us, ms, s, m, h")]
    BadUnit(String),
    #[error("duration `{0}` has no number: expected a number and a unit, like 250ms")]
    NoNumber(String),
    #[error("duration `{0}` is finer than one microsecond, the resolution of simulated time")]
    TooFine(String),
    #[error("duration `{0}` is too large")]
    TooLarge(String),
}

impl Add for Time {
    type Output = Time;
    fn add(self, rhs: Time) -> Time {
        self.saturating_add(rhs)
    }
}

impl Sub for Time {
    type Output = Time;
    fn sub(self, rhs: Time) -> Time {
        self.saturating_sub(rhs)
    }
}

impl fmt::Display for Time {
    /// Seconds with six decimals trimmed to the shortest exact form: `0s`, `1.25s`, `0.00025s`;
    /// with `{:#}`, the fixed-width form used in trace lines: `   1.250000s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_never() {
            return f.write_str("never");
        }
        let secs = self.0 / 1_000_000;
        let micros = self.0 % 1_000_000;
        if f.alternate() {
            return write!(f, "{secs:>4}.{micros:06}s");
        }
        if micros == 0 {
            return write!(f, "{secs}s");
        }
        let mut frac = format!("{micros:06}");
        while frac.ends_with('0') {
            frac.pop();
        }
        write!(f, "{secs}.{frac}s")
    }
}

impl Time {
    /// The shortest duration text that parses back to the same value (`250ms`, `1.5s`, `0s`).
    pub fn to_duration_string(self) -> String {
        let us = self.0;
        if us == 0 {
            "0s".into()
        } else if us % 1_000_000 == 0 {
            format!("{}s", us / 1_000_000)
        } else if us % 1_000 == 0 {
            format!("{}ms", us / 1_000)
        } else {
            format!("{us}us")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(Time::parse("250us").unwrap(), Time(250));
        assert_eq!(Time::parse("10ms").unwrap(), Time(10_000));
        assert_eq!(Time::parse("1.5s").unwrap(), Time(1_500_000));
        assert_eq!(Time::parse("2m").unwrap(), Time(120_000_000));
        assert_eq!(Time::parse("1h").unwrap(), Time(3_600_000_000));
        assert_eq!(Time::parse("0s").unwrap(), Time(0));
        assert_eq!(Time::parse(".5s").unwrap(), Time(500_000));
        assert_eq!(Time::parse("1.000001s").unwrap(), Time(1_000_001));
        assert_eq!(Time::parse("1.50ms").unwrap(), Time(1_500));
    }

    #[test]
    fn refuses_bad_durations() {
        assert!(matches!(Time::parse("-1s"), Err(DurationError::Negative(_))));
        assert!(matches!(Time::parse("10"), Err(DurationError::NoUnit(_))));
        assert!(matches!(Time::parse("10 parsecs"), Err(DurationError::BadUnit(_))));
        assert!(matches!(Time::parse("1.5us"), Err(DurationError::TooFine(_))));
        assert!(matches!(Time::parse("s"), Err(DurationError::NoNumber(_))));
        assert!(matches!(Time::parse("1..5s"), Err(DurationError::NoNumber(_))));
        assert!(matches!(Time::parse(""), Err(DurationError::Empty)));
        assert!(matches!(Time::parse("99999999999999999999h"), Err(DurationError::TooLarge(_))));
    }

    #[test]
    fn displays_and_round_trips() {
        assert_eq!(Time(1_250_000).to_string(), "1.25s");
        assert_eq!(Time(0).to_string(), "0s");
        assert_eq!(format!("{:#}", Time(1_250_000)), "   1.250000s");
        for us in [0, 1, 999, 1_000, 1_500, 2_000_000, 2_500_000] {
            assert_eq!(Time::parse(&Time(us).to_duration_string()).unwrap(), Time(us));
        }
    }
}
