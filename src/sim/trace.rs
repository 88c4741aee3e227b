//! The trace: every record the simulation produces, stamped with its simulated time and a
//! sequence number, folded into a rolling hash, and kept in memory only when asked.
//!
//! The record type is the caller's; this module only needs it to feed its fields to the
//! hasher ([`HashRecord`]). Text is never produced here: rendering happens when a trace
//! line is shown, not when it is recorded.

use super::Time;

/// A rolling 64-bit hash over `u64` words (FNV-1a over words, with a final mix).
/// The algorithm is fixed here, so a trace hash means the same thing on every machine and
/// in every release that does not change the record encoding.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TraceHasher(u64);

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl TraceHasher {
    #[inline(always)]
    pub fn word(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(0x0000_0100_0000_01b3);
        self.0 ^= self.0 >> 29;
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.word(b.len() as u64);
        for chunk in b.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(w));
        }
    }
    pub fn value(&self) -> u64 {
        // splitmix64 finaliser
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Records that can be folded into the trace hash.
pub trait HashRecord {
    fn hash_into(&self, h: &mut TraceHasher);
}

/// A record with its simulated time and its position in the trace.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Stamped<R> {
    pub t: Time,
    pub seq: u64,
    pub rec: R,
}

/// The trace of one run.
#[derive(Clone, Debug)]
pub struct Trace<R> {
    keep: bool,
    records: Vec<Stamped<R>>,
    count: u64,
    hasher: TraceHasher,
}

impl<R: HashRecord + Copy> Trace<R> {
    /// `keep`: store every record (for rendering, checks and the TUI); otherwise only the
    /// hash and the count advance (fast runs, benchmarks).
    pub fn new(keep: bool) -> Self {
        Trace { keep, records: Vec::new(), count: 0, hasher: TraceHasher::default() }
    }

    #[inline(always)]
    pub fn push(&mut self, t: Time, rec: R) -> u64 {
        let seq = self.count;
        self.count += 1;
        self.hasher.word(t.0);
        rec.hash_into(&mut self.hasher);
        if self.keep {
            self.records.push(Stamped { t, seq, rec });
        }
        seq
    }

    pub fn records(&self) -> &[Stamped<R>] {
        &self.records
    }
    pub fn len(&self) -> u64 {
        self.count
    }
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
    /// The rolling hash of every record so far.
    pub fn hash(&self) -> u64 {
        self.hasher.value()
    }

    /// Drops the kept records; the count and the hash go on. For a reader that consumes the
    /// records as they come (`check`) and must not keep the whole trace.
    pub fn forget(&mut self) {
        self.records.clear();
    }

    /// A cheap marker of the trace's position, to return to with [`Trace::truncate`].
    pub fn mark(&self) -> TraceMark {
        TraceMark { count: self.count, hasher: self.hasher }
    }

    /// Drops every record after `mark` (time travel in the TUI).
    pub fn truncate(&mut self, mark: TraceMark) {
        self.count = mark.count;
        self.hasher = mark.hasher;
        if self.keep {
            self.records.truncate(mark.count as usize);
        }
    }
}

/// A position in a trace: its length and the hash state there.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TraceMark {
    pub count: u64,
    hasher: TraceHasher,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Copy, Clone)]
    struct R(u64);
    impl HashRecord for R {
        fn hash_into(&self, h: &mut TraceHasher) {
            h.word(self.0)
        }
    }

    #[test]
    fn hash_depends_on_content_order_and_time() {
        let mut a = Trace::new(false);
        a.push(Time(1), R(1));
        a.push(Time(2), R(2));
        let mut b = Trace::new(true);
        b.push(Time(1), R(1));
        b.push(Time(2), R(2));
        assert_eq!(a.hash(), b.hash());
        let mut c = Trace::new(false);
        c.push(Time(1), R(2));
        c.push(Time(2), R(1));
        assert_ne!(a.hash(), c.hash());
        let mut d = Trace::new(false);
        d.push(Time(1), R(1));
        d.push(Time(3), R(2));
        assert_ne!(a.hash(), d.hash());
        assert_eq!(b.records().len(), 2);
        assert!(a.records().is_empty());
    }

    #[test]
    fn truncate_restores_hash() {
        let mut t = Trace::new(true);
        t.push(Time(1), R(1));
        let m = t.mark();
        let h = t.hash();
        t.push(Time(2), R(2));
        t.truncate(m);
        assert_eq!(t.hash(), h);
        assert_eq!(t.records().len(), 1);
    }
}
