//! An RPC client (tutorial six): a callback queue (or direct reply-to), requests with
//! `reply_to` and a `correlation_id`, and replies matched by correlation id — a reply with an
//! unknown id is discarded.

use super::spec::{ReplyMode, RpcClientSpec};
use super::{ClientOut, ClientTimer, Wire};
use crate::broker::message::{Body, Props};
use crate::broker::ops::{Frame, Op, QueueDecl, QueueRef};
use crate::broker::queue::QueueArgs;
use crate::ids::{ClientId, Sym};
use crate::record::{NotSent, Record};
use crate::sim::Time;
use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct RpcState {
    /// Where replies come back (`None` until the callback queue is declared).
    pub reply_to: Option<Sym>,
    pub ready: bool,
    /// Calls that fell due before the reply queue was ready.
    pub waiting: VecDeque<u32>,
    /// (correlation id, call index) of calls not answered yet.
    pub outstanding: Vec<(Sym, u32)>,
    pub answered: Vec<u32>,
}

/// Schedules the first call.
pub fn schedule_first(spec: &RpcClientSpec, _now: Time, out: &mut ClientOut) {
    if !spec.calls.is_empty() {
        out.timers.push((spec.first_call, ClientTimer::Call { i: 0 }));
    }
}

impl RpcState {
    pub fn on_connect(&mut self, spec: &RpcClientSpec, out: &mut ClientOut) {
        self.ready = false;
        self.reply_to = None;
        match spec.reply_to {
            ReplyMode::Callback => {
                out.ops.push((
                    1,
                    Op::QueueDeclare(Box::new(QueueDecl {
                        name: None,
                        durable: false,
                        exclusive: true,
                        auto_delete: false,
                        args: QueueArgs::default(),
                        passive: false,
                    })),
                ));
                out.ops.push((1, Op::Consume { queue: QueueRef::LastDeclared, tag: Sym(0), no_ack: true, exclusive: false, priority: 0 }));
            }
            ReplyMode::Direct => {
                // The consumer tag is filled in by the broker; the queue is the pseudo queue.
                out.ops.push((
                    1,
                    Op::Consume { queue: QueueRef::Named(spec.direct_queue), tag: Sym(0), no_ack: true, exclusive: false, priority: 0 },
                ));
            }
            ReplyMode::None => self.ready = true,
        }
    }

    pub fn on_lost(&mut self) {
        self.ready = false;
        self.reply_to = None;
    }

    #[allow(clippy::too_many_arguments)]
    pub fn on_frame(
        &mut self,
        now: Time,
        me: ClientId,
        name: &str,
        spec: &RpcClientSpec,
        frame: Frame,
        wire: &mut Wire,
        out: &mut ClientOut,
    ) {
        match frame {
            Frame::QueueDeclareOk { name: q, .. } if spec.reply_to == ReplyMode::Callback => {
                self.reply_to = Some(q);
            }
            Frame::ConsumeOk { .. } => {
                if spec.reply_to == ReplyMode::Direct {
                    self.reply_to = Some(spec.direct_queue);
                }
                self.ready = true;
                while let Some(i) = self.waiting.pop_front() {
                    self.send_call(now, me, name, spec, i, wire, out);
                }
            }
            Frame::Deliver { msg, .. } => {
                let corr = wire.msgs.props_of(msg).correlation_id;
                let found = corr.and_then(|c| self.outstanding.iter().position(|(k, _)| *k == c));
                match found {
                    Some(i) => {
                        let (_, call) = self.outstanding.remove(i);
                        self.answered.push(call);
                        out.records.push(Record::Reply { client: me, msg, call, accepted: true });
                    }
                    None => out.records.push(Record::Reply { client: me, msg, call: u32::MAX, accepted: false }),
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn call(
        &mut self,
        now: Time,
        me: ClientId,
        name: &str,
        spec: &RpcClientSpec,
        i: u32,
        sendable: bool,
        why_not: NotSent,
        wire: &mut Wire,
        out: &mut ClientOut,
    ) {
        if (i as usize) + 1 < spec.calls.len() {
            out.timers.push((now.saturating_add(spec.every), ClientTimer::Call { i: i + 1 }));
        }
        if !sendable {
            out.records.push(Record::NotPublished { client: me, body: Body::literal(spec.calls[i as usize]), why: why_not });
            return;
        }
        if !self.ready {
            self.waiting.push_back(i);
            return;
        }
        self.send_call(now, me, name, spec, i, wire, out);
    }

    #[allow(clippy::too_many_arguments)]
    fn send_call(&mut self, _now: Time, me: ClientId, name: &str, spec: &RpcClientSpec, i: u32, wire: &mut Wire, out: &mut ClientOut) {
        let empty = wire.names.intern("");
        let mut p = Props::new(empty, spec.queue);
        let corr = wire.names.intern(&format!("{name}-{}", i + 1));
        p.correlation_id = Some(corr);
        p.reply_to = match spec.reply_to {
            ReplyMode::None => None,
            _ => self.reply_to,
        };
        p.persistent = spec.persistent;
        let pid = wire.msgs.add_props(p);
        let msg = wire.msgs.add(Body::literal(spec.calls[i as usize]), pid, me.0);
        if spec.reply_to != ReplyMode::None {
            self.outstanding.push((corr, i));
        }
        out.ops.push((1, Op::Publish { msg }));
    }
}
