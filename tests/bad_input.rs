//! Bad input gets a clear error, never a panic: each kind of mistake is reported with the
//! file, line and column of the offending value, what was found and what was expected.

use warren::scenario::Scenario;

/// (what the file says, the line and column the error must point at, words it must contain)
fn expect_error(yaml: &str, line: usize, col: usize, words: &[&str]) {
    let errs = match Scenario::from_str(yaml, "bad.yaml") {
        Ok(_) => panic!("accepted a bad scenario:\n{yaml}"),
        Err(e) => e,
    };
    let e = &errs.0[0];
    let text = e.to_string();
    assert!(text.starts_with("bad.yaml:"), "names the file: {text}");
    assert_eq!((e.pos.line, e.pos.col), (line, col), "position of: {text}");
    for w in words {
        assert!(text.contains(w), "{text:?} should mention {w:?}");
    }
}

const BASE: &str = "name: t\nqueues:\n  - { name: q }\n";

#[test]
fn unknown_keys() {
    expect_error("name: t\nqeues: []\n", 2, 1, &["unknown field `qeues`", "queues"]);
    expect_error("name: t\nqueues:\n  - name: q\n    durabel: true\n", 4, 5, &["unknown field `durabel`", "durable"]);
    expect_error(&format!("{BASE}consumers:\n  - {{ name: c, queue: q, prefech: 1 }}\n"), 5, 26, &["unknown field `prefech`", "prefetch"]);
}

#[test]
fn wrong_types() {
    expect_error(&format!("{BASE}consumers:\n  - {{ name: c, queue: q, prefetch: lots }}\n"), 5, 36, &["invalid type", "string \"lots\""]);
    expect_error("name: t\nseed: -3\n", 2, 7, &["invalid type", "-3", "whole number"]);
    expect_error("name: t\nqueues: yes\n", 2, 9, &["invalid type"]);
    expect_error("- just\n- a list\n", 1, 1, &["invalid type", "a scenario"]);
}

#[test]
fn bad_durations() {
    expect_error("name: t\nuntil: 10 parsecs\n", 2, 8, &["unknown unit", "us, ms, s, m, h"]);
    expect_error("name: t\nuntil: -1s\n", 2, 8, &["negative duration"]);
    expect_error("name: t\nuntil: 5\n", 2, 8, &["no unit", "5ms"]);
    expect_error("name: t\nuntil: 1.5us\n", 2, 8, &["finer than one microsecond"]);
}

#[test]
fn undefined_names() {
    expect_error(&format!("{BASE}consumers:\n  - {{ name: c, queue: nope }}\n"), 5, 23, &["queue `nope`", "not declared"]);
    expect_error(&format!("{BASE}bindings:\n  - {{ exchange: logs, queue: q }}\n"), 5, 17, &["exchange `logs`", "not declared"]);
    expect_error(
        &format!("{BASE}exchanges: [ {{ name: logs, type: fanout }} ]\nbindings:\n  - {{ exchange: logs, queue: nope }}\n"),
        6,
        30,
        &["queue `nope`"],
    );
    expect_error(&format!("{BASE}faults:\n  - {{ at: 1s, crash: ghost }}\n"), 5, 22, &["`ghost`"]);
    expect_error(&format!("{BASE}expect:\n  - {{ consumer: ghost, count: 1 }}\n"), 5, 17, &["no consumer is called `ghost`"]);
    expect_error(
        &format!("{BASE}producers:\n  - name: p\n    publish: [ {{ exchange: nope, key: q }} ]\n"),
        6,
        28,
        &["exchange `nope`", "not declared"],
    );
    expect_error(&format!("{BASE}rpc_clients:\n  - {{ name: r, queue: nope, calls: [\"1\"] }}\n"), 5, 23, &["queue `nope`"]);
}

#[test]
fn duplicates_and_reserved_names() {
    expect_error("name: t\nqueues:\n  - { name: q }\n  - { name: q }\n", 4, 13, &["declared twice"]);
    expect_error(
        &format!("{BASE}consumers:\n  - {{ name: c, queue: q }}\nproducers:\n  - {{ name: c }}\n"),
        7,
        13,
        &["two actors called `c`"],
    );
    expect_error("name: t\nqueues:\n  - { name: amq.mine }\n", 3, 13, &["amq.", "reserves", "403"]);
    expect_error(&format!("{BASE}consumers:\n  - {{ name: broker, queue: q }}\n"), 5, 13, &["`broker` is reserved"]);
}

#[test]
fn topology_mistakes() {
    expect_error(
        "name: t\nexchanges:\n  - { name: x, type: fanot }\n",
        3,
        22,
        &["unknown exchange type `fanot`", "direct, fanout, topic or headers"],
    );
    expect_error(
        "name: t\nexchanges: [ { name: h, type: headers } ]\nqueues: [ { name: q } ]\nbindings:\n  - { exchange: h, queue: q, arguments: { x-match: ALL, a: 1 } }\n",
        5,
        52,
        &["x-match is `ALL`", "406"],
    );
    expect_error(
        "name: t\nqueues:\n  - { name: q, arguments: { x-max-lenght: 3 } }\n",
        3,
        29,
        &["unknown queue argument `x-max-lenght`", "x-max-length"],
    );
    expect_error(
        "name: t\nqueues:\n  - { name: q, arguments: { x-overflow: drop-tail } }\n",
        3,
        41,
        &["drop-head, reject-publish or reject-publish-dlx"],
    );
    expect_error("name: t\nqueues:\n  - { name: q, arguments: { x-message-ttl: soon } }\n", 3, 44, &["whole number of milliseconds"]);
    expect_error("name: t\nqueues:\n  - { name: q, arguments: { x-queue-type: stream } }\n", 3, 43, &["streams are not modelled"]);
    expect_error(
        "name: t\nqueues:\n  - { name: q, arguments: { x-queue-type: quorum } }\n",
        3,
        5,
        &["406 PRECONDITION_FAILED - invalid property 'non-durable' for queue 'q'"],
    );
    expect_error("name: t\nbindings:\n  - { exchange: \"\", queue: q }\n", 3, 17, &["default exchange", "403"]);
    expect_error("name: t\nqueues:\n  - { name: q, exclusive: true }\n", 3, 27, &["exactly one consumer"]);
}

#[test]
fn key_length_limit() {
    let long = "a".repeat(256);
    expect_error(&format!("{BASE}producers:\n  - name: p\n    publish: [ {{ key: {long} }} ]\n"), 6, 23, &["256 bytes", "at most 255"]);
    // 255 bytes is fine.
    let ok = "b".repeat(255);
    Scenario::from_str(&format!("{BASE}producers:\n  - name: p\n    publish: [ {{ key: {ok} }} ]\n"), "ok.yaml").unwrap();
}

#[test]
fn times_in_the_wrong_order() {
    expect_error(
        &format!("{BASE}consumers: [ {{ name: c, queue: q }} ]\nfaults:\n  - {{ at: 2s, until: 1s, partition: c }}\n"),
        6,
        22,
        &["`until` must come after `at`"],
    );
    expect_error(
        &format!("{BASE}producers:\n  - name: p\n    start: 1s\n    publish: [ {{ at: 500ms, key: q }} ]\n"),
        7,
        22,
        &["starts at 1s"],
    );
    expect_error(
        &format!("{BASE}consumers:\n  - {{ name: c, queue: q, work: {{ uniform: [2s, 1s] }} }}\n"),
        5,
        43,
        &["must not be larger"],
    );
}

#[test]
fn notes_and_expectations() {
    expect_error(
        "name: t\nnotes:\n  - { at: 1s, ask: \"?\", choices: [a, b], answer: c }\n",
        3,
        50,
        &["answer `c` is not one of the choices"],
    );
    expect_error("name: t\nnotes:\n  - { at: 1s }\n", 3, 5, &["exactly one of `text` or `ask`"]);
    expect_error(&format!("{BASE}expect:\n  - {{ queue: q, exists: true, ready: 1 }}\n"), 5, 5, &["checks one thing"]);
    expect_error(&format!("{BASE}expect:\n  - {{ queue: nope, exists: true }}\n"), 5, 14, &["queue `nope` is not declared"]);
}

#[test]
fn syntax_errors_and_empty_files() {
    expect_error("name: t\nqueues: [ { name: q }\n", 3, 1, &[]);
    expect_error("", 1, 1, &["empty"]);
    expect_error("name: t\n  bad: indent\n", 2, 6, &[]);
}

#[test]
fn several_errors_are_all_reported() {
    let errs = Scenario::from_str(
        &format!("{BASE}consumers:\n  - {{ name: c, queue: nope }}\nfaults:\n  - {{ at: 1s, crash: ghost }}\n"),
        "bad.yaml",
    )
    .unwrap_err();
    assert_eq!(errs.0.len(), 2, "{errs}");
    assert!(errs.0[0].pos.line < errs.0[1].pos.line, "sorted by position");
}

/// Mangles every bundled scenario in many small ways: the loader must answer each version
/// with a scenario or an error, and an accepted one must run to its end or a cap — never
/// panic or hang.
#[test]
fn mangled_scenarios_never_panic() {
    let mut rng: u64 = 0x5eed;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut accepted = 0;
    let mut rejected = 0;
    for (name, text) in warren::scenario::bundled::BUNDLED {
        let lines: Vec<&str> = text.lines().collect();
        for _ in 0..40 {
            let mut l = lines.clone();
            let i = (next() as usize) % l.len();
            let mutated;
            match next() % 4 {
                0 => {
                    l.remove(i);
                }
                1 => {
                    let j = (next() as usize) % l.len();
                    l.swap(i, j);
                }
                2 => {
                    let s = l[i];
                    let cut = (next() as usize) % (s.len() + 1);
                    mutated = format!("{}{}", &s[..s.floor_char_boundary(cut)], "0");
                    l[i] = &mutated;
                    let text = l.join("\n");
                    check_one(name, &text, &mut accepted, &mut rejected);
                    continue;
                }
                _ => {
                    l.insert(i, "  - { at: 1s, crash: broker }");
                }
            }
            let text = l.join("\n");
            check_one(name, &text, &mut accepted, &mut rejected);
        }
    }
    assert!(accepted > 0 && rejected > 0, "accepted {accepted}, rejected {rejected}");
}

fn check_one(name: &str, text: &str, accepted: &mut u32, rejected: &mut u32) {
    match Scenario::from_str(text, name) {
        Err(e) => {
            *rejected += 1;
            assert!(!e.0.is_empty());
            assert!(e.0.iter().all(|x| x.pos.line >= 1 && x.pos.col >= 1 && !x.message.is_empty()), "{e}");
        }
        Ok(s) => {
            *accepted += 1;
            let mut plan = (*s.plan).clone();
            plan.limits.max_events = 200_000;
            let mut s = s.clone();
            s.plan = std::sync::Arc::new(plan);
            let mut session = warren::session::Session::new(std::sync::Arc::new(s), false);
            let _ = session.run(); // finishing or hitting a cap are both fine
        }
    }
}
