//! RabbitMQ definitions files (`rabbitmqctl export_definitions`, the management UI's "Export
//! definitions"), in both directions (docs/definitions.md):
//!
//! - [`import`]: one virtual host of a definitions file → a scenario to start from: its
//!   exchanges, queues and bindings, with the policies RabbitMQ would apply to them resolved
//!   into effective arguments ([`policy`]) and said in comments;
//! - [`export`]: a scenario's topology → a definitions file `rabbitmqctl import_definitions`
//!   loads.
//!
//! A definitions file may come from anyone: it is read with bounds (size, counts, pattern
//! length), anything a scenario cannot say is skipped with a note, and the scenario is
//! written by [`yaml`], which quotes every string.

pub mod export;
pub mod import;
pub mod policy;
pub mod yaml;

use serde_json::{Map, Value};

/// The largest definitions file read (bytes).
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// At most this many queues, exchanges, bindings and policies each are taken from one vhost.
pub const MAX_ITEMS: usize = 20_000;
/// A bound on the work of matching every policy against every name: the sum of the
/// patterns' lengths times the sum of the names' lengths (each plus 8). Real installations
/// are orders of magnitude below it; a file above it is refused rather than left to run.
pub const MAX_MATCH_WORK: u128 = 10_000_000_000;

/// A queue as the definitions file lists it.
#[derive(Clone, Debug)]
pub struct QueueDefn {
    pub name: String,
    pub durable: bool,
    pub auto_delete: bool,
    /// `type` (3.9+): classic, quorum or stream; absent in older files.
    pub kind: Option<String>,
    pub arguments: Map<String, Value>,
}

/// An exchange as the definitions file lists it.
#[derive(Clone, Debug)]
pub struct ExchangeDefn {
    pub name: String,
    pub kind: String,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    pub arguments: Map<String, Value>,
}

/// A binding as the definitions file lists it.
#[derive(Clone, Debug)]
pub struct BindingDefn {
    pub source: String,
    pub destination: String,
    /// `queue` or `exchange`.
    pub destination_type: String,
    pub routing_key: String,
    pub arguments: Map<String, Value>,
}

/// What one vhost of a definitions file holds, plus what the file holds that warren skips.
#[derive(Clone, Debug, Default)]
pub struct Definitions {
    pub rabbit_version: Option<String>,
    /// Every vhost the file names (its `vhosts` list and the `vhost` of each item), in order.
    pub vhosts: Vec<String>,
    pub queues: Vec<QueueDefn>,
    pub exchanges: Vec<ExchangeDefn>,
    pub bindings: Vec<BindingDefn>,
    pub policies: Vec<policy::PolicyDefn>,
    /// Operator policies (`parameters` with component `operator_policy`) of the vhost.
    pub operator_policies: Vec<policy::PolicyDefn>,
    /// Items skipped while reading: (what, why).
    pub notes: Vec<String>,
    /// Counts of the sections warren does not model: (section, items in the whole file).
    pub skipped_sections: Vec<(&'static str, usize)>,
}

fn text(o: &Map<String, Value>, k: &str) -> Option<String> {
    o.get(k).and_then(Value::as_str).map(str::to_string)
}

fn flag(o: &Map<String, Value>, k: &str) -> bool {
    o.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn table(o: &Map<String, Value>, k: &str) -> Map<String, Value> {
    o.get(k).and_then(Value::as_object).cloned().unwrap_or_default()
}

fn list<'a>(root: &'a Map<String, Value>, k: &str) -> &'a [Value] {
    root.get(k).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// The vhost an item belongs to: its `vhost` key, `/` when a single-vhost export leaves it out.
fn vhost_of(o: &Map<String, Value>) -> String {
    match o.get("vhost") {
        None => "/".to_string(),
        Some(Value::String(s)) => s.clone(),
        // Not a vhost name: matches no `--vhost`.
        Some(_) => "\u{0}".to_string(),
    }
}

impl Definitions {
    /// Reads the definitions of `vhost` from a definitions file's text. Errors are for a file
    /// that is not a definitions file at all (not JSON, not an object, too large).
    pub fn parse(json: &str, vhost: &str) -> Result<Definitions, String> {
        if json.len() > MAX_FILE_BYTES {
            return Err(format!("the file is {} bytes: definitions files are read up to {MAX_FILE_BYTES} bytes", json.len()));
        }
        let root: Value = serde_json::from_str(json).map_err(|e| format!("not a JSON definitions file: {e}"))?;
        let Some(root) = root.as_object() else {
            return Err("not a definitions file: expected a JSON object with `queues`, `exchanges`, `bindings`...".into());
        };
        let mut d =
            Definitions { rabbit_version: text(root, "rabbit_version").or_else(|| text(root, "rabbitmq_version")), ..Default::default() };
        d.read_vhosts(root);
        for (section, _) in SKIPPED {
            let is_operator_policy = |v: &&Value| v.get("component").and_then(Value::as_str) == Some("operator_policy");
            let count = list(root, section).iter().filter(|v| section != "parameters" || !is_operator_policy(v)).count();
            d.skipped_sections.push((section, count));
        }
        let mine = |v: &&Value| v.as_object().is_some_and(|o| vhost_of(o) == vhost);
        for q in list(root, "queues").iter().filter(mine).filter_map(Value::as_object) {
            if let Some(name) = d.take(q, "queue") {
                let kind = text(q, "type");
                d.queues.push(QueueDefn {
                    name,
                    durable: flag(q, "durable"),
                    auto_delete: flag(q, "auto_delete"),
                    kind,
                    arguments: table(q, "arguments"),
                });
            }
        }
        for x in list(root, "exchanges").iter().filter(mine).filter_map(Value::as_object) {
            if let Some(name) = d.take(x, "exchange") {
                let kind = text(x, "type").unwrap_or_default();
                let (durable, auto_delete, internal) = (flag(x, "durable"), flag(x, "auto_delete"), flag(x, "internal"));
                d.exchanges.push(ExchangeDefn { name, kind, durable, auto_delete, internal, arguments: table(x, "arguments") });
            }
        }
        for b in list(root, "bindings").iter().filter(mine).filter_map(Value::as_object) {
            let (Some(source), Some(destination)) = (text(b, "source"), text(b, "destination")) else {
                d.notes.push("a binding without a text `source` and `destination`: skipped".into());
                continue;
            };
            if d.bindings.len() >= MAX_ITEMS {
                continue;
            }
            let destination_type = text(b, "destination_type").unwrap_or_default();
            let routing_key = text(b, "routing_key").unwrap_or_default();
            d.bindings.push(BindingDefn { source, destination, destination_type, routing_key, arguments: table(b, "arguments") });
        }
        for p in list(root, "policies").iter().filter(mine).filter_map(Value::as_object) {
            if d.policies.len() < MAX_ITEMS {
                d.policies.push(policy::PolicyDefn::read(p, p));
            }
        }
        for p in list(root, "parameters").iter().filter(mine).filter_map(Value::as_object) {
            if text(p, "component").as_deref() == Some("operator_policy") && d.operator_policies.len() < MAX_ITEMS {
                if let Some(value) = p.get("value").and_then(Value::as_object) {
                    d.operator_policies.push(policy::PolicyDefn::read(p, value));
                }
            }
        }
        d.cap_notes();
        let patterns: u128 = d.policies.iter().chain(&d.operator_policies).map(|p| p.pattern.len() as u128 + 8).sum();
        let names: u128 =
            d.queues.iter().map(|q| q.name.len()).chain(d.exchanges.iter().map(|x| x.name.len())).map(|n| n as u128 + 8).sum();
        if patterns * names > MAX_MATCH_WORK {
            return Err(format!(
                "vhost {vhost:?} has {} policies and {} queues and exchanges: matching them all is beyond warren's bound ({MAX_MATCH_WORK} pattern-bytes × name-bytes)",
                d.policies.len() + d.operator_policies.len(),
                d.queues.len() + d.exchanges.len()
            ));
        }
        Ok(d)
    }

    fn read_vhosts(&mut self, root: &Map<String, Value>) {
        let named = list(root, "vhosts").iter().filter_map(Value::as_object).filter_map(|o| text(o, "name"));
        let used = ["queues", "exchanges", "bindings", "policies"]
            .into_iter()
            .flat_map(|k| list(root, k).iter().filter_map(Value::as_object).map(vhost_of));
        for v in named.chain(used) {
            if !self.vhosts.contains(&v) && self.vhosts.len() < 1000 {
                self.vhosts.push(v);
            }
        }
    }

    /// The name of a queue or exchange entry, if it has one and there is room for it.
    fn take(&mut self, o: &Map<String, Value>, what: &str) -> Option<String> {
        let count = if what == "queue" { self.queues.len() } else { self.exchanges.len() };
        if count >= MAX_ITEMS {
            if count == MAX_ITEMS {
                self.notes.push(format!("more than {MAX_ITEMS} {what}s: the rest are skipped"));
            }
            return None;
        }
        let name = text(o, "name");
        if name.is_none() {
            self.notes.push(format!("{} {what} without a text `name`: skipped", if what == "queue" { "a" } else { "an" }));
        }
        name
    }

    fn cap_notes(&mut self) {
        if self.notes.len() > 100 {
            let more = self.notes.len() - 100;
            self.notes.truncate(100);
            self.notes.push(format!("... and {more} more"));
        }
    }
}

/// The sections of a definitions file that a scenario has no place for, and why.
pub const SKIPPED: [(&str, &str); 5] = [
    ("users", "warren has no users or authentication"),
    ("permissions", "warren has no access control"),
    ("topic_permissions", "warren has no access control"),
    ("parameters", "runtime parameters (federation, shovels...) are not modelled; operator policies are applied"),
    ("global_parameters", "global parameters (cluster name...) are not modelled"),
];
