//! Messages: the content published once and shared by every queue copy.
//!
//! A [`Message`] is 16 bytes: a body (a template and a number, rendered only when shown),
//! the id of its shared [`Props`] (one per publish entry: exchange, routing key, headers,
//! persistence, ...) and who published it. Queues hold [`crate::broker::queue::QMsg`]
//! handles, never copies of the content.
//!
//! Defines the message store (the world owns the one instance and lends it to the broker),
//! properties, headers and the `x-death` history. The body
//! ([`crate::body::Body`]) and the dead-letter reason ([`crate::record::DeadLetterReason`])
//! are re-exported from below: the trace vocabulary must not import the broker.

use crate::ids::{MsgId, PropsId, QueueId, Sym};
use crate::names::Names;
use crate::sim::Time;
use std::sync::Arc;

// Kept at their old paths for the broker and its users: the body is a leaf of the crate and
// the dead-letter reason is trace vocabulary, so neither belongs to the broker.
pub use crate::body::Body;
pub use crate::record::DeadLetterReason;

/// A header or argument value. Matching compares values, not AMQP types: a 32-bit and a
/// 64-bit integer 1 are equal, and so are a long string and a byte array with the same bytes.
#[derive(Clone, Debug, PartialEq)]
pub enum HValue {
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    Bool(bool),
    /// A field present with no value: in a headers binding it means "header present".
    Void,
    /// An AMQP decimal (scale, unscaled value); equal only to another decimal.
    Decimal(u8, i64),
    /// An AMQP array (`x-death`, its `routing-keys`).
    List(Arc<[HValue]>),
    /// An AMQP field table (an `x-death` entry).
    Table(Arc<[(Sym, HValue)]>),
}

impl HValue {
    /// Equality as RabbitMQ's headers exchange sees it (Erlang `==` on the untyped values).
    pub fn matches(&self, other: &HValue) -> bool {
        match (self, other) {
            (HValue::Int(a), HValue::Int(b)) => a == b,
            (HValue::Int(a), HValue::Float(b)) | (HValue::Float(b), HValue::Int(a)) => (*a as f64) == *b,
            (HValue::Float(a), HValue::Float(b)) => a == b,
            (HValue::Str(a), HValue::Str(b)) => a == b,
            (HValue::Bool(a), HValue::Bool(b)) => a == b,
            (HValue::Void, HValue::Void) => true,
            (HValue::Decimal(s1, v1), HValue::Decimal(s2, v2)) => s1 == s2 && v1 == v2,
            (HValue::List(a), HValue::List(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.matches(y)),
            (HValue::Table(a), HValue::Table(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v.matches(v2)))
            }
            _ => false,
        }
    }

    pub fn show(&self) -> String {
        match self {
            HValue::Int(i) => i.to_string(),
            HValue::Float(f) => f.to_string(),
            HValue::Str(s) => format!("{s:?}"),
            HValue::Bool(b) => b.to_string(),
            HValue::Void => "(void)".into(),
            HValue::Decimal(scale, v) => format!("decimal({v}e-{scale})"),
            HValue::List(items) => format!("[{}]", items.iter().map(|x| x.show()).collect::<Vec<_>>().join(", ")),
            HValue::Table(fields) => format!("({} fields)", fields.len()),
        }
    }
}

/// The names of the headers dead-lettering adds (`x-death` and its fields, `x-first-death-*`),
/// as far as the scenario uses them: a name no binding and no `expect:` item mentions was
/// never interned, so nothing can look at that header and it is left out (`None`). Looked up,
/// not interned, so that the run's own strings keep their numbers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DeathKeys {
    pub x_death: Option<Sym>,
    pub first_reason: Option<Sym>,
    pub first_queue: Option<Sym>,
    pub first_exchange: Option<Sym>,
    pub count: Option<Sym>,
    pub reason: Option<Sym>,
    pub queue: Option<Sym>,
    pub time: Option<Sym>,
    pub exchange: Option<Sym>,
    pub routing_keys: Option<Sym>,
    pub original_expiration: Option<Sym>,
}

impl DeathKeys {
    pub fn new(names: &Names) -> DeathKeys {
        DeathKeys {
            x_death: names.lookup("x-death"),
            first_reason: names.lookup("x-first-death-reason"),
            first_queue: names.lookup("x-first-death-queue"),
            first_exchange: names.lookup("x-first-death-exchange"),
            count: names.lookup("count"),
            reason: names.lookup("reason"),
            queue: names.lookup("queue"),
            time: names.lookup("time"),
            exchange: names.lookup("exchange"),
            routing_keys: names.lookup("routing-keys"),
            original_expiration: names.lookup("original-expiration"),
        }
    }

    fn is_death_header(&self, k: Sym) -> bool {
        [self.x_death, self.first_reason, self.first_queue, self.first_exchange].contains(&Some(k))
    }
}

/// The headers a message carries as a client (or a headers exchange) sees them: its own, and
/// for a dead-lettered copy the ones the broker added — `x-death` (newest first: `count`,
/// `reason`, `queue`, `time` in seconds, `exchange`, `routing-keys`, `original-expiration`
/// when it had one) and `x-first-death-reason`, `-queue`, `-exchange`, which replace any the
/// publisher set (`rabbit_dead_letter:make_msg/5`; observed on RabbitMQ 3.10.8).
pub fn message_headers(props: &Props, keys: &DeathKeys, names: &Names) -> Option<Headers> {
    let Some(death) = props.death.as_deref() else {
        return props.headers.clone();
    };
    let text = |s: Sym| HValue::Str(names.get(s).into());
    let mut out: Vec<(Sym, HValue)> =
        props.headers.iter().flat_map(|h| h.iter()).filter(|(k, _)| !keys.is_death_header(*k)).cloned().collect();
    if let Some(x_death) = keys.x_death {
        let entries: Vec<HValue> = death
            .entries
            .iter()
            .map(|e| {
                let fields = [
                    (keys.count, Some(HValue::Int(e.count as i64))),
                    (keys.reason, Some(HValue::Str(e.reason.as_str().into()))),
                    (keys.queue, Some(text(e.queue))),
                    (keys.time, Some(HValue::Int((e.time.as_us() / 1_000_000) as i64))),
                    (keys.exchange, Some(text(e.exchange))),
                    (keys.routing_keys, Some(HValue::List(e.routing_keys.iter().map(|k| text(*k)).collect()))),
                    (keys.original_expiration, e.original_expiration.map(|x| HValue::Str((x.as_us() / 1000).to_string().into()))),
                ];
                let t: Vec<(Sym, HValue)> = fields.into_iter().filter_map(|(k, v)| Some((k?, v?))).collect();
                HValue::Table(t.into())
            })
            .collect();
        out.push((x_death, HValue::List(entries.into())));
    }
    let firsts = [
        (keys.first_exchange, text(death.first_exchange)),
        (keys.first_queue, text(death.first_queue)),
        (keys.first_reason, HValue::Str(death.first_reason.as_str().into())),
    ];
    out.extend(firsts.into_iter().filter_map(|(k, v)| Some((k?, v))));
    Some(out.into())
}

/// A header table: keys interned, in the order given.
pub type Headers = Arc<[(Sym, HValue)]>;

/// One entry of the `x-death` header.
#[derive(Clone, Debug, PartialEq)]
pub struct DeathEntry {
    pub queue: Sym,
    pub reason: DeadLetterReason,
    pub count: u64,
    pub exchange: Sym,
    pub routing_keys: Vec<Sym>,
    pub time: Time,
    pub original_expiration: Option<Time>,
}

/// The dead-lettering history of a message: `x-death` (newest first) and `x-first-death-*`.
#[derive(Clone, Debug, PartialEq)]
pub struct Death {
    pub entries: Vec<DeathEntry>,
    pub first_queue: Sym,
    pub first_reason: DeadLetterReason,
    pub first_exchange: Sym,
}

/// Properties shared by many messages (usually all those of one publish entry).
#[derive(Clone, Debug, PartialEq)]
pub struct Props {
    /// The exchange the message was published (or dead-lettered) to.
    pub exchange: Sym,
    pub routing_key: Sym,
    pub persistent: bool,
    pub mandatory: bool,
    /// Per-message TTL (`expiration`).
    pub expiration: Option<Time>,
    pub headers: Option<Headers>,
    pub reply_to: Option<Sym>,
    pub correlation_id: Option<Sym>,
    /// The `priority` property (0-255), as published.
    pub priority: Option<u8>,
    pub death: Option<Arc<Death>>,
    /// For a dead-lettered copy: the message it was made from.
    pub dead_lettered_from: Option<MsgId>,
    /// For a dead-lettered copy: the queue it died in.
    pub died_in: Option<QueueId>,
}

impl Props {
    pub fn new(exchange: Sym, routing_key: Sym) -> Props {
        Props {
            exchange,
            routing_key,
            persistent: false,
            mandatory: false,
            expiration: None,
            headers: None,
            reply_to: None,
            correlation_id: None,
            priority: None,
            death: None,
            dead_lettered_from: None,
            died_in: None,
        }
    }
}

/// A published message. 16 bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub body: Body,
    pub props: PropsId,
    /// The client that published it ([`Message::FROM_BROKER`] for the broker itself:
    /// dead-lettering).
    pub publisher: u32,
}

impl Message {
    /// The `publisher` of a message the broker made itself (a dead-lettered copy).
    pub const FROM_BROKER: u32 = u32::MAX;
}

/// Every message and every property set of a run.
#[derive(Clone, Debug, Default)]
pub struct MessageStore {
    msgs: Vec<Message>,
    props: Vec<Props>,
    /// An estimate of the bytes the property sets hold (their own and their `x-death`
    /// histories), counted as they are added: for the world's memory cap.
    props_bytes: u64,
    /// How many times a message already stored was changed ([`MessageStore::set_props`]).
    edits: u64,
}

impl MessageStore {
    pub fn add_props(&mut self, p: Props) -> PropsId {
        let id = PropsId(self.props.len() as u32);
        self.props_bytes += Self::props_cost(&p);
        self.props.push(p);
        id
    }

    pub fn add(&mut self, body: Body, props: PropsId, publisher: u32) -> MsgId {
        let id = MsgId(self.msgs.len() as u32);
        self.msgs.push(Message { body, props, publisher });
        id
    }

    /// Points a message at other properties (the broker rewriting `reply_to`).
    pub fn set_props(&mut self, id: MsgId, props: PropsId) {
        self.msgs[id.idx()].props = props;
        self.edits += 1;
    }

    /// How many times a stored message was changed: otherwise the store only grows (the
    /// TUI's snapshots rely on it).
    pub fn edits(&self) -> u64 {
        self.edits
    }

    #[inline]
    pub fn get(&self, id: MsgId) -> &Message {
        &self.msgs[id.idx()]
    }

    #[inline]
    pub fn props(&self, id: PropsId) -> &Props {
        &self.props[id.idx()]
    }

    #[inline]
    pub fn props_of(&self, id: MsgId) -> &Props {
        self.props(self.get(id).props)
    }

    pub fn len(&self) -> usize {
        self.msgs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.msgs.is_empty()
    }

    /// An estimate of the bytes this store holds, from its counts: the messages, the
    /// property sets and their dead-letter histories. Deterministic (no allocator query).
    #[inline]
    pub fn estimated_bytes(&self) -> u64 {
        self.msgs.len() as u64 * std::mem::size_of::<Message>() as u64 + self.props_bytes
    }

    fn props_cost(p: &Props) -> u64 {
        let death = p.death.as_ref().map_or(0, |d| {
            let keys: usize = d.entries.iter().map(|e| e.routing_keys.len()).sum();
            std::mem::size_of::<Death>() + d.entries.len() * std::mem::size_of::<DeathEntry>() + keys * std::mem::size_of::<Sym>()
        });
        (std::mem::size_of::<Props>() + death) as u64
    }

    /// Reserves room for `n` more messages (a producer about to publish a large burst).
    pub fn reserve(&mut self, n: usize) {
        self.msgs.reserve(n);
    }

    /// The messages themselves, for the TUI's snapshots (they store them apart, shared).
    pub(crate) fn messages_mut(&mut self) -> &mut Vec<Message> {
        &mut self.msgs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_compare_without_their_type() {
        assert!(HValue::Int(1).matches(&HValue::Int(1)));
        assert!(HValue::Int(1).matches(&HValue::Float(1.0)));
        assert!(!HValue::Int(1).matches(&HValue::Str("1".into())));
        assert!(!HValue::Int(1).matches(&HValue::Bool(true)));
        assert!(!HValue::Int(1).matches(&HValue::Decimal(0, 1)));
        assert!(HValue::Decimal(0, 1).matches(&HValue::Decimal(0, 1)));
    }
}
