//! prefetch: a consumer never holds more unacked messages than its prefetch.

use super::{Copy, Found};
use crate::ids::ConsumerId;
use crate::ids::NO_QUEUE;
use crate::record::Record;
use crate::sim::Stamped;
use crate::world::World;
use rustc_hash::FxHashMap;

/// The consumers' bookkeeping replayed from the trace.
pub(super) fn check(world: &World, records: &[Stamped<Record>]) -> Found {
    let mut limit: FxHashMap<ConsumerId, (u32, bool)> = FxHashMap::default();
    let mut holder: FxHashMap<Copy, ConsumerId> = FxHashMap::default();
    let mut count: FxHashMap<ConsumerId, u32> = FxHashMap::default();
    for s in records {
        match s.rec {
            Record::Subscribed { consumer, prefetch, no_ack, .. } => {
                limit.insert(consumer, (prefetch, no_ack));
            }
            Record::Delivered { msg, q, consumer, no_ack: false, .. } | Record::CheckedOut { msg, q, consumer, no_ack: false, .. }
                if q != NO_QUEUE =>
            {
                let Some(&(p, _)) = limit.get(&consumer) else { continue };
                holder.insert((msg, q), consumer);
                let n = count.entry(consumer).or_default();
                *n += 1;
                if p > 0 && *n > p {
                    let who = world.client_name(world.broker.consumer(consumer).client).to_string();
                    return Err((s.t, format!("{who} holds {n} unacked messages with prefetch {p}")));
                }
            }
            Record::Acked { msg, q, .. }
            | Record::Rejected { msg, q, .. }
            | Record::Requeued { msg, q, .. }
            | Record::Lost { msg, q, .. } => {
                if let Some(c) = holder.remove(&(msg, q)) {
                    if let Some(n) = count.get_mut(&c) {
                        *n = n.saturating_sub(1);
                    }
                }
            }
            Record::BrokerDown { .. } => {
                holder.clear();
                count.clear();
            }
            _ => {}
        }
    }
    Ok(())
}
