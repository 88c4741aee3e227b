//! The safety caps hold whatever a scenario file says: small hostile scenarios that once ate
//! gigabytes or ran for minutes now stop cleanly at a cap that names itself, within bounded
//! time and memory (a counting allocator measures each test's peak), and `check` is linear.
//!
//! The caps are lowered here (a file may lower them freely, a command line may set any
//! value) so that a debug build reaches them quickly; docs/robustness.md has the figures at
//! the default caps in a release build.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use warren::cli::limits::LimitArgs;
use warren::scenario::Scenario;
use warren::session::Session;
use warren::sim::Trace;
use warren::world::{Cap, CapHit, CapSource, Limits, World};

struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn note(add: usize, sub: usize) {
    let _ = LIVE.try_with(|l| {
        let v = l.get().saturating_add(add).saturating_sub(sub);
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), 0);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(0, layout.size());
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        note(new, layout.size());
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f`, returning its result, its wall time and the peak bytes it allocated.
fn measured<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let began = Instant::now();
    let v = f();
    (v, began.elapsed(), PEAK.with(Cell::get).saturating_sub(base))
}

fn scenario(text: &str) -> Arc<Scenario> {
    Arc::new(Scenario::from_str(text, "bounds.yaml").unwrap_or_else(|e| panic!("{e}")))
}

fn with_flags(s: Arc<Scenario>, flags: LimitArgs) -> Arc<Scenario> {
    flags.apply(s)
}

const FLOOD: &str = "name: flood
limits: { messages: 100000 }
queues: [{ name: q }]
producers:
  - { name: p, publish: [{ key: q, body: \"m {n}\", count: 1000000000 }] }
";

#[test]
fn a_billion_publishes_stop_at_the_copy_cap_under_check_and_run() {
    let s = scenario(FLOOD);
    let (r, took, peak) = measured(|| Session::check(s.clone()));
    let cap = r.expect_err("a billion messages cannot fit");
    assert_eq!(cap.cap(), Cap::Messages, "{cap}");
    assert!(matches!(cap, CapHit::Messages { live, .. } if live.total() > 100_000 && live.total() <= 100_010), "{cap:?}");
    let text = cap.to_string();
    assert!(text.contains("100000 live message copies") && text.contains("limits.messages") && text.contains("--max-messages"), "{text}");
    assert!(took < Duration::from_secs(20), "check took {took:?}");
    assert!(peak < 64 << 20, "check peaked at {} MB", peak >> 20);
    // `run` keeps the whole trace: the memory estimate includes it.
    let (r, _, peak) = measured(|| {
        let mut session = Session::new(s.clone(), true);
        session.run().map(|_| session.trace.len())
    });
    assert_eq!(r.expect_err("capped").cap(), Cap::Messages);
    assert!(peak < 128 << 20, "run peaked at {} MB", peak >> 20);
}

#[test]
fn the_binary_says_which_cap_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("warren-bounds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("flood.yaml");
    std::fs::write(&file, FLOOD.replace("limits: { messages: 100000 }\n", "")).unwrap();
    for args in [&["check"][..], &["run", "--json"], &["run", "--quiet"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(args).arg(&file).args(["--max-messages", "50000"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("cap of 50000 live message copies") && err.contains("command line's --max-messages"), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dead_letter_cycle_stops_at_the_memory_cap() {
    // Ten messages rejected back and forth between two queues forever: the live copies stay
    // at ten, but every dead-lettering adds a message and its x-death history to the store.
    let s = scenario(
        "name: dl-cycle
limits: { memory: 16MB }
queues:
  - { name: a, arguments: { x-dead-letter-exchange: \"\", x-dead-letter-routing-key: b } }
  - { name: b, arguments: { x-dead-letter-exchange: \"\", x-dead-letter-routing-key: a } }
consumers:
  - { name: ca, queue: a, ack: reject }
  - { name: cb, queue: b, ack: reject }
producers:
  - { name: p, publish: [{ key: a, body: \"m {n}\", count: 10 }] }
",
    );
    for keep in [false, true] {
        let (r, took, peak) = measured(|| {
            let mut session = Session::new(s.clone(), keep);
            session.run()
        });
        let cap = r.expect_err("the cycle never ends");
        assert_eq!(cap.cap(), Cap::Memory, "{cap}");
        let text = cap.to_string();
        assert!(text.contains("memory cap of 16 MB") && text.contains("dead-letter") && text.contains("--max-memory"), "{text}");
        assert!(peak < 48 << 20, "keep {keep}: peaked at {} MB for a 16 MB cap", peak >> 20);
        assert!(took < Duration::from_secs(30), "{took:?}");
    }
    assert_eq!(Session::check(s).expect_err("capped").cap(), Cap::Memory);
}

#[test]
fn a_fanout_to_a_thousand_queues_stops_at_the_copy_cap() {
    let queues: String = (0..1000).map(|i| format!("  - {{ name: q{i} }}\n")).collect();
    let bindings: String = (0..1000).map(|i| format!("  - {{ exchange: fan, queue: q{i} }}\n")).collect();
    let s = scenario(&format!(
        "name: fan1000\nlimits: {{ messages: 200000 }}\nexchanges: [{{ name: fan, type: fanout }}]\nqueues:\n{queues}bindings:\n{bindings}\
         producers:\n  - {{ name: p, publish: [{{ exchange: fan, body: \"m {{n}}\", count: 1000000 }}] }}\n"
    ));
    let (r, took, peak) = measured(|| Session::check(s.clone()));
    let cap = r.expect_err("a billion copies cannot fit");
    assert_eq!(cap.cap(), Cap::Messages, "{cap}");
    assert!(peak < 96 << 20, "peaked at {} MB", peak >> 20);
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn one_event_cannot_make_copies_without_bound() {
    // A cap of 10 copies and one publish to a fanout of 1,000 queues: the broker refuses the
    // copies past twice the cap within that one input, and the run stops there.
    let queues: String = (0..1000).map(|i| format!("  - {{ name: q{i} }}\n")).collect();
    let bindings: String = (0..1000).map(|i| format!("  - {{ exchange: fan, queue: q{i} }}\n")).collect();
    let s = scenario(&format!(
        "name: fan1\nlimits: {{ messages: 10 }}\nexchanges: [{{ name: fan, type: fanout }}]\nqueues:\n{queues}bindings:\n{bindings}\
         producers:\n  - {{ name: p, publish: [{{ exchange: fan, body: x, count: 1 }}] }}\n"
    ));
    let mut session = Session::new(s, false);
    match session.run() {
        Err(CapHit::Messages { live, .. }) => {
            assert!(live.refused, "{live:?}");
            assert!(live.ready + live.unacked <= 20, "{live:?}");
        }
        other => panic!("{other:?}"),
    }
}

const LIFTS_ITS_OWN_LIMITS: &str = "name: lift
limits: { events: 18446744073709551615, time: 99999999h, messages: 18446744073709551615, memory: 1000000GB }
queues: [{ name: q }]
consumers:
  - { name: c, queue: q, ack: requeue }
producers:
  - { name: p, publish: [{ key: q, body: x, count: 1 }] }
";

#[test]
fn a_file_cannot_lift_its_own_limits_beyond_the_ceiling() {
    let s = scenario(LIFTS_ITS_OWN_LIMITS);
    let l = s.plan.limits;
    assert_eq!(l.max_events, Limits::CEILING.max_events);
    assert_eq!(l.max_time, Limits::CEILING.max_time);
    assert_eq!(l.max_messages, Limits::CEILING.max_messages);
    assert_eq!(l.max_memory, Limits::CEILING.max_memory);
    assert_eq!(l.source(Cap::Events), CapSource::FileOverCeiling { asked: u64::MAX });
    // Lowering is free.
    let low = scenario(&LIFTS_ITS_OWN_LIMITS.replace("events: 18446744073709551615", "events: 1000"));
    assert_eq!((low.plan.limits.max_events, low.plan.limits.source(Cap::Events)), (1000, CapSource::File));
    // The command line may go anywhere, beyond the ceiling too.
    let flags = LimitArgs { max_events: Some(3 * Limits::CEILING.max_events), ..LimitArgs::default() };
    let lifted = with_flags(s.clone(), flags);
    assert_eq!(lifted.plan.limits.max_events, 3 * Limits::CEILING.max_events);
    assert_eq!(lifted.plan.limits.source(Cap::Events), CapSource::CommandLine);
}

#[test]
fn a_requeue_loop_stops_at_the_events_cap_and_says_why() {
    let s = scenario(&LIFTS_ITS_OWN_LIMITS.replace("events: 18446744073709551615", "events: 20000"));
    let (r, took, peak) = measured(|| Session::check(s.clone()));
    let cap = r.expect_err("requeued forever");
    let text = cap.to_string();
    assert_eq!(cap.cap(), Cap::Events);
    assert!(text.contains("cap of 20000 events") && text.contains("requeued forever") && text.contains("--max-events"), "{text}");
    assert!(peak < 8 << 20 && took < Duration::from_secs(10), "{} MB, {took:?}", peak >> 20);
    // The command line lowers it too, and the message says so.
    let flags = LimitArgs { max_events: Some(5000), ..LimitArgs::default() };
    let cap = Session::check(with_flags(scenario(LIFTS_ITS_OWN_LIMITS), flags)).expect_err("stopped");
    assert!(cap.to_string().contains("the command line's --max-events"), "{cap}");
}

/// `n` confirmed persistent publishes, consumed, checked with `confirmed:`, `unconfirmed:`,
/// `nacked:` and `count:`.
fn confirms(n: u64) -> Arc<Scenario> {
    scenario(&format!(
        "name: confirms
queues: [{{ name: q, durable: true }}]
producers:
  - {{ name: p, confirms: true, publish: [{{ key: q, body: \"m {{n}}\", count: {n}, persistent: true }}] }}
consumers:
  - {{ name: c, queue: q, prefetch: 100 }}
expect:
  - {{ producer: p, confirmed: {n} }}
  - {{ producer: p, unconfirmed: 0 }}
  - {{ producer: p, nacked: [] }}
  - {{ consumer: c, count: {n} }}
"
    ))
}

#[test]
fn check_is_linear_in_confirms() {
    let n = 200_000;
    let s = confirms(n);
    let (outcomes, check_took, peak) = measured(|| Session::check(s.clone()).expect("no cap"));
    for o in &outcomes {
        assert!(o.pass, "{} — found {}", o.label, o.found);
    }
    let (_, run_took, _) = measured(|| {
        let mut session = Session::new(s.clone(), false);
        session.run().expect("no cap");
    });
    // The quadratic `unconfirmed:` took 250 times as long as the run at 10^6 confirms.
    assert!(check_took < run_took * 4 + Duration::from_millis(500), "check {check_took:?} against run {run_took:?}");
    // check keeps no trace: the message store (16 bytes a message) and the confirms in flight.
    assert!(peak < 48 << 20, "check peaked at {} MB for {n} messages", peak >> 20);
}

/// The exact memory estimate after each event of a run stepped to its end (no caps lowered),
/// with the trace kept.
fn estimates_per_event(s: &Scenario) -> Vec<u64> {
    let mut world = World::new(s.plan.clone());
    let mut trace = Trace::new(true);
    let mut out = Vec::new();
    while world.step(&mut trace).expect("within the default caps").is_some() {
        out.push(world.memory_estimate(world.live_copies().total(), &trace).total());
    }
    out
}

/// `s` with its memory cap set to `bytes`, and the run stepped one event at a time and run in
/// one go: the cap hit and the step it came at, both ways.
fn memory_hit(s: &Scenario, bytes: u64) -> [(Option<CapHit>, u64); 2] {
    let mut plan = (*s.plan).clone();
    plan.limits.max_memory = bytes;
    let plan = Arc::new(plan);
    let mut stepped = World::new(plan.clone());
    let mut trace = Trace::new(true);
    let hit = loop {
        match stepped.step(&mut trace) {
            Ok(Some(_)) => {}
            Ok(None) => break None,
            Err(cap) => break Some(cap),
        }
    };
    let mut ran = World::new(plan);
    let mut trace = Trace::new(true);
    let ran_hit = ran.run(&mut trace).err();
    [(hit, stepped.steps), (ran_hit, ran.steps)]
}

#[test]
fn the_memory_estimate_is_checked_every_eighth_event_and_at_the_end() {
    use warren::world::caps::MEMORY_EVERY;
    // A backlog that only grows, with the trace kept: each publish adds a message to the
    // store, a live copy and records, and nothing removes a copy, so the estimate the check
    // reads is the exact one.
    let s = scenario("name: backlog\nqueues: [{ name: q }]\nproducers:\n  - { name: p, publish: [{ key: q, body: x, count: 300 }] }\n");
    let e = estimates_per_event(&s);
    let n = e.len() as u64;
    let last_checked = n / MEMORY_EVERY * MEMORY_EVERY;
    assert_ne!(n % MEMORY_EVERY, 0, "the run must end between two checks ({n} events)");
    assert!(e[last_checked as usize - 1] < e[n as usize - 1], "the last events must grow the estimate: {e:?}");

    // Crossed only by the last events: the check when the run ends stops it, at its end.
    for (hit, steps) in memory_hit(&s, e[n as usize - 1] - 1) {
        assert_eq!(hit.map(|c| c.cap()), Some(Cap::Memory), "{hit:?}");
        assert_eq!(steps, n);
    }
    // Crossed at an event in the middle: the run stops at the next multiple of MEMORY_EVERY,
    // not before it and not later, stepped or run.
    let cap = e[100] - 1;
    let first = e.iter().position(|&b| b > cap).unwrap() as u64 + 1;
    assert_ne!(first % MEMORY_EVERY, 0, "crossed between two checks (at event {first})");
    for (hit, steps) in memory_hit(&s, cap) {
        assert!(matches!(hit, Some(CapHit::Memory { estimate, .. }) if estimate.total() > cap), "{hit:?}");
        assert_eq!(steps, first.div_ceil(MEMORY_EVERY) * MEMORY_EVERY);
    }
}

#[test]
fn a_step_after_the_copy_cap_hits_it_again() {
    // Six copies under a cap of five, then a note that adds nothing: the step that runs the
    // note must still see the run over its cap, as every check after the hit does.
    let s = scenario(
        "name: over\nlimits: { messages: 5 }\nqueues: [{ name: q }]\nproducers:\n  - { name: p, publish: [{ key: q, body: x, count: 6 }] }\nnotes:\n  - { at: 1s, text: after }\n",
    );
    let mut world = World::new(s.plan.clone());
    let mut trace = Trace::new(false);
    let first = loop {
        match world.step(&mut trace) {
            Ok(Some(_)) => {}
            Ok(None) => panic!("six copies fit a cap of five"),
            Err(cap) => break cap,
        }
    };
    assert_eq!(first.cap(), Cap::Messages, "{first}");
    for _ in 0..3 {
        let again = world.step(&mut trace).expect_err("still over the cap");
        assert_eq!(again.cap(), Cap::Messages, "{again}");
    }
}
