//! What a world is built from: the validated scenario, resolved to ids.

use crate::broker::message::MessageStore;
use crate::broker::ops::Op;
use crate::broker::BrokerConfig;
use crate::client::spec::ClientSpec;
use crate::ids::ClientId;
use crate::names::Names;
use crate::sim::Time;
use std::sync::Arc;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    Crash(ClientId),
    Restart(ClientId),
    BrokerCrash,
    /// A graceful stop (`rabbitmqctl stop`).
    BrokerStop,
    BrokerRestart,
    Delay {
        client: ClientId,
        by: Time,
    },
    Partition(ClientId),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FaultSpec {
    pub at: Time,
    pub until: Option<Time>,
    pub kind: FaultKind,
}

/// One of the safety caps that bound a run whatever its file says.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cap {
    /// Events processed (`limits.events`, `--max-events`).
    Events,
    /// Simulated time (`limits.time`, `--max-time`).
    Time,
    /// Live message copies: ready and unacked in every queue, and in flight or in client
    /// buffers (`limits.messages`, `--max-messages`).
    Messages,
    /// The run's estimated memory: the message store, the kept trace, the live copies and
    /// the pending events, computed from their counts (`limits.memory`, `--max-memory`).
    Memory,
}

impl Cap {
    pub const ALL: [Cap; 4] = [Cap::Events, Cap::Time, Cap::Messages, Cap::Memory];

    /// The scenario key that sets it.
    pub fn key(self) -> &'static str {
        match self {
            Cap::Events => "limits.events",
            Cap::Time => "limits.time",
            Cap::Messages => "limits.messages",
            Cap::Memory => "limits.memory",
        }
    }

    /// The command-line flag that sets it beyond the ceiling.
    pub fn flag(self) -> &'static str {
        match self {
            Cap::Events => "--max-events",
            Cap::Time => "--max-time",
            Cap::Messages => "--max-messages",
            Cap::Memory => "--max-memory",
        }
    }
}

/// Where a cap's value came from (said when it is hit).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CapSource {
    /// Warren's default.
    Default,
    /// The scenario's `limits:`.
    File,
    /// The scenario asked for this much (in the cap's unit: events, µs, copies, bytes) but a
    /// file may raise a cap only up to the ceiling; the ceiling applies.
    FileOverCeiling { asked: u64 },
    /// A command-line flag (which may go beyond the ceiling).
    CommandLine,
}

/// Safety caps: no input runs forever or grows without bound, whatever its file says.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_events: u64,
    pub max_time: Time,
    /// Live message copies (see [`Cap::Messages`]).
    pub max_messages: u64,
    /// Estimated bytes (see [`Cap::Memory`]).
    pub max_memory: u64,
    /// Where each value came from, in [`Cap::ALL`] order.
    pub source: [CapSource; 4],
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 50_000_000,
            max_time: Time::secs(24 * 3600),
            max_messages: 10_000_000,
            max_memory: 1 << 30,
            source: [CapSource::Default; 4],
        }
    }
}

impl Limits {
    /// The most a scenario file may ask for without a command-line flag.
    pub const CEILING: Limits = Limits {
        max_events: 50_000_000,
        max_time: Time::secs(365 * 24 * 3600),
        max_messages: 10_000_000,
        max_memory: 1 << 30,
        source: [CapSource::Default; 4],
    };

    /// A cap's value in its unit (events, µs, copies, bytes).
    pub fn get(&self, cap: Cap) -> u64 {
        match cap {
            Cap::Events => self.max_events,
            Cap::Time => self.max_time.as_us(),
            Cap::Messages => self.max_messages,
            Cap::Memory => self.max_memory,
        }
    }

    fn put(&mut self, cap: Cap, v: u64, source: CapSource) {
        match cap {
            Cap::Events => self.max_events = v,
            Cap::Time => self.max_time = Time(v),
            Cap::Messages => self.max_messages = v,
            Cap::Memory => self.max_memory = v,
        }
        self.source[cap as usize] = source;
    }

    pub fn source(&self, cap: Cap) -> CapSource {
        self.source[cap as usize]
    }

    /// What a scenario file asks for: lowered freely, raised only up to [`Limits::CEILING`].
    pub fn from_file(&self, cap: Cap, asked: u64) -> Limits {
        let mut l = *self;
        let ceiling = Limits::CEILING.get(cap);
        if asked > ceiling {
            l.put(cap, ceiling, CapSource::FileOverCeiling { asked });
        } else {
            l.put(cap, asked, CapSource::File);
        }
        l
    }

    /// What the command line says: any value, beyond the ceiling too.
    pub fn from_command_line(&self, cap: Cap, v: u64) -> Limits {
        let mut l = *self;
        l.put(cap, v, CapSource::CommandLine);
        l
    }
}

/// Things scheduled at the start, in the order they appear in the file (events due at the
/// same instant happen in file order).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Initial {
    Start(ClientId),
    Fault(u32),
    Note(u32),
}

#[derive(Clone, Debug)]
pub struct WorldPlan {
    pub seed: u64,
    pub broker: BrokerConfig,
    /// One-way latency between any client and the broker.
    pub latency: Time,
    pub until: Option<Time>,
    pub limits: Limits,
    /// Declarations made by the scenario's setup at t = 0.
    pub setup_ops: Vec<Op>,
    pub clients: Vec<Arc<ClientSpec>>,
    pub faults: Vec<FaultSpec>,
    pub note_times: Vec<Time>,
    pub order: Vec<Initial>,
    /// Names and message properties prepared by the scenario (publish entries' properties).
    pub names: Names,
    pub msgs: MessageStore,
}
