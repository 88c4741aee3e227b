//! Time-based removal: message TTL (`x-message-ttl`, per-message `expiration`) and unused
//! queues (`x-expires`).
//!
//! A queue removes (or dead-letters) expired messages only at its head: an expired message
//! behind a live one still counts until it reaches the head. A requeued message keeps its
//! original expiry; unacked messages do not expire.
//!
//! When a classic queue looks at its head (and sets its TTL timer for it) follows
//! `rabbit_amqqueue_process`: after an enqueue that may have changed the head (the message is
//! alone, or drop-head dropped some), after each fetch (the head taken first), after a
//! requeue, when the timer fires. In a FIFO queue that is whenever the head changes, so an
//! expired message is never delivered. A message that goes ahead of others in a priority
//! queue gets no timer, and is delivered even once expired if a fetch comes first
//! ([`Broker::run_queue`], `basic.get`). A quorum queue looks before every checkout.

use super::message::DeadLetterReason;
use super::{Broker, BrokerTimer, Cx};
use crate::ids::QueueId;
use crate::record::QueueGone;
use crate::sim::Time;

impl Broker {
    /// When a message arriving now expires: the lower of the queue's and the message's TTL.
    pub(crate) fn expiry_for(now: Time, queue_ttl: Option<Time>, msg_ttl: Option<Time>) -> Time {
        let q = queue_ttl.map(|t| now.saturating_add(t)).unwrap_or(Time::NEVER);
        let m = msg_ttl.map(|t| now.saturating_add(t)).unwrap_or(Time::NEVER);
        q.min(m)
    }

    /// Removes (or dead-letters) expired messages from the head of the queue.
    #[inline]
    pub(crate) fn drop_expired_head(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        // The common case inline: the head (if any) has not expired.
        let head_expired =
            self.queues.get(q.idx()).and_then(|x| x.as_ref()).and_then(|x| x.ready.front()).is_some_and(|h| h.expires <= cx.now);
        if head_expired {
            self.drop_expired_heads(cx, q);
        }
    }

    #[inline(never)]
    fn drop_expired_heads(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        loop {
            let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
                return;
            };
            match queue.ready.front() {
                Some(head) if head.expires <= cx.now => {}
                _ => return,
            }
            let qm = queue.ready.pop_front().expect("checked");
            if queue.args.max_length_bytes.is_some() {
                queue.ready_bytes -= cx.msgs.get(qm.msg).body.len(cx.names);
            }
            self.disk_removed(cx, q, &qm);
            self.dead_letter(cx, q, qm, DeadLetterReason::Expired);
        }
    }

    /// A classic queue hands out its head `qm`: if its TTL already ran out (the queue had not
    /// looked since it got there, see the module doc), the trace says so before the delivery.
    #[inline(always)]
    pub(crate) fn note_expired_at_head(cx: &mut Cx<'_>, q: QueueId, qm: &super::queue::QMsg) {
        if qm.expires <= cx.now {
            Self::record_expired_at_head(cx, q, qm);
        }
    }

    /// Rare (an expired message that went ahead in a priority queue): out of line, so that
    /// the queue's run stays as small as before.
    #[cold]
    #[inline(never)]
    fn record_expired_at_head(cx: &mut Cx<'_>, q: QueueId, qm: &super::queue::QMsg) {
        cx.fx.records.push(crate::record::Record::ExpiredAtHead { msg: qm.msg, q, expired_us: qm.expires.as_us() });
    }

    /// Makes sure a timer will fire when the head of the queue expires.
    pub(crate) fn arm_ttl_timer(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let epoch = self.epoch;
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return;
        };
        let Some(head) = queue.ready.front() else {
            return;
        };
        if head.expires.is_never() || head.expires >= queue.ttl_timer {
            return;
        }
        queue.ttl_timer = head.expires;
        cx.fx.timers.push((head.expires, BrokerTimer::Ttl { q, at: head.expires, epoch }));
    }

    pub(crate) fn on_ttl_timer(&mut self, cx: &mut Cx<'_>, q: QueueId, at: Time) {
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return;
        };
        if queue.ttl_timer != at {
            return; // superseded by an earlier timer
        }
        queue.ttl_timer = Time::NEVER;
        self.drop_expired_head(cx, q);
        self.arm_ttl_timer(cx, q);
        self.quorum_evaluate_limit(cx, q);
    }

    /// The queue was used (declared, consumed from, read with `basic.get`): with `x-expires`
    /// and no consumers, its clock starts again.
    pub(crate) fn touch_queue(&mut self, cx: &mut Cx<'_>, q: QueueId) {
        let epoch = self.epoch;
        let Some(queue) = self.queues.get_mut(q.idx()).and_then(|x| x.as_mut()) else {
            return;
        };
        let Some(expires) = queue.args.expires else {
            return;
        };
        if !queue.consumers.is_empty() {
            return;
        }
        let at = cx.now.saturating_add(expires);
        queue.expires_at = at;
        cx.fx.timers.push((at, BrokerTimer::Expires { q, at, epoch }));
    }

    pub(crate) fn on_expires_timer(&mut self, cx: &mut Cx<'_>, q: QueueId, at: Time) {
        let Some(queue) = self.queue(q) else { return };
        if queue.expires_at != at || !queue.consumers.is_empty() {
            return;
        }
        self.delete_queue(cx, q, QueueGone::Expired);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::queue::{ArgValue, QueueArgs};
    use crate::broker::testkit::Driver;
    use crate::broker::BrokerConfig;
    use crate::record::{DiscardWhy, Record};

    #[test]
    fn expired_messages_leave_only_from_the_head() {
        let mut d = Driver::new(BrokerConfig::default());
        let ttl = d.sym("x-message-ttl");
        let args = QueueArgs { message_ttl: Some(Time::ms(300)), raw: vec![(ttl, ArgValue::Int(300))], ..Default::default() };
        d.queue("q", false, args);
        for (body, expiration) in [("long", None), ("short", Some(Time::ms(50)))] {
            let mut p = d.props("", "q");
            p.expiration = expiration;
            d.publish(Time::ZERO, p, body);
        }
        // "short" expired at 50ms but waits behind "long": still counted at 150ms.
        d.run_timers(Time::ms(150));
        assert_eq!(d.ready("q"), vec!["long", "short"]);
        // At 300ms "long" expires at the head, and "short" behind it goes too.
        d.clear();
        d.run_timers(Time::ms(300));
        assert!(d.ready("q").is_empty());
        assert_eq!(d.fx.records.iter().filter(|r| matches!(r, Record::Discarded { why: DiscardWhy::Expired, .. })).count(), 2);
    }
}
