//! Checking `expect:` items against a run: from the trace (what consumers received, what came
//! back to producers, which errors happened) and from the broker's state at the item's time
//! (what a queue holds). The items themselves are data, parsed and resolved by
//! [`crate::scenario::expect`]; [`Session::check`](super::Session::check) runs the world to
//! each item's time and calls [`evaluate`].

use crate::broker::message::Message;
use crate::ids::{ClientId, MsgId};
use crate::record::Record;
use crate::scenario::expect::{Expect, ExpectKind};
use crate::sim::Stamped;
use crate::world::World;

/// The result of one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub pass: bool,
    /// What was expected, in words.
    pub label: String,
    /// What was found, when it differs.
    pub found: String,
    pub line: usize,
}

/// What one check says: (what was expected, whether it holds, what was found).
type Checked = (String, bool, String);

/// Evaluates an item against the run as it stands (the caller has run the world to the
/// item's time).
pub fn evaluate(e: &Expect, world: &World, records: &[Stamped<Record>]) -> Outcome {
    let run = Run { world, records };
    let (label, pass, found) = match &e.kind {
        ExpectKind::Received { consumer, bodies } => run.received(*consumer, bodies, false),
        ExpectKind::Redelivered { consumer, bodies } => run.received(*consumer, bodies, true),
        ExpectKind::Processed { consumer, bodies } => run.processed(*consumer, bodies),
        ExpectKind::Count { consumer, n } => run.count(*consumer, *n),
        ExpectKind::QueueMessages { queue, bodies } => run.queue_messages(queue, bodies),
        ExpectKind::QueueExists { queue, exists } => run.queue_exists(queue, *exists),
        ExpectKind::QueueReady { queue, n } => run.queue_ready(queue, *n),
        ExpectKind::QueueUnacked { queue, n } => run.queue_unacked(queue, *n),
        ExpectKind::Returned { producer, bodies } => run.returned(*producer, bodies),
        ExpectKind::Confirmed { producer, n } => run.confirmed(*producer, *n),
        ExpectKind::Nacked { producer, bodies } => run.nacked(*producer, bodies),
        ExpectKind::Unconfirmed { producer, n } => run.unconfirmed(*producer, *n),
        ExpectKind::Replies { client, bodies } => run.replies(*client, bodies),
        ExpectKind::Unroutable(n) => run.unroutable(*n),
        ExpectKind::Lost(n) => run.lost(*n),
        ExpectKind::DeadLettered(n) => run.dead_lettered(*n),
        ExpectKind::Guarantee(g) => match crate::guarantees::check(*g, world, records) {
            Ok(()) => (format!("guarantee {} holds", g.name()), true, String::new()),
            Err(v) => (format!("guarantee {} holds", g.name()), false, format!("broken at {}: {}", v.at, v.detail)),
        },
        ExpectKind::Error { actor, code } => run.error(*actor, *code),
    };
    let label = match e.at {
        Some(t) => format!("{label} at {t}"),
        None => label,
    };
    Outcome { pass, label, found, line: e.line }
}

/// The run an item is checked against: the world at the item's time and the trace so far.
struct Run<'a> {
    world: &'a World,
    records: &'a [Stamped<Record>],
}

impl Run<'_> {
    fn name(&self, c: ClientId) -> String {
        self.world.client_name(c).to_string()
    }

    fn recs(&self) -> impl Iterator<Item = &Record> + '_ {
        self.records.iter().map(|s| &s.rec)
    }

    fn body(&self, msg: MsgId) -> String {
        body(self.world, msg)
    }

    /// `received:` (every delivery) or `redelivered:` (only redeliveries).
    fn received(&self, consumer: ClientId, bodies: &[String], only_redelivered: bool) -> Checked {
        let got: Vec<String> = self
            .recs()
            .filter_map(|r| match *r {
                Record::Delivered { msg, client, redelivered, .. } if client == consumer && (!only_redelivered || redelivered) => {
                    Some(self.body(msg))
                }
                _ => None,
            })
            .collect();
        let verb = if only_redelivered { "was redelivered" } else { "received" };
        (format!("{} {verb} {}", self.name(consumer), list(bodies)), got == bodies, list(&got))
    }

    fn processed(&self, consumer: ClientId, bodies: &[String]) -> Checked {
        let got: Vec<String> = self
            .recs()
            .filter_map(|r| match *r {
                Record::Processed { msg, client } if client == consumer => Some(self.body(msg)),
                _ => None,
            })
            .collect();
        (format!("{} processed {}", self.name(consumer), list(bodies)), got == bodies, list(&got))
    }

    fn count(&self, consumer: ClientId, n: u64) -> Checked {
        let got = self.recs().filter(|r| matches!(r, Record::Delivered { client, .. } if *client == consumer)).count() as u64;
        (format!("{} received {n} message(s)", self.name(consumer)), got == n, got.to_string())
    }

    fn queue_messages(&self, queue: &str, bodies: &[String]) -> Checked {
        let world = self.world;
        let got: Vec<String> = match queue_state(world, queue) {
            Some(q) => q.ready.iter().map(|m| body(world, m.msg)).collect(),
            None => Vec::new(),
        };
        let exists = queue_state(world, queue).is_some();
        let found = if exists { list(&got) } else { "no such queue".to_string() };
        (format!("queue {queue} holds {} ready", list(bodies)), exists && got == bodies, found)
    }

    fn queue_exists(&self, queue: &str, exists: bool) -> Checked {
        let got = queue_state(self.world, queue).is_some();
        (
            format!("queue {queue} {}", if exists { "exists" } else { "does not exist" }),
            got == exists,
            if got { "it exists".into() } else { "it does not".into() },
        )
    }

    fn queue_ready(&self, queue: &str, n: u64) -> Checked {
        let got = queue_state(self.world, queue).map(|q| q.ready.len() as u64);
        (format!("queue {queue} has {n} ready"), got == Some(n), got.map(|g| g.to_string()).unwrap_or_else(|| "no such queue".into()))
    }

    fn queue_unacked(&self, queue: &str, n: u64) -> Checked {
        let got = queue_state(self.world, queue).map(|q| q.unacked as u64);
        (format!("queue {queue} has {n} unacked"), got == Some(n), got.map(|g| g.to_string()).unwrap_or_else(|| "no such queue".into()))
    }

    fn returned(&self, producer: ClientId, bodies: &[String]) -> Checked {
        let got: Vec<String> = self
            .recs()
            .filter_map(|r| match *r {
                Record::Unroutable { msg, returned: true, .. } if publisher(self.world, msg) == producer.0 => Some(self.body(msg)),
                _ => None,
            })
            .collect();
        (format!("{} got back {}", self.name(producer), list(bodies)), got == bodies, list(&got))
    }

    fn confirmed(&self, producer: ClientId, n: u64) -> Checked {
        let got = confirmed_seqs(self.records, producer, true).len() as u64;
        (format!("{} had {n} publish(es) confirmed", self.name(producer)), got == n, got.to_string())
    }

    fn nacked(&self, producer: ClientId, bodies: &[String]) -> Checked {
        let nacked = confirmed_seqs(self.records, producer, false);
        let got: Vec<String> =
            publishes(self.world, self.records, producer).into_iter().filter(|(seq, _)| nacked.contains(seq)).map(|(_, b)| b).collect();
        (format!("{} had {} nacked", self.name(producer), list(bodies)), got == bodies, list(&got))
    }

    fn unconfirmed(&self, producer: ClientId, n: u64) -> Checked {
        let acked = confirmed_seqs(self.records, producer, true);
        let nacked = confirmed_seqs(self.records, producer, false);
        let got = publishes(self.world, self.records, producer)
            .iter()
            .filter(|(seq, _)| *seq > 0 && !acked.contains(seq) && !nacked.contains(seq))
            .count() as u64;
        (format!("{} has {n} publish(es) never confirmed", self.name(producer)), got == n, got.to_string())
    }

    fn replies(&self, client: ClientId, bodies: &[String]) -> Checked {
        let got: Vec<String> = self
            .recs()
            .filter_map(|r| match *r {
                Record::Reply { client: c, msg, accepted: true, .. } if c == client => Some(self.body(msg)),
                _ => None,
            })
            .collect();
        (format!("{} got replies {}", self.name(client), list(bodies)), got == bodies, list(&got))
    }

    fn unroutable(&self, n: u64) -> Checked {
        let got = self
            .recs()
            .filter(|r| matches!(r, Record::Unroutable { msg, .. } if publisher(self.world, *msg) != Message::FROM_BROKER))
            .count() as u64;
        (format!("{n} publish(es) reached no queue"), got == n, got.to_string())
    }

    fn lost(&self, n: u64) -> Checked {
        let got = self.recs().filter(|r| matches!(r, Record::Lost { .. })).count() as u64;
        (format!("{n} message copies lost"), got == n, got.to_string())
    }

    fn dead_lettered(&self, n: u64) -> Checked {
        let got = self.recs().filter(|r| matches!(r, Record::DeadLettered { .. })).count() as u64;
        (format!("{n} message(s) dead-lettered"), got == n, got.to_string())
    }

    fn error(&self, actor: ClientId, code: u16) -> Checked {
        let codes: Vec<String> = self
            .recs()
            .filter_map(|r| match *r {
                Record::ChannelError { client, code, .. } if client == actor => Some(code.to_string()),
                _ => None,
            })
            .collect();
        let pass = codes.iter().any(|c| *c == code.to_string());
        let found = if codes.is_empty() { "no error".to_string() } else { format!("errors {}", codes.join(", ")) };
        (format!("{} hit a {code} error", self.name(actor)), pass, found)
    }
}

fn list(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn body(world: &World, msg: MsgId) -> String {
    world.msgs.get(msg).body.render(&world.names).into_owned()
}

fn publisher(world: &World, msg: MsgId) -> u32 {
    world.msgs.get(msg).publisher
}

fn queue_state<'w>(world: &'w World, name: &str) -> Option<&'w crate::broker::queue::Queue> {
    let sym = world.names.lookup(name)?;
    let id = world.broker.queue_by_name(sym)?;
    world.broker.queue(id)
}

/// Confirm sequence numbers a producer got an ack (or nack) for, expanding `multiple`.
/// Numbers restart with each connection; they are made global by adding the count of
/// earlier connections' publishes.
fn confirmed_seqs(records: &[Stamped<Record>], producer: ClientId, want_ack: bool) -> Vec<u32> {
    let mut out = Vec::new();
    let mut epoch_base = 0u32;
    let mut max_seq = 0u32;
    let mut outstanding = std::collections::BTreeSet::new();
    for s in records {
        match s.rec {
            Record::Connected { client } if client == producer => {
                epoch_base += max_seq;
                max_seq = 0;
                outstanding.clear();
            }
            Record::Published { client, confirm_seq, .. } if client == producer && confirm_seq > 0 => {
                max_seq = max_seq.max(confirm_seq);
                outstanding.insert(confirm_seq);
            }
            Record::Confirm { client, seq, multiple, ack } if client == producer => {
                let covered: Vec<u32> = if multiple {
                    outstanding.range(..=seq).copied().collect()
                } else {
                    outstanding.get(&seq).copied().into_iter().collect()
                };
                for k in covered {
                    outstanding.remove(&k);
                    if ack == want_ack {
                        out.push(epoch_base + k);
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_unstable();
    out
}

/// (global confirm number, body) of every confirm-mode publish by a producer.
fn publishes(world: &World, records: &[Stamped<Record>], producer: ClientId) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut epoch_base = 0u32;
    let mut max_seq = 0u32;
    for s in records {
        match s.rec {
            Record::Connected { client } if client == producer => {
                epoch_base += max_seq;
                max_seq = 0;
            }
            Record::Published { client, confirm_seq, msg } if client == producer => {
                if confirm_seq > 0 {
                    max_seq = max_seq.max(confirm_seq);
                    out.push((epoch_base + confirm_seq, body(world, msg)));
                } else {
                    out.push((0, body(world, msg)));
                }
            }
            _ => {}
        }
    }
    out
}
