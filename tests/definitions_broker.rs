//! Definitions both ways against a real RabbitMQ 3.10 (`.ci/rabbitmq`), each test in a vhost
//! of its own, deleted afterwards:
//!
//! 1. a topology with policies and an operator policy is declared on the broker, exported
//!    with `rabbitmqctl export_definitions`, imported with `warren import definitions`; the
//!    scenario must have the broker's queues (with the policy RabbitMQ applied to each),
//!    exchanges and bindings, and with a producer added, `warren diff` must find warren and
//!    the broker agree on what the effective limits kept;
//! 2. `warren export definitions` of bundled scenarios (and one with an internal
//!    exchange, an exchange-to-exchange binding and an alternate exchange) is loaded with
//!    `rabbitmqctl import_definitions`; the broker must then list the same topology.
//!
//! It needs the broker on 127.0.0.1:5672, `rabbitmqctl` and Python 3 with pika. With
//! `WARREN_REQUIRE_BROKER` or `CI` set (as `.ci/run` does) a missing one is a failure;
//! otherwise the tests say why they skip.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn required() -> bool {
    ["WARREN_REQUIRE_BROKER", "CI"].iter().any(|v| std::env::var(v).is_ok_and(|s| !s.is_empty() && s != "0" && s != "false"))
}

/// `rabbitmqctl ARGS`, reaching the node `.ci/rabbitmq` starts (rabbit@localhost, loopback).
fn ctl(args: &[&str]) -> Result<String, String> {
    let mut c = Command::new("rabbitmqctl");
    for (k, v) in [
        ("RABBITMQ_NODENAME", "rabbit@localhost"),
        ("ERL_EPMD_ADDRESS", "127.0.0.1"),
        ("RABBITMQ_CTL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"),
    ] {
        if std::env::var_os(k).is_none() {
            c.env(k, v);
        }
    }
    let out =
        c.arg("-q").args(args).current_dir(std::env::temp_dir()).stdin(Stdio::null()).output().map_err(|e| format!("rabbitmqctl: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("rabbitmqctl {}: {}{}", args.join(" "), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// `rabbitmqctl export_definitions -`: the whole broker's definitions. Tried again a few
/// times: on a broker shared with other runs, a vhost deleted while the export walks the
/// vhosts fails it.
fn export_all() -> String {
    let mut last = String::new();
    for _ in 0..5 {
        match ctl(&["export_definitions", "-"]) {
            Ok(json) if serde_json::from_str::<Value>(&json).is_ok() => return json,
            Ok(other) => last = format!("not JSON: {}", other.chars().take(300).collect::<String>()),
            Err(e) => last = e,
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    panic!("rabbitmqctl export_definitions failed five times; the last: {last}");
}

/// The two tests take turns: one deletes vhosts while the other exports the broker.
static BROKER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Whether the broker, rabbitmqctl and pika are here; fails when they must be.
fn ready(test: &str) -> bool {
    let broker = warren::cli::diff::reachable("127.0.0.1", 5672);
    let why = if !broker {
        Some(format!("no RabbitMQ broker on 127.0.0.1:5672 ({})", warren::cli::diff::START_A_BROKER))
    } else if let Err(e) = ctl(&["list_vhosts"]) {
        Some(format!("rabbitmqctl does not reach the node: {e}"))
    } else if !Command::new("python3").args(["-c", "import pika"]).output().is_ok_and(|o| o.status.success()) {
        Some("python3 has no pika (`pip install pika`)".to_string())
    } else {
        None
    };
    match why {
        None => true,
        Some(why) => {
            assert!(!required(), "WARREN_REQUIRE_BROKER (or CI) is set but {why}");
            eprintln!("SKIPPED: {test}: {why}");
            false
        }
    }
}

/// A vhost of the test's own, with guest allowed in; deleted when dropped.
struct Vhost(String);

impl Vhost {
    fn new(tag: &str) -> Vhost {
        let name = format!("warren-test-{tag}-{}", std::process::id());
        let _ = ctl(&["delete_vhost", &name]);
        ctl(&["add_vhost", &name]).unwrap();
        ctl(&["set_permissions", "-p", &name, "guest", ".*", ".*", ".*"]).unwrap();
        Vhost(name)
    }

    /// A name for a vhost that `rabbitmqctl import_definitions` creates; deleted when dropped.
    fn imported(tag: &str) -> Vhost {
        let name = format!("warren-test-{tag}-{}", std::process::id());
        let _ = ctl(&["delete_vhost", &name]);
        Vhost(name)
    }
}

impl Drop for Vhost {
    fn drop(&mut self) {
        if let Err(e) = ctl(&["delete_vhost", &self.0]) {
            eprintln!("could not delete vhost {}: {e}", self.0);
        }
    }
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("warren-definitions-broker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A JSON value as text, object keys sorted (the broker's order is not the file's).
fn canon(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let sorted: std::collections::BTreeMap<&String, String> = o.iter().map(|(k, v)| (k, canon(v))).collect();
            let inner: Vec<String> = sorted.iter().map(|(k, v)| format!("{}:{v}", Value::from(k.as_str()))).collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canon).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// Rows of a `rabbitmqctl list_*` table (header dropped).
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split('\t').map(str::to_string).collect()).collect()
}

const DECLARE: &str = r#"
import pika, sys
c = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', virtual_host=sys.argv[1]))
ch = c.channel()
ch.exchange_declare('orders', 'topic', durable=True)
ch.exchange_declare('dead', 'fanout', durable=True)
ch.exchange_declare('hdr', 'headers', auto_delete=True)
ch.exchange_declare('unrouted', 'fanout', durable=True)
ch.exchange_declare('front', 'direct', durable=True, arguments={'alternate-exchange': 'unrouted'})
ch.queue_declare('orders.eu', durable=True, arguments={'x-max-length': 100, 'x-overflow': 'reject-publish'})
ch.queue_declare('orders.us', durable=True, arguments={'x-message-ttl': 50000})
ch.queue_declare('dead-letters', durable=True)
ch.queue_declare('lazy-one', auto_delete=True, arguments={'x-queue-mode': 'lazy'})
ch.queue_declare('odd name # with: yaml', durable=True)
ch.queue_declare('prio', durable=True, arguments={'x-max-priority': 5})
ch.queue_bind('orders.eu', 'orders', 'eu.*')
ch.queue_bind('orders.us', 'orders', 'us.#')
ch.queue_bind('orders.eu', 'amq.topic', 'x.#')
ch.queue_bind('dead-letters', 'dead', '')
ch.queue_bind('lazy-one', 'hdr', '', arguments={'x-match': 'any', 'kind': 'a', 'n': 3})
ch.queue_bind('odd name # with: yaml', 'front', 'k')
c.close()
"#;

/// A producer for the imported scenario: enough messages that every length limit bites.
const PRODUCER: &str = r#"
until: 2s
producers:
  - name: producer
    publish:
      - { at: 100ms, exchange: orders, key: eu.paris, body: "eu {n}", count: 60 }
      - { at: 200ms, exchange: orders, key: us.nyc, body: "us {n}", count: 12 }
      - { at: 300ms, exchange: front, key: k, body: "odd {n}", count: 2 }
      - { at: 300ms, exchange: front, key: nowhere, body: "unrouted {n}" }
"#;

#[test]
fn a_broker_export_imports_into_the_broker_topology_and_diff_agrees() {
    let _turn = BROKER.lock().unwrap_or_else(|e| e.into_inner());
    if !ready("definitions: broker → warren") {
        return;
    }
    let v = Vhost::new("import");
    let py = Command::new("python3").args(["-c", DECLARE, &v.0]).output().unwrap();
    assert!(py.status.success(), "declaring the topology: {}", String::from_utf8_lossy(&py.stderr));
    let policy = |name: &str, prio: &str, apply: &str, pattern: &str, def: &str| {
        ctl(&["set_policy", "-p", &v.0, "--priority", prio, "--apply-to", apply, name, pattern, def]).unwrap();
    };
    policy("everything", "0", "all", ".*", r#"{"expires":3600000,"queue-mode":"lazy"}"#);
    policy(
        "orders-limits",
        "1",
        "queues",
        r"^orders\.",
        r#"{"max-length":50,"message-ttl":60000,"dead-letter-exchange":"dead","overflow":"drop-head"}"#,
    );
    policy("us-short", "2", "queues", r"\.us$", r#"{"max-length":7}"#);
    policy("ae", "5", "exchanges", "^front$", r#"{"alternate-exchange":"dead"}"#);
    ctl(&["set_operator_policy", "-p", &v.0, "--priority", "0", "--apply-to", "queues", "cap", r"^orders\.eu$", r#"{"max-length":40}"#])
        .unwrap();

    let defs = tmp("broker-export.json");
    let json = export_all();
    std::fs::write(&defs, &json).unwrap();
    let yaml = tmp("imported.yaml");
    let (code, _, err) = warren(&["import", "definitions", defs.to_str().unwrap(), "--vhost", &v.0, "-o", yaml.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let imported = warren::scenario::Scenario::from_str(&text, "imported.yaml").unwrap().def;

    // Queues: the broker's classic queues, each with the policy the broker applied.
    let broker_queues = rows(&ctl(&["list_queues", "-p", &v.0, "name", "durable", "auto_delete", "policy", "type"]).unwrap());
    let classic: Vec<&Vec<String>> = broker_queues.iter().filter(|r| r[4] == "classic").collect();
    let names: BTreeSet<&str> = imported.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, classic.iter().map(|r| r[0].as_str()).collect(), "queues\n{text}");
    let result = warren::definitions::import::import(
        &json,
        &warren::definitions::import::ImportOptions { vhost: v.0.clone(), name: "x".into(), source: "x".into() },
    )
    .unwrap();
    for r in &classic {
        let q = result.queues.iter().find(|q| q.name == r[0]).unwrap();
        assert_eq!((q.durable.to_string(), q.auto_delete.to_string()), (r[1].clone(), r[2].clone()), "{}", r[0]);
        assert_eq!(q.policy.as_deref().unwrap_or(""), r[3], "the policy RabbitMQ applies to {}", r[0]);
    }
    let eu: Vec<(String, Value)> =
        result.queues.iter().find(|q| q.name == "orders.eu").unwrap().arguments.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect();
    assert!(eu.contains(&("x-max-length".into(), json!(40))) && eu.contains(&("x-overflow".into(), json!("reject-publish"))), "{eu:?}");

    // Exchanges and bindings: the broker's own, less the built-in ones.
    let broker_x = rows(&ctl(&["list_exchanges", "-p", &v.0, "name", "type", "durable", "auto_delete", "internal"]).unwrap());
    let want_x: BTreeSet<String> = broker_x
        .iter()
        .filter(|r| !r[0].is_empty() && !r[0].starts_with("amq."))
        .map(|r| format!("{} {} {} {}", r[0], r[1], r[2], r[3]))
        .collect();
    let got_x: BTreeSet<String> =
        imported.exchanges.iter().map(|x| format!("{} {} {} {}", x.name, x.kind, x.durable, x.auto_delete)).collect();
    assert_eq!(got_x, want_x, "exchanges");
    let broker_b =
        rows(&ctl(&["list_bindings", "-p", &v.0, "source_name", "destination_name", "destination_kind", "routing_key"]).unwrap());
    let want_b: BTreeSet<String> =
        broker_b.iter().filter(|r| !r[0].is_empty()).map(|r| format!("{} {} {} {}", r[0], r[1], r[2], r[3])).collect();
    let got_b: BTreeSet<String> = imported
        .bindings
        .iter()
        .map(|b| match (&b.queue, &b.to_exchange) {
            (Some(q), _) => format!("{} {q} queue {}", b.exchange, b.key),
            (_, Some(x)) => format!("{} {x} exchange {}", b.exchange, b.key),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(got_b, want_b, "bindings");

    // With a producer, warren and the broker keep the same messages: the effective limits
    // (40 and reject-publish on orders.eu, 7 and drop-head on orders.us) are RabbitMQ's.
    let with_producer = tmp("imported-with-producer.yaml");
    std::fs::write(&with_producer, format!("{text}{PRODUCER}")).unwrap();
    let (code, out, err) = warren(&["diff", with_producer.to_str().unwrap(), "--vhost", &v.0]);
    assert_eq!(code, 0, "warren diff on the imported scenario:\n{out}{err}");
}

/// A scenario with what the bundled ones lack: an internal exchange, an exchange-to-exchange
/// binding, an alternate exchange, and queues a definitions file cannot hold.
const EXTRA: &str = r#"
name: definitions-extra
exchanges:
  - { name: front, type: direct, durable: true, alternate_exchange: unrouted }
  - { name: unrouted, type: fanout, durable: true }
  - { name: inner, type: fanout, durable: true, internal: true }
  - { name: hx, type: headers }
queues:
  - { name: kept, durable: true, arguments: { x-max-length: 3, x-overflow: reject-publish, x-dead-letter-exchange: unrouted } }
  - { name: lost, durable: true }
  - { name: mine, exclusive: true }
bindings:
  - { exchange: front, to_exchange: inner, key: k }
  - { exchange: inner, queue: kept }
  - { exchange: unrouted, queue: lost }
  - { exchange: hx, queue: kept, arguments: { x-match: any, colour: red, n: 3 } }
  - { exchange: front, queue: mine, key: m }
consumers:
  - { name: owner, queue: mine }
  - { name: private, queue: { bind: [ { exchange: front, key: p } ] } }
"#;

#[test]
fn a_warren_export_loads_into_the_broker_as_the_same_topology() {
    let _turn = BROKER.lock().unwrap_or_else(|e| e.into_inner());
    if !ready("definitions: warren → broker") {
        return;
    }
    // The bundled scenarios with the most varied topologies (every vhost costs the broker
    // seconds; tests/definitions.rs round-trips all of them offline).
    let bundled = ["ttl-and-dead-letters", "headers", "topic-logs", "durability", "rpc"];
    let mut scenarios: Vec<(String, warren::scenario::model::ScenarioFile)> =
        bundled.iter().map(|n| (n.to_string(), warren::scenario::Scenario::load(n).unwrap().def)).collect();
    scenarios.push(("extra".into(), warren::scenario::Scenario::from_str(EXTRA, "extra.yaml").unwrap().def));
    // One file for all, each scenario in a vhost of its own.
    let vhosts: Vec<Vhost> = (0..scenarios.len()).map(|i| Vhost::imported(&format!("export{i}"))).collect();
    let mut all = json!({"rabbit_version": "3.10.8", "vhosts": [], "queues": [], "exchanges": [], "bindings": [], "users": [], "permissions": [], "policies": [], "parameters": [], "global_parameters": [], "topic_permissions": []});
    let mut expected = Vec::new();
    for ((name, def), v) in scenarios.iter().zip(&vhosts) {
        let e = warren::definitions::export::definitions(def, &v.0);
        let one: Value = serde_json::from_str(&e.json).unwrap();
        for k in ["vhosts", "queues", "exchanges", "bindings"] {
            all[k].as_array_mut().unwrap().extend(one[k].as_array().unwrap().iter().cloned());
        }
        expected.push((name.clone(), v.0.clone(), one));
    }
    let file = tmp("warren-export.json");
    std::fs::write(&file, serde_json::to_string_pretty(&all).unwrap()).unwrap();
    ctl(&["import_definitions", file.to_str().unwrap()]).unwrap();
    // The CLI writes the same file as the library, for vhost `/`.
    let (code, out, err) = warren(&["export", "definitions", "ttl-and-dead-letters"]);
    assert_eq!(code, 0, "{err}");
    let cli: Value = serde_json::from_str(&out).unwrap();
    let lib: Value = serde_json::from_str(
        &warren::definitions::export::definitions(&scenarios.iter().find(|s| s.0 == "ttl-and-dead-letters").unwrap().1, "/").json,
    )
    .unwrap();
    assert_eq!(cli, lib);

    let broker: Value = serde_json::from_str(&export_all()).unwrap();
    let of = |v: &Value, k: &str, vhost: &str, fields: &[&str]| -> BTreeSet<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .filter(|x| x["vhost"] == vhost)
            .map(|x| fields.iter().map(|f| canon(&x[*f])).collect::<Vec<_>>().join(" "))
            .collect()
    };
    for (name, vhost, want) in &expected {
        // Queues with their arguments, and bindings with theirs: as the broker exports them.
        let qf = ["name", "durable", "auto_delete", "arguments"];
        assert_eq!(of(&broker, "queues", vhost, &qf), of(want, "queues", vhost, &qf), "{name}: queues");
        let bf = ["source", "destination", "destination_type", "routing_key", "arguments"];
        assert_eq!(of(&broker, "bindings", vhost, &bf), of(want, "bindings", vhost, &bf), "{name}: bindings");
        // Exchanges with their arguments (the alternate exchange): the broker's export leaves
        // internal exchanges out, so those are checked with list_exchanges.
        let xf = ["name", "type", "durable", "auto_delete", "arguments"];
        let mut wanted = want.clone();
        wanted["exchanges"].as_array_mut().unwrap().retain(|x| x["internal"] == false);
        assert_eq!(of(&broker, "exchanges", vhost, &xf), of(&wanted, "exchanges", vhost, &xf), "{name}: exchanges");
        let internal: BTreeSet<String> = want["exchanges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["internal"] == true)
            .map(|x| format!("{} {}", x["name"].as_str().unwrap(), x["type"].as_str().unwrap()))
            .collect();
        if !internal.is_empty() {
            let listed = rows(&ctl(&["list_exchanges", "-p", vhost, "name", "type", "internal"]).unwrap());
            let got: BTreeSet<String> =
                listed.iter().filter(|r| r[2] == "true" && !r[0].starts_with("amq.")).map(|r| format!("{} {}", r[0], r[1])).collect();
            assert_eq!(got, internal, "{name}: internal exchanges");
        }
    }
    let extra = &expected.last().unwrap().2;
    let q: Vec<&str> = extra["queues"].as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(q, ["kept", "lost"], "exclusive and server-named queues are left out");
    let _ = std::fs::remove_dir_all(file.parent().unwrap_or(Path::new(".")));
}
