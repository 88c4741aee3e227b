//! `warren explore FILE|NAME`: random fault schedules over a scenario until one breaks a
//! guarantee or an `expect:` item; the failure is shrunk to a minimal counterexample and
//! written as a scenario file.

use crate::explore::{explore, ExploreConfig, Explored};
use crate::guarantees::Guarantee;
use std::io::IsTerminal;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct ExploreArgs {
    /// A scenario file, `-` for standard input, or the name of a bundled scenario.
    pub scenario: String,
    /// How many random fault schedules to try.
    #[arg(long, default_value_t = 200)]
    pub cases: u32,
    /// Seed of the exploration (which schedules are tried).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to write the counterexample (default: NAME.counterexample.yaml; `-` for
    /// standard output, the report then going to stderr).
    #[arg(short = 'o', long = "output", visible_alias = "out", value_name = "PATH")]
    pub out: Option<String>,
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
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
}

fn parse_guarantee(s: &str) -> Result<Guarantee, String> {
    Guarantee::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Guarantee::ALL.iter().map(|g| g.name()).collect();
        format!("unknown guarantee `{s}`: expected one of {}", all.join(", "))
    })
}

pub fn main(a: ExploreArgs) -> i32 {
    let scenario = match super::load(&a.scenario, None).map(|s| a.limits.apply(s)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut guarantees = if a.no_invariants { Vec::new() } else { Guarantee::INVARIANTS.to_vec() };
    for g in &a.guarantees {
        if !guarantees.contains(g) {
            guarantees.push(*g);
        }
    }
    let cfg = ExploreConfig { cases: a.cases, seed: a.seed, guarantees, expect_items: !a.ignore_expect, ..ExploreConfig::default() };
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(a.cases as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} cases ({per_sec})")
                .unwrap()
                .progress_chars("=> "),
        );
        b.set_message(format!("exploring {}", scenario.name));
        Some(b)
    } else {
        None
    };
    let started = Instant::now();
    let result = explore(&scenario, &cfg, |n, shrinking| {
        if let Some(b) = &bar {
            if shrinking {
                b.set_message(format!("shrinking a failure of {}", scenario.name));
                b.tick();
            } else {
                b.set_position(n as u64);
            }
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    match result {
        Err(e) => {
            eprintln!("error: {e} (scenario {}, exploration seed {})", scenario.name, a.seed);
            2
        }
        Ok(Explored::Held { cases }) => {
            println!(
                "{}: {cases} random fault schedules, nothing broke ({:.1}s, {:.0} cases/s, exploration seed {})",
                scenario.name,
                secs,
                cases as f64 / secs.max(1e-9),
                a.seed
            );
            0
        }
        Ok(Explored::Broke(ce)) => {
            let path = a.out.clone().unwrap_or_else(|| format!("{}.counterexample.yaml", scenario.name));
            // With `-o -` the counterexample goes to stdout, so the report goes to stderr.
            let say = |line: String| if path == "-" { eprintln!("{line}") } else { super::out::line(&line) };
            say(format!("{}: broken after {} case(s) (exploration seed {}):", scenario.name, ce.cases_before, a.seed));
            say(format!("  {}", ce.broken.what));
            let added: Vec<String> = ce.file.faults.iter().skip(scenario.def.faults.len()).map(crate::explore::faults::describe).collect();
            say(format!(
                "  minimal faults: {}",
                if added.is_empty() { "none (the scenario's own seed)".to_string() } else { added.join("; ") }
            ));
            let yaml = format!("# Written by `warren explore {}` (exploration seed {}).\n{}", a.scenario, a.seed, ce.file.to_yaml());
            if path == "-" {
                super::out::print(&yaml);
                return 1;
            }
            match std::fs::write(&path, yaml) {
                Ok(()) => println!(
                    "  wrote {path}: replay it with `warren run {path}` or `warren tui {path}`; `warren check {path}` fails the same way"
                ),
                Err(e) => {
                    eprintln!("error: could not write {path}: {e}");
                    return 2;
                }
            }
            1
        }
    }
}
