//! What makes a queue a quorum queue (`x-queue-type: quorum`), as RabbitMQ 3.10 runs one on a
//! single node (`rabbit_quorum_queue.erl`, the `rabbit_fifo` state machine).
//!
//! - **Declaring.** Durable only, never exclusive or auto-delete, never server-named, and only
//!   its own arguments: RabbitMQ refuses the rest with 406 and its own words. A classic queue
//!   refuses the quorum-only arguments the same way.
//! - **Durability.** Every message is written to the queue's log before it is confirmed,
//!   whatever its delivery mode: a broker crash loses nothing the queue accepted, and no ack
//!   is undone. Messages that were delivered come back to the head of the queue after a crash,
//!   with their delivery count raised.
//! - **Returns.** A message that comes back (nack or reject with requeue, `basic.recover`, a
//!   closed channel) counts one more delivery (`x-delivery-count`); above `x-delivery-limit` it
//!   is dropped or dead-lettered with reason `delivery_limit`. A closed channel's messages, and
//!   every return once a delivery limit is set, go to the head of the queue, in the order they
//!   came back; without a limit, a nack, reject or recover re-enqueues the message at the tail.
//!   The `redelivered` flag is "delivery count above 0".
//! - **Length limits.** Counted over ready messages plus at-least-once dead letters still
//!   pending. `drop-head` drops from the head after every command; `reject-publish` lets the
//!   message that goes over the limit in, then tells every publishing channel to stop, until
//!   the queue is back at 80% of its limit; `reject-publish-dlx` does not exist and means
//!   `drop-head`.
//! - **Dead-lettering.** At-most-once by default. `x-dead-letter-strategy: at-least-once` (with
//!   `x-overflow: reject-publish`) keeps each dead letter in the source queue until a queue
//!   has taken it, retrying every 3 minutes while none does.
//! - **Consumers.** No global prefetch, exclusive consumers are not exclusive, a prefetch of 0
//!   means 2000, and a single active consumer hands over in subscription order.

use super::channel::Unacked;
use super::error::AmqpError;
use super::message::DeadLetterReason;
use super::queue::{qflags, Overflow, QMsg, QueueArgs, QueueType};
use super::{Broker, BrokerTimer, Cx};
use crate::ids::{ChannelId, ClientId, QueueId};
use crate::names::Names;
use crate::record::{DiscardWhy, LostWhy, Record, RequeueWhy};
use crate::sim::Time;

/// The prefetch RabbitMQ gives a quorum consumer that asked for none (`rabbit_quorum_queue:consume/3`).
pub const UNLIMITED_PREFETCH: u32 = 2000;
/// How long an at-least-once dead letter with nowhere to go waits before the next try
/// (`dead_letter_worker_publisher_confirm_timeout`, 180 000 ms).
pub const DEAD_LETTER_RETRY: Time = Time::secs(180);

/// The queue arguments each queue type accepts (`capabilities/0` of `rabbit_classic_queue` and
/// `rabbit_quorum_queue`), in RabbitMQ's order — also the order of the equivalence check on
/// redeclare.
const CLASSIC_ARGS: &[&str] = &[
    "x-expires",
    "x-message-ttl",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-max-length",
    "x-max-length-bytes",
    "x-max-priority",
    "x-overflow",
    "x-queue-mode",
    "x-queue-version",
    "x-single-active-consumer",
    "x-queue-type",
    "x-queue-master-locator",
];
const QUORUM_ARGS: &[&str] = &[
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-dead-letter-strategy",
    "x-expires",
    "x-max-length",
    "x-max-length-bytes",
    "x-max-in-memory-length",
    "x-max-in-memory-bytes",
    "x-overflow",
    "x-single-active-consumer",
    "x-queue-type",
    "x-quorum-initial-group-size",
    "x-delivery-limit",
    "x-message-ttl",
    "x-queue-leader-locator",
];
/// Stream-only arguments: refused by both.
const STREAM_ONLY_ARGS: &[&str] = &["x-max-age", "x-stream-max-segment-size-bytes", "x-initial-cluster-size"];

/// The arguments a queue of type `t` accepts.
pub fn type_args(t: QueueType) -> &'static [&'static str] {
    match t {
        QueueType::Classic => CLASSIC_ARGS,
        QueueType::Quorum => QUORUM_ARGS,
    }
}

/// The arguments RabbitMQ compares when a queue of type `t` is declared again, in its order.
/// (warren's classic list keeps out the arguments it has always ignored on redeclare.)
pub fn checked_args(t: QueueType) -> &'static [&'static str] {
    match t {
        QueueType::Classic => &[
            "x-expires",
            "x-message-ttl",
            "x-dead-letter-exchange",
            "x-dead-letter-routing-key",
            "x-max-length",
            "x-max-length-bytes",
            "x-max-priority",
            "x-overflow",
            "x-single-active-consumer",
            "x-queue-type",
        ],
        QueueType::Quorum => QUORUM_ARGS,
    }
}

fn other_type_arg(t: QueueType, arg: &str) -> bool {
    let other = match t {
        QueueType::Classic => QUORUM_ARGS,
        QueueType::Quorum => CLASSIC_ARGS,
    };
    !type_args(t).contains(&arg) && (other.contains(&arg) || STREAM_ONLY_ARGS.contains(&arg))
}

/// What RabbitMQ answers a `queue.declare` that creates a queue its type refuses, if anything:
/// a server-named quorum queue, an argument of another queue type, a quorum queue that is
/// auto-delete, exclusive or not durable — checked in RabbitMQ's order.
pub fn declare_refusal(name: &str, flags: (bool, bool, bool), server_named: bool, args: &QueueArgs, names: &Names) -> Option<AmqpError> {
    let (durable, exclusive, auto_delete) = flags;
    let t = args.queue_type;
    if server_named && t == QueueType::Quorum {
        return Some(AmqpError::server_named_not_allowed(t.module()));
    }
    for (k, _) in &args.raw {
        let k = names.get(*k);
        if other_type_arg(t, k) {
            return Some(AmqpError::invalid_arg_for_type(k, name, t.module()));
        }
    }
    if t == QueueType::Quorum {
        let prop = if auto_delete {
            "auto-delete"
        } else if exclusive {
            "exclusive-owner"
        } else if !durable {
            "non-durable"
        } else {
            return None;
        };
        return Some(AmqpError::invalid_property(prop, name));
    }
    None
}

/// Whether a return of this kind goes to the tail of a quorum queue (re-enqueued) rather than
/// to its head: a settlement that asks for it, on a queue without a delivery limit
/// (`rabbit_fifo` `#requeue{}`); a closed channel always returns to the head.
fn returns_to_tail(why: RequeueWhy, args: &QueueArgs) -> bool {
    args.delivery_limit.is_none() && matches!(why, RequeueWhy::Nack | RequeueWhy::Reject | RequeueWhy::Recover)
}

impl Broker {
    /// A quorum queue takes back a delivery: one more in its delivery count; over the limit it
    /// is dropped or dead-lettered, otherwise it goes to the head or the tail. The length limit
    /// applies after the checkout that follows, as after every command.
    pub(crate) fn quorum_return(&mut self, cx: &mut Cx<'_>, u: &Unacked, client: ClientId, why: RequeueWhy) {
        let q = u.queue;
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            cx.fx.records.push(Record::Lost { msg: u.qm.msg, q, why: LostWhy::QueueDeleted });
            return;
        };
        let mut qm = u.qm;
        qm.count = qm.count.saturating_add(1);
        qm.flags |= qflags::DELIVERED;
        if queue.args.delivery_limit.is_some_and(|limit| qm.count as i64 > limit) {
            if let Some(c) = u.consumer {
                // RabbitMQ 3.10.8 gives this message's credit back twice (see `extra_credit`).
                let cons = &mut self.consumers[c.idx()];
                cons.extra_credit = cons.extra_credit.saturating_add(1);
            }
            self.dead_letter(cx, q, qm, DeadLetterReason::DeliveryLimit);
            return;
        }
        let tail = returns_to_tail(why, &queue.args);
        if tail {
            qm.seq = queue.next_seq;
            queue.next_seq += 1;
        } else {
            qm.seq = queue.next_return_seq;
            queue.next_return_seq += 1;
        }
        if queue.args.max_length_bytes.is_some() {
            queue.ready_bytes += cx.msgs.get(qm.msg).body.len(cx.names);
        }
        let pos = queue.requeue(qm);
        cx.fx.records.push(Record::Requeued { msg: qm.msg, q, client, why, pos, delivery_count: qm.count });
        // The length limit is looked at after the command's checkout, not here: a returned
        // message a consumer takes at once never counts against it (`rabbit_fifo:checkout/4`
        // runs `evaluate_limit/5` on the state after delivering). Returns to the head are one
        // command with the rest of the settle, whose caller runs the queue; each re-enqueue to
        // the tail is a command of its own (`#requeue{}`): its checkout, its limit, and what
        // that pushed out, now.
        if tail {
            self.unblock_and_run(cx, q);
            self.flush_dead_letter_batch(cx);
        }
    }

    /// After every command: `drop-head` drops while over the limit; `reject-publish` tells the
    /// publishers to stop once over it, and to go on once back at 80% of it.
    pub(crate) fn quorum_evaluate_limit(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return;
        };
        if !queue.is_quorum() || (queue.args.max_length.is_none() && queue.args.max_length_bytes.is_none()) {
            return;
        }
        match queue.args.effective_overflow() {
            Overflow::RejectPublish => {
                if queue.is_over_limit() {
                    for e in &mut queue.enqueuers {
                        e.1 = true;
                    }
                } else if below_soft_limit(queue) {
                    for e in &mut queue.enqueuers {
                        e.1 = false;
                    }
                }
            }
            _ => {
                self.enforce_max_length(cx, q);
            }
        }
    }

    /// `reject-publish` on a quorum queue: whether this channel has been told to stop. A
    /// channel publishing here for the first time registers as an enqueuer first, and is
    /// told to stop at once if the queue is over its limit then (`rabbit_fifo_client:enqueue/3`
    /// sends `register_enqueuer`, which `rabbit_fifo` answers with `reject_publish`).
    pub(crate) fn quorum_publisher_blocked(&mut self, q: QueueId, from: Option<ChannelId>) -> bool {
        let Some(ch) = from else { return false };
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return false;
        };
        if queue.args.effective_overflow() != Overflow::RejectPublish {
            return false;
        }
        match queue.enqueuers.iter().find(|(c, _)| *c == ch) {
            Some(&(_, blocked)) => blocked,
            None => {
                let blocked = queue.is_over_limit();
                queue.enqueuers.push((ch, blocked));
                blocked
            }
        }
    }

    /// At-least-once dead-lettering: the copy stays with its source queue until a queue takes it.
    pub(crate) fn dead_letter_at_least_once(&mut self, cx: &mut Cx<'_>, q: QueueId, qm: QMsg, reason: DeadLetterReason) {
        let bytes = cx.msgs.get(qm.msg).body.len(cx.names);
        if let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) {
            queue.dlx_pending.push((qm, reason));
            queue.dlx_pending_bytes += bytes;
        }
        self.forward_pending_dead_letters(cx, q);
    }

    /// Tries to hand every pending at-least-once dead letter of `q` to its dead-letter
    /// exchange; what finds no queue waits for the next try.
    pub(crate) fn forward_pending_dead_letters(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return;
        };
        let pending = std::mem::take(&mut queue.dlx_pending);
        queue.dlx_pending_bytes = 0;
        let mut kept = Vec::new();
        for (qm, reason) in pending {
            if !self.dead_letter_now(cx, q, qm, reason, true) {
                kept.push((qm, reason));
            }
        }
        let bytes: u64 = kept.iter().map(|(qm, _)| cx.msgs.get(qm.msg).body.len(cx.names)).sum();
        let epoch = self.epoch;
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return;
        };
        queue.dlx_pending = kept;
        queue.dlx_pending_bytes = bytes;
        if !queue.dlx_pending.is_empty() && !queue.dlx_retry_armed {
            queue.dlx_retry_armed = true;
            cx.fx.timers.push((cx.now.saturating_add(DEAD_LETTER_RETRY), BrokerTimer::DeadLetterRetry { q, epoch }));
        }
        self.quorum_evaluate_limit(cx, q);
    }

    pub(crate) fn on_dead_letter_retry(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        if let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) {
            queue.dlx_retry_armed = false;
            self.forward_pending_dead_letters(cx, q);
        }
    }

    /// Starts collecting the at-most-once dead letters of one quorum command, which RabbitMQ
    /// publishes in the order of its effect list (see [`Broker::flush_dead_letter_batch`]).
    pub(crate) fn begin_dead_letter_batch(&mut self) {
        if self.dl_batch.is_none() {
            self.dl_batch = Some(Vec::new());
        }
    }

    /// Publishes the dead letters collected for the current command as `rabbit_fifo` orders
    /// its effects: what the length limit dropped after the checkout (`evaluate_limit/5`
    /// prepends each drop) first, last one first; then what the returns and the checkout
    /// dropped (past the delivery limit, expired), in order (`checkout0/3` reverses the list
    /// it built by prepending).
    pub(crate) fn flush_dead_letter_batch(&mut self, cx: &mut Cx<'_>) {
        let Some(mut batch) = self.dl_batch.take() else { return };
        for &(q, qm, reason) in batch.iter().rev().filter(|e| e.2 == DeadLetterReason::Maxlen) {
            self.dead_letter(cx, q, qm, reason);
        }
        for &(q, qm, reason) in batch.iter().filter(|e| e.2 != DeadLetterReason::Maxlen) {
            self.dead_letter(cx, q, qm, reason);
        }
        batch.clear();
        self.dl_batch = Some(batch);
    }

    pub(crate) fn end_dead_letter_batch(&mut self, cx: &mut Cx<'_>) {
        self.flush_dead_letter_batch(cx);
        self.dl_batch = None;
    }

    /// Whether a dead letter from `q` joins the current command's batch instead of going now.
    pub(crate) fn batch_dead_letter(&mut self, q: QueueId, qm: QMsg, reason: DeadLetterReason) -> bool {
        let batching = self.dl_batch.is_some() && self.queue(q).is_some_and(|x| x.is_quorum() && !x.args.at_least_once());
        if batching {
            self.dl_batch.as_mut().expect("checked").push((q, qm, reason));
        }
        batching
    }

    /// A broker crash, for a quorum queue: nothing is lost; what was delivered comes back to
    /// the head (in delivery order) with one more delivery counted.
    pub(crate) fn quorum_recover(&mut self, cx: &mut Cx<'_>, q: QueueId, mut ready: Vec<QMsg>, held: Vec<QMsg>) {
        let queue = self.queues[q.idx()].as_mut().expect("live");
        for mut qm in held {
            qm.count = qm.count.saturating_add(1);
            qm.flags |= qflags::DELIVERED;
            qm.seq = queue.next_return_seq;
            queue.next_return_seq += 1;
            ready.push(qm);
        }
        ready.sort_by_key(|m| m.order());
        queue.ready_bytes = ready.iter().map(|m| cx.msgs.get(m.msg).body.len(cx.names)).sum();
        queue.ready = ready.into();
        queue.unacked = 0;
        queue.consumers = Default::default();
        queue.had_consumer = false;
        queue.ttl_timer = Time::NEVER;
        queue.expires_at = Time::NEVER;
        queue.enqueuers.clear();
        queue.dlx_retry_armed = false;
    }

    /// A quorum queue back after a restart: the consumers that held its messages are gone,
    /// so what they held came back with one more in its delivery count ([`Self::quorum_recover`]),
    /// and what that puts past `x-delivery-limit` is dead-lettered now, in delivery order, as
    /// `rabbit_fifo` does when the recovered queue finds those consumers down (`return_all`).
    pub(crate) fn quorum_recovered_over_limit(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else { return };
        let Some(limit) = queue.args.delivery_limit.filter(|_| queue.is_quorum()) else { return };
        if !queue.ready.iter().any(|m| m.count as i64 > limit) {
            return;
        }
        let (over, keep): (Vec<QMsg>, Vec<QMsg>) = queue.ready.drain(..).partition(|m| m.count as i64 > limit);
        queue.ready = keep.into();
        for qm in &over {
            queue.ready_bytes = queue.ready_bytes.saturating_sub(cx.msgs.get(qm.msg).body.len(cx.names));
        }
        for qm in over {
            self.dead_letter(cx, q, qm, DeadLetterReason::DeliveryLimit);
        }
    }

    /// `basic.consume` on a quorum queue: refused on a channel with a global prefetch (540).
    pub(crate) fn quorum_check_consume(&self, names: &Names, ch: ChannelId, q: QueueId) -> Result<(), AmqpError> {
        let global = self.channels[ch.idx()].global_prefetch;
        if global > 0 && self.queue(q).is_some_and(|x| x.is_quorum()) {
            return Err(AmqpError::global_qos_not_supported(names.get(self.queue_name(q))));
        }
        Ok(())
    }
}

/// A delivery count as the trace carries it (`x-delivery-count`, saturating below the "none" mark).
pub fn header_count(count: u32) -> u16 {
    count.min(crate::record::NO_DELIVERY_COUNT as u32 - 1) as u16
}

/// At or below 80% of every limit (`rabbit_fifo:is_below_soft_limit/1`).
fn below_soft_limit(queue: &super::queue::Queue) -> bool {
    let n = queue.ready.len() as u64 + queue.dlx_pending.len() as u64;
    let bytes = queue.ready_bytes + queue.dlx_pending_bytes;
    let below = |max: Option<u64>, v: u64| max.is_none_or(|m| v <= m * 8 / 10);
    below(queue.args.max_length, n) && below(queue.args.max_length_bytes, bytes)
}

/// How a refused publish is told in the trace.
pub fn refusal_why(args: &QueueArgs) -> DiscardWhy {
    if args.is_quorum() {
        DiscardWhy::PublishersBlocked
    } else {
        DiscardWhy::Overflow
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::queue::ArgValue;

    fn args(names: &mut Names, t: QueueType, raw: &[&str]) -> QueueArgs {
        let raw = raw.iter().map(|k| (names.intern(k), ArgValue::Int(1))).collect();
        QueueArgs { queue_type: t, raw, ..Default::default() }
    }

    #[test]
    fn quorum_refusals_in_rabbitmq_order_and_words() {
        let mut n = Names::new();
        let a = args(&mut n, QueueType::Quorum, &[]);
        let text = |e: Option<AmqpError>| e.map(|e| e.text);
        assert_eq!(
            text(declare_refusal("q", (false, false, false), false, &a, &n)).as_deref(),
            Some("PRECONDITION_FAILED - invalid property 'non-durable' for queue 'q' in vhost '/'")
        );
        assert_eq!(
            text(declare_refusal("q", (false, true, false), false, &a, &n)).as_deref(),
            Some("PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue 'q' in vhost '/'")
        );
        assert_eq!(
            text(declare_refusal("q", (true, true, true), false, &a, &n)).as_deref(),
            Some("PRECONDITION_FAILED - invalid property 'auto-delete' for queue 'q' in vhost '/'")
        );
        assert_eq!(
            text(declare_refusal("", (true, false, false), true, &a, &n)).as_deref(),
            Some("PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue")
        );
        let p = args(&mut n, QueueType::Quorum, &["x-max-priority"]);
        assert_eq!(
            text(declare_refusal("q", (true, false, false), false, &p, &n)).as_deref(),
            Some("PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'q' in vhost '/' of queue type rabbit_quorum_queue")
        );
        assert!(declare_refusal("q", (true, false, false), false, &a, &n).is_none());
    }

    #[test]
    fn classic_queues_refuse_quorum_arguments() {
        let mut n = Names::new();
        let a = args(&mut n, QueueType::Classic, &["x-message-ttl", "x-delivery-limit"]);
        assert_eq!(
            declare_refusal("c", (false, false, false), false, &a, &n).map(|e| e.text).as_deref(),
            Some("PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue 'c' in vhost '/' of queue type rabbit_classic_queue")
        );
    }
}
