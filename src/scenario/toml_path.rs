//! Setting a value at a dotted field path of a TOML table: `--set` overrides, sweep axes and
//! Flink configuration keys all write into the scenario document through it.

use super::spans::{Seg, parse_path_strict};

/// Sets a value at a dotted path, creating intermediate tables. Array elements are addressed by
/// index or, for arrays of tables with a `name`, by name.
pub fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), String> {
    let segs = parse_path_strict(path)?;
    if segs.is_empty() {
        return Err("empty field name".into());
    }
    let Seg::Key(first) = &segs[0] else {
        return Err("a field path starts with a name".into());
    };
    if segs.len() == 1 {
        table.insert(first.clone(), value);
        return Ok(());
    }
    let mut cur = table
        .entry(first.clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    for (i, seg) in segs[1..].iter().enumerate() {
        let last = i + 2 == segs.len();
        let next: &mut toml::Value = match (seg, cur) {
            (Seg::Key(k), toml::Value::Table(t)) => {
                if last {
                    t.insert(k.clone(), value);
                    return Ok(());
                }
                t.entry(k.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            }
            (Seg::Key(k), toml::Value::Array(a)) => {
                let idx = a
                    .iter()
                    .position(|v| v.get("name").and_then(|n| n.as_str()) == Some(k.as_str()))
                    .ok_or_else(|| format!("no element named `{k}`"))?;
                if last {
                    return Err(format!("`{k}` is a whole element; name one of its fields"));
                }
                &mut a[idx]
            }
            (Seg::Index(n), toml::Value::Array(a)) => {
                let len = a.len();
                let slot = a
                    .get_mut(*n)
                    .ok_or_else(|| format!("index {n} is out of range (length {len})"))?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            (seg, other) => return Err(format!("cannot descend into {} with {seg:?}", other.type_str())),
        };
        cur = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_path_addresses_array_elements_by_name_and_index() {
        let mut t: toml::Table = toml::from_str("[[ops]]\nname = \"a\"\nx = 1\n[[ops]]\nname = \"b\"\nx = 2").unwrap();
        set_path(&mut t, "ops.b.x", toml::Value::Integer(5)).unwrap();
        set_path(&mut t, "ops[0].x", toml::Value::Integer(7)).unwrap();
        set_path(&mut t, "new.deep.key", toml::Value::Boolean(true)).unwrap();
        let ops = t["ops"].as_array().unwrap();
        assert_eq!(ops[0]["x"].as_integer(), Some(7));
        assert_eq!(ops[1]["x"].as_integer(), Some(5));
        assert_eq!(t["new"]["deep"]["key"].as_bool(), Some(true));
        assert!(set_path(&mut t, "ops.zzz.x", toml::Value::Integer(1)).is_err());
    }
}
