//! What the web page shows: a snapshot of the TUI's screen as plain data, already worded in
//! both languages. The TUI builds it (it owns the run); the server only serialises it.

use serde::Serialize;

/// A text in English and Simplified Chinese.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Bi {
    pub en: String,
    pub zh: String,
}

impl Bi {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Bi {
        Bi { en: en.into(), zh: zh.into() }
    }
    /// The same text in both languages (a name).
    pub fn same(s: impl Into<String>) -> Bi {
        let s = s.into();
        Bi { en: s.clone(), zh: s }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct View {
    /// The TUI's language: the page starts in it.
    pub lang: String,
    pub scenario: String,
    pub title: Bi,
    pub time: String,
    pub state: Bi,
    pub topology: Topology,
    pub log: Vec<LogLine>,
    pub note: Option<Bi>,
    pub question: Option<Question>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Topology {
    pub exchanges: Vec<Exchange>,
    pub queues: Vec<Queue>,
    pub routes: Vec<Route>,
    pub publishers: Vec<Publisher>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exchange {
    /// Unique on the page (`x:NAME`).
    pub id: String,
    pub name: String,
    pub kind: String,
    pub declared: bool,
    pub alternate: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Queue {
    /// Unique on the page (`q:NAME` or `q:private:CLIENT:N`).
    pub id: String,
    pub name: String,
    pub declared: bool,
    pub ready: usize,
    pub unacked: u32,
    pub dead_letter: Option<String>,
    pub consumers: Vec<Consumer>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Consumer {
    pub name: String,
    pub status: Bi,
    pub connected: bool,
    /// `in-flight/prefetch`, `auto`, or empty when not subscribed.
    pub load: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Route {
    /// Exchange id.
    pub from: String,
    /// Queue or exchange id.
    pub to: String,
    pub key: String,
    pub declared: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Publisher {
    pub name: String,
    /// Exchange id.
    pub to: String,
    pub status: Bi,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogLine {
    pub t: String,
    pub actor: String,
    pub what: Bi,
    pub why: Option<Bi>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Question {
    /// Which question (votes are kept per id).
    pub id: String,
    pub ask: Bi,
    pub choices: Vec<Bi>,
    /// The teacher revealed the answer.
    pub revealed: bool,
    /// The right choice, once revealed.
    pub answer: Option<usize>,
    pub explain: Option<Bi>,
}
