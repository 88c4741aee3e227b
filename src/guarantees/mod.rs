//! Delivery guarantees, checked on a finished run's trace and final state: a layer of its own,
//! above the world (it reads the trace and the broker's state) and below everything that asks
//! for a check — `expect: { guarantee: G }` items (the session), `warren explore` and the
//! property tests. It knows no scenario file and no explorer.
//!
//! Each guarantee is a rule RabbitMQ documents (see `docs/guarantees.md` for the sources).
//! Some are invariants of the broker that must hold whatever happens (conservation, the
//! redelivered flag, the prefetch bound, at-most-once for auto-ack, at-least-once for
//! confirmed persistent messages with manual acks); `exactly-once` holds only without faults
//! or requeues; `no-loss` is what users often *assume* — that nothing published is ever lost —
//! and faults break it: that is what `warren explore` is for.
//!
//! One checker per guarantee, each in its own file, each replaying the trace on its own:
//! `conservation.rs`, `at_most_once.rs`, `at_least_once.rs`, `exactly_once.rs`,
//! `redelivered_flag.rs`, `prefetch.rs`, `no_loss.rs`. A checker returns where and how the
//! guarantee broke; [`check`] names the guarantee in the [`Violation`].

mod at_least_once;
mod at_most_once;
mod conservation;
mod exactly_once;
mod no_loss;
mod prefetch;
mod redelivered_flag;

use crate::ids::{MsgId, QueueId};
use crate::record::Record;
use crate::sim::{Stamped, Time};
use crate::world::World;

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Guarantee {
    Conservation,
    AtMostOnce,
    AtLeastOnce,
    ExactlyOnce,
    RedeliveredFlag,
    Prefetch,
    NoLoss,
}

impl Guarantee {
    pub const ALL: [Guarantee; 7] = [
        Guarantee::Conservation,
        Guarantee::AtMostOnce,
        Guarantee::AtLeastOnce,
        Guarantee::ExactlyOnce,
        Guarantee::RedeliveredFlag,
        Guarantee::Prefetch,
        Guarantee::NoLoss,
    ];

    /// The broker's own invariants: checked by `warren explore` on every scenario.
    pub const INVARIANTS: [Guarantee; 5] =
        [Guarantee::Conservation, Guarantee::AtMostOnce, Guarantee::AtLeastOnce, Guarantee::RedeliveredFlag, Guarantee::Prefetch];

    pub fn name(self) -> &'static str {
        match self {
            Guarantee::Conservation => "conservation",
            Guarantee::AtMostOnce => "at-most-once",
            Guarantee::AtLeastOnce => "at-least-once",
            Guarantee::ExactlyOnce => "exactly-once",
            Guarantee::RedeliveredFlag => "redelivered-flag",
            Guarantee::Prefetch => "prefetch",
            Guarantee::NoLoss => "no-loss",
        }
    }

    pub fn parse(s: &str) -> Option<Guarantee> {
        Guarantee::ALL.into_iter().find(|g| g.name() == s)
    }

    /// One line: what the guarantee says.
    pub fn statement(self) -> &'static str {
        match self {
            Guarantee::Conservation => "every message copy routed to a queue ends with exactly one fate, or is still in its queue",
            Guarantee::AtMostOnce => "a message delivered with auto-ack is delivered at most once",
            Guarantee::AtLeastOnce => "a confirmed persistent message in a durable queue, consumed with manual acks, is never lost and is acked once a consumer stays up",
            Guarantee::ExactlyOnce => "without faults or requeues, each copy is delivered once, in publish order per publisher",
            Guarantee::RedeliveredFlag => "a delivery with redelivered=false is the copy's first delivery",
            Guarantee::Prefetch => "a consumer never holds more unacked messages than its prefetch",
            Guarantee::NoLoss => "every message that reached a queue is processed or still waits: none is lost",
        }
    }
}

/// A broken guarantee: which, when, and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub guarantee: Guarantee,
    pub at: Time,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} broken at {}: {}", self.guarantee.name(), self.at, self.detail)
    }
}

/// A message copy: one message in one queue.
type Copy = (MsgId, QueueId);

/// What a checker found: `Err((when, what happened))` if its guarantee broke.
type Found = Result<(), (Time, String)>;

fn body(world: &World, m: MsgId) -> String {
    world.msgs.get(m).body.render(&world.names).into_owned()
}

fn copy_text(world: &World, (m, q): Copy) -> String {
    format!("#{} {:?} in {}", m.0 + 1, body(world, m), world.names.get(world.broker.queue_name(q)))
}

/// Checks one guarantee against a finished run.
pub fn check(g: Guarantee, world: &World, records: &[Stamped<Record>]) -> Result<(), Violation> {
    let found = match g {
        Guarantee::Conservation => conservation::check(world, records),
        Guarantee::AtMostOnce => at_most_once::check(world, records),
        Guarantee::AtLeastOnce => at_least_once::check(world, records),
        Guarantee::ExactlyOnce => exactly_once::check(world, records),
        Guarantee::RedeliveredFlag => redelivered_flag::check(world, records),
        Guarantee::Prefetch => prefetch::check(world, records),
        Guarantee::NoLoss => no_loss::check(world, records),
    };
    found.map_err(|(at, detail)| Violation { guarantee: g, at, detail })
}
