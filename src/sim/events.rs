//! The event heap: entries ordered by `(time, seq)`, where `seq` counts every scheduling,
//! so events due at the same instant run in the order they were scheduled (FIFO ties).
//!
//! Entries are small and `Copy`: the payload is the caller's own compact enum. Anything
//! large (a message body, a backlog) lives elsewhere and the payload refers to it by index.
//!
//! Events scheduled for the current instant (zero latency, the common case) skip the heap:
//! they wait in a FIFO that is served after the heap's own entries for this instant. Those
//! heap entries were necessarily scheduled earlier, so the order is exactly `(time, seq)`.

use super::Time;
use std::collections::VecDeque;

/// One scheduled event.
#[derive(Copy, Clone, Debug)]
struct Entry<E> {
    time: Time,
    seq: u64,
    payload: E,
}

impl<E> Entry<E> {
    /// `(time, seq)` as one number, so that an order test is a single wide compare.
    #[inline(always)]
    fn key(&self) -> u128 {
        (self.time.0 as u128) << 64 | self.seq as u128
    }

    /// Whether `self` runs before `other`: earlier `(time, seq)`.
    #[inline(always)]
    fn before(&self, other: &Self) -> bool {
        self.key() < other.key()
    }
}

/// A priority queue of events with integer time and FIFO ties.
///
/// The heap is a plain binary min-heap on `(time, seq)` in a `Vec` (`seq` is unique, so the
/// order is total and any correct heap pops the same sequence); written out rather than
/// `std::collections::BinaryHeap` so that an entry is moved once per level with a single
/// comparison of its key, on the few entries (a timer per actor) the heap usually holds.
#[derive(Clone, Debug)]
pub struct EventQueue<E: Copy> {
    heap: Vec<Entry<E>>,
    /// Events scheduled for `now` while at `now`, in scheduling order.
    immediate: VecDeque<(u64, E)>,
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
        EventQueue { heap: Vec::new(), immediate: VecDeque::new(), next_seq: 0, now: Time::ZERO }
    }

    /// The time of the last event popped: the simulation clock.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Schedules `payload` at `at`. An instant in the past is moved to now: time never goes back.
    #[inline(always)]
    pub fn schedule(&mut self, at: Time, payload: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if at <= self.now {
            self.immediate.push_back((seq, payload));
        } else {
            self.push_heap(Entry { time: at, seq, payload });
        }
        seq
    }

    /// Whether nothing is due at or before now: an event scheduled now would be the next
    /// one popped (the caller may then run it at once, with [`EventQueue::reserve_seq`]).
    #[inline(always)]
    pub fn nothing_due_now(&self) -> bool {
        self.immediate.is_empty() && self.heap.first().is_none_or(|e| e.time > self.now)
    }

    /// Takes the next sequence number, as [`EventQueue::schedule`] would, for an event the
    /// caller keeps aside; [`EventQueue::push_now`] queues it later in that place.
    #[inline(always)]
    pub fn reserve_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Queues for now an event whose sequence number was reserved while nothing was due, and
    /// nothing has been scheduled for now since: it runs next, as if scheduled then.
    pub fn push_now(&mut self, seq: u64, payload: E) {
        debug_assert!(self.immediate.back().is_none_or(|&(s, _)| s < seq), "pushed out of order");
        self.immediate.push_back((seq, payload));
    }

    /// Removes and returns the earliest event, advancing the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, u64, E)> {
        // Heap entries due now were scheduled before anything in `immediate`.
        if let Some(top) = self.heap.first() {
            if top.time <= self.now || self.immediate.is_empty() {
                let e = self.pop_heap();
                self.now = e.time;
                return Some((e.time, e.seq, e.payload));
            }
        }
        let (seq, payload) = self.immediate.pop_front()?;
        Some((self.now, seq, payload))
    }

    /// Sifts a new entry up from the end.
    #[inline]
    fn push_heap(&mut self, e: Entry<E>) {
        let mut i = self.heap.len();
        self.heap.push(e);
        while i > 0 {
            let parent = (i - 1) / 2;
            if !e.before(&self.heap[parent]) {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = e;
    }

    /// Takes the root (the heap is not empty) and sifts the last entry down into its place.
    #[inline]
    fn pop_heap(&mut self) -> Entry<E> {
        let last = self.heap.pop().expect("not empty");
        let Some(&top) = self.heap.first() else {
            return last;
        };
        let n = self.heap.len();
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right].before(&self.heap[left]) { right } else { left };
            if !self.heap[child].before(&last) {
                break;
            }
            self.heap[i] = self.heap[child];
            i = child;
        }
        self.heap[i] = last;
        top
    }

    /// The time of the next event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<Time> {
        if !self.immediate.is_empty() {
            return Some(self.now);
        }
        self.heap.first().map(|e| e.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.immediate.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.immediate.is_empty()
    }

    /// Advances the clock without an event (used by "run until" when the heap is empty earlier).
    /// Only moves forward, and never past an event still waiting.
    pub fn advance_to(&mut self, t: Time) {
        if t > self.now && self.immediate.is_empty() && self.heap.first().is_none_or(|e| e.time >= t) {
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

    #[test]
    fn events_for_now_run_after_earlier_scheduled_ones_at_now() {
        let mut q = EventQueue::new();
        q.schedule(Time(5), 'a');
        q.schedule(Time(5), 'b');
        assert_eq!(q.pop().unwrap().2, 'a');
        // While at 5: scheduled "now", so after 'b', which was scheduled earlier.
        q.schedule(Time(5), 'c');
        q.schedule(Time(7), 'e');
        q.schedule(Time(5), 'd');
        let order: Vec<(u64, char)> = std::iter::from_fn(|| q.pop().map(|(t, _, e)| (t.0, e))).collect();
        assert_eq!(order, vec![(5, 'b'), (5, 'c'), (5, 'd'), (7, 'e')]);
    }

    #[test]
    fn matches_a_plain_sorted_order() {
        // A pseudo-random schedule, popping while scheduling more: the order must be exactly
        // (time, seq) as if everything were sorted.
        let mut q = EventQueue::new();
        let mut x: u64 = 12345;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut popped: Vec<(u64, u64)> = Vec::new();
        for i in 0..2000u64 {
            let delay = if rnd() % 3 == 0 { 0 } else { rnd() % 50 };
            q.schedule(Time(q.now().0 + delay), i);
            if rnd() % 2 == 0 {
                if let Some((t, s, _)) = q.pop() {
                    popped.push((t.0, s));
                }
            }
        }
        while let Some((t, s, _)) = q.pop() {
            popped.push((t.0, s));
        }
        let mut sorted = popped.clone();
        sorted.sort();
        assert_eq!(popped.len(), 2000);
        assert!(popped.windows(2).all(|w| w[0] <= w[1]), "not in (time, seq) order");
        assert_eq!(popped, sorted);
    }
}
