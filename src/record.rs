//! The trace vocabulary: everything that can happen in a run, with its cause, as small
//! `Copy` values. Records refer to things by id; [`crate::explain`] turns them into words
//! (English or Chinese) only when a line is shown.
//!
//! **Fates.** Every copy of a message routed to a queue ends with exactly one *fate* record
//! ([`Record::is_fate`]): acked, auto-acked at delivery, discarded (expired, over the length
//! limit, rejected without a dead-letter exchange), dead-lettered, or lost. A copy without
//! a fate at the end of a run is still in its queue, ready or unacked. [`Record::Restored`]
//! reopens a copy whose fate was undone by a broker crash (its ack had not reached disk).
//!
//! It sits below the broker, the clients and the world, which all emit records: it must
//! import nothing from them (only ids, the body and the trace hasher).

use crate::body::Body;
use crate::ids::{Actor, BindingId, ClientId, ConsumerId, ExchangeId, MsgId, QueueId, Sym};
use crate::sim::trace::{HashRecord, TraceHasher};

/// How a message reached a queue.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// The default exchange: the routing key is the queue's name.
    DefaultExchange,
    /// This binding matched (the first one that did, if several lead to the same queue).
    Binding(BindingId),
    /// Direct reply-to: straight to the requesting channel's reply consumer.
    DirectReplyTo,
}

/// Why a message went to this consumer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeliverWhy {
    /// Next in the queue's round-robin. `skipped` consumers before it were at their prefetch
    /// limit (the first of them is `first_skipped`); `from_ready`: taken from the backlog
    /// rather than handed over on arrival.
    RoundRobin { skipped: u16, first_skipped: ConsumerId, from_ready: bool, alone: bool },
    /// The queue has `x-single-active-consumer`, and this is the active one.
    SingleActive { from_ready: bool },
    /// A higher-priority consumer (`x-priority`) that can take it.
    Priority { priority: i32, skipped: u16, first_skipped: ConsumerId, from_ready: bool },
    /// Answer to `basic.get`.
    Get,
    /// A direct reply-to reply, straight to the requesting channel.
    DirectReply,
}

/// Why a message stayed ready in its queue instead of being delivered.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReadyWhy {
    NoConsumer,
    /// Every consumer is at its prefetch limit (the first one tried is named).
    AllAtLimit {
        first: ConsumerId,
        count: u16,
    },
    /// Older messages are still waiting ahead of it.
    Backlog,
}

/// Why unacked messages went back to their queue.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RequeueWhy {
    Nack,
    Reject,
    /// The client closed its channel.
    ChannelClosed,
    /// The channel was closed by an error (the code is in the channel-error record).
    ChannelError(u16),
    /// The client's connection died (crash, partition, server bug).
    ConnectionLost,
    /// `basic.recover(requeue=true)`.
    Recover,
    /// The broker was stopped gracefully and its connections closed.
    BrokerStopping,
}

/// Why a copy was dropped from its queue without a dead-letter exchange.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DiscardWhy {
    /// Its TTL ran out at the head of the queue.
    Expired,
    /// `x-max-length` with `drop-head`: the oldest ready message makes room.
    MaxLenHead,
    /// `x-max-length` with `reject-publish`: the queue refused it on arrival.
    Overflow,
    /// Rejected or nacked with `requeue=false` and no dead-letter exchange.
    Rejected,
    /// Dead-lettering found no exchange of that name.
    NoDeadLetterExchange,
    /// Dead-lettering would cycle back to this queue with no rejection in the cycle.
    DeadLetterCycle,
    /// Dead-lettering found no queue to route to.
    DeadLetterUnroutable,
    /// `queue.purge` emptied the queue.
    Purged,
}

/// Why a copy was lost.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LostWhy {
    /// Broker crash: the message was transient (`delivery_mode` 1).
    Transient,
    /// Broker crash: persistent, but not yet written to disk (the sync window).
    NotSynced,
    /// Broker crash or stop: the queue was not durable.
    QueueNotDurable,
    /// The queue was deleted with the message in it.
    QueueDeleted,
}

/// Why a queue disappeared.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum QueueGone {
    /// `auto_delete`: its last consumer went away.
    AutoDelete,
    /// `exclusive`: the connection that declared it closed.
    ExclusiveOwnerGone,
    /// `x-expires`: unused for that long.
    Expired,
    /// Not durable, and the broker went down.
    BrokerDown,
    /// `queue.delete`.
    Deleted,
}

/// Why a connection ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Disconnect {
    /// A `crash` fault killed the client process.
    Crashed,
    /// The client's code failed while handling a message (the article's bug).
    ServerFailed,
    BrokerCrashed,
    BrokerStopped,
    /// A `partition` fault cut the link.
    Partitioned,
    /// The broker closed the connection with an error.
    ConnectionError(u16),
    /// The client finished and closed it.
    Closed,
}

/// Why a client did not publish a scheduled message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NotSent {
    ClientDown,
    NoConnection,
    ChannelClosed,
}

/// Why a client lost a message it held.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientLoss {
    /// Auto-acked and still unprocessed when the client crashed: gone for good.
    CrashedUnprocessed,
    /// The connection died with the delivery still in the client's buffer.
    ConnectionLost,
}

/// Why an RPC server failed on a request.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ServerFailure {
    /// The request had no `reply_to`: publishing the reply raised (the article's bug).
    NoReplyTo,
    /// The body was not a number the function accepts.
    BadInput,
    /// A consumer rule said to crash on this message.
    Rule,
}

/// A fault, as the scenario or the TUI injected it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FaultRecord {
    Crash(ClientId),
    Restart(ClientId),
    BrokerCrash,
    BrokerStop,
    BrokerRestart,
    DelayStart { client: ClientId, by_us: u64 },
    DelayEnd(ClientId),
    PartitionStart(ClientId),
    PartitionEnd(ClientId),
}

/// The `call` of a [`Record::Reply`] that matched no pending call (`accepted: false`).
pub const NO_CALL: u32 = u32::MAX;

/// Why a message was dead-lettered, with RabbitMQ's words (the `x-death` reason).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum DeadLetterReason {
    Rejected,
    Expired,
    Maxlen,
}

impl DeadLetterReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadLetterReason::Rejected => "rejected",
            DeadLetterReason::Expired => "expired",
            DeadLetterReason::Maxlen => "maxlen",
        }
    }
    pub fn code(self) -> u64 {
        self as u64
    }
}

/// One thing that happened.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Record {
    // --- topology
    ExchangeDeclared {
        ex: ExchangeId,
        by: Actor,
    },
    ExchangeDeleted {
        ex: ExchangeId,
    },
    QueueDeclared {
        q: QueueId,
        by: Actor,
    },
    Bound {
        binding: BindingId,
        by: Actor,
    },
    QueueDeleted {
        q: QueueId,
        why: QueueGone,
        messages: u32,
    },
    // --- connections and consumers
    Connected {
        client: ClientId,
    },
    Disconnected {
        client: ClientId,
        why: Disconnect,
    },
    Reconnecting {
        client: ClientId,
    },
    Subscribed {
        client: ClientId,
        consumer: ConsumerId,
        q: QueueId,
        prefetch: u32,
        no_ack: bool,
    },
    Cancelled {
        client: ClientId,
        consumer: ConsumerId,
    },
    /// The broker closed a channel (or, with `connection`, the whole connection) with an error.
    ChannelError {
        client: ClientId,
        code: u16,
        text: Sym,
        connection: bool,
    },
    // --- publishing
    Published {
        msg: MsgId,
        client: ClientId,
        confirm_seq: u32,
    },
    NotPublished {
        client: ClientId,
        body: Body,
        why: NotSent,
    },
    Routed {
        msg: MsgId,
        q: QueueId,
        via: Via,
    },
    /// No queue: dropped, or returned (312 NO_ROUTE) when mandatory.
    Unroutable {
        msg: MsgId,
        ex: ExchangeId,
        returned: bool,
    },
    /// The alternate exchange took a message its exchange could not route.
    Alternate {
        msg: MsgId,
        from: ExchangeId,
        to: ExchangeId,
    },
    Confirm {
        client: ClientId,
        seq: u32,
        multiple: bool,
        ack: bool,
    },
    Ready {
        msg: MsgId,
        q: QueueId,
        why: ReadyWhy,
    },
    // --- consuming
    Delivered {
        msg: MsgId,
        q: QueueId,
        consumer: ConsumerId,
        client: ClientId,
        tag: u64,
        redelivered: bool,
        no_ack: bool,
        why: DeliverWhy,
    },
    WorkStarted {
        client: ClientId,
        msg: MsgId,
        until_us: u64,
    },
    Processed {
        client: ClientId,
        msg: MsgId,
    },
    Acked {
        msg: MsgId,
        q: QueueId,
        client: ClientId,
        tag: u64,
        multiple: bool,
    },
    Rejected {
        msg: MsgId,
        q: QueueId,
        client: ClientId,
        tag: u64,
        requeue: bool,
        nack: bool,
    },
    Requeued {
        msg: MsgId,
        q: QueueId,
        client: ClientId,
        why: RequeueWhy,
        pos: u32,
    },
    Discarded {
        msg: MsgId,
        q: QueueId,
        why: DiscardWhy,
    },
    DeadLettered {
        msg: MsgId,
        q: QueueId,
        reason: DeadLetterReason,
        copy: MsgId,
        dlx: Sym,
    },
    Lost {
        msg: MsgId,
        q: QueueId,
        why: LostWhy,
    },
    Restored {
        msg: MsgId,
        q: QueueId,
    },
    ClientLost {
        client: ClientId,
        msg: MsgId,
        why: ClientLoss,
    },
    AckLost {
        client: ClientId,
        msg: MsgId,
    },
    Synced {
        messages: u32,
    },
    // --- RPC
    Reply {
        client: ClientId,
        msg: MsgId,
        call: u32,
        accepted: bool,
    },
    ServerFailed {
        client: ClientId,
        msg: MsgId,
        why: ServerFailure,
    },
    // --- the run
    Fault(FaultRecord),
    BrokerDown {
        graceful: bool,
    },
    BrokerUp {
        queues: u32,
        messages: u32,
    },
    Note {
        idx: u32,
    },
}

impl Record {
    /// Whether this record ends the life of a message copy in a queue.
    pub fn is_fate(&self) -> bool {
        matches!(
            self,
            Record::Acked { .. }
                | Record::Delivered { no_ack: true, .. }
                | Record::Discarded { .. }
                | Record::DeadLettered { .. }
                | Record::Lost { .. }
        )
    }

    /// The (message, queue) copy a record is about, if any.
    pub fn copy(&self) -> Option<(MsgId, QueueId)> {
        match *self {
            Record::Routed { msg, q, .. }
            | Record::Ready { msg, q, .. }
            | Record::Delivered { msg, q, .. }
            | Record::Acked { msg, q, .. }
            | Record::Rejected { msg, q, .. }
            | Record::Requeued { msg, q, .. }
            | Record::Discarded { msg, q, .. }
            | Record::DeadLettered { msg, q, .. }
            | Record::Lost { msg, q, .. }
            | Record::Restored { msg, q } => Some((msg, q)),
            _ => None,
        }
    }

    /// The message a record is about, if any.
    pub fn msg(&self) -> Option<MsgId> {
        match *self {
            Record::Published { msg, .. }
            | Record::Unroutable { msg, .. }
            | Record::Alternate { msg, .. }
            | Record::WorkStarted { msg, .. }
            | Record::Processed { msg, .. }
            | Record::ClientLost { msg, .. }
            | Record::AckLost { msg, .. }
            | Record::Reply { msg, .. }
            | Record::ServerFailed { msg, .. } => Some(msg),
            _ => self.copy().map(|(m, _)| m),
        }
    }

    /// A stable name for the record's kind (the `kind` field of `--json`).
    /// A stable number for the record's kind (what the trace hash folds in).
    #[inline]
    pub fn kind_code(&self) -> u64 {
        match self {
            Record::ExchangeDeclared { .. } => 1,
            Record::ExchangeDeleted { .. } => 2,
            Record::QueueDeclared { .. } => 3,
            Record::Bound { .. } => 4,
            Record::QueueDeleted { .. } => 5,
            Record::Connected { .. } => 6,
            Record::Disconnected { .. } => 7,
            Record::Reconnecting { .. } => 8,
            Record::Subscribed { .. } => 9,
            Record::Cancelled { .. } => 10,
            Record::ChannelError { .. } => 11,
            Record::Published { .. } => 12,
            Record::NotPublished { .. } => 13,
            Record::Routed { .. } => 14,
            Record::Unroutable { .. } => 15,
            Record::Alternate { .. } => 16,
            Record::Confirm { .. } => 17,
            Record::Ready { .. } => 18,
            Record::Delivered { .. } => 19,
            Record::WorkStarted { .. } => 20,
            Record::Processed { .. } => 21,
            Record::Acked { .. } => 22,
            Record::Rejected { .. } => 23,
            Record::Requeued { .. } => 24,
            Record::Discarded { .. } => 25,
            Record::DeadLettered { .. } => 26,
            Record::Lost { .. } => 27,
            Record::Restored { .. } => 28,
            Record::ClientLost { .. } => 29,
            Record::AckLost { .. } => 30,
            Record::Synced { .. } => 31,
            Record::Reply { .. } => 32,
            Record::ServerFailed { .. } => 33,
            Record::Fault(_) => 34,
            Record::BrokerDown { .. } => 35,
            Record::BrokerUp { .. } => 36,
            Record::Note { .. } => 37,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Record::ExchangeDeclared { .. } => "exchange_declared",
            Record::ExchangeDeleted { .. } => "exchange_deleted",
            Record::QueueDeclared { .. } => "queue_declared",
            Record::Bound { .. } => "bound",
            Record::QueueDeleted { .. } => "queue_deleted",
            Record::Connected { .. } => "connected",
            Record::Disconnected { .. } => "disconnected",
            Record::Reconnecting { .. } => "reconnecting",
            Record::Subscribed { .. } => "subscribed",
            Record::Cancelled { .. } => "cancelled",
            Record::ChannelError { .. } => "channel_error",
            Record::Published { .. } => "published",
            Record::NotPublished { .. } => "not_published",
            Record::Routed { .. } => "routed",
            Record::Unroutable { .. } => "unroutable",
            Record::Alternate { .. } => "alternate",
            Record::Confirm { .. } => "confirm",
            Record::Ready { .. } => "ready",
            Record::Delivered { .. } => "delivered",
            Record::WorkStarted { .. } => "work_started",
            Record::Processed { .. } => "processed",
            Record::Acked { .. } => "acked",
            Record::Rejected { .. } => "rejected",
            Record::Requeued { .. } => "requeued",
            Record::Discarded { .. } => "discarded",
            Record::DeadLettered { .. } => "dead_lettered",
            Record::Lost { .. } => "lost",
            Record::Restored { .. } => "restored",
            Record::ClientLost { .. } => "client_lost",
            Record::AckLost { .. } => "ack_lost",
            Record::Synced { .. } => "synced",
            Record::Reply { .. } => "reply",
            Record::ServerFailed { .. } => "server_failed",
            Record::Fault(_) => "fault",
            Record::BrokerDown { .. } => "broker_down",
            Record::BrokerUp { .. } => "broker_up",
            Record::Note { .. } => "note",
        }
    }
}

fn actor_word(a: Actor) -> u64 {
    match a {
        Actor::Broker => 1 << 40,
        Actor::Setup => 2 << 40,
        Actor::Client(c) => c.0 as u64,
    }
}

impl HashRecord for Record {
    /// Feeds the record's kind and every field to the hasher. Stable: changing this changes
    /// every trace hash, so do it only with a note in the changelog.
    fn hash_into(&self, h: &mut TraceHasher) {
        h.word(self.kind_code());
        let mut w = |x: u64| h.word(x);
        match *self {
            Record::ExchangeDeclared { ex, by } => {
                w(ex.0 as u64);
                w(actor_word(by))
            }
            Record::ExchangeDeleted { ex } => w(ex.0 as u64),
            Record::QueueDeclared { q, by } => {
                w(q.0 as u64);
                w(actor_word(by))
            }
            Record::Bound { binding, by } => {
                w(binding.0 as u64);
                w(actor_word(by))
            }
            Record::QueueDeleted { q, why, messages } => {
                w(q.0 as u64);
                w(why as u64);
                w(messages as u64)
            }
            Record::Connected { client } | Record::Reconnecting { client } => w(client.0 as u64),
            Record::Disconnected { client, why } => {
                w(client.0 as u64);
                w(why.code())
            }
            Record::Subscribed { client, consumer, q, prefetch, no_ack } => {
                w(client.0 as u64);
                w(consumer.0 as u64);
                w(q.0 as u64);
                w(prefetch as u64);
                w(no_ack as u64)
            }
            Record::Cancelled { client, consumer } => {
                w(client.0 as u64);
                w(consumer.0 as u64)
            }
            Record::ChannelError { client, code, text, connection } => {
                w(client.0 as u64);
                w(code as u64);
                w(text.0 as u64);
                w(connection as u64)
            }
            Record::Published { msg, client, confirm_seq } => {
                w(pair(msg.0, client.0));
                w(confirm_seq as u64)
            }
            Record::NotPublished { client, body, why } => {
                w(client.0 as u64);
                w(body.tpl.0 as u64);
                w(body.n as u64);
                w(why as u64)
            }
            Record::Routed { msg, q, via } => {
                w(pair(msg.0, q.0));
                w(match via {
                    Via::DefaultExchange => u64::MAX,
                    Via::DirectReplyTo => u64::MAX - 1,
                    Via::Binding(b) => b.0 as u64,
                })
            }
            Record::Unroutable { msg, ex, returned } => {
                w(msg.0 as u64);
                w(ex.0 as u64);
                w(returned as u64)
            }
            Record::Alternate { msg, from, to } => {
                w(msg.0 as u64);
                w(from.0 as u64);
                w(to.0 as u64)
            }
            Record::Confirm { client, seq, multiple, ack } => {
                w(client.0 as u64);
                w(seq as u64);
                w(multiple as u64);
                w(ack as u64)
            }
            Record::Ready { msg, q, why } => {
                w(msg.0 as u64);
                w(q.0 as u64);
                match why {
                    ReadyWhy::NoConsumer => w(1),
                    ReadyWhy::Backlog => w(2),
                    ReadyWhy::AllAtLimit { first, count } => {
                        w(3);
                        w(first.0 as u64);
                        w(count as u64)
                    }
                }
            }
            Record::Delivered { msg, q, consumer, client, tag, redelivered, no_ack, why } => {
                w(pair(msg.0, q.0));
                w(pair(consumer.0, client.0));
                w(tag);
                match why {
                    DeliverWhy::RoundRobin { skipped, first_skipped, from_ready, alone } => {
                        let flags = redelivered as u64 | (no_ack as u64) << 1 | (from_ready as u64) << 2 | (alone as u64) << 3;
                        w(1 | flags << 8 | (skipped as u64) << 16);
                        w(first_skipped.0 as u64)
                    }
                    DeliverWhy::SingleActive { from_ready } => {
                        w(2 | (redelivered as u64 | (no_ack as u64) << 1) << 8);
                        w(from_ready as u64)
                    }
                    DeliverWhy::Priority { priority, skipped, first_skipped, from_ready } => {
                        w(3 | (redelivered as u64 | (no_ack as u64) << 1) << 8);
                        w(priority as i64 as u64);
                        w(skipped as u64);
                        w(first_skipped.0 as u64);
                        w(from_ready as u64)
                    }
                    DeliverWhy::Get => w(4 | (redelivered as u64 | (no_ack as u64) << 1) << 8),
                    DeliverWhy::DirectReply => w(5 | (redelivered as u64 | (no_ack as u64) << 1) << 8),
                }
            }
            Record::WorkStarted { client, msg, until_us } => {
                w(pair(client.0, msg.0));
                w(until_us)
            }
            Record::Processed { client, msg } | Record::AckLost { client, msg } => w(pair(client.0, msg.0)),
            Record::Acked { msg, q, client, tag, multiple } => {
                w(pair(msg.0, q.0));
                w(pair(client.0, multiple as u32));
                w(tag)
            }
            Record::Rejected { msg, q, client, tag, requeue, nack } => {
                w(msg.0 as u64);
                w(q.0 as u64);
                w(client.0 as u64);
                w(tag);
                w(requeue as u64 | (nack as u64) << 1)
            }
            Record::Requeued { msg, q, client, why, pos } => {
                w(msg.0 as u64);
                w(q.0 as u64);
                w(client.0 as u64);
                w(why.code());
                w(pos as u64)
            }
            Record::Discarded { msg, q, why } => {
                w(msg.0 as u64);
                w(q.0 as u64);
                w(why as u64)
            }
            Record::DeadLettered { msg, q, reason, copy, dlx } => {
                w(msg.0 as u64);
                w(q.0 as u64);
                w(reason.code());
                w(copy.0 as u64);
                w(dlx.0 as u64)
            }
            Record::Lost { msg, q, why } => {
                w(msg.0 as u64);
                w(q.0 as u64);
                w(why as u64)
            }
            Record::Restored { msg, q } => {
                w(msg.0 as u64);
                w(q.0 as u64)
            }
            Record::ClientLost { client, msg, why } => {
                w(client.0 as u64);
                w(msg.0 as u64);
                w(why as u64)
            }
            Record::Synced { messages } => w(messages as u64),
            Record::Reply { client, msg, call, accepted } => {
                w(client.0 as u64);
                w(msg.0 as u64);
                w(call as u64);
                w(accepted as u64)
            }
            Record::ServerFailed { client, msg, why } => {
                w(client.0 as u64);
                w(msg.0 as u64);
                w(why as u64)
            }
            Record::Fault(f) => match f {
                FaultRecord::Crash(c) => {
                    w(1);
                    w(c.0 as u64)
                }
                FaultRecord::Restart(c) => {
                    w(2);
                    w(c.0 as u64)
                }
                FaultRecord::BrokerCrash => w(3),
                FaultRecord::BrokerStop => w(4),
                FaultRecord::BrokerRestart => w(5),
                FaultRecord::DelayStart { client, by_us } => {
                    w(6);
                    w(client.0 as u64);
                    w(by_us)
                }
                FaultRecord::DelayEnd(c) => {
                    w(7);
                    w(c.0 as u64)
                }
                FaultRecord::PartitionStart(c) => {
                    w(8);
                    w(c.0 as u64)
                }
                FaultRecord::PartitionEnd(c) => {
                    w(9);
                    w(c.0 as u64)
                }
            },
            Record::BrokerDown { graceful } => w(graceful as u64),
            Record::BrokerUp { queues, messages } => {
                w(queues as u64);
                w(messages as u64)
            }
            Record::Note { idx } => w(idx as u64),
        }
    }
}

/// Two 32-bit fields in one hashed word.
#[inline]
fn pair(a: u32, b: u32) -> u64 {
    a as u64 | (b as u64) << 32
}

impl RequeueWhy {
    /// A stable number for hashing.
    pub fn code(self) -> u64 {
        match self {
            RequeueWhy::Nack => 1,
            RequeueWhy::Reject => 2,
            RequeueWhy::ChannelClosed => 3,
            RequeueWhy::ChannelError(c) => 1000 + c as u64,
            RequeueWhy::ConnectionLost => 4,
            RequeueWhy::Recover => 5,
            RequeueWhy::BrokerStopping => 6,
        }
    }
}

impl Disconnect {
    /// A stable number for hashing.
    pub fn code(self) -> u64 {
        match self {
            Disconnect::Crashed => 1,
            Disconnect::ServerFailed => 2,
            Disconnect::BrokerCrashed => 3,
            Disconnect::BrokerStopped => 4,
            Disconnect::Partitioned => 5,
            Disconnect::ConnectionError(c) => 1000 + c as u64,
            Disconnect::Closed => 6,
        }
    }
}
