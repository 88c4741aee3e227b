//! Small integer identifiers. Names live once in [`crate::names::Names`]; everything that
//! moves (messages, heap entries, trace records) refers to things by these ids.
//!
//! The few reserved ids (an id no thing has, standing for "none" in a `Copy` record) are
//! named here, beside their types, so that every layer can use them without importing the
//! layer that makes them. A leaf: imports nothing.

macro_rules! id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub u32);
        impl $name {
            #[inline]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(/// An interned string (a name, a routing key, a body template).
    Sym);
id!(/// A queue. Ids are never reused: a queue deleted and declared again gets a new id.
    QueueId);
id!(/// An exchange. Ids are never reused.
    ExchangeId);
id!(/// A binding (exchange → queue or exchange → exchange).
    BindingId);
id!(/// A connection from a client to the broker.
    ConnId);
id!(/// A channel inside the broker (a connection's channel number maps to one of these).
    ChannelId);
/// The queue of a record that involves none: a direct reply-to delivery
/// (`amq.rabbitmq.reply-to`), a reply consumer. No queue has this id.
pub const NO_QUEUE: QueueId = QueueId(u32::MAX);

id!(/// A consumer registration (`basic.consume`), valid until cancelled or its channel closes.
    ConsumerId);
/// The consumer of a delivery no consumer asked for: a `basic.get`. No consumer has this id.
pub const NO_CONSUMER: ConsumerId = ConsumerId(u32::MAX);

id!(/// A published message (the content, stored once and shared by every queue it reaches).
    MsgId);
id!(/// A scenario actor: a producer, a consumer or an RPC client.
    ClientId);
/// The scenario's setup (declarations before the run), acting as a client. No actor has
/// this id.
pub const SETUP: ClientId = ClientId(u32::MAX);

id!(/// Shared message properties, set once per publish entry (exchange, key, headers, ...).
    PropsId);

/// Who did something: the broker itself, the scenario's setup, or a client.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    Broker,
    Setup,
    Client(ClientId),
}
