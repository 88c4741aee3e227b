//! Fault schedules for `warren explore`: episodes that each break something and then let it
//! recover (a crash and its restart, a partition and its healing, a slow link), placed within
//! the scenario's own time span. proptest shrinks a failing schedule by dropping episodes,
//! moving them earlier and shortening them.

use crate::scenario::model::{Dur, FaultDef, ScenarioFile};
use crate::scenario::Scenario;
use crate::session::Session;
use crate::sim::Time;
use proptest::prelude::*;
use std::sync::Arc;

/// What an episode does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EpisodeKind {
    /// Crash a client, restart it after the episode.
    Crash(usize),
    /// Cut a client's link, heal it after the episode.
    Partition(usize),
    /// Slow a client's link by this many milliseconds during the episode.
    Delay(usize, u32),
    /// Crash the broker (power loss), restart it after the episode.
    BrokerCrash,
    /// Stop the broker gracefully, restart it after the episode.
    BrokerStop,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Episode {
    pub kind: EpisodeKind,
    /// Start, in milliseconds from the beginning.
    pub at_ms: u32,
    /// Length in milliseconds.
    pub len_ms: u32,
}

/// One case: a seed offset and the episodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultCase {
    pub seed_offset: u64,
    pub episodes: Vec<Episode>,
}

/// What can be broken in a scenario, and when.
#[derive(Clone, Debug)]
pub struct FaultPlan {
    pub actors: Vec<String>,
    pub horizon_ms: u32,
    pub base_seed: u64,
}

impl FaultPlan {
    /// The actors of `base`, and its time span (its `until`, or when it ends without faults).
    pub fn for_scenario(base: &Scenario) -> Result<FaultPlan, String> {
        let mut actors: Vec<String> = base.def.consumers.iter().map(|c| c.name.clone()).collect();
        actors.extend(base.def.producers.iter().map(|p| p.name.clone()));
        actors.extend(base.def.rpc_clients.iter().map(|r| r.name.clone()));
        let end = match base.plan.until {
            Some(u) => u,
            None => {
                let mut s = Session::new(Arc::new(base.clone()), false);
                s.run().map_err(|e| e.to_string())?;
                s.world.now()
            }
        };
        let horizon_ms = (end.as_us() / 1000).clamp(100, 600_000) as u32;
        Ok(FaultPlan { actors, horizon_ms, base_seed: base.seed })
    }

    /// Random cases: up to four episodes and a seed offset.
    pub fn strategy(&self) -> BoxedStrategy<FaultCase> {
        let n = self.actors.len();
        let horizon = self.horizon_ms;
        let kind = if n == 0 {
            prop_oneof![Just(EpisodeKind::BrokerCrash), Just(EpisodeKind::BrokerStop)].boxed()
        } else {
            prop_oneof![
                4 => (0..n).prop_map(EpisodeKind::Crash),
                2 => (0..n).prop_map(EpisodeKind::Partition),
                1 => ((0..n), 1u32..1000).prop_map(|(c, by)| EpisodeKind::Delay(c, by)),
                2 => Just(EpisodeKind::BrokerCrash),
                1 => Just(EpisodeKind::BrokerStop),
            ]
            .boxed()
        };
        let episode = (kind, 0..horizon, 1u32..3000).prop_map(|(kind, at_ms, len_ms)| Episode { kind, at_ms, len_ms });
        (0u64..1000, proptest::collection::vec(episode, 0..=4))
            .prop_map(|(seed_offset, episodes)| FaultCase { seed_offset, episodes })
            .boxed()
    }

    /// The scenario with the case's faults added and its seed moved.
    pub fn apply(&self, base: &ScenarioFile, case: &FaultCase) -> ScenarioFile {
        let mut f = base.clone();
        f.seed = Some(self.base_seed.wrapping_add(case.seed_offset));
        for e in &case.episodes {
            let at = Dur(Time::ms(e.at_ms as u64));
            let end = Dur(Time::ms(e.at_ms as u64 + e.len_ms as u64));
            let blank = FaultDef { at, until: None, crash: None, restart: None, stop: None, delay: None, by: None, partition: None };
            match &e.kind {
                EpisodeKind::Crash(c) => {
                    let name = self.actors[*c].clone();
                    f.faults.push(FaultDef { crash: Some(name.clone()), ..blank.clone() });
                    f.faults.push(FaultDef { at: end, restart: Some(name), ..blank });
                }
                EpisodeKind::Partition(c) => {
                    f.faults.push(FaultDef { until: Some(end), partition: Some(self.actors[*c].clone()), ..blank })
                }
                EpisodeKind::Delay(c, by) => f.faults.push(FaultDef {
                    until: Some(end),
                    delay: Some(self.actors[*c].clone()),
                    by: Some(Dur(Time::ms(*by as u64))),
                    ..blank
                }),
                EpisodeKind::BrokerCrash => {
                    f.faults.push(FaultDef { crash: Some("broker".into()), ..blank.clone() });
                    f.faults.push(FaultDef { at: end, restart: Some("broker".into()), ..blank });
                }
                EpisodeKind::BrokerStop => {
                    f.faults.push(FaultDef { stop: Some("broker".into()), ..blank.clone() });
                    f.faults.push(FaultDef { at: end, restart: Some("broker".into()), ..blank });
                }
            }
        }
        f
    }
}

/// A fault in words, for the counterexample's description.
pub fn describe(f: &FaultDef) -> String {
    let at = f.at.0;
    let until = f.until.map(|u| format!(" until {}", u.0)).unwrap_or_default();
    if let Some(c) = &f.crash {
        format!("crash {c} at {at}")
    } else if let Some(c) = &f.restart {
        format!("restart {c} at {at}")
    } else if let Some(c) = &f.stop {
        format!("stop {c} at {at}")
    } else if let Some(c) = &f.partition {
        format!("partition {c} at {at}{until}")
    } else if let Some(c) = &f.delay {
        let by = f.by.map(|b| b.0).unwrap_or_default();
        format!("delay {c} by {by} at {at}{until}")
    } else {
        format!("fault at {at}")
    }
}
