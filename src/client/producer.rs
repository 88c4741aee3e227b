//! A producer: publishes its entries on schedule. A message that falls due while the
//! producer is down or disconnected is not sent (and the trace says so).

use super::spec::ProducerSpec;
use super::{ClientOut, ClientTimer, Wire};
use crate::broker::message::Body;
use crate::broker::ops::Op;
use crate::ids::ClientId;
use crate::record::{NotSent, Record};
use crate::sim::Time;

#[derive(Clone, Debug, Default)]
pub struct ProducerState {
    pub published: u64,
}

impl ProducerState {
    pub fn new(_spec: &ProducerSpec) -> Self {
        ProducerState::default()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn publish(
        &mut self,
        now: Time,
        me: ClientId,
        spec: &ProducerSpec,
        entry: u16,
        k: u32,
        sendable: bool,
        why_not: NotSent,
        wire: &mut Wire,
        out: &mut ClientOut,
    ) {
        let e = &spec.entries[entry as usize];
        let body = Body { tpl: e.body, n: k + 1 };
        if sendable {
            let msg = wire.msgs.add(body, e.props, me.0);
            out.ops.push((1, Op::Publish { msg }));
            self.published += 1;
        } else {
            out.records.push(Record::NotPublished { client: me, body, why: why_not });
        }
        if k + 1 < e.count {
            out.timers.push((now.saturating_add(e.every), ClientTimer::Publish { entry, k: k + 1 }));
        }
    }
}

/// Schedules the first message of every entry.
pub fn schedule_first(spec: &ProducerSpec, _now: Time, out: &mut ClientOut) {
    for (i, e) in spec.entries.iter().enumerate() {
        if e.count > 0 {
            out.timers.push((e.at, ClientTimer::Publish { entry: i as u16, k: 0 }));
        }
    }
}
