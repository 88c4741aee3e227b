//! Property-based exploration: random fault schedules over a scenario, checked against the
//! delivery guarantees and the scenario's own `expect:` items, with proptest shrinking a
//! failure down to a minimal counterexample — written out as an ordinary scenario that
//! `warren run`, `warren check` and the TUI replay.
//!
//! The guarantees themselves live in [`crate::guarantees`]; this module only chooses the
//! cases to run and shrinks a failure.
//!
//! - [`faults`]: the fault schedules `warren explore` tries.
//! - [`gen`]: random but valid whole scenarios (for the property test suite).

pub mod faults;
pub mod gen;

use crate::guarantees::{self, Guarantee};
use crate::scenario::model::{ExpectDef, FaultDef, ScenarioFile, Text};
use crate::scenario::Scenario;
use crate::session::Session;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::Cell;
use std::sync::Arc;

/// What one run broke, if anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// A guarantee, or `None` for one of the scenario's own expect items.
    pub guarantee: Option<Guarantee>,
    pub what: String,
}

/// Runs a scenario (as text, exactly as it would be written to a file) and reports the first
/// thing it breaks: one of its expect items, or one of `guarantees`.
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

/// Settings of an exploration.
#[derive(Clone, Debug)]
pub struct ExploreConfig {
    pub cases: u32,
    pub seed: u64,
    /// Guarantees checked besides the scenario's own expect items.
    pub guarantees: Vec<Guarantee>,
    /// Check the scenario's own expect: items too.
    pub expect_items: bool,
    pub max_shrink_iters: u32,
}

impl Default for ExploreConfig {
    fn default() -> Self {
        ExploreConfig { cases: 200, seed: 0, guarantees: Guarantee::INVARIANTS.to_vec(), expect_items: true, max_shrink_iters: 2000 }
    }
}

/// A minimal counterexample.
#[derive(Clone, Debug)]
pub struct Counterexample {
    pub file: ScenarioFile,
    pub broken: Broken,
    /// Cases tried before the first failure (shrinking not counted).
    pub cases_before: u32,
}

/// The result of an exploration.
#[derive(Clone, Debug)]
pub enum Explored {
    Held { cases: u32 },
    Broke(Box<Counterexample>),
}

/// Tries random fault schedules (and seeds) on `base`. `progress` is called after each case
/// with (cases run, shrinking?).
pub fn explore(base: &Scenario, cfg: &ExploreConfig, mut progress: impl FnMut(u32, bool)) -> Result<Explored, String> {
    let plan = faults::FaultPlan::for_scenario(base)?;
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&cfg.seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let config = Config { cases: cfg.cases, max_shrink_iters: cfg.max_shrink_iters, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, rng);
    let ran = Cell::new(0u32);
    let failed_at = Cell::new(None::<u32>);
    let error = std::cell::RefCell::new(None::<String>);
    let progress_cell = std::cell::RefCell::new(&mut progress);
    let result = runner.run(&plan.strategy(), |case| {
        let shrinking = failed_at.get().is_some();
        if !shrinking {
            ran.set(ran.get() + 1);
        }
        (progress_cell.borrow_mut())(ran.get(), shrinking);
        let file = plan.apply(&base.def, &case);
        match run_case(&file, &cfg.guarantees, cfg.expect_items) {
            Ok(None) => Ok(()),
            Ok(Some(b)) => {
                if failed_at.get().is_none() {
                    failed_at.set(Some(ran.get()));
                }
                Err(TestCaseError::fail(b.what))
            }
            Err(e) => {
                *error.borrow_mut() = Some(e.clone());
                Err(TestCaseError::fail(e))
            }
        }
    });
    if let Some(e) = error.into_inner() {
        return Err(e);
    }
    match result {
        Ok(()) => Ok(Explored::Held { cases: ran.get() }),
        Err(TestError::Fail(_, case)) => {
            let mut file = plan.apply(&base.def, &case);
            let broken = run_case(&file, &cfg.guarantees, cfg.expect_items)?
                .ok_or("the minimal case no longer fails: please report this as a bug")?;
            annotate(&mut file, base, &broken, cfg);
            Ok(Explored::Broke(Box::new(Counterexample { file, broken, cases_before: failed_at.get().unwrap_or(0) })))
        }
        Err(TestError::Abort(why)) => Err(format!("exploration aborted: {why}")),
    }
}

/// Makes the counterexample say what it is, and makes `warren check` fail on it the same way.
fn annotate(file: &mut ScenarioFile, base: &Scenario, broken: &Broken, cfg: &ExploreConfig) {
    file.name = format!("{}.counterexample", base.name);
    let added: Vec<&FaultDef> = file.faults.iter().skip(base.def.faults.len()).collect();
    let faults_text: Vec<String> = added.iter().map(|f| faults::describe(f)).collect();
    let en = format!(
        "Counterexample found by `warren explore {}` (seed {}): {}\n\nMinimal faults added: {}.\nReplay it with `warren run` or `warren tui`; `warren check` fails on it.\n\n{}",
        base.name,
        cfg.seed,
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
