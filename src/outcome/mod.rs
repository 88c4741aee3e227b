//! The observable outcome of a run: what `warren diff` compares between the simulation and
//! a real broker. Only what a client program can see, and what stays the same from one real
//! run to the next when the scenario's steps are tens of milliseconds apart:
//!
//! - what each consumer's code received, in order, with the redelivered flags: the
//!   deliveries its callback ran for. A delivery the broker sent that was still waiting in the
//!   client when the client crashed never reached the code, in warren as with pika. (Delivery
//!   tags are left out: they number deliveries per channel and tell nothing more.)
//! - the messages returned to each client (basic.return), in order;
//! - the publishes the broker nacked (publisher confirms), in order;
//! - each RPC client's replies, in order, kept or discarded (correlation id);
//! - the channel and connection errors each client got (reply codes);
//! - how many times each client's own code failed (an RPC server's bad request);
//! - the final contents of every named, non-exclusive queue as a client reads them at the
//!   end, queue after queue with `basic.get` (a message whose TTL has passed is dropped, and
//!   perhaps dead-lettered, when it reaches the head: [`crate::world::report`]), or that it
//!   does not exist.
//!
//! [`Outcome::from_session`] reads it from a finished simulation; [`Outcome::from_script`]
//! parses the JSON lines printed by the script of `warren export pika` (docs/exports.md).

pub mod race;

use crate::broker::message::Message;
use crate::client::spec::RoleSpec;
use crate::ids::NO_CONSUMER;
use crate::ids::{ClientId, MsgId};
use crate::record::{DeliverWhy, Record, ServerFailure};
use crate::scenario::Scenario;
use crate::session::Session;
use crate::world::report::QueueRead;
use crate::world::World;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One delivery to a consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Got {
    pub body: String,
    pub redelivered: bool,
}

/// An RPC client's reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub body: String,
    /// Its correlation id matched a call still waiting.
    pub accepted: bool,
}

/// What a run showed, side by side comparable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Every consumer (RPC servers too), even one that received nothing.
    pub deliveries: BTreeMap<String, Vec<Got>>,
    /// Clients that got messages back (basic.return).
    pub returns: BTreeMap<String, Vec<String>>,
    /// Producers whose publishes were nacked.
    pub nacks: BTreeMap<String, Vec<String>>,
    /// Every RPC client, even one that got no reply.
    pub replies: BTreeMap<String, Vec<Reply>>,
    /// Clients that got channel or connection errors: the reply codes, in order.
    pub errors: BTreeMap<String, Vec<u16>>,
    /// `get:` pollers that found their queue empty: how many times (basic.get-empty).
    pub empties: BTreeMap<String, u32>,
    /// Clients whose own code failed (an RPC server's request without `reply_to`, a body its
    /// function cannot take): how many times. In a script, any exception of the client's code
    /// counts, so a fault of the script itself shows here too.
    pub failures: BTreeMap<String, u32>,
    /// Every named, non-exclusive queue of the scenario: the messages a client reading it at the
    /// end gets, in order (`None`: it does not exist).
    pub queues: BTreeMap<String, Option<Vec<String>>>,
}

/// The queues whose final contents are compared: named, non-exclusive ones, declared by the
/// scenario's setup or by a client's `declare:` (in file order, without repeats).
pub fn reported_queues(s: &Scenario) -> Vec<String> {
    let d = &s.def;
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        if !out.iter().any(|x| x == name) {
            out.push(name.to_string());
        }
    };
    for q in d.queues.iter().filter(|q| !q.exclusive) {
        add(&q.name);
    }
    let declares = d
        .producers
        .iter()
        .flat_map(|p| p.declare.iter())
        .chain(d.consumers.iter().flat_map(|c| c.declare.iter()))
        .chain(d.rpc_clients.iter().flat_map(|r| r.declare.iter()));
    for dd in declares {
        if let Some(q) = &dd.queue {
            if !dd.exclusive && !d.queues.iter().any(|x| x.name == *q && x.exclusive) {
                add(q);
            }
        }
    }
    out
}

fn body(world: &World, msg: MsgId) -> String {
    world.msgs.get(msg).body.render(&world.names).into_owned()
}

impl Outcome {
    /// An outcome with an empty entry for every consumer, RPC client and reported queue.
    fn empty(s: &Scenario) -> Outcome {
        let mut o = Outcome::default();
        for c in &s.def.consumers {
            o.deliveries.insert(c.name.clone(), Vec::new());
        }
        for r in &s.def.rpc_clients {
            o.replies.insert(r.name.clone(), Vec::new());
        }
        for q in reported_queues(s) {
            o.queues.insert(q, None);
        }
        o
    }

    /// The outcome of a finished simulation.
    pub fn from_session(session: &Session) -> Outcome {
        let s = &session.scenario;
        let w = &session.world;
        let mut o = Outcome::empty(s);
        let name = |c: ClientId| w.client_name(c).to_string();
        let consumers: Vec<bool> = w.clients.iter().map(|c| matches!(c.spec.role, RoleSpec::Consumer(_))).collect();
        // Deliveries waiting in each consumer, not yet handed to its code: (message, redelivered).
        let mut waiting: Vec<std::collections::VecDeque<(MsgId, bool)>> = vec![Default::default(); w.clients.len()];
        // Confirm-mode publishes of the current connection of each client: seq → message.
        let mut confirm_of: BTreeMap<(ClientId, u32), MsgId> = BTreeMap::new();
        for st in session.trace.records() {
            match st.rec {
                Record::Delivered { msg, client, redelivered, consumer, why, .. }
                    if (consumer != NO_CONSUMER || why == DeliverWhy::Get) && consumers.get(client.idx()).copied().unwrap_or(false) =>
                {
                    waiting[client.idx()].push_back((msg, redelivered));
                }
                Record::WorkStarted { client, msg, .. } => {
                    let q = &mut waiting[client.idx()];
                    if let Some(i) = q.iter().position(|(m, _)| *m == msg) {
                        let (_, redelivered) = q.remove(i).expect("found");
                        o.deliveries.entry(name(client)).or_default().push(Got { body: body(w, msg), redelivered });
                    }
                }
                Record::Unroutable { msg, returned: true, .. } => {
                    let p = w.msgs.get(msg).publisher;
                    if p != Message::FROM_BROKER {
                        o.returns.entry(name(ClientId(p))).or_default().push(body(w, msg));
                    }
                }
                // A busy client may still work through deliveries it had read after its
                // connection went (see `ConsumerState::lose_connection`): what it had waiting
                // is forgotten only when it connects again.
                Record::Connected { client } => {
                    confirm_of.retain(|(c, _), _| *c != client);
                    if let Some(q) = waiting.get_mut(client.idx()) {
                        q.clear();
                    }
                }
                Record::Published { msg, client, confirm_seq } if confirm_seq > 0 => {
                    confirm_of.insert((client, confirm_seq), msg);
                }
                Record::Confirm { client, seq, multiple, ack } => {
                    let covered: Vec<(ClientId, u32)> = if multiple {
                        confirm_of.range((client, 0)..=(client, seq)).map(|(k, _)| *k).collect()
                    } else {
                        confirm_of.get_key_value(&(client, seq)).map(|(k, _)| *k).into_iter().collect()
                    };
                    for k in covered {
                        if let Some(msg) = confirm_of.remove(&k) {
                            if !ack {
                                o.nacks.entry(name(client)).or_default().push(body(w, msg));
                            }
                        }
                    }
                }
                Record::GetEmpty { client, .. } => *o.empties.entry(name(client)).or_default() += 1,
                // A crash rule is a crash (the script says `crash`), not a failure of the code.
                Record::ServerFailed { client, why, .. } if why != ServerFailure::Rule => *o.failures.entry(name(client)).or_default() += 1,
                Record::Reply { client, msg, accepted, .. } => {
                    o.replies.entry(name(client)).or_default().push(Reply { body: body(w, msg), accepted });
                }
                // What was waiting stays until the client connects again: a busy client still
                // works through what pika had read (its channel opens again only then).
                Record::ChannelError { client, code, .. } => o.errors.entry(name(client)).or_default().push(code),
                _ => {}
            }
        }
        let names = reported_queues(s);
        for (q, read) in names.iter().zip(w.read_queues(&names)) {
            o.queues.insert(
                q.clone(),
                match read {
                    QueueRead::Missing => None,
                    QueueRead::Counted(n) => Some(unreadable(n)),
                    QueueRead::Messages(v) => Some(v),
                },
            );
        }
        o
    }

    /// Parses the JSON lines a script of `warren export pika` printed. Lines that are not
    /// JSON objects (a stray warning) are skipped; the script must have reached its `end`. A
    /// queue reported with a `count` and no `messages` could only be counted ([`unreadable`]).
    pub fn from_script(s: &Scenario, output: &str) -> Result<Outcome, String> {
        let mut o = Outcome::empty(s);
        let mut ended = false;
        let mut reported = std::collections::BTreeSet::new();
        for line in output.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
            let flag = |k: &str| v.get(k).and_then(|x| x.as_bool()).unwrap_or(false);
            match v.get("kind").and_then(|k| k.as_str()).unwrap_or_default() {
                "delivery" => {
                    o.deliveries.entry(text("consumer")).or_default().push(Got { body: text("body"), redelivered: flag("redelivered") })
                }
                "return" => o.returns.entry(text("client")).or_default().push(text("body")),
                "nack" => o.nacks.entry(text("client")).or_default().push(text("body")),
                "get-empty" => *o.empties.entry(text("consumer")).or_default() += 1,
                "failed" => *o.failures.entry(text("client")).or_default() += 1,
                "reply" => o.replies.entry(text("client")).or_default().push(Reply { body: text("body"), accepted: flag("accepted") }),
                "error" => {
                    let client = text("client");
                    if client == "report" {
                        return Err(format!("the script could not read the queues at the end: {}", text("text")));
                    }
                    let code = v.get("code").and_then(|c| c.as_u64()).unwrap_or(0) as u16;
                    o.errors.entry(client).or_default().push(code);
                }
                "queue" => {
                    let q = text("queue");
                    let messages = v
                        .get("messages")
                        .and_then(|m| m.as_array())
                        .map(|a| a.iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect())
                        .or_else(|| v.get("count").and_then(|c| c.as_u64()).map(|n| unreadable(n as usize)));
                    o.queues.insert(q.clone(), if flag("exists") { Some(messages.unwrap_or_default()) } else { None });
                    reported.insert(q);
                }
                "end" => ended = true,
                _ => {}
            }
        }
        if !ended {
            return Err("the script stopped before its end (no `end` line)".into());
        }
        if let Some(q) = o.queues.keys().find(|q| !reported.contains(*q)) {
            return Err(format!("the script did not report queue `{q}`"));
        }
        Ok(o)
    }

    /// Every observation of both outcomes, paired.
    pub fn compare(&self, other: &Outcome) -> Vec<Item> {
        let mut items = Vec::new();
        fn keys<'a, V>(a: &'a BTreeMap<String, V>, b: &'a BTreeMap<String, V>) -> Vec<&'a String> {
            let mut k: Vec<&String> = a.keys().chain(b.keys()).collect();
            k.sort();
            k.dedup();
            k
        }
        let got = |g: &Got| if g.redelivered { format!("{:?} (redelivered)", g.body) } else { format!("{:?}", g.body) };
        for k in keys(&self.deliveries, &other.deliveries) {
            items.push(Item::new(
                format!("{k} received"),
                self.deliveries.get(k).map(|v| v.iter().map(got).collect()).unwrap_or_default(),
                other.deliveries.get(k).map(|v| v.iter().map(got).collect()).unwrap_or_default(),
            ));
        }
        let strings = |v: Option<&Vec<String>>| v.map(|v| v.iter().map(|b| format!("{b:?}")).collect()).unwrap_or_default();
        for k in keys(&self.returns, &other.returns) {
            items.push(Item::new(format!("{k} got back (basic.return)"), strings(self.returns.get(k)), strings(other.returns.get(k))));
        }
        for k in keys(&self.nacks, &other.nacks) {
            items.push(Item::new(format!("{k} was nacked"), strings(self.nacks.get(k)), strings(other.nacks.get(k))));
        }
        let reply = |r: &Reply| if r.accepted { format!("{:?}", r.body) } else { format!("{:?} (discarded)", r.body) };
        for k in keys(&self.replies, &other.replies) {
            items.push(Item::new(
                format!("{k} got replies"),
                self.replies.get(k).map(|v| v.iter().map(reply).collect()).unwrap_or_default(),
                other.replies.get(k).map(|v| v.iter().map(reply).collect()).unwrap_or_default(),
            ));
        }
        let codes = |v: Option<&Vec<u16>>| v.map(|v| v.iter().map(|c| c.to_string()).collect()).unwrap_or_default();
        for k in keys(&self.errors, &other.errors) {
            items.push(Item::new(format!("{k} got errors"), codes(self.errors.get(k)), codes(other.errors.get(k))));
        }
        let mut counts = |a: &BTreeMap<String, u32>, b: &BTreeMap<String, u32>, what: &dyn Fn(&str) -> String| {
            for k in keys(a, b) {
                let n = |m: &BTreeMap<String, u32>| vec![m.get(k).copied().unwrap_or(0).to_string()];
                items.push(Item::new(what(k), n(a), n(b)));
            }
        };
        counts(&self.empties, &other.empties, &|k| format!("{k} got basic.get-empty (times)"));
        counts(&self.failures, &other.failures, &|k| format!("{k}'s own code failed (times)"));
        let contents = |v: Option<&Option<Vec<String>>>| match v {
            Some(Some(v)) => v.iter().map(|b| format!("{b:?}")).collect(),
            _ => vec!["(no such queue)".to_string()],
        };
        for k in keys(&self.queues, &other.queues) {
            items.push(Item::new(format!("queue {k} holds at the end"), contents(self.queues.get(k)), contents(other.queues.get(k))));
        }
        items
    }
}

/// One observation on both sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub what: String,
    pub left: Vec<String>,
    pub right: Vec<String>,
}

impl Item {
    fn new(what: String, left: Vec<String>, right: Vec<String>) -> Item {
        Item { what, left, right }
    }

    pub fn same(&self) -> bool {
        self.left == self.right
    }
}

/// The items side by side: one line per element, `|` where both sides agree, `≠` where they
/// do not. `left` and `right` name the two sides.
pub fn side_by_side(items: &[Item], left: &str, right: &str) -> String {
    let width = items
        .iter()
        .flat_map(|i| i.left.iter())
        .map(|s| s.chars().count())
        .chain(std::iter::once(left.chars().count()))
        .max()
        .unwrap_or(0)
        .clamp(12, 48);
    let pad = |s: &str| {
        let n = s.chars().count();
        if n > width {
            let cut: String = s.chars().take(width - 1).collect();
            format!("{cut}…")
        } else {
            format!("{s}{}", " ".repeat(width - n))
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "    {}   {}", pad(left), right);
    for item in items {
        let mark = if item.same() { "  " } else { "≠ " };
        let _ = writeln!(out, "{mark}{}", item.what);
        let n = item.left.len().max(item.right.len());
        if n == 0 {
            let _ = writeln!(out, "    {}   (nothing)", pad("(nothing)"));
        }
        for i in 0..n {
            let l = item.left.get(i).map(String::as_str).unwrap_or("");
            let r = item.right.get(i).map(String::as_str).unwrap_or("");
            let sep = if item.left.get(i) == item.right.get(i) { "|" } else { "≠" };
            let _ = writeln!(out, "    {} {sep} {r}", pad(l));
        }
    }
    out
}

/// The contents of a queue that can only be counted: a quorum queue with single active
/// consumer refuses `basic.get` (405), and a new consumer would not be its active one, so the
/// script reads only the ready count of `queue.declare-ok`; warren reports the same for it.
pub fn unreadable(ready: usize) -> Vec<String> {
    vec![format!("({ready} ready, counted: a quorum queue with single active consumer refuses basic.get)")]
}
