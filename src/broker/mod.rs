//! The broker model: exchanges, bindings, queues, consumers, channels, persistence —
//! RabbitMQ 3.10 with classic (and priority) queues and quorum queues ([`quorum`]), and the
//! consumer timeout ([`timeout`]).
//!
//! The broker has no clock and no I/O. Each call takes one input (a client's [`Op`] on a
//! channel, a timer it asked for, a crash) and a [`Cx`]: the current simulated time, the
//! world's shared stores (the [`MessageStore`] and the [`Names`] — the world owns them; the
//! clients write the messages they publish there, the broker reads them and adds its
//! dead-letter copies and error texts), and an [`Effects`] value to append what follows to:
//! frames for clients, timers to schedule, and trace [`Record`]s with their causes. The
//! engine applies them.
//!
//! Reply codes are named by [`error::ReplyCode`]; frames and records carry the number.
//!
//! The implementation is split by concern: [`declare`] (exchanges, queues, bindings),
//! [`publish`] (routing and confirms), [`dispatch`] (queue → consumer), [`settle`] (acks,
//! rejects, requeues, `basic.get`), [`deadletter`], [`persistence`] (the disk, crashes and
//! recovery) and [`expiry`] (TTL and `x-expires`).

mod by_name;
pub mod channel;
pub mod consumer;
pub mod deadletter;
pub mod declare;
pub mod dispatch;
pub mod error;
pub mod exchange;
pub mod expiry;
pub mod headers;
pub mod message;
pub mod ops;
pub mod persistence;
pub mod publish;
pub mod queue;
pub mod quorum;
pub mod settle;
#[doc(hidden)]
pub mod testkit;
pub mod timeout;
pub mod topic;

use crate::ids::SETUP;
use crate::ids::{Actor, ChannelId, ConnId, ConsumerId, ExchangeId, QueueId, Sym};
use crate::names::Names;
use crate::record::{Disconnect, QueueGone, Record, RequeueWhy};
use crate::sim::{Rng, Time};
use channel::{Channel, Conn};
use consumer::Consumer;
use error::AmqpError;
use exchange::{Binding, Exchange};
use message::MessageStore;
use ops::{ExchangeKind, Frame, Op};
use persistence::Disk;
use queue::Queue;
use rustc_hash::FxHashMap as HashMap;

pub use ops::QueueRef;

/// Settings of the broker (the scenario's `broker:` section).
#[derive(Clone, Debug)]
pub struct BrokerConfig {
    /// How often persistent messages reach disk. `0`: each one as it arrives.
    pub sync_every: Time,
    /// `consumer_timeout`: how long a delivery may stay unacknowledged before its channel is
    /// closed (RabbitMQ 3.10: 30 minutes). `None`: no timeout.
    pub consumer_timeout: Option<Time>,
    /// `channel_tick_interval`: how often each channel checks it (RabbitMQ: a minute).
    pub channel_tick_interval: Time,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig { sync_every: Time::ms(200), consumer_timeout: Some(Time::secs(30 * 60)), channel_tick_interval: Time::secs(60) }
    }
}

/// A timer the broker asked for. It carries the broker's epoch: timers from before a crash
/// are ignored.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BrokerTimer {
    /// Expire messages at the head of a queue.
    Ttl { q: QueueId, at: Time, epoch: u32 },
    /// `x-expires`: delete the queue if still unused.
    Expires { q: QueueId, at: Time, epoch: u32 },
    /// Write pending persistent messages to disk.
    Sync { epoch: u32 },
    /// A channel's periodic check finds its oldest unacknowledged delivery, if too old.
    ConsumerTimeout { ch: ChannelId, at: Time, epoch: u32 },
    /// Try again to forward a quorum queue's pending at-least-once dead letters.
    DeadLetterRetry { q: QueueId, epoch: u32 },
}

impl BrokerTimer {
    /// A check that by itself keeps nothing going: a run without `until` ends when only these
    /// are left (a consumer that never acks does not run the clock up to the consumer timeout).
    pub fn is_weak(&self) -> bool {
        matches!(self, BrokerTimer::ConsumerTimeout { .. } | BrokerTimer::DeadLetterRetry { .. })
    }
}

/// Copies offered to queues since the world last counted the live ones: an upper bound on
/// how many were made. The world resets it when it counts and sets `limit`; past `limit` the
/// broker refuses every further copy (and says so in `refused`) so that no single input can
/// make copies without bound: the world then stops the run at its cap.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CopyCount {
    pub offered: u64,
    pub limit: u64,
    pub refused: bool,
}

impl Default for CopyCount {
    fn default() -> Self {
        CopyCount { offered: 0, limit: u64::MAX, refused: false }
    }
}

impl CopyCount {
    /// Counts one more copy; `false` once past the limit.
    #[inline]
    pub fn allow(&mut self) -> bool {
        if self.offered >= self.limit {
            self.refused = true;
            return false;
        }
        self.offered += 1;
        true
    }
}

/// The queues a closed channel's consumers left: all of them, and those where another
/// consumer took over (single active consumer).
#[derive(Default)]
struct ConsumersLeft {
    touched: Vec<QueueId>,
    taken_over: Vec<QueueId>,
}

/// What handling one input produced.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    pub frames: Vec<(ConnId, Frame)>,
    pub timers: Vec<(Time, BrokerTimer)>,
    pub records: Vec<Record>,
}

impl Effects {
    pub fn clear(&mut self) {
        self.frames.clear();
        self.timers.clear();
        self.records.clear();
    }
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.timers.is_empty() && self.records.is_empty()
    }
}

/// What one broker input works with: the current time, the world's shared stores (message
/// contents and the strings they use — the broker reads them, adds dead-letter copies and
/// error texts, but does not own them), and where the effects go.
pub struct Cx<'a> {
    pub now: Time,
    pub msgs: &'a mut MessageStore,
    pub names: &'a mut Names,
    pub fx: &'a mut Effects,
}

/// How a queue was declared; kept after the queue is deleted, so old trace lines still
/// describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueMeta {
    pub name: Sym,
    pub durable: bool,
    pub exclusive: bool,
    pub auto_delete: bool,
    pub server_named: bool,
    pub args: queue::QueueArgs,
}

/// How an exchange was declared; kept after it is deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeMeta {
    pub name: Sym,
    pub kind: ExchangeKind,
    pub durable: bool,
}

/// The broker.
#[derive(Clone, Debug)]
pub struct Broker {
    pub cfg: BrokerConfig,
    pub up: bool,
    /// Bumped at every crash and restart; stale timers carry an older one.
    pub epoch: u32,
    exchanges: Vec<Option<Exchange>>,
    exchange_meta: Vec<ExchangeMeta>,
    exchange_index: by_name::ByName<ExchangeId>,
    bindings: Vec<Binding>,
    queues: Vec<Option<Queue>>,
    queue_meta: Vec<QueueMeta>,
    queue_index: by_name::ByName<QueueId>,
    conns: Vec<Option<Conn>>,
    channels: Vec<Channel>,
    consumers: Vec<Consumer>,
    pub disk: Disk,
    rng: Rng,
    route_cache: publish::RouteCache,
    /// Direct reply-to: token → requesting channel, and back.
    reply_tokens: HashMap<Sym, ChannelId>,
    reply_token_of: HashMap<ChannelId, Sym>,
    /// Channels with confirms to send at the end of the current input.
    confirm_dirty: Vec<ChannelId>,
    /// Scratch space reused by acks (no allocation per ack).
    scratch_settled: Vec<channel::Unacked>,
    scratch_queues: Vec<QueueId>,
    /// Message copies offered to queues, counted for the world's cap on live copies.
    pub copies: CopyCount,
    /// The at-most-once dead letters of the current quorum command, published last one first.
    dl_batch: Option<Vec<(QueueId, queue::QMsg, message::DeadLetterReason)>>,
    /// Interned constants.
    pub(crate) sym: Consts,
}

#[derive(Clone, Debug)]
pub(crate) struct Consts {
    pub empty: Sym,
    pub reply_to: Sym,
    pub death: message::DeathKeys,
}

impl Broker {
    /// A broker with the default exchange and the `amq.*` exchanges, as RabbitMQ starts.
    /// `names` is the world's string table (the broker interns its constants there).
    pub fn new(cfg: BrokerConfig, names: &mut Names, rng: Rng) -> Broker {
        let sym =
            Consts { empty: names.intern(""), reply_to: names.intern("amq.rabbitmq.reply-to"), death: message::DeathKeys::new(names) };
        let mut b = Broker {
            cfg,
            up: true,
            epoch: 0,
            exchanges: Vec::new(),
            exchange_meta: Vec::new(),
            exchange_index: by_name::ByName::default(),
            bindings: Vec::new(),
            queues: Vec::new(),
            queue_meta: Vec::new(),
            queue_index: by_name::ByName::default(),
            conns: Vec::new(),
            channels: Vec::new(),
            consumers: Vec::new(),
            disk: Disk::default(),
            rng,
            route_cache: Default::default(),
            reply_tokens: HashMap::default(),
            reply_token_of: HashMap::default(),
            confirm_dirty: Vec::new(),
            scratch_settled: Vec::new(),
            scratch_queues: Vec::new(),
            copies: CopyCount::default(),
            dl_batch: None,
            sym,
        };
        let builtins = [
            ("", ExchangeKind::Direct),
            ("amq.direct", ExchangeKind::Direct),
            ("amq.fanout", ExchangeKind::Fanout),
            ("amq.topic", ExchangeKind::Topic),
            ("amq.headers", ExchangeKind::Headers),
            ("amq.match", ExchangeKind::Headers),
        ];
        for (name, kind) in builtins {
            let name = names.intern(name);
            b.add_exchange(declare::NewExchange {
                name,
                kind,
                durable: true,
                auto_delete: false,
                internal: false,
                alternate: None,
                builtin: true,
            });
        }
        b
    }

    // ----- lookups used by the world, the checks and the TUI

    /// The names of the headers dead-lettering adds (for [`message::message_headers`]).
    pub fn death_keys(&self) -> &message::DeathKeys {
        &self.sym.death
    }

    pub fn exchange(&self, id: ExchangeId) -> Option<&Exchange> {
        self.exchanges.get(id.idx()).and_then(|e| e.as_ref())
    }
    pub fn exchange_by_name(&self, name: Sym) -> Option<ExchangeId> {
        self.exchange_index.get(name)
    }
    /// The name an exchange had, even after it was deleted.
    pub fn exchange_name(&self, id: ExchangeId) -> Sym {
        self.exchange_meta.get(id.idx()).map(|m| m.name).unwrap_or(self.sym.empty)
    }
    /// What an exchange was declared as, even after it was deleted.
    pub fn exchange_meta(&self, id: ExchangeId) -> Option<&ExchangeMeta> {
        self.exchange_meta.get(id.idx())
    }
    /// Every exchange that exists now, in declaration order.
    pub fn live_exchanges(&self) -> impl Iterator<Item = &Exchange> {
        self.exchanges.iter().flatten()
    }
    pub fn binding(&self, id: crate::ids::BindingId) -> &Binding {
        &self.bindings[id.idx()]
    }
    pub fn queue(&self, id: QueueId) -> Option<&Queue> {
        self.queues.get(id.idx()).and_then(|q| q.as_ref())
    }
    pub fn queue_by_name(&self, name: Sym) -> Option<QueueId> {
        self.queue_index.get(name)
    }
    /// The name a queue had, even after it was deleted.
    pub fn queue_name(&self, id: QueueId) -> Sym {
        self.queue_meta.get(id.idx()).map(|m| m.name).unwrap_or(self.sym.empty)
    }
    /// What a queue was declared as, even after it was deleted.
    pub fn queue_meta(&self, id: QueueId) -> Option<&QueueMeta> {
        self.queue_meta.get(id.idx())
    }
    /// Every queue that exists now, in declaration order.
    pub fn live_queues(&self) -> impl Iterator<Item = &Queue> {
        self.queues.iter().flatten()
    }
    /// Every queue slot, for the TUI's snapshots (they store the ready messages apart).
    pub(crate) fn queue_slots_mut(&mut self) -> &mut [Option<Queue>] {
        &mut self.queues
    }
    pub fn consumer(&self, id: ConsumerId) -> &Consumer {
        &self.consumers[id.idx()]
    }
    pub fn channel(&self, id: ChannelId) -> &Channel {
        &self.channels[id.idx()]
    }
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }
    fn conn(&self, id: ConnId) -> Option<&Conn> {
        self.conns.get(id.idx()).and_then(|c| c.as_ref())
    }
    fn channel_of(&self, conn: ConnId, number: u16) -> Option<ChannelId> {
        self.conn(conn)?.channels.iter().find(|(n, _)| *n == number).map(|(_, c)| *c)
    }
    /// The queue a method names, resolving `""` to the channel's last declared queue.
    fn resolve_queue_ref(&self, ch: ChannelId, r: QueueRef) -> Sym {
        match r {
            QueueRef::Named(s) if s != self.sym.empty => s,
            _ => self.channels[ch.idx()].last_queue.unwrap_or(self.sym.empty),
        }
    }

    // ----- the one entry point for client methods

    /// Handles one method from a client's connection, on channel number `ch`.
    pub fn handle(&mut self, cx: &mut Cx<'_>, conn: ConnId, ch: u16, op: &Op) {
        if !self.up {
            return; // nobody is listening: the client's connection is already gone
        }
        match *op {
            Op::OpenConnection { owner } => {
                let i = conn.idx();
                if self.conns.len() <= i {
                    self.conns.resize(i + 1, None);
                }
                self.conns[i] = Some(Conn { id: conn, owner, open: true, channels: Vec::new(), closing: Vec::new() });
                cx.fx.frames.push((conn, Frame::ConnectionOpenOk));
                if owner != SETUP {
                    cx.fx.records.push(Record::Connected { client: owner });
                }
            }
            Op::CloseConnection => self.close_connection(cx, conn, Disconnect::Closed),
            Op::ChannelCloseOk => self.channel_close_ok(cx, conn, ch),
            Op::ConnectionDropped { why } => self.close_connection(cx, conn, why),
            Op::OpenChannel => {
                let Some(c) = self.conns.get_mut(conn.idx()).and_then(|c| c.as_mut()) else {
                    return;
                };
                if !c.open || c.channels.iter().any(|(n, _)| *n == ch) {
                    return;
                }
                let id = ChannelId(self.channels.len() as u32);
                c.channels.push((ch, id));
                let owner = c.owner;
                let mut channel = Channel::new(id, conn, ch, owner);
                channel.last_active = cx.now;
                channel.tick_origin = cx.now;
                self.channels.push(channel);
                cx.fx.frames.push((conn, Frame::ChannelOpenOk { ch }));
            }
            _ => {
                let Some(chid) = self.channel_of(conn, ch) else {
                    return;
                };
                if !self.channels[chid.idx()].open {
                    return; // frames on a closed channel are discarded
                }
                self.channel_active(cx.now, chid);
                if let Err(e) = self.channel_op(cx, chid, op) {
                    self.channel_error(cx, chid, e);
                }
            }
        }
        self.flush_confirms(cx);
    }

    fn channel_op(&mut self, cx: &mut Cx<'_>, ch: ChannelId, op: &Op) -> Result<(), AmqpError> {
        let conn = self.channels[ch.idx()].conn;
        let number = self.channels[ch.idx()].number;
        match *op {
            Op::CloseChannel => {
                self.close_channel(cx, ch, RequeueWhy::ChannelClosed, false);
                self.forget_channel(ch);
            }
            Op::ExchangeDeclare(ref d) => self.exchange_declare(cx, ch, d)?,
            Op::ExchangeDelete { name, if_unused } => self.exchange_delete(cx, ch, name, if_unused)?,
            Op::QueueDeclare(ref d) => self.queue_declare(cx, ch, d)?,
            Op::QueueBind { queue, exchange, key, ref args } => {
                let q = self.resolve_queue_ref(ch, queue);
                self.queue_bind(cx, ch, q, exchange, key, args.clone())?
            }
            Op::QueueUnbind { queue, exchange, key, ref args } => {
                let q = self.resolve_queue_ref(ch, queue);
                self.queue_unbind(cx, ch, q, exchange, key, args.clone())?
            }
            Op::ExchangeBind { destination, source, key, ref args } => {
                self.exchange_bind(cx, ch, destination, source, key, args.clone())?
            }
            Op::QueueDelete { queue, if_unused, if_empty } => {
                let q = self.resolve_queue_ref(ch, queue);
                self.queue_delete_method(cx, ch, q, if_unused, if_empty)?
            }
            Op::QueuePurge { queue } => {
                let q = self.resolve_queue_ref(ch, queue);
                self.queue_purge(cx, ch, q)?
            }
            Op::Qos { prefetch, prefetch_size, global } => {
                if prefetch_size != 0 {
                    return Err(AmqpError::prefetch_size());
                }
                let lifted = self.channels[ch.idx()].global_prefetch;
                self.channels[ch.idx()].qos(prefetch, global);
                if global || lifted > 0 {
                    cx.fx.records.push(Record::QosApplied { client: self.channels[ch.idx()].owner, prefetch, global });
                }
                cx.fx.frames.push((conn, Frame::QosOk { ch: number }));
                // A raised or lifted channel-wide limit lets its consumers take more at once.
                self.run_channel_queues(cx, ch);
            }
            Op::Consume { queue, tag, no_ack, exclusive, priority } => {
                let q = self.resolve_queue_ref(ch, queue);
                self.basic_consume(cx, ch, dispatch::Subscribe { queue: q, tag, no_ack, exclusive, priority })?
            }
            Op::Cancel { tag } => self.basic_cancel(cx, ch, tag),
            Op::Publish { msg } => self.basic_publish(cx, ch, msg)?,
            Op::Ack { tag, multiple } => self.basic_ack(cx, ch, tag, multiple)?,
            Op::Nack { tag, multiple, requeue } => self.basic_nack(cx, ch, tag, multiple, requeue, true)?,
            Op::Reject { tag, requeue } => self.basic_nack(cx, ch, tag, false, requeue, false)?,
            Op::Get { queue, no_ack } => {
                let q = self.resolve_queue_ref(ch, queue);
                self.basic_get(cx, ch, q, no_ack)?
            }
            Op::Recover { requeue } => {
                if !requeue {
                    return Err(AmqpError::recover_requeue_false());
                }
                self.requeue_all(cx, ch, RequeueWhy::Recover);
                cx.fx.frames.push((conn, Frame::RecoverOk { ch: number }));
            }
            Op::ConfirmSelect => {
                let c = &mut self.channels[ch.idx()];
                if c.tx {
                    return Err(AmqpError::tx_to_confirm());
                }
                c.confirm = true;
                cx.fx.frames.push((conn, Frame::SelectOk { ch: number }));
            }
            Op::TxSelect => {
                let c = &mut self.channels[ch.idx()];
                if c.confirm {
                    return Err(AmqpError::confirm_to_tx());
                }
                c.tx = true;
                cx.fx.frames.push((conn, Frame::SelectOk { ch: number }));
            }
            Op::OpenConnection { .. } | Op::CloseConnection | Op::ConnectionDropped { .. } | Op::OpenChannel | Op::ChannelCloseOk => {}
        }
        Ok(())
    }

    /// Closes a channel (or its connection) with an AMQP error, as RabbitMQ does.
    fn channel_error(&mut self, cx: &mut Cx<'_>, ch: ChannelId, e: AmqpError) {
        let c = &self.channels[ch.idx()];
        let (conn, number, owner) = (c.conn, c.number, c.owner);
        let text = cx.names.intern(&e.text);
        let code = e.code.code();
        cx.fx.records.push(Record::ChannelError { client: owner, code, text, connection: e.connection });
        if e.connection {
            cx.fx.frames.push((conn, Frame::ConnectionClosed { code, text }));
            self.close_connection(cx, conn, Disconnect::ConnectionError(code));
        } else {
            cx.fx.frames.push((conn, Frame::ChannelClosed { ch: number, code, text }));
            self.close_channel(cx, ch, RequeueWhy::ChannelError(code), true);
            self.forget_channel(ch);
            // What is left (quorum consumers, what they hold) goes at close-ok.
            let left = &self.channels[ch.idx()];
            if !left.unacked.is_empty() || !left.consumers.is_empty() {
                if let Some(c) = self.conns.get_mut(conn.idx()).and_then(|c| c.as_mut()) {
                    c.closing.push((number, ch, code));
                }
            }
        }
    }

    /// The client answered a `channel.close` the broker sent: the channel process stops, and
    /// the quorum queues take back what it held (`rabbit_channel` notifies only classic queues
    /// at the error itself; a quorum queue sees its consumer's process go down).
    fn channel_close_ok(&mut self, cx: &mut Cx<'_>, conn: ConnId, number: u16) {
        let Some(c) = self.conns.get_mut(conn.idx()).and_then(|c| c.as_mut()) else {
            return;
        };
        let Some(i) = c.closing.iter().position(|(n, _, _)| *n == number) else {
            return;
        };
        let (_, ch, code) = c.closing.remove(i);
        self.end_closing(cx, ch, RequeueWhy::ChannelError(code));
    }

    /// The channel process of a channel closed with an error stops: its quorum consumers go
    /// (on a single-active-consumer queue the next takes over) and their queues take back
    /// what it held, delivered to it before or after the error.
    fn end_closing(&mut self, cx: &mut Cx<'_>, ch: ChannelId, why: RequeueWhy) {
        let kept = std::mem::take(&mut self.channels[ch.idx()].consumers);
        let left = self.unregister_all(cx, kept);
        self.requeue_all(cx, ch, why);
        self.after_consumers_left(cx, left);
    }

    fn forget_channel(&mut self, ch: ChannelId) {
        let conn = self.channels[ch.idx()].conn;
        if let Some(c) = self.conns.get_mut(conn.idx()).and_then(|c| c.as_mut()) {
            c.channels.retain(|(_, id)| *id != ch);
        }
    }

    /// A connection ends: the client closed it, crashed, was cut off, or the broker closed it
    /// with an error. Its channels close (unacked messages requeued) and its exclusive queues
    /// are deleted.
    pub fn close_connection(&mut self, cx: &mut Cx<'_>, conn: ConnId, why: Disconnect) {
        let Some(c) = self.conns.get_mut(conn.idx()).and_then(|c| c.as_mut()) else {
            return;
        };
        if !c.open {
            return;
        }
        c.open = false;
        let owner = c.owner;
        let channels: Vec<ChannelId> = c.channels.iter().map(|(_, id)| *id).collect();
        let requeue_why = match why {
            Disconnect::Closed => RequeueWhy::ChannelClosed,
            Disconnect::ConnectionError(code) => RequeueWhy::ChannelError(code),
            Disconnect::BrokerStopped => RequeueWhy::BrokerStopping,
            _ => RequeueWhy::ConnectionLost,
        };
        for ch in channels {
            self.close_channel(cx, ch, requeue_why, false);
        }
        let closing = std::mem::take(&mut self.conns[conn.idx()].as_mut().expect("open").closing);
        for (_, ch, _) in closing {
            self.end_closing(cx, ch, requeue_why);
        }
        if let Disconnect::ConnectionError(_) = why {
            cx.fx.records.push(Record::Disconnected { client: owner, why });
        }
        // Exclusive queues die with their connection.
        let owned: Vec<QueueId> = self.live_queues().filter(|q| q.exclusive == Some(conn)).map(|q| q.id).collect();
        for q in owned {
            self.delete_queue(cx, q, QueueGone::ExclusiveOwnerGone);
        }
        self.flush_confirms(cx);
    }

    /// Closes a channel: cancels its consumers, requeues what it held unacked (at the
    /// messages' original positions, flagged redelivered), then applies auto-delete. With
    /// `hold_quorum` (the broker closed it with an error) its consumers of quorum queues and
    /// what it holds from them stay until the client's `channel.close-ok`
    /// ([`Broker::channel_close_ok`]): `rabbit_channel` notifies only classic queues at the
    /// error, and a quorum queue sees the consumer go only when the channel process stops.
    fn close_channel(&mut self, cx: &mut Cx<'_>, ch: ChannelId, why: RequeueWhy, hold_quorum: bool) {
        if !self.channels[ch.idx()].open {
            return;
        }
        self.channels[ch.idx()].open = false;
        let consumers = std::mem::take(&mut self.channels[ch.idx()].consumers);
        let (kept, gone): (Vec<ConsumerId>, Vec<ConsumerId>) = consumers.into_iter().partition(|c| hold_quorum && self.on_quorum_queue(*c));
        self.channels[ch.idx()].consumers = kept;
        let left = self.unregister_all(cx, gone);
        self.channels[ch.idx()].reply_consumer = None;
        self.requeue_held(cx, ch, why, hold_quorum);
        // Confirms still owed on this channel will never be sent.
        let c = &mut self.channels[ch.idx()];
        c.unconfirmed.clear();
        c.batch_acks.clear();
        c.batch_nacks.clear();
        self.after_consumers_left(cx, left);
    }

    fn on_quorum_queue(&self, c: ConsumerId) -> bool {
        let q = self.consumers[c.idx()].queue;
        self.queues.get(q.idx()).and_then(|x| x.as_ref()).is_some_and(|x| x.is_quorum())
    }

    /// Takes consumers of a closed channel out of their queues (on a single-active-consumer
    /// queue the next one takes over). Then, once what the channel held is back,
    /// [`Broker::after_consumers_left`].
    fn unregister_all(&mut self, cx: &mut Cx<'_>, consumers: Vec<ConsumerId>) -> ConsumersLeft {
        let mut left = ConsumersLeft::default();
        for c in consumers {
            let q = self.consumers[c.idx()].queue;
            self.consumers[c.idx()].active = false;
            if self.unregister_consumer(cx, q, c) {
                left.taken_over.push(q);
            }
            if !left.touched.contains(&q) {
                left.touched.push(q);
            }
        }
        left
    }

    /// The queues run for the consumers that took over; a queue left without consumers may
    /// auto-delete or start its `x-expires` clock.
    fn after_consumers_left(&mut self, cx: &mut Cx<'_>, left: ConsumersLeft) {
        for q in left.taken_over {
            self.run_queue(cx, q);
        }
        for q in left.touched {
            self.after_consumer_left(cx, q);
        }
    }

    /// After a consumer went away: auto-delete the queue if it was its last, or start the
    /// `x-expires` clock.
    fn after_consumer_left(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let Some(queue) = self.queues[q.idx()].as_ref() else {
            return;
        };
        if !queue.consumers.is_empty() {
            return;
        }
        if queue.auto_delete && queue.had_consumer {
            self.delete_queue(cx, q, QueueGone::AutoDelete);
        } else {
            self.touch_queue(cx, q);
        }
    }

    /// Sends the confirms decided while handling this input, coalesced per channel.
    #[inline]
    fn flush_confirms(&mut self, cx: &mut Cx<'_>) {
        if !self.confirm_dirty.is_empty() {
            self.flush_dirty_confirms(cx);
        }
    }

    #[inline(never)]
    fn flush_dirty_confirms(&mut self, cx: &mut Cx<'_>) {
        let mut dirty = std::mem::take(&mut self.confirm_dirty);
        dirty.sort_unstable();
        dirty.dedup();
        for ch in dirty.drain(..) {
            let c = &mut self.channels[ch.idx()];
            if c.batch_acks.is_empty() && c.batch_nacks.is_empty() {
                continue;
            }
            if !c.open {
                c.batch_acks.clear();
                c.batch_nacks.clear();
                continue;
            }
            for (seq, multiple, ack) in c.coalesce() {
                let frame = if ack { Frame::Ack { ch: c.number, seq, multiple } } else { Frame::Nack { ch: c.number, seq, multiple } };
                cx.fx.frames.push((c.conn, frame));
                cx.fx.records.push(Record::Confirm { client: c.owner, seq, multiple, ack });
            }
        }
        self.confirm_dirty = dirty;
    }

    /// A timer the broker asked for has come due.
    pub fn on_timer(&mut self, cx: &mut Cx<'_>, t: BrokerTimer) {
        if !self.up {
            return;
        }
        match t {
            BrokerTimer::Ttl { q, at, epoch } if epoch == self.epoch => self.on_ttl_timer(cx, q, at),
            BrokerTimer::Expires { q, at, epoch } if epoch == self.epoch => self.on_expires_timer(cx, q, at),
            BrokerTimer::Sync { epoch } if epoch == self.epoch => self.sync(cx),
            BrokerTimer::ConsumerTimeout { ch, at, epoch } if epoch == self.epoch => self.on_consumer_timeout(cx, ch, at),
            BrokerTimer::DeadLetterRetry { q, epoch } if epoch == self.epoch => self.on_dead_letter_retry(cx, q),
            _ => {}
        }
        self.flush_confirms(cx);
    }

    /// A fresh server-generated queue name: `amq.gen-` and 22 characters of `[A-Za-z0-9_-]`.
    fn generate_queue_name(&mut self, names: &mut Names) -> Sym {
        use rand::RngExt;
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        loop {
            let mut s = String::from("amq.gen-");
            for _ in 0..22 {
                s.push(ALPHABET[self.rng.random_range(0..64usize)] as char);
            }
            if names.lookup(&s).and_then(|sym| self.queue_by_name(sym)).is_none() {
                return names.intern(&s);
            }
        }
    }

    /// Who a record should name as the actor behind a channel.
    fn actor_of(&self, ch: ChannelId) -> Actor {
        let owner = self.channels[ch.idx()].owner;
        if owner == SETUP {
            Actor::Setup
        } else {
            Actor::Client(owner)
        }
    }

    /// Total ready and unacked messages (for summaries).
    pub fn totals(&self) -> (u64, u64) {
        let mut ready = 0;
        let mut unacked = 0;
        for q in self.live_queues() {
            ready += q.ready.len() as u64;
            unacked += q.unacked as u64;
        }
        (ready, unacked)
    }
}
