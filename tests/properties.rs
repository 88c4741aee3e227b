//! Property tests of delivery guarantees over random scenarios and random fault schedules
//! (docs/guarantees.md). Each failure prints proptest's seed and the minimal failing
//! scenario, also written to `target/counterexamples/<property>.yaml` so that
//! `warren run` / `warren tui` replay it.
//!
//! Case counts (defaults; `PROPTEST_CASES` overrides all of them): 400 random scenarios for
//! each of the invariant tests, 300 reliable ones for at-least-once, 300 fault-free ones for
//! exactly-once, 100 for determinism and for the YAML round trip, 500 routing decisions per
//! exchange type.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::sync::Arc;
use warren::explore::gen::{self, GenScenario, Profile};
use warren::guarantees::{check, Guarantee};
use warren::scenario::Scenario;
use warren::session::Session;

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    ProptestConfig { cases: n, failure_persistence: None, ..ProptestConfig::default() }
}

/// Runs a generated scenario and checks guarantees; on failure, writes the scenario out.
fn holds(g: &GenScenario, guarantees: &[Guarantee], property: &str) -> Result<(), TestCaseError> {
    let yaml = g.to_yaml();
    let scenario =
        Scenario::from_str(&yaml, "generated.yaml").map_err(|e| TestCaseError::fail(format!("invalid generated scenario: {e}\n{yaml}")))?;
    let mut s = Session::new(Arc::new(scenario), true);
    s.run().map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
    for &gu in guarantees {
        if let Err(v) = check(gu, &s.world, s.trace.records()) {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("counterexamples");
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("{property}.yaml"));
            let _ = std::fs::write(&path, &yaml);
            return Err(TestCaseError::fail(format!("{v} (seed {}; scenario written to {})\n{yaml}", g.seed, path.display())));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(400))]

    /// Every message copy routed to a queue has exactly one fate, or is still in its queue.
    #[test]
    fn conservation(g in gen::scenario(Profile::Any)) {
        holds(&g, &[Guarantee::Conservation], "conservation")?;
    }

    /// Auto-ack is at-most-once; redelivered=false means first delivery; unacked never
    /// exceeds prefetch — whatever the faults.
    #[test]
    fn broker_invariants(g in gen::scenario(Profile::Any)) {
        holds(&g, &[Guarantee::AtMostOnce, Guarantee::RedeliveredFlag, Guarantee::Prefetch], "invariants")?;
    }
}

proptest! {
    #![proptest_config(cases(300))]

    /// Manual ack + durable queue + persistent message + publisher confirm: every confirmed
    /// message is delivered and acked at least once, whatever the faults, once they stop.
    #[test]
    fn at_least_once_with_confirms_and_manual_acks(g in gen::scenario(Profile::Reliable)) {
        holds(&g, &[Guarantee::AtLeastOnce, Guarantee::Conservation], "at-least-once")?;
    }

    /// No faults and no requeue: each routed copy is delivered at most once, in publish
    /// order per publisher.
    #[test]
    fn exactly_once_without_faults(g in gen::scenario(Profile::FaultFree)) {
        holds(&g, &[Guarantee::ExactlyOnce, Guarantee::NoLoss, Guarantee::Conservation], "exactly-once")?;
    }
}

proptest! {
    #![proptest_config(cases(200))]

    /// The same reliable scenarios with quorum queues: every message is in the queue's log
    /// before it is confirmed, so no broker crash loses anything (`no-loss`, which classic
    /// queues break in the sync window), and the broker's invariants still hold.
    #[test]
    fn quorum_queues_lose_nothing_in_broker_crashes(g in gen::scenario(Profile::Reliable)) {
        let g = g.with_quorum_queues();
        holds(&g, &[Guarantee::NoLoss, Guarantee::AtLeastOnce, Guarantee::Conservation, Guarantee::RedeliveredFlag], "quorum-no-loss")?;
    }

    /// Anything, with quorum queues: conservation and the broker's invariants.
    #[test]
    fn quorum_queue_invariants(g in gen::scenario(Profile::Any)) {
        let g = g.with_quorum_queues();
        holds(&g, &[Guarantee::Conservation, Guarantee::AtMostOnce, Guarantee::RedeliveredFlag, Guarantee::Prefetch], "quorum-invariants")?;
    }
}

/// Where quorum queues keep everything, classic ones do not: some reliable scenario with a
/// broker crash loses a message from a durable classic queue.
#[test]
fn classic_queues_can_lose_what_quorum_queues_keep() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = gen::scenario(Profile::Reliable);
    let found = (0..400).any(|_| {
        let g = strategy.new_tree(&mut runner).expect("a scenario").current();
        holds(&g, &[Guarantee::NoLoss], "classic-no-loss").is_err()
            && holds(&g.with_quorum_queues(), &[Guarantee::NoLoss], "quorum-no-loss").is_ok()
    });
    assert!(found, "no reliable scenario lost a message from a classic queue in 400 tries");
}

proptest! {
    #![proptest_config(cases(100))]

    /// The same scenario and seed give the same trace hash, run twice.
    #[test]
    fn determinism(g in gen::scenario(Profile::Any)) {
        let s = Arc::new(Scenario::from_str(&g.to_yaml(), "generated.yaml").unwrap());
        let mut a = Session::new(s.clone(), false);
        let mut b = Session::new(s, false);
        a.run().unwrap();
        b.run().unwrap();
        prop_assert_eq!(a.trace.hash(), b.trace.hash(), "seed {}", g.seed);
        prop_assert_eq!(a.trace.len(), b.trace.len());
    }

    /// A generated scenario is an ordinary scenario: written out and read back, it replays
    /// identically.
    #[test]
    fn generated_scenarios_round_trip(g in gen::scenario(Profile::Any)) {
        let first = Scenario::from_str(&g.to_yaml(), "generated.yaml").unwrap();
        let again = Scenario::from_str(&first.def.to_yaml(), "again.yaml").unwrap();
        let hash = |s: Scenario| { let mut r = Session::new(Arc::new(s), false); r.run().unwrap(); r.trace.hash() };
        prop_assert_eq!(hash(first), hash(again));
    }
}

// ---- routing against independent reference matchers

/// Topic matching by plain recursion over word lists — written independently of the broker.
fn topic_reference(pattern: &[&str], key: &[&str]) -> bool {
    match (pattern.first(), key.first()) {
        (None, None) => true,
        (None, Some(_)) => false,
        (Some(&"#"), _) => topic_reference(&pattern[1..], key) || (!key.is_empty() && topic_reference(pattern, &key[1..])),
        (Some(_), None) => false,
        (Some(&p), Some(&k)) => (p == "*" || p == k) && topic_reference(&pattern[1..], &key[1..]),
    }
}

fn split(s: &str) -> Vec<&str> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split('.').collect()
    }
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![Just("a".to_string()), Just("b".to_string()), Just("c".to_string()), Just(String::new()), Just("ab".to_string())]
}

fn topic_key() -> impl Strategy<Value = String> {
    proptest::collection::vec(word(), 0..6).prop_map(|w| w.join("."))
}

fn topic_pattern() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![3 => word(), 1 => Just("*".to_string()), 1 => Just("#".to_string())], 0..6)
        .prop_map(|w| w.join("."))
}

type HeaderList = Vec<(String, warren::broker::message::HValue)>;

/// Routes one message through a fresh broker with one exchange and one binding per pattern;
/// returns which bindings' queues got it.
fn route(kind: &str, bindings: &[(String, Option<HeaderList>)], key: &str, headers: Option<HeaderList>) -> Vec<bool> {
    use warren::broker::testkit::Driver;
    let mut d = Driver::new(Default::default());
    d.exchange("x", kind);
    for (i, (bk, args)) in bindings.iter().enumerate() {
        let q = format!("q{i}");
        d.queue(&q, false, Default::default());
        let args = args.as_ref().map(|a| a.iter().map(|(k, v)| (d.sym(k), v.clone())).collect::<Vec<_>>().into());
        d.bind(&q, "x", bk, args);
    }
    let mut p = d.props("x", key);
    p.headers = headers.map(|h| h.into_iter().map(|(k, v)| (d.sym(&k), v)).collect::<Vec<_>>().into());
    d.publish(warren::sim::Time::ZERO, p, "m");
    (0..bindings.len()).map(|i| d.ready(&format!("q{i}")).len() == 1).collect()
}

proptest! {
    #![proptest_config(cases(500))]

    #[test]
    fn topic_routing_agrees_with_the_reference(patterns in proptest::collection::vec(topic_pattern(), 1..5), key in topic_key()) {
        let bindings: Vec<_> = patterns.iter().map(|p| (p.clone(), None)).collect();
        let got = route("topic", &bindings, &key, None);
        for (i, p) in patterns.iter().enumerate() {
            let want = topic_reference(&split(p), &split(&key));
            prop_assert_eq!(got[i], want, "pattern {:?} key {:?}", p, key);
        }
    }

    #[test]
    fn direct_and_fanout_routing_agree_with_the_reference(keys in proptest::collection::vec(word(), 1..5), key in word()) {
        let bindings: Vec<_> = keys.iter().map(|k| (k.clone(), None)).collect();
        let direct = route("direct", &bindings, &key, None);
        let fanout = route("fanout", &bindings, &key, None);
        for (i, k) in keys.iter().enumerate() {
            prop_assert_eq!(direct[i], *k == key, "direct binding {:?} key {:?}", k, key);
            prop_assert!(fanout[i], "fanout ignores keys");
        }
    }

    #[test]
    fn headers_routing_agrees_with_the_reference(
        mode in prop_oneof![Just("all"), Just("any"), Just("all-with-x"), Just("any-with-x")],
        want in proptest::collection::vec((0usize..4, 0i64..3), 0..4),
        have in proptest::option::of(proptest::collection::vec((0usize..4, 0i64..3), 0..4)),
    ) {
        use warren::broker::message::HValue;
        let names = ["a", "b", "x-c", "d"];
        let mut args = vec![("x-match".to_string(), HValue::Str(mode.into()))];
        let mut seen = std::collections::BTreeSet::new();
        for (k, v) in &want { if seen.insert(*k) { args.push((names[*k].to_string(), if *v == 0 { HValue::Void } else { HValue::Int(*v) })); } }
        let headers = have.clone().map(|h| {
            let mut seen = std::collections::BTreeSet::new();
            h.into_iter().filter(|(k, _)| seen.insert(*k)).map(|(k, v)| (names[k].to_string(), HValue::Int(v))).collect::<Vec<_>>()
        });
        // Reference: RabbitMQ's rule written plainly.
        let with_x = mode.ends_with("with-x");
        let counted: Vec<&(String, HValue)> = args.iter().skip(1).filter(|(k, _)| with_x || !k.starts_with("x-")).collect();
        let matches_one = |(k, v): &&(String, HValue)| headers.as_ref().and_then(|h| h.iter().find(|(hk, _)| hk == k)).is_some_and(|(_, hv)| matches!(v, HValue::Void) || v == hv);
        let expected = if mode.starts_with("all") { counted.iter().all(matches_one) } else { counted.iter().any(matches_one) };
        let got = route("headers", &[(String::new(), Some(args.clone()))], "ignored", headers.clone());
        prop_assert_eq!(got[0], expected, "binding {:?} headers {:?}", args, headers);
    }
}
