//! warren against recorded RabbitMQ 3.10.8 outcomes (tests/conformance_diff/): each scenario's
//! outcome in warren — deliveries with redelivered flags, returns, nacks, replies, errors,
//! final queues — must be the one its pika script observed on the real broker. The same
//! comparison as `warren diff`, from a recording, so it runs everywhere; where a broker and pika
//! are there, the cases also run live.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use warren::outcome::{side_by_side, Outcome};
use warren::scenario::Scenario;
use warren::session::Session;

fn cases() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance_diff");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("tests/conformance_diff")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

#[test]
fn warren_matches_what_rabbitmq_showed() {
    let cases = cases();
    assert!(cases.len() >= 4, "the recorded cases are there");
    for (name, path) in cases {
        let text = std::fs::read_to_string(&path).unwrap();
        let scenario = Arc::new(Scenario::from_str(&text, &path.to_string_lossy()).unwrap_or_else(|e| panic!("{name}: {e}")));
        let observed =
            std::fs::read_to_string(path.with_extension("observed.jsonl")).unwrap_or_else(|e| panic!("{name}: no recording: {e}"));
        let theirs = Outcome::from_script(&scenario, &observed).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut session = Session::new(scenario, true);
        session.run().unwrap();
        let ours = Outcome::from_session(&session);
        let items = ours.compare(&theirs);
        assert!(
            items.iter().all(|i| i.same()),
            "{name}: warren differs from RabbitMQ 3.10.8:\n{}",
            side_by_side(&items, "warren", "RabbitMQ 3.10.8")
        );
    }
}

#[test]
fn the_recorded_cases_still_hold_live() {
    let broker = warren::cli::diff::reachable("127.0.0.1", 5672);
    let pika = Command::new("python3").args(["-c", "import pika"]).output().is_ok_and(|o| o.status.success());
    if !(broker && pika) {
        eprintln!("SKIPPED: live conformance cases need a broker on 127.0.0.1:5672 and python3 with pika");
        return;
    }
    // Serialised with tests/diff.rs only by being in another test binary (cargo runs test
    // binaries one after the other); within this one, the cases run in turn.
    let restart_cmd = std::env::var_os("WARREN_BROKER_RESTART_CMD").is_some_and(|s| !s.is_empty());
    let mut failures = Vec::new();
    for (name, path) in cases() {
        let scenario = Scenario::load(path.to_str().expect("a UTF-8 path")).expect("a recorded case loads");
        if warren::cli::diff::needs_restart_cmd(&scenario) && !restart_cmd {
            eprintln!("---- {name}: not run: it needs the broker command (set WARREN_BROKER_RESTART_CMD, e.g. to .ci/rabbitmq)");
            continue;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(["diff"]).arg(&path).output().expect("run warren");
        let code = out.status.code().unwrap_or(-1);
        eprintln!("---- {name} (exit {code})\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if code != 0 {
            failures.push(name);
        }
    }
    assert!(failures.is_empty(), "live warren diff failed on {failures:?}");
}
