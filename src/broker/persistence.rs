//! The disk, and what a broker crash or stop keeps.
//!
//! Persistent messages in durable queues are written as they arrive but reach disk only at
//! the next sync, every `broker.sync_every` (RabbitMQ syncs on a ~200 ms timer): that is the
//! window in which a "persisted" message can still be lost. Removals (acks, drops) are synced
//! the same way, so a crash can bring back a message whose ack had not reached disk.
//!
//! The model is cheap: each sync bumps a generation; a message copy remembers the generation
//! it was written in, and is on disk once a later sync has happened. Only removals of copies
//! already on disk are remembered until the next sync.
//!
//! A **crash** (power loss) keeps what was on disk at the last sync: durable queues with
//! their synced persistent messages, all flagged redelivered (an unclean restart cannot know
//! which were delivered). A **stop** (graceful) syncs first and closes every connection, so
//! unacked messages go back to their queues and auto-delete and exclusive queues go away;
//! then transient messages and non-durable queues and exchanges are dropped.

use super::queue::{qflags, QMsg};
use super::{Broker, BrokerTimer, Cx};
use crate::ids::{ChannelId, QueueId};
use crate::record::{Disconnect, LostWhy, QueueGone, Record};
use crate::sim::Time;
use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct Disk {
    /// Syncs done since the broker (re)started; a copy written in generation g is on disk
    /// once `gen > g`.
    pub gen: u32,
    pub sync_pending: bool,
    /// Persistent copies written since the last sync.
    pub dirty: u32,
    /// Publishes waiting for a sync before their confirm: (generation, channel, seq).
    pub waiters: VecDeque<(u32, ChannelId, u32)>,
    /// Copies on disk removed since the last sync (a crash brings them back).
    pub pending_removals: Vec<(QueueId, QMsg)>,
    pub started_at: Time,
}

impl Broker {
    pub(crate) fn on_disk(&self, qm: &QMsg) -> bool {
        qm.gen != QMsg::NOT_ON_DISK && qm.gen < self.disk.gen
    }

    /// A persistent copy is written to a durable queue: returns its generation.
    pub(crate) fn disk_write(&mut self, cx: &mut Cx<'_>) -> u32 {
        self.disk.dirty += 1;
        self.ensure_sync(cx);
        self.disk.gen
    }

    /// A copy leaves its queue (acked, dropped, delivered without ack, ...).
    pub(crate) fn disk_removed(&mut self, cx: &mut Cx<'_>, q: QueueId, qm: &QMsg) {
        if self.on_disk(qm) {
            self.disk.pending_removals.push((q, *qm));
            self.ensure_sync(cx);
        }
    }

    fn ensure_sync(&mut self, cx: &mut Cx<'_>) {
        if self.disk.sync_pending {
            return;
        }
        self.disk.sync_pending = true;
        let period = self.cfg.sync_every.as_us();
        let since = cx.now.as_us().saturating_sub(self.disk.started_at.as_us());
        // Period 0: sync at once; otherwise at the next tick of the sync timer.
        let at = match since.checked_div(period) {
            None => cx.now,
            Some(ticks) => Time(self.disk.started_at.as_us() + (ticks + 1) * period),
        };
        cx.fx.timers.push((at, BrokerTimer::Sync { epoch: self.epoch }));
    }

    /// Everything written so far reaches disk; publishes waiting for it are confirmed.
    pub(crate) fn sync(&mut self, cx: &mut Cx<'_>) {
        self.disk.sync_pending = false;
        self.disk.gen += 1;
        self.disk.pending_removals.clear();
        let gen = self.disk.gen;
        while let Some(&(g, ch, seq)) = self.disk.waiters.front() {
            if g >= gen {
                break;
            }
            self.disk.waiters.pop_front();
            if self.channels[ch.idx()].open {
                self.confirm_now(ch, seq, true);
            }
        }
        if self.disk.dirty > 0 {
            cx.fx.records.push(Record::Synced { messages: self.disk.dirty });
            self.disk.dirty = 0;
        }
    }

    /// The broker goes down: `graceful` for a stop, otherwise a crash. What it recovers is
    /// computed now (the losses are recorded at the moment of the crash); the clients learn
    /// of their lost connections from the world.
    pub fn crash(&mut self, cx: &mut Cx<'_>, graceful: bool) {
        if !self.up {
            return;
        }
        if graceful {
            self.stop_gracefully(cx);
        }
        cx.fx.records.push(Record::BrokerDown { graceful });
        let quorum: Vec<bool> = self.queues.iter().map(|q| q.as_ref().is_some_and(|q| q.is_quorum())).collect();
        let (mut held, mut delivered) = self.take_unacked(cx, &quorum);
        for c in &mut self.consumers {
            c.active = false;
        }
        for c in self.conns.iter_mut().flatten() {
            c.open = false;
            c.closing.clear();
        }
        let removed = std::mem::take(&mut self.disk.pending_removals);
        let queue_ids: Vec<QueueId> = self.live_queues().map(|q| q.id).collect();
        for q in queue_ids {
            let durable = self.queue(q).map(|x| x.durable).unwrap_or(false);
            let mut all: Vec<QMsg> = self.queues[q.idx()].as_mut().expect("live").ready.drain(..).collect();
            all.append(&mut held[q.idx()]);
            if quorum[q.idx()] {
                let back = std::mem::take(&mut delivered[q.idx()]);
                self.quorum_recover(cx, q, all, back);
            } else if !durable {
                all.sort_by_key(|m| m.seq);
                for qm in &all {
                    cx.fx.records.push(Record::Lost { msg: qm.msg, q, why: LostWhy::QueueNotDurable });
                }
                self.queues[q.idx()].as_mut().expect("live").ready.clear();
                self.delete_queue(cx, q, QueueGone::BrokerDown);
            } else {
                self.recover_classic(cx, q, all, &removed, graceful);
            }
        }
        let transient: Vec<_> = self.live_exchanges().filter(|x| !x.durable && !x.builtin).map(|x| x.id).collect();
        for x in transient {
            self.remove_exchange(cx, x);
        }
        self.disk.waiters.clear();
        self.disk.dirty = 0;
        self.disk.sync_pending = false;
        self.reply_tokens.clear();
        self.reply_token_of.clear();
        self.up = false;
        self.epoch += 1;
    }

    /// A graceful stop: everything is synced and confirmed, then every open connection is
    /// closed with 320 CONNECTION_FORCED.
    fn stop_gracefully(&mut self, cx: &mut Cx<'_>) {
        self.sync(cx);
        self.flush_confirms(cx);
        let conns: Vec<_> = self.conns.iter().flatten().filter(|c| c.open).map(|c| c.id).collect();
        let shutdown = super::error::AmqpError::broker_shutdown();
        let text = cx.names.intern(&shutdown.text);
        for c in conns {
            cx.fx.frames.push((c, super::ops::Frame::ConnectionClosed { code: shutdown.code.code(), text }));
            self.close_connection(cx, c, Disconnect::BrokerStopped);
        }
    }

    /// Takes every channel's unacked deliveries (and closes the channels): per queue, what
    /// classic queues had out, in publication order, and what quorum queues had delivered, in
    /// delivery order (it comes back first). A delivery whose queue is gone is lost.
    fn take_unacked(&mut self, cx: &mut Cx<'_>, quorum: &[bool]) -> (Vec<Vec<QMsg>>, Vec<Vec<QMsg>>) {
        let mut held: Vec<Vec<QMsg>> = vec![Vec::new(); self.queues.len()];
        let mut delivered: Vec<Vec<QMsg>> = vec![Vec::new(); self.queues.len()];
        for ch in &mut self.channels {
            for u in ch.unacked.drain(..) {
                if self.queues.get(u.queue.idx()).is_none_or(|q| q.is_none()) {
                    // Its queue was deleted while the message was out (an auto-delete queue
                    // whose consumer cancelled): it goes with the broker.
                    cx.fx.records.push(Record::Lost { msg: u.qm.msg, q: u.queue, why: LostWhy::QueueDeleted });
                    continue;
                }
                let to = if quorum.get(u.queue.idx()).copied().unwrap_or(false) { &mut delivered } else { &mut held };
                if let Some(v) = to.get_mut(u.queue.idx()) {
                    v.push(u.qm);
                }
            }
            ch.timeout_check = Time::NEVER;
            ch.open = false;
            ch.consumers.clear();
            ch.reply_consumer = None;
            ch.unconfirmed.clear();
        }
        (held, delivered)
    }

    /// A durable classic queue after the crash: it keeps what reached disk (flagged
    /// redelivered after an unclean stop) and gets back what was acked but whose removal had
    /// not reached disk; the rest is lost.
    fn recover_classic(&mut self, cx: &mut Cx<'_>, q: QueueId, all: Vec<QMsg>, removed: &[(QueueId, QMsg)], graceful: bool) {
        let mut survivors = Vec::new();
        for qm in all {
            if self.on_disk(&qm) {
                survivors.push(qm);
            } else {
                let persistent = cx.msgs.props_of(qm.msg).persistent;
                let why = if persistent { LostWhy::NotSynced } else { LostWhy::Transient };
                cx.fx.records.push(Record::Lost { msg: qm.msg, q, why });
            }
        }
        for (rq, qm) in removed {
            if *rq == q {
                cx.fx.records.push(Record::Restored { msg: qm.msg, q });
                survivors.push(*qm);
            }
        }
        survivors.sort_by_key(|m| m.order());
        let names = &cx.names;
        let msgs = &cx.msgs;
        let queue = self.queues[q.idx()].as_mut().expect("live");
        queue.ready_bytes = 0;
        for mut qm in survivors {
            if !graceful {
                qm.flags |= qflags::DELIVERED;
            }
            if queue.args.max_length_bytes.is_some() {
                queue.ready_bytes += msgs.get(qm.msg).body.len(names);
            }
            queue.ready.push_back(qm);
        }
        queue.unacked = 0;
        queue.consumers = Default::default();
        queue.had_consumer = false;
        queue.ttl_timer = Time::NEVER;
        queue.expires_at = Time::NEVER;
    }

    /// The broker comes back with what it recovered.
    pub fn restart(&mut self, cx: &mut Cx<'_>) {
        if self.up {
            return;
        }
        self.up = true;
        self.epoch += 1;
        // Everything recovered is on disk: start a fresh generation count above theirs.
        self.disk.gen = self.disk.gen.saturating_add(1);
        self.disk.started_at = cx.now;
        let ids: Vec<QueueId> = self.live_queues().map(|q| q.id).collect();
        let mut messages = 0u32;
        for q in &ids {
            self.quorum_recovered_over_limit(cx, *q);
            messages += self.queue(*q).map(|x| x.ready_len()).unwrap_or(0);
            if self.queue(*q).is_some_and(|x| !x.dlx_pending.is_empty()) {
                self.forward_pending_dead_letters(cx, *q);
            }
            self.drop_expired_head(cx, *q);
            self.arm_ttl_timer(cx, *q);
            self.touch_queue(cx, *q);
        }
        cx.fx.records.push(Record::BrokerUp { queues: ids.len() as u32, messages });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::ops::{Frame, Op};
    use crate::broker::testkit::Driver;
    use crate::broker::{BrokerConfig, QueueRef};

    fn driver() -> Driver {
        let mut d = Driver::new(BrokerConfig { sync_every: Time::ms(200), ..BrokerConfig::default() });
        d.op(Time::ZERO, Op::ConfirmSelect);
        d.queue("q", true, Default::default());
        d.clear();
        d
    }

    fn publish(d: &mut Driver, now: Time, body: &str) {
        let mut p = d.props("", "q");
        p.persistent = true;
        d.publish(now, p, body);
    }

    #[test]
    fn a_persistent_message_is_confirmed_at_the_next_sync_and_survives_a_crash_after_it() {
        let mut d = driver();
        publish(&mut d, Time::ms(50), "safe");
        assert!(!d.fx.frames.iter().any(|(_, f)| matches!(f, Frame::Ack { .. })), "no confirm before the sync");
        assert_eq!(d.timers.peek_time(), Some(Time::ms(200)), "the sync falls on the next 200ms tick");
        d.run_timers(Time::ms(200));
        assert!(d.fx.frames.iter().any(|(_, f)| matches!(f, Frame::Ack { seq: 1, .. })), "confirmed once on disk");
        publish(&mut d, Time::ms(250), "in the window");
        d.crash(Time::ms(300), false);
        d.restart(Time::ms(400));
        assert_eq!(d.ready("q"), vec!["safe"], "the unsynced message is lost, the synced one survives");
    }

    #[test]
    fn an_ack_that_did_not_reach_disk_is_undone_by_a_crash() {
        let mut d = driver();
        publish(&mut d, Time::ms(10), "m");
        d.run_timers(Time::ms(200));
        let q = d.sym("q");
        d.op(Time::ms(250), Op::Get { queue: QueueRef::Named(q), no_ack: false });
        d.op(Time::ms(260), Op::Ack { tag: 1, multiple: false });
        assert!(d.ready("q").is_empty());
        d.clear();
        d.crash(Time::ms(300), false);
        assert!(d.fx.records.iter().any(|r| matches!(r, Record::Restored { .. })));
        d.restart(Time::ms(400));
        assert_eq!(d.ready("q"), vec!["m"], "the ack was still in the sync window");
    }
}
