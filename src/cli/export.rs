//! `warren export pika|mermaid|svg FILE|NAME [-o PATH]`: a scenario as a pika script for a
//! real broker, or its run as a sequence diagram (docs/exports.md).

use crate::export::{diagram, mermaid, pika, svg};
use crate::session::Session;
use crate::sim::Time;

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Python script (pika 1.x) that performs the scenario against a real RabbitMQ broker.
    Pika,
    /// A Mermaid sequence diagram of the run.
    Mermaid,
    /// The same sequence diagram drawn as a standalone SVG.
    Svg,
    /// The scenario's topology as a RabbitMQ definitions file (`rabbitmqctl import_definitions`).
    Definitions,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  warren export pika work-queues -o wq.py && python3 wq.py\n  warren export mermaid rpc --to 2s\n  warren export svg rpc -o rpc.svg"
)]
pub struct ExportArgs {
    /// What to write.
    #[arg(value_enum)]
    pub format: Format,
    /// A scenario file, `-` for standard input, or the name of a bundled scenario.
    pub scenario: String,
    /// Write to this file instead of standard output (`-` for standard output).
    #[arg(short = 'o', long = "output", visible_alias = "out", value_name = "PATH")]
    pub output: Option<String>,
    /// Diagrams: start the window at this simulated time (e.g. 1s).
    #[arg(long, value_parser = super::parse_duration)]
    pub from: Option<Time>,
    /// Diagrams: end the window at this simulated time (e.g. 2.5s).
    #[arg(long, value_parser = super::parse_duration)]
    pub to: Option<Time>,
    /// Seed for every random choice (overrides the scenario's `seed:`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// pika: the script's default --time-scale (real seconds per simulated second).
    #[arg(long, default_value_t = pika::DEFAULT_TIME_SCALE)]
    pub time_scale: f64,
    /// Diagrams: language of notes and labels (en or zh).
    #[arg(long, default_value = "en", value_parser = super::parse_lang)]
    pub lang: crate::explain::Lang,
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
}

pub fn main(a: ExportArgs) -> i32 {
    let scenario = match super::load(&a.scenario, a.seed).map(|s| a.limits.apply(s)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if a.format == Format::Pika && (a.from.is_some() || a.to.is_some()) {
        eprintln!("error: --from and --to cut diagrams; a pika script always performs the whole scenario");
        return 2;
    }
    if let (Some(f), Some(t)) = (a.from, a.to) {
        if t < f {
            eprintln!("error: --to ({t}) comes before --from ({f})");
            return 2;
        }
    }
    if !(a.time_scale > 0.0 && a.time_scale.is_finite()) {
        eprintln!("error: --time-scale must be a number above 0");
        return 2;
    }
    let mut session = Session::new(scenario.clone(), true);
    if let Err(cap) = session.run() {
        eprintln!("error: {} (scenario {}, seed {})", super::cap::message(&cap, &scenario), scenario.name, scenario.seed);
        return 2;
    }
    let text = match a.format {
        Format::Definitions => crate::definitions::export::cli_text(&scenario.def),
        Format::Pika => pika::script(&session, &pika::PikaOptions { time_scale: a.time_scale, invoked_as: a.scenario.clone() }),
        Format::Mermaid | Format::Svg => {
            let window = diagram::Window { from: a.from, to: a.to };
            let d = diagram::Diagram::from_session(&session, window, a.lang);
            if a.format == Format::Mermaid {
                mermaid::render(&d)
            } else {
                svg::render(&d)
            }
        }
    };
    match a.output.as_deref().filter(|p| *p != "-") {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("error: cannot write {path}: {e}");
                return 2;
            }
            if a.format == Format::Pika {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
                }
            }
            0
        }
        None => {
            super::out::print(&text);
            0
        }
    }
}
