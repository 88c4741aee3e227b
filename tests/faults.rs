//! Faults: client crashes and restarts, partitions, link delays, and what each does to the
//! messages in flight.

mod support;
use support::run;
use warren::record::Record;

#[test]
fn a_partition_kills_the_connection_and_the_client_reconnects_after_it_heals() {
    let r = run(r#"
name: partition
queues: [ { name: q } ]
consumers:
  - { name: w1, queue: q, prefetch: 1, work: 1s, reconnect: 200ms }
  - { name: w2, queue: q, prefetch: 1, work: 1s }
producers:
  - name: p
    publish: [ { at: 100ms, key: q, body: "m{n}", count: 2 } ]
faults:
  - { at: 500ms, until: 800ms, partition: w1 }
"#);
    // w1 had m1 in hand when its link was cut: the broker saw the connection die and put m1
    // back at the head of q. w2 is busy (prefetch 1), so m1 waits.
    assert!(r.has_line(&["requeued #1 \"m1\" in q at the head", "w1's connection closed with it unacked"]));
    // w1 is a blocking client: it finishes m1 at 1.1s, fails to ack, and only then notices
    // the dead connection and reconnects — and gets m1 again. At-least-once: m1 is
    // processed twice.
    assert!(r.has_line(&["w1", "could not ack #1 \"m1\""]));
    let reconnect = r.records().iter().find(|s| matches!(s.rec, Record::Reconnecting { .. })).unwrap();
    assert_eq!(reconnect.t.as_us(), 1_100_000);
    assert_eq!(r.received("w1"), vec![("m1".into(), false), ("m1".into(), true)]);
    assert_eq!(r.bodies("w2"), vec!["m2"]);
    assert_eq!(r.count(|x| matches!(x, Record::Processed { .. })), 3);
    assert_eq!(r.queue("q"), Some(vec![]));
}

#[test]
fn a_delay_slows_a_link_without_reordering_it() {
    let r = run(r#"
name: delay
queues: [ { name: q } ]
consumers: [ { name: c, queue: q, ack: auto } ]
producers:
  - name: p
    publish: [ { at: 100ms, key: q, body: "m{n}", count: 6, every: 100ms } ]
faults:
  - { at: 250ms, until: 450ms, delay: p, by: 300ms }
"#);
    assert_eq!(r.bodies("c"), vec!["m1", "m2", "m3", "m4", "m5", "m6"]);
    let published: Vec<u64> =
        r.records().iter().filter(|s| matches!(s.rec, Record::Published { .. })).map(|s| s.t.as_us() / 1000).collect();
    // m3 (sent at 300ms) and m4 (400ms) take 300ms more; m5 (500ms), sent after the delay
    // ended, still arrives after m4.
    assert_eq!(published, vec![100, 200, 600, 700, 700, 700]);
}

#[test]
fn an_auto_ack_consumer_crash_loses_what_it_held() {
    let r = run(r#"
name: autoack
queues: [ { name: q } ]
consumers: [ { name: c, queue: q, ack: auto, work: 100ms } ]
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "m{n}", count: 5 } ]
faults:
  - { at: 150ms, crash: c }
  - { at: 1s, restart: c }
"#);
    assert_eq!(r.bodies("c"), vec!["m1", "m2", "m3", "m4", "m5"]);
    assert_eq!(r.count(|x| matches!(x, Record::Processed { .. })), 1);
    assert_eq!(r.count(|x| matches!(x, Record::ClientLost { .. })), 4, "m2 in hand and m3..m5 buffered are gone");
    assert_eq!(r.queue("q"), Some(vec![]));
}

#[test]
fn a_crashed_producer_does_not_publish_until_restarted() {
    let r = run(r#"
name: producer-crash
queues: [ { name: q } ]
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "m{n}", count: 5, every: 100ms } ]
faults:
  - { at: 150ms, crash: p }
  - { at: 350ms, restart: p }
"#);
    assert_eq!(r.queue("q"), Some(vec!["m1".into(), "m2".into(), "m5".into()]));
    assert!(r.has_line(&["p", "did not publish \"m3\"", "the producer is down"]));
}

#[test]
fn a_client_that_never_reconnects_stays_down() {
    let r = run(r#"
name: never
queues: [ { name: q, durable: true } ]
consumers: [ { name: c, queue: q, reconnect: never } ]
producers:
  - name: p
    start: 1.8s
    publish: [ { at: 2s, key: q, body: late, persistent: true } ]
faults:
  - { at: 1s, crash: broker }
  - { at: 1.5s, restart: broker }
"#);
    assert!(r.bodies("c").is_empty());
    assert_eq!(r.queue("q"), Some(vec!["late".into()]));
}

#[test]
fn the_broker_restart_reconnects_everyone_who_was_cut_off() {
    let r = run(r#"
name: reconnect
queues: [ { name: q, durable: true } ]
consumers: [ { name: c, queue: q, work: 10ms, reconnect: 100ms } ]
producers:
  - name: p
    reconnect: 100ms
    publish: [ { at: 0s, key: q, body: "m{n}", count: 10, every: 100ms, persistent: true } ]
faults:
  - { at: 250ms, crash: broker }
  - { at: 500ms, restart: broker }
"#);
    // m1..m3 were consumed; m4..m6 were due while nobody was connected; m7.. flow again
    // once p reconnected at 600ms.
    assert_eq!(r.bodies("c"), vec!["m1", "m2", "m3", "m7", "m8", "m9", "m10"]);
    assert_eq!(r.count(|x| matches!(x, Record::NotPublished { .. })), 3);
}

#[test]
fn a_broker_crash_accounts_for_what_a_deleted_queues_consumer_still_held() {
    // Found by the conservation property: the auto-delete queue goes when its consumer
    // cancels, the consumer still holds three of its messages, then the broker crashes.
    let r = run(r#"
name: cancelled-then-crashed
queues: [ { name: q0, auto_delete: true } ]
consumers:
  - { name: c0, queue: q0, ack: requeue, prefetch: 3, work: 200ms, start: 60ms, cancel: 1061ms }
producers:
  - name: p0
    publish: [ { at: 0ms, key: q0, body: "m{n}", count: 4 } ]
faults:
  - { at: 1062ms, crash: broker }
  - { at: 1072ms, restart: broker }
until: 2s
"#);
    let lost: Vec<String> = r
        .records()
        .iter()
        .filter_map(|s| match s.rec {
            Record::Lost { msg, why: warren::record::LostWhy::QueueDeleted, .. } => Some(r.body(msg)),
            _ => None,
        })
        .collect();
    assert_eq!(lost, vec!["m4", "m3", "m1", "m2"], "the ready one at the deletion, the held ones at the crash");
    let verdict = warren::guarantees::check(warren::guarantees::Guarantee::Conservation, &r.session.world, r.records());
    assert!(verdict.is_ok(), "{verdict:?}");
}

#[test]
fn a_busy_client_works_through_what_pika_already_read_before_it_notices_a_lost_connection() {
    // `auto` (auto-ack, no call to pika in its callback) is busy with m1 when m2..m4 arrive;
    // when m1's callback returns pika reads them all, then the link is cut during m2. pika
    // reads its socket again only once m3 and m4 are handed out too, so all four are
    // processed (`a-late`, published after the cut, never arrives). `manual` acks
    // each message: its first ack after the cut reads the socket and notices, so what it
    // had read is not processed (the broker requeues it).
    let r = run(r#"
name: read-after-loss
queues: [ { name: qa }, { name: qm } ]
consumers:
  - { name: auto, queue: qa, ack: auto, work: 100ms, reconnect: never }
  - { name: manual, queue: qm, prefetch: 10, work: 100ms, reconnect: never }
producers:
  - name: p
    publish:
      - { at: 0ms, key: qa, body: "a{n}", count: 4, every: 20ms }
      - { at: 0ms, key: qm, body: "m{n}", count: 4, every: 20ms }
      - { at: 150ms, key: qa, body: "a-late" }
faults:
  - { at: 120ms, until: 2s, partition: auto }
  - { at: 120ms, until: 2s, partition: manual }
"#);
    let worked = |name: &str| -> Vec<String> {
        let c = r.client(name);
        r.records()
            .iter()
            .filter_map(|s| match s.rec {
                Record::WorkStarted { client, msg, .. } if client == c => Some(r.body(msg)),
                _ => None,
            })
            .collect()
    };
    assert_eq!(r.bodies("auto"), vec!["a1", "a2", "a3", "a4"], "a-late never reached it: the link was cut");
    assert_eq!(worked("auto"), vec!["a1", "a2", "a3", "a4"]);
    assert_eq!(r.count(|x| matches!(x, Record::ClientLost { .. })), 0, "nothing it had read was lost");
    assert_eq!(worked("manual"), vec!["m1", "m2"]);
    let unread: Vec<u32> =
        r.records().iter().filter_map(|s| if let Record::UnreadLoss { pending, .. } = s.rec { Some(pending) } else { None }).collect();
    assert_eq!(unread, vec![2, 2], "each had two deliveries read and not yet handed out when its link was cut");
    assert!(r.has_line(&["auto", "will notice the lost connection only at its next read"]));
    assert!(r.has_line(&["manual", "could not ack #", "\"m2\""]));
}

#[test]
fn a_client_that_crashes_while_it_waits_to_reconnect_stays_down() {
    let r = run(include_str!("conformance_diff/crash-while-reconnecting.yaml"));
    let c = r.client("c");
    // c lost its connection once, to the broker's stop; its crash while it waited to
    // reconnect is the fault's own record, not a second lost connection.
    assert_eq!(r.count(|x| matches!(x, Record::Disconnected { client, .. } if *client == c)), 1);
    // Nothing restarts it, so the broker's restart does not bring it back: d takes all.
    assert_eq!(r.count(|x| matches!(x, Record::Reconnecting { client } if *client == c)), 0);
    assert_eq!(r.bodies("c"), vec!["m1"]);
    assert_eq!(r.received("d"), vec![("m1".into(), true), ("m2".into(), false), ("m3".into(), false)]);
    assert_eq!(r.queue("q"), Some(vec![]));
}
