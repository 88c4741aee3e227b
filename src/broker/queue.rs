//! A classic queue: its properties and arguments, its ready messages (head first, always in
//! publication order, so a requeued message goes back to its original position), and the
//! consumers waiting on it.
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
    /// Every argument as declared, in order: the names are RabbitMQ's (`x-message-ttl`, ...).
    pub raw: Vec<(Sym, ArgValue)>,
}

impl QueueArgs {
    pub fn get(&self, name: Sym) -> Option<&ArgValue> {
        self.raw.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
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
    /// The disk sync generation it was written in ([`QMsg::NOT_ON_DISK`]: never written: transient,
    /// or the queue is not durable). It is on disk once a sync has happened since.
    pub gen: u32,
    pub flags: u8,
}

impl QMsg {
    /// The `gen` of a copy never written to disk.
    pub const NOT_ON_DISK: u32 = u32::MAX;

    pub fn delivered_before(&self) -> bool {
        self.flags & qflags::DELIVERED != 0
    }
}

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
        }
    }

    /// Number of ready messages (what `queue.declare-ok`'s message count reports).
    pub fn ready_len(&self) -> u32 {
        self.ready.len() as u32
    }

    /// Puts a message copy back at its place in publication order. Returns its position.
    pub fn requeue(&mut self, qm: QMsg) -> u32 {
        // Requeued copies are older than most ready ones: search from the head.
        let pos = self.ready.partition_point(|m| m.seq < qm.seq);
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
        self.args.max_length.is_some_and(|m| self.ready.len() as u64 > m)
            || self.args.max_length_bytes.is_some_and(|m| self.ready_bytes > m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qm(seq: u64) -> QMsg {
        QMsg { seq, msg: MsgId(seq as u32), expires: Time::NEVER, gen: QMsg::NOT_ON_DISK, flags: 0 }
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
