//! Small integer identifiers. Names live once in [`crate::names::Names`]; everything that
//! moves (messages, heap entries, trace records) refers to things by these ids.

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
id!(/// A consumer registration (`basic.consume`), valid until cancelled or its channel closes.
    ConsumerId);
id!(/// A published message (the content, stored once and shared by every queue it reaches).
    MsgId);
id!(/// A scenario actor: a producer, a consumer or an RPC client.
    ClientId);
id!(/// Shared message properties, set once per publish entry (exchange, key, headers, ...).
    PropsId);

/// Who did something: the broker itself, the scenario's setup, or a client.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    Broker,
    Setup,
    Client(ClientId),
}
