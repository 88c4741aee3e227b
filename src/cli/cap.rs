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

/// The sentence for a cap hit in `s`: the world's account of the cap (which, its source, the
/// counts so far, how to lift it), and for the events cap, what the scenario plans to publish
/// when that alone explains it.
pub fn message(cap: &CapHit, s: &Scenario) -> String {
    let told = cap.to_string();
    match cap {
        CapHit::Events { limit, .. } => {
            let published = planned_publishes(s);
            // A message takes a handful of events (publish, route, deliver, ack, their frames).
            if published.saturating_mul(8) >= *limit {
                let told = told.replace("; a message may be requeued forever with no work time", "");
                format!("{told}; the scenario publishes {published} messages and each takes several events")
            } else {
                told
            }
        }
        _ => told,
    }
}
