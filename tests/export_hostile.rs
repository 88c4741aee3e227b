//! Exports of untrusted scenarios: whatever text a scenario file holds (controls, quotes,
//! backslashes, `"""`, every line break Python knows, NUL, U+2028, U+FFFE, `<script>`),
//! the pika script is printable ASCII and parses to the same Python as the same scenario with
//! plain names (only string constants differ: no scenario text became code); the SVG is
//! well-formed XML; the Mermaid text holds no raw control character and no `<script`.
//!
//! The property test writes every case's scripts and SVGs first, then checks them all in one
//! python3 process. Without python3 it fails when `CI` is set, and says it skipped otherwise.
//! `WARREN_HOSTILE_CASES=N` changes the number of random cases (default 200).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::process::Command;
use std::sync::Arc;
use warren::export::{diagram, mermaid, pika, svg};
use warren::scenario::Scenario;
use warren::session::Session;

/// Pieces that break naive escaping somewhere.
const FRAGMENTS: &[&str] = &[
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\0",
    "\x1b[31m",
    "\x7f",
    "\u{9b}",
    "\"\"\"",
    "'''",
    "\"",
    "'",
    "\\",
    "\\n",
    "\\x00",
    "\\N{BULLET}",
    "{",
    "}",
    "{{",
    "{n}",
    "{body}",
    "#",
    ";",
    "%%{init: {}}%%",
    "<script>alert(1)</script>",
    "&amp;",
    "&",
    "<",
    ">",
    "]]>",
    "-->",
    "\u{FFFE}",
    "\u{FFFF}",
    "\u{FFFD}",
    "\u{FEFF}",
    "\u{1F600}",
    "中文",
    "\nimport os; os.system('echo pwned')\n",
    "\"\"\"; import os #",
    "\t",
    " ",
];

fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        3 => prop::sample::select(FRAGMENTS).prop_map(String::from),
        1 => "[ -~]{0,6}",
    ];
    prop::collection::vec(piece, 0..7).prop_map(|v| v.concat())
}

/// The text slots of the scenario template, each with the prefix that keeps it valid
/// (non-empty, unique, not `amq.`, a choice's text distinct from the other's).
const SLOTS: &[(&str, &str)] = &[
    ("name", "S"),
    ("title", "T"),
    ("desc", "D"),
    ("ex", "Xa"),
    ("fx", "Xb"),
    ("dx", "Xc"),
    ("q1", "Qa"),
    ("q2", "Qb"),
    ("dq", "Qc"),
    ("key", "K"),
    ("key2", "L"),
    ("c1", "Ca"),
    ("c2", "Cb"),
    ("c3", "Cc"),
    ("p1", "Pa"),
    ("r1", "Ra"),
    ("rulebody", "R"),
    ("tpl", "T"),
    ("body1", "B"),
    ("body2", "B"),
    ("hk", "H"),
    ("hv", "V"),
    ("rt", "Y"),
    ("cid", "I"),
    ("call1", "1"),
    ("call2", "2"),
    ("note", "N"),
    ("ask", "Q"),
    ("ch1", "A"),
    ("ch2", "B"),
    ("explain", "E"),
    ("file", "F"),
    ("invoked", "W"),
];

const TEMPLATE: &str = r#"
name: {name}
title: {title}
description: {desc}
exchanges:
  - { name: {ex}, type: direct }
  - { name: {fx}, type: fanout }
queues:
  - { name: {q1}, durable: true }
  - { name: {q2} }
bindings:
  - { exchange: {ex}, queue: {q1}, key: {key} }
consumers:
  - name: {c1}
    queue: {q1}
    work: 10ms
    rules:
      - { body: {rulebody}, action: reject }
    declare: [ { queue: {dq} }, { exchange: {dx}, type: topic } ]
  - { name: {c2}, queue: {q2}, reply: {tpl} }
  - { name: {c3}, queue: { exclusive: true, bind: [ { exchange: {fx}, key: {key2} } ] } }
producers:
  - name: {p1}
    publish:
      - { at: 10ms, exchange: {ex}, key: {key}, body: {body1}, count: 2, every: 10ms, headers: { {hk}: {hv} }, reply_to: {rt}, correlation_id: {cid} }
      - { at: 50ms, exchange: {fx}, key: {key2}, body: {body2} }
rpc_clients:
  - { name: {r1}, queue: {q2}, calls: [ {call1}, {call2} ] }
faults:
  - { at: 100ms, crash: {c1} }
  - { at: 200ms, restart: {c1} }
  - { at: 150ms, delay: {p1}, by: 10ms, until: 160ms }
notes:
  - { at: 0s, text: {note} }
  - { at: 20ms, ask: {ask}, choices: [ {ch1}, {ch2} ], answer: {ch1}, explain: {explain} }
"#;

/// A YAML double-quoted scalar holding exactly `s`.
fn yq(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// The slot's value: its prefix, then the random text (no `{n}` in a body template, which
/// would turn a literal into an f-string; `{n}` after it in the template that repeats).
fn slot_value(slot: &str, prefix: &str, random: &str) -> String {
    let mut r = random.to_string();
    if slot.starts_with("body") {
        while r.contains("{n}") {
            r = r.replace("{n}", "");
        }
    }
    // AMQP names are at most 255 bytes.
    while r.len() > 200 {
        r.pop();
    }
    match slot {
        "body1" => format!("{prefix}{r}{{n}}"),
        "tpl" => format!("{prefix}{r}{{body}}"),
        _ => format!("{prefix}{r}"),
    }
}

struct Exported {
    yaml: String,
    pika: String,
    mermaid: String,
    svg: String,
}

/// Loads, runs and exports the template filled with `values` (one per slot).
fn export(values: &[String]) -> Exported {
    let mut yaml = TEMPLATE.to_string();
    for ((slot, _), v) in SLOTS.iter().zip(values) {
        yaml = yaml.replace(&format!("{{{slot}}}"), &yq(v));
    }
    let value = |slot: &str| &values[SLOTS.iter().position(|(s, _)| *s == slot).expect("slot")];
    let s = Scenario::from_str(&yaml, value("file")).unwrap_or_else(|e| panic!("the loader refused:\n{e}\n{yaml}"));
    let mut session = Session::new(Arc::new(s), true);
    session.run().expect("runs");
    let pika = pika::script(&session, &pika::PikaOptions { time_scale: 2.0, invoked_as: value("invoked").clone() });
    let d = diagram::Diagram::from_session(&session, diagram::Window::default(), warren::explain::Lang::En);
    Exported { yaml, pika, mermaid: mermaid::render(&d), svg: svg::render(&d) }
}

fn python3() -> bool {
    let ok = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "python3 is required on CI (CI is set)");
        eprintln!("SKIPPED: no python3 to parse the exported scripts");
    }
    ok
}

/// Parses every `case-N.py` against `plain.py` (same AST once string constants and the
/// clients' function names are normalised) and every `case-N.svg` with an XML parser, in one
/// python3 process; the failures, one per line.
const CHECK: &str = r#"
import ast, sys, os, xml.dom.minidom
def norm(path):
    tree = ast.parse(open(path, encoding='ascii').read(), path)
    funcs = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    ren = {f: 'F%d' % i for i, f in enumerate(funcs)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = 'S'
        elif isinstance(node, ast.FunctionDef) and node.name in ren:
            node.name = ren[node.name]
        elif isinstance(node, ast.Name) and node.id in ren:
            node.id = ren[node.id]
    return ast.dump(tree)
d, n = sys.argv[1], int(sys.argv[2])
b = norm(os.path.join(d, 'plain.py'))
for i in range(n):
    try:
        a = norm(os.path.join(d, 'case-%d.py' % i))
        if a != b:
            k = next(j for j in range(min(len(a), len(b))) if a[j] != b[j]) if a[:min(len(a), len(b))] != b[:min(len(a), len(b))] else min(len(a), len(b))
            print('%d: the script differs from the plain one beyond strings: ...%s... vs ...%s...' % (i, a[max(0, k - 80):k + 80], b[max(0, k - 80):k + 80]))
    except Exception as e:
        print('%d: python: %r' % (i, e))
    try:
        xml.dom.minidom.parse(os.path.join(d, 'case-%d.svg' % i))
    except Exception as e:
        print('%d: svg: %r' % (i, e))
"#;

/// What every export of a hostile scenario must satisfy without Python.
fn check_in_rust(i: usize, e: &Exported) -> Vec<String> {
    let mut bad = Vec::new();
    if let Some(c) = e.pika.chars().find(|c| !(*c == '\n' || (' '..='~').contains(c))) {
        bad.push(format!("{i}: the script holds {c:?}, not printable ASCII"));
    }
    if let Some(c) = e.mermaid.chars().find(|c| *c != '\n' && (c.is_control() || *c == '\u{2028}' || *c == '\u{2029}')) {
        bad.push(format!("{i}: the Mermaid text holds {c:?}"));
    }
    let lower = e.mermaid.to_lowercase();
    for bad_text in ["<script", "%%{", "&"] {
        if lower.contains(bad_text) {
            bad.push(format!("{i}: the Mermaid text holds {bad_text}"));
        }
    }
    if let Some(c) = e.svg.chars().find(|c| {
        let u = *c as u32;
        (u < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || u == 0xFFFE || u == 0xFFFF
    }) {
        bad.push(format!("{i}: the SVG holds {c:?}, which XML 1.0 forbids"));
    }
    if e.svg.to_lowercase().contains("<script") {
        bad.push(format!("{i}: the SVG holds <script"));
    }
    bad
}

#[test]
fn hostile_text_in_every_field_stays_data_in_every_export() {
    let cases: usize = std::env::var("WARREN_HOSTILE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let strategy = prop::collection::vec(nasty(), SLOTS.len());
    let mut runner = TestRunner::deterministic();
    let plain: Vec<String> = SLOTS.iter().map(|(slot, prefix)| slot_value(slot, prefix, "z")).collect();
    let plain = export(&plain);
    std::fs::write(dir.path().join("plain.py"), &plain.pika).unwrap();
    let mut failures = Vec::new();
    let mut yamls = Vec::new();
    for i in 0..cases {
        let random = strategy.new_tree(&mut runner).expect("a case").current();
        let values: Vec<String> = SLOTS.iter().zip(&random).map(|((slot, prefix), r)| slot_value(slot, prefix, r)).collect();
        let e = export(&values);
        failures.extend(check_in_rust(i, &e));
        std::fs::write(dir.path().join(format!("case-{i}.py")), &e.pika).unwrap();
        std::fs::write(dir.path().join(format!("case-{i}.svg")), &e.svg).unwrap();
        yamls.push(e.yaml);
    }
    let exported = started.elapsed();
    if python3() {
        let out = Command::new("python3").args(["-c", CHECK]).arg(dir.path()).arg(cases.to_string()).output().expect("python3");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        failures.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string));
    }
    eprintln!("{cases} hostile scenarios: exported in {exported:.2?}, checked in {:.2?}", started.elapsed());
    if let Some(first) = failures.first() {
        let i: usize = first.split(':').next().and_then(|n| n.parse().ok()).unwrap_or(0);
        panic!("{} failures, the first:\n{}\nits scenario:\n{}", failures.len(), failures.join("\n"), yamls[i]);
    }
}

#[test]
fn a_question_s_answer_is_not_in_the_script_before_its_time() {
    let yaml = r#"
name: quiz
queues: [ { name: q } ]
producers: [ { name: p, publish: [ { at: 10ms, key: q, body: x } ] } ]
consumers: [ { name: c, queue: q } ]
notes:
  - { at: 0s, ask: "Who gets x?", choices: [ "nobody at all", "consumer c gets it" ], answer: "consumer c gets it", explain: "SECRET-EXPLANATION" }
"#;
    let s = Scenario::from_str(yaml, "quiz.yaml").unwrap();
    let mut session = Session::new(Arc::new(s), true);
    session.run().unwrap();
    let script = pika::script(&session, &pika::PikaOptions::default());
    assert!(script.contains("Who gets x?"), "the question is there");
    assert!(!script.contains("SECRET-EXPLANATION"), "the explanation is hidden");
    assert!(!script.contains("answer: consumer c"), "the answer is hidden");
    let hidden = pika::hex(" answer: consumer c gets it (SECRET-EXPLANATION)");
    assert!(script.contains(&format!("'question: Who gets x? [nobody at all / consumer c gets it]', '{hidden}'")), "{script}");
    if python3() {
        // The harness prints it whole at its time: the question, then what it hid.
        let code = format!("print('question' + bytes.fromhex('{hidden}').decode('utf-8'))");
        let out = Command::new("python3").args(["-c", &code]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "question answer: consumer c gets it (SECRET-EXPLANATION)");
    }
}
