//! Connections and channels: delivery tags, the unacked messages a channel holds, and
//! publisher confirms.
//!
//! Delivery tags are per channel, start at 1 and only grow; every consumer of the channel
//! and `basic.get` share the sequence. Publisher confirms number publishes from 1 after
//! `confirm.select`; each gets one `basic.ack` or `basic.nack`, coalesced into `multiple`
//! frames the way RabbitMQ does (`rabbit_channel.erl` `coalesce_and_send`).

use super::queue::QMsg;
use crate::ids::{ChannelId, ClientId, ConnId, ConsumerId, QueueId, Sym};
use crate::sim::Time;
use std::collections::{BTreeSet, VecDeque};

/// A message delivered on a channel and not yet settled.
#[derive(Copy, Clone, Debug)]
pub struct Unacked {
    pub tag: u64,
    pub queue: QueueId,
    /// The consumer it went to (`None`: `basic.get`).
    pub consumer: Option<ConsumerId>,
    pub qm: QMsg,
    /// When it was delivered (the consumer timeout counts from here).
    pub at: Time,
}

#[derive(Clone, Debug)]
pub struct Conn {
    pub id: ConnId,
    pub owner: ClientId,
    pub open: bool,
    /// Channel number → channel.
    pub channels: Vec<(u16, ChannelId)>,
    /// Channels the broker closed with an error whose `channel.close-ok` has not come: what
    /// they hold from quorum queues returns only then (or when the connection goes), with the
    /// error's code.
    pub closing: Vec<(u16, ChannelId, u16)>,
}

#[derive(Clone, Debug)]
pub struct Channel {
    pub id: ChannelId,
    pub conn: ConnId,
    pub number: u16,
    pub owner: ClientId,
    pub open: bool,
    pub next_tag: u64,
    /// Unsettled deliveries in tag order.
    pub unacked: VecDeque<Unacked>,
    /// The prefetch the next `basic.consume` on this channel gets (`basic.qos(global=false)`).
    pub prefetch: u32,
    /// The channel-wide limit (`basic.qos(global=true)`), shared by all its consumers; 0: none.
    pub global_prefetch: u32,
    /// What counts against `global_prefetch` (`rabbit_limiter`'s volume): the channel's unacked
    /// deliveries when the limit was set — `basic.get` ones included — plus the consumer
    /// deliveries since, less the consumer deliveries settled since. A `basic.get` delivery
    /// settled later never gives its place back: RabbitMQ does not tell the limiter.
    pub global_volume: u32,
    /// The consumer timeout's clock: the channel's last activity, the instant its periodic
    /// check counts from, and the check scheduled (`NEVER`: none).
    pub last_active: Time,
    pub tick_origin: Time,
    pub timeout_check: Time,
    pub consumers: Vec<ConsumerId>,
    /// The last queue declared on this channel (what `""` means in later methods).
    pub last_queue: Option<Sym>,
    pub confirm: bool,
    pub tx: bool,
    pub next_publish_seq: u32,
    pub unconfirmed: BTreeSet<u32>,
    /// Confirms decided while handling the current method, sent together at its end.
    pub batch_acks: Vec<u32>,
    pub batch_nacks: Vec<u32>,
    /// Direct reply-to: the consumer tag of this channel's `amq.rabbitmq.reply-to` consumer.
    pub reply_consumer: Option<(Sym, ConsumerId)>,
}

impl Channel {
    pub fn new(id: ChannelId, conn: ConnId, number: u16, owner: ClientId) -> Channel {
        Channel {
            id,
            conn,
            number,
            owner,
            open: true,
            next_tag: 1,
            unacked: VecDeque::new(),
            prefetch: 0,
            global_prefetch: 0,
            last_active: Time::ZERO,
            tick_origin: Time::ZERO,
            timeout_check: Time::NEVER,
            global_volume: 0,
            consumers: Vec::new(),
            last_queue: None,
            confirm: false,
            tx: false,
            next_publish_seq: 1,
            unconfirmed: BTreeSet::new(),
            batch_acks: Vec::new(),
            batch_nacks: Vec::new(),
            reply_consumer: None,
        }
    }

    /// Whether the channel-wide limit lets one more consumer delivery through.
    #[inline]
    pub fn global_allows(&self) -> bool {
        self.global_prefetch == 0 || self.global_volume < self.global_prefetch
    }

    /// `basic.qos`: `global=false` sets the prefetch of consumers created afterwards (existing
    /// ones keep theirs) and lifts any channel-wide limit; `global=true` sets the channel-wide
    /// limit at once, counting what the channel holds now (`rabbit_channel` `handle_method
    /// basic.qos`, `rabbit_limiter:limit_prefetch/3`, `unlimit_prefetch/1`).
    pub fn qos(&mut self, prefetch: u32, global: bool) {
        if global {
            self.global_prefetch = prefetch;
            self.global_volume = self.unacked.len() as u32;
        } else {
            self.prefetch = prefetch;
            self.global_prefetch = 0;
        }
    }

    /// Position of an unacked delivery by tag.
    pub fn find_tag(&self, tag: u64) -> Option<usize> {
        let i = self.unacked.partition_point(|u| u.tag < tag);
        (i < self.unacked.len() && self.unacked[i].tag == tag).then_some(i)
    }

    /// Moves the deliveries an ack/nack with (`tag`, `multiple`) settles into `out`, in tag
    /// order (rabbit_channel:collect_acks: tag 0 with multiple settles everything; otherwise
    /// the tag itself must be outstanding, and multiple also takes every lower one).
    /// False: the tag is unknown (a 406 channel error).
    pub fn take_settled_into(&mut self, tag: u64, multiple: bool, out: &mut Vec<Unacked>) -> bool {
        if multiple && tag == 0 {
            out.extend(self.unacked.drain(..));
            return true;
        }
        // The common case: the oldest delivery, acked alone (a consumer acking in order).
        if !multiple && self.unacked.front().is_some_and(|u| u.tag == tag) {
            out.push(self.unacked.pop_front().expect("checked"));
            return true;
        }
        let Some(i) = self.find_tag(tag) else { return false };
        if multiple {
            out.extend(self.unacked.drain(..=i));
        } else if let Some(u) = self.unacked.remove(i) {
            out.push(u);
        }
        true
    }

    /// Splits this method's confirms into frames as RabbitMQ does: one `multiple` frame for
    /// every seq below the cut-off (the smallest still unconfirmed, or any nacked one), then
    /// single frames. Returns (seq, multiple, ack) triples.
    pub fn coalesce(&mut self) -> Vec<(u32, bool, bool)> {
        let mut out = Vec::new();
        let mut acks = std::mem::take(&mut self.batch_acks);
        let mut nacks = std::mem::take(&mut self.batch_nacks);
        acks.sort_unstable();
        acks.dedup();
        nacks.sort_unstable();
        nacks.dedup();
        // Acks first (send_confirms), then nacks (send_nacks), as rabbit_channel does.
        if acks.len() == 1 {
            out.push((acks[0], false, true));
        } else if !acks.is_empty() {
            self.coalesce_into(&acks, &nacks, true, &mut out);
        }
        if !nacks.is_empty() {
            self.coalesce_into(&nacks, &acks, false, &mut out);
        }
        out
    }

    fn coalesce_into(&self, seqs: &[u32], negative: &[u32], ack: bool, out: &mut Vec<(u32, bool, bool)>) {
        let unconfirmed_cutoff = match self.unconfirmed.iter().next() {
            None => seqs.last().copied().unwrap_or(0) + 1,
            Some(&s) => s,
        };
        let cutoff = negative.iter().copied().chain(std::iter::once(unconfirmed_cutoff)).min().unwrap_or(unconfirmed_cutoff);
        let split = seqs.partition_point(|s| *s < cutoff);
        if split > 0 {
            out.push((seqs[split - 1], true, ack));
        }
        for s in &seqs[split..] {
            out.push((*s, false, ack));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MsgId;

    fn ch() -> Channel {
        Channel::new(ChannelId(0), ConnId(0), 1, ClientId(0))
    }

    fn un(tag: u64) -> Unacked {
        Unacked { tag, queue: QueueId(0), consumer: None, qm: QMsg::new(tag, MsgId(tag as u32), Time::NEVER, u32::MAX), at: Time::ZERO }
    }

    #[test]
    fn settle_single_multiple_and_all() {
        let mut c = ch();
        c.next_tag = 6;
        for t in 1..=5 {
            c.unacked.push_back(un(t));
        }
        let take = |c: &mut Channel, tag, multiple| {
            let mut out = Vec::new();
            c.take_settled_into(tag, multiple, &mut out).then_some(out)
        };
        assert_eq!(take(&mut c, 2, false).unwrap().len(), 1);
        assert!(take(&mut c, 2, false).is_none(), "double ack is an unknown tag");
        let m: Vec<u64> = take(&mut c, 4, true).unwrap().iter().map(|u| u.tag).collect();
        assert_eq!(m, vec![1, 3, 4]);
        assert_eq!(take(&mut c, 0, true).unwrap().len(), 1);
        assert!(take(&mut c, 9, false).is_none());
    }

    #[test]
    fn qos_global_false_lifts_the_channel_limit_and_global_counts_what_is_held() {
        let mut c = ch();
        c.unacked.push_back(un(1));
        c.qos(2, true);
        assert_eq!((c.global_prefetch, c.global_volume), (2, 1));
        assert!(c.global_allows());
        c.global_volume = 2;
        assert!(!c.global_allows());
        c.qos(5, false);
        assert_eq!((c.prefetch, c.global_prefetch), (5, 0));
        assert!(c.global_allows(), "basic.qos(global=false) lifts the channel-wide limit");
    }

    #[test]
    fn single_ack_is_not_multiple_but_a_single_nack_is() {
        let mut c = ch();
        c.batch_acks.push(3);
        assert_eq!(c.coalesce(), vec![(3, false, true)]);
        c.batch_nacks.push(7);
        assert_eq!(c.coalesce(), vec![(7, true, false)]);
        // Several acks at once, with 4 still unconfirmed: 1..3 coalesce, 5 stands alone.
        c.unconfirmed.insert(4);
        c.batch_acks.extend([1, 2, 3, 5]);
        assert_eq!(c.coalesce(), vec![(3, true, true), (5, false, true)]);
    }
}
