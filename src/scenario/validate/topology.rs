//! The topology: names declared anywhere in the file (for reference checks), then the
//! exchanges, queues and bindings the broker is set up with at t = 0; and the checks of
//! AMQP names, routing keys, queue arguments and header tables every section shares.

use super::{Builder, Checker, Declared};
use crate::broker::message::{HValue, Headers};
use crate::broker::ops::{ExchangeDecl, ExchangeKind, Op, QueueDecl, QueueRef};
use crate::broker::queue::{ArgValue, DeadLetterStrategy, Overflow, QueueArgs, QueueType};
use crate::names::Names;
use crate::scenario::model::{ConsumerQueueDef, ExchangeDef, Value, YamlMapping, YamlValue};
use crate::sim::Time;
use std::collections::BTreeMap;

const MAX_SHORTSTR: usize = 255;

impl Builder<'_> {
    /// Exchanges and queues of the top-level sections, the built-in exchanges, and what the
    /// clients declare themselves.
    pub(super) fn declared(&mut self) {
        let (f, c, d) = (self.f, &mut self.c, &mut self.d);
        for (i, x) in f.exchanges.iter().enumerate() {
            let p = format!("exchanges[{i}]");
            check_name(c, &format!("{p}.name"), "exchange", &x.name);
            if x.name.starts_with("amq.") {
                c.at(
                    &format!("{p}.name"),
                    format!("exchange name `{}` starts with `amq.`, which RabbitMQ reserves (403 ACCESS_REFUSED)", x.name),
                );
            }
            let kind = exchange_kind(c, &format!("{p}.type"), &x.kind).unwrap_or(ExchangeKind::Direct);
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
            check_name(c, &format!("{p}.name"), "queue", &q.name);
            if q.name.starts_with("amq.") {
                c.at(
                    &format!("{p}.name"),
                    format!("queue name `{}` starts with `amq.`, which RabbitMQ reserves (403 ACCESS_REFUSED)", q.name),
                );
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
    }

    /// `exchanges:`, declared at t = 0.
    pub(super) fn exchanges(&mut self) {
        for (i, x) in self.f.exchanges.iter().enumerate() {
            if let Some(ae) = &x.alternate_exchange {
                if !self.d.exchange_known(ae) {
                    self.c.at(
                        &format!("exchanges[{i}].alternate_exchange"),
                        format!("alternate exchange `{ae}` is not declared in `exchanges:`"),
                    );
                }
            }
            self.setup_ops.push(Op::ExchangeDeclare(Box::new(exchange_decl(&mut self.names, x))));
        }
    }

    /// `queues:`: declared at t = 0, except an exclusive queue, which its one consumer declares
    /// on its own connection.
    pub(super) fn queues(&mut self) {
        let f = self.f;
        for (i, q) in f.queues.iter().enumerate() {
            let args = queue_args(&mut self.c, &mut self.names, &self.d, &format!("queues[{i}].arguments"), &q.arguments);
            refused_by_type(&mut self.c, &self.names, &format!("queues[{i}]"), &q.name, (q.durable, q.exclusive, q.auto_delete), &args);
            let decl = QueueDecl {
                name: Some(self.names.intern(&q.name)),
                durable: q.durable,
                exclusive: q.exclusive,
                auto_delete: q.auto_delete,
                args,
                passive: false,
            };
            if !q.exclusive {
                self.setup_ops.push(Op::QueueDeclare(Box::new(decl.clone())));
            } else {
                let owners = f.consumers.iter().filter(|cd| matches!(&cd.queue, ConsumerQueueDef::Named(n) if *n == q.name)).count();
                if owners != 1 {
                    self.c.at(
                        &format!("queues[{i}].exclusive"),
                        format!("exclusive queue `{}` must be consumed by exactly one consumer, which declares it on its own connection (found {owners})", q.name),
                    );
                }
            }
            self.queue_decls.insert(q.name.clone(), decl);
        }
    }

    /// `bindings:`: set up at t = 0, and kept per queue for the consumers that declare it.
    pub(super) fn bindings(&mut self) {
        let (f, c, names, d) = (self.f, &mut self.c, &mut self.names, &self.d);
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
            check_key(c, &format!("{p}.key"), &b.key);
            let args = headers(c, names, &format!("{p}.arguments"), &b.arguments);
            if kind == ExchangeKind::Headers {
                if let Some(a) = &args {
                    if let Err(v) = crate::broker::headers::HeadersPattern::new(a, names) {
                        c.at(
                            &format!("{p}.arguments.x-match"),
                            format!(
                                "x-match is `{v}`: expected all, any, all-with-x or any-with-x (RabbitMQ refuses the binding with 406)"
                            ),
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
                    let exclusive = self.queue_decls.get(q).is_some_and(|qd| qd.exclusive);
                    if exclusive {
                        self.queue_bindings.entry(q.clone()).or_default().push(op);
                    } else {
                        self.queue_bindings.entry(q.clone()).or_default().push(op.clone());
                        self.setup_ops.push(op);
                    }
                }
                (None, Some(x)) => {
                    if !d.exchanges.contains_key(x) {
                        c.at(&format!("{p}.to_exchange"), format!("binding to exchange `{x}`, which is not declared in `exchanges:`"));
                        continue;
                    }
                    self.setup_ops.push(Op::ExchangeBind { destination: names.intern(x), source: exchange, key, args });
                }
                _ => c.at(&p, "a binding names exactly one destination: `queue` or `to_exchange`"),
            }
        }
    }
}

pub(super) fn check_name(c: &mut Checker, path: &str, what: &str, name: &str) {
    if name.is_empty() {
        c.at(path, format!("{what} name is empty"));
    } else if name.len() > MAX_SHORTSTR {
        c.at(path, format!("{what} name is {} bytes long: AMQP names are at most 255 bytes", name.len()));
    }
}

pub(super) fn check_key(c: &mut Checker, path: &str, key: &str) {
    if key.len() > MAX_SHORTSTR {
        c.at(path, format!("routing key is {} bytes long: keys are at most 255 bytes (pika raises before sending)", key.len()));
    }
}

pub(super) fn headers(c: &mut Checker, names: &mut Names, path: &str, m: &Option<YamlMapping>) -> Option<Headers> {
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

const KNOWN_ARGS: &str = "x-message-ttl, x-expires, x-max-length, x-max-length-bytes, x-overflow, x-dead-letter-exchange, x-dead-letter-routing-key, x-single-active-consumer, x-queue-type, x-queue-mode, x-max-priority, x-delivery-limit, x-dead-letter-strategy, x-max-in-memory-length, x-max-in-memory-bytes, x-quorum-initial-group-size";

/// A queue declared at the start that its queue type does not allow: RabbitMQ's answer, as a
/// mistake in the file (a client's own `declare:` meets it at run time instead).
pub(super) fn refused_by_type(c: &mut Checker, names: &Names, path: &str, name: &str, flags: (bool, bool, bool), args: &QueueArgs) {
    let server_named = name.is_empty();
    if let Some(e) = crate::broker::quorum::declare_refusal(name, flags, server_named, args, names) {
        let hint = if args.is_quorum() && !server_named { " (a quorum queue is durable, never exclusive or auto-delete)" } else { "" };
        c.at(path, format!("RabbitMQ refuses this queue: {} {}{hint}", e.code.code(), e.text));
    }
}

pub(super) fn queue_args(c: &mut Checker, names: &mut Names, declared: &Declared, path: &str, args: &BTreeMap<String, Value>) -> QueueArgs {
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
            "x-queue-type" => string(c).and_then(|s| match QueueType::parse(&s) {
                Some(t) => {
                    qa.queue_type = t;
                    Some(ArgValue::Str(names.intern(&s)))
                }
                None if s == "stream" => {
                    c.at(&p, "`x-queue-type: stream`: streams are not modelled by warren (classic and quorum queues are)");
                    None
                }
                None => {
                    c.at(
                        &p,
                        format!(
                            "`x-queue-type` is `{s}`: RabbitMQ answers 406 \"unsupported queue type '{s}'\" (expected classic or quorum)"
                        ),
                    );
                    None
                }
            }),
            "x-delivery-limit" | "x-dead-letter-strategy" | "x-max-priority" => type_arg(c, names, &mut qa, &p, k, v),
            "x-max-in-memory-length" | "x-max-in-memory-bytes" | "x-quorum-initial-group-size" => int(c, 0).map(ArgValue::Int),
            "x-queue-mode" => string(c).and_then(|s| {
                if s == "default" || s == "lazy" {
                    Some(ArgValue::Str(names.intern(&s)))
                } else {
                    c.at(&p, format!("`x-queue-mode` is `{s}`: expected default or lazy"));
                    None
                }
            }),
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

/// The arguments of one queue type: quorum queues' `x-delivery-limit` and
/// `x-dead-letter-strategy`, classic priority queues' `x-max-priority`.
fn type_arg(c: &mut Checker, names: &mut Names, qa: &mut QueueArgs, p: &str, k: &str, v: &Value) -> Option<ArgValue> {
    match k {
        "x-delivery-limit" => match v.as_i64() {
            Some(i) => {
                qa.delivery_limit = Some(i);
                Some(ArgValue::Int(i))
            }
            None => {
                c.at(p, "`x-delivery-limit` must be a whole number");
                None
            }
        },
        "x-dead-letter-strategy" => match v.as_str().map(|s| (s, DeadLetterStrategy::parse(s))) {
            Some((s, Some(st))) => {
                qa.dead_letter_strategy = st;
                Some(ArgValue::Str(names.intern(s)))
            }
            Some((s, None)) => {
                c.at(p, format!("`x-dead-letter-strategy` is `{s}`: expected at-most-once or at-least-once (RabbitMQ answers 406 invalid_dlx_strategy)"));
                None
            }
            None => {
                c.at(p, "`x-dead-letter-strategy` must be a string");
                None
            }
        },
        _ => match v.as_i64() {
            Some(i) if (0..=255).contains(&i) => {
                qa.max_priority = Some(i as u8);
                Some(ArgValue::Int(i))
            }
            Some(i) => {
                let why = if i < 0 { format!("{{value_negative,{i}}}") } else { format!("{{max_value_exceeded,{i}}}") };
                c.at(p, format!("`x-max-priority` is {i}: expected 0 to 255 (RabbitMQ answers 406 invalid arg 'x-max-priority': {why})"));
                None
            }
            None => {
                c.at(p, "`x-max-priority` must be a whole number from 0 to 255");
                None
            }
        },
    }
}

pub(super) fn exchange_kind(c: &mut Checker, path: &str, kind: &str) -> Option<ExchangeKind> {
    let k = ExchangeKind::parse(kind);
    if k.is_none() {
        c.at(path, format!("unknown exchange type `{kind}`: expected direct, fanout, topic or headers"));
    }
    k
}

pub(super) fn exchange_decl(names: &mut Names, x: &ExchangeDef) -> ExchangeDecl {
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
