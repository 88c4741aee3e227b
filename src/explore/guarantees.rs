//! Delivery guarantees, checked on a finished run's trace and final state.
//!
//! Each guarantee is a rule RabbitMQ documents (see `docs/guarantees.md` for the sources).
//! Some are invariants of the broker that must hold whatever happens (conservation, the
//! redelivered flag, the prefetch bound, at-most-once for auto-ack, at-least-once for
//! confirmed persistent messages with manual acks); `exactly-once` holds only without faults
//! or requeues; `no-loss` is what users often *assume* — that nothing published is ever lost —
//! and faults break it: that is what `warren explore` is for.

use crate::broker::dispatch::NO_QUEUE;
use crate::ids::{ClientId, ConsumerId, MsgId, QueueId};
use crate::record::Record;
use crate::sim::{Stamped, Time};
use crate::world::World;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Guarantee {
    Conservation,
    AtMostOnce,
    AtLeastOnce,
    ExactlyOnce,
    RedeliveredFlag,
    Prefetch,
    NoLoss,
}

impl Guarantee {
    pub const ALL: [Guarantee; 7] = [
        Guarantee::Conservation,
        Guarantee::AtMostOnce,
        Guarantee::AtLeastOnce,
        Guarantee::ExactlyOnce,
        Guarantee::RedeliveredFlag,
        Guarantee::Prefetch,
        Guarantee::NoLoss,
    ];

    /// The broker's own invariants: checked by `warren explore` on every scenario.
    pub const INVARIANTS: [Guarantee; 5] =
        [Guarantee::Conservation, Guarantee::AtMostOnce, Guarantee::AtLeastOnce, Guarantee::RedeliveredFlag, Guarantee::Prefetch];

    pub fn name(self) -> &'static str {
        match self {
            Guarantee::Conservation => "conservation",
            Guarantee::AtMostOnce => "at-most-once",
            Guarantee::AtLeastOnce => "at-least-once",
            Guarantee::ExactlyOnce => "exactly-once",
            Guarantee::RedeliveredFlag => "redelivered-flag",
            Guarantee::Prefetch => "prefetch",
            Guarantee::NoLoss => "no-loss",
        }
    }

    pub fn parse(s: &str) -> Option<Guarantee> {
        Guarantee::ALL.into_iter().find(|g| g.name() == s)
    }

    /// One line: what the guarantee says.
    pub fn statement(self) -> &'static str {
        match self {
            Guarantee::Conservation => "every message copy routed to a queue ends with exactly one fate, or is still in its queue",
            Guarantee::AtMostOnce => "a message delivered with auto-ack is delivered at most once",
            Guarantee::AtLeastOnce => "a confirmed persistent message in a durable queue, consumed with manual acks, is never lost and is acked once a consumer stays up",
            Guarantee::ExactlyOnce => "without faults or requeues, each copy is delivered once, in publish order per publisher",
            Guarantee::RedeliveredFlag => "a delivery with redelivered=false is the copy's first delivery",
            Guarantee::Prefetch => "a consumer never holds more unacked messages than its prefetch",
            Guarantee::NoLoss => "every message that reached a queue is processed or still waits: none is lost",
        }
    }
}

/// A broken guarantee: which, when, and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub guarantee: Guarantee,
    pub at: Time,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} broken at {}: {}", self.guarantee.name(), self.at, self.detail)
    }
}

type Copy = (MsgId, QueueId);

fn body(world: &World, m: MsgId) -> String {
    world.broker.msgs.get(m).body.render(&world.broker.names).into_owned()
}

fn copy_text(world: &World, (m, q): Copy) -> String {
    format!("#{} {:?} in {}", m.0 + 1, body(world, m), world.broker.names.get(world.broker.queue_name(q)))
}

/// Checks one guarantee against a finished run.
pub fn check(g: Guarantee, world: &World, records: &[Stamped<Record>]) -> Result<(), Violation> {
    let fail = |at: Time, detail: String| Err(Violation { guarantee: g, at, detail });
    match g {
        Guarantee::Conservation => conservation(world, records).or_else(|(at, d)| fail(at, d)),
        Guarantee::AtMostOnce => {
            let mut auto: BTreeMap<Copy, u32> = BTreeMap::new();
            let mut restored: BTreeSet<Copy> = BTreeSet::new();
            for s in records {
                match s.rec {
                    Record::Restored { msg, q } => {
                        restored.insert((msg, q));
                    }
                    Record::Delivered { msg, q, no_ack: true, .. } if q != NO_QUEUE => {
                        let n = auto.entry((msg, q)).or_default();
                        *n += 1;
                        if *n > 1 && !restored.contains(&(msg, q)) {
                            return fail(s.t, format!("{} was delivered with auto-ack {} times", copy_text(world, (msg, q)), n));
                        }
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        Guarantee::AtLeastOnce => at_least_once(world, records).or_else(|(at, d)| fail(at, d)),
        Guarantee::ExactlyOnce => {
            if records.iter().any(|s| matches!(s.rec, Record::Fault(_) | Record::Requeued { .. } | Record::ServerFailed { .. })) {
                return Ok(()); // only promised without faults and requeues
            }
            let mut seen: BTreeMap<Copy, u32> = BTreeMap::new();
            let mut last: BTreeMap<(QueueId, u32), MsgId> = BTreeMap::new();
            for s in records {
                if let Record::Delivered { msg, q, .. } = s.rec {
                    if q == NO_QUEUE {
                        continue;
                    }
                    let n = seen.entry((msg, q)).or_default();
                    *n += 1;
                    if *n > 1 {
                        return fail(s.t, format!("{} was delivered {} times without any fault or requeue", copy_text(world, (msg, q)), n));
                    }
                    let publisher = world.broker.msgs.get(msg).publisher;
                    if publisher == u32::MAX {
                        continue;
                    }
                    if let Some(prev) = last.insert((q, publisher), msg) {
                        if prev > msg {
                            return fail(
                                s.t,
                                format!(
                                    "{} left its queue before {}, published earlier by the same client",
                                    copy_text(world, (msg, q)),
                                    copy_text(world, (prev, q))
                                ),
                            );
                        }
                    }
                }
            }
            Ok(())
        }
        Guarantee::RedeliveredFlag => {
            let mut delivered: BTreeSet<Copy> = BTreeSet::new();
            for s in records {
                if let Record::Delivered { msg, q, redelivered, .. } = s.rec {
                    if q == NO_QUEUE {
                        continue;
                    }
                    if !delivered.insert((msg, q)) && !redelivered {
                        return fail(s.t, format!("{} was delivered again with redelivered=false", copy_text(world, (msg, q))));
                    }
                }
            }
            Ok(())
        }
        Guarantee::Prefetch => prefetch(world, records).or_else(|(at, d)| fail(at, d)),
        Guarantee::NoLoss => {
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
                        return fail(s.t, format!("#{} {:?} was lost inside {who}", msg.0 + 1, body(world, msg)));
                    }
                    _ => {}
                }
            }
            for (copy, restored) in restored_after {
                if !restored {
                    return fail(lost_at[&copy], format!("{} was lost", copy_text(world, copy)));
                }
            }
            Ok(())
        }
    }
}

/// Every copy: opened by `routed` (or `restored`), closed by exactly one fate; the copies
/// still open at the end are exactly what the queues hold, ready or unacked.
fn conservation(world: &World, records: &[Stamped<Record>]) -> Result<(), (Time, String)> {
    let mut open: BTreeSet<Copy> = BTreeSet::new();
    let mut ever: BTreeSet<Copy> = BTreeSet::new();
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
    let mut held: BTreeSet<Copy> = BTreeSet::new();
    for q in world.broker.live_queues() {
        for m in &q.ready {
            held.insert((m.msg, q.id));
        }
    }
    for ch in world.broker.channels() {
        for u in &ch.unacked {
            held.insert((u.qm.msg, u.queue));
        }
    }
    let end = world.now();
    if let Some(c) = open.difference(&held).next() {
        return Err((end, format!("{} has no fate but is in no queue: it vanished", copy_text(world, *c))));
    }
    if let Some(c) = held.difference(&open).next() {
        return Err((end, format!("{} is in its queue but its fate was already recorded", copy_text(world, *c))));
    }
    Ok(())
}

/// The consumers' bookkeeping replayed from the trace.
fn prefetch(world: &World, records: &[Stamped<Record>]) -> Result<(), (Time, String)> {
    let mut limit: BTreeMap<ConsumerId, (u32, bool)> = BTreeMap::new();
    let mut holder: BTreeMap<Copy, ConsumerId> = BTreeMap::new();
    let mut count: BTreeMap<ConsumerId, u32> = BTreeMap::new();
    for s in records {
        match s.rec {
            Record::Subscribed { consumer, prefetch, no_ack, .. } => {
                limit.insert(consumer, (prefetch, no_ack));
            }
            Record::Delivered { msg, q, consumer, no_ack: false, .. } if q != NO_QUEUE => {
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

/// Confirmed persistent messages in durable queues, consumed with manual acks: never lost,
/// and acked once the run has settled with a consumer that acks.
fn at_least_once(world: &World, records: &[Stamped<Record>]) -> Result<(), (Time, String)> {
    // Which messages the broker confirmed (ack), per client connection.
    let mut outstanding: BTreeMap<ClientId, BTreeMap<u32, MsgId>> = BTreeMap::new();
    let mut confirmed: BTreeSet<MsgId> = BTreeSet::new();
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
            && world.broker.msgs.props_of(msg).persistent
            && world.broker.queue_meta(q).is_some_and(|m| m.durable && !m.exclusive && !m.auto_delete)
    };
    // Last state of each relevant copy.
    let mut auto_acked: BTreeSet<Copy> = BTreeSet::new();
    let mut state: BTreeMap<Copy, (&'static str, Time)> = BTreeMap::new();
    for s in records {
        let r = &s.rec;
        let Some((msg, q)) = r.copy() else { continue };
        if q == NO_QUEUE || !relevant(msg, q) {
            continue;
        }
        match *r {
            Record::Delivered { no_ack: true, .. } => {
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
    for (copy, (kind, t)) in &state {
        if auto_acked.contains(copy) {
            continue; // consumed with auto-ack: not covered
        }
        if *kind == "lost" {
            return Err((*t, format!("{} was confirmed to its publisher, then lost", copy_text(world, *copy))));
        }
        if *kind == "open" && settled && queue_has_acking_consumer(world, copy.1) {
            return Err((
                world.now(),
                format!("{} was confirmed but never acked, though the run settled with a consumer on its queue", copy_text(world, *copy)),
            ));
        }
    }
    Ok(())
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
            crate::client::spec::RoleSpec::Consumer(spec) => spec.action == crate::client::spec::Action::Ack && spec.rules.is_empty(),
            _ => false,
        }
    })
}
