//! The safety caps that bound a run whatever its file says: events, simulated time, live
//! message copies and estimated memory. Each is counted in the engine, deterministically (no
//! wall clock, no allocator query): the same scenario stops at the same event everywhere.
//!
//! Live copies are counted exactly every [`RECOUNT_EVERY`] events, or sooner when an upper
//! bound (the last count plus every copy the broker has offered to a queue since, plus what
//! is in flight) passes the cap; within one input the broker refuses copies past twice the
//! cap, so no single event can grow without bound. The memory estimate is a sum of counts
//! times sizes: the message store, the kept trace, the live copies and the pending events;
//! it is checked every [`MEMORY_EVERY`] events (and at a recount, at the end of a run, and
//! after a change made outside an event).

use super::plan::{Cap, CapSource, Limits};
use crate::sim::Time;
use std::fmt;

/// The memory estimate is checked after every this many events (those whose count is a
/// multiple of it), whenever the live copies are recounted, when a run ends, and before the
/// next event when the world changed outside one (the start, a fault injected live). The
/// live copies' upper bound is checked after every event. The estimate after every event
/// cost about 3 % of a run's instructions; this way a run goes at most this many events past
/// the memory cap, each of them bounded (the copies by the broker's refusal, see above), and
/// still stops at the same event everywhere, whether it is stepped or run.
pub const MEMORY_EVERY: u64 = 8;

/// Live copies are counted exactly at least this often (in events).
pub const RECOUNT_EVERY: u64 = 4096;

/// Bytes one live copy is taken to cost: a queue entry or an unacked entry, with room for
/// the container's slack.
pub const COPY_BYTES: u64 = 64;

/// Bytes one pending event is taken to cost (the heap entry and its parked payload).
pub const EVENT_BYTES: u64 = 64;

/// Where the live copies were when they were counted.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveCopies {
    /// Ready in a queue.
    pub ready: u64,
    /// Delivered, not yet acked.
    pub unacked: u64,
    /// Methods and frames on the wire, deliveries in consumers' buffers, copies waiting for
    /// a disk sync.
    pub in_flight: u64,
    /// One input made more copies than twice the cap: the broker refused the rest.
    pub refused: bool,
}

impl LiveCopies {
    pub fn total(&self) -> u64 {
        self.ready + self.unacked + self.in_flight
    }
}

/// The memory estimate, by part, in bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Every message and property set of the run (kept to render any trace line).
    pub store: u64,
    /// The kept trace (`run` without `--quiet`, the TUI; not `check` or `--quiet`).
    pub trace: u64,
    /// Live message copies.
    pub copies: u64,
    /// Pending events and what they carry.
    pub events: u64,
}

impl MemoryEstimate {
    pub fn total(&self) -> u64 {
        self.store + self.trace + self.copies + self.events
    }
}

/// What the run had done when a cap stopped it (for the hint).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSoFar {
    pub events: u64,
    pub published: u64,
    pub requeued: u64,
    pub dead_lettered: u64,
}

/// A safety cap that stopped a run: which one, its value and where it came from, and the
/// counts that reached it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CapHit {
    Events { limit: u64, at: Time, source: CapSource, so_far: RunSoFar },
    Time { limit: Time, source: CapSource },
    Messages { limit: u64, at: Time, source: CapSource, live: LiveCopies, so_far: RunSoFar },
    Memory { limit: u64, at: Time, source: CapSource, estimate: MemoryEstimate, so_far: RunSoFar },
}

impl CapHit {
    pub fn cap(&self) -> Cap {
        match self {
            CapHit::Events { .. } => Cap::Events,
            CapHit::Time { .. } => Cap::Time,
            CapHit::Messages { .. } => Cap::Messages,
            CapHit::Memory { .. } => Cap::Memory,
        }
    }

    /// The cap's value in its unit (events, µs, copies, bytes).
    pub fn limit(&self) -> u64 {
        match *self {
            CapHit::Events { limit, .. } | CapHit::Messages { limit, .. } | CapHit::Memory { limit, .. } => limit,
            CapHit::Time { limit, .. } => limit.as_us(),
        }
    }

    pub fn source(&self) -> CapSource {
        match *self {
            CapHit::Events { source, .. }
            | CapHit::Time { source, .. }
            | CapHit::Messages { source, .. }
            | CapHit::Memory { source, .. } => source,
        }
    }

    /// Why the run may have got there, from its counts.
    fn hint(&self) -> Option<&'static str> {
        let so_far = match self {
            CapHit::Events { so_far, .. } | CapHit::Messages { so_far, .. } | CapHit::Memory { so_far, .. } => so_far,
            CapHit::Time { .. } => return Some("give the scenario an `until:`"),
        };
        let busy = so_far.events / 8;
        if so_far.requeued > busy {
            Some("a message may be requeued forever with no work time")
        } else if so_far.dead_lettered > busy {
            Some("messages may cycle through dead-letter exchanges forever")
        } else if so_far.published > busy {
            Some("the scenario publishes more than a run can hold: lower its counts")
        } else {
            None
        }
    }
}

/// A value in a cap's unit, for people.
fn show(cap: Cap, v: u64) -> String {
    match cap {
        Cap::Time => Time(v).to_string(),
        Cap::Memory => format!("{} MB", v.div_ceil(1 << 20)),
        Cap::Events | Cap::Messages => v.to_string(),
    }
}

/// The flag's value to lift a cap: ten times the current one.
fn lifted(cap: Cap, v: u64) -> String {
    let v = v.saturating_mul(10);
    match cap {
        Cap::Time => format!("{}s", v.div_ceil(1_000_000)),
        Cap::Memory => format!("{}MB", v.div_ceil(1 << 20)),
        Cap::Events | Cap::Messages => v.to_string(),
    }
}

impl fmt::Display for CapHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cap = self.cap();
        let limit = show(cap, self.limit());
        match *self {
            CapHit::Events { at, so_far, .. } => {
                write!(f, "the run hit its cap of {limit} events at {at} ({} published, {} requeued)", so_far.published, so_far.requeued)?
            }
            CapHit::Time { .. } => write!(f, "the run reached its cap of {limit} simulated time and was stopped")?,
            CapHit::Messages { at, live, .. } => {
                write!(
                    f,
                    "the run hit its cap of {limit} live message copies at {at}: {} ready, {} unacked, {} in flight",
                    live.ready, live.unacked, live.in_flight
                )?;
                if live.refused {
                    write!(f, " (one event alone made more than twice that many)")?;
                }
            }
            CapHit::Memory { at, estimate: e, .. } => write!(
                f,
                "the run hit its memory cap of {limit} at {at}: an estimated {} for the message store, {} for the kept trace, {} for live copies, {} for pending events",
                show(Cap::Memory, e.store),
                show(Cap::Memory, e.trace),
                show(Cap::Memory, e.copies),
                show(Cap::Memory, e.events)
            )?,
        }
        let (key, flag) = (cap.key(), cap.flag());
        match self.source() {
            CapSource::Default => write!(f, "; the cap is the default ({key})")?,
            CapSource::File => write!(f, "; the cap is the scenario's {key}")?,
            CapSource::FileOverCeiling { asked } => {
                write!(f, "; the scenario's {key} asks for {}, but a file may raise it only to {limit}", show(cap, asked))?
            }
            CapSource::CommandLine => write!(f, "; the cap is the command line's {flag}")?,
        }
        if let Some(h) = self.hint() {
            write!(f, "; {h}")?;
        }
        write!(f, "; to lift it, pass {flag} {}", lifted(cap, self.limit()))
    }
}

impl std::error::Error for CapHit {}

/// Checks a memory estimate against the limits.
#[inline]
pub fn memory_over(limits: &Limits, e: &MemoryEstimate) -> bool {
    e.total() > limits.max_memory
}
