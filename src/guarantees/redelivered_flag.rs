//! redelivered-flag: a delivery with redelivered=false is the copy's first delivery.

use super::{copy_text, Copy, Found};
use crate::ids::NO_QUEUE;
use crate::record::Record;
use crate::sim::Stamped;
use crate::world::World;
use rustc_hash::FxHashSet;

pub(super) fn check(world: &World, records: &[Stamped<Record>]) -> Found {
    let mut delivered: FxHashSet<Copy> = FxHashSet::default();
    for s in records {
        if let Record::Delivered { msg, q, redelivered, .. } | Record::CheckedOut { msg, q, redelivered, .. } = s.rec {
            if q == NO_QUEUE {
                continue;
            }
            if !delivered.insert((msg, q)) && !redelivered {
                return Err((s.t, format!("{} was delivered again with redelivered=false", copy_text(world, (msg, q)))));
            }
        }
    }
    Ok(())
}
