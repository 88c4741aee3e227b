//! Trace records into words: who did what, and why — in English or Simplified Chinese.
//!
//! Nothing here runs while the simulation runs: a record is described only when a line is
//! shown (the text trace, the TUI, `--json`). Every sentence exists in both languages; the
//! [`tr!`] macro keeps each English sentence next to its Chinese one.
//!
//! This module owns [`Lang`], [`Line`], the read-only [`Ctx`] (ids to names) and
//! [`describe`], which sends each record kind to its sentence function; the sentences live
//! by record family in `sentences/` (topology, client, publish, deliver, settle, fate, rpc,
//! run). [`json`] derives `--json` from [`crate::record::Record::fields`]; [`text`] lays out
//! a trace line. It reads the world and never changes it; it adds no behaviour.

pub mod json;
mod sentences;
pub mod text;

use crate::broker::exchange::Dest;
use crate::ids::{Actor, BindingId, ClientId, ConsumerId, ExchangeId, MsgId, QueueId, Sym, NO_CONSUMER, NO_QUEUE, SETUP};
use crate::record::Record;
use crate::scenario::Note;
use crate::world::World;
use sentences::*;

/// A language of the interface.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "zh" | "zh-CN" | "zh_CN" | "cn" => Some(Lang::Zh),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

/// The same sentence in both languages, with `{name}` captures from the caller's scope.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $en:literal, $zh:literal) => {
        match $lang {
            $crate::explain::Lang::En => format!($en),
            $crate::explain::Lang::Zh => format!($zh),
        }
    };
}
pub use tr;

/// One record, described.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Who acted: a client's name, `broker`, `setup`, `fault`, `note`.
    pub actor: String,
    pub what: String,
    /// The cause, when there is one to give.
    pub why: Option<String>,
}

/// Read access to what a description needs.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub notes: &'a [Note],
    pub lang: Lang,
}

impl<'a> Ctx<'a> {
    pub fn new(world: &'a World, notes: &'a [Note], lang: Lang) -> Self {
        Ctx { world, notes, lang }
    }
    fn s(&self, sym: Sym) -> &str {
        self.world.names.get(sym)
    }
    pub fn client(&self, c: ClientId) -> String {
        self.world.client_name(c).to_string()
    }
    pub fn queue(&self, q: QueueId) -> String {
        if q == NO_QUEUE {
            return "amq.rabbitmq.reply-to".into();
        }
        self.s(self.world.broker.queue_name(q)).to_string()
    }
    pub fn exchange(&self, x: ExchangeId) -> String {
        self.exchange_named(self.world.broker.exchange_name(x))
    }
    fn exchange_named(&self, sym: Sym) -> String {
        let n = self.s(sym);
        if n.is_empty() {
            match self.lang {
                Lang::En => "(default)".into(),
                Lang::Zh => "（默认）".into(),
            }
        } else {
            n.to_string()
        }
    }
    pub fn consumer(&self, c: ConsumerId) -> String {
        if c == NO_CONSUMER {
            return "basic.get".into();
        }
        self.client(self.world.broker.consumer(c).client)
    }
    pub fn body(&self, m: MsgId) -> String {
        self.world.msgs.get(m).body.render(&self.world.names).into_owned()
    }
    /// `#12 "task 3"`
    pub fn msg(&self, m: MsgId) -> String {
        format!("#{} {:?}", m.0 + 1, self.body(m))
    }
    fn key(&self, m: MsgId) -> String {
        self.s(self.world.msgs.props_of(m).routing_key).to_string()
    }
    fn actor(&self, a: Actor) -> String {
        match a {
            Actor::Broker => "broker".into(),
            Actor::Setup => "setup".into(),
            Actor::Client(c) if c == SETUP => "setup".into(),
            Actor::Client(c) => self.client(c),
        }
    }
    fn prefetch_of(&self, c: ConsumerId) -> u32 {
        if c == NO_CONSUMER {
            0
        } else {
            self.world.broker.consumer(c).prefetch
        }
    }
    fn binding_dest(&self, b: BindingId) -> String {
        match self.world.broker.binding(b).dest {
            Dest::Queue(q) => self.queue(q),
            Dest::Exchange(x) => self.exchange(x),
        }
    }
}

/// Describes one record: the one place that maps a record kind to its sentence function.
pub fn describe(cx: &Ctx, rec: &Record) -> Line {
    match *rec {
        Record::ExchangeDeclared { ex, by } => topology::exchange_declared(cx, ex, by),
        Record::ExchangeDeleted { ex } => topology::exchange_deleted(cx, ex),
        Record::QueueDeclared { q, by } => topology::queue_declared(cx, q, by),
        Record::Bound { binding, by } => topology::bound(cx, binding, by),
        Record::QueueDeleted { q, why, messages } => topology::queue_deleted(cx, q, why, messages),
        Record::Connected { client } => client::connected(cx, client),
        Record::Disconnected { client, why } => client::disconnected(cx, client, why),
        Record::Reconnecting { client } => client::reconnecting(cx, client),
        Record::UnreadLoss { client, pending, channel } => client::unread_loss(cx, client, pending, channel),
        Record::Subscribed { client, q, prefetch, no_ack, .. } => client::subscribed(cx, client, q, prefetch, no_ack),
        Record::Cancelled { client, .. } => client::cancelled(cx, client),
        Record::ChannelError { client, code, text, connection } => client::channel_error(cx, client, code, text, connection),
        Record::Published { msg, client, confirm_seq } => publish::published(cx, msg, client, confirm_seq),
        Record::NotPublished { client, body, why } => publish::not_published(cx, client, body, why),
        Record::Routed { msg, q, via } => publish::routed(cx, msg, q, via),
        Record::Unroutable { msg, ex, returned } => publish::unroutable(cx, msg, ex, returned),
        Record::Alternate { msg, from, to } => publish::alternate(cx, msg, from, to),
        Record::Confirm { client, seq, multiple, ack } => publish::confirm(cx, client, seq, multiple, ack),
        Record::Ready { msg, q, why } => deliver::ready(cx, msg, q, why),
        Record::Delivered { msg, q, client, tag, redelivered, no_ack, why, delivery_count, .. } => {
            deliver::delivered(cx, deliver::Delivery { msg, q, client, tag, redelivered, no_ack, why, delivery_count, held: false })
        }
        Record::CheckedOut { msg, q, client, redelivered, no_ack, why, delivery_count, .. } => {
            deliver::delivered(cx, deliver::Delivery { msg, q, client, tag: 0, redelivered, no_ack, why, delivery_count, held: true })
        }
        Record::ExpiredAtHead { msg, q, expired_us } => deliver::expired_at_head(cx, msg, q, expired_us),
        Record::WorkStarted { client, msg, until_us } => deliver::work_started(cx, client, msg, until_us),
        Record::Processed { client, msg } => deliver::processed(cx, client, msg),
        Record::Acked { msg, q, client, tag, multiple } => settle::acked(cx, msg, q, client, tag, multiple),
        Record::Rejected { msg, client, tag, requeue, nack, .. } => settle::rejected(cx, msg, client, tag, requeue, nack),
        Record::Requeued { msg, q, client, why, pos, delivery_count } => {
            settle::requeued(cx, settle::Requeue { msg, q, client, why, pos, delivery_count })
        }
        Record::ConsumerTimedOut { client, msg, since_us, timeout_us, .. } => {
            client::consumer_timed_out(cx, client, msg, since_us, timeout_us)
        }
        Record::AckLost { client, msg } => settle::ack_lost(cx, client, msg),
        Record::Discarded { msg, q, why } => fate::discarded(cx, msg, q, why),
        Record::DeadLettered { msg, q, reason, copy, dlx } => fate::dead_lettered(cx, msg, q, reason, copy, dlx),
        Record::Lost { msg, q, why } => fate::lost(cx, msg, q, why),
        Record::Restored { msg, q } => fate::restored(cx, msg, q),
        Record::ClientLost { client, msg, why } => fate::client_lost(cx, client, msg, why),
        Record::Reply { client, msg, call, accepted } => rpc::reply(cx, client, msg, call, accepted),
        Record::ServerFailed { client, msg, why } => rpc::server_failed(cx, client, msg, why),
        Record::Synced { messages } => run::synced(cx, messages),
        Record::Fault(f) => run::fault(cx, f),
        Record::BrokerDown { graceful } => run::broker_down(cx, graceful),
        Record::BrokerUp { queues, messages } => run::broker_up(cx, queues, messages),
        Record::Note { idx } => run::note(cx, idx),
        Record::ActiveConsumer { q, client, priority, takeover, .. } => client::active_consumer(cx, q, client, priority, takeover),
        Record::QosApplied { client, prefetch, global } => client::qos_applied(cx, client, prefetch, global),
        Record::ClientMethod { client, method, sent } => client::client_method(cx, client, method, sent),
        Record::AckDeferred { client, msg, waiting, every } => settle::ack_deferred(cx, client, msg, waiting, every),
        Record::GetEmpty { client, q } => deliver::get_empty(cx, client, q),
    }
}
