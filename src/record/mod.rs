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
//! **Layout.** This module owns the [`Record`] enum and its kind table (the `records!` rows
//! below: code, name, fields); [`why`] the causes records carry; [`fields`] the one
//! description of each record's fields, from which the trace hash (here) and `--json`
//! ([`crate::explain::json`]) are both derived. It sits below the broker, the clients and the
//! world, which all emit records: it must import nothing from them (only ids, the body and
//! the trace hasher).
//!
//! **Adding a record kind**: a row in `records!` (a new code, never reuse one), an arm in
//! [`Record::fields`], and an arm in [`crate::explain::describe`] calling a sentence function
//! in its family's file under `explain/sentences/`. The compiler points at both arms.

pub mod fields;
pub mod why;

pub use fields::{Field, FieldSink};
pub use why::*;

use crate::body::Body;
use crate::ids::{Actor, BindingId, ClientId, ConsumerId, ExchangeId, MsgId, QueueId, Sym};
use crate::sim::trace::{HashRecord, TraceHasher};

/// The `call` of a [`Record::Reply`] that matched no pending call (`accepted: false`).
pub const NO_CALL: u32 = u32::MAX;

/// The kind table: each row gives a record kind its stable code (what the trace hash folds
/// in: never change or reuse one), its stable name (the `kind` of `--json`), and its fields.
/// It generates the [`Record`] enum, [`Record::kind_code`], [`Record::kind`] and [`KINDS`].
macro_rules! records {
    ($( $(#[$m:meta])* $code:literal $name:ident => $variant:ident $fields:tt, )*) => {
        /// One thing that happened.
        #[derive(Copy, Clone, Debug, PartialEq)]
        pub enum Record {
            $( $(#[$m])* $variant $fields, )*
        }

        impl Record {
            /// A stable number for the record's kind (what the trace hash folds in).
            #[inline]
            pub fn kind_code(&self) -> u64 {
                match self {
                    $( Record::$variant { .. } => $code, )*
                }
            }

            /// A stable name for the record's kind (the `kind` field of `--json`).
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Record::$variant { .. } => stringify!($name), )*
                }
            }
        }

        /// Every record kind: (code, name).
        pub const KINDS: &[(u64, &str)] = &[ $( ($code, stringify!($name)), )* ];
    };
}

records! {
    // --- topology
    1 exchange_declared => ExchangeDeclared { ex: ExchangeId, by: Actor },
    2 exchange_deleted => ExchangeDeleted { ex: ExchangeId },
    3 queue_declared => QueueDeclared { q: QueueId, by: Actor },
    4 bound => Bound { binding: BindingId, by: Actor },
    5 queue_deleted => QueueDeleted { q: QueueId, why: QueueGone, messages: u32 },

    // --- connections and consumers
    6 connected => Connected { client: ClientId },
    7 disconnected => Disconnected { client: ClientId, why: Disconnect },
    8 reconnecting => Reconnecting { client: ClientId },
    9 subscribed => Subscribed { client: ClientId, consumer: ConsumerId, q: QueueId, prefetch: u32, no_ack: bool },
    10 cancelled => Cancelled { client: ClientId, consumer: ConsumerId },
    /// The broker closed a channel (or, with `connection`, the whole connection) with an error.
    11 channel_error => ChannelError { client: ClientId, code: u16, text: Sym, connection: bool },

    // --- publishing
    12 published => Published { msg: MsgId, client: ClientId, confirm_seq: u32 },
    13 not_published => NotPublished { client: ClientId, body: Body, why: NotSent },
    14 routed => Routed { msg: MsgId, q: QueueId, via: Via },
    /// No queue: dropped, or returned (312 NO_ROUTE) when mandatory.
    15 unroutable => Unroutable { msg: MsgId, ex: ExchangeId, returned: bool },
    /// The alternate exchange took a message its exchange could not route.
    16 alternate => Alternate { msg: MsgId, from: ExchangeId, to: ExchangeId },
    17 confirm => Confirm { client: ClientId, seq: u32, multiple: bool, ack: bool },
    18 ready => Ready { msg: MsgId, q: QueueId, why: ReadyWhy },

    // --- consuming
    /// `consumer` is [`crate::ids::NO_CONSUMER`] for a `basic.get`, `q` is
    /// [`crate::ids::NO_QUEUE`] for a direct reply-to.
    19 delivered => Delivered {
        msg: MsgId,
        q: QueueId,
        consumer: ConsumerId,
        client: ClientId,
        tag: u64,
        redelivered: bool,
        no_ack: bool,
        why: DeliverWhy,
        /// Quorum queues: the `x-delivery-count` header of this delivery
        /// ([`NO_DELIVERY_COUNT`]: none; a count that high shows as one less).
        delivery_count: u16,
    },
    20 work_started => WorkStarted { client: ClientId, msg: MsgId, until_us: u64 },
    21 processed => Processed { client: ClientId, msg: MsgId },
    22 acked => Acked { msg: MsgId, q: QueueId, client: ClientId, tag: u64, multiple: bool },
    23 rejected => Rejected { msg: MsgId, q: QueueId, client: ClientId, tag: u64, requeue: bool, nack: bool },
    /// `delivery_count`: quorum queues, its delivery count now (0 for a classic queue).
    24 requeued => Requeued { msg: MsgId, q: QueueId, client: ClientId, why: RequeueWhy, pos: u32, delivery_count: u32 },
    25 discarded => Discarded { msg: MsgId, q: QueueId, why: DiscardWhy },
    26 dead_lettered => DeadLettered { msg: MsgId, q: QueueId, reason: DeadLetterReason, copy: MsgId, dlx: Sym },
    27 lost => Lost { msg: MsgId, q: QueueId, why: LostWhy },
    28 restored => Restored { msg: MsgId, q: QueueId },
    29 client_lost => ClientLost { client: ClientId, msg: MsgId, why: ClientLoss },
    30 ack_lost => AckLost { client: ClientId, msg: MsgId },
    31 synced => Synced { messages: u32 },

    // --- RPC
    /// `call` is [`NO_CALL`] when the reply matched no pending call.
    32 reply => Reply { client: ClientId, msg: MsgId, call: u32, accepted: bool },
    33 server_failed => ServerFailed { client: ClientId, msg: MsgId, why: ServerFailure },

    // --- the run
    34 fault => Fault(FaultRecord),
    35 broker_down => BrokerDown { graceful: bool },
    36 broker_up => BrokerUp { queues: u32, messages: u32 },
    37 note => Note { idx: u32 },
    /// The consumer timeout: `client`'s oldest unacknowledged delivery (`msg` from `q`, made at
    /// `since_us`) is older than `timeout_us`; its channel is closed next.
    38 consumer_timed_out => ConsumerTimedOut { client: ClientId, msg: MsgId, q: QueueId, since_us: u64, timeout_us: u64 },

    // --- the second round: single active consumer, client actions
    /// `x-single-active-consumer`: `client`'s consumer is now the one that receives — the
    /// first to subscribe (`takeover: false`) or, the active one gone, the highest priority
    /// left (`takeover: true`).
    60 active_consumer => ActiveConsumer { q: QueueId, client: ClientId, consumer: ConsumerId, priority: i32, takeover: bool },
    /// The broker applied a `basic.qos` that sets or lifts a channel-wide (global) limit.
    61 qos_applied => QosApplied { client: ClientId, prefetch: u32, global: bool },
    /// A consumer's timed method fell due (`sent: false`: it was down or its channel closed).
    62 client_method => ClientMethod { client: ClientId, method: ClientMethod, sent: bool },
    /// `ack_every`: a finished message waits to be settled with the rest of its batch
    /// (`waiting` of `every` so far).
    63 ack_deferred => AckDeferred { client: ClientId, msg: MsgId, waiting: u32, every: u32 },
    /// `basic.get` found nothing ready (`basic.get-empty`).
    64 get_empty => GetEmpty { client: ClientId, q: QueueId },
    /// A quorum queue checked a message out to a consumer whose channel is closing (the
    /// broker closed it with an error and `channel.close-ok` has not come): the queue still
    /// counts the consumer, but the channel never sends the message. The queue takes it back
    /// at `channel.close-ok` (with `no_ack`, it is gone). The fields are
    /// [`Record::Delivered`]'s but the delivery tag, which the client never sees.
    65 checked_out => CheckedOut {
        msg: MsgId,
        q: QueueId,
        consumer: ConsumerId,
        client: ClientId,
        redelivered: bool,
        no_ack: bool,
        why: DeliverWhy,
        delivery_count: u16,
    },
    /// A classic queue is about to hand out `msg` although its TTL ran out at `expired_us`:
    /// the queue had not looked at its head since the message got there (it went ahead of
    /// older messages in a priority queue, which sets no TTL timer for it). The delivery
    /// (or `basic.get-ok`) follows.
    66 expired_at_head => ExpiredAtHead { msg: MsgId, q: QueueId, expired_us: u64 },
    /// `client`'s connection (`channel`: its channel, closed by the broker) went while it was
    /// busy in a callback with `pending` deliveries already read by pika: it hands those to
    /// its callback before it reads the socket again and notices the loss (sooner if the
    /// callback calls pika: an ack, a publish).
    67 unread_loss => UnreadLoss { client: ClientId, pending: u32, channel: bool },
}

/// A delivery without an `x-delivery-count` header (`Record::Delivered`).
pub const NO_DELIVERY_COUNT: u16 = u16::MAX;

impl Record {
    /// Whether this record ends the life of a message copy in a queue.
    pub fn is_fate(&self) -> bool {
        matches!(
            self,
            Record::Acked { .. }
                | Record::Delivered { no_ack: true, .. }
                | Record::CheckedOut { no_ack: true, .. }
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
            | Record::CheckedOut { msg, q, .. }
            | Record::Acked { msg, q, .. }
            | Record::Rejected { msg, q, .. }
            | Record::Requeued { msg, q, .. }
            | Record::Discarded { msg, q, .. }
            | Record::DeadLettered { msg, q, .. }
            | Record::Lost { msg, q, .. }
            | Record::Restored { msg, q }
            | Record::ExpiredAtHead { msg, q, .. } => Some((msg, q)),
            Record::ConsumerTimedOut { msg, q, .. } => Some((msg, q)),
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
}

/// The trace hash's view of [`Record::fields`]: every hashed field as its word, in order.
/// It holds the hasher by value, so that the state stays in a register while one record's
/// fields are folded in.
struct HashSink(TraceHasher);

impl FieldSink for HashSink {
    #[inline]
    fn field(&mut self, f: Field) {
        if let Some(w) = f.word() {
            self.0.word(w)
        }
    }
    #[inline]
    fn pair(&mut self, a: Field, b: Field) {
        let (a, b) = (a.word().unwrap_or(0), b.word().unwrap_or(0));
        self.0.word(a as u32 as u64 | (b as u32 as u64) << 32)
    }
    #[inline]
    fn shown(&mut self, _: Field) {}
}

/// Folds one record (its kind, then its fields) into `h`; out of line, the state in and
/// out by value.
#[inline(never)]
fn hash_record(rec: &Record, mut h: TraceHasher) -> TraceHasher {
    h.word(rec.kind_code());
    let mut sink = HashSink(h);
    rec.fields(&mut sink);
    sink.0
}

impl HashRecord for Record {
    /// Feeds the record's kind and every hashed field to the hasher. Stable: changing this
    /// (or a record's [`Record::fields`]) changes every trace hash, so do it only with a note
    /// in the changelog.
    #[inline(always)]
    fn hash_into(&self, h: &mut TraceHasher) {
        *h = hash_record(self, *h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_codes_and_names_are_unique() {
        for (i, a) in KINDS.iter().enumerate() {
            for b in &KINDS[i + 1..] {
                assert_ne!(a.0, b.0, "code {} used twice", a.0);
                assert_ne!(a.1, b.1, "name {} used twice", a.1);
            }
        }
        assert_eq!(KINDS.len(), 46);
    }

    #[test]
    fn records_stay_small() {
        assert!(std::mem::size_of::<Record>() <= 40, "{}", std::mem::size_of::<Record>());
    }
}
