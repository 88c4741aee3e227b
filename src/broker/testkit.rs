//! A broker driven directly, one method at a time — for unit tests, property tests,
//! benchmarks and the conformance harness (`tests/common`). The simulation itself never
//! uses it.
//!
//! It holds what the world would: the shared stores (messages, strings), the effects the
//! broker returned, and the broker's timers on the engine's own event heap
//! ([`EventQueue`]), fed back in `(time, seq)` order as in a run.

use super::message::{Body, Headers, MessageStore, Props};
use super::ops::{ExchangeDecl, Op, QueueDecl, QueueRef};
use super::queue::QueueArgs;
use super::{Broker, BrokerConfig, BrokerTimer, Cx, Effects};
use crate::ids::{ClientId, ConnId, MsgId, PropsId, Sym};
use crate::names::Names;
use crate::sim::{EventQueue, Time};

/// How many timers one [`Driver::run_timers`] may fire before it calls it a timer loop.
const TIMER_LOOP_LIMIT: u32 = 100_000;

pub struct Driver {
    pub broker: Broker,
    pub msgs: MessageStore,
    pub names: Names,
    /// The frames and records produced since the last [`Driver::clear`]. Timers go to
    /// `timers` as soon as the broker asks for them.
    pub fx: Effects,
    /// The broker's pending timers. Its clock is the driver's: it moves with the timers fired.
    pub timers: EventQueue<BrokerTimer>,
    /// The connection [`Driver::op`] sends on (opened by [`Driver::new`], channel 1).
    pub conn: ConnId,
}

impl Driver {
    /// A broker with no connection yet.
    pub fn bare(cfg: BrokerConfig) -> Driver {
        let mut names = Names::new();
        let broker = Broker::new(cfg, &mut names, crate::sim::stream_for(0, "broker"));
        Driver { broker, msgs: MessageStore::default(), names, fx: Effects::default(), timers: EventQueue::new(), conn: ConnId(0) }
    }

    /// A broker with one open connection (0, owned by client 0) and channel 1.
    pub fn new(cfg: BrokerConfig) -> Driver {
        let mut d = Driver::bare(cfg);
        d.send(Time::ZERO, d.conn, 0, Op::OpenConnection { owner: ClientId(0) });
        d.op(Time::ZERO, Op::OpenChannel);
        d
    }

    /// The clock: the time of the last timer fired, or of the last [`Driver::run_timers`].
    pub fn now(&self) -> Time {
        self.timers.now()
    }

    /// Runs `f` on the broker with a context at `now`, then schedules the timers it asked for.
    pub fn with_broker(&mut self, now: Time, f: impl FnOnce(&mut Broker, &mut Cx<'_>)) {
        let mut cx = Cx { now, msgs: &mut self.msgs, names: &mut self.names, fx: &mut self.fx };
        f(&mut self.broker, &mut cx);
        for (at, timer) in self.fx.timers.drain(..) {
            self.timers.schedule(at, timer);
        }
    }

    /// Sends a method on connection `conn`, channel number `ch`.
    pub fn send(&mut self, now: Time, conn: ConnId, ch: u16, op: Op) {
        self.with_broker(now, |b, cx| b.handle(cx, conn, ch, &op));
    }

    /// Sends a method on the driver's connection, channel 1.
    pub fn op(&mut self, now: Time, op: Op) {
        self.send(now, self.conn, 1, op);
    }

    /// The broker goes down: `graceful` is `rabbitmqctl stop`, otherwise a crash.
    pub fn crash(&mut self, now: Time, graceful: bool) {
        self.with_broker(now, |b, cx| b.crash(cx, graceful));
    }

    /// The broker starts again with what it recovered.
    pub fn restart(&mut self, now: Time) {
        self.with_broker(now, |b, cx| b.restart(cx));
    }

    /// Forgets the frames and records so far; pending timers stay scheduled.
    pub fn clear(&mut self) {
        self.fx.clear();
    }

    /// Fires every timer due up to `until`, in `(time, seq)` order (timers they set included),
    /// then moves the clock to `until`.
    pub fn run_timers(&mut self, until: Time) {
        let mut fired = 0u32;
        while self.timers.peek_time().is_some_and(|at| at <= until) {
            fired += 1;
            assert!(fired < TIMER_LOOP_LIMIT, "the broker keeps asking for timers before {until}: a timer loop?");
            let (at, _, timer) = self.timers.pop().expect("peeked");
            self.with_broker(at, |b, cx| b.on_timer(cx, timer));
        }
        self.timers.advance_to(until);
    }

    pub fn sym(&mut self, s: &str) -> Sym {
        self.names.intern(s)
    }

    pub fn text(&self, s: Sym) -> &str {
        self.names.get(s)
    }

    /// A message's body, as text.
    pub fn body(&self, m: MsgId) -> String {
        self.msgs.get(m).body.render(&self.names).into_owned()
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
        let pid = self.msgs.add_props(props);
        let body = Body::literal(self.sym(body));
        self.publish_with(now, pid, body)
    }

    /// Publishes one message with properties already stored.
    pub fn publish_with(&mut self, now: Time, props: PropsId, body: Body) -> MsgId {
        let m = self.msgs.add(body, props, 0);
        self.op(now, Op::Publish { msg: m });
        m
    }

    /// A queue's ready messages, head first (empty if it does not exist).
    pub fn ready(&self, queue: &str) -> Vec<String> {
        let b = &self.broker;
        let Some(q) = self.names.lookup(queue).and_then(|s| b.queue_by_name(s)).and_then(|q| b.queue(q)) else { return Vec::new() };
        q.ready.iter().map(|m| self.body(m.msg)).collect()
    }
}
