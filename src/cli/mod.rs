//! The command line: one file per subcommand. Exit status: 0 success, 1 a check or property
//! failed, 2 bad input or usage.

pub mod check;
pub mod diff;
pub mod explore;
pub mod export;
pub mod limits;
pub mod list;
pub mod run;
pub mod tui;

use crate::scenario::{LoadError, Scenario};
use clap::{Parser, Subcommand};
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "warren",
    version,
    about = "A deterministic simulation and teaching sandbox for RabbitMQ messaging",
    long_about = "warren replays RabbitMQ scenarios (work queues, fair dispatch, fanout, direct, topic, headers, RPC, \
                  crashes and restarts) in a deterministic simulation, and explains why every message went where it went.\n\n\
                  A scenario is a YAML file, or the name of a bundled one (see `warren list`).",
    after_help = "Examples:\n  warren run work-queues\n  warren run my-scenario.yaml --seed 3 --json\n  warren check scenarios/*.yaml\n  warren list"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario and print its trace: one event a line, with time, actor, what and why.
    Run(run::RunArgs),
    /// Run scenarios and check their `expect:` items (exit 0 all pass, 1 any fails, 2 bad file).
    Check(check::CheckArgs),
    /// List the bundled scenarios.
    List(list::ListArgs),
    /// Export a scenario: a pika script for a real broker, or a run as a Mermaid or SVG sequence diagram.
    Export(export::ExportArgs),
    /// Run a scenario against a real RabbitMQ broker and in warren, and compare what they show (exit 1 on a difference).
    Diff(diff::DiffArgs),
    /// Try random fault schedules until a guarantee or an expect: item breaks; write the
    /// minimal counterexample as a scenario (exit 0 nothing broke, 1 broken, 2 bad input).
    Explore(explore::ExploreArgs),
    /// Watch a scenario in the terminal: step both ways, inject faults, answer its questions.
    Tui(tui::TuiArgs),
}

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Run(a) => run::main(a),
        Command::Check(a) => check::main(a),
        Command::List(a) => list::main(a),
        Command::Export(a) => export::main(a),
        Command::Diff(a) => diff::main(a),
        Command::Explore(a) => explore::main(a),
        Command::Tui(a) => tui::main(a),
    }
}

/// Loads a scenario by path or bundled name, printing a located error on failure.
pub fn load(arg: &str, seed: Option<u64>) -> Result<Arc<Scenario>, i32> {
    match Scenario::load(arg) {
        Ok(s) => Ok(Arc::new(match seed {
            Some(seed) => s.with_seed(seed),
            None => s,
        })),
        Err(LoadError::Invalid(errs)) => {
            eprintln!("{errs}");
            Err(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(2)
        }
    }
}

/// Parses `--lang`.
pub fn parse_lang(s: &str) -> Result<crate::explain::Lang, String> {
    crate::explain::Lang::parse(s).ok_or_else(|| format!("unknown language `{s}`: expected en or zh"))
}

/// Parses a duration argument.
pub fn parse_duration(s: &str) -> Result<crate::sim::Time, String> {
    crate::sim::Time::parse(s).map_err(|e| e.to_string())
}
