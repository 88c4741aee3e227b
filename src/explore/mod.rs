//! Property-based exploration: random fault schedules over a scenario, checked against the
//! delivery guarantees and the scenario's own `expect:` items, with proptest shrinking a
//! failure down to a minimal counterexample — written out as an ordinary scenario that
//! `warren run`, `warren check` and the TUI replay.
//!
//! The guarantees themselves live in [`crate::guarantees`]; this module only chooses the
//! cases to run and shrinks a failure.
//!
//! - [`faults`]: the fault schedules `warren explore` tries.
//! - [`case`]: one case, run from the scenario compiled once.
//! - [`campaign`]: the cases of a campaign on several threads, a shard of it, a time budget.
//! - [`gen`]: random but valid whole scenarios (for the property test suite).
//!
//! A campaign is a numbered list of cases: case `i` is generated from a random stream seeded
//! by the campaign's seed and `i` alone, so which cases exist does not depend on how many
//! threads run them, or on which machine runs which shard. The lowest failing index wins,
//! and its shrinking runs on one thread: the counterexample is the same for any `--jobs`.

pub mod campaign;
pub mod case;
pub mod faults;
pub mod gen;

pub use campaign::{explore, Campaign, ExploreConfig, Shard};

use crate::guarantees::{self, Guarantee};
use crate::scenario::model::{ExpectDef, FaultDef, ScenarioFile, Text};
use crate::scenario::Scenario;
use crate::session::Session;
use std::sync::Arc;

/// What one run broke, if anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// A guarantee, or `None` for one of the scenario's own expect items.
    pub guarantee: Option<Guarantee>,
    pub what: String,
}

/// Runs a scenario (as text, exactly as it would be written to a file) and reports the first
/// thing it breaks: one of its expect items, or one of `guarantees`. The slow path, through
/// YAML and validation: the campaign runs cases with [`case::CaseRunner`], and uses this
/// only to confirm the counterexample file it writes.
pub fn run_case(file: &ScenarioFile, guarantees: &[Guarantee], expect_items: bool) -> Result<Option<Broken>, String> {
    let yaml = file.to_yaml();
    let scenario = Scenario::from_str(&yaml, "case.yaml").map_err(|e| format!("generated an invalid scenario: {e}\n{yaml}"))?;
    let scenario = Arc::new(scenario);
    if expect_items {
        let outcomes = Session::check(scenario.clone()).map_err(|e| e.to_string())?;
        if let Some(o) = outcomes.iter().find(|o| !o.pass) {
            return Ok(Some(Broken { guarantee: None, what: format!("expect item failed: {} — found {}", o.label, o.found) }));
        }
    }
    if guarantees.is_empty() {
        return Ok(None);
    }
    let mut s = Session::new(scenario, true);
    s.run().map_err(|e| e.to_string())?;
    for g in guarantees {
        if let Err(v) = guarantees::check(*g, &s.world, s.trace.records()) {
            return Ok(Some(Broken { guarantee: Some(*g), what: v.to_string() }));
        }
    }
    Ok(None)
}

/// A minimal counterexample.
#[derive(Clone, Debug)]
pub struct Counterexample {
    pub file: ScenarioFile,
    pub broken: Broken,
    /// The campaign index of the case that failed first (before shrinking).
    pub index: u64,
    /// Cases this run tried up to and including that one (shrinking not counted).
    pub cases_before: u32,
}

/// A file name made from a scenario's `name:` (which anyone may have written): letters,
/// digits, `-`, `_` and inner dots only, so it names a file in the current directory and
/// nowhere else.
pub fn file_stem(name: &str) -> String {
    let mut s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' }).take(100).collect();
    while s.starts_with('.') {
        s.remove(0);
    }
    while s.ends_with('.') {
        s.pop();
    }
    if s.is_empty() {
        "scenario".to_string()
    } else {
        s
    }
}

/// Makes the counterexample say what it is, and makes `warren check` fail on it the same way.
fn annotate(file: &mut ScenarioFile, base: &Scenario, broken: &Broken, seed: u64) {
    file.name = format!("{}.counterexample", base.name);
    let added: Vec<&FaultDef> = file.faults.iter().skip(base.def.faults.len()).collect();
    let faults_text: Vec<String> = added.iter().map(|f| faults::describe(f)).collect();
    let en = format!(
        "Counterexample found by `warren explore {}` (seed {}): {}\n\nMinimal faults added: {}.\nReplay it with `warren run` or `warren tui`; `warren check` fails on it.\n\n{}",
        base.name,
        seed,
        broken.what,
        if faults_text.is_empty() { "none".to_string() } else { faults_text.join("; ") },
        base.description("en")
    );
    file.description = Some(Text::Plain(en));
    if let Some(g) = broken.guarantee {
        if !file.expect.iter().any(|e| e.guarantee.as_deref() == Some(g.name())) {
            file.expect.push(ExpectDef {
                guarantee: Some(g.name().to_string()),
                why: Some(g.statement().to_string()),
                ..Default::default()
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems_stay_in_the_directory() {
        assert_eq!(file_stem("work-queues"), "work-queues");
        assert_eq!(file_stem("../x"), "_x");
        assert_eq!(file_stem("/etc/passwd"), "_etc_passwd");
        assert_eq!(file_stem(".."), "scenario");
        assert_eq!(file_stem(""), "scenario");
        assert_eq!(file_stem("a\\b:c\0d"), "a_b_c_d");
        assert_eq!(file_stem("v1.2"), "v1.2");
        assert!(file_stem(&"x".repeat(10_000)).len() <= 100);
    }
}
