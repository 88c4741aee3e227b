//! A queue: its properties and arguments, its ready messages (head first), and the consumers
//! waiting on it.
//!
//! The ready messages are kept in delivery order by one key, (priority, position): a classic
//! queue orders by publication (so a requeued message goes back to its original position), a
//! classic priority queue (`x-max-priority`) by priority first, and a quorum queue hands out
//! its returned messages before the others ([`super::quorum`]).
//!
//! Unacked messages are not here: they belong to the channel that holds them
//! ([`super::channel::Channel`]); the queue only counts them.

use super::consumer::ConsumerRing;
use crate::ids::{ConnId, MsgId, QueueId, Sym};
use crate::sim::Time;
use std::collections::VecDeque;

/// A queue argument value as the client sent it (kept to check redeclares and to quote it).
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    Int(i64),
    Str(Sym),
    Bool(bool),
}

/// What `x-max-length` does when the queue is full.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    #[default]
    DropHead,
    RejectPublish,
    RejectPublishDlx,
}

impl Overflow {
    pub fn parse(s: &str) -> Option<Overflow> {
        Some(match s {
            "drop-head" => Overflow::DropHead,
            "reject-publish" => Overflow::RejectPublish,
            "reject-publish-dlx" => Overflow::RejectPublishDlx,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Overflow::DropHead => "drop-head",
            Overflow::RejectPublish => "reject-publish",
            Overflow::RejectPublishDlx => "reject-publish-dlx",
        }
    }
}

/// `x-queue-type`: which of RabbitMQ's queue implementations holds the messages.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum QueueType {
    #[default]
    Classic,
    Quorum,
}

impl QueueType {
    pub fn parse(s: &str) -> Option<QueueType> {
        match s {
            "classic" => Some(QueueType::Classic),
            "quorum" => Some(QueueType::Quorum),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            QueueType::Classic => "classic",
            QueueType::Quorum => "quorum",
        }
    }
    /// The module name RabbitMQ puts in its error texts.
    pub fn module(self) -> &'static str {
        match self {
            QueueType::Classic => "rabbit_classic_queue",
            QueueType::Quorum => "rabbit_quorum_queue",
        }
    }
}

/// `x-dead-letter-strategy` (quorum queues).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum DeadLetterStrategy {
    #[default]
    AtMostOnce,
    AtLeastOnce,
}

impl DeadLetterStrategy {
    pub fn parse(s: &str) -> Option<DeadLetterStrategy> {
        match s {
            "at-most-once" => Some(DeadLetterStrategy::AtMostOnce),
            "at-least-once" => Some(DeadLetterStrategy::AtLeastOnce),
            _ => None,
        }
    }
}

/// The queue arguments warren understands, parsed, plus the raw list as declared.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct QueueArgs {
    pub message_ttl: Option<Time>,
    pub max_length: Option<u64>,
    pub max_length_bytes: Option<u64>,
    pub overflow: Overflow,
    pub dead_letter_exchange: Option<Sym>,
    pub dead_letter_routing_key: Option<Sym>,
    pub expires: Option<Time>,
    pub single_active_consumer: bool,
    pub queue_type: QueueType,
    /// `x-max-priority` (classic queues): the highest message priority that counts.
    pub max_priority: Option<u8>,
    /// `x-delivery-limit` (quorum queues): returns allowed before a message is dropped or
    /// dead-lettered with reason `delivery_limit`.
    pub delivery_limit: Option<i64>,
    /// `x-dead-letter-strategy` as declared (quorum queues).
    pub dead_letter_strategy: DeadLetterStrategy,
    /// Every argument as declared, in order: the names are RabbitMQ's (`x-message-ttl`, ...).
    pub raw: Vec<(Sym, ArgValue)>,
}

impl QueueArgs {
    pub fn get(&self, name: Sym) -> Option<&ArgValue> {
        self.raw.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    pub fn is_quorum(&self) -> bool {
        self.queue_type == QueueType::Quorum
    }

    /// `x-max-length` or `x-max-length-bytes` is set: the only way the queue can be over its
    /// limits ([`Queue::is_over_limit`]).
    #[inline]
    pub fn has_length_limit(&self) -> bool {
        self.max_length.is_some() || self.max_length_bytes.is_some()
    }

    /// A quorum queue with single active consumer answers `basic.get` with 405, empty or not
    /// (`rabbit_fifo`'s `{error, unsupported}`).
    pub fn refuses_basic_get(&self) -> bool {
        self.is_quorum() && self.single_active_consumer
    }

    /// What `x-max-length` really does: a quorum queue has no `reject-publish-dlx` and falls
    /// back to `drop-head` (`rabbit_quorum_queue:overflow/3`).
    pub fn effective_overflow(&self) -> Overflow {
        match (self.queue_type, self.overflow) {
            (QueueType::Quorum, Overflow::RejectPublishDlx) => Overflow::DropHead,
            (_, o) => o,
        }
    }

    /// Whether dead-lettering is at-least-once: a quorum queue with a dead-letter exchange,
    /// `x-dead-letter-strategy: at-least-once` and `x-overflow: reject-publish`; otherwise
    /// RabbitMQ falls back to at-most-once (`rabbit_quorum_queue:dlh/5`).
    pub fn at_least_once(&self) -> bool {
        self.is_quorum()
            && self.dead_letter_strategy == DeadLetterStrategy::AtLeastOnce
            && self.dead_letter_exchange.is_some()
            && self.overflow == Overflow::RejectPublish
    }
}

/// Flags of a queued message copy.
pub mod qflags {
    /// Delivered at least once before: the next delivery is `redelivered`.
    pub const DELIVERED: u8 = 1;
}

/// A message copy in a queue: a handle to the shared content plus this queue's bookkeeping.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct QMsg {
    /// Position in publication order within this queue; requeues merge back by it.
    pub seq: u64,
    pub msg: MsgId,
    /// When it expires (`Time::NEVER`: no TTL).
    pub expires: Time,
    /// The disk sync generation it was written in (`u32::MAX`: never written: transient,
    /// or the queue is not durable). It is on disk once a sync has happened since.
    pub gen: u32,
    /// Quorum queues: how many times it came back (`x-delivery-count`).
    pub count: u32,
    pub flags: u8,
    /// Its effective priority in a priority queue (0 elsewhere).
    pub prio: u8,
}

impl QMsg {
    /// The `gen` of a copy never written to disk.
    pub const NOT_ON_DISK: u32 = u32::MAX;

    pub fn delivered_before(&self) -> bool {
        self.flags & qflags::DELIVERED != 0
    }

    /// A fresh copy: not delivered, priority 0.
    pub fn new(seq: u64, msg: MsgId, expires: Time, gen: u32) -> QMsg {
        QMsg { seq, msg, expires, gen, count: 0, flags: 0, prio: 0 }
    }

    /// Its place among the ready messages: higher priority first, then by position.
    #[inline]
    pub fn order(&self) -> (u8, u64) {
        (u8::MAX - self.prio, self.seq)
    }
}

/// Quorum queues number their messages from here; returned messages (served first) take
/// numbers below it.
pub const QUORUM_ENQUEUE_BASE: u64 = 1 << 48;

/// A queue.
#[derive(Clone, Debug)]
pub struct Queue {
    pub id: QueueId,
    pub name: Sym,
    pub durable: bool,
    /// The connection that owns an exclusive queue.
    pub exclusive: Option<ConnId>,
    pub auto_delete: bool,
    pub args: QueueArgs,
    pub server_named: bool,
    pub ready: VecDeque<QMsg>,
    pub ready_bytes: u64,
    pub unacked: u32,
    pub consumers: ConsumerRing,
    pub next_seq: u64,
    pub had_consumer: bool,
    /// `x-expires`: when the queue is deleted if still unused (`NEVER`: in use).
    pub expires_at: Time,
    /// The TTL timer currently scheduled for the head, if any.
    pub ttl_timer: Time,
    /// Quorum queues: the position the next returned message takes (ahead of every enqueued one).
    pub next_return_seq: u64,
    /// Quorum queues with `reject-publish`: the channels that published here and whether the
    /// queue has told them to stop (`rabbit_fifo` enqueuers, blocked until the queue is back
    /// at 80% of its limit).
    pub enqueuers: Vec<(crate::ids::ChannelId, bool)>,
    /// Quorum queues with at-least-once dead-lettering: copies waiting for a queue to take them.
    pub dlx_pending: Vec<(QMsg, super::message::DeadLetterReason)>,
    pub dlx_pending_bytes: u64,
    /// Whether a retry of the pending dead letters is scheduled.
    pub dlx_retry_armed: bool,
}

impl Queue {
    pub fn new(id: QueueId, name: Sym, durable: bool, exclusive: Option<ConnId>, auto_delete: bool, args: QueueArgs) -> Queue {
        Queue {
            id,
            name,
            durable,
            exclusive,
            auto_delete,
            args,
            server_named: false,
            ready: VecDeque::new(),
            ready_bytes: 0,
            unacked: 0,
            consumers: ConsumerRing::default(),
            next_seq: 0,
            had_consumer: false,
            expires_at: Time::NEVER,
            ttl_timer: Time::NEVER,
            next_return_seq: 0,
            enqueuers: Vec::new(),
            dlx_pending: Vec::new(),
            dlx_pending_bytes: 0,
            dlx_retry_armed: false,
        }
        .typed()
    }

    /// Quorum queues number enqueued messages above the returns.
    fn typed(mut self) -> Queue {
        if self.args.is_quorum() {
            self.next_seq = QUORUM_ENQUEUE_BASE;
        }
        self
    }

    pub fn is_quorum(&self) -> bool {
        self.args.is_quorum()
    }

    /// The effective priority of a message published with `priority` (none counts as 0, above
    /// the maximum as the maximum: `rabbit_priority_queue:priority/2`).
    pub fn effective_priority(&self, priority: Option<u8>) -> u8 {
        match self.args.max_priority {
            Some(max) => priority.unwrap_or(0).min(max),
            None => 0,
        }
    }

    /// Adds a newly arrived message: at the tail, or within its priority level.
    pub fn enqueue(&mut self, qm: QMsg) {
        if self.args.max_priority.is_some() {
            let key = qm.order();
            let pos = self.ready.partition_point(|m| m.order() < key);
            self.ready.insert(pos, qm);
        } else {
            self.ready.push_back(qm);
        }
    }

    /// Number of ready messages (what `queue.declare-ok`'s message count reports).
    pub fn ready_len(&self) -> u32 {
        self.ready.len() as u32
    }

    /// Puts a message copy back at its place (publication order within its priority). Returns
    /// its position.
    pub fn requeue(&mut self, qm: QMsg) -> u32 {
        // Requeued copies are older than most ready ones: search from the head.
        let key = qm.order();
        let pos = self.ready.partition_point(|m| m.order() < key);
        self.ready.insert(pos, qm);
        pos as u32
    }

    /// Whether a publish of a body of `bytes` would go over the length limits
    /// (`x-max-length` / `x-max-length-bytes` count ready messages only).
    pub fn is_full_for(&self, bytes: u64) -> bool {
        if let Some(max) = self.args.max_length {
            if self.ready.len() as u64 >= max {
                return true;
            }
        }
        if let Some(max) = self.args.max_length_bytes {
            if self.ready_bytes + bytes > max {
                return true;
            }
        }
        false
    }

    /// Whether the queue is over its limits now (for `drop-head`).
    pub fn is_over_limit(&self) -> bool {
        let pending = self.dlx_pending.len() as u64;
        self.args.max_length.is_some_and(|m| self.ready.len() as u64 + pending > m)
            || self.args.max_length_bytes.is_some_and(|m| self.ready_bytes + self.dlx_pending_bytes > m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qm(seq: u64) -> QMsg {
        QMsg::new(seq, MsgId(seq as u32), Time::NEVER, u32::MAX)
    }

    #[test]
    fn requeue_merges_back_in_publication_order() {
        let mut q = Queue::new(QueueId(0), Sym(1), false, None, false, QueueArgs::default());
        for s in [3, 5, 6] {
            q.ready.push_back(qm(s));
        }
        assert_eq!(q.requeue(qm(1)), 0);
        assert_eq!(q.requeue(qm(4)), 2);
        assert_eq!(q.requeue(qm(9)), 5);
        let seqs: Vec<u64> = q.ready.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, vec![1, 3, 4, 5, 6, 9]);
    }
}
