//! The one description of every record's fields, from which both the trace hash
//! ([`crate::sim::trace::HashRecord`], in [`super`]) and the `--json` object
//! ([`crate::explain::json`]) are derived.
//!
//! [`Record::fields`] hands each field, in order, to a [`FieldSink`] as a typed [`Field`]:
//! the hasher folds the field's [`Field::word`], the JSON writer resolves it to names with
//! the world. A field may be hashed and shown (`field`), two 32-bit fields hashed as one word
//! (`pair`), hashed only ([`Field::Hidden`]) or shown only (`shown`). The order of the calls
//! is both the hash's word order and the JSON key order (with `msg`/`body` always first), so
//! both are stable: the golden trace test holds them.
//!
//! Knows nothing of the world or the broker: resolving ids to names is the JSON writer's job.

use super::*;
use std::fmt::Debug;

/// One field of a record, as its hash and its JSON rendering see it.
#[derive(Copy, Clone, Debug)]
pub enum Field<'a> {
    /// `msg` (1-based) and `body`; always the first JSON keys.
    Msg(MsgId),
    /// `queue`, by name.
    Queue(QueueId),
    /// An exchange, by name, under this key.
    Exchange(&'static str, ExchangeId),
    /// A binding: its source `exchange` and its `binding_key`.
    Binding(BindingId),
    /// A binding made: its source `exchange`, its `binding_key` and its destination (`queue`,
    /// or `to_exchange` for an exchange-to-exchange binding).
    NewBinding(BindingId),
    /// `via`: how a message reached its queue (with the binding, if one).
    Via(Via),
    /// A client, by name, under this key.
    Client(&'static str, ClientId),
    Num(&'static str, u64),
    /// A number shown only when it is not 0.
    NonZero(&'static str, u64),
    /// An id shown 1-based (as the text trace numbers messages and calls).
    Ordinal(&'static str, u32),
    Bool(&'static str, bool),
    /// An interned string, resolved.
    Name(&'static str, Sym),
    /// Hashed as its code, shown as its word.
    Label(&'static str, u64, &'static str),
    /// `why`: hashed as its code, shown as the cause's variant name in snake_case (a reply
    /// code it carries is shown as `reply_code`).
    Why(u64, &'a dyn Debug),
    /// Hashed only.
    Hidden(u64),
    /// Shown only: a body not stored as a message (`body`).
    Body(Body),
    /// Shown only: the message's publish properties (`exchange`, `routing_key`, `persistent`,
    /// `mandatory`).
    Props(MsgId),
}

impl Field<'_> {
    /// The word the trace hash folds in, if the field is hashed.
    #[inline]
    pub fn word(&self) -> Option<u64> {
        Some(match *self {
            Field::Msg(m) => m.0 as u64,
            Field::Queue(q) => q.0 as u64,
            Field::Exchange(_, x) => x.0 as u64,
            Field::Binding(b) | Field::NewBinding(b) => b.0 as u64,
            Field::Via(v) => v.code(),
            Field::Client(_, c) => c.0 as u64,
            Field::Num(_, n) | Field::NonZero(_, n) | Field::Hidden(n) => n,
            Field::Ordinal(_, n) => n as u64,
            Field::Bool(_, b) => b as u64,
            Field::Name(_, s) => s.0 as u64,
            Field::Label(_, code, _) | Field::Why(code, _) => code,
            Field::Body(_) | Field::Props(_) => return None,
        })
    }
}

/// What [`Record::fields`] feeds: the hasher, the JSON writer.
pub trait FieldSink {
    /// A field hashed (if it has a word) and shown (if it has a rendering).
    fn field(&mut self, f: Field);
    /// Two 32-bit fields hashed as one word (`a` low, `b` high), both shown.
    fn pair(&mut self, a: Field, b: Field);
    /// A field shown but not hashed.
    fn shown(&mut self, f: Field);
    /// Several fields, each as [`FieldSink::field`].
    #[inline]
    fn all(&mut self, fs: &[Field]) {
        for f in fs {
            self.field(*f)
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

impl Record {
    /// Every field of the record, in hash order (see the module doc).
    #[inline]
    pub fn fields<S: FieldSink>(&self, s: &mut S) {
        use Field::*;
        match *self {
            Record::ExchangeDeclared { ex, by } => s.all(&[Exchange("exchange", ex), Hidden(actor_word(by))]),
            Record::ExchangeDeleted { ex } => s.field(Exchange("exchange", ex)),
            Record::QueueDeclared { q, by } => s.all(&[Queue(q), Hidden(actor_word(by))]),
            Record::Bound { binding, by } => s.all(&[NewBinding(binding), Hidden(actor_word(by))]),
            Record::QueueDeleted { q, why, messages } => s.all(&[Queue(q), Why(why as u64, &why), Num("messages", messages as u64)]),
            Record::Connected { client } | Record::Reconnecting { client } => s.field(Client("client", client)),
            Record::Disconnected { client, why } => s.all(&[Client("client", client), Why(why.code(), &why)]),
            Record::Subscribed { client, consumer, q, prefetch, no_ack } => s.all(&[
                Client("client", client),
                Hidden(consumer.0 as u64),
                Queue(q),
                Num("prefetch", prefetch as u64),
                Bool("auto_ack", no_ack),
            ]),
            Record::Cancelled { client, consumer } => s.all(&[Client("client", client), Hidden(consumer.0 as u64)]),
            Record::ActiveConsumer { q, client, consumer, priority, takeover } => s.all(&[
                Queue(q),
                Client("client", client),
                Hidden(consumer.0 as u64),
                Num("priority", priority as i64 as u64),
                Bool("takeover", takeover),
            ]),
            Record::QosApplied { client, prefetch, global } => {
                s.all(&[Client("client", client), Num("prefetch", prefetch as u64), Bool("global", global)])
            }
            Record::ClientMethod { client, method, sent } => {
                s.all(&[Client("client", client), Label("method", method.code(), method.name())]);
                if let crate::record::ClientMethod::Qos { prefetch, global } = method {
                    s.shown(Num("prefetch", prefetch as u64));
                    s.shown(Bool("global", global));
                }
                s.field(Bool("sent", sent))
            }
            Record::AckDeferred { client, msg, waiting, every } => {
                s.pair(Msg(msg), Client("client", client));
                s.all(&[Num("waiting", waiting as u64), Num("every", every as u64)])
            }
            Record::GetEmpty { client, q } => s.all(&[Client("client", client), Queue(q)]),
            Record::UnreadLoss { client, pending, channel } => {
                s.all(&[Client("client", client), Num("pending", pending as u64), Bool("channel", channel)])
            }
            Record::ChannelError { client, code, text, connection } => {
                s.all(&[Client("client", client), Num("code", code as u64), Name("reply_text", text), Bool("connection", connection)])
            }
            Record::Published { msg, client, confirm_seq } => {
                s.pair(Msg(msg), Client("client", client));
                s.shown(Props(msg));
                s.field(NonZero("confirm_seq", confirm_seq as u64))
            }
            Record::NotPublished { client, body, why } => {
                s.all(&[Client("client", client), Hidden(body.tpl.0 as u64), Hidden(body.n as u64)]);
                s.shown(Body(body));
                s.field(Why(why as u64, &why))
            }
            Record::Routed { msg, q, via } => {
                s.pair(Msg(msg), Queue(q));
                s.field(Via(via))
            }
            Record::Unroutable { msg, ex, returned } => s.all(&[Msg(msg), Exchange("exchange", ex), Bool("returned", returned)]),
            Record::Alternate { msg, from, to } => s.all(&[Msg(msg), Exchange("from", from), Exchange("to", to)]),
            Record::Confirm { client, seq, multiple, ack } => {
                s.all(&[Client("client", client), Num("confirm_seq", seq as u64), Bool("multiple", multiple), Bool("ack", ack)])
            }
            Record::Ready { msg, q, why } => {
                s.all(&[Msg(msg), Queue(q)]);
                why.fields(s)
            }
            Record::Delivered { msg, q, consumer, client, tag, redelivered, no_ack, why, delivery_count } => {
                s.pair(Msg(msg), Queue(q));
                s.pair(Hidden(consumer.0 as u64), Client("consumer", client));
                s.field(Num("delivery_tag", tag));
                why.fields(redelivered, no_ack, s);
                s.shown(Bool("redelivered", redelivered));
                s.shown(Bool("auto_ack", no_ack));
                s.shown(Bool("basic_get", consumer == crate::ids::NO_CONSUMER));
                delivery_count_field(delivery_count, s)
            }
            Record::CheckedOut { msg, q, consumer, client, redelivered, no_ack, why, delivery_count } => {
                s.pair(Msg(msg), Queue(q));
                s.pair(Hidden(consumer.0 as u64), Client("consumer", client));
                why.fields(redelivered, no_ack, s);
                s.shown(Bool("redelivered", redelivered));
                s.shown(Bool("auto_ack", no_ack));
                delivery_count_field(delivery_count, s)
            }
            Record::WorkStarted { client, msg, until_us } => {
                s.pair(Client("client", client), Msg(msg));
                s.field(Num("until_us", until_us))
            }
            Record::Processed { client, msg } | Record::AckLost { client, msg } => s.pair(Client("client", client), Msg(msg)),
            Record::Acked { msg, q, client, tag, multiple } => {
                s.pair(Msg(msg), Queue(q));
                s.pair(Client("client", client), Hidden(multiple as u64));
                s.field(Num("delivery_tag", tag));
                s.shown(Bool("multiple", multiple))
            }
            Record::Rejected { msg, q, client, tag, requeue, nack } => {
                s.all(&[
                    Msg(msg),
                    Queue(q),
                    Client("client", client),
                    Num("delivery_tag", tag),
                    Hidden(requeue as u64 | (nack as u64) << 1),
                ]);
                s.shown(Bool("requeue", requeue));
                s.shown(Label("method", 0, if nack { "basic.nack" } else { "basic.reject" }))
            }
            Record::Requeued { msg, q, client, why, pos, delivery_count } => {
                s.all(&[Msg(msg), Queue(q), Client("client", client), Hidden(why.code()), Num("position", pos as u64)]);
                if delivery_count != 0 {
                    s.field(Num("delivery_count", delivery_count as u64))
                }
            }
            Record::ConsumerTimedOut { client, msg, q, since_us, timeout_us } => s.all(&[
                Msg(msg),
                Queue(q),
                Client("client", client),
                Num("delivered_at_us", since_us),
                Num("consumer_timeout_us", timeout_us),
            ]),
            Record::Discarded { msg, q, why } => s.all(&[Msg(msg), Queue(q), Why(why as u64, &why)]),
            Record::DeadLettered { msg, q, reason, copy, dlx } => s.all(&[
                Msg(msg),
                Queue(q),
                Label("reason", reason.code(), reason.as_str()),
                Ordinal("copy", copy.0),
                Name("dead_letter_exchange", dlx),
            ]),
            Record::Lost { msg, q, why } => s.all(&[Msg(msg), Queue(q), Why(why as u64, &why)]),
            Record::Restored { msg, q } => s.all(&[Msg(msg), Queue(q)]),
            Record::ExpiredAtHead { msg, q, expired_us } => s.all(&[Msg(msg), Queue(q), Num("expired_us", expired_us)]),
            Record::ClientLost { client, msg, why } => s.all(&[Client("client", client), Msg(msg), Why(why as u64, &why)]),
            Record::Synced { messages } => s.field(Num("messages", messages as u64)),
            Record::Reply { client, msg, call, accepted } => {
                s.all(&[Client("client", client), Msg(msg), Hidden(call as u64), Bool("accepted", accepted)]);
                if accepted {
                    s.shown(Ordinal("call", call))
                }
            }
            Record::ServerFailed { client, msg, why } => s.all(&[Client("client", client), Msg(msg), Why(why as u64, &why)]),
            Record::Fault(f) => f.fields(s),
            Record::BrokerDown { graceful } => s.field(Bool("graceful", graceful)),
            Record::BrokerUp { queues, messages } => s.all(&[Num("queues", queues as u64), Num("messages", messages as u64)]),
            Record::Note { idx } => s.field(Num("note", idx as u64)),
        }
    }
}

/// Quorum queues only: classic deliveries hash and show as before.
#[inline]
fn delivery_count_field<S: FieldSink>(delivery_count: u16, s: &mut S) {
    if delivery_count != NO_DELIVERY_COUNT {
        s.field(Field::Num("x_delivery_count", delivery_count as u64))
    }
}

impl ReadyWhy {
    #[inline]
    fn fields<S: FieldSink>(self, s: &mut S) {
        use Field::*;
        match self {
            ReadyWhy::NoConsumer => s.field(Hidden(1)),
            ReadyWhy::Backlog => s.field(Hidden(2)),
            ReadyWhy::AllAtLimit { first, count } => {
                s.field(Hidden(3));
                s.field(Hidden(first.0 as u64));
                s.field(Hidden(count as u64))
            }
        }
    }
}

impl DeliverWhy {
    /// The cause, with the delivery's flags packed into its first word. Hashed only.
    #[inline]
    fn fields<S: FieldSink>(self, redelivered: bool, no_ack: bool, s: &mut S) {
        use Field::*;
        let flags = redelivered as u64 | (no_ack as u64) << 1;
        match self {
            DeliverWhy::RoundRobin { skipped, first_skipped, from_ready, alone } => {
                let flags = flags | (from_ready as u64) << 2 | (alone as u64) << 3;
                s.field(Hidden(1 | flags << 8 | (skipped as u64) << 16));
                s.field(Hidden(first_skipped.0 as u64))
            }
            DeliverWhy::SingleActive { from_ready } => {
                s.field(Hidden(2 | flags << 8));
                s.field(Hidden(from_ready as u64))
            }
            DeliverWhy::Priority { priority, skipped, first_skipped, from_ready } => {
                s.field(Hidden(3 | flags << 8));
                s.field(Hidden(priority as i64 as u64));
                s.field(Hidden(skipped as u64));
                s.field(Hidden(first_skipped.0 as u64));
                s.field(Hidden(from_ready as u64))
            }
            DeliverWhy::Get => s.field(Hidden(4 | flags << 8)),
            DeliverWhy::DirectReply => s.field(Hidden(5 | flags << 8)),
        }
    }
}

impl FaultRecord {
    /// The fault's code and word, and its client if it has one.
    pub fn label(self) -> (u64, &'static str, Option<ClientId>) {
        match self {
            FaultRecord::Crash(c) => (1, "crash", Some(c)),
            FaultRecord::Restart(c) => (2, "restart", Some(c)),
            FaultRecord::BrokerCrash => (3, "broker_crash", None),
            FaultRecord::BrokerStop => (4, "broker_stop", None),
            FaultRecord::BrokerRestart => (5, "broker_restart", None),
            FaultRecord::DelayStart { client, .. } => (6, "delay_start", Some(client)),
            FaultRecord::DelayEnd(c) => (7, "delay_end", Some(c)),
            FaultRecord::PartitionStart(c) => (8, "partition_start", Some(c)),
            FaultRecord::PartitionEnd(c) => (9, "partition_end", Some(c)),
        }
    }

    #[inline]
    fn fields<S: FieldSink>(self, s: &mut S) {
        use Field::*;
        let (code, name, client) = self.label();
        // JSON has `by_us` first; the hash has it last.
        if let FaultRecord::DelayStart { by_us, .. } = self {
            s.shown(Num("by_us", by_us));
        }
        s.field(Label("fault", code, name));
        if let Some(c) = client {
            s.field(Client("client", c));
        }
        if let FaultRecord::DelayStart { by_us, .. } = self {
            s.field(Hidden(by_us));
        }
    }
}
