//! `warren explore FILE|NAME`: random fault schedules over a scenario until one breaks a
//! guarantee or an `expect:` item; the failure is shrunk to a minimal counterexample and
//! written as a scenario file.
//!
//! `--jobs N` runs cases on N threads (default: every core), `--shard K/N` only the K-th of
//! N disjoint slices of the campaign, `--time DUR` stops claiming cases once DUR of wall
//! time has passed, `--json` prints one summary object. What is found and every figure
//! printed (but the wall time) are the same for any `--jobs`.

use crate::explore::campaign::Progress;
use crate::explore::{explore, file_stem, Campaign, Counterexample, ExploreConfig, Shard};
use crate::guarantees::Guarantee;
use crate::scenario::Scenario;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct ExploreArgs {
    /// A scenario file, `-` for standard input, or the name of a bundled scenario.
    pub scenario: String,
    /// How many random fault schedules the campaign holds (all shards together).
    #[arg(long, default_value_t = 200)]
    pub cases: u32,
    /// Seed of the exploration (which schedules are tried).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to write the counterexample (default: NAME.counterexample.yaml, NAME made safe;
    /// `-` for standard output, the report then going to stderr).
    #[arg(short = 'o', long = "output", visible_alias = "out", value_name = "PATH")]
    pub out: Option<String>,
    /// Overwrite the counterexample file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Check only the scenario's own expect: items, not the broker's guarantees.
    #[arg(long, conflicts_with = "ignore_expect")]
    pub no_invariants: bool,
    /// Check only the guarantees, not the scenario's own expect: items.
    #[arg(long)]
    pub ignore_expect: bool,
    /// Also check this guarantee (repeatable): conservation, at-most-once, at-least-once,
    /// exactly-once, redelivered-flag, prefetch, no-loss.
    #[arg(long = "guarantee", value_parser = parse_guarantee)]
    pub guarantees: Vec<Guarantee>,
    /// Worker threads (default: every core). Results are the same for any N.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Run only the K-th of N disjoint slices of the campaign (cases whose index is K-1
    /// modulo N), e.g. one per machine; the union of the N shards is the whole campaign.
    #[arg(long, value_parser = Shard::parse, default_value = "1/1")]
    pub shard: Shard,
    /// Stop starting new cases after this much wall time (e.g. 30s, 5m); the cases that ran
    /// are reported, with the results a run of that many cases gives.
    #[arg(long, value_parser = super::parse_duration)]
    pub time: Option<crate::sim::Time>,
    /// Print one JSON summary object on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show progress on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
}

fn parse_guarantee(s: &str) -> Result<Guarantee, String> {
    Guarantee::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Guarantee::ALL.iter().map(|g| g.name()).collect();
        format!("unknown guarantee `{s}`: expected one of {}", all.join(", "))
    })
}

fn config(a: &ExploreArgs) -> ExploreConfig {
    let mut guarantees = if a.no_invariants { Vec::new() } else { Guarantee::INVARIANTS.to_vec() };
    for g in &a.guarantees {
        if !guarantees.contains(g) {
            guarantees.push(*g);
        }
    }
    let jobs = a.jobs.map(|j| j as usize).unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    ExploreConfig {
        cases: a.cases,
        seed: a.seed,
        guarantees,
        expect_items: !a.ignore_expect,
        jobs,
        shard: a.shard,
        time: a.time.map(|t| Duration::from_micros(t.as_us())),
        ..ExploreConfig::default()
    }
}

fn progress_bar(a: &ExploreArgs, scenario: &Scenario, cfg: &ExploreConfig) -> Option<indicatif::ProgressBar> {
    if !(a.progress || std::io::stderr().is_terminal()) {
        return None;
    }
    let b = indicatif::ProgressBar::with_draw_target(Some(cfg.shard.len(cfg.cases) as u64), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} cases ({per_sec})") {
        b.set_style(style.progress_chars("=> "));
    }
    b.set_message(format!("exploring {} on {} thread(s)", scenario.name, cfg.jobs));
    Some(b)
}

pub fn main(a: ExploreArgs) -> i32 {
    let scenario = match super::load(&a.scenario, None).map(|s| a.limits.apply(s)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let cfg = config(&a);
    let bar = progress_bar(&a, &scenario, &cfg);
    let started = Instant::now();
    let on_progress = |p: Progress| {
        if let Some(b) = &bar {
            match p {
                Progress::Cases(n) => b.set_position(n as u64),
                Progress::Shrinking(n) => {
                    b.set_message(format!("shrinking a failure of {} ({n} tries)", scenario.name));
                    b.tick();
                }
            }
        }
    };
    let result = explore(&scenario, &cfg, &on_progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    let c = match result {
        Err(e) => {
            eprintln!("error: {e} (scenario {}, exploration seed {})", scenario.name, a.seed);
            return 2;
        }
        Ok(c) => c,
    };
    let written = match &c.counterexample {
        Some(ce) => match write_counterexample(&a, &scenario, ce) {
            Ok(path) => path,
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        },
        None => None,
    };
    // With `-o -` the counterexample goes to stdout, so the report goes to stderr.
    let to_stdout = a.out.as_deref() == Some("-");
    let say = |line: &str| if to_stdout { eprintln!("{line}") } else { super::out::line(line) };
    if a.json {
        say(&summary_json(&scenario, &cfg, &c, secs, written.as_deref()).to_string());
    } else {
        print_text(&scenario, &cfg, &c, secs, written.as_deref(), &say);
    }
    if let (true, Some(ce)) = (to_stdout, &c.counterexample) {
        super::out::print(&counterexample_yaml(&a, ce));
    }
    if c.counterexample.is_some() {
        1
    } else {
        0
    }
}

/// The summary object of `--json`.
fn summary_json(scenario: &Scenario, cfg: &ExploreConfig, c: &Campaign, secs: f64, written: Option<&str>) -> serde_json::Value {
    let ce = c.counterexample.as_deref();
    serde_json::json!({
        "scenario": scenario.name,
        "seed": cfg.seed,
        "shard": cfg.shard.to_string(),
        "cases": c.cases,
        "events": c.events,
        "wall_s": secs,
        "jobs": cfg.jobs,
        "failed": ce.map(|ce| ce.index),
        "out_of_time": c.out_of_time,
        "broken": ce.map(|ce| ce.broken.what.clone()),
        "guarantee": ce.and_then(|ce| ce.broken.guarantee.map(|g| g.name())),
        "minimal_faults": ce.map(|ce| added_faults(scenario, ce)),
        "counterexample": written,
        "peak_rss_bytes": super::run::peak_rss_bytes(),
    })
}

fn added_faults(scenario: &Scenario, ce: &Counterexample) -> Vec<String> {
    ce.file.faults.iter().skip(scenario.def.faults.len()).map(crate::explore::faults::describe).collect()
}

fn print_text(scenario: &Scenario, cfg: &ExploreConfig, c: &Campaign, secs: f64, written: Option<&str>, say: &dyn Fn(&str)) {
    let shard = if cfg.shard == Shard::WHOLE { String::new() } else { format!(", shard {}", cfg.shard) };
    let rate = format!(
        "{:.1}s, {:.0} cases/s, {:.2}M events/s, {} thread(s)",
        secs,
        c.cases as f64 / secs.max(1e-9),
        c.events as f64 / secs.max(1e-9) / 1e6,
        cfg.jobs
    );
    match &c.counterexample {
        None => {
            let budget = if c.out_of_time { " (the time budget ran out)" } else { "" };
            say(&format!(
                "{}: {} random fault schedules, {} events, nothing broke{budget} ({rate}, exploration seed {}{shard})",
                scenario.name, c.cases, c.events, cfg.seed
            ));
        }
        Some(ce) => {
            say(&format!(
                "{}: broken by case {} after {} case(s), {} events (exploration seed {}{shard}; {rate}):",
                scenario.name, ce.index, ce.cases_before, c.events, cfg.seed
            ));
            say(&format!("  {}", ce.broken.what));
            let added = added_faults(scenario, ce);
            say(&format!(
                "  minimal faults: {}",
                if added.is_empty() { "none (the scenario's own seed)".to_string() } else { added.join("; ") }
            ));
            if let Some(path) = written {
                say(&format!(
                    "  wrote {path}: replay it with `warren run {path}` or `warren tui {path}`; `warren check {path}` fails the same way"
                ));
            }
        }
    }
}

fn counterexample_yaml(a: &ExploreArgs, ce: &Counterexample) -> String {
    format!("# Written by `warren explore` (exploration seed {}, case {}).\n{}", a.seed, ce.index, ce.file.to_yaml())
}

/// Writes the counterexample (`Ok(None)`: it goes to standard output, `-o -`); never over
/// an existing file unless `--force`.
fn write_counterexample(a: &ExploreArgs, scenario: &Scenario, ce: &Counterexample) -> Result<Option<String>, String> {
    if a.out.as_deref() == Some("-") {
        return Ok(None);
    }
    let path = a.out.clone().unwrap_or_else(|| format!("{}.counterexample.yaml", file_stem(&scenario.name)));
    let yaml = counterexample_yaml(a, ce);
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if a.force {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let mut file = open.open(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            format!("{path} exists: not overwritten (pass --force to overwrite it, or --out to write elsewhere)")
        }
        _ => format!("could not write {path}: {e}"),
    })?;
    file.write_all(yaml.as_bytes()).map_err(|e| format!("could not write {path}: {e}"))?;
    Ok(Some(path))
}
