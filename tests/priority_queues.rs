//! Classic priority queues (`x-max-priority`) and the message `priority` property, as observed
//! on RabbitMQ 3.10.8 (`rabbit_priority_queue.erl`).

mod support;
use support::run;
use warren::record::Record;
use warren::scenario::Scenario;

/// What loading a scenario RabbitMQ would refuse says (it must not load).
fn refusal(yaml: &str) -> String {
    match Scenario::from_str(yaml, "refused.yaml") {
        Ok(_) => panic!("accepted:\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn higher_priority_first_equal_priorities_in_order_above_the_maximum_counts_as_the_maximum() {
    let r = run(r##"
name: order
queues: [ { name: q, arguments: { x-max-priority: 5 } } ]
consumers:
  - { name: c, queue: q, start: 1s, prefetch: 1 }
producers:
  - name: p
    publish:
      - { at: 0s, key: q, body: "a-none" }
      - { at: 1ms, key: q, body: "b-p1", priority: 1 }
      - { at: 2ms, key: q, body: "c-p5", priority: 5 }
      - { at: 3ms, key: q, body: "d-p3", priority: 3 }
      - { at: 4ms, key: q, body: "e-p9", priority: 9 }
      - { at: 5ms, key: q, body: "f-p0", priority: 0 }
      - { at: 6ms, key: q, body: "g-p5", priority: 5 }
      - { at: 7ms, key: q, body: "h-none" }
      - { at: 8ms, key: q, body: "i-p255", priority: 255 }
"##);
    assert_eq!(r.bodies("c"), vec!["c-p5", "e-p9", "g-p5", "i-p255", "d-p3", "b-p1", "a-none", "f-p0", "h-none"]);
}

#[test]
fn a_requeued_message_goes_back_within_its_priority_level() {
    let r = run(r##"
name: requeue
queues: [ { name: q, arguments: { x-max-priority: 5 } } ]
consumers:
  - name: c
    queue: q
    start: 1s
    prefetch: 1
    work: 10ms
    rules: [ { body: "lo1", times: 1, action: requeue } ]
producers:
  - name: p
    publish:
      - { at: 0s, key: q, body: "lo{n}", count: 2, priority: 1 }
      - { at: 1ms, key: q, body: "hi", priority: 4 }
"##);
    // hi first; lo1 comes back ahead of lo2 (its original place in level 1).
    assert_eq!(r.received("c"), vec![("hi".into(), false), ("lo1".into(), false), ("lo1".into(), true), ("lo2".into(), false)]);
}

#[test]
fn drop_head_drops_the_highest_priority_message() {
    let r = run(r##"
name: maxlen
queues:
  - { name: q, arguments: { x-max-priority: 9, x-max-length: 3, x-dead-letter-exchange: "", x-dead-letter-routing-key: dlq } }
  - { name: dlq }
producers:
  - name: p
    publish:
      - { at: 0s, key: q, body: "a-p1", priority: 1 }
      - { at: 1ms, key: q, body: "b-p5", priority: 5 }
      - { at: 2ms, key: q, body: "c-p3", priority: 3 }
      - { at: 3ms, key: q, body: "d-p0", priority: 0 }
      - { at: 4ms, key: q, body: "e-p9", priority: 9 }
      - { at: 5ms, key: q, body: "f-p2", priority: 2 }
"##);
    assert_eq!(r.queue("dlq").unwrap(), vec!["b-p5", "e-p9", "c-p3"]);
    assert_eq!(r.queue("q").unwrap(), vec!["f-p2", "a-p1", "d-p0"]);
}

#[test]
fn x_max_priority_is_0_to_255_and_priority_an_octet() {
    let e = refusal("name: p\nqueues: [ { name: q, arguments: { x-max-priority: 256 } } ]\n");
    assert!(e.contains("{max_value_exceeded,256}"), "{e}");
    let e = refusal("name: p\nqueues: [ { name: q, arguments: { x-max-priority: -1 } } ]\n");
    assert!(e.contains("{value_negative,-1}"), "{e}");
    let e = refusal("name: p\nqueues: [ { name: q } ]\nproducers: [ { name: p, publish: [ { at: 0s, key: q, priority: 300 } ] } ]\n");
    assert!(e.contains("`priority` is 300"), "{e}");
}

#[test]
fn a_queue_without_x_max_priority_ignores_the_property() {
    let r = run(r##"
name: plain
queues: [ { name: q } ]
consumers:
  - { name: c, queue: q, start: 1s, prefetch: 1 }
producers:
  - name: p
    publish:
      - { at: 0s, key: q, body: "low", priority: 1 }
      - { at: 1ms, key: q, body: "high", priority: 9 }
"##);
    assert_eq!(r.bodies("c"), vec!["low", "high"]);
}

#[test]
fn an_expired_message_that_went_ahead_is_delivered_and_the_trace_says_why() {
    // `hi` goes ahead of `lo` in the priority queue: no TTL timer is set for it, so when the
    // consumer comes after its TTL ran out it receives it (as RabbitMQ 3.10.8 does, probe
    // ttl-priority-head), and the trace says so right before the delivery.
    let r = run(r##"
name: expired-ahead
queues: [ { name: q, arguments: { x-max-priority: 5 } } ]
consumers:
  - { name: c, queue: q, start: 1s, prefetch: 1 }
producers:
  - name: p
    publish:
      - { at: 0s, key: q, body: "lo", priority: 1 }
      - { at: 1ms, key: q, body: "hi", priority: 4, expiration: 100ms }
"##);
    assert_eq!(r.bodies("c"), vec!["hi", "lo"]);
    let recs = r.records();
    let at = recs.iter().position(|s| matches!(s.rec, Record::ExpiredAtHead { .. })).expect("an expired_at_head record");
    match (recs[at].rec, recs[at + 1].rec) {
        (Record::ExpiredAtHead { msg, expired_us, .. }, Record::Delivered { msg: delivered, .. }) => {
            assert_eq!((r.body(msg), delivered, expired_us), ("hi".to_string(), msg, 101_000));
        }
        other => panic!("expected the note and then the delivery, got {other:?}"),
    }
    assert_eq!(r.count(|x| matches!(x, Record::ExpiredAtHead { .. })), 1, "only the one delivered expired");
    assert!(r.has_line(&["is handed out although its TTL ran out at 0.101s"]), "{:#?}", r.lines());
}
