//! The clients: the actors' names (one name space for producers, consumers and RPC clients),
//! then each producer, consumer and RPC client as a [`ClientSpec`] with the operations it
//! runs on connecting.

use super::topology::{check_key, check_name, exchange_decl, exchange_kind, headers, queue_args, refused_by_type};
use super::{Builder, Checker, Declared};
use crate::broker::message::Props;
use crate::broker::ops::{ExchangeDecl, Op, QueueDecl, QueueRef};
use crate::client::spec::*;
use crate::ids::ClientId;
use crate::names::Names;
use crate::scenario::model::{ConsumerDef, ConsumerQueueDef, DeclareDef, PrivateQueueDef, ProducerDef, Reconnect, RpcClientDef, WorkDef};
use crate::sim::Time;
use crate::world::Initial;
use std::sync::Arc;

impl Builder<'_> {
    /// Gives each actor its id, in file order: producers, consumers, RPC clients.
    pub(super) fn actor_names(&mut self) {
        let f = self.f;
        let producers =
            f.producers.iter().enumerate().map(|(i, p)| self.add_actor(&format!("producers[{i}].name"), &p.name, "producer")).collect();
        self.actors.producers = producers;
        let consumers =
            f.consumers.iter().enumerate().map(|(i, p)| self.add_actor(&format!("consumers[{i}].name"), &p.name, "consumer")).collect();
        self.actors.consumers = consumers;
        let rpc_clients = f
            .rpc_clients
            .iter()
            .enumerate()
            .map(|(i, p)| self.add_actor(&format!("rpc_clients[{i}].name"), &p.name, "RPC client"))
            .collect();
        self.actors.rpc_clients = rpc_clients;
    }

    fn add_actor(&mut self, path: &str, name: &str, kind: &'static str) -> ClientId {
        let c = &mut self.c;
        check_name(c, path, kind, name);
        if name == "broker" || name == "setup" {
            c.at(path, format!("`{name}` is reserved: name the {kind} something else"));
        }
        let id = ClientId(self.actors.next);
        self.actors.next += 1;
        if self.d.actors.insert(name.to_string(), (id, kind)).is_some() {
            // Point at whichever of the two comes later in the file.
            let other = self.actors.paths.get(name).cloned().unwrap_or_default();
            let later = if c.loc.value(&other) > c.loc.value(path) { other } else { path.to_string() };
            c.at(&later, format!("there are two actors called `{name}`: producers, consumers and RPC clients need distinct names"));
        }
        self.actors.paths.insert(name.to_string(), path.to_string());
        id
    }

    pub(super) fn producers(&mut self) {
        let f = self.f;
        for (i, p) in f.producers.iter().enumerate() {
            self.producer(i, p);
        }
    }

    fn producer(&mut self, i: usize, p: &ProducerDef) {
        let path = format!("producers[{i}]");
        let start = p.start.map(|d| d.0).unwrap_or(Time::ZERO);
        let mut connect_ops = declare_ops(&mut self.c, &mut self.names, &self.d, &format!("{path}.declare"), &p.declare);
        if p.confirms {
            connect_ops.push(Op::ConfirmSelect);
        }
        let (c, names) = (&mut self.c, &mut self.names);
        let mut entries = Vec::new();
        for (j, e) in p.publish.iter().enumerate() {
            let ep = format!("{path}.publish[{j}]");
            if !self.d.exchange_known(&e.exchange) {
                c.at(
                    &format!("{ep}.exchange"),
                    format!("publishing to exchange `{}`, which is not declared in `exchanges:` or by a client", e.exchange),
                );
            }
            check_key(c, &format!("{ep}.key"), &e.key);
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
            props.headers = headers(c, names, &format!("{ep}.headers"), &e.headers);
            props.reply_to = e.reply_to.as_deref().map(|s| names.intern(s));
            props.correlation_id = e.correlation_id.as_deref().map(|s| names.intern(s));
            props.priority = match e.priority {
                None => None,
                Some(p) if (0..=255).contains(&p) => Some(p as u8),
                Some(p) => {
                    c.at(&format!("{ep}.priority"), format!("`priority` is {p}: a message priority is 0 to 255 (an AMQP octet)"));
                    None
                }
            };
            let pid = self.msgs.add_props(props);
            entries.push(PublishEntry { at: e.at.0, every: e.every.0, count: e.count, body: names.intern(&e.body), props: pid });
        }
        self.order.push((self.c.loc.value(&path), Initial::Start(self.actors.producers[i])));
        self.clients.push(Arc::new(ClientSpec {
            name: p.name.clone(),
            start,
            reconnect: reconnect(&p.reconnect),
            latency: p.latency.map(|d| d.0).unwrap_or_default(),
            connect_ops,
            role: RoleSpec::Producer(ProducerSpec { confirms: p.confirms, entries }),
        }));
    }

    pub(super) fn consumers(&mut self) {
        let f = self.f;
        for (i, cd) in f.consumers.iter().enumerate() {
            self.consumer(i, cd);
        }
    }

    fn consumer(&mut self, i: usize, cd: &ConsumerDef) {
        let path = format!("consumers[{i}]");
        let start = cd.start.map(|d| d.0).unwrap_or(Time::ZERO);
        let mut connect_ops = declare_ops(&mut self.c, &mut self.names, &self.d, &format!("{path}.declare"), &cd.declare);
        let ack = cd.ack.clone().unwrap_or_else(|| "manual".into());
        let no_ack = ack == "auto";
        let base_action = action(&mut self.c, &format!("{path}.ack"), &ack);
        if matches!(base_action, Action::Crash | Action::CrashBeforeAck) {
            self.c.at(&format!("{path}.ack"), format!("`{ack}` is for a rule, not a consumer's usual ack mode"));
        }
        if cd.prefetch > 0 && !no_ack {
            connect_ops.push(Op::Qos { prefetch: cd.prefetch, prefetch_size: 0, global: false });
        }
        let queue_ref = match &cd.queue {
            ConsumerQueueDef::Named(q) => self.named_queue(&path, cd, q, &mut connect_ops),
            ConsumerQueueDef::Private(pq) => self.private_queue(&path, pq, &mut connect_ops),
        };
        let work = self.work(&path, cd);
        let reply = self.reply(&path, cd);
        let rules = cd
            .rules
            .iter()
            .enumerate()
            .map(|(j, r)| Rule {
                body: r.body.clone(),
                redelivered: r.redelivered,
                times: r.times,
                action: action(&mut self.c, &format!("{path}.rules[{j}].action"), &r.action),
            })
            .collect();
        let timed = self.client_actions(&path, cd, start, &ack);
        let consume =
            Op::Consume { queue: queue_ref, tag: self.names.intern(&cd.name), no_ack, exclusive: cd.exclusive, priority: cd.priority };
        self.order.push((self.c.loc.value(&path), Initial::Start(self.actors.consumers[i])));
        self.clients.push(Arc::new(ClientSpec {
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
                timed,
                ack_every: cd.ack_every.unwrap_or(0),
                poll: cd.get.map(|d| d.0),
                poll_until: cd.get.and(cd.cancel).map(|d| d.0),
            }),
        }));
    }

    /// `cancel:`, `qos:`, `recover:`, `ack_every:` and `get:`: checked, and the timed methods
    /// in time order (file order at the same instant: cancel, then the qos list, then recover).
    fn client_actions(&mut self, path: &str, cd: &ConsumerDef, start: Time, ack: &str) -> Vec<(Time, ClientMethod)> {
        let c = &mut self.c;
        let mut timed: Vec<(Time, ClientMethod)> = Vec::new();
        let mut at = |c: &mut Checker, key: &str, t: Time, m: ClientMethod| {
            if t < start {
                c.at(&format!("{path}.{key}"), format!("`{key}` at {t} comes before the consumer starts ({start})"));
            }
            timed.push((t, m));
        };
        if let Some(t) = cd.cancel {
            if cd.get.is_none() {
                at(c, "cancel", t.0, ClientMethod::Cancel);
            } else if t.0 < start {
                c.at(&format!("{path}.cancel"), format!("`cancel` at {} comes before the consumer starts ({start})", t.0));
            }
        }
        for (j, q) in cd.qos.iter().enumerate() {
            at(c, &format!("qos[{j}].at"), q.at.0, ClientMethod::Qos { prefetch: q.prefetch, global: q.global });
        }
        if let Some(t) = cd.recover {
            at(c, "recover", t.0, ClientMethod::Recover);
        }
        timed.sort_by_key(|(t, _)| *t);
        if let Some(n) = cd.ack_every {
            if n == 0 {
                c.at(&format!("{path}.ack_every"), "`ack_every` is 0: expected at least 1 (settle once every N finished messages)");
            }
            if !matches!(ack, "manual" | "ack" | "nack" | "requeue") {
                c.at(
                    &format!("{path}.ack_every"),
                    format!("`ack_every` settles with multiple=true: it goes with `ack: manual`, `nack` or `requeue`, not `{ack}`"),
                );
            }
        }
        if let Some(every) = cd.get {
            if every.0 == Time::ZERO {
                c.at(&format!("{path}.get"), "`get: 0s`: a poller needs a time between two basic.get, like 100ms");
            }
            if cd.exclusive || cd.priority != 0 {
                c.at(&format!("{path}.get"), "`exclusive` and `priority` are basic.consume arguments: a `get` poller does not consume");
            }
            if cd.cancel.is_none() && self.f.until.is_none() {
                c.at(
                    &format!("{path}.get"),
                    "a `get` poller polls for ever: give it a `cancel:` time (when it stops polling) or the scenario an `until:`",
                );
            }
        }
        timed
    }

    /// A consumer of a queue named in `queues:` (or declared by a client).
    fn named_queue(&mut self, path: &str, cd: &ConsumerDef, q: &str, connect_ops: &mut Vec<Op>) -> QueueRef {
        let (f, names, d) = (self.f, &mut self.names, &self.d);
        if !d.queue_known(q) {
            self.c.at(
                &format!("{path}.queue"),
                format!("consumer `{}` reads queue `{q}`, which is not declared in `queues:` or by a client", cd.name),
            );
        }
        if let Some(decl) = self.queue_decls.get(q) {
            // Like the article's consumers: declare the exchanges, the queue and its
            // bindings on connecting, then consume.
            for op in self.queue_bindings.get(q).into_iter().flatten() {
                if let Op::QueueBind { exchange, .. } = op {
                    if let Some(&xi) = d.top_exchanges.get(names.get(*exchange)) {
                        connect_ops.push(Op::ExchangeDeclare(Box::new(exchange_decl(names, &f.exchanges[xi]))));
                    }
                }
            }
            connect_ops.push(Op::QueueDeclare(Box::new(decl.clone())));
            connect_ops.extend(self.queue_bindings.get(q).cloned().unwrap_or_default());
        }
        QueueRef::Named(names.intern(q))
    }

    /// A consumer's own server-named queue, declared and bound on connecting.
    fn private_queue(&mut self, path: &str, pq: &PrivateQueueDef, connect_ops: &mut Vec<Op>) -> QueueRef {
        let (f, c, names, d) = (self.f, &mut self.c, &mut self.names, &self.d);
        let pp = format!("{path}.queue");
        for (j, b) in pq.bind.iter().enumerate() {
            if let Some(&xi) = d.top_exchanges.get(&b.exchange) {
                connect_ops.push(Op::ExchangeDeclare(Box::new(exchange_decl(names, &f.exchanges[xi]))));
            } else if !d.exchange_known(&b.exchange) || b.exchange.is_empty() {
                c.at(&format!("{pp}.bind[{j}].exchange"), format!("binding from exchange `{}`, which is not declared", b.exchange));
            }
        }
        let args = queue_args(c, names, d, &format!("{pp}.arguments"), &pq.arguments);
        refused_by_type(c, names, &pp, "", (pq.durable, pq.exclusive, pq.auto_delete), &args);
        connect_ops.push(Op::QueueDeclare(Box::new(QueueDecl {
            name: None,
            durable: pq.durable,
            exclusive: pq.exclusive,
            auto_delete: pq.auto_delete,
            args,
            passive: false,
        })));
        for (j, b) in pq.bind.iter().enumerate() {
            check_key(c, &format!("{pp}.bind[{j}].key"), &b.key);
            let args = headers(c, names, &format!("{pp}.bind[{j}].arguments"), &b.arguments);
            connect_ops.push(Op::QueueBind {
                queue: QueueRef::LastDeclared,
                exchange: names.intern(&b.exchange),
                key: names.intern(&b.key),
                args,
            });
        }
        QueueRef::LastDeclared
    }

    /// How long a consumer works on each message.
    fn work(&mut self, path: &str, cd: &ConsumerDef) -> Work {
        match &cd.work {
            None => Work::Fixed(Time::ZERO),
            Some(WorkDef::Fixed(t)) => Work::Fixed(t.0),
            Some(WorkDef::Dist(w)) => match (w.uniform, w.exponential) {
                (Some((lo, hi)), None) => {
                    if hi.0 < lo.0 {
                        self.c.at(
                            &format!("{path}.work.uniform"),
                            format!("uniform work from {} to {}: the first must not be larger", lo.0, hi.0),
                        );
                    }
                    Work::Uniform(lo.0, hi.0)
                }
                (None, Some(m)) => Work::Exponential(m.0),
                _ => {
                    self.c.at(&format!("{path}.work"), "`work` takes exactly one of `uniform` or `exponential`");
                    Work::Fixed(Time::ZERO)
                }
            },
        }
    }

    /// What an RPC server replies.
    fn reply(&mut self, path: &str, cd: &ConsumerDef) -> Option<ReplyFn> {
        cd.reply.as_deref().map(|r| match r {
            "echo" => ReplyFn::Echo,
            "fib" => ReplyFn::Fib,
            "increment" => ReplyFn::Increment,
            "upper" => ReplyFn::Upper,
            t if t.contains("{body}") => ReplyFn::Template(t.to_string()),
            other => {
                self.c.at(
                    &format!("{path}.reply"),
                    format!("unknown reply function `{other}`: expected echo, fib, increment, upper, or a template with {{body}}"),
                );
                ReplyFn::Echo
            }
        })
    }

    pub(super) fn rpc_clients(&mut self) {
        let f = self.f;
        for (i, r) in f.rpc_clients.iter().enumerate() {
            self.rpc_client(i, r);
        }
    }

    fn rpc_client(&mut self, i: usize, r: &RpcClientDef) {
        let path = format!("rpc_clients[{i}]");
        let start = r.start.map(|d| d.0).unwrap_or(Time::ZERO);
        let connect_ops = declare_ops(&mut self.c, &mut self.names, &self.d, &format!("{path}.declare"), &r.declare);
        if !self.d.queue_known(&r.queue) {
            self.c.at(&format!("{path}.queue"), format!("RPC client `{}` calls queue `{}`, which is not declared", r.name, r.queue));
        }
        let reply_to = match r.reply_to.as_deref().unwrap_or("callback") {
            "callback" => ReplyMode::Callback,
            "direct" => ReplyMode::Direct,
            "none" => ReplyMode::None,
            other => {
                self.c.at(&format!("{path}.reply_to"), format!("`reply_to: {other}`: expected callback, direct or none"));
                ReplyMode::Callback
            }
        };
        let first_call = r.first_call.map(|d| d.0).unwrap_or(start);
        if first_call < start {
            self.c.at(&format!("{path}.first_call"), "the first call comes before the client starts");
        }
        let names = &mut self.names;
        let calls = r.calls.iter().map(|s| names.intern(s)).collect();
        self.order.push((self.c.loc.value(&path), Initial::Start(self.actors.rpc_clients[i])));
        self.clients.push(Arc::new(ClientSpec {
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
