//! The consumer timeout (RabbitMQ 3.8.15 and later; 30 minutes by default in 3.10).
//!
//! Each channel checks on a periodic tick, every `channel_tick_interval` (a minute by
//! default), whether its oldest unacknowledged delivery — to a consumer or from `basic.get` —
//! was made more than `consumer_timeout` ago; if so it closes itself with 406
//! PRECONDITION_FAILED ("delivery acknowledgement on channel N timed out …"), and what it held
//! goes back to the queues as on any channel error (`rabbit_channel:evaluate_consumer_timeout/1`).
//!
//! The ticks count from the channel's opening, but a channel that sits idle with nothing
//! unacknowledged hibernates after a second and drops its tick timer; its next activity starts
//! the ticks again from that moment. warren does not schedule every tick: it schedules the one
//! tick at which the oldest delivery is found too old, and looks again then.

use super::error::AmqpError;
use super::{Broker, BrokerTimer, Cx};
use crate::ids::ChannelId;
use crate::record::Record;
use crate::sim::Time;

/// How long an idle channel waits before it hibernates (`?HIBERNATE_AFTER_MIN`, 1 s).
pub const HIBERNATE_AFTER: Time = Time::secs(1);

/// The first tick, counting from `origin` every `tick`, at which a delivery made at `at` is
/// older than `timeout` (RabbitMQ compares `DeliveredAt < Now - Timeout`).
pub fn first_tick_after(origin: Time, tick: Time, at: Time, timeout: Time) -> Time {
    let deadline = at.as_us().saturating_add(timeout.as_us());
    let tick = tick.as_us().max(1);
    let since = deadline.saturating_sub(origin.as_us());
    Time(origin.as_us().saturating_add((since / tick + 1).saturating_mul(tick)))
}

impl Broker {
    /// The channel did something (a method from its client, a delivery to it): a channel that
    /// had hibernated wakes up and starts its ticks again from now.
    pub(crate) fn channel_active(&mut self, now: Time, ch: ChannelId) {
        let c = &mut self.channels[ch.idx()];
        if c.unacked.is_empty() && now.as_us().saturating_sub(c.last_active.as_us()) >= HIBERNATE_AFTER.as_us() {
            c.tick_origin = now;
        }
        c.last_active = now;
    }

    /// Makes sure a check is scheduled for the channel's oldest unacknowledged delivery.
    #[inline]
    pub(crate) fn arm_consumer_timeout(&mut self, cx: &mut Cx<'_>, ch: ChannelId) {
        let Some(timeout) = self.cfg.consumer_timeout else { return };
        let tick = self.cfg.channel_tick_interval;
        let epoch = self.epoch;
        let c = &mut self.channels[ch.idx()];
        if !c.open || c.timeout_check != Time::NEVER {
            return; // a check is already due, no later than this one's
        }
        let Some(oldest) = c.unacked.front() else { return };
        let at = first_tick_after(c.tick_origin, tick, oldest.at, timeout);
        c.timeout_check = at;
        cx.fx.timers.push((at, BrokerTimer::ConsumerTimeout { ch, at, epoch }));
    }

    /// The tick that was to find the oldest delivery too old: close the channel if it is,
    /// otherwise look again at the next one that could.
    pub(crate) fn on_consumer_timeout(&mut self, cx: &mut Cx<'_>, ch: ChannelId, at: Time) {
        let now = cx.now;
        let Some(timeout) = self.cfg.consumer_timeout else { return };
        let c = &mut self.channels[ch.idx()];
        if !c.open || c.timeout_check != at {
            return;
        }
        c.timeout_check = Time::NEVER;
        let Some(oldest) = c.unacked.front().copied() else { return };
        if oldest.at.as_us().saturating_add(timeout.as_us()) < now.as_us() {
            let (client, number) = (c.owner, c.number);
            cx.fx.records.push(Record::ConsumerTimedOut {
                client,
                msg: oldest.qm.msg,
                q: oldest.queue,
                since_us: oldest.at.as_us(),
                timeout_us: timeout.as_us(),
            });
            let ms = timeout.as_us() / 1000;
            self.channel_error(cx, ch, AmqpError::delivery_ack_timeout(number, ms));
        } else {
            self.arm_consumer_timeout(cx, ch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_close_falls_on_the_first_tick_past_the_deadline() {
        let s = Time::secs;
        // Ticks at 1, 2, 3 …: a delivery at 0.1s with a 3s timeout is too old at the 4s tick.
        assert_eq!(first_tick_after(Time::ZERO, s(1), Time::ms(100), s(3)), s(4));
        // Exactly on a tick is not yet "older than": the next tick.
        assert_eq!(first_tick_after(Time::ZERO, s(1), s(1), s(3)), s(5));
        // 30 minutes, checked every minute from a channel opened at 10s.
        assert_eq!(first_tick_after(s(10), s(60), s(15), s(1800)), s(10 + 31 * 60));
    }
}
