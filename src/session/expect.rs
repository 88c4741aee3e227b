//! Checking `expect:` items against a run: from the records as they come (what consumers
//! received, what came back to producers, which errors happened) and from the broker's state
//! at the item's time (what a queue holds). The items themselves are data, parsed and
//! resolved by [`crate::scenario::expect`]; [`Session::check`](super::Session::check) feeds
//! every record to a [`Tracker`] per item as the run goes — O(1) per record and item, keeping
//! only what the item needs (a few message ids, a set of outstanding confirms), never the
//! whole trace — and asks it for its [`Outcome`] at the item's time. Only a
//! `guarantee:` item needs the trace itself: the session keeps it then.

use crate::broker::message::{message_headers, HValue, Message};
use crate::ids::{ClientId, MsgId};
use crate::record::Record;
use crate::scenario::expect::{Expect, ExpectKind, Want};
use crate::sim::Stamped;
use crate::world::World;
use std::collections::BTreeMap;

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

/// How many items of a list the tracker keeps beyond those expected (to show what was found).
const SHOWN_EXTRA: usize = 10;

/// Message ids seen in order: the first few kept, all counted.
#[derive(Clone, Debug, Default)]
struct Seen {
    kept: Vec<MsgId>,
    count: u64,
    keep: usize,
}

impl Seen {
    fn new(expected: usize) -> Seen {
        Seen { kept: Vec::new(), count: 0, keep: expected.saturating_add(SHOWN_EXTRA) }
    }

    fn push(&mut self, m: MsgId) {
        self.count += 1;
        if self.kept.len() < self.keep {
            self.kept.push(m);
        }
    }

    /// (whether the bodies are exactly `want`, what was found).
    fn compare(&self, world: &World, want: &[String]) -> (bool, String) {
        let got: Vec<String> = self.kept.iter().map(|m| body(world, *m)).collect();
        let pass = self.count == want.len() as u64 && got == want;
        let mut found = list(&got);
        if self.count > got.len() as u64 {
            found.push_str(&format!(" and {} more", self.count - got.len() as u64));
        }
        (pass, found)
    }
}

/// One producer's publisher confirms, followed as they come. Confirm numbers restart with
/// each connection; they are made global by adding the count of earlier connections'
/// publishes. Each publish is settled at most once, so an ack covering many (`multiple`)
/// costs only what it covers.
#[derive(Clone, Debug, Default)]
struct Confirms {
    epoch_base: u32,
    max_seq: u32,
    /// Confirm number in this connection → (global number, message).
    outstanding: BTreeMap<u32, (u32, MsgId)>,
    published: u64,
    acked: u64,
    nacked: Vec<(u32, MsgId)>,
}

impl Confirms {
    fn feed(&mut self, producer: ClientId, r: &Record) {
        match *r {
            Record::Connected { client } if client == producer => {
                self.epoch_base = self.epoch_base.wrapping_add(self.max_seq);
                self.max_seq = 0;
                self.outstanding.clear();
            }
            Record::Published { client, confirm_seq, msg } if client == producer && confirm_seq > 0 => {
                self.max_seq = self.max_seq.max(confirm_seq);
                self.published += 1;
                self.outstanding.insert(confirm_seq, (self.epoch_base.wrapping_add(confirm_seq), msg));
            }
            Record::Confirm { client, seq, multiple, ack } if client == producer => {
                let covered: Vec<(u32, MsgId)> = if multiple {
                    let rest = self.outstanding.split_off(&seq.saturating_add(1));
                    let covered = std::mem::replace(&mut self.outstanding, rest);
                    if seq == u32::MAX {
                        // split_off(MAX) kept MAX itself in `rest`: it is covered too.
                        let mut c: Vec<_> = covered.into_values().collect();
                        c.extend(self.outstanding.remove(&u32::MAX));
                        c
                    } else {
                        covered.into_values().collect()
                    }
                } else {
                    self.outstanding.remove(&seq).into_iter().collect()
                };
                if ack {
                    self.acked += covered.len() as u64;
                } else {
                    self.nacked.extend(covered);
                }
            }
            _ => {}
        }
    }

    fn unconfirmed(&self) -> u64 {
        self.published - self.acked - self.nacked.len() as u64
    }

    fn nacked_bodies(&self, world: &World) -> Vec<String> {
        let mut n = self.nacked.clone();
        n.sort_unstable_by_key(|(g, _)| *g);
        n.into_iter().map(|(_, m)| body(world, m)).collect()
    }
}

/// What an item follows as the records come.
#[derive(Clone, Debug)]
enum State {
    /// Messages in order (received, redelivered, processed, returned, replies).
    Seen(Seen),
    /// A count (deliveries, unroutable publishes, lost copies, dead letters).
    Count(u64),
    Confirms(Box<Confirms>),
    /// Error codes hit, the first few kept.
    Errors {
        codes: Vec<u16>,
        hit: bool,
    },
    /// `delivery: N`: deliveries seen so far, and the Nth one's message once seen.
    Nth {
        seen: u64,
        msg: Option<MsgId>,
    },
    /// Nothing: the item reads the broker's state (queues) or the whole trace (guarantees).
    None,
}

/// One item, followed through the run.
#[derive(Clone, Debug)]
pub struct Tracker {
    state: State,
}

impl Tracker {
    pub fn new(e: &Expect) -> Tracker {
        let state = match &e.kind {
            ExpectKind::Received { bodies, .. }
            | ExpectKind::Redelivered { bodies, .. }
            | ExpectKind::Processed { bodies, .. }
            | ExpectKind::Returned { bodies, .. }
            | ExpectKind::Replies { bodies, .. } => State::Seen(Seen::new(bodies.len())),
            ExpectKind::Count { .. } | ExpectKind::Unroutable(_) | ExpectKind::Lost(_) | ExpectKind::DeadLettered(_) => State::Count(0),
            ExpectKind::Confirmed { .. } | ExpectKind::Nacked { .. } | ExpectKind::Unconfirmed { .. } => State::Confirms(Box::default()),
            ExpectKind::Error { .. } => State::Errors { codes: Vec::new(), hit: false },
            ExpectKind::DeliveryHeaders { .. } => State::Nth { seen: 0, msg: None },
            _ => State::None,
        };
        Tracker { state }
    }

    /// Whether the item needs the whole trace (a guarantee).
    pub fn needs_trace(e: &Expect) -> bool {
        matches!(e.kind, ExpectKind::Guarantee(_))
    }

    /// Takes one record into account.
    #[inline]
    pub fn feed(&mut self, e: &Expect, world: &World, r: &Record) {
        match (&mut self.state, &e.kind) {
            (State::Seen(seen), kind) => {
                if let Some(m) = seen_msg(world, kind, r) {
                    seen.push(m);
                }
            }
            (State::Count(n), kind) => *n += counts(world, kind, r) as u64,
            (State::Nth { seen, msg }, ExpectKind::DeliveryHeaders { consumer, n, .. }) => {
                if let Record::Delivered { msg: m, client, .. } = *r {
                    if client == *consumer {
                        *seen += 1;
                        if *seen == *n {
                            *msg = Some(m);
                        }
                    }
                }
            }
            (State::Confirms(c), ExpectKind::Confirmed { producer, .. })
            | (State::Confirms(c), ExpectKind::Nacked { producer, .. })
            | (State::Confirms(c), ExpectKind::Unconfirmed { producer, .. }) => c.feed(*producer, r),
            (State::Errors { codes, hit }, ExpectKind::Error { actor, code: want }) => {
                if let Record::ChannelError { client, code, .. } = *r {
                    if client == *actor {
                        *hit |= code == *want;
                        if codes.len() < SHOWN_EXTRA {
                            codes.push(code);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The item's outcome now. `records`: the whole trace, kept when [`Tracker::needs_trace`].
    pub fn outcome(&self, e: &Expect, world: &World, records: &[Stamped<Record>]) -> Outcome {
        let name = |c: ClientId| world.client_name(c).to_string();
        let (label, pass, found) = match (&e.kind, &self.state) {
            (ExpectKind::Received { consumer, bodies }, State::Seen(s)) => {
                let (pass, found) = s.compare(world, bodies);
                (format!("{} received {}", name(*consumer), list(bodies)), pass, found)
            }
            (ExpectKind::Redelivered { consumer, bodies }, State::Seen(s)) => {
                let (pass, found) = s.compare(world, bodies);
                (format!("{} was redelivered {}", name(*consumer), list(bodies)), pass, found)
            }
            (ExpectKind::Processed { consumer, bodies }, State::Seen(s)) => {
                let (pass, found) = s.compare(world, bodies);
                (format!("{} processed {}", name(*consumer), list(bodies)), pass, found)
            }
            (ExpectKind::Returned { producer, bodies }, State::Seen(s)) => {
                let (pass, found) = s.compare(world, bodies);
                (format!("{} got back {}", name(*producer), list(bodies)), pass, found)
            }
            (ExpectKind::Replies { client, bodies }, State::Seen(s)) => {
                let (pass, found) = s.compare(world, bodies);
                (format!("{} got replies {}", name(*client), list(bodies)), pass, found)
            }
            (ExpectKind::Count { consumer, n }, State::Count(got)) => {
                (format!("{} received {n} message(s)", name(*consumer)), got == n, got.to_string())
            }
            (ExpectKind::Unroutable(n), State::Count(got)) => (format!("{n} publish(es) reached no queue"), got == n, got.to_string()),
            (ExpectKind::Lost(n), State::Count(got)) => (format!("{n} message copies lost"), got == n, got.to_string()),
            (ExpectKind::DeadLettered(n), State::Count(got)) => (format!("{n} message(s) dead-lettered"), got == n, got.to_string()),
            (ExpectKind::Confirmed { producer, n }, State::Confirms(c)) => {
                (format!("{} had {n} publish(es) confirmed", name(*producer)), c.acked == *n, c.acked.to_string())
            }
            (ExpectKind::Nacked { producer, bodies }, State::Confirms(c)) => {
                let got = c.nacked_bodies(world);
                (format!("{} had {} nacked", name(*producer), list(bodies)), got == *bodies, list(&got))
            }
            (ExpectKind::Unconfirmed { producer, n }, State::Confirms(c)) => {
                let got = c.unconfirmed();
                (format!("{} has {n} publish(es) never confirmed", name(*producer)), got == *n, got.to_string())
            }
            (ExpectKind::Error { actor, code }, State::Errors { codes, hit }) => {
                let found = if codes.is_empty() {
                    "no error".to_string()
                } else {
                    format!("errors {}", codes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "))
                };
                (format!("{} hit a {code} error", name(*actor)), *hit, found)
            }
            (ExpectKind::DeliveryHeaders { consumer, n, headers }, State::Nth { msg, .. }) => {
                let label = format!("delivery {n} to {} carries headers {}", world.client_name(*consumer), show_wants(headers));
                match msg {
                    Some(m) => headers_check(world, label, *m, headers),
                    None => (label, false, "no such delivery".into()),
                }
            }
            (ExpectKind::QueueHeaders { queue, position, headers }, _) => queue_headers(world, queue, *position, headers),
            (ExpectKind::QueueMessages { queue, bodies }, _) => queue_messages(world, queue, bodies),
            (ExpectKind::QueueExists { queue, exists }, _) => queue_exists(world, queue, *exists),
            (ExpectKind::QueueReady { queue, n }, _) => {
                let got = queue_state(world, queue).map(|q| q.ready.len() as u64);
                (
                    format!("queue {queue} has {n} ready"),
                    got == Some(*n),
                    got.map(|g| g.to_string()).unwrap_or_else(|| "no such queue".into()),
                )
            }
            (ExpectKind::QueueUnacked { queue, n }, _) => {
                let got = queue_state(world, queue).map(|q| q.unacked as u64);
                (
                    format!("queue {queue} has {n} unacked"),
                    got == Some(*n),
                    got.map(|g| g.to_string()).unwrap_or_else(|| "no such queue".into()),
                )
            }
            (ExpectKind::Guarantee(g), _) => match crate::guarantees::check(*g, world, records) {
                Ok(()) => (format!("guarantee {} holds", g.name()), true, String::new()),
                Err(v) => (format!("guarantee {} holds", g.name()), false, format!("broken at {}: {}", v.at, v.detail)),
            },
            _ => unreachable!("a tracker is made for its item"),
        };
        let label = match e.at {
            Some(t) => format!("{label} at {t}"),
            None => label,
        };
        Outcome { pass, label, found, line: e.line }
    }
}

/// Evaluates an item against a whole kept trace (the caller has run the world to the item's
/// time): a tracker fed every record.
pub fn evaluate(e: &Expect, world: &World, records: &[Stamped<Record>]) -> Outcome {
    let mut t = Tracker::new(e);
    for s in records {
        t.feed(e, world, &s.rec);
    }
    t.outcome(e, world, records)
}

/// The message a record adds to a list item, if it does.
#[inline]
fn seen_msg(world: &World, kind: &ExpectKind, r: &Record) -> Option<MsgId> {
    match (kind, *r) {
        (ExpectKind::Received { consumer, .. }, Record::Delivered { msg, client, .. }) if client == *consumer => Some(msg),
        (ExpectKind::Redelivered { consumer, .. }, Record::Delivered { msg, client, redelivered: true, .. }) if client == *consumer => {
            Some(msg)
        }
        (ExpectKind::Processed { consumer, .. }, Record::Processed { msg, client }) if client == *consumer => Some(msg),
        (ExpectKind::Returned { producer, .. }, Record::Unroutable { msg, returned: true, .. }) if publisher(world, msg) == producer.0 => {
            Some(msg)
        }
        (ExpectKind::Replies { client, .. }, Record::Reply { client: c, msg, accepted: true, .. }) if c == *client => Some(msg),
        _ => None,
    }
}

/// Whether a record adds one to a count item.
#[inline]
fn counts(world: &World, kind: &ExpectKind, r: &Record) -> bool {
    match (kind, *r) {
        (ExpectKind::Count { consumer, .. }, Record::Delivered { client, .. }) => client == *consumer,
        (ExpectKind::Unroutable(_), Record::Unroutable { msg, .. }) => publisher(world, msg) != Message::FROM_BROKER,
        (ExpectKind::Lost(_), Record::Lost { .. }) => true,
        (ExpectKind::DeadLettered(_), Record::DeadLettered { .. }) => true,
        _ => false,
    }
}

/// What one check says: (what was expected, whether it holds, what was found).
type Checked = (String, bool, String);

fn queue_messages(world: &World, queue: &str, bodies: &[String]) -> Checked {
    let got: Vec<String> = match queue_state(world, queue) {
        Some(q) => q.ready.iter().take(bodies.len() + SHOWN_EXTRA).map(|m| body(world, m.msg)).collect(),
        None => Vec::new(),
    };
    let q = queue_state(world, queue);
    let exists = q.is_some();
    let len = q.map_or(0, |q| q.ready.len());
    let mut found = if exists { list(&got) } else { "no such queue".to_string() };
    if len > got.len() {
        found.push_str(&format!(" and {} more", len - got.len()));
    }
    (format!("queue {queue} holds {} ready", list(bodies)), exists && len == bodies.len() && got == bodies, found)
}

fn queue_exists(world: &World, queue: &str, exists: bool) -> Checked {
    let got = queue_state(world, queue).is_some();
    (
        format!("queue {queue} {}", if exists { "exists" } else { "does not exist" }),
        got == exists,
        if got { "it exists".into() } else { "it does not".into() },
    )
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

fn queue_headers(world: &World, queue: &str, position: u64, want: &[(String, Want)]) -> Checked {
    let label = format!("message {position} of queue {queue} carries headers {}", show_wants(want));
    let Some(q) = queue_state(world, queue) else {
        return (label, false, "no such queue".into());
    };
    match q.ready.get(position.saturating_sub(1) as usize) {
        Some(m) => headers_check(world, label, m.msg, want),
        None => (label, false, format!("it holds {} ready", q.ready.len())),
    }
}

/// Whether a message carries at least the headers an item gives (its own and those the
/// broker added: x-death, x-first-death-*).
fn headers_check(w: &World, label: String, msg: MsgId, want: &[(String, Want)]) -> Checked {
    let props = w.msgs.props_of(msg);
    let have = message_headers(props, w.broker.death_keys(), &w.names);
    let have: &[(crate::ids::Sym, HValue)] = have.as_deref().unwrap_or(&[]);
    let pass = want.iter().all(|(k, wv)| have.iter().any(|(hk, hv)| w.names.get(*hk) == k && want_matches(wv, hv, &w.names)));
    let shown: Vec<String> = have.iter().map(|(k, v)| format!("{}: {}", w.names.get(*k), show_value(v, &w.names))).collect();
    (label, pass, format!("{} {{{}}}", body(w, msg), shown.join(", ")))
}

/// Whether a header value is what an item expects (see [`Want`]).
fn want_matches(want: &Want, have: &HValue, names: &crate::names::Names) -> bool {
    match (want, have) {
        (Want::Present, _) => true,
        (Want::Bool(a), HValue::Bool(b)) => a == b,
        (Want::Int(a), HValue::Int(b)) => a == b,
        (Want::Int(a), HValue::Float(b)) | (Want::Float(b), HValue::Int(a)) => (*a as f64) == *b,
        (Want::Float(a), HValue::Float(b)) => a == b,
        (Want::Str(a), HValue::Str(b)) => a.as_str() == &**b,
        (Want::List(ws), HValue::List(hs)) => ws.len() == hs.len() && ws.iter().zip(hs.iter()).all(|(w, h)| want_matches(w, h, names)),
        (Want::Map(fields), HValue::Table(t)) => {
            fields.iter().all(|(k, w)| t.iter().any(|(hk, hv)| names.get(*hk) == k && want_matches(w, hv, names)))
        }
        _ => false,
    }
}

fn show_value(v: &HValue, names: &crate::names::Names) -> String {
    match v {
        HValue::List(items) => format!("[{}]", items.iter().map(|x| show_value(x, names)).collect::<Vec<_>>().join(", ")),
        HValue::Table(fields) => {
            let f: Vec<String> = fields.iter().map(|(k, x)| format!("{}: {}", names.get(*k), show_value(x, names))).collect();
            format!("{{{}}}", f.join(", "))
        }
        HValue::Str(s) => s.to_string(),
        other => other.show(),
    }
}

fn show_want(w: &Want) -> String {
    match w {
        Want::Present => "(present)".into(),
        Want::Bool(b) => b.to_string(),
        Want::Int(i) => i.to_string(),
        Want::Float(f) => f.to_string(),
        Want::Str(s) => s.clone(),
        Want::List(items) => format!("[{}]", items.iter().map(show_want).collect::<Vec<_>>().join(", ")),
        Want::Map(fields) => show_wants(fields),
    }
}

fn show_wants(fields: &[(String, Want)]) -> String {
    let f: Vec<String> = fields.iter().map(|(k, w)| format!("{k}: {}", show_want(w))).collect();
    format!("{{{}}}", f.join(", "))
}
