//! The scenario format as a JSON Schema, derived from the file model's types (with their doc
//! comments as descriptions): printed by `warren schema` for editors, and walked by
//! [`check`] to find every unknown key, missing key and misspelt language in a file at once,
//! each at its own position, before serde stops at the first.

use super::load::ScenarioError;
use super::locate::Pos;
use super::model::ScenarioFile;
use super::suggest::did_you_mean;
use super::tree::{Kind, Node};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The JSON Schema (draft 2020-12) of a scenario file.
pub fn json_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut s = schemars::schema_for!(ScenarioFile).to_value();
        if let Some(o) = s.as_object_mut() {
            o.insert("title".into(), Value::from("warren scenario"));
            o.insert(
                "description".into(),
                Value::from("A warren scenario: a RabbitMQ topology, the clients that use it, faults, classroom notes and expectations (docs/scenarios.md)."),
            );
        }
        s
    })
}

/// The schema as pretty JSON text.
pub fn json_schema_text() -> String {
    serde_json::to_string_pretty(json_schema()).expect("a JSON value always prints")
}

struct Walk<'a> {
    file: &'a str,
    defs: &'a Map<String, Value>,
    errors: Vec<ScenarioError>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn prefixed(path: &str, message: String) -> String {
    if path.is_empty() {
        message
    } else {
        format!("{path}: {message}")
    }
}

/// Whether a node of this kind (mapping, sequence, scalar) could be valid under `s`.
fn kind_matches(defs: &Map<String, Value>, node: &Node, s: &Map<String, Value>, depth: usize) -> bool {
    let (s, _) = resolve(defs, s);
    if let Some(alts) = s.get("anyOf").or_else(|| s.get("oneOf")).and_then(Value::as_array) {
        return depth < 8 && alts.iter().filter_map(Value::as_object).any(|a| kind_matches(defs, node, a, depth + 1));
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str()).collect(),
        None => {
            return !matches!(node.kind, Kind::Map(_) | Kind::Seq(_)) || s.contains_key("properties") == matches!(node.kind, Kind::Map(_))
        }
        _ => return false,
    };
    types.iter().any(|t| match (&node.kind, *t) {
        (Kind::Map(_), "object") | (Kind::Seq(_), "array") => true,
        (Kind::Scalar(v, _), "null") => matches!(v.as_str(), "" | "~" | "null"),
        (Kind::Scalar(..), "string" | "integer" | "number" | "boolean") => true,
        _ => false,
    })
}

/// Follows `$ref`s to a definition; the name of the last one followed.
fn resolve<'s>(defs: &'s Map<String, Value>, mut s: &'s Map<String, Value>) -> (&'s Map<String, Value>, Option<&'s str>) {
    let mut name = None;
    for _ in 0..16 {
        let Some(n) = s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) else { break };
        let Some(d) = defs.get(n).and_then(Value::as_object) else { break };
        name = Some(n);
        s = d;
    }
    (s, name)
}

impl<'a> Walk<'a> {
    fn err(&mut self, pos: Pos, message: String, help: Option<String>) {
        let mut e = ScenarioError::new(self.file, pos, message);
        e.help = help;
        self.errors.push(e);
    }

    fn node(&mut self, node: &Node, schema: &'a Value, path: &str) {
        let defs = self.defs;
        let Some(s) = schema.as_object() else { return };
        let (s, name) = resolve(defs, s);
        if let (Kind::Scalar(v, quoted), Some("Reconnect")) = (&node.kind, name) {
            if v != "never" {
                if let Some(p) = duration_problem(v, *quoted) {
                    let p = if p.contains("unknown unit") { format!("{p}; or `never`") } else { p };
                    self.err(node.pos, prefixed(path, p), None);
                }
            }
            return;
        }
        if let Some(alts) = s.get("anyOf").or_else(|| s.get("oneOf")).and_then(Value::as_array) {
            let fits: Vec<&Value> =
                alts.iter().filter(|a| a.as_object().map(|o| kind_matches(defs, node, o, 0)).unwrap_or(false)).collect();
            if let [only] = fits[..] {
                self.node(node, only, path);
            } else if fits.is_empty() {
                // Nothing fits: an optional value (`X` or null) is checked as an `X`, so that
                // its problem is placed at the value, not at the enclosing mapping.
                let non_null: Vec<&Value> = alts.iter().filter(|a| a.get("type").and_then(Value::as_str) != Some("null")).collect();
                if let [only] = non_null[..] {
                    self.node(node, only, path);
                }
            }
            return;
        }
        match (&node.kind, name) {
            (Kind::Scalar(v, quoted), Some("Duration")) => self.duration(node.pos, v, *quoted, path),
            (Kind::Map(pairs), _) if s.contains_key("properties") => self.mapping(node.pos, pairs, s, name, path),
            (Kind::Seq(items), _) => {
                let prefix = s.get("prefixItems").and_then(Value::as_array);
                for (i, item) in items.iter().enumerate() {
                    let sub = prefix.and_then(|p| p.get(i)).or_else(|| s.get("items"));
                    if let Some(sub) = sub {
                        self.node(item, sub, &format!("{path}[{i}]"));
                    }
                }
            }
            (Kind::Scalar(v, quoted), _) => self.scalar(node.pos, v, *quoted, s, path),
            _ => {}
        }
    }

    fn mapping(&mut self, at: Pos, pairs: &[(Node, Node)], s: &'a Map<String, Value>, name: Option<&str>, path: &str) {
        let Some(props) = s.get("properties").and_then(Value::as_object) else { return };
        let closed = s.get("additionalProperties") == Some(&Value::Bool(false));
        let known: Vec<&str> = props.keys().map(String::as_str).collect();
        for (k, v) in pairs {
            let Some(key) = k.as_str() else { continue };
            match props.get(key) {
                Some(sub) => self.node(v, sub, &join(path, key)),
                None if closed && name == Some("LangText") => {
                    let m = prefixed(path, format!("unknown language `{key}`: expected `en` (required) and `zh`"));
                    self.err(k.pos, m, did_you_mean(key, known.iter().copied()));
                }
                None if closed => {
                    let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    let m = prefixed(path, format!("unknown field `{key}`, expected one of {}", list.join(", ")));
                    self.err(k.pos, m, did_you_mean(key, known.iter().copied()));
                }
                None => {}
            }
        }
        for req in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !pairs.iter().any(|(k, _)| k.as_str() == Some(req)) {
                self.err(at, prefixed(path, format!("missing field `{req}`")), None);
            }
        }
    }

    fn duration(&mut self, at: Pos, v: &str, quoted: bool, path: &str) {
        if let Some(p) = duration_problem(v, quoted) {
            self.err(at, prefixed(path, p), None);
        }
    }

    /// A plain word where a number or a boolean belongs (conservative: anything serde might
    /// accept is left to serde).
    fn scalar(&mut self, at: Pos, v: &str, quoted: bool, s: &Map<String, Value>, path: &str) {
        let expected = match s.get("type").and_then(Value::as_str) {
            Some("integer") => "a whole number",
            Some("boolean") => "a boolean (true or false)",
            _ => return,
        };
        let word = !v.is_empty() && v.chars().all(|c| c.is_alphabetic() || c == '-' || c == '_' || c == ' ');
        let special = matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "null" | "~" | ".inf" | ".nan");
        if quoted || (word && !special) {
            self.err(at, prefixed(path, format!("invalid type: string {v:?}, expected {expected}")), None);
        }
    }
}

/// What is wrong with a duration's text, if anything.
fn duration_problem(v: &str, quoted: bool) -> Option<String> {
    let number = !quoted && v.parse::<f64>().is_ok();
    if number {
        if v.trim_start().starts_with('-') {
            Some(format!("negative duration `{v}`: simulated time only moves forward"))
        } else {
            Some(format!("duration `{v}` has no unit: expected one of us, ms, s, m, h (like {v}ms)"))
        }
    } else {
        crate::sim::Time::parse(v).err().map(|e| e.to_string())
    }
}

/// Every unknown or missing key, misspelt language and malformed duration in the file, each
/// at its own position.
pub fn check(root: &Node, file: &str) -> Vec<ScenarioError> {
    let schema = json_schema();
    let empty = Map::new();
    let defs = schema.get("$defs").and_then(Value::as_object).unwrap_or(&empty);
    let mut w = Walk { file, defs, errors: Vec::new() };
    if matches!(root.kind, Kind::Map(_)) {
        w.node(root, schema, "");
    }
    w.errors
}
