//! `expect:` items and how they are checked against a run: from the trace (what consumers
//! received, what came back to producers, which errors happened) and from the broker's
//! state at the item's time (what a queue holds).

use crate::ids::{ClientId, MsgId};
use crate::record::Record;
use crate::sim::{Stamped, Time};
use crate::world::World;

#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// Checked at this time (after every event due then); otherwise at the end of the run.
    pub at: Option<Time>,
    pub kind: ExpectKind,
    /// Line of the item in the file.
    pub line: usize,
    pub why: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    Received { consumer: ClientId, bodies: Vec<String> },
    Redelivered { consumer: ClientId, bodies: Vec<String> },
    Processed { consumer: ClientId, bodies: Vec<String> },
    Count { consumer: ClientId, n: u64 },
    QueueMessages { queue: String, bodies: Vec<String> },
    QueueExists { queue: String, exists: bool },
    QueueReady { queue: String, n: u64 },
    QueueUnacked { queue: String, n: u64 },
    Returned { producer: ClientId, bodies: Vec<String> },
    Confirmed { producer: ClientId, n: u64 },
    Nacked { producer: ClientId, bodies: Vec<String> },
    Unconfirmed { producer: ClientId, n: u64 },
    Replies { client: ClientId, bodies: Vec<String> },
    Unroutable(u64),
    Lost(u64),
    DeadLettered(u64),
    Error { actor: ClientId, code: u16 },
    Guarantee(crate::explore::guarantees::Guarantee),
}

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

fn list(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn body(world: &World, msg: MsgId) -> String {
    world.broker.msgs.get(msg).body.render(&world.broker.names).into_owned()
}

fn publisher(world: &World, msg: MsgId) -> u32 {
    world.broker.msgs.get(msg).publisher
}

impl Expect {
    /// Evaluates the item against the run as it stands (the caller has run the world to the
    /// item's time).
    pub fn evaluate(&self, world: &World, records: &[Stamped<Record>]) -> Outcome {
        let name = |c: ClientId| world.client_name(c).to_string();
        let recs = records.iter().map(|s| &s.rec);
        let (label, pass, found): (String, bool, String) = match &self.kind {
            ExpectKind::Received { consumer, bodies } | ExpectKind::Redelivered { consumer, bodies } => {
                let only_redelivered = matches!(self.kind, ExpectKind::Redelivered { .. });
                let got: Vec<String> = recs
                    .filter_map(|r| match *r {
                        Record::Delivered { msg, client, redelivered, .. } if client == *consumer && (!only_redelivered || redelivered) => {
                            Some(body(world, msg))
                        }
                        _ => None,
                    })
                    .collect();
                let verb = if only_redelivered { "was redelivered" } else { "received" };
                (format!("{} {verb} {}", name(*consumer), list(bodies)), &got == bodies, list(&got))
            }
            ExpectKind::Processed { consumer, bodies } => {
                let got: Vec<String> = recs
                    .filter_map(|r| match *r {
                        Record::Processed { msg, client } if client == *consumer => Some(body(world, msg)),
                        _ => None,
                    })
                    .collect();
                (format!("{} processed {}", name(*consumer), list(bodies)), &got == bodies, list(&got))
            }
            ExpectKind::Count { consumer, n } => {
                let got = recs.filter(|r| matches!(r, Record::Delivered { client, .. } if client == consumer)).count() as u64;
                (format!("{} received {n} message(s)", name(*consumer)), got == *n, got.to_string())
            }
            ExpectKind::QueueMessages { queue, bodies } => {
                let got: Vec<String> = match queue_state(world, queue) {
                    Some(q) => q.ready.iter().map(|m| body(world, m.msg)).collect(),
                    None => Vec::new(),
                };
                let exists = queue_state(world, queue).is_some();
                let found = if exists { list(&got) } else { "no such queue".to_string() };
                (format!("queue {queue} holds {} ready", list(bodies)), exists && &got == bodies, found)
            }
            ExpectKind::QueueExists { queue, exists } => {
                let got = queue_state(world, queue).is_some();
                (
                    format!("queue {queue} {}", if *exists { "exists" } else { "does not exist" }),
                    got == *exists,
                    if got { "it exists".into() } else { "it does not".into() },
                )
            }
            ExpectKind::QueueReady { queue, n } => {
                let got = queue_state(world, queue).map(|q| q.ready.len() as u64);
                (
                    format!("queue {queue} has {n} ready"),
                    got == Some(*n),
                    got.map(|g| g.to_string()).unwrap_or_else(|| "no such queue".into()),
                )
            }
            ExpectKind::QueueUnacked { queue, n } => {
                let got = queue_state(world, queue).map(|q| q.unacked as u64);
                (
                    format!("queue {queue} has {n} unacked"),
                    got == Some(*n),
                    got.map(|g| g.to_string()).unwrap_or_else(|| "no such queue".into()),
                )
            }
            ExpectKind::Returned { producer, bodies } => {
                let got: Vec<String> = recs
                    .filter_map(|r| match *r {
                        Record::Unroutable { msg, returned: true, .. } if publisher(world, msg) == producer.0 => Some(body(world, msg)),
                        _ => None,
                    })
                    .collect();
                (format!("{} got back {}", name(*producer), list(bodies)), &got == bodies, list(&got))
            }
            ExpectKind::Confirmed { producer, n } => {
                let got = confirmed_seqs(records, *producer, true).len() as u64;
                (format!("{} had {n} publish(es) confirmed", name(*producer)), got == *n, got.to_string())
            }
            ExpectKind::Nacked { producer, bodies } => {
                let nacked = confirmed_seqs(records, *producer, false);
                let got: Vec<String> =
                    publishes(world, records, *producer).into_iter().filter(|(seq, _)| nacked.contains(seq)).map(|(_, b)| b).collect();
                (format!("{} had {} nacked", name(*producer), list(bodies)), &got == bodies, list(&got))
            }
            ExpectKind::Unconfirmed { producer, n } => {
                let acked = confirmed_seqs(records, *producer, true);
                let nacked = confirmed_seqs(records, *producer, false);
                let got = publishes(world, records, *producer)
                    .iter()
                    .filter(|(seq, _)| *seq > 0 && !acked.contains(seq) && !nacked.contains(seq))
                    .count() as u64;
                (format!("{} has {n} publish(es) never confirmed", name(*producer)), got == *n, got.to_string())
            }
            ExpectKind::Replies { client, bodies } => {
                let got: Vec<String> = recs
                    .filter_map(|r| match *r {
                        Record::Reply { client: c, msg, accepted: true, .. } if c == *client => Some(body(world, msg)),
                        _ => None,
                    })
                    .collect();
                (format!("{} got replies {}", name(*client), list(bodies)), &got == bodies, list(&got))
            }
            ExpectKind::Unroutable(n) => {
                let got = recs.filter(|r| matches!(r, Record::Unroutable { msg, .. } if publisher(world, *msg) != u32::MAX)).count() as u64;
                (format!("{n} publish(es) reached no queue"), got == *n, got.to_string())
            }
            ExpectKind::Lost(n) => {
                let got = recs.filter(|r| matches!(r, Record::Lost { .. })).count() as u64;
                (format!("{n} message copies lost"), got == *n, got.to_string())
            }
            ExpectKind::DeadLettered(n) => {
                let got = recs.filter(|r| matches!(r, Record::DeadLettered { .. })).count() as u64;
                (format!("{n} message(s) dead-lettered"), got == *n, got.to_string())
            }
            ExpectKind::Guarantee(g) => match crate::explore::guarantees::check(*g, world, records) {
                Ok(()) => (format!("guarantee {} holds", g.name()), true, String::new()),
                Err(v) => (format!("guarantee {} holds", g.name()), false, format!("broken at {}: {}", v.at, v.detail)),
            },
            ExpectKind::Error { actor, code } => {
                let codes: Vec<String> = recs
                    .filter_map(|r| match *r {
                        Record::ChannelError { client, code, .. } if client == *actor => Some(code.to_string()),
                        _ => None,
                    })
                    .collect();
                let pass = codes.iter().any(|c| *c == code.to_string());
                let found = if codes.is_empty() { "no error".to_string() } else { format!("errors {}", codes.join(", ")) };
                (format!("{} hit a {code} error", name(*actor)), pass, found)
            }
        };
        let label = match self.at {
            Some(t) => format!("{label} at {t}"),
            None => label,
        };
        Outcome { pass, label, found, line: self.line }
    }
}

fn queue_state<'w>(world: &'w World, name: &str) -> Option<&'w crate::broker::queue::Queue> {
    let sym = world.broker.names.lookup(name)?;
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
