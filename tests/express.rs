//! Express arrivals (`src/world/express.rs`): a run that goes on by itself keeps a method or
//! a frame due at once aside instead of queueing it. It must be the run a reader stepping one
//! event at a time sees: the same records, hash, step count, clock, cap hit and final world,
//! and nothing left aside when it returns.
//!
//! Checked on every bundled lesson, every conformance probe (they exercise most of the
//! broker: errors, dead-lettering, quorum queues, crashes, timeouts), the benchmark work
//! queue cut short, and scenarios with latency, delays, partitions and crashes; with the
//! default caps and with each cap lowered so that it is hit mid-instant.

use std::sync::Arc;
use warren::record::Record;
use warren::scenario::{bundled, Scenario};
use warren::sim::{Time, Trace};
use warren::world::{Cap, CapHit, World};

/// Everything a run leaves: the trace (hash, records), the steps, the clock, the cap hit and
/// the whole world through its `Debug` text.
#[derive(Debug, PartialEq)]
struct Ending {
    hash: u64,
    records: Vec<warren::sim::Stamped<Record>>,
    steps: u64,
    now: Time,
    cap: Option<CapHit>,
    world: String,
}

/// How a run ended; a run that was not stopped by a cap sets the clock to `until`, as
/// [`World::run`] does.
fn ending(s: &Scenario, world: &mut World, trace: &Trace<Record>, cap: Option<CapHit>) -> Ending {
    if cap.is_none() {
        if let Some(u) = s.plan.until {
            world.queue.advance_to(u);
        }
    }
    Ending { hash: trace.hash(), records: trace.records().to_vec(), steps: world.steps, now: world.now(), cap, world: format!("{world:?}") }
}

/// Up to `n` events one at a time, as the TUI steps (no arrival is ever kept aside);
/// `Ok(true)` at the end.
fn step_n(world: &mut World, trace: &mut Trace<Record>, n: u64) -> Result<bool, CapHit> {
    for _ in 0..n {
        if world.step(trace)?.is_none() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The whole run, one event at a time.
fn stepped(s: &Scenario) -> Ending {
    let mut world = World::new(s.plan.clone());
    let mut trace = Trace::new(true);
    let cap = step_n(&mut world, &mut trace, u64::MAX).err();
    ending(s, &mut world, &trace, cap)
}

/// [`World::run`] in one go.
fn ran(s: &Scenario) -> Ending {
    let mut world = World::new(s.plan.clone());
    let mut trace = Trace::new(true);
    let cap = world.run(&mut trace).err();
    ending(s, &mut world, &trace, cap)
}

/// [`World::run_for`] in small batches (each returns with nothing aside, wherever it stops),
/// with a look at the world between them.
fn batched(s: &Scenario, batch: u64) -> Ending {
    let mut world = World::new(s.plan.clone());
    let mut trace = Trace::new(true);
    let mut plain = World::new(s.plan.clone());
    let mut plain_trace = Trace::new(true);
    let cap = loop {
        let r = world.run_for(batch, &mut trace);
        let _ = step_n(&mut plain, &mut plain_trace, batch);
        let (a, b) = (format!("{world:?}"), format!("{plain:?}"));
        assert!(
            a == b,
            "{}: the world differs between batches of {batch}, at byte {:?}",
            s.name,
            a.bytes().zip(b.bytes()).position(|(x, y)| x != y)
        );
        match r {
            Ok(false) => {}
            Ok(true) => break None,
            Err(e) => break Some(e),
        }
    };
    ending(s, &mut world, &trace, cap)
}

/// [`World::run_until`] to the instant of each next event in turn, as `explore` runs to each
/// timed expectation: every instant's arrivals must be run before it returns.
fn until_each(s: &Scenario) -> Ending {
    let mut world = World::new(s.plan.clone());
    let mut trace = Trace::new(true);
    let mut cap = None;
    while let Some(t) = world.next_time() {
        if let Err(e) = world.run_until(t, &mut trace) {
            cap = Some(e);
            break;
        }
        assert!(world.next_time().is_none_or(|n| n > t), "{}: run_until({t}) left an event of its instant", s.name);
    }
    ending(s, &mut world, &trace, cap)
}

/// Fails with where two endings first differ (not with the whole of both).
fn assert_same(a: &Ending, b: &Ending, what: &str) {
    assert_eq!((a.hash, a.steps, a.now, &a.cap), (b.hash, b.steps, b.now, &b.cap), "{what}: hash, steps, clock or cap");
    if let Some(i) = (0..a.records.len().min(b.records.len())).find(|&i| a.records[i] != b.records[i]) {
        panic!("{what}: record {i} differs: {:?} against {:?}", a.records[i], b.records[i]);
    }
    assert_eq!(a.records.len(), b.records.len(), "{what}: record count");
    if let Some(i) = a.world.bytes().zip(b.world.bytes()).position(|(x, y)| x != y) {
        let from = i.saturating_sub(200);
        let cut = |w: &str| w.get(from..(i + 100).min(w.len())).unwrap_or("").to_string();
        panic!("{what}: the world differs at byte {i}:\n{}\nagainst\n{}", cut(&a.world), cut(&b.world));
    }
    assert_eq!(a.world.len(), b.world.len(), "{what}: the world's text length");
}

fn same_run(s: &Scenario) {
    let plain = stepped(s);
    assert_same(&ran(s), &plain, &format!("{}: World::run against stepping", s.name));
    assert_same(&batched(s, 7), &plain, &format!("{}: World::run_for in batches against stepping", s.name));
    assert_same(&until_each(s), &plain, &format!("{}: World::run_until against stepping", s.name));
}

/// The scenario with one cap lowered to `v`.
fn capped(s: &Scenario, cap: Cap, v: u64) -> Scenario {
    let mut s = s.clone();
    let mut plan = (*s.plan).clone();
    plan.limits = plan.limits.from_command_line(cap, v);
    s.plan = Arc::new(plan);
    s
}

fn probes() -> Vec<Scenario> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance_diff");
    let mut files: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect();
    files.sort();
    assert!(files.len() >= 10, "the probes are missing from {dir}");
    files
        .iter()
        .map(|p| Scenario::from_str(&std::fs::read_to_string(p).unwrap(), &p.display().to_string()).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
fn every_bundled_lesson_runs_as_it_steps() {
    for name in bundled::names() {
        same_run(&Scenario::load(name).unwrap());
    }
}

#[test]
fn every_conformance_probe_runs_as_it_steps() {
    for s in probes() {
        same_run(&s);
    }
}

#[test]
fn a_cap_hit_mid_instant_is_the_same_hit() {
    let s = Scenario::load("work-queues").unwrap();
    let full = stepped(&s);
    // Every few events, so that the cap falls on arrivals kept aside as well as on others.
    for events in (1..full.steps).step_by(3) {
        let c = capped(&s, Cap::Events, events);
        let plain = stepped(&c);
        assert!(matches!(plain.cap, Some(CapHit::Events { .. })), "events {events}: {:?}", plain.cap);
        assert_same(&ran(&c), &plain, &format!("max events {events}"));
        assert_same(&batched(&c, 2), &plain, &format!("max events {events}, batches"));
    }
    let flood = Scenario::from_str(FLOOD, "flood.yaml").unwrap();
    for messages in [1, 2, 3, 5, 8, 13] {
        let c = capped(&flood, Cap::Messages, messages);
        let plain = stepped(&c);
        assert!(matches!(plain.cap, Some(CapHit::Messages { .. })), "messages {messages}: {:?}", plain.cap);
        assert_same(&ran(&c), &plain, &format!("max messages {messages}"));
    }
}

const FLOOD: &str = r#"
name: flood
queues: [ { name: q } ]
consumers:
  - { name: c, queue: q, prefetch: 2, work: 3ms }
producers:
  - name: p
    publish: [ { key: q, body: "m{n}", count: 60, every: 1ms } ]
"#;

/// Latency makes most arrivals wait on the heap; delays, partitions and crashes cut links
/// with methods and frames in flight and kept aside.
const FAULTY: &str = r#"
name: faulty
queues: [ { name: q, durable: true } ]
consumers:
  - { name: a, queue: q, prefetch: 2, work: 4ms, latency: 1ms, reconnect: 20ms }
  - { name: b, queue: q, prefetch: 1, work: { uniform: [1ms, 9ms] }, reconnect: 15ms }
producers:
  - name: p
    confirms: true
    publish: [ { key: q, body: "m{n}", count: 80, every: 2ms, persistent: true } ]
faults:
  - { at: 30ms, until: 60ms, delay: b, by: 5ms }
  - { at: 50ms, until: 70ms, partition: b }
  - { at: 90ms, crash: a }
  - { at: 110ms, restart: a }
  - { at: 130ms, crash: broker }
  - { at: 150ms, restart: broker }
"#;

#[test]
fn latency_and_faults_run_as_they_step() {
    let s = Scenario::from_str(FAULTY, "faulty.yaml").unwrap_or_else(|e| panic!("{e}"));
    for seed in 0..4 {
        same_run(&s.with_seed(seed));
    }
    same_run(&Scenario::from_str(FLOOD, "flood.yaml").unwrap());
}

#[test]
fn the_benchmark_work_queue_runs_as_it_steps() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/scenarios/workqueue-paced.yaml")).unwrap();
    let short = text.replace("count: 1000000", "count: 2000");
    assert_ne!(short, text, "the benchmark's count moved");
    same_run(&Scenario::from_str(&short, "workqueue-paced.yaml").unwrap());
}
