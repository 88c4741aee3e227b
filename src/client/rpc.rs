//! An RPC client (tutorial six): a callback queue (or direct reply-to), requests with
//! `reply_to` and a `correlation_id`, and replies matched by correlation id — a reply with an
//! unknown id is discarded.

use super::spec::{ReplyMode, RpcClientSpec};
use super::{ClientOut, ClientTimer, Cx};
use crate::broker::message::{Body, Props};
use crate::broker::ops::{Frame, Op, QueueDecl, QueueRef};
use crate::broker::queue::QueueArgs;
use crate::ids::Sym;
use crate::record::NO_CALL;
use crate::record::{NotSent, Record};
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
pub fn schedule_first(spec: &RpcClientSpec, out: &mut ClientOut) {
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

    pub fn on_frame(&mut self, cx: &mut Cx<'_>, name: &str, spec: &RpcClientSpec, frame: Frame) {
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
                    self.send_call(cx, name, spec, i);
                }
            }
            Frame::Deliver { msg, .. } => {
                let corr = cx.wire.msgs.props_of(msg).correlation_id;
                let found = corr.and_then(|c| self.outstanding.iter().position(|(k, _)| *k == c));
                match found {
                    Some(i) => {
                        let (_, call) = self.outstanding.remove(i);
                        self.answered.push(call);
                        cx.out.records.push(Record::Reply { client: cx.me, msg, call, accepted: true });
                    }
                    None => cx.out.records.push(Record::Reply { client: cx.me, msg, call: NO_CALL, accepted: false }),
                }
            }
            _ => {}
        }
    }

    /// Call `i` falls due: make it, unless `blocked` says why it cannot be sent (or wait
    /// for the reply queue); then schedule the next call.
    pub fn call(&mut self, cx: &mut Cx<'_>, name: &str, spec: &RpcClientSpec, i: u32, blocked: Option<NotSent>) {
        if (i as usize) + 1 < spec.calls.len() {
            cx.out.timers.push((cx.now.saturating_add(spec.every), ClientTimer::Call { i: i + 1 }));
        }
        if let Some(why) = blocked {
            cx.out.records.push(Record::NotPublished { client: cx.me, body: Body::literal(spec.calls[i as usize]), why });
            return;
        }
        if !self.ready {
            self.waiting.push_back(i);
            return;
        }
        self.send_call(cx, name, spec, i);
    }

    fn send_call(&mut self, cx: &mut Cx<'_>, name: &str, spec: &RpcClientSpec, i: u32) {
        let wire = &mut cx.wire;
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
        let msg = wire.msgs.add(Body::literal(spec.calls[i as usize]), pid, cx.me.0);
        if spec.reply_to != ReplyMode::None {
            self.outstanding.push((corr, i));
        }
        cx.out.ops.push((1, Op::Publish { msg }));
    }
}
