//! Same scenario + seed ⇒ byte-identical trace. Runs are compared record by record (failing
//! at the first divergence, madsim-style), by rolling hash, and by rendered text.

use std::sync::Arc;
use warren::explain::{text, Lang};
use warren::scenario::{bundled, Scenario};
use warren::session::Session;

fn rendered(s: &Session) -> Vec<String> {
    let cx = s.ctx(Lang::En);
    s.trace.records().iter().map(|r| text::line(&cx, r, 12)).collect()
}

/// Runs a scenario twice in lockstep and fails at the first record that differs.
fn check_determinism(scenario: Arc<Scenario>) {
    let mut a = Session::new(scenario.clone(), true);
    let mut b = Session::new(scenario.clone(), true);
    loop {
        let sa = a.world.step(&mut a.trace).unwrap();
        let sb = b.world.step(&mut b.trace).unwrap();
        assert_eq!(sa, sb, "{} (seed {}): clocks diverged", scenario.name, scenario.seed);
        let (ra, rb) = (a.trace.records(), b.trace.records());
        assert_eq!(ra.len(), rb.len(), "{} (seed {}): record counts diverged at step {}", scenario.name, scenario.seed, a.world.steps);
        if let Some(i) = (0..ra.len()).find(|&i| ra[i] != rb[i]) {
            panic!("{} (seed {}): first divergence at record {i}: {:?} vs {:?}", scenario.name, scenario.seed, ra[i], rb[i]);
        }
        if sa.is_none() {
            break;
        }
    }
    assert_eq!(a.trace.hash(), b.trace.hash());
    assert_eq!(rendered(&a), rendered(&b), "{} (seed {}): rendered traces differ", scenario.name, scenario.seed);
}

#[test]
fn every_bundled_scenario_is_deterministic() {
    for name in bundled::names() {
        check_determinism(Arc::new(Scenario::load(name).unwrap()));
    }
}

const RANDOM_WORK: &str = r#"
name: random-work
queues: [ { name: q } ]
consumers:
  - { name: a, queue: q, prefetch: 1, work: { uniform: [10ms, 500ms] } }
  - { name: b, queue: q, prefetch: 1, work: { exponential: 200ms } }
producers:
  - name: p
    publish: [ { key: q, body: "m{n}", count: 40, every: 25ms } ]
faults:
  - { at: 400ms, crash: a }
  - { at: 700ms, restart: a }
"#;

#[test]
fn seeded_randomness_is_reproducible_and_seed_dependent() {
    let base = Scenario::from_str(RANDOM_WORK, "random-work.yaml").unwrap();
    let mut hashes = Vec::new();
    for seed in 0..6 {
        let s = Arc::new(base.with_seed(seed));
        check_determinism(s.clone());
        let mut run = Session::new(s, false);
        run.run().unwrap();
        hashes.push(run.trace.hash());
    }
    let distinct: std::collections::BTreeSet<u64> = hashes.iter().copied().collect();
    assert!(distinct.len() >= 5, "different seeds should give different traces: {hashes:x?}");
}

#[test]
fn keeping_records_does_not_change_the_hash() {
    let s = Arc::new(Scenario::load("rpc").unwrap());
    let mut kept = Session::new(s.clone(), true);
    kept.run().unwrap();
    let mut hashed = Session::new(s, false);
    hashed.run().unwrap();
    assert_eq!(kept.trace.hash(), hashed.trace.hash());
    assert_eq!(kept.trace.len(), hashed.trace.len());
    assert!(hashed.trace.records().is_empty());
}

#[test]
fn adding_an_actor_does_not_perturb_the_others_draws() {
    // Each actor has its own random stream, keyed by name: a new consumer on another queue
    // leaves `a`'s work times unchanged.
    let with_extra = RANDOM_WORK
        .replace("consumers:\n", "consumers:\n  - { name: extra, queue: other, work: { exponential: 1s } }\n")
        .replace("queues: [ { name: q } ]", "queues: [ { name: q }, { name: other } ]");
    let work_of = |yaml: &str| -> Vec<u64> {
        let mut s = Session::new(Arc::new(Scenario::from_str(yaml, "t.yaml").unwrap()), true);
        s.run().unwrap();
        let a = s.world.clients.iter().position(|c| c.name() == "b").unwrap() as u32;
        s.trace
            .records()
            .iter()
            .filter_map(|r| match r.rec {
                warren::record::Record::WorkStarted { client, until_us, .. } if client.0 == a => Some(until_us - r.t.as_us()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(work_of(RANDOM_WORK), work_of(&with_extra));
}
