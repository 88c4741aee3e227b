//! Every bundled scenario: it is in the binary, it is complete (title, description, notes,
//! expect), and all its `expect:` items pass.

use std::collections::BTreeSet;
use std::sync::Arc;
use warren::scenario::{bundled, Scenario};
use warren::session::Session;

#[test]
fn the_bundled_list_matches_the_scenarios_folder() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "yaml").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    let embedded: BTreeSet<String> = bundled::names().into_iter().map(String::from).collect();
    assert_eq!(on_disk, embedded, "scenarios/ and src/scenario/bundled.rs must list the same files");
}

#[test]
fn every_bundled_scenario_is_complete() {
    for name in bundled::names() {
        let s = Scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(s.name, name, "a scenario's name is its file's stem");
        assert!(s.title.is_some(), "{name}: no title");
        assert!(!s.description("en").is_empty(), "{name}: no description");
        assert!(!s.description("zh").is_empty(), "{name}: no Chinese description");
        assert!(!s.notes.is_empty(), "{name}: no narration notes");
        assert!(s.notes.iter().any(|n| n.ask.is_some()), "{name}: no question for the class");
        assert!(s.expects.len() >= 2, "{name}: too few expect: items");
    }
}

#[test]
fn every_bundled_scenario_passes_its_expectations() {
    let mut failures = Vec::new();
    for name in bundled::names() {
        let s = Arc::new(Scenario::load(name).unwrap());
        let seed = s.seed;
        match Session::check(s) {
            Ok(outcomes) => {
                for o in outcomes.iter().filter(|o| !o.pass) {
                    failures.push(format!("{name} (seed {seed}): {} — found {}", o.label, o.found));
                }
            }
            Err(e) => failures.push(format!("{name} (seed {seed}): {e}")),
        }
    }
    assert!(failures.is_empty(), "failed expectations:\n{}", failures.join("\n"));
}

#[test]
fn the_article_round_robin() {
    // The article, section 2(1): messages 1, 3, 5 to consumer 1 and 2, 4, 6 to consumer 2.
    let s = Arc::new(Scenario::load("work-queues").unwrap());
    let mut session = Session::new(s, true);
    session.run().unwrap();
    let cx = session.ctx(warren::explain::Lang::En);
    let lines: Vec<String> = session.trace.records().iter().map(|r| warren::explain::text::line(&cx, r, 8)).collect();
    for (task, worker) in [(1, "worker1"), (2, "worker2"), (3, "worker1"), (4, "worker2"), (5, "worker1"), (6, "worker2")] {
        let want = format!("delivered #{task} \"task {task}\" to {worker} ");
        let line = lines.iter().find(|l| l.contains(&want)).unwrap_or_else(|| panic!("no line with {want:?}"));
        assert!(line.contains(&format!("— {worker} is next in round-robin")), "the reason is given: {line}");
    }
}

#[test]
fn scenarios_written_back_as_yaml_replay_identically() {
    for name in bundled::names() {
        let original = Scenario::load(name).unwrap();
        let yaml = original.def.to_yaml();
        let again = Scenario::from_str(&yaml, "roundtrip.yaml").unwrap_or_else(|e| panic!("{name}: {e}\n{yaml}"));
        let hash = |s: Scenario| {
            let mut run = Session::new(Arc::new(s), false);
            run.run().unwrap();
            run.trace.hash()
        };
        assert_eq!(hash(original), hash(again), "{name} changed when written back:\n{yaml}");
    }
}
