//! The application state: plain data. [`super::update::update`] is the only thing that
//! changes it; the render functions only read it.

use super::i18n::L;
use super::lessons;
use super::timeline::Timeline;
use super::topo::{Preview, Topo};
use crate::explain::Lang;
use crate::ids::MsgId;
use crate::scenario::{bundled, Scenario};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Playing speeds, in events per second.
pub const SPEEDS: &[f64] = &[0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0];
/// The speed a run starts with (index into [`SPEEDS`]).
pub const DEFAULT_SPEED: usize = 2;
/// How many events a long run processes between two frames.
pub const RUN_BUDGET: u64 = 100_000;

pub struct App {
    pub lang: Lang,
    pub screen: Screen,
    pub help: bool,
    pub quit: bool,
    /// A message for the status line, until the next action.
    pub flash: Option<String>,
    /// Seed given on the command line, for scenarios opened from the picker.
    pub seed: Option<u64>,
    /// No colours (`NO_COLOR`): emphasis and symbols only.
    pub mono: bool,
    /// The class page, when `--share` serves one.
    pub share: Option<ShareInfo>,
}

/// What the TUI shows of the class page: where it is and the code that lets a device vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareInfo {
    pub addr: String,
    pub code: String,
}

pub enum Screen {
    Picker(Picker),
    Run(Box<Run>),
}

/// The list of bundled scenarios.
pub struct Picker {
    pub items: Vec<PickerItem>,
    pub selected: usize,
}

pub struct PickerItem {
    /// The unit of the course it belongs to (index into [`super::lessons::COURSE`]).
    pub unit: usize,
    pub name: String,
    pub scenario: Result<Arc<Scenario>, String>,
}

/// Which panel the arrow keys move in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Focus {
    Topology,
    Messages,
    Log,
}

impl Focus {
    pub fn next(self) -> Focus {
        match self {
            Focus::Topology => Focus::Messages,
            Focus::Messages => Focus::Log,
            Focus::Log => Focus::Topology,
        }
    }
    pub fn prev(self) -> Focus {
        self.next().next()
    }
}

/// An `ask` note on screen.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Quiz {
    pub note: u32,
    /// The choice made (0-based); `None` while the question is open.
    pub chosen: Option<usize>,
    /// The teacher showed the answer without choosing (votes close).
    pub shown: bool,
}

impl Quiz {
    pub fn open(note: u32) -> Quiz {
        Quiz { note, chosen: None, shown: false }
    }
    /// Whether the answer is on screen.
    pub fn revealed(&self) -> bool {
        self.chosen.is_some() || self.shown
    }
}

/// The message inspector window.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Inspector {
    pub msg: MsgId,
    pub scroll: u16,
}

/// A run in progress that takes more than one frame.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Goal {
    End,
    NextNote,
}

/// Where the event log is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct LogView {
    /// The selected record (when the log has focus); `None`: follow the latest.
    pub cursor: Option<usize>,
}

/// A scenario being watched.
pub struct Run {
    pub tl: Timeline,
    pub focus: Focus,
    /// The selected actor: 0 is the broker, `i + 1` is client `i`.
    pub actor: usize,
    /// The selected message in the messages panel.
    pub msg: Option<MsgId>,
    pub log: LogView,
    pub inspector: Option<Inspector>,
    pub quiz: Option<Quiz>,
    /// Answers given to `ask` notes (`None`: skipped). A note answered or skipped does not
    /// pause the run again.
    pub answers: BTreeMap<u32, Option<usize>>,
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    pub pending: Option<Goal>,
    /// The time prompt's text, while it is open.
    pub prompt: Option<String>,
    /// The topology the scenario plans (drawn, dimmed, before the run declares it).
    pub preview: Preview,
    /// The edited file did not load: its errors (file:line:col), shown until it is fixed.
    pub reload_error: Option<String>,
    /// The class's votes per question (note index → count per choice).
    pub votes: BTreeMap<u32, Vec<u32>>,
}

impl Run {
    pub fn new(scenario: Arc<Scenario>) -> Run {
        let focus = Focus::Topology;
        // Select the first consumer: the client a teacher most often crashes.
        let first_consumer = scenario
            .plan
            .clients
            .iter()
            .position(|c| matches!(c.role, crate::client::spec::RoleSpec::Consumer(_)))
            .map(|i| i + 1)
            .unwrap_or(0);
        Run {
            preview: Preview::new(&scenario.plan),
            reload_error: None,
            votes: BTreeMap::new(),
            tl: Timeline::new(scenario),
            focus,
            actor: first_consumer,
            msg: None,
            log: LogView::default(),
            inspector: None,
            quiz: None,
            answers: BTreeMap::new(),
            playing: false,
            speed: DEFAULT_SPEED,
            pending: None,
            prompt: None,
        }
    }

    /// The topology panel's content: declared and planned, merged.
    pub fn topo(&self) -> Topo {
        super::topo::topo(&self.tl.world, &self.preview)
    }

    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.tl.scenario
    }

    /// How many actors can be selected (the broker and every client).
    pub fn actor_count(&self) -> usize {
        1 + self.tl.world.clients.len()
    }

    /// The selected client, if a client (not the broker) is selected.
    pub fn selected_client(&self) -> Option<crate::ids::ClientId> {
        (self.actor > 0 && self.actor <= self.tl.world.clients.len()).then(|| crate::ids::ClientId(self.actor as u32 - 1))
    }

    pub fn speed_per_sec(&self) -> f64 {
        SPEEDS[self.speed.min(SPEEDS.len() - 1)]
    }
}

/// A bundled scenario, under the command line's seed if one was given.
pub fn load_bundled(name: &str, seed: Option<u64>) -> Result<Arc<Scenario>, String> {
    Scenario::load(name)
        .map(|s| {
            Arc::new(match seed {
                Some(seed) => s.with_seed(seed),
                None => s,
            })
        })
        .map_err(|e| e.to_string())
}

impl App {
    /// The picker over the bundled scenarios, in the course's order.
    pub fn picker(lang: Lang, seed: Option<u64>) -> App {
        let items = lessons::grouped(&bundled::names())
            .into_iter()
            .flat_map(|(unit, names)| names.into_iter().map(move |n| (unit, n)))
            .map(|(unit, name)| PickerItem { unit, name: name.to_string(), scenario: load_bundled(name, seed) })
            .collect();
        App::new(lang, Screen::Picker(Picker { items, selected: 0 }), seed)
    }

    /// Straight into one scenario.
    pub fn with_scenario(scenario: Arc<Scenario>, lang: Lang) -> App {
        App::new(lang, Screen::Run(Box::new(Run::new(scenario))), None)
    }

    fn new(lang: Lang, screen: Screen, seed: Option<u64>) -> App {
        App { lang, screen, help: false, quit: false, flash: None, seed, mono: false, share: None }
    }

    pub fn run(&self) -> Option<&Run> {
        match &self.screen {
            Screen::Run(r) => Some(r),
            Screen::Picker(_) => None,
        }
    }

    pub fn run_mut(&mut self) -> Option<&mut Run> {
        match &mut self.screen {
            Screen::Run(r) => Some(r),
            Screen::Picker(_) => None,
        }
    }

    pub fn flash_label(&mut self, l: L) {
        self.flash = Some(l.get(self.lang).to_string());
    }

    /// Whether the event loop should come back without waiting for a key.
    pub fn busy(&self) -> bool {
        self.run().is_some_and(|r| r.pending.is_some())
    }

    /// How long to wait between two played steps, if playing.
    pub fn play_interval(&self) -> Option<std::time::Duration> {
        let r = self.run()?;
        if !r.playing || r.quiz.is_some() {
            return None;
        }
        let per = 1.0 / r.speed_per_sec();
        Some(std::time::Duration::from_secs_f64(per.max(1.0 / 60.0)))
    }
}
