//! Which points of a sweep make one line. A parameter tells lines apart only when its value does
//! not follow from x and the other parameters that tell lines apart: in a zip sweep that varies
//! parallelism and TaskManagers together, the TaskManagers follow from the parallelism, so the
//! points make one line over the parallelism instead of one single-point series each.

use crate::sweep_manifest::Manifest;

/// Does the value of parameter `target` follow from the values of `given` (same values of
/// `given` at two points, same value of `target`)?
fn determined_by(m: &Manifest, target: usize, given: &[usize]) -> bool {
    let key = |p: usize| -> Vec<&str> { given.iter().map(|&j| m.value(p, j)).collect() };
    // Sorted pairs, not a hash map: no iteration order to leak anywhere.
    let mut seen: Vec<(Vec<&str>, &str)> = Vec::with_capacity(m.points.len());
    for p in 0..m.points.len() {
        let k = key(p);
        // By value, not by index: a zip sweep lists a value once per point it appears in.
        let v = m.value(p, target);
        match seen.binary_search_by(|(sk, _)| sk.cmp(&k)) {
            Ok(i) if seen[i].1 != v => return false,
            Ok(_) => {}
            Err(i) => seen.insert(i, (k, v)),
        }
    }
    true
}

/// The parameters whose values tell the lines apart: `explicit` when given, otherwise every
/// parameter but x, less those that follow from x and the remaining ones.
pub fn series_parameters(m: &Manifest, x_param: usize, explicit: &[String]) -> Vec<usize> {
    if !explicit.is_empty() {
        return (0..m.parameters.len())
            .filter(|&j| j != x_param && explicit.contains(&m.parameters[j].path))
            .collect();
    }
    let mut kept: Vec<usize> = (0..m.parameters.len()).filter(|&j| j != x_param).collect();
    // Those with the most distinct values are tried first, so that the fewest lines remain
    // (slots per TaskManager follow from parallelism and TaskManagers, not the other way round).
    let mut candidates = kept.clone();
    candidates.sort_by_key(|&j| (std::cmp::Reverse(distinct_values(m, j)), j));
    for j in candidates {
        let given: Vec<usize> = std::iter::once(x_param)
            .chain(kept.iter().copied().filter(|&k| k != j))
            .collect();
        if determined_by(m, j, &given) {
            kept.retain(|&k| k != j);
        }
    }
    kept
}

fn distinct_values(m: &Manifest, j: usize) -> usize {
    let mut v: Vec<&str> = (0..m.points.len()).map(|p| m.value(p, j)).collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// Points grouped into lines by the values of `series` parameters, in plan order, each labelled
/// `path=value, ...` (empty when there is one line).
pub fn series_groups(m: &Manifest, series: &[usize]) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for pt in &m.points {
        let label = series
            .iter()
            .map(|&j| {
                format!(
                    "{}={}",
                    m.parameters[j].path, m.parameters[j].values[pt.value_indices[j]]
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, pts)) => pts.push(pt.index),
            None => groups.push((label, vec![pt.index])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep_manifest::{FORMAT, Mode, ParameterInfo, PlotSpec, PointInfo};

    fn manifest(mode: Mode, params: &[(&str, &[&str])], points: &[&[usize]]) -> Manifest {
        Manifest {
            format: FORMAT,
            fingerprint: String::new(),
            ckptsim_version: String::new(),
            scenario: "s".into(),
            mode,
            replications: 1,
            parameters: params
                .iter()
                .map(|(p, v)| ParameterInfo {
                    path: p.to_string(),
                    values: v.iter().map(|s| s.to_string()).collect(),
                    numeric: None,
                })
                .collect(),
            points: points
                .iter()
                .enumerate()
                .map(|(i, v)| PointInfo {
                    index: i,
                    value_indices: v.to_vec(),
                    seeds: vec![1],
                })
                .collect(),
            plot: PlotSpec::default(),
        }
    }

    #[test]
    fn a_zip_of_parameters_varied_together_is_one_line() {
        // parallelism 2, 4, 8 with 1, 2, 4 TaskManagers.
        let m = manifest(
            Mode::Zip,
            &[("p", &["2", "4", "8"]), ("tm", &["1", "2", "4"])],
            &[&[0, 0], &[1, 1], &[2, 2]],
        );
        assert_eq!(series_parameters(&m, 0, &[]), Vec::<usize>::new());
        assert_eq!(series_groups(&m, &[]), vec![(String::new(), vec![0, 1, 2])]);
    }

    #[test]
    fn a_zip_compares_values_not_their_positions() {
        // As a zip sweep's manifest has them: every point its own value index, values repeated.
        let m = manifest(
            Mode::Zip,
            &[("p", &["2", "4", "4"]), ("tm", &["1", "1", "2"])],
            &[&[0, 0], &[1, 1], &[2, 2]],
        );
        assert_eq!(series_parameters(&m, 0, &[]), vec![1]);
        assert_eq!(series_parameters(&m, 1, &[]), vec![0]);
    }

    #[test]
    fn a_grid_keeps_one_line_per_other_value() {
        let m = manifest(
            Mode::Grid,
            &[("a", &["1", "2"]), ("b", &["x", "y"])],
            &[&[0, 0], &[0, 1], &[1, 0], &[1, 1]],
        );
        assert_eq!(series_parameters(&m, 0, &[]), vec![1]);
        let g = series_groups(&m, &[1]);
        assert_eq!(g[0], ("b=x".to_string(), vec![0, 2]));
        assert_eq!(g[1], ("b=y".to_string(), vec![1, 3]));
    }

    #[test]
    fn a_parameter_that_follows_from_x_and_another_is_dropped() {
        // x = tm; slots = p / tm follows from (tm, p); p does not follow from tm.
        let m = manifest(
            Mode::Zip,
            &[("p", &["2", "4"]), ("slots", &["1", "2", "4"]), ("tm", &["1", "2"])],
            &[&[0, 1, 0], &[0, 0, 1], &[1, 2, 0], &[1, 1, 1]],
        );
        assert_eq!(series_parameters(&m, 2, &[]), vec![0]);
        assert_eq!(series_parameters(&m, 2, &["slots".to_string()]), vec![1]);
    }
}
