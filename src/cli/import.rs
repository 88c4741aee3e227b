//! `warren import definitions FILE.json [--vhost V] [-o PATH]`: a RabbitMQ definitions export
//! as a scenario to start from (docs/definitions.md). `warren export definitions` is the
//! other way.

use crate::definitions::import::{import, ImportOptions};

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(clap::Subcommand, Debug)]
pub enum Source {
    /// A definitions file (`rabbitmqctl export_definitions FILE`, the management UI's "Export
    /// definitions"): one vhost's exchanges, queues and bindings, policies resolved into the
    /// queues' effective arguments and said in comments.
    #[command(
        after_help = "Examples:\n  rabbitmqctl export_definitions defs.json && warren import definitions defs.json -o topology.yaml\n  warren import definitions defs.json --vhost orders"
    )]
    Definitions(DefinitionsArgs),
}

#[derive(clap::Args, Debug)]
pub struct DefinitionsArgs {
    /// The definitions file (JSON); `-` for standard input.
    pub file: String,
    /// The vhost that becomes the scenario.
    #[arg(long, default_value = "/")]
    pub vhost: String,
    /// Write the scenario to this file instead of standard output (`-`: standard output).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<String>,
    /// The scenario's name [default: the file's name].
    #[arg(long)]
    pub name: Option<String>,
}

/// A scenario name from a file path: its stem, in the characters names usually have.
fn name_from(path: &str) -> String {
    let stem = std::path::Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let clean: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).take(64).collect();
    if clean.is_empty() || path == "-" {
        "imported-definitions".into()
    } else {
        clean
    }
}

fn read(file: &str) -> Result<String, String> {
    use std::io::Read;
    let limit = crate::definitions::MAX_FILE_BYTES as u64 + 1;
    let mut text = String::new();
    let res = if file == "-" {
        std::io::stdin().take(limit).read_to_string(&mut text)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(limit).read_to_string(&mut text))
    };
    res.map(|_| text).map_err(|e| format!("cannot read {file}: {e}"))
}

pub fn main(a: ImportArgs) -> i32 {
    let Source::Definitions(a) = a.source;
    let text = match read(&a.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let name = a.name.clone().unwrap_or_else(|| name_from(&a.file));
    let opts = ImportOptions { vhost: a.vhost.clone(), name, source: a.file.clone() };
    let imported = match import(&text, &opts) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {}: {e}", a.file);
            return 2;
        }
    };
    eprintln!(
        "imported vhost {:?}: {} exchanges, {} queues, {} bindings ({} notes in the file's comments)",
        a.vhost,
        imported.exchanges.len(),
        imported.queues.len(),
        imported.bindings.len(),
        imported.notes.len() + imported.queues.iter().map(|q| q.notes.len()).sum::<usize>()
    );
    write_output(a.output.as_deref(), &imported.yaml)
}

fn write_output(path: Option<&str>, text: &str) -> i32 {
    match path {
        Some(p) if p != "-" => match std::fs::write(p, text) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: cannot write {p}: {e}");
                2
            }
        },
        _ => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(text.as_bytes());
            0
        }
    }
}
