//! The rules of round two, each shown by a small scenario and its `expect:` items: single
//! active consumer with priorities, an exclusive consume on it, length limits when messages
//! come back, dead-lettered copies routed by a headers exchange, internal and auto-delete
//! exchanges, per-channel qos; and the client actions cancel, ack_every, qos, recover, get,
//! with the header expectations. Each was observed on RabbitMQ 3.10.8 (the probes in
//! tests/conformance_diff/ hold the recordings).

use std::sync::Arc;
use warren::scenario::Scenario;
use warren::session::Session;

/// Runs a scenario and asserts that each of its `expect:` items passes.
fn holds(yaml: &str) {
    let s = Arc::new(Scenario::from_str(yaml, "test.yaml").unwrap_or_else(|e| panic!("{e}")));
    assert!(!s.expects.is_empty(), "the scenario checks something");
    let outcomes = Session::check(s).unwrap();
    let failed: Vec<String> = outcomes.iter().filter(|o| !o.pass).map(|o| format!("{} — found {}", o.label, o.found)).collect();
    assert!(failed.is_empty(), "failed:\n{}", failed.join("\n"));
}

/// The scenario is refused, and the message says `needle`.
fn refused(yaml: &str, needle: &str) {
    let e = match Scenario::from_str(yaml, "test.yaml") {
        Ok(_) => panic!("accepted: {yaml}"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains(needle), "{e}");
}

#[test]
fn single_active_consumer_first_stays_then_the_highest_priority_takes_over() {
    holds(
        r#"
name: t
queues: [ { name: q, arguments: { x-single-active-consumer: true } } ]
consumers:
  - { name: low, queue: q, priority: 1 }
  - { name: mid, queue: q, priority: 5, start: 100ms }
  - { name: high, queue: q, priority: 10, start: 200ms }
producers:
  - { name: p, publish: [ { at: 300ms, key: q, body: "a" }, { at: 600ms, key: q, body: "b" }, { at: 900ms, key: q, body: "c" } ] }
faults:
  - { at: 500ms, crash: low }
  - { at: 800ms, crash: high }
expect:
  - { consumer: low, received: ["a"] }
  - { consumer: high, received: ["b"] }
  - { consumer: mid, received: ["c"] }
"#,
    );
}

#[test]
fn an_exclusive_consume_on_a_single_active_consumer_queue_is_refused() {
    holds(
        r#"
name: t
queues: [ { name: q, arguments: { x-single-active-consumer: true } } ]
consumers: [ { name: c, queue: q, exclusive: true } ]
expect:
  - { error: { actor: c, code: 403 } }
"#,
    );
}

#[test]
fn drop_head_drops_the_requeued_message_at_the_head_reject_publish_keeps_it() {
    holds(
        r#"
name: t
queues:
  - { name: dh, arguments: { x-max-length: 2 } }
  - { name: rp, arguments: { x-max-length: 2, x-overflow: reject-publish } }
consumers:
  - { name: a, queue: dh, prefetch: 1, ack: requeue, work: 200ms, cancel: 100ms }
  - { name: b, queue: rp, prefetch: 1, ack: requeue, work: 200ms, cancel: 100ms }
producers:
  - name: p
    publish:
      - { at: 10ms, key: dh, body: "m1" }
      - { at: 50ms, key: dh, body: "m{n}x", count: 2 }
      - { at: 10ms, key: rp, body: "r1" }
      - { at: 50ms, key: rp, body: "r{n}x", count: 2 }
expect:
  - { queue: dh, messages: ["m1x", "m2x"] }
  - { queue: rp, messages: ["r1", "r1x", "r2x"] }
"#,
    );
}

#[test]
fn a_headers_exchange_routes_dead_lettered_copies_by_their_death_headers() {
    holds(
        r#"
name: t
exchanges: [ { name: hx, type: headers } ]
queues:
  - { name: src, arguments: { x-dead-letter-exchange: hx } }
  - { name: with_x }
  - { name: plain_any }
bindings:
  - { exchange: hx, queue: with_x, arguments: { x-match: all-with-x, x-first-death-reason: rejected, x-first-death-queue: src } }
  - { exchange: hx, queue: plain_any, arguments: { x-match: any, x-first-death-reason: rejected } }
consumers: [ { name: c, queue: src, ack: reject } ]
producers: [ { name: p, publish: [ { at: 10ms, key: src, body: "m", headers: { k: v } } ] } ]
expect:
  - { queue: with_x, messages: ["m"] }
  - { queue: plain_any, messages: [] }
  - { queue: with_x, position: 1, headers: { k: v, x-death: [ { reason: rejected, count: 1, queue: src, routing-keys: [src] } ] } }
"#,
    );
}

#[test]
fn internal_and_auto_delete_exchanges() {
    holds(
        r#"
name: t
exchanges:
  - { name: inner, type: fanout, internal: true }
  - { name: front, type: fanout }
  - { name: ad, type: fanout, auto_delete: true }
queues: [ { name: q } ]
bindings:
  - { exchange: front, to_exchange: inner }
  - { exchange: inner, queue: q }
consumers: [ { name: sub, queue: { exclusive: true, bind: [ { exchange: ad } ] }, ack: auto } ]
producers:
  - { name: p, publish: [ { at: 10ms, exchange: front, body: "ok" }, { at: 20ms, exchange: inner, body: "refused" } ] }
  - { name: late, publish: [ { at: 500ms, exchange: ad, body: "gone" } ] }
faults: [ { at: 300ms, crash: sub } ]
expect:
  - { queue: q, messages: ["ok"] }
  - { error: { actor: p, code: 403 } }
  - { error: { actor: late, code: 404 } }
"#,
    );
}

#[test]
fn cancel_keeps_working_on_what_it_holds() {
    holds(
        r#"
name: t
queues: [ { name: q } ]
consumers: [ { name: c, queue: q, prefetch: 2, work: 100ms, cancel: 150ms } ]
producers: [ { name: p, publish: [ { at: 10ms, key: q, body: "m{n}", count: 5 } ] } ]
expect:
  - { consumer: c, processed: ["m1", "m2", "m3"] }
  - { queue: q, messages: ["m4", "m5"] }
  - { queue: q, unacked: 0 }
"#,
    );
}

#[test]
fn ack_every_settles_in_batches_and_stalls_below_the_prefetch() {
    holds(
        r#"
name: t
queues: [ { name: q }, { name: r } ]
consumers:
  - { name: stuck, queue: q, prefetch: 2, ack_every: 3 }
  - { name: fine, queue: r, ack_every: 2, work: 10ms }
producers: [ { name: p, publish: [ { at: 10ms, key: q, body: "m{n}", count: 4 }, { at: 10ms, key: r, body: "n{n}", count: 3 } ] } ]
expect:
  - { consumer: stuck, count: 2 }
  - { queue: q, unacked: 2 }
  - { queue: r, unacked: 1 }
  - { queue: r, ready: 0 }
"#,
    );
}

#[test]
fn qos_global_limits_the_channel_and_a_per_consumer_qos_lifts_it() {
    holds(
        r#"
name: t
queues: [ { name: q }, { name: k } ]
consumers:
  - { name: g, queue: q, ack: forget, qos: [ { at: 5ms, prefetch: 2, global: true }, { at: 500ms, prefetch: 1, global: false } ] }
  - { name: keep, queue: k, ack: forget, prefetch: 1, qos: [ { at: 5ms, prefetch: 5 } ] }
producers: [ { name: p, publish: [ { at: 10ms, key: q, body: "m{n}", count: 4 }, { at: 10ms, key: k, body: "k{n}", count: 3 } ] } ]
expect:
  - { queue: q, ready: 2, at: 400ms }
  - { queue: q, ready: 0 }
  - { queue: k, ready: 2 }
"#,
    );
}

#[test]
fn recover_redelivers_everything_held() {
    holds(
        r#"
name: t
queues: [ { name: q } ]
consumers: [ { name: c, queue: q, ack: forget, prefetch: 2, recover: 200ms } ]
producers: [ { name: p, publish: [ { at: 10ms, key: q, body: "m{n}", count: 3 } ] } ]
expect:
  - { consumer: c, received: ["m1", "m2", "m1", "m2"] }
  - { consumer: c, redelivered: ["m1", "m2"] }
  - { queue: q, messages: ["m3"] }
"#,
    );
}

#[test]
fn a_get_poller_takes_one_at_a_time_and_sees_get_empty() {
    holds(
        r#"
name: t
queues: [ { name: q } ]
consumers: [ { name: c, queue: q, get: 100ms, cancel: 550ms, work: 10ms } ]
producers: [ { name: p, publish: [ { at: 150ms, key: q, body: "m{n}", count: 2 } ] } ]
expect:
  - { consumer: c, received: ["m1", "m2"] }
  - { consumer: c, delivery: 2, headers: {} }
  - { queue: q, ready: 0 }
  - { queue: q, unacked: 0 }
"#,
    );
}

#[test]
fn the_new_keys_are_checked() {
    refused("name: t\nqueues: [ { name: q } ]\nconsumers: [ { name: c, queue: q, get: 100ms } ]\n", "polls for ever");
    refused("name: t\nqueues: [ { name: q } ]\nconsumers: [ { name: c, queue: q, ack: auto, ack_every: 2 } ]\n", "ack_every");
    refused(
        "name: t\nqueues: [ { name: q } ]\nconsumers: [ { name: c, queue: q, start: 1s, cancel: 500ms } ]\n",
        "before the consumer starts",
    );
    refused(
        "name: t\nqueues: [ { name: q } ]\nconsumers: [ { name: c, queue: q } ]\nexpect: [ { consumer: c, headers: { a: 1 } } ]\n",
        "delivery",
    );
    refused("name: t\nqueues: [ { name: q } ]\nconsumers: [ { name: c, queue: q, qos: [ { at: 1s } ] } ]\n", "prefetch");
}
