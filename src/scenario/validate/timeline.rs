//! What happens during the run besides the clients' own work: `faults:` (crashes, restarts,
//! stops, slow links, partitions) and classroom `notes:`.

use super::Builder;
use crate::ids::ClientId;
use crate::scenario::model::{FaultDef, NoteDef};
use crate::scenario::Note;
use crate::sim::Time;
use crate::world::{FaultKind, FaultSpec, Initial};

impl Builder<'_> {
    pub(super) fn faults(&mut self) {
        let f = self.f;
        for (i, fd) in f.faults.iter().enumerate() {
            self.fault(i, fd);
        }
    }

    fn fault(&mut self, i: usize, fd: &FaultDef) {
        let p = format!("faults[{i}]");
        let given = [fd.crash.is_some(), fd.restart.is_some(), fd.stop.is_some(), fd.delay.is_some(), fd.partition.is_some()]
            .iter()
            .filter(|x| **x)
            .count();
        if given != 1 {
            self.c.at(&p, "a fault names exactly one of `crash`, `restart`, `stop`, `delay` or `partition`");
            return;
        }
        if let Some(u) = fd.until {
            if u.0 <= fd.at.0 {
                self.c.at(
                    &format!("{p}.until"),
                    format!("the fault ends at {} but starts at {}: `until` must come after `at`", u.0, fd.at.0),
                );
            }
        }
        let kind = self.fault_kind(&p, fd);
        if fd.by.is_some() && fd.delay.is_none() {
            self.c.at(&format!("{p}.by"), "`by` belongs to a `delay` fault");
        }
        if fd.until.is_some() && fd.delay.is_none() && fd.partition.is_none() {
            self.c.at(&format!("{p}.until"), "`until` belongs to a `delay` or `partition` fault");
        }
        if let Some(kind) = kind {
            self.order.push((self.c.loc.value(&p), Initial::Fault(self.faults.len() as u32)));
            self.faults.push(FaultSpec {
                at: fd.at.0,
                until: fd.until.map(|u| u.0).filter(|_| fd.delay.is_some() || fd.partition.is_some()),
                kind,
            });
        }
    }

    /// What the fault does, to whom (the one of `crash`, `restart`, `stop`, `delay`,
    /// `partition` it names).
    fn fault_kind(&mut self, p: &str, fd: &FaultDef) -> Option<FaultKind> {
        if let Some(t) = &fd.crash {
            if t == "broker" {
                Some(FaultKind::BrokerCrash)
            } else {
                self.fault_actor(p, "crash", t).map(FaultKind::Crash)
            }
        } else if let Some(t) = &fd.restart {
            if t == "broker" {
                Some(FaultKind::BrokerRestart)
            } else {
                self.fault_actor(p, "restart", t).map(FaultKind::Restart)
            }
        } else if let Some(t) = &fd.stop {
            if t == "broker" {
                Some(FaultKind::BrokerStop)
            } else {
                self.c.at(&format!("{p}.stop"), "`stop` applies to the broker only (`stop: broker`); use `crash` for a client");
                None
            }
        } else if let Some(t) = &fd.delay {
            let by = match fd.by {
                Some(b) => b.0,
                None => {
                    self.c.at(p, "a `delay` fault needs `by`: the extra latency, like 300ms");
                    Time::ZERO
                }
            };
            self.fault_actor(p, "delay", t).map(|client| FaultKind::Delay { client, by })
        } else {
            let t = fd.partition.as_deref().unwrap_or_default();
            self.fault_actor(p, "partition", t).map(FaultKind::Partition)
        }
    }

    /// The client a fault names under `key`.
    fn fault_actor(&mut self, p: &str, key: &str, name: &str) -> Option<ClientId> {
        match self.d.actors.get(name) {
            Some((id, _)) => Some(*id),
            None => {
                self.c.at(&format!("{p}.{key}"), format!("no producer, consumer or RPC client is called `{name}`"));
                None
            }
        }
    }

    pub(super) fn notes(&mut self) {
        let f = self.f;
        for (i, n) in f.notes.iter().enumerate() {
            self.note(i, n);
        }
    }

    fn note(&mut self, i: usize, n: &NoteDef) {
        let p = format!("notes[{i}]");
        let c = &mut self.c;
        match (&n.text, &n.ask) {
            (Some(_), None) => {
                if !n.choices.is_empty() || n.answer.is_some() {
                    c.at(&p, "`choices` and `answer` go with `ask`, not `text`");
                }
            }
            (None, Some(_)) => {
                if n.choices.len() < 2 {
                    c.at(&p, "a question (`ask`) needs at least two `choices`");
                }
                match &n.answer {
                    Some(a) if !n.choices.iter().any(|ch| ch.get("en") == a) => {
                        c.at(&format!("{p}.answer"), format!("the answer `{a}` is not one of the choices"))
                    }
                    None => c.at(&p, "a question (`ask`) needs an `answer` (one of the choices)"),
                    _ => {}
                }
            }
            _ => c.at(&p, "a note has exactly one of `text` or `ask`"),
        }
        self.order.push((self.c.loc.value(&p), Initial::Note(self.notes.len() as u32)));
        self.notes.push(Note {
            at: n.at.0,
            text: n.text.clone(),
            ask: n.ask.clone(),
            choices: n.choices.clone(),
            answer: n.answer.as_ref().and_then(|a| n.choices.iter().position(|ch| ch.get("en") == a)),
            explain: n.explain.clone(),
        });
    }
}
