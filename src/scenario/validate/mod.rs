//! From the file model to a validated, runnable [`Scenario`]: every name resolved, every
//! time checked, every reference to something declared. Problems are collected (not just the
//! first) and each is placed at its line and column.
//!
//! A `Builder` walks the file one section at a time, always in the same order (so that
//! problems found at the same position are reported in the same order):
//!
//! - `topology`: what is declared anywhere (for reference checks), then the exchanges, queues
//!   and bindings set up at t = 0, with queue arguments and header tables;
//! - `clients`: the actors' names, then producers, consumers and RPC clients;
//! - `timeline`: faults and classroom notes;
//! - `expect`: the `expect:` items, resolved to data;
//! - here: the broker settings, `until` and `limits`, and the finished [`WorldPlan`].

mod clients;
mod expect;
mod suggest;
mod timeline;
mod topology;

use crate::broker::message::MessageStore;
use crate::broker::ops::{ExchangeKind, Op, QueueDecl};
use crate::broker::BrokerConfig;
use crate::client::spec::ClientSpec;
use crate::ids::ClientId;
use crate::names::Names;
use crate::scenario::expect::Expect;
use crate::scenario::load::{ScenarioError, ScenarioErrors};
use crate::scenario::locate::{Locator, Pos};
use crate::scenario::model::ScenarioFile;
use crate::scenario::{Note, Scenario};
use crate::sim::Time;
use crate::world::{Cap, FaultSpec, Initial, Limits, WorldPlan};
use std::collections::HashMap;
use std::sync::Arc;

/// Collects the problems, each placed at the position of a value (or its key).
struct Checker<'a> {
    file: &'a str,
    loc: &'a Locator,
    errors: Vec<ScenarioError>,
}

impl Checker<'_> {
    fn at(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.loc.value(path);
        self.errors.push(ScenarioError::new(self.file, pos, message));
    }
    fn at_key(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.loc.key(path);
        self.errors.push(ScenarioError::new(self.file, pos, message));
    }
}

/// Everything declared anywhere in the file, for reference checks.
#[derive(Default)]
struct Declared {
    exchanges: HashMap<String, (ExchangeKind, usize)>,
    top_exchanges: HashMap<String, usize>,
    queues: HashMap<String, usize>,
    client_queues: Vec<String>,
    client_exchanges: Vec<String>,
    actors: HashMap<String, (ClientId, &'static str)>,
}

impl Declared {
    fn exchange_known(&self, name: &str) -> bool {
        name.is_empty() || self.exchanges.contains_key(name) || self.client_exchanges.iter().any(|x| x == name)
    }
    fn queue_known(&self, name: &str) -> bool {
        self.queues.contains_key(name) || self.client_queues.iter().any(|x| x == name)
    }
}

/// The actors' ids, given in file order: producers, then consumers, then RPC clients.
#[derive(Default)]
struct Actors {
    next: u32,
    /// Where each name was last given, to point at the later of two actors with one name.
    paths: HashMap<String, String>,
    producers: Vec<ClientId>,
    consumers: Vec<ClientId>,
    rpc_clients: Vec<ClientId>,
}

/// The scenario under construction: the file, the problems found so far, and what each
/// section has contributed to the plan.
struct Builder<'a> {
    f: &'a ScenarioFile,
    c: Checker<'a>,
    names: Names,
    msgs: MessageStore,
    d: Declared,
    actors: Actors,
    /// Broker and topology set up at t = 0.
    setup_ops: Vec<Op>,
    queue_decls: HashMap<String, QueueDecl>,
    /// Bindings per queue: (exchange, queue) → ops, for setup or for the exclusive queue's owner.
    queue_bindings: HashMap<String, Vec<Op>>,
    clients: Vec<Arc<ClientSpec>>,
    /// What starts the run, placed where the file says it, sorted by position at the end.
    order: Vec<(Pos, Initial)>,
    faults: Vec<FaultSpec>,
    notes: Vec<Note>,
    expects: Vec<Expect>,
}

/// What a valid file builds, besides the file itself.
struct Built {
    plan: WorldPlan,
    notes: Vec<Note>,
    expects: Vec<Expect>,
}

/// Validates a parsed file and builds the runnable scenario.
pub fn build(mut f: ScenarioFile, text: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
    let loc = Locator::new(text);
    f.key_order = loc.top_level_keys();
    let Built { plan, notes, expects } = Builder::new(&f, &loc, file).build()?;
    Ok(Scenario {
        name: f.name.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        file: file.to_string(),
        seed: plan.seed,
        plan: Arc::new(plan),
        notes,
        expects,
        diff_skip: f.diff.as_ref().map(|d| d.skip.clone()),
        source: text.to_string(),
        def: f,
    })
}

impl<'a> Builder<'a> {
    fn new(f: &'a ScenarioFile, loc: &'a Locator, file: &'a str) -> Builder<'a> {
        Builder {
            f,
            c: Checker { file, loc, errors: Vec::new() },
            names: Names::new(),
            msgs: MessageStore::default(),
            d: Declared::default(),
            actors: Actors::default(),
            setup_ops: Vec::new(),
            queue_decls: HashMap::new(),
            queue_bindings: HashMap::new(),
            clients: Vec::new(),
            order: Vec::new(),
            faults: Vec::new(),
            notes: Vec::new(),
            expects: Vec::new(),
        }
    }

    fn build(mut self) -> Result<Built, ScenarioErrors> {
        topology::check_name(&mut self.c, "name", "scenario", &self.f.name);
        // What exists, for reference checks.
        self.declared();
        self.actor_names();
        // Broker and topology set up at t = 0.
        self.exchanges();
        self.queues();
        self.bindings();
        // Clients.
        self.producers();
        self.consumers();
        self.rpc_clients();
        self.faults();
        self.notes();
        self.expects();
        let (until, limits) = self.limits();
        self.finish(until, limits)
    }

    /// `until` and `limits`.
    fn limits(&mut self) -> (Option<Time>, Limits) {
        let f = self.f;
        let until = f.until.map(|u| u.0);
        let mut limits = Limits::default();
        let asked = [
            (Cap::Events, f.limits.events),
            (Cap::Time, f.limits.time.map(|t| t.0.as_us())),
            (Cap::Messages, f.limits.messages),
            (Cap::Memory, f.limits.memory.map(|m| m.0)),
        ];
        for (cap, v) in asked {
            if let Some(v) = v {
                limits = limits.from_file(cap, v);
            }
        }
        if f.limits.messages == Some(0) {
            self.c.at("limits.messages", "`limits.messages` is 0: no message could be published");
        }
        if f.limits.events == Some(0) {
            self.c.at("limits.events", "`limits.events` is 0: nothing could run");
        }
        if let Some(u) = until {
            if u > limits.max_time {
                self.c.at("until", format!("`until` ({u}) is beyond the time limit ({}); raise `limits.time`", limits.max_time));
            }
        }
        (until, limits)
    }

    /// Every problem, in file order; or the plan.
    fn finish(self, until: Option<Time>, limits: Limits) -> Result<Built, ScenarioErrors> {
        let Builder { f, mut c, names, msgs, setup_ops, clients, mut order, faults, notes, expects, d, .. } = self;
        if !c.errors.is_empty() {
            suggest::add_suggestions(&mut c.errors, &d);
            c.errors.sort_by_key(|e| e.pos);
            c.errors.dedup();
            return Err(ScenarioErrors(c.errors));
        }
        order.sort_by_key(|(pos, _)| *pos);
        let plan = WorldPlan {
            seed: f.seed.unwrap_or(0),
            broker: broker_config(&mut c, &f.broker),
            latency: f.broker.latency.map(|d| d.0).unwrap_or_default(),
            until,
            limits,
            setup_ops,
            clients,
            faults,
            note_times: notes.iter().map(|n: &Note| n.at).collect(),
            order: order.into_iter().map(|(_, i)| i).collect(),
            names,
            msgs,
        };
        Ok(Built { plan, notes, expects })
    }
}

/// The `broker:` section.
fn broker_config(c: &mut Checker, b: &crate::scenario::model::BrokerDef) -> BrokerConfig {
    let d = BrokerConfig::default();
    let tick = b.channel_tick_interval.map(|t| t.0).unwrap_or(d.channel_tick_interval);
    if tick == Time::ZERO {
        c.at(
            "broker.channel_tick_interval",
            "`channel_tick_interval` is 0: a channel checks its consumer timeout at least every microsecond",
        );
    }
    BrokerConfig {
        sync_every: b.sync_every.map(|d| d.0).unwrap_or(d.sync_every),
        consumer_timeout: b.consumer_timeout.map(|t| t.0).or(d.consumer_timeout),
        channel_tick_interval: tick,
    }
}
