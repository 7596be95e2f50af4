//! A stable fingerprint of a sweep: what its results depend on (the scenario file's content,
//! including its `[sweep]` table, the scenario's name, and the ckptsim version). A resumed sweep or
//! a merge refuses to mix runs of different fingerprints. `[sweep.plot]` is left out: it says how
//! to draw the runs, not what they are, so changing a chart never invalidates finished runs.
//!
//! FNV-1a over the canonical TOML of the table: unlike `std`'s `DefaultHasher`, its value is
//! fixed by its definition, so it is the same on every machine and Rust version.

pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `table` is the whole scenario file; `label` names the scenario in run summaries.
pub fn sweep_fingerprint(table: &toml::Table, label: &str) -> String {
    let mut table = table.clone();
    if let Some(toml::Value::Table(sweep)) = table.get_mut("sweep") {
        sweep.remove("plot");
    }
    let table = &table;
    // Serialized TOML is canonical for a given table: keys sorted, one spelling per value. A table
    // parsed from TOML always serializes; the Debug form is an equally stable fallback.
    let canonical = toml::to_string(table).unwrap_or_else(|_| format!("{table:?}"));
    let mut bytes = Vec::with_capacity(canonical.len() + 64);
    for part in ["ckptsim-sweep-v1", env!("CARGO_PKG_VERSION"), label, &canonical] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0);
    }
    format!("{:016x}", fnv1a_64(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_reference_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fingerprint_follows_content_not_formatting() {
        let a: toml::Table = toml::from_str("x = 1\ny = \"s\"").unwrap();
        let b: toml::Table = toml::from_str("y = 's'\n\nx = 1 # comment").unwrap();
        let c: toml::Table = toml::from_str("x = 2\ny = \"s\"").unwrap();
        assert_eq!(sweep_fingerprint(&a, "l"), sweep_fingerprint(&b, "l"));
        assert_ne!(sweep_fingerprint(&a, "l"), sweep_fingerprint(&c, "l"));
        assert_ne!(sweep_fingerprint(&a, "l"), sweep_fingerprint(&a, "m"));
    }

    #[test]
    fn plot_settings_are_not_part_of_the_fingerprint() {
        let a: toml::Table = toml::from_str("[sweep.parameters]\nx = [1, 2]\n[sweep.plot]\nx = \"x\"").unwrap();
        let b: toml::Table = toml::from_str("[sweep.parameters]\nx = [1, 2]\n[sweep.plot]\nmetrics = [\"m\"]").unwrap();
        let c: toml::Table = toml::from_str("[sweep.parameters]\nx = [1, 3]\n[sweep.plot]\nx = \"x\"").unwrap();
        assert_eq!(sweep_fingerprint(&a, "l"), sweep_fingerprint(&b, "l"));
        assert_ne!(sweep_fingerprint(&a, "l"), sweep_fingerprint(&c, "l"));
    }
}
