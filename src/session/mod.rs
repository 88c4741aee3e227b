//! A run of one scenario: its world and its trace, with the helpers every front end shares
//! (run to the end, check the `expect:` items at their times).
//!
//! - [`expect`]: each `expect:` item evaluated against the world and the trace.
//!
//! It sits above the scenario (which it runs), the world and the guarantees (which an
//! `expect: { guarantee: G }` item asks for), and below the explorer and the front ends.

pub mod expect;

use crate::explain::{Ctx, Lang};
use crate::record::Record;
use crate::scenario::Scenario;
use crate::sim::{Time, Trace};
use crate::world::{CapHit, World};
use expect::{evaluate, Outcome};
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

    /// Runs the scenario and checks each `expect:` item at its time (or at the end).
    pub fn check(scenario: Arc<Scenario>) -> Result<Vec<Outcome>, CapHit> {
        let mut s = Session::new(scenario.clone(), true);
        let mut results: Vec<Option<Outcome>> = vec![None; scenario.expects.len()];
        let mut times: Vec<Time> = scenario.expects.iter().filter_map(|e| e.at).collect();
        times.sort_unstable();
        times.dedup();
        for t in times {
            s.world.run_until(t, &mut s.trace)?;
            for (i, e) in scenario.expects.iter().enumerate() {
                if e.at == Some(t) {
                    results[i] = Some(evaluate(e, &s.world, s.trace.records()));
                }
            }
        }
        s.run()?;
        for (i, e) in scenario.expects.iter().enumerate() {
            if e.at.is_none() {
                results[i] = Some(evaluate(e, &s.world, s.trace.records()));
            }
        }
        Ok(results.into_iter().map(|r| r.expect("every item evaluated")).collect())
    }
}
