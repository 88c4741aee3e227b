//! The queues at the end of a run as a client reads them: the way the script of
//! `warren export pika` does (`report_queues`), on a copy of the broker, so the run itself is
//! untouched. A connection takes every ready message of each queue in turn with `basic.get`
//! (no auto-ack), then closes that queue's channel (the messages go back). Reading is not the
//! same as looking: a message whose TTL passed while it waited behind others is dropped (and
//! dead-lettered, perhaps into a queue read later) when it reaches the head, as RabbitMQ
//! does at every fetch.

use super::World;
use crate::broker::ops::{Frame, Op, QueueRef};
use crate::broker::{Broker, Cx, Effects};
use crate::ids::{ConnId, SETUP};
use crate::names::Names;

/// One queue, as the reading client found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueueRead {
    /// `queue.declare` (passive) failed: no such queue.
    Missing,
    /// The queue refuses `basic.get` (a quorum queue with single active consumer): only its
    /// ready count can be read.
    Counted(usize),
    /// Every message `basic.get` returned, in order.
    Messages(Vec<String>),
}

/// A copy of the broker and the stores it writes, to read from.
struct Reader {
    broker: Broker,
    msgs: crate::broker::message::MessageStore,
    names: Names,
    fx: Effects,
    conn: ConnId,
}

impl Reader {
    fn send(&mut self, ch: u16, op: &Op, now: crate::sim::Time) {
        self.fx.clear();
        let mut cx = Cx { now, msgs: &mut self.msgs, names: &mut self.names, fx: &mut self.fx };
        self.broker.handle(&mut cx, self.conn, ch, op);
    }

    /// What one `basic.get` answered: a message's body, or `None` (empty, or an error).
    fn get(&mut self, ch: u16, queue: crate::ids::Sym, now: crate::sim::Time) -> Option<String> {
        self.send(ch, &Op::Get { queue: QueueRef::Named(queue), no_ack: false }, now);
        let conn = self.conn;
        let msg = self.fx.frames.iter().find_map(|(c, f)| match f {
            Frame::GetOk { msg, .. } if *c == conn => Some(*msg),
            _ => None,
        })?;
        Some(self.msgs.get(msg).body.render(&self.names).into_owned())
    }
}

impl World {
    /// Reads `queues`, in this order, with `basic.get` at the current time, as a client
    /// connected at the end would (see the module's comment). The run is left as it was.
    pub fn read_queues(&self, queues: &[String]) -> Vec<QueueRead> {
        let now = self.now();
        let conn = ConnId(self.conn_owner.len() as u32);
        let mut r =
            Reader { broker: self.broker.clone(), msgs: self.msgs.clone(), names: self.names.clone(), fx: Effects::default(), conn };
        if !r.broker.up {
            return queues.iter().map(|q| self.look_at(q)).collect();
        }
        r.send(0, &Op::OpenConnection { owner: SETUP }, now);
        // Dead-lettering can move messages between queues while they are read, never make
        // more than there are (a cycle drops them): a bound no honest reading reaches.
        let mut budget = self.broker.live_queues().map(|q| q.ready_len() as u64 + q.unacked as u64).sum::<u64>() * 2 + 16;
        let mut out = Vec::with_capacity(queues.len());
        for (i, name) in queues.iter().enumerate() {
            let found = self.names.lookup(name).and_then(|sym| r.broker.queue_by_name(sym).map(|id| (sym, id)));
            let Some((sym, id)) = found else {
                out.push(QueueRead::Missing);
                continue;
            };
            let Some(queue) = r.broker.queue(id) else {
                out.push(QueueRead::Missing);
                continue;
            };
            if queue.args.refuses_basic_get() {
                out.push(QueueRead::Counted(queue.ready_len() as usize));
                continue;
            }
            let ch = (i % (u16::MAX as usize - 1)) as u16 + 1;
            r.send(ch, &Op::OpenChannel, now);
            let mut bodies = Vec::new();
            while budget > 0 {
                budget -= 1;
                match r.get(ch, sym, now) {
                    Some(b) => bodies.push(b),
                    None => break,
                }
            }
            r.send(ch, &Op::CloseChannel, now);
            out.push(QueueRead::Messages(bodies));
        }
        out
    }

    /// A queue's ready messages as they lie, head first: what a reading would see if nothing
    /// had expired (used when the broker is down and nobody could read).
    fn look_at(&self, name: &str) -> QueueRead {
        let found = self.names.lookup(name).and_then(|sym| self.broker.queue_by_name(sym)).and_then(|id| self.broker.queue(id));
        match found {
            None => QueueRead::Missing,
            Some(q) if q.args.refuses_basic_get() => QueueRead::Counted(q.ready_len() as usize),
            Some(q) => QueueRead::Messages(q.ready.iter().map(|m| self.msgs.get(m.msg).body.render(&self.names).into_owned()).collect()),
        }
    }
}
