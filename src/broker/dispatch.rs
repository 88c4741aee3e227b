//! From queue to consumer: subscribing, cancelling, and handing messages out.
//!
//! On arrival a message is offered straight to a consumer if the queue has no backlog
//! (`deliver_or_enqueue`); otherwise it waits as *ready*. After anything that could let a
//! consumer take more (an ack, a new consumer, a requeue) the queue runs again, delivering
//! from its head while some consumer can take a message (`run_message_queue`).

use super::consumer::Consumer;
use super::error::AmqpError;
use super::ops::Frame;
use super::queue::{qflags, Overflow, QMsg};
use super::{Broker, Cx};
use crate::broker::channel::Unacked;
use crate::broker::message::DeadLetterReason;
use crate::ids::{ChannelId, ConsumerId, MsgId, QueueId, Sym, NO_CONSUMER, NO_QUEUE};
use crate::record::{DeliverWhy, DiscardWhy, ReadyWhy, Record};
use crate::sim::Time;

/// What became of a message offered to a queue.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Offer {
    /// Accepted (delivered or enqueued). `on_disk_later`: it must reach disk before a confirm.
    Accepted { on_disk_later: bool },
    /// Refused by `x-overflow: reject-publish(-dlx)`.
    Refused,
}

pub use crate::record::NO_DELIVERY_COUNT;

/// A `basic.consume`, its queue resolved.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Subscribe {
    pub queue: Sym,
    /// `""`: the broker names the consumer (`amq.ctag-N`).
    pub tag: Sym,
    pub no_ack: bool,
    pub exclusive: bool,
    pub priority: i32,
}

impl Broker {
    pub(crate) fn basic_consume(&mut self, cx: &mut Cx<'_>, ch: ChannelId, sub: Subscribe) -> Result<(), AmqpError> {
        let Subscribe { queue, tag, no_ack, exclusive, priority } = sub;
        let (conn, number, owner, mut prefetch) = {
            let c = &self.channels[ch.idx()];
            (c.conn, c.number, c.owner, c.prefetch)
        };
        let tag = if tag == self.sym.empty {
            let n = self.consumers.len();
            cx.names.intern(&format!("amq.ctag-{n}"))
        } else {
            tag
        };
        let reused = self.channels[ch.idx()].consumers.iter().any(|c| self.consumers[c.idx()].tag == tag)
            || self.channels[ch.idx()].reply_consumer.is_some_and(|(t, _)| t == tag);
        if reused {
            return Err(AmqpError::consumer_tag_reused(cx.names.get(tag)));
        }
        let id = ConsumerId(self.consumers.len() as u32);
        if queue == self.sym.reply_to {
            return self.consume_direct_reply_to(cx, ch, Subscribe { tag, ..sub }, id);
        }
        let q = self.usable_queue(cx.names, ch, queue)?;
        self.quorum_check_consume(cx.names, ch, q)?;
        let quorum = self.queues[q.idx()].as_ref().is_some_and(|x| x.is_quorum());
        {
            let queue_ref = self.queues[q.idx()].as_ref().expect("usable");
            let text = cx.names.get(queue);
            let has_exclusive = queue_ref.consumers.all().iter().any(|c| self.consumers[c.idx()].exclusive);
            // A quorum queue ignores the exclusive flag of a consumer. A classic
            // single-active-consumer queue refuses an exclusive consume outright, even with no
            // consumer (`exclusive_consume_unavailable` in rabbit_amqqueue_process).
            let sac = queue_ref.args.single_active_consumer;
            if !queue_ref.is_quorum() && (has_exclusive || (exclusive && (sac || !queue_ref.consumers.is_empty()))) {
                return Err(AmqpError::exclusive_use(text));
            }
            if queue_ref.is_quorum() && prefetch == 0 && !no_ack {
                prefetch = super::quorum::UNLIMITED_PREFETCH;
            }
        }
        self.consumers.push(Consumer {
            id,
            channel: ch,
            queue: q,
            tag,
            client: owner,
            no_ack,
            prefetch,
            unacked: 0,
            priority,
            exclusive,
            active: true,
            channel_limited: !no_ack && !quorum,
            extra_credit: 0,
        });
        self.channels[ch.idx()].consumers.push(id);
        let queue_mut = self.queues[q.idx()].as_mut().expect("usable");
        let became_active = queue_mut.consumers.add(id, priority) && queue_mut.args.single_active_consumer;
        queue_mut.had_consumer = true;
        queue_mut.expires_at = Time::NEVER;
        cx.fx.frames.push((conn, Frame::ConsumeOk { ch: number, tag, consumer: id }));
        cx.fx.records.push(Record::Subscribed { client: owner, consumer: id, q, prefetch: if no_ack { 0 } else { prefetch }, no_ack });
        if became_active {
            cx.fx.records.push(Record::ActiveConsumer { q, client: owner, consumer: id, priority, takeover: false });
        }
        self.run_queue(cx, q);
        Ok(())
    }

    /// `basic.consume` of `amq.rabbitmq.reply-to` (direct reply-to): a pseudo queue, consumed
    /// in no-ack mode on the requesting channel; `sub.tag` already resolved.
    fn consume_direct_reply_to(&mut self, cx: &mut Cx<'_>, ch: ChannelId, sub: Subscribe, id: ConsumerId) -> Result<(), AmqpError> {
        let Subscribe { tag, no_ack, exclusive, priority, .. } = sub;
        if !no_ack {
            return Err(AmqpError::reply_consumer_cannot_ack());
        }
        let c = &mut self.channels[ch.idx()];
        if c.reply_consumer.is_some() {
            return Err(AmqpError::reply_consumer_exists());
        }
        c.reply_consumer = Some((tag, id));
        let (conn, number, owner) = (c.conn, c.number, c.owner);
        self.consumers.push(Consumer {
            id,
            channel: ch,
            queue: NO_QUEUE,
            tag,
            client: owner,
            no_ack,
            prefetch: 0,
            unacked: 0,
            priority,
            exclusive,
            active: true,
            channel_limited: false,
            extra_credit: 0,
        });
        cx.fx.frames.push((conn, Frame::ConsumeOk { ch: number, tag, consumer: id }));
        cx.fx.records.push(Record::Subscribed { client: owner, consumer: id, q: NO_QUEUE, prefetch: 0, no_ack });
        Ok(())
    }

    /// `basic.cancel`: the consumer stops receiving; what it holds unacked stays unacked and
    /// can still be acked (it is not requeued).
    pub(crate) fn basic_cancel(&mut self, cx: &mut Cx<'_>, ch: ChannelId, tag: Sym) {
        let (conn, number, owner) = {
            let c = &self.channels[ch.idx()];
            (c.conn, c.number, c.owner)
        };
        if self.channels[ch.idx()].reply_consumer.is_some_and(|(t, _)| t == tag) {
            self.channels[ch.idx()].reply_consumer = None;
        }
        let found = self.channels[ch.idx()].consumers.iter().copied().find(|c| self.consumers[c.idx()].tag == tag);
        if let Some(c) = found {
            self.channels[ch.idx()].consumers.retain(|x| *x != c);
            self.consumers[c.idx()].active = false;
            let q = self.consumers[c.idx()].queue;
            cx.fx.records.push(Record::Cancelled { client: owner, consumer: c });
            cx.fx.frames.push((conn, Frame::CancelOk { ch: number, tag }));
            if self.unregister_consumer(cx, q, c) {
                self.run_queue(cx, q);
            }
            self.after_consumer_left(cx, q);
        } else {
            cx.fx.frames.push((conn, Frame::CancelOk { ch: number, tag }));
        }
    }

    /// Takes a consumer out of its queue's ring. On a single-active-consumer queue, if it was
    /// the active one, the highest-priority consumer left takes over (recorded): returns true
    /// then, and the queue should run for it.
    pub(crate) fn unregister_consumer(&mut self, cx: &mut Cx<'_>, q: QueueId, c: ConsumerId) -> bool {
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return false;
        };
        let by_priority = !queue.is_quorum();
        let next = queue.consumers.remove(c, by_priority);
        match next {
            Some(n) if queue.args.single_active_consumer => {
                let next = &self.consumers[n.idx()];
                cx.fx.records.push(Record::ActiveConsumer { q, client: next.client, consumer: n, priority: next.priority, takeover: true });
                true
            }
            _ => false,
        }
    }

    /// Offers a newly routed message to a queue: refuse it (reject-publish overflow), hand it
    /// to a consumer, or keep it ready.
    /// `from`: the publishing channel (`None`: a dead-letter copy).
    pub(crate) fn deliver_or_enqueue(&mut self, cx: &mut Cx<'_>, q: QueueId, msg: MsgId, from: Option<ChannelId>) -> Offer {
        if !self.copies.allow() {
            return Offer::Refused; // past the world's cap on copies: the run stops after this input
        }
        let m = *cx.msgs.get(msg);
        let props = cx.msgs.props(m.props);
        let (persistent, per_msg_ttl, priority) = (props.persistent, props.expiration, props.priority);
        let queue = self.queues[q.idx()].as_ref().expect("routed to a live queue");
        let quorum = queue.is_quorum();
        let bytes = if queue.args.max_length_bytes.is_some() { m.body.len(cx.names) } else { 0 };
        if self.refuses_offer(cx, q, msg, from, bytes) {
            return Offer::Refused;
        }
        let queue = self.queues[q.idx()].as_ref().expect("live");
        let durable = queue.durable;
        let expires = Self::expiry_for(cx.now, queue.args.message_ttl, per_msg_ttl);
        let backlog = !queue.ready.is_empty();
        // A quorum queue writes every message to its log before accepting it.
        let on_disk_later = persistent && durable && !quorum;
        let gen = if on_disk_later { self.disk_write(cx) } else { QMsg::NOT_ON_DISK };
        let queue = self.queues[q.idx()].as_mut().expect("live");
        let qm = QMsg { prio: queue.effective_priority(priority), ..QMsg::new(queue.next_seq, msg, expires, gen) };
        queue.next_seq += 1;
        let why = if backlog {
            if queue.consumers.is_empty() {
                ReadyWhy::NoConsumer
            } else {
                ReadyWhy::Backlog
            }
        } else {
            let (pick, why) = self.pick_consumer(q, false);
            if let Some(c) = pick {
                self.deliver(cx, q, qm, c, why);
                return Offer::Accepted { on_disk_later };
            }
            self.why_not_delivered(q, why)
        };
        let queue = self.queues[q.idx()].as_mut().expect("live");
        queue.enqueue(qm);
        queue.ready_bytes += bytes;
        cx.fx.records.push(Record::Ready { msg, q, why });
        self.after_enqueue(cx, q, quorum, expires);
        if backlog {
            self.run_queue(cx, q);
        }
        Offer::Accepted { on_disk_later }
    }

    /// Whether `q` refuses a message offered to it (and records how): a quorum queue whose
    /// reject-publish limit blocked the publisher, or a classic queue full with
    /// `reject-publish(-dlx)` (checked before trying a consumer).
    #[inline]
    fn refuses_offer(&mut self, cx: &mut Cx<'_>, q: QueueId, msg: MsgId, from: Option<ChannelId>, bytes: u64) -> bool {
        let queue = self.queues[q.idx()].as_ref().expect("live");
        if queue.is_quorum() {
            if self.quorum_publisher_blocked(q, from) {
                cx.fx.records.push(Record::Discarded { msg, q, why: DiscardWhy::PublishersBlocked });
                return true;
            }
            return false;
        }
        if queue.args.overflow == Overflow::DropHead || !queue.is_full_for(bytes) {
            return false;
        }
        if queue.args.overflow == Overflow::RejectPublishDlx {
            let qm = QMsg::new(u64::MAX, msg, Time::NEVER, QMsg::NOT_ON_DISK);
            self.dead_letter(cx, q, qm, DeadLetterReason::Maxlen);
        } else {
            cx.fx.records.push(Record::Discarded { msg, q, why: DiscardWhy::Overflow });
        }
        true
    }

    /// Why a message that found no backlog was not delivered at once (the cause of its
    /// `ready` record), from the pick that found no consumer.
    fn why_not_delivered(&self, q: QueueId, pick: DeliverWhy) -> ReadyWhy {
        let consumers = &self.queues[q.idx()].as_ref().expect("live").consumers;
        match pick {
            DeliverWhy::RoundRobin { skipped, first_skipped, .. } if skipped > 0 => {
                ReadyWhy::AllAtLimit { first: first_skipped, count: skipped }
            }
            _ if !consumers.is_empty() => {
                // Every consumer had been found blocked before (they sit in the blocked list).
                let first = consumers.blocked().first().copied().unwrap_or(NO_CONSUMER);
                ReadyWhy::AllAtLimit { first, count: consumers.len() as u16 }
            }
            _ => ReadyWhy::NoConsumer,
        }
    }

    /// After a message was enqueued: the length limit, then the head. A quorum queue looks at
    /// its head after every command. A classic queue only when the message may have changed
    /// its head: it is alone in the queue, or drop-head dropped some
    /// (`rabbit_amqqueue_process:deliver_or_enqueue/3`). In a priority queue a message can go
    /// ahead of others without that: no TTL timer is set for it then, and it stays until the
    /// queue next looks (a fetch, a requeue, the timer of another message). TTL 0 (or an
    /// already passed expiry): gone at once when the queue looks.
    #[inline]
    fn after_enqueue(&mut self, cx: &mut Cx<'_>, q: QueueId, quorum: bool, expires: Time) {
        let dropped = if quorum {
            self.quorum_evaluate_limit(cx, q);
            false
        } else {
            self.enforce_max_length(cx, q)
        };
        let alone = self.queues[q.idx()].as_ref().is_some_and(|x| x.ready_len() == 1);
        let looks = match (dropped, alone) {
            (false, false) => false,
            (true, true) => !expires.is_never(),
            _ => true,
        };
        if quorum || looks {
            self.drop_expired_head(cx, q);
            self.arm_ttl_timer(cx, q);
        }
    }

    /// `x-max-length` / `x-max-length-bytes` with `drop-head`: drop (or dead-letter) from the
    /// head until the queue is within its limits. Whether it dropped any.
    pub(crate) fn enforce_max_length(&mut self, cx: &mut Cx<'_>, q: QueueId) -> bool {
        let mut dropped = false;
        loop {
            let queue = self.queues[q.idx()].as_mut().expect("live");
            if !queue.is_over_limit() {
                return dropped;
            }
            let Some(qm) = queue.ready.pop_front() else {
                return dropped;
            };
            dropped = true;
            if queue.args.max_length_bytes.is_some() {
                queue.ready_bytes -= cx.msgs.get(qm.msg).body.len(cx.names);
            }
            self.disk_removed(cx, q, &qm);
            self.dead_letter(cx, q, qm, DeadLetterReason::Maxlen);
        }
    }

    /// Picks the consumer for the next message of `q`. Consumers found at their limit move to
    /// the blocked list. Returns the choice and the cause to record.
    pub(crate) fn pick_consumer(&mut self, q: QueueId, from_ready: bool) -> (Option<ConsumerId>, DeliverWhy) {
        let Broker { queues, consumers, channels, .. } = self;
        let may = |c: ConsumerId| may_deliver(consumers, channels, c);
        let queue = queues[q.idx()].as_mut().expect("live");
        if queue.args.single_active_consumer {
            let active = queue.consumers.active();
            return match active {
                Some(c) if may(c) => (Some(c), DeliverWhy::SingleActive { from_ready }),
                _ => (None, DeliverWhy::SingleActive { from_ready }),
            };
        }
        let several_bands = queue.consumers.several_bands();
        let alone = queue.consumers.len() == 1;
        let pick = queue.consumers.pick(may);
        let first_skipped = pick.first_skipped.unwrap_or(NO_CONSUMER);
        match pick.chosen {
            Some((c, priority)) if several_bands => {
                (Some(c), DeliverWhy::Priority { priority, skipped: pick.skipped, first_skipped, from_ready })
            }
            Some((c, _)) => (Some(c), DeliverWhy::RoundRobin { skipped: pick.skipped, first_skipped, from_ready, alone }),
            None => (None, DeliverWhy::RoundRobin { skipped: pick.skipped, first_skipped, from_ready, alone }),
        }
    }

    /// Delivers from the head of the queue while a consumer can take a message. A quorum
    /// queue drops what expired at its head before each checkout (`rabbit_fifo:checkout_one/4`);
    /// a classic queue takes its head and then drops what expired behind it, setting the TTL
    /// timer for the new head (`rabbit_amqqueue_process:fetch/2`): a head that expired without
    /// a timer (see [`Broker::deliver_or_enqueue`]) is delivered.
    pub(crate) fn run_queue(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let Some(quorum) = self.queues.get(q.idx()).and_then(|x| x.as_ref()).map(|x| x.is_quorum()) else {
            return;
        };
        loop {
            if quorum {
                self.drop_expired_head(cx, q);
            }
            let Some(queue) = self.queues.get(q.idx()).and_then(|x| x.as_ref()) else {
                return;
            };
            if queue.ready.is_empty() || queue.consumers.is_empty() {
                break;
            }
            let (pick, why) = self.pick_consumer(q, true);
            let Some(c) = pick else { break };
            let queue = self.queues[q.idx()].as_mut().expect("live");
            let qm = queue.ready.pop_front().expect("not empty");
            if queue.args.max_length_bytes.is_some() {
                queue.ready_bytes -= cx.msgs.get(qm.msg).body.len(cx.names);
            }
            if !quorum {
                Self::note_expired_at_head(cx, q, &qm);
            }
            self.deliver(cx, q, qm, c, why);
            if !quorum {
                self.drop_expired_head(cx, q);
                self.arm_ttl_timer(cx, q);
            }
        }
        if quorum {
            self.arm_ttl_timer(cx, q);
            self.quorum_evaluate_limit(cx, q);
        }
    }

    /// Hands one message copy to a consumer.
    fn deliver(&mut self, cx: &mut Cx<'_>, q: QueueId, mut qm: QMsg, c: ConsumerId, why: DeliverWhy) {
        let quorum = self.queues[q.idx()].as_ref().is_some_and(|x| x.is_quorum());
        let cons = &self.consumers[c.idx()];
        let chan = &mut self.channels[cons.channel.idx()];
        let tag = chan.next_tag;
        chan.next_tag += 1;
        // A quorum queue says redelivered when the delivery count is above 0, and then adds
        // `x-delivery-count` to the delivery.
        let redelivered = if quorum { qm.count > 0 } else { qm.delivered_before() };
        let delivery_count = if quorum && qm.count > 0 { super::quorum::header_count(qm.count) } else { NO_DELIVERY_COUNT };
        qm.flags |= qflags::DELIVERED;
        let (conn, number, client, no_ack, chid) = (chan.conn, chan.number, cons.client, cons.no_ack, cons.channel);
        // A quorum consumer of a channel the broker closed with an error (see
        // `Broker::close_channel`): checked out to it, never sent, taken back at close-ok.
        let held = !chan.open;
        if no_ack {
            self.disk_removed(cx, q, &qm);
        } else {
            self.channel_active(cx.now, chid);
            let chan = &mut self.channels[chid.idx()];
            chan.unacked.push_back(Unacked { tag, queue: q, consumer: Some(c), qm, at: cx.now });
            if !quorum {
                chan.global_volume += 1;
            }
            self.consumers[c.idx()].unacked += 1;
            if let Some(queue) = self.queues[q.idx()].as_mut() {
                queue.unacked += 1;
            }
            self.arm_consumer_timeout(cx, chid); // not on a closing channel
        }
        if quorum && !may_deliver(&self.consumers, &self.channels, c) {
            if let Some(queue) = self.queues[q.idx()].as_mut() {
                queue.consumers.leave_at_limit(c);
            }
        }
        if held {
            cx.fx.records.push(Record::CheckedOut { msg: qm.msg, q, consumer: c, client, redelivered, no_ack, why, delivery_count });
            return;
        }
        cx.fx.frames.push((conn, Frame::Deliver { ch: number, consumer: c, tag, redelivered, msg: qm.msg }));
        cx.fx.records.push(Record::Delivered { msg: qm.msg, q, consumer: c, client, tag, redelivered, no_ack, why, delivery_count });
    }

    /// After a consumer of `q` settled messages: blocked consumers that can take messages
    /// again rejoin the round-robin at its tail, and the queue runs.
    pub(crate) fn unblock_and_run(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let Broker { queues, consumers, channels, .. } = self;
        let Some(queue) = queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return;
        };
        queue.consumers.unblock(|c| may_deliver(consumers, channels, c).then_some(consumers[c.idx()].priority));
        self.run_queue(cx, q);
    }

    /// Runs every queue a channel's consumers read (its channel-wide limit changed, or freed room).
    pub(crate) fn run_channel_queues(&mut self, cx: &mut Cx<'_>, ch: ChannelId) {
        let mut queues: Vec<QueueId> = Vec::new();
        for c in &self.channels[ch.idx()].consumers {
            let q = self.consumers[c.idx()].queue;
            if q != NO_QUEUE && !queues.contains(&q) {
                queues.push(q);
            }
        }
        for q in queues {
            self.unblock_and_run(cx, q);
        }
    }

    /// After messages came back to a classic queue (nack, reject, recover, a closed channel):
    /// with `drop-head`, the queue drops from its head while it is over its limits — the
    /// requeued messages themselves when they are at the head. `reject-publish(-dlx)` queues
    /// never drop here and may stay over their limit (`rabbit_amqqueue_process`
    /// `requeue_and_run/2`, `maybe_drop_head/1`). A quorum queue drops after the checkout that
    /// follows (`quorum_evaluate_limit`, at the end of [`Broker::run_queue`]).
    pub(crate) fn drop_head_after_requeue(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let drop_head = self
            .queues
            .get(q.idx())
            .and_then(|x| x.as_ref())
            .is_some_and(|x| !x.is_quorum() && x.args.overflow == Overflow::DropHead && x.args.has_length_limit());
        if drop_head {
            self.enforce_max_length(cx, q);
        }
        // Then what expired at the head goes, and the TTL timer is set for the new head,
        // before the queue runs (`requeue_and_run/2`).
        self.drop_expired_head(cx, q);
        self.arm_ttl_timer(cx, q);
    }
}

/// Whether a consumer may take one more message now: its own prefetch, and its channel's
/// channel-wide limit (which applies neither to auto-ack consumers nor to quorum queues').
fn may_deliver(consumers: &[Consumer], channels: &[super::channel::Channel], c: ConsumerId) -> bool {
    let cons = &consumers[c.idx()];
    cons.can_receive() && (!cons.channel_limited || channels[cons.channel.idx()].global_allows())
}
