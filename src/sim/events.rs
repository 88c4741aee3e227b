//! The event heap: entries ordered by `(time, seq)`, where `seq` counts every scheduling,
//! so events due at the same instant run in the order they were scheduled (FIFO ties).
//!
//! Entries are small and `Copy`: the payload is the caller's own compact enum. Anything
//! large (a message body, a backlog) lives elsewhere and the payload refers to it by index.

use super::Time;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One scheduled event.
#[derive(Copy, Clone, Debug)]
struct Entry<E> {
    time: Time,
    seq: u64,
    payload: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest `(time, seq)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A priority queue of events with integer time and FIFO ties.
#[derive(Clone, Debug)]
pub struct EventQueue<E: Copy> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: Time,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue { heap: BinaryHeap::new(), next_seq: 0, now: Time::ZERO }
    }

    /// The time of the last event popped: the simulation clock.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Schedules `payload` at `at`. An instant in the past is moved to now: time never goes back.
    pub fn schedule(&mut self, at: Time, payload: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let time = if at < self.now { self.now } else { at };
        self.heap.push(Entry { time, seq, payload });
        seq
    }

    /// Schedules `payload` after `delay` from now.
    pub fn schedule_in(&mut self, delay: Time, payload: E) -> u64 {
        self.schedule(self.now.saturating_add(delay), payload)
    }

    /// Removes and returns the earliest event, advancing the clock to its time.
    pub fn pop(&mut self) -> Option<(Time, u64, E)> {
        let e = self.heap.pop()?;
        self.now = e.time;
        Some((e.time, e.seq, e.payload))
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| e.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// How many events were ever scheduled.
    pub fn scheduled(&self) -> u64 {
        self.next_seq
    }

    /// Advances the clock without an event (used by "run until" when the heap is empty earlier).
    pub fn advance_to(&mut self, t: Time) {
        if t > self.now {
            self.now = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_by_scheduling_order() {
        let mut q = EventQueue::new();
        q.schedule(Time(10), 'a');
        q.schedule(Time(5), 'b');
        q.schedule(Time(10), 'c');
        q.schedule(Time(5), 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, _, e)| e)).collect();
        assert_eq!(order, vec!['b', 'd', 'a', 'c']);
        assert_eq!(q.now(), Time(10));
    }

    #[test]
    fn the_past_is_clamped_to_now() {
        let mut q = EventQueue::new();
        q.schedule(Time(10), 1);
        q.pop();
        q.schedule(Time(3), 2);
        assert_eq!(q.pop().map(|(t, _, e)| (t, e)), Some((Time(10), 2)));
    }
}
