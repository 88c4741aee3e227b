//! The `--json` records: one spelling for enum values (snake_case), and a `bound` record that
//! names where its binding leads.

use std::sync::Arc;
use warren::explain::{json, Lang};
use warren::scenario::{bundled, Scenario};
use warren::session::Session;

fn records(name: &str) -> Vec<serde_json::Value> {
    let mut s = Session::new(Arc::new(Scenario::load(name).unwrap()), true);
    let _ = s.run();
    let cx = s.ctx(Lang::En);
    s.trace.records().iter().map(|r| json::record(&cx, r)).collect()
}

fn snake(v: &str) -> bool {
    !v.is_empty() && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[test]
fn every_enum_value_is_snake_case() {
    let mut whys = 0;
    for name in bundled::names() {
        for r in records(name) {
            for key in ["kind", "why", "via", "reason", "fault"] {
                if let Some(v) = r.get(key).and_then(|v| v.as_str()) {
                    assert!(snake(v), "{name}: {key} = {v:?} in {r}");
                    whys += (key == "why") as u32;
                }
            }
        }
    }
    assert!(whys > 20, "the bundled scenarios give causes to check ({whys})");
}

#[test]
fn a_disconnect_says_why_in_one_word() {
    let rs = records("ack-redelivery");
    let crash = rs.iter().find(|r| r["kind"] == "disconnected").expect("worker1 crashes");
    assert_eq!(crash["why"], "crashed", "{crash}");
    assert!(crash.get("reply_code").is_none(), "only a connection error carries a reply code: {crash}");
}

#[test]
fn bound_names_its_queue_or_exchange() {
    let rs = records("direct-logs");
    let bound: Vec<_> = rs.iter().filter(|r| r["kind"] == "bound").collect();
    assert!(!bound.is_empty());
    for b in bound {
        assert!(b["queue"].is_string() || b["to_exchange"].is_string(), "{b}");
        assert!(b["exchange"].is_string() && b["binding_key"].is_string(), "{b}");
    }
}
