//! `warren check FILE|NAME|-...`: runs each scenario and checks its `expect:` items.

use super::LoadFailure;
use crate::session::Session;
use serde_json::json;

#[derive(clap::Args, Debug)]
#[command(after_help = "Exit status: 0 every item passed, 1 an item failed, 2 a scenario is invalid or hit a cap.\n\n\
                        Examples:\n  warren check scenarios/*.yaml\n  warren check - < my-scenario.yaml\n  \
                        warren check my-scenario.yaml --json | jq .status")]
pub struct CheckArgs {
    /// Scenario files, bundled names, or `-` for standard input.
    #[arg(required = true)]
    pub scenarios: Vec<String>,
    /// Seed for every random choice (overrides each scenario's `seed:`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print JSON Lines: one object per scenario with its status (pass, fail, invalid,
    /// error), its items, or its errors with file, line, column and suggestion.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
}

/// One scenario's result: its exit status and, with `--json`, its object.
fn check_one(arg: &str, a: &CheckArgs) -> (i32, serde_json::Value) {
    let scenario = match super::try_load(arg, a.seed).map(|s| a.limits.apply(s)) {
        Ok(s) => s,
        Err(f) => {
            let errors = match &f {
                LoadFailure::Invalid { errors, .. } => errors
                    .0
                    .iter()
                    .map(|e| json!({ "file": e.file, "line": e.pos.line, "col": e.pos.col, "message": e.message, "help": e.help }))
                    .collect(),
                LoadFailure::Other(m) => vec![json!({ "message": m })],
            };
            if !a.json {
                f.print();
            }
            return (2, json!({ "scenario": arg, "status": "invalid", "errors": errors }));
        }
    };
    let head = json!({ "scenario": arg, "name": scenario.name, "file": scenario.file, "seed": scenario.seed });
    let say = |s: String| {
        if !a.json {
            super::out::line(&s);
        }
    };
    say(format!("{} (seed {})", scenario.name, scenario.seed));
    if scenario.expects.is_empty() {
        say("  (no expect: items)".to_string());
    }
    let outcomes = match Session::check(scenario.clone()) {
        Ok(o) => o,
        Err(cap) => {
            let m = super::cap::message(&cap, &scenario);
            if !a.json {
                eprintln!("{}: error: {m} (seed {})", scenario.file, scenario.seed);
            }
            let mut v = head;
            v["status"] = json!("error");
            v["errors"] = json!([{ "message": m }]);
            return (2, v);
        }
    };
    let failed = outcomes.iter().filter(|o| !o.pass).count();
    for o in &outcomes {
        if o.pass {
            say(format!("  pass  {}", o.label));
        } else {
            say(format!("  FAIL  {} — found {} ({}:{})", o.label, o.found, scenario.file, o.line));
        }
    }
    if failed > 0 {
        say(format!(
            "  {failed} of {} failed (seed {}; replay with `warren run {arg} --seed {}`)",
            outcomes.len(),
            scenario.seed,
            scenario.seed
        ));
    }
    let mut v = head;
    v["status"] = json!(if failed > 0 { "fail" } else { "pass" });
    v["items"] =
        outcomes.iter().map(|o| json!({ "label": o.label, "pass": o.pass, "found": o.found, "line": o.line })).collect::<Vec<_>>().into();
    (if failed > 0 { 1 } else { 0 }, v)
}

pub fn main(a: CheckArgs) -> i32 {
    let mut status = 0;
    for arg in &a.scenarios {
        let (code, v) = check_one(arg, &a);
        if a.json {
            super::out::line(&v.to_string());
        }
        status = status.max(code);
    }
    status
}
