//! The safety-cap flags every subcommand that runs a scenario shares: `--max-events`,
//! `--max-time`, `--max-messages`, `--max-memory`. A scenario file's `limits:` may lower the
//! caps but raise them only to a ceiling; these flags set them to any value.

use crate::scenario::model::Size;
use crate::scenario::Scenario;
use crate::world::{Cap, Limits};
use std::sync::Arc;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct LimitArgs {
    /// Stop with an error after this many events (default 50000000; a file may not ask for more).
    #[arg(long, value_name = "N")]
    pub max_events: Option<u64>,
    /// Stop with an error past this simulated time, e.g. 48h (default 24h).
    #[arg(long, value_name = "DURATION", value_parser = super::parse_duration)]
    pub max_time: Option<crate::sim::Time>,
    /// Stop with an error when more message copies than this are live at once (ready,
    /// unacked, in flight; default 10000000).
    #[arg(long, value_name = "N")]
    pub max_messages: Option<u64>,
    /// Stop with an error when the run's estimated memory passes this, e.g. 4GB (default 1GB).
    #[arg(long, value_name = "SIZE", value_parser = Size::parse)]
    pub max_memory: Option<u64>,
}

impl LimitArgs {
    pub fn is_empty(&self) -> bool {
        self.max_events.is_none() && self.max_time.is_none() && self.max_messages.is_none() && self.max_memory.is_none()
    }

    /// The limits with these flags applied.
    pub fn limits(&self, base: Limits) -> Limits {
        let flags = [
            (Cap::Events, self.max_events),
            (Cap::Time, self.max_time.map(|t| t.as_us())),
            (Cap::Messages, self.max_messages),
            (Cap::Memory, self.max_memory),
        ];
        flags.into_iter().fold(base, |l, (cap, v)| match v {
            Some(v) => l.from_command_line(cap, v.max(1)),
            None => l,
        })
    }

    /// The scenario with these flags applied to its limits.
    pub fn apply(&self, scenario: Arc<Scenario>) -> Arc<Scenario> {
        if self.is_empty() {
            return scenario;
        }
        let mut s = (*scenario).clone();
        let mut plan = (*s.plan).clone();
        plan.limits = self.limits(plan.limits);
        s.plan = Arc::new(plan);
        Arc::new(s)
    }
}
