//! The fuzz harness: hostile variants of every bundled scenario (byte-wise and structural
//! mutations, see `fuzz/mutate.rs`), loaded, checked, run and exported in process, and a sample
//! of the rejected ones through the real binary. What must hold for every input:
//!
//! - no panic (caught and reported with the case number), no abort (the run itself fails);
//! - no hang: each case within a few seconds;
//! - bounded memory: each case below a ceiling (a counting allocator measures the peak);
//! - a rejected file gets errors that name the file, a line and a column inside it;
//! - through the binary: exit status 2, and the error names `FILE:LINE:COL`.
//!
//! ```sh
//! cargo test --test fuzz                                                  # CI: a bounded count
//! WARREN_FUZZ_CASES=1000000 cargo test --release --test fuzz -- --nocapture  # on demand
//! WARREN_FUZZ_START=123456 WARREN_FUZZ_CASES=1 cargo test --test fuzz -- --nocapture  # replay a case
//! ```
//!
//! A failing case is written to `target/fuzz-failures/case-N.yaml`.

#[path = "fuzz/mutate.rs"]
mod mutate;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warren::scenario::{bundled, Scenario, ScenarioErrors};
use warren::session::Session;
use warren::world::Cap;

/// Counts each thread's live bytes and their peak, so a case's memory can be read.
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn note_alloc(n: usize) {
    let _ = LIVE.try_with(|l| {
        let v = l.get().saturating_add(n);
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

fn note_free(n: usize) {
    let _ = LIVE.try_with(|l| l.set(l.get().saturating_sub(n)));
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_free(layout.size());
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        note_free(layout.size());
        note_alloc(new);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// A case's ceilings. Generous: a debug build on a busy two-core machine must pass them.
/// Five seconds in a release build; a debug build is about ten times slower, and the slowest
/// accepted cases (200,000 events checked, then run with the whole trace kept) take 2.5 s
/// alone in one, so it gets twice that.
const CASE_TIME: Duration = Duration::from_secs(if cfg!(debug_assertions) { 10 } else { 5 });
const CASE_MEMORY: usize = 768 << 20;
/// The events one accepted case may simulate (a command line's `--max-events`).
const CASE_EVENTS: u64 = 200_000;
/// The memory cap one accepted case runs with (a command line's `--max-memory`): the
/// engine's estimate, well below the allocator's ceiling.
const CASE_CAP_MEMORY: u64 = 128 << 20;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    accepted: AtomicU64,
    rejected: AtomicU64,
    slowest_us: AtomicU64,
    peak_bytes: AtomicU64,
}

/// One input, in process: load, and if it loads, check, run and export it.
fn exercise(bytes: &[u8]) -> Result<bool, String> {
    // The loader the command line uses: size limit, BOM, invalid UTF-8 with its position.
    let text = String::from_utf8_lossy(bytes);
    match Scenario::from_bytes(bytes, "fuzz.yaml") {
        Err(e) => located(&e, &text).map(|_| false),
        Ok(s) => {
            let mut plan = (*s.plan).clone();
            // A command line's flags: the caps hold whatever the file says, and are checked by
            // the counting allocator below.
            plan.limits = plan
                .limits
                .from_command_line(Cap::Events, plan.limits.max_events.min(CASE_EVENTS))
                .from_command_line(Cap::Memory, plan.limits.max_memory.min(CASE_CAP_MEMORY));
            let mut s = s.clone();
            s.plan = Arc::new(plan);
            let s = Arc::new(s);
            let _ = Session::check(s.clone()); // passing, failing or stopping at a cap are all fine
            same_run_stepped(&s)?;
            let mut session = Session::new(s, true);
            if session.run().is_err() {
                return Ok(true); // stopped at a cap: `warren export` refuses such a run too
            }
            let _ = warren::export::pika::script(&session, &warren::export::pika::PikaOptions::default());
            let window = warren::export::diagram::Window { from: None, to: None };
            let d = warren::export::diagram::Diagram::from_session(&session, window, warren::explain::Lang::En);
            let _ = warren::export::svg::render(&d);
            let _ = warren::export::mermaid::render(&d);
            Ok(true)
        }
    }
}

/// A run that keeps arrivals aside (`World::run`, `src/world/express.rs`) is the run the TUI
/// steps one event at a time: same hash, steps, clock and cap hit.
fn same_run_stepped(s: &Arc<Scenario>) -> Result<(), String> {
    let mut fast = Session::new(s.clone(), false);
    let fast_cap = fast.run().err();
    let mut plain = Session::new(s.clone(), false);
    let plain_cap = loop {
        match plain.world.step(&mut plain.trace) {
            Ok(Some(_)) => {}
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    let a = (fast.trace.hash(), fast.world.steps, fast.trace.len(), fast_cap);
    let b = (plain.trace.hash(), plain.world.steps, plain.trace.len(), plain_cap);
    if a != b {
        return Err(format!("World::run and stepping differ: {a:?} against {b:?}"));
    }
    Ok(())
}

/// Every error names the file and a line and column that exist in it.
fn located(e: &ScenarioErrors, text: &str) -> Result<(), String> {
    if e.0.is_empty() {
        return Err("rejected with no error".into());
    }
    // Lines as the YAML parser counts them: a CR, an LF or a CR LF ends one, and so do NEL,
    // LINE SEPARATOR and PARAGRAPH SEPARATOR (libyaml follows YAML 1.1 there).
    let lines = text.replace("\r\n", "\n").split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']).count().max(1);
    for x in &e.0 {
        let shown = x.to_string();
        if !shown.starts_with("fuzz.yaml:") || x.message.trim().is_empty() {
            return Err(format!("error without file or words: {shown:?}"));
        }
        if x.pos.line < 1 || x.pos.col < 1 || x.pos.line > lines + 1 {
            return Err(format!("position {}:{} outside the file ({lines} lines): {shown}", x.pos.line, x.pos.col));
        }
    }
    Ok(())
}

/// Runs one case with its ceilings; an `Err` says what went wrong.
fn one_case(case: u64, tally: &Tally) -> Result<(), String> {
    let seeds = bundled::BUNDLED;
    let (_, seed) = seeds[(case % seeds.len() as u64) as usize];
    let (_, other) = seeds[((case / seeds.len() as u64) % seeds.len() as u64) as usize];
    let input = mutate::mutate(seed, other, case);
    if std::env::var_os("WARREN_FUZZ_TRACE").is_some() {
        eprintln!("fuzz: case {case} starts");
    }
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&input)));
    let took = started.elapsed();
    let peak = PEAK.with(Cell::get).saturating_sub(base);
    tally.slowest_us.fetch_max(took.as_micros() as u64, Ordering::Relaxed);
    tally.peak_bytes.fetch_max(peak as u64, Ordering::Relaxed);
    let verdict = match outcome {
        Err(p) => Err(format!("panic: {}", panic_text(&p))),
        Ok(Err(e)) => Err(e),
        Ok(Ok(true)) => Ok(tally.accepted.fetch_add(1, Ordering::Relaxed)),
        Ok(Ok(false)) => Ok(tally.rejected.fetch_add(1, Ordering::Relaxed)),
    };
    let verdict = verdict.and_then(|_| {
        if took > CASE_TIME {
            Err(format!("took {took:?} (ceiling {CASE_TIME:?})"))
        } else if peak > CASE_MEMORY {
            Err(format!("peak memory {} MB (ceiling {} MB)", peak >> 20, CASE_MEMORY >> 20))
        } else {
            Ok(())
        }
    });
    verdict.map_err(|e| {
        keep_failure(case, &input);
        format!("case {case}: {e}")
    })
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

fn failure_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("fuzz-failures")
}

fn keep_failure(case: u64, input: &[u8]) {
    let dir = failure_dir();
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("case-{case}.yaml")), input);
}

#[test]
fn hostile_scenarios_in_process() {
    let start = env_u64("WARREN_FUZZ_START", 0);
    let count = env_u64("WARREN_FUZZ_CASES", 3_000);
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let tally = Tally::default();
    let failures = Mutex::new(Vec::new());
    let began = Instant::now();
    // Silence the default hook: a panic is caught and reported with its case number.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    std::thread::scope(|scope| {
        for j in 0..jobs {
            let (tally, failures) = (&tally, &failures);
            scope.spawn(move || {
                let mut case = start + j;
                while case < start + count {
                    if let Err(e) = one_case(case, tally) {
                        // Said at once too: an abort later would lose the list.
                        eprintln!("fuzz: {e}");
                        failures.lock().unwrap().push(e);
                    }
                    case += jobs;
                }
            });
        }
    });
    std::panic::set_hook(hook);
    let secs = began.elapsed().as_secs_f64();
    println!(
        "fuzz: {count} cases from {start} in {secs:.1} s ({:.0}/s, {jobs} threads): {} accepted, {} rejected; slowest {} ms, peak {} MB",
        count as f64 / secs,
        tally.accepted.load(Ordering::Relaxed),
        tally.rejected.load(Ordering::Relaxed),
        tally.slowest_us.load(Ordering::Relaxed) / 1000,
        tally.peak_bytes.load(Ordering::Relaxed) >> 20,
    );
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed (inputs in {}; replay one with WARREN_FUZZ_START=N WARREN_FUZZ_CASES=1):\n{}",
        failures.len(),
        failure_dir().display(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(tally.accepted.load(Ordering::Relaxed) > 0 || count < 100, "no mutated scenario was accepted: the mutator is too harsh");
}

/// Waits for a child at most `limit`; kills it after that.
fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let began = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if began.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn rejected_scenarios_through_the_binary() {
    let count = env_u64("WARREN_FUZZ_BINARY_CASES", 60);
    let dir = std::env::temp_dir().join(format!("warren-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut case = env_u64("WARREN_FUZZ_START", 0);
    while checked < count && case < 100 * count {
        let seeds = bundled::BUNDLED;
        let (_, seed) = seeds[(case % seeds.len() as u64) as usize];
        let (_, other) = seeds[((case / 7) % seeds.len() as u64) as usize];
        let input = mutate::mutate(seed, other, case);
        let loads = Scenario::from_bytes(&input, "f").is_ok();
        if !loads {
            checked += 1;
            if let Err(e) = through_binary(&dir, case, &input) {
                keep_failure(case, &input);
                failures.push(format!("case {case}: {e}"));
            }
        }
        case += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn through_binary(dir: &std::path::Path, case: u64, input: &[u8]) -> Result<(), String> {
    let name = format!("case-{case}.yaml");
    std::fs::write(dir.join(&name), input).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_warren"))
        .args(["check", &name])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let status = wait_bounded(&mut child, Duration::from_secs(20)).ok_or("hung (killed after 20 s)")?;
    let err = reader.join().unwrap_or_default();
    if status.code() != Some(2) {
        return Err(format!("exit status {status} for a rejected file; stderr: {err}"));
    }
    let prefix = format!("{name}:");
    let located = err.lines().any(|l| {
        l.find(&prefix).is_some_and(|i| {
            let mut parts = l[i + prefix.len()..].splitn(3, ':');
            let (a, b) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            !a.is_empty() && a.chars().all(|c| c.is_ascii_digit()) && !b.is_empty() && b.chars().all(|c| c.is_ascii_digit())
        })
    });
    if !located {
        return Err(format!("no {name}:LINE:COL in the error: {err}"));
    }
    Ok(())
}
