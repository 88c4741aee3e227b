//! # warren
//!
//! A deterministic simulation and teaching sandbox for RabbitMQ messaging.
//!
//! The crate is layered so that each layer only knows the ones below it:
//!
//! - [`sim`] — the engine: integer time, the `(time, seq)` event heap, seeded random streams,
//!   the trace and its rolling hash. Knows nothing of AMQP.
//! - [`broker`] — the AMQP model (RabbitMQ 3.10, classic queues): exchanges, bindings, queues,
//!   consumers, channels, persistence. No clock of its own: handlers take an input and the
//!   current time and return effects as data.
//! - [`client`] — the scenario's actors: producers, consumers (with RPC servers among them) and
//!   RPC clients, each a small state machine that turns frames and timers into AMQP methods.
//! - [`world`] — binds them: owns the event heap, carries methods and frames over links with
//!   latency, applies faults, and records the trace ([`record::Record`]).
//! - [`scenario`] — YAML → a validated plan; `expect:` checks; the bundled scenarios.
//! - [`session`] — one run: its world and trace, run to the end or checked against `expect:`.
//! - [`explain`] — trace records → sentences (English, Simplified Chinese) and JSON.
//! - [`explore`] — delivery guarantees checked on a trace, random scenarios and fault
//!   schedules, shrinking a failure to a counterexample scenario.
//! - [`cli`], [`tui`] — observe the event stream and issue commands; add no behaviour.
//! - [`export`] — a scenario as a pika script for a real broker, or a run as a sequence
//!   diagram (Mermaid, SVG); [`outcome`] — what `warren diff` compares with a real broker.

pub mod broker;
pub mod cli;
pub mod client;
pub mod explain;
pub mod explore;
pub mod export;
pub mod guarantees;
pub mod ids;
pub mod names;
pub mod outcome;
pub mod record;
pub mod scenario;
pub mod session;
pub mod sim;
pub mod tui;
pub mod world;
