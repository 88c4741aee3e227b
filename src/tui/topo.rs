//! The topology panel's content: what the run has declared, merged with what the scenario
//! *will* declare, so the first screen already shows the whole cast of the lesson.
//!
//! The planned side comes from a [`Preview`]: a scratch world built from the same plan, whose
//! broker is handed every declaration the scenario makes (setup, then each client's
//! connect-time methods and its `basic.consume`, in start order) at once, without running
//! the engine. Its ids are its own and never meet the live world: the merge matches by name
//! (exchanges, named queues) and by owner (server-named queues). Everything here is a pure
//! function of the two worlds; the web page (`crate::share`) reads the same [`Topo`].

use super::model::{self, ConsumerLine, DEFAULT_EXCHANGE};
use crate::broker::exchange::{Dest, Matcher};
use crate::broker::ops::{Frame, Op, QueueDecl, QueueRef};
use crate::broker::queue::QueueArgs;
use crate::broker::{Cx, Effects};
use crate::client::spec::{ReplyMode, RoleSpec};
use crate::ids::{BindingId, ClientId, ConnId, ExchangeId, QueueId, Sym};
use crate::sim::Time;
use crate::world::{World, WorldPlan, SETUP};
use std::sync::Arc;

/// The placeholder name of a server-named queue that is not declared (yet).
pub const PRIVATE_PLACEHOLDER: &str = "amq.gen-…";

/// The scenario's declarations applied to a scratch broker: the topology it plans.
#[derive(Clone, Debug)]
pub struct Preview {
    pub world: World,
}

impl Preview {
    pub fn new(plan: &Arc<WorldPlan>) -> Preview {
        let mut world = World::new(plan.clone());
        let mut fx = Effects::default();
        let setup = ConnId(0);
        open(&mut world, &mut fx, setup, SETUP);
        let mut ch = 1;
        for op in &plan.setup_ops {
            // As the world's setup does: a failed declaration closes the channel, go on on a new one.
            if send(&mut world, &mut fx, setup, ch, op.clone()) {
                ch += 1;
                send(&mut world, &mut fx, setup, ch, Op::OpenChannel);
            }
        }
        let mut order: Vec<usize> = (0..plan.clients.len()).collect();
        order.sort_by_key(|&i| plan.clients[i].start);
        for i in order {
            let spec = &plan.clients[i];
            let conn = conn_of(ClientId(i as u32));
            open(&mut world, &mut fx, conn, ClientId(i as u32));
            let mut ops: Vec<Op> = spec.connect_ops.clone();
            match &spec.role {
                RoleSpec::Consumer(c) => ops.push(c.consume.clone()),
                RoleSpec::RpcClient(r) if r.reply_to == ReplyMode::Callback => {
                    ops.push(Op::QueueDeclare(Box::new(QueueDecl {
                        name: None,
                        durable: false,
                        exclusive: true,
                        auto_delete: false,
                        args: QueueArgs::default(),
                        passive: false,
                    })));
                    ops.push(Op::Consume { queue: QueueRef::LastDeclared, tag: Sym(0), no_ack: true, exclusive: false, priority: 0 });
                }
                _ => {}
            }
            for op in ops {
                send(&mut world, &mut fx, conn, 1, op);
            }
        }
        Preview { world }
    }

    /// The client whose connection owns an exclusive queue of the preview.
    fn owner(&self, conn: ConnId) -> Option<ClientId> {
        (conn.0 > 0).then(|| ClientId(conn.0 - 1))
    }
}

fn conn_of(c: ClientId) -> ConnId {
    ConnId(c.0 + 1)
}

/// Hands one method to the preview's broker, dropping its effects. Returns whether it
/// closed the channel.
fn send(world: &mut World, fx: &mut Effects, conn: ConnId, ch: u16, op: Op) -> bool {
    let mut cx = Cx { now: Time::ZERO, msgs: &mut world.msgs, names: &mut world.names, fx };
    world.broker.handle(&mut cx, conn, ch, &op);
    let closed = fx.frames.iter().any(|(_, f)| matches!(f, Frame::ChannelClosed { .. }));
    fx.clear();
    closed
}

fn open(world: &mut World, fx: &mut Effects, conn: ConnId, owner: ClientId) {
    send(world, fx, conn, 0, Op::OpenConnection { owner });
    send(world, fx, conn, 1, Op::OpenChannel);
}

/// How a queue is recognised on both sides.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum QKey {
    Named(String),
    /// A server-named queue: its owner and its rank among the owner's private queues.
    Private(ClientId, u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TExchange {
    /// As declared (`""`: the default exchange).
    pub name: String,
    pub kind: &'static str,
    pub live: Option<ExchangeId>,
    pub alternate: Option<String>,
}

impl TExchange {
    pub fn declared(&self) -> bool {
        self.live.is_some()
    }
    pub fn is_default(&self) -> bool {
        self.name.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TQueue {
    pub key: QKey,
    /// The queue's name, or [`PRIVATE_PLACEHOLDER`].
    pub name: String,
    pub live: Option<QueueId>,
    pub ready: usize,
    pub unacked: u32,
    /// Consumer lines; `consumer` ids are the live world's only.
    pub consumers: Vec<ConsumerLine>,
    pub dead_letter: Option<String>,
    /// Its type when not a plain classic queue: `quorum`, or `prio≤N` for a priority queue.
    pub kind: Option<String>,
}

impl TQueue {
    pub fn declared(&self) -> bool {
        self.live.is_some()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TDest {
    Queue(QKey),
    Exchange(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TRoute {
    /// The binding key as drawn (`` `key` ``, `all a=1`, or empty).
    pub label: String,
    /// The live binding (`None`: the default exchange's implicit one, or not bound yet).
    pub binding: Option<BindingId>,
    /// The default exchange's implicit binding.
    pub implicit: bool,
    pub declared: bool,
    pub dest: TDest,
    /// The first route to this queue: its consumers hang here.
    pub first: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TGroup {
    pub exchange: String,
    pub publishers: Vec<ClientId>,
    pub routes: Vec<TRoute>,
}

/// Declared and planned topology, merged.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Topo {
    pub exchanges: Vec<TExchange>,
    pub queues: Vec<TQueue>,
    pub groups: Vec<TGroup>,
    /// Queues no route leads to.
    pub orphans: Vec<QKey>,
}

impl Topo {
    pub fn queue(&self, k: &QKey) -> Option<&TQueue> {
        self.queues.iter().find(|q| &q.key == k)
    }
    pub fn exchange(&self, name: &str) -> Option<&TExchange> {
        self.exchanges.iter().find(|x| x.name == name)
    }
    /// Whether everything planned is declared.
    pub fn complete(&self) -> bool {
        self.exchanges.iter().all(|x| x.declared() || x.is_default())
            && self.queues.iter().all(|q| q.declared())
            && self.groups.iter().flat_map(|g| &g.routes).all(|r| r.declared)
    }
}

/// The binding key of a binding as the diagram writes it.
pub fn binding_label(world: &World, id: BindingId) -> String {
    let bd = world.broker.binding(id);
    let names = &world.names;
    match &bd.matcher {
        Matcher::All => String::new(),
        Matcher::Headers(h) => {
            let args: Vec<String> = h.args.iter().map(|(k, v)| format!("{}={}", names.get(*k), v.show())).collect();
            format!("{} {}", h.mode.as_str(), args.join(","))
        }
        _ => format!("`{}`", names.get(bd.key)),
    }
}

/// One side (live or planned) as a `Topo`.
fn side(world: &World, owner: &dyn Fn(ConnId) -> Option<ClientId>, live: bool) -> Topo {
    let b = &world.broker;
    let d = model::diagram(world);
    let mut rank: Vec<(ClientId, u32)> = Vec::new();
    let mut keys: Vec<(QueueId, QKey)> = Vec::new();
    for q in b.live_queues() {
        let key = match q.exclusive.and_then(owner) {
            Some(c) if q.server_named => {
                let n = match rank.iter_mut().find(|(o, _)| *o == c) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        rank.push((c, 0));
                        0
                    }
                };
                QKey::Private(c, n)
            }
            _ => QKey::Named(world.names.get(q.name).to_string()),
        };
        keys.push((q.id, key));
    }
    let key_of = |q: QueueId| keys.iter().find(|(id, _)| *id == q).map(|(_, k)| k.clone());
    let exchanges = b
        .live_exchanges()
        .filter(|x| !x.builtin || d.groups.iter().any(|g| g.exchange == x.id))
        .map(|x| TExchange {
            name: world.names.get(x.name).to_string(),
            kind: x.kind.as_str(),
            live: live.then_some(x.id),
            alternate: x.alternate.map(|a| world.names.get(a).to_string()),
        })
        .collect();
    let queues = b
        .live_queues()
        .filter_map(|q| {
            let key = key_of(q.id)?;
            let name = match (&key, live) {
                (QKey::Private(..), false) => PRIVATE_PLACEHOLDER.to_string(),
                _ => world.names.get(q.name).to_string(),
            };
            let mut consumers = model::consumers_of(world, q.id);
            if !live {
                consumers.iter_mut().for_each(|c| c.consumer = None);
            }
            Some(TQueue {
                key,
                name,
                live: live.then_some(q.id),
                ready: if live { q.ready.len() } else { 0 },
                unacked: if live { q.unacked } else { 0 },
                consumers,
                dead_letter: q.args.dead_letter_exchange.map(|x| world.names.get(x).to_string()),
                kind: if q.is_quorum() { Some("quorum".into()) } else { q.args.max_priority.map(|p| format!("prio≤{p}")) },
            })
        })
        .collect();
    let groups = d
        .groups
        .iter()
        .map(|g| TGroup {
            exchange: world.names.get(b.exchange_name(g.exchange)).to_string(),
            publishers: g.publishers.clone(),
            routes: g
                .routes
                .iter()
                .filter_map(|r| {
                    let dest = match r.dest {
                        Dest::Queue(q) => TDest::Queue(key_of(q)?),
                        Dest::Exchange(x) => TDest::Exchange(world.names.get(b.exchange_name(x)).to_string()),
                    };
                    Some(TRoute {
                        label: r.binding.map(|id| binding_label(world, id)).unwrap_or_default(),
                        binding: if live { r.binding } else { None },
                        implicit: r.binding.is_none() && g.exchange == DEFAULT_EXCHANGE,
                        declared: live,
                        dest,
                        first: false,
                    })
                })
                .collect(),
        })
        .collect();
    Topo { exchanges, queues, groups, orphans: Vec::new() }
}

/// Merges `planned` into `live`: live items keep their order; a planned item the run has
/// not declared goes right after the item it follows in the plan.
fn merge_seq<T>(live: Vec<T>, planned: Vec<T>, same: impl Fn(&T, &T) -> bool, mut combine: impl FnMut(&mut T, T)) -> Vec<T> {
    let mut out = live;
    let mut at = 0;
    for p in planned {
        match out.iter().position(|o| same(o, &p)) {
            Some(i) => {
                combine(&mut out[i], p);
                at = i + 1;
            }
            None => {
                out.insert(at, p);
                at += 1;
            }
        }
    }
    out
}

/// The topology: the live world's, with what the preview plans and the run has not declared.
pub fn topo(world: &World, preview: &Preview) -> Topo {
    let live = side(world, &|c| world.owner_of(c), true);
    let planned = side(&preview.world, &|c| preview.owner(c), false);
    let exchanges = merge_seq(live.exchanges, planned.exchanges, |a, b| a.name == b.name, |_, _| {});
    let queues = merge_seq(
        live.queues,
        planned.queues,
        |a, b| a.key == b.key,
        |a, b| {
            for line in b.consumers {
                if !a.consumers.iter().any(|l| l.client == line.client) {
                    a.consumers.push(line);
                }
            }
            a.consumers.sort_by_key(|l| l.client);
        },
    );
    let mut groups = merge_seq(
        live.groups,
        planned.groups,
        |a, b| a.exchange == b.exchange,
        |a, b| {
            for p in b.publishers {
                if !a.publishers.contains(&p) {
                    a.publishers.push(p);
                }
            }
            let routes = std::mem::take(&mut a.routes);
            a.routes = merge_seq(routes, b.routes, |x, y| x.dest == y.dest && x.label == y.label, |_, _| {});
        },
    );
    // The default exchange's implicit routes: planned ones to a queue the live side routes
    // elsewhere by now are gone (it got bound), as the live diagram would show.
    let mut seen: Vec<QKey> = Vec::new();
    for g in &mut groups {
        for r in &mut g.routes {
            if let TDest::Queue(k) = &r.dest {
                if !seen.contains(k) {
                    seen.push(k.clone());
                    r.first = true;
                }
            }
        }
    }
    let orphans = queues.iter().map(|q| q.key.clone()).filter(|k| !seen.contains(k)).collect();
    Topo { exchanges, queues, groups, orphans }
}
