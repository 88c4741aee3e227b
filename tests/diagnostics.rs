//! Errors that teach: every problem of a file at once, each with its own position, a source
//! snippet with the span underlined, what was found and expected, and a "did you mean" where
//! a known word is close — as the library reports them and as `warren` draws them.

use std::process::Command;
use warren::scenario::{Scenario, ScenarioError};

fn errors(yaml: &str) -> Vec<ScenarioError> {
    match Scenario::from_str(yaml, "t.yaml") {
        Ok(_) => panic!("accepted:\n{yaml}"),
        Err(e) => e.0,
    }
}

/// The error at `line:col`, which must mention every word.
fn one_at(yaml: &str, line: usize, col: usize, words: &[&str]) -> ScenarioError {
    let errs = errors(yaml);
    let e = errs
        .iter()
        .find(|e| (e.pos.line, e.pos.col) == (line, col))
        .unwrap_or_else(|| panic!("no error at {line}:{col}: {errs:#?}"))
        .clone();
    let text = e.to_string();
    for w in words {
        assert!(text.contains(w), "{text:?} should mention {w:?}");
    }
    e
}

fn help(e: &ScenarioError) -> &str {
    e.help.as_deref().unwrap_or_else(|| panic!("no suggestion: {e}"))
}

const BASE: &str = "name: t\nqueues:\n  - { name: task_queue }\n";

#[test]
fn misspelt_keys_get_the_key_they_meant() {
    let e = one_at("name: t\nqueues:\n  - name: q\n    durabel: true\n", 4, 5, &["unknown field `durabel`", "expected one of"]);
    assert_eq!(help(&e), "did you mean `durable`?");
    let e = one_at(&format!("{BASE}consumers:\n  - {{ name: c, queue: task_queue, prefech: 1 }}\n"), 5, 35, &["prefech"]);
    assert_eq!(help(&e), "did you mean `prefetch`?");
    let e = one_at("name: t\nqeues: []\n", 2, 1, &["unknown field `qeues`"]);
    assert_eq!(help(&e), "did you mean `queues`?");
}

#[test]
fn misspelt_names_and_values_get_the_declared_one() {
    let e = one_at(&format!("{BASE}consumers:\n  - {{ name: c, queue: task_queu }}\n"), 5, 23, &["queue `task_queu`", "not declared"]);
    assert_eq!(help(&e), "did you mean `task_queue`?");
    let yaml =
        "name: t\nexchanges: [ { name: logs, type: fanout } ]\nqueues: [ { name: q } ]\nbindings:\n  - { exchange: lgos, queue: q }\n";
    let e = one_at(yaml, 5, 17, &["exchange `lgos`"]);
    assert_eq!(help(&e), "did you mean `logs`?");
    let e = one_at("name: t\nexchanges:\n  - { name: x, type: fanot }\n", 3, 22, &["unknown exchange type `fanot`"]);
    assert_eq!(help(&e), "did you mean `fanout`?");
    let e = one_at(&format!("{BASE}expect:\n  - {{ guarantee: exactly-one }}\n"), 5, 18, &["unknown guarantee `exactly-one`"]);
    assert_eq!(help(&e), "did you mean `exactly-once`?");
    let e = one_at(&format!("{BASE}consumers:\n  - {{ name: c, queue: task_queue, ack: requeu }}\n"), 5, 40, &["unknown action `requeu`"]);
    assert_eq!(help(&e), "did you mean `requeue`?");
    let yaml = format!("{BASE}consumers:\n  - {{ name: worker, queue: task_queue }}\nfaults:\n  - {{ at: 1s, crash: wrker }}\n");
    let e = one_at(&yaml, 7, 22, &["`wrker`"]);
    assert_eq!(help(&e), "did you mean `worker`?");
}

#[test]
fn every_problem_of_a_file_at_once() {
    let yaml = "name: t\nqueues:\n  - { name: q, durabel: true }\n  - { name: r, exclusve: true }\nconsumers:\n  - { name: c, queue: q, prefech: 1 }\n";
    let errs = errors(yaml);
    let places: Vec<(usize, usize)> = errs.iter().map(|e| (e.pos.line, e.pos.col)).collect();
    assert_eq!(places, [(3, 16), (4, 16), (6, 26)], "{errs:#?}");
}

#[test]
fn duplicate_keys_are_placed_at_the_second() {
    let e = one_at("name: t\nseed: 1\nqueues: []\nseed: 2\n", 4, 1, &["duplicate key `seed`", "line 2"]);
    assert!(e.help.is_some());
    one_at("name: t\nqueues:\n  - { name: q, durable: true, durable: false }\n", 3, 31, &["duplicate key `durable`"]);
}

#[test]
fn a_text_map_names_its_languages() {
    let e = one_at("name: t\ntitle: {en, fr}\n", 2, 13, &["unknown language `fr`", "`en`", "`zh`"]);
    assert!(e.message.contains("title"), "{e}");
    one_at("name: t\ntitle: { en: a, zh: b, de: c }\n", 2, 24, &["unknown language `de`"]);
}

#[test]
fn typos_inside_nested_values_keep_their_detail() {
    let e = one_at(
        "name: t\nexchanges: [ { name: logs, type: fanout } ]\nconsumers:\n  - name: c\n    queue: { exclusiv: true, bind: [ { exchange: logs } ] }\n",
        5,
        14,
        &["unknown field `exclusiv`"],
    );
    assert_eq!(help(&e), "did you mean `exclusive`?");
    one_at(&format!("{BASE}consumers:\n  - {{ name: c, queue: task_queue, work: 500 }}\n"), 5, 41, &["`500` has no unit", "500ms"]);
    one_at(&format!("{BASE}consumers:\n  - {{ name: c, queue: task_queue, work: {{ uniform: [1s, 2] }} }}\n"), 5, 57, &["`2` has no unit"]);
}

#[test]
fn tabs_are_named_as_the_problem() {
    let errs = errors("name: t\nqueues:\n\t- { name: q }\n\t- { name: r }\n");
    assert!(errs.len() >= 2, "each tab-indented line: {errs:#?}");
    for e in &errs {
        assert!(e.message.contains("tabs"), "{e}");
        assert_eq!(e.help.as_deref(), Some("indent with spaces instead of tabs"));
    }
    assert_eq!((errs[0].pos.line, errs[1].pos.line), (3, 4));
}

#[test]
fn a_bad_reconnect_is_placed_at_its_value() {
    let errs = errors("name: r\nqueues: [ { name: q } ]\nconsumers:\n  - name: c\n    queue: q\n    reconnect: true\n");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!((errs[0].pos.line, errs[0].pos.col), (6, 16), "{errs:#?}");
    assert!(errs[0].message.contains("consumers[0].reconnect: duration `true`"), "{}", errs[0].message);
    assert!(Scenario::from_str("name: r\nproducers: [ { name: p, reconnect: never } ]\n", "t.yaml").is_ok());
}

#[test]
fn every_syntax_error_of_a_file_at_once() {
    // libyaml stops at the first; the loader takes that line out and reads on.
    let errs = errors("name: s\nqueues:\n  - name: a\n   durable: true\n  - { name: b, arguments: { x-max-length: [1 }\nconsumers:\n  - name: c\n    queue: a: b\n");
    let at: Vec<(usize, usize)> = errs.iter().map(|e| (e.pos.line, e.pos.col)).collect();
    assert_eq!(at.iter().map(|p| p.0).collect::<Vec<_>>(), vec![4, 5, 8], "{errs:#?}");
    assert!(help(&errs[0]).contains("indentation"), "{:?}", errs[0]);
    assert!(help(&errs[1]).contains("is not closed"), "{:?}", errs[1]);
    assert!(errs[2].message.contains("mapping values are not allowed"), "{:?}", errs[2]);
}

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(args).current_dir(std::env::temp_dir()).output().expect("run warren");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("warren-diag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn the_cli_draws_a_snippet_in_plain_text() {
    let f = temp_file("snippet.yaml", "name: t\nqueues:\n  - { name: q, durabel: true }\n");
    let (code, _, err) = warren(&["check", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("error: queues[0]: unknown field `durabel`"), "{err}");
    assert!(err.contains(&format!("{f}:3:16")), "the position: {err}");
    assert!(err.contains("3 |   - { name: q, durabel: true }"), "the line: {err}");
    assert!(err.contains("^^^^^^^ did you mean `durable`?"), "the span, underlined: {err}");
    assert!(!err.contains('\u{1b}'), "no colour when stderr is not a terminal: {err:?}");
}

#[test]
fn a_misspelt_bundled_name_gets_one_suggestion() {
    let (code, _, err) = warren(&["run", "work-queue"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean the bundled scenario `work-queues`?"), "{err}");
    assert!(!err.contains("fanout-logs"), "not the whole list: {err}");
}

#[test]
fn the_event_cap_names_the_likely_reason() {
    let many = temp_file(
        "many.yaml",
        "name: many\nlimits: { events: 1000 }\nqueues: [ { name: q } ]\nconsumers: [ { name: c, queue: q } ]\nproducers: [ { name: p, publish: [ { key: q, count: 100000000 } ] } ]\n",
    );
    let (code, _, err) = warren(&["run", &many, "--quiet"]);
    assert_eq!(code, 2);
    assert!(err.contains("publishes 100000000 messages"), "{err}");
    assert!(!err.contains("requeued forever"), "{err}");
    let looping = temp_file(
        "looping.yaml",
        "name: looping\nlimits: { events: 500 }\nqueues: [ { name: q } ]\nconsumers: [ { name: c, queue: q, ack: requeue } ]\nproducers: [ { name: p, publish: [ { key: q } ] } ]\n",
    );
    let (code, _, err) = warren(&["run", &looping]);
    assert_eq!(code, 2);
    assert!(err.contains("requeued forever") && err.contains("cap of 500 events"), "{err}");
}
