//! A run of one scenario: its world and its trace, with the helpers every front end shares
//! (run to the end, check the `expect:` items at their times).
//!
//! - [`expect`]: each `expect:` item followed through the run (a tracker fed every record)
//!   and evaluated against the world at its time.
//!
//! It sits above the scenario (which it runs), the world and the guarantees (which an
//! `expect: { guarantee: G }` item asks for), and below the explorer and the front ends.

pub mod expect;

use crate::explain::{Ctx, Lang};
use crate::record::Record;
use crate::scenario::Scenario;
use crate::sim::{Time, Trace};
use crate::world::{CapHit, World};
use expect::{Outcome, Tracker};
use std::sync::Arc;

pub struct Session {
    pub scenario: Arc<Scenario>,
    pub world: World,
    pub trace: Trace<Record>,
}

impl Session {
    /// A fresh run. `keep`: store every record (needed to render or check the trace).
    pub fn new(scenario: Arc<Scenario>, keep: bool) -> Session {
        let world = World::new(scenario.plan.clone());
        Session { scenario, world, trace: Trace::new(keep) }
    }

    pub fn run(&mut self) -> Result<(), CapHit> {
        self.world.run(&mut self.trace)
    }

    pub fn ctx(&self, lang: Lang) -> Ctx<'_> {
        Ctx::new(&self.world, &self.scenario.notes, lang)
    }

    /// Runs the scenario and checks each `expect:` item at its time (or at the end). The
    /// records are fed to each item's tracker as they come and then dropped: the trace is
    /// kept only when a `guarantee:` item needs it.
    pub fn check(scenario: Arc<Scenario>) -> Result<Vec<Outcome>, CapHit> {
        let expects = &scenario.expects;
        let keep_all = expects.iter().any(Tracker::needs_trace);
        let mut run =
            Checking { s: Session::new(scenario.clone(), true), trackers: expects.iter().map(Tracker::new).collect(), keep_all, fed: 0 };
        let mut results: Vec<Option<Outcome>> = vec![None; expects.len()];
        let mut times: Vec<Time> = expects.iter().filter_map(|e| e.at).collect();
        times.sort_unstable();
        times.dedup();
        for t in times {
            run.until(Some(t))?;
            for (i, e) in expects.iter().enumerate() {
                if e.at == Some(t) {
                    results[i] = Some(run.outcome(i, e));
                }
            }
        }
        run.until(None)?;
        for (i, e) in expects.iter().enumerate() {
            if e.at.is_none() {
                results[i] = Some(run.outcome(i, e));
            }
        }
        Ok(results.into_iter().map(|r| r.expect("every item evaluated")).collect())
    }
}

/// A run being checked: the session, one tracker per item, and how much of the kept trace
/// the trackers have seen.
struct Checking {
    s: Session,
    trackers: Vec<Tracker>,
    keep_all: bool,
    fed: usize,
}

impl Checking {
    /// Runs every event up to and including `t` (or to the end), feeding each record to the
    /// trackers; then sets the clock as [`World::run_until`] and [`World::run`] do.
    fn until(&mut self, t: Option<Time>) -> Result<(), CapHit> {
        while let Some(next) = self.s.world.next_time() {
            if t.is_some_and(|t| next > t) {
                break;
            }
            let stepped = self.s.world.step(&mut self.s.trace);
            self.feed();
            stepped?;
        }
        let until = self.s.world.plan.until;
        match (t, until) {
            (Some(t), u) => self.s.world.queue.advance_to(t.min(u.unwrap_or(Time::NEVER))),
            (None, Some(u)) => self.s.world.queue.advance_to(u),
            (None, None) => {}
        }
        Ok(())
    }

    fn feed(&mut self) {
        let Checking { s, trackers, keep_all, fed } = self;
        let expects = &s.scenario.expects;
        for r in &s.trace.records()[*fed..] {
            for (tr, e) in trackers.iter_mut().zip(expects) {
                tr.feed(e, &s.world, &r.rec);
            }
        }
        if *keep_all {
            *fed = s.trace.records().len();
        } else {
            s.trace.forget();
        }
    }

    fn outcome(&self, i: usize, e: &crate::scenario::expect::Expect) -> Outcome {
        self.trackers[i].outcome(e, &self.s.world, self.s.trace.records())
    }
}
