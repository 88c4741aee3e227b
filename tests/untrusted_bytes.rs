//! Bytes that are not a scenario: bad UTF-8 (placed), a byte-order mark (accepted), nesting
//! too deep (refused fast), YAML tags (refused), files too large, and paths that are not
//! regular files (refused without reading: `/dev/zero`, a FIFO).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use warren::scenario::source::MAX_BYTES;
use warren::scenario::Scenario;

fn error_of(bytes: &[u8]) -> warren::scenario::ScenarioError {
    match Scenario::from_bytes(bytes, "b.yaml") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.0[0].clone(),
    }
}

#[test]
fn invalid_utf8_is_placed() {
    let e = error_of(b"name: t\nqueues:\n  - { name: caf\xe9 }\n");
    assert_eq!((e.pos.line, e.pos.col), (3, 16));
    assert!(e.message.contains("invalid UTF-8") && e.message.contains("0xe9"), "{e}");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let s = Scenario::from_bytes("\u{feff}name: bom\nqueues: [ { name: q } ]\n".as_bytes(), "bom.yaml").expect("a BOM is fine");
    assert_eq!(s.name, "bom");
    Scenario::from_str("\u{feff}name: bom\n", "bom.yaml").expect("from text too");
}

#[test]
fn deep_nesting_is_refused_fast() {
    let text = format!("name: t\nseed: {}\n", "[".repeat(80_000));
    let started = Instant::now();
    let e = error_of(text.as_bytes());
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert!(e.message.contains("nested more than 64"), "{e}");
    assert_eq!(e.pos.line, 2);
    let text = format!("name: t\nseed: {}\n", "{a: ".repeat(20_000));
    assert!(error_of(text.as_bytes()).message.contains("nested"));
}

#[test]
fn tags_are_refused() {
    let e = error_of(b"name: t\ndescription: !!binary aGVsbG8=\n");
    assert_eq!((e.pos.line, e.pos.col), (2, 14));
    assert!(e.message.contains("tag `!!binary`"), "{e}");
    let e = error_of(b"name: t\nqueues:\n  - !queue { name: q }\n");
    assert_eq!(e.pos.line, 3);
    assert!(e.message.contains("`!queue`"), "{e}");
}

#[test]
fn the_size_is_limited() {
    let mut big = b"name: t\ndescription: \"".to_vec();
    big.resize(MAX_BYTES + 10, b'x');
    let e = error_of(&big);
    assert!(e.message.contains("4194304 bytes") && e.message.contains("4 MiB"), "{e}");
}

fn warren(args: &[&str], stdin: Stdio) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warren"))
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run warren");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("warren {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn devices_and_fifos_are_refused() {
    let (code, err) = warren(&["check", "/dev/zero"], Stdio::null());
    assert_eq!(code, 2);
    assert!(err.contains("/dev/zero: not a regular file"), "{err}");
    let dir = std::env::temp_dir().join(format!("warren-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    assert!(made, "mkfifo is part of coreutils");
    let (code, err) = warren(&["run", fifo.to_str().unwrap()], Stdio::null());
    assert_eq!(code, 2);
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn standard_input_is_size_limited_too() {
    let path = std::env::temp_dir().join(format!("warren-big-{}.yaml", std::process::id()));
    let mut big = b"name: t\ndescription: \"".to_vec();
    big.resize(MAX_BYTES + 100, b'x');
    std::fs::write(&path, &big).unwrap();
    let (code, err) = warren(&["check", "-"], Stdio::from(std::fs::File::open(&path).unwrap()));
    assert_eq!(code, 2);
    assert!(err.contains("over the limit of 4194304 bytes"), "{err}");
    let (code, err) = warren(&["check", path.to_str().unwrap()], Stdio::null());
    assert_eq!(code, 2);
    assert!(err.contains("over the limit"), "{err}");
}
