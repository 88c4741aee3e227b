//! Declaring, binding and deleting: `exchange.declare`, `queue.declare`, `queue.bind`,
//! `exchange.bind`, `queue.delete`, `queue.purge` — with RabbitMQ's checks and errors
//! (reserved `amq.` names, the default exchange, exclusive queues, property equivalence).

use super::error::AmqpError;
use super::exchange::{Binding, Dest, Exchange, Matcher};
use super::headers::HeadersPattern;
use super::message::Headers;
use super::ops::{ExchangeDecl, ExchangeKind, Frame, QueueDecl};
use super::queue::{ArgValue, Queue, QueueArgs};
use super::topic::TopicPattern;
use super::{Broker, Cx};
use crate::ids::NO_QUEUE;
use crate::ids::{Actor, BindingId, ChannelId, ExchangeId, QueueId, Sym};
use crate::names::Names;
use crate::record::{DiscardWhy, LostWhy, QueueGone, Record};

fn bool_text(b: bool) -> &'static str {
    if b {
        "'true'"
    } else {
        "'false'"
    }
}

/// An exchange to create, as declared (or built in: the default and `amq.*` exchanges).
#[derive(Copy, Clone, Debug)]
pub(crate) struct NewExchange {
    pub name: Sym,
    pub kind: ExchangeKind,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    pub alternate: Option<Sym>,
    /// One of the exchanges the broker starts with; it cannot be deleted.
    pub builtin: bool,
}

impl Broker {
    pub(crate) fn add_exchange(&mut self, x: NewExchange) -> ExchangeId {
        let NewExchange { name, kind, durable, auto_delete, internal, alternate, builtin } = x;
        let id = ExchangeId(self.exchanges.len() as u32);
        self.exchanges.push(Some(Exchange { id, name, kind, durable, auto_delete, internal, alternate, bindings: Vec::new(), builtin }));
        self.exchange_meta.push(super::ExchangeMeta { name, kind, durable });
        self.exchange_index.insert(name, id);
        self.route_cache.clear();
        id
    }

    pub(crate) fn exchange_declare(&mut self, cx: &mut Cx<'_>, ch: ChannelId, d: &ExchangeDecl) -> Result<(), AmqpError> {
        let (conn, number) = (self.channels[ch.idx()].conn, self.channels[ch.idx()].number);
        let name_text = cx.names.get(d.name).to_string();
        let kind = if d.passive {
            None
        } else {
            Some(ExchangeKind::parse(cx.names.get(d.kind)).ok_or_else(|| AmqpError::unknown_exchange_type(cx.names.get(d.kind)))?)
        };
        if name_text.is_empty() {
            return Err(AmqpError::default_exchange_access());
        }
        match self.exchange_by_name(d.name) {
            Some(id) => {
                if let Some(kind) = kind {
                    let x = self.exchange(id).expect("indexed exchange exists");
                    let x_name = &name_text;
                    if x.kind != kind {
                        return Err(AmqpError::inequivalent(
                            "exchange",
                            x_name,
                            "type",
                            &format!("'{}'", kind.as_str()),
                            &format!("'{}'", x.kind.as_str()),
                        ));
                    }
                    if x.durable != d.durable {
                        return Err(AmqpError::inequivalent("exchange", x_name, "durable", bool_text(d.durable), bool_text(x.durable)));
                    }
                    if x.auto_delete != d.auto_delete {
                        return Err(AmqpError::inequivalent(
                            "exchange",
                            x_name,
                            "auto_delete",
                            bool_text(d.auto_delete),
                            bool_text(x.auto_delete),
                        ));
                    }
                    if x.internal != d.internal {
                        return Err(AmqpError::inequivalent("exchange", x_name, "internal", bool_text(d.internal), bool_text(x.internal)));
                    }
                    if x.alternate != d.alternate {
                        let show = |s: Option<Sym>| match s {
                            None => "none".to_string(),
                            Some(s) => {
                                format!("the value '{}' of type 'longstr'", cx.names.get(s))
                            }
                        };
                        return Err(AmqpError::inequivalent(
                            "exchange",
                            x_name,
                            "alternate-exchange",
                            &show(d.alternate),
                            &show(x.alternate),
                        ));
                    }
                }
            }
            None => {
                if d.passive {
                    return Err(AmqpError::no_exchange(&name_text));
                }
                if name_text.starts_with("amq.") {
                    return Err(AmqpError::reserved_name("exchange", &name_text));
                }
                let id = self.add_exchange(NewExchange {
                    name: d.name,
                    kind: kind.expect("not passive"),
                    durable: d.durable,
                    auto_delete: d.auto_delete,
                    internal: d.internal,
                    alternate: d.alternate,
                    builtin: false,
                });
                let by = self.actor_of(ch);
                cx.fx.records.push(Record::ExchangeDeclared { ex: id, by });
            }
        }
        cx.fx.frames.push((conn, Frame::ExchangeDeclareOk { ch: number }));
        Ok(())
    }

    pub(crate) fn exchange_delete(&mut self, cx: &mut Cx<'_>, ch: ChannelId, name: Sym, if_unused: bool) -> Result<(), AmqpError> {
        let (conn, number) = (self.channels[ch.idx()].conn, self.channels[ch.idx()].number);
        let text = cx.names.get(name).to_string();
        if text.is_empty() {
            return Err(AmqpError::default_exchange_access());
        }
        if let Some(id) = self.exchange_by_name(name) {
            let x = self.exchange(id).expect("indexed");
            if x.builtin {
                return Err(AmqpError::delete_system_exchange(&text));
            }
            if if_unused && !x.bindings.is_empty() {
                return Err(AmqpError::exchange_in_use(&text));
            }
            self.remove_exchange(cx, id);
        }
        cx.fx.frames.push((conn, Frame::DeleteOk { ch: number, messages: 0 }));
        Ok(())
    }

    pub(crate) fn remove_exchange(&mut self, cx: &mut Cx<'_>, id: ExchangeId) {
        let Some(x) = self.exchanges[id.idx()].take() else {
            return;
        };
        self.exchange_index.remove(x.name);
        let doomed: Vec<BindingId> =
            self.bindings.iter().filter(|b| b.alive && (b.source == id || b.dest == Dest::Exchange(id))).map(|b| b.id).collect();
        let mut unused = Vec::new();
        for b in doomed {
            unused.extend(self.remove_binding(b).filter(|x| *x != id));
        }
        self.route_cache.clear();
        cx.fx.records.push(Record::ExchangeDeleted { ex: id });
        self.auto_delete_exchanges(cx, unused);
    }

    /// Removes a binding. Returns its source exchange if that is `auto_delete` and this was its
    /// last binding: the caller deletes it ([`Broker::auto_delete_exchanges`]).
    fn remove_binding(&mut self, b: BindingId) -> Option<ExchangeId> {
        let binding = &mut self.bindings[b.idx()];
        if !binding.alive {
            return None;
        }
        binding.alive = false;
        let src = binding.source;
        self.route_cache.clear();
        let x = self.exchanges[src.idx()].as_mut()?;
        x.bindings.retain(|id| *id != b);
        (x.auto_delete && x.bindings.is_empty()).then_some(src)
    }

    /// `auto_delete` exchanges whose last binding went (a queue deleted, an unbind, a
    /// destination exchange deleted) are deleted — never one that has not had a binding yet
    /// (`rabbit_exchange:maybe_auto_delete/2`).
    fn auto_delete_exchanges(&mut self, cx: &mut Cx<'_>, unused: Vec<ExchangeId>) {
        for x in unused {
            let still_unused = self.exchange(x).is_some_and(|e| e.bindings.is_empty());
            if still_unused {
                self.remove_exchange(cx, x);
            }
        }
    }

    pub(crate) fn queue_declare(&mut self, cx: &mut Cx<'_>, ch: ChannelId, d: &QueueDecl) -> Result<(), AmqpError> {
        let (conn, number) = (self.channels[ch.idx()].conn, self.channels[ch.idx()].number);
        let given = d.name.filter(|s| *s != self.sym.empty);
        // The direct reply-to pseudo queue answers a passive declare.
        if given == Some(self.sym.reply_to) && d.passive {
            let consumers = self.channels[ch.idx()].reply_consumer.is_some() as u32;
            cx.fx.frames.push((conn, Frame::QueueDeclareOk { ch: number, q: NO_QUEUE, name: self.sym.reply_to, messages: 0, consumers }));
            return Ok(());
        }
        let name = match given {
            Some(n) => n,
            None if d.passive => return Err(AmqpError::no_queue("")),
            None => self.generate_queue_name(cx.names),
        };
        let text = cx.names.get(name).to_string();
        let id = match self.queue_by_name(name) {
            Some(id) => {
                let q = self.queue(id).expect("indexed queue exists");
                if let Some(owner) = q.exclusive {
                    if owner != conn {
                        return Err(AmqpError::resource_locked(&text));
                    }
                }
                if !d.passive {
                    if q.durable != d.durable && q.exclusive.is_none() {
                        return Err(AmqpError::inequivalent("queue", &text, "durable", bool_text(d.durable), bool_text(q.durable)));
                    }
                    if q.auto_delete != d.auto_delete {
                        return Err(AmqpError::inequivalent(
                            "queue",
                            &text,
                            "auto_delete",
                            bool_text(d.auto_delete),
                            bool_text(q.auto_delete),
                        ));
                    }
                    if q.exclusive.is_some() != d.exclusive {
                        return Err(AmqpError::resource_locked(&text));
                    }
                    self.check_args_equivalent(cx.names, &text, &q.args, &d.args)?;
                }
                id
            }
            None => {
                if d.passive {
                    return Err(AmqpError::no_queue(&text));
                }
                if given.is_some() && text.starts_with("amq.") {
                    return Err(AmqpError::reserved_name("queue", &text));
                }
                let flags = (d.durable, d.exclusive, d.auto_delete);
                if let Some(e) = super::quorum::declare_refusal(&text, flags, given.is_none(), &d.args, cx.names) {
                    return Err(e);
                }
                let id = QueueId(self.queues.len() as u32);
                let exclusive = d.exclusive.then_some(conn);
                // An exclusive queue's durable flag is ignored: it cannot outlive its connection.
                let mut q = Queue::new(id, name, d.durable && !d.exclusive, exclusive, d.auto_delete, d.args.clone());
                q.server_named = given.is_none();
                self.queue_meta.push(super::QueueMeta {
                    name,
                    durable: q.durable,
                    exclusive: d.exclusive,
                    auto_delete: d.auto_delete,
                    server_named: q.server_named,
                    args: d.args.clone(),
                });
                self.queues.push(Some(q));
                self.queue_index.insert(name, id);
                self.route_cache.clear();
                let by = self.actor_of(ch);
                cx.fx.records.push(Record::QueueDeclared { q: id, by });
                id
            }
        };
        self.channels[ch.idx()].last_queue = Some(name);
        self.touch_queue(cx, id);
        let q = self.queue(id).expect("just declared");
        cx.fx
            .frames
            .push((conn, Frame::QueueDeclareOk { ch: number, q: id, name, messages: q.ready_len(), consumers: q.consumers.len() as u32 }));
        Ok(())
    }

    fn check_args_equivalent(&self, names: &Names, queue: &str, old: &QueueArgs, new: &QueueArgs) -> Result<(), AmqpError> {
        // The existing queue's type says which arguments must match.
        for key in super::quorum::checked_args(old.queue_type) {
            let Some(sym) = names.lookup(key) else {
                continue;
            };
            let (o, n) = (old.get(sym), new.get(sym));
            let same = match (o, n) {
                (None, None) => true,
                (Some(a), Some(b)) => a == b,
                _ => false,
            };
            if !same {
                let bare = |v: &ArgValue| match v {
                    ArgValue::Int(i) => format!("'{i}'"),
                    ArgValue::Str(s) => format!("'{}'", names.get(*s)),
                    ArgValue::Bool(b) => format!("'{b}'"),
                };
                let typed = |v: Option<&ArgValue>| match v {
                    None => "none".to_string(),
                    Some(ArgValue::Int(i)) => format!("the value '{i}' of type 'signedint'"),
                    Some(ArgValue::Str(s)) => {
                        format!("the value '{}' of type 'longstr'", names.get(*s))
                    }
                    Some(ArgValue::Bool(b)) => format!("the value '{b}' of type 'bool'"),
                };
                let (received, current) = match (n, o) {
                    (Some(nv), Some(ov)) => (bare(nv), bare(ov)),
                    _ => (typed(n), typed(o)),
                };
                return Err(AmqpError::inequivalent("queue", queue, key, &received, &current));
            }
        }
        Ok(())
    }

    /// Checks that `ch` may use an existing queue: it exists and, if exclusive, is its own.
    pub(crate) fn usable_queue(&self, names: &Names, ch: ChannelId, name: Sym) -> Result<QueueId, AmqpError> {
        let text = names.get(name);
        let id = self.queue_by_name(name).ok_or_else(|| AmqpError::no_queue(text))?;
        let q = self.queue(id).expect("indexed");
        if let Some(owner) = q.exclusive {
            if owner != self.channels[ch.idx()].conn {
                return Err(AmqpError::resource_locked(text));
            }
        }
        Ok(id)
    }

    fn compile_matcher(&self, names: &Names, source: ExchangeId, key: Sym, args: &Option<Headers>) -> Result<Matcher, AmqpError> {
        let x = self.exchange(source).expect("checked");
        Ok(match x.kind {
            ExchangeKind::Direct => Matcher::Exact,
            ExchangeKind::Fanout => Matcher::All,
            ExchangeKind::Topic => Matcher::Topic(TopicPattern::new(names.get(key))),
            ExchangeKind::Headers => {
                let a: &[(Sym, super::message::HValue)] = args.as_deref().unwrap_or(&[]);
                Matcher::Headers(HeadersPattern::new(a, names).map_err(|v| AmqpError::invalid_x_match(&v))?)
            }
        })
    }

    fn add_binding(
        &mut self,
        cx: &mut Cx<'_>,
        ch: Option<ChannelId>,
        source: ExchangeId,
        dest: Dest,
        key: Sym,
        args: Option<Headers>,
    ) -> Result<(), AmqpError> {
        let matcher = self.compile_matcher(cx.names, source, key, &args)?;
        let exists = self.exchange(source).expect("checked").bindings.iter().any(|b| {
            let b = &self.bindings[b.idx()];
            b.dest == dest && b.key == key && b.args == args
        });
        if exists {
            return Ok(()); // binding twice is a no-op: one binding, one copy
        }
        let id = BindingId(self.bindings.len() as u32);
        self.bindings.push(Binding { id, source, dest, key, args, matcher, alive: true });
        self.exchanges[source.idx()].as_mut().expect("checked").bindings.push(id);
        self.route_cache.clear();
        let by = ch.map(|c| self.actor_of(c)).unwrap_or(Actor::Broker);
        cx.fx.records.push(Record::Bound { binding: id, by });
        Ok(())
    }

    fn bind_source(&self, names: &Names, exchange: Sym) -> Result<ExchangeId, AmqpError> {
        if exchange == self.sym.empty {
            return Err(AmqpError::default_exchange_access());
        }
        self.exchange_by_name(exchange).ok_or_else(|| AmqpError::no_exchange(names.get(exchange)))
    }

    pub(crate) fn queue_bind(
        &mut self,
        cx: &mut Cx<'_>,
        ch: ChannelId,
        queue: Sym,
        exchange: Sym,
        key: Sym,
        args: Option<Headers>,
    ) -> Result<(), AmqpError> {
        if exchange == self.sym.empty {
            return Err(AmqpError::default_exchange_access());
        }
        let q = self.usable_queue(cx.names, ch, queue)?;
        let source = self.bind_source(cx.names, exchange)?;
        self.add_binding(cx, Some(ch), source, Dest::Queue(q), key, args)?;
        let c = &self.channels[ch.idx()];
        cx.fx.frames.push((c.conn, Frame::BindOk { ch: c.number }));
        Ok(())
    }

    pub(crate) fn queue_unbind(
        &mut self,
        cx: &mut Cx<'_>,
        ch: ChannelId,
        queue: Sym,
        exchange: Sym,
        key: Sym,
        args: Option<Headers>,
    ) -> Result<(), AmqpError> {
        let q = self.usable_queue(cx.names, ch, queue)?;
        let source = self.bind_source(cx.names, exchange)?;
        let found = self.exchange(source).expect("checked").bindings.iter().copied().find(|b| {
            let b = &self.bindings[b.idx()];
            b.dest == Dest::Queue(q) && b.key == key && b.args == args
        });
        let unused = found.and_then(|b| self.remove_binding(b));
        let c = &self.channels[ch.idx()];
        cx.fx.frames.push((c.conn, Frame::BindOk { ch: c.number }));
        self.auto_delete_exchanges(cx, unused.into_iter().collect());
        Ok(())
    }

    pub(crate) fn exchange_bind(
        &mut self,
        cx: &mut Cx<'_>,
        ch: ChannelId,
        destination: Sym,
        source: Sym,
        key: Sym,
        args: Option<Headers>,
    ) -> Result<(), AmqpError> {
        if destination == self.sym.empty {
            return Err(AmqpError::default_exchange_access());
        }
        let dest = self.exchange_by_name(destination).ok_or_else(|| AmqpError::no_exchange(cx.names.get(destination)))?;
        let src = self.bind_source(cx.names, source)?;
        self.add_binding(cx, Some(ch), src, Dest::Exchange(dest), key, args)?;
        let c = &self.channels[ch.idx()];
        cx.fx.frames.push((c.conn, Frame::BindOk { ch: c.number }));
        Ok(())
    }

    pub(crate) fn queue_delete_method(
        &mut self,
        cx: &mut Cx<'_>,
        ch: ChannelId,
        queue: Sym,
        if_unused: bool,
        if_empty: bool,
    ) -> Result<(), AmqpError> {
        let (conn, number) = (self.channels[ch.idx()].conn, self.channels[ch.idx()].number);
        let Some(id) = self.queue_by_name(queue) else {
            cx.fx.frames.push((conn, Frame::DeleteOk { ch: number, messages: 0 }));
            return Ok(());
        };
        self.usable_queue(cx.names, ch, queue)?;
        let q = self.queue(id).expect("indexed");
        let text = cx.names.get(queue);
        if if_unused && !q.consumers.is_empty() {
            return Err(AmqpError::in_use(text));
        }
        if if_empty && !q.ready.is_empty() {
            return Err(AmqpError::not_empty(text));
        }
        let messages = q.ready_len();
        self.delete_queue(cx, id, QueueGone::Deleted);
        cx.fx.frames.push((conn, Frame::DeleteOk { ch: number, messages }));
        Ok(())
    }

    pub(crate) fn queue_purge(&mut self, cx: &mut Cx<'_>, ch: ChannelId, queue: Sym) -> Result<(), AmqpError> {
        let id = self.usable_queue(cx.names, ch, queue)?;
        let q = self.queues[id.idx()].as_mut().expect("usable");
        let purged: Vec<_> = q.ready.drain(..).collect();
        q.ready_bytes = 0;
        for qm in &purged {
            self.disk_removed(cx, id, qm);
            cx.fx.records.push(Record::Discarded { msg: qm.msg, q: id, why: DiscardWhy::Purged });
        }
        let c = &self.channels[ch.idx()];
        cx.fx.frames.push((c.conn, Frame::PurgeOk { ch: c.number, messages: purged.len() as u32 }));
        Ok(())
    }

    /// Deletes a queue: its ready messages are lost with it, its consumers are cancelled,
    /// its bindings go. Unacked copies stay with their channels until settled.
    pub(crate) fn delete_queue(&mut self, cx: &mut Cx<'_>, id: QueueId, why: QueueGone) {
        let Some(q) = self.queues[id.idx()].take() else {
            return;
        };
        self.queue_index.remove(q.name);
        for qm in &q.ready {
            cx.fx.records.push(Record::Lost { msg: qm.msg, q: id, why: LostWhy::QueueDeleted });
        }
        for c in q.consumers.all() {
            let cons = &mut self.consumers[c.idx()];
            if cons.active {
                cons.active = false;
                let chan = &mut self.channels[cons.channel.idx()];
                chan.consumers.retain(|x| x != c);
                // Not on a channel closing after an error (a quorum consumer kept till close-ok).
                if chan.open {
                    cx.fx.frames.push((chan.conn, Frame::CancelledByBroker { ch: chan.number, tag: cons.tag }));
                }
            }
        }
        let doomed: Vec<BindingId> = self.bindings.iter().filter(|b| b.alive && b.dest == Dest::Queue(id)).map(|b| b.id).collect();
        let mut unused = Vec::new();
        for b in doomed {
            unused.extend(self.remove_binding(b));
        }
        self.route_cache.clear();
        cx.fx.records.push(Record::QueueDeleted { q: id, why, messages: q.ready.len() as u32 });
        self.auto_delete_exchanges(cx, unused);
    }
}
