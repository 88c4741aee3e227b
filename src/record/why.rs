//! The causes a trace record carries: why a message went where it went, why a queue or a
//! connection ended, what a fault was. Small `Copy` enums, each with the stable number the
//! trace hash folds in. Owns no behaviour and imports nothing but ids.

use crate::ids::{BindingId, ClientId, ConsumerId};

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
    /// Quorum queues: returned more often than `x-delivery-limit` allows, no dead-letter exchange.
    DeliveryLimit,
    /// Quorum queues with `reject-publish`: the queue went over its limit and told this
    /// publisher to stop until it is back at 80% of it.
    PublishersBlocked,
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

/// A method a consumer sends at a time of its own (its `cancel:`, `qos:`, `recover:`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientMethod {
    /// `basic.cancel` (a `get:` poller: it stops polling).
    Cancel,
    /// `basic.qos` again.
    Qos { prefetch: u32, global: bool },
    /// `basic.recover(requeue=true)`.
    Recover,
}

impl ClientMethod {
    /// A stable number for hashing.
    pub fn code(self) -> u64 {
        match self {
            ClientMethod::Cancel => 1,
            ClientMethod::Recover => 2,
            ClientMethod::Qos { prefetch, global } => 1000 + ((prefetch as u64) << 1) + global as u64,
        }
    }
    /// The AMQP method's name.
    pub fn name(self) -> &'static str {
        match self {
            ClientMethod::Cancel => "basic.cancel",
            ClientMethod::Qos { .. } => "basic.qos",
            ClientMethod::Recover => "basic.recover",
        }
    }
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

/// Why a message was dead-lettered, with RabbitMQ's words (the `x-death` reason).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum DeadLetterReason {
    Rejected,
    Expired,
    Maxlen,
    /// Quorum queues: returned more often than `x-delivery-limit` allows.
    DeliveryLimit,
}

impl DeadLetterReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadLetterReason::Rejected => "rejected",
            DeadLetterReason::Expired => "expired",
            DeadLetterReason::Maxlen => "maxlen",
            DeadLetterReason::DeliveryLimit => "delivery_limit",
        }
    }
    pub fn code(self) -> u64 {
        self as u64
    }
}

impl Via {
    /// A stable number for hashing.
    pub fn code(self) -> u64 {
        match self {
            Via::DefaultExchange => u64::MAX,
            Via::DirectReplyTo => u64::MAX - 1,
            Via::Binding(b) => b.0 as u64,
        }
    }
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
