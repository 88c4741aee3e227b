//! Quorum queues (`x-queue-type: quorum`) as RabbitMQ 3.10.8 runs them on one node: what they
//! refuse, where a returned message goes, the delivery count and limit, length limits with
//! their publisher blocking, crashes. Each rule is the one observed on the real broker
//! (tests/conformance_diff/quorum*.yaml keep the recordings).

mod support;
use support::run;
use warren::record::{DiscardWhy, Record};
use warren::scenario::Scenario;

/// What loading a scenario RabbitMQ would refuse says (it must not load).
fn refusal(yaml: &str) -> String {
    match Scenario::from_str(yaml, "refused.yaml") {
        Ok(_) => panic!("accepted:\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_top_level_quorum_queue_must_be_durable_never_exclusive_or_auto_delete() {
    for (flags, prop) in [
        ("durable: false", "non-durable"),
        ("durable: true, exclusive: true", "exclusive-owner"),
        ("durable: true, auto_delete: true", "auto-delete"),
    ] {
        let yaml = format!("name: q\nqueues: [ {{ name: q, {flags}, arguments: {{ x-queue-type: quorum }} }} ]\n");
        let e = refusal(&yaml);
        assert!(e.contains(&format!("406 PRECONDITION_FAILED - invalid property '{prop}' for queue 'q' in vhost '/'")), "{e}");
    }
}

#[test]
fn each_queue_type_refuses_the_others_arguments() {
    let e = refusal("name: q\nqueues: [ { name: q, durable: true, arguments: { x-queue-type: quorum, x-max-priority: 3 } } ]\n");
    assert!(e.contains("invalid arg 'x-max-priority' for queue 'q' in vhost '/' of queue type rabbit_quorum_queue"), "{e}");
    let e = refusal("name: q\nqueues: [ { name: c, arguments: { x-delivery-limit: 3 } } ]\n");
    assert!(e.contains("of queue type rabbit_classic_queue"), "{e}");
    let e = refusal("name: q\nqueues: [ { name: s, durable: true, arguments: { x-queue-type: stream } } ]\n");
    assert!(e.contains("streams are not modelled"), "{e}");
}

#[test]
fn a_client_declaring_a_non_durable_quorum_queue_gets_406() {
    let r = run(r##"
name: declare
producers:
  - name: p
    declare: [ { queue: orders, arguments: { x-queue-type: quorum } } ]
    publish: [ { at: 10ms, key: orders, body: "x" } ]
"##);
    let texts: Vec<String> = r
        .records()
        .iter()
        .filter_map(|s| match s.rec {
            Record::ChannelError { code: 406, text, .. } => Some(r.session.world.names.get(text).to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, vec!["PRECONDITION_FAILED - invalid property 'non-durable' for queue 'orders' in vhost '/'"]);
}

/// Nack with requeue, no delivery limit: to the tail; a closed channel: to the head.
#[test]
fn without_a_delivery_limit_a_nacked_message_goes_to_the_tail_and_a_closed_channels_to_the_head() {
    let r = run(r##"
name: returns
queues: [ { name: q, durable: true, arguments: { x-queue-type: quorum } } ]
consumers:
  - name: c
    queue: q
    prefetch: 1
    work: 100ms
    rules: [ { body: "m1", times: 1, action: requeue } ]
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "m{n}", count: 3 } ]
"##);
    assert_eq!(r.received("c"), vec![("m1".into(), false), ("m2".into(), false), ("m3".into(), false), ("m1".into(), true)]);
    let r = run(r##"
name: close
queues: [ { name: q, durable: true, arguments: { x-queue-type: quorum } } ]
consumers:
  - { name: c, queue: q, prefetch: 2, ack: forget }
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "m{n}", count: 4 } ]
faults:
  - { at: 1s, crash: c }
"##);
    assert_eq!(r.queue("q").unwrap(), vec!["m1", "m2", "m3", "m4"]);
}

#[test]
fn with_a_delivery_limit_a_returned_message_comes_back_first_until_it_is_dead_lettered() {
    let r = run(r##"
name: limit
queues:
  - { name: q, durable: true, arguments: { x-queue-type: quorum, x-delivery-limit: 1, x-dead-letter-exchange: "", x-dead-letter-routing-key: dlq } }
  - { name: dlq }
consumers:
  - { name: c, queue: q, prefetch: 1, work: 100ms, ack: requeue }
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "m{n}", count: 2 } ]
"##);
    // Limit 1: two deliveries each (x-delivery-count absent, then 1), then dead-lettered.
    assert_eq!(r.received("c"), vec![("m1".into(), false), ("m1".into(), true), ("m2".into(), false), ("m2".into(), true)]);
    assert_eq!(r.queue("dlq").unwrap(), vec!["m1", "m2"]);
    assert!(r.has_line(&["dead-lettered #1 \"m1\"", "x-death reason delivery_limit"]));
    let counts: Vec<u16> = r
        .records()
        .iter()
        .filter_map(|s| match s.rec {
            Record::Delivered { delivery_count, .. } => Some(delivery_count),
            _ => None,
        })
        .collect();
    assert_eq!(counts, vec![u16::MAX, 1, u16::MAX, 1], "x-delivery-count only once it is above 0");
}

#[test]
fn without_a_dead_letter_exchange_a_message_over_the_limit_is_dropped() {
    let r = run(r##"
name: drop
queues: [ { name: q, durable: true, arguments: { x-queue-type: quorum, x-delivery-limit: 0 } } ]
consumers:
  - { name: c, queue: q, prefetch: 1, ack: requeue }
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "solo" } ]
"##);
    assert_eq!(r.bodies("c"), vec!["solo"]);
    assert_eq!(r.count(|x| matches!(x, Record::Discarded { why: DiscardWhy::DeliveryLimit, .. })), 1);
    assert!(r.queue("q").unwrap().is_empty());
}

#[test]
fn a_redelivery_carries_its_delivery_count() {
    let r = run(r##"
name: get
queues: [ { name: q, durable: true, arguments: { x-queue-type: quorum } } ]
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "g" } ]
consumers:
  - { name: poller, queue: q, start: 100ms, ack: requeue, work: 50ms, rules: [ { redelivered: true, action: ack } ] }
"##);
    assert!(r.has_line(&["delivered #1 \"g\" to poller", "redelivered", "x-delivery-count 1"]));
}

/// reject-publish: the message that goes over the limit is accepted; then the publisher is
/// refused until the queue is back at 80% of the limit (observed: max 5, m6 acked, m7 nacked).
#[test]
fn reject_publish_blocks_publishers_until_the_queue_is_back_at_80_percent() {
    let r = run(r##"
name: hysteresis
queues: [ { name: q, durable: true, arguments: { x-queue-type: quorum, x-max-length: 5, x-overflow: reject-publish } } ]
producers:
  - name: p
    confirms: true
    publish: [ { at: 0s, key: q, body: "m{n}", count: 8, every: 10ms } ]
expect:
  - { producer: p, nacked: ["m7", "m8"] }
  - { queue: q, messages: ["m1", "m2", "m3", "m4", "m5", "m6"] }
"##);
    assert_eq!(r.queue("q").unwrap().len(), 6);
    assert_eq!(r.count(|x| matches!(x, Record::Discarded { why: DiscardWhy::PublishersBlocked, .. })), 2);
}

#[test]
fn reject_publish_dlx_means_drop_head_on_a_quorum_queue() {
    let r = run(r##"
name: rpdlx
queues:
  - { name: q, durable: true, arguments: { x-queue-type: quorum, x-max-length: 2, x-overflow: reject-publish-dlx, x-dead-letter-exchange: "", x-dead-letter-routing-key: dlq } }
  - { name: dlq }
producers:
  - name: p
    confirms: true
    publish: [ { at: 0s, key: q, body: "m{n}", count: 3, every: 10ms } ]
"##);
    assert_eq!(r.queue("q").unwrap(), vec!["m2", "m3"]);
    assert_eq!(r.queue("dlq").unwrap(), vec!["m1"]);
}

/// A channel closing with two returned messages over a drop-head limit: RabbitMQ drops both
/// in one command and dead-letters the last one first (observed: m2, then m1).
#[test]
fn one_commands_dead_letters_go_last_one_first() {
    let r = run(r##"
name: order
queues:
  - { name: q, durable: true, arguments: { x-queue-type: quorum, x-max-length: 3, x-dead-letter-exchange: "", x-dead-letter-routing-key: dlq } }
  - { name: dlq }
consumers:
  - { name: c, queue: q, prefetch: 2, ack: forget }
producers:
  - name: p
    publish:
      - { at: 0s, key: q, body: "m{n}", count: 2 }
      - { at: 100ms, key: q, body: "n{n}", count: 3 }
faults:
  - { at: 500ms, crash: c }
"##);
    assert_eq!(r.queue("dlq").unwrap(), vec!["m2", "m1"]);
    assert_eq!(r.queue("q").unwrap(), vec!["n1", "n2", "n3"]);
}

#[test]
fn a_broker_crash_loses_nothing_and_redelivers_what_was_held_first() {
    let r = run(r##"
name: crash
queues: [ { name: q, durable: true, arguments: { x-queue-type: quorum } } ]
consumers:
  - { name: c, queue: q, prefetch: 2, ack: forget, reconnect: never }
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "t{n}", count: 3 } ]
faults:
  - { at: 500ms, crash: broker }
  - { at: 1s, restart: broker }
"##);
    // Observed on RabbitMQ 3.10.8 after kill -9: t1, t2 (held, x-delivery-count 1) before t3.
    assert_eq!(r.queue("q").unwrap(), vec!["t1", "t2", "t3"]);
    assert_eq!(r.count(|x| matches!(x, Record::Lost { .. })), 0);
}

#[test]
fn after_a_restart_what_was_held_past_the_delivery_limit_is_dead_lettered() {
    let r = run(include_str!("conformance_diff/quorum-restart-delivery-limit.yaml"));
    // m1 was held in q (limit 0): back with delivery count 1, past the limit. n1 was held in
    // q2 (limit 1): at the limit, it stays. Nothing is dead-lettered before the restart.
    let restart = r.records().iter().find(|s| matches!(s.rec, Record::BrokerUp { .. })).unwrap().t;
    let dead: Vec<_> = r.records().iter().filter(|s| matches!(s.rec, Record::DeadLettered { .. })).collect();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].t, restart);
    assert_eq!(r.queue("dlq").unwrap(), vec!["m1"]);
    assert_eq!(r.queue("q").unwrap(), vec!["m2"]);
    assert_eq!(r.queue("q2").unwrap(), vec!["n1", "n2"]);
}

#[test]
fn a_quorum_consumer_is_never_exclusive() {
    let r = run(r##"
name: excl
queues: [ { name: q, durable: true, arguments: { x-queue-type: quorum } } ]
consumers:
  - { name: a, queue: q, exclusive: true }
  - { name: b, queue: q, exclusive: true }
producers:
  - name: p
    publish: [ { at: 10ms, key: q, body: "m{n}", count: 2 } ]
"##);
    assert_eq!(r.bodies("a"), vec!["m1"]);
    assert_eq!(r.bodies("b"), vec!["m2"]);
    assert_eq!(r.count(|x| matches!(x, Record::ChannelError { .. })), 0);
}

#[test]
fn quorum_single_active_consumer_hands_over_in_subscription_order() {
    let r = run(r##"
name: sac
queues: [ { name: q, durable: true, arguments: { x-queue-type: quorum, x-single-active-consumer: true } } ]
consumers:
  - { name: first, queue: q, work: 50ms }
  - { name: low, queue: q, work: 50ms }
  - { name: high, queue: q, work: 50ms, priority: 10 }
producers:
  - name: p
    publish: [ { at: 10ms, key: q, body: "m{n}", count: 3, every: 200ms } ]
faults:
  - { at: 100ms, crash: first }
"##);
    assert_eq!(r.bodies("first"), vec!["m1"]);
    assert_eq!(r.bodies("low"), vec!["m2", "m3"], "3.10 quorum queues ignore consumer priorities for SAC");
    assert!(r.bodies("high").is_empty(), "the higher priority waits behind the earlier subscriber");
}

#[test]
fn basic_get_on_a_quorum_queue_with_single_active_consumer_is_refused_empty_or_not() {
    let r = run(r##"
name: get-sac
queues:
  - { name: qs, durable: true, arguments: { x-queue-type: quorum, x-single-active-consumer: true } }
  - { name: qe, durable: true, arguments: { x-queue-type: quorum, x-single-active-consumer: true } }
  - { name: cs, arguments: { x-single-active-consumer: true } }
consumers:
  - { name: full, queue: qs, start: 100ms, get: 100ms, cancel: 1s }
  - { name: empty, queue: qe, get: 100ms, cancel: 1s }
  - { name: classic, queue: cs, start: 100ms, get: 100ms, cancel: 1s }
producers:
  - name: p
    publish: [ { at: 10ms, key: qs, body: "q{n}", count: 2 }, { at: 10ms, key: cs, body: "c{n}", count: 2 } ]
"##);
    let errors: Vec<(u16, String)> = r
        .records()
        .iter()
        .filter_map(|s| match s.rec {
            Record::ChannelError { code, text, .. } => Some((code, r.session.world.names.get(text).to_string())),
            _ => None,
        })
        .collect();
    let text = |q: &str| {
        format!("RESOURCE_LOCKED - cannot obtain access to locked queue '{q}' in vhost '/'. basic.get operations are not supported by quorum queues with single active consumer")
    };
    assert_eq!(errors, vec![(405, text("qe")), (405, text("qs"))]);
    assert!(r.bodies("full").is_empty());
    assert_eq!(r.bodies("classic"), vec!["c1", "c2"], "a classic queue with single active consumer answers basic.get");
}

/// The broker closes a channel with an error (here the consumer timeout) while its quorum
/// consumers' client is busy: the consumers stay registered until `channel.close-ok`, so a
/// single active consumer keeps its place and the round-robin checks messages out to a
/// consumer with credit left, which its closed channel never sends. At close-ok the queues
/// take all of it back (recorded: tests/conformance_diff/quorum-closing.yaml).
#[test]
fn a_quorum_consumer_of_a_channel_closed_by_an_error_stays_until_close_ok() {
    let r = run(include_str!("conformance_diff/quorum-closing.yaml"));
    let held: Vec<String> = r
        .records()
        .iter()
        .filter_map(|s| match s.rec {
            Record::CheckedOut { msg, .. } => Some(r.body(msg)),
            _ => None,
        })
        .collect();
    assert_eq!(held, vec!["m1", "m3"], "checked out to slown after the error, while it still had credit");
    assert_eq!(r.bodies("slown"), vec!["n1"], "its closed channel sends nothing more");
    assert_eq!(
        r.received("backupn"),
        [("m2", false), ("m4", false), ("n1", true), ("m1", true), ("m3", true)].map(|(b, f)| (b.to_string(), f))
    );
    assert_eq!(
        r.received("backup"),
        [("s1", true), ("t1", false), ("t2", false)].map(|(b, f)| (b.to_string(), f)),
        "slow stays the active consumer till close-ok"
    );
    assert_eq!(
        r.received("backupc"),
        [("c1", true), ("d1", false), ("d2", false)].map(|(b, f)| (b.to_string(), f)),
        "a classic queue drops the consumer at the error: backupc takes over at once"
    );
    let lines = r.lines().join("\n");
    assert!(lines.contains("checked out #"), "{lines}");
    assert!(lines.contains("a quorum queue keeps its consumer until channel.close-ok"), "{lines}");
}
