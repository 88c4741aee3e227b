//! The `expect:` items, checked for shape (one subject, one check) and resolved to
//! [`Expect`] data: actor names to ids, guarantee names to [`Guarantee`]s.

use super::{Builder, Checker, Declared};
use crate::guarantees::Guarantee;
use crate::ids::ClientId;
use crate::names::Names;
use crate::scenario::expect::{Expect, ExpectKind, Want};
use crate::scenario::model::{ExpectDef, YamlMapping, YamlValue};

impl Builder<'_> {
    pub(super) fn expects(&mut self) {
        for (i, e) in self.f.expect.iter().enumerate() {
            let p = format!("expect[{i}]");
            // Header names an item looks for are interned, so the broker can name them.
            if let Some(h) = &e.headers {
                intern_keys(&mut self.names, h);
            }
            if let Some(kind) = expect_kind(&mut self.c, &self.d, &p, e) {
                self.expects.push(Expect { at: e.at.map(|a| a.0), kind, line: self.c.loc.value(&p).line, why: e.why.clone() });
            }
        }
    }
}

fn intern_keys(names: &mut Names, m: &YamlMapping) {
    for (k, v) in m {
        if let Some(k) = k.as_str() {
            names.intern(k);
        }
        intern_value(names, v);
    }
}

fn intern_value(names: &mut Names, v: &YamlValue) {
    match v {
        YamlValue::Mapping(m) => intern_keys(names, m),
        YamlValue::Sequence(items) => items.iter().for_each(|x| intern_value(names, x)),
        _ => {}
    }
}

/// `headers:` of an item: names to expected values.
fn wants(c: &mut Checker, p: &str, m: &YamlMapping) -> Vec<(String, Want)> {
    let mut out = Vec::new();
    for (k, v) in m {
        let Some(key) = k.as_str() else {
            c.at(p, "header names must be strings");
            continue;
        };
        if let Some(w) = want(c, &format!("{p}.{key}"), v) {
            out.push((key.to_string(), w));
        }
    }
    out
}

fn want(c: &mut Checker, p: &str, v: &YamlValue) -> Option<Want> {
    Some(match v {
        YamlValue::Null => Want::Present,
        YamlValue::Bool(b) => Want::Bool(*b),
        YamlValue::Number(n) => match n.as_i64() {
            Some(i) => Want::Int(i),
            None => Want::Float(n.as_f64().unwrap_or(0.0)),
        },
        YamlValue::String(s) => Want::Str(s.clone()),
        YamlValue::Sequence(items) => Want::List(items.iter().enumerate().filter_map(|(i, x)| want(c, &format!("{p}[{i}]"), x)).collect()),
        YamlValue::Mapping(m) => Want::Map(wants(c, p, m)),
        YamlValue::Tagged(_) => {
            c.at(p, "a header value is a string, number, boolean, null, list or map");
            return None;
        }
    })
}

fn expect_kind(c: &mut Checker, d: &Declared, p: &str, e: &ExpectDef) -> Option<ExpectKind> {
    if (e.delivery.is_some() || e.position.is_some()) != e.headers.is_some() {
        c.at(p, "`headers` goes with `delivery: N` (a consumer's Nth delivery) or `position: N` (a queue's Nth ready message)");
        return None;
    }
    if e.delivery == Some(0) || e.position == Some(0) {
        c.at(p, "`delivery` and `position` count from 1");
        return None;
    }
    let subjects = [e.consumer.is_some(), e.queue.is_some(), e.producer.is_some(), e.client.is_some()].iter().filter(|x| **x).count();
    let globals = [e.unroutable.is_some(), e.lost.is_some(), e.dead_lettered.is_some(), e.error.is_some(), e.guarantee.is_some()]
        .iter()
        .filter(|x| **x)
        .count();
    let checks = [
        e.received.is_some(),
        e.redelivered.is_some(),
        e.processed.is_some(),
        e.count.is_some(),
        e.messages.is_some(),
        e.exists.is_some(),
        e.ready.is_some(),
        e.unacked.is_some(),
        e.returned.is_some(),
        e.confirmed.is_some(),
        e.nacked.is_some(),
        e.unconfirmed.is_some(),
        e.replies.is_some(),
        e.headers.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if subjects + globals != 1 || (subjects == 1 && checks != 1) || (globals == 1 && checks != 0) {
        c.at(
            p,
            "an expectation checks one thing: `consumer` with one of received/redelivered/processed/count/delivery+headers, `queue` with messages/exists/ready/unacked/position+headers, `producer` with returned/confirmed/nacked/unconfirmed, `client` with replies, or one of unroutable/lost/dead_lettered/error/guarantee",
        );
        return None;
    }
    let actor = |c: &mut Checker, key: &str, name: &str, want: &[&str]| -> Option<ClientId> {
        match d.actors.get(name) {
            Some((id, kind)) if want.contains(kind) => Some(*id),
            Some((_, kind)) => {
                c.at(&format!("{p}.{key}"), format!("`{name}` is a {kind}, not a {}", want.join(" or ")));
                None
            }
            None => {
                c.at(&format!("{p}.{key}"), format!("no {} is called `{name}`", want.join(" or ")));
                None
            }
        }
    };
    let misplaced = |c: &mut Checker, key: &str, subject: &str| {
        c.at(&format!("{p}.{key}"), format!("`{key}` does not go with `{subject}`"));
        None
    };
    if let Some(name) = &e.consumer {
        let id = actor(c, "consumer", name, &["consumer"])?;
        return if let Some(b) = &e.received {
            Some(ExpectKind::Received { consumer: id, bodies: b.clone() })
        } else if let Some(b) = &e.redelivered {
            Some(ExpectKind::Redelivered { consumer: id, bodies: b.clone() })
        } else if let Some(b) = &e.processed {
            Some(ExpectKind::Processed { consumer: id, bodies: b.clone() })
        } else if let Some(n) = e.count {
            Some(ExpectKind::Count { consumer: id, n })
        } else if let (Some(n), Some(h)) = (e.delivery, &e.headers) {
            Some(ExpectKind::DeliveryHeaders { consumer: id, n, headers: wants(c, &format!("{p}.headers"), h) })
        } else {
            misplaced(c, "consumer", "a consumer check")
        };
    }
    if let Some(q) = &e.queue {
        if !d.queue_known(q) {
            c.at(&format!("{p}.queue"), format!("queue `{q}` is not declared"));
            return None;
        }
        return if let Some(b) = &e.messages {
            Some(ExpectKind::QueueMessages { queue: q.clone(), bodies: b.clone() })
        } else if let Some(x) = e.exists {
            Some(ExpectKind::QueueExists { queue: q.clone(), exists: x })
        } else if let Some(n) = e.ready {
            Some(ExpectKind::QueueReady { queue: q.clone(), n })
        } else if let Some(n) = e.unacked {
            Some(ExpectKind::QueueUnacked { queue: q.clone(), n })
        } else if let (Some(position), Some(h)) = (e.position, &e.headers) {
            Some(ExpectKind::QueueHeaders { queue: q.clone(), position, headers: wants(c, &format!("{p}.headers"), h) })
        } else {
            misplaced(c, "queue", "a queue check")
        };
    }
    if let Some(name) = &e.producer {
        let id = actor(c, "producer", name, &["producer", "consumer", "RPC client"])?;
        return if let Some(b) = &e.returned {
            Some(ExpectKind::Returned { producer: id, bodies: b.clone() })
        } else if let Some(n) = e.confirmed {
            Some(ExpectKind::Confirmed { producer: id, n })
        } else if let Some(b) = &e.nacked {
            Some(ExpectKind::Nacked { producer: id, bodies: b.clone() })
        } else if let Some(n) = e.unconfirmed {
            Some(ExpectKind::Unconfirmed { producer: id, n })
        } else {
            misplaced(c, "producer", "a producer check")
        };
    }
    if let Some(name) = &e.client {
        let id = actor(c, "client", name, &["RPC client"])?;
        return match &e.replies {
            Some(b) => Some(ExpectKind::Replies { client: id, bodies: b.clone() }),
            None => misplaced(c, "client", "an RPC client check"),
        };
    }
    if let Some(n) = e.unroutable {
        return Some(ExpectKind::Unroutable(n));
    }
    if let Some(n) = e.lost {
        return Some(ExpectKind::Lost(n));
    }
    if let Some(n) = e.dead_lettered {
        return Some(ExpectKind::DeadLettered(n));
    }
    if let Some(g) = &e.guarantee {
        return match Guarantee::parse(g) {
            Some(g) => Some(ExpectKind::Guarantee(g)),
            None => {
                let all: Vec<&str> = Guarantee::ALL.iter().map(|g| g.name()).collect();
                c.at(&format!("{p}.guarantee"), format!("unknown guarantee `{g}`: expected one of {}", all.join(", ")));
                None
            }
        };
    }
    if let Some(err) = &e.error {
        let id = actor(c, "error.actor", &err.actor, &["producer", "consumer", "RPC client"])?;
        return Some(ExpectKind::Error { actor: id, code: err.code });
    }
    None
}
