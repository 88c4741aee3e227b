//! `warren run FILE|NAME`: the trace of one run, readable or as JSON Lines.

use crate::explain::{json, text, Lang};
use crate::session::Session;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A scenario file, `-` for standard input, or the name of a bundled scenario.
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
    /// Print only a summary (messages published, delivered, acked, and each final fate with
    /// counts) instead of the trace; the trace is hashed, not kept. With --json: one JSON
    /// object. The wall time and peak memory go to stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
}

pub fn main(a: RunArgs) -> i32 {
    let scenario = match super::load(&a.scenario, a.seed).map(|s| a.limits.apply(s)) {
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
    let mut session = Session::new(scenario.clone(), !a.quiet);
    let started = std::time::Instant::now();
    let result = run_with_progress(&mut session);
    let wall = started.elapsed();
    if a.quiet {
        let summary = Summary::of(&session);
        if a.json {
            super::out::line(&summary.json(&session, wall).to_string());
        } else {
            super::out::print(&summary.text(&session));
        }
        let secs = wall.as_secs_f64().max(1e-9);
        let rss = peak_rss_bytes().map(|b| format!(", peak memory {:.1} MB", b as f64 / 1e6)).unwrap_or_default();
        eprintln!(
            "wall time {:.3}s: {:.2}M events/s, {:.2}M messages/s{rss}",
            secs,
            session.world.steps as f64 / secs / 1e6,
            summary.published as f64 / secs / 1e6
        );
        if let Err(cap) = result {
            eprintln!("error: {} (scenario {}, seed {})", super::cap::message(&cap, &scenario), scenario.name, scenario.seed);
            return 2;
        }
        return 0;
    }
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
    super::out::written(out.flush());
    if let Err(cap) = result {
        eprintln!("error: {} (scenario {}, seed {})", super::cap::message(&cap, &scenario), scenario.name, scenario.seed);
        return 2;
    }
    0
}

/// Runs to the end; past one second of wall time, shows progress on a terminal's stderr.
fn run_with_progress(session: &mut Session) -> Result<(), crate::world::CapHit> {
    use std::io::IsTerminal;
    let started = std::time::Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let until = session.world.plan.until;
    loop {
        if session.world.run_for(65_536, &mut session.trace)? {
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            if let Some(u) = until {
                session.world.queue.advance_to(u);
            }
            return Ok(());
        }
        if bar.is_none() && started.elapsed().as_secs() >= 1 && std::io::stderr().is_terminal() {
            let b = match until {
                Some(u) => {
                    let b = indicatif::ProgressBar::new(u.as_us());
                    b.set_style(
                        indicatif::ProgressStyle::with_template("{spinner} simulated {msg} [{bar:30}] {percent}% ({elapsed})")
                            .unwrap()
                            .progress_chars("=> "),
                    );
                    b
                }
                None => {
                    let b = indicatif::ProgressBar::new_spinner();
                    b.set_style(indicatif::ProgressStyle::with_template("{spinner} simulated {msg} ({elapsed})").unwrap());
                    b
                }
            };
            bar = Some(b);
        }
        if let Some(b) = &bar {
            let now = session.world.now();
            b.set_message(format!("{now} — {} events", session.world.steps));
            if until.is_some() {
                b.set_position(now.as_us());
            } else {
                b.tick();
            }
        }
    }
}

/// The peak resident memory of this process (Linux), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What `--quiet` prints.
#[derive(Debug, Default)]
pub struct Summary {
    pub published: u64,
    pub not_published: u64,
    pub unroutable: u64,
    pub returned: u64,
    pub delivered: u64,
    pub redelivered: u64,
    pub processed: u64,
    pub acked: u64,
    pub auto_acked: u64,
    pub discarded: u64,
    pub dead_lettered: u64,
    pub lost: u64,
    pub lost_in_clients: u64,
    pub still_ready: u64,
    pub still_unacked: u64,
}

impl Summary {
    pub fn of(session: &Session) -> Summary {
        let t = &session.world.tally;
        let (ready, unacked) = session.world.broker.totals();
        Summary {
            published: t.published,
            not_published: t.not_published,
            unroutable: t.unroutable,
            returned: t.returned,
            delivered: t.delivered,
            redelivered: t.redelivered,
            processed: t.processed,
            acked: t.acked,
            auto_acked: t.auto_acked,
            discarded: t.discarded,
            dead_lettered: t.dead_lettered,
            lost: t.lost.saturating_sub(t.restored),
            lost_in_clients: t.client_lost,
            still_ready: ready,
            still_unacked: unacked,
        }
    }

    fn text(&self, s: &Session) -> String {
        let sc = &s.scenario;
        format!(
            "{} (seed {}): ended at {} after {} events; trace hash {:016x}\n\
             messages: {} published ({} not sent), {} unroutable ({} returned), {} delivered ({} redelivered), {} processed\n\
             fates: {} acked, {} auto-acked, {} discarded, {} dead-lettered, {} lost, {} lost in clients; {} still ready, {} still unacked\n",
            sc.name,
            sc.seed,
            s.world.now(),
            s.world.steps,
            s.trace.hash(),
            self.published,
            self.not_published,
            self.unroutable,
            self.returned,
            self.delivered,
            self.redelivered,
            self.processed,
            self.acked,
            self.auto_acked,
            self.discarded,
            self.dead_lettered,
            self.lost,
            self.lost_in_clients,
            self.still_ready,
            self.still_unacked,
        )
    }

    fn json(&self, s: &Session, wall: std::time::Duration) -> serde_json::Value {
        serde_json::json!({
            "scenario": s.scenario.name,
            "seed": s.scenario.seed,
            "ended_us": s.world.now().as_us(),
            "events": s.world.steps,
            "records": s.trace.len(),
            "trace_hash": format!("{:016x}", s.trace.hash()),
            "published": self.published,
            "not_published": self.not_published,
            "unroutable": self.unroutable,
            "returned": self.returned,
            "delivered": self.delivered,
            "redelivered": self.redelivered,
            "processed": self.processed,
            "fates": {
                "acked": self.acked,
                "auto_acked": self.auto_acked,
                "discarded": self.discarded,
                "dead_lettered": self.dead_lettered,
                "lost": self.lost,
                "lost_in_clients": self.lost_in_clients,
                "still_ready": self.still_ready,
                "still_unacked": self.still_unacked,
            },
            "wall_s": wall.as_secs_f64(),
            "peak_rss_bytes": peak_rss_bytes(),
        })
    }
}
