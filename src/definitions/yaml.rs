//! A small YAML writer for imported scenarios: every string is written double-quoted with
//! escapes, so a name from a definitions file (which may hold `#`, `:`, newlines, quotes or
//! invisible characters) stays one string and never becomes YAML structure or a comment.

use std::fmt::Write;

/// `s` as a YAML double-quoted scalar. Escapes `"` and `\`, and every character that is not
/// printable in YAML or that a YAML reader treats as a line break (C0 and C1 controls, DEL,
/// U+2028, U+2029, the byte-order mark, U+FFFE and U+FFFF).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    out.push_str(&escape(s));
    out.push('"');
    out
}

/// The inside of [`quote`]: safe in a double-quoted scalar and in a `#` comment.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let n = c as u32;
                if n <= 0xFF {
                    let _ = write!(out, "\\x{n:02X}");
                } else {
                    let _ = write!(out, "\\u{n:04X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    let n = c as u32;
    n < 0x20 || (0x7F..=0x9F).contains(&n) || n == 0x2028 || n == 0x2029 || n == 0xFEFF || n == 0xFFFE || n == 0xFFFF
}

/// A JSON scalar as a YAML scalar with the same meaning (`None` for arrays and objects).
pub fn scalar(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value as J;
    match v {
        J::Null => Some("null".into()),
        J::Bool(b) => Some(b.to_string()),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(i.to_string())
            } else if let Some(u) = n.as_u64() {
                Some(u.to_string())
            } else {
                let f = n.as_f64()?;
                if !f.is_finite() {
                    return None;
                }
                // `{:?}` always writes a `.` or an exponent, so YAML reads a float back.
                Some(format!("{f:?}"))
            }
        }
        J::String(s) => Some(quote(s)),
        J::Array(_) | J::Object(_) => None,
    }
}

/// Lines of text under construction, with comments placed above what they explain.
#[derive(Default)]
pub struct Doc {
    pub text: String,
}

impl Doc {
    /// A `# ...` line at `indent` spaces; line breaks and invisible characters are escaped
    /// so that it stays one comment line.
    pub fn comment(&mut self, indent: usize, text: &str) {
        let mut line = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '\n' | '\r' | '\t' => line.push(' '),
                c if needs_escape(c) => line.push_str(&escape(&c.to_string())),
                c => line.push(c),
            }
        }
        let _ = writeln!(self.text, "{:indent$}# {line}", "");
    }
    /// A line of YAML written by the caller from quoted parts.
    pub fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.text, "{:indent$}{text}", "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings_stay_one_scalar() {
        for s in ["a: b", "# not a comment", "line\nbreak", "\"quoted\" \\", "nel\u{85}ls\u{2028}", "\u{feff}bom", "tab\tcr\r", "日本語"]
        {
            let yaml = format!("name: {}\n", quote(s));
            let f = crate::scenario::load::parse_yaml(&yaml, "t.yaml").unwrap();
            assert_eq!(f.name, s, "{yaml}");
        }
    }

    #[test]
    fn scalars_keep_their_type() {
        let v: serde_json::Value = serde_json::json!([1, -2, 1.0, 2.5e300, true, null, "x"]);
        let out: Vec<String> = v.as_array().unwrap().iter().map(|x| scalar(x).unwrap()).collect();
        assert_eq!(out, ["1", "-2", "1.0", "2.5e300", "true", "null", "\"x\""]);
        assert!(scalar(&serde_json::json!({})).is_none());
    }
}
