//! Conformance: every stable case observed on a real RabbitMQ 3.10.8 (driven by pika 1.4.4),
//! rebuilt against warren's broker model, which must show the same outcome.
//!
//! The observations live in `tests/conformance/*.json` (copied verbatim; see the README
//! there). Each test is named after the case it rebuilds — `queue_properties::x_expires_…`
//! checks the case `x_expires_…` of `queue_properties.json` — and compares what the model did
//! with the case's `observed` value, read from the file, in the file's own shape. Broker
//! names are the files' neutral ones (`Q`, `DLX`, ...) unless a case quotes a real name.
//!
//! Most cases drive [`warren::broker::Broker`] directly (see `tests/common`): methods on
//! connections and channels, a clock, and the broker's timers fed back in time order. The
//! work-time cases of `round_robin_and_prefetch.json` run as scenarios, with warren's own
//! consumers doing the work.

mod common;

use common::{case, hvalue, queue_args, stable_cases, Closed, Got, Harness, Pub, QOpts};
use serde_json::{json, Map, Value};
use warren::broker::message::DeadLetterReason;
use warren::broker::message::{HValue, Props};
use warren::broker::ops::{Frame, Op};
use warren::ids::{ConnId, MsgId};
use warren::record::{DiscardWhy, LostWhy, QueueGone, Record, RequeueWhy};

/// Every stable case of every file is rebuilt by some test here.
#[test]
fn every_stable_case_is_covered() {
    let covered: &[(&str, &[&str])] = &[
        ("direct_fanout_headers.json", direct_fanout_headers::CASES),
        ("queue_properties.json", queue_properties::CASES),
        ("requeue_and_redelivery.json", requeue_and_redelivery::CASES),
        ("round_robin_and_prefetch.json", round_robin_and_prefetch::CASES),
        ("durability_restart.json", durability_restart::CASES),
        ("rpc.json", rpc::CASES),
        ("publisher_confirms.json", publisher_confirms::CASES),
    ];
    for (file, cases) in covered {
        let mut want = stable_cases(file);
        want.sort();
        let mut have: Vec<String> = cases.iter().map(|s| s.to_string()).collect();
        have.sort();
        assert_eq!(have, want, "{file}: the tests and the file's stable cases differ");
    }
    // topic_routing.json: the pairs are checked all together; the two named cases by name.
    let doc = common::load("topic_routing.json");
    let named: Vec<&str> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("kind").is_none() && c["stable"] == true)
        .map(|c| c["case"].as_str().unwrap())
        .collect();
    assert_eq!(named, vec!["topic_overlapping_bindings_one_copy", "routing_key_256_bytes_client_side"]);
}

/// Whether a connection is still open: a new channel on it opens.
fn conn_open(h: &mut Harness, conn: ConnId, ch: u16) -> bool {
    let frames = h.send(conn, ch, Op::OpenChannel);
    let open = frames.iter().any(|(c, f)| *c == conn && *f == Frame::ChannelOpenOk { ch });
    if open {
        h.close_channel(conn, ch);
    }
    open
}

fn err_json(r: Result<impl Sized, Closed>) -> Value {
    match r {
        Ok(_) => Value::Null,
        Err(e) => e.to_json(),
    }
}

/// An error as the queue existence checks write it: `{"exists": false, <error>}`.
fn exists_err(r: Result<(u32, u32), Closed>) -> Value {
    match r {
        Ok(_) => json!({"exists": true}),
        Err(e) => {
            let mut m = e.to_json();
            m.as_object_mut().unwrap().insert("exists".into(), json!(false));
            m
        }
    }
}

/// Deliveries as `[{"body", "redelivered"}]`.
fn shorts(v: &[Got]) -> Value {
    Value::Array(v.iter().map(Harness::short).collect())
}

/// A header value as pika shows it.
fn hjson(v: &HValue) -> Value {
    match v {
        HValue::Int(i) => json!(i),
        HValue::Float(f) => json!(f),
        HValue::Str(s) => json!(&**s),
        HValue::Bool(b) => json!(b),
        HValue::Void => Value::Null,
        HValue::Decimal(scale, v) => json!(format!("decimal({v}e-{scale})")),
        HValue::List(items) => Value::Array(items.iter().map(hjson).collect()),
        HValue::Table(fields) => Value::Array(fields.iter().map(|(_, x)| hjson(x)).collect()),
    }
}

/// A message's headers as pika shows them: the publisher's, then `x-death` and the
/// `x-first-death-*` headers dead-lettering added. Times are written `"<timestamp>"`.
fn headers_json(h: &Harness, p: &Props) -> Value {
    let mut m = Map::new();
    for (k, v) in p.headers.as_deref().unwrap_or(&[]) {
        m.insert(h.text(*k), hjson(v));
    }
    if let Some(d) = &p.death {
        let entries: Vec<Value> = d
            .entries
            .iter()
            .map(|e| {
                let mut x = json!({
                    "count": e.count,
                    "reason": e.reason.as_str(),
                    "queue": h.text(e.queue),
                    "time": "<timestamp>",
                    "exchange": h.text(e.exchange),
                    "routing-keys": e.routing_keys.iter().map(|k| h.text(*k)).collect::<Vec<_>>(),
                });
                if let Some(exp) = e.original_expiration {
                    x["original-expiration"] = json!((exp.as_us() / 1000).to_string());
                }
                x
            })
            .collect();
        m.insert("x-death".into(), Value::Array(entries));
        m.insert("x-first-death-exchange".into(), json!(h.text(d.first_exchange)));
        m.insert("x-first-death-queue".into(), json!(h.text(d.first_queue)));
        m.insert("x-first-death-reason".into(), json!(d.first_reason.as_str()));
    }
    Value::Object(m)
}

// =====================================================================================
mod topic_routing {
    use super::*;

    /// Every (binding key, routing key) pair of the file, through one topic exchange: one
    /// queue per distinct binding key, each distinct routing key published once, every
    /// queue drained with `basic.get`.
    #[test]
    fn all_hand_picked_and_random_pairs() {
        let doc = common::load("topic_routing.json");
        let pairs: Vec<(String, String, String, String, bool)> = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c.get("kind").is_some())
            .map(|c| {
                assert_eq!(c["stable"], true);
                assert_eq!(c["setup"]["exchange_type"], "topic");
                (
                    c["case"].as_str().unwrap().to_string(),
                    c["kind"].as_str().unwrap().to_string(),
                    c["setup"]["binding_key"].as_str().unwrap().to_string(),
                    c["steps"][0]["routing_key"].as_str().unwrap().to_string(),
                    c["observed"]["match"].as_bool().unwrap(),
                )
            })
            .collect();
        let mut patterns: Vec<&str> = Vec::new();
        let mut keys: Vec<&str> = Vec::new();
        for (_, _, p, k, _) in &pairs {
            if !patterns.contains(&p.as_str()) {
                patterns.push(p);
            }
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
        let mut h = Harness::new();
        let c = h.connect();
        h.declare_exchange(c, 1, "T", "topic", false).unwrap();
        for (i, p) in patterns.iter().enumerate() {
            let q = format!("TQ{i}");
            h.queue(c, 1, &q);
            h.bind(c, 1, &q, "T", p).unwrap();
        }
        for (i, k) in keys.iter().enumerate() {
            h.publish(c, 1, Pub::to("T", k, &format!("k{i}"))).unwrap();
        }
        // got[pattern index] = the routing-key indices that reached its queue
        let mut got: Vec<Vec<usize>> = Vec::new();
        for i in 0..patterns.len() {
            let bodies = h.drain(c, 1, &format!("TQ{i}"));
            got.push(bodies.iter().map(|b| b[1..].parse().unwrap()).collect());
        }
        // The trace agrees: one Routed record per copy; an Unroutable one per key nothing matched.
        let routed = h.records.iter().filter(|r| matches!(r, Record::Routed { .. })).count();
        assert_eq!(routed, got.iter().map(|g| g.len()).sum::<usize>());
        let unroutable = h.records.iter().filter(|r| matches!(r, Record::Unroutable { returned: false, .. })).count();
        assert_eq!(unroutable, (0..keys.len()).filter(|k| got.iter().all(|g| !g.contains(k))).count());
        let mut wrong = Vec::new();
        let (mut hand, mut random) = (0, 0);
        for (name, kind, p, k, observed) in &pairs {
            let pi = patterns.iter().position(|x| x == p).unwrap();
            let ki = keys.iter().position(|x| x == k).unwrap();
            let copies = got[pi].iter().filter(|x| **x == ki).count();
            assert!(copies <= 1, "{name}: {copies} copies");
            if (copies == 1) != *observed {
                wrong.push(format!("{name}: binding {p:?} routing key {k:?}: RabbitMQ match={observed}"));
            }
            match kind.as_str() {
                "hand_picked" => hand += 1,
                "random" => random += 1,
                other => panic!("kind {other}"),
            }
        }
        assert!(wrong.is_empty(), "{} of {} pairs disagree:\n{}", wrong.len(), pairs.len(), wrong.join("\n"));
        assert_eq!(hand + random, pairs.len());
        assert!(hand >= 1500 && random >= 100, "expected ~1,600 pairs, found {hand} hand-picked and {random} random");
        println!("topic_routing.json: {} pairs checked ({hand} hand-picked, {random} random), all agree", pairs.len());
    }

    #[test]
    fn topic_overlapping_bindings_one_copy() {
        let c = case("topic_routing.json", "topic_overlapping_bindings_one_copy");
        let mut h = Harness::new();
        let conn = h.connect();
        h.declare_exchange(conn, 1, "T", "topic", false).unwrap();
        h.queue(conn, 1, "Q");
        for b in c["setup"]["bindings"].as_array().unwrap() {
            h.bind(conn, 1, b["queue"].as_str().unwrap(), "T", b["binding_key"].as_str().unwrap()).unwrap();
        }
        let step = &c["steps"][0];
        h.publish(conn, 1, Pub::to("T", step["routing_key"].as_str().unwrap(), step["body"].as_str().unwrap())).unwrap();
        let got = h.drain(conn, 1, "Q");
        assert_eq!(json!(got), c["observed"]["messages_in_Q"]);
    }

    /// pika refuses a 256-byte routing key before sending (AMQP short strings are at most 255
    /// bytes). warren's equivalent is the scenario loader: it rejects the key, with its place.
    #[test]
    fn routing_key_256_bytes_client_side() {
        let c = case("topic_routing.json", "routing_key_256_bytes_client_side");
        assert_eq!(c["observed"]["raised"], "ShortStringTooLong");
        assert_eq!(c["setup"]["routing_key_bytes"], 256);
        let yaml = |key: &str| {
            format!("name: long-key\nqueues:\n  - name: q\nproducers:\n  - name: p\n    publish:\n      - {{ at: 0s, key: \"{key}\", body: x }}\n")
        };
        let long = "a".repeat(256);
        let errs = warren::scenario::Scenario::from_str(&yaml(&long), "long-key.yaml").expect_err("a 256-byte key must be refused");
        let e = errs.0.iter().find(|e| e.message.contains("256 bytes")).unwrap_or_else(|| panic!("no key-length error in {errs}"));
        assert_eq!(e.file, "long-key.yaml");
        assert_eq!(e.pos.line, 7, "the error points at the publish entry's key: {e}");
        assert!(e.pos.col > 1, "{e}");
        // 255 bytes is the limit, and fine.
        warren::scenario::Scenario::from_str(&yaml(&"a".repeat(255)), "ok.yaml").expect("a 255-byte key is accepted");
    }
}

// =====================================================================================
mod direct_fanout_headers {
    use super::*;

    const FILE: &str = "direct_fanout_headers.json";
    pub const CASES: &[&str] = &[
        "direct_exchange_bindings",
        "fanout_ignores_routing_key",
        "headers_exchange_matrix",
        "default_exchange_routing_and_no_route",
        "mandatory_on_direct_and_empty_fanout",
        "bind_queue_to_default_exchange",
        "publish_to_missing_exchange",
        "redeclare_exchange_different_type",
        "declare_exchange_with_amq_prefix",
        "passive_declare_missing_exchange",
        "bind_missing_queue",
        "delete_builtin_exchange",
        "declare_exchange_unknown_type",
    ];

    /// Declares the setup's exchange, queues and bindings, publishes the steps, and drains
    /// every queue with `basic.get`.
    fn routing_case(name: &str) {
        let c = case(FILE, name);
        let s = &c["setup"];
        let mut h = Harness::new();
        let conn = h.connect();
        let ex = s["exchange"]["name"].as_str().unwrap();
        h.declare_exchange(conn, 1, ex, s["exchange"]["type"].as_str().unwrap(), false).unwrap();
        let queues: Vec<&str> = s["queues"].as_array().unwrap().iter().map(|q| q.as_str().unwrap()).collect();
        for q in &queues {
            h.queue(conn, 1, q);
        }
        for b in s["bindings"].as_array().unwrap() {
            h.bind(conn, 1, b["queue"].as_str().unwrap(), b["exchange"].as_str().unwrap(), b["binding_key"].as_str().unwrap()).unwrap();
        }
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "publish" => {
                    let p = Pub::to(st["exchange"].as_str().unwrap(), st["routing_key"].as_str().unwrap(), st["body"].as_str().unwrap());
                    h.publish(conn, 1, p).unwrap();
                }
                "drain_all_queues_with_basic_get" => {}
                other => panic!("{other}"),
            }
        }
        let mut contents = Map::new();
        for q in &queues {
            contents.insert(q.to_string(), json!(h.drain(conn, 1, q)));
        }
        assert_eq!(Value::Object(contents), c["observed"]["queue_contents"]);
    }

    #[test]
    fn direct_exchange_bindings() {
        routing_case("direct_exchange_bindings");
    }

    #[test]
    fn fanout_ignores_routing_key() {
        routing_case("fanout_ignores_routing_key");
    }

    /// Nineteen headers bindings × eighteen messages: the bind results (two invalid
    /// `x-match` values), what each queue got, and the whole binding × message matrix.
    #[test]
    fn headers_exchange_matrix() {
        let c = case(FILE, "headers_exchange_matrix");
        let s = &c["setup"];
        let mut h = Harness::new();
        let conn = h.connect();
        let ex = s["exchange"]["name"].as_str().unwrap();
        h.declare_exchange(conn, 1, ex, "headers", false).unwrap();
        let mut ch = 1;
        let mut bind_result = Map::new();
        let mut queues = Vec::new();
        for b in s["bindings"].as_array().unwrap() {
            let q = b["queue"].as_str().unwrap();
            queues.push(q);
            h.queue(conn, ch, q);
            let args: Vec<(warren::ids::Sym, HValue)> =
                b["arguments"].as_object().unwrap().iter().map(|(k, v)| (h.sym(k), hvalue(v))).collect();
            let r = h.bind_args(conn, ch, q, ex, b["binding_key"].as_str().unwrap(), Some(args.into()));
            let v = match r {
                Ok(()) => json!({"ok": true}),
                Err(e) => {
                    // The channel is closed: carry on on a new one, as the experiment did.
                    ch += 1;
                    h.open_channel(conn, ch);
                    let mut v = e.to_json();
                    v["ok"] = json!(false);
                    v
                }
            };
            bind_result.insert(q.to_string(), v);
        }
        let mut bodies = Vec::new();
        for st in c["steps"].as_array().unwrap() {
            if st["op"] == "drain_all_queues_with_basic_get" {
                continue;
            }
            assert_eq!(st["op"], "publish");
            let mut p = Pub::to(ex, st["routing_key"].as_str().unwrap(), st["body"].as_str().unwrap());
            p.headers = common::headers(&st["headers"]);
            bodies.push(p.body.clone());
            h.publish(conn, ch, p).unwrap();
        }
        let mut contents = Map::new();
        let mut matrix = Vec::new();
        for q in &queues {
            let got = h.drain(conn, ch, q);
            for b in &bodies {
                matrix.push(json!({"binding": q, "message": b, "match": got.contains(b)}));
            }
            contents.insert(q.to_string(), json!(got));
        }
        let o = &c["observed"];
        let failed = o["bind_result"].as_object().unwrap().values().filter(|v| v["ok"] == false).count();
        let recorded = h.records.iter().filter(|r| matches!(r, Record::ChannelError { code: 406, connection: false, .. })).count();
        assert_eq!(recorded, failed, "one channel-error record per refused binding");
        assert_eq!(Value::Object(bind_result), o["bind_result"]);
        assert_eq!(Value::Object(contents), o["queue_contents"]);
        let want = o["match_matrix"].as_array().unwrap();
        assert_eq!(matrix.len(), want.len());
        for (m, w) in matrix.iter().zip(want) {
            assert_eq!(m, w, "binding {} × message {}", w["binding"], w["message"]);
        }
    }

    /// The queue is really called `conf.dq` here: upper-casing a neutral `Q` would change
    /// nothing, and the case is about the default exchange being case-sensitive.
    #[test]
    fn default_exchange_routing_and_no_route() {
        let c = case(FILE, "default_exchange_routing_and_no_route");
        let real = "conf.dq";
        let mut h = Harness::new();
        let conn = h.connect();
        h.queue(conn, 1, real);
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "publish" => {
                    let key = match st["routing_key"].as_str().unwrap() {
                        "<Q>" => real.to_string(),
                        "<Q upper-cased>" => real.to_uppercase(),
                        k => k.to_string(),
                    };
                    let mut p = Pub::to(st["exchange"].as_str().unwrap(), &key, st["body"].as_str().unwrap());
                    p.mandatory = st["mandatory"].as_bool().unwrap_or(false);
                    h.publish(conn, 1, p).expect("an unroutable publish is not an error");
                }
                "wait_ms" => h.wait_ms(st["ms"].as_u64().unwrap()),
                "drain" => {}
                other => panic!("{other}"),
            }
        }
        let returns: Vec<Value> = h.returns(conn).into_iter().map(|(code, m)| h.return_json(code, m, true)).collect();
        let open = h.passive(conn, 1, real).is_ok();
        let got = h.drain(conn, 1, real);
        let model = json!({"queue_contents": {"Q": got}, "basic_return": returns, "channel_open_after_unroutable": open});
        assert_eq!(model, c["observed"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Unroutable { returned: true, .. })), ["m4", "m6"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Unroutable { returned: false, .. })), ["m2", "m3"]);
    }

    #[test]
    fn mandatory_on_direct_and_empty_fanout() {
        let c = case(FILE, "mandatory_on_direct_and_empty_fanout");
        let s = &c["setup"];
        let mut h = Harness::new();
        let conn = h.connect();
        for x in s["exchanges"].as_array().unwrap() {
            h.declare_exchange(conn, 1, x["name"].as_str().unwrap(), x["type"].as_str().unwrap(), false).unwrap();
        }
        h.queue(conn, 1, "Q");
        for b in s["bindings"].as_array().unwrap() {
            h.bind(conn, 1, b["queue"].as_str().unwrap(), b["exchange"].as_str().unwrap(), b["binding_key"].as_str().unwrap()).unwrap();
        }
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "publish" => {
                    let mut p =
                        Pub::to(st["exchange"].as_str().unwrap(), st["routing_key"].as_str().unwrap(), st["body"].as_str().unwrap());
                    p.mandatory = st["mandatory"].as_bool().unwrap_or(false);
                    h.publish(conn, 1, p).unwrap();
                }
                "wait_ms" => h.wait_ms(st["ms"].as_u64().unwrap()),
                "drain" => {}
                other => panic!("{other}"),
            }
        }
        let returns: Vec<Value> = h.returns(conn).into_iter().map(|(code, m)| h.return_json(code, m, true)).collect();
        let got = h.drain(conn, 1, "Q");
        assert_eq!(json!({"queue_contents": {"Q": got}, "basic_return": returns}), c["observed"]);
    }

    /// An error case: the observed error, and whether the connection survived it.
    fn error_case(name: &str, run: impl FnOnce(&mut Harness, ConnId) -> Result<(), Closed>) {
        let c = case(FILE, name);
        let mut h = Harness::new();
        let conn = h.connect();
        let r = run(&mut h, conn);
        let o = &c["observed"];
        let known = ["error", "connection_open_after", "connection_closed"];
        assert!(o.as_object().unwrap().keys().all(|k| known.contains(&k.as_str())), "{name}: an observed field this test does not check");
        assert_eq!(err_json(r), o["error"], "{name}");
        assert_eq!(json!(conn_open(&mut h, conn, 9)), o["connection_open_after"], "{name}: connection open after");
        if let Some(closed) = o.get("connection_closed") {
            assert_eq!(json!(!conn_open(&mut h, conn, 10)), *closed);
        }
    }

    #[test]
    fn bind_queue_to_default_exchange() {
        error_case("bind_queue_to_default_exchange", |h, c| h.bind(c, 1, "conf.eq", "", "foo"));
        // The default exchange is refused before the queue is looked at: the same with the queue there.
        error_case("bind_queue_to_default_exchange", |h, c| {
            h.queue(c, 1, "conf.eq");
            h.bind(c, 1, "conf.eq", "", "foo")
        });
    }

    #[test]
    fn publish_to_missing_exchange() {
        error_case("publish_to_missing_exchange", |h, c| h.publish(c, 1, Pub::to("conf.no-such-exchange", "k", "m")).map(|_| ()));
    }

    #[test]
    fn redeclare_exchange_different_type() {
        error_case("redeclare_exchange_different_type", |h, c| {
            h.declare_exchange(c, 1, "conf.direct", "direct", false)?;
            h.declare_exchange(c, 1, "conf.direct", "fanout", false)
        });
    }

    #[test]
    fn declare_exchange_with_amq_prefix() {
        error_case("declare_exchange_with_amq_prefix", |h, c| h.declare_exchange(c, 1, "amq.conf-test", "direct", false));
    }

    #[test]
    fn passive_declare_missing_exchange() {
        error_case("passive_declare_missing_exchange", |h, c| h.exchange_decl(c, 1, "conf.no-such-exchange", "direct", false, true));
    }

    #[test]
    fn bind_missing_queue() {
        error_case("bind_missing_queue", |h, c| {
            h.declare_exchange(c, 1, "conf.direct", "direct", false)?;
            h.bind(c, 1, "conf.no-such-queue", "conf.direct", "k")
        });
    }

    #[test]
    fn delete_builtin_exchange() {
        error_case("delete_builtin_exchange", |h, c| {
            let name = h.sym("amq.direct");
            h.call(c, 1, Op::ExchangeDelete { name, if_unused: false }).map(|_| ())
        });
    }

    #[test]
    fn declare_exchange_unknown_type() {
        error_case("declare_exchange_unknown_type", |h, c| h.declare_exchange(c, 1, "conf.x2", "nosuchtype", false));
    }
}

// =====================================================================================
mod queue_properties {
    use super::*;

    const FILE: &str = "queue_properties.json";
    pub const CASES: &[&str] = &[
        "server_named_queue_name_format",
        "exclusive_queue_lifecycle",
        "auto_delete_queue_lifecycle",
        "redeclare_with_different_properties",
        "passive_declare_missing_queue",
        "queue_delete_and_purge",
        "exclusive_consumer_and_reserved_queue_name",
        "x_message_ttl_expiry",
        "x_message_ttl_zero",
        "per_message_expiration_longer_than_queue_ttl",
        "ttl_expiry_dead_letters_with_reason_expired",
        "max_length_3_overflow_default",
        "max_length_3_overflow_default_with_dlx",
        "max_length_3_overflow_drop-head_with_confirms",
        "max_length_3_overflow_reject-publish",
        "max_length_3_overflow_reject-publish-dlx_with_dlx_with_confirms",
        "x_expires_unused_queue_deleted",
    ];

    /// `^amq\.gen-[A-Za-z0-9_-]{22}$`
    fn is_gen_name(s: &str) -> bool {
        s.strip_prefix("amq.gen-").is_some_and(|r| r.len() == 22 && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
    }

    fn opts(h: &mut Harness, v: &Value) -> QOpts {
        QOpts {
            durable: v["durable"].as_bool().unwrap_or(false),
            exclusive: v["exclusive"].as_bool().unwrap_or(false),
            auto_delete: v["auto_delete"].as_bool().unwrap_or(false),
            passive: false,
            args: queue_args(h, &v["arguments"]),
        }
    }

    #[test]
    fn server_named_queue_name_format() {
        let c = case(FILE, "server_named_queue_name_format");
        let mut h = Harness::new();
        let conn = h.connect();
        let (ex, em, ec) = h.queue_decl(conn, 1, "", QOpts { exclusive: true, ..Default::default() }).unwrap();
        let (nx, nm, nc) = h.queue_decl(conn, 1, "", QOpts::default()).unwrap();
        assert_eq!((em, ec), (nm, nc));
        h.close_connection(conn);
        let model = json!({
            "exclusive_name_matches": is_gen_name(&ex),
            "exclusive_name_length": ex.len(),
            "nonexclusive_name_matches": is_gen_name(&nx),
            "nonexclusive_name_length": nx.len(),
            "names_differ": ex != nx,
            "declare_ok": {"message_count": nm, "consumer_count": nc},
            "exclusive_exists_after_connection_close": h.exists(&ex),
        });
        assert_eq!(model, c["observed"]);
        assert!(h.exists(&nx), "the non-exclusive one stays");
        assert!(h.records.iter().any(|r| matches!(r, Record::QueueDeleted { why: QueueGone::ExclusiveOwnerGone, .. })));
    }

    #[test]
    fn exclusive_queue_lifecycle() {
        let c = case(FILE, "exclusive_queue_lifecycle");
        let mut h = Harness::new();
        let c1 = h.connect();
        h.queue_decl(c1, 1, "Q", QOpts { exclusive: true, ..Default::default() }).unwrap();
        h.publish(c1, 1, Pub::to_queue("Q", "m1")).unwrap();
        let c2 = h.connect();
        let passive = exists_err(h.passive(c2, 1, "Q"));
        let c3 = h.connect();
        let consume = err_json(h.consume(c3, 1, "Q", "c3", false));
        let c4 = h.connect();
        let publish = err_json(h.publish(c4, 1, Pub::to_queue("Q", "m2")));
        let c5 = h.connect();
        let delete = err_json(h.delete_queue(c5, 1, "Q", false, false));
        h.open_channel(c1, 2);
        let (ready, _) = h.passive(c1, 2, "Q").unwrap();
        h.close_connection(c1);
        let c6 = h.connect();
        let after = exists_err(h.passive(c6, 1, "Q"));
        let model = json!({
            "other_connection_passive_declare": passive,
            "other_connection_consume": {"error": consume},
            "other_connection_publish": {"error": publish, "result": null},
            "other_connection_delete": {"error": delete},
            "owner_connection_other_channel_ready": ready,
            "after_owner_close": after,
        });
        assert_eq!(model, c["observed"]);
        let gone: Vec<QueueGone> = h
            .records
            .iter()
            .filter_map(|r| {
                if let Record::QueueDeleted { why, messages, .. } = r {
                    assert_eq!(*messages, 2);
                    Some(*why)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(gone, [QueueGone::ExclusiveOwnerGone]);
    }

    #[test]
    fn auto_delete_queue_lifecycle() {
        let c = case(FILE, "auto_delete_queue_lifecycle");
        let ad = QOpts { auto_delete: true, ..Default::default() };
        let mut h = Harness::new();
        // (a) never consumed: the declarer's connection closing does not delete it.
        let a = h.connect();
        h.queue_decl(a, 1, "Q", ad.clone()).unwrap();
        h.close_connection(a);
        let never_consumed = h.exists("Q");
        let x = h.connect();
        h.delete_queue(x, 1, "Q", false, false).unwrap();
        // (b) two consumers: deleted when the last one cancels.
        let b = h.connect();
        h.queue_decl(b, 1, "Q", ad.clone()).unwrap();
        h.consume(b, 1, "Q", "first", false).unwrap();
        h.consume(b, 1, "Q", "second", false).unwrap();
        h.cancel(b, 1, "first");
        let after_first = h.exists("Q");
        h.cancel(b, 1, "second");
        let y = h.connect();
        let after_last = exists_err(h.passive(y, 1, "Q"));
        // (c) its only consumer's channel closes.
        let cc = h.connect();
        h.queue_decl(cc, 1, "Q", ad.clone()).unwrap();
        h.open_channel(cc, 2);
        h.consume(cc, 2, "Q", "only", false).unwrap();
        h.close_channel(cc, 2);
        let after_channel_close = h.exists("Q");
        // (d) cancelled while holding unacked messages.
        let d = h.connect();
        h.queue_decl(d, 1, "Q", ad).unwrap();
        h.publish(d, 1, Pub::to_queue("Q", "m1")).unwrap();
        h.publish(d, 1, Pub::to_queue("Q", "m2")).unwrap();
        h.consume(d, 1, "Q", "holder", false).unwrap();
        assert_eq!(h.deliveries(d).len(), 2);
        h.cancel(d, 1, "holder");
        let after_cancel = h.exists("Q");
        h.close_connection(d);
        let after_close = h.exists("Q");
        let model = json!({
            "never_consumed_exists_after_declarer_closes": never_consumed,
            "after_first_cancel": after_first,
            "after_last_cancel": after_last,
            "after_consumer_channel_close": after_channel_close,
            "with_unacked_messages_after_cancel": after_cancel,
            "with_unacked_messages_after_connection_close": after_close,
        });
        assert_eq!(model, c["observed"]);
        let gone: Vec<QueueGone> =
            h.records.iter().filter_map(|r| if let Record::QueueDeleted { why, .. } = r { Some(*why) } else { None }).collect();
        assert_eq!(gone, [QueueGone::Deleted, QueueGone::AutoDelete, QueueGone::AutoDelete, QueueGone::AutoDelete]);
        // (d): the two messages its consumer still held are lost with the queue when the channel closes.
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Lost { why: LostWhy::QueueDeleted, .. })), ["m1", "m2"]);
    }

    /// Each sub-case: declare Q with `first`, publish m1, declare Q again with `second`.
    #[test]
    fn redeclare_with_different_properties() {
        let c = case(FILE, "redeclare_with_different_properties");
        let observed = c["observed"].as_object().unwrap();
        for (sub, o) in observed {
            let mut h = Harness::new();
            let conn = h.connect();
            if sub == "passive_with_different_flags" {
                // A passive declare checks nothing but existence (and exclusivity).
                h.queue(conn, 1, "Q");
                let r = h.queue_decl(conn, 1, "Q", QOpts { passive: true, durable: true, auto_delete: true, ..Default::default() });
                let model = json!({"error": err_json(r.clone()), "message_count": r.map(|x| x.1).unwrap_or(0)});
                assert_eq!(&model, o, "{sub}");
                continue;
            }
            let first = opts(&mut h, &o["first"]);
            let second = opts(&mut h, &o["second"]);
            h.queue_decl(conn, 1, "Q", first).unwrap();
            h.publish(conn, 1, Pub::to_queue("Q", "m1")).unwrap();
            let r = h.queue_decl(conn, 1, "Q", second);
            let mut model = json!({
                "first": o["first"],
                "second": o["second"],
                "error": err_json(r.clone()),
                "connection_open_after": conn_open(&mut h, conn, 2),
            });
            if let Ok((_, messages, consumers)) = r {
                model["declare_ok"] = json!({"message_count": messages, "consumer_count": consumers});
            }
            assert_eq!(&model, o, "{sub}");
        }
    }

    #[test]
    fn passive_declare_missing_queue() {
        let c = case(FILE, "passive_declare_missing_queue");
        let mut h = Harness::new();
        let conn = h.connect();
        let name = c["steps"][0]["queue"].as_str().unwrap();
        assert_eq!(exists_err(h.passive(conn, 1, name)), c["observed"]);
    }

    #[test]
    fn queue_delete_and_purge() {
        let c = case(FILE, "queue_delete_and_purge");
        let mut h = Harness::new();
        let conn = h.connect();
        h.queue(conn, 1, "Q");
        for b in ["p1", "p2", "p3"] {
            h.publish(conn, 1, Pub::to_queue("Q", b)).unwrap();
        }
        let purged = h.purge(conn, 1, "Q").unwrap();
        h.publish(conn, 1, Pub::to_queue("Q", "x")).unwrap();
        let if_empty = err_json(h.delete_queue(conn, 1, "Q", false, true));
        h.open_channel(conn, 2);
        h.open_channel(conn, 3);
        h.consume(conn, 3, "Q", "holder", false).unwrap();
        assert_eq!(h.deliveries(conn).iter().map(|g| g.body.as_str()).collect::<Vec<_>>(), ["x"]);
        let if_unused = err_json(h.delete_queue(conn, 2, "Q", true, false));
        h.open_channel(conn, 4);
        h.close_channel(conn, 3);
        h.publish(conn, 4, Pub::to_queue("Q", "y")).unwrap();
        let deleted = h.delete_queue(conn, 4, "Q", false, false).unwrap();
        let missing = h.delete_queue(conn, 4, "Q", false, false);
        let model = json!({
            "purge_ok_message_count": purged,
            "delete_if_empty_nonempty": {"error": if_empty},
            "delete_if_unused_with_consumer": {"error": if_unused},
            "delete_ok_message_count": deleted,
            "delete_missing_queue": {"error": err_json(missing.clone()), "message_count": missing.unwrap_or(u32::MAX)},
        });
        assert_eq!(model, c["observed"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Discarded { why: DiscardWhy::Purged, .. })), ["p1", "p2", "p3"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Requeued { why: RequeueWhy::ChannelClosed, .. })), ["x"]);
        assert!(h.records.iter().any(|r| matches!(r, Record::QueueDeleted { why: QueueGone::Deleted, messages: 2, .. })));
    }

    #[test]
    fn exclusive_consumer_and_reserved_queue_name() {
        let c = case(FILE, "exclusive_consumer_and_reserved_queue_name");
        let mut h = Harness::new();
        let conn = h.connect();
        h.queue(conn, 1, "Q");
        h.consume_ex(conn, 1, "Q", "excl", false, true).unwrap();
        h.open_channel(conn, 2);
        let second = err_json(h.consume(conn, 2, "Q", "other", false));
        let mut h2 = Harness::new();
        let conn2 = h2.connect();
        h2.queue(conn2, 1, "Q");
        h2.consume(conn2, 1, "Q", "normal", false).unwrap();
        h2.open_channel(conn2, 2);
        let excl = err_json(h2.consume_ex(conn2, 2, "Q", "excl", false, true));
        h2.open_channel(conn2, 3);
        let reserved = err_json(h2.queue_decl(conn2, 3, "amq.conf-test", QOpts::default()));
        let model = json!({
            "second_consumer_when_exclusive": {"error": second},
            "exclusive_consumer_when_other_exists": {"error": excl},
            "declare_amq_prefixed_queue": {"error": reserved},
        });
        assert_eq!(model, c["observed"]);
    }

    /// Runs steps `publish` / `wait_ms` / `passive_declare` / `basic_get` on queue Q declared
    /// with the setup's arguments; reports `ready_at_<elapsed>ms` and `basic_get_empty`.
    fn ttl_script(name: &str) {
        let c = case(FILE, name);
        let mut h = Harness::new();
        let conn = h.connect();
        let args = queue_args(&mut h, &c["setup"]["arguments"]);
        h.queue_decl(conn, 1, "Q", QOpts { args, ..Default::default() }).unwrap();
        let mut model = Map::new();
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "publish" => {
                    let mut p = Pub::to_queue("Q", st["body"].as_str().unwrap());
                    p.expiration_ms = st["expiration"].as_str().map(|e| e.parse().unwrap());
                    h.publish(conn, 1, p).unwrap();
                }
                "wait_ms" => h.wait_ms(st["ms"].as_u64().unwrap()),
                "passive_declare" => {
                    let (ready, _) = h.passive(conn, 1, "Q").unwrap();
                    model.insert(format!("ready_at_{}ms", h.now().as_us() / 1000), json!(ready));
                }
                "basic_get" => {
                    let got = h.get(conn, 1, "Q", false).unwrap();
                    model.insert("basic_get_empty".into(), json!(got.is_none()));
                }
                other => panic!("{other}"),
            }
        }
        assert_eq!(Value::Object(model), c["observed"]);
        // Whatever left the queue left it by expiring, at its head.
        let expired = h.bodies_of(|r| matches!(r, Record::Discarded { why: DiscardWhy::Expired, .. }));
        let published: Vec<&str> =
            c["steps"].as_array().unwrap().iter().filter(|s| s["op"] == "publish").map(|s| s["body"].as_str().unwrap()).collect();
        assert_eq!(expired, published);
    }

    #[test]
    fn x_message_ttl_expiry() {
        ttl_script("x_message_ttl_expiry");
    }

    #[test]
    fn per_message_expiration_longer_than_queue_ttl() {
        ttl_script("per_message_expiration_longer_than_queue_ttl");
    }

    #[test]
    fn x_message_ttl_zero() {
        let c = case(FILE, "x_message_ttl_zero");
        let mut h = Harness::new();
        let conn = h.connect();
        let args = queue_args(&mut h, &c["setup"]["arguments"]);
        h.queue_decl(conn, 1, "Q", QOpts { args, ..Default::default() }).unwrap();
        h.publish(conn, 1, Pub::to_queue("Q", "m1")).unwrap();
        h.wait_ms(200);
        let (ready, _) = h.passive(conn, 1, "Q").unwrap();
        let cons = h.connect();
        h.consume(cons, 1, "Q", "auto", true).unwrap();
        h.publish(conn, 1, Pub::to_queue("Q", "m2")).unwrap();
        h.wait_ms(300);
        let got: Vec<String> = h.deliveries(cons).into_iter().map(|g| g.body).collect();
        assert_eq!(json!({"ready_after_m1": ready, "consumer_got": got}), c["observed"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Discarded { why: DiscardWhy::Expired, .. })), ["m1"]);
    }

    /// DLX is a fanout exchange with DLQ bound to it.
    fn dlx(h: &mut Harness, conn: ConnId) {
        h.declare_exchange(conn, 1, "DLX", "fanout", false).unwrap();
        h.queue(conn, 1, "DLQ");
        h.bind(conn, 1, "DLQ", "DLX", "").unwrap();
    }

    #[test]
    fn ttl_expiry_dead_letters_with_reason_expired() {
        let c = case(FILE, "ttl_expiry_dead_letters_with_reason_expired");
        assert_eq!(c["setup"]["DLX"], "fanout -> DLQ");
        let mut h = Harness::new();
        let conn = h.connect();
        dlx(&mut h, conn);
        let args = queue_args(&mut h, &c["setup"]["arguments"]);
        h.queue_decl(conn, 1, "Q", QOpts { args, ..Default::default() }).unwrap();
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "publish" => {
                    let mut p = Pub::to_queue("Q", st["body"].as_str().unwrap());
                    p.expiration_ms = st["expiration"].as_str().map(|e| e.parse().unwrap());
                    h.publish(conn, 1, p).unwrap();
                }
                "wait_ms" => h.wait_ms(st["ms"].as_u64().unwrap()),
                "drain DLQ" => {}
                other => panic!("{other}"),
            }
        }
        let dead: Vec<Value> = h
            .drain_full(conn, 1, "DLQ")
            .iter()
            .map(|g| {
                let p = h.d.msgs.props_of(g.msg).clone();
                let hs = headers_json(&h, &p);
                json!({
                    "body": g.body,
                    "x-death": hs["x-death"],
                    "x-first-death-reason": hs["x-first-death-reason"],
                    "expiration_property": p.expiration.map(|e| (e.as_us() / 1000).to_string()),
                })
            })
            .collect();
        assert_eq!(json!({"dead_lettered": dead}), c["observed"]);
        let why = h.bodies_of(|r| matches!(r, Record::DeadLettered { reason: DeadLetterReason::Expired, .. }));
        assert_eq!(why, ["m1", "m2"]);
    }

    fn confirms_on(c: &Value) -> bool {
        c["setup"]["publisher_confirms"].as_bool().unwrap()
    }

    /// m1..m5, 50 ms apart, into Q with `x-max-length: 3` and the case's overflow.
    fn max_length_case(name: &str) {
        let c = case(FILE, name);
        let s = &c["setup"];
        let confirms = s["publisher_confirms"].as_bool().unwrap();
        let mut h = Harness::new();
        let conn = h.connect();
        let with_dlx = s["arguments"].get("x-dead-letter-exchange").is_some();
        if with_dlx {
            dlx(&mut h, conn);
        }
        let args = queue_args(&mut h, &s["arguments"]);
        h.queue_decl(conn, 1, "Q", QOpts { args, ..Default::default() }).unwrap();
        let p = h.connect();
        if confirms {
            h.call(p, 1, Op::ConfirmSelect).unwrap();
        }
        h.take(p);
        let mut results = Vec::new();
        for i in 1..=5 {
            let body = format!("m{i}");
            h.publish(p, 1, Pub::to_queue("Q", &body)).unwrap();
            h.wait_ms(50);
            let frames = h.take(p);
            let r = if !confirms {
                assert!(frames.is_empty(), "{frames:?}");
                json!({"body": body, "result": "sent"})
            } else {
                match frames.as_slice() {
                    [Frame::Ack { seq, multiple: false, .. }] if *seq == i => json!({"body": body, "result": "ack"}),
                    [Frame::Nack { seq, .. }] if *seq == i => json!({"body": body, "result": "nack", "exception": "NackError"}),
                    other => panic!("m{i}: {other:?}"),
                }
            };
            results.push(r);
        }
        let (ready, _) = h.passive(conn, 1, "Q").unwrap();
        let mut model = json!({"publish_results": results, "ready": ready, "queue_contents": h.drain(conn, 1, "Q")});
        if with_dlx {
            let dead: Vec<Value> = h
                .drain_full(conn, 1, "DLQ")
                .iter()
                .map(|g| {
                    let d = h.d.msgs.props_of(g.msg).death.clone().expect("x-death");
                    json!({"body": g.body, "reasons": d.entries.iter().map(|e| e.reason.as_str()).collect::<Vec<_>>()})
                })
                .collect();
            model["dead_lettered"] = json!(dead);
        }
        assert_eq!(model, c["observed"]);
        // The trace names the cause of each copy that did not stay.
        let kept = &c["observed"]["queue_contents"];
        let gone: Vec<String> = (1..=5).map(|i| format!("m{i}")).filter(|b| !kept.as_array().unwrap().contains(&json!(b))).collect();
        let recorded = match (s["arguments"]["x-overflow"].as_str().unwrap_or("drop-head"), with_dlx) {
            ("drop-head", false) => h.bodies_of(|r| matches!(r, Record::Discarded { why: DiscardWhy::MaxLenHead, .. })),
            ("reject-publish", false) => h.bodies_of(|r| matches!(r, Record::Discarded { why: DiscardWhy::Overflow, .. })),
            (_, true) => h.bodies_of(|r| matches!(r, Record::DeadLettered { reason: DeadLetterReason::Maxlen, .. })),
            other => panic!("{other:?}"),
        };
        assert_eq!(recorded, gone);
        let confirms = h.records.iter().filter(|r| matches!(r, Record::Confirm { .. })).count();
        assert_eq!(confirms, if confirms_on(&c) { 5 } else { 0 });
    }

    #[test]
    fn max_length_3_overflow_default() {
        max_length_case("max_length_3_overflow_default");
    }

    #[test]
    fn max_length_3_overflow_default_with_dlx() {
        max_length_case("max_length_3_overflow_default_with_dlx");
    }

    #[test]
    fn max_length_3_overflow_drop_head_with_confirms() {
        max_length_case("max_length_3_overflow_drop-head_with_confirms");
    }

    #[test]
    fn max_length_3_overflow_reject_publish() {
        max_length_case("max_length_3_overflow_reject-publish");
    }

    #[test]
    fn max_length_3_overflow_reject_publish_dlx_with_dlx_with_confirms() {
        max_length_case("max_length_3_overflow_reject-publish-dlx_with_dlx_with_confirms");
    }

    #[test]
    fn x_expires_unused_queue_deleted() {
        let c = case(FILE, "x_expires_unused_queue_deleted");
        let mut h = Harness::new();
        let conn = h.connect();
        let args = queue_args(&mut h, &c["setup"]["arguments"]);
        h.queue_decl(conn, 1, "Q", QOpts { args, ..Default::default() }).unwrap();
        h.close_connection(conn);
        h.advance_to(warren::sim::Time::ms(150));
        let at_150 = h.exists("Q");
        h.advance_to(warren::sim::Time::ms(1050));
        let at_1050 = h.exists("Q");
        assert_eq!(json!({"exists_at_150ms": at_150, "exists_at_1050ms": at_1050}), c["observed"]);
        assert!(h.records.iter().any(|r| matches!(r, Record::QueueDeleted { why: QueueGone::Expired, .. })));
    }
}

// =====================================================================================
mod requeue_and_redelivery {
    use super::*;
    use std::collections::HashMap;

    const FILE: &str = "requeue_and_redelivery.json";
    pub const CASES: &[&str] = &[
        "channel_close_requeue_prefetch3",
        "channel_close_requeue_prefetchNone_ack_m2_m5",
        "basic_get_reject_requeue_positions",
        "basic_nack_multiple_requeue_positions",
        "single_consumer_reject_requeue_first_delivery",
        "two_consumers_prefetch1_reject_requeue",
        "reject_requeue_false_without_dlx_drops",
        "dead_letter_on_reject_requeue_false",
        "dead_letter_on_nack_requeue_false",
        "dead_letter_self_cycle_reject_three_times",
        "basic_recover_requeue_true",
        "basic_recover_requeue_false",
        "basic_cancel_does_not_requeue_unacked",
        "double_ack_same_delivery_tag",
    ];

    fn publish_all(h: &mut Harness, conn: ConnId, bodies: &Value) {
        for b in bodies.as_array().unwrap() {
            h.publish(conn, 1, Pub::to_queue("Q", b.as_str().unwrap())).unwrap();
        }
    }

    /// Consumer A takes the backlog (with the step's prefetch), maybe acks some, closes its
    /// channel; consumer B then receives everything and acks as it goes.
    fn channel_close_case(name: &str) {
        let c = case(FILE, name);
        let mut h = Harness::new();
        let p = h.connect();
        h.queue(p, 1, "Q");
        let a = h.connect();
        let b = h.connect();
        let mut model = Map::new();
        let mut a_got: Vec<Got> = Vec::new();
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "publish_batch" => publish_all(&mut h, p, &st["bodies"]),
                "consumer_A_basic_consume" => {
                    if let Some(n) = st["prefetch_count"].as_u64() {
                        h.qos(a, 1, n as u32);
                    }
                    h.consume(a, 1, "Q", "A", st["auto_ack"].as_bool().unwrap()).unwrap();
                    a_got = h.deliveries(a);
                    model.insert("A_received".into(), shorts(&a_got));
                }
                "consumer_A_ack" => {
                    for body in st["bodies"].as_array().unwrap() {
                        let g = a_got.iter().find(|g| g.body == *body).unwrap();
                        h.ack(a, 1, g.tag, false).unwrap();
                    }
                }
                "close_channel_A" => {
                    model.insert("ready_before_close".into(), json!(h.passive(p, 1, "Q").unwrap().0));
                    h.close_channel(a, 1);
                    model.insert("ready_after_close".into(), json!(h.passive(p, 1, "Q").unwrap().0));
                }
                "consumer_B_basic_consume" => {
                    assert_eq!(st["ack"], "immediately");
                    h.consume(b, 1, "Q", "B", st["auto_ack"].as_bool().unwrap()).unwrap();
                    let mut got = Vec::new();
                    loop {
                        let batch = h.deliveries(b);
                        if batch.is_empty() {
                            break;
                        }
                        for g in batch {
                            h.ack(b, 1, g.tag, false).unwrap();
                            got.push(g);
                        }
                    }
                    model.insert("B_received".into(), shorts(&got));
                }
                other => panic!("{other}"),
            }
        }
        assert_eq!(Value::Object(model), c["observed"]);
        // What B got redelivered is what the closed channel requeued.
        let requeued = h.bodies_of(|r| matches!(r, Record::Requeued { why: RequeueWhy::ChannelClosed, .. }));
        let redelivered: Vec<&str> = c["observed"]["B_received"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["redelivered"] == true)
            .map(|d| d["body"].as_str().unwrap())
            .collect();
        assert_eq!(requeued, redelivered);
    }

    #[test]
    fn channel_close_requeue_prefetch3() {
        channel_close_case("channel_close_requeue_prefetch3");
    }

    #[test]
    #[allow(non_snake_case)]
    fn channel_close_requeue_prefetchNone_ack_m2_m5() {
        channel_close_case("channel_close_requeue_prefetchNone_ack_m2_m5");
    }

    /// Runs `basic.get` / reject / ack / nack steps on Q with one channel, filling each step's
    /// outcome fields (body, redelivered, message count, tag, ready) from the model.
    fn run_steps(h: &mut Harness, conn: ConnId, steps: &Value) -> Vec<Value> {
        let mut tags: HashMap<String, u64> = HashMap::new();
        let mut out = Vec::new();
        for st in steps.as_array().unwrap() {
            let mut r = st.clone();
            let tag_of = |st: &Value, tags: &HashMap<String, u64>| tags[st["body"].as_str().expect("body")];
            match st["op"].as_str().unwrap() {
                "publish_batch" => publish_all(h, conn, &st["bodies"]),
                "basic_get" => {
                    let g = h.get(conn, 1, "Q", false).unwrap().expect("a message");
                    tags.insert(g.body.clone(), g.tag);
                    r["body"] = json!(g.body);
                    r["redelivered"] = json!(g.redelivered);
                    r["message_count_after"] = json!(g.remaining.unwrap());
                    r["delivery_tag"] = json!(g.tag);
                }
                "basic_reject" => h.reject(conn, 1, tag_of(st, &tags), st["requeue"].as_bool().unwrap()).unwrap(),
                "basic_ack" => match st["delivery_tag"].as_u64() {
                    Some(t) => h.ack(conn, 1, t, st["multiple"].as_bool().unwrap_or(false)).unwrap(),
                    None => h.ack(conn, 1, tag_of(st, &tags), false).unwrap(),
                },
                "basic_nack" => {
                    h.nack(conn, 1, tag_of(st, &tags), st["multiple"].as_bool().unwrap(), st["requeue"].as_bool().unwrap()).unwrap()
                }
                "passive_declare" => r["ready"] = json!(h.passive(conn, 1, "Q").unwrap().0),
                "drain_with_get_and_ack" => {
                    let mut got = Vec::new();
                    while let Some(g) = h.get(conn, 1, "Q", false).unwrap() {
                        h.ack(conn, 1, g.tag, false).unwrap();
                        got.push(Harness::short(&g));
                    }
                    r["result"] = json!(got);
                }
                other => panic!("{other}"),
            }
            out.push(r);
        }
        out
    }

    fn step_case(name: &str, want_positions: &[u32]) {
        let c = case(FILE, name);
        let mut h = Harness::new();
        let conn = h.connect();
        h.queue(conn, 1, "Q");
        let results = run_steps(&mut h, conn, &c["steps"]);
        assert_eq!(json!({"step_results": results}), c["observed"]);
        // Every requeue is recorded with its cause and the position it went back to.
        let mut want = Vec::new();
        for st in c["steps"].as_array().unwrap() {
            let why = match st["op"].as_str().unwrap() {
                "basic_reject" => RequeueWhy::Reject,
                "basic_nack" => RequeueWhy::Nack,
                _ => continue,
            };
            want.push(why);
        }
        let mut got: Vec<RequeueWhy> =
            h.records.iter().filter_map(|r| if let Record::Requeued { why, .. } = r { Some(*why) } else { None }).collect();
        got.dedup();
        want.dedup();
        assert_eq!(got, want);
        let positions: Vec<u32> =
            h.records.iter().filter_map(|r| if let Record::Requeued { pos, .. } = r { Some(*pos) } else { None }).collect();
        assert_eq!(positions, want_positions, "requeued copies go back to their publication-order places");
    }

    #[test]
    fn basic_get_reject_requeue_positions() {
        // m1 twice and m2 each go back to the head.
        step_case("basic_get_reject_requeue_positions", &[0, 0, 0]);
    }

    #[test]
    fn basic_nack_multiple_requeue_positions() {
        // m1, m3, m4 merge back ahead of m6, m7; later m5 ahead of m7.
        step_case("basic_nack_multiple_requeue_positions", &[0, 1, 2, 0]);
    }

    #[test]
    fn reject_requeue_false_without_dlx_drops() {
        let c = case(FILE, "reject_requeue_false_without_dlx_drops");
        let mut h = Harness::new();
        let conn = h.connect();
        h.queue(conn, 1, "Q");
        publish_all(&mut h, conn, &c["setup"]["initial_messages"]);
        let results = run_steps(&mut h, conn, &c["steps"]);
        assert_eq!(json!(results), c["steps"], "the basic.get outcome");
        let ready = h.passive(conn, 1, "Q").unwrap().0;
        let remaining = shorts(&h.drain_full(conn, 1, "Q"));
        assert_eq!(json!({"ready_after_reject": ready, "remaining": remaining}), c["observed"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Discarded { why: DiscardWhy::Rejected, .. })), ["m1"]);
    }

    /// A message as the DLQ get showed it. `message_id` is not modelled by warren: it is
    /// taken from the observation (the publish carried it).
    fn message_json(h: &Harness, g: &Got, message_id: &Value) -> Value {
        let p = h.d.msgs.props_of(g.msg).clone();
        let mut v = json!({
            "body": g.body,
            "redelivered": g.redelivered,
            "exchange": h.text(p.exchange),
            "routing_key": h.text(p.routing_key),
            "headers": headers_json(h, &p),
        });
        if !message_id.is_null() {
            v["message_id"] = message_id.clone();
            v["delivery_mode"] = json!(if p.persistent { 2 } else { 1 });
        }
        v
    }

    fn dead_letter_case(name: &str) {
        let c = case(FILE, name);
        let s = &c["setup"];
        let mut h = Harness::new();
        let conn = h.connect();
        h.declare_exchange(conn, 1, "DLX", s["DLX"]["type"].as_str().unwrap(), false).unwrap();
        h.queue(conn, 1, "DLQ");
        for b in s["bindings"].as_array().unwrap() {
            h.bind(conn, 1, b["queue"].as_str().unwrap(), b["exchange"].as_str().unwrap(), "").unwrap();
        }
        let args = queue_args(&mut h, &s["queue_arguments"]);
        h.queue_decl(conn, 1, "Q", QOpts { args, ..Default::default() }).unwrap();
        let mut message_id = Value::Null;
        let mut dlq = Value::Null;
        let mut tag = 0;
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "publish" => {
                    let mut p =
                        Pub::to(st["exchange"].as_str().unwrap(), st["routing_key"].as_str().unwrap(), st["body"].as_str().unwrap());
                    p.headers = Some(
                        st["headers"]
                            .as_object()
                            .unwrap()
                            .iter()
                            .map(|(k, v)| (k.clone(), HValue::Str(v.as_str().unwrap().into())))
                            .collect(),
                    );
                    message_id = st["message_id"].clone();
                    h.publish(conn, 1, p).unwrap();
                }
                "basic_get" if st.get("queue").is_none() => {
                    let g = h.get(conn, 1, "Q", false).unwrap().unwrap();
                    tag = g.tag;
                    let seen = json!({"op": "basic_get", "body": g.body, "redelivered": g.redelivered, "message_count_after": g.remaining, "delivery_tag": g.tag});
                    assert_eq!(&seen, st);
                }
                "basic_get" => {
                    let g = h.get(conn, 1, st["queue"].as_str().unwrap(), false).unwrap().expect("a dead-lettered message");
                    dlq = message_json(&h, &g, &message_id);
                }
                "basic_reject" => h.reject(conn, 1, tag, st["requeue"].as_bool().unwrap()).unwrap(),
                "basic_nack" => h.nack(conn, 1, tag, false, st["requeue"].as_bool().unwrap()).unwrap(),
                other => panic!("{other}"),
            }
        }
        let ready = h.passive(conn, 1, "Q").unwrap().0;
        assert_eq!(json!({"q_ready_after": ready, "dlq_message": dlq}), c["observed"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::DeadLettered { reason: DeadLetterReason::Rejected, .. })), ["m1"]);
    }

    #[test]
    fn dead_letter_on_reject_requeue_false() {
        dead_letter_case("dead_letter_on_reject_requeue_false");
    }

    #[test]
    fn dead_letter_on_nack_requeue_false() {
        dead_letter_case("dead_letter_on_nack_requeue_false");
    }

    /// Q dead-letters to itself through the default exchange; each rejection makes a new
    /// copy (not redelivered) whose `x-death` count goes up.
    #[test]
    fn dead_letter_self_cycle_reject_three_times() {
        let c = case(FILE, "dead_letter_self_cycle_reject_three_times");
        let mut h = Harness::new();
        let conn = h.connect();
        let args = queue_args(&mut h, &c["setup"]["queue_arguments"]);
        h.queue_decl(conn, 1, "Q", QOpts { args, ..Default::default() }).unwrap();
        h.publish(conn, 1, Pub::to_queue("Q", "m1")).unwrap();
        let mut gets = Vec::new();
        for _ in 0..3 {
            let g = h.get(conn, 1, "Q", false).unwrap().expect("the message is back");
            gets.push(message_json(&h, &g, &Value::Null));
            h.reject(conn, 1, g.tag, false).unwrap();
        }
        assert_eq!(json!({"gets": gets}), c["observed"]);
        // Rejections never count as a cycle: three dead-letterings, no cycle drop.
        assert_eq!(h.bodies_of(|r| matches!(r, Record::DeadLettered { reason: DeadLetterReason::Rejected, .. })).len(), 3);
        assert!(!h.records.iter().any(|r| matches!(r, Record::Discarded { why: DiscardWhy::DeadLetterCycle, .. })));
    }

    fn recover_case(name: &str) {
        let c = case(FILE, name);
        let requeue = c["steps"][2]["requeue"].as_bool().unwrap();
        let mut h = Harness::new();
        let p = h.connect();
        h.queue(p, 1, "Q");
        publish_all(&mut h, p, &c["setup"]["initial_messages"]);
        let conn = h.connect();
        h.consume(conn, 1, "Q", "C", false).unwrap();
        let first = h.deliveries(conn);
        h.wait_ms(300);
        let r = h.call(conn, 1, Op::Recover { requeue });
        h.wait_ms(500);
        let after = h.deliveries(conn);
        let mut model = json!({"first_deliveries": shorts(&first), "deliveries_after_recover": shorts(&after), "error": err_json(r)});
        if c["observed"].get("connection_closed").is_some() {
            model["connection_closed"] = json!(!conn_open(&mut h, conn, 2));
        }
        assert_eq!(model, c["observed"]);
        let recovered = h.bodies_of(|r| matches!(r, Record::Requeued { why: RequeueWhy::Recover, .. }));
        let after: Vec<&str> =
            c["observed"]["deliveries_after_recover"].as_array().unwrap().iter().map(|d| d["body"].as_str().unwrap()).collect();
        assert_eq!(recovered, after);
    }

    #[test]
    fn basic_recover_requeue_true() {
        recover_case("basic_recover_requeue_true");
    }

    #[test]
    fn basic_recover_requeue_false() {
        recover_case("basic_recover_requeue_false");
    }

    #[test]
    fn basic_cancel_does_not_requeue_unacked() {
        let c = case(FILE, "basic_cancel_does_not_requeue_unacked");
        let mut h = Harness::new();
        let p = h.connect();
        h.queue(p, 1, "Q");
        publish_all(&mut h, p, &c["setup"]["initial_messages"]);
        let conn = h.connect();
        h.consume(conn, 1, "Q", "C", false).unwrap();
        let got = h.deliveries(conn);
        h.wait_ms(300);
        let before = h.passive(p, 1, "Q").unwrap().0;
        h.cancel(conn, 1, "C");
        let after_cancel = h.passive(p, 1, "Q").unwrap().0;
        let m2 = got.iter().find(|g| g.body == "m2").unwrap().tag;
        let ack = h.ack(conn, 1, m2, false);
        let after_ack = h.passive(p, 1, "Q").unwrap().0;
        h.close_channel(conn, 1);
        let after_close = h.passive(p, 1, "Q").unwrap().0;
        let remaining = h.drain_full(p, 1, "Q");
        let model = json!({
            "consumer_got": shorts(&got),
            "ready_before_cancel": before,
            "ready_after_cancel": after_cancel,
            "ack_after_cancel_error": err_json(ack),
            "ready_after_ack_m2": after_ack,
            "ready_after_channel_close": after_close,
            "remaining_after_close": shorts(&remaining),
        });
        assert_eq!(model, c["observed"]);
        assert!(h.records.iter().any(|r| matches!(r, Record::Cancelled { .. })));
        assert!(!h.records.iter().any(|r| matches!(r, Record::Requeued { why: RequeueWhy::Reject | RequeueWhy::Nack, .. })));
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Requeued { why: RequeueWhy::ChannelClosed, .. })), ["m1", "m3"]);
    }

    #[test]
    fn double_ack_same_delivery_tag() {
        let c = case(FILE, "double_ack_same_delivery_tag");
        let mut h = Harness::new();
        let conn = h.connect();
        h.queue(conn, 1, "Q");
        publish_all(&mut h, conn, &c["setup"]["initial_messages"]);
        let g = h.get(conn, 1, "Q", false).unwrap().unwrap();
        let s = &c["steps"][0];
        assert_eq!(
            (json!(g.body), json!(g.redelivered), json!(g.remaining), json!(g.tag)),
            (s["body"].clone(), s["redelivered"].clone(), s["message_count_after"].clone(), s["delivery_tag"].clone())
        );
        h.ack(conn, 1, g.tag, false).unwrap();
        let second = h.ack(conn, 1, g.tag, false);
        assert_eq!(json!({"error": err_json(second)}), c["observed"]);
    }

    /// Hands every delivery to `decide` (which settles it) until no more arrive.
    fn pump(h: &mut Harness, conns: &[ConnId], mut decide: impl FnMut(&mut Harness, ConnId, &Got)) -> Vec<(ConnId, Got)> {
        let mut all = Vec::new();
        loop {
            let mut any = false;
            for &c in conns {
                for g in h.deliveries(c) {
                    any = true;
                    decide(h, c, &g);
                    all.push((c, g));
                }
            }
            if !any {
                return all;
            }
        }
    }

    #[test]
    fn single_consumer_reject_requeue_first_delivery() {
        let c = case(FILE, "single_consumer_reject_requeue_first_delivery");
        let mut h = Harness::new();
        let p = h.connect();
        h.queue(p, 1, "Q");
        publish_all(&mut h, p, &c["setup"]["initial_messages"]);
        let conn = h.connect();
        h.qos(conn, 1, c["setup"]["prefetch_count"].as_u64().unwrap() as u32);
        h.consume(conn, 1, "Q", "C", false).unwrap();
        let mut rejected = false;
        let all = pump(&mut h, &[conn], |h, c, g| {
            if g.body == "m1" && !rejected {
                rejected = true;
                h.reject(c, 1, g.tag, true).unwrap();
            } else {
                h.ack(c, 1, g.tag, false).unwrap();
            }
        });
        let got: Vec<Got> = all.into_iter().map(|(_, g)| g).collect();
        assert_eq!(json!({"deliveries": shorts(&got)}), c["observed"]);
    }

    #[test]
    fn two_consumers_prefetch1_reject_requeue() {
        let c = case(FILE, "two_consumers_prefetch1_reject_requeue");
        let mut h = Harness::new();
        let p = h.connect();
        h.queue(p, 1, "Q");
        let names: Vec<&str> = c["setup"]["consumers_in_order"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        let mut conns = Vec::new();
        for n in &names {
            let conn = h.connect();
            h.qos(conn, 1, c["setup"]["prefetch_count"].as_u64().unwrap() as u32);
            h.consume(conn, 1, "Q", n, false).unwrap();
            conns.push(conn);
        }
        let c1 = conns[0];
        let mut rejected = false;
        let mut all = Vec::new();
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "publish" => {
                    h.publish(p, 1, Pub::to_queue("Q", st["body"].as_str().unwrap())).unwrap();
                }
                "publish_batch" => publish_all(&mut h, p, &st["bodies"]),
                "wait_ms" => h.wait_ms(st["ms"].as_u64().unwrap()),
                other => panic!("{other}"),
            }
            // C1 rejects (requeue) its first delivery of m1; otherwise both hold what they get.
            all.extend(pump(&mut h, &conns, |h, c, g| {
                if c == c1 && g.body == "m1" && !rejected {
                    rejected = true;
                    h.reject(c, 1, g.tag, true).unwrap();
                }
            }));
        }
        let mut per = Map::new();
        for (i, n) in names.iter().enumerate() {
            let got: Vec<Got> = all.iter().filter(|(c, _)| *c == conns[i]).map(|(_, g)| g.clone()).collect();
            per.insert(n.to_string(), shorts(&got));
        }
        let ready = h.passive(p, 1, "Q").unwrap().0;
        assert_eq!(json!({"deliveries": per, "ready_at_end": ready}), c["observed"]);
    }
}

// =====================================================================================
mod round_robin_and_prefetch {
    use super::*;
    use std::sync::Arc;
    use warren::record::Record;
    use warren::scenario::Scenario;
    use warren::session::Session;

    const FILE: &str = "round_robin_and_prefetch.json";
    pub const CASES: &[&str] = &[
        "rr_3_consumers_manual_ack_no_prefetch",
        "rr_3_consumers_auto_ack",
        "rr_3_consumers_never_ack_no_prefetch",
        "rr_3_consumers_prefetch1_never_ack",
        "backlog_then_consumers_no_prefetch",
        "backlog_then_consumers_prefetch1_slow",
        "work_times_no_prefetch",
        "work_times_prefetch1",
    ];

    /// The model's outcome in the file's shape, from (consumer name, deliveries) in
    /// registration order.
    fn outcome(per: &[(String, Vec<Got>)], ready: u32) -> Value {
        let mut bodies = Map::new();
        let mut deliveries = Map::new();
        for (name, got) in per {
            bodies.insert(name.clone(), json!(got.iter().map(|g| g.body.clone()).collect::<Vec<_>>()));
            deliveries.insert(name.clone(), json!(got.iter().map(Harness::with_tag).collect::<Vec<_>>()));
        }
        json!({"per_consumer": bodies, "deliveries": deliveries, "messages_ready_in_queue_at_end": ready})
    }

    /// Engine level: each consumer on its own connection; zero work time, so a consumer
    /// settles each delivery (ack / nothing) as soon as it has it.
    fn engine_case(name: &str) {
        let c = case(FILE, name);
        let mut h = Harness::new();
        let p = h.connect();
        h.queue(p, 1, "Q");
        let mut consumers: Vec<(String, ConnId, String, Vec<Got>)> = Vec::new();
        let settle = |h: &mut Harness, consumers: &mut Vec<(String, ConnId, String, Vec<Got>)>| loop {
            let mut any = false;
            for (_, conn, ack, got) in consumers.iter_mut() {
                for g in h.deliveries(*conn) {
                    any = true;
                    if ack == "after work" {
                        h.ack(*conn, 1, g.tag, false).unwrap();
                    }
                    got.push(g);
                }
            }
            if !any {
                break;
            }
        };
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "basic_consume" => {
                    assert_eq!(st["work_ms"], 0, "engine cases have no work time");
                    let name = st["consumer"].as_str().unwrap();
                    let conn = h.connect();
                    if let Some(n) = st["prefetch_count"].as_u64() {
                        h.qos(conn, 1, n as u32);
                    }
                    h.consume(conn, 1, st["queue"].as_str().unwrap(), name, st["auto_ack"].as_bool().unwrap()).unwrap();
                    consumers.push((name.to_string(), conn, st["ack"].as_str().unwrap().to_string(), Vec::new()));
                }
                "publish_batch" => {
                    for b in st["bodies"].as_array().unwrap() {
                        h.publish(
                            p,
                            1,
                            Pub::to(st["exchange"].as_str().unwrap(), st["routing_key"].as_str().unwrap(), b.as_str().unwrap()),
                        )
                        .unwrap();
                    }
                }
                "wait_until_all_delivered_then_settle_ms" => h.wait_ms(st["ms"].as_u64().unwrap()),
                other => panic!("{other}"),
            }
            settle(&mut h, &mut consumers);
        }
        let ready = h.passive(p, 1, "Q").unwrap().0;
        let per: Vec<(String, Vec<Got>)> = consumers.into_iter().map(|(n, _, _, g)| (n, g)).collect();
        assert_eq!(outcome(&per, ready), c["observed"]);
    }

    /// The case as a scenario, run by warren's own clients: consumers with the case's ack
    /// mode, prefetch and work time, attaching in registration order (100 ms apart after a
    /// backlog, as observed), and a producer publishing the batch at once.
    fn scenario_yaml(c: &Value) -> String {
        let backlog = c["setup"]["backlog_published_before_consumers"].as_bool().unwrap();
        let mut y = format!("name: {}\nseed: 1\nqueues:\n  - name: Q\nconsumers:\n", c["case"].as_str().unwrap());
        let mut bodies = Vec::new();
        let mut i = 0;
        for st in c["steps"].as_array().unwrap() {
            match st["op"].as_str().unwrap() {
                "basic_consume" => {
                    i += 1;
                    let ack = match (st["auto_ack"].as_bool().unwrap(), st["ack"].as_str().unwrap()) {
                        (true, _) => "auto",
                        (false, "after work") => "manual",
                        (false, "never") => "forget",
                        other => panic!("{other:?}"),
                    };
                    let start = if backlog { 100 * i } else { 10 * (i - 1) };
                    y += &format!(
                        "  - {{ name: {}, queue: Q, ack: {ack}, prefetch: {}, work: {}ms, start: {start}ms }}\n",
                        st["consumer"].as_str().unwrap(),
                        st["prefetch_count"].as_u64().unwrap_or(0),
                        st["work_ms"].as_u64().unwrap(),
                    );
                }
                "publish_batch" => bodies = st["bodies"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_string()).collect(),
                "wait_until_all_delivered_then_settle_ms" => {}
                other => panic!("{other}"),
            }
        }
        assert!(bodies.iter().enumerate().all(|(k, b)| *b == format!("m{}", k + 1)));
        let at = if backlog { 0 } else { 100 };
        y += &format!(
            "producers:\n  - name: P\n    publish:\n      - {{ at: {at}ms, key: Q, body: \"m{{n}}\", count: {} }}\n",
            bodies.len()
        );
        y
    }

    fn scenario_case(name: &str) {
        let c = case(FILE, name);
        let yaml = scenario_yaml(&c);
        let sc = Scenario::from_str(&yaml, &format!("{name}.yaml")).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let mut s = Session::new(Arc::new(sc), true);
        s.run().expect("the scenario runs to its end");
        let w = &s.world;
        let names: Vec<String> = c["setup"]["consumers_in_registration_order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect();
        let mut per: Vec<(String, Vec<Got>)> = names.iter().map(|n| (n.clone(), Vec::new())).collect();
        for r in s.trace.records() {
            if let Record::Delivered { client, msg, redelivered, tag, .. } = r.rec {
                let who = w.client_name(client).to_string();
                let body = w.msgs.get(msg).body.render(&w.names).into_owned();
                let slot = per.iter_mut().find(|(n, _)| *n == who).unwrap_or_else(|| panic!("delivery to {who}"));
                slot.1.push(Got { ch: 1, tag, redelivered, msg, body, remaining: None, consumer: None });
            }
        }
        let q = w.names.lookup("Q").and_then(|s| w.broker.queue_by_name(s)).expect("Q");
        let ready = w.broker.queue(q).unwrap().ready_len();
        assert_eq!(outcome(&per, ready), c["observed"], "scenario:\n{yaml}");
    }

    #[test]
    fn rr_3_consumers_manual_ack_no_prefetch() {
        engine_case("rr_3_consumers_manual_ack_no_prefetch");
        scenario_case("rr_3_consumers_manual_ack_no_prefetch");
    }

    #[test]
    fn rr_3_consumers_auto_ack() {
        engine_case("rr_3_consumers_auto_ack");
        scenario_case("rr_3_consumers_auto_ack");
    }

    #[test]
    fn rr_3_consumers_never_ack_no_prefetch() {
        engine_case("rr_3_consumers_never_ack_no_prefetch");
        scenario_case("rr_3_consumers_never_ack_no_prefetch");
    }

    #[test]
    fn rr_3_consumers_prefetch1_never_ack() {
        engine_case("rr_3_consumers_prefetch1_never_ack");
        scenario_case("rr_3_consumers_prefetch1_never_ack");
    }

    #[test]
    fn backlog_then_consumers_no_prefetch() {
        engine_case("backlog_then_consumers_no_prefetch");
        scenario_case("backlog_then_consumers_no_prefetch");
    }

    #[test]
    fn backlog_then_consumers_prefetch1_slow() {
        scenario_case("backlog_then_consumers_prefetch1_slow");
    }

    #[test]
    fn work_times_no_prefetch() {
        scenario_case("work_times_no_prefetch");
    }

    #[test]
    fn work_times_prefetch1() {
        scenario_case("work_times_prefetch1");
    }
}

// =====================================================================================
mod durability_restart {
    use super::*;

    const FILE: &str = "durability_restart.json";
    pub const CASES: &[&str] = &["durability_across_graceful_restart"];

    /// `rabbitmqctl stop` is a graceful stop: `crash(graceful)`, then `restart` 5 s later.
    #[test]
    fn durability_across_graceful_restart() {
        let c = case(FILE, "durability_across_graceful_restart");
        let s = &c["setup"];
        let mut h = Harness::new();
        let admin = h.connect();
        let queues: Vec<(String, Value)> = s["queues"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        for (q, o) in &queues {
            let o = QOpts {
                durable: o["durable"].as_bool().unwrap_or(false),
                auto_delete: o["auto_delete"].as_bool().unwrap_or(false),
                ..Default::default()
            };
            h.queue_decl(admin, 1, q, o).unwrap();
        }
        let exchanges: Vec<(String, Value)> = s["exchanges"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        for (x, o) in &exchanges {
            h.declare_exchange(admin, 1, x, o["type"].as_str().unwrap(), o["durable"].as_bool().unwrap()).unwrap();
        }
        for b in s["bindings"].as_array().unwrap() {
            h.bind(admin, 1, b["queue"].as_str().unwrap(), b["exchange"].as_str().unwrap(), b["binding_key"].as_str().unwrap()).unwrap();
        }
        assert_eq!(s["publisher_confirms"], true);
        let p = h.connect();
        h.call(p, 1, Op::ConfirmSelect).unwrap();
        h.take(p);
        let messages = s["messages"].as_array().unwrap();
        for m in messages {
            let persistent = m["delivery_mode"] == 2;
            h.publish(p, 1, Pub::to_queue(m["queue"].as_str().unwrap(), m["body"].as_str().unwrap()).persistent(persistent)).unwrap();
        }
        h.wait_ms(500); // persistent messages are confirmed at the next disk sync
        let acked: u32 = h
            .take(p)
            .iter()
            .map(|f| match f {
                Frame::Ack { seq, multiple: true, .. } => *seq,
                Frame::Ack { .. } => 1,
                other => panic!("{other:?}"),
            })
            .max()
            .unwrap_or(0);
        assert_eq!(acked as usize, messages.len(), "every publish confirmed before the stop");
        // A consumer on DU holds u1 and u2 (prefetch 2, no ack); one on AD holds a1.
        let du = h.connect();
        h.qos(du, 1, 2);
        h.consume(du, 1, "DU", "du", false).unwrap();
        let held = h.deliveries(du);
        let ad = h.connect();
        h.consume(ad, 1, "AD", "ad", false).unwrap();
        assert_eq!(h.deliveries(ad).len(), 1);
        h.crash(true);
        h.wait_ms(5000);
        h.restart();
        let conn = h.connect();
        let mut exist = Map::new();
        let mut contents = Map::new();
        for (q, _) in &queues {
            let e = h.exists(q);
            exist.insert(q.clone(), json!(e));
            if e {
                let got: Vec<Value> = h
                    .drain_full(conn, 1, q)
                    .iter()
                    .map(|g| json!({"body": g.body, "redelivered": g.redelivered, "delivery_mode": if h.d.msgs.props_of(g.msg).persistent { 2 } else { 1 }}))
                    .collect();
                contents.insert(q.clone(), json!(got));
            }
        }
        let mut xs = Map::new();
        for (x, o) in &exchanges {
            let t = h.connect();
            let ok = h.exchange_decl(t, 1, x, o["type"].as_str().unwrap(), true, true).is_ok();
            xs.insert(x.clone(), json!(ok));
        }
        h.publish(conn, 1, Pub::to("DX", "k", "via-dx")).unwrap();
        let via = h.drain(conn, 1, "DQ");
        let model = json!({
            "held_unacked_before_restart": shorts(&held),
            "queues_exist_after": exist,
            "exchanges_exist_after": xs,
            "contents_after": contents,
            "binding_DX_k_DQ_works_after": via == ["via-dx"],
        });
        assert_eq!(model, c["observed"]);
        // Why each missing message is missing.
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Lost { why: LostWhy::Transient, .. })), ["t1", "t2"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Lost { why: LostWhy::QueueNotDurable, .. })), ["p3"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Lost { why: LostWhy::QueueDeleted, .. })), ["a1"]);
        assert_eq!(h.bodies_of(|r| matches!(r, Record::Requeued { why: RequeueWhy::BrokerStopping, .. })), ["u1", "u2", "a1"]);
        let gone: Vec<QueueGone> =
            h.records.iter().filter_map(|r| if let Record::QueueDeleted { why, .. } = r { Some(*why) } else { None }).collect();
        assert_eq!(gone, [QueueGone::AutoDelete, QueueGone::BrokerDown]);
        assert!(h.records.iter().any(|r| matches!(r, Record::BrokerDown { graceful: true })));
    }
}

// =====================================================================================
mod rpc {
    use super::*;

    const FILE: &str = "rpc.json";
    pub const CASES: &[&str] = &[
        "classic_rpc_exclusive_callback_queue",
        "direct_reply_to_pseudo_queue",
        "direct_reply_to_misuse",
        "reply_to_nonexistent_queue_mandatory_false",
        "reply_to_nonexistent_queue_mandatory_true",
    ];

    const REPLY_TO: &str = "amq.rabbitmq.reply-to";

    /// Opaque names written the way the observations write them.
    fn shape(name: &str) -> String {
        let gen = name
            .strip_prefix("amq.gen-")
            .is_some_and(|r| r.len() == 22 && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
        if gen {
            "amq.gen-<22 chars>".into()
        } else if name.strip_prefix("amq.rabbitmq.reply-to.").is_some_and(|r| !r.is_empty()) {
            "amq.rabbitmq.reply-to.<opaque>".into()
        } else {
            name.into()
        }
    }

    /// The RPC server: consumes RPC_Q, answers each request with `reply:<body>` to its
    /// reply_to (same correlation id) through the default exchange, then acks.
    struct Server {
        conn: ConnId,
        /// (request, reply) pairs.
        handled: Vec<(MsgId, MsgId)>,
    }

    impl Server {
        fn start(h: &mut Harness) -> Server {
            let conn = h.connect();
            h.queue(conn, 1, "RPC_Q");
            h.consume(conn, 1, "RPC_Q", "server", false).unwrap();
            Server { conn, handled: Vec::new() }
        }

        fn serve(&mut self, h: &mut Harness, mandatory: bool) {
            for g in h.deliveries(self.conn) {
                let req = h.d.msgs.props_of(g.msg).clone();
                let mut p = Pub::to("", &h.text(req.reply_to.expect("reply_to")), &format!("reply:{}", g.body));
                p.correlation_id = req.correlation_id.map(|c| h.text(c));
                p.mandatory = mandatory;
                let reply = h.publish(self.conn, 1, p).expect("the reply is published");
                h.ack(self.conn, 1, g.tag, false).unwrap();
                self.handled.push((g.msg, reply));
            }
        }

        fn saw(&self, h: &Harness) -> Value {
            json!(self
                .handled
                .iter()
                .map(|(req, _)| {
                    let p = h.d.msgs.props_of(*req);
                    json!({"body": h.body(*req), "correlation_id": h.text(p.correlation_id.unwrap()), "reply_to": shape(&h.text(p.reply_to.unwrap()))})
                })
                .collect::<Vec<_>>())
        }
    }

    fn request(h: &mut Harness, conn: ConnId, st: &Value, reply_to: &str) {
        let mut p = Pub::to("", st["routing_key"].as_str().unwrap(), st["body"].as_str().unwrap());
        p.correlation_id = Some(st["correlation_id"].as_str().unwrap().into());
        p.reply_to = Some(reply_to.into());
        h.publish(conn, 1, p).unwrap();
    }

    #[test]
    fn classic_rpc_exclusive_callback_queue() {
        let c = case(FILE, "classic_rpc_exclusive_callback_queue");
        let mut h = Harness::new();
        let mut server = Server::start(&mut h);
        let cli = h.connect();
        let (callback, _, _) = h.queue_decl(cli, 1, "", QOpts { exclusive: true, ..Default::default() }).unwrap();
        h.consume(cli, 1, &callback, "client", true).unwrap();
        for st in c["steps"].as_array().unwrap() {
            assert_eq!(st["reply_to"], "<callback queue>");
            request(&mut h, cli, st, &callback);
            server.serve(&mut h, false);
        }
        let replies = h.deliveries(cli);
        let mut all_match = replies.len() == server.handled.len();
        let client_replies: Vec<Value> = replies
            .iter()
            .map(|g| {
                let p = h.d.msgs.props_of(g.msg);
                let corr = h.text(p.correlation_id.unwrap());
                let req = server.handled.iter().find(|(_, reply)| *reply == g.msg).expect("a reply the server sent").0;
                all_match &= h.d.msgs.props_of(req).correlation_id == p.correlation_id;
                json!({"body": g.body, "correlation_id": corr, "exchange": h.text(p.exchange), "routing_key_is_callback_queue": h.text(p.routing_key) == callback, "redelivered": g.redelivered})
            })
            .collect();
        let model = json!({"server_saw": server.saw(&h), "client_replies": client_replies, "all_correlation_ids_match": all_match});
        assert_eq!(model, c["observed"]);
    }

    #[test]
    fn direct_reply_to_pseudo_queue() {
        let c = case(FILE, "direct_reply_to_pseudo_queue");
        let mut h = Harness::new();
        let mut server = Server::start(&mut h);
        let cli = h.connect();
        h.consume(cli, 1, REPLY_TO, "replies", true).unwrap();
        for st in c["steps"].as_array().unwrap().iter().filter(|s| s["op"] == "publish") {
            assert_eq!(st["reply_to"], REPLY_TO);
            request(&mut h, cli, st, REPLY_TO);
            server.serve(&mut h, false);
        }
        let client_replies: Vec<Value> = h
            .deliveries(cli)
            .iter()
            .map(|g| {
                let p = h.d.msgs.props_of(g.msg);
                json!({"body": g.body, "correlation_id": h.text(p.correlation_id.unwrap()), "exchange": h.text(p.exchange), "routing_key": shape(&h.text(p.routing_key)), "redelivered": g.redelivered, "delivery_tag": g.tag})
            })
            .collect();
        let passive = h.passive(cli, 1, REPLY_TO);
        let passive = json!({"error": err_json(passive.clone()), "message_count": passive.as_ref().unwrap().0, "consumer_count": passive.as_ref().unwrap().1});
        // The requester goes away; a (mandatory) reply to its first request comes back.
        let first_reply_to = h.text(h.d.msgs.props_of(server.handled[0].0).reply_to.unwrap());
        h.close_connection(cli);
        let late = h.publish(server.conn, 1, Pub::to("", &first_reply_to, "late").mandatory());
        let returns: Vec<Value> = h.returns(server.conn).into_iter().map(|(code, m)| h.return_json(code, m, false)).collect();
        let model = json!({
            "server_saw": server.saw(&h),
            "client_replies": client_replies,
            "passive_declare_pseudo_queue": passive,
            "reply_after_client_gone": {"error": err_json(late), "basic_return": returns},
        });
        assert_eq!(model, c["observed"]);
    }

    #[test]
    fn direct_reply_to_misuse() {
        let c = case(FILE, "direct_reply_to_misuse");
        let mut h = Harness::new();
        let outcome = |h: &mut Harness, conn: ConnId, r: Result<(), Closed>| {
            let returns: Vec<Value> = h.returns(conn).into_iter().map(|(code, m)| h.return_json(code, m, false)).collect();
            json!({"error": err_json(r), "basic_return": returns})
        };
        let a = h.connect();
        let r = h.consume(a, 1, REPLY_TO, "replies", false).map(|_| ());
        let consume = outcome(&mut h, a, r);
        let b = h.connect();
        let mut p = Pub::to_queue("RPC_Q", "q");
        p.reply_to = Some(REPLY_TO.into());
        let r = h.publish(b, 1, p).map(|_| ());
        let publish = outcome(&mut h, b, r);
        let d = h.connect();
        let r = h.publish(d, 1, Pub::to("", "amq.rabbitmq.reply-to.bogus", "q").mandatory()).map(|_| ());
        let bogus = outcome(&mut h, d, r);
        let model = json!({
            "consume_without_auto_ack": consume,
            "publish_with_reply_to_before_consuming": publish,
            "publish_to_bogus_reply_to_name_mandatory": bogus,
        });
        assert_eq!(model, c["observed"]);
    }

    fn reply_to_missing(name: &str) {
        let c = case(FILE, name);
        let mandatory = c["setup"]["server_reply_mandatory"].as_bool().unwrap();
        let mut h = Harness::new();
        let mut server = Server::start(&mut h);
        let cli = h.connect();
        let st = &c["steps"][0];
        let missing = st["reply_to"].as_str().unwrap();
        request(&mut h, cli, st, missing);
        server.serve(&mut h, mandatory);
        let returns: Vec<Value> = h
            .returns(server.conn)
            .into_iter()
            .map(|(code, m)| {
                let mut r = h.return_json(code, m, true);
                if r["routing_key"] == missing {
                    r["routing_key"] = json!("<missing>");
                }
                r
            })
            .collect();
        let model = json!({
            "server_handled_requests": server.handled.len(),
            "server_channel_open_after_reply": h.passive(server.conn, 1, "RPC_Q").is_ok(),
            "server_basic_returns": returns,
        });
        assert_eq!(model, c["observed"]);
        let unroutable = h.records.iter().filter(|r| matches!(r, Record::Unroutable { returned, .. } if *returned == mandatory)).count();
        assert_eq!(unroutable, 1, "the reply is unroutable, returned only when mandatory");
    }

    #[test]
    fn reply_to_nonexistent_queue_mandatory_false() {
        reply_to_missing("reply_to_nonexistent_queue_mandatory_false");
    }

    #[test]
    fn reply_to_nonexistent_queue_mandatory_true() {
        reply_to_missing("reply_to_nonexistent_queue_mandatory_true");
    }
}

// =====================================================================================
mod publisher_confirms {
    use super::*;

    const FILE: &str = "publisher_confirms.json";
    pub const CASES: &[&str] = &["blocking_channel_confirm_outcomes", "raw_confirm_frames", "confirm_and_tx_modes_are_exclusive"];

    /// Q1, Q2, QFULL (max length 1, reject-publish, one message in it), FANOUT_EMPTY, and
    /// FANOUT_Q2_QFULL bound to Q2 and QFULL. Returns (admin, publisher in confirm mode).
    fn setup(h: &mut Harness, c: &Value) -> (ConnId, ConnId) {
        let s = &c["setup"];
        let admin = h.connect();
        for (q, o) in s["queues"].as_object().unwrap() {
            let mut args = o.clone();
            let prefill = args.as_object_mut().unwrap().remove("prefilled").and_then(|v| v.as_u64()).unwrap_or(0);
            let args = queue_args(h, &args);
            h.queue_decl(admin, 1, q, QOpts { args, ..Default::default() }).unwrap();
            for i in 0..prefill {
                h.publish(admin, 1, Pub::to_queue(q, &format!("prefill{i}"))).unwrap();
            }
        }
        h.declare_exchange(admin, 1, "FANOUT_EMPTY", "fanout", false).unwrap();
        h.declare_exchange(admin, 1, "FANOUT_Q2_QFULL", "fanout", false).unwrap();
        h.bind(admin, 1, "Q2", "FANOUT_Q2_QFULL", "").unwrap();
        h.bind(admin, 1, "QFULL", "FANOUT_Q2_QFULL", "").unwrap();
        let p = h.connect();
        h.take(p);
        h.call(p, 1, Op::ConfirmSelect).unwrap();
        (admin, p)
    }

    fn publish_step(h: &mut Harness, p: ConnId, st: &Value) -> Result<MsgId, Closed> {
        let mut m = Pub::to(st["exchange"].as_str().unwrap(), st["routing_key"].as_str().unwrap(), st["label"].as_str().unwrap());
        m.mandatory = st["mandatory"].as_bool().unwrap();
        h.publish(p, 1, m)
    }

    fn counts(h: &mut Harness, admin: ConnId, c: &Value) -> Value {
        let mut m = Map::new();
        for q in c["observed"]["queue_message_counts_at_end"].as_object().unwrap().keys() {
            m.insert(q.clone(), json!(h.passive(admin, 1, q).unwrap().0));
        }
        Value::Object(m)
    }

    /// What pika's BlockingChannel.basic_publish reports: ack, UnroutableError (returned,
    /// then acked), or NackError.
    #[test]
    fn blocking_channel_confirm_outcomes() {
        let c = case(FILE, "blocking_channel_confirm_outcomes");
        let mut h = Harness::new();
        let (admin, p) = setup(&mut h, &c);
        h.take(p);
        let mut per = Vec::new();
        let mut missing = Value::Null;
        for (i, st) in c["steps"].as_array().unwrap().iter().enumerate() {
            if st["op"] != "publish" {
                assert_eq!(st["op"], "publish to NO_SUCH_EXCHANGE");
                let e =
                    publish_step(&mut h, p, &json!({"exchange": "NO_SUCH_EXCHANGE", "routing_key": "", "label": "x", "mandatory": false}))
                        .unwrap_err();
                missing = e.to_json();
                missing["pika_outcome"] = json!("ChannelClosedByBroker");
                continue;
            }
            publish_step(&mut h, p, st).unwrap();
            h.wait_ms(st["spacing_ms"].as_u64().unwrap());
            let frames = h.take(p);
            let seq = i as u32 + 1;
            let returned: Vec<Value> = frames
                .iter()
                .filter_map(|f| match f {
                    Frame::Return { msg, code, .. } => Some(json!({"reply_code": code, "reply_text": "NO_ROUTE", "body": h.body(*msg)})),
                    _ => None,
                })
                .collect();
            let confirms: Vec<&Frame> = frames.iter().filter(|f| matches!(f, Frame::Ack { .. } | Frame::Nack { .. })).collect();
            assert_eq!(confirms.len(), 1, "one confirm per publish: {frames:?}");
            let mut r =
                json!({"label": st["label"], "exchange": st["exchange"], "routing_key": st["routing_key"], "mandatory": st["mandatory"]});
            match confirms[0] {
                Frame::Nack { seq: s, .. } => {
                    assert_eq!(*s, seq);
                    r["pika_outcome"] = json!("NackError");
                    r["nacked_count"] = json!(returned.len());
                }
                Frame::Ack { seq: s, .. } if !returned.is_empty() => {
                    assert_eq!(*s, seq);
                    r["pika_outcome"] = json!("UnroutableError");
                    r["returned"] = json!(returned);
                }
                Frame::Ack { seq: s, .. } => {
                    assert_eq!(*s, seq);
                    r["pika_outcome"] = json!("ack");
                }
                _ => unreachable!(),
            }
            per.push(r);
        }
        let model =
            json!({"per_publish": per, "publish_to_missing_exchange": missing, "queue_message_counts_at_end": counts(&mut h, admin, &c)});
        assert_eq!(model, c["observed"]);
    }

    /// The frames themselves, in order: a return before its ack; a single nack has
    /// `multiple` set (nothing below it is unconfirmed), a single ack does not.
    #[test]
    fn raw_confirm_frames() {
        let c = case(FILE, "raw_confirm_frames");
        let setup_from = case(FILE, "blocking_channel_confirm_outcomes");
        assert_eq!(c["setup"]["same as"], "blocking_channel_confirm_outcomes");
        let mut h = Harness::new();
        let (admin, p) = setup(&mut h, &setup_from);
        let mut error = Value::Null;
        for st in c["steps"].as_array().unwrap() {
            if let Err(e) = publish_step(&mut h, p, st) {
                error = e.to_json();
            }
            h.wait_ms(100);
        }
        let frames: Vec<Value> = h
            .take(p)
            .iter()
            .map(|f| match f {
                Frame::SelectOk { .. } => json!({"frame": "confirm.select-ok"}),
                Frame::Ack { seq, multiple, .. } => json!({"frame": "basic.ack", "delivery_tag": seq, "multiple": multiple}),
                Frame::Nack { seq, multiple, .. } => json!({"frame": "basic.nack", "delivery_tag": seq, "multiple": multiple}),
                Frame::Return { msg, code, .. } => {
                    json!({"frame": "basic.return", "reply_code": code, "reply_text": "NO_ROUTE", "body": h.body(*msg)})
                }
                other => panic!("{other:?}"),
            })
            .collect();
        let model = json!({"frames_in_order": frames, "error": error, "queue_message_counts_at_end": counts(&mut h, admin, &c)});
        assert_eq!(model, c["observed"]);
        // The trace's confirm records say what the frames said.
        let recorded: Vec<Value> = h
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Confirm { seq, multiple, ack, .. } => {
                    Some(json!({"frame": if *ack { "basic.ack" } else { "basic.nack" }, "delivery_tag": seq, "multiple": multiple}))
                }
                _ => None,
            })
            .collect();
        let framed: Vec<&Value> =
            c["observed"]["frames_in_order"].as_array().unwrap().iter().filter(|f| f.get("delivery_tag").is_some()).collect();
        assert_eq!(recorded.iter().collect::<Vec<_>>(), framed);
    }

    #[test]
    fn confirm_and_tx_modes_are_exclusive() {
        let c = case(FILE, "confirm_and_tx_modes_are_exclusive");
        let mut h = Harness::new();
        let a = h.connect();
        h.call(a, 1, Op::TxSelect).unwrap();
        let tx_then_confirm = err_json(h.call(a, 1, Op::ConfirmSelect));
        let b = h.connect();
        h.call(b, 1, Op::ConfirmSelect).unwrap();
        let confirm_then_tx = err_json(h.call(b, 1, Op::TxSelect));
        let model = json!({"tx_then_confirm": {"error": tx_then_confirm}, "confirm_then_tx": {"error": confirm_then_tx}});
        assert_eq!(model, c["observed"]);
    }
}
