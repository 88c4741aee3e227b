//! `warren check FILE|NAME...`: runs each scenario and checks its `expect:` items.

use crate::session::Session;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Scenario files or bundled names.
    #[arg(required = true)]
    pub scenarios: Vec<String>,
    /// Seed for every random choice (overrides each scenario's `seed:`).
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
}

pub fn main(a: CheckArgs) -> i32 {
    let mut status = 0;
    for arg in &a.scenarios {
        let scenario = match super::load(arg, a.seed).map(|s| a.limits.apply(s)) {
            Ok(s) => s,
            Err(_) => {
                status = 2;
                continue;
            }
        };
        println!("{} (seed {})", scenario.name, scenario.seed);
        if scenario.expects.is_empty() {
            println!("  (no expect: items)");
        }
        match Session::check(scenario.clone()) {
            Ok(outcomes) => {
                let failed = outcomes.iter().filter(|o| !o.pass).count();
                for o in &outcomes {
                    if o.pass {
                        println!("  pass  {}", o.label);
                    } else {
                        println!("  FAIL  {} — found {} ({}:{})", o.label, o.found, scenario.file, o.line);
                    }
                }
                if failed > 0 {
                    println!(
                        "  {failed} of {} failed (seed {}; replay with `warren run {} --seed {}`)",
                        outcomes.len(),
                        scenario.seed,
                        arg,
                        scenario.seed
                    );
                    status = status.max(1);
                }
            }
            Err(cap) => {
                eprintln!("{}: error: {cap} (seed {})", scenario.file, scenario.seed);
                status = 2;
            }
        }
    }
    status
}
