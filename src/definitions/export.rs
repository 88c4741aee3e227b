//! A scenario's topology → a RabbitMQ definitions file (the JSON `rabbitmqctl
//! import_definitions` and the management UI load): its exchanges, queues and bindings,
//! those of `exchanges:`/`queues:`/`bindings:` and those its clients `declare:`, in one vhost.
//! What a definitions file cannot hold (exclusive and server-named queues, which live only
//! as long as their connection) is left out with a note.

use crate::scenario::model::{ConsumerQueueDef, DeclareDef, ScenarioFile};
use serde_json::{json, Map, Value};

/// The RabbitMQ version the file says it is from (the version warren models).
pub const RABBIT_VERSION: &str = "3.10.8";

/// A definitions file and the notes on what it leaves out.
pub struct Exported {
    pub json: String,
    pub notes: Vec<String>,
}

fn args_json(m: &std::collections::BTreeMap<String, crate::scenario::model::Value>) -> Map<String, Value> {
    m.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(Value::Null))).collect()
}

fn mapping_json(m: &Option<crate::scenario::model::YamlMapping>) -> Map<String, Value> {
    let Some(m) = m else { return Map::new() };
    match serde_json::to_value(m) {
        Ok(Value::Object(o)) => o,
        _ => Map::new(),
    }
}

struct Out {
    vhost: String,
    queues: Vec<Value>,
    exchanges: Vec<Value>,
    bindings: Vec<Value>,
    queue_names: Vec<String>,
    exchange_names: Vec<String>,
    notes: Vec<String>,
}

impl Out {
    fn exchange(&mut self, name: &str, kind: &str, durable: bool, auto_delete: bool, internal: bool, ae: Option<&str>) {
        if name.is_empty() || name.starts_with("amq.") || self.exchange_names.iter().any(|n| n == name) {
            return;
        }
        let mut arguments = Map::new();
        if let Some(ae) = ae {
            arguments.insert("alternate-exchange".into(), json!(ae));
        }
        self.exchange_names.push(name.to_string());
        self.exchanges.push(json!({
            "name": name, "vhost": self.vhost, "type": kind, "durable": durable,
            "auto_delete": auto_delete, "internal": internal, "arguments": arguments,
        }));
    }

    fn queue(&mut self, name: &str, durable: bool, auto_delete: bool, arguments: Map<String, Value>) {
        if self.queue_names.iter().any(|n| n == name) {
            return;
        }
        self.queue_names.push(name.to_string());
        self.queues.push(json!({
            "name": name, "vhost": self.vhost, "durable": durable, "auto_delete": auto_delete, "arguments": arguments,
        }));
    }

    fn binding(&mut self, source: &str, destination: &str, destination_type: &str, key: &str, arguments: Map<String, Value>) {
        self.bindings.push(json!({
            "source": source, "vhost": self.vhost, "destination": destination,
            "destination_type": destination_type, "routing_key": key, "arguments": arguments,
        }));
    }

    fn declare(&mut self, who: &str, d: &DeclareDef) {
        if d.passive {
            return;
        }
        if let Some(qn) = &d.queue {
            if d.exclusive {
                self.notes.push(format!(
                    "queue `{qn}` declared by {who} is exclusive: it lives only as long as its connection, so it is not in the definitions"
                ));
            } else {
                self.queue(qn, d.durable, d.auto_delete, args_json(&d.arguments));
            }
        }
        if let Some(x) = &d.exchange {
            let kind = d.kind.as_deref().unwrap_or("direct");
            self.exchange(x, kind, d.durable, d.auto_delete, false, d.alternate_exchange.as_deref());
        }
    }
}

/// The definitions file of `f`'s topology, for `vhost`.
pub fn definitions(f: &ScenarioFile, vhost: &str) -> Exported {
    let mut o = Out {
        vhost: vhost.to_string(),
        queues: vec![],
        exchanges: vec![],
        bindings: vec![],
        queue_names: vec![],
        exchange_names: vec![],
        notes: vec![],
    };
    for x in &f.exchanges {
        o.exchange(&x.name, &x.kind, x.durable, x.auto_delete, x.internal, x.alternate_exchange.as_deref());
    }
    let mut exclusive = Vec::new();
    for qd in &f.queues {
        if qd.exclusive {
            o.notes.push(format!("queue `{}` is exclusive: it lives only as long as its consumer's connection, so it is not in the definitions (nor its bindings)", qd.name));
            exclusive.push(qd.name.clone());
        } else {
            o.queue(&qd.name, qd.durable, qd.auto_delete, args_json(&qd.arguments));
        }
    }
    for b in &f.bindings {
        if b.arguments.as_ref().is_some_and(|m| m.values().any(|v| v.is_null())) {
            o.notes.push(format!(
                "the binding of `{}` to `{}` has a null argument (\"present\"), which a definitions file cannot hold (RabbitMQ's import refuses null): left out, declare it from a client",
                b.exchange,
                b.queue.as_deref().or(b.to_exchange.as_deref()).unwrap_or("")
            ));
            continue;
        }
        match (&b.queue, &b.to_exchange) {
            (Some(qn), _) if !exclusive.contains(qn) => o.binding(&b.exchange, qn, "queue", &b.key, mapping_json(&b.arguments)),
            (None, Some(x)) => o.binding(&b.exchange, x, "exchange", &b.key, mapping_json(&b.arguments)),
            _ => {}
        }
    }
    let declares = f
        .producers
        .iter()
        .map(|p| (format!("producer `{}`", p.name), &p.declare))
        .chain(f.consumers.iter().map(|c| (format!("consumer `{}`", c.name), &c.declare)))
        .chain(f.rpc_clients.iter().map(|r| (format!("RPC client `{}`", r.name), &r.declare)));
    for (who, ds) in declares {
        for d in ds {
            o.declare(&who, d);
        }
    }
    for c in &f.consumers {
        if let ConsumerQueueDef::Private(_) = &c.queue {
            o.notes.push(format!("consumer `{}` consumes from a server-named queue: it has no name until it is declared, so it is not in the definitions (nor its bindings)", c.name));
        }
    }
    let root = json!({
        "rabbit_version": RABBIT_VERSION,
        "rabbitmq_version": RABBIT_VERSION,
        "users": [],
        "vhosts": [{"name": vhost}],
        "permissions": [],
        "topic_permissions": [],
        "parameters": [],
        "global_parameters": [],
        "policies": [],
        "queues": o.queues,
        "exchanges": o.exchanges,
        "bindings": o.bindings,
    });
    let mut json = serde_json::to_string_pretty(&root).unwrap_or_default();
    json.push('\n');
    Exported { json, notes: o.notes }
}

/// `warren export definitions`: the file's text for vhost `/`, its notes on standard error.
pub fn cli_text(f: &ScenarioFile) -> String {
    let e = definitions(f, "/");
    for n in &e.notes {
        eprintln!("note: {n}");
    }
    e.json
}
