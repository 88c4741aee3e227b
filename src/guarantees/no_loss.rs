//! no-loss: every message that reached a queue is processed or still waits. Not an invariant
//! of the broker — faults break it — but what users often assume.

use super::{body, copy_text, Copy, Found};
use crate::record::Record;
use crate::sim::{Stamped, Time};
use crate::world::World;
use std::collections::BTreeMap;

pub(super) fn check(world: &World, records: &[Stamped<Record>]) -> Found {
    let mut restored_after: BTreeMap<Copy, bool> = BTreeMap::new();
    let mut lost_at: BTreeMap<Copy, Time> = BTreeMap::new();
    for s in records {
        match s.rec {
            Record::Lost { msg, q, .. } => {
                lost_at.insert((msg, q), s.t);
                restored_after.insert((msg, q), false);
            }
            Record::Restored { msg, q } => {
                restored_after.insert((msg, q), true);
            }
            Record::ClientLost { client, msg, .. } => {
                let who = world.client_name(client).to_string();
                return Err((s.t, format!("#{} {:?} was lost inside {who}", msg.0 + 1, body(world, msg))));
            }
            _ => {}
        }
    }
    for (copy, restored) in restored_after {
        if !restored {
            return Err((lost_at[&copy], format!("{} was lost", copy_text(world, copy))));
        }
    }
    Ok(())
}
