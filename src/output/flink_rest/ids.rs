//! Flink's 32-hex-digit `JobID` and `JobVertexID` for a simulated run. Flink draws the job id at
//! random and hashes the stream graph for vertex ids; ckptsim derives both from what defines the
//! run (scenario name, seed, operator position and name), so the same run has the same ids.

/// FNV-1a, 64 bits: fixed by its definition, the same on every machine and Rust version (as
/// `sweep::fingerprint` uses it; repeated here so that output does not depend on sweep).
fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// 128 bits as Flink prints them: two 64-bit halves, each 16 lowercase hex digits.
fn id128(parts: &[&[u8]]) -> String {
    let mut bytes = Vec::new();
    for p in parts {
        bytes.extend_from_slice(p);
        bytes.push(0);
    }
    let upper = fnv1a_64(&bytes);
    bytes.push(1);
    let lower = fnv1a_64(&bytes);
    format!("{upper:016x}{lower:016x}")
}

/// The job id of the run of scenario `label` with master seed `seed`.
pub fn job_id(label: &str, seed: u64) -> String {
    id128(&[b"ckptsim-job", label.as_bytes(), &seed.to_le_bytes()])
}

/// The id of the `position`-th vertex (job-graph order), named `name`.
pub fn vertex_id(position: usize, name: &str) -> String {
    id128(&[b"ckptsim-vertex", &(position as u64).to_le_bytes(), name.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_digits_and_differ_by_input() {
        let a = job_id("quickstart", 1);
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, job_id("quickstart", 2));
        assert_ne!(vertex_id(0, "map"), vertex_id(1, "map"));
        assert_eq!(vertex_id(3, "sink"), vertex_id(3, "sink"));
    }
}
