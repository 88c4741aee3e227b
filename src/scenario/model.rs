//! The scenario file as written: serde structs that mirror the YAML keys one to one. Every
//! struct denies unknown keys, so a typo is an error with its line and column, never
//! silently ignored. Meaning is given to these values in [`super::validate`].
//!
//! The contract keys are documented in `docs/scenarios.md`; add keys freely, never rename or
//! drop one.
//!
//! A leaf: it imports nothing of the rest of `scenario`. Reading and writing the file is
//! [`super::load`]'s job (which also gives [`ScenarioFile`] its `to_yaml`); the only names this
//! file takes from the YAML crate are the two value types below.

use crate::sim::Time;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A duration written as text: `250us`, `10ms`, `1.5s`, `2m`, `1h`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Dur(pub Time);

impl Dur {
    pub fn is_zero(&self) -> bool {
        self.0 == Time::ZERO
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_duration_string())
    }
}

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
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    Lang(LangText),
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LangText {
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// The YAML value types the scenario model is made of (from the YAML crate; named here, in the
/// model's one leaf, so that the model needs nothing of the loader and replacing the crate
/// touches only this pair and [`super::load`]).
pub type YamlValue = serde_yaml::Value;
/// A YAML mapping (header tables, binding arguments).
pub type YamlMapping = serde_yaml::Mapping;

/// A YAML scalar used as a header or argument value.
pub type Value = YamlValue;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Dur>,
    #[serde(default, skip_serializing_if = "BrokerDef::is_default")]
    pub broker: BrokerDef,
    #[serde(default, skip_serializing_if = "LimitsDef::is_default")]
    pub limits: LimitsDef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<ExchangeDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bindings: Vec<BindingDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<ConsumerDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub producers: Vec<ProducerDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rpc_clients: Vec<RpcClientDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<ExpectDef>,
    /// For `warren diff`: `skip` with a reason when the outcome hangs on timing too fine for
    /// a real broker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<DiffDef>,
    /// The order of the top-level keys in the file it was read from: kept so that a scenario
    /// written back replays identically (events due at the same instant happen in file order).
    #[serde(skip)]
    pub key_order: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerDef {
    /// How often persistent messages reach disk (default 200ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_every: Option<Dur>,
    /// One-way network latency between every client and the broker (default 0s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsDef {
    /// Stop with an error after this many events (default 50,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// Stop with an error past this simulated time when there is no `until` (default 24h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Dur>,
    /// Stop with an error when more message copies than this are live at once: ready,
    /// unacked, in flight (default 10,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<u64>,
    /// Stop with an error when the run's estimated memory passes this (default 1GB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Size>,
}

/// A size in bytes: a number, or a number with a unit (`512KB`, `256MB`, `2GB`; powers of 1024).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Size(pub u64);

impl Size {
    pub fn parse(s: &str) -> Result<u64, String> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: u64 = num.parse().map_err(|_| format!("`{s}` is not a size: expected a number with KB, MB or GB, like 256MB"))?;
        let mul: u64 = match unit.trim().to_ascii_uppercase().as_str() {
            "" | "B" => 1,
            "KB" | "K" | "KIB" => 1 << 10,
            "MB" | "M" | "MIB" => 1 << 20,
            "GB" | "G" | "GIB" => 1 << 30,
            _ => return Err(format!("`{s}` has an unknown unit: expected B, KB, MB or GB")),
        };
        n.checked_mul(mul).ok_or_else(|| format!("`{s}` is too large"))
    }
}

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % (1 << 20) == 0 {
            s.serialize_str(&format!("{}MB", self.0 >> 20))
        } else {
            s.serialize_u64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a size, like 256MB or 2GB")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Size, E> {
                Size::parse(s).map(Size).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
                Ok(Size(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v).map(Size).map_err(|_| E::custom(format!("negative size `{v}`")))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DiffDef {
    pub skip: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub durable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_exchange: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QueueDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub durable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub arguments: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BindingDef {
    pub exchange: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// An exchange-to-exchange binding: messages matching go on to this exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_exchange: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<YamlMapping>,
}

/// What a client declares itself when it connects (as the article's programs do).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeclareDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub durable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub passive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_exchange: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub arguments: BTreeMap<String, Value>,
}

/// `reconnect: 1s` or `reconnect: never`.
#[derive(Clone, Debug, PartialEq)]
pub enum Reconnect {
    After(Time),
    Never,
}

impl Serialize for Reconnect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Reconnect::Never => s.serialize_str("never"),
            Reconnect::After(t) => s.serialize_str(&t.to_duration_string()),
        }
    }
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

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Dur>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub confirms: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publish: Vec<PublishDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declare: Vec<DeclareDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<Reconnect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PublishDef {
    #[serde(default, skip_serializing_if = "Dur::is_zero")]
    pub at: Dur,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exchange: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(default = "default_body")]
    pub body: String,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Dur::is_zero")]
    pub every: Dur,
    #[serde(default, skip_serializing_if = "is_false")]
    pub persistent: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub mandatory: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<YamlMapping>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

fn default_body() -> String {
    "message {n}".into()
}

fn one() -> u32 {
    1
}

/// A consumer's queue: a declared queue's name, or a private server-named one.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ConsumerQueueDef {
    Named(String),
    Private(PrivateQueueDef),
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateQueueDef {
    #[serde(default = "yes")]
    pub exclusive: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub durable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub arguments: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bind: Vec<PrivateBindDef>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateBindDef {
    pub exchange: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<YamlMapping>,
}

/// `work: 1s`, `work: { uniform: [100ms, 2s] }`, `work: { exponential: 500ms }`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum WorkDef {
    Fixed(Dur),
    Dist(WorkDist),
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkDist {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniform: Option<(Dur, Dur)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exponential: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redelivered: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    pub action: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDef {
    pub name: String,
    pub queue: ConsumerQueueDef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub prefetch: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work: Option<WorkDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub reply_mandatory: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDef>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: i32,
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declare: Vec<DeclareDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<Reconnect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RpcClientDef {
    pub name: String,
    pub queue: String,
    pub calls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_call: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub persistent: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declare: Vec<DeclareDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<Reconnect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultDef {
    pub at: Dur,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    /// `stop: broker`: a graceful broker shutdown (everything synced first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoteDef {
    pub at: Dur,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Text>,
    /// The right choice, as written in `choices` (its English text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Shown with the answer: why it is the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Text>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorExpectDef {
    pub actor: String,
    pub code: u16,
}

/// One `expect:` item. Exactly one subject (`consumer`, `queue`, `producer`, `client`) with
/// one of its checks, or one of the global counts.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redelivered: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unacked: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nacked: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unroutable: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_lettered: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorExpectDef>,
    /// A delivery guarantee that must hold for the run (see docs/guarantees.md):
    /// conservation, at-most-once, at-least-once, exactly-once, redelivered-flag, prefetch, no-loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantee: Option<String>,
    /// Free text shown with the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl BrokerDef {
    fn is_default(&self) -> bool {
        self.sync_every.is_none() && self.latency.is_none()
    }
}

impl LimitsDef {
    fn is_default(&self) -> bool {
        self.events.is_none() && self.time.is_none() && self.messages.is_none() && self.memory.is_none()
    }
}
