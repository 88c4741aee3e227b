//! `warren tui`: watch a scenario run, step it both ways, inject faults, answer the
//! scenario's questions — in English or Chinese.
//!
//! The state is plain data ([`app::App`]); a key maps to an [`action::Action`] through one
//! table per mode; [`update::update`] is the only thing that changes the state; each panel
//! is one render function of the state ([`render`]). Time travel lives in [`timeline`]:
//! snapshots every N events and replay from the nearest one. The TUI adds no behaviour to
//! the engine: stepping it to the end gives the trace `warren run` prints.
//!
//! The terminal is restored on exit, on error, and on panic (ratatui's panic hook, plus a
//! guard that restores it when the loop returns).

pub mod action;
pub mod app;
pub mod i18n;
pub mod lessons;
pub mod model;
pub mod render;
pub mod text;
pub mod timeline;
pub mod topo;
pub mod update;
pub mod watch;
pub mod web;

pub use action::{map_key, Action};
pub use app::App;
pub use update::update;

use crossterm::event::{self, Event};
use ratatui::backend::Backend;
use ratatui::Terminal;
use std::io;
use std::time::{Duration, Instant};

/// Restores the terminal when dropped (normal exit and errors; panics are covered by the
/// hook `ratatui::try_init` installs).
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// What runs beside the keys: the watched scenario file and the class page.
#[derive(Default)]
pub struct Extras {
    /// The file being edited, and how to load it again (with the command line's seed).
    pub watch: Option<(watch::Watch, Box<Loader>)>,
    pub share: Option<crate::share::Share>,
    /// The view last published to the page (rebuilt only when this changes).
    published: Option<web::ViewKey>,
}

/// Loads the watched scenario again.
pub type Loader = dyn Fn() -> Result<std::sync::Arc<crate::scenario::Scenario>, String>;

impl Extras {
    fn active(&self) -> bool {
        self.watch.is_some() || self.share.is_some()
    }

    /// Reloads a saved file, publishes the view, and reads the class's votes. The event
    /// loop calls it before every frame.
    pub fn service(&mut self, app: &mut App) {
        if let Some((w, load)) = &mut self.watch {
            if w.due() {
                update::reload(app, load());
            }
        }
        let Some(share) = &self.share else { return };
        let key = web::view_key(app);
        if key != self.published {
            if let Some(v) = web::view(app) {
                share.publish(&v);
            }
            self.published = key;
        }
        let Some((note, choices, id)) = app.run().and_then(|r| {
            let q = r.quiz?;
            let n = r.scenario().notes.get(q.note as usize)?.choices.len();
            Some((q.note, n, web::question_id(r, q.note)))
        }) else {
            return;
        };
        update::votes(app, note, share.tally(&id, choices));
    }
}

/// Takes over the terminal and runs until the person quits.
pub fn run(app: App) -> io::Result<()> {
    run_with(app, Extras::default())
}

/// [`run`], with a watched file and/or a class page.
pub fn run_with(app: App, extras: Extras) -> io::Result<()> {
    // The guard first: if setting up fails half-way (raw mode on, no alternate screen), the
    // terminal is still put back.
    let _restore = Restore;
    let mut terminal = ratatui::try_init()?;
    event_loop_with(&mut terminal, app, extras)
}

/// Draw, wait for a key or the next tick, update; until `quit`.
pub fn event_loop<B: Backend>(terminal: &mut Terminal<B>, app: App) -> io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    event_loop_with(terminal, app, Extras::default())
}

/// How often the loop looks at the watched file and the votes when nothing else happens.
const SERVICE_EVERY: Duration = Duration::from_millis(50);

/// The event loop, servicing `extras` between keys.
pub fn event_loop_with<B: Backend>(terminal: &mut Terminal<B>, mut app: App, mut extras: Extras) -> io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut last_play = Instant::now();
    loop {
        extras.service(&mut app);
        terminal.draw(|f| render::draw(f, &app)).map_err(io::Error::other)?;
        if app.quit {
            return Ok(());
        }
        let mut timeout = if app.busy() {
            Duration::ZERO
        } else if let Some(iv) = app.play_interval() {
            iv.saturating_sub(last_play.elapsed())
        } else {
            Duration::from_millis(500)
        };
        if extras.active() {
            timeout = timeout.min(SERVICE_EVERY);
        }
        if event::poll(timeout)? {
            // Take every event already waiting before drawing again (key repeat, resizes).
            loop {
                match event::read()? {
                    Event::Key(k) => {
                        if let Some(a) = map_key(&app, k) {
                            update(&mut app, a);
                        }
                    }
                    Event::Resize(..) => {}
                    _ => {}
                }
                if app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else if app.busy() {
            update(&mut app, Action::Tick);
        }
        match app.play_interval() {
            Some(iv) if last_play.elapsed() >= iv => {
                update(&mut app, Action::PlayStep);
                last_play = Instant::now();
            }
            Some(_) => {}
            None => last_play = Instant::now(),
        }
    }
}
