//! The fuzz harness's mutator: from a seed scenario and a case number, a hostile variant.
//!
//! Byte-wise mutations (flips, random and special bytes, cuts, duplications, a BOM, invalid
//! UTF-8, tabs and carriage returns) and structural ones (a scalar replaced by a value of
//! another type, a huge number or a bad duration, a key misspelt or repeated, anchors and
//! aliases, tags, deep nesting, long and unusual Unicode strings, lines spliced from another
//! scenario). Deterministic: the same case number gives the same input.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Values that replace a scalar: other types, extremes, bad durations, YAML features.
const VALUES: &[&str] = &[
    "-1",
    "0",
    "1",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "999999999999999999999999",
    "1e309",
    "-0.0",
    "0.5",
    ".nan",
    ".inf",
    "-.inf",
    "~",
    "null",
    "true",
    "no",
    "\"\"",
    "''",
    "\"\\0\"",
    "\"\\u0000x\"",
    "'''",
    "0x10",
    "0o7",
    "1_000",
    "10us",
    "0s",
    "0ms",
    "-5s",
    "1h",
    "99999999h",
    "1000000000",
    "1e9",
    "5",
    "5 s",
    "1.5.5s",
    "[]",
    "{}",
    "[1, 2, 3]",
    "{ a: 1 }",
    "&a x",
    "*a",
    "*undefined",
    "!!binary aGVsbG8=",
    "!custom x",
    "!!str 5",
    "!!int x",
    "!!map {}",
    "? complex",
    "|\n  block",
    ">-\n  folded",
    "\"<script>alert(1)</script>\"",
    "'\"\"\"; import os #'",
    "\"\\r\\nx = 1\"",
    "\"a\\u2028b\"",
    "\"\\uFFFE\\uFFFF\"",
    "工作队列",
    "\"emoji 🐇\"",
    "\"\\u202Eevil\"",
    "../../etc/x",
    "/tmp/abs",
    "\"#\"",
    "\"*.#.*\"",
    "amq.gen-x",
    "x-match",
    "%TAG",
    "---",
    "...",
];

/// Keys spliced in, near misses and strangers.
const KEYS: &[&str] = &[
    "durabel",
    "prefech",
    "qeues",
    "name",
    "queue",
    "queues",
    "count",
    "every",
    "at",
    "until",
    "limits",
    "max_events",
    "arguments",
    "x-max-length",
    "x-message-ttl",
    "x-queue-type",
    "x-max-priority",
    "exclusiv",
    "work",
    "ack",
    "prefetch",
    "<<",
    "seed",
    "expect",
    "faults",
    "notes",
    "title",
    "\"\"",
];

/// Bytes that are often trouble.
const BYTES: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xef\xbb\xbf",
    b"\t",
    b"\r",
    b"\r\n",
    b"\x0b",
    b"\x0c",
    b"\x1b[31m",
    b"\xe2\x80\xa8",
    b"\xef\xbf\xbe",
    b"{",
    b"[",
    b"}",
    b"]",
    b":",
    b"- ",
    b"&",
    b"*",
    b"!",
    b"|",
    b">",
    b"%",
    b"@",
    b"`",
    b"\"",
    b"'",
    b"#",
    b",",
    b"?",
];

/// A hostile variant of `seed`, chosen by `case`; `other` is another scenario to splice from.
pub fn mutate(seed: &str, other: &str, case: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(case);
    let mut text = seed.as_bytes().to_vec();
    let rounds = 1 + rng.random_range(0..4);
    for _ in 0..rounds {
        if rng.random_bool(0.6) {
            text = structural(&mut rng, &text, other);
        } else {
            bytewise(&mut rng, &mut text);
        }
    }
    text
}

fn bytewise(rng: &mut ChaCha8Rng, text: &mut Vec<u8>) {
    let len = text.len().max(1);
    let at = rng.random_range(0..len).min(text.len());
    match rng.random_range(0..8) {
        0 if !text.is_empty() => {
            let i = at.min(text.len() - 1);
            text[i] ^= 1 << rng.random_range(0..8);
        }
        1 => {
            let b = BYTES[rng.random_range(0..BYTES.len())];
            text.splice(at..at, b.iter().copied());
        }
        2 => {
            let end = (at + rng.random_range(0..64)).min(text.len());
            text.drain(at..end);
        }
        3 => {
            let end = (at + rng.random_range(0..200)).min(text.len());
            let chunk = text[at..end].to_vec();
            text.splice(at..at, chunk);
        }
        4 => text.truncate(at),
        5 => text.splice(0..0, b"\xef\xbb\xbf".iter().copied()).for_each(drop),
        6 => {
            let n = rng.random_range(0..4);
            let junk: Vec<u8> = (0..n).map(|_| rng.random::<u8>()).collect();
            text.splice(at..at, junk);
        }
        _ => {
            // Line endings and indentation: CRLF everywhere, or tabs for spaces.
            let s = String::from_utf8_lossy(text).into_owned();
            let s = if rng.random_bool(0.5) { s.replace('\n', "\r\n") } else { s.replacen("  ", "\t", 3) };
            *text = s.into_bytes();
        }
    }
}

fn structural(rng: &mut ChaCha8Rng, text: &[u8], other: &str) -> Vec<u8> {
    let s = String::from_utf8_lossy(text).into_owned();
    let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return VALUES[rng.random_range(0..VALUES.len())].as_bytes().to_vec();
    }
    let i = rng.random_range(0..lines.len());
    match rng.random_range(0..10) {
        0..=2 => lines[i] = replace_value(rng, &lines[i]),
        3 => lines[i] = replace_key(rng, &lines[i]),
        4 => {
            let dup = lines[i].clone();
            lines.insert(i, dup);
        }
        5 => {
            let spliced: Vec<&str> = other.lines().collect();
            if !spliced.is_empty() {
                lines.insert(i, spliced[rng.random_range(0..spliced.len())].to_string());
            }
        }
        6 => lines[i] = format!("{}{}", lines[i], nesting(rng)),
        7 => lines[i] = big_number(rng, &lines[i]),
        8 => lines.insert(i, anchors(rng)),
        _ => lines[i] = format!("{}{}", " ".repeat(rng.random_range(0..5)), lines[i].trim_start()),
    }
    lines.join("\n").into_bytes()
}

/// The value after the first `: ` replaced by one of [`VALUES`] or a long or odd string.
fn replace_value(rng: &mut ChaCha8Rng, line: &str) -> String {
    let value = match rng.random_range(0..6) {
        0 => format!("\"{}\"", "x".repeat(rng.random_range(1..20_000))),
        1 => unicode(rng),
        _ => VALUES[rng.random_range(0..VALUES.len())].to_string(),
    };
    match line.find(": ") {
        Some(c) => {
            let rest = &line[c + 2..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            format!("{}: {}{}", &line[..c], value, &rest[end..])
        }
        None => format!("{line} {value}"),
    }
}

fn replace_key(rng: &mut ChaCha8Rng, line: &str) -> String {
    let key = KEYS[rng.random_range(0..KEYS.len())];
    match line.find(": ") {
        Some(c) => {
            let start = line[..c].rfind(['{', ',', ' ', '-']).map(|p| p + 1).unwrap_or(0);
            format!("{}{}{}", &line[..start], key, &line[c..])
        }
        None => format!("{line} {key}: 1"),
    }
}

/// Deeply nested flow collections (the quadratic-parse and stack-depth attack).
fn nesting(rng: &mut ChaCha8Rng) -> String {
    let depth = match rng.random_range(0..3) {
        0 => rng.random_range(1..20),
        1 => rng.random_range(20..300),
        _ => rng.random_range(300..5000),
    };
    let (open, close) = if rng.random_bool(0.5) { ("[", "]") } else { ("{a: ", "}") };
    let closed = if rng.random_bool(0.5) { close.repeat(depth) } else { String::new() };
    format!(" {}{}", open.repeat(depth), closed)
}

fn big_number(rng: &mut ChaCha8Rng, line: &str) -> String {
    let n = match rng.random_range(0..4) {
        0 => "1000000000".to_string(),
        1 => "100000000".to_string(),
        2 => u64::MAX.to_string(),
        _ => rng.random::<u32>().to_string(),
    };
    let mut out = String::new();
    let mut replaced = false;
    for part in line.split_inclusive(|c: char| !c.is_ascii_digit()) {
        let digits = part.trim_end_matches(|c: char| !c.is_ascii_digit());
        if !replaced && !digits.is_empty() && rng.random_bool(0.5) {
            out.push_str(&n);
            out.push_str(&part[digits.len()..]);
            replaced = true;
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Anchors and aliases, including the "billion laughs" pattern.
fn anchors(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..3) {
        0 => "x0: &a [1, 2, 3]\nx1: *a".to_string(),
        1 => {
            let mut s = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
            for k in 1..9 {
                s.push_str(&format!("l{k}: &l{k} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n", p = k - 1));
            }
            s
        }
        _ => "<<: *missing".to_string(),
    }
}

fn unicode(rng: &mut ChaCha8Rng) -> String {
    let pool = [
        '\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}', '\u{200b}', '\u{202e}', '\u{fffe}', '\u{ffff}', '\u{fffd}',
        '工', '作', '🐇', 'é', '\u{301}', '"', '\'', '\\', '\n', '\r', '<', '&',
    ];
    let n = rng.random_range(1..30);
    let s: String = (0..n).map(|_| pool[rng.random_range(0..pool.len())]).collect();
    format!("{s:?}")
}
