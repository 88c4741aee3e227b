//! One case of a campaign, run straight from a compiled plan.
//!
//! The scenario is compiled once (a [`CaseTemplate`]); a case only adds its fault episodes
//! and its seed to that plan, in place, and runs a world on it — no YAML written and parsed
//! again, no validation, one run that checks the `expect:` items at their times and the
//! guarantees at the end, and a trace buffer that is reused from one case to the next (a
//! [`CaseRunner`] per worker thread).
//!
//! The template is made from the scenario as `warren explore` writes it (its YAML, parsed
//! back), so a case runs exactly what its counterexample file would run; a unit test holds
//! the two to the same trace hash.

use super::faults::{EpisodeKind, FaultCase, FaultPlan};
use super::Broken;
use crate::guarantees::{self, Guarantee};
use crate::ids::ClientId;
use crate::record::Record;
use crate::scenario::model::{Dur, FaultDef};
use crate::scenario::Scenario;
use crate::session::expect::evaluate;
use crate::sim::trace::TraceMark;
use crate::sim::{Time, Trace};
use crate::world::{FaultKind, FaultSpec, Initial, World, WorldPlan};
use std::sync::Arc;

/// The scenario compiled once for every case of a campaign.
#[derive(Clone, Debug)]
pub struct CaseTemplate {
    scenario: Arc<Scenario>,
    /// The plan without any added fault.
    plan: WorldPlan,
    /// Where the added faults go in the plan's start order (they follow the file's own
    /// faults, where a file with them appended would put them).
    insert_at: usize,
    /// The explorer's actors (in [`FaultPlan::actors`] order) as client ids.
    ids: Vec<ClientId>,
    base_seed: u64,
}

/// What running a case found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    pub broken: Option<Broken>,
    /// Engine events simulated.
    pub events: u64,
    /// The trace hash (for the equivalence test and for `--json` consumers who want it).
    pub hash: u64,
}

impl CaseTemplate {
    pub fn new(base: &Scenario, faults: &FaultPlan) -> Result<CaseTemplate, String> {
        // A probe: the file with one fault appended, written and parsed back — where that
        // fault lands in the start order is where every case's faults land.
        let mut probe = base.def.clone();
        let n = probe.faults.len();
        probe.faults.push(FaultDef {
            at: Dur(Time::ZERO),
            until: None,
            crash: None,
            restart: None,
            stop: Some("broker".into()),
            delay: None,
            by: None,
            partition: None,
        });
        let yaml = probe.to_yaml();
        let compiled =
            Scenario::from_str(&yaml, "case.yaml").map_err(|e| format!("the scenario does not survive being written out: {e}"))?;
        let mut plan = (*compiled.plan).clone();
        let insert_at = plan
            .order
            .iter()
            .position(|i| *i == Initial::Fault(n as u32))
            .ok_or("the probe fault is missing from the plan: please report this as a bug")?;
        plan.order.remove(insert_at);
        plan.faults.truncate(n);
        // The caps the command line set (--max-events, ...) are on the base's plan, not in its file.
        plan.limits = base.plan.limits;
        let mut ids = Vec::with_capacity(faults.actors.len());
        for a in &faults.actors {
            let id = plan.clients.iter().position(|c| c.name == *a).ok_or_else(|| format!("no client called `{a}` in the plan"))?;
            ids.push(ClientId(id as u32));
        }
        let mut scenario = compiled;
        scenario.plan = Arc::new(plan.clone());
        Ok(CaseTemplate { scenario: Arc::new(scenario), plan, insert_at, ids, base_seed: faults.base_seed })
    }

    /// Rewrites `plan` (a copy of the template's, possibly changed by an earlier case) into
    /// the plan of `case`: the template's faults and start order, the case's episodes added
    /// after them, the case's seed. Reuses the plan's buffers.
    pub fn fill(&self, plan: &mut WorldPlan, case: &FaultCase) {
        plan.seed = self.base_seed.wrapping_add(case.seed_offset);
        plan.faults.clear();
        plan.faults.extend_from_slice(&self.plan.faults);
        plan.order.clear();
        plan.order.extend_from_slice(&self.plan.order[..self.insert_at]);
        for e in &case.episodes {
            let at = Time::ms(e.at_ms as u64);
            let end = Time::ms(e.at_ms as u64 + e.len_ms as u64);
            let mut push = |at: Time, until: Option<Time>, kind: FaultKind| {
                plan.order.push(Initial::Fault(plan.faults.len() as u32));
                plan.faults.push(FaultSpec { at, until, kind });
            };
            match e.kind {
                EpisodeKind::Crash(c) => {
                    push(at, None, FaultKind::Crash(self.ids[c]));
                    push(end, None, FaultKind::Restart(self.ids[c]));
                }
                EpisodeKind::Partition(c) => push(at, Some(end), FaultKind::Partition(self.ids[c])),
                EpisodeKind::Delay(c, by) => push(at, Some(end), FaultKind::Delay { client: self.ids[c], by: Time::ms(by as u64) }),
                EpisodeKind::BrokerCrash => {
                    push(at, None, FaultKind::BrokerCrash);
                    push(end, None, FaultKind::BrokerRestart);
                }
                EpisodeKind::BrokerStop => {
                    push(at, None, FaultKind::BrokerStop);
                    push(end, None, FaultKind::BrokerRestart);
                }
            }
        }
        plan.order.extend_from_slice(&self.plan.order[self.insert_at..]);
    }
}

/// Runs cases one after another, reusing the plan and the trace between them (one per
/// worker thread).
pub struct CaseRunner<'a> {
    template: &'a CaseTemplate,
    plan: Arc<WorldPlan>,
    trace: Trace<Record>,
    empty: TraceMark,
    /// Which expect items fire at which time (sorted, deduplicated).
    times: Vec<Time>,
}

impl<'a> CaseRunner<'a> {
    pub fn new(template: &'a CaseTemplate) -> CaseRunner<'a> {
        let trace = Trace::new(true);
        let empty = trace.mark();
        let mut times: Vec<Time> = template.scenario.expects.iter().filter_map(|e| e.at).collect();
        times.sort_unstable();
        times.dedup();
        // Every client's spec and every name of this runner's own: a world clones their
        // `Arc`s per case, and a count shared by the threads would bounce between the cores
        // (`--jobs 2` gained 1.69x over `--jobs 1` with them shared, 1.8x without).
        let mut plan = template.plan.clone();
        for spec in &mut plan.clients {
            *spec = Arc::new((**spec).clone());
        }
        plan.names = plan.names.unshared();
        CaseRunner { template, plan: Arc::new(plan), trace, empty, times }
    }

    /// Runs one case: the scenario's expect items (if `expect_items`), then `guarantees`;
    /// the first thing broken, in that order.
    pub fn run(&mut self, case: &FaultCase, guarantees: &[Guarantee], expect_items: bool) -> Result<CaseResult, String> {
        // The previous case's world is gone, so the plan is ours again; if someone still
        // holds it, start from a copy.
        if Arc::get_mut(&mut self.plan).is_none() {
            self.plan = Arc::new((*self.plan).clone());
        }
        let plan = Arc::get_mut(&mut self.plan).expect("the plan was just made unique");
        self.template.fill(plan, case);
        self.trace.truncate(self.empty);
        let mut world = World::new(self.plan.clone());
        let template = self.template;
        let expects = &template.scenario.expects;
        let mut failed: Option<(usize, String)> = None;
        let mut note = |i: usize, world: &World, trace: &Trace<Record>| {
            if !expect_items {
                return;
            }
            let o = evaluate(&expects[i], world, trace.records());
            if !o.pass && failed.as_ref().is_none_or(|(j, _)| i < *j) {
                failed = Some((i, format!("expect item failed: {} — found {}", o.label, o.found)));
            }
        };
        if expect_items {
            for &t in self.times.iter() {
                world.run_until(t, &mut self.trace).map_err(|e| e.to_string())?;
                for (i, e) in expects.iter().enumerate() {
                    if e.at == Some(t) {
                        note(i, &world, &self.trace);
                    }
                }
            }
        }
        world.run(&mut self.trace).map_err(|e| e.to_string())?;
        for (i, e) in expects.iter().enumerate() {
            if e.at.is_none() {
                note(i, &world, &self.trace);
            }
        }
        let mut broken = failed.map(|(_, what)| Broken { guarantee: None, what });
        if broken.is_none() {
            for g in guarantees {
                if let Err(v) = guarantees::check(*g, &world, self.trace.records()) {
                    broken = Some(Broken { guarantee: Some(*g), what: v.to_string() });
                    break;
                }
            }
        }
        Ok(CaseResult { broken, events: world.steps, hash: self.trace.hash() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::faults::FaultPlan;
    use crate::session::Session;
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

    /// A case run from the compiled plan makes the same trace as its scenario file.
    #[test]
    fn a_case_runs_what_its_file_runs() {
        for name in ["work-queues", "publisher-confirms", "explore-auto-ack", "rpc", "ttl-and-dead-letters", "durability"] {
            let base = Scenario::load(name).unwrap();
            let faults = FaultPlan::for_scenario(&base).unwrap();
            let template = CaseTemplate::new(&base, &faults).unwrap();
            let mut runner = CaseRunner::new(&template);
            let mut rng = TestRunner::new_with_rng(Default::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
            let strategy = faults.strategy();
            for _ in 0..12 {
                let case = strategy.new_tree(&mut rng).unwrap().current();
                let fast = runner.run(&case, &Guarantee::INVARIANTS, true).unwrap();
                let file = faults.apply(&base.def, &case);
                let slow = Scenario::from_str(&file.to_yaml(), "case.yaml").unwrap();
                let mut s = Session::new(Arc::new(slow), false);
                s.run().unwrap();
                assert_eq!(fast.hash, s.trace.hash(), "{name}: {case:?}");
                assert_eq!(fast.events, s.world.steps, "{name}: {case:?}");
            }
        }
    }
}
