//! `warren diff` against a real RabbitMQ broker: every bundled scenario not marked
//! `diff: { skip: ... }` must show the same outcome in warren and in RabbitMQ.
//!
//! It needs a broker on 127.0.0.1:5672 and Python 3 with pika. `.ci/run` installs and starts
//! both and sets `WARREN_REQUIRE_BROKER=1`: then a missing broker is a failure. On a
//! developer machine without them the test prints why it skips and passes. Scenarios that
//! stop or crash the broker run only with `WARREN_BROKER_RESTART_CMD` set (CI sets it to
//! `.ci/rabbitmq`): they restart the broker, which nobody should get by surprise.

use std::process::Command;
use warren::scenario::{bundled, Scenario};

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("run warren");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn required() -> bool {
    std::env::var("WARREN_REQUIRE_BROKER").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn python_has_pika() -> bool {
    Command::new("python3").args(["-c", "import pika"]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn bundled_scenarios_agree_with_a_real_broker() {
    let broker = warren::cli::diff::reachable("127.0.0.1", 5672);
    let pika = python_has_pika();
    if !(broker && pika) {
        let why = match (broker, pika) {
            (false, _) => format!("no RabbitMQ broker on 127.0.0.1:5672 ({})", warren::cli::diff::START_A_BROKER),
            _ => "python3 has no pika (`pip install pika`)".to_string(),
        };
        assert!(!required(), "WARREN_REQUIRE_BROKER is set but {why}");
        eprintln!("SKIPPED: warren diff against a real broker: {why}");
        return;
    }
    let restart_cmd = std::env::var("WARREN_BROKER_RESTART_CMD").ok().filter(|s| !s.is_empty());
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for name in bundled::names() {
        let s = Scenario::load(name).expect("bundled scenarios load");
        if let Some(reason) = &s.diff_skip {
            summary.push(format!("{name}: skipped (diff: skip): {reason}"));
            continue;
        }
        // Broker faults, and broker settings the real node must use too, need the broker command.
        let broker_faults = warren::cli::diff::needs_restart_cmd(&s);
        let mut args = vec!["diff", name];
        match (&restart_cmd, broker_faults) {
            (Some(c), true) => args.extend(["--broker-restart-cmd", c.as_str()]),
            (None, true) => {
                summary.push(format!("{name}: not run: it restarts the broker (set WARREN_BROKER_RESTART_CMD, e.g. to .ci/rabbitmq)"));
                continue;
            }
            _ => {}
        }
        let started = std::time::Instant::now();
        let (code, out, err) = warren(&args);
        eprintln!("---- warren {} ({:.1}s, exit {code})\n{out}{err}", args.join(" "), started.elapsed().as_secs_f64());
        match code {
            0 => summary.push(format!("{name}: same")),
            1 => {
                summary.push(format!("{name}: DIFFERENT"));
                failures.push(name);
            }
            _ => {
                summary.push(format!("{name}: could not run (exit {code})"));
                failures.push(name);
            }
        }
    }
    eprintln!("==== warren diff summary\n{}", summary.join("\n"));
    assert!(failures.is_empty(), "warren and RabbitMQ disagree (or diff failed) on: {failures:?}");
}

#[test]
fn no_broker_is_exit_2_with_how_to_start_one() {
    // Port 1 on loopback: nothing listens there.
    let (code, _, err) = warren(&["diff", "hello", "--port", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no RabbitMQ broker is reachable at 127.0.0.1:1"), "{err}");
    assert!(err.contains("rabbitmq-server"), "{err}");
}

#[test]
fn an_unreachable_broker_while_another_diff_has_its_turn_is_checked_again_at_this_runs_turn() {
    // Another live diff holds the turn at 127.0.0.1:2 (this test's own pid in the lock: the
    // layout of src/cli/diff/lock.rs); it may have the broker stopped for a restart, so this
    // run waits instead of failing at once, and says so.
    let lock = std::env::temp_dir().join("warren-diff-127.0.0.1-2.lock");
    // A lock an interrupted run of this test left behind (its pid gone).
    let _ = std::fs::remove_file(lock.join("pid"));
    let _ = std::fs::remove_dir(&lock);
    std::fs::create_dir(&lock).expect("no other run uses port 2");
    std::fs::write(lock.join("pid"), std::process::id().to_string()).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_warren"))
        .args(["diff", "hello", "--port", "2"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run warren");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    std::fs::remove_file(lock.join("pid")).unwrap();
    std::fs::remove_dir(&lock).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // At its turn the broker is still unreachable: then it is the usual error.
    assert!(err.contains("waiting for another warren diff"), "{err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no RabbitMQ broker is reachable at 127.0.0.1:2"), "{err}");
}

#[test]
fn a_scenario_marked_skip_is_skipped_with_its_reason() {
    let (code, out, _) = warren(&["diff", "pitfall-unconfirmed-loss", "--port", "1"]);
    assert_eq!(code, 0);
    assert!(out.contains("skipped (diff: skip)"), "{out}");
}

#[test]
fn broker_faults_need_a_restart_command() {
    let (code, _, err) = Command::new(env!("CARGO_BIN_EXE_warren"))
        .args(["diff", "durability", "--port", "1"])
        .env_remove("WARREN_BROKER_RESTART_CMD")
        .output()
        .map(|o| {
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .expect("run warren");
    assert_eq!(code, 2);
    assert!(err.contains("--broker-restart-cmd"), "{err}");
}
