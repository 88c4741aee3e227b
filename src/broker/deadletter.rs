//! Dead-lettering: a message rejected without requeue, expired, or pushed out by a length
//! limit is republished to the queue's dead-letter exchange, with `x-death` recording why.
//!
//! The copy keeps the body and properties, loses its `expiration` (kept in the `x-death`
//! entry as `original-expiration`), and is routed with `x-dead-letter-routing-key` or its
//! original routing key. A missing exchange means the message is silently dropped. A copy
//! that would cycle back to a queue with no rejection anywhere in the cycle is dropped for
//! that queue (`rabbit_dead_letter.erl` `detect_cycles`). As in RabbitMQ, classic-queue
//! dead-lettering is at-most-once and is never confirmed to anyone.

use super::message::Message;
use super::message::{DeadLetterReason, Death, DeathEntry, Props};
use super::queue::QMsg;
use super::{Broker, Cx};
use crate::ids::{ExchangeId, MsgId, QueueId, Sym};
use crate::record::{DiscardWhy, Record};
use std::sync::Arc;

impl Broker {
    /// Dead-letters (or, without a dead-letter exchange, discards) one message copy that has
    /// already left queue `q`. A quorum queue may hold it back: at-least-once dead letters
    /// wait for a queue to take them, and one command's at-most-once dead letters go together.
    pub(crate) fn dead_letter(&mut self, cx: &mut Cx<'_>, q: QueueId, qm: QMsg, reason: DeadLetterReason) {
        if self.batch_dead_letter(q, qm, reason) {
            return;
        }
        if self.queue(q).is_some_and(|x| x.args.at_least_once()) {
            self.dead_letter_at_least_once(cx, q, qm, reason);
            return;
        }
        self.dead_letter_now(cx, q, qm, reason, false);
    }

    /// Dead-letters one copy now. With `only_if_routed` (at-least-once) nothing happens unless
    /// the dead-letter exchange exists and routes it somewhere; returns whether it went.
    pub(crate) fn dead_letter_now(
        &mut self,
        cx: &mut Cx<'_>,
        q: QueueId,
        qm: QMsg,
        reason: DeadLetterReason,
        only_if_routed: bool,
    ) -> bool {
        let queue_name = self.queue_name(q);
        let dlx_rk = self.queue(q).map(|queue| (queue.args.dead_letter_exchange, queue.args.dead_letter_routing_key));
        let Some((Some(dlx_name), dlrk)) = dlx_rk else {
            let why = match reason {
                DeadLetterReason::Rejected => DiscardWhy::Rejected,
                DeadLetterReason::Expired => DiscardWhy::Expired,
                DeadLetterReason::Maxlen => DiscardWhy::MaxLenHead,
                DeadLetterReason::DeliveryLimit => DiscardWhy::DeliveryLimit,
            };
            cx.fx.records.push(Record::Discarded { msg: qm.msg, q, why });
            return true;
        };
        let Some(dlx) = self.exchange_by_name(dlx_name) else {
            if only_if_routed {
                return false;
            }
            cx.fx.records.push(Record::Discarded { msg: qm.msg, q, why: DiscardWhy::NoDeadLetterExchange });
            return true;
        };
        let copy = DeadLetter { msg: qm.msg, q, queue_name, reason, dlx_name, dlrk }.copy(cx);
        if only_if_routed && self.route_quiet(cx, dlx, copy).queues.is_empty() {
            return false;
        }
        cx.fx.records.push(Record::DeadLettered { msg: qm.msg, q, reason, copy, dlx: dlx_name });
        self.route_dead_letter(cx, copy, dlx, reason);
        true
    }

    fn route_dead_letter(&mut self, cx: &mut Cx<'_>, copy: MsgId, dlx: ExchangeId, reason: DeadLetterReason) {
        let route = self.route(cx, dlx, copy);
        let death = cx.msgs.props_of(copy).death.clone();
        if route.queues.is_empty() {
            cx.fx.records.push(Record::Unroutable { msg: copy, ex: dlx, returned: false });
            return;
        }
        for &(target, via) in route.queues.iter() {
            cx.fx.records.push(Record::Routed { msg: copy, q: target, via });
            let target_name = self.queue_name(target);
            let cycles = reason != DeadLetterReason::Rejected && death.as_deref().is_some_and(|d| is_cycle(target_name, &d.entries));
            if cycles {
                cx.fx.records.push(Record::Discarded { msg: copy, q: target, why: DiscardWhy::DeadLetterCycle });
                continue;
            }
            let _ = self.deliver_or_enqueue(cx, target, copy, None);
        }
    }
}

/// One message copy leaving queue `q` for its dead-letter exchange: what its `x-death`
/// entry records and where the copy is published.
struct DeadLetter {
    msg: MsgId,
    q: QueueId,
    queue_name: Sym,
    reason: DeadLetterReason,
    dlx_name: Sym,
    /// `x-dead-letter-routing-key`, if the queue has one.
    dlrk: Option<Sym>,
}

impl DeadLetter {
    /// Stores the copy: the same body and properties, minus `expiration`, plus `x-death`.
    fn copy(&self, cx: &mut Cx<'_>) -> MsgId {
        let m = *cx.msgs.get(self.msg);
        let old = cx.msgs.props(m.props).clone();
        let mut death = old.death.as_deref().cloned().unwrap_or(Death {
            entries: Vec::new(),
            first_queue: self.queue_name,
            first_reason: self.reason,
            first_exchange: old.exchange,
        });
        // One x-death entry per (queue, reason): counted, and moved to the front.
        match death.entries.iter().position(|e| e.queue == self.queue_name && e.reason == self.reason) {
            Some(i) => {
                let mut e = death.entries.remove(i);
                e.count += 1;
                e.time = cx.now;
                death.entries.insert(0, e);
            }
            None => death.entries.insert(
                0,
                DeathEntry {
                    queue: self.queue_name,
                    reason: self.reason,
                    count: 1,
                    exchange: old.exchange,
                    routing_keys: vec![old.routing_key],
                    time: cx.now,
                    original_expiration: old.expiration,
                },
            ),
        }
        let props = Props {
            exchange: self.dlx_name,
            routing_key: self.dlrk.unwrap_or(old.routing_key),
            expiration: None,
            mandatory: false,
            death: Some(Arc::new(death)),
            dead_lettered_from: Some(self.msg),
            died_in: Some(self.q),
            ..old
        };
        let pid = cx.msgs.add_props(props);
        cx.msgs.add(m.body, pid, Message::FROM_BROKER)
    }
}

/// Whether dead-lettering into `queue` closes a cycle with no rejection in it: `queue`
/// already appears in `x-death` (newest first) and no entry up to and including it says
/// `rejected`.
fn is_cycle(queue: Sym, deaths: &[DeathEntry]) -> bool {
    match deaths.iter().position(|d| d.queue == queue) {
        None => false,
        Some(i) => deaths[..=i].iter().all(|d| d.reason != DeadLetterReason::Rejected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Time;

    fn entry(q: u32, reason: DeadLetterReason) -> DeathEntry {
        DeathEntry { queue: Sym(q), reason, count: 1, exchange: Sym(0), routing_keys: vec![], time: Time(0), original_expiration: None }
    }

    #[test]
    fn cycles_without_a_rejection_are_detected() {
        let deaths = vec![entry(2, DeadLetterReason::Expired), entry(1, DeadLetterReason::Expired)];
        assert!(is_cycle(Sym(1), &deaths));
        assert!(!is_cycle(Sym(3), &deaths));
        let with_reject = vec![entry(2, DeadLetterReason::Expired), entry(1, DeadLetterReason::Rejected)];
        assert!(!is_cycle(Sym(1), &with_reject));
    }
}
