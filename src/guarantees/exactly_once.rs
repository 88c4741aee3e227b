//! exactly-once: without faults or requeues, each copy is delivered once, in publish order
//! per publisher. Promised only for such runs: any fault or requeue makes it hold vacuously.

use super::{copy_text, Copy, Found};
use crate::broker::message::Message;
use crate::ids::NO_QUEUE;
use crate::ids::{MsgId, QueueId};
use crate::record::Record;
use crate::sim::Stamped;
use crate::world::World;
use std::collections::BTreeMap;

pub(super) fn check(world: &World, records: &[Stamped<Record>]) -> Found {
    if records.iter().any(|s| matches!(s.rec, Record::Fault(_) | Record::Requeued { .. } | Record::ServerFailed { .. })) {
        return Ok(()); // only promised without faults and requeues
    }
    let mut seen: BTreeMap<Copy, u32> = BTreeMap::new();
    let mut last: BTreeMap<(QueueId, u32), MsgId> = BTreeMap::new();
    for s in records {
        if let Record::Delivered { msg, q, .. } | Record::CheckedOut { msg, q, .. } = s.rec {
            if q == NO_QUEUE {
                continue;
            }
            let n = seen.entry((msg, q)).or_default();
            *n += 1;
            if *n > 1 {
                return Err((s.t, format!("{} was delivered {} times without any fault or requeue", copy_text(world, (msg, q)), n)));
            }
            let publisher = world.msgs.get(msg).publisher;
            if publisher == Message::FROM_BROKER {
                continue;
            }
            if let Some(prev) = last.insert((q, publisher), msg) {
                if prev > msg {
                    return Err((
                        s.t,
                        format!(
                            "{} left its queue before {}, published earlier by the same client",
                            copy_text(world, (msg, q)),
                            copy_text(world, (prev, q))
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
