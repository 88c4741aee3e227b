//! What is on the wire: methods on their way to the broker and frames on their way to a
//! client, parked while the event of their arrival waits on the heap.
//!
//! A link is FIFO in each direction (like TCP: [`super::link::Link`] never lets a later send
//! arrive first), and the heap runs events of equal time in scheduling order, so the arrival
//! events of one client's link come off the heap in the order their payloads were sent: each
//! client has a lane, a FIFO, and an arrival event takes the front of its lane. No slots, no
//! free list.

use crate::ids::ClientId;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct InFlight<T> {
    lanes: Vec<VecDeque<T>>,
    /// How many payloads each lane has delivered so far: the lane's front is payload number
    /// `taken[c]` of that lane (the TUI's snapshots cut lanes at fixed numbers, so that a
    /// draining lane keeps its parts).
    taken: Vec<u64>,
    live: usize,
    peak: usize,
}

impl<T> InFlight<T> {
    /// One lane per client.
    pub fn new(clients: usize) -> Self {
        InFlight { lanes: (0..clients).map(|_| VecDeque::new()).collect(), taken: vec![0; clients], live: 0, peak: 0 }
    }

    /// Sends `v` on `c`'s lane (its arrival event is scheduled by the caller).
    #[inline(always)]
    pub fn push(&mut self, c: ClientId, v: T) {
        self.lanes[c.idx()].push_back(v);
        self.live += 1;
        self.peak = self.peak.max(self.live);
    }

    /// What arrives next on `c`'s lane. Panics on an empty lane: an arrival event without its
    /// payload would be an engine bug.
    #[inline(always)]
    pub fn pop(&mut self, c: ClientId) -> T {
        let v = self.lanes[c.idx()].pop_front().expect("an arrival without a payload");
        self.taken[c.idx()] += 1;
        self.live -= 1;
        v
    }

    /// What arrives next on `c`'s lane, where it waits (then [`InFlight::discard_front`]).
    /// Panics on an empty lane, as [`InFlight::pop`] does.
    #[inline(always)]
    pub fn front(&self, c: ClientId) -> &T {
        self.lanes[c.idx()].front().expect("an arrival without a payload")
    }

    /// Drops the front of `c`'s lane: it has arrived.
    #[inline(always)]
    pub fn discard_front(&mut self, c: ClientId) {
        drop(self.pop(c));
    }

    /// Counts one payload as sent without queueing it in its lane: it is kept aside to
    /// arrive at once (the world's express arrival). Then either [`InFlight::arrived_aside`]
    /// or [`InFlight::push_counted`].
    #[inline(always)]
    pub fn count_aside(&mut self) {
        self.live += 1;
        self.peak = self.peak.max(self.live);
    }

    /// What was counted aside has arrived.
    #[inline(always)]
    pub fn arrived_aside(&mut self, c: ClientId) {
        self.taken[c.idx()] += 1;
        self.live -= 1;
    }

    /// What was counted aside joins its lane after all.
    pub fn push_counted(&mut self, c: ClientId, v: T) {
        self.lanes[c.idx()].push_back(v);
    }

    /// The lanes and how many each has delivered, for the TUI's snapshots (they store the
    /// lanes apart, shared).
    pub(super) fn lanes_mut(&mut self) -> (&mut Vec<VecDeque<T>>, &[u64]) {
        (&mut self.lanes, &self.taken)
    }

    /// Payloads in flight now.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The most ever in flight at once (what the memory estimate counts: the room held).
    pub fn peak(&self) -> usize {
        self.peak
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_are_fifo_and_independent() {
        let mut w = InFlight::new(2);
        w.push(ClientId(0), 'a');
        w.push(ClientId(1), 'x');
        w.push(ClientId(0), 'b');
        assert_eq!((w.len(), w.peak()), (3, 3));
        assert_eq!(w.pop(ClientId(0)), 'a');
        assert_eq!(w.pop(ClientId(1)), 'x');
        w.push(ClientId(1), 'y');
        assert_eq!(w.pop(ClientId(0)), 'b');
        assert_eq!(w.pop(ClientId(1)), 'y');
        assert!(w.is_empty());
        assert_eq!(w.peak(), 3);
    }
}
