//! The queues at the end of a run, read as a client reads them (`World::read_queues`, what
//! `warren diff` compares): a message whose TTL passed while it waited behind others is
//! dropped, and dead-lettered, when the reading brings it to the head; the run itself is left
//! as it was.

use std::sync::Arc;
use warren::scenario::Scenario;
use warren::session::Session;
use warren::world::report::QueueRead;

const YAML: &str = r#"
name: end-reading
seed: 1
exchanges:
  - { name: dlx, type: fanout }
queues:
  - { name: first_dead }
  - { name: work, arguments: { x-dead-letter-exchange: dlx } }
  - { name: plain }
  - { name: last_dead }
bindings:
  - { exchange: dlx, queue: first_dead }
  - { exchange: dlx, queue: last_dead }
producers:
  - name: p
    publish:
      - { at: 100ms, key: work, body: "a" }
      - { at: 150ms, key: work, body: "gone", expiration: 100ms }
      - { at: 200ms, key: work, body: "b" }
      - { at: 100ms, key: plain, body: "kept", expiration: 60s }
until: 1s
"#;

fn finished() -> Session {
    let scenario = Arc::new(Scenario::from_str(YAML, "end-reading.yaml").unwrap());
    let mut s = Session::new(scenario, false);
    s.run().unwrap();
    s
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn msgs(v: &[&str]) -> QueueRead {
    QueueRead::Messages(names(v))
}

#[test]
fn an_expired_message_behind_others_is_dropped_and_dead_lettered_when_read() {
    let s = finished();
    let read = s.world.read_queues(&names(&["first_dead", "work", "plain", "last_dead", "nope"]));
    assert_eq!(
        read,
        vec![msgs(&[]), msgs(&["a", "b"]), msgs(&["kept"]), msgs(&["gone"]), QueueRead::Missing],
        "the copy reaches the dead-letter queue read after `work`, not the one read before"
    );
}

#[test]
fn reading_leaves_the_run_untouched() {
    let s = finished();
    let order = names(&["work", "last_dead"]);
    let first = s.world.read_queues(&order);
    assert_eq!(s.world.read_queues(&order), first, "a second reading finds the same: the first changed nothing");
    let work = s.world.names.lookup("work").and_then(|q| s.world.broker.queue_by_name(q)).and_then(|id| s.world.broker.queue(id));
    assert_eq!(work.map(|q| q.ready_len()), Some(3), "the expired message still lies in the run's own queue");
}
