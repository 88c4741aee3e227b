//! The JSON Schema of the scenario format: derived from the file model, every key described,
//! every bundled scenario valid against it (checked by an independent validator), typos
//! refused by it, and the `warren schema` output the same schema.

use serde_json::Value;
use warren::scenario::{bundled, load, schema};

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(schema::json_schema()).expect("the schema is a valid JSON Schema")
}

#[test]
fn every_bundled_scenario_is_valid_against_the_schema() {
    let v = validator();
    for (name, text) in bundled::BUNDLED {
        let doc = load::to_json(text).unwrap();
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn the_schema_refuses_what_the_loader_refuses() {
    let v = validator();
    for bad in [
        "name: t\nqeues: []\n",
        "name: t\nqueues: [ { name: q, durabel: true } ]\n",
        "name: t\nuntil: 5\n",
        "name: t\ntitle: { en: a, fr: b }\n",
        "name: t\nconsumers: [ { name: c, queue: { exclusiv: true } } ]\n",
        "queues: []\n",
    ] {
        let doc = load::to_json(bad).unwrap();
        assert!(!v.is_valid(&doc), "the schema accepts {bad:?}");
    }
}

/// Every property of every object in the schema, with the path to it.
fn properties<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    if let Some(o) = v.as_object() {
        if let Some(props) = o.get("properties").and_then(Value::as_object) {
            for (k, p) in props {
                out.push((format!("{path}.{k}"), p));
            }
        }
        for (k, sub) in o {
            properties(sub, format!("{path}/{k}"), out);
        }
    } else if let Some(a) = v.as_array() {
        for (i, sub) in a.iter().enumerate() {
            properties(sub, format!("{path}[{i}]"), out);
        }
    }
}

#[test]
fn every_key_has_a_description() {
    let mut props = Vec::new();
    properties(schema::json_schema(), String::new(), &mut props);
    assert!(props.len() > 100, "{} properties", props.len());
    let missing: Vec<&String> =
        props.iter().filter(|(_, p)| p.get("description").and_then(Value::as_str).is_none_or(str::is_empty)).map(|(k, _)| k).collect();
    assert!(missing.is_empty(), "keys without a description: {missing:#?}");
    let top = schema::json_schema()["properties"].as_object().unwrap();
    for key in ["name", "queues", "consumers", "producers", "faults", "notes", "expect", "limits"] {
        assert!(top.contains_key(key), "{key}");
    }
}

#[test]
fn warren_schema_prints_it() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warren")).arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(&printed, schema::json_schema());
    assert_eq!(printed["$schema"], "https://json-schema.org/draft/2020-12/schema");
}
