//! `warren explore` campaigns: the same results for any number of threads, shards whose
//! union is the whole campaign, a time budget that reports the prefix it ran, and
//! counterexample files that stay where they belong.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use warren::explore::campaign::Progress;
use warren::explore::{explore, Campaign, ExploreConfig, Shard};
use warren::guarantees::Guarantee;
use warren::scenario::Scenario;

fn quiet(_: Progress) {}

fn campaign(name: &str, cases: u32, jobs: usize, shard: Shard) -> Campaign {
    let base = Scenario::load(name).unwrap();
    // work-queues' own expect items are about a run without faults: only the guarantees.
    let expect_items = name != "work-queues";
    let cfg = ExploreConfig { cases, seed: 3, jobs, shard, expect_items, ..ExploreConfig::default() };
    explore(&base, &cfg, &quiet).unwrap()
}

/// What a campaign found, minus the wall time.
fn figures(c: &Campaign) -> (u32, u64, Option<u64>, Option<String>, Option<String>) {
    let ce = c.counterexample.as_deref();
    (c.cases, c.events, ce.map(|c| c.index), ce.map(|c| c.broken.what.clone()), ce.map(|c| c.file.to_yaml()))
}

#[test]
fn a_failing_campaign_finds_the_same_counterexample_for_any_number_of_threads() {
    let one = campaign("explore-auto-ack", 200, 1, Shard::WHOLE);
    assert!(one.counterexample.is_some(), "explore-auto-ack breaks no-loss");
    for jobs in [2, 3, 8] {
        assert_eq!(figures(&campaign("explore-auto-ack", 200, jobs, Shard::WHOLE)), figures(&one), "--jobs {jobs}");
    }
}

#[test]
fn a_passing_campaign_has_the_same_figures_for_any_number_of_threads() {
    let one = campaign("work-queues", 40, 1, Shard::WHOLE);
    assert!(one.counterexample.is_none());
    assert_eq!(one.cases, 40);
    assert!(one.events > 0);
    for jobs in [2, 5] {
        assert_eq!(figures(&campaign("work-queues", 40, jobs, Shard::WHOLE)), figures(&one), "--jobs {jobs}");
    }
}

#[test]
fn the_union_of_the_shards_is_the_whole_campaign() {
    let whole = campaign("work-queues", 30, 2, Shard::WHOLE);
    let shards: Vec<Campaign> = (1..=3).map(|k| campaign("work-queues", 30, 2, Shard { k, n: 3 })).collect();
    assert_eq!(shards.iter().map(|s| s.cases).sum::<u32>(), whole.cases);
    assert_eq!(shards.iter().map(|s| s.events).sum::<u64>(), whole.events);
    // A failing campaign: the lowest failing index over the shards is the whole campaign's.
    let whole = campaign("explore-auto-ack", 200, 2, Shard::WHOLE);
    let lowest = (1..=4).filter_map(|k| campaign("explore-auto-ack", 200, 2, Shard { k, n: 4 }).counterexample.map(|c| c.index)).min();
    assert_eq!(lowest, whole.counterexample.map(|c| c.index));
}

#[test]
fn a_time_budget_reports_the_cases_it_ran_with_their_results() {
    let base = Scenario::load("work-queues").unwrap();
    let cfg = ExploreConfig {
        cases: 1_000_000,
        seed: 5,
        jobs: 2,
        expect_items: false,
        time: Some(Duration::from_millis(300)),
        ..ExploreConfig::default()
    };
    let timed = explore(&base, &cfg, &quiet).unwrap();
    assert!(timed.out_of_time);
    assert!(timed.cases > 0 && timed.cases < 1_000_000);
    let counted = explore(&base, &ExploreConfig { cases: timed.cases, time: None, jobs: 1, ..cfg }, &quiet).unwrap();
    assert!(!counted.out_of_time);
    assert_eq!(figures(&counted), figures(&timed));
}

#[test]
fn guarantees_are_checked_on_every_case() {
    // The same campaign with no-loss also asked for breaks sooner or as soon.
    let base = Scenario::load("explore-auto-ack").unwrap();
    let only = ExploreConfig { cases: 50, expect_items: false, guarantees: vec![Guarantee::NoLoss], jobs: 2, ..ExploreConfig::default() };
    let c = explore(&base, &only, &quiet).unwrap();
    let ce = c.counterexample.expect("auto-ack loses messages when the worker crashes");
    assert_eq!(ce.broken.guarantee, Some(Guarantee::NoLoss));
}

fn warren(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(args).current_dir(dir).output().expect("run warren");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("warren-explore-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("work")).unwrap();
    dir
}

#[test]
fn json_summary_is_one_object_with_the_figures() {
    let dir = scratch("json");
    let (code, out, err) = warren(&dir, &["explore", "work-queues", "--ignore-expect", "--cases", "12", "--jobs", "2", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("not one JSON object: {out}: {e}"));
    assert_eq!(v["cases"], 12);
    assert!(v["events"].as_u64().unwrap() > 0);
    assert!(v["wall_s"].as_f64().unwrap() >= 0.0);
    assert_eq!(v["jobs"], 2);
    assert!(v["failed"].is_null());
    assert!(err.is_empty(), "no progress when stderr is not a terminal: {err}");
    let (code, out2, _) = warren(&dir, &["explore", "work-queues", "--ignore-expect", "--cases", "12", "--jobs", "1", "--json"]);
    assert_eq!(code, 0);
    let w: serde_json::Value = serde_json::from_str(out2.trim()).unwrap();
    assert_eq!((&v["cases"], &v["events"], &v["failed"]), (&w["cases"], &w["events"], &w["failed"]));
}

#[test]
fn counterexample_names_are_sanitised_and_nothing_is_overwritten_without_force() {
    let dir = scratch("names");
    let text = Scenario::load("explore-auto-ack").unwrap().source.replace("name: explore-auto-ack", "name: ../escaped");
    std::fs::write(dir.join("hostile.yaml"), text).unwrap();
    std::fs::write(dir.join("escaped.counterexample.yaml"), "precious").unwrap();
    let work = dir.join("work");
    let args = ["explore", "../hostile.yaml", "--cases", "100", "--jobs", "2", "--json"];
    let (code, out, err) = warren(&work, &args);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["counterexample"], "_escaped.counterexample.yaml");
    assert!(work.join("_escaped.counterexample.yaml").is_file());
    assert_eq!(std::fs::read_to_string(dir.join("escaped.counterexample.yaml")).unwrap(), "precious");
    let first = std::fs::read(work.join("_escaped.counterexample.yaml")).unwrap();
    // Again: the file exists, so it is kept and the run fails with status 2.
    std::fs::write(work.join("_escaped.counterexample.yaml"), "mine").unwrap();
    let (code, _, err) = warren(&work, &args);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(work.join("_escaped.counterexample.yaml")).unwrap(), "mine");
    // With --force it is overwritten, with the same bytes as the first time.
    let mut forced = args.to_vec();
    forced.push("--force");
    let (code, _, _) = warren(&work, &forced);
    assert_eq!(code, 1);
    assert_eq!(std::fs::read(work.join("_escaped.counterexample.yaml")).unwrap(), first);
    // The counterexample replays: `warren check` fails on it.
    let (code, _, _) = warren(&work, &["check", "_escaped.counterexample.yaml"]);
    assert_eq!(code, 1);
}

#[test]
fn the_counterexample_file_is_the_same_for_any_jobs_and_shards_are_named() {
    let dir = scratch("bytes");
    let mut files = Vec::new();
    for jobs in ["1", "2"] {
        let out = format!("ce{jobs}.yaml");
        let (code, _, err) = warren(&dir, &["explore", "explore-auto-ack", "--jobs", jobs, "--out", &out]);
        assert_eq!(code, 1, "{err}");
        files.push(std::fs::read(dir.join(&out)).unwrap());
    }
    assert_eq!(files[0], files[1]);
    let (code, _, err) = warren(&dir, &["explore", "work-queues", "--shard", "4/3"]);
    assert_eq!(code, 2, "{err}");
}
