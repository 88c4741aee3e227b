//! Headers-exchange matching, as RabbitMQ's headers exchange does it.
//!
//! The binding's `x-match` is `all` (the default), `any`, `all-with-x` or `any-with-x`.
//! With `all` and `any`, names starting with `x-` are ignored on both sides. A binding
//! value of type void only asks for the header to be present. `all` with no arguments left
//! matches every message; `any` with none matches nothing.

use super::message::HValue;
use crate::ids::Sym;
use crate::names::Names;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum XMatch {
    All,
    Any,
    AllWithX,
    AnyWithX,
}

impl XMatch {
    /// Parses an `x-match` value. RabbitMQ refuses anything else with 406 (case matters).
    pub fn parse(v: &str) -> Option<XMatch> {
        Some(match v {
            "all" => XMatch::All,
            "any" => XMatch::Any,
            "all-with-x" => XMatch::AllWithX,
            "any-with-x" => XMatch::AnyWithX,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            XMatch::All => "all",
            XMatch::Any => "any",
            XMatch::AllWithX => "all-with-x",
            XMatch::AnyWithX => "any-with-x",
        }
    }
}

/// A headers binding, compiled when the binding is made.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadersPattern {
    pub mode: XMatch,
    /// The arguments that take part in matching (x- ones dropped unless a -with-x mode).
    pub args: Vec<(Sym, HValue)>,
}

impl HeadersPattern {
    /// Compiles binding arguments. `Err(value)` carries an invalid `x-match` value.
    pub fn new(args: &[(Sym, HValue)], names: &Names) -> Result<HeadersPattern, String> {
        let mut mode = XMatch::All;
        for (k, v) in args {
            if names.get(*k) == "x-match" {
                let text = match v {
                    HValue::Str(s) => s.to_string(),
                    other => other.show(),
                };
                mode = XMatch::parse(&text).ok_or(text)?;
            }
        }
        let with_x = matches!(mode, XMatch::AllWithX | XMatch::AnyWithX);
        let args = args
            .iter()
            .filter(|(k, _)| {
                let name = names.get(*k);
                name != "x-match" && (with_x || !name.starts_with("x-"))
            })
            .cloned()
            .collect();
        Ok(HeadersPattern { mode, args })
    }

    /// Whether a message with `headers` (None: no headers property) matches.
    pub fn matches(&self, headers: Option<&[(Sym, HValue)]>, names: &Names) -> bool {
        let with_x = matches!(self.mode, XMatch::AllWithX | XMatch::AnyWithX);
        let lookup = |key: Sym| -> Option<&HValue> {
            let hs = headers?;
            hs.iter().find(|(k, _)| *k == key && (with_x || !names.get(*k).starts_with("x-"))).map(|(_, v)| v)
        };
        let one = |(k, want): &(Sym, HValue)| match lookup(*k) {
            None => false,
            Some(have) => matches!(want, HValue::Void) || want.matches(have),
        };
        match self.mode {
            XMatch::All | XMatch::AllWithX => self.args.iter().all(one),
            XMatch::Any | XMatch::AnyWithX => self.args.iter().any(one),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(names: &mut Names, args: &[(&str, HValue)]) -> HeadersPattern {
        let a: Vec<(Sym, HValue)> = args.iter().map(|(k, v)| (names.intern(k), v.clone())).collect();
        HeadersPattern::new(&a, names).unwrap()
    }

    #[test]
    fn all_any_and_x_arguments() {
        let mut n = Names::new();
        let s = |x: &str| HValue::Str(x.into());
        let all = pat(&mut n, &[("x-match", s("all")), ("a", HValue::Int(1)), ("b", s("x"))]);
        let any = pat(&mut n, &[("x-match", s("any")), ("a", HValue::Int(1)), ("b", s("x"))]);
        let empty_all = pat(&mut n, &[("x-match", s("all"))]);
        let empty_any = pat(&mut n, &[("x-match", s("any"))]);
        let present = pat(&mut n, &[("a", HValue::Void)]);
        let with_x = pat(&mut n, &[("x-match", s("any-with-x")), ("x-foo", s("bar"))]);
        let (a, b, xf) = (n.intern("a"), n.intern("b"), n.intern("x-foo"));
        let m1 = vec![(a, HValue::Int(1)), (b, s("x"))];
        let m2 = vec![(a, HValue::Int(1))];
        let m3 = vec![(xf, s("bar"))];
        assert!(all.matches(Some(&m1), &n));
        assert!(!all.matches(Some(&m2), &n));
        assert!(any.matches(Some(&m2), &n));
        assert!(empty_all.matches(None, &n));
        assert!(!empty_any.matches(Some(&m1), &n));
        assert!(present.matches(Some(&m2), &n));
        assert!(!present.matches(None, &n));
        assert!(with_x.matches(Some(&m3), &n));
        assert!(!any.matches(Some(&m3), &n));
    }

    #[test]
    fn bad_x_match_is_refused() {
        let mut n = Names::new();
        let k = n.intern("x-match");
        assert_eq!(HeadersPattern::new(&[(k, HValue::Str("ALL".into()))], &n).unwrap_err(), "ALL");
    }
}
