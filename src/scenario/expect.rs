//! `expect:` items as data: what the file says a run must show, with every name already
//! resolved (clients to ids, guarantees to [`Guarantee`]s) and each item's line kept for
//! messages. Checking them against a run belongs to the run: see `crate::session::expect`.

use crate::guarantees::Guarantee;
use crate::ids::ClientId;
use crate::sim::Time;

#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// Checked at this time (after every event due then); otherwise at the end of the run.
    pub at: Option<Time>,
    pub kind: ExpectKind,
    /// Line of the item in the file.
    pub line: usize,
    pub why: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    Received {
        consumer: ClientId,
        bodies: Vec<String>,
    },
    Redelivered {
        consumer: ClientId,
        bodies: Vec<String>,
    },
    Processed {
        consumer: ClientId,
        bodies: Vec<String>,
    },
    Count {
        consumer: ClientId,
        n: u64,
    },
    QueueMessages {
        queue: String,
        bodies: Vec<String>,
    },
    QueueExists {
        queue: String,
        exists: bool,
    },
    QueueReady {
        queue: String,
        n: u64,
    },
    QueueUnacked {
        queue: String,
        n: u64,
    },
    Returned {
        producer: ClientId,
        bodies: Vec<String>,
    },
    Confirmed {
        producer: ClientId,
        n: u64,
    },
    Nacked {
        producer: ClientId,
        bodies: Vec<String>,
    },
    Unconfirmed {
        producer: ClientId,
        n: u64,
    },
    Replies {
        client: ClientId,
        bodies: Vec<String>,
    },
    Unroutable(u64),
    Lost(u64),
    DeadLettered(u64),
    Error {
        actor: ClientId,
        code: u16,
    },
    Guarantee(Guarantee),
    /// The `n`th delivery to `consumer` (from 1) carries at least these headers.
    DeliveryHeaders {
        consumer: ClientId,
        n: u64,
        headers: Vec<(String, Want)>,
    },
    /// The ready message at `position` (the head is 1) carries at least these headers.
    QueueHeaders {
        queue: String,
        position: u64,
        headers: Vec<(String, Want)>,
    },
}

/// An expected header value. A map matches a field table on the fields it gives; a list
/// matches an array of the same length, element by element; `null` asks only that the header
/// be there; numbers compare by value.
#[derive(Clone, Debug, PartialEq)]
pub enum Want {
    Present,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Want>),
    Map(Vec<(String, Want)>),
}
