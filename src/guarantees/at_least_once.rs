//! at-least-once: a confirmed persistent message in a durable queue, consumed with manual
//! acks, is never lost, and is acked once a consumer that acks stays up.

use super::{copy_text, Copy, Found};
use crate::client::spec::{Action, RoleSpec};
use crate::ids::NO_QUEUE;
use crate::ids::{ClientId, MsgId, QueueId};
use crate::record::Record;
use crate::sim::{Stamped, Time};
use crate::world::World;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;

/// Confirmed persistent messages in durable queues, consumed with manual acks: never lost,
/// and acked once the run has settled with a consumer that acks.
pub(super) fn check(world: &World, records: &[Stamped<Record>]) -> Found {
    // Which messages the broker confirmed (ack), per client connection.
    let mut outstanding: BTreeMap<ClientId, BTreeMap<u32, MsgId>> = BTreeMap::new();
    let mut confirmed: FxHashSet<MsgId> = FxHashSet::default();
    for s in records {
        match s.rec {
            Record::Connected { client } => {
                outstanding.remove(&client);
            }
            Record::Published { msg, client, confirm_seq } if confirm_seq > 0 => {
                outstanding.entry(client).or_default().insert(confirm_seq, msg);
            }
            Record::Confirm { client, seq, multiple, ack } => {
                let Some(out) = outstanding.get_mut(&client) else { continue };
                let covered: Vec<u32> = if multiple { out.range(..=seq).map(|(k, _)| *k).collect() } else { vec![seq] };
                for k in covered {
                    if let Some(m) = out.remove(&k) {
                        if ack {
                            confirmed.insert(m);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let relevant = |msg: MsgId, q: QueueId| -> bool {
        confirmed.contains(&msg)
            && world.msgs.props_of(msg).persistent
            && world.broker.queue_meta(q).is_some_and(|m| m.durable && !m.exclusive && !m.auto_delete)
    };
    // Last state of each relevant copy.
    let mut auto_acked: FxHashSet<Copy> = FxHashSet::default();
    let mut state: FxHashMap<Copy, (&'static str, Time)> = FxHashMap::default();
    for s in records {
        let r = &s.rec;
        let Some((msg, q)) = r.copy() else { continue };
        if q == NO_QUEUE || !relevant(msg, q) {
            continue;
        }
        match *r {
            Record::Delivered { no_ack: true, .. } | Record::CheckedOut { no_ack: true, .. } => {
                auto_acked.insert((msg, q));
            }
            Record::Routed { .. } | Record::Restored { .. } => {
                state.insert((msg, q), ("open", s.t));
            }
            _ if r.is_fate() => {
                state.insert((msg, q), (r.kind(), s.t));
            }
            _ => {}
        }
    }
    let settled = world.is_finished() && world.broker.up;
    // The first broken copy in copy order (the state is a hash map: order-free, the lowest
    // copy is reported).
    let broken = state
        .iter()
        .filter(|(copy, (kind, _))| {
            !auto_acked.contains(*copy) // consumed with auto-ack: not covered
                && (*kind == "lost" || (*kind == "open" && settled && queue_has_acking_consumer(world, copy.1)))
        })
        .min_by_key(|(copy, _)| **copy);
    match broken {
        None => Ok(()),
        Some((copy, (kind, t))) if *kind == "lost" => {
            Err((*t, format!("{} was confirmed to its publisher, then lost", copy_text(world, *copy))))
        }
        Some((copy, _)) => Err((
            world.now(),
            format!("{} was confirmed but never acked, though the run settled with a consumer on its queue", copy_text(world, *copy)),
        )),
    }
}

fn queue_has_acking_consumer(world: &World, q: QueueId) -> bool {
    let Some(queue) = world.broker.queue(q) else { return false };
    queue.consumers.all().iter().any(|c| {
        let cons = world.broker.consumer(*c);
        if cons.no_ack {
            return false;
        }
        let client = &world.clients[cons.client.idx()];
        match &client.spec.role {
            RoleSpec::Consumer(spec) => spec.action == Action::Ack && spec.rules.is_empty(),
            _ => false,
        }
    })
}
