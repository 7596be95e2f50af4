//! The scenario reference, generated from the code: `scenarios/REFERENCE.md` (every field with
//! its unit, default, scope, meaning and Flink key) and `scenarios/ckptsim-scenario.schema.json`
//! (a JSON Schema for editor completion of the TOML files). `ckptsim reference` writes both; a
//! test regenerates them and compares, and checks the catalogue against the schema's structure.

pub mod catalogue;
pub mod json_schema;
pub mod markdown;
pub mod trace;

pub use catalogue::{Def, FieldDoc, Unit, sections};
pub use trace::{LeafKind, TracedField, trace_scenario};

/// File names inside `scenarios/`.
pub const REFERENCE_MD: &str = "REFERENCE.md";
pub const SCHEMA_JSON: &str = "ckptsim-scenario.schema.json";

/// A documented field with what the code says about it.
#[derive(Clone, Debug)]
pub struct Field {
    pub doc: &'static FieldDoc,
    pub traced: TracedField,
}

impl Field {
    /// The table the field is in (`operators[]` for `operators[].name`, `` for top level).
    pub fn section(&self) -> &'static str {
        self.doc.path.rsplit_once('.').map_or("", |(s, _)| s)
    }

    /// The names an enum field accepts, from the schema.
    pub fn enum_values(&self) -> Vec<String> {
        match &self.traced.kind {
            LeafKind::Enum(v) => v.clone(),
            _ => Vec::new(),
        }
    }
}

/// Every field, in catalogue order, joined with its traced structure. Fields missing on either
/// side are left out here and reported by [`mismatches`].
pub fn fields() -> Vec<Field> {
    let (traced, _) = trace_scenario();
    catalogue::all()
        .filter_map(|doc| {
            traced
                .iter()
                .find(|t| t.path == doc.path)
                .map(|t| Field { doc, traced: t.clone() })
        })
        .collect()
}

/// Differences between the catalogue and the schema: fields only on one side, and units that
/// contradict what serde reads. Empty when they agree.
pub fn mismatches() -> Vec<String> {
    let (traced, tables) = trace_scenario();
    let mut out = Vec::new();
    for t in &traced {
        match catalogue::field(&t.path) {
            None => out.push(format!("`{}` is in the schema but not in the catalogue", t.path)),
            Some(doc) => {
                let fits = matches!(
                    (&t.kind, doc.unit),
                    (
                        LeafKind::Any,
                        Unit::Duration
                            | Unit::DurationDist
                            | Unit::Bytes
                            | Unit::BytesDist
                            | Unit::Rate
                            | Unit::TimeFactor,
                    ) | (LeafKind::Integer, Unit::Integer)
                        | (LeafKind::Float, Unit::Number)
                        | (LeafKind::Bool, Unit::Bool)
                        | (LeafKind::String, Unit::Text)
                        | (LeafKind::Enum(_), Unit::Enum)
                        | (LeafKind::Table, Unit::Table)
                );
                if !fits {
                    out.push(format!(
                        "`{}`: serde reads {:?}, the catalogue says {:?}",
                        t.path, t.kind, doc.unit
                    ));
                }
            }
        }
    }
    for doc in catalogue::all() {
        if !traced.iter().any(|t| t.path == doc.path) {
            out.push(format!("`{}` is in the catalogue but not in the schema", doc.path));
        }
    }
    for t in &tables {
        if !sections().any(|(s, _)| s == t) {
            out.push(format!("table `{t}` has no sentence in `catalogue::sections`"));
        }
    }
    for (s, _) in sections() {
        if !tables.iter().any(|t| t == s) {
            out.push(format!(
                "`catalogue::sections` names `{s}`, which is not a table of the schema"
            ));
        }
    }
    out
}
