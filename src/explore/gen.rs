//! Random but valid scenarios, for the property test suite.
//!
//! A generated scenario is a small tree of choices ([`GenScenario`]) rendered to ordinary
//! scenario YAML — so any one of them can be written to a file and replayed with `warren run`
//! or `warren tui`, and proptest shrinks the choices (fewer queues, clients, messages and
//! faults; smaller numbers) when a property fails.

use crate::scenario::model::ScenarioFile;
use proptest::prelude::*;
use std::fmt::Write;

/// Which kind of scenario to generate.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Anything: every exchange type, queue arguments, ack modes, faults.
    Any,
    /// What RabbitMQ promises at-least-once for: durable queues, persistent messages with
    /// publisher confirms, manual acks; faults that all end, then time to settle.
    Reliable,
    /// No faults and no requeues (for exactly-once and ordering).
    FaultFree,
}

#[derive(Clone, Debug)]
pub struct GenQueue {
    pub durable: bool,
    pub auto_delete: bool,
    pub expires_ms: Option<u32>,
    pub ttl_ms: Option<u32>,
    pub max_length: Option<(u32, &'static str)>,
    pub dead_letter: bool,
    /// `x-queue-type: quorum` (see [`GenScenario::with_quorum_queues`]).
    pub quorum: bool,
}

#[derive(Clone, Debug)]
pub struct GenBinding {
    /// 0 direct, 1 fanout, 2 topic, 3 headers.
    pub exchange: usize,
    pub queue: usize,
    pub key: &'static str,
    pub headers_any: bool,
}

#[derive(Clone, Debug)]
pub struct GenPublish {
    /// `None`: the default exchange, to a queue by name.
    pub exchange: Option<usize>,
    pub queue: usize,
    pub key: &'static str,
    pub at_ms: u32,
    pub count: u32,
    pub every_ms: u32,
    pub persistent: bool,
    pub mandatory: bool,
    pub color: &'static str,
}

#[derive(Clone, Debug)]
pub struct GenProducer {
    pub confirms: bool,
    pub publish: Vec<GenPublish>,
}

#[derive(Clone, Debug)]
pub struct GenConsumer {
    pub queue: usize,
    pub ack: &'static str,
    pub prefetch: u32,
    pub work_ms: u32,
    pub jitter: bool,
    pub start_ms: u32,
    /// A client action (profile `Any` only): (kind, time after start, n) — 0 `cancel`,
    /// 1 `ack_every`, 2 `qos` (global when the time is even), 3 `recover`, 4 a `get` poller.
    pub action: Option<(u8, u32, u32)>,
}

#[derive(Clone, Debug)]
pub struct GenFault {
    /// 0 crash a consumer, 1 crash a producer, 2 partition a consumer, 3 broker crash,
    /// 4 broker stop, 5 delay a producer.
    pub kind: u8,
    pub who: usize,
    pub at_ms: u32,
    pub len_ms: u32,
}

/// The choices behind one generated scenario.
#[derive(Clone, Debug)]
pub struct GenScenario {
    pub profile: Profile,
    pub seed: u64,
    pub sync_every_ms: u32,
    pub queues: Vec<GenQueue>,
    pub bindings: Vec<GenBinding>,
    pub producers: Vec<GenProducer>,
    pub consumers: Vec<GenConsumer>,
    pub faults: Vec<GenFault>,
}

const DIRECT_KEYS: &[&str] = &["info", "warn", "err"];
const TOPIC_PATTERNS: &[&str] = &["#", "*", "a.*", "*.b", "a.#", "#.b", "a.b", "*.*", "a.*.c", "#.c.#"];
const TOPIC_KEYS: &[&str] = &["a", "a.b", "a.c", "b", "a.b.c", "x.b", "a..c", ""];
const EXCHANGES: [(&str, &str); 4] = [("xd", "direct"), ("xf", "fanout"), ("xt", "topic"), ("xh", "headers")];

fn queue_strategy(profile: Profile) -> BoxedStrategy<GenQueue> {
    match profile {
        Profile::Reliable => Just(GenQueue {
            durable: true,
            auto_delete: false,
            expires_ms: None,
            ttl_ms: None,
            max_length: None,
            dead_letter: false,
            quorum: false,
        })
        .boxed(),
        _ => (
            any::<bool>(),
            proptest::bool::weighted(0.2),
            proptest::option::weighted(0.15, prop_oneof![Just(300u32), Just(1500)]),
            proptest::option::weighted(0.25, prop_oneof![Just(0u32), Just(150), Just(1000)]),
            proptest::option::weighted(0.25, (1u32..4, prop_oneof![Just("drop-head"), Just("reject-publish"), Just("reject-publish-dlx")])),
            proptest::bool::weighted(0.3),
        )
            .prop_map(move |(durable, auto_delete, expires_ms, ttl_ms, max_length, dead_letter)| GenQueue {
                durable,
                // Deleting a queue loses what it holds: keep that out of the fault-free profile,
                // whose runs must lose nothing.
                auto_delete: auto_delete && profile == Profile::Any,
                expires_ms: expires_ms.filter(|_| profile == Profile::Any),
                ttl_ms,
                max_length,
                dead_letter,
                quorum: false,
            })
            .boxed(),
    }
}

fn binding_strategy(queues: usize) -> BoxedStrategy<GenBinding> {
    (0usize..4, 0..queues, 0usize..10, any::<bool>())
        .prop_map(|(exchange, queue, k, headers_any)| {
            let key = match exchange {
                0 => DIRECT_KEYS[k % DIRECT_KEYS.len()],
                2 => TOPIC_PATTERNS[k % TOPIC_PATTERNS.len()],
                _ => "",
            };
            GenBinding { exchange, queue, key, headers_any }
        })
        .boxed()
}

fn publish_strategy(queues: usize, profile: Profile) -> BoxedStrategy<GenPublish> {
    let reliable = profile == Profile::Reliable;
    (
        if reliable { Just(None).boxed() } else { proptest::option::weighted(0.6, 0usize..4).boxed() },
        0..queues,
        0usize..8,
        0u32..400,
        1u32..6,
        prop_oneof![Just(0u32), Just(10), Just(50), Just(120)],
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just("red"), Just("blue")],
    )
        .prop_map(move |(exchange, queue, k, at_ms, count, every_ms, persistent, mandatory, color)| {
            let key = match exchange {
                Some(0) => DIRECT_KEYS[k % DIRECT_KEYS.len()],
                Some(2) => TOPIC_KEYS[k % TOPIC_KEYS.len()],
                _ => "",
            };
            GenPublish { exchange, queue, key, at_ms, count, every_ms, persistent: persistent || reliable, mandatory, color }
        })
        .boxed()
}

fn consumer_strategy(queues: usize, profile: Profile) -> BoxedStrategy<GenConsumer> {
    let ack = match profile {
        Profile::Any => prop_oneof![
            4 => Just("manual"),
            2 => Just("auto"),
            1 => Just("forget"),
            1 => Just("reject"),
            1 => Just("requeue"),
        ]
        .boxed(),
        Profile::Reliable => Just("manual").boxed(),
        Profile::FaultFree => prop_oneof![3 => Just("manual"), 1 => Just("auto")].boxed(),
    };
    let action = match profile {
        Profile::Any => proptest::option::weighted(0.3, (0u8..5, 50u32..1500, 1u32..4)).boxed(),
        _ => Just(None).boxed(),
    };
    (0..queues, ack, 0u32..4, prop_oneof![Just(0u32), Just(5), Just(30), Just(200)], any::<bool>(), 0u32..300, action)
        .prop_map(|(queue, ack, prefetch, work_ms, jitter, start_ms, action)| {
            // A requeueing consumer needs work time, or it would spin at one instant.
            let work_ms = if ack == "requeue" { work_ms.max(20) } else { work_ms };
            GenConsumer { queue, ack, prefetch, work_ms, jitter, start_ms, action }
        })
        .boxed()
}

fn fault_strategy(profile: Profile) -> BoxedStrategy<GenFault> {
    let kinds = match profile {
        Profile::Reliable => prop_oneof![3 => Just(0u8), 1 => Just(1), 2 => Just(2), 2 => Just(3), 1 => Just(4), 1 => Just(5)].boxed(),
        _ => (0u8..6).boxed(),
    };
    (kinds, 0usize..4, 0u32..2000, 10u32..1500).prop_map(|(kind, who, at_ms, len_ms)| GenFault { kind, who, at_ms, len_ms }).boxed()
}

/// Random scenarios of a profile.
pub fn scenario(profile: Profile) -> BoxedStrategy<GenScenario> {
    (1usize..=3)
        .prop_flat_map(move |nq| {
            let faults = match profile {
                Profile::FaultFree => Just(Vec::new()).boxed(),
                _ => proptest::collection::vec(fault_strategy(profile), 0..=3).boxed(),
            };
            (
                0u64..1000,
                prop_oneof![Just(0u32), Just(50), Just(200)],
                proptest::collection::vec(queue_strategy(profile), nq..=nq),
                proptest::collection::vec(binding_strategy(nq), 0..=5),
                proptest::collection::vec(
                    (any::<bool>(), proptest::collection::vec(publish_strategy(nq, profile), 1..=3))
                        .prop_map(move |(confirms, publish)| GenProducer { confirms: confirms || profile == Profile::Reliable, publish }),
                    1..=2,
                ),
                proptest::collection::vec(consumer_strategy(nq, profile), 1..=3),
                faults,
            )
        })
        .prop_map(move |(seed, sync_every_ms, queues, bindings, producers, consumers, faults)| GenScenario {
            profile,
            seed,
            sync_every_ms,
            queues,
            bindings,
            producers,
            consumers,
            faults,
        })
        .boxed()
}

impl GenConsumer {
    /// The client action's keys, `, key: value` (or nothing).
    fn action_yaml(&self) -> String {
        let Some((kind, after, n)) = self.action else { return String::new() };
        let at = self.start_ms + after;
        match kind {
            0 => format!(", cancel: {at}ms"),
            1 if matches!(self.ack, "manual" | "requeue") => format!(", ack_every: {}", n + 1),
            2 => format!(", qos: [ {{ at: {at}ms, prefetch: {n}, global: {} }} ]", after % 2 == 0),
            3 => format!(", recover: {at}ms"),
            4 => format!(", get: {}ms, cancel: {at}ms", 40 * n + 60),
            _ => String::new(),
        }
    }
}

impl GenScenario {
    /// The same scenario with every queue a quorum queue (durable, never auto-delete, as
    /// RabbitMQ requires): what `warren explore`'s generators use to show that quorum queues
    /// keep every message a broker crash would take from a classic queue.
    pub fn with_quorum_queues(mut self) -> GenScenario {
        for q in &mut self.queues {
            q.quorum = true;
            q.durable = true;
            q.auto_delete = false;
        }
        self
    }

    /// The scenario as YAML.
    pub fn to_yaml(&self) -> String {
        let mut y = String::new();
        let reliable = self.profile == Profile::Reliable;
        let _ = writeln!(y, "name: generated\nseed: {}", self.seed);
        // Long enough for requeue loops to be bounded and for everything to settle after faults.
        let _ = writeln!(y, "until: {}", if reliable { "30s" } else { "8s" });
        let _ = writeln!(y, "broker: {{ sync_every: {}ms }}", self.sync_every_ms);
        let _ = writeln!(y, "exchanges:");
        for (name, ty) in EXCHANGES {
            let _ = writeln!(y, "  - {{ name: {name}, type: {ty}{} }}", if reliable { ", durable: true" } else { "" });
        }
        let _ = writeln!(y, "  - {{ name: dlx, type: fanout }}");
        let _ = writeln!(y, "queues:");
        for (i, q) in self.queues.iter().enumerate() {
            let mut args = Vec::new();
            if let Some(t) = q.ttl_ms {
                args.push(format!("x-message-ttl: {t}"));
            }
            if let Some((n, o)) = q.max_length {
                args.push(format!("x-max-length: {n}, x-overflow: {o}"));
            }
            if q.dead_letter {
                args.push("x-dead-letter-exchange: dlx".to_string());
            }
            if let Some(e) = q.expires_ms {
                args.push(format!("x-expires: {e}"));
            }
            if q.quorum {
                args.push("x-queue-type: quorum".to_string());
            }
            let args = if args.is_empty() { String::new() } else { format!(", arguments: {{ {} }}", args.join(", ")) };
            let _ = writeln!(y, "  - {{ name: q{i}, durable: {}, auto_delete: {}{args} }}", q.durable, q.auto_delete);
        }
        let _ = writeln!(y, "  - {{ name: dlq }}");
        let _ = writeln!(y, "bindings:\n  - {{ exchange: dlx, queue: dlq }}");
        for b in &self.bindings {
            let (ex, _) = EXCHANGES[b.exchange];
            if b.exchange == 3 {
                let mode = if b.headers_any { "any" } else { "all" };
                let _ = writeln!(y, "  - {{ exchange: {ex}, queue: q{}, arguments: {{ x-match: {mode}, color: red, size: 1 }} }}", b.queue);
            } else {
                let _ = writeln!(y, "  - {{ exchange: {ex}, queue: q{}, key: {:?} }}", b.queue, b.key);
            }
        }
        let _ = writeln!(y, "consumers:");
        for (i, c) in self.consumers.iter().enumerate() {
            let work = if c.jitter && c.work_ms > 0 {
                format!("{{ uniform: [{}ms, {}ms] }}", c.work_ms / 2, c.work_ms * 2)
            } else {
                format!("{}ms", c.work_ms)
            };
            let _ = writeln!(
                y,
                "  - {{ name: c{i}, queue: q{}, ack: {}, prefetch: {}, work: {work}, start: {}ms, reconnect: 200ms{} }}",
                c.queue,
                c.ack,
                c.prefetch,
                c.start_ms,
                c.action_yaml()
            );
        }
        let _ = writeln!(y, "producers:");
        for (i, p) in self.producers.iter().enumerate() {
            let _ = writeln!(y, "  - name: p{i}\n    confirms: {}\n    reconnect: 200ms\n    publish:", p.confirms);
            for (j, e) in p.publish.iter().enumerate() {
                let (exchange, key) = match e.exchange {
                    None => (String::new(), format!("q{}", e.queue)),
                    Some(x) => (EXCHANGES[x].0.to_string(), e.key.to_string()),
                };
                let headers = if e.exchange == Some(3) { format!(", headers: {{ color: {}, size: 1 }}", e.color) } else { String::new() };
                let _ = writeln!(
                    y,
                    "      - {{ at: {}ms, exchange: {exchange:?}, key: {key:?}, body: \"p{i}.{j}.{{n}}\", count: {}, every: {}ms, persistent: {}, mandatory: {}{headers} }}",
                    e.at_ms, e.count, e.every_ms, e.persistent, e.mandatory
                );
            }
        }
        if !self.faults.is_empty() {
            let _ = writeln!(y, "faults:");
            for f in &self.faults {
                let (at, end) = (f.at_ms, f.at_ms + f.len_ms);
                let c = format!("c{}", f.who % self.consumers.len());
                let p = format!("p{}", f.who % self.producers.len());
                match f.kind {
                    0 | 1 => {
                        let who = if f.kind == 0 { &c } else { &p };
                        let _ = writeln!(y, "  - {{ at: {at}ms, crash: {who} }}\n  - {{ at: {end}ms, restart: {who} }}");
                    }
                    2 => {
                        let _ = writeln!(y, "  - {{ at: {at}ms, until: {end}ms, partition: {c} }}");
                    }
                    3 | 4 => {
                        let verb = if f.kind == 3 { "crash" } else { "stop" };
                        let _ = writeln!(y, "  - {{ at: {at}ms, {verb}: broker }}\n  - {{ at: {end}ms, restart: broker }}");
                    }
                    _ => {
                        let _ = writeln!(y, "  - {{ at: {at}ms, until: {end}ms, delay: {p}, by: {}ms }}", f.len_ms / 3 + 1);
                    }
                }
            }
        }
        y
    }

    /// The scenario as a value.
    pub fn to_file(&self) -> ScenarioFile {
        crate::scenario::load::parse_yaml(&self.to_yaml(), "generated.yaml").expect("generated scenarios parse")
    }
}
