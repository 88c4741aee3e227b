//! at-most-once: a message delivered with auto-ack is delivered at most once (a copy
//! restored by recovery may be delivered again: that is a new life of the copy).

use super::{copy_text, Copy, Found};
use crate::ids::NO_QUEUE;
use crate::record::Record;
use crate::sim::Stamped;
use crate::world::World;
use rustc_hash::{FxHashMap, FxHashSet};

pub(super) fn check(world: &World, records: &[Stamped<Record>]) -> Found {
    let mut auto: FxHashMap<Copy, u32> = FxHashMap::default();
    let mut restored: FxHashSet<Copy> = FxHashSet::default();
    for s in records {
        match s.rec {
            Record::Restored { msg, q } => {
                restored.insert((msg, q));
            }
            Record::Delivered { msg, q, no_ack: true, .. } | Record::CheckedOut { msg, q, no_ack: true, .. } if q != NO_QUEUE => {
                let n = auto.entry((msg, q)).or_default();
                *n += 1;
                if *n > 1 && !restored.contains(&(msg, q)) {
                    return Err((s.t, format!("{} was delivered with auto-ack {} times", copy_text(world, (msg, q)), n)));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
