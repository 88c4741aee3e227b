//! The `warren` binary as a user runs it: output, exit statuses, JSON Lines.

use std::process::Command;

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(args).current_dir(std::env::temp_dir()).output().expect("run warren");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("warren-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn run_prints_the_round_robin_with_reasons() {
    let (code, out, _) = warren(&["run", "work-queues"]);
    assert_eq!(code, 0);
    assert!(out.contains(r#"delivered #1 "task 1" to worker1 (tag 1)  — worker1 is next in round-robin"#), "{out}");
    assert!(out.contains(r#"delivered #4 "task 4" to worker2 (tag 2)  — worker2 is next in round-robin"#));
    assert!(out.contains("trace hash"));
}

#[test]
fn run_in_chinese() {
    let (code, out, _) = warren(&["run", "work-queues", "--lang", "zh"]);
    assert_eq!(code, 0);
    assert!(out.contains("按轮询轮到 worker2"), "{out}");
}

#[test]
fn run_json_lines_have_time_seq_and_kind() {
    let (code, out, _) = warren(&["run", "topic-logs", "--json"]);
    assert_eq!(code, 0);
    let mut last_seq = None;
    let mut kinds = std::collections::BTreeSet::new();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
        let seq = v["seq"].as_u64().expect("seq");
        assert!(v["t_us"].is_u64(), "t_us in {line}");
        kinds.insert(v["kind"].as_str().expect("kind").to_string());
        if let Some(prev) = last_seq {
            assert_eq!(seq, prev + 1);
        }
        last_seq = Some(seq);
    }
    for k in ["published", "routed", "delivered", "unroutable"] {
        assert!(kinds.contains(k), "kind {k} missing: {kinds:?}");
    }
    let routed = out.lines().find(|l| l.contains(r#""kind":"routed""#) && l.contains("lazy.pink.rabbit")).unwrap();
    assert!(routed.contains(r#""binding_key":"*.*.rabbit""#), "the cause is in the record: {routed}");
}

#[test]
fn run_until_and_seed_override() {
    let (code, out, _) = warren(&["run", "work-queues", "--until", "250ms", "--seed", "99"]);
    assert_eq!(code, 0);
    assert!(out.contains("(seed 99)"));
    assert!(out.contains("task 2") && !out.contains("task 3"), "{out}");
    assert!(out.contains("ended at 0.25s"), "{out}");
}

#[test]
fn check_exit_statuses() {
    let (code, out, _) = warren(&["check", "hello", "work-queues"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("pass  worker1 received"));

    let failing = temp_file(
        "failing.yaml",
        "name: failing\nqueues: [ { name: q } ]\nproducers: [ { name: p, publish: [ { key: q, body: x } ] } ]\nexpect:\n  - { queue: q, messages: [y] }\n",
    );
    let (code, out, _) = warren(&["check", &failing]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL  queue q holds [\"y\"] ready — found [\"x\"]"), "{out}");
    assert!(out.contains("seed 0"), "the seed is printed on failure: {out}");

    let bad = temp_file("bad.yaml", "name: bad\nqueues: [ { name: q, durabel: true } ]\n");
    let (code, _, err) = warren(&["check", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("error: queues[0]: unknown field `durabel`"), "{err}");
    assert!(err.contains("bad.yaml:2:22"), "{err}");
    assert!(err.contains("did you mean `durable`?"), "{err}");
}

#[test]
fn bad_files_and_names_exit_2() {
    let bad = temp_file("syntax.yaml", "name: x\nqueues: [\n");
    let (code, _, err) = warren(&["run", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("syntax.yaml:"), "{err}");
    let (code, _, err) = warren(&["run", "no-such-scenario"]);
    assert_eq!(code, 2);
    assert!(err.contains("no scenario file or bundled scenario called `no-such-scenario`"), "{err}");
    assert!(err.contains("work-queues"), "lists the bundled ones: {err}");
    let (code, _, _) = warren(&["run", "work-queues", "--until", "soon"]);
    assert_eq!(code, 2);
    let (code, _, _) = warren(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn hitting_a_cap_says_which() {
    let f = temp_file(
        "loop.yaml",
        "name: loop\nlimits: { events: 500 }\nqueues: [ { name: q } ]\nconsumers: [ { name: c, queue: q, ack: requeue } ]\nproducers: [ { name: p, publish: [ { key: q } ] } ]\n",
    );
    let (code, _, err) = warren(&["run", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("cap of 500 events") && err.contains("limits.events") && err.contains("seed 0"), "{err}");
}

#[test]
fn list_shows_every_bundled_scenario() {
    let (code, out, _) = warren(&["list"]);
    assert_eq!(code, 0);
    for name in warren::scenario::bundled::names() {
        assert!(out.lines().any(|l| l.starts_with(name)), "{name} missing from:\n{out}");
    }
    assert!(out.contains("Work queues: round-robin dispatch"));
    let (_, zh, _) = warren(&["list", "--lang", "zh"]);
    assert!(zh.contains("工作队列"));
}

#[test]
fn help_is_complete() {
    let (code, out, _) = warren(&["--help"]);
    assert_eq!(code, 0);
    for cmd in ["run", "check", "list"] {
        assert!(out.contains(cmd), "{out}");
    }
    let (_, run_help, _) = warren(&["run", "--help"]);
    for flag in ["--seed", "--until", "--json", "--lang"] {
        assert!(run_help.contains(flag), "{run_help}");
    }
}

#[test]
fn quiet_prints_only_a_summary_with_every_fate() {
    let (code, out, err) = warren(&["run", "ack-redelivery", "--quiet"]);
    assert_eq!(code, 0);
    assert!(out.contains("4 published (0 not sent)") && out.contains("6 delivered (2 redelivered)"), "{out}");
    assert!(out.contains("fates: 4 acked, 0 auto-acked"), "{out}");
    assert!(!out.contains("delivered #1"), "no trace lines: {out}");
    assert!(err.contains("wall time"), "timing goes to stderr: {err}");
    let (code, out, _) = warren(&["run", "ack-redelivery", "--quiet", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["published"], 4);
    assert_eq!(v["fates"]["acked"], 4);
    assert_eq!(v["fates"]["still_ready"], 0);
    // The hash is the same as the full run's.
    let (_, full, _) = warren(&["run", "ack-redelivery"]);
    assert!(full.contains(v["trace_hash"].as_str().unwrap()), "same trace hash with and without --quiet");
}
