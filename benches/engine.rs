//! Micro-benchmarks of the engine's pieces (divan): `cargo bench`, or `cargo bench -- NAME`
//! for the benchmarks whose path contains NAME (e.g. `cargo bench -- topic`).
//!
//! - `event_queue`: the `(time, seq)` heap with warren's own event type: a steady "hold"
//!   (pop one, schedule one) at several heap sizes, and filling then draining it.
//! - `topic`: parsing binding keys and matching routing keys, with the 50 patterns and 8 keys
//!   of `bench/scenarios/topic-fanout.yaml`, and a pathological pattern.
//! - `broker_route`: publishing through a [`Broker`] driven directly (as
//!   `tests/properties.rs` does): the default exchange to one queue, and the topic exchange
//!   of the fanout scenario to its 50 queues.
//! - `scenario`: whole runs through [`Session`]: bundled scenarios, and 10,000-message
//!   versions of the benchmark scenarios (paced and burst work queue, topic fanout).
//!
//! Whole-scenario speed at scale (1M messages) and the comparison with SimPy and the bare
//! loop are `bench/compare.sh`'s job (see docs/performance.md).

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use std::sync::Arc;
use warren::broker::message::Body;
use warren::broker::testkit::Driver;
use warren::broker::topic::{words, TopicPattern};
use warren::ids::{ClientId, PropsId, Sym};
use warren::scenario::Scenario;
use warren::session::Session;
use warren::sim::{EventQueue, Time};
use warren::world::Ev;

fn main() {
    divan::main();
}

const PACED: &str = include_str!("../bench/scenarios/workqueue-paced.yaml");
const BURST: &str = include_str!("../bench/scenarios/workqueue-burst.yaml");
const FANOUT: &str = include_str!("../bench/scenarios/topic-fanout.yaml");

/// The quoted `key: "..."` values of the lines of `yaml` that contain `marker`.
fn quoted_keys(yaml: &str, marker: &str) -> Vec<String> {
    yaml.lines()
        .filter(|l| l.contains(marker))
        .filter_map(|l| {
            let rest = &l[l.find("key: \"")? + 6..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

/// The binding keys of the topic fanout scenario (50, one per queue).
fn fanout_patterns() -> Vec<String> {
    let p = quoted_keys(FANOUT, "{ exchange: events, queue:");
    assert_eq!(p.len(), 50, "topic-fanout.yaml has 50 bindings");
    p
}

/// The routing keys its producer publishes with (8).
fn fanout_keys() -> Vec<String> {
    let k = quoted_keys(FANOUT, "{ at:");
    assert_eq!(k.len(), 8, "topic-fanout.yaml publishes with 8 keys");
    k
}

/// A tiny deterministic generator (xorshift), so the benchmarks need no rand setup.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[divan::bench_group(max_time = 1.5)]
mod event_queue {
    use super::*;

    /// The hold model: `n` events pending; each iteration pops the earliest and schedules
    /// one a pseudo-random 1–64µs later (a timer, a frame in flight).
    #[divan::bench(args = [8, 1024, 65_536])]
    fn hold(bencher: Bencher, n: u32) {
        let mut q: EventQueue<Ev> = EventQueue::new();
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for i in 0..n {
            q.schedule(Time(rng.next() % 64), Ev::ToBroker(ClientId(i)));
        }
        bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
            let (t, _, ev) = q.pop().expect("never empty");
            q.schedule(Time(t.as_us() + 1 + rng.next() % 64), black_box(ev));
        });
    }

    /// Schedules `n` events at pseudo-random times, then pops them all.
    #[divan::bench(args = [1_000, 100_000], sample_count = 30)]
    fn fill_then_drain(bencher: Bencher, n: u32) {
        bencher.counter(ItemsCount::new(n as usize)).bench_local(|| {
            let mut q: EventQueue<Ev> = EventQueue::new();
            let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
            for i in 0..n {
                q.schedule(Time(rng.next() % 1_000_000), Ev::ToClient(ClientId(i)));
            }
            while let Some(e) = q.pop() {
                black_box(e);
            }
        });
    }
}

#[divan::bench_group(max_time = 1.5)]
mod topic {
    use super::*;

    /// Splitting and parsing the 50 binding keys of the fanout scenario.
    #[divan::bench]
    fn parse_50_patterns(bencher: Bencher) {
        let patterns = fanout_patterns();
        bencher.counter(ItemsCount::new(patterns.len())).bench_local(|| {
            for p in &patterns {
                black_box(TopicPattern::new(black_box(p)));
            }
        });
    }

    /// Every routing key of the fanout scenario against every binding: 8 × 50 matches,
    /// each key split once (as the exchange does).
    #[divan::bench]
    fn match_8_keys_x_50_patterns(bencher: Bencher) {
        let patterns: Vec<TopicPattern> = fanout_patterns().iter().map(|p| TopicPattern::new(p)).collect();
        let keys = fanout_keys();
        bencher.counter(ItemsCount::new(keys.len() * patterns.len())).bench_local(|| {
            let mut hits = 0u32;
            for k in &keys {
                let w = words(black_box(k));
                for p in &patterns {
                    hits += p.matches_words(&w) as u32;
                }
            }
            hits
        });
    }

    /// One match against an already split key (the inner loop alone).
    #[divan::bench]
    fn match_one_presplit(bencher: Bencher) {
        let p = TopicPattern::new("*.#.b");
        let key = words("b.d.d");
        bencher.bench_local(|| black_box(&p).matches_words(black_box(&key)));
    }

    /// Many `#` against a 128-word key: the dynamic programme stays linear.
    #[divan::bench]
    fn many_hashes_long_key(bencher: Bencher) {
        let p = TopicPattern::new("#.#.#.#.#.#.#.#.#.#.#.#.b");
        let key = vec!["a"; 128].join(".");
        bencher.bench_local(|| black_box(&p).matches(black_box(&key)));
    }
}

/// A broker driven directly, with the properties of each routing key to publish with.
struct Rig {
    d: Driver,
    props: Vec<PropsId>,
    body: Sym,
}

impl Rig {
    /// `exchange` of `kind` ("" and "direct": the default exchange) with one queue per binding key.
    fn new(kind: &str, exchange: &str, bindings: &[String], keys: &[String]) -> Rig {
        let mut d = Driver::new(Default::default());
        if !exchange.is_empty() {
            d.exchange(exchange, kind);
        }
        for (i, bk) in bindings.iter().enumerate() {
            let name = if exchange.is_empty() { bk.clone() } else { format!("q{i}") };
            d.queue(&name, false, Default::default());
            if !exchange.is_empty() {
                d.bind(&name, exchange, bk, None);
            }
        }
        let props = keys
            .iter()
            .map(|k| {
                let p = d.props(exchange, k);
                d.msgs.add_props(p)
            })
            .collect();
        let body = d.sym("job {n}");
        d.clear();
        Rig { d, props, body }
    }

    /// Publishes `n` messages, cycling through the routing keys.
    fn publish(&mut self, n: u32) {
        for i in 0..n {
            let pid = self.props[i as usize % self.props.len()];
            self.d.publish_with(Time::ZERO, pid, Body { tpl: self.body, n: i + 1 });
            self.d.clear();
        }
    }
}

#[divan::bench_group(max_time = 2, sample_count = 30, sample_size = 1)]
mod broker_route {
    use super::*;

    const N: u32 = 1_000;

    /// 1,000 publishes through the default exchange into one queue (no consumer: they stay ready).
    #[divan::bench]
    fn default_exchange_1k(bencher: Bencher) {
        let work = vec!["work".to_string()];
        bencher.counter(ItemsCount::new(N as usize)).with_inputs(|| Rig::new("direct", "", &work, &work)).bench_local_values(|mut rig| {
            rig.publish(N);
            rig
        });
    }

    /// 1,000 publishes through the fanout scenario's topic exchange: 8 keys, 50 queues.
    #[divan::bench]
    fn topic_50_queues_1k(bencher: Bencher) {
        let patterns = fanout_patterns();
        let keys = fanout_keys();
        bencher.counter(ItemsCount::new(N as usize)).with_inputs(|| Rig::new("topic", "events", &patterns, &keys)).bench_local_values(
            |mut rig| {
                rig.publish(N);
                rig
            },
        );
    }
}

/// A benchmark scenario with its message counts divided by `by`.
fn scaled(yaml: &str, file: &str, by: u32) -> Arc<Scenario> {
    let mut text = String::with_capacity(yaml.len());
    for line in yaml.lines() {
        match line.find("count: ") {
            Some(i) => {
                let digits: String = line[i + 7..].chars().take_while(|c| c.is_ascii_digit()).collect();
                let n: u32 = digits.parse().expect("a count");
                text.push_str(&line[..i + 7]);
                text.push_str(&(n / by).to_string());
                text.push_str(&line[i + 7 + digits.len()..]);
            }
            None => text.push_str(line),
        }
        text.push('\n');
    }
    Arc::new(Scenario::from_str(&text, file).expect("a valid benchmark scenario"))
}

/// Runs a scenario to the end with the trace hashed, not kept (as `warren run --quiet`).
fn run(bencher: Bencher, s: Arc<Scenario>, items: u64) {
    bencher.counter(ItemsCount::new(items as usize)).with_inputs(|| Session::new(s.clone(), false)).bench_local_values(|mut session| {
        session.run().expect("no cap hit");
        session
    });
}

#[divan::bench_group(max_time = 3, sample_count = 20, sample_size = 1)]
mod scenario {
    use super::*;

    /// A bundled scenario, start to end (counter: events processed).
    #[divan::bench(args = ["work-queues", "topic-logs", "rpc", "durability", "ttl-and-dead-letters"])]
    fn bundled(bencher: Bencher, name: &str) {
        let s = Arc::new(Scenario::load(name).expect("bundled"));
        let mut probe = Session::new(s.clone(), false);
        probe.run().expect("no cap hit");
        run(bencher, s, probe.world.steps);
    }

    /// The paced work queue with 10,000 messages (counter: messages).
    #[divan::bench]
    fn workqueue_paced_10k(bencher: Bencher) {
        run(bencher, scaled(PACED, "workqueue-paced-10k.yaml", 100), 10_000);
    }

    /// The burst work queue with 10,000 messages at once (a 10k backlog).
    #[divan::bench]
    fn workqueue_burst_10k(bencher: Bencher) {
        run(bencher, scaled(BURST, "workqueue-burst-10k.yaml", 100), 10_000);
    }

    /// The topic fanout with 10,000 messages (8 × 1,250) to 50 queues.
    #[divan::bench]
    fn topic_fanout_10k(bencher: Bencher) {
        run(bencher, scaled(FANOUT, "topic-fanout-10k.yaml", 20), 10_000);
    }

    /// The same 10k paced work queue, the trace kept in memory (as `warren run` without --quiet).
    #[divan::bench]
    fn workqueue_paced_10k_trace_kept(bencher: Bencher) {
        let s = scaled(PACED, "workqueue-paced-10k.yaml", 100);
        bencher.counter(ItemsCount::new(10_000usize)).with_inputs(|| Session::new(s.clone(), true)).bench_local_values(|mut session| {
            session.run().expect("no cap hit");
            session
        });
    }
}
