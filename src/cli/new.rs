//! `warren new NAME [--from BUNDLED]`: writes `NAME.yaml`, a commented scenario to start
//! from (or a copy of a bundled one under the new name).

use crate::scenario::{bundled, suggest};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  warren new my-lesson && warren run my-lesson.yaml\n  \
                        warren new my-rpc --from rpc\n  warren new scratch -o - | less")]
pub struct NewArgs {
    /// The scenario's name (letters, digits, `-`, `_`, `.`); the file is NAME.yaml.
    pub name: String,
    /// Start from this bundled scenario instead of the commented template (see `warren list`).
    #[arg(long, value_name = "BUNDLED")]
    pub from: Option<String>,
    /// Write to this file instead of NAME.yaml (`-` for standard output).
    #[arg(short = 'o', long = "output", visible_alias = "out", value_name = "PATH")]
    pub output: Option<String>,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// The commented template: a work queue with two workers, every section shown.
pub const TEMPLATE: &str = r#"# yaml-language-server: $schema=warren.schema.json
# A warren scenario (docs/scenarios.md lists every key). `warren schema -o warren.schema.json`
# writes the schema the line above points at: completion and hover in VS Code and Neovim.
#   warren run NAME.yaml      the trace, with why each message went where it went
#   warren check NAME.yaml    the expect: items below
#   warren tui NAME.yaml      step through it
name: NAME
title:
  en: "NAME: two workers share a queue"
  zh: "NAME：两个工作者共享一个队列"
seed: 1                        # every random choice comes from this seed

# What the scenario's setup declares at time 0.
queues:
  - name: tasks
    durable: true              # survives a broker restart
    # arguments: { x-max-length: 10, x-overflow: reject-publish }

# Clients. Durations always have a unit: 250ms, 1.5s, 2m.
producers:
  - name: producer
    publish:
      - { at: 100ms, key: tasks, body: "task {n}", count: 4, every: 100ms, persistent: true }

consumers:
  - { name: worker1, queue: tasks, ack: manual, prefetch: 1, work: 1s }
  - { name: worker2, queue: tasks, ack: manual, prefetch: 1, work: 1s }

# Faults: crash, restart, stop, delay, partition.
faults:
  - { at: 1500ms, crash: worker1 }

# Classroom notes: narration, or a question the TUI pauses on.
notes:
  - at: 1500ms
    text: "worker1 crashes while working: its unacked task goes back to the queue."

# What the run must show (`warren check`).
expect:
  - { consumer: worker2, count: 3 }
  - { guarantee: at-least-once }
"#;

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 255 && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The text `warren new` writes.
pub fn text(name: &str, from: Option<&str>) -> Result<String, String> {
    match from {
        None => Ok(TEMPLATE.replace("NAME", name)),
        Some(b) => {
            let Some(src) = bundled::get(b) else {
                let hint = suggest::did_you_mean(b, bundled::names()).unwrap_or_else(|| "see `warren list`".into());
                return Err(format!("no bundled scenario called `{b}`: {hint}"));
            };
            let body: String = src
                .lines()
                .map(|l| if l.starts_with("name:") { format!("name: {name}") } else { l.to_string() })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(format!(
                "# yaml-language-server: $schema=warren.schema.json\n# Started from the bundled scenario `{b}` (`warren new {name} --from {b}`).\n{body}\n"
            ))
        }
    }
}

pub fn main(a: NewArgs) -> i32 {
    if !valid_name(&a.name) {
        eprintln!("error: `{}` is not a scenario name: use letters, digits, `-`, `_` and `.`", a.name);
        return 2;
    }
    let text = match text(&a.name, a.from.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let path = a.output.clone().unwrap_or_else(|| format!("{}.yaml", a.name));
    if path != "-" && !a.force && std::path::Path::new(&path).exists() {
        eprintln!("error: {path} exists; pass --force to replace it");
        return 2;
    }
    let status = super::out::to(Some(&path), &text);
    if status == 0 && path != "-" {
        eprintln!("wrote {path}: try `warren run {path}`; `warren schema -o warren.schema.json` gives your editor completion");
    }
    status
}
