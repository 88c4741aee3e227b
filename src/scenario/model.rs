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
use schemars::JsonSchema;
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

/// The pattern of a duration in the JSON Schema (what `Time::parse` accepts, less the
/// microsecond-resolution check).
const DURATION_PATTERN: &str = r"^\s*([0-9]+\.?[0-9]*|\.[0-9]+)\s*(us|µs|ms|s|m|min|h)\s*$";

impl JsonSchema for Dur {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": "A duration with a unit: 250us, 10ms, 1.5s, 2m, 1h (microsecond resolution; a bare number is an error).",
            "examples": ["250ms", "1.5s", "2m"]
        })
    }
}

impl JsonSchema for Reconnect {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Reconnect".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "How long after losing its connection the client reconnects (a duration), or `never`.",
            "anyOf": [
                { "type": "string", "pattern": DURATION_PATTERN },
                { "const": "never" }
            ]
        })
    }
}

/// Text shown to people: one string, or one per language (`en`, `zh`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    Lang(LangText),
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LangText {
    /// The English text (required).
    pub en: String,
    /// The Simplified Chinese text (English is shown without it).
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

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The scenario's name (by convention the file's stem) (string, required).
    pub name: String,
    /// One line, shown in `warren list` and the TUI picker (text; default `name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// Shown before the run starts (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Seed of every random choice; `--seed` overrides it (integer; default `0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Stop at this time; otherwise the run goes until nothing is left to happen (duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Dur>,
    /// Broker settings: `sync_every`, `latency` (map).
    #[serde(default, skip_serializing_if = "BrokerDef::is_default")]
    pub broker: BrokerDef,
    /// Safety caps on a run: `events`, `time` (map).
    #[serde(default, skip_serializing_if = "LimitsDef::is_default")]
    pub limits: LimitsDef,
    /// Declared at time 0 by the scenario's setup (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<ExchangeDef>,
    /// Declared at time 0 (exclusive ones by their consumer) (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueDef>,
    /// Made at time 0 (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bindings: Vec<BindingDef>,
    /// Clients that consume from a queue (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<ConsumerDef>,
    /// Clients that publish messages (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub producers: Vec<ProducerDef>,
    /// Clients that make RPC calls and wait for replies (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rpc_clients: Vec<RpcClientDef>,
    /// Crashes, restarts, delays, partitions (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultDef>,
    /// Classroom narration and questions (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteDef>,
    /// Checked by `warren check` (list; default `[]`).
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

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrokerDef {
    /// How often persistent messages reach disk (default 200ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_every: Option<Dur>,
    /// One-way network latency between every client and the broker (default 0s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dur>,
    /// How long a delivery may stay unacknowledged before its channel is closed (default 30m).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_timeout: Option<Dur>,
    /// How often each channel checks its consumer timeout (default 60s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_tick_interval: Option<Dur>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
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

impl JsonSchema for Size {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Size".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A size in bytes: a whole number, or one with a unit (512KB, 256MB, 2GB; powers of 1024).",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*[0-9]+\\s*([kKmMgG][iI]?)?[bB]?\\s*$" }
            ],
            "examples": ["256MB", "1GB"]
        })
    }
}

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

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffDef {
    /// Why `warren diff` skips this scenario.
    pub skip: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeDef {
    /// Not `""` (the default exchange always exists) and not `amq.*` (string, required).
    pub name: String,
    /// `direct`, `fanout`, `topic` or `headers` (string, required).
    #[serde(rename = "type")]
    pub kind: String,
    /// Survives a broker restart (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub durable: bool,
    /// Deleted when its last binding goes away (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
    /// Only other exchanges may publish to it (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub internal: bool,
    /// Where messages go that this exchange cannot route (must be declared) (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_exchange: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueDef {
    /// The name (unique; at most 255 bytes; not `amq.*`) (string, required).
    pub name: String,
    /// The queue survives a broker restart (its persistent messages too) (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub durable: bool,
    /// Owned by one connection, deleted when it closes. A top-level exclusive queue must be read by exactly one
    /// consumer, which declares it on its own connection (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    /// Deleted when its last consumer goes away (if it ever had one) (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
    /// RabbitMQ's own argument names and meanings, below (map; default `{}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub arguments: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingDef {
    /// The source exchange (declared in `exchanges:`; not `""`) (string, required).
    pub exchange: String,
    /// The destination queue (declared in `queues:`) (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// An exchange-to-exchange binding: messages matching go on to this exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_exchange: Option<String>,
    /// The binding key (ignored by fanout and headers exchanges) (string; default `""`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// Headers-exchange arguments: `x-match` (`all`, `any`, `all-with-x`, `any-with-x`) and header values; a
    /// `null` value means "header present" (map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub arguments: Option<YamlMapping>,
}

/// What a client declares itself when it connects (as the article's programs do).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareDef {
    /// Declare this queue  (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// ... or this exchange (exactly one) (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<String>,
    /// The exchange type (required for an exchange unless `passive`) (string).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Survives a broker restart (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub durable: bool,
    /// exclusive (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    /// Deleted when its last consumer goes away (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
    /// Only check that it exists (404 otherwise) (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub passive: bool,
    /// For an exchange (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_exchange: Option<String>,
    /// Queue arguments (map; default `{}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
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

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProducerDef {
    /// Unique among all clients; not `broker` or `setup` (string, required).
    pub name: String,
    /// When it connects (duration; default `0s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Dur>,
    /// `confirm.select` on its channel: every publish gets a basic.ack or basic.nack (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub confirms: bool,
    /// Publish entries, below (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publish: Vec<PublishDef>,
    /// What it declares on every (re)connect, see [declare](#declare) (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declare: Vec<DeclareDef>,
    /// After losing its connection (broker down, partition), reconnect this long after the broker is reachable
    /// again (duration or `never`; default `1s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<Reconnect>,
    /// Extra one-way latency on its link (duration; default `0s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishDef {
    /// When the first message is published (not before `start`) (duration; default `0s`).
    #[serde(default, skip_serializing_if = "Dur::is_zero")]
    pub at: Dur,
    /// The exchange (the default exchange routes by queue name) (string; default `""`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exchange: String,
    /// The routing key (at most 255 bytes) (string; default `""`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// `{n}` is 1, 2, 3 ... within this entry (string; default `message {n}`).
    #[serde(default = "default_body")]
    pub body: String,
    /// How many messages (integer ≥ 1; default `1`).
    #[serde(default = "one")]
    pub count: u32,
    /// The gap between them (`0s`: all at once) (duration; default `0s`).
    #[serde(default, skip_serializing_if = "Dur::is_zero")]
    pub every: Dur,
    /// `delivery_mode=2` (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub persistent: bool,
    /// An unroutable message comes back with basic.return (312 NO_ROUTE) instead of being dropped (bool;
    /// default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub mandatory: bool,
    /// Message headers (strings, numbers, booleans, null) (map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub headers: Option<YamlMapping>,
    /// Per-message TTL (duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Dur>,
    /// The `reply_to` property (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// The `correlation_id` property (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The message `priority` property (0-255).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
}

fn default_body() -> String {
    "message {n}".into()
}

fn one() -> u32 {
    1
}

/// A consumer's queue: a declared queue's name, or a private server-named one.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ConsumerQueueDef {
    Named(String),
    Private(PrivateQueueDef),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateQueueDef {
    /// Deleted with the consumer's connection (bool; default `true`).
    #[serde(default = "yes")]
    pub exclusive: bool,
    /// Survives a broker restart (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub durable: bool,
    /// Deleted when its last consumer goes away (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
    /// Queue arguments, as above (map; default `{}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub arguments: BTreeMap<String, Value>,
    /// `{ exchange, key, arguments }` bindings made after declaring it (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bind: Vec<PrivateBindDef>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateBindDef {
    /// The exchange to bind the private queue to.
    pub exchange: String,
    /// The binding key (default "").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// Headers-exchange binding arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub arguments: Option<YamlMapping>,
}

/// `work: 1s`, `work: { uniform: [100ms, 2s] }`, `work: { exponential: 500ms }`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum WorkDef {
    Fixed(Dur),
    Dist(WorkDist),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkDist {
    /// Work time drawn uniformly between two durations, e.g. [100ms, 2s].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniform: Option<(Dur, Dur)>,
    /// Work time drawn from an exponential distribution with this mean, e.g. 500ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exponential: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Only for this body (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Only for deliveries with (or without) the redelivered flag (bool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redelivered: Option<bool>,
    /// Only the first N matching deliveries (integer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Any `ack` mode, or `crash` (the process dies during the work) or `crash-before-ack` (the work completes
    /// — an RPC server publishes its reply — then the process dies before acking) (string).
    pub action: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDef {
    /// Also its consumer tag (string, required).
    pub name: String,
    /// A declared queue's name, or a private server-named queue (below) (string or map, required).
    pub queue: ConsumerQueueDef,
    /// When it connects and subscribes (duration; default `0s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Dur>,
    /// `manual`: ack after the work; `auto`: auto_ack=True (the broker forgets the message at delivery);
    /// `forget`: never acks; `reject`: basic.reject(requeue=false); `requeue`: basic.nack(requeue=true);
    /// `reject-requeue`: basic.reject(requeue=true); `nack`: basic.nack(requeue=false) (string; default
    /// `manual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<String>,
    /// `basic_qos(prefetch_count)` before consuming; `0` = unlimited (integer; default `0`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub prefetch: u32,
    /// Time per message: `1s`, `{ uniform: [100ms, 2s] }`, `{ exponential: 500ms }` (drawn from this consumer's
    /// own random stream) (duration or map; default `0s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work: Option<WorkDef>,
    /// Makes it an RPC server: after the work it publishes `f(body)` to the request's `reply_to` with the same
    /// `correlation_id`, then acks. `f` is `echo`, `fib`, `increment`, `upper`, or a template containing
    /// `{body}` (e.g. `"reply:{body}"`). A request without `reply_to` makes the server fail before it acks (the
    /// article's bug); a body `f` cannot take (`fib` of a non-number) does too (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// Publish replies with `mandatory` (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub reply_mandatory: bool,
    /// Per-message overrides of `ack`, below (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDef>,
    /// Consumer priority (`x-priority`) (integer; default `0`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: i32,
    /// Exclusive consumer (403 if the queue has others) (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    /// See [declare](#declare) (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declare: Vec<DeclareDef>,
    /// As for producers (duration or `never`; default `1s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<Reconnect>,
    /// Extra one-way latency on its link (duration; default `0s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dur>,
    /// `basic.cancel` at this time; what it holds is still worked on and settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<Dur>,
    /// Settle with `multiple=true` once every N finished messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_every: Option<u32>,
    /// `basic.qos` again, mid-run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qos: Vec<QosDef>,
    /// `basic.recover(requeue=true)` at this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recover: Option<Dur>,
    /// Poll with `basic.get` this often instead of consuming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get: Option<Dur>,
}

/// A `basic.qos` a consumer sends mid-run.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QosDef {
    /// When it sends this basic.qos (duration).
    pub at: Dur,
    /// `prefetch_count`: 0 lifts the limit.
    pub prefetch: u32,
    /// `global=true`: one limit for the whole channel, at once; `false` (default): the prefetch of consumers created afterwards, and any channel-wide limit lifted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub global: bool,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RpcClientDef {
    /// Unique among all clients; not `broker` or `setup` (string, required).
    pub name: String,
    /// Requests go through the default exchange to this (declared) queue (string, required).
    pub queue: String,
    /// Request bodies, in order (list of strings, required).
    pub calls: Vec<String>,
    /// Gap between calls (calls do not wait for replies) (duration; default `1s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<Dur>,
    /// When it connects (duration; default `0s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Dur>,
    /// When the first call is made (duration; default `start`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_call: Option<Dur>,
    /// `callback`: an exclusive server-named callback queue (tutorial six); `direct`: direct reply-to
    /// (`amq.rabbitmq.reply-to`); `none`: no reply_to at all (the article's bug) (string; default `callback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Requests are persistent (bool; default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub persistent: bool,
    /// See [declare](#declare) (list; default `[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declare: Vec<DeclareDef>,
    /// Duration or `never`; default `1s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<Reconnect>,
    /// Duration; default `0s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultDef {
    /// When (required) (duration).
    pub at: Dur,
    /// End of a `delay` or `partition` (after `at`) (duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Dur>,
    /// A client's process dies: what it already sent still arrives, then the broker sees its connection close
    /// and requeues what it held unacked; an auto-acked message it held is lost. `broker`: the broker loses
    /// power — durable queues come back with the persistent messages synced to disk (all flagged redelivered:
    /// an unclean restart cannot tell which were delivered); transient messages, non-durable queues and
    /// exchanges, and persistent messages still in the sync window are lost; acks not yet synced are undone
    /// (client name or `broker`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<String>,
    /// A crashed client starts again; the broker comes back with what it recovered, and disconnected clients
    /// reconnect (client name or `broker`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    /// `stop: broker`: a graceful broker shutdown (everything synced first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    /// Extra latency `by` on the client's link, until `until` (order is kept: nothing overtakes) (client name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<String>,
    /// With `delay` (duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Dur>,
    /// The client's link is cut: in-flight traffic is lost and the broker sees its connection die; at `until`
    /// the link heals and the client reconnects (client name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteDef {
    /// When the note is shown (duration).
    pub at: Dur,
    /// Narration  (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// ... or a question: the TUI pauses and the audience picks one of `choices` (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<Text>,
    /// At least two (list of text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Text>,
    /// The right choice, as written in `choices` (its English text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Shown with the answer: why it is the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Text>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorExpectDef {
    /// The client whose channel or connection was closed.
    pub actor: String,
    /// The AMQP reply code, e.g. 404 or 406.
    pub code: u16,
}

/// One `expect:` item. Exactly one subject (`consumer`, `queue`, `producer`, `client`) with
/// one of its checks, or one of the global counts.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectDef {
    /// Check at this simulated time instead of at the end of the run (duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Dur>,
    /// The consumer checked by `received`, `redelivered`, `processed` or `count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    /// The consumer's deliveries, in order, redeliveries included (bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<Vec<String>>,
    /// The consumer's deliveries flagged redelivered, in order (bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redelivered: Option<Vec<String>>,
    /// The messages the consumer finished working on (bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed: Option<Vec<String>>,
    /// How many deliveries the consumer received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// With `consumer` and `headers`: the Nth delivery to it, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<u64>,
    /// The queue checked by `messages`, `exists`, `ready`, `unacked` or `position`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// With `queue` and `headers`: the Nth ready message, the head being 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    /// With `delivery` or `position`: headers the message carries (at least these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub headers: Option<YamlMapping>,
    /// The queue's ready messages, head first (bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
    /// Whether the queue exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// The queue's ready count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<u64>,
    /// The queue's unacknowledged count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unacked: Option<u64>,
    /// The producer checked by `returned`, `confirmed`, `nacked` or `unconfirmed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<String>,
    /// Messages returned to the producer (basic.return), in order (bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<Vec<String>>,
    /// How many of the producer's publishes the broker acked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<u64>,
    /// The producer's publishes the broker nacked (bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nacked: Option<Vec<String>>,
    /// How many of the producer's confirm-mode publishes got neither ack nor nack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<u64>,
    /// The RPC client checked by `replies`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// Replies the RPC client accepted, in order (bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<String>>,
    /// How many client publishes reached no queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unroutable: Option<u64>,
    /// How many message copies were lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<u64>,
    /// How many message copies were dead-lettered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_lettered: Option<u64>,
    /// The broker closed a channel or connection of `actor` with reply `code`.
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
        self.sync_every.is_none() && self.latency.is_none() && self.consumer_timeout.is_none() && self.channel_tick_interval.is_none()
    }
}

impl LimitsDef {
    fn is_default(&self) -> bool {
        self.events.is_none() && self.time.is_none() && self.messages.is_none() && self.memory.is_none()
    }
}
