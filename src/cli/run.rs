//! `warren run FILE|NAME`: the trace of one run, readable or as JSON Lines.

use crate::explain::{json, text, Lang};
use crate::session::Session;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A scenario file, or the name of a bundled scenario.
    pub scenario: String,
    /// Seed for every random choice (overrides the scenario's `seed:`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop at this simulated time (overrides the scenario's `until:`), e.g. 2.5s.
    #[arg(long, value_parser = super::parse_duration)]
    pub until: Option<crate::sim::Time>,
    /// Print JSON Lines (one object per event: t_us, seq, kind, fields; see docs/trace.md).
    #[arg(long)]
    pub json: bool,
    /// Language of the readable trace: en or zh.
    #[arg(long, default_value = "en", value_parser = super::parse_lang)]
    pub lang: Lang,
}

pub fn main(a: RunArgs) -> i32 {
    let scenario = match super::load(&a.scenario, a.seed) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let scenario = match a.until {
        Some(u) => {
            let mut s = (*scenario).clone();
            let mut plan = (*s.plan).clone();
            plan.until = Some(u);
            s.plan = std::sync::Arc::new(plan);
            std::sync::Arc::new(s)
        }
        None => scenario,
    };
    let mut session = Session::new(scenario.clone(), true);
    let result = session.run();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let cx = session.ctx(a.lang);
    if !a.json {
        let _ = writeln!(out, "# {} — {} (seed {})", scenario.name, scenario.title(a.lang.code()), scenario.seed);
    }
    let width = text::actor_width(&cx);
    for s in session.trace.records() {
        let r = if a.json { writeln!(out, "{}", json::record(&cx, s)) } else { writeln!(out, "{}", text::line(&cx, s, width)) };
        if r.is_err() {
            return 0; // stdout closed (a pager quit): not an error
        }
    }
    if !a.json {
        let _ = writeln!(
            out,
            "# {} events, {} records, ended at {}, trace hash {:016x}",
            session.world.steps,
            session.trace.len(),
            session.world.now(),
            session.trace.hash()
        );
    }
    let _ = out.flush();
    if let Err(cap) = result {
        eprintln!("error: {cap} (scenario {}, seed {})", scenario.name, scenario.seed);
        return 2;
    }
    0
}
