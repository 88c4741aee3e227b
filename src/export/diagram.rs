//! A run as a sequence diagram: the model both [`super::mermaid`] and [`super::svg`] draw.
//!
//! Lifelines, left to right: the clients that publish (producers, RPC clients), the
//! exchanges, the queues, the consumers (RPC servers among them). Arrows: publish, route,
//! deliver, ack, nack / reject, requeue, return, dead-letter, confirm, consume. Notes: the
//! scenario's notes and questions, faults, and what happened to a message without an arrow
//! (dropped, expired, lost), in the words of the trace ([`crate::explain`]).

use crate::broker::message::DeadLetterReason;
use crate::broker::message::Message;
use crate::explain::{describe, Ctx, Lang};
use crate::ids::NO_QUEUE;
use crate::ids::{Actor, ClientId, ExchangeId, MsgId, QueueId};
use crate::record::{FaultRecord, Record, Via};
use crate::session::Session;
use crate::sim::Time;
use std::collections::BTreeMap;

/// The part of the run to draw: records stamped `from <= t <= to`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<Time>,
    pub to: Option<Time>,
}

impl Window {
    pub fn contains(&self, t: Time) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|u| t <= u)
    }
}

/// What a lifeline stands for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// A producer or an RPC client (left).
    Publisher,
    Exchange,
    Queue,
    /// A consumer, an RPC server among them (right).
    Consumer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    /// A short identifier (`P1`, `X2`, `Q3`, `C1`).
    pub id: String,
    pub label: String,
    pub role: Role,
}

/// How an arrow is drawn.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Style {
    /// basic.publish, routing, an alternate exchange.
    Publish,
    /// basic.deliver (or get-ok).
    Deliver,
    /// basic.ack from a consumer; a publisher confirm.
    Ack,
    /// basic.nack / basic.reject; a nacked publish.
    Nack,
    /// A message back in its queue.
    Requeue,
    /// basic.return.
    Return,
    /// Dead-lettered to an exchange.
    DeadLetter,
    /// basic.consume.
    Consume,
}

impl Style {
    /// Drawn dashed: the answers and the bookkeeping, as against the message's own path.
    pub fn dashed(self) -> bool {
        matches!(self, Style::Ack | Style::Nack | Style::Return | Style::Consume)
    }
}

/// What a note is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// The scenario's narration or question.
    Narration,
    /// A fault, a failure, an error.
    Fault,
    /// Something that happened to a message, without an arrow.
    Event,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Arrow {
        t: Time,
        from: usize,
        to: usize,
        label: String,
        style: Style,
    },
    /// Over the participants `first..=last`.
    Note {
        t: Time,
        first: usize,
        last: usize,
        text: String,
        kind: NoteKind,
    },
}

impl Step {
    pub fn time(&self) -> Time {
        match self {
            Step::Arrow { t, .. } | Step::Note { t, .. } => *t,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub title: String,
    pub participants: Vec<Participant>,
    pub steps: Vec<Step>,
    pub window: Window,
    /// Records of the run before and after the window (so the drawing can say it is cut).
    pub cut_before: bool,
    pub cut_after: bool,
}

/// The key of a note over every lifeline (no client has this id).
const EVERY_LIFELINE: ClientId = ClientId(u32::MAX);

/// Keys of lifelines while the diagram is built.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Client(ClientId),
    Exchange(ExchangeId),
    Queue(QueueId),
}

/// A step before lifelines get their places: (time, from, to, label, arrow style or a note,
/// note kind, over every lifeline).
type Pending = (Time, Key, Key, String, Option<Style>, NoteKind, bool);

struct Builder<'a> {
    cx: Ctx<'a>,
    keys: Vec<Key>,
    steps: Vec<Pending>,
    /// Who declared each server-named queue.
    owners: BTreeMap<QueueId, ClientId>,
    consumers: Vec<bool>,
}

fn quote(s: &str) -> String {
    let mut q = format!("{s:?}");
    if q.chars().count() > 40 {
        q = q.chars().take(38).collect::<String>() + "…\"";
    }
    q
}

impl Builder<'_> {
    fn key(&mut self, k: Key) -> Key {
        if !self.keys.contains(&k) {
            self.keys.push(k);
        }
        k
    }
    fn arrow(&mut self, t: Time, from: Key, to: Key, label: String, style: Style) {
        self.key(from);
        self.key(to);
        self.steps.push((t, from, to, label, Some(style), NoteKind::Event, false));
    }
    fn note(&mut self, t: Time, over: Key, text: String, kind: NoteKind) {
        self.key(over);
        self.steps.push((t, over, over, text, None, kind, false));
    }
    /// A note over every lifeline (resolved once all lifelines are known).
    fn note_all(&mut self, t: Time, text: String, kind: NoteKind) {
        let k = Key::Client(EVERY_LIFELINE);
        self.steps.push((t, k, k, text, None, kind, true));
    }
    fn body(&self, m: MsgId) -> String {
        quote(&self.cx.body(m))
    }
    fn exchange_of(&self, m: MsgId) -> ExchangeId {
        let props = self.cx.world.msgs.props_of(m);
        self.cx.world.broker.exchange_by_name(props.exchange).unwrap_or(ExchangeId(0))
    }
    fn sentence(&self, rec: &Record) -> String {
        let line = describe(&self.cx, rec);
        let mut s = if line.actor == "broker" { line.what } else { format!("{} {}", line.actor, line.what) };
        if let Some(why) = line.why {
            s.push_str(" — ");
            s.push_str(&why);
        }
        s
    }

    fn record(&mut self, t: Time, rec: &Record, confirms: &mut BTreeMap<(ClientId, u32), MsgId>) {
        match rec {
            Record::Published { .. }
            | Record::Routed { .. }
            | Record::Unroutable { .. }
            | Record::Alternate { .. }
            | Record::Confirm { .. } => self.publishing(t, rec, confirms),
            Record::Subscribed { .. }
            | Record::Delivered { .. }
            | Record::CheckedOut { .. }
            | Record::Acked { .. }
            | Record::Rejected { .. }
            | Record::Requeued { .. }
            | Record::DeadLettered { .. } => self.consuming(t, rec),
            _ => self.happening(t, rec),
        }
    }

    /// A message on its way in: publish, route, return, alternate exchange, confirm.
    fn publishing(&mut self, t: Time, rec: &Record, confirms: &mut BTreeMap<(ClientId, u32), MsgId>) {
        let w = self.cx.world;
        match *rec {
            Record::Published { msg, client, confirm_seq } => {
                if confirm_seq > 0 {
                    confirms.insert((client, confirm_seq), msg);
                }
                let props = w.msgs.props_of(msg);
                let key = w.names.get(props.routing_key);
                let k = if key.is_empty() {
                    String::new()
                } else if key.chars().count() > 28 {
                    format!(" (key {}…)", key.chars().take(24).collect::<String>())
                } else {
                    format!(" (key {key})")
                };
                let x = self.exchange_of(msg);
                self.arrow(t, Key::Client(client), Key::Exchange(x), format!("publish {}{k}", self.body(msg)), Style::Publish);
            }
            Record::Routed { msg, q, via } => {
                if via == Via::DirectReplyTo || q == NO_QUEUE {
                    return;
                }
                let x = self.exchange_of(msg);
                let by = match via {
                    Via::Binding(b) => {
                        let key = w.names.get(w.broker.binding(b).key);
                        if key.is_empty() {
                            String::new()
                        } else {
                            format!(" (binding {key})")
                        }
                    }
                    _ => String::new(),
                };
                self.arrow(t, Key::Exchange(x), Key::Queue(q), format!("route {}{by}", self.body(msg)), Style::Publish);
            }
            Record::Unroutable { msg, ex, returned } => {
                let p = w.msgs.get(msg).publisher;
                if returned && p != Message::FROM_BROKER {
                    self.arrow(
                        t,
                        Key::Exchange(ex),
                        Key::Client(ClientId(p)),
                        format!("return {} (312 NO_ROUTE)", self.body(msg)),
                        Style::Return,
                    );
                } else {
                    let s = self.sentence(rec);
                    self.note(t, Key::Exchange(ex), s, NoteKind::Event);
                }
            }
            Record::Alternate { msg, from, to } => {
                self.arrow(t, Key::Exchange(from), Key::Exchange(to), format!("alternate {}", self.body(msg)), Style::Publish);
            }
            Record::Confirm { client, seq, multiple, ack } => {
                let covered: Vec<(ClientId, u32)> = if multiple {
                    confirms.range((client, 0)..=(client, seq)).map(|(k, _)| *k).collect()
                } else {
                    confirms.get_key_value(&(client, seq)).map(|(k, _)| *k).into_iter().collect()
                };
                let Some(first) = covered.first().and_then(|k| confirms.get(k)).copied() else {
                    return;
                };
                let bodies: Vec<String> = covered.iter().filter_map(|k| confirms.remove(k)).map(|m| self.body(m)).collect();
                let x = self.exchange_of(first);
                let (verb, style) = if ack { ("confirm", Style::Ack) } else { ("nack", Style::Nack) };
                let m = if multiple { " (multiple)" } else { "" };
                self.arrow(t, Key::Exchange(x), Key::Client(client), format!("{verb} {}{m}", bodies.join(", ")), style);
            }
            _ => {}
        }
    }

    /// A message on its way out: consume, deliver, ack, nack / reject, requeue, dead-letter.
    fn consuming(&mut self, t: Time, rec: &Record) {
        let w = self.cx.world;
        match *rec {
            Record::Subscribed { client, q, prefetch, no_ack, .. } => {
                if !self.consumers.get(client.idx()).copied().unwrap_or(false) {
                    return; // an RPC client's reply consumer: its deliveries say enough
                }
                let mut how = Vec::new();
                if prefetch > 0 {
                    how.push(format!("prefetch {prefetch}"));
                }
                if no_ack {
                    how.push("auto-ack".into());
                }
                let how = if how.is_empty() { String::new() } else { format!(" ({})", how.join(", ")) };
                self.arrow(t, Key::Client(client), Key::Queue(q), format!("consume{how}"), Style::Consume);
            }
            Record::Delivered { msg, q, client, redelivered, no_ack, why, .. } => {
                let mut flags = Vec::new();
                if redelivered {
                    flags.push("redelivered");
                }
                if no_ack && self.consumers.get(client.idx()).copied().unwrap_or(false) {
                    flags.push("auto-ack");
                }
                let f = if flags.is_empty() { String::new() } else { format!(" ({})", flags.join(", ")) };
                let verb = if matches!(why, crate::record::DeliverWhy::Get) { "get-ok" } else { "deliver" };
                let from = if q == NO_QUEUE { Key::Exchange(self.exchange_of(msg)) } else { Key::Queue(q) };
                self.arrow(t, from, Key::Client(client), format!("{verb} {}{f}", self.body(msg)), Style::Deliver);
            }
            Record::CheckedOut { msg, q, .. } => {
                let text = format!("check out {} (consumer's channel closing: never sent)", self.body(msg));
                self.arrow(t, Key::Queue(q), Key::Queue(q), text, Style::Requeue);
            }
            Record::Acked { msg, q, client, .. } => {
                self.arrow(t, Key::Client(client), Key::Queue(q), format!("ack {}", self.body(msg)), Style::Ack);
            }
            Record::Rejected { msg, q, client, requeue, nack, .. } => {
                let verb = if nack { "nack" } else { "reject" };
                let r = if requeue { " (requeue)" } else { "" };
                self.arrow(t, Key::Client(client), Key::Queue(q), format!("{verb} {}{r}", self.body(msg)), Style::Nack);
            }
            Record::Requeued { msg, q, .. } => {
                self.arrow(t, Key::Queue(q), Key::Queue(q), format!("requeue {}", self.body(msg)), Style::Requeue);
            }
            Record::DeadLettered { msg, q, reason, dlx, .. } => {
                let why = match reason {
                    DeadLetterReason::Rejected => "rejected",
                    DeadLetterReason::Expired => "expired",
                    DeadLetterReason::Maxlen => "maxlen",
                    DeadLetterReason::DeliveryLimit => "delivery_limit",
                };
                match w.broker.exchange_by_name(dlx) {
                    Some(x) => {
                        self.arrow(t, Key::Queue(q), Key::Exchange(x), format!("dead-letter {} ({why})", self.body(msg)), Style::DeadLetter)
                    }
                    None => {
                        let s = self.sentence(rec);
                        self.note(t, Key::Queue(q), s, NoteKind::Event)
                    }
                }
            }
            _ => {}
        }
    }

    /// What happened without an arrow: notes for losses, failures, faults and the narration.
    fn happening(&mut self, t: Time, rec: &Record) {
        match *rec {
            Record::Discarded { q, .. } | Record::Lost { q, .. } | Record::Restored { q, .. } => {
                let s = self.sentence(rec);
                self.note(t, Key::Queue(q), s, NoteKind::Event);
            }
            Record::QueueDeleted { q, .. } if self.keys.contains(&Key::Queue(q)) => {
                let s = self.sentence(rec);
                self.note(t, Key::Queue(q), s, NoteKind::Event);
            }
            Record::ClientLost { client, .. } | Record::AckLost { client, .. } => {
                let s = self.sentence(rec);
                self.note(t, Key::Client(client), s, NoteKind::Event);
            }
            Record::Reply { client, accepted: false, .. } => {
                let s = self.sentence(rec);
                self.note(t, Key::Client(client), s, NoteKind::Event);
            }
            Record::ServerFailed { client, .. } | Record::ChannelError { client, .. } => {
                let s = self.sentence(rec);
                self.note(t, Key::Client(client), s, NoteKind::Fault);
            }
            Record::Fault(f) => {
                let s = describe(&self.cx, rec).what;
                match f {
                    FaultRecord::Crash(c)
                    | FaultRecord::Restart(c)
                    | FaultRecord::DelayStart { client: c, .. }
                    | FaultRecord::DelayEnd(c)
                    | FaultRecord::PartitionStart(c)
                    | FaultRecord::PartitionEnd(c) => self.note(t, Key::Client(c), s, NoteKind::Fault),
                    FaultRecord::BrokerCrash | FaultRecord::BrokerStop | FaultRecord::BrokerRestart => self.note_all(t, s, NoteKind::Fault),
                }
            }
            Record::BrokerUp { .. } => {
                let s = self.sentence(rec);
                self.note_all(t, s, NoteKind::Fault);
            }
            Record::Note { .. } => {
                let s = describe(&self.cx, rec).what;
                self.note_all(t, s, NoteKind::Narration);
            }
            Record::QueueDeclared { q, by: Actor::Client(c) } => {
                self.owners.insert(q, c);
            }
            _ => {}
        }
    }
}

impl Diagram {
    /// The diagram of a finished run, cut to `window`.
    pub fn from_session(session: &Session, window: Window, lang: Lang) -> Diagram {
        let cx = session.ctx(lang);
        let consumers: Vec<bool> =
            session.world.clients.iter().map(|c| matches!(c.spec.role, crate::client::spec::RoleSpec::Consumer(_))).collect();
        let mut b = Builder { cx, keys: Vec::new(), steps: Vec::new(), owners: BTreeMap::new(), consumers };
        let mut confirms = BTreeMap::new();
        let (mut before, mut after) = (false, false);
        for st in session.trace.records() {
            if window.contains(st.t) {
                b.record(st.t, &st.rec, &mut confirms);
            } else {
                // Outside the window: only what later labels need.
                match st.rec {
                    Record::QueueDeclared { q, by: Actor::Client(c) } => {
                        b.owners.insert(q, c);
                    }
                    Record::Published { msg, client, confirm_seq } if confirm_seq > 0 => {
                        confirms.insert((client, confirm_seq), msg);
                    }
                    _ => {}
                }
                if window.from.is_some_and(|f| st.t < f) {
                    before = true;
                } else {
                    after = true;
                }
            }
        }
        // Lifelines: publishers, exchanges, queues, consumers; each group in order of first use.
        let role = |k: &Key| match k {
            Key::Client(c) => {
                if b.consumers.get(c.idx()).copied().unwrap_or(false) {
                    Role::Consumer
                } else {
                    Role::Publisher
                }
            }
            Key::Exchange(_) => Role::Exchange,
            Key::Queue(_) => Role::Queue,
        };
        let mut keys: Vec<(Role, usize, Key)> = b.keys.iter().enumerate().map(|(i, k)| (role(k), i, *k)).collect();
        keys.sort();
        let mut counters = [0usize; 4];
        let participants: Vec<Participant> = keys
            .iter()
            .map(|(r, _, k)| {
                let n = &mut counters[*r as usize];
                *n += 1;
                let prefix = ["P", "X", "Q", "C"][*r as usize];
                let label = match k {
                    Key::Client(c) => b.cx.client(*c),
                    Key::Exchange(x) => {
                        let name = b.cx.world.names.get(b.cx.world.broker.exchange_name(*x));
                        let kind = b.cx.world.broker.exchange_meta(*x).map(|m| m.kind.as_str()).unwrap_or("?");
                        if name.is_empty() {
                            match lang {
                                Lang::En => "default exchange".to_string(),
                                Lang::Zh => "默认交换机".to_string(),
                            }
                        } else {
                            format!("{name} ({kind})")
                        }
                    }
                    Key::Queue(q) => {
                        let name = b.cx.queue(*q);
                        let server_named = b.cx.world.broker.queue_meta(*q).is_some_and(|m| m.server_named);
                        match (server_named, b.owners.get(q)) {
                            (true, Some(c)) => format!("{}… ({})", name.chars().take(8).collect::<String>(), b.cx.client(*c)),
                            _ => name,
                        }
                    }
                };
                Participant { id: format!("{prefix}{n}"), label, role: *r }
            })
            .collect();
        let index = |k: &Key| keys.iter().position(|(_, _, x)| x == k).unwrap_or(0);
        let last = participants.len().saturating_sub(1);
        let steps = b
            .steps
            .iter()
            .map(|(t, from, to, label, style, kind, all)| match style {
                Some(s) => Step::Arrow { t: *t, from: index(from), to: index(to), label: label.clone(), style: *s },
                None if *all => Step::Note { t: *t, first: 0, last, text: label.clone(), kind: *kind },
                None => {
                    let i = index(from);
                    Step::Note { t: *t, first: i, last: i, text: label.clone(), kind: *kind }
                }
            })
            .collect();
        let s = &session.scenario;
        Diagram {
            title: format!("{} — {}", s.name, s.title(lang.code())),
            participants,
            steps,
            window,
            cut_before: before,
            cut_after: after,
        }
    }
}
