//! The scenario's actors: producers, consumers (RPC servers among them) and RPC clients.
//!
//! Each client is a small state machine driven by three inputs — connect, a frame from the
//! broker, a timer of its own — and answers with [`ClientOut`]: AMQP methods to send, timers
//! to set, trace records, and whether its process died. It never touches the broker; the
//! only shared things it writes are the world's message store and string table, lent to it
//! as a [`Wire`] ("the bytes on the wire": a client builds the messages it publishes).
//!
//! Client behaviour lives here, not in the world: what a broker's connection close means
//! for the process (a shutdown: reconnect; an error: pika raises and the program exits) is
//! [`Client::connection_closed`], and the world applies the [`AfterFrame`] it returns.
//!
//! A consumer handles deliveries one at a time in delivery order, as a pika callback does:
//! with prefetch 2 it holds two messages but works on one.

pub mod consumer;
pub mod producer;
pub mod rpc;
pub mod spec;
pub mod work;

use crate::broker::error::ReplyCode;
use crate::broker::message::MessageStore;
use crate::broker::ops::{Frame, Op};
use crate::ids::{ClientId, ConnId, MsgId};
use crate::names::Names;
use crate::record::{ClientLoss, NotSent, Record, ServerFailure};
use crate::sim::{Rng, Time};
use spec::{ClientSpec, RoleSpec};
use std::sync::Arc;

/// Write access to what travels on the wire: message contents and their strings.
pub struct Wire<'a> {
    pub msgs: &'a mut MessageStore,
    pub names: &'a mut Names,
}

/// What a client's role works with for one input: the time, who it is, the shared stores,
/// and where its output goes.
pub struct Cx<'a> {
    pub now: Time,
    pub me: ClientId,
    pub wire: Wire<'a>,
    pub out: &'a mut ClientOut,
}

/// A timer a client set.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientTimer {
    /// Publish message `k` (0-based) of entry `entry`.
    Publish { entry: u16, k: u32 },
    /// The current message's work is done.
    WorkDone,
    /// Make RPC call `i`.
    Call { i: u32 },
    /// Try to connect again.
    Reconnect,
    /// A consumer's timed method `i` (`cancel:`, `qos:`, `recover:`) falls due.
    Method { i: u16 },
    /// A `get:` poller's tick `k` (from 0, one every `get`) falls due.
    Poll { k: u32 },
}

impl ClientTimer {
    /// Schedule-driven timers run whether or not the client is up (a publish falls due even
    /// while its producer is down: it is then not sent). The others die with a crash.
    pub fn survives_crash(&self) -> bool {
        matches!(self, ClientTimer::Publish { .. } | ClientTimer::Call { .. } | ClientTimer::Method { .. } | ClientTimer::Poll { .. })
    }
}

/// What a client wants done after one input.
#[derive(Clone, Debug, Default)]
pub struct ClientOut {
    /// Methods to send, in order, with their channel number.
    pub ops: Vec<(u16, Op)>,
    pub timers: Vec<(Time, ClientTimer)>,
    pub records: Vec<Record>,
    /// The client's process died handling a message.
    pub failed: Option<(MsgId, ServerFailure)>,
}

impl ClientOut {
    #[inline]
    pub fn clear(&mut self) {
        // Methods have drop glue: clearing none still calls it.
        if !self.ops.is_empty() {
            self.ops.clear();
        }
        self.timers.clear();
        self.records.clear();
        self.failed = None;
    }
}

/// What the world must do after a client handled a frame.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[must_use]
pub enum AfterFrame {
    /// The process goes on.
    Continues,
    /// The process exited (pika raises `ConnectionClosedByBroker` and the program ends):
    /// frames still on their way to it are lost.
    Exited,
}

/// Whether the client is running and connected.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Status {
    NotStarted,
    Connected,
    /// Running, but its connection is gone (broker down, partition); it will reconnect.
    Disconnected,
    /// Its process is down (crashed, or failed on a message) until restarted.
    Down,
}

/// One delivery the client holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub tag: u64,
    pub msg: MsgId,
    pub redelivered: bool,
}

#[derive(Clone, Debug)]
pub enum RoleState {
    Producer(producer::ProducerState),
    Consumer(consumer::ConsumerState),
    RpcClient(rpc::RpcState),
}

#[derive(Clone, Debug)]
pub struct Client {
    pub id: ClientId,
    pub spec: Arc<ClientSpec>,
    pub status: Status,
    pub conn: Option<ConnId>,
    /// Channel 1 is open (a channel error closes it for good, until the next connection).
    pub channel_open: bool,
    /// Bumped whenever the client's process or connection starts over; stale timers and
    /// frames carry an older value.
    pub epoch: u32,
    pub rng: Rng,
    pub role: RoleState,
    /// A reconnect fell due while the client was busy with a message: it reconnects when done.
    pub reconnect_when_idle: bool,
    /// The broker closed this channel while the client was busy with a message: a blocking
    /// client (pika's) reads the `channel.close` only when its callback returns, and answers
    /// `channel.close-ok` then.
    pub close_ok_owed: Option<u16>,
}

impl Client {
    pub fn new(id: ClientId, spec: Arc<ClientSpec>, rng: Rng) -> Client {
        let role = match &spec.role {
            RoleSpec::Producer(p) => RoleState::Producer(producer::ProducerState::new(p)),
            RoleSpec::Consumer(_) => RoleState::Consumer(consumer::ConsumerState::default()),
            RoleSpec::RpcClient(_) => RoleState::RpcClient(rpc::RpcState::default()),
        };
        Client {
            id,
            spec,
            status: Status::NotStarted,
            conn: None,
            channel_open: false,
            epoch: 0,
            rng,
            role,
            reconnect_when_idle: false,
            close_ok_owed: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Whether a consumer is in the middle of a message's work.
    pub fn is_busy(&self) -> bool {
        matches!(&self.role, RoleState::Consumer(c) if c.busy.is_some())
    }

    pub fn is_up(&self) -> bool {
        matches!(self.status, Status::Connected | Status::Disconnected)
    }

    /// The first start: schedule-driven timers (publishes, calls) begin.
    pub fn on_start(&mut self, out: &mut ClientOut) {
        match (&mut self.role, &self.spec.role) {
            (RoleState::Producer(_), RoleSpec::Producer(p)) => producer::schedule_first(p, out),
            (RoleState::RpcClient(_), RoleSpec::RpcClient(r)) => rpc::schedule_first(r, out),
            (RoleState::Consumer(_), RoleSpec::Consumer(c)) => consumer::schedule_first(c, self.spec.start, out),
            _ => {}
        }
    }

    /// Opens a new connection `conn` and sends everything the client does on connecting.
    pub fn connect(&mut self, conn: ConnId, out: &mut ClientOut) {
        self.status = Status::Connected;
        self.conn = Some(conn);
        self.channel_open = true;
        self.epoch += 1;
        out.ops.push((0, Op::OpenConnection { owner: self.id }));
        out.ops.push((1, Op::OpenChannel));
        for op in &self.spec.connect_ops {
            out.ops.push((1, op.clone()));
        }
        match (&mut self.role, &self.spec.role) {
            (RoleState::Consumer(c), RoleSpec::Consumer(spec)) => c.on_connect(spec, out),
            (RoleState::RpcClient(r), RoleSpec::RpcClient(spec)) => r.on_connect(spec, out),
            _ => {}
        }
    }

    /// The connection died but the process lives (broker down, link cut).
    pub fn lost_connection(&mut self, out: &mut ClientOut) {
        if self.status != Status::Connected {
            return;
        }
        self.status = Status::Disconnected;
        self.conn = None;
        self.channel_open = false;
        let id = self.id;
        match &mut self.role {
            RoleState::Consumer(c) => c.lose_connection(id, out),
            RoleState::RpcClient(r) => r.on_lost(),
            RoleState::Producer(_) => {}
        }
    }

    /// The process dies (a crash fault, or its own failure on a message).
    pub fn crash(&mut self, out: &mut ClientOut) {
        self.status = Status::Down;
        self.reconnect_when_idle = false;
        self.close_ok_owed = None;
        self.conn = None;
        self.channel_open = false;
        self.epoch += 1;
        let id = self.id;
        match &mut self.role {
            RoleState::Consumer(c) => {
                c.drop_buffer(id, ClientLoss::CrashedUnprocessed, out);
                c.drop_busy(id, out);
            }
            RoleState::RpcClient(r) => r.on_lost(),
            RoleState::Producer(_) => {}
        }
    }

    /// The broker closed the connection. For a shutdown (320 CONNECTION_FORCED) the process
    /// lives on and reconnects; any other code is an error pika raises as
    /// `ConnectionClosedByBroker`, which ends the program.
    pub fn connection_closed(&mut self, code: u16, out: &mut ClientOut) -> AfterFrame {
        if ReplyCode::from_code(code) == Some(ReplyCode::ConnectionForced) {
            self.lost_connection(out);
            AfterFrame::Continues
        } else {
            self.crash(out);
            AfterFrame::Exited
        }
    }

    pub fn on_frame(&mut self, now: Time, frame: Frame, wire: Wire<'_>, out: &mut ClientOut) -> AfterFrame {
        match frame {
            Frame::ChannelClosed { ch, .. } => {
                self.channel_open = false;
                if self.is_busy() {
                    self.close_ok_owed = Some(ch);
                } else {
                    out.ops.push((ch, Op::ChannelCloseOk));
                }
                if let RoleState::Consumer(c) = &mut self.role {
                    c.lose_channel(self.id, out);
                }
                return AfterFrame::Continues;
            }
            Frame::ConnectionClosed { code, .. } => return self.connection_closed(code, out),
            _ => {}
        }
        let mut cx = Cx { now, me: self.id, wire, out };
        match (&mut self.role, &self.spec.role) {
            (RoleState::Consumer(c), RoleSpec::Consumer(spec)) => {
                c.on_frame(&mut cx, spec, &mut self.rng, frame);
            }
            (RoleState::RpcClient(r), RoleSpec::RpcClient(spec)) => {
                r.on_frame(&mut cx, &self.spec.name, spec, frame);
            }
            _ => {}
        }
        AfterFrame::Continues
    }

    /// Why nothing the client sends now would reach the broker; `None` if it can send.
    fn blocked(&self) -> Option<NotSent> {
        match self.status {
            Status::Connected if self.channel_open => None,
            Status::Connected => Some(NotSent::ChannelClosed),
            Status::Disconnected => Some(NotSent::NoConnection),
            Status::Down | Status::NotStarted => Some(NotSent::ClientDown),
        }
    }

    pub fn on_timer(&mut self, now: Time, t: ClientTimer, wire: Wire<'_>, out: &mut ClientOut) {
        let blocked = self.blocked();
        let mut cx = Cx { now, me: self.id, wire, out };
        match (&mut self.role, &self.spec.role, t) {
            (RoleState::Producer(p), RoleSpec::Producer(spec), ClientTimer::Publish { entry, k }) => {
                p.publish(&mut cx, spec, entry, k, blocked);
            }
            (RoleState::Consumer(c), RoleSpec::Consumer(spec), ClientTimer::WorkDone) => {
                c.work_done(&mut cx, spec, blocked.is_none(), &mut self.rng);
            }
            (RoleState::Consumer(c), RoleSpec::Consumer(spec), ClientTimer::Method { i }) => {
                c.timed_method(&mut cx, spec, i, blocked.is_none());
            }
            (RoleState::Consumer(c), RoleSpec::Consumer(spec), ClientTimer::Poll { k }) => {
                c.poll(&mut cx, spec, self.spec.start, k, blocked.is_none());
            }
            (RoleState::RpcClient(r), RoleSpec::RpcClient(spec), ClientTimer::Call { i }) => {
                r.call(&mut cx, &self.spec.name, spec, i, blocked);
            }
            _ => {}
        }
        if let Some(ch) = self.close_ok_owed.filter(|_| !self.is_busy()) {
            self.close_ok_owed = None;
            cx.out.ops.push((ch, Op::ChannelCloseOk));
        }
    }
}
