//! The event heap: entries ordered by `(time, seq)`, where `seq` counts every scheduling,
//! so events due at the same instant run in the order they were scheduled (FIFO ties).
//!
//! Entries are small and `Copy`: the payload is the caller's own compact enum. Anything
//! large (a message body, a backlog) lives elsewhere and the payload refers to it by index.
//!
//! Events scheduled for the current instant (zero latency, the common case) skip the heap:
//! they wait in a FIFO that is served after the heap's own entries for this instant. Those
//! heap entries were necessarily scheduled earlier, so the order is exactly `(time, seq)`.
//!
//! Events far ahead (a consumer timeout half an hour away, among timers microseconds apart)
//! wait in a second heap, so that the first stays shallow: every entry of the near heap is
//! before a horizon and every far one at or after it, so the near heap's top is the earliest
//! of all. When the near heap is empty and the earliest far entry is the next event, the
//! horizon moves to [`SPAN`] past it and the far entries before it move over.

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

/// How far past the earliest far entry the horizon moves when the near heap runs out (µs).
pub const SPAN: u64 = 1 << 20;

/// A priority queue of events with integer time and FIFO ties.
///
/// Each heap is a plain binary min-heap on `(time, seq)` in a `Vec` (`seq` is unique, so the
/// order is total and any correct heap pops the same sequence); written out rather than
/// `std::collections::BinaryHeap` so that an entry is moved once per level with a single
/// comparison of its key, on the few entries (a timer per actor) the near heap usually
/// holds. The far heap keeps it at that: on the paced benchmark four consumer timeouts half
/// an hour ahead made it nine entries deep instead of five, at every pop and push.
#[derive(Clone, Debug)]
pub struct EventQueue<E: Copy> {
    /// Entries before `horizon`.
    heap: Vec<Entry<E>>,
    /// Entries at or after `horizon`.
    far: Vec<Entry<E>>,
    horizon: Time,
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
        EventQueue { heap: Vec::new(), far: Vec::new(), horizon: Time(SPAN), immediate: VecDeque::new(), next_seq: 0, now: Time::ZERO }
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
        } else if at < self.horizon {
            push_heap(&mut self.heap, Entry { time: at, seq, payload });
        } else {
            self.push_far(Entry { time: at, seq, payload });
        }
        seq
    }

    #[inline(never)]
    fn push_far(&mut self, e: Entry<E>) {
        push_heap(&mut self.far, e);
    }

    /// The earliest entry of both heaps.
    #[inline(always)]
    fn top(&self) -> Option<&Entry<E>> {
        match self.heap.first() {
            Some(e) => Some(e),
            None => self.far.first(),
        }
    }

    /// The near heap is empty and the earliest far entry is next: the horizon moves past it,
    /// and the far entries before it move over.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        let Some(first) = self.far.first() else { return };
        self.horizon = Time(first.time.0.saturating_add(SPAN));
        while self.far.first().is_some_and(|e| e.time < self.horizon) {
            let e = pop_heap(&mut self.far);
            push_heap(&mut self.heap, e);
        }
    }

    /// Whether nothing is due at or before now: an event scheduled now would be the next
    /// one popped (the caller may then run it at once, with [`EventQueue::reserve_seq`]).
    #[inline(always)]
    pub fn nothing_due_now(&self) -> bool {
        self.immediate.is_empty() && self.top().is_none_or(|e| e.time > self.now)
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
        // Heap entries due now were scheduled before anything in `immediate`. The far heap
        // is drawn on only when its top is the next event: so the heaps' contents depend only
        // on the events popped, not on how many of `immediate`'s went through here (a run
        // that keeps arrivals aside does not pop them).
        if self.heap.is_empty() && self.far.first().is_some_and(|e| self.immediate.is_empty() || e.time <= self.now) {
            self.refill();
        }
        if let Some(top) = self.heap.first() {
            if top.time <= self.now || self.immediate.is_empty() {
                let e = pop_heap(&mut self.heap);
                self.now = e.time;
                return Some((e.time, e.seq, e.payload));
            }
        }
        let (seq, payload) = self.immediate.pop_front()?;
        Some((self.now, seq, payload))
    }

    /// The time of the next event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<Time> {
        if !self.immediate.is_empty() {
            return Some(self.now);
        }
        self.top().map(|e| e.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.far.len() + self.immediate.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.far.is_empty() && self.immediate.is_empty()
    }

    /// Advances the clock without an event (used by "run until" when the heap is empty earlier).
    /// Only moves forward, and never past an event still waiting.
    pub fn advance_to(&mut self, t: Time) {
        if t > self.now && self.immediate.is_empty() && self.top().is_none_or(|e| e.time >= t) {
            self.now = t;
        }
    }
}

/// Sifts a new entry up from the end (inlined where it is called: with two heaps the
/// compiler stopped doing it, at 0.6 % more instructions on the paced benchmark).
#[inline(always)]
fn push_heap<E: Copy>(heap: &mut Vec<Entry<E>>, e: Entry<E>) {
    let mut i = heap.len();
    heap.push(e);
    while i > 0 {
        let parent = (i - 1) / 2;
        if !e.before(&heap[parent]) {
            break;
        }
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = e;
}

/// Takes the root (the heap is not empty) and sifts the last entry down into its place.
#[inline]
fn pop_heap<E: Copy>(heap: &mut Vec<Entry<E>>) -> Entry<E> {
    let last = heap.pop().expect("not empty");
    let Some(&top) = heap.first() else {
        return last;
    };
    let n = heap.len();
    let mut i = 0;
    loop {
        let left = 2 * i + 1;
        if left >= n {
            break;
        }
        let right = left + 1;
        let child = if right < n && heap[right].before(&heap[left]) { right } else { left };
        if !heap[child].before(&last) {
            break;
        }
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = last;
    top
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
        check_sorted(50);
    }

    #[test]
    fn far_events_keep_the_order() {
        // Delays from nothing to several horizons' span, so that entries go to the far heap,
        // move back when the near one runs out, and meet the clock moved by `advance_to`.
        check_sorted(5 * SPAN);
        let mut q = EventQueue::new();
        q.schedule(Time(3 * SPAN), 'f');
        q.schedule(Time(10), 'a');
        q.advance_to(Time(5));
        q.schedule(Time(3 * SPAN), 'g');
        assert_eq!(q.peek_time(), Some(Time(10)));
        assert_eq!(q.pop().map(|(t, _, e)| (t, e)), Some((Time(10), 'a')));
        assert_eq!(q.peek_time(), Some(Time(3 * SPAN)));
        q.advance_to(Time(2 * SPAN));
        q.schedule(Time(2 * SPAN + 1), 'b');
        q.schedule(Time(9 * SPAN), 'z');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, _, e)| e)).collect();
        assert_eq!(order, vec!['b', 'f', 'g', 'z']);
        assert!(q.is_empty());
    }

    /// A pseudo-random schedule with delays up to `max_delay`, popping while scheduling more:
    /// the order must be exactly (time, seq) as if everything were sorted.
    fn check_sorted(max_delay: u64) {
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
            let delay = if rnd() % 3 == 0 { 0 } else { rnd() % max_delay };
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
