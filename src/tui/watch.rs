//! Live editing: `warren tui FILE` watches the file and reloads it when it is saved.
//!
//! The watcher (notify: inotify on Linux) watches the file's directory, not the file: editors
//! often save by writing a new file and renaming it over the old one, which a watch on the
//! old file would miss. Events for other files in the directory are ignored. Saves arrive as
//! bursts of events; [`Watch::due`] reports a change once the burst has been quiet for
//! [`SETTLE`].

use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// How long after the last event of a save the file is read.
pub const SETTLE: Duration = Duration::from_millis(40);

pub struct Watch {
    _watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    name: std::ffi::OsString,
    /// When the latest relevant event arrived, if not yet reported.
    pending: Option<Instant>,
}

impl Watch {
    pub fn new(file: &Path) -> Result<Watch, String> {
        let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let dir: PathBuf = abs.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        let name = abs.file_name().map(|n| n.to_os_string()).ok_or_else(|| format!("{}: not a file", file.display()))?;
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })
        .map_err(|e| format!("cannot watch {}: {e}", file.display()))?;
        watcher.watch(&dir, RecursiveMode::NonRecursive).map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
        Ok(Watch { _watcher: watcher, events, name, pending: None })
    }

    /// Takes the events that arrived; returns true when the file changed and has been quiet
    /// for [`SETTLE`] since.
    pub fn due(&mut self) -> bool {
        while let Ok(e) = self.events.try_recv() {
            let Ok(e) = e else { continue };
            let ours = e.paths.iter().any(|p| p.file_name() == Some(self.name.as_os_str()));
            let content = !matches!(e.kind, notify::EventKind::Access(_));
            if ours && content {
                self.pending = Some(Instant::now());
            }
        }
        match self.pending {
            Some(t) if t.elapsed() >= SETTLE => {
                self.pending = None;
                true
            }
            _ => false,
        }
    }

    /// Whether a change is waiting to settle (the loop should come back soon).
    pub fn waiting(&self) -> bool {
        self.pending.is_some()
    }
}
