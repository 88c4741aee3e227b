//! Snapshots of a world that share what has not changed (the TUI's time travel).
//!
//! A [`Snapshot`] is a clone of the world without its big collections — the message
//! store's messages, every queue's ready messages, and the lanes of the methods and frames
//! in flight — which it keeps apart as chunks of [`CHUNK`] items behind `Arc`s. A chunk equal
//! to the one the previous snapshot holds for the same place is shared, not copied: the
//! message store only grows and a backlog or a lane drains from its head, so the snapshots of a large
//! run share nearly all their chunks, and each costs about what changed since the one before.
//!
//! Restoring puts the chunks back into the live world's own vectors (cleared, so their memory
//! is reused) and clones the rest: the restored world is equal, field for field, to the world
//! the snapshot was taken of.

use super::{FrameInFlight, OpInFlight, World};
use crate::broker::message::Message;
use crate::broker::queue::QMsg;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Items per chunk.
pub const CHUNK: usize = 4096;

/// A sequence kept as shared chunks.
#[derive(Clone, Debug)]
struct Chunks<T> {
    parts: Vec<Arc<[T]>>,
}

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Chunks { parts: Vec::new() }
    }
}

impl<T: Clone + PartialEq> Chunks<T> {
    /// `items` cut every [`CHUNK`]; each part is `prev`'s part at the same place when equal.
    fn positional(items: &[T], prev: Option<&Chunks<T>>) -> Chunks<T> {
        let parts = items
            .chunks(CHUNK)
            .enumerate()
            .map(|(i, c)| match prev.and_then(|p| p.parts.get(i)) {
                Some(old) if **old == *c => old.clone(),
                _ => Arc::from(c),
            })
            .collect();
        Chunks { parts }
    }

    /// Like [`Chunks::positional`] for a sequence that has only grown since `prev` was made
    /// of it: `prev`'s full chunks are still its own and are shared without comparing them.
    fn grown(items: &[T], prev: &Chunks<T>) -> Chunks<T> {
        let parts = items
            .chunks(CHUNK)
            .enumerate()
            .map(|(i, c)| match prev.parts.get(i) {
                Some(old) if old.len() == CHUNK && c.len() == CHUNK => old.clone(),
                Some(old) if **old == *c => old.clone(),
                _ => Arc::from(c),
            })
            .collect();
        Chunks { parts }
    }

    fn restore_into(&self, out: &mut Vec<T>) {
        out.clear();
        out.reserve(self.parts.iter().map(|p| p.len()).sum());
        for p in &self.parts {
            out.extend_from_slice(p);
        }
    }

    /// The bytes of the chunks, each divided among the snapshots that hold it.
    fn shared_bytes(&self) -> usize {
        self.parts.iter().map(|p| std::mem::size_of_val(&**p) / Arc::strong_count(p)).sum()
    }
}

/// A queue's ready messages, cut before the first message whose position (`seq`) reaches
/// the next multiple of [`CHUNK`] (at most [`CHUNK`] messages a part): a cut depends on the
/// messages, not on how many left the head, so a draining backlog keeps its parts from one
/// snapshot to the next. (In a queue ordered by position the cut is found by bisection; in a
/// priority queue the cuts fall anywhere, which is as correct and shares less.)
fn ready_chunks(ready: &VecDeque<QMsg>, prev: Option<&Chunks<QMsg>>) -> Chunks<QMsg> {
    let known: BTreeMap<u64, &Arc<[QMsg]>> = prev.map(|p| p.parts.iter().map(|c| (c[0].seq, c)).collect()).unwrap_or_default();
    let (head, tail) = ready.as_slices();
    // Messages `s..e` as a part: the known one if equal, else a copy.
    let part = |s: usize, e: usize| -> Arc<[QMsg]> {
        let slice = if e <= head.len() {
            Some(&head[s..e])
        } else if s >= head.len() {
            Some(&tail[s - head.len()..e - head.len()])
        } else {
            None
        };
        let same = |old: &[QMsg]| old.len() == e - s && slice.map_or_else(|| ready.range(s..e).eq(old.iter()), |x| x == old);
        match known.get(&ready[s].seq) {
            Some(old) if same(old) => Arc::clone(old),
            _ => slice.map_or_else(|| ready.range(s..e).copied().collect(), Arc::from),
        }
    };
    let mut parts = Vec::new();
    let mut start = 0;
    while start < ready.len() {
        let next = (ready[start].seq / CHUNK as u64 + 1) * CHUNK as u64;
        let (mut lo, mut hi) = (start + 1, ready.len().min(start + CHUNK));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if ready[mid].seq < next {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        parts.push(part(start, lo));
        start = lo;
    }
    Chunks { parts }
}

/// A FIFO (a lane of the wire) as parts, each with the number of its first item in the
/// lane's history.
#[derive(Clone, Debug)]
struct Fifo<T> {
    parts: Vec<(u64, Arc<[T]>)>,
}

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo { parts: Vec::new() }
    }
}

impl<T: Clone + PartialEq> Fifo<T> {
    /// `lane`, whose front is item number `front` of its history, cut before every item whose
    /// number is a multiple of [`CHUNK`]: a part of `prev` that starts at the same number and
    /// holds the same items is shared.
    fn of(lane: &VecDeque<T>, front: u64, prev: Option<&Fifo<T>>) -> Fifo<T> {
        let known: BTreeMap<u64, &Arc<[T]>> = prev.map(|p| p.parts.iter().map(|(n, c)| (*n, c)).collect()).unwrap_or_default();
        let mut parts = Vec::new();
        let mut i = 0;
        while i < lane.len() {
            let n = front + i as u64;
            let e = lane.len().min(i + (CHUNK - (n % CHUNK as u64) as usize));
            let part = match known.get(&n) {
                Some(old) if old.len() == e - i && lane.range(i..e).eq(old.iter()) => Arc::clone(old),
                _ => lane.range(i..e).cloned().collect(),
            };
            parts.push((n, part));
            i = e;
        }
        Fifo { parts }
    }

    fn restore_into(&self, out: &mut VecDeque<T>) {
        out.clear();
        for (_, p) in &self.parts {
            out.extend(p.iter().cloned());
        }
    }

    fn shared_bytes(&self) -> usize {
        self.parts.iter().map(|(_, p)| std::mem::size_of_val(&**p) / Arc::strong_count(p)).sum()
    }
}

/// A world at one moment, sharing its big collections with the snapshots around it.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The world without the collections below (they are empty in it).
    rest: World,
    msgs: Chunks<Message>,
    /// The message store's [`MessageStore::edits`] when taken.
    ///
    /// [`MessageStore::edits`]: crate::broker::message::MessageStore::edits
    msgs_edits: u64,
    /// Ready messages per queue slot (empty for a free slot).
    ready: Vec<Chunks<QMsg>>,
    /// The wire's lanes, per client.
    ops: Vec<Fifo<OpInFlight>>,
    frames: Vec<Fifo<FrameInFlight>>,
}

/// The big collections of a world, taken out of it.
#[derive(Default)]
struct Parts {
    msgs: Vec<Message>,
    ready: Vec<VecDeque<QMsg>>,
    ops: Vec<VecDeque<OpInFlight>>,
    ops_taken: Vec<u64>,
    frames: Vec<VecDeque<FrameInFlight>>,
    frames_taken: Vec<u64>,
}

impl World {
    fn take_parts(&mut self) -> Parts {
        let (ops, ops_taken) = self.ops_in_flight.lanes_mut();
        let (ops, ops_taken) = (std::mem::take(ops), ops_taken.to_vec());
        let (frames, frames_taken) = self.frames_in_flight.lanes_mut();
        let (frames, frames_taken) = (std::mem::take(frames), frames_taken.to_vec());
        let ready = self
            .broker
            .queue_slots_mut()
            .iter_mut()
            .map(|q| q.as_mut().map(|q| std::mem::take(&mut q.ready)).unwrap_or_default())
            .collect();
        Parts { msgs: std::mem::take(self.msgs.messages_mut()), ready, ops, ops_taken, frames, frames_taken }
    }

    /// Puts the parts back (`ready` by queue slot; a deque left over is dropped).
    fn put_parts(&mut self, p: Parts) {
        *self.msgs.messages_mut() = p.msgs;
        *self.ops_in_flight.lanes_mut().0 = p.ops;
        *self.frames_in_flight.lanes_mut().0 = p.frames;
        for (slot, ready) in self.broker.queue_slots_mut().iter_mut().zip(p.ready) {
            if let Some(q) = slot {
                q.ready = ready;
            }
        }
    }

    /// A snapshot of the world now, sharing every chunk it can with `prev` (the snapshot
    /// taken before it, if any). The world is left as it was.
    pub fn snapshot(&mut self, prev: Option<&Snapshot>) -> Snapshot {
        let parts = self.take_parts();
        let rest = self.clone();
        let empty = Chunks::default();
        let prev_ready = |i: usize| prev.and_then(|p| p.ready.get(i));
        let snap = Snapshot {
            rest,
            // The store only grows but for edits it counts: with none since `prev` (taken
            // earlier on the same run, as every snapshot before the world's position is),
            // its full chunks are still right.
            msgs: match prev {
                Some(p) if p.msgs_edits == self.msgs.edits() => Chunks::grown(&parts.msgs, &p.msgs),
                _ => Chunks::positional(&parts.msgs, prev.map(|p| &p.msgs)),
            },
            msgs_edits: self.msgs.edits(),
            ready: parts
                .ready
                .iter()
                .enumerate()
                .map(|(i, r)| if r.is_empty() { empty.clone() } else { ready_chunks(r, prev_ready(i)) })
                .collect(),
            ops: lanes(&parts.ops, &parts.ops_taken, prev.map(|p| &p.ops[..])),
            frames: lanes(&parts.frames, &parts.frames_taken, prev.map(|p| &p.frames[..])),
        };
        self.put_parts(parts);
        snap
    }
}

/// Every lane of the wire as a [`Fifo`], sharing with `prev`'s lane of the same client.
fn lanes<T: Clone + PartialEq>(lanes: &[VecDeque<T>], taken: &[u64], prev: Option<&[Fifo<T>]>) -> Vec<Fifo<T>> {
    lanes.iter().zip(taken).enumerate().map(|(c, (lane, &front))| Fifo::of(lane, front, prev.and_then(|p| p.get(c)))).collect()
}

/// Puts `fifos` back into `lanes` (one a client), reusing their memory.
fn restore_lanes<T: Clone + PartialEq>(fifos: &[Fifo<T>], lanes: &mut Vec<VecDeque<T>>) {
    lanes.resize_with(fifos.len(), VecDeque::new);
    for (lane, f) in lanes.iter_mut().zip(fifos) {
        f.restore_into(lane);
    }
}

impl Snapshot {
    /// Makes `live` the world of this snapshot, reusing the memory of its big collections.
    ///
    /// `live` must be the world of the same run at or after this snapshot (the timeline only
    /// goes back to a snapshot before its position): then, if no stored message was edited
    /// in between, its message store starts with this snapshot's and is only cut back.
    pub fn restore_into(&self, live: &mut World) {
        let unedited = live.msgs.edits() == self.msgs_edits;
        let mut p = live.take_parts();
        *live = self.rest.clone();
        let n: usize = self.msgs.parts.iter().map(|c| c.len()).sum();
        let last = self.msgs.parts.last().and_then(|c| c.last());
        if unedited && n <= p.msgs.len() && last == n.checked_sub(1).map(|i| &p.msgs[i]) {
            p.msgs.truncate(n);
        } else {
            self.msgs.restore_into(&mut p.msgs);
        }
        restore_lanes(&self.ops, &mut p.ops);
        restore_lanes(&self.frames, &mut p.frames);
        p.ready.resize_with(self.ready.len(), VecDeque::new);
        for (deque, chunks) in p.ready.iter_mut().zip(&self.ready) {
            // Through a vector: copies whole slices, and both conversions keep the memory.
            deque.clear();
            let mut v = Vec::from(std::mem::take(deque));
            chunks.restore_into(&mut v);
            *deque = VecDeque::from(v);
        }
        live.put_parts(p);
    }

    /// About the memory this snapshot holds: its own part of the world, plus its share of
    /// each chunk (a chunk held by `n` snapshots counts `1/n` in each), so the figures of all
    /// the snapshots add up to what they hold together.
    pub fn bytes(&self) -> usize {
        let events = self.rest.queue.len() * (std::mem::size_of::<super::Ev>() + 16);
        let ready: usize = self.ready.iter().map(Chunks::shared_bytes).sum();
        let chunks = self.msgs.shared_bytes()
            + ready
            + self.ops.iter().map(Fifo::shared_bytes).sum::<usize>()
            + self.frames.iter().map(Fifo::shared_bytes).sum::<usize>();
        std::mem::size_of::<World>() + events + chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_chunks_share_what_did_not_change() {
        let a: Vec<u32> = (0..10_000).collect();
        let first = Chunks::positional(&a, None);
        let mut b = a.clone();
        b.push(7);
        b[5] = 99;
        let second = Chunks::positional(&b, Some(&first));
        assert!(!Arc::ptr_eq(&first.parts[0], &second.parts[0]), "changed: copied");
        assert!(Arc::ptr_eq(&first.parts[1], &second.parts[1]), "unchanged: shared");
        let mut out = Vec::new();
        second.restore_into(&mut out);
        assert_eq!(out, b);
    }

    #[test]
    fn a_draining_lane_keeps_its_parts() {
        let lane: VecDeque<u32> = (0..3 * CHUNK as u32).collect();
        let first = Fifo::of(&lane, 0, None);
        let mut drained = lane.clone();
        drained.drain(..100);
        drained.push_back(7);
        let second = Fifo::of(&drained, 100, Some(&first));
        assert_eq!(second.parts.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![100, CHUNK as u64, 2 * CHUNK as u64, 3 * CHUNK as u64]);
        assert!(Arc::ptr_eq(&first.parts[1].1, &second.parts[1].1), "a full part, untouched: shared");
        let mut back = VecDeque::new();
        second.restore_into(&mut back);
        assert_eq!(back, drained);
    }

    #[test]
    fn a_draining_backlog_keeps_its_chunks() {
        let q = |seq| QMsg::new(seq, crate::ids::MsgId(seq as u32), crate::sim::Time::NEVER, QMsg::NOT_ON_DISK);
        let full: VecDeque<QMsg> = (0..3 * CHUNK as u64).map(q).collect();
        let first = ready_chunks(&full, None);
        let drained: VecDeque<QMsg> = full.iter().skip(100).copied().collect();
        let second = ready_chunks(&drained, Some(&first));
        assert_eq!(second.parts.len(), 3);
        assert!(!Arc::ptr_eq(&first.parts[0], &second.parts[0]));
        assert!(Arc::ptr_eq(&first.parts[1], &second.parts[1]) && Arc::ptr_eq(&first.parts[2], &second.parts[2]));
        let back: Vec<QMsg> = second.parts.iter().flat_map(|p| p.iter().copied()).collect();
        assert!(back.iter().eq(drained.iter()));
    }
}
