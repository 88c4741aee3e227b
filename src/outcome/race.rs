//! When warren and a real broker differ: could a few milliseconds of timing explain it?
//!
//! A real run is late by milliseconds here and there (a Python thread wakes late, a round
//! trip on loopback), so two steps of different clients that a scenario puts close together
//! may happen in either order on the broker. [`explaining_shift`] runs the scenario again in
//! warren with one client's link slower by a millisecond or a few, client after client, and
//! says which shift, if any, makes warren show exactly what the broker showed. Such a
//! difference is most likely a race of the real run's timing, not a difference of the model;
//! the comparison still counts it as a difference.

use super::Outcome;
use crate::scenario::Scenario;
use crate::session::Session;
use crate::sim::Time;
use std::sync::Arc;

/// The shifts tried, smallest first.
const SHIFTS: [Time; 3] = [Time::ms(1), Time::ms(3), Time::ms(10)];
/// Past this many clients, or a run this long (events), no shift is tried: each try is a
/// whole run.
const MAX_CLIENTS: usize = 32;
const MAX_EVENTS: u64 = 2_000_000;

/// A client whose link, slower by `by` each way, makes warren show the other side's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shift {
    pub client: String,
    pub by: Time,
}

/// The smallest one-client shift under which warren's outcome is `theirs`, if any (`steps`:
/// the events of warren's own run, to bound the work).
pub fn explaining_shift(scenario: &Scenario, theirs: &Outcome, steps: u64) -> Option<Shift> {
    let clients = scenario.plan.clients.len();
    if clients > MAX_CLIENTS || steps > MAX_EVENTS {
        return None;
    }
    SHIFTS.iter().find_map(|&by| (0..clients).find_map(|i| shows(scenario, i, by, theirs)))
}

/// Whether warren shows `theirs` with client `i`'s link slower by `by`.
fn shows(scenario: &Scenario, i: usize, by: Time, theirs: &Outcome) -> Option<Shift> {
    let mut plan = (*scenario.plan).clone();
    let mut spec = (*plan.clients[i]).clone();
    spec.latency = spec.latency.saturating_add(by);
    let client = spec.name.clone();
    plan.clients[i] = Arc::new(spec);
    let shifted = Scenario { plan: Arc::new(plan), ..scenario.clone() };
    let mut session = Session::new(Arc::new(shifted), true);
    session.run().ok()?;
    let ours = Outcome::from_session(&session);
    ours.compare(theirs).iter().all(|item| item.same()).then_some(Shift { client, by })
}
