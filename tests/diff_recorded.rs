//! `warren diff --observed FILE`: the comparison against a recording, with no broker, and
//! the race note — when warren shows the broker's outcome with one client's link a few
//! milliseconds slower, the difference is most likely the real run's timing.

use std::io::Write;
use std::process::Command;

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("run warren");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `warren diff SCENARIO --observed RECORDING`, both given as text.
fn diff_observed(scenario: &str, recording: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = file(&dir, "scenario.yaml", scenario);
    let recording = file(&dir, "recording.jsonl", recording);
    warren(&["diff", &scenario, "--observed", &recording])
}

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_probe_agrees_with_its_recording_without_a_broker() {
    let (code, out, err) = warren(&[
        "diff",
        "tests/conformance_diff/ttl-reading.yaml",
        "--observed",
        "tests/conformance_diff/ttl-reading.observed.jsonl",
        "--port",
        "1",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("against the recording") && out.contains("same:"), "{out}");
}

/// Two producers publish 2 ms apart: warren puts p0's message first; a real run may not.
const RACE: &str = r#"
name: close-publishes
queues:
  - { name: q }
producers:
  - { name: p0, publish: [ { at: 100ms, key: q, body: "from p0" } ] }
  - { name: p1, publish: [ { at: 102ms, key: q, body: "from p1" } ] }
until: 1s
"#;

#[test]
fn a_difference_that_a_few_milliseconds_explain_is_called_a_race() {
    let swapped =
        "{\"kind\": \"queue\", \"queue\": \"q\", \"exists\": true, \"messages\": [\"from p1\", \"from p0\"]}\n{\"kind\": \"end\"}\n";
    let (code, out, err) = diff_observed(RACE, swapped);
    assert_eq!(code, 1, "still a difference: {out}{err}");
    assert!(out.contains("note: warren shows what RabbitMQ showed when p0's link is 3ms slower each way"), "{out}");
    assert!(out.contains("DIFFERENT: 1 of 1"), "{out}");
}

#[test]
fn a_difference_no_shift_explains_gets_no_race_note() {
    let lost = "{\"kind\": \"queue\", \"queue\": \"q\", \"exists\": true, \"messages\": [\"from p0\"]}\n{\"kind\": \"end\"}\n";
    let (code, out, _) = diff_observed(RACE, lost);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("race"), "a lost message is no race: {out}");
}

#[test]
fn a_broken_recording_is_an_error_not_a_difference() {
    let (code, _, err) = diff_observed(RACE, "{\"kind\": \"queue\", \"queue\": \n");
    assert_eq!(code, 2, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let scenario = file(&dir, "close.yaml", RACE);
    let (code, _, err) = warren(&["diff", &scenario, "--observed", "/nonexistent/rec.jsonl"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read /nonexistent/rec.jsonl"), "{err}");
}

const CRASH_RULE: &str = r#"
name: crash-rule
queues:
  - { name: q }
producers:
  - { name: p, publish: [ { at: 100ms, key: q, body: "boom" } ] }
consumers:
  - { name: c, queue: q, work: 100ms, rules: [ { body: "boom", action: crash } ] }
until: 1s
"#;

#[test]
fn a_crash_rule_is_a_crash_and_a_failure_of_the_script_is_a_difference() {
    let lines = [
        r#"{"kind": "delivery", "consumer": "c", "body": "boom", "redelivered": false}"#,
        r#"{"kind": "crash", "client": "c", "why": "rule"}"#,
        r#"{"kind": "queue", "queue": "q", "exists": true, "messages": ["boom"]}"#,
        r#"{"kind": "end"}"#,
    ];
    let (code, out, err) = diff_observed(CRASH_RULE, &(lines.join("\n") + "\n"));
    assert_eq!(code, 0, "{out}{err}");
    let failed_line = r#"{"kind": "failed", "client": "c", "why": "IndexError('pop from empty list')"}"#;
    let (code, out, _) = diff_observed(CRASH_RULE, &([lines[0], failed_line, lines[2], lines[3]].join("\n") + "\n"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("c's own code failed (times)"), "{out}");
}
