//! The world: the engine, the broker and the clients bound together.
//!
//! It owns the event heap and is the only thing that advances time. It also owns the
//! shared stores — the message store and the string table — and lends them to the broker
//! (a [`Cx`]) and to the clients (a [`Wire`]), so data flows one way: neither owns what the
//! other writes. Each step pops one event and hands it to the broker or a client; what they
//! return (methods, frames, timers, records, a client's exit) is applied here: methods and
//! frames travel over per-client links with latency (FIFO, like TCP), timers go on the
//! heap, records go to the trace. Faults are applied here too. The TUI drives it one event at a
//! time with [`World::step`]; the CLI, `explore` and the exports with [`World::run`],
//! [`World::run_for`] and [`World::run_until`], which give the same events faster (an arrival
//! due at once runs without waiting on the heap: `world/express.rs`). They read its state and add no
//! behaviour.

pub mod caps;
mod express;
pub mod link;
pub mod plan;
pub mod report;
pub mod snapshot;
pub mod tally;
pub mod wire;

use crate::broker::message::MessageStore;
use crate::broker::ops::{Frame, Op};
use crate::broker::{Broker, BrokerTimer, Cx, Effects};
use crate::client::{AfterFrame, Client, ClientOut, ClientTimer, Status, Wire};
use crate::ids::{ClientId, ConnId};
use crate::names::Names;
use crate::record::{Disconnect, FaultRecord, Record};
use crate::sim::{stream_for, EventQueue, Time, Trace};
pub use caps::{CapHit, LiveCopies, MemoryEstimate, RunSoFar};
use express::Express;
use link::Link;
pub use plan::{Cap, CapSource, FaultKind, FaultSpec, Initial, Limits, WorldPlan};
use std::sync::Arc;
pub use tally::Tally;
use wire::InFlight;

/// The owner id the scenario's setup connection uses.
pub use crate::ids::SETUP;

/// An event on the heap: small and `Copy`; anything bigger waits elsewhere (a method or a
/// frame on the wire: in its link's lane, [`wire`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Ev {
    /// Declare the scenario's topology (t = 0, before anything else).
    Setup,
    /// A client's first start.
    Start(ClientId),
    /// The next method on this client's link arrives at the broker (the front of its lane in
    /// `ops_in_flight`).
    ToBroker(ClientId),
    /// The next frame on this client's link arrives at it (`frames_in_flight`).
    ToClient(ClientId),
    Broker(BrokerTimer),
    Client {
        client: ClientId,
        epoch: u32,
        timer: ClientTimer,
    },
    /// A scheduled fault begins (`end: false`) or ends (`end: true`).
    Fault {
        idx: u32,
        end: bool,
    },
    /// A note's time has come.
    Note(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct OpInFlight {
    conn: ConnId,
    gen: u32,
    ch: u16,
    op: Op,
}

#[derive(Copy, Clone, Debug, PartialEq)]
pub(super) struct FrameInFlight {
    conn: ConnId,
    gen: u32,
    frame: Frame,
}

/// The whole simulated state. `Clone` so the TUI can keep snapshots for stepping back.
#[derive(Clone, Debug)]
pub struct World {
    pub plan: Arc<WorldPlan>,
    pub queue: EventQueue<Ev>,
    pub broker: Broker,
    /// The message store: every message's body and properties, stored once. Clients add
    /// the messages they publish; the broker reads them and adds its dead-letter copies.
    pub msgs: MessageStore,
    /// The strings messages, names and errors use.
    pub names: Names,
    pub clients: Vec<Client>,
    pub links: Vec<Link>,
    ops_in_flight: InFlight<OpInFlight>,
    frames_in_flight: InFlight<FrameInFlight>,
    /// Connection id → the client that opened it.
    conn_owner: Vec<ClientId>,
    pub tally: Tally,
    /// Events processed so far.
    pub steps: u64,
    /// Faults injected live (the TUI), by index in this list.
    pub injected: Vec<FaultSpec>,
    /// Live copies outside the wire (ready, unacked, buffered, waiting for disk) when last
    /// counted (see [`caps`]).
    live_counted: u64,
    /// Read by the check after every event, from that count: the copies that may still be
    /// offered or put on the wire before the upper bound passes the cap
    /// (`max_messages - live_counted`), and the step of the next exact count.
    copies_room: u64,
    recount_at: u64,
    /// Weak broker timers on the heap ([`crate::broker::BrokerTimer::is_weak`]): without
    /// `until`, a run with nothing else left is over.
    weak_timers: usize,
    /// The world changed outside an event (the start, a fault injected live) since the caps
    /// were last checked: they are checked before the next event (see [`World::step`]).
    caps_due: bool,
    /// An arrival due at once, kept aside ([`express`]); only while `fast`.
    express: Option<Express>,
    fast: bool,
    fx: Effects,
    out: ClientOut,
}

impl World {
    pub fn new(plan: Arc<WorldPlan>) -> World {
        let mut names = plan.names.clone();
        let broker = Broker::new(plan.broker.clone(), &mut names, stream_for(plan.seed, "broker"));
        let clients: Vec<Client> = plan
            .clients
            .iter()
            .enumerate()
            .map(|(i, spec)| Client::new(ClientId(i as u32), spec.clone(), stream_for(plan.seed, &spec.name)))
            .collect();
        let lanes = clients.len();
        let links = vec![Link::default(); lanes];
        let mut queue = EventQueue::new();
        queue.schedule(Time::ZERO, Ev::Setup);
        for init in &plan.order {
            match *init {
                Initial::Start(c) => {
                    queue.schedule(plan.clients[c.idx()].start, Ev::Start(c));
                }
                Initial::Fault(i) => {
                    let f = &plan.faults[i as usize];
                    queue.schedule(f.at, Ev::Fault { idx: i, end: false });
                    if let Some(u) = f.until {
                        queue.schedule(u, Ev::Fault { idx: i, end: true });
                    }
                }
                Initial::Note(i) => {
                    queue.schedule(plan.note_times[i as usize], Ev::Note(i));
                }
            }
        }
        let mut broker = broker;
        broker.copies.limit = plan.limits.max_messages.saturating_mul(2);
        World {
            live_counted: 0,
            copies_room: plan.limits.max_messages,
            recount_at: caps::RECOUNT_EVERY,
            msgs: plan.msgs.clone(),
            names,
            plan,
            queue,
            broker,
            clients,
            links,
            ops_in_flight: InFlight::new(lanes),
            frames_in_flight: InFlight::new(lanes),
            conn_owner: Vec::new(),
            tally: Tally::default(),
            steps: 0,
            injected: Vec::new(),
            weak_timers: 0,
            caps_due: true,
            express: None,
            fast: false,
            fx: Effects::default(),
            out: ClientOut::default(),
        }
    }

    pub fn now(&self) -> Time {
        self.queue.now()
    }

    /// The time of the next event, if any is left before the scenario's `until`.
    pub fn next_time(&self) -> Option<Time> {
        let t = if self.express.is_some() { self.queue.now() } else { self.queue.peek_time()? };
        match self.plan.until {
            Some(u) if t > u => None,
            None if self.pending_events() <= self.weak_timers => None,
            _ => Some(t),
        }
    }

    pub fn is_finished(&self) -> bool {
        self.next_time().is_none()
    }

    /// The client that owns a connection.
    pub fn owner_of(&self, conn: ConnId) -> Option<ClientId> {
        self.conn_owner.get(conn.idx()).copied()
    }

    pub fn client_name(&self, c: ClientId) -> &str {
        if c == SETUP {
            "setup"
        } else {
            self.clients.get(c.idx()).map(|x| x.name()).unwrap_or("?")
        }
    }

    /// Processes one event. `Ok(None)`: nothing left to do (or `until` reached).
    pub fn step(&mut self, trace: &mut Trace<Record>) -> Result<Option<Time>, CapHit> {
        let Some(t) = self.next_time() else {
            // The memory estimate after the last few events (see `caps::MEMORY_EVERY`).
            if self.steps % caps::MEMORY_EVERY != 0 {
                self.check_caps_slow(self.now(), trace)?;
            }
            return Ok(None);
        };
        let limits = &self.plan.limits;
        if t > limits.max_time {
            return Err(CapHit::Time { limit: limits.max_time, source: limits.source(Cap::Time) });
        }
        self.step_at(t, trace).map(Some)
    }

    /// [`World::step`] once the next event's time `t` is known to be within `until` and the
    /// time cap: the events cap, the other caps before (when the world changed outside an
    /// event) and after, and the event itself.
    #[inline(always)]
    fn step_at(&mut self, t: Time, trace: &mut Trace<Record>) -> Result<Time, CapHit> {
        let limits = &self.plan.limits;
        if self.steps >= limits.max_events {
            return Err(CapHit::Events { limit: limits.max_events, at: t, source: limits.source(Cap::Events), so_far: self.so_far() });
        }
        if self.caps_due {
            self.check_caps_slow(t, trace)?;
            self.caps_due = false;
        }
        self.steps += 1;
        let now = if self.express.is_some() {
            let now = self.queue.now();
            self.arrive_express(now, trace);
            now
        } else {
            let (now, _, ev) = self.queue.pop().expect("peeked");
            self.handle(now, ev, trace);
            now
        };
        self.check_caps(now, trace)?;
        Ok(now)
    }

    /// What the run has done so far (for a cap's hint).
    fn so_far(&self) -> RunSoFar {
        let t = &self.tally;
        RunSoFar { events: self.steps, published: t.published, requeued: t.requeued, dead_lettered: t.dead_lettered }
    }

    /// Live copies, counted exactly: ready and unacked at the broker, and everything in
    /// flight (methods and frames on the wire, consumers' buffers, copies waiting for disk).
    pub fn live_copies(&self) -> LiveCopies {
        let mut ready = 0;
        for q in self.broker.live_queues() {
            ready += q.ready.len() as u64;
        }
        let unacked: u64 = self.broker.channels().iter().map(|c| c.unacked.len() as u64).sum();
        let buffered: u64 = self
            .clients
            .iter()
            .map(|c| match &c.role {
                crate::client::RoleState::Consumer(s) => s.buffer.len() as u64,
                _ => 0,
            })
            .sum();
        let disk = (self.broker.disk.waiters.len() + self.broker.disk.pending_removals.len()) as u64;
        let wire = (self.ops_in_flight.len() + self.frames_in_flight.len()) as u64;
        LiveCopies { ready, unacked, in_flight: buffered + disk + wire, refused: self.broker.copies.refused }
    }

    /// The memory estimate now, given an upper bound on the live copies.
    #[inline]
    pub fn memory_estimate(&self, copies: u64, trace: &Trace<Record>) -> MemoryEstimate {
        let stamped = std::mem::size_of::<crate::sim::Stamped<Record>>() as u64;
        let pending = (self.pending_events() + self.ops_in_flight.peak() + self.frames_in_flight.peak()) as u64;
        MemoryEstimate {
            store: self.msgs.estimated_bytes(),
            trace: trace.records().len() as u64 * stamped,
            copies: copies.saturating_mul(caps::COPY_BYTES),
            events: pending * caps::EVENT_BYTES,
        }
    }

    /// The caps on live copies and memory, after an event (see [`caps`]). The common case,
    /// inlined: an upper bound of the live copies below the cap and no recount due, and the
    /// memory estimate, when due, within its cap; anything else goes to
    /// [`World::check_caps_slow`].
    #[inline]
    fn check_caps(&mut self, now: Time, trace: &Trace<Record>) -> Result<(), CapHit> {
        // No overflow: the broker offers at most twice the cap between two counts, and the
        // wire holds what the run has made.
        let added = self.broker.copies.offered + (self.ops_in_flight.len() + self.frames_in_flight.len()) as u64;
        if added > self.copies_room || self.broker.copies.refused || self.steps >= self.recount_at {
            return self.check_caps_slow(now, trace);
        }
        if self.steps % caps::MEMORY_EVERY == 0 {
            let upper = self.live_counted + added;
            if caps::memory_over(&self.plan.limits, &self.memory_estimate(upper, trace)) {
                return self.check_caps_slow(now, trace);
            }
        }
        Ok(())
    }

    /// [`World::check_caps`] in full, whatever the step: recounts the live copies when due,
    /// and reports a cap hit.
    #[cold]
    #[inline(never)]
    fn check_caps_slow(&mut self, now: Time, trace: &Trace<Record>) -> Result<(), CapHit> {
        let limits = self.plan.limits;
        let wire = (self.ops_in_flight.len() + self.frames_in_flight.len()) as u64;
        let mut upper = self.live_counted.saturating_add(self.broker.copies.offered).saturating_add(wire);
        if upper > limits.max_messages || self.broker.copies.refused || self.steps >= self.recount_at {
            let live = self.live_copies();
            self.live_counted = live.total() - wire;
            self.copies_room = limits.max_messages.saturating_sub(self.live_counted);
            self.broker.copies.offered = 0;
            self.recount_at = self.steps + caps::RECOUNT_EVERY;
            if live.total() > limits.max_messages || live.refused {
                // Over the cap: counted again at the next check, which hits it again (the
                // room alone would not see it when nothing more is added).
                self.recount_at = self.steps;
                let source = limits.source(Cap::Messages);
                return Err(CapHit::Messages { limit: limits.max_messages, at: now, source, live, so_far: self.so_far() });
            }
            upper = live.total();
        }
        let estimate = self.memory_estimate(upper, trace);
        if caps::memory_over(&limits, &estimate) {
            let source = limits.source(Cap::Memory);
            return Err(CapHit::Memory { limit: limits.max_memory, at: now, source, estimate, so_far: self.so_far() });
        }
        Ok(())
    }

    /// Hands one event to the broker, a client or the fault injector, and applies what
    /// comes back.
    #[inline(always)]
    fn handle(&mut self, now: Time, ev: Ev, trace: &mut Trace<Record>) {
        match ev {
            Ev::Setup => self.setup(now, trace),
            Ev::Start(c) => {
                self.begin_client_out();
                self.clients[c.idx()].on_start(&mut self.out);
                self.apply_client_out(now, c, trace);
                self.connect(now, c, trace);
            }
            Ev::ToBroker(c) => {
                // The method is read where it waits in its lane, not copied out first.
                let World { ops_in_flight, broker, msgs, names, fx, links, .. } = self;
                let cx = Cx { now, msgs, names, fx };
                let arrived = Self::op_arrives(broker, cx, links[c.idx()].gen_up, ops_in_flight.front(c));
                ops_in_flight.discard_front(c);
                if arrived {
                    self.apply_broker_fx(now, trace);
                }
            }
            Ev::ToClient(c) => {
                let f = self.frames_in_flight.pop(c);
                self.frame_arrives(now, c, f, trace);
            }
            Ev::Broker(timer) => {
                if timer.is_weak() {
                    self.weak_timers -= 1;
                }
                let (broker, mut cx) = self.broker_cx(now);
                broker.on_timer(&mut cx, timer);
                self.apply_broker_fx(now, trace);
            }
            Ev::Client { client, epoch, timer } => {
                let c = &self.clients[client.idx()];
                if !timer.survives_crash() && epoch != c.epoch {
                    return;
                }
                if timer == ClientTimer::Reconnect {
                    self.try_reconnect(now, client, trace);
                    return;
                }
                self.begin_client_out();
                let wire = Wire { msgs: &mut self.msgs, names: &mut self.names };
                self.clients[client.idx()].on_timer(now, timer, wire, &mut self.out);
                self.apply_client_out(now, client, trace);
                if self.clients[client.idx()].reconnect_when_idle && !self.clients[client.idx()].is_busy() {
                    self.try_reconnect(now, client, trace);
                }
            }
            Ev::Fault { idx, end } => {
                let f = self.fault_spec(idx);
                self.apply_fault(now, f.kind, end, trace);
            }
            Ev::Note(i) => {
                self.record(now, trace, Record::Note { idx: i });
            }
        }
    }

    /// A method arrives at the broker, unless it was lost with its link (then `false`).
    #[inline(always)]
    fn op_arrives(broker: &mut Broker, mut cx: Cx<'_>, gen_up: u32, m: &OpInFlight) -> bool {
        if m.gen != gen_up {
            return false;
        }
        broker.handle(&mut cx, m.conn, m.ch, &m.op);
        true
    }

    /// A frame arrives at its client, unless it was lost with the link or the connection.
    #[inline(always)]
    fn frame_arrives(&mut self, now: Time, c: ClientId, f: FrameInFlight, trace: &mut Trace<Record>) {
        let client = &self.clients[c.idx()];
        if f.gen != self.links[c.idx()].gen_down || client.conn != Some(f.conn) {
            return;
        }
        self.begin_client_out();
        let wire = Wire { msgs: &mut self.msgs, names: &mut self.names };
        if self.clients[c.idx()].on_frame(now, f.frame, wire, &mut self.out) == AfterFrame::Exited {
            self.links[c.idx()].gen_down += 1;
        }
        self.apply_client_out(now, c, trace);
    }

    fn fault_spec(&self, idx: u32) -> FaultSpec {
        let n = self.plan.faults.len() as u32;
        if idx < n {
            self.plan.faults[idx as usize]
        } else {
            self.injected[(idx - n) as usize]
        }
    }

    /// Runs every event up to and including time `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Time, trace: &mut Trace<Record>) -> Result<(), CapHit> {
        self.keeping_aside(|w| {
            while w.next_time().is_some_and(|next| next <= t) {
                w.step(trace)?;
            }
            Ok(())
        })?;
        self.queue.advance_to(t.min(self.plan.until.unwrap_or(Time::NEVER)));
        Ok(())
    }

    /// Runs to the end (or `until`, or a cap).
    pub fn run(&mut self, trace: &mut Trace<Record>) -> Result<(), CapHit> {
        while !self.run_for(u64::MAX, trace)? {}
        if let Some(u) = self.plan.until {
            self.queue.advance_to(u);
        }
        Ok(())
    }

    /// Injects a fault now (the TUI). It becomes part of the trace like a scheduled one.
    pub fn inject(&mut self, kind: FaultKind, until: Option<Time>) {
        let now = self.now();
        let idx = (self.plan.faults.len() + self.injected.len()) as u32;
        self.caps_due = true;
        self.put_back_express();
        self.injected.push(FaultSpec { at: now, until, kind });
        self.queue.schedule(now, Ev::Fault { idx, end: false });
        if let Some(u) = until {
            self.queue.schedule(u, Ev::Fault { idx, end: true });
        }
    }

    /// Ends fault `idx` now (the TUI heals a cut link), with the event its `until` would
    /// have scheduled.
    pub fn end_fault_now(&mut self, idx: u32) {
        self.caps_due = true;
        self.put_back_express();
        let now = self.now();
        self.queue.schedule(now, Ev::Fault { idx, end: true });
    }

    fn record(&mut self, now: Time, trace: &mut Trace<Record>, rec: Record) {
        self.tally.count(&rec);
        trace.push(now, rec);
    }

    fn setup(&mut self, now: Time, trace: &mut Trace<Record>) {
        let conn = self.new_conn(SETUP);
        let mut ch = 1u16;
        let (broker, mut cx) = self.broker_cx(now);
        broker.handle(&mut cx, conn, 0, &Op::OpenConnection { owner: SETUP });
        broker.handle(&mut cx, conn, ch, &Op::OpenChannel);
        let plan = self.plan.clone();
        for op in &plan.setup_ops {
            let (broker, mut cx) = self.broker_cx(now);
            broker.handle(&mut cx, conn, ch, op);
            if cx.fx.frames.iter().any(|(_, f)| matches!(f, Frame::ChannelClosed { .. })) {
                ch += 1;
                broker.handle(&mut cx, conn, ch, &Op::OpenChannel);
            }
            self.apply_broker_fx(now, trace);
        }
        let (broker, mut cx) = self.broker_cx(now);
        broker.handle(&mut cx, conn, 0, &Op::CloseConnection);
        self.apply_broker_fx(now, trace);
    }

    /// The broker and the context of one of its inputs (now, the shared stores, the effects
    /// to apply), borrowed apart from the rest of the world.
    fn broker_cx(&mut self, now: Time) -> (&mut Broker, Cx<'_>) {
        (&mut self.broker, Cx { now, msgs: &mut self.msgs, names: &mut self.names, fx: &mut self.fx })
    }

    fn new_conn(&mut self, owner: ClientId) -> ConnId {
        let id = ConnId(self.conn_owner.len() as u32);
        self.conn_owner.push(owner);
        id
    }

    fn latency(&self, c: ClientId) -> Time {
        self.plan.latency + self.clients[c.idx()].spec.latency + self.links[c.idx()].extra
    }

    /// Connects a client if the broker and its link allow; otherwise it waits to reconnect.
    fn connect(&mut self, now: Time, c: ClientId, trace: &mut Trace<Record>) {
        if !self.broker.up || self.links[c.idx()].partitioned {
            // Connection refused: wait for the broker or the link.
            let cl = &mut self.clients[c.idx()];
            cl.status = if cl.spec.reconnect.is_some() { Status::Disconnected } else { Status::Down };
            self.record(
                now,
                trace,
                Record::Disconnected { client: c, why: if self.broker.up { Disconnect::Partitioned } else { Disconnect::BrokerCrashed } },
            );
            return;
        }
        let conn = self.new_conn(c);
        self.begin_client_out();
        self.clients[c.idx()].connect(conn, &mut self.out);
        self.apply_client_out(now, c, trace);
    }

    fn try_reconnect(&mut self, now: Time, c: ClientId, trace: &mut Trace<Record>) {
        if self.clients[c.idx()].status != Status::Disconnected {
            return;
        }
        if !self.broker.up || self.links[c.idx()].partitioned {
            return; // tried again when the broker restarts or the link heals
        }
        if self.clients[c.idx()].is_busy() {
            // A blocking client notices the lost connection only when its callback returns:
            // it reconnects after the current message's work is done.
            self.clients[c.idx()].reconnect_when_idle = true;
            return;
        }
        self.clients[c.idx()].reconnect_when_idle = false;
        self.record(now, trace, Record::Reconnecting { client: c });
        self.connect(now, c, trace);
    }

    fn schedule_reconnect(&mut self, now: Time, c: ClientId) {
        let cl = &self.clients[c.idx()];
        if cl.status != Status::Disconnected {
            return;
        }
        if let Some(d) = cl.spec.reconnect {
            let epoch = cl.epoch;
            self.put_back_express();
            self.queue.schedule(now.saturating_add(d), Ev::Client { client: c, epoch, timer: ClientTimer::Reconnect });
        }
    }

    fn apply_client_out(&mut self, now: Time, c: ClientId, trace: &mut Trace<Record>) {
        self.put_back_express();
        let fast = self.fast;
        let World { out, tally, queue, clients, links, ops_in_flight, express, plan, .. } = self;
        for rec in &out.records {
            tally.count(rec);
            trace.push(now, *rec);
        }
        out.records.clear();
        let client = &clients[c.idx()];
        let epoch = client.epoch;
        for &(at, timer) in &out.timers {
            queue.schedule(at, Ev::Client { client: c, epoch, timer });
        }
        out.timers.clear();
        if let Some(conn) = client.conn {
            let link = &mut links[c.idx()];
            let lat = plan.latency + client.spec.latency + link.extra;
            let n = out.ops.len();
            // All but the last go on the wire (no drain at all for one method: the common case).
            if n > 1 {
                for (ch, op) in out.ops.drain(..n - 1) {
                    let at = link.up_arrival(now, lat);
                    ops_in_flight.push(c, OpInFlight { conn, gen: link.gen_up, ch, op });
                    queue.schedule(at, Ev::ToBroker(c));
                }
            }
            if n > 0 {
                let at = link.up_arrival(now, lat);
                // Nothing is aside here: it was put back on entry, and only this method can be.
                debug_assert!(express.is_none());
                if fast && at == now && queue.nothing_due_now() {
                    // Kept aside where it is: the method stays in `out.ops` until it arrives.
                    ops_in_flight.count_aside();
                    *express = Some(Express::ToBroker { c, seq: queue.reserve_seq(), conn, gen: link.gen_up });
                } else {
                    let (ch, op) = out.ops.pop().expect("n > 0");
                    ops_in_flight.push(c, OpInFlight { conn, gen: link.gen_up, ch, op });
                    queue.schedule(at, Ev::ToBroker(c));
                }
            }
        } else {
            out.ops.clear();
        }
        if let Some((msg, why)) = out.failed.take() {
            self.record(now, trace, Record::ServerFailed { client: c, msg, why });
            self.kill_client(now, c, Disconnect::ServerFailed, trace);
        }
    }

    fn apply_broker_fx(&mut self, now: Time, trace: &mut Trace<Record>) {
        self.put_back_express();
        let fast = self.fast;
        let World {
            fx, tally, queue, clients, links, ops_in_flight, frames_in_flight, express, out, plan, conn_owner, weak_timers, ..
        } = self;
        for rec in &fx.records {
            tally.count(rec);
            trace.push(now, *rec);
        }
        fx.records.clear();
        for &(at, timer) in &fx.timers {
            if timer.is_weak() {
                *weak_timers += 1;
            }
            queue.schedule(at, Ev::Broker(timer));
        }
        fx.timers.clear();
        for &(conn, frame) in &fx.frames {
            let Some(&c) = conn_owner.get(conn.idx()) else { continue };
            if c == SETUP {
                continue;
            }
            let link = &mut links[c.idx()];
            let lat = plan.latency + clients[c.idx()].spec.latency + link.extra;
            let at = link.down_arrival(now, lat);
            let f = FrameInFlight { conn, gen: link.gen_down, frame };
            let mut aside = express::Aside { express, queue, ops: ops_in_flight, frames: frames_in_flight, out_ops: &mut out.ops };
            aside.put_back();
            if fast && at == now && queue.nothing_due_now() {
                frames_in_flight.count_aside();
                *express = Some(Express::ToClient { c, seq: queue.reserve_seq(), f });
            } else {
                frames_in_flight.push(c, f);
                queue.schedule(at, Ev::ToClient(c));
            }
        }
        fx.frames.clear();
    }

    /// The client's process dies. What it had already sent still reaches the broker; then
    /// the broker sees the connection close (the operating system closes the socket), after
    /// the link's latency. Frames on their way to the client are lost.
    fn kill_client(&mut self, now: Time, c: ClientId, why: Disconnect, trace: &mut Trace<Record>) {
        let conn = self.clients[c.idx()].conn;
        // A process that crashes while it waits to reconnect had no connection to lose: the
        // fault's own record says it died.
        let was_connected = self.clients[c.idx()].status == Status::Connected;
        self.begin_client_out();
        self.clients[c.idx()].crash(&mut self.out);
        self.links[c.idx()].gen_down += 1;
        self.apply_client_out(now, c, trace);
        if was_connected {
            self.record(now, trace, Record::Disconnected { client: c, why });
        }
        if let Some(conn) = conn {
            let lat = self.latency(c);
            let at = self.links[c.idx()].up_arrival(now, lat);
            let gen = self.links[c.idx()].gen_up;
            self.put_back_express();
            self.ops_in_flight.push(c, OpInFlight { conn, gen, ch: 0, op: Op::ConnectionDropped { why } });
            self.queue.schedule(at, Ev::ToBroker(c));
        }
    }

    /// The client's connection dies but the process lives: it will reconnect.
    fn cut_client(&mut self, now: Time, c: ClientId, why: Disconnect, trace: &mut Trace<Record>) {
        let conn = self.clients[c.idx()].conn;
        self.links[c.idx()].cut();
        if self.clients[c.idx()].status != Status::Connected {
            return;
        }
        self.begin_client_out();
        self.clients[c.idx()].lost_connection(&mut self.out);
        self.apply_client_out(now, c, trace);
        self.record(now, trace, Record::Disconnected { client: c, why });
        if let Some(conn) = conn {
            let (broker, mut cx) = self.broker_cx(now);
            broker.close_connection(&mut cx, conn, why);
            self.apply_broker_fx(now, trace);
        }
    }

    fn apply_fault(&mut self, now: Time, kind: FaultKind, end: bool, trace: &mut Trace<Record>) {
        match (kind, end) {
            (FaultKind::Crash(c), false) => {
                self.record(now, trace, Record::Fault(FaultRecord::Crash(c)));
                if self.clients[c.idx()].status != Status::NotStarted {
                    self.kill_client(now, c, Disconnect::Crashed, trace);
                }
            }
            (FaultKind::Restart(c), false) => {
                self.record(now, trace, Record::Fault(FaultRecord::Restart(c)));
                if self.clients[c.idx()].status == Status::Down {
                    self.connect(now, c, trace);
                }
            }
            (FaultKind::BrokerCrash, false) | (FaultKind::BrokerStop, false) => {
                let graceful = kind == FaultKind::BrokerStop;
                self.record(now, trace, Record::Fault(if graceful { FaultRecord::BrokerStop } else { FaultRecord::BrokerCrash }));
                if !self.broker.up {
                    return;
                }
                let (broker, mut cx) = self.broker_cx(now);
                broker.crash(&mut cx, graceful);
                // Every link's traffic is lost with the broker.
                for l in &mut self.links {
                    l.cut();
                }
                self.apply_broker_fx(now, trace);
                let why = if graceful { Disconnect::BrokerStopped } else { Disconnect::BrokerCrashed };
                for i in 0..self.clients.len() {
                    let c = ClientId(i as u32);
                    if self.clients[i].status == Status::Connected {
                        self.begin_client_out();
                        self.clients[i].lost_connection(&mut self.out);
                        self.apply_client_out(now, c, trace);
                        self.record(now, trace, Record::Disconnected { client: c, why });
                    }
                }
            }
            (FaultKind::BrokerRestart, false) => {
                self.record(now, trace, Record::Fault(FaultRecord::BrokerRestart));
                if self.broker.up {
                    return;
                }
                let (broker, mut cx) = self.broker_cx(now);
                broker.restart(&mut cx);
                self.apply_broker_fx(now, trace);
                for i in 0..self.clients.len() {
                    if !self.links[i].partitioned {
                        self.schedule_reconnect(now, ClientId(i as u32));
                    }
                }
            }
            (FaultKind::Delay { client, by }, false) => {
                self.record(now, trace, Record::Fault(FaultRecord::DelayStart { client, by_us: by.as_us() }));
                self.links[client.idx()].extra = by;
            }
            (FaultKind::Delay { client, .. }, true) => {
                self.record(now, trace, Record::Fault(FaultRecord::DelayEnd(client)));
                self.links[client.idx()].extra = Time::ZERO;
            }
            (FaultKind::Partition(c), false) => {
                self.record(now, trace, Record::Fault(FaultRecord::PartitionStart(c)));
                self.links[c.idx()].partitioned = true;
                self.cut_client(now, c, Disconnect::Partitioned, trace);
            }
            (FaultKind::Partition(c), true) => {
                self.record(now, trace, Record::Fault(FaultRecord::PartitionEnd(c)));
                self.links[c.idx()].partitioned = false;
                if self.broker.up {
                    self.schedule_reconnect(now, c);
                }
            }
            _ => {}
        }
    }
}
