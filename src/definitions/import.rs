//! One vhost of a definitions file → a scenario (YAML text with comments): exchanges,
//! queues with their effective arguments (policies resolved, [`super::policy`]), bindings.
//! What a scenario cannot say is left out with a comment saying why; the text is checked by
//! warren's own loader before it is returned.

use super::policy::{self, q, show, Applied, Kind};
use super::yaml::{quote, scalar, Doc};
use super::{BindingDefn, Definitions, ExchangeDefn, QueueDefn};
use crate::scenario::model::ScenarioFile;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The longest AMQP short string: names and routing keys.
const MAX_NAME: usize = 255;
/// Exchanges every vhost has, which a scenario may bind from without declaring.
const BUILT_IN: [&str; 5] = ["amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match"];
/// RabbitMQ 3.10's exports leave internal exchanges out but keep their bindings.
const INTERNAL_HINT: &str = " (RabbitMQ's export leaves internal exchanges out, but not their bindings)";
const TYPES: [&str; 4] = ["direct", "fanout", "topic", "headers"];

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The vhost that becomes the scenario.
    pub vhost: String,
    /// The scenario's `name:`.
    pub name: String,
    /// Where the definitions came from, for the header comment.
    pub source: String,
}

/// An exchange of the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct XOut {
    pub name: String,
    pub kind: String,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    pub alternate_exchange: Option<String>,
    pub notes: Vec<String>,
}

/// A queue of the scenario, with its effective arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct QOut {
    pub name: String,
    pub durable: bool,
    pub auto_delete: bool,
    /// (argument, value, why when a policy had a say).
    pub arguments: Vec<(String, Value, Option<String>)>,
    /// The policy RabbitMQ applies to it, if any.
    pub policy: Option<String>,
    pub operator_policy: Option<String>,
    pub notes: Vec<String>,
}

/// A binding of the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct BOut {
    pub exchange: String,
    /// `Ok(queue)` or `Err(exchange)` (an exchange-to-exchange binding).
    pub destination: Result<String, String>,
    pub key: String,
    pub arguments: Map<String, Value>,
    pub notes: Vec<String>,
}

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Imported {
    pub exchanges: Vec<XOut>,
    pub queues: Vec<QOut>,
    pub bindings: Vec<BOut>,
    /// File-level notes (skipped vhosts and sections, skipped items).
    pub notes: Vec<String>,
    /// The scenario text.
    pub yaml: String,
    /// The same, as warren's loader read it back.
    pub scenario: ScenarioFile,
}

/// Imports the `opts.vhost` of a definitions file. An error is a file that is not a
/// definitions file, or a vhost it does not have.
pub fn import(json: &str, opts: &ImportOptions) -> Result<Imported, String> {
    let d = Definitions::parse(json, &opts.vhost)?;
    if !d.vhosts.contains(&opts.vhost) {
        let have: Vec<String> = d.vhosts.iter().take(20).map(|v| q(v)).collect();
        return Err(format!(
            "the file has no vhost {}: it has {} (choose one with --vhost)",
            q(&opts.vhost),
            if have.is_empty() { "none".to_string() } else { have.join(", ") }
        ));
    }
    let mut notes = file_notes(&d, opts);
    let exchanges = exchanges(&d, &mut notes);
    let known: BTreeSet<String> = exchanges.iter().map(|x| x.name.clone()).chain(BUILT_IN.iter().map(|s| s.to_string())).collect();
    let queues = queues(&d, &known, &mut notes);
    let queue_names: BTreeSet<String> = queues.iter().map(|q| q.name.clone()).collect();
    let kinds: Vec<(String, String)> = exchanges.iter().map(|x| (x.name.clone(), x.kind.clone())).collect();
    let bindings = bindings(&d.bindings, &known, &kinds, &queue_names, &mut notes);
    let yaml = write(opts, &notes, &exchanges, &queues, &bindings);
    let file = format!("{} (imported)", opts.source);
    let scenario = match crate::scenario::Scenario::from_str(&yaml, &file) {
        Ok(s) => s.def,
        Err(e) => {
            return Err(format!("internal error: the imported scenario does not load ({e}); please report it with the definitions file"))
        }
    };
    Ok(Imported { exchanges, queues, bindings, notes, yaml, scenario })
}

fn file_notes(d: &Definitions, opts: &ImportOptions) -> Vec<String> {
    let mut notes = Vec::new();
    let others: Vec<String> = d.vhosts.iter().filter(|v| **v != opts.vhost).map(|v| q(v)).collect();
    if !others.is_empty() {
        notes.push(format!("other vhosts in the file, not imported (choose with --vhost): {}", others.join(", ")));
    }
    for ((section, count), (_, why)) in d.skipped_sections.iter().zip(super::SKIPPED) {
        if *count > 0 {
            notes.push(format!("skipped {count} {section} (the whole file's): {why}"));
        }
    }
    for p in d.policies.iter().chain(&d.operator_policies) {
        if let Err(why) = &p.regex {
            notes.push(format!("policy {} is not applied: {why}", q(&p.name)));
        } else if let policy::ApplyTo::Other(a) = &p.apply_to {
            notes.push(format!(
                "policy {} applies to {}: warren models classic queues and exchanges only, so it applies to nothing here",
                q(&p.name),
                q(a)
            ));
        }
    }
    notes.extend(d.notes.iter().cloned());
    notes
}

fn name_problem(name: &str, what: &str) -> Option<String> {
    if name.is_empty() {
        Some(format!("{what} with an empty name"))
    } else if name.len() > MAX_NAME {
        Some(format!("{what} {} is {} bytes long (AMQP names are at most 255)", q(&name.chars().take(40).collect::<String>()), name.len()))
    } else if name.starts_with("amq.") {
        Some(format!("{what} {}: `amq.` names are the broker's own (built in, or server-named)", q(name)))
    } else {
        None
    }
}

fn exchanges(d: &Definitions, notes: &mut Vec<String>) -> Vec<XOut> {
    let mut out: Vec<XOut> = Vec::new();
    for x in &d.exchanges {
        if let Some(p) = name_problem(&x.name, "exchange") {
            if !x.name.is_empty() && !BUILT_IN.contains(&x.name.as_str()) && x.name != "amq.rabbitmq.trace" {
                notes.push(format!("skipped {p}"));
            }
            continue;
        }
        if out.iter().any(|o| o.name == x.name) {
            notes.push(format!("skipped a second exchange {}", q(&x.name)));
            continue;
        }
        if !TYPES.contains(&x.kind.as_str()) {
            notes.push(format!(
                "skipped exchange {} of type {}: warren models direct, fanout, topic and headers exchanges",
                q(&x.name),
                q(&x.kind)
            ));
            continue;
        }
        out.push(XOut {
            name: x.name.clone(),
            kind: x.kind.clone(),
            durable: x.durable,
            auto_delete: x.auto_delete,
            internal: x.internal,
            alternate_exchange: None,
            notes: Vec::new(),
        });
    }
    let known: BTreeSet<String> = out.iter().map(|x| x.name.clone()).chain(BUILT_IN.iter().map(|s| s.to_string())).collect();
    for o in &mut out {
        let Some(x) = d.exchanges.iter().find(|x| x.name == o.name) else { continue };
        alternate_exchange(o, x, d, &known);
    }
    out
}

/// The alternate exchange: the `alternate-exchange` argument, else the policy's.
fn alternate_exchange(o: &mut XOut, x: &ExchangeDefn, d: &Definitions, known: &BTreeSet<String>) {
    let won = policy::winner(&d.policies, &x.name, Kind::Exchange);
    let from_policy = won.as_ref().and_then(|(p, _)| p.definition.get("alternate-exchange").map(|v| (p.name.clone(), v.clone())));
    let own = x.arguments.get("alternate-exchange");
    let (value, why) = match (own, &from_policy) {
        (Some(v), Some((p, pv))) => (
            Some(v.clone()),
            Some(format!(
                "the exchange's own alternate-exchange argument {}; policy {} sets {}, but the argument wins",
                show(v),
                q(p),
                show(pv)
            )),
        ),
        (Some(v), None) => (Some(v.clone()), None),
        (None, Some((p, pv))) => (Some(pv.clone()), Some(format!("alternate-exchange from policy {}", q(p)))),
        (None, None) => (None, None),
    };
    if let Some((p, ties)) = &won {
        let mut line = format!(
            "policy {} (pattern {}, apply-to {}, priority {}) applies",
            q(&p.name),
            q(&p.pattern),
            apply_to_text(&p.apply_to),
            p.priority_text()
        );
        if !ties.is_empty() {
            line.push_str(&tie_text(ties));
        }
        o.notes.push(line);
        let other: Vec<String> = p.definition.keys().filter(|k| *k != "alternate-exchange").map(|k| q(k)).collect();
        if !other.is_empty() {
            o.notes.push(format!("its {} not modelled for exchanges: left out", other.join(", ")));
        }
    }
    let others: Vec<String> = x.arguments.keys().filter(|k| *k != "alternate-exchange").map(|k| q(k)).collect();
    if !others.is_empty() {
        o.notes.push(format!("exchange arguments {} are not modelled: left out", others.join(", ")));
    }
    match value {
        Some(Value::String(ae)) if known.contains(&ae) || ae.is_empty() => {
            o.alternate_exchange = Some(ae);
            if let Some(w) = why {
                o.notes.push(w);
            }
        }
        Some(v) => o.notes.push(format!(
            "alternate-exchange {} left out: not an exchange of this scenario (RabbitMQ drops what it cannot route there, as without one)",
            show(&v)
        )),
        None => {}
    }
}

fn apply_to_text(a: &policy::ApplyTo) -> String {
    match a {
        policy::ApplyTo::All => "all".into(),
        policy::ApplyTo::Queues => "queues".into(),
        policy::ApplyTo::ClassicQueues => "classic_queues".into(),
        policy::ApplyTo::Exchanges => "exchanges".into(),
        policy::ApplyTo::Other(s) => q(s),
    }
}

fn tie_text(ties: &[&policy::PolicyDefn]) -> String {
    let names: Vec<String> = ties.iter().map(|t| q(&t.name)).collect();
    format!(
        "; {} match with the same priority: RabbitMQ picks one by its own list order, warren the first in the file (check with `rabbitmqctl list_queues name policy`)",
        names.join(", ")
    )
}

fn queues(d: &Definitions, known: &BTreeSet<String>, notes: &mut Vec<String>) -> Vec<QOut> {
    let mut out: Vec<QOut> = Vec::new();
    for qd in &d.queues {
        if let Some(p) = name_problem(&qd.name, "queue") {
            notes.push(format!("skipped {p}"));
            continue;
        }
        if out.iter().any(|o| o.name == qd.name) {
            notes.push(format!("skipped a second queue {}", q(&qd.name)));
            continue;
        }
        let kind = qd.kind.clone().or_else(|| qd.arguments.get("x-queue-type").and_then(Value::as_str).map(str::to_string));
        let quorum = match kind.as_deref() {
            None | Some("classic") => false,
            Some("quorum") if qd.durable && !qd.auto_delete => true,
            Some("quorum") => {
                notes.push(format!(
                    "skipped quorum queue {}: a quorum queue is durable and never auto-delete (RabbitMQ refuses it)",
                    q(&qd.name)
                ));
                continue;
            }
            Some(k) => {
                notes.push(format!("skipped queue {} of type {}: warren models classic and quorum queues", q(&qd.name), q(k)));
                continue;
            }
        };
        out.push(queue(qd, d, known, quorum));
    }
    out
}

fn queue(qd: &QueueDefn, d: &Definitions, known: &BTreeSet<String>, quorum: bool) -> QOut {
    let won = policy::queue_winner(&d.policies, &qd.name, quorum);
    let op = policy::queue_winner(&d.operator_policies, &qd.name, quorum);
    let mut o = QOut {
        name: qd.name.clone(),
        durable: qd.durable,
        auto_delete: qd.auto_delete,
        arguments: Vec::new(),
        policy: won.as_ref().map(|(p, _)| p.name.clone()),
        operator_policy: op.as_ref().map(|(p, _)| p.name.clone()),
        notes: Vec::new(),
    };
    for (label, w) in [("policy", &won), ("operator policy", &op)] {
        if let Some((p, ties)) = w {
            let mut line = format!(
                "{label} {} (pattern {}, apply-to {}, priority {}) applies",
                q(&p.name),
                q(&p.pattern),
                apply_to_text(&p.apply_to),
                p.priority_text()
            );
            if !ties.is_empty() {
                line.push_str(&tie_text(ties));
            }
            o.notes.push(line);
            let unmodelled: Vec<String> =
                p.definition.keys().filter(|k| !policy::QUEUE_KEYS.iter().any(|(pk, _, _)| pk == k)).map(|k| q(k)).collect();
            if !unmodelled.is_empty() {
                o.notes.push(format!("its {} not modelled by warren: left out", unmodelled.join(", ")));
            }
        }
    }
    let applied = Applied { policy: won.map(|(p, _)| p), operator: op.map(|(p, _)| p) };
    let (effective, problems) = policy::queue_arguments(&qd.arguments, &applied, quorum);
    o.notes.extend(problems);
    let mut args: Vec<(String, Value, Option<String>)> = effective.into_iter().map(|e| (e.argument, e.value, e.why)).collect();
    for (k, v) in &qd.arguments {
        if policy::QUEUE_KEYS.iter().any(|(_, a, _)| a == k) || k == "x-queue-type" {
            continue;
        }
        args.push((k.clone(), v.clone(), None));
    }
    if quorum {
        o.arguments.push(("x-queue-type".into(), Value::from("quorum"), None));
    }
    let kind = if quorum { "quorum" } else { "classic" };
    for (k, v, why) in args {
        if !policy::applies_to(&k, quorum) {
            let note = match why {
                Some(w) => format!("{k} left out: {w}, but it does nothing on a {kind} queue"),
                None => format!("argument {} left out: a {kind} queue does not take it (RabbitMQ refuses it)", q(&k)),
            };
            o.notes.push(note);
            continue;
        }
        match check_argument(&k, &v, known) {
            Ok(()) => {
                if let Some(w) = why {
                    o.notes.push(format!("{k}: {w}"));
                }
                o.arguments.push((k, v, None));
            }
            Err(e) => o.notes.push(format!("argument {} {} left out: {e}", q(&k), show(&v))),
        }
    }
    let has_dlx = o.arguments.iter().any(|(k, _, _)| k == "x-dead-letter-exchange");
    if !has_dlx {
        if let Some(i) = o.arguments.iter().position(|(k, _, _)| k == "x-dead-letter-routing-key") {
            let (_, v, _) = o.arguments.remove(i);
            o.notes.push(format!(
                "x-dead-letter-routing-key {} left out: there is no dead-letter exchange, so RabbitMQ never uses it",
                show(&v)
            ));
        }
    }
    o
}

/// Whether warren's loader takes this queue argument with this value (and so means the
/// same as RabbitMQ by it).
fn check_argument(k: &str, v: &Value, known: &BTreeSet<String>) -> Result<(), String> {
    let int_at_least = |min: i64| match v.as_i64() {
        Some(i) if i >= min => Ok(()),
        _ => Err(format!("expected a whole number of at least {min}")),
    };
    match k {
        "x-message-ttl" | "x-max-length" | "x-max-length-bytes" => int_at_least(0),
        "x-expires" => int_at_least(1),
        "x-overflow" => match v.as_str() {
            Some("drop-head" | "reject-publish" | "reject-publish-dlx") => Ok(()),
            _ => Err("expected drop-head, reject-publish or reject-publish-dlx".into()),
        },
        "x-queue-mode" => match v.as_str() {
            Some("default" | "lazy") => Ok(()),
            _ => Err("expected default or lazy".into()),
        },
        "x-max-in-memory-length" | "x-max-in-memory-bytes" | "x-quorum-initial-group-size" => int_at_least(0),
        "x-delivery-limit" => v.as_i64().map(|_| ()).ok_or_else(|| "expected a whole number".into()),
        "x-dead-letter-strategy" => match v.as_str() {
            Some("at-most-once" | "at-least-once") => Ok(()),
            _ => Err("expected at-most-once or at-least-once".into()),
        },
        "x-max-priority" => match v.as_i64() {
            Some(0..=255) => Ok(()),
            _ => Err("expected a whole number from 0 to 255".into()),
        },
        "x-single-active-consumer" => v.as_bool().map(|_| ()).ok_or_else(|| "expected true or false".into()),
        "x-dead-letter-exchange" => match v.as_str() {
            Some(s) if s.is_empty() || known.contains(s) => Ok(()),
            Some(_) => Err("not an exchange of this scenario (RabbitMQ drops what it would dead-letter there, as without one)".into()),
            None => Err("expected an exchange name".into()),
        },
        "x-dead-letter-routing-key" => match v.as_str() {
            Some(s) if s.len() <= MAX_NAME => Ok(()),
            _ => Err("expected a routing key of at most 255 bytes".into()),
        },
        _ => Err("not modelled by warren".into()),
    }
}

fn bindings(
    bs: &[BindingDefn],
    known: &BTreeSet<String>,
    kinds: &[(String, String)],
    queues: &BTreeSet<String>,
    notes: &mut Vec<String>,
) -> Vec<BOut> {
    let mut out: Vec<BOut> = Vec::new();
    for b in bs {
        if b.source.is_empty() {
            continue; // the default exchange's implicit bindings
        }
        let what = format!(
            "binding {} → {} {} (key {})",
            q(&b.source),
            b.destination_type.chars().take(20).collect::<String>(),
            q(&b.destination),
            q(&b.routing_key)
        );
        let destination = match b.destination_type.as_str() {
            "queue" if queues.contains(&b.destination) => Ok(b.destination.clone()),
            "exchange" if known.contains(&b.destination) => Err(b.destination.clone()),
            "queue" | "exchange" => {
                let hint = if b.destination_type == "exchange" { INTERNAL_HINT } else { "" };
                notes.push(format!("skipped {what}: its destination is not in the scenario{hint}"));
                continue;
            }
            _ => {
                notes.push(format!("skipped {what}: destination_type must be queue or exchange"));
                continue;
            }
        };
        if !known.contains(&b.source) {
            notes.push(format!("skipped {what}: its exchange is not in the scenario{}", INTERNAL_HINT));
            continue;
        }
        if b.routing_key.len() > MAX_NAME {
            notes.push(format!("skipped {what}: the routing key is longer than 255 bytes"));
            continue;
        }
        let headers = kinds.iter().any(|(n, k)| *n == b.source && k == "headers") || b.source == "amq.headers" || b.source == "amq.match";
        let mut o = BOut { exchange: b.source.clone(), destination, key: b.routing_key.clone(), arguments: Map::new(), notes: Vec::new() };
        let bad: Vec<String> = b.arguments.iter().filter(|(_, v)| scalar(v).is_none()).map(|(k, _)| q(k)).collect();
        let x_match_ok = match b.arguments.get("x-match") {
            None => true,
            Some(v) => matches!(v.as_str(), Some("all" | "any" | "all-with-x" | "any-with-x")),
        };
        if headers && (!bad.is_empty() || !x_match_ok) {
            notes.push(format!(
                "skipped {what}: its arguments hold values warren's headers matching cannot take (lists, tables, or a bad x-match)"
            ));
            continue;
        }
        if !headers && !b.arguments.is_empty() {
            o.notes.push("arguments of a binding to a non-headers exchange do not affect routing: left out".into());
        } else {
            o.arguments = b.arguments.clone();
        }
        if out.iter().any(|x| x.exchange == o.exchange && x.destination == o.destination && x.key == o.key && x.arguments == o.arguments) {
            continue;
        }
        out.push(o);
    }
    out
}

fn write(opts: &ImportOptions, notes: &[String], xs: &[XOut], qs: &[QOut], bs: &[BOut]) -> String {
    let mut doc = Doc::default();
    doc.comment(0, &format!("Imported by `warren import definitions` from {}, vhost {}.", q(&opts.source), q(&opts.vhost)));
    doc.comment(0, "The broker's topology only: add producers and consumers to run it (docs/definitions.md).");
    for n in notes {
        doc.comment(0, n);
    }
    doc.line(0, &format!("name: {}", quote(&opts.name)));
    doc.line(0, &format!("description: {}", quote(&format!("Topology of vhost {} imported from {}", opts.vhost, opts.source))));
    if !xs.is_empty() {
        doc.line(0, "exchanges:");
    }
    for x in xs {
        for n in &x.notes {
            doc.comment(2, n);
        }
        doc.line(2, &format!("- name: {}", quote(&x.name)));
        doc.line(4, &format!("type: {}", quote(&x.kind)));
        for (k, on) in [("durable", x.durable), ("auto_delete", x.auto_delete), ("internal", x.internal)] {
            if on {
                doc.line(4, &format!("{k}: true"));
            }
        }
        if let Some(ae) = &x.alternate_exchange {
            doc.line(4, &format!("alternate_exchange: {}", quote(ae)));
        }
    }
    if !qs.is_empty() {
        doc.line(0, "queues:");
    }
    for qo in qs {
        for n in &qo.notes {
            doc.comment(2, n);
        }
        doc.line(2, &format!("- name: {}", quote(&qo.name)));
        for (k, on) in [("durable", qo.durable), ("auto_delete", qo.auto_delete)] {
            if on {
                doc.line(4, &format!("{k}: true"));
            }
        }
        if !qo.arguments.is_empty() {
            doc.line(4, "arguments:");
            for (k, v, _) in &qo.arguments {
                // check_argument admitted only scalars.
                doc.line(6, &format!("{}: {}", quote(k), scalar(v).unwrap_or_else(|| "null".into())));
            }
        }
    }
    if !bs.is_empty() {
        doc.line(0, "bindings:");
    }
    for b in bs {
        for n in &b.notes {
            doc.comment(2, n);
        }
        doc.line(2, &format!("- exchange: {}", quote(&b.exchange)));
        match &b.destination {
            Ok(qn) => doc.line(4, &format!("queue: {}", quote(qn))),
            Err(x) => doc.line(4, &format!("to_exchange: {}", quote(x))),
        }
        if !b.key.is_empty() {
            doc.line(4, &format!("key: {}", quote(&b.key)));
        }
        if !b.arguments.is_empty() {
            doc.line(4, "arguments:");
            for (k, v) in &b.arguments {
                doc.line(6, &format!("{}: {}", quote(k), scalar(v).unwrap_or_else(|| "null".into())));
            }
        }
    }
    doc.text
}
