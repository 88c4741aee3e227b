//! A consumer: subscribes, works on one delivery at a time, then acks (or rejects, requeues,
//! forgets, crashes ...) as its `ack` mode and rules say. With `reply`, it is an RPC server:
//! it publishes the function of the request body to the request's `reply_to` before acking —
//! and, like the article's server, fails before acking if the request has no `reply_to`.

use super::spec::{Action, ClientMethod, ConsumerSpec};
use super::{work, ClientOut, ClientTimer, Cx, Delivery, Wire};
use crate::broker::message::{Body, Props};
use crate::broker::ops::{Frame, Op};
use crate::ids::ClientId;
use crate::record::{ClientLoss, Record, ServerFailure};
use crate::sim::{Rng, Time};
use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct ConsumerState {
    pub subscribed: bool,
    /// Deliveries received and not yet started, in delivery order.
    pub buffer: VecDeque<Delivery>,
    /// The delivery being worked on.
    pub busy: Option<Delivery>,
    /// Whether the current delivery was received in auto-ack mode.
    pub no_ack: bool,
    /// How many times each rule has applied.
    pub rule_uses: Vec<u32>,
    pub processed: u64,
    /// `ack_every`: messages finished on this channel and not settled yet.
    pub unsettled: u32,
    /// A poller's `basic.get` is on its way.
    pub polling: bool,
    /// Of the buffer's front, how many deliveries pika has read off the socket (its pending
    /// events). pika dispatches those before it reads again, and reads again only when they
    /// are done or when a callback calls it (an ack, a reply): what arrives meanwhile waits
    /// unread. It matters when the connection goes while the client is busy.
    pub read: usize,
    /// When pika last read its socket: a delivery arriving at that very instant was in the
    /// socket then, and is read with the rest.
    pub read_at: Option<Time>,
    /// The connection (or the channel) went while the client was busy, and pika has not read
    /// it yet: the client still works through what it had read, and notices the loss (an
    /// exception) at its next read.
    pub loss_unread: bool,
}

/// The consumer's own timers: its timed methods and, for a poller, its first tick.
pub fn schedule_first(spec: &ConsumerSpec, start: Time, out: &mut ClientOut) {
    for (i, (t, _)) in spec.timed.iter().enumerate() {
        out.timers.push((*t, ClientTimer::Method { i: i as u16 }));
    }
    if spec.poll.is_some() {
        out.timers.push((start, ClientTimer::Poll { k: 0 }));
    }
}

impl ConsumerState {
    pub fn on_connect(&mut self, spec: &ConsumerSpec, out: &mut ClientOut) {
        self.subscribed = false;
        self.no_ack = spec.no_ack;
        self.unsettled = 0;
        self.polling = false;
        if spec.poll.is_none() {
            out.ops.push((1, spec.consume.clone()));
        }
    }

    /// A timed method falls due: sent if the channel is open (recorded either way).
    pub fn timed_method(&mut self, cx: &mut Cx<'_>, spec: &ConsumerSpec, i: u16, connected: bool) {
        let Some(&(_, method)) = spec.timed.get(i as usize) else { return };
        cx.out.records.push(Record::ClientMethod { client: cx.me, method, sent: connected });
        if !connected {
            return;
        }
        let op = match method {
            ClientMethod::Cancel => {
                let Op::Consume { tag, .. } = spec.consume else { return };
                self.subscribed = false;
                Op::Cancel { tag }
            }
            ClientMethod::Qos { prefetch, global } => Op::Qos { prefetch, prefetch_size: 0, global },
            ClientMethod::Recover => Op::Recover { requeue: true },
        };
        cx.out.ops.push((1, op));
    }

    /// A poller's tick: `basic.get` if it is idle and its channel open; the next tick.
    pub fn poll(&mut self, cx: &mut Cx<'_>, spec: &ConsumerSpec, start: Time, k: u32, connected: bool) {
        let Some(every) = spec.poll else { return };
        if connected && self.busy.is_none() && self.buffer.is_empty() && !self.polling {
            if let Op::Consume { queue, no_ack, .. } = spec.consume {
                self.polling = true;
                cx.out.ops.push((1, Op::Get { queue, no_ack }));
            }
        }
        let next = start.saturating_add(Time(every.as_us().saturating_mul(k as u64 + 1)));
        if spec.poll_until.is_none_or(|u| next < u) && every > Time::ZERO {
            cx.out.timers.push((next, ClientTimer::Poll { k: k + 1 }));
        }
    }

    pub fn on_frame(&mut self, cx: &mut Cx<'_>, spec: &ConsumerSpec, rng: &mut Rng, frame: Frame) {
        match frame {
            Frame::ConsumeOk { .. } => self.subscribed = true,
            Frame::CancelledByBroker { .. } => self.subscribed = false,
            Frame::Deliver { tag, redelivered, msg, .. } | Frame::GetOk { tag, redelivered, msg, .. } => {
                self.polling = false;
                let d = Delivery { tag, msg, redelivered };
                if self.busy.is_none() && self.buffer.is_empty() {
                    // Idle: pika reads it at once, straight to work, not via the buffer.
                    self.read_at = Some(cx.now);
                    self.start(cx, spec, rng, d);
                } else {
                    self.buffer.push_back(d);
                    if self.read_at == Some(cx.now) && !self.loss_unread {
                        self.read += 1;
                    }
                    if self.busy.is_none() {
                        self.start_next(cx, spec, rng);
                    }
                }
            }
            Frame::GetEmpty { .. } => self.polling = false,
            _ => {}
        }
    }

    /// The callback returned: the next delivery pika has read, or else it reads what has
    /// arrived (and notices a lost connection, see [`ConsumerState::read_socket`]).
    fn start_next(&mut self, cx: &mut Cx<'_>, spec: &ConsumerSpec, rng: &mut Rng) {
        if self.read == 0 {
            self.read_socket(cx.now, cx.me, cx.out);
        }
        if let Some(d) = self.buffer.pop_front() {
            self.read = self.read.saturating_sub(1);
            self.start(cx, spec, rng, d);
        }
    }

    /// pika reads its socket: everything that arrived is now read, and a connection lost
    /// meanwhile is noticed, so what it held is dropped.
    fn read_socket(&mut self, now: Time, me: ClientId, out: &mut ClientOut) {
        self.read = self.buffer.len();
        self.read_at = Some(now);
        if self.loss_unread {
            self.loss_unread = false;
            self.drop_buffer(me, ClientLoss::ConnectionLost, out);
        }
    }

    /// Starts working on delivery `d`.
    fn start(&mut self, cx: &mut Cx<'_>, spec: &ConsumerSpec, rng: &mut Rng, d: Delivery) {
        let took = work::draw(spec.work, rng);
        let until = cx.now.saturating_add(took);
        self.busy = Some(d);
        cx.out.records.push(Record::WorkStarted { client: cx.me, msg: d.msg, until_us: until.as_us() });
        cx.out.timers.push((until, ClientTimer::WorkDone));
    }

    fn decide(&mut self, spec: &ConsumerSpec, d: Delivery, wire: &Wire) -> Action {
        for (i, rule) in spec.rules.iter().enumerate() {
            if self.rule_uses.len() < spec.rules.len() {
                self.rule_uses.resize(spec.rules.len(), 0);
            }
            if rule.times.is_some_and(|t| self.rule_uses[i] >= t) {
                continue;
            }
            if rule.redelivered.is_some_and(|r| r != d.redelivered) {
                continue;
            }
            if let Some(b) = &rule.body {
                let m = wire.msgs.get(d.msg);
                if m.body.render(wire.names) != b.as_str() {
                    continue;
                }
            }
            self.rule_uses[i] += 1;
            return rule.action;
        }
        spec.action
    }

    /// The current delivery's work is done: reply (RPC server), then settle it.
    /// `connected`: its channel is open, so what it sends reaches the broker.
    pub fn work_done(&mut self, cx: &mut Cx<'_>, spec: &ConsumerSpec, connected: bool, rng: &mut Rng) {
        let Some(d) = self.busy.take() else { return };
        let action = self.decide(spec, d, &cx.wire);
        let (me, wire, out) = (cx.me, &mut cx.wire, &mut *cx.out);
        if action == Action::Crash {
            out.failed = Some((d.msg, ServerFailure::Rule));
            return;
        }
        let settles = matches!(action, Action::Ack | Action::Forget | Action::CrashBeforeAck) || self.no_ack;
        if let (Some(f), true) = (&spec.reply, settles) {
            let m = *wire.msgs.get(d.msg);
            let req = wire.msgs.props(m.props).clone();
            let Some(reply_to) = req.reply_to else {
                out.failed = Some((d.msg, ServerFailure::NoReplyTo));
                return;
            };
            let body_text = m.body.render(wire.names).into_owned();
            let Some(answer) = work::reply(f, &body_text) else {
                out.failed = Some((d.msg, ServerFailure::BadInput));
                return;
            };
            self.read_socket(cx.now, me, out);
            if connected {
                let empty = wire.names.intern("");
                let mut p = Props::new(empty, reply_to);
                p.correlation_id = req.correlation_id;
                p.mandatory = spec.reply_mandatory;
                let pid = wire.msgs.add_props(p);
                let body = Body::literal(wire.names.intern(&answer));
                let reply = wire.msgs.add(body, pid, me.0);
                out.ops.push((1, Op::Publish { msg: reply }));
            }
        }
        if settles {
            self.processed += 1;
            out.records.push(Record::Processed { client: me, msg: d.msg });
        }
        if action == Action::CrashBeforeAck {
            out.failed = Some((d.msg, ServerFailure::Rule));
            return;
        }
        // `ack_every`: the consumer's own action waits for the batch, then settles it all with
        // multiple=true (a rule's other action settles its message at once).
        let batched = spec.ack_every > 0 && action == spec.action && matches!(action, Action::Ack | Action::Nack | Action::Requeue);
        if !self.no_ack && batched {
            self.unsettled += 1;
            if self.unsettled < spec.ack_every {
                out.records.push(Record::AckDeferred { client: me, msg: d.msg, waiting: self.unsettled, every: spec.ack_every });
                self.start_next(cx, spec, rng);
                return;
            }
            self.unsettled = 0;
        }
        if !self.no_ack {
            let op = match action {
                Action::Ack => Some(Op::Ack { tag: d.tag, multiple: batched }),
                Action::Forget | Action::Crash | Action::CrashBeforeAck => None,
                Action::Reject => Some(Op::Reject { tag: d.tag, requeue: false }),
                Action::RejectRequeue => Some(Op::Reject { tag: d.tag, requeue: true }),
                Action::Requeue => Some(Op::Nack { tag: d.tag, multiple: batched, requeue: true }),
                Action::Nack => Some(Op::Nack { tag: d.tag, multiple: batched, requeue: false }),
            };
            if let Some(op) = op {
                self.read_socket(cx.now, me, out);
                if connected {
                    out.ops.push((1, op));
                } else {
                    out.records.push(Record::AckLost { client: me, msg: d.msg });
                }
            }
        }
        self.start_next(cx, spec, rng);
    }

    /// Deliveries waiting in the client are dropped (the connection is gone). Auto-acked ones
    /// are lost for good; the broker requeues the others.
    pub fn drop_buffer(&mut self, me: ClientId, why: ClientLoss, out: &mut ClientOut) {
        for d in self.buffer.drain(..) {
            if self.no_ack {
                out.records.push(Record::ClientLost { client: me, msg: d.msg, why });
            }
        }
        self.read = 0;
        self.loss_unread = false;
        self.subscribed = false;
    }

    /// The connection went (the broker stopped or crashed, the link was cut). Idle, the
    /// client notices at once. Busy in a callback, pika notices at its next read: it still
    /// works through the deliveries it had read; those that arrived since are lost with the
    /// connection.
    pub fn lose_connection(&mut self, me: ClientId, out: &mut ClientOut) {
        self.lose(me, false, out);
    }

    /// The broker closed the consumer's channel (a consumer timeout, an error): noticed as a
    /// lost connection is, at pika's next read (see [`ConsumerState::lose_connection`]).
    pub fn lose_channel(&mut self, me: ClientId, out: &mut ClientOut) {
        self.lose(me, true, out);
    }

    fn lose(&mut self, me: ClientId, channel: bool, out: &mut ClientOut) {
        if self.busy.is_none() {
            self.drop_buffer(me, ClientLoss::ConnectionLost, out);
            return;
        }
        for d in self.buffer.drain(self.read.min(self.buffer.len())..) {
            if self.no_ack {
                out.records.push(Record::ClientLost { client: me, msg: d.msg, why: ClientLoss::ConnectionLost });
            }
        }
        if self.read > 0 {
            out.records.push(Record::UnreadLoss { client: me, pending: self.read as u32, channel });
        }
        self.loss_unread = true;
        self.subscribed = false;
    }

    /// The process died mid-message: an auto-acked one is lost.
    pub fn drop_busy(&mut self, me: ClientId, out: &mut ClientOut) {
        if let Some(d) = self.busy.take() {
            if self.no_ack {
                out.records.push(Record::ClientLost { client: me, msg: d.msg, why: ClientLoss::CrashedUnprocessed });
            }
        }
    }
}
