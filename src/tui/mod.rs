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
pub mod model;
pub mod render;
pub mod text;
pub mod timeline;
pub mod update;

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

/// Takes over the terminal and runs until the person quits.
pub fn run(app: App) -> io::Result<()> {
    // The guard first: if setting up fails half-way (raw mode on, no alternate screen), the
    // terminal is still put back.
    let _restore = Restore;
    let mut terminal = ratatui::try_init()?;
    event_loop(&mut terminal, app)
}

/// Draw, wait for a key or the next tick, update; until `quit`.
pub fn event_loop<B: Backend>(terminal: &mut Terminal<B>, mut app: App) -> io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut last_play = Instant::now();
    loop {
        terminal.draw(|f| render::draw(f, &app)).map_err(io::Error::other)?;
        if app.quit {
            return Ok(());
        }
        let timeout = if app.busy() {
            Duration::ZERO
        } else if let Some(iv) = app.play_interval() {
            iv.saturating_sub(last_play.elapsed())
        } else {
            Duration::from_millis(500)
        };
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
