//! What crosses the wire: [`Op`]s from a client to the broker (AMQP methods, addressed by
//! connection and channel number) and [`Frame`]s from the broker to a client.

use super::message::Headers;
use super::queue::QueueArgs;
use crate::ids::{ClientId, ConsumerId, MsgId, QueueId, Sym};

/// The type of an exchange.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExchangeKind {
    Direct,
    Fanout,
    Topic,
    Headers,
}

impl ExchangeKind {
    pub fn parse(s: &str) -> Option<ExchangeKind> {
        Some(match s {
            "direct" => ExchangeKind::Direct,
            "fanout" => ExchangeKind::Fanout,
            "topic" => ExchangeKind::Topic,
            "headers" => ExchangeKind::Headers,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeKind::Direct => "direct",
            ExchangeKind::Fanout => "fanout",
            ExchangeKind::Topic => "topic",
            ExchangeKind::Headers => "headers",
        }
    }
}

/// `exchange.declare`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeDecl {
    pub name: Sym,
    /// The type as the client wrote it (an unknown type is a 503 connection error).
    pub kind: Sym,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    pub alternate: Option<Sym>,
    pub passive: bool,
}

/// `queue.declare`.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueDecl {
    /// `None` (or the empty name): the broker picks an `amq.gen-…` name.
    pub name: Option<Sym>,
    pub durable: bool,
    pub exclusive: bool,
    pub auto_delete: bool,
    pub args: QueueArgs,
    pub passive: bool,
}

/// A queue named in a method: by name, or `""` meaning the channel's last declared queue.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum QueueRef {
    Named(Sym),
    LastDeclared,
}

/// An AMQP method sent by a client on one of its channels.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    OpenConnection {
        owner: ClientId,
    },
    CloseConnection,
    /// Not a method: the client's end of the connection died (the socket closed under it).
    ConnectionDropped {
        why: crate::record::Disconnect,
    },
    OpenChannel,
    CloseChannel,
    /// The answer to a `channel.close` from the broker (after a channel error).
    ChannelCloseOk,
    ExchangeDeclare(Box<ExchangeDecl>),
    ExchangeDelete {
        name: Sym,
        if_unused: bool,
    },
    QueueDeclare(Box<QueueDecl>),
    QueueBind {
        queue: QueueRef,
        exchange: Sym,
        key: Sym,
        args: Option<Headers>,
    },
    QueueUnbind {
        queue: QueueRef,
        exchange: Sym,
        key: Sym,
        args: Option<Headers>,
    },
    ExchangeBind {
        destination: Sym,
        source: Sym,
        key: Sym,
        args: Option<Headers>,
    },
    QueueDelete {
        queue: QueueRef,
        if_unused: bool,
        if_empty: bool,
    },
    QueuePurge {
        queue: QueueRef,
    },
    Qos {
        prefetch: u32,
        prefetch_size: u32,
        global: bool,
    },
    Consume {
        queue: QueueRef,
        tag: Sym,
        no_ack: bool,
        exclusive: bool,
        priority: i32,
    },
    Cancel {
        tag: Sym,
    },
    /// `basic.publish`: the message (already in the store) carries exchange, key and flags.
    Publish {
        msg: MsgId,
    },
    Ack {
        tag: u64,
        multiple: bool,
    },
    Nack {
        tag: u64,
        multiple: bool,
        requeue: bool,
    },
    Reject {
        tag: u64,
        requeue: bool,
    },
    Get {
        queue: QueueRef,
        no_ack: bool,
    },
    Recover {
        requeue: bool,
    },
    ConfirmSelect,
    TxSelect,
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::OpenConnection { .. } => "connection.open",
            Op::CloseConnection => "connection.close",
            Op::ConnectionDropped { .. } => "(connection dropped)",
            Op::OpenChannel => "channel.open",
            Op::CloseChannel => "channel.close",
            Op::ChannelCloseOk => "channel.close-ok",
            Op::ExchangeDeclare(_) => "exchange.declare",
            Op::ExchangeDelete { .. } => "exchange.delete",
            Op::QueueDeclare(_) => "queue.declare",
            Op::QueueBind { .. } => "queue.bind",
            Op::QueueUnbind { .. } => "queue.unbind",
            Op::ExchangeBind { .. } => "exchange.bind",
            Op::QueueDelete { .. } => "queue.delete",
            Op::QueuePurge { .. } => "queue.purge",
            Op::Qos { .. } => "basic.qos",
            Op::Consume { .. } => "basic.consume",
            Op::Cancel { .. } => "basic.cancel",
            Op::Publish { .. } => "basic.publish",
            Op::Ack { .. } => "basic.ack",
            Op::Nack { .. } => "basic.nack",
            Op::Reject { .. } => "basic.reject",
            Op::Get { .. } => "basic.get",
            Op::Recover { .. } => "basic.recover",
            Op::ConfirmSelect => "confirm.select",
            Op::TxSelect => "tx.select",
        }
    }
}

/// A frame from the broker to a client, on channel `ch` (0: the connection itself).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    ConnectionOpenOk,
    ConnectionClosed {
        code: u16,
        text: Sym,
    },
    ChannelOpenOk {
        ch: u16,
    },
    ChannelClosed {
        ch: u16,
        code: u16,
        text: Sym,
    },
    ExchangeDeclareOk {
        ch: u16,
    },
    QueueDeclareOk {
        ch: u16,
        q: QueueId,
        name: Sym,
        messages: u32,
        consumers: u32,
    },
    BindOk {
        ch: u16,
    },
    QosOk {
        ch: u16,
    },
    ConsumeOk {
        ch: u16,
        tag: Sym,
        consumer: ConsumerId,
    },
    CancelOk {
        ch: u16,
        tag: Sym,
    },
    /// The broker cancelled a consumer (its queue was deleted).
    CancelledByBroker {
        ch: u16,
        tag: Sym,
    },
    Deliver {
        ch: u16,
        consumer: ConsumerId,
        tag: u64,
        redelivered: bool,
        msg: MsgId,
    },
    GetOk {
        ch: u16,
        tag: u64,
        redelivered: bool,
        msg: MsgId,
        remaining: u32,
    },
    GetEmpty {
        ch: u16,
    },
    Return {
        ch: u16,
        msg: MsgId,
        code: u16,
    },
    Ack {
        ch: u16,
        seq: u32,
        multiple: bool,
    },
    Nack {
        ch: u16,
        seq: u32,
        multiple: bool,
    },
    PurgeOk {
        ch: u16,
        messages: u32,
    },
    DeleteOk {
        ch: u16,
        messages: u32,
    },
    SelectOk {
        ch: u16,
    },
    RecoverOk {
        ch: u16,
    },
}
