//! # warren
//!
//! A deterministic simulation and teaching sandbox for RabbitMQ messaging.
//!
//! The crate is layered so that each layer only knows the ones below it:
//!
//! - [`sim`] — the engine: integer time, the `(time, seq)` event heap, seeded random streams,
//!   the trace and its rolling hash. Knows nothing of AMQP.
//! - [`ids`], [`names`], [`body`], [`record`] — the vocabulary every layer shares, below the
//!   broker: small ids (with the reserved ones, `NO_QUEUE`, `NO_CONSUMER`, `SETUP`), interned
//!   strings, a message body, and the trace records with their causes. They import no layer.
//! - [`broker`] — the AMQP model (RabbitMQ 3.10: classic, priority and quorum queues): exchanges, bindings, queues,
//!   consumers, channels, persistence. No clock of its own: handlers take an input and a
//!   context (the current time, the world's stores) and return effects as data.
//! - [`client`] — the scenario's actors: producers, consumers (with RPC servers among them) and
//!   RPC clients, each a small state machine that turns frames and timers into AMQP methods.
//! - [`world`] — binds them: owns the event heap and the shared stores (messages, names),
//!   carries methods and frames over links with latency, applies faults, and records the
//!   trace ([`record::Record`]).
//! - [`guarantees`] — the delivery guarantees (conservation, at-most-once, at-least-once, …),
//!   one checker per guarantee, each reading a finished run's trace and world.
//! - [`scenario`] — YAML → a validated plan; the `expect:` items as data; the bundled scenarios.
//! - [`explain`] — trace records → sentences (English, Simplified Chinese) and JSON.
//! - [`session`] — one run: its world and trace, run to the end, or checked against its
//!   `expect:` items (evaluated here, at their times, against the live world).
//! - [`explore`] — random scenarios and fault schedules checked against the guarantees and
//!   `expect:`, shrinking a failure to a counterexample scenario.
//! - [`cli`], [`tui`] — observe the event stream and issue commands; add no behaviour.
//! - [`share`] — `warren tui --share`: the class page (topology, log, note, votes), served
//!   from view snapshots the TUI publishes; it never sees the engine.
//! - [`export`] — a scenario as a pika script for a real broker, or a run as a sequence
//!   diagram (Mermaid, SVG); [`outcome`] — what `warren diff` compares with a real broker.
//! - [`definitions`] — RabbitMQ definitions files (`rabbitmqctl export_definitions`) to a
//!   scenario, policies resolved, and a scenario's topology back to one.

pub mod body;
pub mod broker;
pub mod cli;
pub mod client;
pub mod definitions;
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
pub mod share;
pub mod sim;
pub mod tui;
pub mod world;
