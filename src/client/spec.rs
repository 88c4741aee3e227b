//! What a scenario asks of each client, resolved to ids and ready-made AMQP methods. The
//! scenario layer builds these; the client state machines only read them.

use crate::broker::ops::Op;
use crate::ids::{PropsId, Sym};
pub use crate::record::ClientMethod;
use crate::sim::Time;

/// One actor of the scenario.
#[derive(Clone, Debug)]
pub struct ClientSpec {
    pub name: String,
    /// When it first connects.
    pub start: Time,
    /// After a lost connection (broker crash or stop, partition), try again this long after
    /// the broker is reachable. `None`: stay down until a `restart` fault.
    pub reconnect: Option<Time>,
    /// Extra one-way latency on this client's link, on top of the broker's.
    pub latency: Time,
    /// Methods sent on channel 1 right after connecting, before the role's own
    /// (declarations, `basic.qos`, `confirm.select`, bindings ...).
    pub connect_ops: Vec<Op>,
    pub role: RoleSpec,
}

#[derive(Clone, Debug)]
pub enum RoleSpec {
    Producer(ProducerSpec),
    Consumer(ConsumerSpec),
    RpcClient(RpcClientSpec),
}

#[derive(Clone, Debug)]
pub struct ProducerSpec {
    pub confirms: bool,
    pub entries: Vec<PublishEntry>,
}

/// `count` messages, the first at `at`, then one every `every`.
#[derive(Clone, Debug)]
pub struct PublishEntry {
    pub at: Time,
    pub every: Time,
    pub count: u32,
    /// Body template (`{n}` = 1, 2, 3 ... within the entry).
    pub body: Sym,
    /// Exchange, routing key, flags and headers, shared by every message of the entry.
    pub props: PropsId,
}

/// What a consumer does with a delivery once its work is done.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `basic.ack`.
    Ack,
    /// Nothing: the message stays unacked (the forgotten-ack pitfall).
    Forget,
    /// `basic.reject(requeue=false)`: dead-lettered or dropped.
    Reject,
    /// `basic.reject(requeue=true)`.
    RejectRequeue,
    /// `basic.nack(requeue=true)`.
    Requeue,
    /// `basic.nack(requeue=false)`.
    Nack,
    /// The consumer's process crashes while handling it (before acking).
    Crash,
    /// The work completes (an RPC server publishes its reply) but the process crashes before
    /// acking: the message will be delivered again.
    CrashBeforeAck,
}

/// How long one message takes to handle.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Work {
    Fixed(Time),
    Uniform(Time, Time),
    Exponential(Time),
}

/// The function an RPC server applies to a request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyFn {
    Echo,
    Fib,
    Increment,
    Upper,
    /// A template with `{body}`, e.g. `reply:{body}`.
    Template(String),
}

/// A per-message override of the consumer's usual action.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub body: Option<String>,
    pub redelivered: Option<bool>,
    /// Applies to the first `times` matching deliveries only.
    pub times: Option<u32>,
    pub action: Action,
}

#[derive(Clone, Debug)]
pub struct ConsumerSpec {
    /// The `basic.consume` to send after `connect_ops`.
    pub consume: Op,
    pub no_ack: bool,
    pub action: Action,
    pub work: Work,
    pub reply: Option<ReplyFn>,
    /// Publish replies with `mandatory` set.
    pub reply_mandatory: bool,
    pub rules: Vec<Rule>,
    /// Methods it sends at times of its own, in time order (`cancel:`, `qos:`, `recover:`).
    pub timed: Vec<(Time, ClientMethod)>,
    /// `ack_every`: settle with `multiple=true` once every N finished messages (0: each one).
    pub ack_every: u32,
    /// `get`: poll with `basic.get` this often (from `start`) instead of consuming.
    pub poll: Option<Time>,
    /// A poller stops at this time (its `cancel:`).
    pub poll_until: Option<Time>,
}

/// Where an RPC client wants its replies.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReplyMode {
    /// An exclusive server-named callback queue (tutorial six).
    Callback,
    /// `amq.rabbitmq.reply-to`.
    Direct,
    /// No `reply_to` at all: the article's bug.
    None,
}

#[derive(Clone, Debug)]
pub struct RpcClientSpec {
    /// Requests go through the default exchange to this queue.
    pub queue: Sym,
    pub calls: Vec<Sym>,
    pub every: Time,
    /// When the first call is made.
    pub first_call: Time,
    pub reply_to: ReplyMode,
    pub persistent: bool,
    /// The interned name `amq.rabbitmq.reply-to`.
    pub direct_queue: Sym,
}
