//! Exchanges and bindings, and routing a message through them.
//!
//! Routing is one pass over the exchange graph (exchange-to-exchange bindings included):
//! every exchange is visited at most once (so cycles end), every queue gets at most one copy
//! however many bindings lead to it, and an exchange whose own bindings match nothing hands
//! the message to its alternate exchange, if that exists (`rabbit_exchange.erl` `route1`,
//! `process_alternate`).

use super::headers::HeadersPattern;
use super::message::Headers;
use super::ops::ExchangeKind;
use super::topic::TopicPattern;
use crate::ids::{BindingId, ExchangeId, QueueId, Sym};

/// Where a binding leads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Dest {
    Queue(QueueId),
    Exchange(ExchangeId),
}

/// How a binding decides, compiled once.
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// direct: the routing key equals the binding key.
    Exact,
    /// fanout: always.
    All,
    Topic(TopicPattern),
    Headers(HeadersPattern),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub id: BindingId,
    pub source: ExchangeId,
    pub dest: Dest,
    pub key: Sym,
    pub args: Option<Headers>,
    pub matcher: Matcher,
    pub alive: bool,
}

#[derive(Clone, Debug)]
pub struct Exchange {
    pub id: ExchangeId,
    pub name: Sym,
    pub kind: ExchangeKind,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    pub alternate: Option<Sym>,
    /// Live bindings from this exchange, in the order they were made.
    pub bindings: Vec<BindingId>,
    /// `amq.*` and the default exchange: cannot be deleted.
    pub builtin: bool,
}
