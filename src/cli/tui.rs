//! `warren tui [FILE|NAME]`: the terminal UI. Without a scenario, a picker lists the bundled
//! ones.

use crate::explain::Lang;
use crate::tui::App;
use std::io::IsTerminal;

#[derive(clap::Args, Debug)]
pub struct TuiArgs {
    /// A scenario file, or the name of a bundled scenario; without it, pick one from a list.
    pub scenario: Option<String>,
    /// Language of every label, help text and explanation: en or zh (the L key switches).
    #[arg(long, default_value = "en", value_parser = super::parse_lang)]
    pub lang: Lang,
    /// Seed for every random choice (overrides the scenario's `seed:`).
    #[arg(long)]
    pub seed: Option<u64>,
}

pub fn main(a: TuiArgs) -> i32 {
    let app = match &a.scenario {
        Some(s) => match super::load(s, a.seed) {
            Ok(sc) => App::with_scenario(sc, a.lang),
            Err(code) => return code,
        },
        None => App::picker(a.lang, a.seed),
    };
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("error: `warren tui` needs a terminal; for a trace on stdout use `warren run`");
        return 2;
    }
    match crate::tui::run(app) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: the terminal failed: {e}");
            1
        }
    }
}
