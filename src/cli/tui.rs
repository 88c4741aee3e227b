//! `warren tui [FILE|NAME] [--share ADDR]`: the terminal UI. Without a scenario, a picker
//! lists the bundled ones in the course's order. A scenario FILE is watched: saving it
//! reloads the run at the same simulated time. `--share` serves the class page.

use crate::explain::Lang;
use crate::tui::app::ShareInfo;
use crate::tui::{App, Extras};
use std::io::IsTerminal;
use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct TuiArgs {
    /// A scenario file, or the name of a bundled scenario; without it, pick one from a list.
    /// A file is watched: save it in an editor and the TUI reloads it.
    pub scenario: Option<String>,
    /// Language of every label, help text and explanation: en or zh (the L key switches).
    #[arg(long, default_value = "en", value_parser = super::parse_lang)]
    pub lang: Lang,
    /// Seed for every random choice (overrides the scenario's `seed:`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Serve a live page of the run for a class at ADDR (e.g. 127.0.0.1:8080, or
    /// 0.0.0.0:8080 on a classroom network), where each device can vote on the questions
    /// with the join code the TUI shows. The page never steers the run.
    #[arg(long, value_name = "ADDR")]
    pub share: Option<String>,
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
}

pub fn main(a: TuiArgs) -> i32 {
    let mut extras = Extras::default();
    let mut app = match &a.scenario {
        Some(s) => match super::load(s, a.seed).map(|s| a.limits.apply(s)) {
            Ok(sc) => {
                if Path::new(s).is_file() {
                    match crate::tui::watch::Watch::new(Path::new(s)) {
                        Ok(w) => {
                            let (file, seed) = (s.clone(), a.seed);
                            let load = move || {
                                crate::scenario::Scenario::load(&file)
                                    .map(|sc| std::sync::Arc::new(if let Some(seed) = seed { sc.with_seed(seed) } else { sc }))
                                    .map_err(|e| e.to_string())
                            };
                            extras.watch = Some((w, Box::new(load)));
                        }
                        Err(e) => eprintln!("warning: {e}; saving the file will not reload it"),
                    }
                }
                App::with_scenario(sc, a.lang)
            }
            Err(code) => return code,
        },
        None => App::picker(a.lang, a.seed),
    };
    app.seed = a.seed;
    app.mono = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("error: `warren tui` needs a terminal; for a trace on stdout use `warren run`");
        return 2;
    }
    if let Some(addr) = &a.share {
        match crate::share::Share::start(addr, crate::share::new_code()) {
            Ok(s) => {
                app.share = Some(ShareInfo { addr: s.addr.clone(), code: s.code.clone() });
                extras.share = Some(s);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        }
    }
    match crate::tui::run_with(app, extras) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: the terminal failed: {e}");
            1
        }
    }
}
