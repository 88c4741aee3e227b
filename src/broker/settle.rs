//! Settling deliveries: `basic.ack`, `basic.nack`, `basic.reject`, requeueing (on nack,
//! reject, recover, or a closed channel), and `basic.get`.
//!
//! A requeued message goes back to its original position in publication order, flagged
//! redelivered (`rabbit_variable_queue.erl` `requeue_merge`). An unknown or repeated delivery
//! tag is a 406 channel error.

use super::channel::Unacked;
use super::error::AmqpError;
use super::message::DeadLetterReason;
use super::ops::Frame;
use super::queue::qflags;
use super::{Broker, Cx};
use crate::ids::NO_CONSUMER;
use crate::ids::{ChannelId, ClientId, QueueId, Sym};
use crate::record::{DeliverWhy, LostWhy, Record, RequeueWhy};
use std::collections::VecDeque;

impl Broker {
    /// Forgets an unacked delivery's bookkeeping in its consumer and queue.
    fn release(&mut self, u: &Unacked) {
        if let Some(c) = u.consumer {
            let cons = &mut self.consumers[c.idx()];
            cons.unacked = cons.unacked.saturating_sub(1);
            let chan = &mut self.channels[cons.channel.idx()];
            chan.global_volume = chan.global_volume.saturating_sub(1);
        }
        if let Some(q) = self.queues.get_mut(u.queue.idx()).and_then(|q| q.as_mut()) {
            q.unacked = q.unacked.saturating_sub(1);
        }
    }

    fn push_unique(v: &mut Vec<QueueId>, q: QueueId) {
        if !v.contains(&q) {
            v.push(q);
        }
    }

    /// Settles the deliveries (`tag`, `multiple`) names: each is released from its consumer and
    /// queue and handed to `each`; then the queues touched run again. Reuses scratch space:
    /// no allocation per ack.
    fn settle(
        &mut self,
        cx: &mut Cx<'_>,
        ch: ChannelId,
        tag: u64,
        multiple: bool,
        requeue: bool,
        mut each: impl FnMut(&mut Broker, &Unacked, ClientId, &mut Cx<'_>),
    ) -> Result<(), AmqpError> {
        let mut settled = std::mem::take(&mut self.scratch_settled);
        if !self.channels[ch.idx()].take_settled_into(tag, multiple, &mut settled) {
            self.scratch_settled = settled;
            return Err(AmqpError::unknown_delivery_tag(tag));
        }
        let client = self.channels[ch.idx()].owner;
        let mut touched = std::mem::take(&mut self.scratch_queues);
        for u in &settled {
            self.release(u);
            each(self, u, client, cx);
            Self::push_unique(&mut touched, u.queue);
        }
        for &q in &touched {
            if requeue {
                self.drop_head_after_requeue(cx, q);
            }
            self.unblock_and_run(cx, q);
        }
        if self.channels[ch.idx()].global_prefetch > 0 {
            self.run_channel_queues(cx, ch);
        }
        settled.clear();
        touched.clear();
        self.scratch_settled = settled;
        self.scratch_queues = touched;
        Ok(())
    }

    pub(crate) fn basic_ack(&mut self, cx: &mut Cx<'_>, ch: ChannelId, tag: u64, multiple: bool) -> Result<(), AmqpError> {
        self.settle(cx, ch, tag, multiple, false, |b, u, client, cx| {
            b.disk_removed(cx, u.queue, &u.qm);
            cx.fx.records.push(Record::Acked { msg: u.qm.msg, q: u.queue, client, tag: u.tag, multiple });
        })
    }

    /// `basic.nack` (`nack`) or `basic.reject`: requeue, or dead-letter / drop.
    pub(crate) fn basic_nack(
        &mut self,
        cx: &mut Cx<'_>,
        ch: ChannelId,
        tag: u64,
        multiple: bool,
        requeue: bool,
        nack: bool,
    ) -> Result<(), AmqpError> {
        let why = if nack { RequeueWhy::Nack } else { RequeueWhy::Reject };
        if requeue {
            self.begin_dead_letter_batch();
        }
        let r = self.settle(cx, ch, tag, multiple, requeue, |b, u, client, cx| {
            cx.fx.records.push(Record::Rejected { msg: u.qm.msg, q: u.queue, client, tag: u.tag, requeue, nack });
            if requeue {
                b.requeue_one(cx, u, client, why);
            } else if b.queue(u.queue).is_some() {
                b.disk_removed(cx, u.queue, &u.qm);
                b.dead_letter(cx, u.queue, u.qm, DeadLetterReason::Rejected);
            } else {
                cx.fx.records.push(Record::Lost { msg: u.qm.msg, q: u.queue, why: LostWhy::QueueDeleted });
            }
        });
        self.end_dead_letter_batch(cx);
        r
    }

    fn requeue_one(&mut self, cx: &mut Cx<'_>, u: &Unacked, client: ClientId, why: RequeueWhy) {
        if self.queue(u.queue).is_some_and(|q| q.is_quorum()) {
            self.quorum_return(cx, u, client, why);
            return;
        }
        let mut qm = u.qm;
        qm.flags |= qflags::DELIVERED;
        match self.queues.get_mut(u.queue.idx()).and_then(|q| q.as_mut()) {
            Some(queue) => {
                if queue.args.max_length_bytes.is_some() {
                    queue.ready_bytes += cx.msgs.get(qm.msg).body.len(cx.names);
                }
                let pos = queue.requeue(qm);
                cx.fx.records.push(Record::Requeued { msg: qm.msg, q: u.queue, client, why, pos, delivery_count: 0 });
            }
            None => cx.fx.records.push(Record::Lost { msg: qm.msg, q: u.queue, why: LostWhy::QueueDeleted }),
        }
    }

    /// Requeues everything a channel holds unacked (channel closed, connection lost, recover).
    pub(crate) fn requeue_all(&mut self, cx: &mut Cx<'_>, ch: ChannelId, why: RequeueWhy) {
        self.requeue_held(cx, ch, why, false);
    }

    /// [`Broker::requeue_all`], leaving on the channel what it holds from quorum queues when
    /// `keep_quorum` (they take it back at `channel.close-ok`).
    pub(crate) fn requeue_held(&mut self, cx: &mut Cx<'_>, ch: ChannelId, why: RequeueWhy, keep_quorum: bool) {
        let queues = &self.queues;
        let kept = |u: &Unacked| keep_quorum && queues[u.queue.idx()].as_ref().is_some_and(|q| q.is_quorum());
        let (kept, held): (VecDeque<Unacked>, VecDeque<Unacked>) = self.channels[ch.idx()].unacked.drain(..).partition(kept);
        self.channels[ch.idx()].unacked = kept;
        let client = self.channels[ch.idx()].owner;
        let mut touched = Vec::new();
        // A quorum queue takes back all a closed channel held in one command.
        self.begin_dead_letter_batch();
        for u in &held {
            self.release(u);
            self.requeue_one(cx, u, client, why);
            Self::push_unique(&mut touched, u.queue);
        }
        // What a quorum queue drops over its limit goes after the checkout that follows the
        // returns, in the same command (see `quorum_return`): the batch ends with each queue's run.
        for q in touched {
            self.drop_head_after_requeue(cx, q);
            self.unblock_and_run(cx, q);
            self.flush_dead_letter_batch(cx);
        }
        self.end_dead_letter_batch(cx);
        if self.channels[ch.idx()].open && self.channels[ch.idx()].global_prefetch > 0 {
            self.run_channel_queues(cx, ch);
        }
    }

    pub(crate) fn basic_get(&mut self, cx: &mut Cx<'_>, ch: ChannelId, queue: Sym, no_ack: bool) -> Result<(), AmqpError> {
        let q = self.usable_queue(cx.names, ch, queue)?;
        if self.queues[q.idx()].as_ref().expect("usable").args.refuses_basic_get() {
            return Err(AmqpError::get_on_single_active_quorum(cx.names.get(queue)));
        }
        self.touch_queue(cx, q);
        // A quorum queue drops what expired at its head first; a classic queue takes its head
        // and then drops what expired behind it (`rabbit_amqqueue_process:fetch/2`).
        let quorum = self.queues[q.idx()].as_ref().is_some_and(|x| x.is_quorum());
        if quorum {
            self.drop_expired_head(cx, q);
        }
        let (conn, number, client) = {
            let c = &self.channels[ch.idx()];
            (c.conn, c.number, c.owner)
        };
        let queue_mut = self.queues[q.idx()].as_mut().expect("usable");
        let Some(mut qm) = queue_mut.ready.pop_front() else {
            cx.fx.frames.push((conn, Frame::GetEmpty { ch: number }));
            cx.fx.records.push(Record::GetEmpty { client, q });
            return Ok(());
        };
        if queue_mut.args.max_length_bytes.is_some() {
            queue_mut.ready_bytes -= cx.msgs.get(qm.msg).body.len(cx.names);
        }
        if !quorum {
            Self::note_expired_at_head(cx, q, &qm);
            self.drop_expired_head(cx, q);
        }
        let remaining = self.queues[q.idx()].as_ref().map_or(0, |x| x.ready_len());
        // A quorum queue always adds `x-delivery-count` to a `basic.get-ok`.
        let redelivered = if quorum { qm.count > 0 } else { qm.delivered_before() };
        let delivery_count = if quorum { super::quorum::header_count(qm.count) } else { super::dispatch::NO_DELIVERY_COUNT };
        qm.flags |= qflags::DELIVERED;
        let chan = &mut self.channels[ch.idx()];
        let tag = chan.next_tag;
        chan.next_tag += 1;
        if no_ack {
            self.disk_removed(cx, q, &qm);
        } else {
            self.channel_active(cx.now, ch);
            self.channels[ch.idx()].unacked.push_back(Unacked { tag, queue: q, consumer: None, qm, at: cx.now });
            self.queues[q.idx()].as_mut().expect("usable").unacked += 1;
            self.arm_consumer_timeout(cx, ch);
        }
        cx.fx.frames.push((conn, Frame::GetOk { ch: number, tag, redelivered, msg: qm.msg, remaining }));
        cx.fx.records.push(Record::Delivered {
            msg: qm.msg,
            q,
            consumer: NO_CONSUMER,
            client,
            tag,
            redelivered,
            no_ack,
            why: DeliverWhy::Get,
            delivery_count,
        });
        self.quorum_evaluate_limit(cx, q);
        self.arm_ttl_timer(cx, q);
        Ok(())
    }
}
