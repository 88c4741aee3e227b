//! Consumers and the round-robin ring a queue keeps them in, as RabbitMQ's classic queues do:
//! consumers sit in priority bands; for each message the queue takes the head of the highest
//! band; if that consumer can take the message it gets it and goes to the **tail** of its
//! band; if it is at its prefetch limit it moves to the blocked list and the next one is
//! tried. A consumer that becomes able to receive again (an ack freed a slot) is appended
//! after the active ones. (`rabbit_queue_consumers.erl`: `deliver/6`, `unblock/2`.)

use crate::ids::{ChannelId, ClientId, ConsumerId, QueueId, Sym};
use std::collections::VecDeque;

/// A `basic.consume` registration.
#[derive(Clone, Debug)]
pub struct Consumer {
    pub id: ConsumerId,
    pub channel: ChannelId,
    pub queue: QueueId,
    pub tag: Sym,
    pub client: ClientId,
    pub no_ack: bool,
    /// Per-consumer prefetch (`basic.qos(global=false)` before `basic.consume`); 0: unlimited.
    pub prefetch: u32,
    pub unacked: u32,
    pub priority: i32,
    pub exclusive: bool,
    /// False once cancelled or its channel closed.
    pub active: bool,
    /// Whether its channel's channel-wide limit (`basic.qos(global=true)`) applies: a consumer
    /// of a classic queue with manual acks. A quorum queue's deliveries never pass the
    /// channel's limiter (`rabbit_limiter:can_send/3` is called by classic queue processes
    /// only): they neither wait for it nor count in its volume.
    pub channel_limited: bool,
    /// Quorum queues: credit `rabbit_fifo` gave back twice. In 3.10.8 a message a consumer
    /// returns past `x-delivery-limit` is completed (`complete/5` gives its credit back) and
    /// then counted among the returned (`return/5` gives it back again), so from then on the
    /// consumer may hold one more message than its prefetch, per such return.
    pub extra_credit: u32,
}

impl Consumer {
    /// Whether the prefetch limit lets this consumer take one more message.
    pub fn can_receive(&self) -> bool {
        self.no_ack || self.prefetch == 0 || self.unacked < self.prefetch.saturating_add(self.extra_credit)
    }
}

/// The consumers of one queue.
#[derive(Clone, Debug, Default)]
pub struct ConsumerRing {
    /// (priority, consumers in round-robin order), highest priority first.
    bands: Vec<(i32, VecDeque<ConsumerId>)>,
    /// Consumers found at their limit, in the order they were found.
    blocked: Vec<ConsumerId>,
    /// Every consumer in registration order (for single-active-consumer and counting).
    all: Vec<ConsumerId>,
    /// The priority of each consumer in `all`.
    priorities: Vec<i32>,
    /// With `x-single-active-consumer`: the one consumer that receives. The first to subscribe
    /// when there is none becomes it, whatever its priority, and stays until it goes away.
    active: Option<ConsumerId>,
}

impl ConsumerRing {
    pub fn len(&self) -> usize {
        self.all.len()
    }
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
    pub fn all(&self) -> &[ConsumerId] {
        &self.all
    }
    /// Whether more than one priority band has a consumer in the ring (not all blocked).
    #[inline]
    pub fn several_bands(&self) -> bool {
        self.bands.len() > 1 && self.bands.iter().filter(|(_, b)| !b.is_empty()).nth(1).is_some()
    }

    /// Registers a consumer. Returns true if it became the single active consumer (there was
    /// none: `rabbit_amqqueue_process` `handle_call({basic_consume, ...})`).
    pub fn add(&mut self, c: ConsumerId, priority: i32) -> bool {
        self.all.push(c);
        self.priorities.push(priority);
        self.push_back(c, priority);
        if self.active.is_none() {
            self.active = Some(c);
            return true;
        }
        false
    }

    /// The single active consumer, if any.
    pub fn active(&self) -> Option<ConsumerId> {
        self.active
    }

    /// Whether `c` waits to become the single active consumer.
    pub fn is_waiting(&self, c: ConsumerId) -> bool {
        self.active.is_some_and(|a| a != c) && self.all.contains(&c)
    }

    fn push_back(&mut self, c: ConsumerId, priority: i32) {
        match self.bands.iter().position(|(p, _)| *p <= priority) {
            Some(i) if self.bands[i].0 == priority => self.bands[i].1.push_back(c),
            Some(i) => self.bands.insert(i, (priority, VecDeque::from([c]))),
            None => self.bands.push((priority, VecDeque::from([c]))),
        }
    }

    /// Unregisters a consumer. If it was the single active consumer, the one that takes over is
    /// returned: with `by_priority` (a classic queue) the highest priority among those left, the
    /// earliest subscribed among equals (`rabbit_queue_consumers:get_consumer/1`, a priority
    /// queue: FIFO within a priority); without (a quorum queue: `rabbit_fifo` keeps waiting
    /// consumers in subscription order) the earliest subscribed.
    pub fn remove(&mut self, c: ConsumerId, by_priority: bool) -> Option<ConsumerId> {
        if let Some(i) = self.all.iter().position(|x| *x == c) {
            self.all.remove(i);
            self.priorities.remove(i);
        }
        self.blocked.retain(|x| *x != c);
        for (_, band) in &mut self.bands {
            band.retain(|x| *x != c);
        }
        self.bands.retain(|(_, b)| !b.is_empty());
        if self.active != Some(c) {
            return None;
        }
        let mut best: Option<(i32, ConsumerId)> = None;
        for (&x, &p) in self.all.iter().zip(&self.priorities) {
            if best.is_none_or(|(bp, _)| by_priority && p > bp) {
                best = Some((p, x));
            }
        }
        self.active = best.map(|(_, x)| x);
        self.active
    }

    /// The round-robin choice. `can` says whether a consumer can take a message now.
    /// Returns the chosen consumer, its band's priority, how many were moved to the blocked
    /// list on the way, and the first of those.
    pub fn pick(&mut self, mut can: impl FnMut(ConsumerId) -> bool) -> Pick {
        let mut skipped = 0u16;
        let mut first_skipped = None;
        let mut chosen = None;
        for bi in 0..self.bands.len() {
            while let Some(c) = self.bands[bi].1.pop_front() {
                if can(c) {
                    self.bands[bi].1.push_back(c);
                    chosen = Some((c, self.bands[bi].0));
                    break;
                }
                skipped = skipped.saturating_add(1);
                first_skipped.get_or_insert(c);
                self.blocked.push(c);
            }
            if chosen.is_some() {
                break;
            }
        }
        // A band left empty (all its consumers blocked) stays, with its ring, for when one
        // unblocks: removing it here would allocate a new ring then, on every message of a
        // backlog. Only `remove` takes bands out.
        Pick { chosen, skipped, first_skipped }
    }

    /// Takes a consumer that has just reached its limit out of the round-robin, as a quorum
    /// queue does at the delivery that uses its last credit (`rabbit_fifo:checkout_one/4`
    /// puts a consumer back in its service queue only while it has credit left); it comes back
    /// at the tail when it settles ([`ConsumerRing::unblock`]). A classic queue leaves it in
    /// its place until a delivery finds it at its limit.
    pub fn leave_at_limit(&mut self, c: ConsumerId) {
        for (_, band) in &mut self.bands {
            if band.back() == Some(&c) {
                band.pop_back();
            } else {
                band.retain(|x| *x != c);
            }
        }
        if !self.blocked.contains(&c) {
            self.blocked.push(c);
        }
    }

    /// Moves blocked consumers that can receive again to the tail of their bands.
    pub fn unblock(&mut self, mut can: impl FnMut(ConsumerId) -> Option<i32>) -> bool {
        let mut moved = false;
        let mut i = 0;
        while i < self.blocked.len() {
            let c = self.blocked[i];
            match can(c) {
                Some(priority) => {
                    self.blocked.remove(i);
                    self.push_back(c, priority);
                    moved = true;
                }
                None => i += 1,
            }
        }
        moved
    }

    /// The first consumer found blocked and how many are, if any.
    pub fn blocked(&self) -> &[ConsumerId] {
        &self.blocked
    }

    /// Consumers in the order the next deliveries would try them (for display).
    pub fn order(&self) -> Vec<ConsumerId> {
        let mut v: Vec<ConsumerId> = self.bands.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        v.extend(self.blocked.iter().copied());
        v
    }
}

/// The result of [`ConsumerRing::pick`].
#[derive(Copy, Clone, Debug)]
pub struct Pick {
    pub chosen: Option<(ConsumerId, i32)>,
    pub skipped: u16,
    pub first_skipped: Option<ConsumerId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_with_a_blocked_consumer() {
        let mut r = ConsumerRing::default();
        for c in 0..3 {
            r.add(ConsumerId(c), 0);
        }
        let mut limit = [true, true, true];
        let pick = |r: &mut ConsumerRing, limit: &[bool; 3]| r.pick(|c| limit[c.idx()]).chosen.map(|(c, _)| c.0);
        assert_eq!(pick(&mut r, &limit), Some(0));
        assert_eq!(pick(&mut r, &limit), Some(1));
        limit[2] = false;
        // 2 is skipped and blocked; 0 is next.
        assert_eq!(pick(&mut r, &limit), Some(0));
        assert_eq!(r.blocked(), &[ConsumerId(2)]);
        assert_eq!(pick(&mut r, &limit), Some(1));
        limit[2] = true;
        assert!(r.unblock(|c| limit[c.idx()].then_some(0)));
        // 2 rejoins at the back: after 0 and 1.
        assert_eq!(r.order(), vec![ConsumerId(0), ConsumerId(1), ConsumerId(2)]);
    }

    #[test]
    fn a_consumer_that_leaves_at_its_limit_comes_back_behind_one_that_joined_meanwhile() {
        let mut r = ConsumerRing::default();
        r.add(ConsumerId(0), 0);
        assert_eq!(r.pick(|_| true).chosen.map(|(c, _)| c), Some(ConsumerId(0)));
        r.leave_at_limit(ConsumerId(0));
        assert_eq!(r.order(), vec![ConsumerId(0)], "only blocked now");
        r.add(ConsumerId(1), 0);
        assert!(r.unblock(|_| Some(0)));
        assert_eq!(r.order(), vec![ConsumerId(1), ConsumerId(0)], "the one that joined while 0 was out goes first");
        r.leave_at_limit(ConsumerId(1));
        r.leave_at_limit(ConsumerId(1));
        assert_eq!(r.blocked(), &[ConsumerId(1)], "once");
    }

    #[test]
    fn single_active_consumer_stays_then_the_highest_priority_takes_over() {
        let mut r = ConsumerRing::default();
        assert!(r.add(ConsumerId(0), 1), "the first one is active, whatever its priority");
        assert!(!r.add(ConsumerId(1), 5));
        assert!(!r.add(ConsumerId(2), 10));
        assert!(!r.add(ConsumerId(3), 10));
        assert_eq!(r.active(), Some(ConsumerId(0)));
        assert!(r.is_waiting(ConsumerId(2)));
        assert_eq!(r.remove(ConsumerId(1), true), None, "a waiting one leaving changes nothing");
        assert_eq!(r.remove(ConsumerId(0), true), Some(ConsumerId(2)), "highest priority, earliest among equals");
        assert_eq!(r.remove(ConsumerId(2), true), Some(ConsumerId(3)));
        assert_eq!(r.remove(ConsumerId(3), true), None);
        assert_eq!(r.active(), None);
        assert!(r.add(ConsumerId(4), 0), "with none active, the next subscriber is");
    }

    #[test]
    fn higher_priority_first() {
        let mut r = ConsumerRing::default();
        r.add(ConsumerId(0), 0);
        r.add(ConsumerId(1), 5);
        assert_eq!(r.pick(|_| true).chosen, Some((ConsumerId(1), 5)));
        assert_eq!(r.pick(|c| c.0 != 1).chosen, Some((ConsumerId(0), 0)));
    }

    #[test]
    fn a_band_whose_consumers_all_block_does_not_count_until_one_comes_back() {
        let mut r = ConsumerRing::default();
        r.add(ConsumerId(0), 0);
        r.add(ConsumerId(1), 5);
        assert!(r.several_bands());
        // 1 (the only one of band 5) is at its limit: blocked, its band empty.
        assert_eq!(r.pick(|c| c.0 != 1).chosen, Some((ConsumerId(0), 0)));
        assert_eq!(r.blocked(), &[ConsumerId(1)]);
        assert!(!r.several_bands(), "an empty band is not a band");
        assert_eq!(r.order(), vec![ConsumerId(0), ConsumerId(1)]);
        assert_eq!(r.pick(|c| c.0 != 1).chosen, Some((ConsumerId(0), 0)));
        // Back in its band, first again.
        assert!(r.unblock(|c| (c.0 == 1).then_some(5)));
        assert!(r.several_bands());
        assert_eq!(r.pick(|_| true).chosen, Some((ConsumerId(1), 5)));
        // Once its consumer is gone, the band goes too.
        r.remove(ConsumerId(1), true);
        assert!(!r.several_bands());
        assert_eq!(r.order(), vec![ConsumerId(0)]);
    }
}
