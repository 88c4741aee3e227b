//! The bytes of a scenario before any YAML is read: a size limit, UTF-8 checked with the
//! line and column of the first bad byte, and a leading byte-order mark dropped.

use super::load::{ScenarioError, ScenarioErrors};
use super::locate::Pos;

/// The largest scenario accepted, in bytes (4 MiB: the bundled ones are a few KiB).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// The UTF-8 byte-order mark some editors put at the start of a file.
const BOM: &str = "\u{feff}";

fn error(file: &str, pos: Pos, message: String) -> ScenarioErrors {
    ScenarioErrors(vec![ScenarioError::new(file, pos, message)])
}

/// The 1-based line and column of byte `offset` in `bytes` (columns count characters of the
/// valid text before it).
fn position_of(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset];
    let line_start = before.iter().rposition(|&b| b == b'\n').map(|i| i + 1).unwrap_or(0);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    Pos { line, col }
}

/// Checks the size and encoding of a scenario and returns its text, without a BOM.
pub fn text<'b>(bytes: &'b [u8], file: &str) -> Result<&'b str, ScenarioErrors> {
    if bytes.len() > MAX_BYTES {
        let message = format!("the scenario is over the limit of {MAX_BYTES} bytes (4 MiB): is it the right file?");
        return Err(error(file, Pos { line: 1, col: 1 }, message));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            let bad: Vec<String> = bytes[at..].iter().take(e.error_len().unwrap_or(1)).map(|b| format!("0x{b:02x}")).collect();
            let message =
                format!("invalid UTF-8: byte {} is not text (a scenario must be UTF-8; was it saved in another encoding?)", bad.join(" "));
            return Err(error(file, position_of(bytes, at), message));
        }
    };
    Ok(text.strip_prefix(BOM).unwrap_or(text))
}

/// Reads at most [`MAX_BYTES`] + 1 bytes from `r` (enough to tell that a file is too large
/// without reading all of it).
pub fn read_limited(r: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    r.take(MAX_BYTES as u64 + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_bytes_are_placed() {
        let e = text(b"name: x\nqueues:\n  - { name: q\xff }\n", "f").unwrap_err();
        assert_eq!(e.0[0].pos, Pos { line: 3, col: 14 });
        assert!(e.0[0].message.contains("0xff"), "{}", e.0[0].message);
    }

    #[test]
    fn a_bom_is_dropped_and_size_is_limited() {
        assert_eq!(text("\u{feff}name: x\n".as_bytes(), "f").unwrap(), "name: x\n");
        let big = vec![b' '; MAX_BYTES + 1];
        let e = text(&big, "f").unwrap_err();
        assert!(e.0[0].message.contains("4194304 bytes"), "{}", e.0[0].message);
    }
}
