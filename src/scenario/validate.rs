//! From the file model to a validated, runnable [`Scenario`]: every name resolved, every
//! time checked, every reference to something declared. Problems are collected (not just the
//! first) and each is placed at its line and column.

use super::expect::{Expect, ExpectKind};
use super::load::{ScenarioError, ScenarioErrors};
use super::locate::{Locator, Pos};
use super::model::*;
use super::{Note, Scenario};
use crate::broker::message::{Body, HValue, Headers, MessageStore, Props};
use crate::broker::ops::{ExchangeDecl, ExchangeKind, Op, QueueDecl, QueueRef};
use crate::broker::queue::{ArgValue, Overflow, QueueArgs};
use crate::broker::BrokerConfig;
use crate::client::spec::*;
use crate::ids::{ClientId, Sym};
use crate::names::Names;
use crate::sim::Time;
use crate::world::{FaultKind, FaultSpec, Initial, Limits, WorldPlan};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const MAX_SHORTSTR: usize = 255;

struct Checker<'a> {
    file: &'a str,
    loc: &'a Locator,
    errors: Vec<ScenarioError>,
}

impl Checker<'_> {
    fn at(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.loc.value(path);
        self.errors.push(ScenarioError { file: self.file.to_string(), pos, message: message.into() });
    }
    fn at_key(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.loc.key(path);
        self.errors.push(ScenarioError { file: self.file.to_string(), pos, message: message.into() });
    }
}

/// Everything declared anywhere in the file, for reference checks.
#[derive(Default)]
struct Declared {
    exchanges: HashMap<String, (ExchangeKind, usize)>,
    top_exchanges: HashMap<String, usize>,
    queues: HashMap<String, usize>,
    client_queues: Vec<String>,
    client_exchanges: Vec<String>,
    actors: HashMap<String, (ClientId, &'static str)>,
}

impl Declared {
    fn exchange_known(&self, name: &str) -> bool {
        name.is_empty() || self.exchanges.contains_key(name) || self.client_exchanges.iter().any(|x| x == name)
    }
    fn queue_known(&self, name: &str) -> bool {
        self.queues.contains_key(name) || self.client_queues.iter().any(|x| x == name)
    }
}

fn check_name(c: &mut Checker, path: &str, what: &str, name: &str) {
    if name.is_empty() {
        c.at(path, format!("{what} name is empty"));
    } else if name.len() > MAX_SHORTSTR {
        c.at(path, format!("{what} name is {} bytes long: AMQP names are at most 255 bytes", name.len()));
    }
}

fn check_key(c: &mut Checker, path: &str, key: &str) {
    if key.len() > MAX_SHORTSTR {
        c.at(path, format!("routing key is {} bytes long: keys are at most 255 bytes (pika raises before sending)", key.len()));
    }
}

fn headers(c: &mut Checker, names: &mut Names, path: &str, m: &Option<YamlMapping>) -> Option<Headers> {
    let m = m.as_ref()?;
    let mut out = Vec::new();
    for (k, v) in m {
        let Some(key) = k.as_str() else {
            c.at(path, "header names must be strings");
            continue;
        };
        let p = format!("{path}.{key}");
        let value = match v {
            YamlValue::Null => HValue::Void,
            YamlValue::Bool(b) => HValue::Bool(*b),
            YamlValue::Number(n) => match n.as_i64() {
                Some(i) => HValue::Int(i),
                None => HValue::Float(n.as_f64().unwrap_or(0.0)),
            },
            YamlValue::String(s) => HValue::Str(s.as_str().into()),
            _ => {
                c.at(&p, format!("header `{key}` must be a string, number, boolean or null (null: \"present\" in a binding)"));
                continue;
            }
        };
        out.push((names.intern(key), value));
    }
    Some(out.into())
}

const KNOWN_ARGS: &str = "x-message-ttl, x-expires, x-max-length, x-max-length-bytes, x-overflow, x-dead-letter-exchange, x-dead-letter-routing-key, x-single-active-consumer, x-queue-type, x-queue-mode";

fn queue_args(c: &mut Checker, names: &mut Names, declared: &Declared, path: &str, args: &BTreeMap<String, Value>) -> QueueArgs {
    let mut qa = QueueArgs::default();
    for (k, v) in args {
        let p = format!("{path}.{k}");
        let int = |c: &mut Checker, min: i64| -> Option<i64> {
            match v.as_i64() {
                Some(i) if i >= min => Some(i),
                Some(i) => {
                    c.at(&p, format!("`{k}` is {i}: expected a whole number of at least {min}"));
                    None
                }
                None => {
                    c.at(
                        &p,
                        format!(
                            "`{k}` must be a whole number{}",
                            if k.contains("ttl") || k == "x-expires" { " of milliseconds" } else { "" }
                        ),
                    );
                    None
                }
            }
        };
        let string = |c: &mut Checker| -> Option<String> {
            match v.as_str() {
                Some(s) => Some(s.to_string()),
                None => {
                    c.at(&p, format!("`{k}` must be a string"));
                    None
                }
            }
        };
        let raw = match k.as_str() {
            "x-message-ttl" => int(c, 0).map(|i| {
                qa.message_ttl = Some(Time::ms(i as u64));
                ArgValue::Int(i)
            }),
            "x-expires" => int(c, 1).map(|i| {
                qa.expires = Some(Time::ms(i as u64));
                ArgValue::Int(i)
            }),
            "x-max-length" => int(c, 0).map(|i| {
                qa.max_length = Some(i as u64);
                ArgValue::Int(i)
            }),
            "x-max-length-bytes" => int(c, 0).map(|i| {
                qa.max_length_bytes = Some(i as u64);
                ArgValue::Int(i)
            }),
            "x-overflow" => string(c).and_then(|s| match Overflow::parse(&s) {
                Some(o) => {
                    qa.overflow = o;
                    Some(ArgValue::Str(names.intern(&s)))
                }
                None => {
                    c.at(&p, format!("`x-overflow` is `{s}`: expected drop-head, reject-publish or reject-publish-dlx"));
                    None
                }
            }),
            "x-dead-letter-exchange" => string(c).map(|s| {
                if !declared.exchange_known(&s) {
                    c.at(&p, format!("dead-letter exchange `{s}` is not declared in `exchanges:` (or by a client)"));
                }
                let sym = names.intern(&s);
                qa.dead_letter_exchange = Some(sym);
                ArgValue::Str(sym)
            }),
            "x-dead-letter-routing-key" => string(c).map(|s| {
                check_key(c, &p, &s);
                let sym = names.intern(&s);
                qa.dead_letter_routing_key = Some(sym);
                ArgValue::Str(sym)
            }),
            "x-single-active-consumer" => match v.as_bool() {
                Some(b) => {
                    qa.single_active_consumer = b;
                    Some(ArgValue::Bool(b))
                }
                None => {
                    c.at(&p, "`x-single-active-consumer` must be true or false");
                    None
                }
            },
            "x-queue-type" => string(c).and_then(|s| {
                if s == "classic" {
                    Some(ArgValue::Str(names.intern(&s)))
                } else {
                    c.at(&p, format!("`x-queue-type: {s}`: warren models classic queues only"));
                    None
                }
            }),
            "x-queue-mode" => string(c).and_then(|s| {
                if s == "default" || s == "lazy" {
                    Some(ArgValue::Str(names.intern(&s)))
                } else {
                    c.at(&p, format!("`x-queue-mode` is `{s}`: expected default or lazy"));
                    None
                }
            }),
            "x-max-priority" => {
                c.at_key(&p, "`x-max-priority`: priority queues are not modelled by warren");
                None
            }
            other => {
                c.at_key(&p, format!("unknown queue argument `{other}`: expected one of {KNOWN_ARGS}"));
                None
            }
        };
        if let Some(r) = raw {
            qa.raw.push((names.intern(k), r));
        }
    }
    if qa.dead_letter_routing_key.is_some() && qa.dead_letter_exchange.is_none() {
        c.at(path, "`x-dead-letter-routing-key` without `x-dead-letter-exchange`: RabbitMQ refuses it");
    }
    qa
}

fn exchange_kind(c: &mut Checker, path: &str, kind: &str) -> Option<ExchangeKind> {
    let k = ExchangeKind::parse(kind);
    if k.is_none() {
        c.at(path, format!("unknown exchange type `{kind}`: expected direct, fanout, topic or headers"));
    }
    k
}

fn action(c: &mut Checker, path: &str, s: &str) -> Action {
    match s {
        "manual" | "ack" => Action::Ack,
        "auto" => Action::Ack,
        "forget" => Action::Forget,
        "reject" => Action::Reject,
        "reject-requeue" => Action::RejectRequeue,
        "requeue" => Action::Requeue,
        "nack" => Action::Nack,
        "crash" => Action::Crash,
        "crash-before-ack" => Action::CrashBeforeAck,
        other => {
            c.at(path, format!("unknown action `{other}`: expected manual, auto, forget, reject, requeue, reject-requeue, nack, crash or crash-before-ack"));
            Action::Ack
        }
    }
}

fn declare_ops(c: &mut Checker, names: &mut Names, declared: &Declared, path: &str, defs: &[DeclareDef]) -> Vec<Op> {
    let mut ops = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        let p = format!("{path}[{i}]");
        match (&d.queue, &d.exchange) {
            (Some(q), None) => {
                check_name(c, &format!("{p}.queue"), "queue", q);
                if d.kind.is_some() || d.alternate_exchange.is_some() {
                    c.at(&p, "`type` and `alternate_exchange` belong to an exchange declaration");
                }
                let args = queue_args(c, names, declared, &format!("{p}.arguments"), &d.arguments);
                ops.push(Op::QueueDeclare(Box::new(QueueDecl {
                    name: Some(names.intern(q)),
                    durable: d.durable,
                    exclusive: d.exclusive,
                    auto_delete: d.auto_delete,
                    args,
                    passive: d.passive,
                })));
            }
            (None, Some(x)) => {
                check_name(c, &format!("{p}.exchange"), "exchange", x);
                if d.exclusive || !d.arguments.is_empty() {
                    c.at(&p, "`exclusive` and `arguments` belong to a queue declaration");
                }
                let kind = match &d.kind {
                    Some(k) => k.clone(),
                    None if d.passive => "direct".into(),
                    None => {
                        c.at(&p, "an exchange declaration needs a `type` (direct, fanout, topic or headers)");
                        "direct".into()
                    }
                };
                if d.kind.is_some() {
                    exchange_kind(c, &format!("{p}.type"), &kind);
                }
                if let Some(ae) = &d.alternate_exchange {
                    if !declared.exchange_known(ae) {
                        c.at(&format!("{p}.alternate_exchange"), format!("alternate exchange `{ae}` is not declared"));
                    }
                }
                ops.push(Op::ExchangeDeclare(Box::new(ExchangeDecl {
                    name: names.intern(x),
                    kind: names.intern(&kind),
                    durable: d.durable,
                    auto_delete: d.auto_delete,
                    internal: false,
                    alternate: d.alternate_exchange.as_deref().map(|a| names.intern(a)),
                    passive: d.passive,
                })));
            }
            _ => c.at(&p, "a declaration names exactly one of `queue` or `exchange`"),
        }
    }
    ops
}

fn reconnect(r: &Option<Reconnect>) -> Option<Time> {
    match r {
        None => Some(Time::secs(1)),
        Some(Reconnect::After(t)) => Some(*t),
        Some(Reconnect::Never) => None,
    }
}

/// Validates a parsed file and builds the runnable scenario.
pub fn build(mut f: ScenarioFile, text: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
    let loc = Locator::new(text);
    f.key_order = loc.top_level_keys();
    let mut c = Checker { file, loc: &loc, errors: Vec::new() };
    let mut names = Names::new();
    let mut msgs = MessageStore::default();
    check_name(&mut c, "name", "scenario", &f.name);

    // ---- what exists, for reference checks
    let mut d = Declared::default();
    for (i, x) in f.exchanges.iter().enumerate() {
        let p = format!("exchanges[{i}]");
        check_name(&mut c, &format!("{p}.name"), "exchange", &x.name);
        if x.name.starts_with("amq.") {
            c.at(
                &format!("{p}.name"),
                format!("exchange name `{}` starts with `amq.`, which RabbitMQ reserves (403 ACCESS_REFUSED)", x.name),
            );
        }
        let kind = exchange_kind(&mut c, &format!("{p}.type"), &x.kind).unwrap_or(ExchangeKind::Direct);
        if d.exchanges.insert(x.name.clone(), (kind, i)).is_some() {
            c.at(&format!("{p}.name"), format!("exchange `{}` is declared twice", x.name));
        }
        d.top_exchanges.insert(x.name.clone(), i);
    }
    for b in ["amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match"] {
        let kind = match b {
            "amq.direct" => ExchangeKind::Direct,
            "amq.fanout" => ExchangeKind::Fanout,
            "amq.topic" => ExchangeKind::Topic,
            _ => ExchangeKind::Headers,
        };
        d.exchanges.entry(b.to_string()).or_insert((kind, usize::MAX));
    }
    for (i, q) in f.queues.iter().enumerate() {
        let p = format!("queues[{i}]");
        check_name(&mut c, &format!("{p}.name"), "queue", &q.name);
        if q.name.starts_with("amq.") {
            c.at(&format!("{p}.name"), format!("queue name `{}` starts with `amq.`, which RabbitMQ reserves (403 ACCESS_REFUSED)", q.name));
        }
        if d.queues.insert(q.name.clone(), i).is_some() {
            c.at(&format!("{p}.name"), format!("queue `{}` is declared twice", q.name));
        }
    }
    let all_declares = f
        .producers
        .iter()
        .flat_map(|p| p.declare.iter())
        .chain(f.consumers.iter().flat_map(|p| p.declare.iter()))
        .chain(f.rpc_clients.iter().flat_map(|p| p.declare.iter()));
    for dd in all_declares {
        if let Some(q) = &dd.queue {
            d.client_queues.push(q.clone());
        }
        if let Some(x) = &dd.exchange {
            d.client_exchanges.push(x.clone());
        }
    }
    let mut next_client = 0u32;
    let mut actor_paths: HashMap<String, String> = HashMap::new();
    let mut add_actor = |c: &mut Checker, d: &mut Declared, path: &str, name: &str, kind: &'static str| {
        check_name(c, path, kind, name);
        if name == "broker" || name == "setup" {
            c.at(path, format!("`{name}` is reserved: name the {kind} something else"));
        }
        let id = ClientId(next_client);
        next_client += 1;
        if d.actors.insert(name.to_string(), (id, kind)).is_some() {
            // Point at whichever of the two comes later in the file.
            let other = actor_paths.get(name).cloned().unwrap_or_default();
            let later = if c.loc.value(&other) > c.loc.value(path) { other } else { path.to_string() };
            c.at(&later, format!("there are two actors called `{name}`: producers, consumers and RPC clients need distinct names"));
        }
        actor_paths.insert(name.to_string(), path.to_string());
        id
    };
    let producer_ids: Vec<ClientId> = f
        .producers
        .iter()
        .enumerate()
        .map(|(i, p)| add_actor(&mut c, &mut d, &format!("producers[{i}].name"), &p.name, "producer"))
        .collect();
    let consumer_ids: Vec<ClientId> = f
        .consumers
        .iter()
        .enumerate()
        .map(|(i, p)| add_actor(&mut c, &mut d, &format!("consumers[{i}].name"), &p.name, "consumer"))
        .collect();
    let rpc_ids: Vec<ClientId> = f
        .rpc_clients
        .iter()
        .enumerate()
        .map(|(i, p)| add_actor(&mut c, &mut d, &format!("rpc_clients[{i}].name"), &p.name, "RPC client"))
        .collect();

    // ---- broker and topology set up at t = 0
    let mut setup_ops = Vec::new();
    for (i, x) in f.exchanges.iter().enumerate() {
        if let Some(ae) = &x.alternate_exchange {
            if !d.exchange_known(ae) {
                c.at(&format!("exchanges[{i}].alternate_exchange"), format!("alternate exchange `{ae}` is not declared in `exchanges:`"));
            }
        }
        setup_ops.push(Op::ExchangeDeclare(Box::new(exchange_decl(&mut names, x))));
    }
    let mut queue_decls: HashMap<String, QueueDecl> = HashMap::new();
    for (i, q) in f.queues.iter().enumerate() {
        let args = queue_args(&mut c, &mut names, &d, &format!("queues[{i}].arguments"), &q.arguments);
        let decl = QueueDecl {
            name: Some(names.intern(&q.name)),
            durable: q.durable,
            exclusive: q.exclusive,
            auto_delete: q.auto_delete,
            args,
            passive: false,
        };
        if !q.exclusive {
            setup_ops.push(Op::QueueDeclare(Box::new(decl.clone())));
        } else {
            let owners = f.consumers.iter().filter(|cd| matches!(&cd.queue, ConsumerQueueDef::Named(n) if *n == q.name)).count();
            if owners != 1 {
                c.at(
                    &format!("queues[{i}].exclusive"),
                    format!("exclusive queue `{}` must be consumed by exactly one consumer, which declares it on its own connection (found {owners})", q.name),
                );
            }
        }
        queue_decls.insert(q.name.clone(), decl);
    }
    // bindings: (exchange, queue) → ops, for setup or for the exclusive queue's owner
    let mut queue_bindings: HashMap<String, Vec<Op>> = HashMap::new();
    for (i, b) in f.bindings.iter().enumerate() {
        let p = format!("bindings[{i}]");
        if b.exchange.is_empty() {
            c.at(&format!("{p}.exchange"), "the default exchange \"\" cannot be bound (403 ACCESS_REFUSED): bind to a named exchange");
            continue;
        }
        let Some(&(kind, _)) = d.exchanges.get(&b.exchange) else {
            c.at(&format!("{p}.exchange"), format!("binding from exchange `{}`, which is not declared in `exchanges:`", b.exchange));
            continue;
        };
        check_key(&mut c, &format!("{p}.key"), &b.key);
        let args = headers(&mut c, &mut names, &format!("{p}.arguments"), &b.arguments);
        if kind == ExchangeKind::Headers {
            if let Some(a) = &args {
                if let Err(v) = crate::broker::headers::HeadersPattern::new(a, &names) {
                    c.at(
                        &format!("{p}.arguments.x-match"),
                        format!("x-match is `{v}`: expected all, any, all-with-x or any-with-x (RabbitMQ refuses the binding with 406)"),
                    );
                }
            }
        }
        let (exchange, key) = (names.intern(&b.exchange), names.intern(&b.key));
        match (&b.queue, &b.to_exchange) {
            (Some(q), None) => {
                if !d.queues.contains_key(q) {
                    c.at(&format!("{p}.queue"), format!("binding to queue `{q}`, which is not declared in `queues:`"));
                    continue;
                }
                let op = Op::QueueBind { queue: QueueRef::Named(names.intern(q)), exchange, key, args };
                let exclusive = queue_decls.get(q).is_some_and(|qd| qd.exclusive);
                if exclusive {
                    queue_bindings.entry(q.clone()).or_default().push(op);
                } else {
                    queue_bindings.entry(q.clone()).or_default().push(op.clone());
                    setup_ops.push(op);
                }
            }
            (None, Some(x)) => {
                if !d.exchanges.contains_key(x) {
                    c.at(&format!("{p}.to_exchange"), format!("binding to exchange `{x}`, which is not declared in `exchanges:`"));
                    continue;
                }
                setup_ops.push(Op::ExchangeBind { destination: names.intern(x), source: exchange, key, args });
            }
            _ => c.at(&p, "a binding names exactly one destination: `queue` or `to_exchange`"),
        }
    }

    // ---- clients
    let mut clients: Vec<Arc<ClientSpec>> = Vec::new();
    let mut order: Vec<(Pos, Initial)> = Vec::new();
    for (i, p) in f.producers.iter().enumerate() {
        let path = format!("producers[{i}]");
        let start = p.start.map(|d| d.0).unwrap_or(Time::ZERO);
        let mut connect_ops = declare_ops(&mut c, &mut names, &d, &format!("{path}.declare"), &p.declare);
        if p.confirms {
            connect_ops.push(Op::ConfirmSelect);
        }
        let mut entries = Vec::new();
        for (j, e) in p.publish.iter().enumerate() {
            let ep = format!("{path}.publish[{j}]");
            if !d.exchange_known(&e.exchange) {
                c.at(
                    &format!("{ep}.exchange"),
                    format!("publishing to exchange `{}`, which is not declared in `exchanges:` or by a client", e.exchange),
                );
            }
            check_key(&mut c, &format!("{ep}.key"), &e.key);
            if e.count == 0 {
                c.at(&format!("{ep}.count"), "`count` is 0: expected at least 1 message");
            }
            if e.at.0 < start {
                c.at(&format!("{ep}.at"), format!("publishing at {} but the producer starts at {}", e.at.0, start));
            }
            let mut props = Props::new(names.intern(&e.exchange), names.intern(&e.key));
            props.persistent = e.persistent;
            props.mandatory = e.mandatory;
            props.expiration = e.expiration.map(|d| d.0);
            props.headers = headers(&mut c, &mut names, &format!("{ep}.headers"), &e.headers);
            props.reply_to = e.reply_to.as_deref().map(|s| names.intern(s));
            props.correlation_id = e.correlation_id.as_deref().map(|s| names.intern(s));
            let pid = msgs.add_props(props);
            entries.push(PublishEntry { at: e.at.0, every: e.every.0, count: e.count, body: names.intern(&e.body), props: pid });
        }
        order.push((loc.value(&path), Initial::Start(producer_ids[i])));
        clients.push(Arc::new(ClientSpec {
            name: p.name.clone(),
            start,
            reconnect: reconnect(&p.reconnect),
            latency: p.latency.map(|d| d.0).unwrap_or_default(),
            connect_ops,
            role: RoleSpec::Producer(ProducerSpec { confirms: p.confirms, entries }),
        }));
    }
    for (i, cd) in f.consumers.iter().enumerate() {
        let path = format!("consumers[{i}]");
        let start = cd.start.map(|d| d.0).unwrap_or(Time::ZERO);
        let mut connect_ops = declare_ops(&mut c, &mut names, &d, &format!("{path}.declare"), &cd.declare);
        let ack = cd.ack.clone().unwrap_or_else(|| "manual".into());
        let no_ack = ack == "auto";
        let base_action = action(&mut c, &format!("{path}.ack"), &ack);
        if matches!(base_action, Action::Crash | Action::CrashBeforeAck) {
            c.at(&format!("{path}.ack"), format!("`{ack}` is for a rule, not a consumer's usual ack mode"));
        }
        if cd.prefetch > 0 && !no_ack {
            connect_ops.push(Op::Qos { prefetch: cd.prefetch, prefetch_size: 0, global: false });
        }
        let queue_ref = match &cd.queue {
            ConsumerQueueDef::Named(q) => {
                if !d.queue_known(q) {
                    c.at(
                        &format!("{path}.queue"),
                        format!("consumer `{}` reads queue `{q}`, which is not declared in `queues:` or by a client", cd.name),
                    );
                }
                if let Some(decl) = queue_decls.get(q) {
                    // Like the article's consumers: declare the exchanges, the queue and its
                    // bindings on connecting, then consume.
                    for op in queue_bindings.get(q).into_iter().flatten() {
                        if let Op::QueueBind { exchange, .. } = op {
                            if let Some(&xi) = d.top_exchanges.get(names.get(*exchange)) {
                                connect_ops.push(Op::ExchangeDeclare(Box::new(exchange_decl(&mut names, &f.exchanges[xi]))));
                            }
                        }
                    }
                    connect_ops.push(Op::QueueDeclare(Box::new(decl.clone())));
                    connect_ops.extend(queue_bindings.get(q).cloned().unwrap_or_default());
                }
                QueueRef::Named(names.intern(q))
            }
            ConsumerQueueDef::Private(pq) => {
                let pp = format!("{path}.queue");
                for (j, b) in pq.bind.iter().enumerate() {
                    if let Some(&xi) = d.top_exchanges.get(&b.exchange) {
                        connect_ops.push(Op::ExchangeDeclare(Box::new(exchange_decl(&mut names, &f.exchanges[xi]))));
                    } else if !d.exchange_known(&b.exchange) || b.exchange.is_empty() {
                        c.at(&format!("{pp}.bind[{j}].exchange"), format!("binding from exchange `{}`, which is not declared", b.exchange));
                    }
                }
                let args = queue_args(&mut c, &mut names, &d, &format!("{pp}.arguments"), &pq.arguments);
                connect_ops.push(Op::QueueDeclare(Box::new(QueueDecl {
                    name: None,
                    durable: pq.durable,
                    exclusive: pq.exclusive,
                    auto_delete: pq.auto_delete,
                    args,
                    passive: false,
                })));
                for (j, b) in pq.bind.iter().enumerate() {
                    check_key(&mut c, &format!("{pp}.bind[{j}].key"), &b.key);
                    let args = headers(&mut c, &mut names, &format!("{pp}.bind[{j}].arguments"), &b.arguments);
                    connect_ops.push(Op::QueueBind {
                        queue: QueueRef::LastDeclared,
                        exchange: names.intern(&b.exchange),
                        key: names.intern(&b.key),
                        args,
                    });
                }
                QueueRef::LastDeclared
            }
        };
        let work = match &cd.work {
            None => Work::Fixed(Time::ZERO),
            Some(WorkDef::Fixed(t)) => Work::Fixed(t.0),
            Some(WorkDef::Dist(w)) => match (w.uniform, w.exponential) {
                (Some((lo, hi)), None) => {
                    if hi.0 < lo.0 {
                        c.at(
                            &format!("{path}.work.uniform"),
                            format!("uniform work from {} to {}: the first must not be larger", lo.0, hi.0),
                        );
                    }
                    Work::Uniform(lo.0, hi.0)
                }
                (None, Some(m)) => Work::Exponential(m.0),
                _ => {
                    c.at(&format!("{path}.work"), "`work` takes exactly one of `uniform` or `exponential`");
                    Work::Fixed(Time::ZERO)
                }
            },
        };
        let reply = cd.reply.as_deref().map(|r| match r {
            "echo" => ReplyFn::Echo,
            "fib" => ReplyFn::Fib,
            "increment" => ReplyFn::Increment,
            "upper" => ReplyFn::Upper,
            t if t.contains("{body}") => ReplyFn::Template(t.to_string()),
            other => {
                c.at(
                    &format!("{path}.reply"),
                    format!("unknown reply function `{other}`: expected echo, fib, increment, upper, or a template with {{body}}"),
                );
                ReplyFn::Echo
            }
        });
        let rules = cd
            .rules
            .iter()
            .enumerate()
            .map(|(j, r)| Rule {
                body: r.body.clone(),
                redelivered: r.redelivered,
                times: r.times,
                action: action(&mut c, &format!("{path}.rules[{j}].action"), &r.action),
            })
            .collect();
        let consume = Op::Consume { queue: queue_ref, tag: names.intern(&cd.name), no_ack, exclusive: cd.exclusive, priority: cd.priority };
        order.push((loc.value(&path), Initial::Start(consumer_ids[i])));
        clients.push(Arc::new(ClientSpec {
            name: cd.name.clone(),
            start,
            reconnect: reconnect(&cd.reconnect),
            latency: cd.latency.map(|d| d.0).unwrap_or_default(),
            connect_ops,
            role: RoleSpec::Consumer(ConsumerSpec {
                consume,
                no_ack,
                action: base_action,
                work,
                reply,
                reply_mandatory: cd.reply_mandatory,
                rules,
            }),
        }));
    }
    for (i, r) in f.rpc_clients.iter().enumerate() {
        let path = format!("rpc_clients[{i}]");
        let start = r.start.map(|d| d.0).unwrap_or(Time::ZERO);
        let connect_ops = declare_ops(&mut c, &mut names, &d, &format!("{path}.declare"), &r.declare);
        if !d.queue_known(&r.queue) {
            c.at(&format!("{path}.queue"), format!("RPC client `{}` calls queue `{}`, which is not declared", r.name, r.queue));
        }
        let reply_to = match r.reply_to.as_deref().unwrap_or("callback") {
            "callback" => ReplyMode::Callback,
            "direct" => ReplyMode::Direct,
            "none" => ReplyMode::None,
            other => {
                c.at(&format!("{path}.reply_to"), format!("`reply_to: {other}`: expected callback, direct or none"));
                ReplyMode::Callback
            }
        };
        let first_call = r.first_call.map(|d| d.0).unwrap_or(start);
        if first_call < start {
            c.at(&format!("{path}.first_call"), "the first call comes before the client starts");
        }
        let calls = r.calls.iter().map(|s| names.intern(s)).collect();
        order.push((loc.value(&path), Initial::Start(rpc_ids[i])));
        clients.push(Arc::new(ClientSpec {
            name: r.name.clone(),
            start,
            reconnect: reconnect(&r.reconnect),
            latency: r.latency.map(|d| d.0).unwrap_or_default(),
            connect_ops,
            role: RoleSpec::RpcClient(RpcClientSpec {
                queue: names.intern(&r.queue),
                calls,
                every: r.every.map(|d| d.0).unwrap_or(Time::secs(1)),
                first_call,
                reply_to,
                persistent: r.persistent,
                direct_queue: names.intern("amq.rabbitmq.reply-to"),
            }),
        }));
    }

    // ---- faults
    let mut faults = Vec::new();
    for (i, fd) in f.faults.iter().enumerate() {
        let p = format!("faults[{i}]");
        let actor = |c: &mut Checker, key: &str, name: &str| -> Option<ClientId> {
            match d.actors.get(name) {
                Some((id, _)) => Some(*id),
                None => {
                    c.at(&format!("{p}.{key}"), format!("no producer, consumer or RPC client is called `{name}`"));
                    None
                }
            }
        };
        let given = [fd.crash.is_some(), fd.restart.is_some(), fd.stop.is_some(), fd.delay.is_some(), fd.partition.is_some()]
            .iter()
            .filter(|x| **x)
            .count();
        if given != 1 {
            c.at(&p, "a fault names exactly one of `crash`, `restart`, `stop`, `delay` or `partition`");
            continue;
        }
        if let Some(u) = fd.until {
            if u.0 <= fd.at.0 {
                c.at(&format!("{p}.until"), format!("the fault ends at {} but starts at {}: `until` must come after `at`", u.0, fd.at.0));
            }
        }
        let kind = if let Some(t) = &fd.crash {
            if t == "broker" {
                Some(FaultKind::BrokerCrash)
            } else {
                actor(&mut c, "crash", t).map(FaultKind::Crash)
            }
        } else if let Some(t) = &fd.restart {
            if t == "broker" {
                Some(FaultKind::BrokerRestart)
            } else {
                actor(&mut c, "restart", t).map(FaultKind::Restart)
            }
        } else if let Some(t) = &fd.stop {
            if t == "broker" {
                Some(FaultKind::BrokerStop)
            } else {
                c.at(&format!("{p}.stop"), "`stop` applies to the broker only (`stop: broker`); use `crash` for a client");
                None
            }
        } else if let Some(t) = &fd.delay {
            let by = match fd.by {
                Some(b) => b.0,
                None => {
                    c.at(&p, "a `delay` fault needs `by`: the extra latency, like 300ms");
                    Time::ZERO
                }
            };
            actor(&mut c, "delay", t).map(|client| FaultKind::Delay { client, by })
        } else {
            let t = fd.partition.as_deref().unwrap_or_default();
            actor(&mut c, "partition", t).map(FaultKind::Partition)
        };
        if fd.by.is_some() && fd.delay.is_none() {
            c.at(&format!("{p}.by"), "`by` belongs to a `delay` fault");
        }
        if fd.until.is_some() && fd.delay.is_none() && fd.partition.is_none() {
            c.at(&format!("{p}.until"), "`until` belongs to a `delay` or `partition` fault");
        }
        if let Some(kind) = kind {
            order.push((loc.value(&p), Initial::Fault(faults.len() as u32)));
            faults.push(FaultSpec {
                at: fd.at.0,
                until: fd.until.map(|u| u.0).filter(|_| fd.delay.is_some() || fd.partition.is_some()),
                kind,
            });
        }
    }

    // ---- notes
    let mut notes = Vec::new();
    for (i, n) in f.notes.iter().enumerate() {
        let p = format!("notes[{i}]");
        match (&n.text, &n.ask) {
            (Some(_), None) => {
                if !n.choices.is_empty() || n.answer.is_some() {
                    c.at(&p, "`choices` and `answer` go with `ask`, not `text`");
                }
            }
            (None, Some(_)) => {
                if n.choices.len() < 2 {
                    c.at(&p, "a question (`ask`) needs at least two `choices`");
                }
                match &n.answer {
                    Some(a) if !n.choices.iter().any(|ch| ch.get("en") == a) => {
                        c.at(&format!("{p}.answer"), format!("the answer `{a}` is not one of the choices"))
                    }
                    None => c.at(&p, "a question (`ask`) needs an `answer` (one of the choices)"),
                    _ => {}
                }
            }
            _ => c.at(&p, "a note has exactly one of `text` or `ask`"),
        }
        order.push((loc.value(&p), Initial::Note(notes.len() as u32)));
        notes.push(Note {
            at: n.at.0,
            text: n.text.clone(),
            ask: n.ask.clone(),
            choices: n.choices.clone(),
            answer: n.answer.as_ref().and_then(|a| n.choices.iter().position(|ch| ch.get("en") == a)),
            explain: n.explain.clone(),
        });
    }

    // ---- expectations
    let mut expects = Vec::new();
    for (i, e) in f.expect.iter().enumerate() {
        let p = format!("expect[{i}]");
        if let Some(kind) = expect_kind(&mut c, &d, &p, e) {
            expects.push(Expect { at: e.at.map(|a| a.0), kind, line: loc.value(&p).line, why: e.why.clone() });
        }
    }

    // ---- times and limits
    let until = f.until.map(|u| u.0);
    let limits = Limits {
        max_events: f.limits.events.unwrap_or(Limits::default().max_events),
        max_time: f.limits.time.map(|t| t.0).unwrap_or(Limits::default().max_time),
    };
    if f.limits.events == Some(0) {
        c.at("limits.events", "`limits.events` is 0: nothing could run");
    }
    if let Some(u) = until {
        if u > limits.max_time {
            c.at("until", format!("`until` ({u}) is beyond the time limit ({}); raise `limits.time`", limits.max_time));
        }
    }

    if !c.errors.is_empty() {
        c.errors.sort_by_key(|e| e.pos);
        c.errors.dedup();
        return Err(ScenarioErrors(c.errors));
    }
    order.sort_by_key(|(pos, _)| *pos);
    let plan = WorldPlan {
        seed: f.seed.unwrap_or(0),
        broker: BrokerConfig { sync_every: f.broker.sync_every.map(|d| d.0).unwrap_or(BrokerConfig::default().sync_every) },
        latency: f.broker.latency.map(|d| d.0).unwrap_or_default(),
        until,
        limits,
        setup_ops,
        clients,
        faults,
        note_times: notes.iter().map(|n: &Note| n.at).collect(),
        order: order.into_iter().map(|(_, i)| i).collect(),
        names,
        msgs,
    };
    let _ = Body::literal(Sym(0));
    Ok(Scenario {
        name: f.name.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        file: file.to_string(),
        seed: plan.seed,
        plan: Arc::new(plan),
        notes,
        expects,
        diff_skip: f.diff.as_ref().map(|d| d.skip.clone()),
        source: text.to_string(),
        def: f,
    })
}

fn exchange_decl(names: &mut Names, x: &ExchangeDef) -> ExchangeDecl {
    ExchangeDecl {
        name: names.intern(&x.name),
        kind: names.intern(&x.kind),
        durable: x.durable,
        auto_delete: x.auto_delete,
        internal: x.internal,
        alternate: x.alternate_exchange.as_deref().map(|a| names.intern(a)),
        passive: false,
    }
}

fn expect_kind(c: &mut Checker, d: &Declared, p: &str, e: &ExpectDef) -> Option<ExpectKind> {
    let subjects = [e.consumer.is_some(), e.queue.is_some(), e.producer.is_some(), e.client.is_some()].iter().filter(|x| **x).count();
    let globals = [e.unroutable.is_some(), e.lost.is_some(), e.dead_lettered.is_some(), e.error.is_some(), e.guarantee.is_some()]
        .iter()
        .filter(|x| **x)
        .count();
    let checks = [
        e.received.is_some(),
        e.redelivered.is_some(),
        e.processed.is_some(),
        e.count.is_some(),
        e.messages.is_some(),
        e.exists.is_some(),
        e.ready.is_some(),
        e.unacked.is_some(),
        e.returned.is_some(),
        e.confirmed.is_some(),
        e.nacked.is_some(),
        e.unconfirmed.is_some(),
        e.replies.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if subjects + globals != 1 || (subjects == 1 && checks != 1) || (globals == 1 && checks != 0) {
        c.at(
            p,
            "an expectation checks one thing: `consumer` with one of received/redelivered/processed/count, `queue` with messages/exists/ready/unacked, `producer` with returned/confirmed/nacked/unconfirmed, `client` with replies, or one of unroutable/lost/dead_lettered/error/guarantee",
        );
        return None;
    }
    let actor = |c: &mut Checker, key: &str, name: &str, want: &[&str]| -> Option<ClientId> {
        match d.actors.get(name) {
            Some((id, kind)) if want.contains(kind) => Some(*id),
            Some((_, kind)) => {
                c.at(&format!("{p}.{key}"), format!("`{name}` is a {kind}, not a {}", want.join(" or ")));
                None
            }
            None => {
                c.at(&format!("{p}.{key}"), format!("no {} is called `{name}`", want.join(" or ")));
                None
            }
        }
    };
    let misplaced = |c: &mut Checker, key: &str, subject: &str| {
        c.at(&format!("{p}.{key}"), format!("`{key}` does not go with `{subject}`"));
        None
    };
    if let Some(name) = &e.consumer {
        let id = actor(c, "consumer", name, &["consumer"])?;
        return if let Some(b) = &e.received {
            Some(ExpectKind::Received { consumer: id, bodies: b.clone() })
        } else if let Some(b) = &e.redelivered {
            Some(ExpectKind::Redelivered { consumer: id, bodies: b.clone() })
        } else if let Some(b) = &e.processed {
            Some(ExpectKind::Processed { consumer: id, bodies: b.clone() })
        } else if let Some(n) = e.count {
            Some(ExpectKind::Count { consumer: id, n })
        } else {
            misplaced(c, "consumer", "a consumer check")
        };
    }
    if let Some(q) = &e.queue {
        if !d.queue_known(q) {
            c.at(&format!("{p}.queue"), format!("queue `{q}` is not declared"));
            return None;
        }
        return if let Some(b) = &e.messages {
            Some(ExpectKind::QueueMessages { queue: q.clone(), bodies: b.clone() })
        } else if let Some(x) = e.exists {
            Some(ExpectKind::QueueExists { queue: q.clone(), exists: x })
        } else if let Some(n) = e.ready {
            Some(ExpectKind::QueueReady { queue: q.clone(), n })
        } else if let Some(n) = e.unacked {
            Some(ExpectKind::QueueUnacked { queue: q.clone(), n })
        } else {
            misplaced(c, "queue", "a queue check")
        };
    }
    if let Some(name) = &e.producer {
        let id = actor(c, "producer", name, &["producer", "consumer", "RPC client"])?;
        return if let Some(b) = &e.returned {
            Some(ExpectKind::Returned { producer: id, bodies: b.clone() })
        } else if let Some(n) = e.confirmed {
            Some(ExpectKind::Confirmed { producer: id, n })
        } else if let Some(b) = &e.nacked {
            Some(ExpectKind::Nacked { producer: id, bodies: b.clone() })
        } else if let Some(n) = e.unconfirmed {
            Some(ExpectKind::Unconfirmed { producer: id, n })
        } else {
            misplaced(c, "producer", "a producer check")
        };
    }
    if let Some(name) = &e.client {
        let id = actor(c, "client", name, &["RPC client"])?;
        return match &e.replies {
            Some(b) => Some(ExpectKind::Replies { client: id, bodies: b.clone() }),
            None => misplaced(c, "client", "an RPC client check"),
        };
    }
    if let Some(n) = e.unroutable {
        return Some(ExpectKind::Unroutable(n));
    }
    if let Some(n) = e.lost {
        return Some(ExpectKind::Lost(n));
    }
    if let Some(n) = e.dead_lettered {
        return Some(ExpectKind::DeadLettered(n));
    }
    if let Some(g) = &e.guarantee {
        return match crate::guarantees::Guarantee::parse(g) {
            Some(g) => Some(ExpectKind::Guarantee(g)),
            None => {
                let all: Vec<&str> = crate::guarantees::Guarantee::ALL.iter().map(|g| g.name()).collect();
                c.at(&format!("{p}.guarantee"), format!("unknown guarantee `{g}`: expected one of {}", all.join(", ")));
                None
            }
        };
    }
    if let Some(err) = &e.error {
        let id = actor(c, "error.actor", &err.actor, &["producer", "consumer", "RPC client"])?;
        return Some(ExpectKind::Error { actor: id, code: err.code });
    }
    None
}
