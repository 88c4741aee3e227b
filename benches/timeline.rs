//! The TUI's timeline on the 1M burst (`bench/scenarios/workqueue-burst.yaml`): what `e`
//! (run to the end) leaves in memory and what a step back costs there.
//!
//! - `cargo bench --bench timeline`: divan times one step back ([`Timeline::step_back`], the
//!   TUI's `←`) at the start, in the middle and at the end of the run. The timeline is built
//!   once, as the TUI builds it (`Timeline::new`, then one event at a time to the end).
//! - `cargo bench --bench timeline -- --report` (what `bench/compare.sh` runs): builds the
//!   same timeline in a fresh process and prints one JSON line: the events and records, the
//!   wall time of running to the end, the peak resident memory (`VmHWM`), the snapshots, and
//!   step-back times in milliseconds (medians at the start, the middle and the end, and the
//!   median and maximum over positions spread across the whole run).

use divan::Bencher;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Instant;
use warren::scenario::Scenario;
use warren::tui::timeline::Timeline;

const BURST: &str = include_str!("../bench/scenarios/workqueue-burst.yaml");

fn main() {
    if std::env::args().any(|a| a == "--report") {
        report();
    } else {
        divan::main();
    }
}

/// The timeline after `e`: every event of the burst processed, one at a time.
fn run_to_end() -> Timeline {
    let s = Arc::new(Scenario::from_str(BURST, "workqueue-burst.yaml").expect("the burst scenario loads"));
    let mut tl = Timeline::new(s);
    while tl.step_event() {}
    assert!(tl.cap.is_none(), "the burst hit a cap: {:?}", tl.cap);
    tl
}

/// Puts the timeline at `at` events (untimed), then times one step back.
fn step_back_from(tl: &mut Timeline, at: u64) -> f64 {
    tl.go_to(at);
    let t = Instant::now();
    assert!(tl.step_back());
    t.elapsed().as_secs_f64() * 1e3
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn peak_rss_bytes() -> u64 {
    warren::cli::run::peak_rss_bytes().unwrap_or(0)
}

fn report() {
    let t = Instant::now();
    let mut tl = run_to_end();
    let forward_s = t.elapsed().as_secs_f64();
    let rss_after_run = peak_rss_bytes();
    let events = tl.position();
    let records = tl.records().len();
    let (snapshots, interval, snapshot_bytes) = (tl.snapshot_count(), tl.snapshot_interval(), tl.snapshot_bytes());
    let repeats = 9;
    let at = |tl: &mut Timeline, p: u64| median((0..repeats).map(|_| step_back_from(tl, p)).collect());
    let end = at(&mut tl, events);
    let middle = at(&mut tl, events / 2);
    let start = at(&mut tl, 1_000.min(events));
    // Anywhere: 61 positions spread over the run (an odd step, so they fall at every offset
    // from the snapshots), each the median of 3 step backs (the machine may be loaded).
    let spread: Vec<f64> = (1..=61).map(|i| median((0..3).map(|_| step_back_from(&mut tl, events * i / 61)).collect())).collect();
    let max = spread.iter().copied().fold(0.0, f64::max);
    let line = serde_json::json!({
        "scenario": "workqueue-burst",
        "events": events,
        "records": records,
        "forward_s": forward_s,
        "peak_rss_bytes": peak_rss_bytes(),
        "peak_rss_after_run_bytes": rss_after_run,
        "snapshots": snapshots,
        "snapshot_bytes": snapshot_bytes,
        "snapshot_interval": interval,
        "step_back_ms": { "start": start, "middle": middle, "end": end, "median": median(spread), "max": max },
    });
    println!("{line}");
}

thread_local! {
    static TL: RefCell<Option<Timeline>> = const { RefCell::new(None) };
}

/// A step back from `at(end)` on the shared timeline (built on first use), `end` being the
/// number of events of the whole run.
fn bench_step_back(bencher: Bencher, at: fn(u64) -> u64) {
    TL.with(|cell| {
        let mut slot = cell.borrow_mut();
        let tl = slot.get_or_insert_with(run_to_end);
        // The previous benchmark left it somewhere: the end is where running stops.
        while tl.step_event() {}
        let p = at(tl.position());
        let tl = RefCell::new(tl);
        bencher.with_inputs(|| tl.borrow_mut().go_to(p)).bench_local_values(|()| tl.borrow_mut().step_back());
    });
}

#[divan::bench_group(sample_count = 15, sample_size = 1)]
mod step_back {
    use super::*;

    #[divan::bench]
    fn at_start(bencher: Bencher) {
        bench_step_back(bencher, |_| 1_000);
    }

    #[divan::bench]
    fn in_middle(bencher: Bencher) {
        bench_step_back(bencher, |end| end / 2);
    }

    #[divan::bench]
    fn at_end(bencher: Bencher) {
        bench_step_back(bencher, |end| end);
    }
}
