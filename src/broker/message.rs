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
        }
    }
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
