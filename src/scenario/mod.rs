//! Scenarios: YAML files that describe a topology, the clients using it, the faults that
//! hit them, classroom notes, and what the run must show.
//!
//! - [`model`]: the file's keys, as serde structs (unknown keys are errors).
//! - [`load`]: the one place that calls serde_yaml; errors with file, line and column.
//! - [`locate`]: positions of values, for errors found after parsing.
//! - [`validate`]: names, references, times → a runnable [`Scenario`], one section at a time.
//! - [`expect`]: the `expect:` items as data (checking them is the run's job:
//!   `crate::session::expect`).
//! - [`bundled`]: the scenarios shipped inside the binary.
//!
//! Below it: the world it plans for and the guarantees an item may name; it knows nothing of
//! runs, sessions or the explorer.

pub mod bundled;
pub mod expect;
pub mod load;
pub mod locate;
pub mod model;
pub mod validate;

use crate::sim::Time;
use crate::world::WorldPlan;
pub use load::{ScenarioError, ScenarioErrors};
use model::{ScenarioFile, Text};
use std::path::Path;
use std::sync::Arc;

/// A classroom note.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub at: Time,
    pub text: Option<Text>,
    pub ask: Option<Text>,
    pub choices: Vec<Text>,
    /// Index of the right choice.
    pub answer: Option<usize>,
    pub explain: Option<Text>,
}

/// A validated scenario, ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub title: Option<Text>,
    pub description: Option<Text>,
    /// Where it came from (a path, or `bundled:NAME`), for messages.
    pub file: String,
    pub seed: u64,
    pub plan: Arc<WorldPlan>,
    pub notes: Vec<Note>,
    pub expects: Vec<expect::Expect>,
    pub diff_skip: Option<String>,
    pub source: String,
    pub def: ScenarioFile,
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("no scenario file or bundled scenario called `{0}` (bundled: {1})")]
    NotFound(String, String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}")]
    Invalid(ScenarioErrors),
}

impl Scenario {
    /// Parses and validates scenario text. `file` names it in error messages.
    pub fn from_str(text: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
        let f = load::parse_yaml(text, file)?;
        validate::build(f, text, file)
    }

    /// Loads a scenario by path, or by the name of a bundled one.
    pub fn load(arg: &str) -> Result<Scenario, LoadError> {
        let path = Path::new(arg);
        let looks_like_path = arg.contains('/') || arg.ends_with(".yaml") || arg.ends_with(".yml");
        if path.is_file() || looks_like_path {
            let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io(arg.to_string(), e))?;
            return Scenario::from_str(&text, arg).map_err(LoadError::Invalid);
        }
        match bundled::get(arg) {
            Some(text) => Scenario::from_str(text, &format!("scenarios/{arg}.yaml")).map_err(LoadError::Invalid),
            None => Err(LoadError::NotFound(arg.to_string(), bundled::names().join(", "))),
        }
    }

    /// The same scenario under another seed.
    pub fn with_seed(&self, seed: u64) -> Scenario {
        let mut s = self.clone();
        s.seed = seed;
        let mut plan = (*self.plan).clone();
        plan.seed = seed;
        s.plan = Arc::new(plan);
        s
    }

    pub fn title(&self, lang: &str) -> String {
        self.title.as_ref().map(|t| t.get(lang).to_string()).unwrap_or_else(|| self.name.clone())
    }

    pub fn description(&self, lang: &str) -> String {
        self.description.as_ref().map(|t| t.get(lang).to_string()).unwrap_or_default()
    }
}
