//! A consumer: subscribes, works on one delivery at a time, then acks (or rejects, requeues,
//! forgets, crashes ...) as its `ack` mode and rules say. With `reply`, it is an RPC server:
//! it publishes the function of the request body to the request's `reply_to` before acking —
//! and, like the article's server, fails before acking if the request has no `reply_to`.

use super::spec::{Action, ConsumerSpec};
use super::{work, ClientOut, ClientTimer, Cx, Delivery, Wire};
use crate::broker::message::{Body, Props};
use crate::broker::ops::{Frame, Op};
use crate::ids::ClientId;
use crate::record::{ClientLoss, Record, ServerFailure};
use crate::sim::Rng;
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
}

impl ConsumerState {
    pub fn on_connect(&mut self, spec: &ConsumerSpec, out: &mut ClientOut) {
        self.subscribed = false;
        self.no_ack = spec.no_ack;
        out.ops.push((1, spec.consume.clone()));
    }

    pub fn on_frame(&mut self, cx: &mut Cx<'_>, spec: &ConsumerSpec, rng: &mut Rng, frame: Frame) {
        match frame {
            Frame::ConsumeOk { .. } => self.subscribed = true,
            Frame::CancelledByBroker { .. } => self.subscribed = false,
            Frame::Deliver { tag, redelivered, msg, .. } => {
                self.buffer.push_back(Delivery { tag, msg, redelivered });
                if self.busy.is_none() {
                    self.start_next(cx, spec, rng);
                }
            }
            _ => {}
        }
    }

    fn start_next(&mut self, cx: &mut Cx<'_>, spec: &ConsumerSpec, rng: &mut Rng) {
        let Some(d) = self.buffer.pop_front() else {
            return;
        };
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
        if !self.no_ack {
            let op = match action {
                Action::Ack => Some(Op::Ack { tag: d.tag, multiple: false }),
                Action::Forget | Action::Crash | Action::CrashBeforeAck => None,
                Action::Reject => Some(Op::Reject { tag: d.tag, requeue: false }),
                Action::RejectRequeue => Some(Op::Reject { tag: d.tag, requeue: true }),
                Action::Requeue => Some(Op::Nack { tag: d.tag, multiple: false, requeue: true }),
                Action::Nack => Some(Op::Nack { tag: d.tag, multiple: false, requeue: false }),
            };
            if let Some(op) = op {
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
