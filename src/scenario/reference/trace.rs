//! Reads the scenario schema out of the code: a serde `Deserializer` that, instead of parsing
//! a file, answers every request `Scenario::deserialize` makes and writes down what was asked
//! for. A struct reveals its field names, an enum its variant names, a list its element type,
//! and a leaf what serde asked to deserialize. The reference and the JSON schema are checked
//! against this, so a field added to the schema without documentation fails a test.

use std::cell::RefCell;
use std::fmt;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use crate::scenario::Scenario;

/// What serde asked for at a leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeafKind {
    Bool,
    /// A whole number.
    Integer,
    Float,
    String,
    /// One of these names.
    Enum(Vec<String>),
    /// A value the type reads itself (quantities with units, distributions).
    Any,
    /// A free-form table (`[sweep]`, `[flink]`).
    Table,
}

/// One field of the schema: its dotted path (`operators[].name`; a list of leaves is written
/// with its own path) and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracedField {
    pub path: String,
    pub kind: LeafKind,
    /// A list of such values (`at = ["1s", "2s"]`).
    pub list: bool,
}

#[derive(Debug)]
pub struct TraceError(String);

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for TraceError {}
impl de::Error for TraceError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        TraceError(msg.to_string())
    }
}

/// Every leaf field of `Scenario`, in declaration order, and every table (struct) path.
pub fn trace_scenario() -> (Vec<TracedField>, Vec<String>) {
    let rec = Recorder::default();
    Scenario::deserialize(Tracer {
        path: "",
        rec: &rec,
        in_list: false,
    })
    .expect("the tracer answers every request a derived Deserialize makes");
    (rec.leaves.into_inner(), rec.tables.into_inner())
}

#[derive(Default)]
struct Recorder {
    leaves: RefCell<Vec<TracedField>>,
    tables: RefCell<Vec<String>>,
}

impl Recorder {
    fn leaf(&self, path: &str, kind: LeafKind, list: bool) {
        let mut leaves = self.leaves.borrow_mut();
        if !leaves.iter().any(|l| l.path == path) {
            leaves.push(TracedField {
                path: path.to_string(),
                kind,
                list,
            });
        }
    }
}

#[derive(Clone, Copy)]
struct Tracer<'r> {
    path: &'r str,
    rec: &'r Recorder,
    /// This value is an element of a list of leaves.
    in_list: bool,
}

// `path` must outlive the recursion; paths are built as owned Strings and borrowed per call.
struct Owned<'r> {
    path: String,
    rec: &'r Recorder,
    in_list: bool,
}

impl<'r> Owned<'r> {
    fn tracer(&self) -> Tracer<'_> {
        Tracer {
            path: &self.path,
            rec: self.rec,
            in_list: self.in_list,
        }
    }
}

impl<'de> Deserializer<'de> for Tracer<'_> {
    type Error = TraceError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.rec.leaf(self.path, LeafKind::Any, self.in_list);
        // "0" is a valid duration, size, rate and distribution alike.
        v.visit_str("0")
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.rec.leaf(self.path, LeafKind::Bool, self.in_list);
        v.visit_bool(false)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.rec.leaf(self.path, LeafKind::Integer, self.in_list);
        v.visit_u32(0)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.rec.leaf(self.path, LeafKind::Integer, self.in_list);
        v.visit_u64(0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.rec.leaf(self.path, LeafKind::Float, self.in_list);
        v.visit_f64(0.0)
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.rec.leaf(self.path, LeafKind::String, self.in_list);
        v.visit_str("x")
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_string(v)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_some(self)
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.rec.leaf(self.path, LeafKind::Table, self.in_list);
        v.visit_map(NoEntries)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_seq(Elements {
            owned: Owned {
                path: format!("{}[]", self.path),
                rec: self.rec,
                in_list: true,
            },
            left: 1,
            list_path: self.path,
        })
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, TraceError> {
        v.visit_seq(Elements {
            owned: Owned {
                path: format!("{}[]", self.path),
                rec: self.rec,
                in_list: true,
            },
            left: len,
            list_path: self.path,
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TraceError> {
        self.rec.tables.borrow_mut().push(self.path.to_string());
        v.visit_map(Fields {
            fields,
            next: 0,
            prefix: self.path,
            rec: self.rec,
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TraceError> {
        self.rec.leaf(
            self.path,
            LeafKind::Enum(variants.iter().map(|s| s.to_string()).collect()),
            self.in_list,
        );
        v.visit_enum(FirstVariant(variants[0]))
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_string(v)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u128 f32 char bytes byte_buf unit unit_struct newtype_struct
        tuple_struct ignored_any
    }
}

/// The elements of a list: one (or a tuple's length), traced under `path[]`. A list whose
/// elements are leaves is recorded as a list field at the list's own path.
struct Elements<'r, 'p> {
    owned: Owned<'r>,
    left: usize,
    list_path: &'p str,
}

impl<'de> SeqAccess<'de> for Elements<'_, '_> {
    type Error = TraceError;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, TraceError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let value = seed.deserialize(self.owned.tracer())?;
        // A leaf element is documented at the list's path, as a list.
        let mut leaves = self.owned.rec.leaves.borrow_mut();
        if let Some(i) = leaves.iter().position(|l| l.path == self.owned.path) {
            let mut l = leaves.remove(i);
            l.path = self.list_path.to_string();
            l.list = true;
            if !leaves.iter().any(|x| x.path == l.path) {
                leaves.push(l);
            }
        }
        Ok(Some(value))
    }
}

struct Fields<'r, 'p> {
    fields: &'static [&'static str],
    next: usize,
    prefix: &'p str,
    rec: &'r Recorder,
}

impl<'de> MapAccess<'de> for Fields<'_, '_> {
    type Error = TraceError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, TraceError> {
        match self.fields.get(self.next) {
            Some(name) => {
                let key: de::value::StrDeserializer<'_, TraceError> = (*name).into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TraceError> {
        let name = self.fields[self.next];
        self.next += 1;
        let owned = Owned {
            path: if self.prefix.is_empty() {
                name.to_string()
            } else {
                format!("{}.{name}", self.prefix)
            },
            rec: self.rec,
            in_list: false,
        };
        seed.deserialize(owned.tracer())
    }
}

/// An empty table.
struct NoEntries;

impl<'de> MapAccess<'de> for NoEntries {
    type Error = TraceError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, _: K) -> Result<Option<K::Value>, TraceError> {
        Ok(None)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, _: V) -> Result<V::Value, TraceError> {
        Err(de::Error::custom("an empty table has no values"))
    }
}

struct FirstVariant(&'static str);

impl<'de> EnumAccess<'de> for FirstVariant {
    type Error = TraceError;
    type Variant = UnitOnly;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, UnitOnly), TraceError> {
        let name: de::value::StrDeserializer<'_, TraceError> = self.0.into_deserializer();
        Ok((seed.deserialize(name)?, UnitOnly))
    }
}

struct UnitOnly;

impl<'de> VariantAccess<'de> for UnitOnly {
    type Error = TraceError;
    fn unit_variant(self) -> Result<(), TraceError> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _: T) -> Result<T::Value, TraceError> {
        Err(de::Error::custom("scenario enums are unit variants"))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, TraceError> {
        Err(de::Error::custom("scenario enums are unit variants"))
    }
    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], _: V) -> Result<V::Value, TraceError> {
        Err(de::Error::custom("scenario enums are unit variants"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_finds_nested_list_and_enum_fields() {
        let (leaves, tables) = trace_scenario();
        let get = |p: &str| leaves.iter().find(|l| l.path == p).unwrap_or_else(|| panic!("no {p}"));
        assert_eq!(get("checkpoint.interval").kind, LeafKind::Any);
        assert_eq!(get("cluster.taskmanagers").kind, LeafKind::Integer);
        assert_eq!(get("operators[].inputs[].from").kind, LeafKind::String);
        assert!(matches!(&get("checkpoint.mode").kind, LeafKind::Enum(v) if v.contains(&"at_least_once".to_string())));
        let at = get("faults.task_crash[].at");
        assert!(at.list && at.kind == LeafKind::Any);
        assert!(tables.contains(&"state_backend.changelog".to_string()));
    }
}
