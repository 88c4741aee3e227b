//! conservation: every message copy routed to a queue ends with exactly one fate, or is
//! still in its queue at the end of the run.

use super::{copy_text, Copy, Found};
use crate::ids::NO_QUEUE;
use crate::record::Record;
use crate::sim::Stamped;
use crate::world::World;
use rustc_hash::FxHashSet;

/// Every copy: opened by `routed` (or `restored`), closed by exactly one fate; the copies
/// still open at the end are exactly what the queues hold, ready or unacked.
pub(super) fn check(world: &World, records: &[Stamped<Record>]) -> Found {
    let mut open: FxHashSet<Copy> = FxHashSet::default();
    let mut ever: FxHashSet<Copy> = FxHashSet::default();
    for s in records {
        let r = &s.rec;
        match *r {
            Record::Routed { msg, q, .. } if !open.insert((msg, q)) || !ever.insert((msg, q)) => {
                return Err((s.t, format!("{} was routed to the same queue twice", copy_text(world, (msg, q)))));
            }
            Record::Restored { msg, q } if !open.insert((msg, q)) => {
                return Err((s.t, format!("{} was restored while still in its queue", copy_text(world, (msg, q)))));
            }
            _ if r.is_fate() => {
                let (msg, q) = r.copy().expect("fates are about a copy");
                if q == NO_QUEUE {
                    continue;
                }
                if !open.remove(&(msg, q)) {
                    return Err((
                        s.t,
                        format!("{} got a second fate ({}) or one without being routed", copy_text(world, (msg, q)), r.kind()),
                    ));
                }
            }
            _ => {}
        }
    }
    let mut held: FxHashSet<Copy> = FxHashSet::default();
    for q in world.broker.live_queues() {
        // At-least-once dead letters still wait in their source queue.
        for m in q.ready.iter().chain(q.dlx_pending.iter().map(|(m, _)| m)) {
            held.insert((m.msg, q.id));
        }
    }
    for ch in world.broker.channels() {
        for u in &ch.unacked {
            held.insert((u.qm.msg, u.queue));
        }
    }
    let end = world.now();
    // Hash sets: the lowest copy is reported, whatever the sets' order.
    if let Some(c) = open.difference(&held).min() {
        return Err((end, format!("{} has no fate but is in no queue: it vanished", copy_text(world, *c))));
    }
    if let Some(c) = held.difference(&open).min() {
        return Err((end, format!("{} is in its queue but its fate was already recorded", copy_text(world, *c))));
    }
    Ok(())
}
