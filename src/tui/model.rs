//! Views derived from the world for the panels: the topology diagram's structure, what each
//! client holds, the order messages are listed in, what just moved, and where a message is
//! now. Pure functions of the world and the trace; nothing here is stored.

use crate::broker::exchange::Dest;
use crate::broker::ops::{Op, QueueRef};
use crate::client::spec::RoleSpec;
use crate::client::{RoleState, Status};
use crate::ids::{BindingId, ClientId, ConsumerId, ExchangeId, MsgId, QueueId};
use crate::record::{Record, Via};
use crate::sim::Stamped;
use crate::world::World;

/// The default exchange's id (the broker declares it first).
pub const DEFAULT_EXCHANGE: ExchangeId = ExchangeId(0);

/// One exchange with who publishes to it and where it routes.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub exchange: ExchangeId,
    pub publishers: Vec<ClientId>,
    pub routes: Vec<Route>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// The binding (`None`: the default exchange's implicit one).
    pub binding: Option<BindingId>,
    pub dest: Dest,
    /// Whether this is the first time the diagram shows this queue (its consumers hang here).
    pub first: bool,
}

/// A consumer line under a queue: an active subscription, or a consumer client whose
/// subscription is gone (crashed, cut off).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ConsumerLine {
    pub client: ClientId,
    pub consumer: Option<ConsumerId>,
}

/// The structure of the topology diagram.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Diagram {
    pub groups: Vec<Group>,
    /// Queues no shown route leads to.
    pub orphans: Vec<QueueId>,
}

/// The exchange a client publishes to, per publish entry (resolved by name now).
fn published_exchanges(world: &World, c: ClientId) -> Vec<ExchangeId> {
    let client = &world.clients[c.idx()];
    let mut out = Vec::new();
    match &client.spec.role {
        RoleSpec::Producer(p) => {
            for e in &p.entries {
                let props = world.msgs.props(e.props);
                if let Some(x) = world.broker.exchange_by_name(props.exchange) {
                    if !out.contains(&x) {
                        out.push(x);
                    }
                }
            }
        }
        RoleSpec::RpcClient(_) => out.push(DEFAULT_EXCHANGE),
        RoleSpec::Consumer(spec) if spec.reply.is_some() => out.push(DEFAULT_EXCHANGE),
        RoleSpec::Consumer(_) => {}
    }
    out
}

/// Queue names published to through the default exchange (routing keys and RPC targets).
fn default_keys(world: &World) -> Vec<QueueId> {
    let mut out = Vec::new();
    for client in &world.clients {
        match &client.spec.role {
            RoleSpec::Producer(p) => {
                for e in &p.entries {
                    let props = world.msgs.props(e.props);
                    if world.names.get(props.exchange).is_empty() {
                        if let Some(q) = world.broker.queue_by_name(props.routing_key) {
                            out.push(q);
                        }
                    }
                }
            }
            RoleSpec::RpcClient(r) => {
                if let Some(q) = world.broker.queue_by_name(r.queue) {
                    out.push(q);
                }
            }
            RoleSpec::Consumer(_) => {}
        }
    }
    out
}

/// Builds the diagram: exchanges in declaration order (the default one first when someone
/// publishes to it; `amq.*` ones only when used), each with its publishers and routes.
pub fn diagram(world: &World) -> Diagram {
    let b = &world.broker;
    let mut groups: Vec<Group> = Vec::new();
    let mut seen: Vec<QueueId> = Vec::new();
    let bound: Vec<QueueId> = b
        .live_exchanges()
        .flat_map(|x| x.bindings.iter())
        .filter_map(|id| match b.binding(*id).dest {
            Dest::Queue(q) if b.binding(*id).alive => Some(q),
            _ => None,
        })
        .collect();
    let defaults = default_keys(world);
    for x in b.live_exchanges() {
        let publishers: Vec<ClientId> =
            (0..world.clients.len() as u32).map(ClientId).filter(|c| published_exchanges(world, *c).contains(&x.id)).collect();
        let mut routes = Vec::new();
        if x.id == DEFAULT_EXCHANGE {
            if publishers.is_empty() {
                continue;
            }
            for q in b.live_queues() {
                if !bound.contains(&q.id) || defaults.contains(&q.id) {
                    routes.push(Route { binding: None, dest: Dest::Queue(q.id), first: false });
                }
            }
        } else {
            for id in &x.bindings {
                let bd = b.binding(*id);
                if !bd.alive {
                    continue;
                }
                if let Dest::Queue(q) = bd.dest {
                    if b.queue(q).is_none() {
                        continue;
                    }
                }
                routes.push(Route { binding: Some(*id), dest: bd.dest, first: false });
            }
            if x.builtin && publishers.is_empty() && routes.is_empty() {
                continue;
            }
        }
        for r in &mut routes {
            if let Dest::Queue(q) = r.dest {
                if !seen.contains(&q) {
                    seen.push(q);
                    r.first = true;
                }
            }
        }
        groups.push(Group { exchange: x.id, publishers, routes });
    }
    let orphans = b.live_queues().map(|q| q.id).filter(|q| !seen.contains(q)).collect();
    Diagram { groups, orphans }
}

/// The queue a consumer client subscribes to by name, if it names one.
fn spec_queue(world: &World, c: ClientId) -> Option<QueueId> {
    match &world.clients[c.idx()].spec.role {
        RoleSpec::Consumer(spec) => match spec.consume {
            Op::Consume { queue: QueueRef::Named(sym), .. } => world.broker.queue_by_name(sym),
            _ => None,
        },
        _ => None,
    }
}

/// The consumer lines under a queue: active subscriptions in registration order, then
/// consumer clients of this queue that are not subscribed now.
pub fn consumers_of(world: &World, q: QueueId) -> Vec<ConsumerLine> {
    let mut out: Vec<ConsumerLine> = Vec::new();
    if let Some(queue) = world.broker.queue(q) {
        for &id in queue.consumers.all() {
            let c = world.broker.consumer(id);
            out.push(ConsumerLine { client: c.client, consumer: Some(id) });
        }
    }
    for i in 0..world.clients.len() {
        let c = ClientId(i as u32);
        if spec_queue(world, c) == Some(q) && !out.iter().any(|l| l.client == c) {
            out.push(ConsumerLine { client: c, consumer: None });
        }
    }
    // A stable order: a crash must not move the other consumers around.
    out.sort_by_key(|l| l.client);
    out
}

/// Where a held message is, seen from the consumer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HeldState {
    /// Its work is in progress.
    Working,
    /// Delivered, waiting in the client's buffer.
    Waiting,
    /// The broker sent it; it has not arrived yet.
    OnWire,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub msg: MsgId,
    /// The queue it came from (`None`: auto-acked, the broker forgot it).
    pub queue: Option<QueueId>,
    pub state: HeldState,
}

/// What a client holds: the broker's unacked deliveries to it (tag order), and auto-acked
/// deliveries it has not finished.
pub fn held_by(world: &World, c: ClientId) -> Vec<Held> {
    let client = &world.clients[c.idx()];
    let (busy, buffer, no_ack) = match &client.role {
        RoleState::Consumer(s) => (s.busy.map(|d| d.msg), s.buffer.iter().map(|d| d.msg).collect::<Vec<_>>(), s.no_ack),
        _ => (None, Vec::new(), false),
    };
    let mut out = Vec::new();
    for ch in world.broker.channels() {
        if ch.owner != c || !ch.open {
            continue;
        }
        for u in &ch.unacked {
            let m = u.qm.msg;
            let state = if busy == Some(m) {
                HeldState::Working
            } else if buffer.contains(&m) {
                HeldState::Waiting
            } else {
                HeldState::OnWire
            };
            out.push(Held { msg: m, queue: Some(u.queue), state });
        }
    }
    if no_ack {
        if let Some(m) = busy {
            out.push(Held { msg: m, queue: None, state: HeldState::Working });
        }
        for m in buffer {
            out.push(Held { msg: m, queue: None, state: HeldState::Waiting });
        }
    }
    // The one being worked on first.
    out.sort_by_key(|h| h.state != HeldState::Working);
    out
}

/// The clients shown in the messages panel: every consumer.
pub fn holders(world: &World) -> Vec<ClientId> {
    (0..world.clients.len() as u32).map(ClientId).filter(|c| matches!(world.clients[c.idx()].role, RoleState::Consumer(_))).collect()
}

/// Every message in the messages panel, in the order it lists them: each queue's ready
/// messages head first, then what each consumer holds.
pub fn message_items(world: &World) -> Vec<MsgId> {
    let mut out: Vec<MsgId> = Vec::new();
    for q in world.broker.live_queues() {
        out.extend(q.ready.iter().map(|m| m.msg));
    }
    for c in holders(world) {
        out.extend(held_by(world, c).iter().map(|h| h.msg));
    }
    out
}

/// What the latest records touched: drawn highlighted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hot {
    pub clients: Vec<ClientId>,
    pub exchanges: Vec<ExchangeId>,
    pub queues: Vec<QueueId>,
    pub bindings: Vec<BindingId>,
    /// Queues reached through the default exchange.
    pub default_routes: Vec<QueueId>,
    pub msgs: Vec<MsgId>,
}

impl Hot {
    pub fn of(world: &World, recs: &[Stamped<Record>]) -> Hot {
        let mut h = Hot::default();
        for s in recs {
            if let Some(m) = s.rec.msg() {
                push(&mut h.msgs, m);
            }
            match s.rec {
                Record::Published { msg, client, .. } => {
                    push(&mut h.clients, client);
                    let props = world.msgs.props_of(msg);
                    if let Some(x) = world.broker.exchange_by_name(props.exchange) {
                        push(&mut h.exchanges, x);
                    }
                }
                Record::Routed { q, via, .. } => {
                    push(&mut h.queues, q);
                    match via {
                        Via::Binding(b) => {
                            push(&mut h.bindings, b);
                            push(&mut h.exchanges, world.broker.binding(b).source);
                        }
                        Via::DefaultExchange => {
                            push(&mut h.default_routes, q);
                            push(&mut h.exchanges, DEFAULT_EXCHANGE);
                        }
                        Via::DirectReplyTo => {}
                    }
                }
                Record::Delivered { q, client, .. }
                | Record::CheckedOut { q, client, .. }
                | Record::Acked { q, client, .. }
                | Record::Requeued { q, client, .. } => {
                    push(&mut h.queues, q);
                    push(&mut h.clients, client);
                }
                Record::Rejected { q, client, .. } => {
                    push(&mut h.queues, q);
                    push(&mut h.clients, client);
                }
                Record::Ready { q, .. }
                | Record::Discarded { q, .. }
                | Record::Lost { q, .. }
                | Record::DeadLettered { q, .. }
                | Record::ExpiredAtHead { q, .. } => push(&mut h.queues, q),
                Record::ActiveConsumer { q, client, .. } | Record::GetEmpty { client, q } => {
                    push(&mut h.queues, q);
                    push(&mut h.clients, client);
                }
                Record::Connected { client }
                | Record::Disconnected { client, .. }
                | Record::QosApplied { client, .. }
                | Record::ClientMethod { client, .. }
                | Record::AckDeferred { client, .. }
                | Record::UnreadLoss { client, .. }
                | Record::Subscribed { client, .. }
                | Record::WorkStarted { client, .. }
                | Record::Processed { client, .. } => push(&mut h.clients, client),
                _ => {}
            }
        }
        h
    }
}

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// A client's status word.
pub fn status_label(world: &World, c: ClientId) -> super::i18n::L {
    use super::i18n::L;
    let client = &world.clients[c.idx()];
    if world.links.get(c.idx()).is_some_and(|l| l.partitioned) {
        return L::LinkCut;
    }
    match client.status {
        Status::NotStarted => L::NotStarted,
        Status::Connected => L::Connected,
        Status::Disconnected => L::Disconnected,
        Status::Down => L::Down,
    }
}

/// A client's role word.
pub fn role_label(world: &World, c: ClientId) -> super::i18n::L {
    use super::i18n::L;
    match world.clients[c.idx()].spec.role {
        RoleSpec::Producer(_) => L::Producer,
        RoleSpec::Consumer(_) => L::Consumer,
        RoleSpec::RpcClient(_) => L::RpcClient,
    }
}

/// Where each copy of a message is now, or how it ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    /// Published, no routing decision yet.
    NotRouted,
    /// The record that decided it (a fate record, or `Unroutable`).
    Ended(usize),
    Ready {
        q: QueueId,
        pos: usize,
        len: usize,
    },
    Held {
        q: Option<QueueId>,
        client: ClientId,
        state: HeldState,
    },
    /// Unacked in a queue, held by a client that has not received it.
    Unacked {
        q: QueueId,
        client: Option<ClientId>,
    },
    /// Checked out to a channel the broker closed with an error (a quorum queue): it comes
    /// back at the client's `channel.close-ok`.
    Closing {
        q: QueueId,
        client: ClientId,
    },
    /// Still in a queue, in no list we can place (a transient state).
    InQueue(QueueId),
}

/// Quorum queues: the delivery count of each copy of `msg` still in one (ready or unacked),
/// where it is above 0.
pub fn delivery_counts(world: &World, msg: MsgId) -> Vec<(QueueId, u32)> {
    let b = &world.broker;
    let mut out = Vec::new();
    for q in b.live_queues().filter(|q| q.is_quorum()) {
        if let Some(m) = q.ready.iter().find(|m| m.msg == msg) {
            if m.count > 0 {
                out.push((q.id, m.count));
            }
        }
    }
    for ch in b.channels().iter().filter(|c| c.open) {
        for u in ch.unacked.iter().filter(|u| u.qm.msg == msg && u.qm.count > 0) {
            if b.queue(u.queue).is_some_and(|q| q.is_quorum()) {
                out.push((u.queue, u.qm.count));
            }
        }
    }
    out
}

/// The fate of every copy of `msg`: one entry per queue it reached (in the order it reached
/// them), plus client-side losses and the unroutable case.
pub fn fates(world: &World, records: &[Stamped<Record>], msg: MsgId) -> Vec<Fate> {
    let mut copies: Vec<(QueueId, usize)> = Vec::new();
    let mut extra: Vec<Fate> = Vec::new();
    let mut published = false;
    for (i, s) in records.iter().enumerate() {
        if s.rec.msg() != Some(msg) {
            continue;
        }
        match s.rec {
            Record::Published { .. } => published = true,
            Record::Unroutable { .. } => extra.push(Fate::Ended(i)),
            Record::ClientLost { .. } => extra.push(Fate::Ended(i)),
            _ => {}
        }
        if let Some((_, q)) = s.rec.copy() {
            match copies.iter_mut().find(|(cq, _)| *cq == q) {
                Some(c) => c.1 = i,
                None => copies.push((q, i)),
            }
        }
    }
    let mut out = Vec::new();
    for (q, last) in copies {
        let rec = &records[last].rec;
        if rec.is_fate() {
            out.push(Fate::Ended(last));
            continue;
        }
        if let Some(queue) = world.broker.queue(q) {
            if let Some(pos) = queue.ready.iter().position(|m| m.msg == msg) {
                out.push(Fate::Ready { q, pos: pos + 1, len: queue.ready.len() });
                continue;
            }
        }
        // A closed channel still lists what a quorum queue takes back at close-ok.
        let holder = world.broker.channels().iter().find(|ch| ch.unacked.iter().any(|u| u.qm.msg == msg && u.queue == q));
        match holder {
            Some(ch) if !ch.open && ch.owner.idx() < world.clients.len() => out.push(Fate::Closing { q, client: ch.owner }),
            Some(ch) => {
                let c = ch.owner;
                match held_by(world, c).into_iter().find(|h| h.msg == msg) {
                    Some(h) if c.idx() < world.clients.len() => out.push(Fate::Held { q: Some(q), client: c, state: h.state }),
                    _ => out.push(Fate::Unacked { q, client: (c.idx() < world.clients.len()).then_some(c) }),
                }
            }
            None => out.push(Fate::InQueue(q)),
        }
    }
    // Auto-acked deliveries still in a client.
    for c in holders(world) {
        for h in held_by(world, c) {
            if h.msg == msg && h.queue.is_none() {
                out.push(Fate::Held { q: None, client: c, state: h.state });
            }
        }
    }
    out.extend(extra);
    if out.is_empty() && published {
        out.push(Fate::NotRouted);
    }
    out
}
