//! A client's link to the broker: latency (the broker's, the client's own, and any `delay`
//! fault in force), FIFO delivery in each direction as TCP gives, and whether it is cut.

use crate::sim::Time;

#[derive(Clone, Debug, Default)]
pub struct Link {
    /// Extra latency from a `delay` fault.
    pub extra: Time,
    pub partitioned: bool,
    /// Bumped when traffic towards the broker is lost (partition, broker down); anything in
    /// flight with an older value is dropped on arrival.
    pub gen_up: u32,
    /// Bumped when traffic towards the client is lost (it crashed, partition, broker down).
    pub gen_down: u32,
    last_up: Time,
    last_down: Time,
}

impl Link {
    /// When something sent now towards the broker arrives: never before what was sent
    /// earlier on the same link.
    pub fn up_arrival(&mut self, now: Time, latency: Time) -> Time {
        let t = now.saturating_add(latency).max(self.last_up);
        self.last_up = t;
        t
    }

    /// When something the broker sends now arrives at the client.
    pub fn down_arrival(&mut self, now: Time, latency: Time) -> Time {
        let t = now.saturating_add(latency).max(self.last_down);
        self.last_down = t;
        t
    }
}

impl Link {
    /// Everything in flight both ways is lost.
    pub fn cut(&mut self) {
        self.gen_up += 1;
        self.gen_down += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shorter_delay_never_overtakes() {
        let mut l = Link::default();
        assert_eq!(l.up_arrival(Time(0), Time(300)), Time(300));
        // The delay ended: a later send with less latency still arrives after the first.
        assert_eq!(l.up_arrival(Time(10), Time(0)), Time(300));
        assert_eq!(l.up_arrival(Time(400), Time(0)), Time(400));
    }
}
