//! `basic.publish`: routing through the exchanges, unroutable messages (dropped, or
//! returned with 312 NO_ROUTE when mandatory), direct reply-to, and publisher confirms.
//!
//! A routed publish is confirmed once every queue it reached has accepted it: at once for a
//! transient message or a non-durable queue, at the next disk sync for a persistent message
//! in a durable queue; it is nacked if a queue refused it (`reject-publish`). An unroutable
//! message is confirmed at once, after its `basic.return`.

use super::dispatch::Offer;
use super::error::{AmqpError, ReplyCode};
use super::exchange::{Dest, Matcher};
use super::ops::Frame;
use super::topic::words;
use super::{Broker, Cx};
use crate::ids::{ChannelId, ExchangeId, MsgId, PropsId, QueueId};
use crate::record::{DeliverWhy, Record, Via};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Where one publish goes: the queues (each once, with the binding that took it there) and
/// the alternate exchanges used on the way.
#[derive(Clone, Debug, Default)]
pub struct Route {
    pub queues: Vec<(QueueId, Via)>,
    pub alternates: Vec<(ExchangeId, ExchangeId)>,
}

/// Routing results by (exchange, message properties): messages of one publish entry share
/// properties, so a million of them route once. Cleared whenever the topology changes.
#[derive(Clone, Debug, Default)]
pub struct RouteCache {
    map: HashMap<(ExchangeId, PropsId), Arc<Route>>,
}

impl RouteCache {
    pub fn clear(&mut self) {
        if !self.map.is_empty() {
            self.map.clear();
        }
    }
}

const ROUTE_CACHE_LIMIT: usize = 4096;

impl Broker {
    pub(crate) fn basic_publish(&mut self, cx: &mut Cx<'_>, ch: ChannelId, msg: MsgId) -> Result<(), AmqpError> {
        let (owner, confirm) = {
            let c = &self.channels[ch.idx()];
            (c.owner, c.confirm)
        };
        let props = cx.msgs.props_of(msg);
        let (exchange, key, mandatory, reply_to) = (props.exchange, props.routing_key, props.mandatory, props.reply_to);
        let ex = self.exchange_by_name(exchange).ok_or_else(|| AmqpError::no_exchange(cx.names.get(exchange)))?;
        // Clients cannot publish to an internal exchange; exchange-to-exchange bindings,
        // alternate and dead-letter exchanges still route through it.
        if self.exchange(ex).is_some_and(|x| x.internal) {
            return Err(AmqpError::internal_exchange(cx.names.get(exchange)));
        }
        if reply_to == Some(self.sym.reply_to) {
            self.rewrite_direct_reply_to(cx, ch, msg)?;
        }
        let seq = if confirm { self.next_confirm_seq(ch) } else { 0 };
        cx.fx.records.push(Record::Published { msg, client: owner, confirm_seq: seq });

        // A reply to a direct reply-to requester goes straight to its channel. It is routed
        // to no queue all the same (`rabbit_exchange:route/2` hands it to the channel beside
        // the queues it returns): a mandatory reply is returned (312) even when delivered.
        if ex == ExchangeId(0) {
            if let Some(&target) = self.reply_tokens.get(&key) {
                let delivered = self.deliver_direct_reply(cx, target, msg);
                if !delivered || mandatory {
                    self.unroutable(cx, ch, ex, msg, mandatory);
                }
                if confirm {
                    self.confirm_now(ch, seq, true);
                }
                return Ok(());
            }
        }

        let mut refused = false;
        let mut on_disk_later = false;
        let mut offer = |b: &mut Broker, q: QueueId, via: Via, cx: &mut Cx<'_>| {
            cx.fx.records.push(Record::Routed { msg, q, via });
            match b.deliver_or_enqueue(cx, q, msg, Some(ch)) {
                Offer::Refused => refused = true,
                Offer::Accepted { on_disk_later: d } => on_disk_later |= d,
            }
        };
        if ex == ExchangeId(0) {
            // The default exchange: the queue named by the key, no bindings, no allocation.
            match self.queue_by_name(key) {
                Some(q) => offer(self, q, Via::DefaultExchange, cx),
                None => {
                    self.unroutable(cx, ch, ex, msg, mandatory);
                    if confirm {
                        self.confirm_now(ch, seq, true);
                    }
                    return Ok(());
                }
            }
        } else {
            let route = self.route(cx, ex, msg);
            if route.queues.is_empty() {
                self.unroutable(cx, ch, ex, msg, mandatory);
                if confirm {
                    self.confirm_now(ch, seq, true);
                }
                return Ok(());
            }
            for &(q, via) in route.queues.iter() {
                offer(self, q, via, cx);
            }
        }
        if confirm {
            self.confirm_routed(ch, seq, refused, on_disk_later);
        }
        Ok(())
    }

    /// The publisher-confirm sequence number of a channel's next publish (counted unconfirmed).
    fn next_confirm_seq(&mut self, ch: ChannelId) -> u32 {
        let c = &mut self.channels[ch.idx()];
        let s = c.next_publish_seq;
        c.next_publish_seq += 1;
        c.unconfirmed.insert(s);
        s
    }

    /// The confirm of a routed publish: a nack if a queue refused it, after the disk write if
    /// one must reach disk first, otherwise an ack now.
    fn confirm_routed(&mut self, ch: ChannelId, seq: u32, refused: bool, on_disk_later: bool) {
        if refused {
            self.confirm_now(ch, seq, false);
        } else if on_disk_later {
            let gen = self.disk.gen;
            self.disk.waiters.push_back((gen, ch, seq));
        } else {
            self.confirm_now(ch, seq, true);
        }
    }

    fn unroutable(&mut self, cx: &mut Cx<'_>, ch: ChannelId, ex: ExchangeId, msg: MsgId, mandatory: bool) {
        cx.fx.records.push(Record::Unroutable { msg, ex, returned: mandatory });
        if mandatory {
            let c = &self.channels[ch.idx()];
            cx.fx.frames.push((c.conn, Frame::Return { ch: c.number, msg, code: ReplyCode::NoRoute.code() }));
        }
    }

    /// Queues a confirm (ack or nack) to be sent when this method's handling ends.
    pub(crate) fn confirm_now(&mut self, ch: ChannelId, seq: u32, ack: bool) {
        let c = &mut self.channels[ch.idx()];
        if c.unconfirmed.remove(&seq) {
            self.confirm_dirty.push(ch);
            if ack {
                c.batch_acks.push(seq);
            } else {
                c.batch_nacks.push(seq);
            }
        }
    }

    /// `reply_to: amq.rabbitmq.reply-to` becomes a token naming this channel, if the channel
    /// consumes its replies; otherwise 406.
    fn rewrite_direct_reply_to(&mut self, cx: &mut Cx<'_>, ch: ChannelId, msg: MsgId) -> Result<(), AmqpError> {
        if self.channels[ch.idx()].reply_consumer.is_none() {
            return Err(AmqpError::fast_reply_consumer_missing());
        }
        let token = match self.reply_token_of.get(&ch) {
            Some(t) => *t,
            None => {
                use rand::RngExt;
                const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
                let mut s = String::from("amq.rabbitmq.reply-to.g1h2AA");
                for _ in 0..24 {
                    s.push(ALPHABET[self.rng.random_range(0..62usize)] as char);
                }
                let t = cx.names.intern(&s);
                self.reply_tokens.insert(t, ch);
                self.reply_token_of.insert(ch, t);
                t
            }
        };
        let m = *cx.msgs.get(msg);
        let mut p = cx.msgs.props(m.props).clone();
        p.reply_to = Some(token);
        let pid = cx.msgs.add_props(p);
        cx.msgs.set_props(msg, pid);
        Ok(())
    }

    /// Delivers a direct reply to the requesting channel's reply consumer, if it is still there.
    fn deliver_direct_reply(&mut self, cx: &mut Cx<'_>, target: ChannelId, msg: MsgId) -> bool {
        let chan = &self.channels[target.idx()];
        let Some((_, consumer)) = chan.reply_consumer.filter(|_| chan.open) else {
            return false;
        };
        // RabbitMQ 3.10 sends direct replies outside the channel's tag sequence (tag 1).
        cx.fx.frames.push((chan.conn, Frame::Deliver { ch: chan.number, consumer, tag: 1, redelivered: false, msg }));
        cx.fx.records.push(Record::Delivered {
            msg,
            q: crate::ids::NO_QUEUE,
            consumer,
            client: chan.owner,
            tag: 1,
            redelivered: false,
            no_ack: true,
            why: DeliverWhy::DirectReply,
            delivery_count: super::dispatch::NO_DELIVERY_COUNT,
        });
        true
    }

    /// Routes a message through exchange `ex` (and any exchanges bound to it). Records the
    /// alternate exchanges used.
    pub(crate) fn route(&mut self, cx: &mut Cx<'_>, ex: ExchangeId, msg: MsgId) -> Arc<Route> {
        let pid = cx.msgs.get(msg).props;
        let route = match self.route_cache.map.get(&(ex, pid)) {
            Some(r) => r.clone(),
            None => {
                let r = Arc::new(self.compute_route(cx, ex, pid));
                if self.route_cache.map.len() >= ROUTE_CACHE_LIMIT {
                    self.route_cache.map.clear();
                }
                self.route_cache.map.insert((ex, pid), r.clone());
                r
            }
        };
        for &(from, to) in &route.alternates {
            cx.fx.records.push(Record::Alternate { msg, from, to });
        }
        route
    }

    /// Where a message would go from `ex`, without recording anything.
    pub(crate) fn route_quiet(&self, cx: &Cx<'_>, ex: ExchangeId, msg: MsgId) -> Route {
        self.compute_route(cx, ex, cx.msgs.get(msg).props)
    }

    fn compute_route(&self, cx: &Cx<'_>, ex: ExchangeId, pid: PropsId) -> Route {
        let props = cx.msgs.props(pid);
        let key_text = cx.names.get(props.routing_key);
        let mut key_words: Option<Vec<&str>> = None;
        // A dead-lettered copy is matched with the headers dead-lettering added (x-death,
        // x-first-death-*): `all-with-x` / `any-with-x` bindings see them.
        let with_death = props.death.as_ref().and_then(|_| super::message::message_headers(props, &self.sym.death, cx.names));
        let headers = if props.death.is_some() { with_death.as_deref() } else { props.headers.as_deref() };
        let mut out = Route::default();
        let mut visited = vec![ex];
        let mut work = std::collections::VecDeque::from([ex]);
        while let Some(x) = work.pop_front() {
            let Some(exch) = self.exchange(x) else {
                continue;
            };
            if x == ExchangeId(0) {
                // The default exchange reached through an exchange binding: by queue name.
                if let Some(q) = self.queue_by_name(props.routing_key) {
                    if !out.queues.iter().any(|(have, _)| *have == q) {
                        out.queues.push((q, Via::DefaultExchange));
                    }
                }
                continue;
            }
            let mut matched = false;
            for &b in &exch.bindings {
                let binding = &self.bindings[b.idx()];
                let hit = match &binding.matcher {
                    Matcher::All => true,
                    Matcher::Exact => binding.key == props.routing_key,
                    Matcher::Topic(p) => p.matches_words(key_words.get_or_insert_with(|| words(key_text))),
                    Matcher::Headers(h) => h.matches(headers, cx.names),
                };
                if !hit {
                    continue;
                }
                matched = true;
                match binding.dest {
                    Dest::Queue(q) => {
                        if !out.queues.iter().any(|(have, _)| *have == q) {
                            out.queues.push((q, Via::Binding(b)));
                        }
                    }
                    Dest::Exchange(e) => {
                        if !visited.contains(&e) {
                            visited.push(e);
                            work.push_back(e);
                        }
                    }
                }
            }
            if !matched {
                if let Some(ae) = exch.alternate.and_then(|name| self.exchange_by_name(name)) {
                    if !visited.contains(&ae) {
                        visited.push(ae);
                        work.push_back(ae);
                        out.alternates.push((x, ae));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::broker::message::HValue;
    use crate::broker::testkit::Driver;
    use crate::broker::BrokerConfig;
    use crate::record::Record;
    use crate::sim::Time;

    /// Exchange `x` of `kind` and one queue per (name, binding key).
    fn rig(kind: &str, bindings: &[(&str, &str)]) -> Driver {
        let mut d = Driver::new(BrokerConfig::default());
        d.exchange("x", kind);
        for (q, key) in bindings {
            d.queue(q, false, Default::default());
            let args = (kind == "headers").then(|| vec![(d.sym("a"), HValue::Int(1))].into());
            d.bind(q, "x", key, args);
        }
        d
    }

    /// Publishes to `x` with `key` (and header a=1 when `header`); returns the queues reached.
    fn publish(d: &mut Driver, key: &str, header: bool) -> Vec<String> {
        let mut p = d.props("x", key);
        if header {
            p.headers = Some(vec![(d.sym("a"), HValue::Int(1))].into());
        }
        d.clear();
        d.publish(Time::ZERO, p, "m");
        let b = &d.broker;
        d.fx.records
            .iter()
            .filter_map(|r| match r {
                Record::Routed { q, .. } => Some(d.text(b.queue_name(*q)).to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn direct_routes_by_exact_key_once_per_queue() {
        let mut d = rig("direct", &[("q1", "k"), ("q2", "k"), ("q2", "j"), ("q3", "K")]);
        assert_eq!(publish(&mut d, "k", false), vec!["q1", "q2"]);
        assert_eq!(publish(&mut d, "j", false), vec!["q2"]);
        assert!(publish(&mut d, "k ", false).is_empty());
    }

    #[test]
    fn fanout_ignores_the_key() {
        let mut d = rig("fanout", &[("q1", ""), ("q2", "anything")]);
        assert_eq!(publish(&mut d, "whatever", false), vec!["q1", "q2"]);
    }

    #[test]
    fn topic_matches_words_once_per_queue() {
        let mut d = rig("topic", &[("q1", "*.orange.*"), ("q2", "*.*.rabbit"), ("q2", "lazy.#")]);
        assert_eq!(publish(&mut d, "lazy.pink.rabbit", false), vec!["q2"]);
        assert_eq!(publish(&mut d, "quick.orange.rabbit", false), vec!["q1", "q2"]);
        assert!(publish(&mut d, "quick.orange.male.rabbit", false).is_empty());
    }

    #[test]
    fn headers_match_on_headers_not_the_key() {
        let mut d = rig("headers", &[("q1", "ignored")]);
        assert_eq!(publish(&mut d, "ignored", true), vec!["q1"]);
        assert!(publish(&mut d, "ignored", false).is_empty());
    }
}
