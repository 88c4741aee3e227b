//! The discrete-event engine. It owns simulated time, the event heap, the seeded random
//! streams and the trace's hashing and storage, and knows nothing of AMQP: the broker model
//! and the clients plug their own event and record types into it.
//!
//! - [`time`]: [`Time`], integer microseconds, and the text form of durations (`250us`, `1.5s`).
//! - [`events`]: [`EventQueue`], a heap of small `Copy` entries ordered by `(time, seq)`.
//! - [`rng`]: one seed → an independent ChaCha stream per actor, keyed by the actor's name.
//! - [`trace`]: stamped records, a rolling hash over them, and where they are kept.

pub mod events;
pub mod rng;
pub mod time;
pub mod trace;

pub use events::EventQueue;
pub use rng::{stream_for, Rng};
pub use time::Time;
pub use trace::{Stamped, Trace, TraceHasher};
