//! Renders `scenarios/ckptsim-scenario.schema.json`: a JSON Schema (draft-07) of the scenario
//! TOML, for editors (taplo / Even Better TOML: `#:schema ./ckptsim-scenario.schema.json`).

use serde_json::{Map, Value, json};

use super::catalogue::{Def, Unit};
use super::{Field, fields};
use crate::scenario::flink::keys::{FlinkType, KEYS};

fn leaf(f: &Field) -> Value {
    let mut v = match f.doc.unit {
        Unit::Duration => json!({ "type": ["string", "integer"] }),
        Unit::Bytes | Unit::Rate => json!({ "type": ["string", "number"] }),
        Unit::DurationDist | Unit::BytesDist => json!({ "type": ["string", "number", "object"] }),
        Unit::Integer => json!({ "type": "integer", "minimum": 0 }),
        Unit::Number => json!({ "type": "number" }),
        Unit::Bool => json!({ "type": "boolean" }),
        Unit::Text => json!({ "type": "string" }),
        Unit::Enum => json!({ "type": "string", "enum": f.enum_values() }),
        Unit::Table => json!({ "type": "object" }),
        Unit::TimeFactor => json!({
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "items": [{ "type": ["string", "integer"] }, { "type": "number" }]
        }),
    };
    if f.doc.path == "flink" {
        v = flink_table();
    }
    if f.traced.list {
        v = json!({ "type": "array", "items": v });
    }
    let obj = v.as_object_mut().expect("an object");
    let flink: Vec<&str> = crate::scenario::flink::keys::for_field(f.doc.path)
        .iter()
        .map(|k| k.key)
        .collect();
    let mut description = format!("{} ({}; {})", f.doc.meaning, f.doc.unit.describe(), f.doc.scope);
    if !flink.is_empty() {
        description.push_str(&format!(" Flink: {}.", flink.join(", ")));
    }
    obj.insert("description".into(), Value::String(description));
    if let Def::Value(lit) = f.doc.default
        && let Ok(t) = toml::from_str::<toml::Table>(&format!("v = {lit}"))
        && let Ok(j) = serde_json::to_value(&t["v"])
    {
        obj.insert("default".into(), j);
    }
    v
}

fn flink_table() -> Value {
    let mut props = Map::new();
    for k in KEYS {
        let ty = match k.ty {
            FlinkType::Duration => json!(["string", "integer"]),
            FlinkType::MemorySize => json!(["string", "integer"]),
            FlinkType::Integer => json!(["integer", "string"]),
            FlinkType::Double => json!(["number", "string"]),
            FlinkType::Boolean => json!(["boolean", "string"]),
            FlinkType::Enum(_) => json!("string"),
        };
        let d = json!({ "type": ty, "description": format!("{}; sets {}", k.ty.describe(), k.path) });
        props.insert(k.key.to_string(), d.clone());
        for old in k.deprecated {
            props.insert((*old).to_string(), d.clone());
        }
    }
    json!({ "type": "object", "properties": props, "additionalProperties": false })
}

/// Inserts `value` at the nested position of `path` (`a.b[].c`): `[]` segments are arrays of
/// objects.
fn insert(root: &mut Map<String, Value>, path: &str, value: Value, required: bool) {
    let segs: Vec<&str> = path.split('.').collect();
    let mut obj = root;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        let (name, list) = match seg.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (*seg, false),
        };
        if last {
            if required {
                let req = obj.entry("required").or_insert_with(|| Value::Array(Vec::new()));
                req.as_array_mut()
                    .expect("an array")
                    .push(Value::String(name.to_string()));
            }
            obj.entry("properties")
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("properties is an object")
                .insert(name.to_string(), value);
            return;
        }
        let props = obj
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("properties is an object");
        let child = props.entry(name.to_string()).or_insert_with(|| {
            let table = json!({ "type": "object", "additionalProperties": false });
            if list {
                json!({ "type": "array", "items": table })
            } else {
                table
            }
        });
        let child = child.as_object_mut().expect("an object");
        obj = if list {
            child.get_mut("items").and_then(Value::as_object_mut).expect("items")
        } else {
            child
        };
    }
}

/// The schema, pretty-printed with a final newline.
pub fn json_schema() -> String {
    let mut root = Map::new();
    root.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
    root.insert("title".into(), json!("ckptsim scenario"));
    root.insert(
        "description".into(),
        json!("A ckptsim scenario file (TOML). Generated by `ckptsim reference`; see scenarios/REFERENCE.md."),
    );
    root.insert("type".into(), json!("object"));
    root.insert("additionalProperties".into(), json!(false));
    for f in fields() {
        let required = f.doc.default == Def::Required;
        insert(&mut root, f.doc.path, leaf(&f), required);
    }
    // Tables that must be present.
    for t in ["simulation", "cluster", "operators"] {
        let req = root.entry("required").or_insert_with(|| Value::Array(Vec::new()));
        req.as_array_mut().expect("an array").push(json!(t));
    }
    let mut s = serde_json::to_string_pretty(&Value::Object(root)).expect("a JSON value serializes");
    s.push('\n');
    s
}
