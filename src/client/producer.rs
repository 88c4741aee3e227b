//! A producer: publishes its entries on schedule. A message that falls due while the
//! producer is down or disconnected is not sent (and the trace says so).

use super::spec::ProducerSpec;
use super::{ClientOut, ClientTimer, Cx};
use crate::broker::message::Body;
use crate::broker::ops::Op;
use crate::record::{NotSent, Record};

#[derive(Clone, Debug, Default)]
pub struct ProducerState {
    pub published: u64,
}

impl ProducerState {
    pub fn new(_spec: &ProducerSpec) -> Self {
        ProducerState::default()
    }

    /// Message `k` of entry `entry` falls due: publish it, unless `blocked` says why it
    /// cannot be sent; then schedule the entry's next message.
    pub fn publish(&mut self, cx: &mut Cx<'_>, spec: &ProducerSpec, entry: u16, k: u32, blocked: Option<NotSent>) {
        let e = &spec.entries[entry as usize];
        let body = Body { tpl: e.body, n: k + 1 };
        match blocked {
            None => {
                let msg = cx.wire.msgs.add(body, e.props, cx.me.0);
                cx.out.ops.push((1, Op::Publish { msg }));
                self.published += 1;
            }
            Some(why) => cx.out.records.push(Record::NotPublished { client: cx.me, body, why }),
        }
        if k + 1 < e.count {
            cx.out.timers.push((cx.now.saturating_add(e.every), ClientTimer::Publish { entry, k: k + 1 }));
        }
    }
}

/// Schedules the first message of every entry.
pub fn schedule_first(spec: &ProducerSpec, out: &mut ClientOut) {
    for (i, e) in spec.entries.iter().enumerate() {
        if e.count > 0 {
            out.timers.push((e.at, ClientTimer::Publish { entry: i as u16, k: 0 }));
        }
    }
}
