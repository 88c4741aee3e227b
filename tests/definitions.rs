//! `warren import definitions` and `warren export definitions`, without a broker: a real
//! RabbitMQ 3.10.8 export (tests/definitions/, with policies, an operator policy, a policy
//! tie, a quorum queue and a priority queue) imports into the scenario RabbitMQ's own rules
//! give; hostile files never panic and always give a scenario warren loads; every bundled
//! scenario's topology survives export then import. tests/definitions_broker.rs does the same
//! against a live broker.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::Command;
use warren::definitions::export::definitions;
use warren::definitions::import::{import, ImportOptions, Imported};
use warren::scenario::{bundled, Scenario};

const FIXTURE: &str = include_str!("definitions/rabbitmq-3.10.8-export.json");
const FIXTURE_VHOST: &str = "warren-def-probe";

fn opts(vhost: &str) -> ImportOptions {
    ImportOptions { vhost: vhost.into(), name: "imported".into(), source: "test.json".into() }
}

fn queue<'a>(i: &'a Imported, name: &str) -> &'a warren::definitions::import::QOut {
    i.queues.iter().find(|q| q.name == name).unwrap_or_else(|| panic!("no queue {name}:\n{}", i.yaml))
}

fn args(i: &Imported, name: &str) -> Vec<(String, Value)> {
    queue(i, name).arguments.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect()
}

#[test]
fn a_real_export_imports_with_policies_resolved_as_rabbitmq_does() {
    let i = import(FIXTURE, &opts(FIXTURE_VHOST)).unwrap();
    // orders.eu: x-max-length 100 (argument), 50 (policy orders-limits), 40 (operator
    // policy cap): the lowest; x-overflow: the argument wins over the policy's drop-head.
    assert_eq!(
        args(&i, "orders.eu"),
        vec![
            ("x-dead-letter-exchange".into(), json!("dead")),
            ("x-message-ttl".into(), json!(60000)),
            ("x-max-length".into(), json!(40)),
            ("x-overflow".into(), json!("reject-publish")),
        ]
    );
    // orders.us: orders-tie and orders-limits both match with priority 1; RabbitMQ 3.10.8
    // chose orders-tie (`rabbitmqctl list_queues name policy`, recorded beside the fixture).
    let recorded = include_str!("definitions/rabbitmq-3.10.8-list_queues-policy.tsv");
    for line in recorded.lines().skip(1) {
        let mut cols = line.split('\t');
        let (name, pol) = (cols.next().unwrap(), cols.next().unwrap_or(""));
        if let Some(q) = i.queues.iter().find(|q| q.name == name) {
            assert_eq!(q.policy.as_deref().unwrap_or(""), pol, "policy of {name}");
        }
    }
    assert_eq!(args(&i, "orders.us"), vec![("x-message-ttl".into(), json!(5000)), ("x-max-length".into(), json!(7))]);
    assert!(queue(&i, "orders.us").notes.iter().any(|n| n.contains("same priority")), "the tie is said");
    // Policy `everything` (apply-to all) gives expires and queue-mode to the rest.
    assert_eq!(args(&i, "dead-letters"), vec![("x-expires".into(), json!(3600000)), ("x-queue-mode".into(), json!("lazy"))]);
    // A name that YAML would otherwise cut at `#` or `:` comes back whole.
    assert!(i.scenario.queues.iter().any(|q| q.name == "odd name # with: yaml"));
    // The priority queue keeps x-max-priority; the quorum queue is one, and policy
    // `everything` (with queue-mode, which quorum queues do not support) passes it over, as
    // the recording above shows RabbitMQ did.
    assert!(args(&i, "prio").contains(&("x-max-priority".into(), json!(5))));
    assert_eq!(args(&i, "qq"), vec![("x-queue-type".into(), json!("quorum"))]);
    assert_eq!(queue(&i, "qq").policy, None);
    // The exchange's own alternate-exchange argument wins over policy `ae`.
    let front = i.exchanges.iter().find(|x| x.name == "front").unwrap();
    assert_eq!(front.alternate_exchange.as_deref(), Some("unrouted"));
    // Bindings: headers arguments kept, the built-in amq.topic kept, the internal exchange
    // (left out of RabbitMQ's export) said.
    let hdr = i.scenario.bindings.iter().find(|b| b.exchange == "hdr").unwrap();
    assert_eq!(hdr.arguments.as_ref().map(|m| m.len()), Some(3));
    assert!(i.scenario.bindings.iter().any(|b| b.exchange == "amq.topic" && b.key == "x.#"));
    assert!(i.notes.iter().any(|n| n.contains("internal exchanges")));
    // Users, permissions, other vhosts: skipped with a note.
    for word in ["users", "permissions", "other vhosts"] {
        assert!(i.notes.iter().any(|n| n.contains(word)), "a note on {word}: {:?}", i.notes);
    }
    assert!(!i.yaml.contains("password"), "nothing of the users reaches the scenario");
    // And warren runs it.
    let s = Scenario::from_str(&i.yaml, "imported.yaml").unwrap();
    let mut session = warren::session::Session::new(std::sync::Arc::new(s), true);
    session.run().unwrap();
}

#[test]
fn a_vhost_the_file_lacks_or_a_file_that_is_not_definitions_is_an_error() {
    let e = import(FIXTURE, &opts("nope")).unwrap_err();
    assert!(e.contains("no vhost \"nope\"") && e.contains("warren-def-probe"), "{e}");
    for bad in ["", "[]", "{", "\"text\"", "null"] {
        assert!(import(bad, &opts("/")).is_err(), "{bad:?}");
    }
    // An object with nothing in it names no vhost either.
    assert!(import("{}", &opts("/")).is_err());
    assert!(import(r#"{"vhosts":[{"name":"/"}]}"#, &opts("/")).is_ok());
}

#[test]
fn hostile_names_and_values_are_quoted_or_left_out() {
    let nasty = [
        "a\nb: c",
        "# comment",
        "x\"y\\z",
        "tab\there",
        "nel\u{85}",
        "\u{2028}ls",
        "日本",
        "- item",
        "&anchor",
        "*alias",
        "{flow}",
        "!tag",
        "null",
        "true",
        "123",
    ];
    let mut queues = vec![];
    let mut exchanges = vec![];
    let mut bindings = vec![];
    for n in nasty {
        queues.push(json!({"name": n, "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-message-ttl": 5, "x-weird": [1, {"a": 2}], "x-max-length": -3}}));
        exchanges.push(json!({"name": format!("x{n}"), "vhost": "/", "type": "topic", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}));
        bindings.push(json!({"source": format!("x{n}"), "vhost": "/", "destination": n, "destination_type": "queue", "routing_key": n, "arguments": {"x-match": [1]}}));
    }
    queues.push(json!({"name": "amq.gen-123", "vhost": "/"}));
    queues.push(json!({"name": "y".repeat(300), "vhost": "/"}));
    queues.push(json!({"name": 7, "vhost": "/"}));
    let policies = json!([
        {"name": "bad\nname", "vhost": "/", "pattern": "(", "apply-to": "all", "priority": 1, "definition": {"max-length": 1}},
        {"name": "deep", "vhost": "/", "pattern": "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))", "apply-to": "queues", "priority": 2, "definition": {}},
        {"name": "ok", "vhost": "/", "pattern": "^x", "apply-to": "queues", "priority": "9", "definition": {"dead-letter-exchange": "missing", "dead-letter-routing-key": "k", "overflow": "sideways"}},
    ]);
    let file = json!({"vhosts": [{"name": "/"}], "queues": queues, "exchanges": exchanges, "bindings": bindings, "policies": policies});
    let i = import(&file.to_string(), &opts("/")).unwrap();
    let names: Vec<&str> = i.scenario.queues.iter().map(|q| q.name.as_str()).collect();
    for n in nasty {
        assert!(names.contains(&n), "{n:?} survives as a name: {names:?}\n{}", i.yaml);
        let q = i.scenario.queues.iter().find(|q| q.name == n).unwrap();
        assert_eq!(q.arguments.len(), 1, "only x-message-ttl is kept for {n:?}: {:?}", q.arguments);
    }
    assert!(!names.iter().any(|n| n.starts_with("amq.") || n.len() > 255));
    assert_eq!(i.scenario.bindings.len(), nasty.len(), "topic bindings keep (and drop their arguments)");
    assert!(i.notes.iter().any(|n| n.contains("policy \"bad\\nname\" is not applied")), "{:?}", i.notes);
    // Routing keys come back as written, and a policy named with a newline stays in its
    // comment line (the loader read every other line as YAML).
    let keys: BTreeSet<&str> = i.scenario.bindings.iter().map(|b| b.key.as_str()).collect();
    assert_eq!(keys, nasty.iter().copied().collect::<BTreeSet<_>>());
    assert!(i.yaml.lines().any(|l| l.starts_with("# policy \"bad\\nname\" is not applied")), "{}", i.yaml);
}

#[test]
fn every_bundled_topology_survives_export_then_import() {
    for name in bundled::names() {
        let s = Scenario::load(name).unwrap();
        let e = definitions(&s.def, "/");
        let i = import(&e.json, &opts("/")).unwrap_or_else(|err| panic!("{name}: {err}\n{}", e.json));
        let exported: Value = serde_json::from_str(&e.json).unwrap();
        let q_names: Vec<&str> = exported["queues"].as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
        let got: Vec<&str> = i.queues.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(got, q_names, "{name}: queues");
        for (qj, qo) in exported["queues"].as_array().unwrap().iter().zip(&i.queues) {
            let want: Vec<(String, Value)> = qj["arguments"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let mut have: Vec<(String, Value)> = qo.arguments.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect();
            have.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(have, want, "{name}: arguments of {}", qo.name);
            assert_eq!((qo.durable, qo.auto_delete), (qj["durable"].as_bool().unwrap(), qj["auto_delete"].as_bool().unwrap()));
        }
        let x_names: Vec<&str> = exported["exchanges"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
        assert_eq!(i.exchanges.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(), x_names, "{name}: exchanges");
        assert_eq!(i.bindings.len(), exported["bindings"].as_array().unwrap().len(), "{name}: bindings\n{}", i.yaml);
        // Only what a definitions file cannot hold is missing.
        for q in &s.def.queues {
            assert!(q.exclusive || q_names.contains(&q.name.as_str()), "{name}: queue {} lost", q.name);
        }
    }
}

#[test]
fn the_command_line_both_ways() {
    let dir = std::env::temp_dir().join(format!("warren-definitions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("defs.json");
    let yaml = dir.join("topology.yaml");
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_warren")).args(args).output().unwrap();
    let out = run(&["export", "definitions", "ttl-and-dead-letters", "-o", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["rabbit_version"], "3.10.8");
    assert_eq!(v["vhosts"][0]["name"], "/");
    let out = run(&["import", "definitions", json.to_str().unwrap(), "-o", yaml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["run", yaml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["import", "definitions", json.to_str().unwrap(), "--vhost", "other"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["import", "definitions", dir.join("missing.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("q".to_string()),
        Just("x".to_string()),
        Just("amq.topic".to_string()),
        Just("".to_string()),
        Just("a#b: c\n- d".to_string()),
        "[a-c.#*]{1,4}",
        any::<String>(),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::from),
        (0i64..100).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        name().prop_map(Value::from),
        Just(Value::Null),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map(name(), inner, 0..3).prop_map(|m| json!(m))
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "x-message-ttl",
            "x-expires",
            "x-max-length",
            "x-max-length-bytes",
            "x-overflow",
            "x-dead-letter-exchange",
            "x-dead-letter-routing-key",
            "x-single-active-consumer",
            "x-queue-type",
            "x-queue-mode",
            "x-max-priority",
            "alternate-exchange",
            "message-ttl",
            "max-length",
            "overflow",
            "dead-letter-exchange",
            "dead-letter-routing-key",
            "expires",
            "x-match",
        ])
        .prop_map(str::to_string),
        name(),
    ]
}

fn table() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(key(), value(), 0..4).prop_map(|m| json!(m))
}

fn vhost() -> impl Strategy<Value = Value> {
    prop_oneof![4 => Just(json!("/")), 1 => Just(json!("other")), 1 => Just(Value::Null)]
}

fn definitions_file() -> impl Strategy<Value = Value> {
    let kind = prop::sample::select(vec!["direct", "fanout", "topic", "headers", "x-delayed-message", ""]);
    let q = (name(), vhost(), any::<bool>(), any::<bool>(), table(), prop::option::of(prop::sample::select(vec!["classic", "quorum"])))
        .prop_map(|(n, v, d, a, t, ty)| json!({"name": n, "vhost": v, "durable": d, "auto_delete": a, "arguments": t, "type": ty}));
    let x = (name(), vhost(), kind, any::<bool>(), table())
        .prop_map(|(n, v, k, i, t)| json!({"name": n, "vhost": v, "type": k, "internal": i, "arguments": t}));
    let b = (name(), name(), prop::sample::select(vec!["queue", "exchange", "nope"]), name(), table(), vhost()).prop_map(
        |(s, d, dt, k, t, v)| json!({"source": s, "destination": d, "destination_type": dt, "routing_key": k, "arguments": t, "vhost": v}),
    );
    let pattern =
        prop_oneof![Just("^q".to_string()), Just(".*".to_string()), Just("(".to_string()), Just("".to_string()), "[a-z.*^$|()]{0,6}"];
    let apply = prop::sample::select(vec!["all", "queues", "exchanges", "streams", "classic_queues"]);
    let p = (name(), vhost(), pattern, apply, -2i64..3, table())
        .prop_map(|(n, v, pt, a, pr, d)| json!({"name": n, "vhost": v, "pattern": pt, "apply-to": a, "priority": pr, "definition": d}));
    (prop::collection::vec(q, 0..6), prop::collection::vec(x, 0..5), prop::collection::vec(b, 0..8), prop::collection::vec(p, 0..4))
        .prop_map(|(q, x, b, p)| json!({"rabbit_version": "3.10.8", "vhosts": [{"name": "/"}], "queues": q, "exchanges": x, "bindings": b, "policies": p, "users": [{"name": "u"}]}))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300), failure_persistence: None, ..ProptestConfig::default() })]

    /// Any definitions file imports into a scenario warren's loader takes (`import` loads
    /// its own output and fails otherwise), whose names are exactly those imported.
    #[test]
    fn any_definitions_file_gives_a_scenario_that_loads(file in definitions_file()) {
        let text = file.to_string();
        let i = import(&text, &opts("/")).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        Scenario::from_str(&i.yaml, "imported.yaml").map_err(|e| TestCaseError::fail(format!("{e}\n{}", i.yaml)))?;
        let names: Vec<&str> = i.scenario.queues.iter().map(|q| q.name.as_str()).collect();
        let want: Vec<&str> = i.queues.iter().map(|q| q.name.as_str()).collect();
        prop_assert_eq!(names, want);
        for (q, o) in i.scenario.queues.iter().zip(&i.queues) {
            let got: Vec<(String, Value)> = q.arguments.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap())).collect();
            let mut want: Vec<(String, Value)> = o.arguments.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect();
            want.sort_by(|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(got, want);
        }
        let xs: Vec<&str> = i.scenario.exchanges.iter().map(|x| x.name.as_str()).collect();
        prop_assert_eq!(xs, i.exchanges.iter().map(|x| x.name.as_str()).collect::<Vec<_>>());
        prop_assert_eq!(i.scenario.bindings.len(), i.bindings.len());
    }
}

#[test]
fn a_file_too_costly_to_match_is_refused_not_left_running() {
    let queues: Vec<Value> = (0..20_000).map(|i| json!({"name": format!("queue-with-a-long-name-{i:08}"), "vhost": "/"})).collect();
    let policies: Vec<Value> = (0..2_000).map(|i| json!({"name": format!("p{i}"), "vhost": "/", "pattern": format!("^(a|b|c)*queue-{i}.*x$"), "priority": 0, "definition": {}})).collect();
    let file = json!({"vhosts": [{"name": "/"}], "queues": queues, "policies": policies}).to_string();
    let started = std::time::Instant::now();
    let e = import(&file, &opts("/")).unwrap_err();
    assert!(e.contains("beyond warren's bound"), "{e}");
    assert!(started.elapsed().as_secs() < 30);
}
