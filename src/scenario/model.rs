//! The scenario file as written: serde structs that mirror the YAML keys one to one. Every
//! struct denies unknown keys, so a typo is an error with its line and column, never
//! silently ignored. Meaning is given to these values in [`super::validate`].
//!
//! The contract keys are documented in `docs/scenarios.md`; add keys freely, never rename or
//! drop one.

use crate::sim::Time;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// A duration written as text: `250us`, `10ms`, `1.5s`, `2m`, `1h`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Dur(pub Time);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration with a unit, like 250ms, 1.5s or 2m")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Dur, E> {
                Time::parse(s).map(Dur).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dur, E> {
                Err(E::custom(format!("duration `{v}` has no unit: expected one of us, ms, s, m, h (like {v}ms)")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
                if v < 0 {
                    Err(E::custom(format!("negative duration `{v}`: simulated time only moves forward")))
                } else {
                    self.visit_u64(v as u64)
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dur, E> {
                if v < 0.0 {
                    Err(E::custom(format!("negative duration `{v}`: simulated time only moves forward")))
                } else {
                    Err(E::custom(format!("duration `{v}` has no unit: expected one of us, ms, s, m, h (like {v}s)")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Text shown to people: one string, or one per language (`en`, `zh`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    Lang(LangText),
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangText {
    pub en: String,
    #[serde(default)]
    pub zh: Option<String>,
}

impl Text {
    /// The text in `lang` (`en` or `zh`), falling back to English.
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Lang(l) => match (lang, &l.zh) {
                ("zh", Some(z)) => z,
                _ => &l.en,
            },
        }
    }
}

/// A YAML scalar used as a header or argument value.
pub type Value = serde_yaml::Value;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: String,
    #[serde(default)]
    pub title: Option<Text>,
    #[serde(default)]
    pub description: Option<Text>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub until: Option<Dur>,
    #[serde(default)]
    pub broker: BrokerDef,
    #[serde(default)]
    pub limits: LimitsDef,
    #[serde(default)]
    pub exchanges: Vec<ExchangeDef>,
    #[serde(default)]
    pub queues: Vec<QueueDef>,
    #[serde(default)]
    pub bindings: Vec<BindingDef>,
    #[serde(default)]
    pub producers: Vec<ProducerDef>,
    #[serde(default)]
    pub consumers: Vec<ConsumerDef>,
    #[serde(default)]
    pub rpc_clients: Vec<RpcClientDef>,
    #[serde(default)]
    pub faults: Vec<FaultDef>,
    #[serde(default)]
    pub notes: Vec<NoteDef>,
    #[serde(default)]
    pub expect: Vec<ExpectDef>,
    /// For `warren diff`: `skip` with a reason when the outcome hangs on timing too fine for
    /// a real broker.
    #[serde(default)]
    pub diff: Option<DiffDef>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerDef {
    /// How often persistent messages reach disk (default 200ms).
    #[serde(default)]
    pub sync_every: Option<Dur>,
    /// One-way network latency between every client and the broker (default 0s).
    #[serde(default)]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsDef {
    /// Stop with an error after this many events (default 50,000,000).
    #[serde(default)]
    pub events: Option<u64>,
    /// Stop with an error past this simulated time when there is no `until` (default 24h).
    #[serde(default)]
    pub time: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffDef {
    pub skip: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub durable: bool,
    #[serde(default)]
    pub auto_delete: bool,
    #[serde(default)]
    pub internal: bool,
    #[serde(default)]
    pub alternate_exchange: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueDef {
    pub name: String,
    #[serde(default)]
    pub durable: bool,
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default)]
    pub auto_delete: bool,
    #[serde(default)]
    pub arguments: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindingDef {
    pub exchange: String,
    #[serde(default)]
    pub queue: Option<String>,
    /// An exchange-to-exchange binding: messages matching go on to this exchange.
    #[serde(default)]
    pub to_exchange: Option<String>,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub arguments: Option<serde_yaml::Mapping>,
}

/// What a client declares itself when it connects (as the article's programs do).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclareDef {
    #[serde(default)]
    pub queue: Option<String>,
    #[serde(default)]
    pub exchange: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub durable: bool,
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default)]
    pub auto_delete: bool,
    #[serde(default)]
    pub passive: bool,
    #[serde(default)]
    pub alternate_exchange: Option<String>,
    #[serde(default)]
    pub arguments: BTreeMap<String, Value>,
}

/// `reconnect: 1s` or `reconnect: never`.
#[derive(Clone, Debug, PartialEq)]
pub enum Reconnect {
    After(Time),
    Never,
}

impl<'de> Deserialize<'de> for Reconnect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim() == "never" {
            return Ok(Reconnect::Never);
        }
        Time::parse(&s).map(Reconnect::After).map_err(|e| de::Error::custom(format!("{e}; or `never`")))
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerDef {
    pub name: String,
    #[serde(default)]
    pub start: Option<Dur>,
    #[serde(default)]
    pub confirms: bool,
    #[serde(default)]
    pub publish: Vec<PublishDef>,
    #[serde(default)]
    pub declare: Vec<DeclareDef>,
    #[serde(default)]
    pub reconnect: Option<Reconnect>,
    #[serde(default)]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishDef {
    #[serde(default)]
    pub at: Dur,
    #[serde(default)]
    pub exchange: String,
    #[serde(default)]
    pub key: String,
    #[serde(default = "default_body")]
    pub body: String,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub every: Dur,
    #[serde(default)]
    pub persistent: bool,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(default)]
    pub headers: Option<serde_yaml::Mapping>,
    #[serde(default)]
    pub expiration: Option<Dur>,
    #[serde(default)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
}

fn default_body() -> String {
    "message {n}".into()
}

fn one() -> u32 {
    1
}

/// A consumer's queue: a declared queue's name, or a private server-named one.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum ConsumerQueueDef {
    Named(String),
    Private(PrivateQueueDef),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateQueueDef {
    #[serde(default = "yes")]
    pub exclusive: bool,
    #[serde(default)]
    pub durable: bool,
    #[serde(default)]
    pub auto_delete: bool,
    #[serde(default)]
    pub arguments: BTreeMap<String, Value>,
    #[serde(default)]
    pub bind: Vec<PrivateBindDef>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateBindDef {
    pub exchange: String,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub arguments: Option<serde_yaml::Mapping>,
}

/// `work: 1s`, `work: { uniform: [100ms, 2s] }`, `work: { exponential: 500ms }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum WorkDef {
    Fixed(Dur),
    Dist(WorkDist),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkDist {
    #[serde(default)]
    pub uniform: Option<(Dur, Dur)>,
    #[serde(default)]
    pub exponential: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub redelivered: Option<bool>,
    #[serde(default)]
    pub times: Option<u32>,
    pub action: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDef {
    pub name: String,
    pub queue: ConsumerQueueDef,
    #[serde(default)]
    pub start: Option<Dur>,
    #[serde(default)]
    pub ack: Option<String>,
    #[serde(default)]
    pub prefetch: u32,
    #[serde(default)]
    pub work: Option<WorkDef>,
    #[serde(default)]
    pub reply: Option<String>,
    #[serde(default)]
    pub reply_mandatory: bool,
    #[serde(default)]
    pub rules: Vec<RuleDef>,
    #[serde(default)]
    pub priority: i32,
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default)]
    pub declare: Vec<DeclareDef>,
    #[serde(default)]
    pub reconnect: Option<Reconnect>,
    #[serde(default)]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpcClientDef {
    pub name: String,
    pub queue: String,
    pub calls: Vec<String>,
    #[serde(default)]
    pub every: Option<Dur>,
    #[serde(default)]
    pub start: Option<Dur>,
    #[serde(default)]
    pub first_call: Option<Dur>,
    #[serde(default)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub persistent: bool,
    #[serde(default)]
    pub declare: Vec<DeclareDef>,
    #[serde(default)]
    pub reconnect: Option<Reconnect>,
    #[serde(default)]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultDef {
    pub at: Dur,
    #[serde(default)]
    pub until: Option<Dur>,
    #[serde(default)]
    pub crash: Option<String>,
    #[serde(default)]
    pub restart: Option<String>,
    /// `stop: broker`: a graceful broker shutdown (everything synced first).
    #[serde(default)]
    pub stop: Option<String>,
    #[serde(default)]
    pub delay: Option<String>,
    #[serde(default)]
    pub by: Option<Dur>,
    #[serde(default)]
    pub partition: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteDef {
    pub at: Dur,
    #[serde(default)]
    pub text: Option<Text>,
    #[serde(default)]
    pub ask: Option<Text>,
    #[serde(default)]
    pub choices: Vec<Text>,
    /// The right choice, as written in `choices` (its English text).
    #[serde(default)]
    pub answer: Option<String>,
    /// Shown with the answer: why it is the answer.
    #[serde(default)]
    pub explain: Option<Text>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorExpectDef {
    pub actor: String,
    pub code: u16,
}

/// One `expect:` item. Exactly one subject (`consumer`, `queue`, `producer`, `client`) with
/// one of its checks, or one of the global counts.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectDef {
    #[serde(default)]
    pub at: Option<Dur>,
    #[serde(default)]
    pub consumer: Option<String>,
    #[serde(default)]
    pub received: Option<Vec<String>>,
    #[serde(default)]
    pub redelivered: Option<Vec<String>>,
    #[serde(default)]
    pub processed: Option<Vec<String>>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub queue: Option<String>,
    #[serde(default)]
    pub messages: Option<Vec<String>>,
    #[serde(default)]
    pub exists: Option<bool>,
    #[serde(default)]
    pub ready: Option<u64>,
    #[serde(default)]
    pub unacked: Option<u64>,
    #[serde(default)]
    pub producer: Option<String>,
    #[serde(default)]
    pub returned: Option<Vec<String>>,
    #[serde(default)]
    pub confirmed: Option<u64>,
    #[serde(default)]
    pub nacked: Option<Vec<String>>,
    #[serde(default)]
    pub unconfirmed: Option<u64>,
    #[serde(default)]
    pub client: Option<String>,
    #[serde(default)]
    pub replies: Option<Vec<String>>,
    #[serde(default)]
    pub unroutable: Option<u64>,
    #[serde(default)]
    pub lost: Option<u64>,
    #[serde(default)]
    pub dead_lettered: Option<u64>,
    #[serde(default)]
    pub error: Option<ErrorExpectDef>,
    /// Free text shown with the result.
    #[serde(default)]
    pub why: Option<String>,
}
