//! Routing at the scenario level: exchange-to-exchange bindings, alternate exchanges, one
//! copy per queue, unroutable messages.

mod support;
use support::run;
use warren::record::Record;

#[test]
fn exchange_to_exchange_bindings_route_in_one_pass_with_one_copy_per_queue() {
    let r = run(r##"
name: e2e
exchanges:
  - { name: all, type: topic }
  - { name: audit, type: fanout }
  - { name: loop, type: fanout }
queues: [ { name: orders }, { name: audit_log } ]
bindings:
  - { exchange: all, queue: orders, key: "order.*" }
  - { exchange: all, to_exchange: audit, key: "#" }
  - { exchange: audit, queue: audit_log }
  - { exchange: audit, queue: orders }
  - { exchange: audit, to_exchange: loop }
  - { exchange: loop, to_exchange: all }
producers:
  - name: p
    publish:
      - { exchange: all, key: order.created, body: "o1" }
      - { at: 1ms, exchange: all, key: user.signup, body: "u1" }
"##);
    // o1 reaches orders twice over (order.* and via audit) but is stored once; the cycle
    // all → audit → loop → all ends.
    assert_eq!(r.queue("orders"), Some(vec!["o1".into(), "u1".into()]));
    assert_eq!(r.queue("audit_log"), Some(vec!["o1".into(), "u1".into()]));
    assert!(r.has_line(&["routed #1 \"o1\" to orders", "binding `order.*` matches `order.created`"]));
}

#[test]
fn alternate_exchanges_take_what_their_exchange_cannot_route() {
    let r = run(r##"
name: ae
exchanges:
  - { name: main, type: direct, alternate_exchange: unrouted }
  - { name: unrouted, type: fanout, alternate_exchange: main }
  - { name: lonely, type: direct, alternate_exchange: nowhere_bound }
  - { name: nowhere_bound, type: fanout }
queues: [ { name: known }, { name: leftovers } ]
bindings:
  - { exchange: main, queue: known, key: k }
  - { exchange: unrouted, queue: leftovers }
producers:
  - name: p
    publish:
      - { exchange: main, key: k, body: "routed" }
      - { at: 1ms, exchange: main, key: other, body: "alternate", mandatory: true }
      - { at: 2ms, exchange: lonely, key: x, body: "dead end", mandatory: true }
"##);
    assert_eq!(r.queue("known"), Some(vec!["routed".into()]));
    assert_eq!(r.queue("leftovers"), Some(vec!["alternate".into()]));
    // Routed through an alternate exchange counts as routed: no return.
    assert_eq!(r.count(|x| matches!(x, Record::Alternate { .. })), 2);
    assert!(r.has_line(&["handed #2 \"alternate\" to alternate exchange unrouted", "no binding of main matched it"]));
    // The alternate exchange has nowhere to send it either: returned (mandatory).
    assert!(r.has_line(&["#3 \"dead end\" reached no queue", "returned to p (312 NO_ROUTE)"]));
}

#[test]
fn publishing_to_an_exchange_that_is_gone_is_a_404_channel_error() {
    let r = run(r##"
name: gone
queues: [ { name: q } ]
consumers:
  - { name: c, queue: q, ack: auto, start: 1s, declare: [ { exchange: logs, type: fanout } ] }
producers:
  - name: p
    publish:
      - { at: 500ms, exchange: logs, body: "too early" }
      - { at: 2s, exchange: logs, body: "channel closed" }
"##);
    assert!(r.has_line(&["closed p's channel: NOT_FOUND - no exchange 'logs' in vhost '/'"]));
    assert!(r.has_line(&["p", "did not publish \"channel closed\"", "its channel was closed by an error"]));
}

#[test]
fn the_default_exchange_cannot_be_reached_by_an_unknown_key() {
    let r = run(r##"
name: default
queues: [ { name: q } ]
producers:
  - name: p
    publish:
      - { key: Q, body: "wrong case", mandatory: true }
      - { key: "", body: "empty key" }
      - { key: q, body: "right" }
"##);
    assert_eq!(r.queue("q"), Some(vec!["right".into()]));
    assert!(r.has_line(&["#1 \"wrong case\" reached no queue", "no queue is called `Q`", "returned to p"]));
    assert!(r.has_line(&["#2 \"empty key\" reached no queue", "dropped silently"]));
}
