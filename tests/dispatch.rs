//! Dispatch at the scenario level: consumer priorities, single active consumer, exclusive
//! consumers and queues, prefetch with several consumers.

mod support;
use support::run;

#[test]
fn a_higher_priority_consumer_gets_messages_while_it_can_take_them() {
    let r = run(r##"
name: priority
queues: [ { name: q } ]
consumers:
  - { name: low, queue: q, prefetch: 1, work: 100ms }
  - { name: high, queue: q, prefetch: 1, work: 100ms, priority: 10 }
producers:
  - name: p
    publish: [ { at: 10ms, key: q, body: "m{n}", count: 4 } ]
"##);
    // high takes m1; at its limit, low takes m2; then each ack lets high go first again.
    assert_eq!(r.bodies("high"), vec!["m1", "m3"]);
    assert_eq!(r.bodies("low"), vec!["m2", "m4"]);
    assert!(r.has_line(&["delivered #1 \"m1\" to high", "high has the highest priority (10)"]));
}

#[test]
fn single_active_consumer_hands_over_when_the_active_one_leaves() {
    let r = run(r##"
name: sac
queues: [ { name: q, arguments: { x-single-active-consumer: true } } ]
consumers:
  - { name: first, queue: q, work: 100ms }
  - { name: second, queue: q, work: 100ms }
producers:
  - name: p
    publish: [ { at: 10ms, key: q, body: "m{n}", count: 4, every: 200ms } ]
faults:
  - { at: 350ms, crash: first }
"##);
    assert_eq!(r.bodies("first"), vec!["m1", "m2"]);
    assert_eq!(r.bodies("second"), vec!["m3", "m4"]);
    assert!(r.has_line(&["first is the single active consumer"]));
}

#[test]
fn an_exclusive_consumer_refuses_company() {
    let r = run(r##"
name: exclusive-consumer
queues: [ { name: q } ]
consumers:
  - { name: owner, queue: q, exclusive: true, ack: auto }
  - { name: latecomer, queue: q, ack: auto, start: 10ms }
producers:
  - name: p
    publish: [ { at: 20ms, key: q, body: "m{n}", count: 2 } ]
"##);
    assert!(r.has_line(&["closed latecomer's channel: ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use"]));
    assert_eq!(r.bodies("owner"), vec!["m1", "m2"]);
}

#[test]
fn a_top_level_exclusive_queue_belongs_to_its_consumer_and_dies_with_it() {
    let r = run(r##"
name: exclusive-queue
queues: [ { name: mine, exclusive: true } ]
consumers:
  - { name: owner, queue: mine, ack: auto }
producers:
  - name: p
    publish:
      - { at: 10ms, key: mine, body: "kept" }
      - { at: 300ms, key: mine, body: "too late", mandatory: true }
faults:
  - { at: 200ms, crash: owner }
"##);
    assert_eq!(r.bodies("owner"), vec!["kept"]);
    assert!(r.has_line(&["deleted queue mine", "exclusive: the connection that declared it closed"]));
    assert!(r.has_line(&["#2 \"too late\" reached no queue", "returned"]));
}

#[test]
fn an_auto_delete_queue_goes_with_its_last_consumer() {
    let r = run(r##"
name: auto-delete
queues: [ { name: temp, auto_delete: true } ]
consumers:
  - { name: a, queue: temp, ack: auto }
  - { name: b, queue: temp, ack: auto }
faults:
  - { at: 100ms, crash: a }
  - { at: 200ms, crash: b }
"##);
    let deleted = r.records().iter().find(|s| matches!(s.rec, warren::record::Record::QueueDeleted { .. })).expect("deleted");
    assert_eq!(deleted.t.as_us(), 200_000, "deleted when the last consumer left, not the first");
    assert_eq!(r.queue("temp"), None);
}

#[test]
fn prefetch_limits_each_consumer_separately() {
    let r = run(r##"
name: prefetch
queues: [ { name: q } ]
consumers:
  - { name: two, queue: q, prefetch: 2, ack: forget }
  - { name: one, queue: q, prefetch: 1, ack: forget }
producers:
  - name: p
    publish: [ { at: 10ms, key: q, body: "m{n}", count: 6 } ]
"##);
    assert_eq!(r.bodies("two"), vec!["m1", "m3"]);
    assert_eq!(r.bodies("one"), vec!["m2"]);
    assert_eq!(r.queue("q"), Some(vec!["m4".into(), "m5".into(), "m6".into()]));
    assert!(r.has_line(&["#4 \"m4\" waits in q (ready)", "every consumer is at its prefetch limit"]));
}
