//! Time travel: the run as a sequence of engine events that can be walked both ways.
//!
//! Going forward is [`World::step`], one heap event at a time. Going back restores the
//! nearest snapshot at or before the target and replays forward to it: snapshots are kept
//! every `interval` events (the interval doubles whenever there are more than
//! [`MAX_SNAPSHOTS`] or they hold more than [`SNAPSHOT_BUDGET`] bytes, so memory stays
//! bounded and a step back costs at most one interval of replay). A snapshot shares the
//! world's big collections (the message store, the backlogs, what is in flight) chunk by
//! chunk with the snapshot before it ([`crate::world::snapshot`]), so it costs about what
//! changed in between. Faults injected live are kept with the event index at which they were injected
//! and re-applied when replaying; going back to or before that index drops them.
//!
//! Nothing here changes what the engine does: with no injected fault, stepping a timeline to
//! the end gives exactly the trace of `warren run`.

use crate::ids::ClientId;
use crate::record::{FaultRecord, Record};
use crate::scenario::Scenario;
use crate::sim::trace::TraceMark;
use crate::sim::{Time, Trace};
use crate::world::snapshot::Snapshot as WorldSnapshot;
use crate::world::{CapHit, FaultKind, World};
use std::sync::Arc;

/// Snapshots are taken every this many events at first.
pub const FIRST_INTERVAL: u64 = 256;
/// When there are more snapshots than this, every other one is dropped and the interval doubles.
/// (Snapshots share most of what they hold, so many are cheap: the byte budget below is what
/// bounds their memory; this bounds the bookkeeping.)
pub const MAX_SNAPSHOTS: usize = 256;
/// When the snapshots hold more bytes than this together, every other one is dropped and the
/// interval doubles (see [`WorldSnapshot::bytes`]).
pub const SNAPSHOT_BUDGET: usize = 160 << 20;

/// A fault the person at the keyboard injected.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    Crash(ClientId),
    Restart(ClientId),
    BrokerCrash,
    BrokerRestart,
    /// Cut the client's link to the broker.
    Cut(ClientId),
    /// Heal a cut link.
    Heal(ClientId),
}

/// A fault injected after `step` events, at simulated time `at`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Injection {
    pub step: u64,
    pub at: Time,
    pub fault: Fault,
}

#[derive(Clone, Debug)]
struct Snapshot {
    /// Events processed; the state is taken before any injection at this index.
    steps: u64,
    world: WorldSnapshot,
    mark: TraceMark,
}

/// For each record of the trace, the number of events processed when it was recorded. The
/// numbers never decrease; they are kept as their low 32 bits, with the record indices at
/// which the high bits change (4 bytes a record, not 8).
#[derive(Clone, Debug, Default)]
struct RecSteps {
    low: Vec<u32>,
    /// (first record index, high bits from there on), for high bits other than 0.
    high: Vec<(usize, u64)>,
}

impl RecSteps {
    fn push_n(&mut self, step: u64, n: usize) {
        if n == 0 {
            return;
        }
        let hi = step >> 32;
        if self.high.last().map_or(0, |h| h.1) != hi {
            self.high.push((self.low.len(), hi));
        }
        self.low.extend(std::iter::repeat_n(step as u32, n));
    }

    fn get(&self, i: usize) -> Option<u64> {
        let lo = *self.low.get(i)?;
        let k = self.high.partition_point(|h| h.0 <= i);
        let hi = if k == 0 { 0 } else { self.high[k - 1].1 };
        Some(hi << 32 | lo as u64)
    }

    fn len(&self) -> usize {
        self.low.len()
    }

    fn last(&self) -> Option<u64> {
        self.get(self.len().checked_sub(1)?)
    }

    /// The index of the first record produced at or after event `step`.
    fn first_from(&self, step: u64) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).is_some_and(|s| s < step) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn truncate(&mut self, n: usize) {
        self.low.truncate(n);
        while self.high.last().is_some_and(|h| h.0 >= n) {
            self.high.pop();
        }
    }
}

/// A run that can go back.
#[derive(Clone, Debug)]
pub struct Timeline {
    pub scenario: Arc<Scenario>,
    pub world: World,
    pub trace: Trace<Record>,
    /// For each record of the trace, the number of events processed when it was recorded
    /// (the index of the event that produced it, counting from 1).
    rec_step: RecSteps,
    snapshots: Vec<Snapshot>,
    interval: u64,
    injections: Vec<Injection>,
    /// How many of `injections` the world has had applied.
    applied: usize,
    /// The safety cap that stopped the run, if one did.
    pub cap: Option<CapHit>,
}

impl Timeline {
    pub fn new(scenario: Arc<Scenario>) -> Timeline {
        let mut world = World::new(scenario.plan.clone());
        let trace = Trace::new(true);
        let first = Snapshot { steps: 0, world: world.snapshot(None), mark: trace.mark() };
        Timeline {
            scenario,
            world,
            trace,
            rec_step: RecSteps::default(),
            snapshots: vec![first],
            interval: FIRST_INTERVAL,
            injections: Vec::new(),
            applied: 0,
            cap: None,
        }
    }

    /// Events processed so far.
    pub fn position(&self) -> u64 {
        self.world.steps
    }

    pub fn records(&self) -> &[crate::sim::Stamped<Record>] {
        self.trace.records()
    }

    /// The event index that produced record `i`.
    pub fn step_of(&self, i: usize) -> u64 {
        self.rec_step.get(i).unwrap_or(0)
    }

    /// The records the most recent event that produced any produced (the "last move").
    pub fn last_group(&self) -> std::ops::Range<usize> {
        let n = self.rec_step.len();
        let Some(last) = self.rec_step.last() else {
            return 0..0;
        };
        self.rec_step.first_from(last)..n
    }

    pub fn injections(&self) -> &[Injection] {
        &self.injections
    }

    pub fn snapshot_interval(&self) -> u64 {
        self.interval
    }

    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// About the memory the snapshots hold together.
    pub fn snapshot_bytes(&self) -> usize {
        self.snapshots.iter().map(|s| s.world.bytes()).sum()
    }

    pub fn is_finished(&self) -> bool {
        self.cap.is_some() || self.world.is_finished()
    }

    /// Processes one engine event (applying any injection due first). Returns false when
    /// nothing is left or a cap stopped the run.
    pub fn step_event(&mut self) -> bool {
        if self.cap.is_some() {
            return false;
        }
        self.apply_due();
        let before = self.trace.len();
        match self.world.step(&mut self.trace) {
            Ok(Some(_)) => {}
            Ok(None) => return false,
            Err(cap) => {
                self.cap = Some(cap);
                return false;
            }
        }
        let added = (self.trace.len() - before) as usize;
        let s = self.world.steps;
        self.rec_step.push_n(s, added);
        self.maybe_snapshot();
        true
    }

    /// Steps until an event produces at least one record (or the run ends). Returns how
    /// many records were added.
    pub fn step_forward(&mut self) -> usize {
        let before = self.trace.len();
        while self.trace.len() == before {
            if !self.step_event() {
                break;
            }
        }
        (self.trace.len() - before) as usize
    }

    /// The position one visible event back: just after the event before the one that
    /// produced the latest records (silent events after those records do not count: they
    /// change nothing on screen).
    pub fn previous_position(&self) -> u64 {
        let Some(last) = self.rec_step.last() else {
            return 0;
        };
        let start = self.rec_step.first_from(last);
        if start == 0 {
            0
        } else {
            self.step_of(start - 1)
        }
    }

    /// One visible event back. Returns false at the start.
    pub fn step_back(&mut self) -> bool {
        if self.world.steps == 0 {
            return false;
        }
        let target = self.previous_position();
        self.go_to(target);
        true
    }

    /// Puts the run at `target` events processed: back by restoring a snapshot and
    /// replaying, forward by stepping. Injections at or after `target` are dropped when going
    /// back.
    pub fn go_to(&mut self, target: u64) {
        if target >= self.world.steps {
            while self.world.steps < target && self.step_event() {}
            return;
        }
        // Going back: forget what was injected at or after the target.
        let keep = self.injections.partition_point(|i| i.step < target);
        if keep < self.injections.len() {
            let first_dropped = self.injections[keep].step;
            self.injections.truncate(keep);
            // Snapshots after the first dropped injection include it.
            self.snapshots.retain(|s| s.steps <= first_dropped);
        }
        let i = self.snapshots.partition_point(|s| s.steps <= target) - 1;
        let snap = &self.snapshots[i];
        snap.world.restore_into(&mut self.world);
        self.trace.truncate(snap.mark);
        self.rec_step.truncate(snap.mark.count as usize);
        self.applied = self.injections.partition_point(|inj| inj.step < snap.steps);
        self.cap = None;
        while self.world.steps < target && self.step_event() {}
    }

    /// Runs every event up to and including time `t`, then sets the clock to `t`. Stops
    /// early when `stop` says so for a newly added record (returns true then).
    pub fn run_until(&mut self, t: Time, mut stop: impl FnMut(&Record) -> bool) -> bool {
        while let Some(next) = self.world.next_time() {
            if next > t {
                break;
            }
            let before = self.trace.len() as usize;
            if !self.step_event() {
                return false;
            }
            if self.trace.records()[before..].iter().any(|s| stop(&s.rec)) {
                return true;
            }
        }
        if self.cap.is_none() {
            let end = t.min(self.scenario.plan.until.unwrap_or(Time::NEVER));
            self.world.queue.advance_to(end);
        }
        false
    }

    /// Replays to simulated time `t` as another run stood there: every event before `t`,
    /// then events at `t` until `at_t` records carry that time (the other run may have
    /// stopped half-way through an instant, e.g. at 0 before anything happened).
    pub fn replay_to(&mut self, t: Time, at_t: usize) {
        while self.world.next_time().is_some_and(|n| n < t) && self.step_event() {}
        let recorded_at_t = |tl: &Timeline| tl.records().iter().rev().take_while(|s| s.t == t).count();
        while recorded_at_t(self) < at_t && self.world.next_time() == Some(t) && self.step_event() {}
        if self.cap.is_none() && self.world.now() < t {
            let end = t.min(self.scenario.plan.until.unwrap_or(Time::NEVER));
            self.world.queue.advance_to(end);
        }
    }

    /// Whether the client's link is cut now.
    pub fn is_cut(&self, c: ClientId) -> bool {
        self.world.links.get(c.idx()).is_some_and(|l| l.partitioned)
    }

    /// Injects a fault now. It happens at the current simulated time, after the events
    /// already due at that time.
    pub fn inject(&mut self, fault: Fault) {
        let step = self.world.steps;
        // Snapshots ahead of here (left from before a step back) do not have this fault.
        self.snapshots.retain(|s| s.steps <= step);
        self.apply_due();
        self.injections.push(Injection { step, at: self.world.now(), fault });
        self.apply_due();
    }

    /// Steps until the record of the most recent injection appears (the fault takes effect).
    pub fn step_until_fault(&mut self) {
        let before = self.trace.len() as usize;
        for _ in 0..10_000 {
            if !self.step_event() {
                return;
            }
            if self.trace.records()[before..].iter().any(|s| matches!(s.rec, Record::Fault(_))) {
                // Finish the event that applied it: its records are all in.
                return;
            }
        }
    }

    fn apply_due(&mut self) {
        while let Some(inj) = self.injections.get(self.applied).copied() {
            if inj.step != self.world.steps {
                break;
            }
            self.world.queue.advance_to(inj.at);
            apply(&mut self.world, inj.fault);
            self.applied += 1;
        }
    }

    fn maybe_snapshot(&mut self) {
        let s = self.world.steps;
        if s % self.interval != 0 || self.snapshots.last().is_some_and(|l| l.steps >= s) {
            return;
        }
        // Taken right after the event: before any injection at this index (those are applied
        // by the next `step_event` or by `inject`), which is what `go_to` expects.
        let world = self.world.snapshot(self.snapshots.last().map(|l| &l.world));
        self.snapshots.push(Snapshot { steps: s, world, mark: self.trace.mark() });
        // The first snapshot (at 0) stays whatever the interval. The bytes are counted every
        // 8 snapshots (counting visits every chunk of every snapshot).
        let count = self.snapshots.len() % 8 == 0;
        while self.snapshots.len() > 1 && (self.snapshots.len() > MAX_SNAPSHOTS || count && self.snapshot_bytes() > SNAPSHOT_BUDGET) {
            self.interval = self.interval.saturating_mul(2);
            let iv = self.interval;
            self.snapshots.retain(|x| x.steps % iv == 0);
        }
    }
}

/// Applies a fault to the world at its current time, the way a scheduled one is applied.
fn apply(world: &mut World, fault: Fault) {
    match fault {
        Fault::Crash(c) => world.inject(FaultKind::Crash(c), None),
        Fault::Restart(c) => world.inject(FaultKind::Restart(c), None),
        Fault::BrokerCrash => world.inject(FaultKind::BrokerCrash, None),
        Fault::BrokerRestart => world.inject(FaultKind::BrokerRestart, None),
        Fault::Cut(c) => world.inject(FaultKind::Partition(c), None),
        Fault::Heal(c) => {
            // End the partition in force, as its scheduled end would: the same event the
            // engine schedules for a partition with `until`.
            let n = world.plan.faults.len();
            let injected = world.injected.iter().rposition(|f| f.kind == FaultKind::Partition(c)).map(|i| n + i);
            let planned = || world.plan.faults.iter().rposition(|f| f.kind == FaultKind::Partition(c) && f.at <= world.now());
            if let Some(idx) = injected.or_else(planned) {
                world.end_fault_now(idx as u32);
            }
        }
    }
}

/// The fault record an injection shows as (for matching it in the trace).
pub fn record_of(f: Fault) -> FaultRecord {
    match f {
        Fault::Crash(c) => FaultRecord::Crash(c),
        Fault::Restart(c) => FaultRecord::Restart(c),
        Fault::BrokerCrash => FaultRecord::BrokerCrash,
        Fault::BrokerRestart => FaultRecord::BrokerRestart,
        Fault::Cut(c) => FaultRecord::PartitionStart(c),
        Fault::Heal(c) => FaultRecord::PartitionEnd(c),
    }
}
