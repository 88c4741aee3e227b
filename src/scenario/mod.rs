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
pub mod schema;
pub mod source;
pub mod suggest;
pub mod tree;
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
    /// No such file or bundled scenario: the name, and what to say next (a close bundled
    /// name, or the list of them).
    #[error("no scenario file or bundled scenario called `{0}`: {1}")]
    NotFound(String, String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: not a regular file (a scenario is read from a file, from `-` for standard input, or by a bundled name)")]
    NotRegular(String),
    #[error("{0}")]
    Invalid(ScenarioErrors),
}

/// Where a scenario argument points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `-`: standard input.
    Stdin,
    /// A file path.
    File(String),
    /// A bundled scenario's name.
    Bundled(&'static str),
}

/// A scenario's bytes and the name errors give it, plus a note when the argument was
/// ambiguous (a bundled name that is also `./NAME.yaml`).
pub struct Loaded {
    pub origin: Origin,
    pub bytes: std::borrow::Cow<'static, [u8]>,
    /// How errors name it: the path, `<stdin>`, or `scenarios/NAME.yaml`.
    pub file: String,
    pub note: Option<String>,
}

/// Where `arg` points: `-`, a path (anything with a `/` or a `.yaml`/`.yml` ending, or an
/// existing file), or a bundled name.
pub fn origin(arg: &str) -> Result<(Origin, Option<String>), LoadError> {
    if arg == "-" {
        return Ok((Origin::Stdin, None));
    }
    let path = Path::new(arg);
    let looks_like_path = arg.contains('/') || arg.ends_with(".yaml") || arg.ends_with(".yml");
    if path.exists() || looks_like_path {
        return Ok((Origin::File(arg.to_string()), None));
    }
    if let Some((name, _)) = bundled::BUNDLED.iter().find(|(n, _)| *n == arg) {
        let local = format!("{arg}.yaml");
        let note = Path::new(&local)
            .is_file()
            .then(|| format!("note: running the bundled scenario `{arg}`, not ./{local} (to run the file, write `./{local}`)"));
        return Ok((Origin::Bundled(name), note));
    }
    let next = match suggest::closest(arg, bundled::names()) {
        Some(c) => format!("did you mean the bundled scenario `{c}`? (`warren list` shows them all)"),
        None => format!("the bundled ones are {}", bundled::names().join(", ")),
    };
    Err(LoadError::NotFound(arg.to_string(), next))
}

/// Reads a file with the size limit, refusing what is not a regular file (a FIFO, a device:
/// `/dev/zero` would never end).
pub fn read_file(path: &str) -> Result<Vec<u8>, LoadError> {
    let io = |e| LoadError::Io(path.to_string(), e);
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(LoadError::NotRegular(path.to_string()));
    }
    let f = std::fs::File::open(path).map_err(io)?;
    source::read_limited(f).map_err(io)
}

/// The bytes of the scenario `arg` names (standard input is read with the size limit).
pub fn read(arg: &str) -> Result<Loaded, LoadError> {
    let (origin, note) = origin(arg)?;
    let (bytes, file) = match &origin {
        Origin::Stdin => {
            let b = source::read_limited(std::io::stdin().lock()).map_err(|e| LoadError::Io("<stdin>".into(), e))?;
            (std::borrow::Cow::Owned(b), "<stdin>".to_string())
        }
        Origin::File(p) => (std::borrow::Cow::Owned(read_file(p)?), p.clone()),
        Origin::Bundled(n) => {
            let text = bundled::get(n).unwrap_or_default();
            (std::borrow::Cow::Borrowed(text.as_bytes()), format!("scenarios/{n}.yaml"))
        }
    };
    Ok(Loaded { origin, bytes, file, note })
}

impl Scenario {
    /// Parses and validates scenario text. `file` names it in error messages.
    pub fn from_str(text: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let f = load::parse_yaml(text, file)?;
        validate::build(f, text, file)
    }

    /// Checks, parses and validates the bytes of a scenario (a file, standard input, a
    /// test): at most [`source::MAX_BYTES`], UTF-8 (a leading byte-order mark is dropped).
    pub fn from_bytes(bytes: &[u8], file: &str) -> Result<Scenario, ScenarioErrors> {
        let text = source::text(bytes, file)?;
        Scenario::from_str(text, file)
    }

    /// Loads a scenario by path, `-` (standard input), or the name of a bundled one.
    pub fn load(arg: &str) -> Result<Scenario, LoadError> {
        let l = read(arg)?;
        Scenario::from_bytes(&l.bytes, &l.file).map_err(LoadError::Invalid)
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
