//! A broker driven directly, one method at a time, on connection 0 / channel 1 — for unit
//! tests, property tests and benchmarks. The simulation itself never uses it.

use super::message::{Body, Headers, Props};
use super::ops::{ExchangeDecl, Op, QueueDecl, QueueRef};
use super::queue::QueueArgs;
use super::{Broker, BrokerConfig, Effects};
use crate::ids::{ClientId, ConnId, MsgId, PropsId, Sym};
use crate::names::Names;
use crate::sim::Time;

pub struct Driver {
    pub broker: Broker,
    /// What the last methods produced (cleared by [`Driver::clear`]).
    pub fx: Effects,
    pub conn: ConnId,
}

impl Driver {
    /// A broker with one open connection and channel.
    pub fn new(cfg: BrokerConfig) -> Driver {
        let mut d =
            Driver { broker: Broker::new(cfg, Names::new(), crate::sim::stream_for(0, "broker")), fx: Effects::default(), conn: ConnId(0) };
        d.broker.handle(Time::ZERO, d.conn, 0, Op::OpenConnection { owner: ClientId(0) }, &mut d.fx);
        d.op(Time::ZERO, Op::OpenChannel);
        d
    }

    /// Sends a method on channel 1.
    pub fn op(&mut self, now: Time, op: Op) {
        self.broker.handle(now, self.conn, 1, op, &mut self.fx);
    }

    pub fn clear(&mut self) {
        self.fx.clear();
    }

    /// Forgets the records and frames so far, keeping the timers still to feed back.
    pub fn clear_records(&mut self) {
        self.fx.records.clear();
        self.fx.frames.clear();
    }

    pub fn sym(&mut self, s: &str) -> Sym {
        self.broker.names.intern(s)
    }

    pub fn exchange(&mut self, name: &str, kind: &str) {
        let (name, kind) = (self.sym(name), self.sym(kind));
        let decl = ExchangeDecl { name, kind, durable: false, auto_delete: false, internal: false, alternate: None, passive: false };
        self.op(Time::ZERO, Op::ExchangeDeclare(Box::new(decl)));
    }

    pub fn queue(&mut self, name: &str, durable: bool, args: QueueArgs) {
        let name = Some(self.sym(name));
        self.op(
            Time::ZERO,
            Op::QueueDeclare(Box::new(QueueDecl { name, durable, exclusive: false, auto_delete: false, args, passive: false })),
        );
    }

    pub fn bind(&mut self, queue: &str, exchange: &str, key: &str, args: Option<Headers>) {
        let (queue, exchange, key) = (self.sym(queue), self.sym(exchange), self.sym(key));
        self.op(Time::ZERO, Op::QueueBind { queue: QueueRef::Named(queue), exchange, key, args });
    }

    /// Properties for publishing to `exchange` with `key`.
    pub fn props(&mut self, exchange: &str, key: &str) -> Props {
        Props::new(self.sym(exchange), self.sym(key))
    }

    /// Publishes one message with these properties (stored once per call).
    pub fn publish(&mut self, now: Time, props: Props, body: &str) -> MsgId {
        let pid = self.broker.msgs.add_props(props);
        let body = Body::literal(self.sym(body));
        self.publish_with(now, pid, body)
    }

    /// Publishes one message with properties already stored.
    pub fn publish_with(&mut self, now: Time, props: PropsId, body: Body) -> MsgId {
        let m = self.broker.msgs.add(body, props, 0);
        self.op(now, Op::Publish { msg: m });
        m
    }

    /// Feeds back every timer the broker asked for, due up to `until`, in time order.
    pub fn run_timers(&mut self, until: Time) {
        loop {
            let due = self.fx.timers.iter().enumerate().filter(|(_, (at, _))| *at <= until).min_by_key(|(_, (at, _))| *at).map(|(i, _)| i);
            let Some(i) = due else { return };
            let (at, timer) = self.fx.timers.remove(i);
            self.broker.on_timer(at, timer, &mut self.fx);
        }
    }

    /// A queue's ready messages, head first (empty if it does not exist).
    pub fn ready(&self, queue: &str) -> Vec<String> {
        let b = &self.broker;
        let Some(q) = b.names.lookup(queue).and_then(|s| b.queue_by_name(s)).and_then(|q| b.queue(q)) else { return Vec::new() };
        q.ready.iter().map(|m| b.msgs.get(m.msg).body.render(&b.names).into_owned()).collect()
    }
}
