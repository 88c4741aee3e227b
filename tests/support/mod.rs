//! Helpers shared by the scenario-level integration tests: run a scenario from YAML text and
//! read what happened out of its trace.
#![allow(dead_code)]

use std::sync::Arc;
use warren::ids::ClientId;
use warren::record::Record;
use warren::scenario::Scenario;
use warren::session::Session;
use warren::sim::Stamped;

/// A finished run.
pub struct Run {
    pub session: Session,
}

/// Parses, validates and runs a scenario given as YAML. Panics (with the errors) if invalid.
pub fn run(yaml: &str) -> Run {
    let scenario = Scenario::from_str(yaml, "test.yaml").unwrap_or_else(|e| panic!("invalid scenario:\n{e}"));
    let mut session = Session::new(Arc::new(scenario), true);
    if let Err(e) = session.run() {
        panic!("run stopped: {e} (seed {})", session.scenario.seed);
    }
    Run { session }
}

impl Run {
    pub fn records(&self) -> &[Stamped<Record>] {
        self.session.trace.records()
    }

    pub fn client(&self, name: &str) -> ClientId {
        let i = self.session.world.clients.iter().position(|c| c.name() == name).unwrap_or_else(|| panic!("no client {name}"));
        ClientId(i as u32)
    }

    pub fn body(&self, msg: warren::ids::MsgId) -> String {
        let w = &self.session.world;
        w.msgs.get(msg).body.render(&w.names).into_owned()
    }

    /// What a consumer received: (body, redelivered) in delivery order.
    pub fn received(&self, consumer: &str) -> Vec<(String, bool)> {
        let c = self.client(consumer);
        self.records()
            .iter()
            .filter_map(|s| match s.rec {
                Record::Delivered { msg, client, redelivered, .. } if client == c => Some((self.body(msg), redelivered)),
                _ => None,
            })
            .collect()
    }

    /// Bodies a consumer received, in order.
    pub fn bodies(&self, consumer: &str) -> Vec<String> {
        self.received(consumer).into_iter().map(|(b, _)| b).collect()
    }

    /// The ready messages of a queue at the end, head first (None if it does not exist).
    pub fn queue(&self, name: &str) -> Option<Vec<String>> {
        let w = &self.session.world;
        let sym = w.names.lookup(name)?;
        let q = w.broker.queue(w.broker.queue_by_name(sym)?)?;
        Some(q.ready.iter().map(|m| self.body(m.msg)).collect())
    }

    /// Every record of a kind, as text lines (English), for readable assertions.
    pub fn lines(&self) -> Vec<String> {
        let cx = self.session.ctx(warren::explain::Lang::En);
        self.records().iter().map(|s| warren::explain::text::line(&cx, s, 10)).collect()
    }

    /// Whether some trace line contains all the fragments.
    pub fn has_line(&self, fragments: &[&str]) -> bool {
        self.lines().iter().any(|l| fragments.iter().all(|f| l.contains(f)))
    }

    pub fn count(&self, pred: impl Fn(&Record) -> bool) -> usize {
        self.records().iter().filter(|s| pred(&s.rec)).count()
    }
}
