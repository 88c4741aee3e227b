//! What to say when a run hits a safety cap: the cap, and the likeliest reason in this
//! scenario (a message requeued forever, or simply many messages), with the key to raise.

use crate::scenario::Scenario;
use crate::world::CapHit;

/// How many messages the scenario's clients publish, at most (producers' entries and RPC
/// calls; replies and dead letters come on top).
pub fn planned_publishes(s: &Scenario) -> u64 {
    let f = &s.def;
    let producers: u64 = f.producers.iter().flat_map(|p| &p.publish).map(|e| u64::from(e.count)).sum();
    let rpc: u64 = f.rpc_clients.iter().map(|r| r.calls.len() as u64).sum();
    producers.saturating_add(rpc)
}

/// Whether some consumer puts messages back in the queue (so one message can loop).
fn requeues(s: &Scenario) -> bool {
    let loops = |a: &str| matches!(a, "requeue" | "reject-requeue" | "crash" | "crash-before-ack");
    s.def.consumers.iter().any(|c| c.ack.as_deref().is_some_and(loops) || c.rules.iter().any(|r| loops(&r.action)))
}

/// The sentence for a cap hit in `s`.
pub fn message(cap: &CapHit, s: &Scenario) -> String {
    match cap {
        CapHit::Events { limit, at } => {
            let published = planned_publishes(s);
            // A message takes a handful of events (publish, route, deliver, ack, their frames).
            let why = if published.saturating_mul(8) >= *limit {
                format!("the scenario publishes {published} messages and each takes several events: raise `limits.events`")
            } else if requeues(s) {
                "a message may be requeued forever with no work time: give the consumer a `work:` time or a `rules:` entry with `times:`, or raise `limits.events`".to_string()
            } else {
                "raise `limits.events` if the run is meant to be this long".to_string()
            };
            format!("the run hit its cap of {limit} events at {at} (limits.events); {why}")
        }
        CapHit::Time { .. } => cap.to_string(),
    }
}
