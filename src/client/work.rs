//! Work times drawn from the client's own random stream, and the RPC server functions.

use super::spec::{ReplyFn, Work};
use crate::sim::{Rng, Time};
use rand::RngExt;

/// Draws how long the next message takes.
pub fn draw(work: Work, rng: &mut Rng) -> Time {
    match work {
        Work::Fixed(t) => t,
        Work::Uniform(lo, hi) => {
            if hi.as_us() <= lo.as_us() {
                lo
            } else {
                Time(rng.random_range(lo.as_us()..=hi.as_us()))
            }
        }
        Work::Exponential(mean) => {
            // Inverse transform on (0, 1]; rounded to whole microseconds.
            let u: f64 = 1.0 - rng.random::<f64>();
            let x = -u.ln() * mean.as_us() as f64;
            Time(x.round().min(u64::MAX as f64 / 2.0) as u64)
        }
    }
}

/// Applies an RPC server function to a request body. `None`: the body is not acceptable
/// input (the server's code raises, as `int(body)` would).
pub fn reply(f: &ReplyFn, body: &str) -> Option<String> {
    match f {
        ReplyFn::Echo => Some(body.to_string()),
        ReplyFn::Upper => Some(body.to_uppercase()),
        ReplyFn::Increment => body.trim().parse::<i64>().ok().and_then(|n| n.checked_add(1)).map(|n| n.to_string()),
        ReplyFn::Fib => {
            let n: u32 = body.trim().parse().ok()?;
            if n > 186 {
                return None;
            }
            let (mut a, mut b) = (0u128, 1u128);
            for _ in 0..n {
                let c = a + b;
                a = b;
                b = c;
            }
            Some(a.to_string())
        }
        ReplyFn::Template(t) => Some(t.replace("{body}", body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_for;

    #[test]
    fn server_functions() {
        assert_eq!(reply(&ReplyFn::Fib, "30").as_deref(), Some("832040"));
        assert_eq!(reply(&ReplyFn::Fib, "10").as_deref(), Some("55"));
        assert_eq!(reply(&ReplyFn::Fib, "0").as_deref(), Some("0"));
        assert_eq!(reply(&ReplyFn::Fib, "x"), None);
        assert_eq!(reply(&ReplyFn::Increment, "30").as_deref(), Some("31"));
        assert_eq!(reply(&ReplyFn::Upper, "hi").as_deref(), Some("HI"));
        assert_eq!(reply(&ReplyFn::Template("reply:{body}".into()), "r1").as_deref(), Some("reply:r1"));
    }

    #[test]
    fn draws_are_deterministic_and_in_range() {
        let mut a = stream_for(1, "w");
        let mut b = stream_for(1, "w");
        for _ in 0..100 {
            let x = draw(Work::Uniform(Time::ms(100), Time::ms(200)), &mut a);
            assert_eq!(x, draw(Work::Uniform(Time::ms(100), Time::ms(200)), &mut b));
            assert!(x >= Time::ms(100) && x <= Time::ms(200));
        }
        let mean: u64 = (0..2000).map(|_| draw(Work::Exponential(Time::ms(10)), &mut a).as_us()).sum::<u64>() / 2000;
        assert!((8_000..12_000).contains(&mean), "mean {mean}");
    }
}
