//! A campaign: the numbered cases of an exploration, run on several threads, optionally one
//! shard of them, optionally within a time budget; then the lowest failing case shrunk.
//!
//! Case `i`'s fault schedule is drawn from a ChaCha stream seeded by (campaign seed, `i`), so
//! the list of cases is fixed by the seed alone. Workers claim case positions in increasing
//! order from one counter, so the cases run always form a prefix of the shard's list:
//! - with a failure at position `f`, every position below `f` has run too; the figures count
//!   positions `0..=f` (whatever else a worker finished meanwhile is dropped), and `f` is
//!   shrunk on one thread — the same result for any number of workers;
//! - with a time budget, workers stop claiming when it is spent; the prefix that ran is
//!   reported, with exactly the results a run of that many cases gives.
//!
//! The wall clock only decides how many cases run under `--time`; nothing it measures
//! reaches a case, its trace or its result.

use super::case::{CaseResult, CaseRunner, CaseTemplate};
use super::faults::{FaultCase, FaultPlan};
use super::{annotate, run_case, Broken, Counterexample};
use crate::guarantees::Guarantee;
use crate::scenario::Scenario;
use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One of `n` disjoint slices of a campaign: the cases whose index is `k - 1` modulo `n`
/// (`k` counts from 1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    /// `K/N`, with 1 ≤ K ≤ N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: expected K/N with 1 ≤ K ≤ N, such as 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u32, u32) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// How many of `cases` this shard holds.
    pub fn len(self, cases: u32) -> u32 {
        let first = self.k - 1;
        if cases <= first {
            0
        } else {
            (cases - first).div_ceil(self.n)
        }
    }

    pub fn is_empty(self, cases: u32) -> bool {
        self.len(cases) == 0
    }

    /// The campaign index of this shard's `pos`-th case.
    pub fn index(self, pos: u32) -> u64 {
        (self.k - 1) as u64 + pos as u64 * self.n as u64
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// Settings of an exploration.
#[derive(Clone, Debug)]
pub struct ExploreConfig {
    /// Cases in the whole campaign (all shards together).
    pub cases: u32,
    pub seed: u64,
    /// Guarantees checked besides the scenario's own expect items.
    pub guarantees: Vec<Guarantee>,
    /// Check the scenario's own expect: items too.
    pub expect_items: bool,
    pub max_shrink_iters: u32,
    /// Worker threads (at least 1).
    pub jobs: usize,
    pub shard: Shard,
    /// Stop claiming new cases once this much wall time has passed.
    pub time: Option<Duration>,
}

impl Default for ExploreConfig {
    fn default() -> Self {
        ExploreConfig {
            cases: 200,
            seed: 0,
            guarantees: Guarantee::INVARIANTS.to_vec(),
            expect_items: true,
            max_shrink_iters: 2000,
            jobs: 1,
            shard: Shard::WHOLE,
            time: None,
        }
    }
}

/// What a campaign did.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// Cases run (of this shard), up to and including the first failure.
    pub cases: u32,
    /// Engine events those cases simulated, all together.
    pub events: u64,
    /// The time budget ran out before the shard's last case.
    pub out_of_time: bool,
    /// The lowest failing case, shrunk.
    pub counterexample: Option<Box<Counterexample>>,
}

/// What the progress callback hears.
#[derive(Copy, Clone, Debug)]
pub enum Progress {
    /// Cases finished so far (of this shard).
    Cases(u32),
    /// Shrinking the failure: tries so far.
    Shrinking(u32),
}

/// The random stream of case `index`.
fn case_tree(strategy: &BoxedStrategy<FaultCase>, seed: u64, index: u64) -> Result<Box<dyn ValueTree<Value = FaultCase>>, String> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&index.to_le_bytes());
    bytes[16..24].copy_from_slice(b"warren-x");
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    strategy.new_tree(&mut runner).map_err(|e| format!("could not generate case {index}: {e}"))
}

/// A case run: its position in the shard, the events it simulated, and what it broke (or
/// why it could not run).
type Ran = (u32, u64, Result<Option<Broken>, String>);

/// Everything the workers share.
struct Work<'a> {
    cfg: &'a ExploreConfig,
    /// Each thread makes its own strategy from this (a boxed strategy is not `Sync`).
    faults: &'a FaultPlan,
    template: CaseTemplate,
    total: u32,
    next: AtomicU32,
    /// The lowest failing position so far (`u32::MAX`: none).
    lowest_fail: AtomicU32,
    done: AtomicU32,
    deadline: Option<Instant>,
    /// (position, events, what broke or why the case could not run) of every case run.
    results: Mutex<Vec<Ran>>,
    progress: &'a (dyn Fn(Progress) + Sync),
}

impl Work<'_> {
    fn claim(&self) -> Option<u32> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        let pos = self.next.fetch_add(1, Ordering::SeqCst);
        (pos < self.total && pos <= self.lowest_fail.load(Ordering::SeqCst)).then_some(pos)
    }

    fn worker(&self) {
        let strategy = self.faults.strategy();
        let mut runner = CaseRunner::new(&self.template);
        let mut mine = Vec::new();
        while let Some(pos) = self.claim() {
            let index = self.cfg.shard.index(pos);
            let result = case_tree(&strategy, self.cfg.seed, index)
                .and_then(|tree| runner.run(&tree.current(), &self.cfg.guarantees, self.cfg.expect_items));
            let (events, found) = match result {
                Ok(CaseResult { broken, events, .. }) => (events, Ok(broken)),
                Err(e) => (0, Err(e)),
            };
            if !matches!(found, Ok(None)) {
                self.lowest_fail.fetch_min(pos, Ordering::SeqCst);
            }
            mine.push((pos, events, found));
            (self.progress)(Progress::Cases(self.done.fetch_add(1, Ordering::SeqCst) + 1));
        }
        self.results.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
    }
}

/// Runs a campaign on `base`.
pub fn explore(base: &Scenario, cfg: &ExploreConfig, progress: &(dyn Fn(Progress) + Sync)) -> Result<Campaign, String> {
    let faults = FaultPlan::for_scenario(base)?;
    let template = CaseTemplate::new(base, &faults)?;
    let work = Work {
        cfg,
        faults: &faults,
        template,
        total: cfg.shard.len(cfg.cases),
        next: AtomicU32::new(0),
        lowest_fail: AtomicU32::new(u32::MAX),
        done: AtomicU32::new(0),
        deadline: cfg.time.map(|t| Instant::now() + t),
        results: Mutex::new(Vec::new()),
        progress,
    };
    let jobs = cfg.jobs.clamp(1, 256);
    std::thread::scope(|s| {
        for _ in 1..jobs {
            s.spawn(|| work.worker());
        }
        work.worker();
    });
    let mut results = std::mem::take(&mut *work.results.lock().unwrap_or_else(|e| e.into_inner()));
    results.sort_by_key(|r| r.0);
    let fail = work.lowest_fail.load(Ordering::SeqCst);
    results.retain(|r| r.0 <= fail);
    let cases = results.len() as u32;
    let events = results.iter().map(|r| r.1).sum();
    let out_of_time = fail == u32::MAX && cases < work.total;
    let counterexample = match results.pop() {
        Some((pos, _, found)) if pos == fail => match found {
            Err(e) => return Err(format!("case {}: {e}", cfg.shard.index(pos))),
            Ok(_) => Some(Box::new(shrink(base, cfg, &work, &faults, pos, cases)?)),
        },
        _ => None,
    };
    Ok(Campaign { cases, events, out_of_time, counterexample })
}

/// Shrinks the failing case at `pos` (one thread, so the same for any `--jobs`) and confirms
/// the counterexample through its file.
fn shrink(base: &Scenario, cfg: &ExploreConfig, work: &Work, faults: &FaultPlan, pos: u32, cases: u32) -> Result<Counterexample, String> {
    let index = cfg.shard.index(pos);
    let mut tree = case_tree(&faults.strategy(), cfg.seed, index)?;
    let mut runner = CaseRunner::new(&work.template);
    // A smaller case that cannot run (a cap hit) does not count as failing the same way.
    let mut fails = |case: &FaultCase| runner.run(case, &cfg.guarantees, cfg.expect_items).is_ok_and(|r| r.broken.is_some());
    let mut smallest = tree.current();
    let mut tries = 0u32;
    if tree.simplify() {
        while tries < cfg.max_shrink_iters {
            tries += 1;
            (work.progress)(Progress::Shrinking(tries));
            let case = tree.current();
            if fails(&case) {
                smallest = case;
                if !tree.simplify() {
                    break;
                }
            } else if !tree.complicate() {
                break;
            }
        }
    }
    let mut file = faults.apply(&base.def, &smallest);
    let broken =
        run_case(&file, &cfg.guarantees, cfg.expect_items)?.ok_or("the minimal case no longer fails: please report this as a bug")?;
    annotate(&mut file, base, &broken, cfg.seed);
    Ok(Counterexample { file, broken, index, cases_before: cases })
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn shards_split_the_campaign() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { k: 2, n: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x", "1/", "/2", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        for cases in [0u32, 1, 7, 200, 201] {
            for n in 1..=5 {
                let mut all: Vec<u64> = (1..=n)
                    .flat_map(|k| {
                        let s = Shard { k, n };
                        (0..s.len(cases)).map(move |p| s.index(p))
                    })
                    .collect();
                all.sort_unstable();
                assert_eq!(all, (0..cases as u64).collect::<Vec<_>>(), "{cases} cases in {n} shards");
            }
        }
    }
}
