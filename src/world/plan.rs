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

/// Safety caps: no input runs forever.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_events: u64,
    pub max_time: Time,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_events: 50_000_000, max_time: Time::secs(24 * 3600) }
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
