//! The consumer timeout (`broker.consumer_timeout`, RabbitMQ 3.8.15+; 30 minutes in 3.10): a
//! channel whose oldest unacknowledged delivery is older than the timeout at one of its
//! periodic checks (`broker.channel_tick_interval`) is closed with 406, and what it held is
//! requeued — as observed on RabbitMQ 3.10.8.

mod support;
use support::run;
use warren::record::Record;
use warren::sim::Time;

fn closes(r: &support::Run) -> Vec<(Time, String)> {
    r.records()
        .iter()
        .filter_map(|s| match s.rec {
            Record::ChannelError { code: 406, text, .. } => Some((s.t, r.session.world.names.get(text).to_string())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_slow_consumer_is_closed_at_the_first_check_past_the_deadline_and_its_message_requeued() {
    let r = run(r##"
name: slow
broker: { consumer_timeout: 3s, channel_tick_interval: 1s }
queues: [ { name: q, durable: true } ]
consumers:
  - { name: slow, queue: q, prefetch: 1, work: 10s }
  - { name: backup, queue: q, start: 2s, prefetch: 1, work: 100ms }
producers:
  - name: p
    publish: [ { at: 100ms, key: q, body: "r" } ]
"##);
    let c = closes(&r);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].0, Time::secs(4), "ticks at 1, 2, 3, 4 s: at 4s the delivery is 3.9s old");
    assert_eq!(
        c[0].1,
        "PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: 3000 ms. This timeout value can be configured, see consumers doc guide to learn more"
    );
    assert_eq!(r.received("backup"), vec![("r".into(), true)]);
    assert!(r.has_line(&["slow has held #1 \"r\" unacknowledged since 0.1s, longer than consumer_timeout 3s"]));
}

#[test]
fn the_default_is_30_minutes_checked_every_minute() {
    let r = run(r##"
name: default
queues: [ { name: q, durable: true } ]
consumers:
  - { name: slow, queue: q, prefetch: 1, work: 45m }
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "r" } ]
"##);
    let c = closes(&r);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].0, Time::secs(31 * 60), "first tick after 30 minutes");
    assert!(c[0].1.contains("Timeout value used: 1800000 ms"));
}

#[test]
fn acking_in_time_and_auto_ack_never_time_out() {
    let r = run(r##"
name: fine
broker: { consumer_timeout: 2s, channel_tick_interval: 500ms }
queues: [ { name: q } ]
consumers:
  - { name: quick, queue: q, prefetch: 1, work: 1s }
  - { name: auto, queue: q, ack: auto, work: 5s }
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "m{n}", count: 6 } ]
"##);
    assert!(closes(&r).is_empty());
}

#[test]
fn a_consumer_that_never_acks_does_not_keep_the_run_going_to_its_timeout() {
    let r = run(r##"
name: forget
queues: [ { name: q } ]
consumers:
  - { name: c, queue: q, ack: forget }
producers:
  - name: p
    publish: [ { at: 0s, key: q, body: "m" } ]
"##);
    assert!(closes(&r).is_empty());
    assert!(r.session.world.now() < Time::secs(1));
}

#[test]
fn a_quorum_queue_gets_back_what_a_timed_out_channel_held_only_at_close_ok() {
    // The broker closes both channels at 3s; the classic queue takes c1 back at once, the
    // quorum queue q1 only when `slow` answers channel.close-ok, after its 4s of work.
    let r = run(r##"
name: qq-timeout
broker: { consumer_timeout: 2s, channel_tick_interval: 1s }
queues:
  - { name: qa, durable: true, arguments: { x-queue-type: quorum } }
  - { name: cq }
consumers:
  - { name: slow, queue: qa, prefetch: 1, work: 4s }
  - { name: slowc, queue: cq, prefetch: 1, work: 4s }
  - { name: backup, queue: qa, start: 1s, prefetch: 1, work: 10ms }
  - { name: backupc, queue: cq, start: 1s, prefetch: 1, work: 10ms }
producers:
  - name: p
    publish: [ { at: 100ms, key: qa, body: "q1" }, { at: 100ms, key: cq, body: "c1" } ]
"##);
    assert_eq!(closes(&r).iter().map(|c| c.0).collect::<Vec<_>>(), vec![Time::secs(3), Time::secs(3)]);
    let requeued_at =
        |body: &str| r.records().iter().find(|s| matches!(s.rec, Record::Requeued { msg, .. } if r.body(msg) == body)).map(|s| s.t);
    assert_eq!(requeued_at("c1"), Some(Time::secs(3)), "a classic queue is told at the error");
    assert_eq!(requeued_at("q1"), Some(Time::ms(4100)), "a quorum queue sees the channel stop after close-ok");
    assert_eq!(r.bodies("backup"), vec!["q1"]);
    assert_eq!(r.bodies("backupc"), vec!["c1"]);
}

#[test]
fn an_idle_consumer_answers_close_ok_at_once_so_a_quorum_queue_takes_back_at_the_timeout() {
    // `idle` never acks (ack: forget) and is not working when the broker closes its channel:
    // it answers channel.close-ok at once, and q1 comes back at the timeout itself.
    let r = run(r##"
name: qq-timeout-idle
until: 4s
broker: { consumer_timeout: 2s, channel_tick_interval: 1s }
queues: [ { name: qa, durable: true, arguments: { x-queue-type: quorum } } ]
consumers:
  - { name: idle, queue: qa, prefetch: 1, work: 10ms, ack: forget }
  - { name: backup, queue: qa, start: 1s, prefetch: 1, work: 10ms }
producers:
  - name: p
    publish: [ { at: 100ms, key: qa, body: "q1" } ]
"##);
    assert_eq!(closes(&r).iter().map(|c| c.0).collect::<Vec<_>>(), vec![Time::secs(3)]);
    let requeued: Vec<Time> = r.records().iter().filter(|s| matches!(s.rec, Record::Requeued { .. })).map(|s| s.t).collect();
    assert_eq!(requeued, vec![Time::secs(3)]);
    assert_eq!(r.bodies("backup"), vec!["q1"]);
}
