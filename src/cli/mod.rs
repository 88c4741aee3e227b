//! The command line: one file per subcommand. Exit status: 0 success, 1 a check or property
//! failed, 2 bad input or usage ([`EXIT_STATUSES`], shown in `--help` and the man page).
//!
//! Shell conventions, everywhere: a scenario argument `-` is standard input; `-o PATH`
//! (`--output`, `--out`) writes a file and `-o -` standard output; a closed pipe ends the
//! program quietly ([`out`]); errors in a scenario are drawn with their source
//! ([`diagnostic`]).

pub mod cap;
pub mod check;
pub mod diagnostic;
pub mod diff;
pub mod docs;
pub mod explore;
pub mod export;
pub mod import;
pub mod limits;
pub mod list;
pub mod new;
pub mod out;
pub mod run;
pub mod schema;
pub mod tui;

use crate::scenario::{Scenario, ScenarioErrors};
use clap::{Parser, Subcommand};
use std::sync::Arc;

/// What each exit status means (the same for every subcommand).
pub const EXIT_STATUSES: [(u8, &str); 3] = [
    (0, "success: the run finished, every check passed, nothing broke"),
    (1, "a check failed: an expect: item (check), a difference from the broker (diff), a broken guarantee (explore)"),
    (2, "bad input or usage: an invalid scenario (with file:line:col), a missing file, a bad option, a run that hit a cap"),
];

fn after_long_help() -> String {
    let mut s = String::from(
        "Scenarios: a YAML file, `-` for standard input, or the name of a bundled scenario (`warren list`). \
         Output files: -o/--output PATH (`--out` too), `-o -` for standard output.\n\n\
         Examples:\n  warren run work-queues\n  warren run my-scenario.yaml --seed 3 --json\n  \
         cat my-scenario.yaml | warren check -\n  warren check scenarios/*.yaml\n  warren new my-lesson\n  warren list\n\n\
         Exit status:\n",
    );
    for (code, what) in EXIT_STATUSES {
        s.push_str(&format!("  {code}  {what}\n"));
    }
    s
}

#[derive(Parser, Debug)]
#[command(
    name = "warren",
    version,
    about = "A deterministic simulation and teaching sandbox for RabbitMQ messaging",
    long_about = "warren replays RabbitMQ scenarios (work queues, fair dispatch, fanout, direct, topic, headers, RPC, \
                  crashes and restarts) in a deterministic simulation, and explains why every message went where it went.\n\n\
                  A scenario is a YAML file, or the name of a bundled one (see `warren list`).",
    after_help = "Examples:\n  warren run work-queues\n  warren run my-scenario.yaml --seed 3 --json\n  warren check scenarios/*.yaml\n  warren list\n\n\
                  Exit status: 0 success, 1 a check failed, 2 bad input or usage (--help says more).",
    after_long_help = after_long_help()
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
    /// Import a scenario to start from: `definitions` reads a RabbitMQ definitions export.
    Import(import::ImportArgs),
    /// Run a scenario against a real RabbitMQ broker and in warren, and compare what they show (exit 1 on a difference).
    Diff(diff::DiffArgs),
    /// Try random fault schedules until a guarantee or an expect: item breaks; write the
    /// minimal counterexample as a scenario (exit 0 nothing broke, 1 broken, 2 bad input).
    Explore(explore::ExploreArgs),
    /// Watch a scenario in the terminal: step both ways, inject faults, answer its questions.
    Tui(tui::TuiArgs),
    /// Write a commented scenario to start from (NAME.yaml), or a copy of a bundled one.
    New(new::NewArgs),
    /// Print the JSON Schema of the scenario format (for completion and hover in editors).
    Schema(schema::SchemaArgs),
    /// Print shell completions: bash, zsh, fish, powershell or elvish.
    Completions(docs::CompletionsArgs),
    /// Print the manual page (roff), e.g. `warren man | man -l -`.
    Man(docs::ManArgs),
}

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    out::quiet_on_closed_pipe();
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
        Command::Import(a) => import::main(a),
        Command::Diff(a) => diff::main(a),
        Command::Explore(a) => explore::main(a),
        Command::Tui(a) => tui::main(a),
        Command::New(a) => new::main(a),
        Command::Schema(a) => schema::main(a),
        Command::Completions(a) => docs::completions(a),
        Command::Man(a) => docs::man(a),
    }
}

/// Why a scenario argument did not give a scenario: its errors (with the source, to draw
/// them), or a sentence (no such file or name).
pub enum LoadFailure {
    Invalid { errors: ScenarioErrors, source: Vec<u8> },
    Other(String),
}

impl LoadFailure {
    /// Prints it on stderr: each error with its snippet.
    pub fn print(&self) {
        match self {
            LoadFailure::Invalid { errors, source } => eprintln!("{}", diagnostic::render(errors, source, diagnostic::colour())),
            LoadFailure::Other(m) => eprintln!("error: {m}"),
        }
    }
}

/// Loads a scenario by path, `-` or bundled name (a note on stderr when a bundled name is
/// also a file here).
pub fn try_load(arg: &str, seed: Option<u64>) -> Result<Arc<Scenario>, LoadFailure> {
    let loaded = crate::scenario::read(arg).map_err(|e| LoadFailure::Other(e.to_string()))?;
    if let Some(n) = &loaded.note {
        eprintln!("{n}");
    }
    match Scenario::from_bytes(&loaded.bytes, &loaded.file) {
        Ok(s) => Ok(Arc::new(match seed {
            Some(seed) => s.with_seed(seed),
            None => s,
        })),
        Err(errors) => Err(LoadFailure::Invalid { errors, source: loaded.bytes.into_owned() }),
    }
}

/// Loads a scenario by path, `-` or bundled name, printing its errors on failure (exit
/// status 2).
pub fn load(arg: &str, seed: Option<u64>) -> Result<Arc<Scenario>, i32> {
    try_load(arg, seed).map_err(|f| {
        f.print();
        2
    })
}

/// Parses `--lang`.
pub fn parse_lang(s: &str) -> Result<crate::explain::Lang, String> {
    crate::explain::Lang::parse(s).ok_or_else(|| format!("unknown language `{s}`: expected en or zh"))
}

/// Parses a duration argument.
pub fn parse_duration(s: &str) -> Result<crate::sim::Time, String> {
    crate::sim::Time::parse(s).map_err(|e| e.to_string())
}
